//! Replication as PostgreSQL does it, the settings the differential suite (tests/postgres.rs)
//! checks against a real server: `off` and `local`, per-replica delays, the stream's order, and
//! replicas added and removed live. Which standbys a commit waits for is in commit.rs.

mod common;

use common::{advance, base, finished, name, reconfigure, replica_applied, send, sim, with, write};
use replication_model::config::{Config, Mode};
use replication_model::events::EventKind;
use replication_model::request::Op;
use replication_model::time::Time;
use replication_model::{Command, NodeRef};

#[test]
fn off_acknowledges_before_the_master_flushes_and_a_crash_loses_it_local_keeps_it() {
    for (mode, lost) in [(Mode::Off, 1), (Mode::Async, 0)] {
        let mut sim = with(Config { replicas: 1, mode, wal_writer_ms: 1_000, lag_ms: 10, ..base() });
        let id = send(&mut sim, Command::Write { client: 0, key: 101, name: "Ann".into() });
        advance(&mut sim, 20);
        assert!(finished(&sim, id).failure().is_none(), "{mode}: acknowledged at once");
        let replica = sim.resolve(NodeRef::Replica(1)).unwrap();
        assert_eq!(sim.node(replica).positions().received, 1 - lost, "{mode}: only flushed WAL is streamed");
        sim.apply(Command::Crash(NodeRef::Master)).unwrap();
        sim.apply(Command::Restart(NodeRef::Master)).unwrap();
        assert_eq!(sim.stats().lost_writes, lost, "{mode}");
        assert_eq!(sim.committed().user(101).is_some(), lost == 0, "{mode}: the row after crash recovery");
        if lost == 1 {
            assert!(finished(&sim, id).lost, "the request is marked lost");
            assert!(sim.events().any(|event| matches!(event.kind, EventKind::LostInCrash { .. })));
        }
    }
}

#[test]
fn off_flushes_within_the_wal_writer_delay_and_then_streams() {
    let mut sim = with(Config { replicas: 1, mode: Mode::Off, wal_writer_ms: 200, lag_ms: 10, ..base() });
    sim.apply(Command::Write { client: 0, key: 101, name: "Ann".into() }).unwrap();
    advance(&mut sim, 230);
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    assert_eq!(sim.stats().lost_writes, 0, "on disk after the writer's round");
    let replica = sim.resolve(NodeRef::Replica(1)).unwrap();
    assert_eq!(sim.node(replica).positions().received, 1);
}

#[test]
fn one_far_away_replica_and_one_that_applies_late() {
    let mut sim = with(Config { replicas: 2, lag_ms: 10, ..base() });
    sim.apply(Command::SetLag(NodeRef::Replica(2), 2_000)).unwrap();
    sim.apply(Command::SetApplyDelay(NodeRef::Replica(1), 500)).unwrap();
    sim.apply(Command::Write { client: 0, key: 101, name: "Ann".into() }).unwrap();
    advance(&mut sim, 100);
    let position = |sim: &replication_model::Simulation, number| {
        sim.node(sim.resolve(NodeRef::Replica(number)).unwrap()).positions()
    };
    assert_eq!((position(&sim, 1).flushed, position(&sim, 1).applied), (1, 0), "flushed at once, applied later");
    assert_eq!(position(&sim, 2).received, 0, "still on its way to the far replica");
    advance(&mut sim, 500);
    assert_eq!(position(&sim, 1).applied, 1, "applied 500 ms after the master logged it");
    advance(&mut sim, 1_500);
    assert_eq!(position(&sim, 2).applied, 1);
    // The run's lag changed replaces what was set per replica.
    common::reconfigure(&mut sim, |config| config.lag_ms = 20);
    assert!(sim.replica_ids().into_iter().all(|id| sim.links(id).lag.is_none()));
}

#[test]
fn every_write_gets_the_next_lsn_and_reaches_every_replica() {
    let mut sim = sim(2, Mode::Async, 200);
    for step in 0..5 {
        sim.apply(Command::WriteRandom { client: 0 }).unwrap();
        advance(&mut sim, 50 * step);
    }
    assert_eq!(sim.master().positions().applied, 5);
    sim.run_to_quiescence();
    for (_, replica) in sim.replicas() {
        assert_eq!(replica.positions().applied, 5);
        assert_eq!(replica.data(), sim.committed(), "replicas converge to the master");
    }
}

#[test]
fn a_write_burst_faster_than_apply_builds_lag_that_drains() {
    let mut sim = with(Config { replicas: 1, apply_rate: 100, lag_ms: 10, ..base() });
    for _ in 0..50 {
        sim.apply(Command::WriteRandom { client: 0 }).unwrap();
        advance(&mut sim, 2);
    }
    let replica = sim.replica_ids()[0];
    let (behind, lag) = sim.lag(replica);
    assert!(behind > 30, "the replica applies 100/s but received 500/s: {behind} behind");
    assert!(lag > Time::from_millis(50));
    advance(&mut sim, 600);
    assert_eq!(sim.lag(replica), (0, Time::ZERO), "drained");
}

#[test]
fn read_after_write_targets_the_key_written_last() {
    let mut sim = sim(1, Mode::Async, 50);
    write(&mut sim, 104, "Ken");
    sim.apply(Command::ReadLastWritten { client: 0 }).unwrap();
    sim.run_to_quiescence();
    assert_eq!(sim.recent().last().unwrap().op, Op::Read { key: 104 });
}

#[test]
fn a_replica_added_live_starts_as_a_copy_and_follows_the_log() {
    let mut sim = sim(1, Mode::Async, 100);
    write(&mut sim, 101, "Ada");
    advance(&mut sim, 10);
    reconfigure(&mut sim, |c| c.replicas = 2);
    assert_eq!(replica_applied(&sim, 2), 1);
    write(&mut sim, 102, "Tony");
    sim.run_to_quiescence();
    assert_eq!(replica_applied(&sim, 2), 2);
}

#[test]
fn removing_a_replica_lets_sync_writes_waiting_on_it_commit() {
    let mut sim = sim(2, Mode::Sync, 1_000);
    write(&mut sim, 101, "Ada");
    advance(&mut sim, 10);
    reconfigure(&mut sim, |c| c.replicas = 0);
    advance(&mut sim, 5);
    assert_eq!(sim.stats().writes_acked, 1);
}

#[test]
fn lowering_the_lag_never_reorders_the_replication_stream() {
    let mut sim = sim(1, Mode::Async, 1_000);
    write(&mut sim, 101, "Ada");
    advance(&mut sim, 3);
    reconfigure(&mut sim, |c| c.lag_ms = 0);
    write(&mut sim, 101, "Grace");
    advance(&mut sim, 100);
    assert_eq!(replica_applied(&sim, 1), 0, "the second entry waits behind the first");
    sim.run_to_quiescence();
    assert_eq!(replica_applied(&sim, 1), 2);
    assert_eq!(name(sim.node(sim.replica_ids()[0]).data(), 101), "Grace");
}
