//! The traffic generator: its rate, its share of reads over the hot users, replayed from the seed.

mod common;

use common::{advance, base, reconfigure, with};
use replication_model::config::Config;
use replication_model::data::{self, Value};

#[test]
fn the_generator_sends_its_rate_with_its_share_of_reads_over_the_hot_users() {
    let mut sim = with(Config { replicas: 3, rate: 1_000, reads_percent: 90, hot_keys: 20, clients: 4, ..base() });
    advance(&mut sim, 10_000);
    let stats = *sim.stats();
    let total = stats.reads_issued + stats.writes_issued;
    assert!((9_500..10_500).contains(&total), "about 1,000/s for 10 s: {total}");
    let reads = stats.reads_issued as f64 / total as f64;
    assert!((0.88..0.92).contains(&reads), "about 90% reads: {reads}");
    assert!(sim.committed().table(data::USERS).unwrap().rows.len() > 5, "writes spread over 20 users created new ones");
    assert!(
        sim.committed()
            .table(data::USERS)
            .unwrap()
            .rows
            .keys()
            .all(|key| (Value::Int(102)..Value::Int(122)).contains(key))
    );

    reconfigure(&mut sim, |c| c.rate = 0);
    let before = sim.stats().reads_issued + sim.stats().writes_issued;
    advance(&mut sim, 1_000);
    assert_eq!(sim.stats().reads_issued + sim.stats().writes_issued, before, "rate 0 stops it");
}

#[test]
fn generated_traffic_replays_exactly_from_the_seed() {
    let run = |seed| {
        let mut sim = with(Config { replicas: 2, rate: 500, jitter_ms: 30, seed, ..base() });
        advance(&mut sim, 3_000);
        sim.fingerprint()
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}
