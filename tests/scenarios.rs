//! Fixed-seed scenarios: each asserts one thing the lecture claims, as the model makes it happen.

use replication_playground::sim::config::{Config, Mode};
use replication_playground::sim::network::NodeId;
use replication_playground::sim::request::{Outcome, RequestRecord};
use replication_playground::sim::time::Time;
use replication_playground::sim::{Command, Simulation};

fn sim(replicas: usize, mode: Mode, lag_ms: u64) -> Simulation {
    Simulation::new(Config {
        replicas,
        mode,
        lag_ms,
        seed: 1,
    })
    .expect("valid config")
}

fn advance(sim: &mut Simulation, ms: u64) {
    let until = sim.now() + Time::from_millis(ms);
    sim.run_until(until);
}

fn write(sim: &mut Simulation, key: u64, name: &str) {
    sim.apply(Command::Write {
        key,
        name: name.to_string(),
    })
    .expect("writes are accepted");
}

/// Reads `key`, lets the answer come back, and returns its record.
fn read(sim: &mut Simulation, key: u64) -> RequestRecord {
    sim.apply(Command::Read { key })
        .expect("reads are accepted");
    let id = sim.in_flight().last().expect("the read is in flight").id;
    advance(sim, 5);
    sim.recent()
        .find(|record| record.id == id)
        .expect("the read finished within 5 ms")
        .clone()
}

fn returned_name(record: &RequestRecord) -> Option<String> {
    match &record.outcome {
        Some(Outcome::Read { row, .. }) => row.as_ref().map(|row| row.name.clone()),
        other => panic!("not a finished read: {other:?}"),
    }
}

#[test]
fn async_read_before_the_lag_is_stale_and_after_it_is_not() {
    let mut sim = sim(2, Mode::Async, 1_000);
    write(&mut sim, 101, "Ada");
    advance(&mut sim, 10);
    assert_eq!(
        sim.stats().writes_acked,
        1,
        "async acknowledges without waiting for replicas"
    );

    let early = read(&mut sim, 101);
    assert!(
        early.is_stale(),
        "a replica still has the old row: {early:?}"
    );
    assert_eq!(early.versions_behind(), 1);
    assert_eq!(returned_name(&early).as_deref(), Some("Alice"));

    advance(&mut sim, 1_000);
    for _ in 0..2 {
        let late = read(&mut sim, 101);
        assert!(
            !late.is_stale(),
            "after the lag every replica has the write: {late:?}"
        );
        assert_eq!(returned_name(&late).as_deref(), Some("Ada"));
    }
    assert_eq!(sim.stats().stale_reads, 1);
    assert_eq!(sim.stats().reads_completed, 3);
}

#[test]
fn sync_write_is_never_read_stale() {
    let mut sim = sim(3, Mode::Sync, 500);
    write(&mut sim, 101, "Ada");
    // Read from every replica in turn, before, during and after the replication delay.
    for _ in 0..60 {
        let record = read(&mut sim, 101);
        assert!(
            !record.is_stale(),
            "stale under sync at {}: {record:?}",
            sim.now()
        );
        advance(&mut sim, 20);
    }
    assert_eq!(sim.stats().stale_reads, 0);
    assert_eq!(sim.stats().writes_acked, 1);
    assert!(
        sim.replicas()
            .iter()
            .all(|replica| replica.table()[&101].name == "Ada")
    );
}

#[test]
fn sync_waits_for_the_replicas_and_async_does_not() {
    let lag_ms = 400;
    let latency = |mode| {
        let mut sim = sim(2, mode, lag_ms);
        write(&mut sim, 102, "Grace");
        sim.run_to_quiescence();
        sim.recent()
            .next()
            .and_then(RequestRecord::latency)
            .expect("the write was acknowledged")
    };
    // Client -> master, then the reply: two hops of 1 ms.
    assert_eq!(latency(Mode::Async), Time::from_millis(2));
    // Plus the replication delay and the replica's acknowledgement back to the master.
    assert_eq!(latency(Mode::Sync), Time::from_millis(lag_ms + 3));
}

#[test]
fn sync_master_shows_a_write_only_once_replicas_have_it() {
    let mut sim = sim(1, Mode::Sync, 300);
    write(&mut sim, 103, "Linus");
    advance(&mut sim, 100);
    assert_eq!(sim.master().last_lsn(), 1, "the write is logged");
    assert_eq!(sim.master().committed_lsn(), 0, "but not yet committed");
    assert_eq!(sim.master().table()[&103].name, "Carol");
    advance(&mut sim, 300);
    assert_eq!(sim.master().committed_lsn(), 1);
    assert_eq!(sim.master().table()[&103].name, "Linus");
}

