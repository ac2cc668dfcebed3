//! Settings: a bad one is refused with its reason and changes nothing.

mod common;

use common::{base, reconfigure, sim, with};
use replication_model::config::{Config, Mode, Policy, Quorum};
use replication_model::{Command, NodeRef, Simulation};

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
        "pg-2 (replica 1) is already up"
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
fn fewer_clients_let_the_removed_ones_requests_finish() {
    let mut sim = with(Config { clients: 3, ..base() });
    sim.apply(Command::Read { client: 2, key: 102 }).unwrap();
    reconfigure(&mut sim, |config| config.clients = 1);
    sim.run_to_quiescence();
    assert_eq!(sim.stats().reads_completed, 1, "client 3's read came back");
    assert!(sim.apply(Command::Read { client: 2, key: 102 }).is_err(), "client 3 is gone");
    reconfigure(&mut sim, |config| config.clients = 3);
    sim.apply(Command::Read { client: 2, key: 102 }).unwrap();
    sim.run_to_quiescence();
    assert_eq!(sim.stats().reads_completed, 2);
}
