//! A second run beside the first: the same seed and commands, one setting changed.

use super::*;

/// A second run beside the first: the same seed and commands, one setting changed.
pub struct Comparison {
    pub change: Change,
    pub run: Run,
}

/// The one setting a run beside has changed, and its value there.
pub struct Change {
    pub setting: &'static Setting,
    pub value: String,
}

impl Change {
    /// `config` with this setting changed.
    fn patch(&self, config: &Config) -> Result<Config, Refusal> {
        let mut patched = config.clone();
        settings::apply(&mut patched, self.setting, &self.value)?;
        Ok(patched)
    }

    /// A command as the run beside gets it: new settings keep its one difference.
    pub(super) fn patch_command(&self, command: Command) -> Command {
        match command {
            Command::Configure(config) => Command::Configure(self.patch(&config).map_or(config, Box::new)),
            other => other,
        }
    }
}

impl Comparison {
    /// The run beside's simulation as it is now, for drawing.
    pub fn sim(&self) -> &Simulation {
        self.run.sim()
    }

    /// The run beside as a link names it.
    pub fn beside(&self) -> link::Beside {
        link::Beside { key: self.change.setting.key.to_string(), value: self.change.value.clone() }
    }
}

impl PlaygroundState {
    /// Starts a second run beside this one with `setting` set to `value`, caught up to now.
    pub(super) fn compare(&mut self, setting: &'static Setting, value: String) {
        let change = Change { setting, value };
        let recording = self.run.recording();
        let start = match change.patch(recording.start()) {
            Ok(start) => start,
            Err(reason) => {
                self.notices.push(format!("cannot run beside with {}={}: {reason}", setting.key, change.value));
                return;
            }
        };
        let actions: Vec<_> =
            recording.script().iter().map(|(at, command)| (*at, change.patch_command(command.clone()))).collect();
        let now = self.sim().now();
        match Run::new(start, actions) {
            Ok(run) => {
                self.comparison = Some(Comparison { change, run });
                self.replay_to(now, !self.paused);
            }
            Err(error) => self.notices.push(format!("cannot run beside: {error}")),
        }
    }
}
