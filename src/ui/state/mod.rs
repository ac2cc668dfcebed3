//! The page's state: the running simulation plus the settings that only concern the page,
//! changed in place by `Action`s through `handle` (here), with each concern in its own file:
//! `actions` (what can be asked, the shortcuts), `run` (a simulation and its recording),
//! `playback` (speeds, frame budgets, replays), `demo_player` (a step played to its claim),
//! `side_by_side` (the run beside), `opening` (links opened and written).

use std::rc::Rc;

use crate::demos::{self, Demo, Step};
use crate::share::fragment;
use crate::share::link::{self, Opening};
use crate::sim::config::Config;
use crate::sim::recording::Refused;
use crate::sim::settings::{self, Setting};
use crate::sim::time::Time;
use crate::sim::{Command, NodeRef, Refusal, Simulation};
use crate::ui::view::{self, Staging};

mod actions;
mod demo_player;
mod opening;
mod playback;
mod run;
mod side_by_side;

pub use actions::{Action, SHORTCUTS, replaces_scrolling, shortcut};
pub use demo_player::DemoAt;
use opening::DEFAULT_RATE;
pub use opening::MAX_OPEN_AT;
pub use playback::{FRAME_WORK_MS, FrameBudget, MAX_CATCH_UP_MS, REPLAY_WORK_MS, Replay, SLICE_EVENTS, SPEEDS};
use playback::{PANEL_REFRESH_MS, REPLAY_DRAW_MS};
pub use run::Run;
pub use side_by_side::Comparison;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Theme {
    Light,
    Dark,
}

/// Plain data, owned: the page keeps one (`ui/app.rs`), changes it in place with `handle`, and
/// draws it again when `handle` says so.
pub struct PlaygroundState {
    /// The simulation and its recording (settings plus timed commands, for rewinding and for
    /// links).
    pub run: Run,
    pub demo: Option<DemoAt>,
    pub comparison: Option<Comparison>,
    pub replay: Option<Replay>,
    pub paused: bool,
    pub speed: f64,
    /// The rate the generator restarts at.
    pub last_rate: u64,
    /// The settings from before the demo on screen, given back when it is left.
    settings_before_demo: Option<Config>,
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
    /// Bumped when the panels around the picture are to be worked out and drawn again (see
    /// `view::Panels`): on every action but a frame of a run that keeps running, and while it
    /// runs every `PANEL_REFRESH_MS`.
    pub panels_revision: u64,
    /// The same for the later panels (`view::LaterPanels`: the history, the cards): while a run
    /// keeps running under traffic, `panels_revision` as it was a frame before, so that one
    /// frame does not draw every panel again; otherwise `panels_revision`.
    pub later_panels_revision: u64,
    /// Real time the run has been running since the panels were last worked out.
    panels_undrawn_ms: f64,
    /// Real time since the page was last drawn during a replay (see `REPLAY_DRAW_MS`).
    replay_undrawn_ms: f64,
}

impl PlaygroundState {
    /// The page as a link (or a stored session) opens it.
    pub fn new(opening: Opening, notices: Vec<String>, theme: Theme) -> PlaygroundState {
        // The defaults stand until the opening replaces them (or stay if it cannot).
        let run = Run::new(Config::default(), Vec::new()).expect("defaults are valid");
        let mut state = PlaygroundState {
            run,
            demo: None,
            comparison: None,
            replay: None,
            paused: false,
            speed: 1.0,
            last_rate: DEFAULT_RATE,
            settings_before_demo: None,
            selected: None,
            theme,
            presenter: false,
            help_open: false,
            notices,
            fragment: Rc::from(""),
            address: Rc::from(""),
            panels_revision: 0,
            later_panels_revision: 0,
            panels_undrawn_ms: 0.0,
            replay_undrawn_ms: 0.0,
        };
        state.open(opening);
        state.relink();
        state
    }

    /// The simulation as it is now, for drawing.
    pub fn sim(&self) -> &Simulation {
        self.run.sim()
    }

    pub fn config(&self) -> Config {
        self.sim().config().clone()
    }

