//! What happened to each client request, and the counters the page shows.

use super::data::{Key, Lsn, Row};
use super::network::{NodeId, RequestId};
use super::time::Time;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Write { key: Key, name: String },
    Read { key: Key },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The master logged the write at `lsn`, giving the row `version`.
    Logged { lsn: Lsn, version: u64 },
    /// What the serving node returned, beside the version the master had committed for the
    /// same key at that instant (0 = no such row).
    Read {
        row: Option<Row>,
        master_version: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestRecord {
    pub id: RequestId,
    pub op: Op,
    pub issued_at: Time,
    /// The node that handled it, once it got there.
    pub node: Option<NodeId>,
    pub outcome: Option<Outcome>,
    /// When the reply reached the client: for a write, its acknowledgement.
    pub completed_at: Option<Time>,
}

impl RequestRecord {
    pub fn is_read(&self) -> bool {
        matches!(self.op, Op::Read { .. })
    }

    /// How many versions the returned row was behind the master's committed one; 0 when the
    /// read was fresh or is not a read.
    pub fn versions_behind(&self) -> u64 {
        match &self.outcome {
            Some(Outcome::Read {
                row,
                master_version,
            }) => master_version.saturating_sub(row.as_ref().map_or(0, |row| row.version)),
            _ => 0,
        }
    }

    /// A read is stale when it returned older data than the master had committed.
    pub fn is_stale(&self) -> bool {
        self.versions_behind() > 0
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
    pub reads_issued: u64,
    /// Reads whose answer reached the client.
    pub reads_completed: u64,
    pub stale_reads: u64,
}
