//! When the master acknowledges a write, as the lecture's replication table has it (sync waits
//! for the replicas, async does not and a read can come back stale) and as PostgreSQL's commit
//! levels, quorums and MySQL's semi-sync refine it.

mod common;

use common::{
    advance, base, finished, name, read, reconfigure, replica_applied, returned_name, send, sim, with, write,
};
use replication_model::config::{Config, Mode, Quorum};
use replication_model::events::EventKind;
use replication_model::request::RequestRecord;
use replication_model::time::Time;
use replication_model::{Command, NodeRef};

#[test]
fn async_read_before_the_lag_is_stale_and_after_it_is_not() {
    let mut sim = sim(2, Mode::Async, 1_000);
    write(&mut sim, 102, "Ada");
    advance(&mut sim, 10);
    assert_eq!(sim.stats().writes_acked, 1, "async acknowledges without waiting for replicas");

    let early = read(&mut sim, 102);
    assert!(early.is_stale(), "a replica still has the old row: {early:?}");
    assert_eq!(early.versions_behind(), 1);
    assert_eq!(returned_name(&early).as_deref(), Some("Bob"));

    advance(&mut sim, 1_000);
    for _ in 0..2 {
        let late = read(&mut sim, 102);
        assert!(!late.is_stale(), "after the lag every replica has the write: {late:?}");
        assert_eq!(returned_name(&late).as_deref(), Some("Ada"));
    }
    assert_eq!(sim.stats().stale_reads, 1);
    assert_eq!(sim.stats().reads_completed, 3);
}

#[test]
fn sync_write_is_never_read_stale() {
    let mut sim = sim(3, Mode::Sync, 500);
    write(&mut sim, 101, "Ada");
    for _ in 0..60 {
        let record = read(&mut sim, 101);
        assert!(!record.is_stale(), "stale under sync at {}: {record:?}", sim.now());
        advance(&mut sim, 10);
    }
    assert_eq!(sim.stats().stale_reads, 0);
    assert_eq!(sim.stats().writes_acked, 1);
    assert!(sim.replicas().iter().all(|(_, node)| name(&node.data, 101) == "Ada"));
}

/// Client -> master (1 ms), service at 1000 ops/s (1 ms), reply (1 ms).
const ASYNC_WRITE: Time = Time::from_millis(3);

fn write_latency(config: Config) -> Time {
    let mut sim = with(config);
    write(&mut sim, 102, "Grace");
    sim.run_to_quiescence();
    sim.recent().next().and_then(RequestRecord::latency).expect("the write was acknowledged")
}

#[test]
fn sync_waits_for_the_replicas_and_async_does_not() {
    let base = Config { replicas: 2, lag_ms: 400, ..base() };
    assert_eq!(write_latency(Config { mode: Mode::Async, ..base.clone() }), ASYNC_WRITE);
    // Plus the shipping delay, one apply at 10,000/s (0.1 ms) and the acknowledgement (1 ms).
    assert_eq!(write_latency(Config { mode: Mode::Sync, ..base }), ASYNC_WRITE + Time::from_millis(401) + Time(100));
}

#[test]
fn the_commit_levels_wait_for_receive_flush_and_apply_in_turn() {
    let base = Config { replicas: 1, lag_ms: 100, flush_ms: 50, apply_rate: 10, ..base() };
    let latency = |mode| write_latency(Config { mode, ..base.clone() });
    let received = ASYNC_WRITE + Time::from_millis(100 + 1);
    assert_eq!(latency(Mode::RemoteWrite), received);
    assert_eq!(latency(Mode::On), received + Time::from_millis(50));
    // Applying one entry at 10 per second takes 100 ms.
    assert_eq!(latency(Mode::RemoteApply), received + Time::from_millis(150));
}

