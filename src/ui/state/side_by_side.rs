//! A second run beside the first: the same seed and commands, one setting changed.

use super::*;

/// A second run beside the first: the same seed and commands, one setting changed.
#[derive(Clone)]
pub struct Comparison {
    pub setting: &'static Setting,
    pub value: String,
    pub sim: Rc<RefCell<Simulation>>,
    pub recording: Rc<RefCell<Recording>>,
}

impl Comparison {
    /// `config` with this run's setting changed.
    pub(super) fn patch(&self, config: &Config) -> Result<Config, Refusal> {
        let mut patched = config.clone();
        settings::apply(&mut patched, self.setting, &self.value)?;
        Ok(patched)
    }

    /// A command as the second run gets it: new settings keep its one difference.
    pub(super) fn patch_command(&self, command: Command) -> Command {
        match command {
            Command::Configure(config) => Command::Configure(self.patch(&config).unwrap_or(config)),
            other => other,
        }
    }
}

impl PlaygroundState {
    /// Starts a second run beside this one with `setting` set to `value`, caught up to now.
    pub(super) fn compare(&mut self, setting: &'static Setting, value: String) {
        let recording = self.recording.borrow();
        let template = Comparison { setting, value, sim: self.sim.clone(), recording: self.recording.clone() };
        let start = match template.patch(recording.start()) {
            Ok(start) => start,
            Err(reason) => {
                drop(recording);
                self.notices.push(format!("cannot run beside with {}={}: {reason}", setting.key, template.value));
                return;
            }
        };
        let actions: Vec<_> =
            recording.script().iter().map(|(at, command)| (*at, template.patch_command(command.clone()))).collect();
        let now = self.sim.borrow().now();
        drop(recording);
        match Recording::new(start, actions) {
            Ok((recording, sim)) => {
                self.comparison = Some(Comparison {
                    sim: Rc::new(RefCell::new(sim)),
                    recording: Rc::new(RefCell::new(recording)),
                    ..template
                });
                self.replay_to(now, !self.paused);
            }
            Err(error) => self.notices.push(format!("cannot run beside: {error}")),
        }
    }
}
