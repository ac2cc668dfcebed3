//! What the user can ask of the page (`Action`), what a crash report quotes of it, and the
//! keyboard's shortcuts for it.

use super::*;

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
    /// A rate typed for the traffic generator: the running traffic's new rate (0 stops it), or,
    /// with the traffic stopped, the rate it starts at: typing never starts it.
    SetRate(u64),
    /// Every setting back to its default but the seed and the traffic's rate, in this run.
    RestoreDefaults,
    /// Starts a new run from time zero with these settings (a changed seed starts one too).
    NewRun(Config),
    /// Leaves the demo, the run beside and the notices, and starts afresh with the defaults.
    StartFresh,
    /// Opens what a link asks for, with what was wrong with the link.
    Open(Opening, Vec<String>),
    /// Opens a demo at a step (1-based).
    OpenDemo(&'static Demo, usize),
    /// Leaves the demo: its run plays on with the settings from before the demo.
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
pub(super) const REPORTED_INPUT_CHARS: usize = 2_000;

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
            Action::SetRate(rate) => format!("set the traffic's rate to {rate}/s"),
            Action::RestoreDefaults => "set the settings back to their defaults".to_string(),
            Action::LeaveDemo => "leave the demo".to_string(),
            Action::NewRun(_) => "start a new run".to_string(),
            Action::StartFresh => "start fresh with the defaults".to_string(),
            Action::Compare(Some((setting, value))) => format!("run beside with {}={}", setting.key, cut(value)),
            _ => return None,
        })
    }

    /// Whether doing this first stops a replay under way where it has got to: anything that
    /// acts on the run does; a new seek replaces it; views and ticks leave it going.
    pub(super) fn interrupts_replay(&self) -> bool {
        matches!(
            self,
            Action::CancelReplay
                | Action::Command(_)
                | Action::TogglePause
                | Action::Step
                | Action::ToggleGenerator
                | Action::SetRate(_)
                | Action::RestoreDefaults
                | Action::LeaveDemo
                | Action::NewRun(_)
                | Action::StartFresh
                | Action::Open(..)
                | Action::OpenDemo(..)
                | Action::Compare(_)
        )
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
pub(super) const CLICKER_KEYS: [&str; 4] = ["PageDown", "ArrowRight", "PageUp", "ArrowLeft"];

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
