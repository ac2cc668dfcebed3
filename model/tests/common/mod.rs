//! Shared by the native and the browser tests: helpers, and one scripted run whose fingerprint
//! must be the same on every platform.
#![allow(dead_code)] // each test crate uses its own share of these

use replication_model::config::{Config, Mode};
use replication_model::data::{self, Database};
use replication_model::request::{Outcome, RequestRecord};
use replication_model::time::Time;
use replication_model::{Command, NodeRef, Simulation};

/// The fingerprint `scripted_run(7)` gives, natively and in wasm alike.
pub const SCRIPTED_RUN_FINGERPRINT: u64 = 8_419_035_886_965_512_132;

/// Changes some settings of a running simulation.
pub fn reconfigure(sim: &mut Simulation, change: impl FnOnce(&mut Config)) {
    let mut config = sim.config().clone();
    change(&mut config);
    sim.apply(Command::Configure(config.into())).expect("valid settings");
}

pub fn advance(sim: &mut Simulation, ms: u64) {
    let until = sim.now() + Time::from_millis(ms);
    sim.run_until(until);
}

/// The defaults, with clients 1 ms from every node so that latencies are easy to add up.
pub fn base() -> Config {
    Config { client_ms: 1, ..Config::default() }
}

pub fn sim(replicas: usize, mode: Mode, lag_ms: u64) -> Simulation {
    Simulation::new(Config { replicas, mode, lag_ms, ..base() }).expect("valid config")
}

pub fn with(config: Config) -> Simulation {
    Simulation::new(config).expect("valid config")
}

pub fn write(sim: &mut Simulation, key: u64, name: &str) {
    sim.apply(Command::Write { client: 0, key, name: name.to_string() }).expect("writes are accepted");
}

/// Sends a request and returns its id.
pub fn send(sim: &mut Simulation, command: Command) -> u64 {
    sim.apply(command).expect("requests are accepted");
    sim.in_flight()
        .last()
        .map(|record| record.id)
        .or_else(|| sim.recent().last().map(|record| record.id))
        .expect("a request")
}

pub fn finished(sim: &Simulation, id: u64) -> RequestRecord {
    sim.recent().find(|record| record.id == id).expect("the request finished").clone()
}

/// Reads `key` as client 0, runs until the answer is back, and returns its record.
pub fn read(sim: &mut Simulation, key: u64) -> RequestRecord {
    read_as(sim, 0, key)
}

pub fn read_as(sim: &mut Simulation, client: usize, key: u64) -> RequestRecord {
    let id = send(sim, Command::Read { client, key });
    while sim.in_flight().any(|record| record.id == id) {
        assert!(sim.step(), "the read can never finish");
    }
    finished(sim, id)
}

pub fn name(db: &Database, key: u64) -> String {
    db.user(key).map(|row| data::user_name(row).to_string()).unwrap_or_default()
}

pub fn returned_name(record: &RequestRecord) -> Option<String> {
    match &record.outcome {
        Some(Outcome::Read { row, .. }) => row.as_ref().map(|row| data::user_name(row).to_string()),
        other => panic!("not a finished read: {other:?}"),
    }
}

pub fn replica_applied(sim: &Simulation, number: usize) -> u64 {
    let id = sim.resolve(NodeRef::Replica(number)).unwrap();
    sim.node(id).positions().applied
}

pub fn reads_served(sim: &Simulation) -> Vec<u64> {
    sim.replicas().iter().map(|(_, node)| node.reads_served()).collect()
}

/// Random writes and reads from two clients and the traffic generator under several modes,
/// with jitter, the replica count and the lag changed midway, a crash, a restart and a
/// failover.
pub fn scripted_run(seed: u64) -> Simulation {
    let config = Config {
        replicas: 3,
        mode: Mode::Async,
        lag_ms: 300,
        jitter_ms: 20,
        clients: 2,
        rate: 40,
        seed,
        ..Config::default()
    };
    let mut sim = Simulation::new(config).expect("valid config");
    for step in 0..60_u64 {
        let client = (step % 2) as usize;
        let command = match step % 5 {
            0 | 3 => Command::WriteRandom { client },
            _ => Command::ReadLastWritten { client },
        };
        sim.apply(command).expect("requests are always accepted");
        match step {
            10 => reconfigure(&mut sim, |c| c.mode = Mode::Sync),
            15 => sim
                .apply(Command::Sql {
                    client: 0,
                    text: "INSERT INTO users VALUES (200, 'Zoe'); SELECT * FROM users WHERE id >= 103 ORDER BY id DESC"
                        .into(),
                })
                .expect("client 0 exists"),
            20 => reconfigure(&mut sim, |c| c.replicas = 5),
            25 => reconfigure(&mut sim, |c| c.lag_ms = 50),
            30 => reconfigure(&mut sim, |c| c.mode = Mode::Async),
            35 => sim.apply(Command::Crash(replication_model::NodeRef::Master)).expect("master is up"),
            40 => sim.apply(Command::Promote(None)).expect("a replica is up"),
            45 => sim.apply(Command::Restart(replication_model::NodeRef::Replica(1))).unwrap_or(()),
            _ => {}
        }
        advance(&mut sim, 37 * (step % 7));
    }
    reconfigure(&mut sim, |c| c.rate = 0);
    sim.run_to_quiescence();
    sim
}
