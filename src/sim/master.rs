//! The master (the lecture's PostgreSQL): it takes every write, logs it, ships the log to the
//! replicas, and decides when a write counts as committed.

use std::collections::VecDeque;

use super::config::Mode;
use super::data::{self, Key, LogEntry, Lsn, Row, Table};
use super::network::{Endpoint, NodeId, Outbox, Payload, RequestId};

#[derive(Clone, Debug)]
pub struct Master {
    /// The data as of the newest log position, committed or not: what replicas converge to.
    logged: Table,
    /// What readers of the master see. Like PostgreSQL, a synchronous write becomes visible
    /// only once its replicas have confirmed it.
    visible: Table,
    last_lsn: Lsn,
    committed_lsn: Lsn,
    /// Synchronous writes waiting for replicas, oldest first.
    waiting: VecDeque<(LogEntry, RequestId)>,
    /// How far each replica has confirmed applying the log.
    confirmed: Vec<Lsn>,
    reads_served: u64,
}

impl Master {
    pub fn new(replicas: usize) -> Master {
        Master {
            logged: data::seed_users(),
            visible: data::seed_users(),
            last_lsn: 0,
            committed_lsn: 0,
            waiting: VecDeque::new(),
            confirmed: vec![0; replicas],
            reads_served: 0,
        }
    }

    /// Committed data, as a reader of the master sees it.
    pub fn table(&self) -> &Table {
        &self.visible
    }

    /// Data as of the newest log position, which a new replica is copied from.
    pub fn logged(&self) -> &Table {
        &self.logged
    }

    pub fn last_lsn(&self) -> Lsn {
        self.last_lsn
    }

    pub fn committed_lsn(&self) -> Lsn {
        self.committed_lsn
    }

    pub fn reads_served(&self) -> u64 {
        self.reads_served
    }

    /// Logs a write and ships it to every replica. Returns the entry; the client's reply is
    /// sent now (async) or once every replica confirmed it (sync).
    pub fn on_write(
        &mut self,
        request: RequestId,
        key: Key,
        name: String,
        mode: Mode,
        out: &mut Outbox,
    ) -> LogEntry {
        self.last_lsn += 1;
        let version = data::version_of(&self.logged, key) + 1;
        let entry = LogEntry {
            lsn: self.last_lsn,
            key,
            row: Row {
                name,
                version,
                lsn: self.last_lsn,
            },
        };
        data::apply(&mut self.logged, &entry);
        for index in 0..self.confirmed.len() {
            out.send(
                Endpoint::Node(NodeId::Replica(index)),
                Payload::Replicate(entry.clone()),
            );
        }
        self.waiting.push_back((entry.clone(), request));
        self.commit_ready(mode, out);
        entry
    }

    pub fn on_ack(&mut self, replica: usize, lsn: Lsn, mode: Mode, out: &mut Outbox) {
        // An acknowledgement from a replica that has since been removed is ignored.
        if let Some(confirmed) = self.confirmed.get_mut(replica) {
            *confirmed = (*confirmed).max(lsn);
        }
        self.commit_ready(mode, out);
    }

    pub fn on_read(&mut self, request: RequestId, key: Key, out: &mut Outbox) -> Option<Row> {
        self.reads_served += 1;
        out.send(Endpoint::Client, Payload::Reply { request });
        self.visible.get(&key).cloned()
    }

    /// Adds or removes replicas; a new one starts as a copy of the logged data, as after a
    /// base backup. Writes no longer waiting for anyone commit at once.
    pub fn set_replicas(&mut self, replicas: usize, mode: Mode, out: &mut Outbox) {
        self.confirmed.resize(replicas, self.last_lsn);
        self.commit_ready(mode, out);
    }

    /// Commits, in log order, every waiting write the mode no longer holds back.
    pub fn commit_ready(&mut self, mode: Mode, out: &mut Outbox) {
        let confirmed_by_all = self.confirmed.iter().copied().min().unwrap_or(Lsn::MAX);
        while let Some((entry, _)) = self.waiting.front() {
            if mode == Mode::Sync && entry.lsn > confirmed_by_all {
                break;
            }
            let (entry, request) = self.waiting.pop_front().expect("front exists");
            data::apply(&mut self.visible, &entry);
            self.committed_lsn = entry.lsn;
            out.send(Endpoint::Client, Payload::Reply { request });
        }
    }
}
