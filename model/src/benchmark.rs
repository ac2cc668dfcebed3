//! The standard workload the benchmarks time, natively and in wasm alike: client requests
//! against a master and 8 async replicas, 90% reads, at 5,000 requests per second.

use crate::config::{Config, Mode};
use crate::rng::SimRng;
use crate::time::Time;
use crate::{Command, Simulation};

const RATE: u64 = 5_000;

/// Runs `requests` client requests and returns the finished run.
pub fn standard_workload(requests: u64) -> Simulation {
    let config = Config { replicas: 8, mode: Mode::Async, lag_ms: 50, clients: 16, seed: 1, ..Config::default() };
    let mut sim = Simulation::new(config).expect("valid config");
    let mut workload = SimRng::new(42);
    let gap = Time(1_000_000 / RATE);
    for _ in 0..requests {
        let client = workload.below(16) as usize;
        let command =
            if workload.below(10) < 9 { Command::ReadLastWritten { client } } else { Command::WriteRandom { client } };
        sim.apply(command).expect("requests are accepted");
        let next = sim.now() + gap;
        sim.run_until(next);
    }
    sim.run_to_quiescence();
    sim
}
