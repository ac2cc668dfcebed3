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
            { stat("Writes acknowledged", "stat-writes", stats.writes_acked, waiting(writes_waiting), false) }
            { stat("Reads answered", "stat-reads", stats.reads_completed, waiting(reads_waiting), false) }
            { stat("Stale reads", "stat-stale-reads", stats.stale_reads, "older than the master's data".into(), stats.stale_reads > 0) }
        </section>
    }
}

fn waiting(count: u64) -> String {
    format!("{count} in flight")
}

fn stat(label: &str, test_id: &str, value: u64, note: String, alarm: bool) -> Html {
    html! {
        <div class={classes!("stat", alarm.then_some("alarm"))}>
            <span class="label">{ label }</span>
            <span class="value" data-testid={test_id.to_string()}>{ value }</span>
            <span class="note">{ note }</span>
        </div>
    }
}
