//! Failures as PostgreSQL has them: timelines after a failover (diverged nodes, pg_rewind, a
//! new base backup), WAL retention (`wal_keep_size`, replication slots), and a master crash
//! under `off`.

mod common;

use common::{advance, base, finished, name, read, replica_applied, send, sim, with, write};
use replication_model::config::{Config, Mode, Quorum};
use replication_model::events::EventKind;
use replication_model::node::Follow;
use replication_model::{Command, NodeRef, NodeState, Simulation};

fn node(sim: &Simulation, number: usize) -> &replication_model::node::Node {
    sim.node(sim.resolve(NodeRef::Replica(number)).unwrap())
}

fn writes(sim: &mut Simulation, count: u64) {
    for index in 0..count {
        write(sim, 102 + index % 5, &format!("w{index}"));
        advance(sim, 1);
    }
    advance(sim, 10);
}

/// Ann everywhere; Bob acknowledged while pg-2 is down, so only the master and pg-3 have it;
/// the master crashes and pg-2 is promoted.
fn promote_the_replica_that_missed_bob(sim: &mut Simulation) {
    write(sim, 101, "Ann");
    advance(sim, 50);
    sim.apply(Command::Crash(NodeRef::Replica(1))).unwrap();
    write(sim, 101, "Bob");
    advance(sim, 50);
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    sim.apply(Command::Restart(NodeRef::Replica(1))).unwrap();
    sim.apply(Command::Promote(Some(NodeRef::Replica(1)))).unwrap();
}

#[test]
fn a_replica_that_received_more_than_the_promoted_one_diverges_and_serves_its_rows_until_rebuilt() {
    let mut sim = with(Config { replicas: 2, mode: Mode::Async, lag_ms: 10, ..base() });
    promote_the_replica_that_missed_bob(&mut sim);
    assert_eq!(sim.stats().lost_writes, 1, "Bob was acknowledged and is not in pg-2's history");
    let pg3 = node(&sim, 2);
    assert_eq!(pg3.follow(), Follow::Diverged { fork: 1 });
    assert_eq!(common::name(pg3.data(), 101), "Bob", "it keeps the lost row and serves it");
    assert_eq!(sim.state(sim.resolve(NodeRef::Replica(2)).unwrap()), NodeState::Diverged);
    let refused = |machine: &str| {
        sim.events().any(|event| {
            event.describe()
                == format!("{machine} refuses to follow: timeline 2 forked off its history at LSN 1 and it has 1 more (rewind or rebuild it)")
        })
    };
    assert!(refused("pg-3 (replica 2)"), "the replica that received Bob");
    assert!(refused("pg-1 (old master)"), "and the old master, which logged it");
    write(&mut sim, 103, "Cy");
    advance(&mut sim, 50);
    assert_eq!(node(&sim, 2).positions().applied, 2, "it streams nothing from the new master");
    sim.apply(Command::Rebuild(NodeRef::Replica(2))).unwrap();
    advance(&mut sim, 50);
    let pg3 = node(&sim, 2);
    assert_eq!(
        (pg3.follow(), common::name(pg3.data(), 101), common::name(pg3.data(), 103)),
        (Follow::Streaming, "Ann".into(), "Cy".into())
    );
}

#[test]
fn rewind_is_refused_once_the_master_no_longer_has_the_wal_since_the_fork() {
    let mut sim = with(Config { replicas: 2, lag_ms: 10, wal_keep: 5, ..base() });
    promote_the_replica_that_missed_bob(&mut sim);
    writes(&mut sim, 20);
    let refusal = sim.apply(Command::Rewind(NodeRef::Replica(2))).unwrap_err();
    assert_eq!(
        refusal.to_string(),
        "pg_rewind needs the master's WAL since the fork at LSN 1, and it keeps only LSN 17 on (wal_keep): rebuild pg-3 (replica 2) instead"
    );
}

#[test]
fn automatic_rewind_models_a_failover_manager_that_rewinds() {
    let mut sim = with(Config { replicas: 2, lag_ms: 500, failover_ms: 300, auto_rewind: true, ..base() });
    write(&mut sim, 101, "Ann");
    advance(&mut sim, 100);
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    advance(&mut sim, 1_000);
    let old = sim.replicas().into_iter().find(|(_, node)| node.deposed()).map(|(id, _)| id).unwrap();
    let old_name = sim.role(old);
    sim.apply(Command::Restart(old_name)).unwrap();
    advance(&mut sim, 1_000);
    assert!(sim.events().any(|event| matches!(event.kind, EventKind::Rewound { fork: 0, .. })));
    assert_eq!(sim.node(old).data(), sim.committed(), "the old master follows the new one");
}

