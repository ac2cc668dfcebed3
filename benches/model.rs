//! The model's throughput on the standard workload: one million client requests against a
//! master and 8 async replicas, 90% reads, at 5,000 requests per second of simulated time.
//! Prints simulated requests and events per second of wall time. Run with
//! `cargo bench --bench model`.

use std::time::Instant;

use replication_playground::sim::config::{Config, Mode};
use replication_playground::sim::rng::SimRng;
use replication_playground::sim::time::Time;
use replication_playground::sim::{Command, Simulation};

const REQUESTS: u64 = 1_000_000;
const RATE: u64 = 5_000;

fn main() {
    let config = Config { replicas: 8, mode: Mode::Async, lag_ms: 50, clients: 16, seed: 1, ..Config::default() };
    let mut sim = Simulation::new(config).expect("valid config");
    let mut workload = SimRng::new(42);
    let gap = Time(1_000_000 / RATE);
    let started = Instant::now();
    for _ in 0..REQUESTS {
        let client = workload.below(16) as usize;
        let command =
            if workload.below(10) < 9 { Command::ReadLastWritten { client } } else { Command::WriteRandom { client } };
        sim.apply(command).expect("requests are accepted");
        let next = sim.now() + gap;
        sim.run_until(next);
    }
    sim.run_to_quiescence();
    let seconds = started.elapsed().as_secs_f64();
    let stats = sim.stats();
    assert_eq!(stats.reads_completed + stats.writes_acked, REQUESTS, "every request completes: {stats:?}");
    println!(
        "workload: {REQUESTS} requests, 8 replicas, async, 90% reads, {RATE}/s for {} of simulated time",
        sim.now()
    );
    println!("wall time: {seconds:.2} s");
    println!("simulated requests/s: {:.0}", REQUESTS as f64 / seconds);
    println!("events/s: {:.0} ({} events)", sim.events_processed() as f64 / seconds, sim.events_processed());
}
