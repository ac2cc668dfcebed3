//! Log shipping and commit: the master logs each write and streams it to every replica; a
//! replica receives, flushes and applies each entry in order and reports how far it got; the
//! master acknowledges a write once the replicas its mode and quorum name have reached the
//! level its mode asks for (PostgreSQL's `synchronous_commit` and `synchronous_standby_names`),
//! or at once under async or after a semi-sync fallback (MySQL).

use std::collections::VecDeque;
use std::rc::Rc;

use crate::config::{Level, Mode, Quorum};
use crate::data::{self, Change, Database, Key, LogEntry, Lsn, Row, USERS, Value};
use crate::events::EventKind;
use crate::ids::{NodeId, RequestId};
use crate::network::{Endpoint, Payload};
use crate::node::{Follow, Node, Positions, Status};
use crate::request::Outcome;
use crate::sql::{self, Parsed};
use crate::time::Time;
use crate::timeline::Position;
use crate::{Simulation, Timer};

/// What PostgreSQL says to a client whose wait for the synchronous standbys was cancelled.
pub const CANCELLED_WAIT: &str = "WARNING: canceling wait for synchronous replication due to user request. DETAIL: The transaction has already committed locally, but might not have been replicated to the standby.";

/// The most log entries replication slots may hold back: past it the slot of the replica
/// furthest behind is invalidated (PostgreSQL's `max_slot_wal_keep_size`; PostgreSQL's default
/// is no limit, until the disk fills: here the page's memory needs one).
pub const SLOT_KEEP: usize = 200_000;

/// The master's side of replication; replaced by a failover.
#[derive(Clone, Debug)]
pub struct Primary {
    /// The master's timeline: a new one with every failover. A message from another timeline
    /// (an earlier master, a diverged replica) is ignored.
    pub timeline: usize,
    /// Entries are shared: the log, each replica's stream and queue hold the same one.
    log: VecDeque<Rc<LogEntry>>,
    /// What readers of the master see.
    pub visible: Database,
    pub committed_lsn: Lsn,
    /// Writes waiting for replicas, oldest first.
    waiting: VecDeque<(Rc<LogEntry>, RequestId)>,
    /// Acknowledged writes that some replica still lacks, or that are not yet on the master's
    /// own disk (`off`), in log order: a failover or a crash could lose them.
    pub at_risk: VecDeque<(Lsn, RequestId)>,
    /// What each replica last reported, by node id.
    reported: Vec<Positions>,
    /// Semi-sync has fallen back to async.
    pub fallback: bool,
    /// Under `off`, the master's data as it is on disk (up to its flushed position) while
    /// later commits wait for the WAL writer: what a crash leaves.
    durable: Option<Database>,
}