#[test]
fn remote_write_acknowledges_before_the_replica_can_serve_the_new_value() {
    let mut sim =
        with(Config { replicas: 1, mode: Mode::RemoteWrite, lag_ms: 100, flush_ms: 200, apply_rate: 5, ..base() });
    let id = send(&mut sim, Command::Write { client: 0, key: 101, name: "Ada".into() });
    while sim.stats().writes_acked == 0 {
        assert!(sim.step());
    }
    assert!(finished(&sim, id).acked_as == Some(Mode::RemoteWrite));
    let record = read(&mut sim, 101);
    assert!(record.is_stale(), "received is not applied: {record:?}");
    assert_eq!(sim.stats().ryw_violations, 1, "the client missed its own acknowledged write");
}

#[test]
fn remote_apply_on_every_replica_is_never_stale() {
    let mut sim =
        with(Config { replicas: 3, mode: Mode::RemoteApply, lag_ms: 200, jitter_ms: 50, apply_rate: 100, ..base() });
    for round in 0..30 {
        sim.apply(Command::WriteRandom { client: 0 }).unwrap();
        for _ in 0..3 {
            sim.apply(Command::ReadLastWritten { client: 0 }).unwrap();
            advance(&mut sim, 7 + round);
        }
    }
    sim.run_to_quiescence();
    assert_eq!(sim.stats().stale_reads, 0);
    assert_eq!(sim.stats().ryw_violations, 0);
    assert_eq!(sim.stats().reads_completed, 90);
}

#[test]
fn sync_master_shows_a_write_only_once_replicas_have_it() {
    let mut sim = sim(1, Mode::Sync, 300);
    write(&mut sim, 103, "Linus");
    advance(&mut sim, 100);
    assert_eq!(sim.master().positions.applied, 1, "the write is logged");
    assert_eq!(sim.committed_lsn(), 0, "but not yet committed");
    assert_eq!(name(sim.committed(), 103), "Carol");
    advance(&mut sim, 300);
    assert_eq!(sim.committed_lsn(), 1);
    assert_eq!(name(sim.committed(), 103), "Linus");
}

#[test]
fn leaving_sync_releases_the_waiting_writes() {
    let mut sim = sim(2, Mode::Sync, 5_000);
    write(&mut sim, 101, "Ada");
    write(&mut sim, 102, "Tony");
    advance(&mut sim, 100);
    assert_eq!(sim.stats().writes_acked, 0);
    reconfigure(&mut sim, |c| c.mode = Mode::Async);
    advance(&mut sim, 5);
    assert_eq!(sim.stats().writes_acked, 2);
    assert_eq!(sim.committed_lsn(), 2);
}

// --- Quorums and semi-sync ---

#[test]
fn first_k_replaces_a_down_standby_with_the_next() {
    let mut sim =
        with(Config { replicas: 2, mode: Mode::RemoteApply, quorum: Quorum::First(1), lag_ms: 100, ..base() });
    sim.apply(Command::Crash(NodeRef::Replica(1))).unwrap();
    write(&mut sim, 101, "Ada");
    advance(&mut sim, 150);
    assert_eq!(sim.stats().writes_acked, 1, "replica-2 stood in for the down replica-1");
}

#[test]
fn first_k_blocks_while_fewer_than_k_standbys_are_up() {
    let mut sim = with(Config { replicas: 2, mode: Mode::On, quorum: Quorum::First(2), lag_ms: 100, ..base() });
    sim.apply(Command::Crash(NodeRef::Replica(2))).unwrap();
    write(&mut sim, 101, "Ada");
    advance(&mut sim, 2_000);
    assert_eq!(sim.stats().writes_acked, 0, "PostgreSQL waits forever without a semi-sync timeout");
    sim.apply(Command::Restart(NodeRef::Replica(2))).unwrap();
    advance(&mut sim, 200);
    assert_eq!(sim.stats().writes_acked, 1, "the restarted standby caught up and confirmed");
}

#[test]
fn any_k_needs_any_k_confirmations() {
    let mut sim = with(Config { replicas: 3, mode: Mode::On, quorum: Quorum::Any(2), lag_ms: 100, ..base() });
    sim.apply(Command::CutLink(NodeRef::Replica(1))).unwrap();
    write(&mut sim, 101, "Ada");
    advance(&mut sim, 150);
    assert_eq!(sim.stats().writes_acked, 1, "replicas 2 and 3 are two");
    sim.apply(Command::CutLink(NodeRef::Replica(2))).unwrap();
    write(&mut sim, 102, "Tony");
    advance(&mut sim, 1_000);
    assert_eq!(sim.stats().writes_acked, 1, "one confirmation is not two");
}