/// The case: async, a lag of a second, the master crashes with two writes no replica
/// has; after the failover the new master's followers apply everything it logs, and yet it
/// keeps its newest `wal_keep` entries (PostgreSQL's `wal_keep_size`), so the old master, back
/// 1.75 s later, is rewound and follows the new timeline.
#[test]
fn the_master_keeps_its_newest_wal_keep_entries_however_far_followers_applied() {
    let mut sim = with(Config { replicas: 2, lag_ms: 1_000, auto_rewind: true, wal_keep: 20_000, ..base() });
    let at = |sim: &mut Simulation, ms: u64| sim.run_until(replication_model::time::Time::from_millis(ms));
    write(&mut sim, 102, "a");
    at(&mut sim, 50);
    write(&mut sim, 102, "b");
    at(&mut sim, 100);
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    sim.apply(Command::Promote(None)).unwrap();
    at(&mut sim, 150);
    write(&mut sim, 102, "c");
    at(&mut sim, 200);
    write(&mut sim, 102, "d");
    at(&mut sim, 1_700);
    write(&mut sim, 107, "e");
    at(&mut sim, 1_750);
    let old = sim.replicas().into_iter().find(|(_, node)| node.deposed()).map(|(id, _)| id).unwrap();
    assert_eq!(sim.wal_kept_from(), 1, "every entry of the new timeline is kept");
    sim.apply(Command::Restart(sim.role(old))).unwrap();
    advance(&mut sim, 2_000);
    assert!(
        sim.events().any(|event| matches!(event.kind, EventKind::Rewound { fork: 0, .. })),
        "{:?}",
        sim.events().map(|event| event.describe()).collect::<Vec<_>>()
    );
    assert_eq!(sim.node(old).follow(), Follow::Streaming);
    assert_eq!(name(sim.node(old).data(), 102), "d", "it serves the new master's row, not its own 'b'");
}

/// Past `wal_keep` the WAL since the fork is gone: a failover manager that rewinds cannot, and
/// the cluster log says why and what would do (a rebuild); so does the node's refusal.
#[test]
fn a_refused_automatic_rewind_is_told_in_the_cluster_log() {
    let mut sim = with(Config { replicas: 2, lag_ms: 10, wal_keep: 5, auto_rewind: true, ..base() });
    promote_the_replica_that_missed_bob(&mut sim);
    writes(&mut sim, 20);
    let old = sim.replicas().into_iter().find(|(_, node)| node.deposed()).map(|(id, _)| id).unwrap();
    sim.apply(Command::Restart(sim.role(old))).unwrap();
    advance(&mut sim, 100);
    assert!(matches!(sim.node(old).follow(), Follow::Diverged { fork: 1 }));
    let told: Vec<String> = (sim.events())
        .filter(|event| matches!(event.kind, EventKind::RewindRefused { .. }))
        .map(|event| event.describe())
        .collect();
    assert_eq!(
        told,
        [
            "pg-1 (old master) stays diverged: the automatic rewind was refused: pg_rewind needs the master's WAL since the fork at LSN 1, and it keeps only LSN 17 on (wal_keep): rebuild pg-1 (old master) instead"
        ]
    );
    assert_eq!(
        sim.rewind_impossible(old).map(|refusal| refusal.to_string()),
        told[0].split_once("refused: ").map(|(_, why)| why.to_string())
    );
}

#[test]
fn without_a_slot_a_replica_down_past_wal_keep_is_stranded_until_rebuilt() {
    let mut sim = with(Config { replicas: 2, lag_ms: 5, wal_keep: 10, ..base() });
    sim.apply(Command::Crash(NodeRef::Replica(1))).unwrap();
    writes(&mut sim, 30);
    sim.apply(Command::Restart(NodeRef::Replica(1))).unwrap();
    advance(&mut sim, 100);
    assert_eq!(node(&sim, 1).follow(), Follow::WalRemoved);
    assert_eq!(node(&sim, 1).positions().applied, 0);
    assert!(sim.events().any(|event| matches!(event.kind, EventKind::WalRemoved { lsn: 1, .. })));
    sim.apply(Command::Rebuild(NodeRef::Replica(1))).unwrap();
    advance(&mut sim, 100);
    assert_eq!(node(&sim, 1).positions().applied, 30);
}

