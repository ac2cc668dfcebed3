//! The page's state: the running simulation plus the settings that only concern the page,
//! changed by `Action`s through one reducer.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use yew::Reducible;

use crate::demos::{self, Demo, Step};
use crate::share::fragment;
use crate::share::link::{self, Opening};
use crate::sim::config::Config;
use crate::sim::recording::{Recording, Refused};
use crate::sim::settings::{self, Setting};
use crate::sim::time::Time;
use crate::sim::{Command, NodeRef, Refusal, Simulation};
use crate::ui::view::{self, Staging};

/// Playback speeds offered, as multiples of real time.
pub const SPEEDS: [f64; 9] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 20.0];

/// A frame that arrives after a long gap (a tab coming back from the background) advances the
/// run by at most this much real time, so returning costs one bounded step, not a pile-up.
pub const MAX_CATCH_UP_MS: f64 = 250.0;

/// The generator's rate when started with none set.
const DEFAULT_RATE: u64 = 50;
/// The furthest moment a link opens at: opening replays the run up to the link's moment, which
/// takes a while for a long, busy run.
pub const MAX_OPEN_AT: Time = Time::from_millis(30 * 60 * 1_000);

/// Events the model handles between two looks at the frame's budget: a fraction of a
/// millisecond, so a frame overruns its budget by no more than that.
pub const SLICE_EVENTS: u64 = 2_000;

/// Real milliseconds of model work in one frame of play (of ~16.7 at 60 Hz): the rest is left
/// for drawing, so the page keeps answering whatever the run asks for.
pub const FRAME_WORK_MS: f64 = 10.0;
/// The same in a frame of a replay (a moment sought on the timeline, a link's moment): the page
/// has nothing new to draw until it gets there, so it spends more of the frame. A seek replays
/// only from the recording's checkpoint before the moment (at most a few hundred thousand
/// events at 2,000 requests/s), which mostly fits in one such frame; a longer replay goes on frame by frame, showing its progress, with Cancel.
pub const REPLAY_WORK_MS: f64 = 30.0;
/// While a replay is under way the page is drawn about this often, not every frame: drawing a
/// busy run costs ~10 ms a frame, time the replay gets instead. The progress bar still moves
/// several times a second.
const REPLAY_DRAW_MS: f64 = 100.0;
/// While a run plays under generated traffic, the panels around the picture (counters, logs,
/// charts, cards, history) are worked out and drawn about this often, the picture every frame
/// (without traffic, every frame too): four times a second
/// reads well (a number changing faster is a blur), and at 2,000 requests/s over 8 replicas
/// frames then fit in one refresh of the screen on a 2-core laptop (at 10 times a second,
/// 6% did not).
const PANEL_REFRESH_MS: f64 = 250.0;

/// How much model work one frame may do: asked after each slice of `SLICE_EVENTS` events with
/// the milliseconds allowed, and at least one slice is always done, so the run always moves on.
/// The page asks the clock; tests and the fuzzer count slices.
#[derive(Clone)]
pub struct FrameBudget(Rc<dyn Fn(f64) -> bool>);

impl FrameBudget {
    /// A budget that lasts while `has_time(ms)` says the frame has worked less than `ms`.
    pub fn new(has_time: impl Fn(f64) -> bool + 'static) -> FrameBudget {
        FrameBudget(Rc::new(has_time))
    }

    /// Exactly `count` slices.
    pub fn slices(count: u64) -> FrameBudget {
        let left = Cell::new(count.saturating_sub(1));
        FrameBudget::new(move |_| {
            let more = left.get() > 0;
            left.set(left.get().saturating_sub(1));
            more
        })
    }

    fn has_time(&self, ms: f64) -> bool {
        (self.0)(ms)
    }
}

/// Bringing the run to a moment far from the one it is at (a link's moment, a moment sought on
/// the timeline, a run started beside this one) is done frame by frame, a budget's worth of work
/// each, so that the page keeps answering and shows how far it got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Replay {
    pub target: Time,
    /// Where it started, for the progress shown.
    pub from: Time,
    /// Play on once there (a run started beside a playing one), or pause there.
    pub resume: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

