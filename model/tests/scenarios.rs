//! Fixed-seed scenarios: each asserts one thing the lecture (or a real system the model
//! mirrors) claims, as the model makes it happen.

mod common;

use common::{
    advance, base, finished, name, read, read_as, reads_served, reconfigure, replica_applied, returned_name, send, sim,
    with, write,
};
use replication_model::config::{Config, Mode, Policy, Quorum, ReadPref};
use replication_model::data::{self, Value};
use replication_model::events::EventKind;
use replication_model::node::Follow;
use replication_model::request::{Op, Outcome, RequestRecord};
use replication_model::time::Time;
use replication_model::timeline::Position;
use replication_model::{Command, NodeRef, NodeState, Simulation};

// --- The lecture's replication table: sync waits, async does not and reads can be stale ---

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
        "after 500 ms pg-3 (replica-2) had not confirmed LSN 1; pg-2 (replica-1) had: the master falls back to async and acknowledges without waiting"
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
        "after 500 ms pg-2 (replica-1) had not confirmed LSN 1; no replica had: the master falls back to async and acknowledges without waiting"
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

// --- The lecture's comparison table: replicas scale reads, not writes ---

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

// --- Read routing ---

#[test]
fn round_robin_spreads_reads_evenly_over_replicas() {
    let mut sim = sim(3, Mode::Async, 100);
    for _ in 0..30 {
        sim.apply(Command::Read { client: 0, key: 101 }).unwrap();
    }
    sim.run_to_quiescence();
    assert_eq!(reads_served(&sim), vec![10, 10, 10]);
    assert_eq!(sim.master().reads_served, 0, "with replicas, reads are served only from them");
}

#[test]
fn random_spreads_reads_roughly_evenly() {
    let mut sim = with(Config { replicas: 3, policy: Policy::Random, ..base() });
    for _ in 0..3_000 {
        sim.apply(Command::Read { client: 0, key: 101 }).unwrap();
        advance(&mut sim, 1);
    }
    sim.run_to_quiescence();
    let served = reads_served(&sim);
    assert!(served.iter().all(|&n| (850..1_150).contains(&n)), "{served:?}");
}

#[test]
fn weighted_follows_the_weights() {
    let mut sim = with(Config { replicas: 2, policy: Policy::Weighted, ..base() });
    sim.apply(Command::SetWeight(NodeRef::Replica(1), 3)).unwrap();
    for _ in 0..4_000 {
        sim.apply(Command::Read { client: 0, key: 101 }).unwrap();
        advance(&mut sim, 1);
    }
    sim.run_to_quiescence();
    let served = reads_served(&sim);
    let share = served[0] as f64 / 4_000.0;
    assert!((0.72..0.78).contains(&share), "weight 3:1 gives about 75%: {served:?}");
}

/// Reads at 600/s for 5 s over three replicas, one of which serves only 50/s.
fn slow_replica_run(policy: Policy) -> Simulation {
    let mut sim = with(Config { replicas: 3, policy, queue_limit: 1_000, ..base() });
    sim.apply(Command::SetCapacity(NodeRef::Replica(1), 50)).unwrap();
    for _ in 0..3_000 {
        sim.apply(Command::Read { client: 0, key: 101 }).unwrap();
        advance(&mut sim, 2);
    }
    sim
}

#[test]
fn least_ops_avoids_a_slow_replica_that_round_robin_keeps_hitting() {
    let round_robin = slow_replica_run(Policy::RoundRobin);
    let least_ops = slow_replica_run(Policy::LeastOps);
    let queued = |sim: &Simulation| sim.node(sim.resolve(NodeRef::Replica(1)).unwrap()).current_ops();
    assert!(queued(&round_robin) > 500, "round-robin sends it a third of the reads: {} queued", queued(&round_robin));
    assert!(queued(&least_ops) < 5, "least-ops sends it only what it can take: {} queued", queued(&least_ops));
    assert!(least_ops.stats().reads_completed > round_robin.stats().reads_completed + 500);
}

#[test]
fn least_lag_prefers_the_replica_that_is_caught_up() {
    let mut sim = with(Config { replicas: 2, policy: Policy::LeastLag, lag_ms: 50, ..base() });
    sim.apply(Command::CutLink(NodeRef::Replica(1))).unwrap();
    write(&mut sim, 101, "Ada");
    advance(&mut sim, 100);
    for _ in 0..10 {
        assert_eq!(read(&mut sim, 101).served_by, Some(NodeRef::Replica(2)));
    }
}

