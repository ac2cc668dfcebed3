//! Crashes, restarts, partitions of a replica's replication link, and failover: promoting the
//! most up-to-date replica when the master is gone, losing what it never received.

use super::config::Refusal;
use super::events::EventKind;
use super::network::NodeId;
use super::replication::Primary;
use super::{Simulation, Time, Timer};

impl Simulation {
    pub(super) fn crash(&mut self, id: NodeId, reason: &str) {
        let label = self.label(id);
        self.fail_local_requests(id, &format!("{label} crashed"));
        let incarnation = self.new_incarnation();
        let node = &mut self.nodes[id.0];
        node.status = super::node::Status::Down;
        // Its connections close with the process: the master knows at once.
        node.streaming = false;
        node.incarnation = incarnation;
        node.full_since = None;
        node.applying = false;
        // What was received but not yet on disk is gone with the process.
        node.positions.received = node.positions.flushed;
        let flushed = node.positions.flushed;
        node.pending.retain(|entry| entry.lsn <= flushed);
        self.note(EventKind::Crashed { node: label.clone(), reason: reason.to_string() });
        if id == self.master {
            let lost = self.lose_unflushed();
            if !lost.is_empty() {
                self.stats.lost_writes += lost.len() as u64;
                for &(_, request) in &lost {
                    self.mark_lost(request);
                }
                self.note(EventKind::LostInCrash { node: label, lsns: lost.iter().map(|&(lsn, _)| lsn).collect() });
            }
            let waiting = self.primary.take_waiting();
            for request in waiting {
                self.reply(id, request, Some("the master crashed before acknowledging the write".to_string()));
            }
            if self.config.failover_ms > 0 {
                self.schedule(id, Time::from_millis(self.config.failover_ms), Timer::FailoverCheck);
            }
        }
    }

    /// Fails every request a node holds: queued, in service, or parked.
    pub(super) fn fail_local_requests(&mut self, id: NodeId, reason: &str) {
        let node = &mut self.nodes[id.0];
        let mut requests: Vec<_> = node.queue.drain(..).map(|job| job.request()).collect();
        requests.extend(node.in_service.take().map(|job| job.request()));
        requests.extend(node.parked.drain(..).map(|read| read.request));
        for request in requests {
            self.reply(id, request, Some(reason.to_string()));
        }
    }

    pub(super) fn restart(&mut self, id: NodeId) {
        let incarnation = self.new_incarnation();
        let node = &mut self.nodes[id.0];
        node.status = super::node::Status::Up;
        node.streaming = !node.link_cut;
        node.incarnation = incarnation;
        let rejoin_from = node.rejoin_from.take();
        self.note(EventKind::Restarted { node: self.label(id) });
        if id == self.master {
            // Crash recovery: whatever the master logged is committed.
            self.primary.visible = self.nodes[id.0].data.clone();
            self.primary.committed_lsn = self.nodes[id.0].positions.applied;
            for replica in self.replica_ids() {
                self.catch_up(replica);
            }
            return;
        }
        if let Some(fork) = rejoin_from {
            self.roll_back(id, fork);
        }
        self.start_apply(id);
        self.catch_up(id);
    }

    /// Throws away what a node has beyond `fork` (the new master's history) by copying the
    /// master afresh.
    fn roll_back(&mut self, id: NodeId, fork: u64) {
        let last = self.nodes[id.0].positions.received;
        if last > fork {
            self.note(EventKind::RolledBack { node: self.label(id), from: fork + 1, to: last });
        }
        let master = self.master;
        let (copy, lsn) = (self.nodes[master.0].data.clone(), self.nodes[master.0].positions.applied);
        self.nodes[id.0].reset_copy(copy, lsn);
        self.primary.report(id, self.nodes[id.0].positions);
    }

    /// A silent partition: nothing gets through, and nothing tells the master so. It keeps the
    /// replica's connection (and counts it as a synchronous standby) until it has heard nothing
    /// for `sender_timeout` ms (`wal_sender_timeout`).
    pub(super) fn cut_link(&mut self, id: NodeId) {
        let node = &mut self.nodes[id.0];
        node.link_cut = true;
        node.link_changes += 1;
        let changes = node.link_changes;
        self.note(EventKind::LinkCut { node: self.label(id) });
        if self.config.sender_timeout_ms > 0 {
            self.schedule(
                self.master,
                Time::from_millis(self.config.sender_timeout_ms),
                Timer::SenderTimeout(id, changes),
            );
        }
    }

