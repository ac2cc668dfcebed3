//! The search for one total order of some operations (Wing & Gong's, with Lowe's memo of the
//! states already tried), bounded by the check's budget of steps.

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use super::{Budget, History, Initial, Kind, Order, OutOfSteps};
use crate::order::{key_of, sorted_by};

/// An operation as the search sees it (an entry, in Wing & Gong's terms).
struct Entry {
    call: u64,
    /// `u64::MAX` if never answered.
    ret: u64,
    /// The key's number in the search.
    key: usize,
    effect: Effect,
}

/// Values are numbered per search: each value some read returns has its own number, and every
/// value no read returns is [`UNREAD`], since they all leave the same future (no read can follow
/// them until another write).
#[derive(Clone, Copy)]
enum Effect {
    Write(u32),
    Read(u32),
}

const UNREAD: u32 = 0;

/// The search for one total order of some operations: Wing & Gong's depth-first search over
/// which operation takes effect next, with Lowe's memo of the states already tried.
pub(super) struct Search {
    /// Grouped in chains, each chain in call order.
    entries: Vec<Entry>,
    /// The operations the order must keep in their history order among themselves: all of them
    /// for real time, each process's for its own order. Nothing orders two chains.
    chains: Vec<Range<usize>>,
    /// Each key's value before the history.
    initial: Vec<u32>,
    /// Each key's number of reads.
    reads: Vec<u32>,
}

impl Search {
    /// `None` if a read returns a value the register never holds: no order can explain it.
    pub(super) fn new(history: &History, subset: &[usize], order: Order) -> Option<Search> {
        fn sorted<T: PartialEq>(items: Vec<T>, key: impl Fn(&T) -> (u64, u64)) -> Vec<T> {
            let mut items = sorted_by(items, key);
            items.dedup();
            items
        }
        // In the order of the operations, so that operations called at the same moment keep it.
        let subset = sorted_by(subset.to_vec(), |&i| (i as u64, 0));
        let ops = || subset.iter().map(|&i| (i, &history.ops[i]));
        let keys = sorted(ops().map(|(_, op)| op.key).collect(), |&key| (key, 0));
        let key_number = |key: u64| keys.binary_search(&key).expect("every key was collected");
        let written = sorted(
            (ops())
                .filter_map(|(_, op)| match op.kind {
                    Kind::Write { value } => Some((op.key, value)),
                    Kind::Read { .. } => None,
                })
                .collect(),
            |&pair| pair,
        );
        let read = sorted(
            (ops())
                .filter_map(|(_, op)| match op.kind {
                    Kind::Read { value } => Some((op.key, value)),
                    Kind::Write { .. } => None,
                })
                .collect(),
            |&(key, value)| (key, key_of(value)),
        );
        let number =
            |key: u64, value: Option<u64>| read.binary_search(&(key, value)).map_or(UNREAD, |at| 1 + at as u32);
        // Each key's value before the history: under `Initial::Unknown`, the one value read that
        // no write here wrote, if any.
        let mut before: Vec<Option<Option<u64>>> = (keys.iter())
            .map(|key| match &history.initial {
                Initial::Known(value) => Some(*value),
                Initial::Each(values) => values.get(key).copied(),
                Initial::Unknown => None,
            })
            .collect();
        for &(key, value) in &read {
            if value.is_some_and(|value| written.binary_search(&(key, value)).is_ok()) {
                continue;
            }
            let before = &mut before[key_number(key)];
            if before.is_some_and(|before| before != value) {
                return None;
            }
            *before = Some(value);
        }
        let initial =
            (keys.iter().zip(before)).map(|(&key, before)| before.map_or(UNREAD, |value| number(key, value))).collect();
        let mut reads = vec![0; keys.len()];
        let mut chained: Vec<(u32, u64, usize, Entry)> = Vec::with_capacity(subset.len());
        for (i, op) in ops() {
            let key = key_number(op.key);
            let effect = match op.kind {
                // A write never answered whose value no read returns changes nothing that anyone
                // saw: it may as well never have happened.
                Kind::Write { value } if op.ret.is_none() && number(op.key, Some(value)) == UNREAD => continue,
                Kind::Write { value } => Effect::Write(number(op.key, Some(value))),
                Kind::Read { value } => {
                    reads[key] += 1;
                    Effect::Read(number(op.key, value))
                }
            };
            let chain = match order {
                Order::RealTime => 0,
                Order::Process => op.process,
            };
            chained.push((chain, op.call, i, Entry { call: op.call, ret: op.ret.unwrap_or(u64::MAX), key, effect }));
        }
        let chained = sorted_by(chained, |&(chain, call, ..)| (u64::from(chain), call));
        let mut chains: Vec<Range<usize>> = Vec::new();
        for chain in chained.chunk_by(|a, b| a.0 == b.0) {
            let start = chains.last().map_or(0, |chain| chain.end);
            chains.push(start..start + chain.len());
        }
        let entries = chained.into_iter().map(|(.., entry)| entry).collect();
        Some(Search { entries, chains, initial, reads })
    }

