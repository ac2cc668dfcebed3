//! The history: the latest operations as their clients saw them, each from its call to its
//! answer, and its verdicts against consistency models (the `checker`).
//!
//! It is the finished requests the simulation keeps (`recent`, and writes in doubt), and those
//! in flight. Every request issued after `horizon` is among them, unless it cannot change a
//! verdict; one issued before may have been dropped, so the window opens at the horizon: each
//! user's register starts there at the write acknowledged by then that took effect last, when
//! that is one write (`start`, see `acknowledged`), else at one unknown value; a write
//! acknowledged by then is part of that start; a request that overlaps the horizon is checked
//! loosely (a write as if its answer were unknown, a read not at all). What is left unchecked
//! is so that a "no" is never wrong; a "yes" is about what the window shows.
//!
//! Sequential consistency does not keep real time, so a read may be ordered before writes that
//! came before the window: for it each key's start is unknown, and each earlier value a read
//! returned is a write that may take effect anywhere.

use crate::acknowledged::Start;
use crate::checker::{self, Initial, Kind, Op as Checked, Verdict};
use crate::clients::Clients;
use crate::data::Key;
use crate::ids::ClientId;
use crate::order::{map_of, ordered, sorted_by};
use crate::request::{Op, Outcome, RequestRecord};
use crate::time::Time;

/// How many operations the page's history shows and checks: the latest ones, few enough to
/// read on the stage.
pub const SHOWN: usize = 24;

/// One operation of the history.
#[derive(Clone, Copy, Debug)]
pub struct Entry<'a> {
    pub record: &'a RequestRecord,
    /// Its lane within its client: a client with several operations at once (the traffic
    /// generator does not wait for answers) gets a lane for each, as Jepsen gives each thread
    /// its own process.
    pub lane: usize,
    /// Its Jepsen process: one number per client lane, so each process does one thing at a time.
    pub process: u32,
}

/// How an operation ended, as Jepsen records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Ok,
    /// It failed and did not happen.
    Fail,
    /// It failed after the master logged it: it may or may not survive.
    Info,
    /// No answer yet.
    Pending,
}

impl Ending {
    pub fn of(record: &RequestRecord) -> Ending {
        match (&record.outcome, record.completed_at) {
            (_, None) => Ending::Pending,
            (Some(Outcome::Failed { .. }), _) if record.in_doubt.is_some() => Ending::Info,
            (Some(Outcome::Failed { .. }), _) => Ending::Fail,
            _ => Ending::Ok,
        }
    }
}

/// The verdicts on a history; witnesses are indices into its `entries`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdicts {
    pub linearizable: Verdict,
    pub sequential: Verdict,
    pub read_your_writes: Verdict,
    pub monotonic_reads: Verdict,
    /// How many operations the checks looked at.
    pub checked: usize,
}

#[derive(Clone, Debug)]
pub struct History<'a> {
    /// In the order they were called.
    pub entries: Vec<Entry<'a>>,
    /// Every request issued after this moment is here, or left out as one that cannot change
    /// a verdict: the window opens here.
    pub horizon: Time,
    /// Each user the window names, with its register when the window opened, by user.
    pub start: Vec<(Key, Start)>,
    /// A console write is here or may still take effect. It may have deleted rows, which the
    /// checker cannot tell (a register's write has a value), so reads of a missing row are not
    /// checked.
    pub console_writes: bool,
    pub now: Time,
}

