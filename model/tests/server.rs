//! One server's limits, the lecture's comparison table: replicas scale reads, not writes; an
//! overloaded database turns requests away and then crashes; the measurements' window.

mod common;

use common::{advance, base, read, returned_name, sim, with, write};
use replication_model::config::{Config, Mode};
use replication_model::events::EventKind;
use replication_model::time::Time;
use replication_model::{Command, NodeRef, NodeState, Simulation};

/// Completed reads and writes per second under a load far above one node's capacity.
fn saturated_throughput(replicas: usize, reads: bool) -> f64 {
    let mut sim = with(Config { replicas, lag_ms: 10, capacity: 1_000, queue_limit: 50, ..base() });
    let seconds = 5;
    for _ in 0..seconds * 8_000 {
        let command = if reads { Command::Read { client: 0, key: 101 } } else { Command::WriteRandom { client: 0 } };
        sim.apply(command).unwrap();
        advance_us(&mut sim, 125);
    }
    let done = if reads { sim.stats().reads_completed } else { sim.stats().writes_acked };
    done as f64 / seconds as f64
}

fn advance_us(sim: &mut Simulation, us: u64) {
    let until = sim.now() + Time(us);
    sim.run_until(until);
}

#[test]
fn read_throughput_grows_with_replicas_and_write_throughput_does_not() {
    let reads: Vec<f64> = [0, 1, 2, 4].iter().map(|&n| saturated_throughput(n, true)).collect();
    assert!((900.0..1_100.0).contains(&reads[0]), "one database: about its capacity, {reads:?}");
    assert!((1_800.0..2_200.0).contains(&reads[2]), "two replicas: twice that, {reads:?}");
    assert!((3_600.0..4_400.0).contains(&reads[3]), "four replicas: four times, {reads:?}");
    let writes: Vec<f64> = [0, 2, 4].iter().map(|&n| saturated_throughput(n, false)).collect();
    for w in &writes {
        assert!((900.0..1_100.0).contains(w), "writes stay at the master's capacity: {writes:?}");
    }
}

#[test]
fn a_single_database_serves_reads_itself_and_never_stale() {
    let mut sim = sim(0, Mode::Async, 1_000);
    write(&mut sim, 101, "Ada");
    advance(&mut sim, 5);
    let record = read(&mut sim, 101);
    assert_eq!(record.served_by, Some(NodeRef::Master));
    assert!(!record.is_stale());
    assert_eq!(returned_name(&record).as_deref(), Some("Ada"));
}

#[test]
fn an_overloaded_database_rejects_then_crashes_and_replicas_prevent_it() {
    let overload = |replicas| {
        let mut sim = with(Config { replicas, capacity: 1_000, queue_limit: 100, crash_after_ms: 1_000, ..base() });
        for _ in 0..3 * 2_500 {
            sim.apply(Command::Read { client: 0, key: 101 }).unwrap();
            advance_us(&mut sim, 400);
        }
        sim
    };
    let single = overload(0);
    assert!(single.stats().reads_failed > 0, "a full queue rejects reads");
    assert_eq!(single.state(single.master_id()), NodeState::Down, "sustained overload crashed it");
    assert!(
        single.events().any(|event| matches!(&event.kind, EventKind::Crashed { node, .. } if node == "pg-1 (master)"))
    );

    let scaled = overload(3);
    assert_eq!(scaled.stats().reads_failed, 0, "three replicas share 2,500 reads/s without a queue filling");
    assert!(scaled.replica_ids().iter().all(|&id| scaled.state(id) != NodeState::Down));
}

/// Each refusal names the machine that refused and the length its full queue had then, as the
/// settings change it: the words are written once per machine and length, not once per request.
#[test]
fn an_overloaded_machine_says_who_it_is_and_how_long_its_queue_is() {
    let mut sim = with(Config { replicas: 1, capacity: 1_000, queue_limit: 100, ..base() });
    let mut reasons = std::collections::BTreeSet::new();
    // Half a second of reads and writes at four times the machines' capacity.
    let flood = |sim: &mut Simulation, reasons: &mut std::collections::BTreeSet<String>| {
        for _ in 0..2_000 {
            sim.apply(Command::Read { client: 0, key: 101 }).unwrap();
            sim.apply(Command::WriteRandom { client: 1 }).unwrap();
            advance_us(sim, 250);
            let failures = sim.recent().rev().take(8).filter_map(|record| record.failure().map(str::to_string));
            reasons.extend(failures);
        }
    };
    flood(&mut sim, &mut reasons);
    common::reconfigure(&mut sim, |config| config.queue_limit = 40);
    flood(&mut sim, &mut reasons);
    let said = |role: &str, length: u64| format!("{role} is overloaded: its queue of {length} is full");
    for role in ["master", "replica-1"] {
        assert!(reasons.contains(&said(role, 100)) && reasons.contains(&said(role, 40)), "{role}: {reasons:?}");
    }
    let possible: Vec<String> =
        ["master", "replica-1"].iter().flat_map(|role| (40..=100).map(|length| said(role, length))).collect();
    assert!(reasons.iter().all(|reason| possible.contains(reason)), "{reasons:?}");
}

#[test]
fn metrics_keep_a_bounded_window_of_throughput_and_lag() {
    let mut sim = with(Config { replicas: 2, lag_ms: 200, ..base() });
    for _ in 0..200 {
        sim.apply(Command::WriteRandom { client: 0 }).unwrap();
        sim.apply(Command::ReadLastWritten { client: 0 }).unwrap();
        advance(&mut sim, 10);
    }
    let buckets: Vec<_> = sim.metrics().buckets().collect();
    assert_eq!(buckets.len(), 8, "2 s in 250 ms buckets");
    let middle = buckets[4];
    assert!((150.0..=250.0).contains(&middle.throughput()), "about 200 requests/s: {}", middle.throughput());
    assert!(middle.stale_rate() > 0.9, "reads right after writes under async are stale");
    assert!(middle.nodes.iter().any(|node| node.lag_lsn > 0));
    let latency = middle.latency.expect("requests completed in it");
    assert!(latency.p99 >= latency.p50 && latency.p50 > replication_model::time::Time::ZERO);
    advance(&mut sim, 600_000);
    assert_eq!(sim.metrics().buckets().count(), replication_model::metrics::WINDOW);
}
