//! Consistency checks of what clients saw, in the style of Jepsen's Knossos: is a history of
//! reads and writes of registers linearizable, sequentially consistent, and did each process
//! read its own writes and read monotonically?
//!
//! A [`History`] holds [`Op`]s: a process wrote or read one key's register (one register per
//! key: "user 101's name"), called at one simulated moment and answered at a later one. Each
//! write writes a value no other write of its key writes, its number in the master's log order
//! (a larger number is a newer write); a read returns a write's value, or `None` for the row
//! absent. An operation never answered (in flight, or failed without knowing whether it took
//! effect: Jepsen's `:info`) may take effect at any moment after its call, or never; an
//! unanswered read tells nothing and is ignored. Operations that failed for sure are not passed
//! in. An operation comes before another if it was answered before the other was called.
//!
//! - [`linearizable`]: each operation seems to take effect at one moment between its call and
//!   its answer: there is one order keeping real time in which every read returns the last
//!   write before it. Checked key by key, since linearizability is local (Herlihy & Wing 1990).
//! - [`sequentially_consistent`]: there is one order of all operations, all keys together
//!   (sequential consistency is not local), keeping each process's own order but not real time
//!   between processes, in which every read returns the last write before it.
//! - [`read_your_writes`]: no process reads a key older than a write of it that was answered
//!   to the process before the read was called.
//! - [`monotonic_reads`]: no process reads a key older than a read of it that was answered to
//!   the process before.
//!
//! A [`Verdict::No`] names a witness: a set of the operations that is still a No and from which
//! no single operation can be removed (greedy deletion, not the least of all such sets), for the
//! page to show why. [`Initial::Unknown`] is for a history that is a window cut out of a
//! longer run, where a key's value before the window is not known: it is one free value, the one
//! a read returns that no write in the window wrote. That is sound for linearizability when all
//! that was left out came before the window in real time (the caller's part); sequential consistency may order
//! a write from before the window after operations of other processes in it, so a caller who
//! wants that stands the write in as an unanswered one.
//!
//! The page checks its history whenever the operations it judges change, under traffic nearly
//! every frame it draws, so the two searches are bounded in work,
//! not time: at most [`MAX_OPS`] operations and [`CHECK_STEPS`] steps, witness included; past
//! either, the verdict is [`Verdict::NotChecked`], saying which. The search is Wing & Gong's, with Lowe's
//! just-in-time linearization and memoized states (Lowe, "Testing for linearizability", 2017).
//! The two session checks are a sort and a sweep, and need no bound.

use std::collections::{BTreeMap, BTreeSet};

use crate::order::{key_of, map_of, set_of, sorted_by};

mod search;

use search::Search;

/// The most operations the searches look at (unanswered reads aside). A window of the page's
/// recent requests fits; more, and a search would spend its steps on bookkeeping.
pub const MAX_OPS: usize = 256;

/// The most steps one check takes, its witness included. Steps are about equal work, a few
/// hundred machine instructions: an operation tried at a point of the search (or looked at for
/// the choices there, or copied to try a smaller witness), each eight words of a state compared or
/// remembered. A check that runs out has taken a millisecond or two natively, two or three in
/// wasm.
pub const CHECK_STEPS: u64 = 30_000;

const TOO_MANY: &str = "too many operations";
const TOO_MUCH_WORK: &str = "the search ran out of steps";

/// One client operation on one key's register; times are simulated microseconds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Op {
    pub process: u32,
    pub key: u64,
    pub kind: Kind,
    pub call: u64,
    /// When the answer came; `None`: no answer, so the operation may take effect at any moment
    /// after its call, or never.
    pub ret: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Writes `value`, which no other write of the key writes: its number in the master's log
    /// order.
    Write { value: u64 },
    /// Returned the value of the write numbered `value`, or `None`: the row absent.
    Read { value: Option<u64> },
}

/// Every key's value before the history starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Initial {
    Known(Option<u64>),
    /// Each named key's own value; a key not named is unknown (as under `Unknown`).
    Each(BTreeMap<u64, Option<u64>>),
    /// The history is a window cut out of a longer run: each key's value before it is one free
    /// value, bound by the first read that returns a value no write in the history wrote.
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct History {
    pub ops: Vec<Op>,
    pub initial: Initial,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Yes,
    /// `witness`: indices into the history's operations, in call order.
    No {
        witness: Vec<usize>,
    },
    NotChecked {
        reason: &'static str,
    },
}