impl<'a> History<'a> {
    /// The `count` requests called last, finished or in flight, with their lanes; and any write
    /// called earlier that may still take effect (waiting to commit, or in doubt) when one of
    /// those reads returned it. The horizon moves to the last answer of those left out, so the
    /// checks stay sound; a write left out that may still take effect and that no read shown
    /// returned could only have been skipped by the checks anyway, and moves nothing.
    /// `usize::MAX` for all the simulation keeps.
    pub(crate) fn of(clients: &'a Clients, count: usize, now: Time) -> History<'a> {
        // Ids are issued in the order requests are called.
        let records = clients.kept().collect();
        let records = sorted_by(records, |record: &&RequestRecord| (record.id, 0));
        let first_kept = records.len().saturating_sub(count);
        let seen: Vec<u64> = records[first_kept..]
            .iter()
            .filter_map(|record| match &record.outcome {
                Some(Outcome::Read { row: Some(row), .. }) => Some(row.write),
                _ => None,
            })
            .collect();
        let seen = sorted_by(seen, |&write| (write, 0));
        let mut horizon = clients.horizon();
        let mut console_writes = false;
        let mut kept = Vec::new();
        for (index, record) in records.into_iter().enumerate() {
            let may_take_effect = record.completed_at.is_none() || record.in_doubt.is_some();
            let console_write = matches!(record.op, Op::Sql { read: false, .. }) && record.logged_write().is_some();
            console_writes |= console_write && (index >= first_kept || may_take_effect);
            let seen = record.logged_write().is_some_and(|write| seen.binary_search(&write).is_ok());
            if index >= first_kept || (may_take_effect && seen) {
                kept.push(record);
            } else if let (Some(done), false) = (record.completed_at, may_take_effect) {
                horizon = horizon.max(done);
            }
        }
        // Each client's lanes: when the lane's last operation was answered (None: not yet), and
        // its process number. A lane is free once its last answer came strictly before the next
        // call; after an answer in doubt it gets a new process, as Jepsen never reuses one
        // whose operation may still be under way.
        let client_count = kept.iter().map(|record| record.client + 1).max().unwrap_or(0);
        let mut lanes: Vec<Vec<(Option<Time>, u32)>> = vec![Vec::new(); client_count];
        let mut processes = 0;
        let entries: Vec<Entry<'_>> = kept
            .into_iter()
            .map(|record| {
                let client_lanes = &mut lanes[record.client];
                let free = client_lanes.iter().position(|(done, _)| done.is_some_and(|done| done < record.issued_at));
                let lane = free.unwrap_or_else(|| {
                    client_lanes.push((None, processes));
                    processes += 1;
                    client_lanes.len() - 1
                });
                let process = client_lanes[lane].1;
                client_lanes[lane].0 = record.completed_at;
                if record.in_doubt.is_some() {
                    client_lanes[lane].1 = processes;
                    processes += 1;
                }
                Entry { record, lane, process }
            })
            .collect();
        let keys = entries.iter().filter_map(|entry| entry.record.key()).collect();
        let mut keys = sorted_by(keys, |&key| (key, 0));
        keys.dedup();
        let start = clients.acknowledged().starts(horizon, keys);
        History { entries, horizon, start, console_writes, now }
    }
}

impl History<'_> {
    /// Called before the window opened (when it opens after the run's start): such a read is
    /// not judged, such a write is judged as if its answer were unknown.
    pub fn began_before_window(&self, record: &RequestRecord) -> bool {
        record.issued_at <= self.horizon && self.horizon > Time::ZERO
    }

    /// How many lanes each client has.
    pub fn lanes(&self, client: ClientId) -> usize {
        self.entries.iter().filter(|entry| entry.record.client == client).map(|entry| entry.lane + 1).max().unwrap_or(0)
    }

    /// The operations the checker can judge, as registers (one per user): the Write and Read
    /// buttons' and the generator's, and the console's writes for the users later reads saw
    /// them write. A console SELECT is drawn but not checked: its answer is a table, not a
    /// register's value. Each with the index of its entry.
    pub fn checked(&self) -> (checker::History, Vec<usize>) {
        let mut ops = Vec::new();
        let mut entry_of = Vec::new();
        let before_horizon = |record: &RequestRecord| self.began_before_window(record);
        // Acknowledged by the time the window opens: it is part of the start, or was overwritten
        // before it.
        let in_start = |record: &RequestRecord| {
            Ending::of(record) == Ending::Ok && record.completed_at.is_some_and(|done| done <= self.horizon)
        };
        let mut read_keys: Vec<(u64, Key)> = Vec::new();
        for (index, entry) in self.entries.iter().enumerate() {
            let record = entry.record;
            if let (Op::Read { key }, Some(Outcome::Read { row, .. })) = (&record.op, &record.outcome) {
                if record.completed_at.is_none() || before_horizon(record) {
                    continue;
                }
                let value = row.as_ref().map(|row| row.write);
                if value.is_none() && self.console_writes {
                    continue;
                }
                read_keys.extend(value.map(|write| (write, *key)));
                ops.push(Checked {
                    // The client, not its lane: a session's guarantees are the client's.
                    process: record.client as u32,
                    key: *key,
                    kind: Kind::Read { value },
                    call: record.issued_at.0,
                    ret: record.completed_at.map(|t| t.0),
                });
                entry_of.push(index);
            }
        }
        // A console write counts once per user, however many reads saw it.
        let mut read_keys = sorted_by(read_keys, |&pair| pair);
        read_keys.dedup();
        for (index, entry) in self.entries.iter().enumerate() {
            let record = entry.record;
            let Some(value) = record.logged_write().filter(|_| !in_start(record)) else { continue };
            // Answered before the horizon or not at all: it may have taken effect at any moment.
            let ret = match Ending::of(record) {
                Ending::Ok if !before_horizon(record) => record.completed_at.map(|t| t.0),
                _ => None,
            };
            let keys: Vec<Key> = match &record.op {
                Op::Write { key, .. } => vec![*key],
                _ => read_keys.iter().filter(|(write, _)| *write == value).map(|&(_, key)| key).collect(),
            };
            for key in keys {
                ops.push(Checked {
                    process: record.client as u32,
                    key,
                    kind: Kind::Write { value },
                    call: record.issued_at.0,
                    ret,
                });
                entry_of.push(index);
            }
        }
        let order = ordered(ops.iter().zip(&entry_of).map(|(op, &entry)| (op.call, entry as u64)));
        let initial = map_of(self.start.iter().filter_map(|(key, start)| match start {
            Start::Known(write) => Some((*key, write.as_ref().map(|write| write.write))),
            Start::Unknown => None,
        }));
        let history =
            checker::History { ops: order.iter().map(|&i| ops[i].clone()).collect(), initial: Initial::Each(initial) };
        (history, order.iter().map(|&i| entry_of[i]).collect())
    }

