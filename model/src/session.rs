//! A client's session: what it has written and read, for the guarantees a session can ask
//! for (read-your-writes, monotonic reads) and for catching their violations.

use std::collections::{BTreeMap, VecDeque};

use crate::data::Key;
use crate::ids::{NodeId, RequestId};
use crate::sql::Parsed;
use crate::timeline::Position;

#[derive(Clone, Debug, Default)]
pub struct Session {
    /// The causal token: the position (timeline and LSN) of this client's last acknowledged
    /// write.
    pub last_commit: Option<Position>,
    /// For each key, the newest write of it this client had acknowledged (its number in the
    /// run, `Row::write`: numbers, unlike LSNs, are not reused by a new timeline).
    written: BTreeMap<Key, u64>,
    /// For each key, the newest write of it this client has read.
    seen: BTreeMap<Key, u64>,
    /// The replica a sticky session keeps reading from.
    pub sticky: Option<NodeId>,
    /// The key this client wrote last, for "read what I just wrote".
    pub last_written_key: Option<Key>,
    /// Console statements waiting for the one running to finish.
    pub sql_queue: VecDeque<Parsed>,
    /// The console statement whose answer the client is waiting for.
    pub sql_running: Option<RequestId>,
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

    pub fn on_write_acked(&mut self, key: Key, write: u64, at: Position) {
        self.on_commit(at);
        let written = self.written.entry(key).or_default();
        *written = (*written).max(write);
    }

    /// Records a read of `key` that returned the row written by write number `write` (0: no
    /// row, or the starting data) and says what it violated: older than this client's own
    /// write of it, or than what it had already read.
    pub fn on_read(&mut self, key: Key, write: u64) -> Violations {
        let violations = Violations {
            read_your_writes: self.written.get(&key).is_some_and(|&written| write < written),
            monotonic: self.seen.get(&key).is_some_and(|&seen| write < seen),
        };
        let seen = self.seen.entry(key).or_default();
        *seen = (*seen).max(write);
        violations
    }
}
