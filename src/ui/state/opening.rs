//! What the page opens and shares: a link's session or demo, a new run, and the run's own link
//! (and the address bar's) written again as it changes.

use super::*;

/// The generator's rate when started with none set.
pub(super) const DEFAULT_RATE: u64 = 50;
/// The furthest moment a link opens at: opening replays the run up to the link's moment, which
/// takes a while for a long, busy run.
pub const MAX_OPEN_AT: Time = Time::from_millis(30 * 60 * 1_000);

impl PlaygroundState {
    /// The link that replays this run; in an untouched demo step, the demo's link.
    pub(super) fn link(&self) -> String {
        if let Some(demo) = self.demo.filter(|demo| !demo.touched) {
            return link::demo(demo.demo.name, demo.step);
        }
        let recording = self.run.recording();
        let beside = self.comparison.as_ref().map(Comparison::beside);
        link::session(self.sim().config(), recording.start(), recording.script(), None, beside.as_ref())
    }

    /// Writes the run's link again, and the address bar's, saying so when the link grows too
    /// long for the address bar.
    pub(super) fn relink(&mut self) {
        let was_too_long = self.address != self.fragment;
        self.fragment = self.link().into();
        if self.fragment.len() <= link::MAX_LINK_BYTES {
            self.address = self.fragment.clone();
            return;
        }
        self.address = fragment::to_fragment(&self.config()).into();
        if !was_too_long {
            self.notices.push(format!(
                "this session's link has grown to {} KB, more than an address bar holds well ({} KB): the address bar now keeps only its settings; Export saves the whole session",
                self.fragment.len() / 1_024,
                link::MAX_LINK_BYTES / 1_024
            ));
        }
    }

    /// Replaces the run with a new one of `start` and `script`.
    pub(super) fn start(&mut self, start: Config, script: Vec<(Time, Command)>) -> bool {
        match Run::new(start, script) {
            Ok(run) => {
                let rate = run.sim().config().rate;
                self.last_rate = if rate == 0 { DEFAULT_RATE } else { rate };
                self.run = run;
                self.selected = None;
                self.comparison = None;
                self.replay = None;
                true
            }
            Err(error) => {
                self.notices.push(format!("{error}; the run was not changed"));
                false
            }
        }
    }

    pub(super) fn open(&mut self, opening: Opening) {
        match opening {
            Opening::Session { start, script, at, beside } => {
                if self.start(start, script) {
                    self.leave_demo_run();
                    if let Some(link::Beside { key, value }) = beside {
                        match settings::find(&key) {
                            Some(setting) => self.compare(setting, value),
                            None => self.notices.push(format!("there is no setting \"{key}\" to run beside with")),
                        }
                    }
                    if let Some(mut at) = at {
                        if at > MAX_OPEN_AT {
                            self.notices.push(format!(
                                "the link's moment is {:.0} minutes in; links open at most {} minutes in, so it opens there",
                                at.as_millis_f64() / 60_000.0,
                                MAX_OPEN_AT.as_micros() / 60_000_000
                            ));
                            at = MAX_OPEN_AT;
                        }
                        self.replay_to(at, false);
                    }
                }
            }
            Opening::Demo { name, step } => match demos::find(&name) {
                Some(demo) => self.open_demo(demo, step),
                None => {
                    let names: Vec<&str> = demos::DEMOS.iter().map(|demo| demo.name).collect();
                    self.notices.push(format!("there is no demo \"{name}\"; the demos are {}", names.join(", ")));
                }
            },
        }
    }
}
