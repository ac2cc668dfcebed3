//! The demo "Add replicas: reads scale, writes do not" (`#demo=add-replicas`).

use super::*;

pub const DEMO: Demo = Demo {
    name: "add-replicas",
    title: "Add replicas: reads scale, writes do not",
    section: "Master-Slave vs Single DB: scalability, read and write load",
    steps: &[
        Step {
            title: "One replica",
            narration: "1,500 requests per second, 90% reads; each server serves 500. The master takes the 150 writes; one replica would have to take 1,350 reads.",
            aside: "",
            config: || Config { replicas: 1, ..scaled() },
            script: nothing,
            pause_when: None,
            settle: Time::from_millis(4_000),
            claim: "Throughput is stuck far below the load: the one replica turns most reads away (Reads answered: failed).",
            compare: None,
            check: |sim| {
                ensure(sim.metrics().recent_failures() > 0, "reads are rejected")?;
                ensure(sim.metrics().recent_throughput() < 1_000.0, "throughput is far below 1,500 per second")
            },
        },
        Step {
            title: "Three replicas",
            narration: "Three replicas share the reads, 450 each: within what each can serve.",
            aside: "",
            config: || Config { replicas: 3, ..scaled() },
            script: nothing,
            pause_when: None,
            settle: Time::from_millis(4_000),
            claim: "Throughput matches the load, about 1,500 per second, and nothing fails: reads scale with the replicas.",
            compare: None,
            check: |sim| {
                ensure(sim.metrics().recent_failures() == 0, "no request fails")?;
                ensure(sim.metrics().recent_throughput() > 1_350.0, "about 1,500 requests per second are answered")
            },
        },
        Step {
            title: "Writes still go to one master",
            narration: "Now every request is a write. Every write goes to the one master, however many replicas there are.",
            aside: "",
            config: || Config { replicas: 3, reads_percent: 0, ..scaled() },
            script: nothing,
            pause_when: None,
            settle: Time::from_millis(4_000),
            claim: "Throughput stays near the master's 500 per second and writes are turned away: replicas do not scale writes.",
            compare: None,
            check: |sim| {
                ensure(sim.metrics().recent_failures() > 0, "writes are rejected")?;
                ensure(sim.metrics().recent_throughput() < 600.0, "throughput stays near the master's 500 per second")
            },
        },
    ],
};

/// 1,500 requests a second; replicas get each write 100 ms after the master.
fn scaled() -> Config {
    Config { lag_ms: 100, ..site(1_500) }
}
