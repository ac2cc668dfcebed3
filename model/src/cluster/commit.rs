//! When the master acknowledges a write: once the replicas its mode and quorum name have
//! reached the level its mode asks for (PostgreSQL's `synchronous_commit` and
//! `synchronous_standby_names`), at once under async, or after a semi-sync fallback (MySQL);
//! and what a cancelled wait does.

use std::rc::Rc;

use super::connector::Connector;
use super::{Cluster, Ctx};
use crate::cluster::node::{Positions, Status};
use crate::config::{Config, Mode, Quorum};
use crate::data::{LogEntry, Lsn};
use crate::events::EventKind;
use crate::ids::{NodeId, RequestId};

/// What PostgreSQL says to a client whose wait for the synchronous standbys was cancelled.
pub const CANCELLED_WAIT: &str = "WARNING: canceling wait for synchronous replication due to user request. DETAIL: The transaction has already committed locally, but might not have been replicated to the standby.";

impl Cluster {
    /// A replica's report reached the master: it records the positions, commits what they
    /// confirm, and a semi-sync fallback ends once the replicas confirm the newest write.
    pub(super) fn on_ack(&mut self, replica: NodeId, timeline: usize, positions: Positions, cx: &mut Ctx) {
        if timeline != self.master_log.timeline || self.machines[replica].status == Status::Removed {
            return;
        }
        self.master_log.report(replica, positions);
        self.commit_ready(cx);
        if cx.config.failover_slots {
            self.stream_to_connector(cx);
        }
        let last = self.master().positions.applied;
        if self.master_log.fallback && self.quorum_reached(last, cx.config) {
            self.master_log.fallback = false;
            cx.note(EventKind::BackToSync);
        }
        self.prune_at_risk();
    }

    /// The connector's confirmation reached the master: the slot moves on, and a commit
    /// waiting for the connector as a synchronous standby may go.
    pub(super) fn on_confirm(&mut self, lsn: Lsn, cx: &mut Ctx) {
        if self.logical_sender.is_none() {
            return;
        }
        let master = self.master;
        let flushed = self.machines[master].positions.flushed;
        if let Some(slot) = self.machines[master].logical_slots.iter_mut().find(|slot| slot.name == Connector::SLOT) {
            slot.confirmed_flush = slot.confirmed_flush.max(lsn.min(flushed));
        }
        let positions = Positions { received: lsn, flushed: lsn, applied: lsn };
        self.master_log.report(NodeId::CONNECTOR, positions);
        self.commit_ready(cx);
    }

    /// Commits a waiting write: visible to the master's readers, at risk (of a crash or a
    /// failover) until the master's disk and every follower have it, and acknowledged to its
    /// client (with `warning`, if any).
    pub(super) fn commit(
        &mut self,
        entry: Rc<LogEntry>,
        request: RequestId,
        warning: Option<&'static str>,
        cx: &mut Ctx,
    ) {
        self.master_log.visible.replay(&entry);
        self.master_log.committed_lsn = entry.lsn;
        if entry.lsn > self.safe_through() {
            self.master_log.at_risk.push_back((entry.lsn, request));
        }
        let mode = self.mode_acknowledged(cx.config);
        cx.committed(request, &entry, mode, warning);
        cx.reply(self.master, request, None);
    }

    /// The mode a write is acknowledged in now: async after a semi-sync fallback.
    fn mode_acknowledged(&self, config: &Config) -> Mode {
        if self.master_log.fallback { Mode::Async } else { config.mode }
    }

    /// pg_cancel_backend on every session waiting for its commit: each returns at once with
    /// PostgreSQL's WARNING, committed on the master (visible there) though no synchronous
    /// standby has confirmed it. Returns how many were waiting.
    pub(crate) fn cancel_waits(&mut self, cx: &mut Ctx) -> usize {
        let waiting = std::mem::take(&mut self.master_log.waiting);
        let count = waiting.len();
        for (entry, request) in waiting {
            self.commit(entry, request, Some(CANCELLED_WAIT), cx);
        }
        count
    }

    /// Commits, in log order, every waiting write whose replicas have confirmed it enough.
    pub(crate) fn commit_ready(&mut self, cx: &mut Ctx) {
        while let Some((entry, _)) = self.master_log.waiting.front() {
            if !self.master_log.fallback && !self.quorum_reached(entry.lsn, cx.config) {
                break;
            }
            let (entry, request) = self.master_log.waiting.pop_front().expect("front exists");
            self.commit(entry, request, None, cx);
        }
    }

