//! A client's session: what it has written and read, for the guarantees a session can ask
//! for (read-your-writes, monotonic reads) and for catching their violations.
//!
//! A read is judged against what its client had been answered before it issued the read, as
//! the history's checks judge it (`checker::read_your_writes`): a read issued while the client's
//! write was still under way may miss that write without breaking anything.

use std::collections::{BTreeMap, VecDeque};

use crate::data::Key;
use crate::ids::{NodeId, RequestId};
use crate::sql::Parsed;
use crate::time::Time;
use crate::timeline::Position;

#[derive(Clone, Debug, Default)]
pub struct Session {
    /// The causal token: the position (timeline and LSN) of this client's last acknowledged
    /// write.
    pub last_commit: Option<Position>,
    /// For each key, the newest write of it this client had acknowledged (its number in the
    /// run, `Row::write`: numbers, unlike LSNs, are not reused by a new timeline).
    written: BTreeMap<Key, Answered>,
    /// For each key, the newest write of it this client has read.
    seen: BTreeMap<Key, Answered>,
    /// What each of this client's reads under way must return, fixed when it was issued.
    reading: Reading,
    /// The replica a sticky session keeps reading from.
    pub sticky: Option<NodeId>,
    /// The key this client wrote last, for "read what I just wrote".
    pub last_written_key: Option<Key>,
    /// Console statements waiting for the one running to finish.
    pub sql_queue: VecDeque<Parsed>,
    /// The console statement whose answer the client is waiting for.
    pub sql_running: Option<RequestId>,
}

/// The newest write of one key a client was answered with (acknowledged, or read), and the
/// newest answered strictly before that moment.
#[derive(Clone, Copy, Debug, Default)]
struct Answered {
    newest: u64,
    at: Time,
    newest_before_at: u64,
}

impl Answered {
    fn answer(&mut self, write: u64, now: Time) {
        if now > self.at {
            self.newest_before_at = self.newest;
            self.at = now;
        }
        self.newest = self.newest.max(write);
    }

    /// The newest answered strictly before `now`. An answer at the very moment a read is issued
    /// counts as concurrent with it: the history has only times, and cannot tell which came
    /// first.
    fn before(&self, now: Time) -> u64 {
        if self.at < now { self.newest } else { self.newest_before_at }
    }
}

/// What a read must return, as its client stood when it issued it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Expected {
    /// The client's last acknowledged write, of any key: what a SELECT must have applied. A
    /// console sends its next statement only once the last one is answered, so a write
    /// answered at the same moment is before it.
    pub last_commit: Option<Position>,
    /// For a user read: the newest write of its key the client had acknowledged, and had read
    /// (0: none).
    own_write: u64,
    seen: u64,
}

/// What a read broke of the session's expectations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Violations {
    pub read_your_writes: bool,
    pub monotonic: bool,
}

impl Session {
    /// A write acknowledged at `at`: the newest, as a client's writes are acknowledged in
    /// order.
    pub fn on_commit(&mut self, at: Position) {
        self.last_commit = Some(at);
    }

    pub fn on_write_acked(&mut self, key: Key, write: u64, at: Position, now: Time) {
        self.on_commit(at);
        self.written.entry(key).or_default().answer(write, now);
    }

    /// A read issued at `now` (of `key`, for a user read): what it must return is fixed now.
    pub fn on_read_issued(&mut self, request: RequestId, key: Option<Key>, now: Time) {
        let floor = |answered: &BTreeMap<Key, Answered>| {
            key.and_then(|key| answered.get(&key)).map_or(0, |answered| answered.before(now))
        };
        let expected =
            Expected { last_commit: self.last_commit, own_write: floor(&self.written), seen: floor(&self.seen) };
        self.reading.insert(request, expected);
    }

    /// The read's answer came (or it failed): what it had to return. Nothing for a read the
    /// session did not see issued (its client was removed and added again meanwhile).
    pub fn read_ended(&mut self, request: RequestId) -> Expected {
        self.reading.remove(request).unwrap_or_default()
    }

    /// Records a read of `key` answered at `now` with the row written by write number `write`
    /// (0: no row, or the starting data) and says what it violated: older than this client's own
    /// write of it, or than what it had already read, when it issued the read.
    pub fn on_read(&mut self, key: Key, write: u64, expected: Expected, now: Time) -> Violations {
        self.seen.entry(key).or_default().answer(write, now);
        Violations { read_your_writes: write < expected.own_write, monotonic: write < expected.seen }
    }
}

/// The expectations of a client's reads under way, in order of their ids. Ids are issued in
/// order, so a new read goes at the back; a finished one leaves a hole, and holes are swept
/// from the front (or, when they outnumber the reads, all at once): an overloaded run keeps
/// hundreds of reads under way per client, where a tree's insert and remove were a twentieth of
/// the model's time.
#[derive(Clone, Debug, Default)]
struct Reading {
    reads: VecDeque<(RequestId, Option<Expected>)>,
    under_way: usize,
}

impl Reading {
    fn insert(&mut self, request: RequestId, expected: Expected) {
        debug_assert!(self.reads.back().is_none_or(|&(last, _)| last < request), "ids are issued in order");
        self.reads.push_back((request, Some(expected)));
        self.under_way += 1;
    }

    fn remove(&mut self, request: RequestId) -> Option<Expected> {
        let index = self.reads.binary_search_by_key(&request, |&(id, _)| id).ok()?;
        let expected = self.reads[index].1.take()?;
        self.under_way -= 1;
        while self.reads.front().is_some_and(|(_, expected)| expected.is_none()) {
            self.reads.pop_front();
        }
        if self.reads.len() > 2 * self.under_way + 64 {
            self.reads.retain(|(_, expected)| expected.is_some());
        }
        Some(expected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected(seen: u64) -> Expected {
        Expected { seen, ..Expected::default() }
    }

    #[test]
    fn reads_under_way_end_in_any_order_with_what_they_expected() {
        let mut reading = Reading::default();
        for id in (10..20).step_by(2) {
            reading.insert(id, expected(id));
        }
        assert_eq!(reading.remove(14).map(|e| e.seen), Some(14));
        assert!(reading.remove(14).is_none(), "a read ends once");
        assert!(reading.remove(15).is_none(), "never issued");
        assert_eq!(reading.remove(10).map(|e| e.seen), Some(10));
        assert_eq!(reading.remove(18).map(|e| e.seen), Some(18));
        assert_eq!(reading.remove(12).map(|e| e.seen), Some(12));
        assert_eq!(reading.remove(16).map(|e| e.seen), Some(16));
        assert!(reading.reads.is_empty());
    }

    #[test]
    fn a_read_stuck_under_way_does_not_keep_every_later_one() {
        let mut reading = Reading::default();
        reading.insert(0, expected(7));
        for id in 1..10_000 {
            reading.insert(id, expected(0));
            reading.remove(id);
        }
        assert!(reading.reads.len() < 100, "{} kept", reading.reads.len());
        assert_eq!(reading.remove(0).map(|e| e.seen), Some(7));
    }
}
