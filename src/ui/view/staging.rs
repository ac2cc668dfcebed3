//! How the page stages each lecture demo's steps: which elements it marks for the class to watch
//! (their `data-testid`s) and the playback speed a step opens at, slow enough to follow each
//! message it turns on. The model keeps each step's script, narration and checked claim
//! (`sim::demos`); this is how the page presents them, step by step in the demos' order.

/// How one step is staged.
pub struct Staging {
    pub watch: &'static [&'static str],
    pub speed: f64,
}

/// A step no row stages (none: a test checks every step has one) plays at 1× with nothing marked.
static UNSTAGED: Staging = Staging { watch: &[], speed: 1.0 };

/// Each demo's steps, by the demo's link name.
const STAGING: &[(&str, &[Staging])] = &[
    (
        "single-db",
        &[
            Staging { watch: &["node-master", "chart-latency", "stat-reads", "stat-writes"], speed: 1.0 },
            Staging { watch: &["node-master", "chart-latency", "stat-reads"], speed: 1.0 },
            Staging { watch: &["node-master", "event-log", "stat-reads"], speed: 1.0 },
        ],
    ),
    (
        "add-replicas",
        &[
            Staging { watch: &["chart-throughput", "stat-reads", "node-replica-1"], speed: 1.0 },
            Staging { watch: &["chart-throughput", "stat-reads"], speed: 1.0 },
            Staging { watch: &["node-master", "chart-throughput", "stat-writes"], speed: 1.0 },
        ],
    ),
    (
        "async-stale",
        &[
            Staging { watch: &["stat-writes", "node-master", "link-replica-1", "link-replica-2"], speed: 0.25 },
            Staging { watch: &["stat-stale-reads", "request-log", "node-replica-1"], speed: 0.25 },
            Staging { watch: &["stat-stale-reads", "node-replica-1", "node-replica-2"], speed: 0.5 },
        ],
    ),
    (
        "sync",
        &[
            Staging { watch: &["stat-writes", "node-master", "request-log"], speed: 0.5 },
            Staging { watch: &["node-replica-2", "link-replica-2", "stat-writes"], speed: 1.0 },
            Staging { watch: &["event-log", "stat-writes"], speed: 0.5 },
        ],
    ),
    (
        "sync-vs-async",
        &[
            Staging { watch: &["compare-table"], speed: 1.0 },
            Staging { watch: &["compare-table", "node-replica-2"], speed: 1.0 },
            Staging { watch: &["compare-table", "node-replica-2"], speed: 1.0 },
        ],
    ),
    (
        "sync-linearizable",
        &[
            Staging { watch: &["history", "stat-stale-reads"], speed: 0.5 },
            Staging { watch: &["history", "stat-stale-reads"], speed: 0.5 },
            Staging { watch: &["history", "node-master"], speed: 0.5 },
        ],
    ),
    (
        "load-balancing",
        &[
            Staging { watch: &["node-replica-1", "chart-latency"], speed: 1.0 },
            Staging { watch: &["node-replica-1", "chart-latency"], speed: 1.0 },
        ],
    ),
    (
        "replica-crash",
        &[
            Staging { watch: &["node-replica-2", "stat-reads", "chart-throughput"], speed: 1.0 },
            Staging { watch: &["node-replica-2", "event-log"], speed: 1.0 },
        ],
    ),
    (
        "master-crash",
        &[
            Staging { watch: &["node-master", "stat-writes", "stat-reads"], speed: 0.5 },
            Staging { watch: &["stat-lost-writes", "event-log", "link-replica-1", "link-replica-2"], speed: 0.5 },
            Staging { watch: &["node-master", "event-log", "stat-writes"], speed: 1.0 },
        ],
    ),
    (
        "read-your-writes",
        &[
            Staging { watch: &["stat-ryw-violations", "request-log"], speed: 1.0 },
            Staging { watch: &["stat-ryw-violations", "chart-lag"], speed: 1.0 },
            Staging { watch: &["stat-ryw-violations", "chart-latency"], speed: 1.0 },
            Staging { watch: &["stat-ryw-violations", "node-master", "request-log"], speed: 1.0 },
        ],
    ),
    (
        "cqrs",
        &[
            Staging { watch: &["node-cdc-1", "node-mongo-1", "node-mongo-2"], speed: 1.0 },
            Staging { watch: &["stat-stale-reads", "stat-ryw-violations", "node-mongo-2"], speed: 0.5 },
            Staging { watch: &["stat-stale-reads", "stat-ryw-violations", "request-log"], speed: 0.5 },
            Staging { watch: &["node-cdc-1", "node-master"], speed: 1.0 },
            Staging { watch: &["node-cdc-1", "event-log"], speed: 1.0 },
            Staging { watch: &["node-master", "event-log"], speed: 1.0 },
        ],
    ),
    ("comparison", &[Staging { watch: &["compare-table"], speed: 1.0 }]),
];

/// How step `step` (1-based) of the demo `demo` is staged.
pub fn staging(demo: &str, step: usize) -> &'static Staging {
    STAGING
        .iter()
        .find(|(name, _)| *name == demo)
        .and_then(|(_, steps)| steps.get(step.wrapping_sub(1)))
        .unwrap_or(&UNSTAGED)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::demos::DEMOS;

    #[test]
    fn every_demo_step_is_staged_and_nothing_else_is() {
        for demo in DEMOS {
            let (_, steps) = STAGING.iter().find(|(name, _)| *name == demo.name).expect("the demo is staged");
            assert_eq!(steps.len(), demo.steps.len(), "{}: a staging for each step", demo.name);
            for (index, staged) in steps.iter().enumerate() {
                assert!(!staged.watch.is_empty(), "{} step {}: something to watch", demo.name, index + 1);
            }
        }
        assert_eq!(STAGING.len(), DEMOS.len(), "no staging for a demo that is gone");
        assert!(std::ptr::eq(staging("sync", 9), &UNSTAGED) && std::ptr::eq(staging("nope", 1), &UNSTAGED));
    }
}
