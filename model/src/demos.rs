//! Guided lecture demos. Each step sets up a run (settings plus commands at set moments), says
//! what to watch, and carries its claim as a check that the tests run: a demo narrates only
//! what the model really does.

use crate::config::{Config, Mode, Policy, ReadPref};
use crate::events::EventKind;
use crate::time::Time;
use crate::{Command, NodeRef, NodeState, Simulation};

pub struct Demo {
    /// Its name in links: `#demo=NAME&step=N`.
    pub name: &'static str,
    pub title: &'static str,
    /// The part of the lecture it shows.
    pub section: &'static str,
    pub steps: &'static [Step],
}

pub struct Step {
    pub title: &'static str,
    /// What is set up and what to look for, told before it happens.
    pub narration: &'static str,
    /// `data-testid`s of what to watch; the page marks them.
    pub watch: &'static [&'static str],
    pub config: fn() -> Config,
    /// Commands given at their moments as the step runs.
    pub script: fn() -> Vec<(Time, Command)>,
    /// The step pauses itself at the first moment this holds (the stale read has just come
    /// back, say), so the class sees the claim happen; without it, at `settle`.
    pub pause_when: Option<fn(&Simulation) -> bool>,
    /// When the step pauses at the latest: its claim holds by then.
    pub settle: Time,
    /// What is true on the screen when the step pauses, told then.
    pub claim: &'static str,
    /// The playback speed the step opens at: slow enough that the class can follow each
    /// message it turns on.
    pub speed: f64,
    /// The claim, checked against the run where the step pauses.
    pub check: fn(&Simulation) -> Result<(), String>,
    /// A second run beside the first, with one setting changed.
    pub compare: Option<Compare>,
}

/// The second run of a side-by-side step: the same seed and commands, one setting changed.
pub struct Compare {
    /// The setting's link key and its value in the second run.
    pub key: &'static str,
    pub value: &'static str,
    /// The claim about the second run.
    pub check: fn(&Simulation) -> Result<(), String>,
}

fn at(ms: u64, command: Command) -> (Time, Command) {
    (Time::from_millis(ms), command)
}

fn nothing() -> Vec<(Time, Command)> {
    Vec::new()
}

fn ensure(holds: bool, claim: &str) -> Result<(), String> {
    if holds { Ok(()) } else { Err(claim.to_string()) }
}

fn replica_ops(sim: &Simulation, number: usize) -> usize {
    sim.resolve(NodeRef::Replica(number)).map_or(0, |id| sim.node(id).current_ops())
}

/// Clients the traffic of the load demos comes from: many, as on a real site, so a stale read
/// is not always a client missing its own write.
const SITE_CLIENTS: usize = 12;

fn single_db() -> Config {
    Config {
        clients: SITE_CLIENTS,
        replicas: 0,
        capacity: 500,
        queue_limit: 100,
        crash_after_ms: 3_000,
        client_ms: 20,
        reads_percent: 90,
        ..Config::default()
    }
}

fn scaled() -> Config {
    Config {
        clients: SITE_CLIENTS,
        capacity: 500,
        queue_limit: 100,
        client_ms: 20,
        lag_ms: 100,
        rate: 1_500,
        reads_percent: 90,
        ..Config::default()
    }
}

fn lagging(mode: Mode) -> Config {
    Config { replicas: 2, mode, lag_ms: 2_000, ..Config::default() }
}

fn balanced(policy: Policy) -> Config {
    Config {
        replicas: 3,
        policy,
        rate: 600,
        reads_percent: 100,
        queue_limit: 1_000,
        client_ms: 5,
        clients: SITE_CLIENTS,
        ..Config::default()
    }
}

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

