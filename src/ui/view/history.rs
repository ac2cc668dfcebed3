//! The history panel: the latest operations on client lanes, each a bar from its call to its
//! answer (the diagrams of Kleppmann's book and of Jepsen's reports), a line from each read that
//! missed a write to that write, and the verdicts of the checker with their witnesses in words.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::history_labels::{detail, label, short_label, value_label, versioned};
use crate::sim::Simulation;
use crate::sim::acknowledged::Start;
use crate::sim::checker::{self, CHECK_STEPS, MAX_OPS, Verdict};
use crate::sim::history::{self, Ending, History, SHOWN, Verdicts};
use crate::sim::order;
use crate::sim::request::{Op, Outcome, RequestRecord};
use crate::sim::time::Time;

/// The operations judged last and their verdicts. Most frames judge the same operations (the
/// window changes only when a request is called or answered), so the checker runs again only
/// when what it is given changed.
#[derive(Default)]
pub struct Judgements {
    last: RefCell<Option<Rc<Judgement>>>,
    /// How many times the checker ran.
    made: Cell<u64>,
}

struct Judgement {
    /// What `History::checked` gave: the operations judged, and the entry each came from.
    checked: (checker::History, Vec<usize>),
    verdicts: Verdicts,
}

impl Judgements {
    fn of(&self, history: &History) -> Rc<Judgement> {
        let checked = history.checked();
        if let Some(last) = self.last.borrow().as_ref().filter(|last| last.checked == checked) {
            return last.clone();
        }
        self.made.set(self.made.get() + 1);
        let judgement = Rc::new(Judgement { verdicts: history::judge(&checked), checked });
        *self.last.borrow_mut() = Some(judgement.clone());
        judgement
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct HistoryView {
    /// One per client with an operation shown, top to bottom.
    pub lanes: Vec<Lane>,
    pub bars: Vec<Bar>,
    /// From a read to the write it missed, as indices into `bars`.
    pub links: Vec<(usize, usize)>,
    /// The moments at the left and right edges.
    pub from: Time,
    pub to: Time,
    pub verdicts: Vec<VerdictLine>,
    /// Where the window opens and what each user's register starts at, in one line.
    pub start: String,
    /// What was checked, in words.
    pub scope: String,
    /// Why reads tagged STALE sit beside "Linearizable: yes" (or beside no verdict, when the
    /// window had nothing to check), when some do.
    pub stale_why: Option<String>,
}

/// A client's lane: its operations, those under way at the same time each on a row of its own.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub name: String,
    pub rows: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BarKind {
    Write,
    Read,
    Sql,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub request: u64,
    pub lane: usize,
    /// Its row in the lane: the operation's Jepsen process within its client.
    pub row: usize,
    /// Where it starts and ends across the panel, 0 to 1.
    pub from: f64,
    pub to: f64,
    pub kind: BarKind,
    pub ending: Ending,
    /// `w(101, "Bob")`, `r(101) → "Alice"`.
    pub label: String,
    /// Where the label does not fit, the name written or read without the user: `w "Bob"`,
    /// `r → "Alice"`, `r → none` (none for a statement or a read not answered).
    pub value: Option<String>,
    /// What the bar is called where neither fits: `w(101)`, `r(101)`, `sql`.
    pub short: String,
    pub tags: Vec<&'static str>,
    /// Part of the first witness the verdicts name.
    pub witness: bool,
    /// Its client, times and node, for hover and focus.
    pub detail: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct VerdictLine {
    pub name: &'static str,
    pub test_id: &'static str,
    /// `yes`, `no` or `not checked`.
    pub answer: &'static str,
    pub words: String,
}

impl Bar {
    /// What can be written above it, longest first: the label with its first tag, the label,
    /// the name written or read (what a lesson on order is about) with the tag, that name, the
    /// short label with the tag, the short label, the operation's letter.
    pub fn texts(&self) -> Vec<String> {
        let letter = match self.kind {
            BarKind::Write => "w",
            BarKind::Read => "r",
            BarKind::Sql => "sql",
        };
        let tagged = |text: &str| self.tags.first().map(|tag| format!("{text} {tag}"));
        let mut texts: Vec<String> = [Some(&self.label), self.value.as_ref(), Some(&self.short)]
            .into_iter()
            .flatten()
            .flat_map(|text| [tagged(text), Some(text.clone())])
            .flatten()
            .chain([letter.to_string()])
            .collect();
        texts.dedup();
        texts
    }
}

/// What singles a request out, in the words the request log and the history both use.
pub fn request_tags(record: &RequestRecord) -> Vec<&'static str> {
    [
        (record.is_stale(), "STALE"),
        (record.ryw_violation, "MISSED OWN WRITE"),
        (record.monotonic_violation, "WENT BACK IN TIME"),
        (record.lost, "LOST"),
        (Ending::of(record) == Ending::Info, "IN DOUBT"),
        (Ending::of(record) == Ending::Fail, "FAILED"),
    ]
    .into_iter()
    .filter_map(|(on, tag)| on.then_some(tag))
    .collect()
}

/// The operations the panel draws, checks and exports.
pub fn shown_history(sim: &Simulation) -> History<'_> {
    sim.history(SHOWN)
}

/// The history panel of `sim` now; `judgements` keeps the last verdicts, to judge again only
/// what changed.
pub fn history(sim: &Simulation, judgements: &Judgements) -> HistoryView {
    let history = shown_history(sim);
    let judgement = judgements.of(&history);
    let verdicts = &judgement.verdicts;
    let answers = [&verdicts.linearizable, &verdicts.sequential, &verdicts.read_your_writes, &verdicts.monotonic_reads];
    let named: Vec<(&Model, &Verdict)> = MODELS.iter().zip(answers).collect();
    let highlighted: &[usize] = named
        .iter()
        .find_map(|(_, verdict)| match verdict {
            Verdict::No { witness } => Some(witness.as_slice()),
            _ => None,
        })
        .unwrap_or_default();

    let from = history.entries.iter().map(|entry| entry.record.issued_at).min().unwrap_or(history.now);
    let to = history.now.max(from + Time(1));
    let across = |at: Time| (at - from).0 as f64 / (to - from).0 as f64;
    let clients = history.entries.iter().map(|entry| entry.record.client).collect();
    let mut clients = order::sorted_by(clients, |&client| (client as u64, 0));
    clients.dedup();
    let lanes = clients
        .iter()
        .map(|&client| Lane { name: format!("client {}", client + 1), rows: history.lanes(client) })
        .collect();
    let bars: Vec<Bar> = history
        .entries
        .iter()
        .enumerate()
        .map(|(index, entry)| {
            let record = entry.record;
            Bar {
                request: record.id,
                lane: clients.binary_search(&record.client).expect("every client has a lane"),
                row: entry.lane,
                from: across(record.issued_at),
                to: across(record.completed_at.unwrap_or(history.now)),
                kind: match record.op {
                    Op::Write { .. } => BarKind::Write,
                    Op::Read { .. } => BarKind::Read,
                    Op::Sql { .. } => BarKind::Sql,
                },
                ending: Ending::of(record),
                label: label(record),
                value: value_label(record),
                short: short_label(record),
                tags: request_tags(record),
                witness: highlighted.contains(&index),
                detail: detail(record),
            }
        })
        .collect();
    let links = missed_writes(&history);
    let verdict_lines = named
        .iter()
        .map(|&(model, verdict)| VerdictLine {
            name: model.name,
            test_id: model.test_id,
            answer: verdict.answer(),
            words: verdict_words(model, verdict, &history),
        })
        .collect();
    let scope = format!(
        "The {} latest operations; the checks look at {} (console SELECTs, reads that failed, are unanswered or began before the window opened, writes acknowledged before it, and reads of a missing row beside a console write are drawn, not checked; a console write counts once per user a read saw it write). Sequential consistency ignores real time, so for it a user's start is unknown and a value from before the window may come back at any point. Each check stops after {MAX_OPS} operations or {CHECK_STEPS} steps. The exports hold exactly what was checked, the start first.",
        history.entries.len(),
        verdicts.checked
    );
    let stale_why = match verdicts.linearizable {
        Verdict::Yes => stale_yet_linearizable(&history, &judgement.checked.1),
        Verdict::NotChecked { .. } if verdicts.checked == 0 => stale_yet_linearizable(&history, &judgement.checked.1),
        _ => None,
    };
    HistoryView { lanes, bars, links, from, to, verdicts: verdict_lines, start: start_line(&history), scope, stale_why }
}

/// Why reads tagged STALE do not make the history non-linearizable, told from the reads
/// themselves: a judged one was called before the write it missed was acknowledged (so that
/// write may take effect after it), and one that began before the window is not judged. `None`
/// when no stale read is either. `judged`: the entries the checks looked at.
fn stale_yet_linearizable(history: &History, judged: &[usize]) -> Option<String> {
    let stale = history
        .entries
        .iter()
        .enumerate()
        .filter(|(_, entry)| matches!(entry.record.op, Op::Read { .. }) && entry.record.is_stale());
    let mut overlapped = Vec::new();
    let mut before_window = 0;
    for (index, entry) in stale {
        let read = entry.record;
        if history.began_before_window(read) {
            before_window += 1;
            continue;
        }
        let missed = match &read.outcome {
            Some(Outcome::Read { master_row: Some(row), .. }) => row.write,
            _ => continue,
        };
        let Some(write) = drawn_write(history, read.key(), missed).map(|write| history.entries[write].record) else {
            continue;
        };
        let after_the_call = match Ending::of(write) {
            Ending::Ok => write.completed_at.is_some_and(|done| done >= read.issued_at),
            Ending::Pending | Ending::Info => true,
            Ending::Fail => false,
        };
        if after_the_call && judged.contains(&index) {
            overlapped.push((read, write));
        }
    }
    let mut said = Vec::new();
    if let Some(&(read, write)) = overlapped.first() {
        let acknowledged = match (Ending::of(write), write.completed_at) {
            (Ending::Ok, Some(done)) => format!("acknowledged only at {}", done.as_clock()),
            (Ending::Info, _) => "which failed with its outcome unknown".to_string(),
            _ => "not acknowledged yet".to_string(),
        };
        let more = match overlapped.len() - 1 {
            0 => String::new(),
            1 => " (and 1 more read like it)".to_string(),
            more => format!(" (and {more} more reads like it)"),
        };
        said.push(format!(
            "A read tagged STALE can still be linearizable: it overlapped the write it missed, so that write may take effect just after the read. Here client {}'s {}, called at {}, missed {}, {acknowledged}{more}.",
            read.client + 1,
            label(read),
            read.issued_at.as_clock(),
            label(write),
        ));
    }
    if before_window > 0 {
        let reads = if before_window == 1 {
            "1 read tagged STALE".to_string()
        } else {
            format!("{before_window} reads tagged STALE")
        };
        said.push(format!(
            "{reads} began before the window opened ({}), so no verdict judges {}.",
            history.horizon.as_clock(),
            if before_window == 1 { "it" } else { "them" }
        ));
    }
    (!said.is_empty()).then(|| said.join(" "))
}

/// `Window from 0:01.250: each user starts at its last write acknowledged by then (102 "Ada",
/// 107 none); ...`.
fn start_line(history: &History) -> String {
    let opens = match history.horizon {
        Time::ZERO => "Window from the run's start".to_string(),
        horizon => format!("Window from {}", horizon.as_clock()),
    };
    let users: Vec<String> = history.start.iter().map(|(key, start)| format!("{key} {}", shown_start(start))).collect();
    format!(
        "{opens}: each user starts at its last write acknowledged by then ({}); earlier writes may take effect at any moment, earlier reads are not judged.",
        users.join(", ")
    )
}

/// A user's start as the panel quotes it: `"Ada"`, `none` (no row), or `unknown`.
fn shown_start(start: &Start) -> String {
    match start {
        Start::Known(Some(write)) => format!("\"{}\"", write.name),
        Start::Known(None) => "none".to_string(),
        Start::Unknown => "unknown".to_string(),
    }
}

/// Each flagged read's line to the write it missed, when that write is drawn: for a stale read,
/// the master's newer version; for one that missed its client's own write or went back in time,
/// the newest write of the key its client had written or seen.
fn missed_writes(history: &History) -> Vec<(usize, usize)> {
    let mut links = Vec::new();
    for (index, entry) in history.entries.iter().enumerate() {
        let record = entry.record;
        let (Op::Read { key }, Some(Outcome::Read { row, master_row, .. })) = (&record.op, &record.outcome) else {
            continue;
        };
        let returned = row.as_ref().map_or(0, |row| row.write);
        let missed = if record.is_stale() {
            master_row.as_ref().map(|row| row.write)
        } else if record.ryw_violation || record.monotonic_violation {
            // The newest write of the key this client wrote or read before, among those drawn.
            history.entries[..index]
                .iter()
                .filter(|earlier| earlier.record.client == record.client && earlier.record.key() == Some(*key))
                .filter_map(|earlier| match &earlier.record.outcome {
                    Some(Outcome::Read { row: Some(row), .. }) => Some(row.write),
                    _ => earlier.record.logged_write(),
                })
                .filter(|&write| write > returned)
                .max()
        } else {
            None
        };
        if let Some(to) = missed.and_then(|write| drawn_write(history, Some(*key), write)) {
            links.push((index, to));
        }
    }
    links
}

/// The entry that logged write number `write` of user `key` (a console statement names no
/// user), if it is drawn.
fn drawn_write(history: &History, key: Option<u64>, write: u64) -> Option<usize> {
    history.entries.iter().position(|entry| {
        entry.record.logged_write() == Some(write) && entry.record.key().is_none_or(|written| Some(written) == key)
    })
}

/// A consistency model the history is checked against, and how its verdicts are told.
struct Model {
    name: &'static str,
    test_id: &'static str,
    /// Its registers start where the window opens (linearizability keeps real time).
    from_start: bool,
    yes: &'static str,
    /// Before a no's witness.
    no: &'static str,
}

const MODELS: [Model; 4] = [
    Model {
        name: "Linearizable",
        test_id: "verdict-linearizable",
        from_start: true,
        yes: "Yes: one order of these operations, each taking effect at a moment between its call and its answer, explains every read.",
        no: "No: no order of these, each at one moment between its call and its answer, explains every read",
    },
    Model {
        name: "Sequentially consistent",
        test_id: "verdict-sequential",
        from_start: false,
        yes: "Yes: keeping only each client's own order, one order of these operations explains every read.",
        no: "No: even keeping only each client's own order, no order of these explains every read",
    },
    Model {
        name: "Read your writes",
        test_id: "verdict-read-your-writes",
        from_start: false,
        yes: "Yes: no client read a user older than its own write of it.",
        no: "No: a client read older than its own write, answered before the read began",
    },
    Model {
        name: "Monotonic reads",
        test_id: "verdict-monotonic-reads",
        from_start: false,
        yes: "Yes: no client read a user older than it had read before.",
        no: "No: a client read older than it had already read",
    },
];

/// A verdict and, for a no, its witness told in words.
fn verdict_words(model: &Model, verdict: &Verdict, history: &History) -> String {
    let witness = match verdict {
        Verdict::Yes => return model.yes.to_string(),
        Verdict::NotChecked { reason } => return format!("Not checked: {reason}."),
        Verdict::No { witness } => witness,
    };
    let told: Vec<String> = witness
        .iter()
        .map(|&index| {
            let record = history.entries[index].record;
            let node = record.machine.map(|machine| format!(" on {}", machine.machine())).unwrap_or_default();
            let span = match record.completed_at {
                Some(done) => format!("{} to {}", record.issued_at.as_clock(), done.as_clock()),
                None => format!("from {}, unanswered", record.issued_at.as_clock()),
            };
            format!("client {}'s {}{node} ({span})", record.client + 1, versioned(record))
        })
        .collect();
    let mut keys: Vec<u64> = witness.iter().filter_map(|&index| history.entries[index].record.key()).collect();
    keys.dedup();
    let starts: Vec<String> = (history.start.iter())
        .filter(|(key, _)| model.from_start && keys.contains(key))
        .filter(|(_, start)| *start != Start::Unknown)
        .map(|(key, start)| format!("user {key} was {} when the window opened", shown_start(start)))
        .collect();
    let start = if starts.is_empty() { String::new() } else { format!(", and {}", starts.join(", ")) };
    format!("{}: {}{start}.", model.no, told.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::config::{Config, Mode, ReadPref};
    use crate::sim::{Command, NodeRef};
    use crate::ui::view::history_labels::*;

    /// The inversion of sync replication with replica reads (see the model's history tests).
    fn inversion(read_pref: ReadPref) -> Simulation {
        let config = Config { mode: Mode::Sync, clients: 3, lag_ms: 250, client_ms: 1, read_pref, ..Config::default() };
        super::super::run(
            config,
            &[
                (0, Command::SetLag(NodeRef::Replica(2), 1_000)),
                (0, Command::Write { client: 0, key: 101, name: "Bob".into() }),
                (400, Command::Read { client: 1, key: 101 }),
                (410, Command::Read { client: 2, key: 101 }),
            ],
            3_000,
        )
    }

    #[test]
    fn the_inversion_is_drawn_on_three_lanes_and_told_as_a_witness() {
        let view = history(&inversion(ReadPref::Secondary), &Judgements::default());
        let lanes: Vec<(&str, usize)> = view.lanes.iter().map(|lane| (lane.name.as_str(), lane.rows)).collect();
        assert_eq!(lanes, [("client 1", 1), ("client 2", 1), ("client 3", 1)]);
        let labels: Vec<&str> = view.bars.iter().map(|bar| bar.label.as_str()).collect();
        assert_eq!(
            labels,
            ["w(101, \"Bob\")", "r(101) → \"Bob\"", "r(101) → none"],
            "user 101 is new: the lecture's INSERT"
        );
        assert!(view.bars.iter().all(|bar| bar.witness), "all three are the witness");
        assert!(view.bars[0].to > view.bars[2].to, "the write is answered after both reads");
        let linearizable = &view.verdicts[0];
        assert_eq!((linearizable.test_id, linearizable.answer), ("verdict-linearizable", "no"));
        assert!(
            linearizable.words.contains("client 2's r(101) → \"Bob\" (version 1) on pg-2"),
            "{}",
            linearizable.words
        );
        assert!(linearizable.words.contains("client 3's r(101) → none on pg-3"), "{}", linearizable.words);
        assert_eq!(view.verdicts[1].answer, "yes", "sequentially consistent");
        assert!(view.links.is_empty(), "no read is flagged: the model's counters see nothing");
    }

    #[test]
    fn reads_at_the_master_are_linearizable() {
        let view = history(&inversion(ReadPref::Primary), &Judgements::default());
        assert!(view.verdicts.iter().all(|verdict| verdict.answer == "yes"), "{:?}", view.verdicts);
        assert!(view.bars.iter().all(|bar| !bar.witness));
    }

    #[test]
    fn a_stale_read_has_a_line_to_the_write_it_missed() {
        let config = Config { mode: Mode::Async, clients: 2, client_ms: 1, ..Config::default() };
        let sim = super::super::run(
            config,
            &[
                (0, Command::Write { client: 0, key: 101, name: "Bob".into() }),
                (100, Command::Read { client: 1, key: 101 }),
            ],
            200,
        );
        let view = history(&sim, &Judgements::default());
        assert_eq!(view.links, vec![(1, 0)]);
        assert_eq!(view.bars[1].tags, vec!["STALE"]);
        assert!(
            view.bars[1].detail.starts_with(
                "client 2 · r(101) → none · called 0:00.100 · answered 0:00.103 (3.0 ms) · pg-2 (replica 1)"
            ),
            "{}",
            view.bars[1].detail
        );
    }

    #[test]
    fn the_panel_says_where_the_window_opens_and_a_witness_names_the_start_it_contradicts() {
        let config = Config { mode: Mode::Async, clients: 2, client_ms: 1, lag_ms: 1_000, ..Config::default() };
        let sim = super::super::run(
            config,
            &[
                (0, Command::Write { client: 0, key: 102, name: "Ann".into() }),
                (100, Command::Read { client: 1, key: 102 }),
            ],
            200,
        );
        let view = history(&sim, &Judgements::default());
        assert_eq!(
            view.start,
            "Window from the run's start: each user starts at its last write acknowledged by then (102 \"Bob\"); earlier writes may take effect at any moment, earlier reads are not judged."
        );
        let linearizable = &view.verdicts[0];
        assert_eq!(linearizable.answer, "no");
        assert!(
            linearizable.words.ends_with(", and user 102 was \"Bob\" when the window opened."),
            "{}",
            linearizable.words
        );
    }

    #[test]
    fn a_pending_write_runs_to_now_and_the_panel_keeps_the_latest_operations() {
        let config = Config { mode: Mode::Sync, lag_ms: 1_000, client_ms: 1, ..Config::default() };
        let reads = |count| (0..count).map(|i| (10 + i, Command::Read { client: 0, key: 102 }));
        let mut commands = vec![(0, Command::Write { client: 0, key: 101, name: "Bob".into() })];
        commands.extend(reads(10));
        let view = history(&super::super::run(config.clone(), &commands, 500), &Judgements::default());
        assert_eq!(view.bars.len(), 11);
        assert_eq!((view.bars[0].ending, view.bars[0].to), (Ending::Pending, 1.0), "the write still waits");
        commands.extend(reads(30).skip(10));
        let view = history(&super::super::run(config, &commands, 500), &Judgements::default());
        assert_eq!(
            view.bars.len(),
            SHOWN,
            "the latest reads; the waiting write, which none of them returned, is left out"
        );
        // Reads called before the last answer left out overlap the cut: drawn, not checked.
        assert!(view.scope.starts_with("The 24 latest operations; the checks look at 21 ("), "{}", view.scope);
    }

    /// Traffic at `rate` requests/s from `clients` clients, each request 100 ms there and back:
    /// at 200/s, every client has several under way at once. Replicas 1 s behind: reads come
    /// back stale.
    fn traffic(rate: u64, clients: usize, until_ms: u64) -> Simulation {
        let config = Config { mode: Mode::Async, clients, rate, seed: 4, ..Config::default() };
        super::super::run(config, &[], until_ms)
    }

    #[test]
    fn each_client_has_one_lane_and_its_operations_under_way_at_once_have_rows_of_their_own() {
        for clients in [1, 4] {
            let sim = traffic(200, clients, 3_000);
            let view = history(&sim, &Judgements::default());
            let names: Vec<&str> = view.lanes.iter().map(|lane| lane.name.as_str()).collect();
            let expected: Vec<String> = (1..=clients).map(|client| format!("client {client}")).collect();
            assert_eq!(names, expected, "one lane per client, named once");
            assert!(view.lanes.iter().any(|lane| lane.rows > 3), "{:?}", view.lanes);
            for (index, bar) in view.bars.iter().enumerate() {
                let record = sim.recent().chain(sim.in_flight()).find(|record| record.id == bar.request).unwrap();
                assert_eq!(view.lanes[bar.lane].name, format!("client {}", record.client + 1));
                assert!(bar.row < view.lanes[bar.lane].rows);
                // The next operation on the same row starts after this one ended.
                if let Some(next) =
                    view.bars[index + 1..].iter().find(|next| (next.lane, next.row) == (bar.lane, bar.row))
                {
                    assert!(bar.to < next.from, "{bar:?} and {next:?} share a row");
                }
            }
        }
    }

    #[test]
    fn labels_never_overlap_and_each_says_what_fits() {
        // Many operations under way at once, each alone on its row; then one after the other,
        // a row holding several.
        for (rate, clients) in [(200, 4), (20, 1)] {
            let view = history(&traffic(rate, clients, 3_000), &Judgements::default());
            for (width, label_px) in
                [(280.0, LABEL_PX), (700.0, LABEL_PX), (1_100.0, LABEL_PX), (1_400.0, LARGE_LABEL_PX)]
            {
                let placed = place_labels(&view, width, label_px);
                let drawn: Vec<(&Bar, &Placed)> =
                    view.bars.iter().zip(&placed).filter_map(|(bar, placed)| Some((bar, placed.as_ref()?))).collect();
                let all = format!("{} of {} labelled at {rate}/s, {width} px", drawn.len(), view.bars.len());
                assert!(drawn.len() >= view.bars.len() / 2, "{all}");
                for (i, (bar, label)) in drawn.iter().enumerate() {
                    assert!(bar.texts().contains(&label.text), "{label:?}");
                    let (left, right) = label.extent(width);
                    assert!(left >= 0.0 && right <= width, "{label:?} leaves the panel ({all})");
                    for (other_bar, other) in &drawn[i + 1..] {
                        if (other_bar.lane, other_bar.row) == (bar.lane, bar.row) {
                            let (other_left, other_right) = other.extent(width);
                            assert!(right <= other_left || other_right <= left, "{label:?} overlaps {other:?} ({all})");
                        }
                    }
                }
                let full = drawn.iter().filter(|(bar, label)| label.text.starts_with(&bar.label)).count();
                let short = drawn.len() - full;
                match (rate, width) {
                    (200, _) => assert_eq!(short, 0, "each bar has its row to itself ({all})"),
                    (_, 280.0) => assert!(short > full, "mostly shortened ({all}; {short} short)"),
                    (_, 1_100.0 | 1_400.0) => assert!(full > short, "mostly in full ({all}; {short} short)"),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn where_a_label_does_not_fit_the_name_written_or_read_is_kept_before_the_users_number() {
        let commands = [
            (0, Command::Write { client: 0, key: 102, name: "Alice".into() }),
            (500, Command::Read { client: 0, key: 102 }),
        ];
        let view = history(&super::super::run(Config::default(), &commands, 1_000), &Judgements::default());
        let texts: Vec<Vec<String>> = view.bars.iter().map(Bar::texts).collect();
        assert_eq!(texts[0], ["w(102, \"Alice\")", "w \"Alice\"", "w(102)", "w"]);
        // Read from a replica the write has not reached yet.
        let stale = ["r(102) → \"Bob\" STALE", "r(102) → \"Bob\"", "r → \"Bob\" STALE", "r → \"Bob\""];
        assert_eq!(texts[1], [&stale[..], &["r(102) STALE", "r(102)", "r"]].concat());
        // Narrow lanes: before the read's bar there is room for 12 characters: the write's
        // full label (16) does not fit there, its name (9) does.
        let narrow = (12.0 * MONOSPACE * LABEL_PX + LABEL_GAP) / view.bars[1].from;
        let placed = place_labels(&view, narrow, LABEL_PX);
        assert_eq!(placed[0].as_ref().map(|label| label.text.as_str()), Some("w \"Alice\""), "{narrow} px");
    }

    #[test]
    fn the_verdicts_are_not_judged_again_while_the_operations_stay_the_same() {
        // The write waits 1 s for the replicas: the frames until then move its bar's end, not
        // what is judged.
        let config = Config { mode: Mode::Sync, lag_ms: 1_000, client_ms: 1, ..Config::default() };
        let mut sim =
            super::super::run(config, &[(0, Command::Write { client: 0, key: 101, name: "Bob".into() })], 100);
        let judgements = Judgements::default();
        let first = history(&sim, &judgements);
        for _ in 0..10 {
            sim.run_until(sim.now() + Time::from_millis(16));
            let frame = history(&sim, &judgements);
            assert!(frame.to > first.to, "the panel runs to now");
            assert_eq!(frame.verdicts, first.verdicts);
        }
        assert_eq!(judgements.made.get(), 1, "judged once for eleven frames");
        sim.apply(Command::Read { client: 0, key: 101 }).unwrap();
        sim.run_until(sim.now() + Time::from_millis(16));
        history(&sim, &judgements);
        assert_eq!(judgements.made.get(), 2, "a new operation is judged");
    }

    #[test]
    fn a_stale_read_beside_a_linearizable_yes_is_told_why() {
        // Client 2 reads while client 1's write is on its way back: stale, and overlapping.
        let config = Config { mode: Mode::Async, clients: 2, lag_ms: 1_000, client_ms: 50, ..Config::default() };
        let write = (0, Command::Write { client: 0, key: 101, name: "Bob".into() });
        let overlapping = (60, Command::Read { client: 1, key: 101 });
        let view =
            history(&super::super::run(config.clone(), &[write.clone(), overlapping], 400), &Judgements::default());
        assert_eq!(view.bars[1].tags, ["STALE"]);
        assert_eq!(view.verdicts[0].answer, "yes");
        assert_eq!(
            view.stale_why.as_deref(),
            Some(
                "A read tagged STALE can still be linearizable: it overlapped the write it missed, so that write may take effect just after the read. Here client 2's r(101) → none, called at 0:00.060, missed w(101, \"Bob\"), acknowledged only at 0:00.101."
            )
        );
        // Called after the write was acknowledged: not linearizable, and nothing to explain.
        let after = (150, Command::Read { client: 1, key: 101 });
        let view = history(&super::super::run(config.clone(), &[write.clone(), after], 400), &Judgements::default());
        assert_eq!((view.bars[1].tags.as_slice(), view.verdicts[0].answer), (&["STALE"][..], "no"));
        assert_eq!(view.stale_why, None);
        // The overlapping read, then 23 more: the write leaves the window, which opens at its
        // answer, after the stale read began.
        let mut commands = vec![write, (60, Command::Read { client: 1, key: 101 })];
        commands.extend((0..SHOWN as u64 - 1).map(|i| (61 + i, Command::Read { client: 0, key: 102 })));
        let view = history(&super::super::run(config, &commands, 400), &Judgements::default());
        assert_eq!((view.bars[0].tags.as_slice(), view.verdicts[0].answer), (&["STALE"][..], "not checked"));
        assert_eq!(
            view.stale_why.as_deref(),
            Some("1 read tagged STALE began before the window opened (0:00.101), so no verdict judges it.")
        );
        // No stale read, nothing to explain.
        assert_eq!(history(&inversion(ReadPref::Primary), &Judgements::default()).stale_why, None);
    }
}
