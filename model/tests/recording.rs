//! Rewinding replays: the run at any earlier moment is rebuilt exactly, playing forward again
//! gives the recorded future, and acting in the past forks it.

use replication_model::config::{Config, Mode};
use replication_model::recording::{MAX_CHECKPOINTS, Recording};
use replication_model::time::Time;
use replication_model::{Command, NodeRef, Simulation};

fn ms(ms: u64) -> Time {
    Time::from_millis(ms)
}

/// A recorded run of 30 s with clicks, setting changes and failures; returns the recording,
/// the run, and the fingerprint at every whole second.
fn recorded_run() -> (Recording, Simulation, Vec<u64>) {
    let config = Config { replicas: 3, rate: 300, jitter_ms: 20, lag_ms: 400, seed: 11, ..Config::default() };
    let (mut recording, mut sim) = Recording::new(config, Vec::new()).unwrap();
    let mut fingerprints = vec![sim.fingerprint()];
    for second in 1..=30_u64 {
        let command = match second % 6 {
            0 => Some(Command::WriteRandom { client: 0 }),
            1 => Some(Command::ReadLastWritten { client: 0 }),
            2 if second == 8 => Some(Command::Crash(NodeRef::Replica(2))),
            2 if second == 20 => Some(Command::Restart(NodeRef::Replica(2))),
            3 => {
                let mut changed = sim.config().clone();
                changed.mode = if changed.mode == Mode::Async { Mode::Sync } else { Mode::Async };
                Some(Command::Configure(changed.into()))
            }
            _ => None,
        };
        recording.advance(&mut sim, ms(second * 1_000 - 500));
        if let Some(command) = command {
            recording.record(&mut sim, command).unwrap();
        }
        recording.advance(&mut sim, ms(second * 1_000));
        fingerprints.push(sim.fingerprint());
    }
    (recording, sim, fingerprints)
}

#[test]
fn seeking_rebuilds_every_earlier_moment_exactly() {
    let (mut recording, _, fingerprints) = recorded_run();
    for second in [0, 1, 7, 8, 13, 21, 29, 30, 4, 0] {
        assert_eq!(recording.seek(ms(second * 1_000)).fingerprint(), fingerprints[second as usize], "at {second} s");
    }
}

#[test]
fn playing_forward_after_a_rewind_gives_the_recorded_future() {
    let (mut recording, end, _) = recorded_run();
    let mut sim = recording.seek(ms(9_300));
    recording.advance(&mut sim, ms(30_000));
    assert_eq!(sim.fingerprint(), end.fingerprint());
    assert_eq!(recording.furthest(), ms(30_000));
}

#[test]
fn acting_in_the_past_forks_the_run() {
    let (mut recording, end, fingerprints) = recorded_run();
    let mut sim = recording.seek(ms(10_000));
    recording.record(&mut sim, Command::Crash(NodeRef::Master)).unwrap();
    assert_eq!(recording.furthest(), ms(10_000), "the old future is gone");
    assert!(recording.script().iter().all(|(at, _)| *at <= ms(10_000)));
    recording.advance(&mut sim, ms(30_000));
    assert_ne!(sim.fingerprint(), end.fingerprint());
    // The past before the fork is untouched.
    assert_eq!(recording.seek(ms(9_000)).fingerprint(), fingerprints[9]);
}

#[test]
fn a_refused_command_is_not_recorded() {
    let (mut recording, mut sim) = Recording::new(Config::default(), Vec::new()).unwrap();
    recording.advance(&mut sim, ms(100));
    assert!(recording.record(&mut sim, Command::Restart(NodeRef::Master)).is_err());
    assert!(recording.script().is_empty());
}

#[test]
fn settings_changed_before_anything_happens_become_the_start() {
    let (mut recording, mut sim) = Recording::new(Config::default(), Vec::new()).unwrap();
    let changed = Config { replicas: 5, ..Config::default() };
    recording.record(&mut sim, Command::Configure(changed.clone().into())).unwrap();
    assert!(recording.script().is_empty());
    assert_eq!(recording.start(), &changed);
    assert_eq!(sim.replicas().len(), 5);
}

#[test]
fn a_script_runs_its_commands_at_their_moments() {
    let script = vec![(ms(100), Command::WriteRandom { client: 0 }), (ms(300), Command::ReadLastWritten { client: 0 })];
    let (mut recording, mut sim) = Recording::new(Config { lag_ms: 1_000, ..Config::default() }, script).unwrap();
    recording.advance(&mut sim, ms(250));
    assert_eq!(sim.stats().writes_issued, 1);
    assert_eq!(sim.stats().reads_issued, 0);
    recording.advance(&mut sim, ms(500));
    assert_eq!(sim.stats().stale_reads, 1);
}

#[test]
fn seeking_back_in_a_long_run_rebuilds_the_same_moment_from_a_bounded_set_of_checkpoints() {
    let config = Config { rate: 100, ..Config::default() };
    let (mut recording, mut sim) = Recording::new(config.clone(), Vec::new()).unwrap();
    recording.advance(&mut sim, ms(3_600_000));
    assert!(recording.checkpoint_count() <= MAX_CHECKPOINTS, "{} checkpoints", recording.checkpoint_count());
    let back = recording.seek(ms(1_800_000));
    let mut straight = Simulation::new(config).unwrap();
    straight.run_until(ms(1_800_000));
    assert_eq!(back.fingerprint(), straight.fingerprint());
}

#[test]
fn a_replay_in_slices_of_work_is_the_same_run_and_tells_refused_commands_once() {
    let (recording, _, fingerprints) = recorded_run();
    let mut script = recording.script().to_vec();
    // A command the model refuses when its moment comes: there is no replica 7 of 3.
    script.insert(1, (script[0].0, Command::Crash(NodeRef::Replica(7))));
    let (mut sliced, mut sim) = Recording::new(recording.start().clone(), script).unwrap();
    let mut slices = 0;
    loop {
        let mut work = 500;
        let before = sim.events_processed();
        let reached = sliced.advance_within(&mut sim, ms(30_000), &mut work);
        assert!(sim.events_processed() - before <= 500, "a slice did no more work than it was given");
        slices += 1;
        if reached {
            break;
        }
    }
    assert!(slices > 20, "the run took {slices} slices");
    assert_eq!(sim.fingerprint(), fingerprints[30], "the same run as one advance gives");
    let refused = sliced.take_refused();
    assert_eq!(refused.len(), 1);
    assert_eq!((refused[0].number, refused[0].command.to_string()), (2, "crash replica-7".to_string()));
    assert_eq!(refused[0].reason.to_string(), "there is no replica-7");
    // Rewinding and replaying again does not tell it again.
    let mut again = sliced.seek(ms(100));
    sliced.advance(&mut again, ms(30_000));
    assert!(sliced.take_refused().is_empty());
}

/// The page runs time on in frames (16 ms, or whatever the screen gives) and a link reopens the
/// run in one go: the runs, their charts' samples included, must be the same.
#[test]
fn a_run_is_the_same_whether_its_time_passes_in_frames_or_at_once() {
    for seed in [1, 5, 9] {
        let config = Config { replicas: 2, rate: 200, lag_ms: 300, seed, ..Config::default() };
        let mut framed = Simulation::new(config.clone()).unwrap();
        let mut at_once = Simulation::new(config).unwrap();
        let mut now = 0;
        while now < 5_000 {
            now += 16;
            framed.run_until(ms(now));
        }
        at_once.run_until(ms(now));
        assert_eq!(framed.fingerprint(), at_once.fingerprint(), "seed {seed}");
    }
}
