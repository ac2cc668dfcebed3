//! A client's session: what it has written and read, for the guarantees a session can ask
//! for (read-your-writes, monotonic reads) and for catching their violations.

use std::collections::{BTreeMap, VecDeque};

use super::data::{Key, Lsn};
use super::network::{NodeId, RequestId};
use super::sql::Parsed;

#[derive(Clone, Debug, Default)]
pub struct Session {
    /// The causal token: the log position of this client's last acknowledged write.
    pub last_commit: Lsn,
    /// The version of each key this client last wrote and had acknowledged.
    written: BTreeMap<Key, u64>,
    /// The newest version of each key this client has read.
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
    pub fn on_write_acked(&mut self, key: Key, version: u64, lsn: Lsn) {
        self.last_commit = self.last_commit.max(lsn);
        let written = self.written.entry(key).or_default();
        *written = (*written).max(version);
    }

    /// Records a read that returned `version` of `key` and says what it violated.
    pub fn on_read(&mut self, key: Key, version: u64) -> Violations {
        let violations = Violations {
            read_your_writes: self.written.get(&key).is_some_and(|&written| version < written),
            monotonic: self.seen.get(&key).is_some_and(|&seen| version < seen),
        };
        let seen = self.seen.entry(key).or_default();
        *seen = (*seen).max(version);
        violations
    }
}
