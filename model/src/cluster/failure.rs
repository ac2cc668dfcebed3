//! Crashes, restarts, partitions of a replica's replication link, and failover: promoting the
//! most up-to-date replica when the master is gone, losing what it never received.

use super::wal::MasterLog;
use super::{Cluster, Ctx};
use crate::cluster::node::{Follow, Node, Status};
use crate::events::EventKind;
use crate::ids::{NodeId, NodeRef};
use crate::time::Time;
use crate::timeline::Position;
use crate::{Refusal, Timer};

impl Cluster {
    pub(crate) fn crash(&mut self, id: NodeId, reason: &str, cx: &mut Ctx) {
        let label = self.label(id);
        self.end_process(id, Status::Down, &format!("{label} crashed"), cx);
        let node = &mut self.machines[id];
        // What was received but not yet on disk is gone with the process.
        node.positions.received = node.positions.flushed;
        let flushed = node.positions.flushed;
        node.pending.retain(|entry| entry.lsn <= flushed);
        cx.note(EventKind::Crashed { node: label.clone(), reason: reason.to_string() });
        if id == self.master {
            let lost = self.lose_unflushed();
            if !lost.is_empty() {
                cx.rolled_back();
                for &(_, request) in &lost {
                    cx.lost(request);
                }
                cx.note(EventKind::LostInCrash { node: label, lsns: lost.iter().map(|&(lsn, _)| lsn).collect() });
            }
            self.end_connector_session(cx);
            let waiting = self.master_log.take_waiting();
            for request in waiting {
                cx.reply(id, request, Some("the master crashed before acknowledging the write".to_string()));
            }
            if cx.config.failover_ms > 0 {
                self.schedule(id, Time::from_millis(cx.config.failover_ms), Timer::FailoverCheck, cx);
            }
        }
    }

    /// Ends a node's process, by a crash or by removing it: every request it holds fails with
    /// `reason`, its connections close (the master knows at once), and the timers and messages
    /// of that life find a new incarnation and are ignored.
    pub(super) fn end_process(&mut self, id: NodeId, status: Status, reason: &str, cx: &mut Ctx) {
        self.fail_local_requests(id, reason, cx);
        let incarnation = self.new_incarnation();
        let node = &mut self.machines[id];
        node.status = status;
        node.incarnation = incarnation;
        node.streaming = false;
        node.full_since = None;
        node.applying = false;
    }

    /// Fails every request a node holds: queued, in service, or parked.
    fn fail_local_requests(&mut self, id: NodeId, reason: &str, cx: &mut Ctx) {
        let node = &mut self.machines[id];
        let mut requests: Vec<_> = node.queue.drain(..).map(|job| job.request()).collect();
        requests.extend(node.in_service.take().map(|job| job.request()));
        requests.extend(node.parked.drain(..).map(|read| read.request));
        for request in requests {
            cx.reply(id, request, Some(reason.to_string()));
        }
    }

    pub(crate) fn restart(&mut self, id: NodeId, cx: &mut Ctx) {
        let incarnation = self.new_incarnation();
        let node = &mut self.machines[id];
        node.status = crate::cluster::node::Status::Up;
        node.streaming = !cx.network.links(id).cut && node.follow == Follow::Streaming;
        node.incarnation = incarnation;
        cx.note(EventKind::Restarted { node: self.label(id) });
        if id == self.master {
            // Crash recovery: whatever the master logged is committed.
            self.master_log.visible = self.machines[id].data.clone();
            self.master_log.committed_lsn = self.machines[id].positions.applied;
            for replica in self.replica_ids() {
                self.catch_up(replica, cx);
            }
            return;
        }
        self.in_room(id, cx, Node::start_apply);
        self.catch_up(id, cx);
        // A failover manager that rewinds does so when the old master comes back.
        if matches!(self.machines[id].follow, Follow::Diverged { .. }) {
            self.rewind_automatically(id, cx);
        }
    }

    /// A silent partition: nothing gets through, and nothing tells the master so. It keeps the
    /// replica's connection (and counts it as a synchronous standby) until it has heard nothing
    /// for `sender_timeout` ms (`wal_sender_timeout`).
    pub(crate) fn cut_link(&mut self, id: NodeId, cx: &mut Ctx) {
        let changes = cx.network.cut(id);
        cx.note(EventKind::LinkCut { node: self.label(id) });
        if cx.config.sender_timeout_ms > 0 {
            let timeout = Time::from_millis(cx.config.sender_timeout_ms);
            self.schedule(self.master, timeout, Timer::SenderTimeout(id, changes), cx);
        }
    }

    pub(crate) fn heal_link(&mut self, id: NodeId, cx: &mut Ctx) {
        cx.network.heal(id);
        let node = &mut self.machines[id];
        node.streaming = node.is_up() && node.follow == Follow::Streaming;
        cx.note(EventKind::LinkHealed { node: self.label(id) });
        self.catch_up(id, cx);
    }

