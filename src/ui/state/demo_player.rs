//! The demo player: a demo step opened, played until its claim comes true, paused there.

use super::*;

/// A demo being shown.
#[derive(Clone, Copy)]
pub struct DemoAt {
    pub demo: &'static Demo,
    /// 1-based.
    pub step: usize,
    /// The user has acted since the step began: the run is no longer the step's alone.
    pub touched: bool,
    /// The step has paused at its claim (and plays on freely from there).
    pub claimed: bool,
}

impl DemoAt {
    pub fn step(&self) -> &'static Step {
        &self.demo.steps[self.step - 1]
    }

    /// How the page stages the step: what to watch, its speed.
    pub fn staging(&self) -> &'static Staging {
        view::staging(self.demo.name, self.step)
    }
}

impl PlaygroundState {
    pub(super) fn open_demo(&mut self, demo: &'static Demo, step: usize) {
        let step = if (1..=demo.steps.len()).contains(&step) {
            step
        } else {
            self.notices.push(format!(
                "demo {} has steps 1 to {}, not {step}; starting at step 1",
                demo.name,
                demo.steps.len()
            ));
            1
        };
        let definition = &demo.steps[step - 1];
        let before = self.config();
        if self.start((definition.config)(), (definition.script)()) {
            if self.demo.is_none() {
                self.settings_before_demo = Some(before);
            }
            let at = DemoAt { demo, step, touched: false, claimed: false };
            self.speed = at.staging().speed;
            self.demo = Some(at);
            self.paused = false;
            if let Some(compare) = &definition.compare {
                let setting = settings::find(compare.key).expect("demos compare settings that exist");
                self.compare(setting, compare.value.to_string());
            }
        }
    }

    /// Plays a demo step on towards `until`, pausing at the moment its claim comes true: the
    /// first instant its pause condition holds, or its settle time.
    pub(super) fn play_to_claim(&mut self, step: &Step, until: Time, budget: &FrameBudget) {
        let until = until.min(step.settle);
        let reached = match step.pause_when {
            Some(holds) => loop {
                let next_event = self.sim().next_event_time();
                let next_command = self.run.recording().next_command_time();
                let next = [next_event, next_command].into_iter().flatten().min().filter(|at| *at <= until);
                let Some(instant) = next else { break self.advance_runs(until, budget, FRAME_WORK_MS) };
                if !self.advance_runs(instant, budget, FRAME_WORK_MS) {
                    break false;
                }
                if holds(self.sim()) {
                    self.claim();
                    return;
                }
            },
            None => self.advance_runs(until, budget, FRAME_WORK_MS),
        };
        if reached && self.sim().now() >= step.settle {
            self.claim();
        }
    }

    /// The demo is gone without being left (a new run or a link replaced it): nothing is given
    /// back.
    pub(super) fn leave_demo_run(&mut self) {
        self.demo = None;
        self.settings_before_demo = None;
    }

    pub(super) fn claim(&mut self) {
        if let Some(demo) = &mut self.demo {
            demo.claimed = true;
            self.paused = true;
        }
    }
}