    /// The checker's verdicts on this history, witnesses as entry indices.
    pub fn verdicts(&self) -> Verdicts {
        judge(&self.checked())
    }
}

/// The checker's verdicts on what [`History::checked`] gives: the operations judged and the
/// entry each came from; witnesses as entry indices. Its own function, so that a caller who
/// keeps the last judgement can judge again only when that input changed.
pub fn judge((history, entry_of): &(checker::History, Vec<usize>)) -> Verdicts {
    // Nothing to judge is not a "yes": under heavy traffic the window can hold only operations
    // still under way, and a verdict there would claim what no operation showed.
    if history.ops.is_empty() {
        let none = || Verdict::NotChecked { reason: NOTHING_TO_CHECK };
        return Verdicts {
            linearizable: none(),
            sequential: none(),
            read_your_writes: none(),
            monotonic_reads: none(),
            checked: 0,
        };
    }
    let in_entries = |verdict: Verdict| match verdict {
        Verdict::No { witness } => {
            // Past `entry_of` are the sequential check's stand-ins for writes before the window.
            let witness = witness.into_iter().filter_map(|i| entry_of.get(i).copied()).collect();
            let mut witness = sorted_by(witness, |&entry| (entry as u64, 0));
            witness.dedup();
            Verdict::No { witness }
        }
        other => other,
    };
    Verdicts {
        linearizable: in_entries(checker::linearizable(history)),
        sequential: in_entries(checker::sequentially_consistent(&with_earlier_writes(history))),
        read_your_writes: in_entries(checker::read_your_writes(history)),
        monotonic_reads: in_entries(checker::monotonic_reads(history)),
        checked: history.ops.len(),
    }
}

/// Why a window with no operation to check has no verdicts.
pub const NOTHING_TO_CHECK: &str =
    "no operation in the window could be checked yet (each is unanswered, failed, or began before the window opened)";

/// The history for sequential consistency: each key's start unknown, and a stand-in for each
/// write before the window that a read in it returned. Sequential consistency keeps only each
/// client's order, so an earlier write may come after any operation of another client: each
/// stand-in is a write of its own process that may take effect anywhere, or never.
fn with_earlier_writes(history: &checker::History) -> checker::History {
    let mut extended = history.clone();
    extended.initial = Initial::Unknown;
    let written: Vec<u64> = history
        .ops
        .iter()
        .filter_map(|op| match op.kind {
            Kind::Write { value } => Some(value),
            Kind::Read { .. } => None,
        })
        .collect();
    let earlier: Vec<(Key, u64)> = history
        .ops
        .iter()
        .filter_map(|op| match op.kind {
            Kind::Read { value: Some(value) } if !written.contains(&value) => Some((op.key, value)),
            _ => None,
        })
        .collect();
    let mut earlier = sorted_by(earlier, |&pair| pair);
    earlier.dedup();
    for (index, (key, value)) in earlier.into_iter().enumerate() {
        extended.ops.push(Checked {
            process: u32::MAX - index as u32,
            key,
            kind: Kind::Write { value },
            call: 0,
            ret: None,
        });
    }
    extended
}