pub enum Action {
    /// Real time passed: advance the simulation by it times the speed, unless paused, doing no
    /// more work than `budget` allows (a replay under way takes the frame instead).
    Tick {
        real_ms: f64,
        budget: FrameBudget,
    },
    /// Stops a replay where it has got to.
    CancelReplay,
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
    /// Leaves the demo, the run beside and the notices, and starts afresh with the defaults.
    StartFresh,
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
    /// Tells the user something in the notices: an input refused, an export that failed.
    Notice(String),
    DismissNotices,
}

/// How much of a user's input the crash report quotes: enough to run it again.
const REPORTED_INPUT_CHARS: usize = 2_000;

impl Action {
    /// What the user asked for, in words, for the report shown if the page stops while doing
    /// it; `None` for the page's own frames and for changes of view.
    pub fn as_input(&self) -> Option<String> {
        let cut = |text: &str| {
            let shown: String = text.chars().take(REPORTED_INPUT_CHARS).collect();
            if shown.len() < text.len() { format!("{shown}… (cut)") } else { shown }
        };
        Some(match self {
            Action::Command(Command::Sql { client, text }) => format!("client {} runs SQL: {}", client + 1, cut(text)),
            Action::Command(command) => command.to_string(),
            Action::Open(Opening::Session { script, at, .. }, _) => format!(
                "open a session with {} command(s){}",
                script.len(),
                at.map(|at| format!(" at {}", at.as_clock())).unwrap_or_default()
            ),
            Action::Open(Opening::Demo { name, step }, _) => format!("open demo {} at step {step}", cut(name)),
            Action::OpenDemo(demo, step) => format!("open demo {} at step {step}", demo.name),
            Action::Seek(to) => format!("go to {} on the timeline", to.as_clock()),
            Action::Step => "step to the next event".to_string(),
            Action::ToggleGenerator => "start or stop the traffic".to_string(),
            Action::NewRun(_) => "start a new run".to_string(),
            Action::StartFresh => "start fresh with the defaults".to_string(),
            Action::Compare(Some((setting, value))) => format!("run beside with {}={}", setting.key, cut(value)),
            _ => return None,
        })
    }

    /// Whether doing this first stops a replay under way where it has got to: anything that
    /// acts on the run does; a new seek replaces it; views and ticks leave it going.
    fn interrupts_replay(&self) -> bool {
        matches!(
            self,
            Action::CancelReplay
                | Action::Command(_)
                | Action::TogglePause
                | Action::Step
                | Action::ToggleGenerator
                | Action::NewRun(_)
                | Action::StartFresh
                | Action::Open(..)
                | Action::OpenDemo(..)
                | Action::Compare(_)
        )
    }
}

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
    fn patch(&self, config: &Config) -> Result<Config, Refusal> {
        let mut patched = config.clone();
        settings::apply(&mut patched, self.setting, &self.value)?;
        Ok(patched)
    }

    /// A command as the second run gets it: new settings keep its one difference.
    fn patch_command(&self, command: Command) -> Command {
        match command {
            Command::Configure(config) => Command::Configure(self.patch(&config).unwrap_or(config)),
            other => other,
        }
    }
}

