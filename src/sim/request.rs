//! What happened to each client request, and the counters the page shows.

use super::NodeRef;
use super::config::Mode;
use std::rc::Rc;

use super::data::{Key, Lsn, Row};
use super::network::{ClientId, RequestId};
use super::sql::ResultSet;
use super::time::Time;

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
    /// The master logged the write at `lsn`, giving the row `version`.
    Logged {
        lsn: Lsn,
        version: u64,
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
    Rows {
        result: ResultSet,
        master_result: Option<ResultSet>,
        node_lag: Time,
    },
    /// A write statement changed `rows` rows, logged at `lsn` (none when nothing changed).
    Changed {
        lsn: Option<Lsn>,
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
    pub outcome: Option<Outcome>,
    /// When the reply reached the client: for a write, its acknowledgement.
    pub completed_at: Option<Time>,
    /// For a write: the commit mode it was acknowledged under (after any semi-sync fallback).
    pub acked_as: Option<Mode>,
    /// An acknowledged write that a failover threw away.
    pub lost: bool,
    /// The read returned older data than this client had itself written.
    pub ryw_violation: bool,
    /// The read returned older data than this client had already read.
    pub monotonic_violation: bool,
}

impl RequestRecord {
    pub fn new(id: RequestId, client: ClientId, op: Op, issued_at: Time) -> RequestRecord {
        RequestRecord {
            id,
            client,
            op,
            issued_at,
            served_by: None,
            outcome: None,
            completed_at: None,
            acked_as: None,
            lost: false,
            ryw_violation: false,
            monotonic_violation: false,
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
}

impl Stats {
    /// Requests sent whose answer has not come back yet.
    pub fn in_flight(&self) -> u64 {
        self.writes_issued + self.reads_issued
            - self.writes_acked
            - self.writes_failed
            - self.reads_completed
            - self.reads_failed
    }
}
