//! A second run beside the first: the same seed and commands, one setting changed.

use super::*;

/// A second run beside the first: the same seed and commands, one setting changed.
#[derive(Clone)]
pub struct Comparison {
    pub setting: &'static Setting,
    pub value: String,
    pub run: Rc<RefCell<Run>>,
}

impl Comparison {
    /// The second run's simulation as it is now, for drawing.
    pub fn sim(&self) -> Ref<'_, Simulation> {
        Ref::map(self.run.borrow(), Run::sim)
    }

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
        let run = self.run.borrow();
        let template = Comparison { setting, value, run: self.run.clone() };
        let start = match template.patch(run.recording().start()) {
            Ok(start) => start,
            Err(reason) => {
                drop(run);
                self.notices.push(format!("cannot run beside with {}={}: {reason}", setting.key, template.value));
                return;
            }
        };
        let script = run.recording().script();
        let actions: Vec<_> =
            script.iter().map(|(at, command)| (*at, template.patch_command(command.clone()))).collect();
        let now = run.sim().now();
        drop(run);
        match Run::new(start, actions) {
            Ok(run) => {
                self.comparison = Some(Comparison { run: Rc::new(RefCell::new(run)), ..template });
                self.replay_to(now, !self.paused);
            }
            Err(error) => self.notices.push(format!("cannot run beside: {error}")),
        }
    }
}