    /// The master's walsender for a cut-off replica gives up: the connection is gone, and the
    /// next standby in the list may become synchronous.
    pub(super) fn on_sender_timeout(&mut self, id: NodeId, changes: u64, cx: &mut Ctx) {
        let links = cx.network.links(id);
        if !links.cut || links.changes != changes || !self.machines[id].streaming {
            return;
        }
        self.machines[id].streaming = false;
        cx.note(EventKind::SenderTimeout { node: self.label(id), waited_ms: cx.config.sender_timeout_ms });
        self.commit_ready(cx);
    }

    pub(super) fn on_failover_check(&mut self, id: NodeId, cx: &mut Ctx) {
        if id == self.master && !self.machines[id].is_up() && self.failover(None, cx).is_err() {
            cx.note(EventKind::NoFailoverCandidate);
        }
    }

    /// Promotes `candidate`, or the most up-to-date replica that follows the master. The
    /// promoted replica's history forks off into a new timeline: acknowledged writes it never
    /// received are lost, and every node with records past the fork (the old master, a replica
    /// that received more) has diverged.
    pub(crate) fn failover(&mut self, candidate: Option<NodeId>, cx: &mut Ctx) -> Result<(), Refusal> {
        let timeline = self.master_log.timeline;
        let candidate = match candidate {
            Some(id) if !self.machines[id].is_up() => {
                return Err(Refusal::new(format!("{} is down and cannot be promoted", self.label(id))));
            }
            Some(id) => id,
            None => self
                .replicas()
                .into_iter()
                .filter(|(_, node)| node.is_up() && node.follow == Follow::Streaming && node.timeline == timeline)
                .max_by_key(|(_, node)| (node.positions.received, std::cmp::Reverse(node.role)))
                .map(|(id, _)| id)
                .ok_or_else(|| Refusal::new("no replica that follows the master is up to promote"))?,
        };
        let old = self.master;
        if self.machines[old].is_up() {
            self.crash(old, "stopped for the failover", cx);
        }

        // The candidate replays everything it received, then leads from there.
        let node = &mut self.machines[candidate];
        for entry in std::mem::take(&mut node.pending) {
            node.data.replay(&entry);
        }
        let fork = node.positions.received;
        node.positions.flushed = fork;
        node.positions.applied = fork;
        node.applying = false;
        let branch = node.timeline;
        let parked: Vec<_> = node.parked.drain(..).collect();

        // What the master acknowledged that is not in the candidate's history is gone.
        let (timelines, old_timeline) = (&self.timelines, self.master_log.timeline);
        let lost: Vec<(u64, u64)> = self
            .master_log
            .at_risk
            .iter()
            .filter(|&&(lsn, _)| !timelines.contains(branch, fork, Position { timeline: old_timeline, lsn }))
            .copied()
            .collect();
        if !lost.is_empty() {
            for &(_, request) in &lost {
                cx.lost(request);
            }
            cx.note(EventKind::WritesLost { lsns: lost.iter().map(|&(lsn, _)| lsn).collect() });
        }

        // The new master's WAL: the old master's up to the fork, when that is its history too.
        let (log, kept_from) = if branch == old_timeline {
            (self.master_log.log_through(fork), self.master_log.kept_from().min(fork + 1))
        } else {
            (Default::default(), fork + 1)
        };
        let new_timeline = self.timelines.fork(branch, fork);
        self.master_log =
            MasterLog::new(self.machines[candidate].data.clone(), fork, new_timeline).with_log(log, kept_from);
        self.machines[candidate].timeline = new_timeline;
        let promoted = self.label(candidate);
        self.machines[old].role = self.machines[candidate].role;
        self.machines[candidate].role = NodeRef::Master;
        self.machines[old].deposed = true;
        self.master = candidate;
        cx.master = candidate;
        if cx.config.failover_slots {
            self.carry_logical_slots(old, candidate, fork);
        }
        self.end_connector_session(cx);
        cx.note(EventKind::Promoted { node: promoted, lsn: fork, timeline: new_timeline });
        // A cut link cut a replica off the old master's machine; the new master is another
        // machine, which the replicas reach, with new connections.
        cx.network.heal_all();
        for node in self.machines.servers_mut() {
            node.streaming = node.is_up() && node.follow == Follow::Streaming;
        }

        for read in parked {
            self.finish_read(candidate, read.request, &read.query, cx);
        }
        // Every other node follows the new timeline or has diverged (a down one is told when it
        // comes back, as a standby is when it reconnects; the old master is down, but its fate
        // is known now and shown).
        for replica in self.replica_ids() {
            if self.machines[replica].is_up() {
                self.catch_up(replica, cx);
            } else if replica == old {
                self.follows_the_master(replica, cx);
            }
        }
        Ok(())
    }
}
