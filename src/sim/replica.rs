//! A replica (the lecture's MongoDB slave): it applies the master's log in order and serves
//! reads from its own copy, which may lag behind.

use super::data::{self, Key, LogEntry, Lsn, Row, Table};
use super::network::{Endpoint, NodeId, Outbox, Payload, RequestId};

#[derive(Clone, Debug)]
pub struct Replica {
    table: Table,
    applied_lsn: Lsn,
    reads_served: u64,
}

impl Replica {
    /// A replica whose copy is `table`, complete up to `applied_lsn`.
    pub fn from_copy(table: Table, applied_lsn: Lsn) -> Replica {
        Replica {
            table,
            applied_lsn,
            reads_served: 0,
        }
    }

    pub fn table(&self) -> &Table {
        &self.table
    }

    pub fn applied_lsn(&self) -> Lsn {
        self.applied_lsn
    }

    pub fn reads_served(&self) -> u64 {
        self.reads_served
    }

    /// Applies the next log entry and confirms it to the master. Entries the copy already
    /// holds (shipped before this replica was copied) are skipped.
    pub fn on_replicate(&mut self, entry: &LogEntry, out: &mut Outbox) {
        if entry.lsn <= self.applied_lsn {
            return;
        }
        data::apply(&mut self.table, entry);
        self.applied_lsn = entry.lsn;
        out.send(
            Endpoint::Node(NodeId::Master),
            Payload::Ack { lsn: entry.lsn },
        );
    }

    pub fn on_read(&mut self, request: RequestId, key: Key, out: &mut Outbox) -> Option<Row> {
        self.reads_served += 1;
        out.send(Endpoint::Client, Payload::Reply { request });
        self.table.get(&key).cloned()
    }
}