    pub(super) fn heal_link(&mut self, id: NodeId) {
        let node = &mut self.nodes[id.0];
        node.link_cut = false;
        node.link_changes += 1;
        node.streaming = node.is_up();
        self.note(EventKind::LinkHealed { node: self.label(id) });
        self.catch_up(id);
    }

    /// The master's walsender for a cut-off replica gives up: the connection is gone, and the
    /// next standby in the list may become synchronous.
    pub(super) fn on_sender_timeout(&mut self, id: NodeId, changes: u64) {
        let node = &self.nodes[id.0];
        if !node.link_cut || node.link_changes != changes || !node.streaming {
            return;
        }
        self.nodes[id.0].streaming = false;
        self.note(EventKind::SenderTimeout { node: self.label(id), waited_ms: self.config.sender_timeout_ms });
        self.commit_ready();
    }

    /// The replication link between the master and a replica is cut.
    pub(super) fn crosses_cut_link(&self, from: super::Endpoint, to: super::Endpoint) -> bool {
        match (from, to) {
            (super::Endpoint::Node(a), super::Endpoint::Node(b)) => {
                let replica = if a == self.master { b } else { a };
                self.nodes[replica.0].link_cut
            }
            _ => false,
        }
    }

    pub(super) fn on_failover_check(&mut self, id: NodeId) {
        if id == self.master && !self.nodes[id.0].is_up() && self.failover(None).is_err() {
            self.note(EventKind::NoFailoverCandidate);
        }
    }

    /// Promotes `candidate`, or the replica that has received the most of the log. The old
    /// master, stopped if it was still up, rejoins as a replica when restarted.
    pub(super) fn failover(&mut self, candidate: Option<NodeId>) -> Result<(), Refusal> {
        let candidate = match candidate {
            Some(id) if !self.nodes[id.0].is_up() => {
                return Err(Refusal::new(format!("{} is down and cannot be promoted", self.label(id))));
            }
            Some(id) => id,
            None => self
                .replicas()
                .into_iter()
                .filter(|(_, node)| node.is_up())
                .max_by_key(|(_, node)| (node.positions.received, std::cmp::Reverse(node.number)))
                .map(|(id, _)| id)
                .ok_or_else(|| Refusal::new("no replica is up to promote"))?,
        };
        let old = self.master;
        if self.nodes[old.0].is_up() {
            self.crash(old, "stopped for the failover");
        }

        // The candidate replays everything it received, then leads from there.
        let node = &mut self.nodes[candidate.0];
        for entry in std::mem::take(&mut node.pending) {
            node.data.apply(&entry);
        }
        let fork = node.positions.received;
        node.positions.flushed = fork;
        node.positions.applied = fork;
        node.applying = false;
        let parked: Vec<_> = node.parked.drain(..).collect();

        let lost: Vec<(u64, u64)> = self.primary.at_risk.iter().filter(|&&(lsn, _)| lsn > fork).copied().collect();
        if !lost.is_empty() {
            self.stats.lost_writes += lost.len() as u64;
            for &(_, request) in &lost {
                self.mark_lost(request);
            }
            self.note(EventKind::WritesLost { lsns: lost.iter().map(|&(lsn, _)| lsn).collect() });
        }

        let log = self.primary.log_through(fork);
        self.primary = Primary::new(self.nodes[candidate.0].data.clone(), fork, self.primary.epoch + 1).with_log(log);
        let promoted = self.label(candidate);
        let number = self.nodes[candidate.0].number;
        self.nodes[candidate.0].number = 0;
        self.nodes[old.0].number = number;
        self.nodes[old.0].rejoin_from = Some(fork);
        self.master = candidate;
        self.note(EventKind::Promoted { node: promoted, lsn: fork });
        // A cut link cut a replica off the old master's machine; the new master is another
        // machine, which the replicas reach, with new connections.
        for node in &mut self.nodes {
            node.link_cut = false;
            node.streaming = node.is_up();
        }

        for read in parked {
            self.finish_read(candidate, read.request, &read.query);
        }
        // The other replicas follow the new master; one that received more than it has
        // diverged and is rolled back.
        for replica in self.replica_ids() {
            if replica == old {
                continue;
            }
            let positions = self.nodes[replica.0].positions;
            if positions.received > fork {
                self.roll_back(replica, fork);
            } else {
                self.primary.report(replica, positions);
                self.catch_up(replica);
            }
        }
        Ok(())
    }
}
