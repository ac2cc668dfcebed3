//! When the master acknowledges a write: once the replicas its mode and quorum name have
//! reached the level its mode asks for (PostgreSQL's `synchronous_commit` and
//! `synchronous_standby_names`), at once under async, or after a semi-sync fallback (MySQL);
//! and what a cancelled wait does.

use crate::Simulation;
use crate::config::{Mode, Quorum};
use crate::data::{Change, LogEntry, Lsn, USERS};
use crate::events::EventKind;
use crate::ids::{NodeId, RequestId};
use crate::node::{Positions, Status};
use crate::request::Op;

/// What PostgreSQL says to a client whose wait for the synchronous standbys was cancelled.
pub const CANCELLED_WAIT: &str = "WARNING: canceling wait for synchronous replication due to user request. DETAIL: The transaction has already committed locally, but might not have been replicated to the standby.";

impl Simulation {
    /// A replica's report reached the master: it records the positions, commits what they
    /// confirm, and a semi-sync fallback ends once the replicas confirm the newest write.
    pub(crate) fn on_ack(&mut self, replica: NodeId, timeline: usize, positions: Positions) {
        if timeline != self.master_log.timeline || self.nodes[replica.0].status == Status::Removed {
            return;
        }
        self.master_log.report(replica, positions);
        self.commit_ready();
        let last = self.master().positions.applied;
        if self.master_log.fallback && self.quorum_reached(last) {
            self.master_log.fallback = false;
            self.note(EventKind::BackToSync);
        }
        self.prune_at_risk();
    }

    /// Commits a waiting write: visible to the master's readers, at risk (of a crash or a
    /// failover) until the master's disk and every follower have it, and acknowledged to its
    /// client (with `warning`, if any).
    pub(crate) fn commit(&mut self, entry: &LogEntry, request: RequestId, warning: Option<&'static str>) {
        self.master_log.visible.replay(entry);
        if self.in_flight.get(request).is_some_and(|record| matches!(record.op, Op::Sql { .. })) {
            for change in &entry.changes {
                if let Change::Put { table, key, .. } | Change::Delete { table, key } = change
                    && table == USERS
                {
                    self.acknowledged.console(self.now, key);
                }
            }
        }
        self.master_log.committed_lsn = entry.lsn;
        if entry.lsn > self.safe_through() {
            self.master_log.at_risk.push_back((entry.lsn, request));
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
    pub(crate) fn cancel_waits(&mut self) -> usize {
        let waiting = std::mem::take(&mut self.master_log.waiting);
        let count = waiting.len();
        for (entry, request) in waiting {
            self.commit(&entry, request, Some(CANCELLED_WAIT));
        }
        count
    }

    /// Commits, in log order, every waiting write whose replicas have confirmed it enough.
    pub(crate) fn commit_ready(&mut self) {
        while let Some((entry, _)) = self.master_log.waiting.front() {
            if !self.master_log.fallback && !self.quorum_reached(entry.lsn) {
                break;
            }
            let (entry, request) = self.master_log.waiting.pop_front().expect("front exists");
            self.commit(&entry, request, None);
        }
    }

    /// Whether the replicas named by the quorum have reported `lsn` at the mode's level.
    pub(crate) fn quorum_reached(&self, lsn: Lsn) -> bool {
        let Some(level) = self.config.mode.level() else {
            return true;
        };
        let reached = |id: &NodeId| self.master_log.position(*id, level) >= lsn;
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
    pub(crate) fn sync_candidates(&self) -> Vec<NodeId> {
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
    pub(crate) fn first_synchronous(&self, k: usize) -> Vec<NodeId> {
        self.sync_candidates().into_iter().filter(|id| self.nodes[id.0].streaming).take(k).collect()
    }

    /// Whether the master waits for this replica (or, under `any-k`, counts it) before it
    /// acknowledges a write: never under async or after a semi-sync fallback.
    pub fn is_synchronous(&self, replica: NodeId) -> bool {
        if self.config.mode.level().is_none() || self.master_log.fallback {
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
        let (oldest, _) = self.master_log.waiting.front()?;
        let level = self.config.mode.level()?;
        let missing = self
            .replica_ids()
            .into_iter()
            .filter(|id| self.is_synchronous(*id) && self.master_log.position(*id, level) < oldest.lsn)
            .collect();
        Some((self.master_log.waiting.len(), missing))
    }

    pub(crate) fn on_semi_sync_timeout(&mut self, lsn: Lsn) {
        let still_waiting = self.master_log.waiting.front().is_some_and(|(entry, _)| entry.lsn <= lsn);
        if let (true, false, Some(level)) = (still_waiting, self.master_log.fallback, self.config.mode.level()) {
            self.master_log.fallback = true;
            let (confirmed, missing): (Vec<NodeId>, Vec<NodeId>) =
                self.replica_ids().into_iter().partition(|id| self.master_log.position(*id, level) >= lsn);
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

    /// How far every copy of the master's history has the log: its disk and every follower's.
    pub(crate) fn safe_through(&self) -> Lsn {
        let replicas = self.followers().map(|(_, node)| node.positions.received).min().unwrap_or(Lsn::MAX);
        replicas.min(self.nodes[self.master.0].positions.flushed)
    }

    pub(crate) fn prune_at_risk(&mut self) {
        let safe_through = self.safe_through();
        while self.master_log.at_risk.front().is_some_and(|&(lsn, _)| lsn <= safe_through) {
            self.master_log.at_risk.pop_front();
        }
    }
}
