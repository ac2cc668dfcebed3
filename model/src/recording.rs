//! A run as a script: the settings it started with and every command with the moment it was
//! given. Because the model is deterministic, replaying the script gives the same run, so the
//! recording can rewind to any earlier moment (from the nearest checkpoint), play forward
//! again (re-applying the commands that were given later), and fork when a command is given
//! in the past.

use crate::Refusal;
use crate::config::Config;
use crate::time::Time;
use crate::{Command, Simulation};

/// Events from one checkpoint to the next. Spaced by work, not by simulated time: going to any
/// moment replays at most the events since the checkpoint before it, however busy the run is,
/// and a quiet run keeps few copies.
pub const CHECKPOINT_WORK: u64 = 100_000;
/// Checkpoints kept at most. A copy of a run at 2,000 requests/s over 8 replicas holds ~160 KB
/// while copies are under a minute apart (they share the metrics' closed buckets;
/// tests/memory.rs), ~250 KB further apart, so they stay under ~40-64 MB. When there are more,
/// the one whose neighbours
/// are closest is dropped, so the gaps stay even: none is more than twice the average, which at
/// that load is ~110,000 events after 30 simulated minutes.
pub const MAX_CHECKPOINTS: usize = 256;

#[derive(Clone)]
pub struct Recording {
    start: Config,
    /// Commands with the moment they were given, in order.
    script: Vec<(Time, Command)>,
    /// How many of the script's commands the current run has given.
    applied: usize,
    /// Copies of the run, oldest first, each with how many of the script's commands it had applied.
    checkpoints: Vec<(Simulation, usize)>,
    /// Events from one checkpoint to the next.
    spacing: u64,
    /// The latest moment the run has reached.
    furthest: Time,
    /// Commands of the script the model refused when their moment came, not yet taken.
    refused: Vec<Refused>,
    /// How many of the script's commands have been replayed at least once: a refusal is told only the
    /// first time, not again on every rewind.
    replayed: usize,
}

/// A scripted command (from a link, a file or a demo) that the model refused at its moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refused {
    /// Its place in the script, from 1.
    pub number: usize,
    pub at: Time,
    pub command: Command,
    pub reason: Refusal,
}

impl Recording {
    /// A new run of `start`, with commands to give at the moments listed (a demo's script).
    pub fn new(start: Config, script: Vec<(Time, Command)>) -> Result<(Recording, Simulation), Refusal> {
        let sim = Simulation::new(start.clone())?;
        let recording = Recording {
            start,
            script,
            applied: 0,
            checkpoints: vec![(sim.clone(), 0)],
            spacing: CHECKPOINT_WORK,
            furthest: Time::ZERO,
            refused: Vec::new(),
            replayed: 0,
        };
        Ok((recording, sim))
    }

    pub fn start(&self) -> &Config {
        &self.start
    }

    pub fn script(&self) -> &[(Time, Command)] {
        &self.script
    }

    /// How many copies of the run are kept to rewind from.
    pub fn checkpoint_count(&self) -> usize {
        self.checkpoints.len()
    }

    /// When the next recorded command is due, if any is left to give.
    pub fn next_command_time(&self) -> Option<Time> {
        self.script.get(self.applied).map(|(at, _)| *at)
    }

    pub fn furthest(&self) -> Time {
        self.furthest
    }

    /// Gives a command now. A refused one changes nothing. Given in the past (after a rewind),
    /// it forks the run: what was recorded after this moment is discarded.
    pub fn record(&mut self, sim: &mut Simulation, command: Command) -> Result<(), Refusal> {
        // Settings changed before anything happened become the run's starting settings, so a
        // link to them stays a plain link.
        if let Command::Configure(config) = &command
            && self.script.is_empty()
            && sim.now() == Time::ZERO
        {
            let (recording, fresh) = Recording::new((**config).clone(), Vec::new())?;
            *self = recording;
            *sim = fresh;
            return Ok(());
        }
        sim.apply(command.clone())?;
        let now = sim.now();
        self.script.truncate(self.applied);
        // Checkpoints can fall between two events of one instant, so "not after now" is counted
        // in events handled and commands given, not in time.
        let (events, applied) = (sim.events_processed(), self.applied);
        self.checkpoints.retain(|(checkpoint, given)| checkpoint.events_processed() <= events && *given <= applied);
        self.script.push((now, command));
        self.applied = self.script.len();
        self.replayed = self.applied;
        self.furthest = now;
        Ok(())
    }

    /// Runs on to `until`, giving the recorded commands at their moments and keeping
    /// checkpoints on the way.
    pub fn advance(&mut self, sim: &mut Simulation, until: Time) {
        let mut unlimited = u64::MAX;
        self.advance_within(sim, until, &mut unlimited);
    }

    /// Like `advance`, but handles at most `work` events (see `Simulation::run_within`) and
    /// says whether it got to `until`; the next call goes on where this one stopped.
    pub fn advance_within(&mut self, sim: &mut Simulation, until: Time, work: &mut u64) -> bool {
        let reached = loop {
            let next_command = self.script.get(self.applied).map(|(at, _)| *at);
            let stop = next_command.map_or(until, |at| at.min(until));
            // Stop for the next checkpoint too, by its number of events: the run is the same
            // however its work is sliced (`run_within`).
            let checkpoint_due = self.next_checkpoint_events().saturating_sub(sim.events_processed()).max(1);
            let granted = (*work).min(checkpoint_due);
            let mut slice = granted;
            let got_there = sim.run_within(stop, &mut slice);
            *work -= granted - slice;
            if sim.events_processed() >= self.next_checkpoint_events() {
                self.checkpoint(sim);
            }
            if !got_there {
                if *work == 0 {
                    break false;
                }
                continue;
            }
            if next_command == Some(stop) {
                let (at, command) = self.script[self.applied].clone();
                if let Err(reason) = sim.apply(command.clone())
                    && self.applied >= self.replayed
                {
                    self.refused.push(Refused { number: self.applied + 1, at, command, reason });
                }
                self.applied += 1;
                self.replayed = self.replayed.max(self.applied);
                continue;
            }
            break true;
        };
        self.furthest = self.furthest.max(sim.now());
        reached
    }