#[test]
fn semi_sync_waits_for_its_count_of_replicas_to_receive_and_postgresql_never_falls_back() {
    // MySQL's default rpl_semi_sync_master_wait_for_slave_count = 1: one replica down, the
    // other receives the write, and it is acknowledged without waiting for the timeout.
    let semi = Config {
        replicas: 2,
        mode: Mode::SemiSync,
        quorum: Quorum::Any(1),
        semi_sync_timeout_ms: 500,
        lag_ms: 50,
        apply_rate: 1,
        ..base()
    };
    let mut sim = with(semi);
    sim.apply(Command::Crash(NodeRef::Replica(2))).unwrap();
    write(&mut sim, 102, "Ada");
    advance(&mut sim, 120);
    assert_eq!(sim.stats().writes_acked, 1, "received by pg-2 is enough");
    assert!(!sim.in_fallback());
    assert_eq!(replica_applied(&sim, 1), 0, "received, not yet applied: a read there is stale");
    // PostgreSQL's synchronous modes wait, whatever the semi-sync timeout says.
    let mut sim = with(Config { replicas: 2, mode: Mode::Sync, semi_sync_timeout_ms: 500, lag_ms: 50, ..base() });
    sim.apply(Command::Crash(NodeRef::Replica(2))).unwrap();
    write(&mut sim, 102, "Ada");
    advance(&mut sim, 5_000);
    assert_eq!(sim.stats().writes_acked, 0, "no fallback in PostgreSQL");
    assert!(!sim.in_fallback());
}

#[test]
fn the_semi_sync_fallback_names_the_replicas_that_had_and_had_not_confirmed() {
    let mut sim = with(Config { replicas: 2, mode: Mode::SemiSync, semi_sync_timeout_ms: 500, lag_ms: 50, ..base() });
    sim.apply(Command::Crash(NodeRef::Replica(2))).unwrap();
    write(&mut sim, 102, "Ada");
    advance(&mut sim, 600);
    let fallback = sim.events().find(|event| matches!(event.kind, EventKind::FellBackToAsync { .. })).unwrap();
    assert_eq!(
        fallback.describe(),
        "after 500 ms pg-3 (replica 2) had not confirmed LSN 1; pg-2 (replica 1) had: the master falls back to async and acknowledges without waiting"
    );
}

#[test]
fn semi_sync_falls_back_to_async_after_the_timeout_and_returns_once_caught_up() {
    let mut sim = with(Config { replicas: 1, mode: Mode::SemiSync, semi_sync_timeout_ms: 500, lag_ms: 50, ..base() });
    sim.apply(Command::CutLink(NodeRef::Replica(1))).unwrap();
    let id = send(&mut sim, Command::Write { client: 0, key: 101, name: "Ada".into() });
    advance(&mut sim, 450);
    assert_eq!(sim.stats().writes_acked, 0, "still waiting within the timeout");
    advance(&mut sim, 100);
    assert_eq!(sim.stats().writes_acked, 1);
    assert_eq!(finished(&sim, id).acked_as, Some(Mode::Async), "acknowledged by the fallback");
    assert!(sim.in_fallback());
    let fallback = sim.events().find(|event| matches!(event.kind, EventKind::FellBackToAsync { .. })).unwrap();
    assert_eq!(
        fallback.describe(),
        "after 500 ms pg-2 (replica 1) had not confirmed LSN 1; no replica had: the master falls back to async and acknowledges without waiting"
    );

    write(&mut sim, 102, "Tony");
    advance(&mut sim, 10);
    assert_eq!(sim.stats().writes_acked, 2, "async while fallen back");

    sim.apply(Command::HealLink(NodeRef::Replica(1))).unwrap();
    advance(&mut sim, 200);
    assert!(!sim.in_fallback(), "the replica caught up");
    assert!(sim.events().any(|event| event.kind == EventKind::BackToSync));
    assert_eq!(replica_applied(&sim, 1), 2);
}
