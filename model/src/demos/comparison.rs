//! The demo "Master-Slave vs Single DB" (`#demo=comparison`).

use super::*;
use crate::metrics::BUCKET;

/// When both masters crash.
const CRASH: Time = Time::from_millis(3_000);

pub const DEMO: Demo = Demo {
    name: "comparison",
    title: "Master-Slave vs Single DB",
    section: "Bonus: Master-Slave vs. Single DB",
    steps: &[Step {
        title: "The lecture's table, measured",
        narration: "A: one database. B: a master and three replicas. Both get 1,000 requests per second on average (90% reads); each server serves 500. At 3 s both masters crash.",
        aside: "",
        config: || Config { replicas: 0, ..comparison() },
        script: || vec![(CRASH, Command::Crash(NodeRef::Master))],
        pause_when: None,
        settle: Time::from_millis(5_000),
        claim: "The lecture's table, filled in by the runs: the single database turned reads away while the replicas shared them; one master took every write in both; after the crash only B still answers reads. But B's replicas, 0.1 s behind, answered most reads stale (the Data consistency row).",
        compare: Some(Compare {
            key: "replicas",
            value: "3",
            check: |sim| {
                let before_the_crash = sim.metrics().buckets().take_while(|bucket| bucket.start + BUCKET <= CRASH);
                let (failed, stale, reads) = before_the_crash.fold((0, 0, 0), |(failed, stale, reads), bucket| {
                    (failed + bucket.failed, stale + bucket.stale_reads, reads + bucket.reads)
                });
                ensure(failed == 0, "nothing fails before the crash")?;
                ensure(2 * stale > reads, "most reads before the crash are stale")?;
                ensure(sim.metrics().recent_throughput() > 800.0, "reads are still answered after the master crashed")
            },
        }),
        check: |sim| {
            ensure(sim.stats().reads_failed > 0, "reads are rejected (bottleneck)")?;
            ensure(sim.metrics().recent_throughput() < 1.0, "after the crash nothing is answered")
        },
    }],
};

fn comparison() -> Config {
    Config { lag_ms: 100, ..site(1_000) }
}