#[test]
fn with_slots_the_master_keeps_the_wal_a_down_replica_needs_and_shows_it_growing() {
    let mut sim = with(Config { replicas: 2, lag_ms: 5, wal_keep: 10, slots: true, ..base() });
    sim.apply(Command::Crash(NodeRef::Replica(1))).unwrap();
    writes(&mut sim, 30);
    let pg2 = sim.resolve(NodeRef::Replica(1)).unwrap();
    assert_eq!(sim.slot_retained(), Some((pg2, 20)), "30 entries behind, 10 kept anyway");
    writes(&mut sim, 10);
    assert_eq!(sim.slot_retained(), Some((pg2, 30)), "growing while it is down");
    sim.apply(Command::Restart(NodeRef::Replica(1))).unwrap();
    advance(&mut sim, 100);
    assert_eq!((node(&sim, 1).follow(), node(&sim, 1).positions().applied), (Follow::Streaming, 40));
    assert_eq!(sim.slot_retained().map(|(_, kept)| kept), Some(0));
    assert_eq!(
        sim.apply(Command::Rewind(NodeRef::Replica(1))).unwrap_err().to_string(),
        "pg-2 (replica 1) has not diverged: there is nothing to rewind"
    );
}

#[test]
fn session_guarantees_compare_writes_not_numbers_a_new_timeline_reuses() {
    use replication_model::config::ReadPref;
    let config = Config { replicas: 2, lag_ms: 1_000, read_pref: ReadPref::Primary, clients: 2, ..base() };
    let mut sim = with(config);
    let write_as = |sim: &mut Simulation, name: &str| {
        sim.apply(Command::Write { client: 0, key: 101, name: name.into() }).unwrap();
        advance(sim, 20);
    };
    write_as(&mut sim, "v1");
    write_as(&mut sim, "v2");
    assert!(!common::read_as(&mut sim, 1, 101).monotonic_violation);
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    sim.apply(Command::Promote(None)).unwrap();
    assert_eq!(sim.stats().lost_writes, 2, "the replicas had neither");
    // A read issued the very moment the last one was answered would count as concurrent with it.
    advance(&mut sim, 1);
    // Client 1 saw v2, which is gone: a read now goes back in time, and that is a violation.
    assert!(common::read_as(&mut sim, 1, 101).monotonic_violation, "no violation may be missed");
    // Client 0 writes again on the new timeline (the same LSN 1 and version 1 as its lost
    // first write) and reads its own newest write: no violation.
    write_as(&mut sim, "v3");
    let own = common::read_as(&mut sim, 0, 101);
    assert_eq!(common::returned_name(&own).as_deref(), Some("v3"));
    assert!(!own.ryw_violation, "it read its own newest write");
    let other = common::read_as(&mut sim, 1, 101);
    assert!(!other.monotonic_violation, "v3 was written after the v2 it saw");
    assert_eq!(sim.stats().ryw_violations, 0);
    assert_eq!(sim.stats().monotonic_violations, 1);
}

#[test]
fn a_causal_read_after_a_failover_waits_only_for_the_clients_new_write() {
    use replication_model::config::ReadPref;
    let config = Config {
        replicas: 2,
        lag_ms: 100,
        causal_reads: true,
        causal_timeout_ms: 5_000,
        read_pref: ReadPref::Secondary,
        ..base()
    };
    let mut sim = with(config);
    sim.apply(Command::CutLink(NodeRef::Replica(1))).unwrap();
    sim.apply(Command::CutLink(NodeRef::Replica(2))).unwrap();
    // Two writes the replicas never get (LSN 1 and 2 on timeline 1), then one on the new
    // timeline (LSN 1 on timeline 2): its token is the new write's, not the larger lost LSN.
    write(&mut sim, 101, "lost 1");
    write(&mut sim, 101, "lost 2");
    advance(&mut sim, 20);
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    sim.apply(Command::Promote(Some(NodeRef::Replica(1)))).unwrap();
    write(&mut sim, 101, "new");
    advance(&mut sim, 500);
    let id = common::send(&mut sim, Command::Read { client: 0, key: 101 });
    advance(&mut sim, 50);
    let read = common::finished(&sim, id);
    assert_eq!(common::returned_name(&read).as_deref(), Some("new"), "served at once by a replica that has it");
    assert!(read.latency().unwrap() < replication_model::time::Time::from_millis(50));
}

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
    let old_name = sim.role(old);
    assert_eq!(sim.node(old).follow(), Follow::Diverged { fork: 1 });
    sim.apply(Command::Restart(old_name)).unwrap();
    sim.run_to_quiescence();
    assert_eq!(name(sim.node(old).data(), 102), "Unshipped", "it still serves the lost write");
    assert_eq!(sim.state(old), NodeState::Diverged);
    sim.apply(Command::Rewind(old_name)).unwrap();
    sim.run_to_quiescence();
    assert!(sim.events().any(|event| matches!(&event.kind, EventKind::Rewound { fork: 1, .. })));
    assert_eq!(sim.node(old).data(), sim.committed());
    assert_eq!(sim.node(old).follow(), Follow::Streaming);
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
            .any(|event| event.kind == EventKind::Promoted { node: "pg-3 (replica 2)".into(), lsn: 1, timeline: 2 })
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

