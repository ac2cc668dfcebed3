//! What every fuzz target of a page input checks: whatever the input, the page opens (a panic
//! would kill it) without doing more than a frame's work at a time, and the link the page then
//! shows reopens the same run without a complaint.

use replication_playground::share::link::{self, Opening};
use replication_playground::sim::data::{Database, LogEntry};
use replication_playground::sim::sql::{Statement, execute_write, parse, query};
use replication_playground::sim::time::Time;
use replication_playground::ui::state::{Action, Comparison, FrameBudget, PlaygroundState, SLICE_EVENTS, Theme};

/// Model work (events) one execution replays at most; the replay goes on the same way after
/// that, frame by frame, so stopping there loses nothing but time.
const WORK_CAP: u64 = 200_000;

/// Opens the page as the browser would after reading `opening` from some input, and replays
/// its moment frame by frame as the page does, checking that no frame does more than one slice
/// of work whatever the input asks for (opening itself does none).
pub fn open_page(opening: Opening, notices: Vec<String>) {
    let mut state = PlaygroundState::new(opening, notices, Theme::Light);
    let work = |state: &PlaygroundState| state.sim().events_processed();
    assert_eq!(work(&state), 0, "opening the page ran the model before the first frame");
    let mut done = 0;
    while state.replay.is_some() && done < WORK_CAP {
        let before = work(&state);
        state.handle(Action::Tick { real_ms: 16.0, budget: FrameBudget::slices(1) });
        let frame = work(&state).saturating_sub(before);
        assert!(frame <= SLICE_EVENTS, "one frame did {frame} events of work");
        done += frame.max(1);
    }
    let (reopened, problems) = link::open(&state.fragment);
    assert!(problems.is_empty(), "the page's own link {:?} does not reopen: {problems:?}", state.fragment);
    if state.demo.is_none() {
        let recording = state.run.recording();
        let beside = state.comparison.as_ref().map(Comparison::beside);
        let expected =
            Opening::Session { start: recording.start().clone(), script: recording.script().to_vec(), at: None, beside };
        assert_eq!(reopened, expected, "the page's own link {:?} reopens another run", state.fragment);
    }
}

/// A fragment as fuzzed: the bytes as text, and, when it looks like a session link without a
/// checksum, also with the right checksum, so the fuzzer gets past the checksum to the replay.
pub fn fragments(bytes: &[u8]) -> Vec<String> {
    let Ok(text) = std::str::from_utf8(bytes) else { return Vec::new() };
    let mut fragments = vec![text.to_string()];
    if text.contains("v=") && !text.contains("sum=") {
        fragments.push(format!("{text}&sum={}", link::checksum(text)));
    }
    fragments
}

/// Parses `text` as the console would and runs each statement against the starting data, as
/// the master would: whatever the text, an answer or an error, never a panic.
pub fn run_sql(text: &str) {
    let Ok(statements) = parse(text) else { return };
    let mut db = Database::seed();
    for (index, parsed) in statements.iter().enumerate() {
        match &parsed.statement {
            Statement::Select(select) => {
                let _ = query(&db, select);
            }
            statement => {
                let lsn = index as u64 + 1;
                if let Ok(written) = execute_write(&db, statement, lsn, lsn) {
                    db.replay(&LogEntry { lsn, changes: written.changes, logged_at: Time::ZERO });
                }
            }
        }
    }
}