pub const DEMOS: &[Demo] = &[
    Demo {
        name: "single-db",
        title: "One database under load",
        section: "Introduction: a single DB server cannot handle it",
        steps: &[
            Step {
                title: "Light traffic",
                narration: "One database, pg-1, takes every read and write, and serves 500 requests per second. Here 200 arrive each second.",
                watch: &["node-master", "chart-latency"],
                config: || Config { rate: 200, ..single_db() },
                script: nothing,
                pause_when: None,
                settle: Time::from_millis(4_000),
                speed: 1.0,
                claim: "Every request is answered, and p99 latency stays under 100 ms: one server copes with light traffic.",
                compare: None,
                check: |sim| {
                    ensure(sim.stats().reads_failed + sim.stats().writes_failed == 0, "no request fails")?;
                    ensure(sim.metrics().recent_p99_ms() < 100.0, "p99 latency stays under 100 ms")
                },
            },
            Step {
                title: "The bottleneck",
                narration: "Now 700 requests arrive each second, more than the 500 it can serve. Watch its queue (the meter under it) and the latency.",
                watch: &["node-master", "chart-latency", "stat-reads"],
                config: || Config { rate: 700, ..single_db() },
                script: nothing,
                pause_when: None,
                settle: Time::from_millis(2_500),
                speed: 1.0,
                claim: "Its queue is full: requests are turned away (Reads answered: failed) and p99 latency is over 100 ms. The whole site is slow for everyone.",
                compare: None,
                check: |sim| {
                    ensure(sim.master().is_up(), "the database is still up")?;
                    ensure(sim.metrics().recent_p99_ms() > 100.0, "p99 latency is above 100 ms")?;
                    ensure(sim.stats().reads_failed > 0, "reads are rejected")
                },
            },
            Step {
                title: "It crashes",
                narration: "The load stays at 700 per second. Here (a simplification) a database whose queue stays full for 3 s crashes; a real PostgreSQL would refuse connections past max_connections, or run out of memory.",
                watch: &["node-master", "event-log", "stat-reads"],
                config: || Config { rate: 700, ..single_db() },
                script: nothing,
                pause_when: Some(|sim| !sim.master().is_up()),
                settle: Time::from_millis(6_000),
                speed: 1.0,
                claim: "pg-1 crashed. With one server nothing answers any more, reads or writes: one point of failure.",
                compare: None,
                check: |sim| ensure(sim.state(sim.master_id()) == NodeState::Down, "the database is down"),
            },
        ],
    },
    Demo {
        name: "add-replicas",
        title: "Add replicas: reads scale, writes do not",
        section: "Master-Slave vs Single DB: scalability, read and write load",
        steps: &[
            Step {
                title: "One replica",
                narration: "1,500 requests per second, 90% reads; each server serves 500. The master takes the 150 writes; one replica would have to take 1,350 reads.",
                watch: &["chart-throughput", "stat-reads", "node-replica-1"],
                config: || Config { replicas: 1, ..scaled() },
                script: nothing,
                pause_when: None,
                settle: Time::from_millis(4_000),
                speed: 1.0,
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
                watch: &["chart-throughput", "stat-reads"],
                config: || Config { replicas: 3, ..scaled() },
                script: nothing,
                pause_when: None,
                settle: Time::from_millis(4_000),
                speed: 1.0,
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
                watch: &["node-master", "chart-throughput", "stat-writes"],
                config: || Config { replicas: 3, reads_percent: 0, ..scaled() },
                script: nothing,
                pause_when: None,
                settle: Time::from_millis(4_000),
                speed: 1.0,
                claim: "Throughput stays near the master's 500 per second and writes are turned away: replicas do not scale writes.",
                compare: None,
                check: |sim| {
                    ensure(sim.metrics().recent_failures() > 0, "writes are rejected")?;
                    ensure(
                        sim.metrics().recent_throughput() < 600.0,
                        "throughput stays near the master's 500 per second",
                    )
                },
            },
        ],
    },
    Demo {
        name: "async-stale",
        title: "Asynchronous replication: fast, but stale reads",
        section: "Replication mechanism: asynchronous",
        steps: &[
            Step {
                title: "The master does not wait",
                narration: "Asynchronous replication, with the replicas 2 s away from the master. A client writes a user.",
                watch: &["stat-writes", "node-master", "link-replica-1", "link-replica-2"],
                config: || lagging(Mode::Async),
                script: || vec![at(200, Command::WriteRandom { client: 0 })],
                pause_when: Some(|sim| sim.stats().writes_acked == 1),
                settle: Time::from_millis(600),
                speed: 0.25,
                claim: "The write is acknowledged (Writes acknowledged: 1) while both replicas still show LSN 0: the master did not wait for them.",
                compare: None,
                check: |sim| {
                    ensure(sim.stats().writes_acked == 1, "the write is acknowledged")?;
                    ensure(sim.replicas().iter().all(|(_, node)| node.positions.applied == 0), "no replica has it yet")
                },
            },
            Step {
                title: "A stale read",
                narration: "The client writes a user, then reads it back 0.4 s later. The read goes to a replica, which has not received the write yet.",
                watch: &["stat-stale-reads", "request-log", "node-replica-1"],
                config: || lagging(Mode::Async),
                script: || {
                    vec![at(200, Command::WriteRandom { client: 0 }), at(600, Command::ReadLastWritten { client: 0 })]
                },
                pause_when: Some(|sim| sim.stats().stale_reads == 1),
                settle: Time::from_millis(1_000),
                speed: 0.25,
                claim: "The read came back stale: the replica returned the old row (STALE in the request log), though the write was acknowledged.",
                compare: None,
                check: |sim| ensure(sim.stats().stale_reads == 1, "the read is stale"),
            },
            Step {
                title: "After the lag",
                narration: "This time the client reads 2.4 s after writing: after the write has reached the replicas.",
                watch: &["stat-stale-reads", "node-replica-1", "node-replica-2"],
                config: || lagging(Mode::Async),
                script: || {
                    vec![at(200, Command::WriteRandom { client: 0 }), at(2_600, Command::ReadLastWritten { client: 0 })]
                },
                pause_when: Some(|sim| sim.stats().reads_completed == 1),
                settle: Time::from_millis(3_000),
                speed: 0.5,
                claim: "The read is fresh, and both replicas show LSN 1: async replicas catch up, after the lag.",
                compare: None,
                check: |sim| {
                    ensure(sim.stats().reads_completed == 1, "the read is answered")?;
                    ensure(sim.stats().stale_reads == 0, "the read is fresh")?;
                    ensure(sim.replicas().iter().all(|(_, node)| node.positions.applied == 1), "both replicas have it")
                },
            },
        ],
    },
    Demo {
        name: "sync",
        title: "Synchronous replication: no stale reads, slower writes",
        section: "Replication mechanism: synchronous",
        steps: &[
            Step {
                title: "The master waits",
                narration: "Sync replication (PostgreSQL's remote_apply, every replica named); log entries take 1 s to reach the replicas. The client writes, then reads the user three times while the write is under way.",
                watch: &["stat-writes", "stat-stale-reads", "node-master"],
                config: || Config { lag_ms: 1_000, ..lagging(Mode::Sync) },
                script: || {
                    vec![
                        at(200, Command::WriteRandom { client: 0 }),
                        at(400, Command::ReadLastWritten { client: 0 }),
                        at(700, Command::ReadLastWritten { client: 0 }),
                        at(1_000, Command::ReadLastWritten { client: 0 }),
                    ]
                },
                pause_when: Some(|sim| sim.stats().writes_acked == 1),
                settle: Time::from_millis(3_000),
                speed: 0.5,
                claim: "Acknowledged only now, once both replicas applied it. The reads before it returned the old name, and none is stale: until the commit, the old name was the truth.",
                compare: None,
                check: |sim| {
                    ensure(sim.stats().writes_acked == 1, "the write is acknowledged")?;
                    ensure(sim.stats().reads_completed == 3, "the three reads were answered before it")?;
                    ensure(sim.stats().stale_reads == 0, "no read is stale")?;
                    let latency = sim.recent().find(|record| !record.is_read()).and_then(|record| record.latency());
                    ensure(
                        latency.is_some_and(|latency| latency > Time::from_millis(1_000)),
                        "the write took longer than the delay",
                    )
                },
            },
            Step {
                title: "One replica down blocks writes",
                narration: "pg-3 (replica 2) crashes, then the client writes. The master waits for every replica it names.",
                watch: &["node-replica-2", "link-replica-2", "stat-writes"],
                config: || Config { lag_ms: 1_000, ..lagging(Mode::Sync) },
                script: || {
                    vec![at(100, Command::Crash(NodeRef::Replica(2))), at(200, Command::WriteRandom { client: 0 })]
                },
                pause_when: None,
                settle: Time::from_millis(3_500),
                speed: 1.0,
                claim: "Over 3 s later the write still waits: the master waits for pg-3, which is down. Synchronous replication gives up availability for consistency.",
                compare: None,
                check: |sim| {
                    ensure(sim.stats().writes_acked == 0, "the write is not acknowledged")?;
                    ensure(sim.stats().writes_in_flight() == 1, "the write is still waiting")
                },
            },
            Step {
                title: "MySQL's semi-sync falls back",
                narration: "MySQL's semi-sync waits for replicas to receive a write (here both: wait_for_slave_count = 2), for at most rpl_semi_sync_master_timeout (here 1.5 s); PostgreSQL has no such limit. pg-3 crashes; the client writes.",
                watch: &["event-log", "stat-writes"],
                config: || Config { lag_ms: 1_000, semi_sync_timeout_ms: 1_500, ..lagging(Mode::SemiSync) },
                script: || {
                    vec![at(100, Command::Crash(NodeRef::Replica(2))), at(200, Command::WriteRandom { client: 0 })]
                },
                pause_when: Some(|sim| sim.stats().writes_acked == 1),
                settle: Time::from_millis(3_000),
                speed: 0.5,
                claim: "After 1.5 s the master fell back to async and acknowledged (event log: pg-2 had received it, pg-3 had not). And received is not applied: replica reads can still be stale.",
                compare: None,
                check: |sim| {
                    ensure(sim.stats().writes_acked == 1, "the write is acknowledged")?;
                    ensure(
                        sim.events().any(|event| matches!(event.kind, EventKind::FellBackToAsync { .. })),
                        "the fallback is in the event log",
                    )
                },
            },
        ],
    },
    Demo {
        name: "load-balancing",
        title: "Load balancing with one slow replica",
        section: "Role-based operations: low latency, reads served by slaves",
        steps: &[
            Step {
                title: "Round-robin keeps hitting it",
                narration: "pg-2 (replica 1) serves only 60 requests per second. Round-robin still sends it a third of the 600 reads per second.",
                watch: &["node-replica-1", "chart-latency"],
                config: || balanced(Policy::RoundRobin),
                script: || vec![at(0, Command::SetCapacity(NodeRef::Replica(1), 60))],
                pause_when: None,
                settle: Time::from_millis(4_000),
                speed: 1.0,
                claim: "pg-2's queue holds over 100 reads and p99 latency is over 500 ms: round-robin does not look at how busy a replica is.",
                compare: None,
                check: |sim| {
                    ensure(replica_ops(sim, 1) > 100, "replica 1's queue grows")?;
                    ensure(sim.metrics().recent_p99_ms() > 500.0, "p99 latency is above 500 ms")
                },
            },
            Step {
                title: "Least current operations avoids it",
                narration: "MaxScale's LEAST_CURRENT_OPERATIONS (MySQL; HAProxy's leastconn does the same in front of PostgreSQL) sends each read to the replica with the fewest in progress. The same slow pg-2, the same load.",
                watch: &["node-replica-1", "chart-latency"],
                config: || balanced(Policy::LeastOps),
                script: || vec![at(0, Command::SetCapacity(NodeRef::Replica(1), 60))],
                pause_when: None,
                settle: Time::from_millis(4_000),
                speed: 1.0,
                claim: "pg-2 has almost nothing queued and p99 latency stays under 200 ms: the slow replica gets only what it can take.",
                compare: None,
                check: |sim| {
                    ensure(replica_ops(sim, 1) < 5, "replica 1 has almost nothing queued")?;
                    ensure(sim.metrics().recent_p99_ms() < 200.0, "p99 latency stays under 200 ms")
                },
            },
        ],
    },
    Demo {
        name: "replica-crash",
        title: "A replica crashes: reads stay available",
        section: "Site reliability and availability",
        steps: &[
            Step {
                title: "Crash a replica",
                narration: "Reads flow to three replicas. At 1 s, pg-3 (replica 2) crashes.",
                watch: &["node-replica-2", "stat-reads", "chart-throughput"],
                config: || Config { replicas: 3, rate: 200, lag_ms: 100, clients: SITE_CLIENTS, ..Config::default() },
                script: || vec![at(1_000, Command::Crash(NodeRef::Replica(2)))],
                pause_when: None,
                settle: Time::from_millis(4_000),
                speed: 1.0,
                claim: "pg-3 is down. The reads it held failed; every read since has been answered by the other two: users barely notice.",
                compare: None,
                check: |sim| {
                    let replica = sim.resolve(NodeRef::Replica(2)).expect("replica-2");
                    ensure(sim.state(replica) == NodeState::Down, "replica 2 is down")?;
                    ensure(sim.metrics().recent_failures() == 0, "no read fails after the crash")?;
                    ensure(sim.metrics().recent_throughput() > 150.0, "reads keep being answered")
                },
            },
            Step {
                title: "It comes back and catches up",
                narration: "pg-3 crashed at 1 s and restarts at 3 s: it applies what it had on disk, and the master streams it the rest of the log.",
                watch: &["node-replica-2"],
                config: || Config { replicas: 3, rate: 200, lag_ms: 100, clients: SITE_CLIENTS, ..Config::default() },
                script: || {
                    vec![
                        at(1_000, Command::Crash(NodeRef::Replica(2))),
                        at(3_000, Command::Restart(NodeRef::Replica(2))),
                    ]
                },
                pause_when: Some(|sim| sim.now() > Time::from_millis(3_000) && replica_caught_up(sim, 2)),
                settle: Time::from_millis(6_000),
                speed: 1.0,
                claim: "pg-3 is back and has caught up: it shows the master's LSN, having applied what the master logged while it was down.",
                compare: None,
                check: |sim| {
                    let replica = sim.resolve(NodeRef::Replica(2)).expect("replica-2");
                    ensure(sim.node(replica).is_up(), "replica 2 is up")?;
                    ensure(replica_caught_up(sim, 2), "it has caught up with the master")
                },
            },
        ],
    },
    Demo {
        name: "master-crash",
        title: "The master crashes: failover and lost writes",
        section: "Master handles writes: what if it fails?",
        steps: &[
            Step {
                title: "Writes fail, reads go on",
                narration: "The master crashes at 0.7 s. Then the client writes, and reads.",
                watch: &["node-master", "stat-writes", "stat-reads"],
                config: || Config { lag_ms: 1_500, ..lagging(Mode::Async) },
                script: || {
                    vec![
                        at(700, Command::Crash(NodeRef::Master)),
                        at(1_000, Command::WriteRandom { client: 0 }),
                        at(1_100, Command::ReadLastWritten { client: 0 }),
                    ]
                },
                pause_when: Some(|sim| sim.stats().writes_failed == 1 && sim.stats().reads_completed == 1),
                settle: Time::from_millis(1_500),
                speed: 0.5,
                claim: "The write failed (the master is down), but a replica answered the read: reads stay available, writes do not.",
                compare: None,
                check: |sim| {
                    ensure(sim.stats().writes_failed == 1, "the write fails")?;
                    ensure(sim.stats().reads_completed == 1, "the read is answered")
                },
            },
            Step {
                title: "Failover loses acknowledged writes",
                narration: "The replicas lose their link to the master (a partition); async, it goes on acknowledging writes. Three are acknowledged, then the master crashes and a replica is promoted.",
                watch: &["stat-lost-writes", "event-log", "link-replica-1", "link-replica-2"],
                config: || Config { lag_ms: 1_500, ..lagging(Mode::Async) },
                script: || {
                    vec![
                        at(100, Command::CutLink(NodeRef::Replica(1))),
                        at(100, Command::CutLink(NodeRef::Replica(2))),
                        at(200, Command::WriteRandom { client: 0 }),
                        at(400, Command::WriteRandom { client: 0 }),
                        at(600, Command::WriteRandom { client: 0 }),
                        at(700, Command::Crash(NodeRef::Master)),
                        at(1_200, Command::Promote(None)),
                    ]
                },
                pause_when: Some(|sim| sim.stats().lost_writes > 0),
                settle: Time::from_millis(1_500),
                speed: 0.5,
                claim: "The new master never received those three writes: they are lost, though each client was told its write was saved (Lost writes: 3, and the event log).",
                compare: None,
                check: |sim| {
                    ensure(sim.stats().writes_acked == 3, "three writes were acknowledged")?;
                    ensure(sim.stats().lost_writes == 3, "three acknowledged writes are lost")?;
                    ensure(sim.master().is_up(), "a new master serves")
                },
            },
            Step {
                title: "Automatic failover",
                narration: "Automatic failover (what Patroni or repmgr do), here after 1 s: real ones wait longer (Patroni's leader lock lives 30 s by default), and writes fail all that time. The master crashes at 0.7 s; the client writes again at 2.5 s.",
                watch: &["node-master", "event-log", "stat-writes"],
                config: || Config { lag_ms: 300, failover_ms: 1_000, ..lagging(Mode::Async) },
                script: || {
                    vec![
                        at(200, Command::WriteRandom { client: 0 }),
                        at(700, Command::Crash(NodeRef::Master)),
                        at(2_500, Command::WriteRandom { client: 0 }),
                    ]
                },
                pause_when: Some(|sim| sim.stats().writes_acked == 2),
                settle: Time::from_millis(3_000),
                speed: 1.0,
                claim: "A replica became the master by itself (see the event log), and the new write is acknowledged: writes work again.",
                compare: None,
                check: |sim| {
                    ensure(
                        sim.events().any(|event| matches!(event.kind, EventKind::Promoted { .. })),
                        "a replica was promoted",
                    )?;
                    ensure(sim.stats().writes_acked == 2, "writes work again")
                },
            },
        ],
    },
    Demo {
        name: "read-your-writes",
        title: "Getting read-your-writes back",
        section: "Asynchronous: risk of stale reads, and what proxies do about it",
        steps: &[
            Step {
                title: "Missing your own writes",
                narration: "A client writes user 101, then reads it back 0.2 s later, five times over. Async: each write reaches the replicas 0.8 s after the master.",
                watch: &["stat-ryw-violations", "request-log"],
                config: || session_config(|_| {}),
                script: write_then_read,
                pause_when: Some(|sim| sim.stats().reads_completed == 5),
                settle: Time::from_millis(5_000),
                speed: 1.0,
                claim: "All five reads missed the client's own write, just acknowledged (read-your-writes violations: 5).",
                compare: None,
                check: |sim| ensure(sim.stats().ryw_violations == 5, "five read-your-writes violations"),
            },
            Step {
                title: "A lag limit does not help",
                narration: "A proxy can shun replicas further behind than a limit: ProxySQL's max_replication_lag (MySQL), pgpool-II's delay_threshold (PostgreSQL). Here 1 s; these replicas are 0.8 s behind: within it.",
                watch: &["stat-ryw-violations"],
                config: || session_config(|c| c.max_lag_ms = 1_000),
                script: write_then_read,
                pause_when: Some(|sim| sim.stats().reads_completed == 5),
                settle: Time::from_millis(5_000),
                speed: 1.0,
                claim: "Still five violations: a lag limit keeps the furthest replicas away, not a client's own latest writes.",
                compare: None,
                check: |sim| ensure(sim.stats().ryw_violations == 5, "still five violations"),
            },
            Step {
                title: "Causal reads",
                narration: "Causal reads, as MaxScale's causal_reads (MySQL) does: each read carries the client's last write position, and the replica answers only once it has applied it (for PostgreSQL, the application can wait for the LSN itself).",
                watch: &["stat-ryw-violations", "chart-latency"],
                config: || session_config(|c| c.causal_reads = true),
                script: write_then_read,
                pause_when: Some(|sim| sim.stats().reads_completed == 5),
                settle: Time::from_millis(6_000),
                speed: 1.0,
                claim: "Every read saw the client's own write: no violation, at the cost of waiting (the latency chart).",
                compare: None,
                check: |sim| {
                    ensure(sim.stats().reads_completed == 5, "every read is answered")?;
                    ensure(sim.stats().ryw_violations == 0, "no violation")
                },
            },
            Step {
                title: "Or read from the master",
                narration: "The bluntest fix: read from the master (MongoDB's readPreference primary).",
                watch: &["stat-ryw-violations", "node-master", "request-log"],
                config: || session_config(|c| c.read_pref = ReadPref::Primary),
                script: write_then_read,
                pause_when: Some(|sim| sim.stats().reads_completed == 5),
                settle: Time::from_millis(5_000),
                speed: 1.0,
                claim: "No violation, but the master served every read (see the request log): it carries the read load again.",
                compare: None,
                check: |sim| {
                    ensure(sim.stats().ryw_violations == 0, "no violation")?;
                    ensure(sim.master().reads_served == 5, "the master served every read")
                },
            },
        ],
    },
    Demo {
        name: "comparison",
        title: "Master-Slave vs Single DB",
        section: "Bonus: Master-Slave vs. Single DB",
        steps: &[Step {
            title: "The lecture's table, measured",
            narration: "A: one database. B: a master and three replicas. Both get 1,000 requests per second (90% reads); each server serves 500. At 3 s both masters crash.",
            watch: &["compare-table"],
            config: || Config { replicas: 0, ..comparison() },
            script: || vec![at(3_000, Command::Crash(NodeRef::Master))],
            pause_when: None,
            settle: Time::from_millis(5_000),
            speed: 1.0,
            claim: "The lecture's table, filled in by the runs: the single database turned reads away while the replicas shared them; one master took every write in both; after the crash only B still answers reads.",
            compare: Some(Compare {
                key: "replicas",
                value: "3",
                check: |sim| {
                    ensure(
                        sim.metrics().buckets().take(8).all(|bucket| bucket.failed == 0),
                        "nothing fails before the crash",
                    )?;
                    ensure(
                        sim.metrics().recent_throughput() > 800.0,
                        "reads are still answered after the master crashed",
                    )
                },
            }),
            check: |sim| {
                ensure(sim.stats().reads_failed > 0, "reads are rejected (bottleneck)")?;
                ensure(sim.metrics().recent_throughput() < 1.0, "after the crash nothing is answered")
            },
        }],
    },
];

/// A replica is up and has applied everything the master committed.
fn replica_caught_up(sim: &Simulation, number: usize) -> bool {
    sim.resolve(NodeRef::Replica(number)).is_ok_and(|id| sim.node(id).is_up() && sim.lag(id).0 == 0)
}

fn comparison() -> Config {
    Config {
        clients: SITE_CLIENTS,
        capacity: 500,
        queue_limit: 100,
        client_ms: 20,
        lag_ms: 100,
        rate: 1_000,
        reads_percent: 90,
        ..Config::default()
    }
}

pub fn find(name: &str) -> Option<&'static Demo> {
    DEMOS.iter().find(|demo| demo.name == name)
}
