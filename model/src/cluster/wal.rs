//! The master's write-ahead log: each write logged and shipped to the replicas, flushed to the
//! master's disk (at once, or by the WAL writer under `off`), kept for replicas that are behind
//! (`wal_keep_size`, replication slots), and streamed again to a replica that comes back.

use std::collections::VecDeque;
use std::rc::Rc;

use super::{Cluster, Ctx};
use crate::Timer;
use crate::cluster::node::{Follow, Positions};
use crate::config::{Config, Level, Mode};
use crate::data::{self, Change, Database, Key, LogEntry, Lsn, Row, USERS, Value};
use crate::events::EventKind;
use crate::ids::{NodeId, RequestId};
use crate::network::{Endpoint, Payload};
use crate::request::Outcome;
use crate::sql::{self, Parsed, Statement};
use crate::time::Time;
use crate::timeline::Position;

/// The master's side of replication; replaced by a failover.
#[derive(Clone, Debug)]
pub struct MasterLog {
    /// The master's timeline: a new one with every failover. A message from another timeline
    /// (an earlier master, a diverged replica) is ignored.
    pub(super) timeline: usize,
    /// The oldest position the master's WAL still holds, as PostgreSQL keeps it
    /// (`wal_keep_size`, slots): a replica behind it cannot catch up, and pg_rewind cannot take
    /// a node back to a fork before it.
    pub(super) kept_from: Lsn,
    /// The kept entries a node may still stream, from `kept_from` or later: those every node
    /// that can still stream has applied are dropped, as nobody can ask for them (a diverged
    /// node is copied whole when rewound). Entries are shared: the log, each replica's stream
    /// and queue hold the same one.
    pub(super) entries: VecDeque<Rc<LogEntry>>,
    /// What readers of the master see.
    pub(super) visible: Database,
    pub(super) committed_lsn: Lsn,
    /// Writes waiting for replicas, oldest first.
    pub(super) waiting: VecDeque<(Rc<LogEntry>, RequestId)>,
    /// Acknowledged writes that some replica still lacks, or that are not yet on the master's
    /// own disk (`off`), in log order: a failover or a crash could lose them.
    pub(super) at_risk: VecDeque<(Lsn, RequestId)>,
    /// What each replica last reported, by node id.
    pub(super) reported: Vec<Positions>,
    /// Semi-sync has fallen back to async.
    pub(super) fallback: bool,
    /// Under `off`, the master's data as it is on disk (up to its flushed position) while
    /// later commits wait for the WAL writer: what a crash leaves.
    pub(super) durable: Option<Database>,
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

    pub(super) fn entry(&self, lsn: Lsn) -> Option<&Rc<LogEntry>> {
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
    pub(super) fn forget(&mut self, replica: NodeId) {
        if let Some(reported) = self.reported.get_mut(replica.0) {
            *reported = Positions::default();
        }
    }

    pub(super) fn position(&self, replica: NodeId, level: Level) -> Lsn {
        let reported = self.reported.get(replica.0).copied().unwrap_or_default();
        match level {
            Level::Received => reported.received,
            Level::Flushed => reported.flushed,
            Level::Applied => reported.applied,
        }
    }
}

impl Cluster {
    /// The master logs a write and ships it to every replica.
    pub(super) fn log_write(&mut self, request: RequestId, key: Key, name: String, cx: &mut Ctx) {
        let master = &self.machines[self.master];
        let lsn = master.positions.applied + 1;
        let version = master.data.user(key).map_or(0, |row| row.version) + 1;
        let write = self.writes_logged + 1;
        let row = Rc::new(Row { values: data::user_values(key, &name), version, lsn, write });
        let change = Change::Put { table: USERS.to_string(), key: Value::Int(key as i64), row };
        let at = Position { timeline: self.master_log.timeline, lsn };
        self.log(request, vec![change], Outcome::Logged { at, version, write }, cx);
    }

    /// A write statement from the console: worked out against the master's newest data, then
    /// logged; a statement that fails or changes nothing is answered without a log entry.
    pub(super) fn execute(&mut self, request: RequestId, statement: &Parsed, cx: &mut Ctx) {
        if let Statement::SlotFunction(call) = &statement.statement {
            return self.call_slot_function(request, call, cx);
        }
        let master = self.master;
        let lsn = self.machines[master].positions.applied + 1;
        match sql::execute_write(&self.machines[master].data, &statement.statement, lsn, self.writes_logged + 1) {
            Err(error) => {
                self.set_outcome(request, master, Outcome::Failed { reason: error.to_string() }, cx);
                cx.reply(master, request, Some(error.to_string()));
            }
            Ok(written) if written.changes.is_empty() => {
                self.set_outcome(request, master, Outcome::Changed { at: None, write: None, rows: 0 }, cx);
                cx.reply(master, request, None);
            }
            Ok(written) => {
                let at = Position { timeline: self.master_log.timeline, lsn };
                let write = Some(self.writes_logged + 1);
                self.log(
                    request,
                    written.changes,
                    Outcome::Changed { at: Some(at), write, rows: written.rows_affected },
                    cx,
                )
            }
        }
    }

