//! The master's write-ahead log: each write logged and shipped to the replicas, flushed to the
//! master's disk (at once, or by the WAL writer under `off`), kept for replicas that are behind
//! (`wal_keep_size`, replication slots), and streamed again to a replica that comes back.

use std::collections::VecDeque;
use std::rc::Rc;

use crate::config::{Level, Mode};
use crate::data::{self, Change, Database, Key, LogEntry, Lsn, Row, USERS, Value};
use crate::events::EventKind;
use crate::ids::{NodeId, RequestId};
use crate::network::{Endpoint, Payload};
use crate::node::{Follow, Positions};
use crate::request::Outcome;
use crate::sql::{self, Parsed};
use crate::time::Time;
use crate::timeline::Position;
use crate::{Simulation, Timer};

/// The most log entries replication slots may hold back: past it the slot of the replica
/// furthest behind is invalidated (PostgreSQL's `max_slot_wal_keep_size`; PostgreSQL's default
/// is no limit, until the disk fills: here the page's memory needs one).
pub const SLOT_KEEP: usize = 200_000;

/// The master's side of replication; replaced by a failover.
#[derive(Clone, Debug)]
pub struct MasterLog {
    /// The master's timeline: a new one with every failover. A message from another timeline
    /// (an earlier master, a diverged replica) is ignored.
    pub timeline: usize,
    /// The oldest position the master's WAL still holds, as PostgreSQL keeps it
    /// (`wal_keep_size`, slots): a replica behind it cannot catch up, and pg_rewind cannot take
    /// a node back to a fork before it.
    pub(crate) kept_from: Lsn,
    /// The kept entries a node may still stream, from `kept_from` or later: those every node
    /// that can still stream has applied are dropped, as nobody can ask for them (a diverged
    /// node is copied whole when rewound). Entries are shared: the log, each replica's stream
    /// and queue hold the same one.
    pub(crate) entries: VecDeque<Rc<LogEntry>>,
    /// What readers of the master see.
    pub visible: Database,
    pub committed_lsn: Lsn,
    /// Writes waiting for replicas, oldest first.
    pub(crate) waiting: VecDeque<(Rc<LogEntry>, RequestId)>,
    /// Acknowledged writes that some replica still lacks, or that are not yet on the master's
    /// own disk (`off`), in log order: a failover or a crash could lose them.
    pub at_risk: VecDeque<(Lsn, RequestId)>,
    /// What each replica last reported, by node id.
    pub(crate) reported: Vec<Positions>,
    /// Semi-sync has fallen back to async.
    pub fallback: bool,
    /// Under `off`, the master's data as it is on disk (up to its flushed position) while
    /// later commits wait for the WAL writer: what a crash leaves.
    pub(crate) durable: Option<Database>,
}

impl MasterLog {
    pub fn new(visible: Database, committed_lsn: Lsn, timeline: usize) -> MasterLog {
        MasterLog {
            timeline,
            kept_from: committed_lsn + 1,
            entries: VecDeque::new(),
            visible,
            committed_lsn,
            waiting: VecDeque::new(),
            at_risk: VecDeque::new(),
            reported: Vec::new(),
            fallback: false,
            durable: None,
        }
    }

    /// The oldest position its WAL still holds.
    pub fn kept_from(&self) -> Lsn {
        self.kept_from
    }

    pub fn logged_at(&self, lsn: Lsn) -> Option<Time> {
        self.entry(lsn).map(|entry| entry.logged_at).or_else(|| self.entries.front().map(|entry| entry.logged_at))
    }

    pub(crate) fn entry(&self, lsn: Lsn) -> Option<&Rc<LogEntry>> {
        let first = self.entries.front()?.lsn;
        self.entries.get(usize::try_from(lsn.checked_sub(first)?).ok()?)
    }

    /// The log up to `lsn`, for a new master that has exactly that much of it.
    pub fn log_through(&self, lsn: Lsn) -> VecDeque<Rc<LogEntry>> {
        self.entries.iter().take_while(|entry| entry.lsn <= lsn).cloned().collect()
    }

    /// A new master that kept the WAL from `kept_from` on, and has `log` of it to stream.
    pub fn with_log(mut self, log: VecDeque<Rc<LogEntry>>, kept_from: Lsn) -> MasterLog {
        self.entries = log;
        self.kept_from = kept_from;
        self
    }

    pub fn take_waiting(&mut self) -> Vec<RequestId> {
        self.waiting.drain(..).map(|(_, request)| request).collect()
    }

    pub fn report(&mut self, replica: NodeId, positions: Positions) {
        if self.reported.len() <= replica.0 {
            self.reported.resize(replica.0 + 1, Positions::default());
        }
        self.reported[replica.0] = positions;
    }

    /// Forgets what a removed replica reported: a new node in its place starts afresh.
    pub(crate) fn forget(&mut self, replica: NodeId) {
        if let Some(reported) = self.reported.get_mut(replica.0) {
            *reported = Positions::default();
        }
    }

