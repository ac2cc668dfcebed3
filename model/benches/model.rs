//! The model's throughput on the standard workload (one million client requests, 8 async
//! replicas, 90% reads), natively. Prints simulated requests and events per second of wall
//! time, and the wall time itself for the wasm comparison; then the time the heaviest link the
//! page opens takes natively, for the page's replay of it (e2e/bench-page.js).
//! `cargo bench --bench model`.

use std::time::Instant;

use replication_model::Simulation;
use replication_model::benchmark::standard_workload;
use replication_model::config::{Config, MAX_RATE, MAX_REPLICAS, Mode};
use replication_model::time::Time;

const REQUESTS: u64 = 1_000_000;

/// Runs of the workload; the fastest is reported, as the one least disturbed by the machine.
const RUNS: usize = 3;

fn main() {
    let mut seconds = f64::INFINITY;
    let mut sim = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        let run = standard_workload(REQUESTS);
        seconds = seconds.min(started.elapsed().as_secs_f64());
        sim = Some(run);
    }
    let sim = sim.expect("at least one run");
    let stats = sim.stats();
    assert_eq!(stats.reads_completed + stats.writes_acked, REQUESTS, "every request completes: {stats:?}");
    println!("native: {REQUESTS} requests in {seconds:.3} s of wall time (fastest of {RUNS}), {} simulated", sim.now());
    println!("native requests/s: {:.0}", REQUESTS as f64 / seconds);
    println!("native events/s: {:.0} ({} events)", sim.events_processed() as f64 / seconds, sim.events_processed());

    // The heaviest link allowed: half an hour (the furthest a link opens at) at the highest
    // rate over the most replicas; the page benchmark opens the same link. One run: it takes
    // about half a minute, long enough that the machine's noise averages out.
    let heaviest = Config {
        replicas: MAX_REPLICAS,
        mode: Mode::Async,
        lag_ms: 1_000,
        seed: 1,
        rate: MAX_RATE,
        ..Config::default()
    };
    let started = Instant::now();
    let mut sim = Simulation::new(heaviest).expect("valid settings");
    sim.run_until(Time::from_millis(30 * 60 * 1_000));
    let (seconds, events) = (started.elapsed().as_secs_f64(), sim.events_processed());
    println!("native heaviest link: 30 simulated minutes in {seconds:.3} s ({events} events)");
}
