//! Replication as PostgreSQL does it, the settings the differential suite (tests/postgres.rs)
//! checks against a real server: `off` and `local`, the synchronous standby list, per-replica
//! delays, silent partitions and `wal_sender_timeout`, cancelling a waiting commit.

mod common;

use common::{advance, base, finished, send, with};
use replication_playground::sim::config::{Config, Mode};
use replication_playground::sim::events::EventKind;
use replication_playground::sim::{Command, NodeRef};

#[test]
fn off_acknowledges_before_the_master_flushes_and_a_crash_loses_it_local_keeps_it() {
    for (mode, lost) in [(Mode::Off, 1), (Mode::Async, 0)] {
        let mut sim = with(Config { replicas: 1, mode, wal_writer_ms: 1_000, lag_ms: 10, ..base() });
        let id = send(&mut sim, Command::Write { client: 0, key: 101, name: "Ann".into() });
        advance(&mut sim, 20);
        assert!(finished(&sim, id).failure().is_none(), "{mode}: acknowledged at once");
        let replica = sim.resolve(NodeRef::Replica(1)).unwrap();
        assert_eq!(sim.node(replica).positions.received, 1 - lost, "{mode}: only flushed WAL is streamed");
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
    assert_eq!(sim.node(replica).positions.received, 1);
}

#[test]
fn one_far_away_replica_and_one_that_applies_late() {
    let mut sim = with(Config { replicas: 2, lag_ms: 10, ..base() });
    sim.apply(Command::SetLag(NodeRef::Replica(2), 2_000)).unwrap();
    sim.apply(Command::SetApplyDelay(NodeRef::Replica(1), 500)).unwrap();
    sim.apply(Command::Write { client: 0, key: 101, name: "Ann".into() }).unwrap();
    advance(&mut sim, 100);
    let position = |sim: &replication_playground::sim::Simulation, number| {
        sim.node(sim.resolve(NodeRef::Replica(number)).unwrap()).positions
    };
    assert_eq!((position(&sim, 1).flushed, position(&sim, 1).applied), (1, 0), "flushed at once, applied later");
    assert_eq!(position(&sim, 2).received, 0, "still on its way to the far replica");
    advance(&mut sim, 500);
    assert_eq!(position(&sim, 1).applied, 1, "applied 500 ms after the master logged it");
    advance(&mut sim, 1_500);
    assert_eq!(position(&sim, 2).applied, 1);
    // The run's lag changed replaces what was set per replica.
    common::reconfigure(&mut sim, |config| config.lag_ms = 20);
    assert!(sim.replicas().iter().all(|(_, node)| node.lag.is_none()));
}