/// Over many seeded runs with traffic, a master crash, an automatic failover and the old master
/// back some time later: with fewer writes since the fork than `wal_keep`, the automatic rewind
/// always finds the WAL it needs and the old master follows the new one.
#[test]
fn within_wal_keep_an_automatic_rewind_is_never_refused() {
    let mut refused = Vec::new();
    for seed in 0..200 {
        let config = Config {
            replicas: 2,
            lag_ms: 1_000,
            jitter_ms: 50,
            rate: 60,
            clients: 3,
            failover_ms: 300,
            auto_rewind: true,
            seed,
            ..base()
        };
        let mut sim = with(config);
        advance(&mut sim, 500 + seed * 7 % 900);
        sim.apply(Command::Crash(NodeRef::Master)).unwrap();
        advance(&mut sim, 1_000 + seed * 13 % 2_000);
        let Some(old) = sim.replicas().into_iter().find(|(_, node)| node.deposed()).map(|(id, _)| id) else {
            continue;
        };
        sim.apply(Command::Restart(sim.role(old))).unwrap();
        advance(&mut sim, 3_000);
        if sim.events().any(|event| matches!(event.kind, EventKind::RewindRefused { .. }))
            || sim.node(old).follow() != Follow::Streaming
        {
            refused.push(seed);
        }
    }
    assert!(refused.is_empty(), "the old master did not follow in seeds {refused:?}");
}

/// After a failover the old master, still down, is the old master, not a replica: the log names
/// it so, and the new master ships it nothing (it has no replication connection) until it is
/// back, when it rejoins as a replica and catches up from the log.
#[test]
fn a_down_old_master_is_named_the_old_master_and_is_shipped_nothing_until_it_rejoins() {
    let mut sim = with(Config { replicas: 2, mode: Mode::Sync, lag_ms: 10, ..base() });
    write(&mut sim, 101, "Ann");
    advance(&mut sim, 100);
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    sim.apply(Command::Promote(Some(NodeRef::Replica(1)))).unwrap();
    let old = sim.replicas().into_iter().find(|(_, node)| node.deposed()).map(|(id, _)| id).expect("the old master");
    assert_eq!(sim.label(old), "pg-1 (old master)");
    write(&mut sim, 102, "Bob");
    let shipped_to_old =
        sim.messages().any(|(_, message)| message.to == replication_model::network::Endpoint::Node(old));
    assert!(!shipped_to_old, "nothing travels to a down machine");
    advance(&mut sim, 100);
    sim.apply(Command::Restart(sim.role(old))).unwrap();
    advance(&mut sim, 100);
    assert_eq!(sim.label(old), "pg-1 (replica 1)", "back, it follows the new master as a replica");
    assert_eq!(name(sim.node(old).data(), 102), "Bob", "and caught up from the log");
}

#[test]
fn a_diverged_old_master_serving_reads_is_named_the_old_master_in_the_request_log() {
    let mut sim = with(Config { replicas: 2, lag_ms: 10, ..base() });
    sim.apply(Command::CutLink(NodeRef::Replica(1))).unwrap();
    sim.apply(Command::CutLink(NodeRef::Replica(2))).unwrap();
    write(&mut sim, 101, "Ann");
    advance(&mut sim, 100);
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    sim.apply(Command::Promote(Some(NodeRef::Replica(1)))).unwrap();
    let old = sim.replicas().into_iter().find(|(_, node)| node.deposed()).map(|(id, _)| id).expect("the old master");
    sim.apply(Command::Restart(sim.role(old))).unwrap();
    advance(&mut sim, 100);
    assert_eq!(sim.state(old), NodeState::Diverged, "it has a write the new master never got");
    for _ in 0..20 {
        sim.apply(Command::Read { client: 0, key: 102 }).unwrap();
        advance(&mut sim, 50);
    }
    let served: Vec<String> = sim
        .recent()
        .filter(|record| record.is_read() && record.machine == Some(old))
        .filter_map(|record| record.served_where())
        .collect();
    assert!(!served.is_empty(), "the diverged old master served reads");
    assert!(served.iter().all(|words| words == "pg-1 (old master)"), "{served:?}");
}