#[test]
fn round_robin_spreads_reads_evenly_over_replicas() {
    let mut sim = sim(3, Mode::Async, 100);
    for _ in 0..30 {
        sim.apply(Command::Read { key: 101 }).unwrap();
    }
    sim.run_to_quiescence();
    let served: Vec<u64> = sim
        .replicas()
        .iter()
        .map(|replica| replica.reads_served())
        .collect();
    assert_eq!(served, vec![10, 10, 10]);
    assert_eq!(
        sim.master().reads_served(),
        0,
        "with replicas, reads are served only from them"
    );
}

#[test]
fn a_single_database_serves_reads_itself_and_never_stale() {
    let mut sim = sim(0, Mode::Async, 1_000);
    write(&mut sim, 101, "Ada");
    advance(&mut sim, 2);
    let record = read(&mut sim, 101);
    assert_eq!(record.node, Some(NodeId::Master));
    assert!(!record.is_stale());
    assert_eq!(returned_name(&record).as_deref(), Some("Ada"));
}

#[test]
fn every_write_gets_the_next_lsn_and_reaches_every_replica() {
    let mut sim = sim(2, Mode::Async, 200);
    for step in 0..5 {
        sim.apply(Command::WriteRandom).unwrap();
        advance(&mut sim, 50 * step);
    }
    assert_eq!(sim.master().last_lsn(), 5);
    sim.run_to_quiescence();
    for replica in sim.replicas() {
        assert_eq!(replica.applied_lsn(), 5);
        assert_eq!(
            replica.table(),
            sim.master().table(),
            "replicas converge to the master"
        );
    }
}

#[test]
fn read_after_write_targets_the_key_written_last() {
    let mut sim = sim(1, Mode::Async, 50);
    write(&mut sim, 104, "Ken");
    sim.apply(Command::ReadLastWritten).unwrap();
    sim.run_to_quiescence();
    let last = sim.recent().last().unwrap();
    assert_eq!(
        last.op,
        replication_playground::sim::request::Op::Read { key: 104 }
    );
}

#[test]
fn leaving_sync_releases_the_waiting_writes() {
    let mut sim = sim(2, Mode::Sync, 5_000);
    write(&mut sim, 101, "Ada");
    write(&mut sim, 102, "Tony");
    advance(&mut sim, 100);
    assert_eq!(sim.stats().writes_acked, 0);
    sim.apply(Command::SetMode(Mode::Async)).unwrap();
    advance(&mut sim, 5);
    assert_eq!(sim.stats().writes_acked, 2);
    assert_eq!(sim.master().committed_lsn(), 2);
}

#[test]
fn a_replica_added_live_starts_as_a_copy_and_follows_the_log() {
    let mut sim = sim(1, Mode::Async, 100);
    write(&mut sim, 101, "Ada");
    advance(&mut sim, 10);
    sim.apply(Command::SetReplicas(2)).unwrap();
    assert_eq!(sim.replicas()[1].applied_lsn(), 1);
    assert_eq!(sim.replicas()[1].table()[&101].name, "Ada");
    write(&mut sim, 102, "Tony");
    sim.run_to_quiescence();
    assert_eq!(sim.replicas()[1].applied_lsn(), 2);
}

#[test]
fn removing_a_replica_lets_sync_writes_waiting_on_it_commit() {
    let mut sim = sim(2, Mode::Sync, 1_000);
    write(&mut sim, 101, "Ada");
    advance(&mut sim, 10);
    sim.apply(Command::SetReplicas(0)).unwrap();
    advance(&mut sim, 5);
    assert_eq!(sim.stats().writes_acked, 1);
}

#[test]
fn lowering_the_lag_never_reorders_the_replication_stream() {
    let mut sim = sim(1, Mode::Async, 1_000);
    write(&mut sim, 101, "Ada");
    advance(&mut sim, 2);
    sim.apply(Command::SetLag(0)).unwrap();
    write(&mut sim, 101, "Grace");
    advance(&mut sim, 100);
    assert_eq!(
        sim.replicas()[0].applied_lsn(),
        0,
        "the second entry waits behind the first"
    );
    sim.run_to_quiescence();
    assert_eq!(sim.replicas()[0].applied_lsn(), 2);
    assert_eq!(sim.replicas()[0].table()[&101].name, "Grace");
}

#[test]
fn bad_settings_are_refused_with_a_reason_and_change_nothing() {
    let mut sim = sim(2, Mode::Async, 1_000);
    let before = sim.config().clone();
    let error = sim.apply(Command::SetReplicas(9)).unwrap_err();
    assert_eq!(error.to_string(), "replicas must be between 0 and 8, got 9");
    let error = sim.apply(Command::SetLag(60_001)).unwrap_err();
    assert_eq!(
        error.to_string(),
        "lag must be between 0 and 60000 ms, got 60001"
    );
    assert_eq!(sim.config(), &before);
    assert_eq!(sim.replicas().len(), 2);
    assert!(
        Simulation::new(Config {
            replicas: 9,
            ..Config::default()
        })
        .is_err()
    );
}