#[derive(Clone)]
pub struct PlaygroundState {
    /// Shared, not cloned: the reducer mutates it in place and every render reads it.
    pub sim: Rc<RefCell<Simulation>>,
    /// The run as settings plus timed commands, for rewinding and for links.
    pub recording: Rc<RefCell<Recording>>,
    pub demo: Option<DemoAt>,
    pub comparison: Option<Comparison>,
    pub replay: Option<Replay>,
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
    /// The link in the address bar: `fragment`, or only its settings when `fragment` is longer
    /// than an address bar should hold (Export and the kept session still carry all of it).
    pub address: Rc<str>,
    /// Bumped on every change so Yew sees a new state even though `sim` is shared.
    revision: u64,
    /// Bumped when the panels around the picture are to be worked out and drawn again (see
    /// `view::Panels`): on every action but a frame of a run that keeps running, and while it
    /// runs every `PANEL_REFRESH_MS`.
    pub panels_revision: u64,
    /// Real time the run has been running since the panels were last worked out.
    panels_undrawn_ms: f64,
    /// Real time since the page was last drawn during a replay (see `REPLAY_DRAW_MS`).
    replay_undrawn_ms: Cell<f64>,
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
            comparison: None,
            replay: None,
            paused: false,
            speed: 1.0,
            last_rate: DEFAULT_RATE,
            selected: None,
            theme,
            presenter: false,
            help_open: false,
            notices,
            fragment: Rc::from(""),
            address: Rc::from(""),
            revision: 0,
            panels_revision: 0,
            panels_undrawn_ms: 0.0,
            replay_undrawn_ms: Cell::new(0.0),
        };
        state.open(opening);
        state.relink();
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
        link::session(&self.config(), recording.start(), recording.script(), None)
    }

    /// Writes the run's link again, and the address bar's, saying so when the link grows too
    /// long for the address bar.
    fn relink(&mut self) {
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

    fn apply(&mut self, command: Command) {
        let result = self.recording.borrow_mut().record(&mut self.sim.borrow_mut(), command.clone());
        match result {
            Ok(()) => {
                if let Some(demo) = &mut self.demo {
                    demo.touched = true;
                }
                if let Some(comparison) = &self.comparison {
                    let command = comparison.patch_command(command);
                    if let Err(error) =
                        comparison.recording.borrow_mut().record(&mut comparison.sim.borrow_mut(), command)
                    {
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

    /// Replaces the run with a new one of `start` and `script`.
    fn start(&mut self, start: Config, script: Vec<(Time, Command)>) -> bool {
        match Recording::new(start, script) {
            Ok((recording, sim)) => {
                self.last_rate = if sim.config().rate == 0 { DEFAULT_RATE } else { sim.config().rate };
                self.sim = Rc::new(RefCell::new(sim));
                self.recording = Rc::new(RefCell::new(recording));
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

    fn open(&mut self, opening: Opening) {
        match opening {
            Opening::Session { start, script, at } => {
                if self.start(start, script) {
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
            self.demo = Some(DemoAt { demo, step, touched: false, claimed: false });
            self.paused = false;
            self.speed = view::staging(demo.name, step).speed;
            if let Some(compare) = &definition.compare {
                let setting = settings::find(compare.key).expect("demos compare settings that exist");
                self.compare(setting, compare.value.to_string());
            }
        }
    }

    /// The runs shown: this one, and the one beside it if any.
    fn runs(&self) -> impl Iterator<Item = (&Rc<RefCell<Simulation>>, &Rc<RefCell<Recording>>)> {
        std::iter::once((&self.sim, &self.recording))
            .chain(self.comparison.as_ref().map(|comparison| (&comparison.sim, &comparison.recording)))
    }

    /// Moves every run on to `until`, slice by slice while `budget` lasts; says whether all got
    /// there. Commands of their scripts refused on the way become notices.
    fn advance_runs(&mut self, until: Time, budget: &FrameBudget, work_ms: f64) -> bool {
        let reached = loop {
            let mut all_there = true;
            for (sim, recording) in self.runs() {
                let mut work = SLICE_EVENTS;
                all_there &= recording.borrow_mut().advance_within(&mut sim.borrow_mut(), until, &mut work);
            }
            if all_there || !budget.has_time(work_ms) {
                break all_there;
            }
        };
        let refused: Vec<(bool, Refused)> = self
            .runs()
            .enumerate()
            .flat_map(|(index, (_, recording))| {
                recording.borrow_mut().take_refused().into_iter().map(move |refused| (index > 0, refused))
            })
            .collect();
        for (compared, refused) in refused {
            let whose = if compared { "the run beside refused " } else { "" };
            self.notices.push(format!(
                "{whose}command {} of this session ({} at {}) was refused: {}",
                refused.number,
                refused.command,
                refused.at.as_clock(),
                refused.reason
            ));
        }
        reached
    }

    /// Plays a demo step on towards `until`, pausing at the moment its claim comes true: the
    /// first instant its pause condition holds, or its settle time.
    fn play_to_claim(&mut self, step: &Step, until: Time, budget: &FrameBudget) {
        let until = until.min(step.settle);
        let reached = match step.pause_when {
            Some(holds) => loop {
                let next_event = self.sim.borrow().next_event_time();
                let next_action = self.recording.borrow().next_action_time();
                let next = [next_event, next_action].into_iter().flatten().min().filter(|at| *at <= until);
                let Some(instant) = next else { break self.advance_runs(until, budget, FRAME_WORK_MS) };
                if !self.advance_runs(instant, budget, FRAME_WORK_MS) {
                    break false;
                }
                if holds(&self.sim.borrow()) {
                    self.claim();
                    return;
                }
            },
            None => self.advance_runs(until, budget, FRAME_WORK_MS),
        };
        if reached && self.sim.borrow().now() >= step.settle {
            self.claim();
        }
    }

    fn claim(&mut self) {
        if let Some(demo) = &mut self.demo {
            demo.claimed = true;
            self.paused = true;
        }
    }

    /// Starts bringing every run to `target` over the next frames (see `Replay`), each from
    /// wherever is nearer: where it is, or its last checkpoint before `target`.
    fn replay_to(&mut self, target: Time, resume: bool) {
        for (sim, recording) in self.runs() {
            recording.borrow_mut().rewind(&mut sim.borrow_mut(), target);
        }
        let from = self.runs().map(|(sim, _)| sim.borrow().now()).min().unwrap_or(Time::ZERO);
        self.replay = Some(Replay { target, from, resume });
        self.paused = true;
    }

    /// A replay's next frame of work.
    fn go_on_replaying(&mut self, replay: Replay, budget: &FrameBudget) {
        if self.advance_runs(replay.target, budget, REPLAY_WORK_MS) {
            self.replay = None;
            self.paused = !replay.resume;
        }
    }

    /// Stops a replay where the runs have got to. The run beside is dropped if it is not at the
    /// same moment as this one.
    fn stop_replay(&mut self) {
        if self.replay.take().is_none() {
            return;
        }
        let now = self.sim.borrow().now();
        if self.comparison.as_ref().is_some_and(|comparison| comparison.sim.borrow().now() != now) {
            self.comparison = None;
            self.notices.push(format!(
                "the run beside was stopped before it reached {}; start it again to compare",
                now.as_clock()
            ));
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
        if matches!(action, Action::Tick { .. }) && self.paused && self.replay.is_none() {
            return self;
        }
        let ticking = matches!(action, Action::Tick { .. });
        let frame_ms = if let Action::Tick { real_ms, .. } = &action { *real_ms } else { 0.0 };
        let config_before = ticking.then(|| self.config());
        let mut next = (*self).clone();
        next.revision += 1;
        if action.interrupts_replay() {
            next.stop_replay();
        }
        match action {
            Action::Tick { real_ms, budget } => match next.replay {
                Some(replay) => next.go_on_replaying(replay, &budget),
                None => {
                    let simulated_us = real_ms.clamp(0.0, MAX_CATCH_UP_MS) * next.speed * 1_000.0;
                    let until = next.sim.borrow().now() + Time(simulated_us as u64);
                    // Whatever the budget leaves undone is simply not done: the run goes slower
                    // than asked rather than piling work onto later frames.
                    match next.demo.filter(|demo| !demo.touched && !demo.claimed) {
                        Some(demo) => next.play_to_claim(demo.step(), until, &budget),
                        None => {
                            next.advance_runs(until, &budget, FRAME_WORK_MS);
                        }
                    }
                }
            },
            Action::CancelReplay => {}
            Action::Command(command) => next.apply(command),
            Action::TogglePause => next.paused = !next.paused,
            Action::Step => {
                next.paused = true;
                let next_event = next.sim.borrow().next_event_time();
                if let Some(at) = next_event {
                    next.advance_runs(at, &FrameBudget::slices(u64::MAX), FRAME_WORK_MS);
                }
            }
            Action::Seek(to) => {
                let to = to.min(next.recording.borrow().furthest());
                next.replay_to(to, false);
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
            Action::StartFresh => {
                next.start(Config::default(), Vec::new());
                next.demo = None;
                next.notices.clear();
                next.paused = false;
                next.speed = 1.0;
                next.last_rate = DEFAULT_RATE;
            }
            Action::Open(opening, problems) => {
                next.notices.extend(problems);
                next.open(opening);
            }
            Action::OpenDemo(demo, step) => next.open_demo(demo, step),
            Action::LeaveDemo => {
                // A live page: playing, at real speed, whatever the demo's step had set.
                next.demo = None;
                next.paused = false;
                next.speed = 1.0;
            }
            Action::Compare(Some((setting, value))) => next.compare(setting, value),
            Action::Compare(None) => next.comparison = None,
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
            Action::Notice(message) => next.notices.push(message),
            Action::DismissNotices => next.notices.clear(),
        }
        let keeps_running = ticking && !self.paused && !next.paused && self.replay.is_none() && next.replay.is_none();
        // Without the traffic generator (a demo's few scripted requests) the panels are cheap
        // and move with the picture: a log a quarter second behind it would contradict it.
        let busy = next.sim.borrow().config().rate > 0;
        if keeps_running && busy && next.panels_undrawn_ms + frame_ms < PANEL_REFRESH_MS {
            next.panels_undrawn_ms += frame_ms;
        } else {
            next.panels_revision += 1;
            next.panels_undrawn_ms = 0.0;
        }
        let settings_changed = config_before.as_ref().is_some_and(|before| *before != next.config());
        // A frame of a replay still under way that changed nothing but the runs (shared with
        // `self`) is not drawn, unless the page has gone undrawn for REPLAY_DRAW_MS: `self`
        // again tells Yew nothing changed.
        if ticking
            && self.replay.is_some()
            && next.replay.is_some()
            && next.notices == self.notices
            && !settings_changed
        {
            let undrawn = self.replay_undrawn_ms.get() + frame_ms;
            if undrawn < REPLAY_DRAW_MS {
                self.replay_undrawn_ms.set(undrawn);
                return self;
            }
        }
        next.replay_undrawn_ms.set(0.0);
        // A tick changes the link only when a replayed command changed the settings.
        if !ticking || settings_changed {
            next.relink();
        }
        Rc::new(next)
    }
}

/// The action a keyboard shortcut stands for, with `demo` the demo on screen: inside one, a
/// presentation clicker's keys (PageDown and →, PageUp and ←) go to the next and previous step,
/// and do nothing past the first or the last.
pub fn shortcut(key: &str, demo: Option<DemoAt>) -> Option<Action> {
    if let Some(at) = demo {
        let to = match key {
            "PageDown" | "ArrowRight" => at.step + 1,
            "PageUp" | "ArrowLeft" => at.step - 1,
            _ => 0,
        };
        if CLICKER_KEYS.contains(&key) {
            return (1..=at.demo.steps.len()).contains(&to).then_some(Action::OpenDemo(at.demo, to));
        }
    }
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

/// The keys a presentation clicker sends, which walk a demo's steps.
const CLICKER_KEYS: [&str; 4] = ["PageDown", "ArrowRight", "PageUp", "ArrowLeft"];

/// Whether a key's own meaning in the browser (scrolling the page) gives way to the shortcut.
pub fn replaces_scrolling(key: &str, demo: Option<DemoAt>) -> bool {
    matches!(key, " " | "ArrowRight" | "ArrowUp" | "ArrowDown") || (demo.is_some() && CLICKER_KEYS.contains(&key))
}

/// The shortcuts, for the help panel.
pub const SHORTCUTS: [(&str, &str); 12] = [
    ("Space", "play / pause"),
    ("PageDown →", "in a demo: the next step (a presentation clicker's keys)"),
    ("PageUp ←", "in a demo: the previous step"),
    ("→", "outside a demo: step to the next event"),
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
    use crate::sim::recording::CHECKPOINT_WORK;

    #[test]
    fn leaving_a_demo_gives_back_a_live_page_at_real_speed() {
        let demo = crate::demos::find("async-stale").expect("the demo exists");
        let state = Rc::new(PlaygroundState::new(
            Opening::Demo { name: demo.name.to_string(), step: 1 },
            Vec::new(),
            Theme::Light,
        ));
        let paused = state.reduce(Action::TogglePause);
        assert!(
            paused.paused && paused.demo.is_some() && paused.speed != 1.0,
            "the step runs slowly: {}",
            paused.speed
        );
        let left = paused.reduce(Action::LeaveDemo);
        assert!(left.demo.is_none() && !left.paused && left.speed == 1.0);
    }

    #[test]
    fn inside_a_demo_a_clickers_keys_walk_its_steps_and_outside_they_keep_their_meanings() {
        let demo = &crate::demos::DEMOS[0];
        let last = demo.steps.len();
        let at = |step| Some(DemoAt { demo, step, touched: false, claimed: false });
        let to = |action: Option<Action>| match action {
            Some(Action::OpenDemo(opened, step)) if std::ptr::eq(opened, demo) => Some(step),
            _ => None,
        };
        assert_eq!(to(shortcut("PageDown", at(1))), Some(2));
        assert_eq!(to(shortcut("ArrowRight", at(1))), Some(2));
        assert_eq!(to(shortcut("PageUp", at(2))), Some(1));
        assert_eq!(to(shortcut("ArrowLeft", at(2))), Some(1));
        assert!(
            shortcut("PageUp", at(1)).is_none() && shortcut("PageDown", at(last)).is_none(),
            "nothing past the ends"
        );
        assert!(shortcut("ArrowRight", at(last)).is_none(), "never a step of the simulation inside a demo");
        assert!(matches!(shortcut("ArrowRight", None), Some(Action::Step)));
        assert!(shortcut("PageDown", None).is_none(), "outside a demo PageDown scrolls");
        assert!(replaces_scrolling("PageDown", at(1)) && !replaces_scrolling("PageDown", None));
        assert!(replaces_scrolling(" ", None) && !replaces_scrolling("w", at(1)));
    }

    /// One frame that may do `slices` slices of work.
    fn frame(state: Rc<PlaygroundState>, slices: u64) -> Rc<PlaygroundState> {
        state.reduce(Action::Tick { real_ms: 16.0, budget: FrameBudget::slices(slices) })
    }

    /// Frames until the replay is done, each of `slices` slices; how many it took.
    fn replay_fully(mut state: Rc<PlaygroundState>, slices: u64) -> (Rc<PlaygroundState>, usize) {
        let mut frames = 0;
        while state.replay.is_some() {
            let before = state.sim.borrow().events_processed();
            state = frame(state, slices);
            let work = state.sim.borrow().events_processed() - before;
            assert!(work <= slices * SLICE_EVENTS, "a frame did {work} events of work");
            frames += 1;
        }
        (state, frames)
    }

    fn session(start: Config, script: Vec<(Time, Command)>, at: Time) -> Rc<PlaygroundState> {
        let opening = Opening::Session { start, script, at: Some(at) };
        Rc::new(PlaygroundState::new(opening, Vec::new(), Theme::Light))
    }

    #[test]
    fn a_link_to_a_moment_past_the_limit_opens_at_the_limit() {
        let actions = vec![(Time::from_millis(5), Command::WriteRandom { client: 0 })];
        let state = session(Config::default(), actions, Time(MAX_OPEN_AT.as_micros() * 3));
        assert_eq!(
            state.notices,
            ["the link's moment is 90 minutes in; links open at most 30 minutes in, so it opens there"]
        );
        let (state, _) = replay_fully(state, 1_000);
        assert_eq!(state.sim.borrow().now(), MAX_OPEN_AT);
        assert_eq!(state.sim.borrow().stats().writes_acked, 1, "the link's commands ran");
    }

    #[test]
    fn a_heavy_link_opens_frame_by_frame_and_pauses_at_its_moment() {
        let start = Config { replicas: 8, rate: 20_000, seed: 3, ..Config::default() };
        let at = Time::from_millis(3_000);
        let state = session(start.clone(), Vec::new(), at);
        assert_eq!(state.sim.borrow().events_processed(), 0, "opening does no model work itself");
        assert_eq!(state.replay, Some(Replay { target: at, from: Time::ZERO, resume: false }));
        let (state, frames) = replay_fully(state, 4);
        assert!(frames > 20, "it took {frames} frames");
        assert!(state.paused && state.sim.borrow().now() == at);
        let mut direct = Simulation::new(start).unwrap();
        direct.run_until(at);
        assert_eq!(state.sim.borrow().fingerprint(), direct.fingerprint(), "the same run as one go");
        assert!(state.notices.is_empty());
    }

    #[test]
    fn cancelling_a_replay_stops_where_it_got_to_and_acting_cancels_it_too() {
        let start = Config { replicas: 8, rate: 20_000, ..Config::default() };
        let state = frame(frame(session(start.clone(), Vec::new(), MAX_OPEN_AT), 2), 2);
        let reached = state.sim.borrow().now();
        assert!(reached > Time::ZERO && reached < MAX_OPEN_AT);
        let cancelled = state.reduce(Action::CancelReplay);
        assert!(cancelled.replay.is_none() && cancelled.paused);
        assert_eq!(frame(cancelled, 2).sim.borrow().now(), reached, "paused where it got to");
        let clicked = frame(session(start, Vec::new(), MAX_OPEN_AT), 2)
            .reduce(Action::Command(Command::WriteRandom { client: 0 }));
        assert!(clicked.replay.is_none());
        assert_eq!(clicked.recording.borrow().script().len(), 1, "the click was taken at the moment reached");
    }

    #[test]
    fn seeking_replays_from_the_nearest_checkpoint_in_slices() {
        let start = Config { replicas: 3, rate: 2_000, ..Config::default() };
        let (state, _) = replay_fully(session(start, Vec::new(), Time::from_millis(20_000)), 50);
        let at_20_s = state.sim.borrow().fingerprint();
        let sought = state.reduce(Action::Seek(Time::from_millis(17_500)));
        assert!(sought.sim.borrow().now() <= Time::from_millis(17_500), "rewound to a checkpoint");
        let from = sought.sim.borrow().events_processed();
        let (sought, _) = replay_fully(sought, 1);
        assert_eq!(sought.sim.borrow().now(), Time::from_millis(17_500));
        let replayed = sought.sim.borrow().events_processed() - from;
        assert!(
            replayed <= CHECKPOINT_WORK + SLICE_EVENTS,
            "replayed {replayed} events: from the nearest checkpoint, not from the start"
        );
        let (forward, _) = replay_fully(sought.reduce(Action::Seek(Time::from_millis(60_000))), 1);
        assert_eq!(forward.sim.borrow().now(), Time::from_millis(20_000), "no further than the run has been");
        assert_eq!(forward.sim.borrow().fingerprint(), at_20_s);
    }

    #[test]
    fn a_long_replay_is_drawn_about_every_tenth_of_a_second_not_every_frame() {
        let start = Config { replicas: 3, rate: 2_000, ..Config::default() };
        let mut state = session(start, Vec::new(), Time::from_millis(20_000));
        let (mut frames, mut drawn) = (0, 0);
        while state.replay.is_some() {
            let next = frame(state.clone(), 1);
            drawn += usize::from(!Rc::ptr_eq(&next, &state));
            frames += 1;
            state = next;
        }
        assert!(frames > 50, "{frames} frames");
        // 16 ms frames: six go undrawn, the seventh (past 100 ms) and the last are drawn.
        assert!((frames / 8..=frames / 6 + 1).contains(&drawn), "{drawn} of {frames} frames drawn");
        assert_eq!(state.sim.borrow().now(), Time::from_millis(20_000));
        assert!(state.paused, "paused at the link's moment");
    }

    #[test]
    fn a_scripted_command_the_model_refuses_is_told_with_its_moment_and_reason() {
        let actions = vec![
            (Time::from_millis(1_250), Command::Crash(NodeRef::Replica(7))),
            (Time::from_millis(1_500), Command::WriteRandom { client: 0 }),
        ];
        let (state, _) = replay_fully(session(Config::default(), actions, Time::from_millis(2_000)), 100);
        assert_eq!(
            state.notices,
            ["command 1 of this session (crash replica-7 at 0:01.250) was refused: there is no replica-7"]
        );
        assert_eq!(state.sim.borrow().stats().writes_issued, 1, "the rest of the session ran");
    }

    #[test]
    fn under_traffic_the_panels_are_worked_out_again_every_quarter_second_and_at_once_on_any_action() {
        // Without traffic, with the picture every frame.
        let quiet = Opening::Session { start: Config::default(), script: Vec::new(), at: None };
        let state = Rc::new(PlaygroundState::new(quiet, Vec::new(), Theme::Light));
        let opened = state.panels_revision;
        assert_eq!(frame(frame(state, u64::MAX), u64::MAX).panels_revision, opened + 2);
        let traffic =
            Opening::Session { start: Config { rate: 200, ..Config::default() }, script: Vec::new(), at: None };
        let mut state = Rc::new(PlaygroundState::new(traffic, Vec::new(), Theme::Light));
        let opened = state.panels_revision;
        // 15 frames of 16 ms: 240 ms of a run that keeps running.
        for _ in 0..15 {
            state = frame(state, u64::MAX);
        }
        assert_eq!(state.panels_revision, opened, "the panels wait");
        state = frame(state, u64::MAX);
        assert_eq!(state.panels_revision, opened + 1, "a quarter of a second on, they are worked out again");
        let before = state.panels_revision;
        state = state.reduce(Action::Command(Command::WriteRandom { client: 0 }));
        assert_eq!(state.panels_revision, before + 1, "a click shows at once");
        // A demo step under traffic plays to its claim and pauses there: that frame's counters are the claim's.
        let demo = Opening::Demo { name: "single-db".to_string(), step: 1 };
        let mut state = Rc::new(PlaygroundState::new(demo, Vec::new(), Theme::Light));
        for _ in 0..1_000 {
            let before = state.panels_revision;
            state = frame(state, u64::MAX);
            if state.paused {
                assert_eq!(state.panels_revision, before + 1, "the frame that paused at the claim shows it");
                assert_eq!(frame(state.clone(), u64::MAX).panels_revision, before + 1);
                return;
            }
        }
        panic!("the step never paused at its claim");
    }

    #[test]
    fn a_link_too_long_for_the_address_bar_leaves_it_the_settings_and_says_so_once() {
        let defaults = Opening::Session { start: Config::default(), script: Vec::new(), at: None };
        let state = Rc::new(PlaygroundState::new(defaults, Vec::new(), Theme::Light));
        let long_sql = format!("SELECT * FROM users WHERE name = '{}'", "é".repeat(2_000));
        let sql = |state: Rc<PlaygroundState>| {
            state.reduce(Action::Command(Command::Sql { client: 0, text: long_sql.clone() }))
        };
        let state = sql(state);
        assert!(state.fragment.len() > link::MAX_LINK_BYTES);
        assert_eq!(&*state.address, fragment::to_fragment(&state.config()));
        assert_eq!(
            state.notices,
            [
                "this session's link has grown to 11 KB, more than an address bar holds well (8 KB): the address bar now keeps only its settings; Export saves the whole session"
            ]
        );
        assert_eq!(sql(state).notices.len(), 1, "said once");
    }

    #[test]
    fn the_crash_report_quotes_what_the_user_asked_for() {
        let sql = Action::Command(Command::Sql { client: 0, text: "x".repeat(REPORTED_INPUT_CHARS + 5) });
        let quoted = sql.as_input().unwrap();
        assert!(quoted.starts_with("client 1 runs SQL: xxx") && quoted.ends_with("x… (cut)"), "{quoted}");
        let crash = Action::Command(Command::Crash(NodeRef::Replica(2)));
        assert_eq!(crash.as_input().as_deref(), Some("crash replica-2"));
        assert_eq!(
            Action::Seek(Time::from_millis(61_500)).as_input().as_deref(),
            Some("go to 1:01.500 on the timeline")
        );
        assert_eq!(Action::Tick { real_ms: 16.0, budget: FrameBudget::slices(1) }.as_input(), None);
    }
}