impl Verdict {
    /// The verdict in one word, as the page and its tests say it.
    pub fn answer(&self) -> &'static str {
        match self {
            Verdict::Yes => "yes",
            Verdict::No { .. } => "no",
            Verdict::NotChecked { .. } => "not checked",
        }
    }
}

/// Whether each key's register is linearizable; a No's witness is within one key.
pub fn linearizable(history: &History) -> Verdict {
    let Some(answered) = answered(history) else { return too_many() };
    let mut by_key: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for i in answered {
        by_key.entry(history.ops[i].key).or_default().push(i);
    }
    // Small keys first, so that a cheap violation is found before a large key spends the steps.
    let keys = sorted_by(by_key.into_values().collect(), |ops| (ops.len() as u64, 0));
    let mut budget = Budget(CHECK_STEPS);
    for ops in keys {
        match consistent(history, &ops, Order::RealTime, &mut budget) {
            Ok(true) => {}
            Ok(false) => return Verdict::No { witness: shrink(history, ops, Order::RealTime, &mut budget) },
            Err(OutOfSteps) => return out_of_steps(),
        }
    }
    Verdict::Yes
}

/// Whether there is one order of all operations, keeping each process's order, that every read
/// agrees with.
pub fn sequentially_consistent(history: &History) -> Verdict {
    let Some(answered) = answered(history) else { return too_many() };
    let mut budget = Budget(CHECK_STEPS);
    match consistent(history, &answered, Order::Process, &mut budget) {
        Ok(true) => Verdict::Yes,
        Ok(false) => Verdict::No { witness: shrink(history, answered, Order::Process, &mut budget) },
        Err(OutOfSteps) => out_of_steps(),
    }
}

/// Whether every read returns a value at least as new as the process's newest write of the key
/// answered before the read was called. The witness: that write and the latest such read.
pub fn read_your_writes(history: &History) -> Verdict {
    latest_older_read(history, |kind| match kind {
        Kind::Write { value } => Some(Some(*value)),
        Kind::Read { .. } => None,
    })
}

/// Whether every read returns a value at least as new as the process's reads of the key answered
/// before it was called. The witness: the newest of those and the latest read older than it.
pub fn monotonic_reads(history: &History) -> Verdict {
    latest_older_read(history, |kind| match kind {
        Kind::Read { value } => Some(*value),
        Kind::Write { .. } => None,
    })
}

fn too_many() -> Verdict {
    Verdict::NotChecked { reason: TOO_MANY }
}

fn out_of_steps() -> Verdict {
    Verdict::NotChecked { reason: TOO_MUCH_WORK }
}

/// The operations the searches look at: all but reads never answered. `None` past [`MAX_OPS`].
fn answered(history: &History) -> Option<Vec<usize>> {
    let answered: Vec<usize> = (0..history.ops.len())
        .filter(|&i| history.ops[i].ret.is_some() || matches!(history.ops[i].kind, Kind::Write { .. }))
        .collect();
    (answered.len() <= MAX_OPS).then_some(answered)
}

