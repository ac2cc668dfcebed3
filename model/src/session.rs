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

    /// What a read issued at `now` (of `key`, for a user read) must return, fixed now: kept with
    /// the request in flight (`InFlight`), where its answer finds it without a search.
    pub fn expect(&self, key: Option<Key>, now: Time) -> Expected {
        let floor = |answered: &BTreeMap<Key, Answered>| {
            key.and_then(|key| answered.get(&key)).map_or(0, |answered| answered.before(now))
        };
        Expected { last_commit: self.last_commit, own_write: floor(&self.written), seen: floor(&self.seen) }
    }

    /// Records a read of `key` answered at `now` with the row written by write number `write`
    /// (0: no row, or the starting data) and says what it violated: older than this client's own
    /// write of it, or than what it had already read, when it issued the read.
    pub fn on_read(&mut self, key: Key, write: u64, expected: Expected, now: Time) -> Violations {
        self.seen.entry(key).or_default().answer(write, now);
        Violations { read_your_writes: write < expected.own_write, monotonic: write < expected.seen }
    }
}
