//! The demo "Sync vs async, measured" (`#demo=sync-vs-async`): the same traffic run
//! asynchronously (A) and synchronously (B) side by side, filling in the lecture's replication
//! table with measured stale reads, write latencies and what a replica crash does to writes.

use super::*;
use crate::metrics::BUCKET;

/// When pg-3 crashes in the second and third steps: on a metrics bucket's start, so the table
/// counts the writes acknowledged since exactly then.
const CRASH_MS: u64 = 3_000;
/// When it restarts in the third.
const RESTART_MS: u64 = 5_000;
/// How long a log entry takes to reach a replica.
const LAG_MS: u64 = 1_000;
/// How long a synchronous write takes with both replicas up: the lag and the trips between
/// the client and the master, with room to spare.
const WAIT_AS_USUAL: Time = Time::from_millis(LAG_MS * 13 / 10);

pub const DEMO: Demo = Demo {
    name: "sync-vs-async",
    title: "Sync vs async, measured",
    section: "Replication mechanism: synchronous vs. asynchronous",
    steps: &[
        Step {
            title: "The same traffic, both ways",
            narration: "Two runs of the same traffic: 40 requests a second from 4 clients, 8 in 10 of them reads, served by the replicas. Log entries take 1 s to reach a replica. The table fills in as they run. A is asynchronous: the master does not wait. B is synchronous: the master waits until both replicas have applied each write.",
            aside: "PostgreSQL: synchronous_commit = remote_apply, both replicas named in synchronous_standby_names.",
            config: workload,
            script: nothing,
            pause_when: None,
            settle: Time::from_millis(6_000),
            claim: "The lecture's table, measured: A served stale reads, B none. B's writes took about 1 s longer than A's, at the median (p50) and for the slowest (p99) alike: its master waited for the replicas on every write.",
            compare: Some(Compare {
                key: "mode",
                value: "sync",
                check: |sim| {
                    ensure(sim.stats().stale_reads == 0, "B served no stale read")?;
                    let (p50, p99) = write_latency(sim).unwrap_or_default();
                    ensure(p50 >= Time::from_millis(LAG_MS), "B's median write waited longer than the lag")?;
                    ensure(p99 < WAIT_AS_USUAL, "B's slowest writes waited about as long")
                },
            }),
            check: |sim| {
                ensure(sim.stats().stale_reads > 0, "A served stale reads")?;
                ensure(
                    write_latency(sim).is_some_and(|(_, p99)| p99 < Time::from_millis(LAG_MS / 5)),
                    "A's slowest writes took a fraction of the lag",
                )
            },
        },
        Step {
            title: "A replica crashes",
            narration: "The same two runs, and at 3 s pg-3 (replica 2) crashes in both. Watch the writes: A's master does not wait for the replicas; B's waits for both.",
            aside: "",
            config: workload,
            script: || vec![at(CRASH_MS, Command::Crash(NodeRef::Replica(2)))],
            pause_when: None,
            settle: Time::from_millis(6_000),
            claim: "In both, pg-2 still answers the reads. A went on acknowledging writes. B has acknowledged no write since just after the crash: every write waits for pg-3, which is down, and the pile grows. Waiting for the slave to confirm means a crashed slave stops the writes. (PostgreSQL waits as long as it takes; MySQL's semi-sync gives up after a timeout.)",
            compare: Some(Compare {
                key: "mode",
                value: "sync",
                check: |sim| {
                    ensure(
                        sim.metrics().writes_from(Time::from_millis(CRASH_MS) + BUCKET) == 0,
                        "B acknowledged no write from just after the crash",
                    )?;
                    ensure(answers_reads(sim), "B still answers reads")?;
                    ensure(
                        waiting_for_pg3(sim) >= 20,
                        "B's writes wait for pg-3, more than the lag alone keeps waiting",
                    )?;
                    ensure(
                        oldest_unanswered_write(sim).is_some_and(|issued| issued < Time::from_millis(CRASH_MS)),
                        "the oldest waits since before the crash",
                    )
                },
            }),
            check: |sim| {
                ensure(answers_reads(sim), "A still answers reads")?;
                ensure(sim.metrics().writes_from(Time::from_millis(CRASH_MS)) >= 10, "A kept acknowledging writes")?;
                ensure(sim.waiting_for().is_none(), "no write waits in A")
            },
        },
        Step {
            title: "It comes back",
            narration: "pg-3 crashes at 3 s and restarts at 5 s. It catches up from the master's log, and B's master can acknowledge the writes that waited for it.",
            aside: "",
            config: workload,
            script: || {
                vec![
                    at(CRASH_MS, Command::Crash(NodeRef::Replica(2))),
                    at(RESTART_MS, Command::Restart(NodeRef::Replica(2))),
                ]
            },
            pause_when: None,
            settle: Time::from_millis(8_000),
            claim: "Once pg-3 had caught up, B acknowledged the writes that had waited for it. They waited seconds: B's p99 shows the outage, while its median barely moved. A's writes never noticed.",
            compare: Some(Compare {
                key: "mode",
                value: "sync",
                check: |sim| {
                    ensure(
                        oldest_unanswered_write(sim).is_none_or(|issued| issued + WAIT_AS_USUAL > sim.now()),
                        "no write in B waits longer than the lag alone makes it",
                    )?;
                    let (p50, p99) = write_latency(sim).unwrap_or_default();
                    ensure(p99 >= Time::from_millis(3 * LAG_MS), "B's p99 is seconds")?;
                    ensure(p50 < WAIT_AS_USUAL, "B's median is about the lag, as before the crash")
                },
            }),
            check: |sim| {
                ensure(
                    write_latency(sim).is_some_and(|(_, p99)| p99 < Time::from_millis(LAG_MS / 5)),
                    "A's slowest writes still took a fraction of the lag",
                )
            },
        },
    ],
};