    /// The master logs a change at its next position and ships it to every replica; the
    /// client's reply waits for the commit mode.
    pub(super) fn log(&mut self, request: RequestId, changes: Vec<Change>, outcome: Outcome, cx: &mut Ctx) {
        let master = self.master;
        let node = &mut self.machines[master];
        let lsn = node.positions.applied + 1;
        let entry = Rc::new(LogEntry { lsn, changes, logged_at: cx.now });
        self.writes_logged += 1;
        let deferred = cx.config.mode == Mode::Off;
        if deferred && self.master_log.durable.is_none() {
            // The first commit the WAL writer will flush: what is on disk stays as it is.
            self.master_log.durable = Some(node.data.clone());
            let delay = Time::from_millis(cx.config.wal_writer_ms);
            self.schedule(master, delay, Timer::WalWriter, cx);
        }
        let node = &mut self.machines[master];
        node.data.replay(&entry);
        let flushed = if deferred { node.positions.flushed } else { lsn };
        node.positions = Positions { received: lsn, flushed, applied: lsn };
        self.set_outcome(request, master, outcome, cx);
        self.master_log.entries.push_back(entry.clone());
        self.trim_log(cx);
        // A walsender streams only what is on the master's disk.
        if !deferred {
            self.ship(entry.clone(), cx);
        }
        self.master_log.waiting.push_back((entry, request));
        let timeout = cx.config.semi_sync_timeout_ms;
        if cx.config.mode == Mode::SemiSync && !self.master_log.fallback && timeout > 0 {
            self.schedule(master, Time::from_millis(timeout), Timer::SemiSyncTimeout(lsn), cx);
        }
        self.commit_ready(cx);
    }

    /// Sends one log entry down every replica's stream: to each replica the master has a
    /// replication connection to (not one that is down, or that follows nothing; a silently
    /// cut one until `wal_sender_timeout`). One that reconnects catches up from the log.
    pub(super) fn ship(&mut self, entry: Rc<LogEntry>, cx: &mut Ctx) {
        let master = self.master;
        let connected: Vec<NodeId> = self.replica_ids().into_iter().filter(|id| self.machines[*id].streaming).collect();
        for replica in connected {
            cx.send(
                Endpoint::Node(master),
                Endpoint::Node(replica),
                Payload::Replicate { timeline: self.master_log.timeline, entry: entry.clone() },
            );
        }
        self.stream_to_connector(cx);
    }

    /// The WAL writer's round under `off`: what the master logged goes to disk, and so down
    /// the replication streams.
    pub(crate) fn flush_master_wal(&mut self, cx: &mut Ctx) {
        if self.master_log.durable.take().is_none() {
            return;
        }
        let master = self.master;
        let positions = &mut self.machines[master].positions;
        let (from, to) = (positions.flushed + 1, positions.applied);
        positions.flushed = to;
        let entries: Vec<Rc<LogEntry>> = (from..=to).filter_map(|lsn| self.master_log.entry(lsn).cloned()).collect();
        for entry in entries {
            self.ship(entry, cx);
        }
        self.prune_at_risk();
    }

    /// A master crash under `off`: what the WAL writer had not flushed is gone, acknowledged or
    /// not. Returns the positions lost, with the requests acknowledged for them.
    pub(super) fn lose_unflushed(&mut self) -> Vec<(Lsn, RequestId)> {
        let Some(durable) = self.master_log.durable.take() else { return Vec::new() };
        let master = self.master;
        let flushed = self.machines[master].positions.flushed;
        self.machines[master].data = durable.clone();
        self.machines[master].positions = Positions { received: flushed, flushed, applied: flushed };
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
    fn trim_log(&mut self, cx: &mut Ctx) {
        let master = &self.machines[self.master];
        let (newest, flushed) = (master.positions.applied, master.positions.flushed);
        let keep = cx.config.wal_keep.max(1);
        let mut kept_from = (newest + 1).saturating_sub(keep).min(flushed + 1);
        if let Some((entry, _)) = self.master_log.waiting.front() {
            kept_from = kept_from.min(entry.lsn);
        }
        // The slot furthest behind, of either kind, first: past `max_slot_wal_keep_size` it is
        // given up and the next one looked at. What the logical slots left hold is kept below.
        let logical_floor = loop {
            let physical = self.slot_floor(cx.config).map(|(_, floor)| floor);
            let logical = self.logical_floor();
            let Some(floor) = physical.into_iter().chain(logical.map(|(_, floor)| floor)).min() else { break None };
            if newest.saturating_sub(floor) <= slot_limit(cx.config) {
                kept_from = kept_from.min(floor + 1);
                break logical.map(|(_, floor)| floor);
            }
            match logical {
                Some((index, logical_floor)) if logical_floor == floor => self.invalidate_logical_slot(index, cx),
                _ => self.invalidate_slot(cx),
            }
        };
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
        let asked_from = asked_from.min(logical_floor.map_or(Lsn::MAX, |floor| floor + 1));
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
    pub fn slot_floor(&self, config: &Config) -> Option<(NodeId, Lsn)> {
        if !config.slots {
            return None;
        }
        self.followers()
            .filter(|(_, node)| !node.slot_invalidated)
            .map(|(id, node)| (id, node.positions.received))
            .min_by_key(|&(id, lsn)| (lsn, id))
    }

    /// Log entries the master keeps only because a slot holds them: the slot bloat a down
    /// replica causes.
    pub fn slot_retained(&self, config: &Config) -> Option<(NodeId, u64)> {
        let (id, floor) = self.slot_floor(config)?;
        let kept_anyway = config.wal_keep;
        let behind = self.machines[self.master].positions.flushed.saturating_sub(floor);
        Some((id, behind.saturating_sub(kept_anyway)))
    }

    fn invalidate_slot(&mut self, cx: &mut Ctx) {
        let Some((id, _)) = self.slot_floor(cx.config) else { return };
        self.machines[id].slot_invalidated = true;
        cx.note(EventKind::SlotInvalidated { node: self.label(id), kept: slot_limit(cx.config) });
    }
}

/// The most a slot may hold back before it is given up: `max_slot_wal_keep_size`, but never less
/// than `wal_keep_size`, which PostgreSQL keeps anyway (KeepLogSeg applies it after the slots').
pub(super) fn slot_limit(config: &Config) -> u64 {
    config.max_slot_wal_keep.max(config.wal_keep)
}
