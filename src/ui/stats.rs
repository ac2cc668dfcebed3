//! The counters a lecture points at: writes acknowledged, reads answered, reads that were stale.

use yew::prelude::*;

use crate::sim::request::Stats;

#[derive(Properties, PartialEq)]
pub struct StatsPanelProps {
    pub stats: Stats,
}

#[component]
pub fn StatsPanel(props: &StatsPanelProps) -> Html {
    let stats = props.stats;
    let writes_waiting = stats.writes_issued - stats.writes_acked;
    let reads_waiting = stats.reads_issued - stats.reads_completed;
    html! {
        <section class="stats" aria-label="Counters">
            { stat("Writes acknowledged", html! { <span class="value" data-testid="stat-writes">{ stats.writes_acked }</span> }, waiting(writes_waiting), false) }
            { stat("Reads answered", html! { <span class="value" data-testid="stat-reads">{ stats.reads_completed }</span> }, waiting(reads_waiting), false) }
            { stat("Stale reads", html! { <span class="value" data-testid="stat-stale-reads">{ stats.stale_reads }</span> }, "older than the master's data".into(), stats.stale_reads > 0) }
        </section>
    }
}

fn waiting(count: u64) -> String {
    format!("{count} in flight")
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
