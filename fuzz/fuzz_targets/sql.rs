//! Any text typed into the SQL console parses to statements or to an error, and any statement
//! runs or fails, without a panic (a panic would kill the page).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| replication_playground_fuzz::run_sql(&String::from_utf8_lossy(bytes)));
