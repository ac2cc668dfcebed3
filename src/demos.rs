//! Guided lecture demos. Each step sets up a run (settings plus commands at set moments), says
//! what to watch, and carries its claim as a check that the tests run: a demo narrates only
//! what the model really does.

use crate::sim::config::{Config, Mode, Policy, ReadPref};
use crate::sim::events::EventKind;
use crate::sim::time::Time;
use crate::sim::{Command, NodeRef, NodeState, Simulation};

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
    pub narration: &'static str,
    /// `data-testid`s of what to watch; the page highlights them.
    pub watch: &'static [&'static str],
    pub config: fn() -> Config,
    /// Commands given at their moments as the step runs.
    pub script: fn() -> Vec<(Time, Command)>,
    /// How long the step runs before its claim holds.
    pub settle: Time,
    /// The claim, checked against the run after `settle`.
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

fn single_db() -> Config {
    Config {
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
    Config { replicas: 3, policy, rate: 600, reads_percent: 100, queue_limit: 1_000, client_ms: 5, ..Config::default() }
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
                at(round * 1_000 + 100, Command::Write { client: 0, key: 101, name: format!("v{round}") }),
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
                narration: "One database takes every read and write. At 200 requests per second it keeps up: its queue stays short and answers come back fast.",
                watch: &["node-master", "chart-latency"],
                config: || Config { rate: 200, ..single_db() },
                script: nothing,
                settle: Time::from_millis(4_000),
                compare: None,
                check: |sim| {
                    ensure(sim.stats().reads_failed + sim.stats().writes_failed == 0, "no request fails")?;
                    ensure(sim.metrics().recent_p99_ms() < 100.0, "p99 latency stays under 100 ms")
                },
            },
            Step {
                title: "The bottleneck",
                narration: "At 700 requests per second the database serves only 500: the queue fills, latency climbs, and requests are turned away. The entire system is slow for everyone.",
                watch: &["node-master", "chart-latency", "chart-throughput"],
                config: || Config { rate: 700, ..single_db() },
                script: nothing,
                settle: Time::from_millis(2_500),
                compare: None,
                check: |sim| {
                    ensure(sim.master().is_up(), "the database is still up")?;
                    ensure(sim.metrics().recent_p99_ms() > 100.0, "p99 latency is above 100 ms")?;
                    ensure(sim.stats().reads_failed > 0, "reads are rejected")
                },
            },
            Step {
                title: "It crashes",
                narration: "Overloaded for three seconds, the database crashes. With one server there is nothing left: one point of failure, no reads, no writes.",
                watch: &["node-master", "event-log", "stat-reads"],
                config: || Config { rate: 700, ..single_db() },
                script: nothing,
                settle: Time::from_millis(6_000),
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
                narration: "1,500 requests per second, 90% reads, and each server serves 500. One replica cannot take 1,350 reads per second: reads are turned away.",
                watch: &["chart-throughput", "stat-reads", "node-replica-1"],
                config: || Config { replicas: 1, ..scaled() },
                script: nothing,
                settle: Time::from_millis(4_000),
                compare: None,
                check: |sim| ensure(sim.metrics().recent_failures() > 0, "reads are rejected"),
            },
            Step {
                title: "Three replicas",
                narration: "Three replicas share the reads, 450 each: everything is answered, and throughput matches the load.",
                watch: &["chart-throughput", "stat-reads"],
                config: || Config { replicas: 3, ..scaled() },
                script: nothing,
                settle: Time::from_millis(4_000),
                compare: None,
                check: |sim| {
                    ensure(sim.metrics().recent_failures() == 0, "no request fails")?;
                    ensure(sim.metrics().recent_throughput() > 1_350.0, "about 1,500 requests per second are answered")
                },
            },
            Step {
                title: "Writes still go to one master",
                narration: "Now make every request a write. All writes go to the master, whatever the number of replicas: the master's 500 per second is the limit.",
                watch: &["node-master", "chart-throughput", "stat-writes"],
                config: || Config { replicas: 3, reads_percent: 0, ..scaled() },
                script: nothing,
                settle: Time::from_millis(4_000),
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
                narration: "A write goes to the master, which acknowledges it at once. The replicas get it 2 seconds later: for now they still show LSN 0.",
                watch: &["stat-writes", "node-master", "node-replica-1"],
                config: || lagging(Mode::Async),
                script: || vec![at(200, Command::WriteRandom { client: 0 })],
                settle: Time::from_millis(600),
                compare: None,
                check: |sim| {
                    ensure(sim.stats().writes_acked == 1, "the write is acknowledged")?;
                    ensure(sim.replicas().iter().all(|(_, node)| node.positions.applied == 0), "no replica has it yet")
                },
            },
            Step {
                title: "A stale read",
                narration: "Read the same user right after: the read goes to a replica that has not received the write, and returns the old row. A stale read.",
                watch: &["stat-stale-reads", "request-log"],
                config: || lagging(Mode::Async),
                script: || {
                    vec![at(200, Command::WriteRandom { client: 0 }), at(600, Command::ReadLastWritten { client: 0 })]
                },
                settle: Time::from_millis(1_000),
                compare: None,
                check: |sim| ensure(sim.stats().stale_reads == 1, "the read is stale"),
            },
            Step {
                title: "After the lag",
                narration: "Wait for the replication delay and read again: the replicas have the write now, and the read is fresh. Async replicas catch up eventually.",
                watch: &["stat-stale-reads", "node-replica-1", "node-replica-2"],
                config: || lagging(Mode::Async),
                script: || {
                    vec![at(200, Command::WriteRandom { client: 0 }), at(2_600, Command::ReadLastWritten { client: 0 })]
                },
                settle: Time::from_millis(3_000),
                compare: None,
                check: |sim| {
                    ensure(sim.stats().reads_completed == 1, "the read is answered")?;
                    ensure(sim.stats().stale_reads == 0, "the read is fresh")
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
                narration: "In sync mode the master acknowledges a write only after every replica has applied it: the write takes the whole replication delay, and no read is ever stale.",
                watch: &["stat-writes", "stat-stale-reads", "chart-latency"],
                config: || Config { lag_ms: 1_000, ..lagging(Mode::Sync) },
                script: || {
                    vec![
                        at(200, Command::WriteRandom { client: 0 }),
                        at(400, Command::ReadLastWritten { client: 0 }),
                        at(900, Command::ReadLastWritten { client: 0 }),
                        at(1_600, Command::ReadLastWritten { client: 0 }),
                    ]
                },
                settle: Time::from_millis(3_000),
                compare: None,
                check: |sim| {
                    ensure(sim.stats().writes_acked == 1, "the write is acknowledged")?;
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
                narration: "Crash a replica. The master waits for every replica, so the write is never acknowledged: availability is the price of synchronous replication.",
                watch: &["node-replica-2", "stat-writes"],
                config: || Config { lag_ms: 1_000, ..lagging(Mode::Sync) },
                script: || {
                    vec![at(100, Command::Crash(NodeRef::Replica(2))), at(200, Command::WriteRandom { client: 0 })]
                },
                settle: Time::from_millis(5_000),
                compare: None,
                check: |sim| ensure(sim.stats().writes_acked == 0, "the write is still waiting"),
            },
            Step {
                title: "Semi-sync falls back",
                narration: "MySQL's semi-synchronous replication waits only so long (here 1.5 s), then falls back to async and acknowledges. Writes go on; the guarantee is gone until the replica catches up.",
                watch: &["event-log", "stat-writes"],
                config: || Config { lag_ms: 1_000, semi_sync_timeout_ms: 1_500, ..lagging(Mode::Sync) },
                script: || {
                    vec![at(100, Command::Crash(NodeRef::Replica(2))), at(200, Command::WriteRandom { client: 0 })]
                },
                settle: Time::from_millis(3_000),
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
                narration: "Replica 1 serves only 60 requests per second. Round-robin still sends it a third of 600 reads per second: its queue and the latency grow.",
                watch: &["node-replica-1", "chart-latency"],
                config: || balanced(Policy::RoundRobin),
                script: || vec![at(0, Command::SetCapacity(NodeRef::Replica(1), 60))],
                settle: Time::from_millis(4_000),
                compare: None,
                check: |sim| {
                    ensure(replica_ops(sim, 1) > 100, "replica 1's queue grows")?;
                    ensure(sim.metrics().recent_p99_ms() > 500.0, "p99 latency is above 500 ms")
                },
            },
            Step {
                title: "Least current operations avoids it",
                narration: "MaxScale's LEAST_CURRENT_OPERATIONS sends each read to the replica with the fewest in progress: the slow one gets only what it can take, and latency stays low.",
                watch: &["node-replica-1", "chart-latency"],
                config: || balanced(Policy::LeastOps),
                script: || vec![at(0, Command::SetCapacity(NodeRef::Replica(1), 60))],
                settle: Time::from_millis(4_000),
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
                narration: "Replica 2 crashes under traffic. The requests it held fail, and from then on reads go to the other replicas: users barely notice.",
                watch: &["node-replica-2", "stat-reads", "chart-throughput"],
                config: || Config { replicas: 3, rate: 200, lag_ms: 100, ..Config::default() },
                script: || vec![at(1_000, Command::Crash(NodeRef::Replica(2)))],
                settle: Time::from_millis(4_000),
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
                narration: "Restart it: it applies what it had on disk, the master streams it the rest of the log, and it serves reads again.",
                watch: &["node-replica-2"],
                config: || Config { replicas: 3, rate: 200, lag_ms: 100, ..Config::default() },
                script: || {
                    vec![
                        at(1_000, Command::Crash(NodeRef::Replica(2))),
                        at(3_000, Command::Restart(NodeRef::Replica(2))),
                    ]
                },
                settle: Time::from_millis(6_000),
                compare: None,
                check: |sim| {
                    let replica = sim.resolve(NodeRef::Replica(2)).expect("replica-2");
                    ensure(sim.node(replica).is_up(), "replica 2 is up")?;
                    ensure(sim.lag(replica).0 < 5, "it has caught up with the master")
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
                narration: "The master crashes. Writes have nowhere to go and fail; reads are still served by the replicas.",
                watch: &["node-master", "stat-writes", "stat-reads"],
                config: || Config { lag_ms: 1_500, ..lagging(Mode::Async) },
                script: || {
                    vec![
                        at(700, Command::Crash(NodeRef::Master)),
                        at(1_000, Command::WriteRandom { client: 0 }),
                        at(1_100, Command::ReadLastWritten { client: 0 }),
                    ]
                },
                settle: Time::from_millis(1_500),
                compare: None,
                check: |sim| {
                    ensure(sim.stats().writes_failed == 1, "the write fails")?;
                    ensure(sim.stats().reads_completed == 1, "the read is answered")
                },
            },
            Step {
                title: "Failover loses acknowledged writes",
                narration: "Three writes were acknowledged (async) but not yet shipped when the master crashed. Promote a replica: it never had them. They are lost.",
                watch: &["stat-lost-writes", "event-log"],
                config: || Config { lag_ms: 1_500, ..lagging(Mode::Async) },
                script: || {
                    vec![
                        at(200, Command::WriteRandom { client: 0 }),
                        at(400, Command::WriteRandom { client: 0 }),
                        at(600, Command::WriteRandom { client: 0 }),
                        at(700, Command::Crash(NodeRef::Master)),
                        at(1_200, Command::Promote(None)),
                    ]
                },
                settle: Time::from_millis(1_500),
                compare: None,
                check: |sim| {
                    ensure(sim.stats().lost_writes == 3, "three acknowledged writes are lost")?;
                    ensure(sim.master().is_up(), "a new master serves")
                },
            },
            Step {
                title: "Automatic failover",
                narration: "With automatic failover (here after 1 s, as Patroni or MHA would), the most up-to-date replica takes over by itself and writes work again.",
                watch: &["node-master", "event-log"],
                config: || Config { lag_ms: 300, failover_ms: 1_000, ..lagging(Mode::Async) },
                script: || {
                    vec![
                        at(200, Command::WriteRandom { client: 0 }),
                        at(700, Command::Crash(NodeRef::Master)),
                        at(2_500, Command::WriteRandom { client: 0 }),
                    ]
                },
                settle: Time::from_millis(3_000),
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
                narration: "A client writes, then reads back what it wrote. With async replicas 800 ms behind, it misses its own write every time.",
                watch: &["stat-ryw-violations", "request-log"],
                config: || session_config(|_| {}),
                script: write_then_read,
                settle: Time::from_millis(5_000),
                compare: None,
                check: |sim| ensure(sim.stats().ryw_violations == 5, "five read-your-writes violations"),
            },
            Step {
                title: "A lag limit does not help",
                narration: "ProxySQL's max_replication_lag (here 1 s) shuns replicas that are far behind. 800 ms is within the limit: the client still misses its writes.",
                watch: &["stat-ryw-violations"],
                config: || session_config(|c| c.max_lag_ms = 1_000),
                script: write_then_read,
                settle: Time::from_millis(5_000),
                compare: None,
                check: |sim| ensure(sim.stats().ryw_violations == 5, "still five violations"),
            },
            Step {
                title: "Causal reads",
                narration: "MaxScale's causal_reads: each read carries the client's last write position, and the replica answers only once it has applied it. No violation, at the cost of waiting.",
                watch: &["stat-ryw-violations", "chart-latency"],
                config: || session_config(|c| c.causal_reads = true),
                script: write_then_read,
                settle: Time::from_millis(6_000),
                compare: None,
                check: |sim| {
                    ensure(sim.stats().reads_completed == 5, "every read is answered")?;
                    ensure(sim.stats().ryw_violations == 0, "no violation")
                },
            },
            Step {
                title: "Or read from the master",
                narration: "The bluntest fix: read from the master (MongoDB readPreference primary). Always fresh, but the master takes every read again.",
                watch: &["stat-ryw-violations", "node-master"],
                config: || session_config(|c| c.read_pref = ReadPref::Primary),
                script: write_then_read,
                settle: Time::from_millis(5_000),
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
            narration: "Left, a single database; right, a master with three replicas; the same seed and the same 1,000 requests per second (90% reads) on both, each server serving 500 per second. At 3 s both masters crash. The table below fills in the lecture's comparison from what happens: read load is bottlenecked on the single DB and spread over the slaves; writes are handled by the master in both; and when the master fails, only master-slave keeps answering reads.",
            watch: &["compare-table"],
            config: || Config { replicas: 0, ..comparison() },
            script: || vec![at(3_000, Command::Crash(NodeRef::Master))],
            settle: Time::from_millis(5_000),
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

fn comparison() -> Config {
    Config {
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