#[test]
fn max_lag_shuns_a_lagging_replica_and_readmits_it_once_caught_up() {
    let mut sim = with(Config { replicas: 2, max_lag_ms: 500, lag_ms: 50, ..base() });
    sim.apply(Command::CutLink(NodeRef::Replica(1))).unwrap();
    write(&mut sim, 101, "Ada");
    advance(&mut sim, 600);
    let lagging = sim.resolve(NodeRef::Replica(1)).unwrap();
    assert_eq!(sim.state(lagging), NodeState::Shunned);
    for _ in 0..6 {
        let record = read(&mut sim, 101);
        assert_eq!(record.served_by, Some(NodeRef::Replica(2)));
        assert!(!record.is_stale());
    }
    sim.apply(Command::HealLink(NodeRef::Replica(1))).unwrap();
    advance(&mut sim, 100);
    assert_eq!(sim.state(lagging), NodeState::Up, "readmitted once caught up");
}

#[test]
fn every_replica_shunned_sends_reads_to_the_master_or_fails_them() {
    for (read_pref, expect_master) in [(ReadPref::SecondaryPreferred, true), (ReadPref::Secondary, false)] {
        let mut sim = with(Config { replicas: 1, max_lag_ms: 200, read_pref, ..base() });
        sim.apply(Command::CutLink(NodeRef::Replica(1))).unwrap();
        write(&mut sim, 101, "Ada");
        advance(&mut sim, 300);
        let record = read(&mut sim, 101);
        if expect_master {
            assert_eq!(record.served_by, Some(NodeRef::Master));
        } else {
            assert_eq!(record.failure(), Some("no replica can serve the read: every replica is down or shunned"));
        }
    }
}

#[test]
fn max_lag_does_not_give_read_your_writes_but_causal_reads_do() {
    let run = |causal_reads| {
        let mut sim = with(Config { replicas: 2, max_lag_ms: 1_000, lag_ms: 300, causal_reads, ..base() });
        for _ in 0..10 {
            write(&mut sim, 101, "Ada");
            advance(&mut sim, 10);
            sim.apply(Command::Read { client: 0, key: 101 }).unwrap();
            advance(&mut sim, 500);
        }
        sim
    };
    let lag_bound = run(false);
    assert_eq!(lag_bound.stats().ryw_violations, 10, "300 ms behind is within max_lag, yet misses the write");
    let causal = run(true);
    assert_eq!(causal.stats().reads_completed, 10);
    assert_eq!(causal.stats().ryw_violations, 0);
    assert_eq!(causal.stats().stale_reads, 0);
}

#[test]
fn a_causal_read_goes_to_the_master_after_its_timeout() {
    let mut sim = with(Config { replicas: 1, causal_reads: true, causal_timeout_ms: 200, lag_ms: 50, ..base() });
    sim.apply(Command::CutLink(NodeRef::Replica(1))).unwrap();
    write(&mut sim, 101, "Ada");
    advance(&mut sim, 10);
    let id = send(&mut sim, Command::Read { client: 0, key: 101 });
    advance(&mut sim, 150);
    assert!(sim.in_flight().any(|record| record.id == id), "waiting on the replica");
    advance(&mut sim, 100);
    let record = finished(&sim, id);
    assert_eq!(record.served_by, Some(NodeRef::Master));
    assert_eq!(returned_name(&record).as_deref(), Some("Ada"));
}

#[test]
fn sticky_sessions_keep_reads_monotonic() {
    let run = |sticky| {
        let mut sim = with(Config { replicas: 2, sticky, lag_ms: 50, ..base() });
        sim.apply(Command::CutLink(NodeRef::Replica(2))).unwrap();
        // Client 1 writes; client 0 only reads, alternating between a caught-up and a cut replica.
        sim.apply(Command::Configure(Config { clients: 2, ..sim.config().clone() })).unwrap();
        for step in 0..10 {
            sim.apply(Command::Write { client: 1, key: 101, name: format!("v{step}") }).unwrap();
            advance(&mut sim, 100);
            read_as(&mut sim, 0, 101);
            read_as(&mut sim, 0, 101);
        }
        sim
    };
    assert!(run(false).stats().monotonic_violations > 0, "round-robin goes back to the cut replica");
    assert_eq!(run(true).stats().monotonic_violations, 0);
}