/// Both runs get it: the replicas stay 1 s away and the network adds no random delay, so the
/// traffic generator draws the very same requests in A and in B.
fn workload() -> Config {
    Config {
        replicas: 2,
        mode: Mode::Async,
        lag_ms: LAG_MS,
        rate: 40,
        reads_percent: 80,
        hot_keys: 20,
        clients: 4,
        ..Config::default()
    }
}

/// The median and 99th percentile latency of the run's acknowledged writes.
fn write_latency(sim: &Simulation) -> Option<(Time, Time)> {
    sim.metrics().recent_write_latency().map(|latency| (latency.p50, latency.p99))
}

/// Reads are still answered at three quarters or more of the 32 a second the traffic asks
/// for, over the last second.
fn answers_reads(sim: &Simulation) -> bool {
    let last_second =
        sim.metrics().buckets().rev().take((Time::from_millis(1_000).as_micros() / BUCKET.as_micros()) as usize);
    last_second.map(|bucket| bucket.reads).sum::<u64>() >= 24
}

/// When the oldest write not yet answered was issued, if any is.
fn oldest_unanswered_write(sim: &Simulation) -> Option<Time> {
    sim.in_flight().filter(|record| !record.is_read()).map(|record| record.issued_at).min()
}

/// How many writes wait, when pg-3 is among the replicas the oldest of them still needs;
/// else none.
fn waiting_for_pg3(sim: &Simulation) -> usize {
    match (sim.waiting_for(), sim.resolve(NodeRef::Replica(2))) {
        (Some((count, missing)), Ok(pg3)) if missing.contains(&pg3) => count,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The narration says both runs get the same traffic: with nothing random in the network,
    /// the generator's draws do not depend on the mode. Every quarter second, the requests
    /// issued in it are the same in both (all still in flight or among the latest finished).
    #[test]
    fn both_modes_issue_the_same_requests_at_the_same_moments() {
        let mut runs = [Mode::Async, Mode::Sync]
            .map(|mode| Simulation::new(Config { mode, ..workload() }).expect("the demo's settings are valid"));
        let mut compared = 0;
        for quarter in 1..=32 {
            let (from, until) = (Time::from_millis((quarter - 1) * 250), Time::from_millis(quarter * 250));
            let issued = runs.each_mut().map(|sim| {
                sim.run_until(until);
                let mut issued: Vec<_> = (sim.recent().chain(sim.in_flight()))
                    .filter(|record| record.issued_at > from)
                    .map(|record| (record.issued_at, record.client, record.op.clone()))
                    .collect();
                issued.sort_by_key(|(at, client, _)| (*at, *client));
                issued
            });
            assert_eq!(issued[0], issued[1], "issued in the quarter second to {} ms", quarter * 250);
            compared += issued[0].len();
        }
        assert!(compared >= 250, "the traffic issued {compared} requests");
    }
}
