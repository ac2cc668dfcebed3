//! Shared by the native and the browser tests: one scripted run whose fingerprint must be the
//! same on every platform.

use replication_playground::sim::config::{Config, Mode};
use replication_playground::sim::time::Time;
use replication_playground::sim::{Command, Simulation};

/// The fingerprint `scripted_run` gives, natively and in wasm alike.
pub const SCRIPTED_RUN_FINGERPRINT: u64 = 1_536_153_878_621_394_654;

/// Random writes and reads in both modes, with the replica count and the lag changed midway.
pub fn scripted_run(seed: u64) -> Simulation {
    let mut sim = Simulation::new(Config {
        replicas: 3,
        mode: Mode::Async,
        lag_ms: 300,
        seed,
    })
    .expect("valid config");
    for step in 0..40_u64 {
        let command = match step % 5 {
            0 | 3 => Command::WriteRandom,
            _ => Command::ReadLastWritten,
        };
        sim.apply(command).expect("requests are always accepted");
        match step {
            10 => sim.apply(Command::SetMode(Mode::Sync)).expect("valid mode"),
            20 => sim.apply(Command::SetReplicas(5)).expect("valid count"),
            25 => sim.apply(Command::SetLag(50)).expect("valid lag"),
            30 => sim
                .apply(Command::SetMode(Mode::Async))
                .expect("valid mode"),
            _ => {}
        }
        let later = sim.now() + Time::from_millis(37 * (step % 7));
        sim.run_until(later);
    }
    sim.run_to_quiescence();
    sim
}
