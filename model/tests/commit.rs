//! When the master acknowledges a write, as the lecture's replication table has it (sync waits
//! for the replicas, async does not and a read can come back stale) and as PostgreSQL's commit
//! levels, quorums and MySQL's semi-sync refine it: the synchronous standby list, a silent
//! standby and `wal_sender_timeout`, cancelling a waiting commit.

mod common;

use common::{
    advance, base, finished, name, read, reconfigure, replica_applied, returned_name, send, sim, with, write,
};
use replication_model::config::{Config, Mode, Quorum};
use replication_model::events::EventKind;
use replication_model::request::RequestRecord;
use replication_model::time::Time;
use replication_model::{Command, NodeRef, Simulation};

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
    assert!(sim.replicas().iter().all(|(_, node)| name(node.data(), 101) == "Ada"));
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
    // A read issued the very moment of the acknowledgement would count as concurrent with it.
    advance(&mut sim, 1);
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
    assert_eq!(sim.master().positions().applied, 1, "the write is logged");
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

/// Two replicas (pg-2, pg-3) under remote_apply with the quorum and standby list given.
fn listed(quorum: Quorum, standbys: &[&str]) -> Simulation {
    with(Config {
        replicas: 2,
        mode: Mode::RemoteApply,
        quorum,
        standbys: standbys.iter().map(|name| name.to_string()).collect(),
        sender_timeout_ms: 5_000,
        lag_ms: 10,
        ..base()
    })
}

/// Sends a write of user 101 and says whether it is acknowledged `ms` later.
fn acknowledged_within(sim: &mut Simulation, ms: u64) -> (u64, bool) {
    let id = send(sim, Command::Write { client: 0, key: 101, name: "Ann".into() });
    advance(sim, ms);
    (id, sim.recent().any(|record| record.id == id))
}

#[test]
fn first_1_waits_for_the_first_listed_standby_even_when_the_second_has_the_write() {
    let mut sim = listed(Quorum::First(1), &["pg-3", "pg-2"]);
    sim.apply(Command::CutLink(NodeRef::Replica(2))).unwrap();
    let (id, done) = acknowledged_within(&mut sim, 1_500);
    assert!(!done, "pg-3 is silent but still the synchronous standby");
    let pg2 = sim.resolve(NodeRef::Replica(1)).unwrap();
    assert_eq!(sim.node(pg2).positions().applied, 1, "pg-2 already has it");
    sim.apply(Command::HealLink(NodeRef::Replica(2))).unwrap();
    advance(&mut sim, 100);
    assert!(finished(&sim, id).failure().is_none(), "returns once pg-3 is back");
    // A crashed standby's connection closes at once: the next listed one takes over.
    sim.apply(Command::Crash(NodeRef::Replica(2))).unwrap();
    assert!(acknowledged_within(&mut sim, 100).1);
}

#[test]
fn an_unlisted_replica_never_stands_in() {
    let mut sim = listed(Quorum::First(1), &["pg-2"]);
    sim.apply(Command::Crash(NodeRef::Replica(1))).unwrap();
    let (id, done) = acknowledged_within(&mut sim, 3_000);
    assert!(!done, "pg-3 is up and has it, but is not listed");
    let pg3 = sim.resolve(NodeRef::Replica(2)).unwrap();
    assert!(!sim.is_synchronous(pg3));
    sim.apply(Command::Restart(NodeRef::Replica(1))).unwrap();
    advance(&mut sim, 100);
    assert!(finished(&sim, id).failure().is_none());
}

#[test]
fn any_1_returns_on_whichever_listed_standby_confirms() {
    let mut sim = listed(Quorum::Any(1), &["pg-2", "pg-3"]);
    sim.apply(Command::CutLink(NodeRef::Replica(1))).unwrap();
    assert!(acknowledged_within(&mut sim, 100).1);
    sim.apply(Command::CutLink(NodeRef::Replica(2))).unwrap();
    let (id, done) = acknowledged_within(&mut sim, 1_000);
    assert!(!done, "both silent");
    sim.apply(Command::HealLink(NodeRef::Replica(2))).unwrap();
    advance(&mut sim, 100);
    assert!(finished(&sim, id).failure().is_none());
}

#[test]
fn a_silent_standby_holds_commits_until_wal_sender_timeout_then_the_next_listed_one_serves() {
    let mut sim = listed(Quorum::First(1), &["pg-2", "pg-3"]);
    sim.apply(Command::CutLink(NodeRef::Replica(1))).unwrap();
    let (id, done) = acknowledged_within(&mut sim, 4_000);
    assert!(!done, "within wal_sender_timeout the master still waits for pg-2");
    advance(&mut sim, 1_100);
    assert!(finished(&sim, id).failure().is_none(), "after 5 s pg-3 is the synchronous standby");
    let dropped = sim.events().find(|event| matches!(event.kind, EventKind::SenderTimeout { .. })).unwrap();
    assert_eq!(
        dropped.describe(),
        "the master heard nothing from pg-2 (replica 1) for 5000 ms and dropped its connection (wal_sender_timeout): it is no longer a synchronous standby"
    );
    assert!(acknowledged_within(&mut sim, 100).1, "the next commit goes through at once");
}

#[test]
fn a_silent_only_standby_holds_commits_past_the_timeout_until_it_is_back() {
    let mut sim = listed(Quorum::First(1), &["pg-2"]);
    sim.apply(Command::CutLink(NodeRef::Replica(1))).unwrap();
    let (id, done) = acknowledged_within(&mut sim, 8_000);
    assert!(!done, "no other standby may confirm");
    sim.apply(Command::HealLink(NodeRef::Replica(1))).unwrap();
    advance(&mut sim, 100);
    assert!(finished(&sim, id).failure().is_none());
}

#[test]
fn cancelling_a_waiting_commit_returns_with_a_warning_and_shows_it_on_the_master_only() {
    let mut sim = listed(Quorum::First(1), &["pg-2"]);
    sim.apply(Command::Crash(NodeRef::Replica(1))).unwrap();
    sim.apply(Command::CutLink(NodeRef::Replica(2))).unwrap();
    let (id, done) = acknowledged_within(&mut sim, 1_500);
    assert!(!done);
    assert!(sim.committed().user(101).is_none(), "not visible on the master while it waits");
    sim.apply(Command::CancelWaits).unwrap();
    advance(&mut sim, 10);
    let record = finished(&sim, id);
    assert!(record.failure().is_none(), "success");
    assert!(
        record
            .warning
            .is_some_and(|warning| warning.starts_with("WARNING: canceling wait for synchronous replication"))
    );
    assert_eq!(common::name(sim.committed(), 101), "Ann", "visible on the master now");
    let pg3 = sim.resolve(NodeRef::Replica(2)).unwrap();
    assert!(sim.node(pg3).data().user(101).is_none(), "on no replica");
    assert_eq!(sim.apply(Command::CancelWaits).unwrap_err().to_string(), "no commit is waiting for a replica");
}
