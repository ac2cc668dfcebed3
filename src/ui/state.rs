//! The page's state: the running simulation plus the settings that only concern the page,
//! changed by `Action`s through one reducer.

use std::cell::RefCell;
use std::rc::Rc;

use yew::Reducible;

use crate::sim::config::Config;
use crate::sim::time::Time;
use crate::sim::{Command, Simulation};

/// Playback speeds offered, as multiples of real time.
pub const SPEEDS: [f64; 8] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0];

/// A tab that was hidden for a while catches up at most this much real time at once, so
/// coming back never freezes the page.
const MAX_CATCH_UP_MS: f64 = 1_000.0;

pub enum Action {
    /// Real time passed: advance the simulation by it times the speed, unless paused.
    Tick {
        real_ms: f64,
    },
    Command(Command),
    TogglePause,
    SetSpeed(f64),
    /// Starts a new run from time zero with these settings (a changed seed starts one too).
    NewRun(Config),
    /// A setting typed on the page could not be used.
    Refuse(String),
    DismissNotices,
}

pub struct PlaygroundState {
    /// Shared, not cloned: the reducer mutates it in place and every render reads it.
    pub sim: Rc<RefCell<Simulation>>,
    pub paused: bool,
    pub speed: f64,
    /// Messages for the user: refused settings, a bad link.
    pub notices: Vec<String>,
    /// Bumped on every change so Yew sees a new state even though `sim` is shared.
    revision: u64,
}

impl PlaygroundState {
    /// A fresh run with `config`; `notices` explain anything the page had to change.
    pub fn new(config: Config, mut notices: Vec<String>) -> PlaygroundState {
        let sim = Simulation::new(config).unwrap_or_else(|error| {
            notices.push(format!("{error}; using the defaults"));
            Simulation::new(Config::default()).expect("defaults are valid")
        });
        PlaygroundState {
            sim: Rc::new(RefCell::new(sim)),
            paused: false,
            speed: 1.0,
            notices,
            revision: 0,
        }
    }

    pub fn config(&self) -> Config {
        self.sim.borrow().config().clone()
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
        let mut sim = self.sim.clone();
        let mut paused = self.paused;
        let mut speed = self.speed;
        let mut notices = self.notices.clone();
        match action {
            Action::Tick { real_ms } => {
                if paused {
                    return self;
                }
                let simulated_us = real_ms.clamp(0.0, MAX_CATCH_UP_MS) * speed * 1_000.0;
                let mut model = sim.borrow_mut();
                let until = model.now() + Time(simulated_us as u64);
                model.run_until(until);
            }
            Action::Command(command) => {
                if let Err(error) = sim.borrow_mut().apply(command) {
                    notices.push(error.to_string());
                }
            }
            Action::TogglePause => paused = !paused,
            Action::SetSpeed(new_speed) => speed = new_speed,
            Action::NewRun(config) => match Simulation::new(config) {
                Ok(new_run) => sim = Rc::new(RefCell::new(new_run)),
                Err(error) => notices.push(error.to_string()),
            },
            Action::Refuse(message) => notices.push(message),
            Action::DismissNotices => notices.clear(),
        }
        Rc::new(PlaygroundState {
            sim,
            paused,
            speed,
            notices,
            revision: self.revision + 1,
        })
    }
}
