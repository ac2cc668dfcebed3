//! One run: the simulation and its recording, which change together (a command recorded is a
//! command applied; rewinding restores the simulation from the recording's checkpoints).

use crate::sim::config::Config;
use crate::sim::recording::{Recording, Refused};
use crate::sim::time::Time;
use crate::sim::{Command, Refusal, Simulation};

pub struct Run {
    sim: Simulation,
    recording: Recording,
}

impl Run {
    /// A run of `start` with `script` recorded, at its start.
    pub fn new(start: Config, script: Vec<(Time, Command)>) -> Result<Run, Refusal> {
        let (recording, sim) = Recording::new(start, script)?;
        Ok(Run { sim, recording })
    }

    pub fn sim(&self) -> &Simulation {
        &self.sim
    }

    pub fn recording(&self) -> &Recording {
        &self.recording
    }

    /// Applies a command now and keeps it in the script; a refused one changes nothing.
    pub fn record(&mut self, command: Command) -> Result<(), Refusal> {
        self.recording.record(&mut self.sim, command)
    }

    /// Runs on towards `until`, the script's commands at their moments, doing at most `work`
    /// events; says whether it got there.
    pub fn advance_within(&mut self, until: Time, work: &mut u64) -> bool {
        self.recording.advance_within(&mut self.sim, until, work)
    }

    /// The script's commands refused since last asked.
    pub fn take_refused(&mut self) -> Vec<Refused> {
        self.recording.take_refused()
    }

    /// Goes back to the last checkpoint before `to` when that is nearer than where it is.
    pub fn rewind(&mut self, to: Time) {
        self.recording.rewind(&mut self.sim, to);
    }
}
