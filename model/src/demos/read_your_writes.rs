//! The demo "Getting read-your-writes back" (`#demo=read-your-writes`).

use super::*;

pub const DEMO: Demo = Demo {
    name: "read-your-writes",
    title: "Getting read-your-writes back",
    section: "Asynchronous: risk of stale reads, and what proxies do about it",
    steps: &[
        Step {
            title: "Missing your own writes",
            narration: "A client writes user 101, then reads it back 0.2 s later, five times over. Async: each write reaches the replicas 0.8 s after the master.",
            aside: "",
            config: || session_config(|_| {}),
            script: write_then_read,
            pause_when: Some(|sim| sim.stats().reads_completed == 5),
            settle: Time::from_millis(5_000),
            claim: "All five reads missed the client's own write, just acknowledged (read-your-writes violations: 5).",
            compare: None,
            check: |sim| ensure(sim.stats().ryw_violations == 5, "five read-your-writes violations"),
        },
        Step {
            title: "A lag limit does not help",
            narration: "The proxy can keep reads away from replicas too far behind the master, here more than 1 s (the dashed line on the lag chart). These replicas are 0.8 s behind: within the limit.",
            aside: "ProxySQL's max_replication_lag (MySQL), pgpool-II's delay_threshold (PostgreSQL).",
            config: || session_config(|c| c.max_lag_ms = 1_000),
            script: write_then_read,
            pause_when: Some(|sim| sim.stats().reads_completed == 5),
            settle: Time::from_millis(5_000),
            claim: "Still five violations: a lag limit keeps the furthest replicas away, not a client's own latest writes.",
            compare: None,
            check: |sim| {
                ensure(sim.stats().ryw_violations == 5, "still five violations")?;
                let furthest =
                    sim.metrics().buckets().flat_map(|bucket| bucket.nodes.iter().map(|node| node.lag)).max();
                ensure(
                    furthest.is_some_and(|lag| lag > Time::from_millis(500) && lag < Time::from_millis(1_000)),
                    "the replicas fall behind, but within the limit",
                )
            },
        },
        Step {
            title: "Causal reads",
            narration: "Causal reads: each read carries the position of the client's last write, and the replica answers only once it has applied that write.",
            aside: "MaxScale's causal_reads (MySQL); with PostgreSQL the application can wait for the LSN itself.",
            config: || session_config(|c| c.causal_reads = true),
            script: write_then_read,
            pause_when: Some(|sim| sim.stats().reads_completed == 5),
            settle: Time::from_millis(6_000),
            claim: "Every read saw the client's own write: no violation, at the cost of waiting (the latency chart).",
            compare: None,
            check: |sim| {
                ensure(sim.stats().reads_completed == 5, "every read is answered")?;
                ensure(sim.stats().ryw_violations == 0, "no violation")
            },
        },
        Step {
            title: "Or read from the master",
            narration: "The bluntest fix: read from the master.",
            aside: "MongoDB's readPreference primary.",
            config: || session_config(|c| c.read_pref = ReadPref::Primary),
            script: write_then_read,
            pause_when: Some(|sim| sim.stats().reads_completed == 5),
            settle: Time::from_millis(5_000),
            claim: "No violation, but the master served every read (see the request log): it carries the read load again.",
            compare: None,
            check: |sim| {
                ensure(sim.stats().ryw_violations == 0, "no violation")?;
                ensure(sim.master().reads_served() == 5, "the master served every read")
            },
        },
    ],
};

fn session_config(change: fn(&mut Config)) -> Config {
    let mut config = Config { replicas: 2, lag_ms: 800, ..Config::default() };
    change(&mut config);
    config
}

/// Five rounds of: write user 101, read it back 200 ms later.
fn write_then_read() -> Vec<(Time, Command)> {
    (0..5_u64)
        .flat_map(|round| {
            [
                // Named after the version the write makes: v1, v2, ...
                at(round * 1_000 + 100, Command::Write { client: 0, key: 101, name: format!("v{}", round + 1) }),
                at(round * 1_000 + 300, Command::ReadLastWritten { client: 0 }),
            ]
        })
        .collect()
}
