//! The counters a lecture points at, in words: the counters panel draws them and the report
//! lists them, so both say the same.

use crate::sim::request::Stats;

#[derive(Clone, Debug, PartialEq)]
pub struct Counter {
    pub label: &'static str,
    pub test_id: &'static str,
    pub value: u64,
    /// What it counts, or the figures beside it.
    pub note: String,
    /// Something went wrong: shown in the alarm colour.
    pub alarm: bool,
}

pub fn counters(s: &Stats) -> Vec<Counter> {
    let counter = |label, test_id, value, note: String, alarm| Counter { label, test_id, value, note, alarm };
    vec![
        counter(
            "Writes acknowledged",
            "stat-writes",
            s.writes_acked,
            format!("{} failed · {} waiting", s.writes_failed, s.writes_in_flight()),
            false,
        ),
        counter(
            "Reads answered",
            "stat-reads",
            s.reads_completed,
            format!("{} failed · {} in flight", s.reads_failed, s.reads_in_flight()),
            false,
        ),
        counter(
            "Stale reads",
            "stat-stale-reads",
            s.stale_reads,
            "older than the master's data".to_string(),
            s.stale_reads > 0,
        ),
        counter(
            "Read-your-writes violations",
            "stat-ryw-violations",
            s.ryw_violations,
            "a client missed its own write".to_string(),
            s.ryw_violations > 0,
        ),
        counter(
            "Monotonic-read violations",
            "stat-monotonic-violations",
            s.monotonic_violations,
            "a client went back in time".to_string(),
            s.monotonic_violations > 0,
        ),
        counter(
            "Lost writes",
            "stat-lost-writes",
            s.lost_writes,
            "acknowledged, then lost in a failover".to_string(),
            s.lost_writes > 0,
        ),
    ]
}