/// The latest read (by call) of a key by a process that returns an older value than an earlier
/// operation of the process on the key (answered before the read was called) sets as its floor:
/// the witness is [the newest such operation, the read]. `None`, the row absent, is older than any
/// write.
fn latest_older_read(history: &History, floor: impl Fn(&Kind) -> Option<Option<u64>>) -> Verdict {
    // For each process and key, (time, value, index): floors by answer, reads by call.
    type Timed = Vec<(u64, Option<u64>, usize)>;
    let mut floors: BTreeMap<(u32, u64), Timed> = BTreeMap::new();
    let mut reads: BTreeMap<(u32, u64), Timed> = BTreeMap::new();
    for (i, op) in history.ops.iter().enumerate() {
        let Some(ret) = op.ret else { continue };
        let session = (op.process, op.key);
        if let Some(value) = floor(&op.kind) {
            floors.entry(session).or_default().push((ret, value, i));
        }
        if let Kind::Read { value } = op.kind {
            reads.entry(session).or_default().push((op.call, value, i));
        }
    }
    let mut latest: Option<(u64, usize, usize)> = None;
    for (session, reads) in reads {
        let floors = sorted_by(floors.remove(&session).unwrap_or_default(), |&(ret, value, _)| (ret, key_of(value)));
        let reads = sorted_by(reads, |&(call, value, _)| (call, key_of(value)));
        let mut answered = floors.into_iter().peekable();
        let mut newest: Option<(Option<u64>, usize)> = None;
        for (call, value, read) in reads {
            while let Some((_, floor, earlier)) = answered.next_if(|&(ret, ..)| ret < call) {
                if newest.is_none_or(|(newest, _)| floor > newest) {
                    newest = Some((floor, earlier));
                }
            }
            let Some((floor, earlier)) = newest else { continue };
            if value < floor
                && latest.is_none_or(|(latest_call, _, latest_read)| (call, read) > (latest_call, latest_read))
            {
                latest = Some((call, earlier, read));
            }
        }
    }
    latest.map_or(Verdict::Yes, |(_, earlier, read)| Verdict::No { witness: vec![earlier, read] })
}

/// Which order of the history the one total order must keep.
#[derive(Clone, Copy)]
enum Order {
    /// Real time: linearizability.
    RealTime,
    /// Each process's own order: sequential consistency.
    Process,
}

struct Budget(u64);

struct OutOfSteps;

impl Budget {
    fn spend(&mut self, steps: usize) -> Result<(), OutOfSteps> {
        match self.0.checked_sub(steps as u64) {
            Some(left) => {
                self.0 = left;
                Ok(())
            }
            None => {
                self.0 = 0;
                Err(OutOfSteps)
            }
        }
    }
}

/// Whether the operations `subset` of the history have one total order keeping `order` in which
/// each read returns the last write of its key before it.
fn consistent(history: &History, subset: &[usize], order: Order, budget: &mut Budget) -> Result<bool, OutOfSteps> {
    // Numbering the values and sorting the operations costs a few steps an operation.
    budget.spend(3 * subset.len())?;
    match Search::new(history, subset, order) {
        Some(search) => search.run(budget),
        None => Ok(false),
    }
}

/// A set of `ops` still not consistent from which no operation can be removed: greedy
/// deletion, trying to remove halves, then quarters, and so on, then one operation at a time
/// until none can go, earliest first, so that of several violations the latest is kept. A write goes only with every read of its value, so
/// that a witness never reads a value no write in it wrote (with `Initial::Unknown`, a value no
/// write in the whole history wrote is the free initial value and may stay). Out of steps, the
/// smallest set found so far, which is still not consistent.
fn shrink(history: &History, mut kept: Vec<usize>, order: Order, budget: &mut Budget) -> Vec<usize> {
    let writes: BTreeMap<(u64, u64), usize> =
        map_of(history.ops.iter().enumerate().filter_map(|(i, op)| match op.kind {
            Kind::Write { value } => Some(((op.key, value), i)),
            Kind::Read { .. } => None,
        }));
    let reads_removed_write = |trial: &[usize]| {
        let present: BTreeSet<usize> = set_of(trial.iter().copied());
        trial.iter().any(|&i| match history.ops[i].kind {
            Kind::Read { value: Some(value) } => {
                writes.get(&(history.ops[i].key, value)).is_some_and(|write| !present.contains(write))
            }
            _ => false,
        })
    };
    kept = sorted_by(kept, |&i| (history.ops[i].call, i as u64));
    let mut size = (kept.len() / 2).max(1);
    loop {
        let mut removed = false;
        let mut start = 0;
        while start < kept.len() {
            let end = (start + size).min(kept.len());
            let trial: Vec<usize> = kept[..start].iter().chain(&kept[end..]).copied().collect();
            let still_inconsistent = budget
                .spend(trial.len())
                .and_then(|()| Ok(!reads_removed_write(&trial) && !consistent(history, &trial, order, budget)?));
            match still_inconsistent {
                Ok(true) => {
                    kept = trial;
                    removed = true;
                }
                Ok(false) => start = end,
                Err(OutOfSteps) => return kept,
            }
        }
        if size > 1 {
            size /= 2;
        } else if !removed {
            return kept;
        }
    }
}
