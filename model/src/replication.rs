//! The standby's side of replication: a replica receives each log entry, flushes and applies
//! them in order, and reports how far it got; the master records the reports.

use std::rc::Rc;

use crate::data::{LogEntry, Lsn};
use crate::events::EventKind;
use crate::ids::NodeId;
use crate::network::{Endpoint, Payload};
use crate::node::{Follow, Node, Positions, Status};
use crate::time::Time;
use crate::{Simulation, Timer};

impl Simulation {
    /// A replica received the next entry of its stream.
    pub(crate) fn on_replicate(&mut self, id: NodeId, timeline: usize, entry: Rc<LogEntry>) {
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

    pub(crate) fn on_flushed(&mut self, id: NodeId, lsn: Lsn) {
        let node = &mut self.nodes[id.0];
        node.positions.flushed = node.positions.flushed.max(lsn);
        self.acknowledge(id);
        self.start_apply(id);
    }

    /// Applies the next flushed entry after the time one apply takes, and no sooner than its
    /// apply delay after the master logged it.
    pub(crate) fn start_apply(&mut self, id: NodeId) {
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

    pub(crate) fn apply_next(&mut self, id: NodeId) {
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
    pub(crate) fn acknowledge(&mut self, id: NodeId) {
        let positions = self.nodes[id.0].positions;
        let master = self.master;
        let timeline = self.nodes[id.0].timeline;
        self.send(Endpoint::Node(id), Endpoint::Node(master), Payload::Ack { timeline, positions });
    }

    pub(crate) fn on_ack(&mut self, replica: NodeId, timeline: usize, positions: Positions) {
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
    pub(crate) fn followers(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        let timeline = self.primary.timeline;
        self.unordered_replicas().filter(move |(_, node)| node.follow == Follow::Streaming && node.timeline == timeline)
    }
}
