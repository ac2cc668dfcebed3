//! The page's state: the running simulation plus the settings that only concern the page,
//! changed by `Action`s through one reducer.

use std::cell::RefCell;
use std::rc::Rc;

use yew::Reducible;

use super::link::{self, Opening};
use super::settings::{self, Setting};
use crate::demos::{self, Demo, Step};
use crate::sim::config::Config;
use crate::sim::recording::Recording;
use crate::sim::time::Time;
use crate::sim::{Command, NodeRef, Simulation};

/// Playback speeds offered, as multiples of real time.
pub const SPEEDS: [f64; 9] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 20.0];

/// A frame that arrives after a long gap (a tab coming back from the background) advances the
/// run by at most this much real time, so returning costs one bounded step, not a pile-up.
pub const MAX_CATCH_UP_MS: f64 = 250.0;

/// The generator's rate when started with none set.
const DEFAULT_RATE: u64 = 50;
/// The furthest moment a link opens at. Opening replays the run up to the link's moment, and a
/// link is untrusted input that must not freeze the page for long.
pub const MAX_OPEN_AT: Time = Time::from_millis(30 * 60 * 1_000);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

pub enum Action {
    /// Real time passed: advance the simulation by it times the speed, unless paused.
    Tick {
        real_ms: f64,
    },
    Command(Command),
    TogglePause,
    /// Pauses and jumps to the next event.
    Step,
    /// Pauses at an earlier (or later, up to the furthest reached) moment of the run.
    Seek(Time),
    SetSpeed(f64),
    /// One step faster (+1) or slower (-1) along `SPEEDS`.
    NudgeSpeed(i8),
    /// Starts the traffic generator at its last rate, or stops it.
    ToggleGenerator,
    /// Starts a new run from time zero with these settings (a changed seed starts one too).
    NewRun(Config),
    /// Opens what a link asks for, with what was wrong with the link.
    Open(Opening, Vec<String>),
    /// Opens a demo at a step (1-based).
    OpenDemo(&'static Demo, usize),
    LeaveDemo,
    /// Runs a second run beside this one with a setting (and its value) changed, or stops.
    Compare(Option<(&'static Setting, String)>),
    Select(Option<NodeRef>),
    ToggleTheme,
    TogglePresenter,
    ToggleHelp,
    /// Closes the help and deselects the node.
    CloseAll,
    /// Something the user did could not be done, or something worth saying happened.
    Refuse(String),
    DismissNotices,
}

/// A demo being shown.
#[derive(Clone, Copy)]
pub struct DemoAt {
    pub demo: &'static Demo,
    /// 1-based.
    pub step: usize,
    /// The user has acted since the step began: the run is no longer the step's alone.
    pub touched: bool,
}

impl DemoAt {
    pub fn step(&self) -> &'static Step {
        &self.demo.steps[self.step - 1]
    }
}

/// A second run beside the first: the same seed and commands, one setting changed.
#[derive(Clone)]
pub struct Beside {
    pub setting: &'static Setting,
    pub value: String,
    pub sim: Rc<RefCell<Simulation>>,
    pub recording: Rc<RefCell<Recording>>,
}

impl Beside {
    /// `config` with this run's setting changed.
    fn patch(&self, config: &Config) -> Result<Config, String> {
        let mut patched = config.clone();
        settings::apply(&mut patched, self.setting, &self.value)?;
        patched.check_quorum().map_err(|error| error.to_string())?;
        Ok(patched)
    }

    /// A command as the second run gets it: new settings keep its one difference.
    fn patch_command(&self, command: Command) -> Command {
        match command {
            Command::Configure(config) => Command::Configure(self.patch(&config).unwrap_or(config)),
            other => other,
        }
    }

    fn advance_to(&self, until: Time) {
        self.recording.borrow_mut().advance(&mut self.sim.borrow_mut(), until);
    }
}

#[derive(Clone)]
pub struct PlaygroundState {
    /// Shared, not cloned: the reducer mutates it in place and every render reads it.
    pub sim: Rc<RefCell<Simulation>>,
    /// The run as settings plus timed commands, for rewinding and for links.
    pub recording: Rc<RefCell<Recording>>,
    pub demo: Option<DemoAt>,
    pub beside: Option<Beside>,
    pub paused: bool,
    pub speed: f64,
    /// The rate the generator restarts at.
    pub last_rate: u64,
    pub selected: Option<NodeRef>,
    pub theme: Theme,
    pub presenter: bool,
    pub help_open: bool,
    /// Messages for the user: refused settings, a bad link.
    pub notices: Vec<String>,
    /// The link that replays this run (see `link`), kept because writing it encodes every
    /// command: it is rewritten only when the commands or settings change, not every frame.
    pub fragment: Rc<str>,
    /// Bumped on every change so Yew sees a new state even though `sim` is shared.
    revision: u64,
}

impl PlaygroundState {
    /// The page as a link (or a stored session) opens it.
    pub fn new(opening: Opening, notices: Vec<String>, theme: Theme) -> PlaygroundState {
        // The defaults stand until the opening replaces them (or stay if it cannot).
        let (recording, sim) = Recording::new(Config::default(), Vec::new()).expect("defaults are valid");
        let mut state = PlaygroundState {
            sim: Rc::new(RefCell::new(sim)),
            recording: Rc::new(RefCell::new(recording)),
            demo: None,
            beside: None,
            paused: false,
            speed: 1.0,
            last_rate: DEFAULT_RATE,
            selected: None,
            theme,
            presenter: false,
            help_open: false,
            notices,
            fragment: Rc::from(""),
            revision: 0,
        };
        state.open(opening);
        state.fragment = state.link().into();
        state
    }

    pub fn config(&self) -> Config {
        self.sim.borrow().config().clone()
    }

    /// The link that replays this run; in an untouched demo step, the demo's link.
    fn link(&self) -> String {
        if let Some(demo) = self.demo.filter(|demo| !demo.touched) {
            return link::demo(demo.demo.name, demo.step);
        }
        let recording = self.recording.borrow();
        link::session(&self.config(), recording.start(), recording.actions(), None)
    }

    fn apply(&mut self, command: Command) {
        let result = self.recording.borrow_mut().record(&mut self.sim.borrow_mut(), command.clone());
        match result {
            Ok(()) => {
                if let Some(demo) = &mut self.demo {
                    demo.touched = true;
                }
                if let Some(beside) = &self.beside {
                    let command = beside.patch_command(command);
                    if let Err(error) = beside.recording.borrow_mut().record(&mut beside.sim.borrow_mut(), command) {
                        self.notices.push(format!("the run beside refused it: {error}"));
                    }
                }
            }
            Err(error) => self.notices.push(error.to_string()),
        }
    }

    /// Starts a second run beside this one with `setting` set to `value`, caught up to now.
    fn compare(&mut self, setting: &'static Setting, value: String) {
        let recording = self.recording.borrow();
        let template = Beside { setting, value, sim: self.sim.clone(), recording: self.recording.clone() };
        let start = match template.patch(recording.start()) {
            Ok(start) => start,
            Err(reason) => {
                drop(recording);
                self.notices.push(format!("cannot run beside with {}={}: {reason}", setting.key, template.value));
                return;
            }
        };
        let actions: Vec<_> =
            recording.actions().iter().map(|(at, command)| (*at, template.patch_command(command.clone()))).collect();
        let now = self.sim.borrow().now();
        drop(recording);
        match Recording::new(start, actions) {
            Ok((recording, sim)) => {
                let beside =
                    Beside { sim: Rc::new(RefCell::new(sim)), recording: Rc::new(RefCell::new(recording)), ..template };
                beside.advance_to(now);
                self.beside = Some(beside);
            }
            Err(error) => self.notices.push(format!("cannot run beside: {error}")),
        }
    }

    /// Replaces the run with a new one of `start` and `script`.
    fn start(&mut self, start: Config, script: Vec<(Time, Command)>) -> bool {
        match Recording::new(start, script) {
            Ok((recording, sim)) => {
                self.last_rate = if sim.config().rate == 0 { DEFAULT_RATE } else { sim.config().rate };
                self.sim = Rc::new(RefCell::new(sim));
                self.recording = Rc::new(RefCell::new(recording));
                self.selected = None;
                self.beside = None;
                true
            }
            Err(error) => {
                self.notices.push(format!("{error}; the run was not changed"));
                false
            }
        }
    }

    fn open(&mut self, opening: Opening) {
        match opening {
            Opening::Session { start, actions, at } => {
                if self.start(start, actions) {
                    self.demo = None;
                    if let Some(mut at) = at {
                        if at > MAX_OPEN_AT {
                            self.notices.push(format!(
                                "the link's moment is {:.0} minutes in; links open at most {} minutes in, so it opens there",
                                at.as_millis_f64() / 60_000.0,
                                MAX_OPEN_AT.as_micros() / 60_000_000
                            ));
                            at = MAX_OPEN_AT;
                        }
                        let mut sim = self.sim.borrow_mut();
                        self.recording.borrow_mut().advance(&mut sim, at);
                        self.paused = true;
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

    fn open_demo(&mut self, demo: &'static Demo, step: usize) {
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
        if self.start((definition.config)(), (definition.script)()) {
            self.demo = Some(DemoAt { demo, step, touched: false });
            self.paused = false;
            if let Some(compare) = &definition.compare {
                let setting = settings::find(compare.key).expect("demos compare settings that exist");
                self.compare(setting, compare.value.to_string());
            }
        }
    }
}

impl PartialEq for PlaygroundState {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.sim, &other.sim) && self.revision == other.revision
    }
}

impl Reducible for PlaygroundState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        if matches!(action, Action::Tick { .. }) && self.paused {
            return self;
        }
        let ticking = matches!(action, Action::Tick { .. });
        let config_before = ticking.then(|| self.config());
        let mut next = (*self).clone();
        next.revision += 1;
        match action {
            Action::Tick { real_ms } => {
                let simulated_us = real_ms.clamp(0.0, MAX_CATCH_UP_MS) * next.speed * 1_000.0;
                let mut sim = next.sim.borrow_mut();
                let until = sim.now() + Time(simulated_us as u64);
                next.recording.borrow_mut().advance(&mut sim, until);
                if let Some(beside) = &next.beside {
                    beside.advance_to(until);
                }
            }
            Action::Command(command) => next.apply(command),
            Action::TogglePause => next.paused = !next.paused,
            Action::Step => {
                next.paused = true;
                let mut sim = next.sim.borrow_mut();
                if let Some(at) = sim.next_event_time() {
                    next.recording.borrow_mut().advance(&mut sim, at);
                    if let Some(beside) = &next.beside {
                        beside.advance_to(at);
                    }
                }
            }
            Action::Seek(to) => {
                next.paused = true;
                let rewound = next.recording.borrow_mut().seek(to);
                *next.sim.borrow_mut() = rewound;
                if let Some(beside) = &next.beside {
                    let rewound = beside.recording.borrow_mut().seek(to);
                    *beside.sim.borrow_mut() = rewound;
                }
            }
            Action::SetSpeed(speed) => next.speed = speed,
            Action::NudgeSpeed(direction) => {
                let index = SPEEDS.iter().position(|&speed| speed == next.speed).unwrap_or(3) as isize;
                let nudged = (index + direction as isize).clamp(0, SPEEDS.len() as isize - 1);
                next.speed = SPEEDS[nudged as usize];
            }
            Action::ToggleGenerator => {
                let mut config = next.config();
                if config.rate > 0 {
                    next.last_rate = config.rate;
                    config.rate = 0;
                } else {
                    config.rate = next.last_rate;
                }
                next.apply(Command::Configure(config));
            }
            Action::NewRun(config) => {
                if next.start(config, Vec::new()) {
                    next.demo = None;
                }
            }
            Action::Open(opening, problems) => {
                next.notices.extend(problems);
                next.open(opening);
            }
            Action::OpenDemo(demo, step) => next.open_demo(demo, step),
            Action::LeaveDemo => next.demo = None,
            Action::Compare(Some((setting, value))) => next.compare(setting, value),
            Action::Compare(None) => next.beside = None,
            Action::Select(node) => next.selected = node,
            Action::ToggleTheme => {
                next.theme = match next.theme {
                    Theme::Light => Theme::Dark,
                    Theme::Dark => Theme::Light,
                }
            }
            Action::TogglePresenter => next.presenter = !next.presenter,
            Action::ToggleHelp => next.help_open = !next.help_open,
            Action::CloseAll => {
                next.help_open = false;
                next.selected = None;
            }
            Action::Refuse(message) => next.notices.push(message),
            Action::DismissNotices => next.notices.clear(),
        }
        // A tick changes the link only when a replayed command changed the settings.
        if !ticking || config_before != Some(next.config()) {
            next.fragment = next.link().into();
        }
        Rc::new(next)
    }
}

/// The action a keyboard shortcut stands for.
pub fn shortcut(key: &str) -> Option<Action> {
    Some(match key {
        " " => Action::TogglePause,
        "ArrowRight" => Action::Step,
        "ArrowUp" => Action::NudgeSpeed(1),
        "ArrowDown" => Action::NudgeSpeed(-1),
        "w" => Action::Command(Command::WriteRandom { client: 0 }),
        "r" => Action::Command(Command::ReadLastWritten { client: 0 }),
        "g" => Action::ToggleGenerator,
        "t" => Action::ToggleTheme,
        "p" => Action::TogglePresenter,
        "?" => Action::ToggleHelp,
        "Escape" => Action::CloseAll,
        _ => return None,
    })
}

/// The shortcuts, for the help panel.
pub const SHORTCUTS: [(&str, &str); 10] = [
    ("Space", "play / pause"),
    ("→", "step to the next event"),
    ("↑ ↓", "faster / slower"),
    ("w", "fire one write"),
    ("r", "read the last write"),
    ("g", "start / stop the traffic generator"),
    ("t", "light / dark theme"),
    ("p", "presenter mode (larger text)"),
    ("?", "show / hide this help"),
    ("Esc", "close this help, deselect the node"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_to_a_moment_past_the_limit_opens_at_the_limit() {
        let actions = vec![(Time::from_millis(5), Command::WriteRandom { client: 0 })];
        let far = Time(MAX_OPEN_AT.as_micros() * 3);
        let opening = Opening::Session { start: Config::default(), actions, at: Some(far) };
        let state = PlaygroundState::new(opening, Vec::new(), Theme::Light);
        assert_eq!(state.sim.borrow().now(), MAX_OPEN_AT);
        assert_eq!(state.sim.borrow().stats().writes_acked, 1, "the link's commands ran");
        assert_eq!(
            state.notices,
            ["the link's moment is 90 minutes in; links open at most 30 minutes in, so it opens there"]
        );
    }
}
