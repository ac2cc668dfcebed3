//! Time on the page: playback speeds, each frame's budget of model work, and replays that bring
//! the run (and a run beside it) to a moment far from the one it is at, frame by frame.

use std::cell::Cell;

use super::*;

/// Playback speeds offered, as multiples of real time.
pub const SPEEDS: [f64; 9] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 20.0];

/// A frame that arrives after a long gap (a tab coming back from the background) advances the
/// run by at most this much real time, so returning costs one bounded step, not a pile-up.
pub const MAX_CATCH_UP_MS: f64 = 250.0;

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
pub(super) const REPLAY_DRAW_MS: f64 = 100.0;
/// While a run plays under generated traffic, the panels around the picture (counters, logs,
/// charts, cards, history) and the picture's boxes are worked out and drawn about this often,
/// the messages every frame (without traffic, everything every frame): four times a second
/// reads well (a number changing faster is a blur), and at 2,000 requests/s over 8 replicas
/// frames then fit in one refresh of the screen on a 2-core laptop (at 10 times a second,
/// 6% did not).
pub(super) const PANEL_REFRESH_MS: f64 = 250.0;

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

impl PlaygroundState {
    /// The runs shown: this one, and the one beside it if any.
    pub(super) fn runs(&mut self) -> impl Iterator<Item = &mut Run> {
        std::iter::once(&mut self.run).chain(self.comparison.as_mut().map(|comparison| &mut comparison.run))
    }

    /// Moves every run on to `until`, slice by slice while `budget` lasts; says whether all got
    /// there. Commands of their scripts refused on the way become notices.
    pub(super) fn advance_runs(&mut self, until: Time, budget: &FrameBudget, work_ms: f64) -> bool {
        let reached = loop {
            let mut all_there = true;
            for run in self.runs() {
                let mut work = SLICE_EVENTS;
                all_there &= run.advance_within(until, &mut work);
            }
            if all_there || !budget.has_time(work_ms) {
                break all_there;
            }
        };
        let refused: Vec<(bool, Refused)> = self
            .runs()
            .enumerate()
            .flat_map(|(index, run)| run.take_refused().into_iter().map(move |refused| (index > 0, refused)))
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

    /// Starts bringing every run to `target` over the next frames (see `Replay`), each from
    /// wherever is nearer: where it is, or its last checkpoint before `target`.
    pub(super) fn replay_to(&mut self, target: Time, resume: bool) {
        for run in self.runs() {
            run.rewind(target);
        }
        let from = self.runs().map(|run| run.sim().now()).min().unwrap_or(Time::ZERO);
        // Runs already there (a run beside started at the first moment) need no frame of work:
        // the page does not show a replay for a frame.
        if from == target {
            self.replay = None;
            self.paused = !resume;
            return;
        }
        self.replay = Some(Replay { target, from, resume });
        self.paused = true;
    }

    /// A replay's next frame of work.
    pub(super) fn go_on_replaying(&mut self, replay: Replay, budget: &FrameBudget) {
        if self.advance_runs(replay.target, budget, REPLAY_WORK_MS) {
            self.replay = None;
            self.paused = !replay.resume;
        }
    }

    /// Stops a replay where the runs have got to. The run beside is dropped if it is not at the
    /// same moment as this one.
    pub(super) fn stop_replay(&mut self) {
        if self.replay.take().is_none() {
            return;
        }
        let now = self.sim().now();
        if self.comparison.as_ref().is_some_and(|comparison| comparison.sim().now() != now) {
            self.comparison = None;
            self.notices.push(format!(
                "the run beside was stopped before it reached {}; start it again to compare",
                now.as_clock()
            ));
        }
    }
}