    pub(super) fn run(&self, budget: &mut Budget) -> Result<bool, OutOfSteps> {
        /// A level of the path: the operation placed, the value it overwrote, and where the
        /// choices at that point start in `choices` and which to try next.
        struct Level {
            placed: usize,
            overwritten: u32,
            choices: usize,
            next: usize,
        }
        let mut position = Position {
            placed: vec![0; self.entries.len().div_ceil(64)],
            values: self.initial.clone(),
            reads_left: self.reads.clone(),
            all_reads_left: self.reads.iter().sum(),
        };
        let mut seen: HashSet<Vec<u64>, BuildHasherDefault<WordHasher>> = HashSet::default();
        let mut state = Vec::new();
        let mut path: Vec<Level> = Vec::new();
        // The choices of every level of the path, one level after the other.
        let mut choices = Vec::new();
        self.choices(&position, &mut choices, budget)?;
        let (mut level_choices, mut next) = (0, 0);
        loop {
            // Only writes are left: they can always take effect, in any order that keeps `order`.
            if position.all_reads_left == 0 {
                return Ok(true);
            }
            match choices.get(next) {
                Some(&placed) => {
                    next += 1;
                    let overwritten = position.place(placed, &self.entries[placed]);
                    position.state(&mut state);
                    budget.spend(1 + state.len() / 8)?;
                    if seen.contains(&state) {
                        position.undo(placed, &self.entries[placed], overwritten);
                        continue;
                    }
                    // Remembering it costs about as much again as trying it.
                    budget.spend(2 + state.len() / 8)?;
                    seen.insert(state.clone());
                    path.push(Level { placed, overwritten, choices: level_choices, next });
                    (level_choices, next) = (choices.len(), choices.len());
                    self.choices(&position, &mut choices, budget)?;
                }
                None => {
                    let Some(level) = path.pop() else { return Ok(false) };
                    position.undo(level.placed, &self.entries[level.placed], level.overwritten);
                    choices.truncate(level_choices);
                    (level_choices, next) = (level.choices, level.next);
                }
            }
        }
    }

    /// Adds to `choices` the operations that may take effect next: in each chain, those called no
    /// later than the first answer of an operation of the chain not yet placed (Lowe's just-in-time
    /// linearization), reads only if they return the register's value. A read that may go is the
    /// only choice: placing it at once loses no order, as it changes nothing and whatever order
    /// placed it later could have placed it now.
    fn choices(&self, position: &Position, choices: &mut Vec<usize>, budget: &mut Budget) -> Result<(), OutOfSteps> {
        let start = choices.len();
        for chain in &self.chains {
            budget.spend(1)?;
            let mut first_answer = u64::MAX;
            let mut from = chain.start;
            while let Some(i) = position.first_unplaced(from, chain.end) {
                let entry = &self.entries[i];
                // Called after an operation not yet placed was answered, it must wait, and so must
                // every later one of the chain (calls are in order; and as answers come after
                // calls, none of them could have lowered `first_answer`).
                if entry.call > first_answer {
                    break;
                }
                budget.spend(1)?;
                first_answer = first_answer.min(entry.ret);
                match entry.effect {
                    Effect::Read(value) if value == position.values[entry.key] => {
                        choices.truncate(start);
                        choices.push(i);
                        return Ok(());
                    }
                    Effect::Read(_) => {}
                    Effect::Write(_) => choices.push(i),
                }
                from = i + 1;
            }
        }
        Ok(())
    }
}

/// Where the search stands: the operations placed, each register's value, each key's reads left.
struct Position {
    placed: Vec<u64>,
    values: Vec<u32>,
    reads_left: Vec<u32>,
    all_reads_left: u32,
}

impl Position {
    /// Places operation `i`; returns the value of its key before, for [`Position::undo`].
    fn place(&mut self, i: usize, entry: &Entry) -> u32 {
        self.placed[i / 64] |= 1 << (i % 64);
        let before = self.values[entry.key];
        match entry.effect {
            Effect::Write(value) => self.values[entry.key] = value,
            Effect::Read(_) => {
                self.reads_left[entry.key] -= 1;
                self.all_reads_left -= 1;
            }
        }
        before
    }

    fn undo(&mut self, i: usize, entry: &Entry, before: u32) {
        self.placed[i / 64] &= !(1 << (i % 64));
        self.values[entry.key] = before;
        if let Effect::Read(_) = entry.effect {
            self.reads_left[entry.key] += 1;
            self.all_reads_left += 1;
        }
    }

    /// The state the memo remembers: the operations placed and the registers' values, forgetting
    /// the value of a key with no reads left, which nothing can tell any more.
    fn state(&self, state: &mut Vec<u64>) {
        state.clear();
        state.extend(&self.placed);
        let values = self.values.iter().zip(&self.reads_left);
        state.extend(values.map(|(&value, &reads_left)| if reads_left == 0 { UNREAD } else { value } as u64));
    }

    /// The first operation from `from` (inclusive) to `end` not yet placed.
    fn first_unplaced(&self, from: usize, end: usize) -> Option<usize> {
        let mut at = from;
        while at < end {
            let free = (!self.placed[at / 64]) >> (at % 64);
            if free != 0 {
                let found = at + free.trailing_zeros() as usize;
                return (found < end).then_some(found);
            }
            at = (at / 64 + 1) * 64;
        }
        None
    }
}

/// The memo's hasher. A state is a few plain words and the search only asks whether it has seen
/// one, so FxHash's multiply and rotate serves, where std's SipHash, made to resist chosen keys,
/// was most of the search's work. Being fixed, it also keeps the model off the system's entropy,
/// which std's default `RandomState` draws.
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    /// A state is hashed as its length, then its words' bytes: whole words.
    fn write(&mut self, bytes: &[u8]) {
        for word in bytes.chunks_exact(8) {
            self.write_u64(u64::from_le_bytes(word.try_into().expect("whole words")));
        }
    }

    fn write_usize(&mut self, length: usize) {
        self.write_u64(length as u64);
    }

    /// The table picks buckets by the low bits, and the product's best-mixed bits are the high ones.
    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}