#[test]
fn read_preferences_choose_who_serves() {
    let served = |read_pref| {
        let mut sim = with(Config { replicas: 2, read_pref, ..base() });
        sim.apply(Command::SetDistance(NodeRef::Replica(2), 40)).unwrap();
        sim.apply(Command::SetDistance(NodeRef::Master, 40)).unwrap();
        (0..4).map(|_| read(&mut sim, 101).served_by.unwrap().to_string()).collect::<Vec<_>>()
    };
    assert_eq!(served(ReadPref::Primary), ["master"; 4]);
    assert_eq!(served(ReadPref::PrimaryPreferred), ["master"; 4]);
    assert_eq!(served(ReadPref::Secondary), ["replica-1", "replica-2", "replica-1", "replica-2"]);
    assert_eq!(served(ReadPref::Nearest), ["replica-1"; 4], "replica-1 is 39 ms nearer than the rest");

    let mut sim = with(Config { replicas: 1, read_pref: ReadPref::PrimaryPreferred, ..base() });
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    assert_eq!(read(&mut sim, 101).served_by, Some(NodeRef::Replica(1)), "primaryPreferred falls back");
}

// --- Replication mechanics ---

#[test]
fn every_write_gets_the_next_lsn_and_reaches_every_replica() {
    let mut sim = sim(2, Mode::Async, 200);
    for step in 0..5 {
        sim.apply(Command::WriteRandom { client: 0 }).unwrap();
        advance(&mut sim, 50 * step);
    }
    assert_eq!(sim.master().positions.applied, 5);
    sim.run_to_quiescence();
    for (_, replica) in sim.replicas() {
        assert_eq!(replica.positions.applied, 5);
        assert_eq!(&replica.data, sim.committed(), "replicas converge to the master");
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
    assert_eq!(name(&sim.node(sim.replica_ids()[0]).data, 101), "Grace");
}

// --- Failures ---

#[test]
fn a_crashed_replica_catches_up_from_the_log_on_restart() {
    let mut sim = sim(2, Mode::Async, 50);
    sim.apply(Command::Crash(NodeRef::Replica(1))).unwrap();
    for _ in 0..5 {
        sim.apply(Command::WriteRandom { client: 0 }).unwrap();
        advance(&mut sim, 20);
    }
    advance(&mut sim, 100);
    assert_eq!(replica_applied(&sim, 1), 0);
    for _ in 0..4 {
        assert_eq!(read(&mut sim, 101).served_by, Some(NodeRef::Replica(2)), "reads avoid the down replica");
    }
    sim.apply(Command::Restart(NodeRef::Replica(1))).unwrap();
    sim.run_to_quiescence();
    assert_eq!(replica_applied(&sim, 1), 5);
}

#[test]
fn with_the_master_down_writes_fail_and_replicas_keep_serving_reads() {
    let mut sim = sim(2, Mode::Async, 50);
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    let id = send(&mut sim, Command::Write { client: 0, key: 101, name: "Ada".into() });
    advance(&mut sim, 10);
    assert_eq!(finished(&sim, id).failure(), Some("master is down"));
    for _ in 0..4 {
        let record = read(&mut sim, 101);
        assert!(record.failure().is_none());
        assert_ne!(record.served_by, Some(NodeRef::Master));
    }
    assert_eq!(sim.stats().reads_completed, 4);
}

#[test]
fn async_failover_loses_the_unshipped_writes_and_the_old_master_diverges_until_rewound() {
    let mut sim = sim(2, Mode::Async, 1_000);
    write(&mut sim, 101, "Shipped");
    advance(&mut sim, 1_100);
    let lost = send(&mut sim, Command::Write { client: 0, key: 102, name: "Unshipped".into() });
    advance(&mut sim, 10);
    assert_eq!(sim.stats().writes_acked, 2, "both were acknowledged");
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    sim.apply(Command::Promote(None)).unwrap();
    assert_eq!(sim.stats().lost_writes, 1);
    assert!(finished(&sim, lost).lost);
    assert!(sim.events().any(|event| event.kind == EventKind::WritesLost { lsns: vec![2] }));
    assert_eq!(name(sim.committed(), 101), "Shipped");
    assert_eq!(name(sim.committed(), 102), "Bob", "the new master never had the second write");

    // The old master is now a replica (it took the promoted replica's number); its history
    // has LSN 2 past the fork, so, restarted, it refuses the new timeline and keeps its row.
    let old = sim.replicas().into_iter().find(|(_, node)| !node.is_up()).map(|(id, _)| id).unwrap();
    let old_name = sim.name(old);
    assert_eq!(sim.node(old).follow, Follow::Diverged { fork: 1 });
    sim.apply(Command::Restart(old_name)).unwrap();
    sim.run_to_quiescence();
    assert_eq!(name(&sim.node(old).data, 102), "Unshipped", "it still serves the lost write");
    assert_eq!(sim.state(old), NodeState::Diverged);
    sim.apply(Command::Rewind(old_name)).unwrap();
    sim.run_to_quiescence();
    assert!(sim.events().any(|event| matches!(&event.kind, EventKind::Rewound { fork: 1, .. })));
    assert_eq!(&sim.node(old).data, sim.committed());
    assert_eq!(sim.node(old).follow, Follow::Streaming);
}

#[test]
fn a_quorum_acknowledged_write_survives_the_loss_of_any_one_node() {
    for lost_node in [NodeRef::Master, NodeRef::Replica(1), NodeRef::Replica(2), NodeRef::Replica(3)] {
        let mut sim =
            with(Config { replicas: 3, mode: Mode::On, quorum: Quorum::Any(2), lag_ms: 100, jitter_ms: 80, ..base() });
        sim.apply(Command::CutLink(NodeRef::Replica(3))).unwrap();
        write(&mut sim, 101, "Durable");
        while sim.stats().writes_acked == 0 {
            assert!(sim.step());
        }
        sim.apply(Command::Crash(lost_node)).unwrap();
        if lost_node == NodeRef::Master {
            sim.apply(Command::Promote(None)).unwrap();
        }
        assert_eq!(sim.stats().lost_writes, 0, "losing {lost_node}");
        assert_eq!(name(sim.committed(), 101), "Durable", "losing {lost_node}");
    }
}

#[test]
fn automatic_failover_promotes_the_most_up_to_date_replica() {
    let mut sim = with(Config { replicas: 2, failover_ms: 500, lag_ms: 50, ..base() });
    sim.apply(Command::CutLink(NodeRef::Replica(1))).unwrap();
    write(&mut sim, 101, "Ada");
    advance(&mut sim, 100);
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    advance(&mut sim, 400);
    assert!(!sim.master().is_up(), "not before the timeout");
    advance(&mut sim, 200);
    assert!(sim.master().is_up(), "the failover happened");
    assert!(
        sim.events()
            .any(|event| event.kind == EventKind::Promoted { node: "pg-3 (replica-2)".into(), lsn: 1, timeline: 2 })
    );
    assert_eq!(name(sim.committed(), 101), "Ada", "replica-2 had the write; replica-1 was cut off");
    let id = send(&mut sim, Command::Write { client: 0, key: 102, name: "After".into() });
    advance(&mut sim, 10);
    assert!(finished(&sim, id).failure().is_none(), "the new master takes writes");
}

#[test]
fn a_partitioned_replica_serves_stale_data_and_converges_when_healed() {
    let mut sim = sim(2, Mode::Async, 50);
    sim.apply(Command::CutLink(NodeRef::Replica(1))).unwrap();
    for _ in 0..5 {
        sim.apply(Command::WriteRandom { client: 0 }).unwrap();
        advance(&mut sim, 20);
    }
    advance(&mut sim, 200);
    assert_eq!(replica_applied(&sim, 1), 0);
    assert_eq!(replica_applied(&sim, 2), 5);
    sim.apply(Command::HealLink(NodeRef::Replica(1))).unwrap();
    sim.run_to_quiescence();
    assert_eq!(replica_applied(&sim, 1), 5);
}

// --- The SQL console ---

/// Runs a console batch as client 0 and returns its finished records, in order.
fn run_sql(sim: &mut Simulation, text: &str) -> Vec<RequestRecord> {
    let first = sim.sql_requests().map(|record| record.id).max().unwrap_or(0);
    sim.apply(Command::Sql { client: 0, text: text.into() }).unwrap();
    while sim.sql_requests().any(|record| record.completed_at.is_none()) {
        assert!(sim.step(), "a statement never finished");
    }
    sim.sql_requests().filter(|record| record.id > first).cloned().collect()
}

fn rows(record: &RequestRecord) -> usize {
    match &record.outcome {
        Some(Outcome::Rows { result, .. }) => result.rows.len(),
        other => panic!("not a SELECT's answer: {other:?}"),
    }
}

#[test]
fn the_lectures_statements_under_async_read_the_new_row_stale() {
    let mut sim = sim(2, Mode::Async, 2_000);
    let results = run_sql(&mut sim, "INSERT INTO users VALUES (101, 'Alice'); SELECT * FROM users WHERE id = 101");
    assert_eq!(results[0].served_by, Some(NodeRef::Master), "the write goes to the master");
    assert!(matches!(
        results[0].outcome,
        Some(Outcome::Changed { at: Some(Position { timeline: 1, lsn: 1 }), rows: 1 })
    ));
    assert!(matches!(results[1].served_by, Some(NodeRef::Replica(_))), "the read hits a replica");
    assert_eq!(rows(&results[1]), 0, "the replica has not received the row");
    assert!(results[1].is_stale());
    let Some(Outcome::Rows { master_result: Some(master), .. }) = &results[1].outcome else {
        panic!("no master answer")
    };
    assert_eq!(master.rows.len(), 1, "the master's answer at that instant has the row");
    assert_eq!(sim.stats().stale_reads, 1);
    assert!(results[1].ryw_violation, "the console missed its own INSERT");
    assert_eq!(sim.stats().ryw_violations, 1);
}

#[test]
fn a_stale_console_read_that_has_the_clients_own_writes_is_no_ryw_violation() {
    let mut sim = with(Config { replicas: 1, lag_ms: 1_000, clients: 2, ..base() });
    sim.apply(Command::Sql { client: 1, text: "INSERT INTO users VALUES (101, 'Alice')".into() }).unwrap();
    advance(&mut sim, 1_100);
    // Client 1's write has reached the replica; client 0's later write has not.
    sim.apply(Command::Sql { client: 0, text: "UPDATE users SET name = 'Bo' WHERE id = 102".into() }).unwrap();
    advance(&mut sim, 10);
    sim.apply(Command::Sql { client: 1, text: "SELECT * FROM users".into() }).unwrap();
    advance(&mut sim, 10);
    let read = sim.sql_requests().last().unwrap().clone();
    assert!(read.is_stale(), "client 0's update is missing");
    assert!(!read.ryw_violation, "client 1's own insert is there");
}

#[test]
fn the_lectures_statements_under_sync_are_never_stale() {
    let mut sim = sim(2, Mode::Sync, 2_000);
    let results = run_sql(&mut sim, "INSERT INTO users VALUES (101, 'Alice'); SELECT * FROM users WHERE id = 101");
    assert!(results[0].latency().unwrap() > Time::from_millis(2_000), "the write waited for the replicas");
    assert_eq!(rows(&results[1]), 1);
    assert!(!results[1].is_stale());
}

#[test]
fn for_update_and_the_master_hint_read_from_the_master() {
    let mut sim = sim(2, Mode::Async, 2_000);
    let results = run_sql(
        &mut sim,
        "INSERT INTO users VALUES (101, 'Alice'); SELECT * FROM users WHERE id = 101 FOR UPDATE; /* master */ SELECT name FROM users WHERE id = 101; SELECT * FROM users",
    );
    let served: Vec<String> = results.iter().map(|record| record.served_by.unwrap().to_string()).collect();
    assert_eq!(served, ["master", "master", "master", "replica-1"]);
    assert_eq!(rows(&results[1]), 1);
    assert_eq!(rows(&results[2]), 1);
}

#[test]
fn statements_of_a_batch_run_one_after_another() {
    let mut sim = sim(1, Mode::Async, 100);
    let results =
        run_sql(&mut sim, "UPDATE users SET name = 'A' WHERE id = 102; UPDATE users SET name = 'B' WHERE id = 102");
    assert!(results[1].issued_at >= results[0].completed_at.unwrap(), "the second waits for the first's answer");
    sim.run_to_quiescence();
    assert_eq!(name(sim.committed(), 102), "B");
    assert_eq!(sim.committed().user(102).unwrap().version, 3);
}

#[test]
fn sql_errors_are_answered_and_change_nothing() {
    let mut sim = sim(1, Mode::Async, 100);
    let before = sim.committed().clone();
    let syntax = run_sql(&mut sim, "INSERT INTO users VALUE (1, 'a')");
    assert_eq!(syntax[0].failure(), Some("expected VALUES, found VALUE at line 1, column 19"));
    assert_eq!(syntax[0].served_by, None, "nothing was sent");
    let duplicate = run_sql(&mut sim, "INSERT INTO users VALUES (102, 'Twin')");
    assert_eq!(duplicate[0].failure(), Some("duplicate key: users already has id = 102 at line 1, column 13"));
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    let master_down = run_sql(&mut sim, "DELETE FROM users");
    assert_eq!(master_down[0].failure(), Some("master is down"));
    assert_eq!(sim.committed(), &before);
    assert_eq!(sim.master().positions.applied, 0, "nothing was logged");
}

#[test]
fn a_table_created_on_the_master_reaches_the_replicas() {
    let mut sim = sim(2, Mode::Async, 300);
    run_sql(&mut sim, "CREATE TABLE orders (id INT PRIMARY KEY, paid BOOL); INSERT INTO orders VALUES (1, FALSE)");
    let early = run_sql(&mut sim, "SELECT * FROM orders");
    assert_eq!(early[0].failure(), Some("unknown table orders at line 1, column 15"), "not yet on the replica");
    sim.run_to_quiescence();
    let late = run_sql(&mut sim, "SELECT * FROM orders WHERE paid = FALSE");
    assert_eq!(rows(&late[0]), 1);
    for (_, replica) in sim.replicas() {
        assert_eq!(&replica.data, sim.committed());
    }
}

// --- The traffic generator ---

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

// --- Settings ---

#[test]
fn bad_settings_are_refused_with_a_reason_and_change_nothing() {
    let mut sim = sim(2, Mode::Async, 1_000);
    let before = sim.config().clone();
    let refuse = |sim: &mut Simulation, change: fn(&mut Config)| {
        let mut config = sim.config().clone();
        change(&mut config);
        sim.apply(Command::Configure(config)).unwrap_err().to_string()
    };
    assert_eq!(refuse(&mut sim, |c| c.replicas = 9), "replicas must be between 0 and 8, got 9");
    assert_eq!(refuse(&mut sim, |c| c.lag_ms = 60_001), "lag must be between 0 and 60000 ms, got 60001");
    assert_eq!(
        refuse(&mut sim, |c| c.quorum = Quorum::First(3)),
        "quorum first-3 waits for 3 replicas but the cluster has only 2 replicas"
    );
    assert_eq!(refuse(&mut sim, |c| c.capacity = 0), "capacity must be between 1 and 1000000 ops/s, got 0");
    assert_eq!(refuse(&mut sim, |c| c.seed = 5), "the seed can only change by starting a new run");
    assert_eq!(sim.apply(Command::Crash(NodeRef::Replica(3))).unwrap_err().to_string(), "there is no replica-3");
    assert_eq!(
        sim.apply(Command::Restart(NodeRef::Replica(1))).unwrap_err().to_string(),
        "pg-2 (replica-1) is already up"
    );
    assert_eq!(
        sim.apply(Command::CutLink(NodeRef::Master)).unwrap_err().to_string(),
        "that applies to replicas only, not the master"
    );
    assert_eq!(
        "fastest".parse::<Policy>().unwrap_err().to_string(),
        "policy must be one of round-robin, random, weighted, least-ops, least-lag, got \"fastest\""
    );
    assert_eq!(sim.config(), &before);
    assert_eq!(sim.replicas().len(), 2);
    assert!(Simulation::new(Config { replicas: 9, ..base() }).is_err());
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
    assert!(middle.latency_quantile(0.99).unwrap() >= middle.latency_quantile(0.5).unwrap());
    advance(&mut sim, 600_000);
    assert_eq!(sim.metrics().buckets().count(), replication_model::metrics::WINDOW);
}