    /// Whether the replicas named by the quorum have reported `lsn` at the mode's level.
    fn quorum_reached(&self, lsn: Lsn, config: &Config) -> bool {
        let Some(level) = config.mode.level() else {
            return true;
        };
        let reached = |id: &NodeId| self.master_log.position(*id, level) >= lsn;
        let candidates = self.sync_candidates(config);
        match config.effective_quorum() {
            Quorum::All => candidates.iter().all(reached),
            Quorum::First(k) => {
                let synchronous = self.first_synchronous(k, config);
                synchronous.len() == k && synchronous.iter().all(reached)
            }
            Quorum::Any(k) => candidates.iter().filter(|id| reached(id)).count() >= k,
        }
    }

    /// The replicas that may be synchronous, in priority order: those the standby list names
    /// (`synchronous_standby_names`), in its order; every replica by number when it names none,
    /// and always under `sync`. A listed machine that is not a replica now is skipped; the
    /// connector counts when it is listed (a logical consumer's `application_name`), never
    /// otherwise.
    fn sync_candidates(&self, config: &Config) -> Vec<NodeId> {
        let mut replicas = self.replica_ids();
        if config.standbys.is_empty() || config.mode == Mode::Sync {
            return replicas;
        }
        if self.connector().is_some() {
            replicas.push(NodeId::CONNECTOR);
        }
        config.standbys.iter().filter_map(|name| replicas.iter().copied().find(|id| id.machine() == *name)).collect()
    }

    /// Whether the master has a replication connection to a standby, or to the connector.
    fn is_connected(&self, id: NodeId) -> bool {
        if id == NodeId::CONNECTOR { self.logical_sender.is_some() } else { self.machines[id].streaming }
    }

    /// Under `first-k`, the synchronous replicas: the first k candidates the master has a
    /// replication connection to. A silent partition does not end that connection at once:
    /// only `wal_sender_timeout` does.
    fn first_synchronous(&self, k: usize, config: &Config) -> Vec<NodeId> {
        self.sync_candidates(config).into_iter().filter(|id| self.is_connected(*id)).take(k).collect()
    }

    /// Whether the master waits for this replica (or, under `any-k`, counts it) before it
    /// acknowledges a write: never under async or after a semi-sync fallback.
    pub fn is_synchronous(&self, replica: NodeId, config: &Config) -> bool {
        if config.mode.level().is_none() || self.master_log.fallback {
            return false;
        }
        match config.effective_quorum() {
            Quorum::All | Quorum::Any(_) => self.sync_candidates(config).contains(&replica),
            Quorum::First(k) => self.first_synchronous(k, config).contains(&replica),
        }
    }

    /// The writes logged and not yet acknowledged, and the replicas that have not confirmed the
    /// oldest of them (under `any-k`, every one of them that has not).
    pub fn waiting_for(&self, config: &Config) -> Option<(usize, Vec<NodeId>)> {
        let (oldest, _) = self.master_log.waiting.front()?;
        let level = config.mode.level()?;
        let connector = self.connector().map(|_| NodeId::CONNECTOR);
        let missing = (self.replica_ids().into_iter().chain(connector))
            .filter(|id| self.is_synchronous(*id, config) && self.master_log.position(*id, level) < oldest.lsn)
            .collect();
        Some((self.master_log.waiting.len(), missing))
    }

    pub(super) fn on_semi_sync_timeout(&mut self, lsn: Lsn, cx: &mut Ctx) {
        let still_waiting = self.master_log.waiting.front().is_some_and(|(entry, _)| entry.lsn <= lsn);
        if let (true, false, Some(level)) = (still_waiting, self.master_log.fallback, cx.config.mode.level()) {
            self.master_log.fallback = true;
            let (confirmed, missing): (Vec<NodeId>, Vec<NodeId>) =
                self.replica_ids().into_iter().partition(|id| self.master_log.position(*id, level) >= lsn);
            let labels = |ids: Vec<NodeId>| ids.into_iter().map(|id| self.label(id)).collect();
            let (confirmed, missing) = (labels(confirmed), labels(missing));
            cx.note(EventKind::FellBackToAsync { waited_ms: cx.config.semi_sync_timeout_ms, lsn, confirmed, missing });
            self.commit_ready(cx);
        }
    }

    /// How far every copy of the master's history has the log: its disk and every follower's.
    fn safe_through(&self) -> Lsn {
        let replicas = self.followers().map(|(_, node)| node.positions.received).min().unwrap_or(Lsn::MAX);
        replicas.min(self.machines[self.master].positions.flushed)
    }

    pub(super) fn prune_at_risk(&mut self) {
        let safe_through = self.safe_through();
        while self.master_log.at_risk.front().is_some_and(|&(lsn, _)| lsn <= safe_through) {
            self.master_log.at_risk.pop_front();
        }
    }
}