    pub(crate) fn position(&self, replica: NodeId, level: Level) -> Lsn {
        let reported = self.reported.get(replica.0).copied().unwrap_or_default();
        match level {
            Level::Received => reported.received,
            Level::Flushed => reported.flushed,
            Level::Applied => reported.applied,
        }
    }
}

impl Simulation {
    /// The master logs a write and ships it to every replica.
    pub(crate) fn log_write(&mut self, request: RequestId, key: Key, name: String) {
        let master = &self.nodes[self.master.0];
        let lsn = master.positions.applied + 1;
        let version = master.data.user(key).map_or(0, |row| row.version) + 1;
        let write = self.writes_logged + 1;
        let row = Rc::new(Row { values: data::user_values(key, &name), version, lsn, write });
        let change = Change::Put { table: USERS.to_string(), key: Value::Int(key as i64), row };
        let at = Position { timeline: self.master_log.timeline, lsn };
        self.log(request, vec![change], Outcome::Logged { at, version, write });
    }

    /// A write statement from the console: worked out against the master's newest data, then
    /// logged; a statement that fails or changes nothing is answered without a log entry.
    pub(crate) fn execute(&mut self, request: RequestId, statement: &Parsed) {
        let master = self.master;
        let lsn = self.nodes[master.0].positions.applied + 1;
        match sql::execute_write(&self.nodes[master.0].data, &statement.statement, lsn, self.writes_logged + 1) {
            Err(error) => {
                self.set_outcome(request, master, Outcome::Failed { reason: error.to_string() });
                self.reply(master, request, Some(error.to_string()));
            }
            Ok(written) if written.changes.is_empty() => {
                self.set_outcome(request, master, Outcome::Changed { at: None, write: None, rows: 0 });
                self.reply(master, request, None);
            }
            Ok(written) => {
                let at = Position { timeline: self.master_log.timeline, lsn };
                let write = Some(self.writes_logged + 1);
                self.log(
                    request,
                    written.changes,
                    Outcome::Changed { at: Some(at), write, rows: written.rows_affected },
                )
            }
        }
    }

    /// The master logs a change at its next position and ships it to every replica; the
    /// client's reply waits for the commit mode.
    pub(crate) fn log(&mut self, request: RequestId, changes: Vec<Change>, outcome: Outcome) {
        let master = self.master;
        let node = &mut self.nodes[master.0];
        let lsn = node.positions.applied + 1;
        let entry = Rc::new(LogEntry { lsn, changes, logged_at: self.now });
        self.writes_logged += 1;
        let deferred = self.config.mode == Mode::Off;
        if deferred && self.master_log.durable.is_none() {
            // The first commit the WAL writer will flush: what is on disk stays as it is.
            self.master_log.durable = Some(node.data.clone());
            let delay = Time::from_millis(self.config.wal_writer_ms);
            self.schedule(master, delay, Timer::WalWriter);
        }
        let node = &mut self.nodes[master.0];
        node.data.replay(&entry);
        let flushed = if deferred { node.positions.flushed } else { lsn };
        node.positions = Positions { received: lsn, flushed, applied: lsn };
        node.writes_served += 1;
        self.set_outcome(request, master, outcome);
        self.master_log.entries.push_back(entry.clone());
        self.trim_log();
        // A walsender streams only what is on the master's disk.
        if !deferred {
            self.ship(entry.clone());
        }
        self.master_log.waiting.push_back((entry, request));
        if self.config.mode == Mode::SemiSync && !self.master_log.fallback && self.config.semi_sync_timeout_ms > 0 {
            self.schedule(master, Time::from_millis(self.config.semi_sync_timeout_ms), Timer::SemiSyncTimeout(lsn));
        }
        self.commit_ready();
    }

    /// Sends one log entry down every replica's stream: to each replica the master has a
    /// replication connection to (not one that is down, or that follows nothing; a silently
    /// cut one until `wal_sender_timeout`). One that reconnects catches up from the log.
    pub(crate) fn ship(&mut self, entry: Rc<LogEntry>) {
        let master = self.master;
        let connected: Vec<NodeId> = self.replica_ids().into_iter().filter(|id| self.nodes[id.0].streaming).collect();
        for replica in connected {
            self.send(
                Endpoint::Node(master),
                Endpoint::Node(replica),
                Payload::Replicate { timeline: self.master_log.timeline, entry: entry.clone() },
            );
        }
    }

    /// The WAL writer's round under `off`: what the master logged goes to disk, and so down
    /// the replication streams.
    pub(crate) fn flush_master_wal(&mut self) {
        if self.master_log.durable.take().is_none() {
            return;
        }
        let master = self.master;
        let positions = &mut self.nodes[master.0].positions;
        let (from, to) = (positions.flushed + 1, positions.applied);
        positions.flushed = to;
        let entries: Vec<Rc<LogEntry>> = (from..=to).filter_map(|lsn| self.master_log.entry(lsn).cloned()).collect();
        for entry in entries {
            self.ship(entry);
        }
        self.prune_at_risk();
    }

