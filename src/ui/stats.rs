//! The counters a lecture points at: writes acknowledged, reads answered, and every way a read
//! or write went wrong.

use yew::prelude::*;

use crate::sim::request::Stats;

#[derive(Properties, PartialEq)]
pub struct StatsPanelProps {
    pub stats: Stats,
}

#[component]
pub fn StatsPanel(props: &StatsPanelProps) -> Html {
    let s = props.stats;
    html! {
        <section class="stats" aria-label="Counters">
            { stat("Writes acknowledged", html! { <span class="value" data-testid="stat-writes">{ s.writes_acked }</span> },
                format!("{} failed", s.writes_failed), false) }
            { stat("Reads answered", html! { <span class="value" data-testid="stat-reads">{ s.reads_completed }</span> },
                format!("{} failed · {} in flight", s.reads_failed, s.in_flight()), false) }
            { stat("Stale reads", html! { <span class="value" data-testid="stat-stale-reads">{ s.stale_reads }</span> },
                "older than the master's data".to_string(), s.stale_reads > 0) }
            { stat("Read-your-writes violations", html! { <span class="value" data-testid="stat-ryw-violations">{ s.ryw_violations }</span> },
                "a client missed its own write".to_string(), s.ryw_violations > 0) }
            { stat("Monotonic-read violations", html! { <span class="value" data-testid="stat-monotonic-violations">{ s.monotonic_violations }</span> },
                "a client went back in time".to_string(), s.monotonic_violations > 0) }
            { stat("Lost writes", html! { <span class="value" data-testid="stat-lost-writes">{ s.lost_writes }</span> },
                "acknowledged, then lost in a failover".to_string(), s.lost_writes > 0) }
        </section>
    }
}

/// One counter; `value` is its number, in an element carrying the counter's test id.
fn stat(label: &str, value: Html, note: String, alarm: bool) -> Html {
    html! {
        <div class={classes!("stat", alarm.then_some("alarm"))}>
            <span class="label">{ label }</span>
            { value }
            <span class="note">{ note }</span>
        </div>
    }
}
