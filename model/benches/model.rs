//! The model's throughput on the standard workload (one million client requests, 8 async
//! replicas, 90% reads), natively. Prints simulated requests and events per second of wall
//! time, and the wall time itself for the wasm comparison. `cargo bench --bench model`.

use std::time::Instant;

use replication_model::benchmark::standard_workload;

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
}