    /// A master crash under `off`: what the WAL writer had not flushed is gone, acknowledged or
    /// not. Returns the positions lost, with the requests acknowledged for them.
    pub(crate) fn lose_unflushed(&mut self) -> Vec<(Lsn, RequestId)> {
        let Some(durable) = self.master_log.durable.take() else { return Vec::new() };
        let master = self.master;
        let flushed = self.nodes[master.0].positions.flushed;
        self.nodes[master.0].data = durable.clone();
        self.nodes[master.0].positions = Positions { received: flushed, flushed, applied: flushed };
        self.master_log.visible = durable;
        self.master_log.committed_lsn = self.master_log.committed_lsn.min(flushed);
        while self.master_log.entries.back().is_some_and(|entry| entry.lsn > flushed) {
            self.master_log.entries.pop_back();
        }
        let lost: Vec<(Lsn, RequestId)> =
            self.master_log.at_risk.iter().filter(|&&(lsn, _)| lsn > flushed).copied().collect();
        self.master_log.at_risk.retain(|&(lsn, _)| lsn <= flushed);
        lost
    }

    /// Keeps the master's WAL bounded, as PostgreSQL does: the newest `wal_keep` entries
    /// (`wal_keep_size`) stay whoever has applied them, and so does what is not yet on the
    /// master's disk, what a waiting commit needs, and what a replication slot holds for its
    /// replica; older entries go, whoever still needed them: a replica that was down or cut off
    /// since then can no longer catch up. Of the entries kept, the page's memory holds only
    /// those a node that can still stream may ask for.
    pub(crate) fn trim_log(&mut self) {
        let master = &self.nodes[self.master.0];
        let (newest, flushed) = (master.positions.applied, master.positions.flushed);
        let keep = self.config.wal_keep.max(1);
        let mut kept_from = (newest + 1).saturating_sub(keep).min(flushed + 1);
        if let Some((entry, _)) = self.master_log.waiting.front() {
            kept_from = kept_from.min(entry.lsn);
        }
        while let Some((_, floor)) = self.slot_floor() {
            if newest.saturating_sub(floor) > SLOT_KEEP as u64 {
                self.invalidate_slot();
                continue;
            }
            kept_from = kept_from.min(floor + 1);
            break;
        }
        self.master_log.kept_from = self.master_log.kept_from.max(kept_from);
        let kept_from = self.master_log.kept_from;
        // A node that follows (whatever its timeline, up or down) asks for what it has not
        // received, after a crash for what it had not flushed, and its lag is timed from the
        // first entry it has not applied; one whose received position is already behind what
        // the master keeps can never catch up and asks for nothing.
        let asked_from = (self.unordered_replicas())
            .filter(|(_, node)| node.follow == Follow::Streaming && node.positions.received + 1 >= kept_from)
            .map(|(_, node)| (node.positions.applied + 1).max(kept_from))
            .min()
            .unwrap_or(Lsn::MAX);
        let waiting_from = self.master_log.waiting.front().map_or(Lsn::MAX, |(entry, _)| entry.lsn);
        while let Some(front) = self.master_log.entries.front() {
            let nobody_asks = front.lsn < asked_from && front.lsn <= flushed && front.lsn < waiting_from;
            if front.lsn < kept_from || (nobody_asks && self.master_log.entries.len() > 1) {
                self.master_log.entries.pop_front();
            } else {
                break;
            }
        }
    }

    /// With replication slots, the replica whose slot holds the master's WAL furthest back, and
    /// how far it has received: the master keeps every entry after that.
    pub fn slot_floor(&self) -> Option<(NodeId, Lsn)> {
        if !self.config.slots {
            return None;
        }
        self.followers()
            .filter(|(_, node)| !node.slot_invalidated)
            .map(|(id, node)| (id, node.positions.received))
            .min_by_key(|&(id, lsn)| (lsn, id))
    }

    /// Log entries the master keeps only because a slot holds them: the slot bloat a down
    /// replica causes.
    pub fn slot_retained(&self) -> Option<(NodeId, u64)> {
        let (id, floor) = self.slot_floor()?;
        let kept_anyway = self.config.wal_keep;
        let behind = self.nodes[self.master.0].positions.flushed.saturating_sub(floor);
        Some((id, behind.saturating_sub(kept_anyway)))
    }

    pub(crate) fn invalidate_slot(&mut self) {
        let Some((id, _)) = self.slot_floor() else { return };
        self.nodes[id.0].slot_invalidated = true;
        self.note(EventKind::SlotInvalidated { node: self.label(id), kept: SLOT_KEEP as u64 });
    }
}