    fn apply(&mut self, command: Command) {
        let result = self.run.record(command.clone());
        match result {
            Ok(()) => {
                if let Some(demo) = &mut self.demo {
                    demo.touched = true;
                }
                if let Some(comparison) = &mut self.comparison {
                    let command = comparison.change.patch_command(command);
                    if let Err(error) = comparison.run.record(command) {
                        self.notices.push(format!("the run beside refused it: {error}"));
                    }
                }
            }
            Err(error) => self.notices.push(error.to_string()),
        }
    }
}

impl PlaygroundState {
    /// Carries out an action; says whether the page is to be drawn again.
    pub fn handle(&mut self, action: Action) -> bool {
        let ticking = matches!(action, Action::Tick { .. });
        if ticking && self.paused && self.replay.is_none() {
            return false;
        }
        if ticking {
            // What the last frame worked out, the later panels are drawn with in this one.
            self.later_panels_revision = self.panels_revision;
        }
        let frame_ms = if let Action::Tick { real_ms, .. } = &action { *real_ms } else { 0.0 };
        let (was_paused, was_replaying) = (self.paused, self.replay.is_some());
        let notices_before = self.notices.len();
        let config_before = ticking.then(|| self.config());
        if action.interrupts_replay() {
            self.stop_replay();
        }
        match action {
            Action::Tick { real_ms, budget } => match self.replay {
                Some(replay) => self.go_on_replaying(replay, &budget),
                None => {
                    let simulated_us = real_ms.clamp(0.0, MAX_CATCH_UP_MS) * self.speed * 1_000.0;
                    let until = self.sim().now() + Time(simulated_us as u64);
                    // Whatever the budget leaves undone is simply not done: the run goes slower
                    // than asked rather than piling work onto later frames.
                    match self.demo.filter(|demo| !demo.touched && !demo.claimed) {
                        Some(demo) => self.play_to_claim(demo.step(), until, &budget),
                        None => {
                            self.advance_runs(until, &budget, FRAME_WORK_MS);
                        }
                    }
                }
            },
            Action::CancelReplay => {}
            Action::Command(command) => self.apply(command),
            Action::TogglePause => self.paused = !self.paused,
            Action::Step => {
                self.paused = true;
                if let Some(at) = self.sim().next_event_time() {
                    self.advance_runs(at, &FrameBudget::slices(u64::MAX), FRAME_WORK_MS);
                }
            }
            Action::Seek(to) => {
                let to = to.min(self.run.recording().furthest());
                self.replay_to(to, false);
            }
            Action::SetSpeed(speed) => self.speed = speed,
            Action::NudgeSpeed(direction) => {
                let index = SPEEDS.iter().position(|&speed| speed == self.speed).unwrap_or(3) as isize;
                let nudged = (index + direction as isize).clamp(0, SPEEDS.len() as isize - 1);
                self.speed = SPEEDS[nudged as usize];
            }
            Action::ToggleGenerator => {
                let mut config = self.config();
                if config.rate > 0 {
                    self.last_rate = config.rate;
                    config.rate = 0;
                } else {
                    config.rate = self.last_rate;
                }
                self.apply(Command::Configure(config.into()));
            }
            Action::SetRate(rate) => {
                let mut config = self.config();
                match (config.rate, rate) {
                    (0, 0) => {}
                    (0, rate) => self.last_rate = rate,
                    (running, rate) => {
                        self.last_rate = if rate == 0 { running } else { rate };
                        config.rate = rate;
                        self.apply(Command::Configure(config.into()));
                    }
                }
            }
            Action::RestoreDefaults => {
                let defaults = self.config().defaults_for_run();
                self.apply(Command::Configure(defaults.into()));
            }
            Action::NewRun(config) => {
                if self.start(config, Vec::new()) {
                    self.leave_demo_run();
                }
            }
            Action::StartFresh => {
                self.start(Config::default(), Vec::new());
                self.leave_demo_run();
                self.notices.clear();
                self.paused = false;
                self.speed = 1.0;
                self.last_rate = DEFAULT_RATE;
            }
            Action::Open(opening, problems) => {
                self.notices.extend(problems);
                self.open(opening);
            }
            Action::OpenDemo(demo, step) => self.open_demo(demo, step),
            Action::LeaveDemo => {
                // A live page: playing, at real speed, with the settings from before the demo.
                self.demo = None;
                self.paused = false;
                self.speed = 1.0;
                if let Some(before) = self.settings_before_demo.take() {
                    self.last_rate = if before.rate == 0 { self.last_rate } else { before.rate };
                    let restored = Config { seed: self.config().seed, ..before };
                    self.apply(Command::Configure(restored.into()));
                }
            }
            Action::Compare(Some((setting, value))) => self.compare(setting, value),
            Action::Compare(None) => self.comparison = None,
            Action::Select(node) => self.selected = node,
            Action::ToggleTheme => {
                self.theme = match self.theme {
                    Theme::Light => Theme::Dark,
                    Theme::Dark => Theme::Light,
                }
            }
            Action::TogglePresenter => self.presenter = !self.presenter,
            Action::ToggleHelp => self.help_open = !self.help_open,
            Action::CloseAll => {
                self.help_open = false;
                self.selected = None;
            }
            Action::Notice(message) => self.notices.push(message),
            Action::DismissNotices => self.notices.clear(),
        }
        let settings_changed = config_before.as_ref().is_some_and(|before| before != self.sim().config());
        // A frame of a replay still under way that changed nothing but the runs is not drawn,
        // unless the page has gone undrawn for REPLAY_DRAW_MS.
        if ticking
            && was_replaying
            && self.replay.is_some()
            && self.notices.len() == notices_before
            && !settings_changed
        {
            self.replay_undrawn_ms += frame_ms;
            if self.replay_undrawn_ms < REPLAY_DRAW_MS {
                return false;
            }
        }
        self.replay_undrawn_ms = 0.0;
        let keeps_running = ticking && !was_paused && !self.paused && !was_replaying && self.replay.is_none();
        // Without the traffic generator (a demo's few scripted requests) the panels are cheap
        // and move with the picture: a log a quarter second behind it would contradict it.
        let busy = self.sim().config().rate > 0;
        if keeps_running && busy && self.panels_undrawn_ms + frame_ms < PANEL_REFRESH_MS {
            self.panels_undrawn_ms += frame_ms;
        } else {
            self.panels_revision += 1;
            self.panels_undrawn_ms = 0.0;
        }
        if !(keeps_running && busy) {
            self.later_panels_revision = self.panels_revision;
        }
        // A tick changes the link only when a replayed command changed the settings.
        if !ticking || settings_changed {
            self.relink();
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::actions::REPORTED_INPUT_CHARS;
    use super::*;
    use crate::sim::recording::CHECKPOINT_WORK;

    #[test]
    fn a_demo_that_runs_one_beside_plays_from_its_first_frame() {
        // Both runs start at the first moment: nothing to replay, so the first frame (and the
        // one built ahead of time) shows the demo playing.
        let state =
            PlaygroundState::new(Opening::Demo { name: "sync-vs-async".into(), step: 1 }, Vec::new(), Theme::Light);
        assert!(state.comparison.is_some());
        assert!(state.replay.is_none() && !state.paused, "replay {:?}, paused {}", state.replay, state.paused);
    }

    #[test]
    fn leaving_a_demo_gives_back_a_live_page_at_real_speed() {
        let demo = crate::demos::find("async-stale").expect("the demo exists");
        let state =
            PlaygroundState::new(Opening::Demo { name: demo.name.to_string(), step: 1 }, Vec::new(), Theme::Light);
        let paused = after(state, Action::TogglePause);
        assert!(
            paused.paused && paused.demo.is_some() && paused.speed != 1.0,
            "the step runs slowly: {}",
            paused.speed
        );
        let left = after(paused, Action::LeaveDemo);
        assert!(left.demo.is_none() && !left.paused && left.speed == 1.0);
    }

    #[test]
    fn leaving_a_demo_gives_back_the_settings_from_before_it_and_a_new_run_does_not() {
        let mine = Config { replicas: 3, mode: crate::sim::config::Mode::Sync, lag_ms: 300, ..Config::default() };
        let opening = Opening::Session { start: mine.clone(), script: Vec::new(), at: None, beside: None };
        let state = PlaygroundState::new(opening, Vec::new(), Theme::Light);
        let demo = crate::demos::find("async-stale").expect("the demo exists");
        let in_demo = after(after(state, Action::OpenDemo(demo, 1)), Action::OpenDemo(demo, 2));
        assert_ne!(in_demo.config().lag_ms, 300, "the demo sets its own lag");
        let left = after(in_demo, Action::LeaveDemo);
        assert_eq!(left.config(), Config { seed: left.config().seed, ..mine }, "{:?}", left.notices);
        let in_demo = after(left, Action::OpenDemo(demo, 1));
        let demo_settings = in_demo.config();
        let replaced = after(in_demo, Action::NewRun(demo_settings.clone()));
        assert_eq!(
            after(replaced, Action::LeaveDemo).config(),
            demo_settings,
            "a new run ended the demo: nothing to give back"
        );
    }

    #[test]
    fn typing_a_rate_while_the_traffic_is_stopped_keeps_it_stopped() {
        let state = PlaygroundState::new(Opening::Demo { name: "x".into(), step: 1 }, Vec::new(), Theme::Light);
        assert_eq!(state.config().rate, 0);
        let typed = after(state, Action::SetRate(300));
        assert_eq!((typed.config().rate, typed.last_rate), (0, 300), "stopped, and it will start at 300");
        let running = after(typed, Action::ToggleGenerator);
        assert_eq!(running.config().rate, 300);
        let faster = after(running, Action::SetRate(500));
        assert_eq!(faster.config().rate, 500, "running traffic takes the new rate at once");
        let stopped = after(faster, Action::SetRate(0));
        assert_eq!((stopped.config().rate, stopped.last_rate), (0, 500));
    }

    #[test]
    fn back_to_defaults_keeps_the_run_its_seed_and_its_traffic() {
        let changed = Config { replicas: 4, lag_ms: 2_000, rate: 100, seed: 7, ..Config::default() };
        let opening = Opening::Session { start: changed, script: Vec::new(), at: None, beside: None };
        let state = frame(PlaygroundState::new(opening, Vec::new(), Theme::Light), u64::MAX);
        let now = state.sim().now();
        let restored = after(state, Action::RestoreDefaults);
        assert_eq!(restored.config(), Config { rate: 100, seed: 7, ..Config::default() });
        assert_eq!(restored.sim().now(), now, "the same run goes on");
    }

    #[test]
    fn a_shared_comparison_reopens_both_runs_at_the_same_moment() {
        let start = Config { replicas: 2, rate: 200, ..Config::default() };
        let opening = Opening::Session { start, script: Vec::new(), at: None, beside: None };
        let mut state = PlaygroundState::new(opening, Vec::new(), Theme::Light);
        let mode = settings::find("mode").expect("a setting");
        state = after(state, Action::Compare(Some((mode, "sync".to_string()))));
        for _ in 0..40 {
            state = frame(state, u64::MAX);
        }
        state = after(state, Action::Command(Command::WriteRandom { client: 0 }));
        state = after(frame(state, u64::MAX), Action::TogglePause);
        let at = state.sim().now();
        let shared = link::at_moment(&state.fragment, at);
        assert!(shared.contains("beside=mode:sync"), "{shared}");
        let (opening, problems) = link::open(&shared);
        assert!(problems.is_empty(), "{problems:?}");
        let (reopened, _) = replay_fully(PlaygroundState::new(opening, Vec::new(), Theme::Light), 1_000);
        let beside =
            |state: &PlaygroundState| state.comparison.as_ref().map(|comparison| comparison.sim().fingerprint());
        assert_eq!(reopened.sim().now(), at);
        assert_eq!(reopened.sim().fingerprint(), state.sim().fingerprint());
        assert!(beside(&reopened).is_some() && beside(&reopened) == beside(&state), "the run beside is the same too");
        assert_eq!(reopened.comparison.as_ref().map(|comparison| comparison.sim().now()), Some(at));
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

    /// The state after `action`.
    fn after(mut state: PlaygroundState, action: Action) -> PlaygroundState {
        state.handle(action);
        state
    }

    fn tick(slices: u64) -> Action {
        Action::Tick { real_ms: 16.0, budget: FrameBudget::slices(slices) }
    }

    /// One frame that may do `slices` slices of work.
    fn frame(state: PlaygroundState, slices: u64) -> PlaygroundState {
        after(state, tick(slices))
    }

    /// Frames until the replay is done, each of `slices` slices; how many it took.
    fn replay_fully(mut state: PlaygroundState, slices: u64) -> (PlaygroundState, usize) {
        let mut frames = 0;
        while state.replay.is_some() {
            let before = state.sim().events_processed();
            state = frame(state, slices);
            let work = state.sim().events_processed() - before;
            assert!(work <= slices * SLICE_EVENTS, "a frame did {work} events of work");
            frames += 1;
        }
        (state, frames)
    }

    fn session(start: Config, script: Vec<(Time, Command)>, at: Time) -> PlaygroundState {
        let opening = Opening::Session { start, script, at: Some(at), beside: None };
        PlaygroundState::new(opening, Vec::new(), Theme::Light)
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
        assert_eq!(state.sim().now(), MAX_OPEN_AT);
        assert_eq!(state.sim().stats().writes_acked, 1, "the link's commands ran");
    }

    #[test]
    fn a_heavy_link_opens_frame_by_frame_and_pauses_at_its_moment() {
        let start = Config { replicas: 8, rate: 20_000, seed: 3, ..Config::default() };
        let at = Time::from_millis(3_000);
        let state = session(start.clone(), Vec::new(), at);
        assert_eq!(state.sim().events_processed(), 0, "opening does no model work itself");
        assert_eq!(state.replay, Some(Replay { target: at, from: Time::ZERO, resume: false }));
        let (state, frames) = replay_fully(state, 4);
        assert!(frames > 20, "it took {frames} frames");
        assert!(state.paused && state.sim().now() == at);
        let mut direct = Simulation::new(start).unwrap();
        direct.run_until(at);
        assert_eq!(state.sim().fingerprint(), direct.fingerprint(), "the same run as one go");
        assert!(state.notices.is_empty());
    }

    #[test]
    fn cancelling_a_replay_stops_where_it_got_to_and_acting_cancels_it_too() {
        let start = Config { replicas: 8, rate: 20_000, ..Config::default() };
        let state = frame(frame(session(start.clone(), Vec::new(), MAX_OPEN_AT), 2), 2);
        let reached = state.sim().now();
        assert!(reached > Time::ZERO && reached < MAX_OPEN_AT);
        let cancelled = after(state, Action::CancelReplay);
        assert!(cancelled.replay.is_none() && cancelled.paused);
        assert_eq!(frame(cancelled, 2).sim().now(), reached, "paused where it got to");
        let clicked = after(
            frame(session(start, Vec::new(), MAX_OPEN_AT), 2),
            Action::Command(Command::WriteRandom { client: 0 }),
        );
        assert!(clicked.replay.is_none());
        assert_eq!(clicked.run.recording().script().len(), 1, "the click was taken at the moment reached");
    }

    #[test]
    fn seeking_replays_from_the_nearest_checkpoint_in_slices() {
        let start = Config { replicas: 3, rate: 2_000, ..Config::default() };
        let (state, _) = replay_fully(session(start, Vec::new(), Time::from_millis(20_000)), 50);
        let at_20_s = state.sim().fingerprint();
        let sought = after(state, Action::Seek(Time::from_millis(17_500)));
        assert!(sought.sim().now() <= Time::from_millis(17_500), "rewound to a checkpoint");
        let from = sought.sim().events_processed();
        let (sought, _) = replay_fully(sought, 1);
        assert_eq!(sought.sim().now(), Time::from_millis(17_500));
        let replayed = sought.sim().events_processed() - from;
        assert!(
            replayed <= CHECKPOINT_WORK + SLICE_EVENTS,
            "replayed {replayed} events: from the nearest checkpoint, not from the start"
        );
        let (forward, _) = replay_fully(after(sought, Action::Seek(Time::from_millis(60_000))), 1);
        assert_eq!(forward.sim().now(), Time::from_millis(20_000), "no further than the run has been");
        assert_eq!(forward.sim().fingerprint(), at_20_s);
    }

    #[test]
    fn a_long_replay_is_drawn_about_every_tenth_of_a_second_not_every_frame() {
        let start = Config { replicas: 3, rate: 2_000, ..Config::default() };
        let mut state = session(start, Vec::new(), Time::from_millis(20_000));
        let (mut frames, mut drawn) = (0, 0);
        while state.replay.is_some() {
            drawn += usize::from(state.handle(tick(1)));
            frames += 1;
        }
        assert!(frames > 50, "{frames} frames");
        // 16 ms frames: six go undrawn, the seventh (past 100 ms) and the last are drawn.
        assert!((frames / 8..=frames / 6 + 1).contains(&drawn), "{drawn} of {frames} frames drawn");
        assert_eq!(state.sim().now(), Time::from_millis(20_000));
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
        assert_eq!(state.sim().stats().writes_issued, 1, "the rest of the session ran");
    }

    #[test]
    fn under_traffic_the_panels_are_worked_out_again_every_quarter_second_and_at_once_on_any_action() {
        // Without traffic, with the picture every frame.
        let quiet = Opening::Session { start: Config::default(), script: Vec::new(), at: None, beside: None };
        let state = PlaygroundState::new(quiet, Vec::new(), Theme::Light);
        let opened = state.panels_revision;
        assert_eq!(frame(frame(state, u64::MAX), u64::MAX).panels_revision, opened + 2);
        let traffic = Opening::Session {
            start: Config { rate: 200, ..Config::default() },
            script: Vec::new(),
            at: None,
            beside: None,
        };
        let mut state = PlaygroundState::new(traffic, Vec::new(), Theme::Light);
        let opened = state.panels_revision;
        // 15 frames of 16 ms: 240 ms of a run that keeps running.
        for _ in 0..15 {
            state = frame(state, u64::MAX);
        }
        assert_eq!(state.panels_revision, opened, "the panels wait");
        state = frame(state, u64::MAX);
        assert_eq!(state.panels_revision, opened + 1, "a quarter of a second on, they are worked out again");
        assert_eq!(state.later_panels_revision, opened, "the history and the cards wait a frame more");
        state = frame(state, u64::MAX);
        assert_eq!((state.panels_revision, state.later_panels_revision), (opened + 1, opened + 1));
        let before = state.panels_revision;
        state = after(state, Action::Command(Command::WriteRandom { client: 0 }));
        assert_eq!(state.panels_revision, before + 1, "a click shows at once");
        assert_eq!(state.later_panels_revision, before + 1, "in every panel");
        // A demo step under traffic plays to its claim and pauses there: that frame's counters are the claim's.
        let demo = Opening::Demo { name: "single-db".to_string(), step: 1 };
        let mut state = PlaygroundState::new(demo, Vec::new(), Theme::Light);
        for _ in 0..1_000 {
            let before = state.panels_revision;
            state = frame(state, u64::MAX);
            if state.paused {
                assert_eq!(state.panels_revision, before + 1, "the frame that paused at the claim shows it");
                assert_eq!(state.later_panels_revision, before + 1, "in every panel");
                assert_eq!(frame(state, u64::MAX).panels_revision, before + 1);
                return;
            }
        }
        panic!("the step never paused at its claim");
    }

    #[test]
    fn a_link_too_long_for_the_address_bar_leaves_it_the_settings_and_says_so_once() {
        let defaults = Opening::Session { start: Config::default(), script: Vec::new(), at: None, beside: None };
        let state = PlaygroundState::new(defaults, Vec::new(), Theme::Light);
        let long_sql = format!("SELECT * FROM users WHERE name = '{}'", "é".repeat(2_000));
        let sql =
            |state: PlaygroundState| after(state, Action::Command(Command::Sql { client: 0, text: long_sql.clone() }));
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