    /// The scripted commands refused since this was last asked, for the page to tell.
    pub fn take_refused(&mut self) -> Vec<Refused> {
        std::mem::take(&mut self.refused)
    }

    /// How many events the run will have handled at the next checkpoint: the spacing past the
    /// latest one (after a rewind, past the furthest, so replaying adds none on the way).
    fn next_checkpoint_events(&self) -> u64 {
        self.checkpoints.last().map_or(0, |(checkpoint, _)| checkpoint.events_processed()) + self.spacing
    }

    fn checkpoint(&mut self, sim: &Simulation) {
        self.checkpoints.push((sim.clone(), self.applied));
        if self.checkpoints.len() > MAX_CHECKPOINTS {
            // Drop the one (never the first or the newest) whose neighbours are closest: the gap
            // it leaves is the smallest there can be, at most twice the average.
            let events = |index: usize| self.checkpoints[index].0.events_processed();
            let closest = (1..self.checkpoints.len() - 1)
                .min_by_key(|&index| events(index + 1) - events(index - 1))
                .expect("more than two checkpoints");
            self.checkpoints.remove(closest);
        }
    }

    /// The run as it was at `to` (at most the furthest moment reached), rebuilt from the
    /// nearest earlier checkpoint.
    pub fn seek(&mut self, to: Time) -> Simulation {
        let to = to.min(self.furthest);
        let (checkpoint, applied) = self.checkpoint_before(to);
        let mut sim = checkpoint.clone();
        self.applied = applied;
        self.advance(&mut sim, to);
        sim
    }

    /// Makes `sim` the nearest start to replay from towards `to` (which `advance_within` can
    /// then do in slices): `sim` itself if it is at or before `to` and no checkpoint is nearer,
    /// else the last checkpoint at or before `to`.
    pub fn rewind(&mut self, sim: &mut Simulation, to: Time) {
        let (checkpoint, applied) = self.checkpoint_before(to);
        if (checkpoint.now()..=to).contains(&sim.now()) {
            return;
        }
        *sim = checkpoint.clone();
        self.applied = applied;
    }

    fn checkpoint_before(&self, to: Time) -> (&Simulation, usize) {
        let (checkpoint, applied) = self
            .checkpoints
            .iter()
            .rev()
            .find(|(checkpoint, _)| checkpoint.now() <= to)
            .expect("a checkpoint at time zero");
        (checkpoint, *applied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NodeRef;

    #[test]
    fn checkpoints_are_spaced_by_work_and_stay_bounded_and_even() {
        let config = Config { rate: 100, ..Config::default() };
        // Commands along the way, so checkpoints fall between them (and within their instants).
        let script: Vec<(Time, Command)> = (1..=40)
            .map(|n| {
                let command = if n % 2 == 1 {
                    Command::Crash(NodeRef::Replica(1))
                } else {
                    Command::Restart(NodeRef::Replica(1))
                };
                (Time::from_millis(n * 90_000), command)
            })
            .collect();
        let (mut recording, mut sim) = Recording::new(config.clone(), script.clone()).unwrap();
        recording.spacing = 1_000;
        recording.advance(&mut sim, Time::from_millis(3_600_000));
        assert_eq!(recording.checkpoint_count(), MAX_CHECKPOINTS, "full, and no more");
        // Going anywhere replays at most twice the average gap, and rebuilds the same run.
        let average = sim.events_processed() / (MAX_CHECKPOINTS as u64 - 1);
        for minute in [1, 17, 42, 59] {
            let to = Time::from_millis(minute * 60_000);
            let mut there = sim.clone();
            recording.rewind(&mut there, to);
            let from = there.events_processed();
            recording.advance(&mut there, to);
            let replayed = there.events_processed() - from;
            assert!(replayed <= 2 * average, "minute {minute}: {replayed} events replayed, average gap {average}");
            let (mut straight_recording, mut straight) = Recording::new(config.clone(), script.clone()).unwrap();
            straight_recording.advance(&mut straight, to);
            assert_eq!(there.fingerprint(), straight.fingerprint(), "minute {minute}");
        }
    }

    #[test]
    fn a_command_given_in_the_past_drops_the_checkpoints_of_the_future_it_replaces() {
        let (mut recording, mut sim) = Recording::new(Config { rate: 300, ..Config::default() }, Vec::new()).unwrap();
        recording.spacing = 500;
        recording.advance(&mut sim, Time::from_millis(20_000));
        let back = recording.seek(Time::from_millis(7_000));
        let mut forked = back.clone();
        recording.record(&mut forked, Command::Crash(NodeRef::Master)).unwrap();
        let events = forked.events_processed();
        assert!(recording.checkpoints.iter().all(|(checkpoint, _)| checkpoint.events_processed() <= events));
        recording.advance(&mut forked, Time::from_millis(12_000));
        let again = recording.seek(Time::from_millis(12_000));
        assert_eq!(again.fingerprint(), forked.fingerprint(), "seeking in the new future finds it");
        assert!(!again.master().is_up());
    }
}
