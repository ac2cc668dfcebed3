//! What happened to each client request, and the counters the page shows.

use std::collections::VecDeque;
use std::fmt;
use std::rc::Rc;

use crate::config::Mode;
use crate::data::{Key, Row};
use crate::ids::{ClientId, NodeId, NodeRef, RequestId};
use crate::session::Expected;
use crate::sql::ResultSet;
use crate::time::Time;
use crate::timeline::Position;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Write {
        key: Key,
        name: String,
    },
    Read {
        key: Key,
    },
    /// A statement from the SQL console; `read` for a SELECT.
    Sql {
        text: String,
        read: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The master logged the write at `at`, giving the row `version`; `write` numbers it in the
    /// run (see `Row::write`).
    Logged {
        at: Position,
        version: u64,
        write: u64,
    },
    /// What the serving node returned, beside what the master had committed for the same key
    /// at that instant; `stale` when the node had not applied a committed change to it. `lag`
    /// is how far behind, in time, the node was.
    Read {
        row: Option<Rc<Row>>,
        master_row: Option<Rc<Row>>,
        stale: bool,
        node_lag: Time,
    },
    /// A SELECT's answer; when it was stale, the master's answer at that instant beside it.
    /// `node_at` is how far the serving node had applied the log, on its timeline.
    Rows {
        result: ResultSet,
        master_result: Option<ResultSet>,
        node_lag: Time,
        node_at: Position,
        /// The `find` a MongoDB member ran for it, as mongosh writes it.
        mongo_query: Option<String>,
    },
    /// A write statement changed `rows` rows, logged at `at` as the run's write number `write`
    /// (none when nothing changed).
    Changed {
        at: Option<Position>,
        write: Option<u64>,
        rows: u64,
    },
    Failed {
        reason: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    pub id: RequestId,
    pub client: ClientId,
    pub op: Op,
    pub issued_at: Time,
    /// The node that handled it, named as it was then (a failover renames nodes).
    pub served_by: Option<NodeRef>,
    /// The machine that handled it, whatever its role later.
    pub machine: Option<NodeId>,
    /// It was a deposed master then, following no one yet: named "old master", as the picture
    /// names it, not by the replica number it holds.
    pub served_by_old_master: bool,
    pub outcome: Option<Outcome>,
    /// When the reply reached the client: for a write, its acknowledgement.
    pub completed_at: Option<Time>,
    /// For a write: the commit mode it was acknowledged under (after any semi-sync fallback).
    pub acked_as: Option<Mode>,
    /// An acknowledged write that a failover threw away.
    pub lost: bool,
    /// What the client was warned of with its answer: a cancelled wait for the synchronous
    /// standbys (acknowledged without a replica).
    pub warning: Option<&'static str>,
    /// The read returned older data than this client had itself written.
    pub ryw_violation: bool,
    /// The read returned older data than this client had already read.
    pub monotonic_violation: bool,
    /// A failed write the master had logged, by its number (`Row::write`): its client got an
    /// error and cannot know whether the write survives (Jepsen records it as `:info`).
    pub in_doubt: Option<u64>,
}

impl RequestRecord {
    pub fn new(id: RequestId, client: ClientId, op: Op, issued_at: Time) -> RequestRecord {
        RequestRecord {
            id,
            client,
            op,
            issued_at,
            served_by: None,
            machine: None,
            served_by_old_master: false,
            outcome: None,
            completed_at: None,
            acked_as: None,
            lost: false,
            warning: None,
            ryw_violation: false,
            monotonic_violation: false,
            in_doubt: None,
        }
    }

    /// The machine that served it and its role then, as the picture names them:
    /// `pg-3 (replica 2)`.
    pub fn served_where(&self) -> Option<String> {
        let role = |role: NodeRef| if self.served_by_old_master { "old master".to_string() } else { role.in_words() };
        match (self.served_by, self.machine) {
            (Some(served_by), Some(machine)) => Some(format!("{} ({})", machine.machine(), role(served_by))),
            (Some(role), None) => Some(role.in_words()),
            (None, Some(machine)) => Some(format!("{} (read model)", machine.machine())),
            (None, None) => None,
        }
    }

    pub fn is_read(&self) -> bool {
        matches!(self.op, Op::Read { .. } | Op::Sql { read: true, .. })
    }

    /// The user a button or generator request names (SQL statements name none).
    pub fn key(&self) -> Option<Key> {
        match self.op {
            Op::Write { key, .. } | Op::Read { key } => Some(key),
            Op::Sql { .. } => None,
        }
    }

    /// How many versions the returned row was behind the master's committed one; 0 when the
    /// read was fresh or is not a user read.
    pub fn versions_behind(&self) -> u64 {
        match &self.outcome {
            Some(Outcome::Read { row, master_row, .. }) => {
                let version = |row: &Option<Rc<Row>>| row.as_ref().map_or(0, |row| row.version);
                version(master_row).saturating_sub(version(row))
            }
            _ => 0,
        }
    }

    /// A read is stale when it returned older data than the master had committed.
    pub fn is_stale(&self) -> bool {
        match &self.outcome {
            Some(Outcome::Read { stale, .. }) => *stale,
            Some(Outcome::Rows { master_result, .. }) => master_result.is_some(),
            _ => false,
        }
    }

    /// The number of the write this request logged (`Row::write`), answered or not: a write
    /// waiting to commit, or one failed in doubt, may be read already.
    pub fn logged_write(&self) -> Option<u64> {
        match &self.outcome {
            Some(Outcome::Logged { write, .. }) => Some(*write),
            Some(Outcome::Changed { write, .. }) => *write,
            Some(Outcome::Failed { .. }) => self.in_doubt,
            _ => None,
        }
    }

    pub fn failure(&self) -> Option<&str> {
        match &self.outcome {
            Some(Outcome::Failed { reason }) => Some(reason),
            _ => None,
        }
    }

    pub fn latency(&self) -> Option<Time> {
        self.completed_at.map(|done| done - self.issued_at)
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub writes_issued: u64,
    /// Writes whose acknowledgement reached the client.
    pub writes_acked: u64,
    pub writes_failed: u64,
    pub reads_issued: u64,
    /// Reads whose answer reached the client.
    pub reads_completed: u64,
    pub reads_failed: u64,
    pub stale_reads: u64,
    pub ryw_violations: u64,
    pub monotonic_violations: u64,
    /// Acknowledged writes that a failover threw away.
    pub lost_writes: u64,
    /// Times a node's copy was taken back to an earlier point, so its LSN may go down: replaced
    /// by the master's (pg_rewind, a new base backup), or a crashed master's writes not yet on
    /// disk lost. Counted here, not from the event log, which keeps only the latest events.
    pub rollbacks: u64,
}

impl Stats {
    /// Reads sent whose answer has not come back yet.
    pub fn reads_in_flight(&self) -> u64 {
        self.reads_issued - self.reads_completed - self.reads_failed
    }

    /// Writes sent and neither acknowledged nor failed yet (a sync write waiting for replicas).
    pub fn writes_in_flight(&self) -> u64 {
        self.writes_issued - self.writes_acked - self.writes_failed
    }
}

/// The requests in flight, in order of their ids, each with what it must return if it is a read
/// (fixed when it was issued: `Session::expect`). Ids are issued one after another and most
/// requests finish soon, so they live in a window indexed by id, with a hole where one has
/// finished: no tree nodes to shift 200-byte records around in, which was a quarter of the
/// model's time in wasm. Holes are swept from the front; when they outnumber the records, the
/// oldest records move to `stragglers`, so a request stuck forever does not keep the window
/// of every request after it.
#[derive(Clone, Default)]
pub struct InFlight {
    /// Ids below this are stragglers.
    first: RequestId,
    window: VecDeque<Option<(RequestRecord, Expected)>>,
    /// Beside the window, slot for slot: whose each request is (none: a hole). Asking whose a
    /// request is (for every reply) or whether it is still there reads these few bytes, not its
    /// 300-byte record, which is seldom in the cache in a heavy run.
    owners: VecDeque<Option<ClientId>>,
    /// In order of their ids (they leave the window's front in order); mostly they finish in
    /// that order too, so removing one is cheap.
    stragglers: VecDeque<(RequestRecord, Expected)>,
    in_window: usize,
}

impl InFlight {
    pub fn insert(&mut self, record: RequestRecord, expected: Expected) {
        if self.window.is_empty() {
            self.first = record.id;
        }
        debug_assert_eq!(record.id, self.first + self.window.len() as u64, "ids are issued one after another");
        self.owners.push_back(Some(record.client));
        self.window.push_back(Some((record, expected)));
        self.in_window += 1;
    }

    /// Where `id` would be in the window; none for a straggler.
    fn index(&self, id: RequestId) -> Option<usize> {
        usize::try_from(id.checked_sub(self.first)?).ok()
    }

    fn straggler(&self, id: RequestId) -> Option<usize> {
        self.stragglers.binary_search_by_key(&id, |(record, _)| record.id).ok()
    }

    /// The client whose request `id` is.
    pub fn client_of(&self, id: RequestId) -> Option<ClientId> {
        match self.index(id) {
            Some(index) => *self.owners.get(index)?,
            None => self.straggler(id).map(|index| self.stragglers[index].0.client),
        }
    }

    pub fn get(&self, id: RequestId) -> Option<&RequestRecord> {
        match self.index(id) {
            Some(index) => self.window.get(index)?.as_ref().map(|(record, _)| record),
            None => self.straggler(id).map(|index| &self.stragglers[index].0),
        }
    }

    pub fn get_mut(&mut self, id: RequestId) -> Option<&mut RequestRecord> {
        match self.index(id) {
            Some(index) => self.window.get_mut(index)?.as_mut().map(|(record, _)| record),
            None => self.straggler(id).map(|index| &mut self.stragglers[index].0),
        }
    }

    /// The request, and what it had to return.
    pub fn remove(&mut self, id: RequestId) -> Option<(RequestRecord, Expected)> {
        let Some(index) = self.index(id) else {
            return self.straggler(id).and_then(|index| self.stragglers.remove(index));
        };
        self.owners.get_mut(index)?.take()?;
        let removed = self.window[index].take()?;
        self.in_window -= 1;
        while self.window.len() > 2 * self.in_window + 64 || self.owners.front().is_some_and(Option::is_none) {
            self.owners.pop_front();
            if let Some(Some(oldest)) = self.window.pop_front() {
                self.in_window -= 1;
                self.stragglers.push_back(oldest);
            }
            self.first += 1;
        }
        Some(removed)
    }

    /// Forgets what `client`'s reads in flight had to return: its session starts afresh, and
    /// judges none of them.
    pub fn forget_expected(&mut self, client: ClientId) {
        let entries = self.stragglers.iter_mut().chain(self.window.iter_mut().flatten());
        for (_, expected) in entries.filter(|(record, _)| record.client == client) {
            *expected = Expected::default();
        }
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &RequestRecord> {
        self.stragglers.iter().chain(self.window.iter().flatten()).map(|(record, _)| record)
    }
}

/// Printed as a map of the live records, like the BTreeMap it replaced, so fingerprints of
/// runs do not depend on where the holes are.
impl fmt::Debug for InFlight {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.values().map(|record| (record.id, record))).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn record(id: RequestId) -> RequestRecord {
        RequestRecord::new(id, id as usize % 3, Op::Read { key: 1 }, Time::ZERO)
    }

    fn ids(in_flight: &InFlight) -> Vec<RequestId> {
        in_flight.values().map(|record| record.id).collect()
    }

    #[test]
    fn finds_and_removes_requests_in_any_order() {
        let mut in_flight = InFlight::default();
        for id in 1..=5 {
            in_flight.insert(record(id), Expected::default());
        }
        assert_eq!(in_flight.remove(3).map(|(record, _)| record.id), Some(3));
        assert!(in_flight.remove(3).is_none(), "a request finishes once");
        assert_eq!(in_flight.remove(1).map(|(record, _)| record.id), Some(1));
        assert_eq!([2, 3, 5, 9].map(|id| in_flight.client_of(id)), [Some(2), None, Some(2), None]);
        in_flight.get_mut(4).expect("in flight").lost = true;
        assert!(in_flight.get(4).expect("in flight").lost);
        assert_eq!(in_flight.get(9), None);
        assert_eq!(ids(&in_flight), [2, 4, 5]);
        let expected: BTreeMap<RequestId, RequestRecord> =
            [2, 4, 5].into_iter().map(|id| (id, in_flight.get(id).expect("in flight").clone())).collect();
        assert_eq!(format!("{in_flight:?}"), format!("{expected:?}"), "printed like the map it replaced");
    }

    #[test]
    fn a_stuck_request_does_not_hold_the_window_open() {
        let mut in_flight = InFlight::default();
        in_flight.insert(record(0), Expected::default());
        for id in 1..100_000 {
            in_flight.insert(record(id), Expected::default());
            in_flight.remove(id);
        }
        assert!(in_flight.window.len() < 100, "the window is {} long", in_flight.window.len());
        assert_eq!(ids(&in_flight), [0]);
        assert_eq!(in_flight.get(0).map(|record| record.id), Some(0));
        assert_eq!(in_flight.client_of(0), Some(0), "a straggler's client");
        in_flight.insert(record(100_000), Expected::default());
        assert_eq!(ids(&in_flight), [0, 100_000]);
        assert_eq!(in_flight.remove(0).map(|(record, _)| record.id), Some(0));
        assert_eq!(ids(&in_flight), [100_000]);
    }
}