impl Primary {
    pub fn new(visible: Database, committed_lsn: Lsn, timeline: usize) -> Primary {
        Primary {
            timeline,
            log: VecDeque::new(),
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
    pub fn first_lsn(&self) -> Option<Lsn> {
        self.log.front().map(|entry| entry.lsn)
    }

    pub fn logged_at(&self, lsn: Lsn) -> Option<Time> {
        self.entry(lsn).map(|entry| entry.logged_at).or_else(|| self.log.front().map(|entry| entry.logged_at))
    }

    fn entry(&self, lsn: Lsn) -> Option<&Rc<LogEntry>> {
        let first = self.log.front()?.lsn;
        self.log.get(usize::try_from(lsn.checked_sub(first)?).ok()?)
    }

    /// The log up to `lsn`, for a new master that has exactly that much of it.
    pub fn log_through(&self, lsn: Lsn) -> VecDeque<Rc<LogEntry>> {
        self.log.iter().take_while(|entry| entry.lsn <= lsn).cloned().collect()
    }

    pub fn with_log(mut self, log: VecDeque<Rc<LogEntry>>) -> Primary {
        self.log = log;
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
    fn forget(&mut self, replica: NodeId) {
        if let Some(reported) = self.reported.get_mut(replica.0) {
            *reported = Positions::default();
        }
    }

    fn position(&self, replica: NodeId, level: Level) -> Lsn {
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
    pub(super) fn log_write(&mut self, request: RequestId, key: Key, name: String) {
        let master = &self.nodes[self.master.0];
        let lsn = master.positions.applied + 1;
        let version = master.data.user(key).map_or(0, |row| row.version) + 1;
        let write = self.writes_logged + 1;
        let row = Rc::new(Row { values: data::user_values(key, &name), version, lsn, write });
        let change = Change::Put { table: USERS.to_string(), key: Value::Int(key as i64), row };
        let at = Position { timeline: self.primary.timeline, lsn };
        self.log(request, vec![change], Outcome::Logged { at, version, write });
    }

    /// A write statement from the console: worked out against the master's newest data, then
    /// logged; a statement that fails or changes nothing is answered without a log entry.
    pub(super) fn execute(&mut self, request: RequestId, statement: &Parsed) {
        let master = self.master;
        let lsn = self.nodes[master.0].positions.applied + 1;
        match sql::execute_write(&self.nodes[master.0].data, &statement.statement, lsn, self.writes_logged + 1) {
            Err(error) => {
                self.record(request, master, Outcome::Failed { reason: error.to_string() });
                self.reply(master, request, Some(error.to_string()));
            }
            Ok(written) if written.changes.is_empty() => {
                self.record(request, master, Outcome::Changed { at: None, rows: 0 });
                self.reply(master, request, None);
            }
            Ok(written) => {
                let at = Position { timeline: self.primary.timeline, lsn };
                self.log(request, written.changes, Outcome::Changed { at: Some(at), rows: written.rows_affected })
            }
        }
    }

    /// The master logs a change at its next position and ships it to every replica; the
    /// client's reply waits for the commit mode.
    fn log(&mut self, request: RequestId, changes: Vec<Change>, outcome: Outcome) {
        let master = self.master;
        let node = &mut self.nodes[master.0];
        let lsn = node.positions.applied + 1;
        let entry = Rc::new(LogEntry { lsn, changes, logged_at: self.now });
        self.writes_logged += 1;
        let deferred = self.config.mode == Mode::Off;
        if deferred && self.primary.durable.is_none() {
            // The first commit the WAL writer will flush: what is on disk stays as it is.
            self.primary.durable = Some(node.data.clone());
            let delay = Time::from_millis(self.config.wal_writer_ms);
            self.schedule(master, delay, Timer::WalWriter);
        }
        let node = &mut self.nodes[master.0];
        node.data.apply(&entry);
        let flushed = if deferred { node.positions.flushed } else { lsn };
        node.positions = Positions { received: lsn, flushed, applied: lsn };
        node.writes_served += 1;
        self.record(request, master, outcome);
        self.primary.log.push_back(entry.clone());
        self.trim_log();
        // A walsender streams only what is on the master's disk.
        if !deferred {
            self.ship(entry.clone());
        }
        self.primary.waiting.push_back((entry, request));
        if self.config.mode == Mode::SemiSync && !self.primary.fallback && self.config.semi_sync_timeout_ms > 0 {
            self.schedule(master, Time::from_millis(self.config.semi_sync_timeout_ms), Timer::SemiSyncTimeout(lsn));
        }
        self.commit_ready();
    }

    /// Sends one log entry down every replica's stream.
    fn ship(&mut self, entry: Rc<LogEntry>) {
        let master = self.master;
        for replica in self.replica_ids() {
            self.send(
                Endpoint::Node(master),
                Endpoint::Node(replica),
                Payload::Replicate { timeline: self.primary.timeline, entry: entry.clone() },
            );
        }
    }

    /// The WAL writer's round under `off`: what the master logged goes to disk, and so down
    /// the replication streams.
    pub(super) fn flush_master_wal(&mut self) {
        if self.primary.durable.take().is_none() {
            return;
        }
        let master = self.master;
        let positions = &mut self.nodes[master.0].positions;
        let (from, to) = (positions.flushed + 1, positions.applied);
        positions.flushed = to;
        let entries: Vec<Rc<LogEntry>> = (from..=to).filter_map(|lsn| self.primary.entry(lsn).cloned()).collect();
        for entry in entries {
            self.ship(entry);
        }
        self.prune_at_risk();
    }

    /// A master crash under `off`: what the WAL writer had not flushed is gone, acknowledged or
    /// not. Returns the positions lost, with the requests acknowledged for them.
    pub(super) fn lose_unflushed(&mut self) -> Vec<(Lsn, RequestId)> {
        let Some(durable) = self.primary.durable.take() else { return Vec::new() };
        let master = self.master;
        let flushed = self.nodes[master.0].positions.flushed;
        self.nodes[master.0].data = durable.clone();
        self.nodes[master.0].positions = Positions { received: flushed, flushed, applied: flushed };
        self.primary.visible = durable;
        self.primary.committed_lsn = self.primary.committed_lsn.min(flushed);
        while self.primary.log.back().is_some_and(|entry| entry.lsn > flushed) {
            self.primary.log.pop_back();
        }
        let lost: Vec<(Lsn, RequestId)> =
            self.primary.at_risk.iter().filter(|&&(lsn, _)| lsn > flushed).copied().collect();
        self.primary.at_risk.retain(|&(lsn, _)| lsn <= flushed);
        lost
    }

    /// Commits a waiting write: visible to the master's readers, at risk (of a crash or a
    /// failover) until the master's disk and every follower have it, and acknowledged to its
    /// client (with `warning`, if any).
    fn commit(&mut self, entry: &LogEntry, request: RequestId, warning: Option<&'static str>) {
        self.primary.visible.apply(entry);
        self.primary.committed_lsn = entry.lsn;
        if entry.lsn > self.safe_through() {
            self.primary.at_risk.push_back((entry.lsn, request));
        }
        let mode = self.mode_acknowledged();
        if let Some(record) = self.in_flight.get_mut(request) {
            record.acked_as = Some(mode);
            record.warning = warning;
        }
        self.reply(self.master, request, None);
    }

    /// pg_cancel_backend on every session waiting for its commit: each returns at once with
    /// PostgreSQL's WARNING, committed on the master (visible there) though no synchronous
    /// standby has confirmed it. Returns how many were waiting.
    pub(super) fn cancel_waits(&mut self) -> usize {
        let waiting = std::mem::take(&mut self.primary.waiting);
        let count = waiting.len();
        for (entry, request) in waiting {
            self.commit(&entry, request, Some(CANCELLED_WAIT));
        }
        count
    }

    /// Commits, in log order, every waiting write whose replicas have confirmed it enough.
    pub(super) fn commit_ready(&mut self) {
        while let Some((entry, _)) = self.primary.waiting.front() {
            if !self.primary.fallback && !self.quorum_reached(entry.lsn) {
                break;
            }
            let (entry, request) = self.primary.waiting.pop_front().expect("front exists");
            self.commit(&entry, request, None);
        }
    }

    /// Whether the replicas named by the quorum have reported `lsn` at the mode's level.
    fn quorum_reached(&self, lsn: Lsn) -> bool {
        let Some(level) = self.config.mode.level() else {
            return true;
        };
        let reached = |id: &NodeId| self.primary.position(*id, level) >= lsn;
        let candidates = self.sync_candidates();
        match self.config.effective_quorum() {
            Quorum::All => candidates.iter().all(reached),
            Quorum::First(k) => {
                let synchronous = self.first_synchronous(k);
                synchronous.len() == k && synchronous.iter().all(reached)
            }
            Quorum::Any(k) => candidates.iter().filter(|id| reached(id)).count() >= k,
        }
    }

    /// The replicas that may be synchronous, in priority order: those the standby list names
    /// (`synchronous_standby_names`), in its order; every replica by number when it names none,
    /// and always under `sync`. A listed machine that is not a replica now is skipped.
    fn sync_candidates(&self) -> Vec<NodeId> {
        let replicas = self.replica_ids();
        if self.config.standbys.is_empty() || self.config.mode == Mode::Sync {
            return replicas;
        }
        self.config
            .standbys
            .iter()
            .filter_map(|name| replicas.iter().copied().find(|id| id.machine() == *name))
            .collect()
    }

    /// Under `first-k`, the synchronous replicas: the first k candidates the master has a
    /// replication connection to. A silent partition does not end that connection at once:
    /// only `wal_sender_timeout` does.
    fn first_synchronous(&self, k: usize) -> Vec<NodeId> {
        self.sync_candidates().into_iter().filter(|id| self.nodes[id.0].streaming).take(k).collect()
    }

    /// Whether the master waits for this replica (or, under `any-k`, counts it) before it
    /// acknowledges a write: never under async or after a semi-sync fallback.
    pub fn is_synchronous(&self, replica: NodeId) -> bool {
        if self.config.mode.level().is_none() || self.primary.fallback {
            return false;
        }
        match self.config.effective_quorum() {
            Quorum::All | Quorum::Any(_) => self.sync_candidates().contains(&replica),
            Quorum::First(k) => self.first_synchronous(k).contains(&replica),
        }
    }

    /// The writes logged and not yet acknowledged, and the replicas that have not confirmed the
    /// oldest of them (under `any-k`, every one of them that has not).
    pub fn waiting_for(&self) -> Option<(usize, Vec<NodeId>)> {
        let (oldest, _) = self.primary.waiting.front()?;
        let level = self.config.mode.level()?;
        let missing = self
            .replica_ids()
            .into_iter()
            .filter(|id| self.is_synchronous(*id) && self.primary.position(*id, level) < oldest.lsn)
            .collect();
        Some((self.primary.waiting.len(), missing))
    }

    pub(super) fn on_semi_sync_timeout(&mut self, lsn: Lsn) {
        let still_waiting = self.primary.waiting.front().is_some_and(|(entry, _)| entry.lsn <= lsn);
        if let (true, false, Some(level)) = (still_waiting, self.primary.fallback, self.config.mode.level()) {
            self.primary.fallback = true;
            let (confirmed, missing): (Vec<NodeId>, Vec<NodeId>) =
                self.replica_ids().into_iter().partition(|id| self.primary.position(*id, level) >= lsn);
            let labels = |ids: Vec<NodeId>| ids.into_iter().map(|id| self.label(id)).collect();
            let (confirmed, missing) = (labels(confirmed), labels(missing));
            self.note(EventKind::FellBackToAsync {
                waited_ms: self.config.semi_sync_timeout_ms,
                lsn,
                confirmed,
                missing,
            });
            self.commit_ready();
        }
    }

    /// A replica received the next entry of its stream.
    pub(super) fn on_replicate(&mut self, id: NodeId, timeline: usize, entry: Rc<LogEntry>) {
        let node = &mut self.nodes[id.0];
        // An entry from a deposed master, or one this replica has or cannot place yet (a gap
        // after a cut or a crash; the catch-up resends it in order), is dropped.
        let streams = node.follow == Follow::Streaming && node.timeline == timeline;
        if timeline != self.primary.timeline
            || !streams
            || !node.is_up()
            || node.is_master()
            || entry.lsn != node.positions.received + 1
        {
            return;
        }
        node.positions.received = entry.lsn;
        let lsn = entry.lsn;
        node.pending.push_back(entry);
        let flush_at = (self.now + Time::from_millis(self.config.flush_ms)).max(node.flush_tail);
        node.flush_tail = flush_at;
        let after = flush_at - self.now;
        self.schedule(id, after, Timer::Flush(lsn));
        self.acknowledge(id);
    }

    pub(super) fn on_flushed(&mut self, id: NodeId, lsn: Lsn) {
        let node = &mut self.nodes[id.0];
        node.positions.flushed = node.positions.flushed.max(lsn);
        self.acknowledge(id);
        self.start_apply(id);
    }

    /// Applies the next flushed entry after the time one apply takes, and no sooner than its
    /// apply delay after the master logged it.
    pub(super) fn start_apply(&mut self, id: NodeId) {
        let node = &mut self.nodes[id.0];
        let Some(next) = node.pending.front().filter(|entry| entry.lsn <= node.positions.flushed) else { return };
        if node.applying || !node.is_up() {
            return;
        }
        node.applying = true;
        let per_entry = Time((1_000_000 / self.config.apply_rate).max(1));
        let after = per_entry.max((next.logged_at + node.apply_delay) - self.now);
        self.schedule(id, after, Timer::Apply);
    }

    pub(super) fn apply_next(&mut self, id: NodeId) {
        let node = &mut self.nodes[id.0];
        node.applying = false;
        let Some(entry) = node.pending.pop_front() else {
            return;
        };
        node.data.apply(&entry);
        node.positions.applied = entry.lsn;
        self.acknowledge(id);
        self.release_parked(id);
        self.start_apply(id);
    }

    /// Reports the replica's positions to the master.
    fn acknowledge(&mut self, id: NodeId) {
        let positions = self.nodes[id.0].positions;
        let master = self.master;
        let timeline = self.nodes[id.0].timeline;
        self.send(Endpoint::Node(id), Endpoint::Node(master), Payload::Ack { timeline, positions });
    }

    pub(super) fn on_ack(&mut self, replica: NodeId, timeline: usize, positions: Positions) {
        if timeline != self.primary.timeline || self.nodes[replica.0].status == Status::Removed {
            return;
        }
        self.primary.report(replica, positions);
        self.commit_ready();
        let last = self.master().positions.applied;
        if self.primary.fallback && self.quorum_reached(last) {
            self.primary.fallback = false;
            self.note(EventKind::BackToSync);
        }
        self.prune_at_risk();
    }

    /// The replicas following the master's history (up or down), not diverged or stranded.
    pub(super) fn followers(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        let timeline = self.primary.timeline;
        self.unordered_replicas().filter(move |(_, node)| node.follow == Follow::Streaming && node.timeline == timeline)
    }

    /// How far every copy of the master's history has the log: its disk and every follower's.
    fn safe_through(&self) -> Lsn {
        let replicas = self.followers().map(|(_, node)| node.positions.received).min().unwrap_or(Lsn::MAX);
        replicas.min(self.nodes[self.master.0].positions.flushed)
    }

    fn prune_at_risk(&mut self) {
        let safe_through = self.safe_through();
        while self.primary.at_risk.front().is_some_and(|&(lsn, _)| lsn <= safe_through) {
            self.primary.at_risk.pop_front();
        }
    }

    /// On (re)connecting, a replica reports where it is, and the master streams it everything
    /// it has not received: if its history is the master's (else it has diverged), and if the
    /// master still has the WAL it needs (else only a rebuild brings it back).
    pub(super) fn catch_up(&mut self, id: NodeId) {
        let master = self.master;
        if !self.nodes[id.0].is_up() || !self.nodes[master.0].is_up() || self.nodes[id.0].link_cut {
            return;
        }
        if !self.follows_the_master(id) {
            return;
        }
        self.acknowledge(id);
        let from = self.nodes[id.0].positions.received + 1;
        let last = self.nodes[master.0].positions.flushed;
        if from > last {
            return;
        }
        let Some(first) = self.primary.entry(from).map(|entry| entry.lsn).filter(|&lsn| lsn == from) else {
            let node = &mut self.nodes[id.0];
            node.follow = Follow::WalRemoved;
            node.streaming = false;
            self.note(EventKind::WalRemoved { node: self.label(id), lsn: from });
            return;
        };
        let entries: Vec<Rc<LogEntry>> = (first..=last).filter_map(|lsn| self.primary.entry(lsn).cloned()).collect();
        for entry in entries {
            self.send(
                Endpoint::Node(master),
                Endpoint::Node(id),
                Payload::Replicate { timeline: self.primary.timeline, entry },
            );
        }
    }

    /// Keeps the master's WAL bounded, as PostgreSQL does: past the newest `wal_keep` entries
    /// (`wal_keep_size`) they go, whoever still needed them: a replica that was down or cut off
    /// since then can no longer catch up. (Within them, what every replica has applied goes too:
    /// nobody can ask for it, and the log stays small.) What is not yet on the master's disk,
    /// what a waiting commit needs, and what a replication slot holds for its replica, stays.
    fn trim_log(&mut self) {
        let flushed = self.nodes[self.master.0].positions.flushed;
        let applied_by_all = self.followers().map(|(_, node)| node.positions.applied).min().unwrap_or(Lsn::MAX);
        let keep = usize::try_from(self.config.wal_keep).unwrap_or(usize::MAX).max(1);
        loop {
            let slot_floor = self.slot_floor().map_or(Lsn::MAX, |(_, lsn)| lsn);
            let Some(front) = self.primary.log.front() else { break };
            let waiting = self.primary.waiting.front().is_some_and(|(entry, _)| entry.lsn <= front.lsn);
            if front.lsn > flushed || waiting {
                break;
            }
            if front.lsn > slot_floor {
                if self.primary.log.len() <= SLOT_KEEP {
                    break;
                }
                self.invalidate_slot();
                continue;
            }
            let len = self.primary.log.len();
            if len > keep || (front.lsn < applied_by_all && len > 1) {
                self.primary.log.pop_front();
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

    fn invalidate_slot(&mut self) {
        let Some((id, _)) = self.slot_floor() else { return };
        self.nodes[id.0].slot_invalidated = true;
        self.note(EventKind::SlotInvalidated { node: self.label(id), kept: SLOT_KEEP as u64 });
    }

    /// Adds replicas (each a copy of the master, as after a base backup) or removes the
    /// highest-numbered ones.
    pub(super) fn set_replica_count(&mut self, count: usize) {
        let mut current = self.replicas();
        while current.len() > count {
            let (id, _) = current.pop().expect("more replicas than wanted");
            self.remove_node(id);
            current = self.replicas();
        }
        let master = self.master;
        for number in current.len() + 1..=count {
            let (data, lsn) = (self.nodes[master.0].data.clone(), self.nodes[master.0].positions.applied);
            let incarnation = self.new_incarnation();
            let node = Node::new(number, incarnation, data, lsn, self.primary.timeline, &self.config);
            let id = match self.nodes.iter().position(|node| node.status == Status::Removed) {
                Some(index) => {
                    self.nodes[index] = node;
                    NodeId(index)
                }
                None => {
                    self.nodes.push(node);
                    NodeId(self.nodes.len() - 1)
                }
            };
            self.primary.report(id, self.nodes[id.0].positions);
        }
    }

    fn remove_node(&mut self, id: NodeId) {
        let label = self.label(id);
        self.fail_local_requests(id, &format!("{label} was removed"));
        let incarnation = self.new_incarnation();
        let node = &mut self.nodes[id.0];
        node.status = Status::Removed;
        node.incarnation = incarnation;
        self.primary.forget(id);
    }
}
