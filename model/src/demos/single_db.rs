//! The demo "One database under load" (`#demo=single-db`).

use super::*;
use crate::metrics::NOTICEABLE_MS;

pub const DEMO: Demo = Demo {
    name: "single-db",
    title: "One database under load",
    section: "Introduction: a single DB server cannot handle it",
    steps: &[
        Step {
            title: "Light traffic",
            narration: "One database, pg-1, takes every read and write, and serves 500 requests per second. Here 200 arrive each second.",
            aside: "",
            config: || single_db(200),
            script: nothing,
            pause_when: None,
            settle: Time::from_millis(4_000),
            claim: "Every request is answered, and p99 latency stays under 100 ms: one server copes with light traffic.",
            compare: None,
            check: |sim| {
                ensure(sim.stats().reads_failed + sim.stats().writes_failed == 0, "no request fails")?;
                ensure(sim.metrics().recent_p99_ms() < NOTICEABLE_MS, "p99 latency stays under 100 ms")
            },
        },
        Step {
            title: "The bottleneck",
            narration: "Now 700 requests arrive each second, more than the 500 it can serve. Watch its queue (the meter under it) and the latency.",
            aside: "",
            config: || single_db(700),
            script: nothing,
            pause_when: None,
            settle: Time::from_millis(2_500),
            claim: "Its queue is full: requests are turned away (Reads answered: failed) and p99 latency is over 100 ms. The whole site is slow for everyone.",
            compare: None,
            check: |sim| {
                ensure(sim.master().is_up(), "the database is still up")?;
                ensure(sim.metrics().recent_p99_ms() > NOTICEABLE_MS, "p99 latency is above 100 ms")?;
                ensure(sim.stats().reads_failed > 0, "reads are rejected")
            },
        },
        Step {
            title: "It crashes",
            narration: "The load stays at 700 per second. Here a database whose queue stays full for 3 s crashes (a simplification).",
            aside: "A real PostgreSQL would refuse connections past max_connections, or run out of memory.",
            config: || single_db(700),
            script: nothing,
            pause_when: Some(|sim| !sim.master().is_up()),
            settle: Time::from_millis(6_000),
            claim: "pg-1 crashed. With one server, nothing is left to answer: from now on every request fails on arrival, reads and writes alike (Reads answered: failed). One point of failure.",
            compare: None,
            check: |sim| ensure(sim.state(sim.master_id()) == NodeState::Down, "the database is down"),
        },
    ],
};

/// One server, which crashes after 3 s of overload.
fn single_db(rate: u64) -> Config {
    Config { replicas: 0, crash_after_ms: 3_000, ..site(rate) }
}
