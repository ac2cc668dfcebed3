//! Where a read goes: the proxies' policies (ProxySQL, MaxScale), shunning a lagging replica,
//! causal reads, sticky sessions, and MongoDB's read preferences.

mod common;

use common::{advance, base, finished, read, read_as, reads_served, returned_name, send, sim, with, write};
use replication_model::config::{Config, Mode, Policy, ReadPref};
use replication_model::{Command, NodeRef, NodeState, Simulation};

#[test]
fn round_robin_spreads_reads_evenly_over_replicas() {
    let mut sim = sim(3, Mode::Async, 100);
    for _ in 0..30 {
        sim.apply(Command::Read { client: 0, key: 101 }).unwrap();
    }
    sim.run_to_quiescence();
    assert_eq!(reads_served(&sim), vec![10, 10, 10]);
    assert_eq!(sim.master().reads_served(), 0, "with replicas, reads are served only from them");
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
        sim.apply(Command::Configure(Config { clients: 2, ..sim.config().clone() }.into())).unwrap();
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
