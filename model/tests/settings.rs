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
        sim.apply(Command::Configure(config.into())).unwrap_err().to_string()
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

/// The settings table is the one statement of each number setting's range: the config refuses
/// a value just outside it, naming the setting by its link key, and takes the ends; a machine's
/// own capacity and delays are held to the same ranges.
#[test]
fn each_number_settings_range_is_the_tables_and_the_config_keeps_to_it() {
    use replication_model::settings::{Input, SETTINGS, apply_in_range};
    let mut checked = 0;
    for setting in SETTINGS {
        let Input::Number { min, max, .. } = setting.input else { continue };
        let mut config = Config::default();
        for end in [min, max] {
            apply_in_range(&mut config, setting, &end.to_string())
                .unwrap_or_else(|refusal| panic!("{} refused its own end {end}: {refusal}", setting.key));
        }
        let outside = [min.checked_sub(1), max.checked_add(1)];
        for value in outside.into_iter().flatten() {
            let mut config = Config::default();
            (setting.set)(&mut config, &value.to_string()).expect("a whole number parses");
            let refusal = config.validate().expect_err("outside the table's range").to_string();
            assert!(refusal.starts_with(&format!("{} must be between {min} and {max}", setting.key)), "{refusal}");
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked} ends checked");
    let mut sim = sim(2, Mode::Async, 1_000);
    let refused = |sim: &mut Simulation, command| sim.apply(command).unwrap_err().to_string();
    assert_eq!(
        refused(&mut sim, Command::SetCapacity(NodeRef::Replica(1), 0)),
        "capacity must be between 1 and 1000000 ops/s, got 0"
    );
    assert_eq!(
        refused(&mut sim, Command::SetApplyDelay(NodeRef::Replica(1), 60_001)),
        "apply delay must be between 0 and 60000 ms, got 60001"
    );
    assert_eq!(
        refused(&mut sim, Command::SetDistance(NodeRef::Master, 60_001)),
        "distance must be between 0 and 60000 ms, got 60001"
    );
}
