//! Shared by the native and the browser tests: helpers, and one scripted run whose fingerprint
//! must be the same on every platform.
#![allow(dead_code)] // each test crate uses its own share of these

use replication_playground::sim::config::{Config, Mode};
use replication_playground::sim::time::Time;
use replication_playground::sim::{Command, Simulation};

/// The fingerprint `scripted_run(7)` gives, natively and in wasm alike.
pub const SCRIPTED_RUN_FINGERPRINT: u64 = 9_451_556_720_868_453_770;

/// Changes some settings of a running simulation.
pub fn reconfigure(sim: &mut Simulation, change: impl FnOnce(&mut Config)) {
    let mut config = sim.config().clone();
    change(&mut config);
    sim.apply(Command::Configure(config)).expect("valid settings");
}

pub fn advance(sim: &mut Simulation, ms: u64) {
    let until = sim.now() + Time::from_millis(ms);
    sim.run_until(until);
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
            35 => sim.apply(Command::Crash(replication_playground::sim::NodeRef::Master)).expect("master is up"),
            40 => sim.apply(Command::Promote(None)).expect("a replica is up"),
            45 => sim.apply(Command::Restart(replication_playground::sim::NodeRef::Replica(1))).unwrap_or(()),
            _ => {}
        }
        advance(&mut sim, 37 * (step % 7));
    }
    reconfigure(&mut sim, |c| c.rate = 0);
    sim.run_to_quiescence();
    sim
}
