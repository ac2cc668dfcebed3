//! What happened to each client request, and the counters the page shows.

use super::NodeRef;
use super::config::Mode;
use super::data::{Key, Lsn, Row};
use super::network::{ClientId, RequestId};
use super::time::Time;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Write { key: Key, name: String },
    Read { key: Key },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The master logged the write at `lsn`, giving the row `version`.
    Logged {
        lsn: Lsn,
        version: u64,
    },
    /// What the serving node returned, beside what the master had committed for the same key
    /// at that instant (version 0 = no such row) and how far behind, in time, the node was.
    Read {
        row: Option<Row>,
        master_version: u64,
        node_lag: Time,
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
        matches!(self.op, Op::Read { .. })
    }

    pub fn key(&self) -> Key {
        match self.op {
            Op::Write { key, .. } | Op::Read { key } => key,
        }
    }

    /// How many versions the returned row was behind the master's committed one; 0 when the
    /// read was fresh or is not a read.
    pub fn versions_behind(&self) -> u64 {
        match &self.outcome {
            Some(Outcome::Read { row, master_version, .. }) => {
                master_version.saturating_sub(row.as_ref().map_or(0, |row| row.version))
            }
            _ => 0,
        }
    }

    /// A read is stale when it returned older data than the master had committed.
    pub fn is_stale(&self) -> bool {
        self.versions_behind() > 0
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
