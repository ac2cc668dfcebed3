//! Random command sequences over many seeds, checked against what must always hold. A failure
//! names the seed that reproduces it.

use replication_playground::sim::config::{Config, Mode};
use replication_playground::sim::rng::SimRng;
use replication_playground::sim::time::Time;
use replication_playground::sim::{Command, Simulation};

const SEEDS: u64 = 300;

/// A random run: writes, reads, waits, and (when `reconfigure`) changes of replicas and lag.
fn random_run(seed: u64, mode: Mode, reconfigure: bool) -> Simulation {
    let mut choices = SimRng::new(seed ^ 0x5eed);
    let replicas = choices.below(9) as usize;
    let lag_ms = choices.below(2_000);
    let mut sim = Simulation::new(Config {
        replicas,
        mode,
        lag_ms,
        seed,
    })
    .expect("valid config");
    for _ in 0..choices.below(80) {
        let command = match choices.below(10) {
            0..=3 => Command::WriteRandom,
            4..=7 => Command::ReadLastWritten,
            8 if reconfigure => Command::SetReplicas(choices.below(9) as usize),
            9 if reconfigure => Command::SetLag(choices.below(2_000)),
            _ => Command::Read { key: 101 },
        };
        sim.apply(command).expect("generated commands are valid");
        let until = sim.now() + Time::from_millis(choices.below(300));
        sim.run_until(until);
    }
    sim.run_to_quiescence();
    sim
}

#[test]
fn replicas_converge_and_every_request_completes() {
    for seed in 0..SEEDS {
        for mode in Mode::ALL {
            let sim = random_run(seed, mode, true);
            let stats = sim.stats();
            assert_eq!(
                stats.writes_acked, stats.writes_issued,
                "seed {seed} {mode}: unacknowledged writes"
            );
            assert_eq!(
                stats.reads_completed, stats.reads_issued,
                "seed {seed} {mode}: unanswered reads"
            );
            assert_eq!(sim.in_flight().count(), 0, "seed {seed} {mode}");
            assert_eq!(
                sim.master().committed_lsn(),
                sim.master().last_lsn(),
                "seed {seed} {mode}"
            );
            for (index, replica) in sim.replicas().iter().enumerate() {
                assert_eq!(
                    replica.applied_lsn(),
                    sim.master().last_lsn(),
                    "seed {seed} {mode}: replica {index} behind"
                );
                assert_eq!(
                    replica.table(),
                    sim.master().table(),
                    "seed {seed} {mode}: replica {index} differs"
                );
            }
        }
    }
}

#[test]
fn sync_replication_never_serves_a_stale_read() {
    for seed in 0..SEEDS {
        let sim = random_run(seed, Mode::Sync, true);
        assert_eq!(sim.stats().stale_reads, 0, "seed {seed}");
    }
}

#[test]
fn async_replication_with_lag_does_serve_stale_reads() {
    let stale: u64 = (0..SEEDS)
        .map(|seed| random_run(seed, Mode::Async, false).stats().stale_reads)
        .sum();
    assert!(stale > 0, "no seed produced a stale read under async");
}
