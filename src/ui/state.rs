//! The page's state: the running simulation plus the settings that only concern the page,
//! changed by `Action`s through one reducer.

use std::cell::RefCell;
use std::rc::Rc;

use yew::Reducible;

use crate::sim::config::Config;
use crate::sim::time::Time;
use crate::sim::{Command, NodeRef, Simulation};

/// Playback speeds offered, as multiples of real time.
pub const SPEEDS: [f64; 9] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 20.0];

/// A frame that arrives after a long gap (a tab coming back from the background) advances the
/// run by at most this much real time, so returning costs one bounded step, not a pile-up.
pub const MAX_CATCH_UP_MS: f64 = 250.0;

/// The generator's rate when started with none set.
const DEFAULT_RATE: u64 = 50;

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
    SetSpeed(f64),
    /// One step faster (+1) or slower (-1) along `SPEEDS`.
    NudgeSpeed(i8),
    /// Starts the traffic generator at its last rate, or stops it.
    ToggleGenerator,
    /// Starts a new run from time zero with these settings (a changed seed starts one too).
    NewRun(Config),
    Select(Option<NodeRef>),
    ToggleTheme,
    TogglePresenter,
    ToggleHelp,
    /// Closes the help and deselects the node.
    CloseAll,
    /// A setting typed on the page could not be used.
    Refuse(String),
    DismissNotices,
}

#[derive(Clone)]
pub struct PlaygroundState {
    /// Shared, not cloned: the reducer mutates it in place and every render reads it.
    pub sim: Rc<RefCell<Simulation>>,
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
    /// Bumped on every change so Yew sees a new state even though `sim` is shared.
    revision: u64,
}

impl PlaygroundState {
    /// A fresh run with `config`; `notices` explain anything the page had to change.
    pub fn new(config: Config, mut notices: Vec<String>, theme: Theme) -> PlaygroundState {
        let sim = Simulation::new(config).unwrap_or_else(|error| {
            notices.push(format!("{error}; using the defaults"));
            Simulation::new(Config::default()).expect("defaults are valid")
        });
        let last_rate = match sim.config().rate {
            0 => DEFAULT_RATE,
            rate => rate,
        };
        PlaygroundState {
            sim: Rc::new(RefCell::new(sim)),
            paused: false,
            speed: 1.0,
            last_rate,
            selected: None,
            theme,
            presenter: false,
            help_open: false,
            notices,
            revision: 0,
        }
    }

    pub fn config(&self) -> Config {
        self.sim.borrow().config().clone()
    }

    fn apply(&mut self, command: Command) {
        if let Err(error) = self.sim.borrow_mut().apply(command) {
            self.notices.push(error.to_string());
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
        let mut next = (*self).clone();
        next.revision += 1;
        match action {
            Action::Tick { real_ms } => {
                let simulated_us = real_ms.clamp(0.0, MAX_CATCH_UP_MS) * next.speed * 1_000.0;
                let mut sim = next.sim.borrow_mut();
                let until = sim.now() + Time(simulated_us as u64);
                sim.run_until(until);
            }
            Action::Command(command) => next.apply(command),
            Action::TogglePause => next.paused = !next.paused,
            Action::Step => {
                next.paused = true;
                next.sim.borrow_mut().step();
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
            Action::NewRun(config) => match Simulation::new(config) {
                Ok(run) => next.sim = Rc::new(RefCell::new(run)),
                Err(error) => next.notices.push(error.to_string()),
            },
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
