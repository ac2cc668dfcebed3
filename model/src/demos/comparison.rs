//! The demo "Master-Slave vs Single DB" (`#demo=comparison`).

use super::*;

pub const DEMO: Demo = Demo {
    name: "comparison",
    title: "Master-Slave vs Single DB",
    section: "Bonus: Master-Slave vs. Single DB",
    steps: &[Step {
        title: "The lecture's table, measured",
        narration: "A: one database. B: a master and three replicas. Both get 1,000 requests per second (90% reads); each server serves 500. At 3 s both masters crash.",
        aside: "",
        config: || Config { replicas: 0, ..comparison() },
        script: || vec![at(3_000, Command::Crash(NodeRef::Master))],
        pause_when: None,
        settle: Time::from_millis(5_000),
        claim: "The lecture's table, filled in by the runs: the single database turned reads away while the replicas shared them; one master took every write in both; after the crash only B still answers reads.",
        compare: Some(Compare {
            key: "replicas",
            value: "3",
            check: |sim| {
                ensure(
                    sim.metrics().buckets().take(8).all(|bucket| bucket.failed == 0),
                    "nothing fails before the crash",
                )?;
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
