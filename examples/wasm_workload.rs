//! The standard workload as a wasm module for Node, so the benchmark can time the model
//! compiled to wasm against the native run (scripts/bench builds and runs it).

use wasm_bindgen::prelude::wasm_bindgen;

use replication_playground::sim::benchmark::standard_workload;

/// Runs the workload and returns how many events the model processed.
#[wasm_bindgen]
pub fn run_standard_workload(requests: u32) -> f64 {
    standard_workload(u64::from(requests)).events_processed() as f64
}
