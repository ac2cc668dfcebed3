//! The counters a lecture points at: writes acknowledged, reads answered, and every way a read
//! or write went wrong.

use yew::prelude::*;

use super::demo_panel::{Watched, use_watched};
use crate::sim::request::Stats;

#[derive(Properties, PartialEq)]
pub struct StatsPanelProps {
    pub stats: Stats,
    /// Whose counters these are, when it is not plain (two runs side by side).
    #[prop_or_default]
    pub caption: Option<AttrValue>,
}

#[component]
pub fn StatsPanel(props: &StatsPanelProps) -> Html {
    let s = props.stats;
    let watched = use_watched();
    let stat = |label, id, value, note, alarm| counter(&watched, label, id, value, note, alarm);
    html! {
        <section class="stats" aria-label="Counters">
            if let Some(caption) = &props.caption {
                <p class="stats-caption">{ caption.clone() }</p>
            }
            { stat("Writes acknowledged", "stat-writes", s.writes_acked,
                format!("{} failed · {} waiting", s.writes_failed, s.writes_in_flight()), false) }
            { stat("Reads answered", "stat-reads", s.reads_completed,
                format!("{} failed · {} in flight", s.reads_failed, s.reads_in_flight()), false) }
            { stat("Stale reads", "stat-stale-reads", s.stale_reads, "older than the master's data".to_string(), s.stale_reads > 0) }
            { stat("Read-your-writes violations", "stat-ryw-violations", s.ryw_violations,
                "a client missed its own write".to_string(), s.ryw_violations > 0) }
            { stat("Monotonic-read violations", "stat-monotonic-violations", s.monotonic_violations,
                "a client went back in time".to_string(), s.monotonic_violations > 0) }
            { stat("Lost writes", "stat-lost-writes", s.lost_writes,
                "acknowledged, then lost in a failover".to_string(), s.lost_writes > 0) }
        </section>
    }
}

/// One counter: its number in an element carrying the counter's test id. During a demo step
/// the counters it is about stand out and the others step back.
fn counter(watched: &Watched, label: &str, id: &'static str, value: u64, note: String, alarm: bool) -> Html {
    let dimmed = !watched.0.is_empty() && watched.mark(id).is_none();
    html! {
        <div class={classes!("stat", alarm.then_some("alarm"), dimmed.then_some("dimmed"))}>
            <span class="label">{ label }</span>
            <span class="value" data-testid={id} data-watched={watched.mark(id)}>{ value }</span>
            <span class="note">{ note }</span>
        </div>
    }
}
