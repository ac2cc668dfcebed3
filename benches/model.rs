//! The model's throughput on the standard workload (one million client requests, 8 async
//! replicas, 90% reads), natively. Prints simulated requests and events per second of wall
//! time, and the wall time itself for the wasm comparison. `cargo bench --bench model`.

use std::time::Instant;

use replication_playground::sim::benchmark::standard_workload;

const REQUESTS: u64 = 1_000_000;

fn main() {
    let started = Instant::now();
    let sim = standard_workload(REQUESTS);
    let seconds = started.elapsed().as_secs_f64();
    let stats = sim.stats();
    assert_eq!(stats.reads_completed + stats.writes_acked, REQUESTS, "every request completes: {stats:?}");
    println!("native: {REQUESTS} requests in {seconds:.3} s of wall time, {} simulated", sim.now());
    println!("native requests/s: {:.0}", REQUESTS as f64 / seconds);
    println!("native events/s: {:.0} ({} events)", sim.events_processed() as f64 / seconds, sim.events_processed());
}
