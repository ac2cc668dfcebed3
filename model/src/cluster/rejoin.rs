//! A replica (re)joining the master's history: on reconnecting it is streamed what it lacks,
//! if its history is the master's (else it has diverged) and the master still has the WAL it
//! needs (else it is stranded); pg_rewind and a new base backup bring a node back.

use std::rc::Rc;

use super::{Cluster, Ctx};
use crate::Refusal;
use crate::cluster::node::Follow;
use crate::data::{LogEntry, Lsn};
use crate::events::EventKind;
use crate::ids::NodeId;
use crate::network::{Endpoint, Payload};
use crate::timeline::Position;

impl Cluster {
    /// On (re)connecting, a replica reports where it is, and the master streams it everything
    /// it has not received: if its history is the master's (else it has diverged), and if the
    /// master still has the WAL it needs (else only a rebuild brings it back).
    pub(super) fn catch_up(&mut self, id: NodeId, cx: &mut Ctx) {
        let master = self.master;
        if !self.machines[id].is_up() || !self.machines[master].is_up() || cx.network.links(id).cut {
            return;
        }
        if !self.follows_the_master(id, cx) {
            return;
        }
        self.in_room(id, cx, |standby, _, wants| standby.report(wants));
        let from = self.machines[id].positions.received + 1;
        let last = self.machines[master].positions.flushed;
        if from > last {
            return;
        }
        let kept = from >= self.master_log.kept_from;
        let Some(first) = self.master_log.entry(from).map(|entry| entry.lsn).filter(|&lsn| kept && lsn == from) else {
            let node = &mut self.machines[id];
            node.follow = Follow::WalRemoved;
            node.streaming = false;
            cx.note(EventKind::WalRemoved { node: self.label(id), lsn: from });
            return;
        };
        let entries: Vec<Rc<LogEntry>> = (first..=last).filter_map(|lsn| self.master_log.entry(lsn).cloned()).collect();
        for entry in entries {
            cx.send(
                Endpoint::Node(master),
                Endpoint::Node(id),
                Payload::Replicate { timeline: self.master_log.timeline, entry },
            );
        }
    }

    /// Whether a replica follows the master's history, switching to the master's timeline if
    /// its own history is part of it (a standby following a promotion); one whose history is
    /// not has diverged.
    pub(super) fn follows_the_master(&mut self, id: NodeId, cx: &mut Ctx) -> bool {
        let node = &self.machines[id];
        if node.follow != Follow::Streaming {
            return false;
        }
        let timeline = self.master_log.timeline;
        if node.timeline != timeline {
            let position = Position { timeline: node.timeline, lsn: node.positions.received };
            if !self.timelines.contains(timeline, Lsn::MAX, position) {
                self.diverge(id, cx);
                return false;
            }
        }
        let node = &mut self.machines[id];
        node.timeline = timeline;
        // An old master rejoins as a replica once it is back and follows the new one. Its
        // logical slots go: PostgreSQL 15 keeps them on its disk, unusable on a standby (and
        // a failback would find them), which the model does not follow.
        node.deposed &= !node.is_up();
        node.logical_slots.clear();
        true
    }

    /// A replica with records past the fork of the master's timeline: it keeps them and serves
    /// them, and streams nothing, until rewound or rebuilt; a failover manager that rewinds
    /// (`rewind=auto`, Patroni's use_pg_rewind) does so at once.
    fn diverge(&mut self, id: NodeId, cx: &mut Ctx) {
        let fork = self.timelines.fork_point(self.master_log.timeline, self.machines[id].timeline);
        let node = &mut self.machines[id];
        node.follow = Follow::Diverged { fork };
        node.streaming = false;
        cx.note(EventKind::Diverged {
            node: self.label(id),
            fork,
            timeline: self.master_log.timeline,
            beyond: self.machines[id].positions.received.saturating_sub(fork),
        });
        if self.machines[id].is_up() {
            self.rewind_automatically(id, cx);
        }
    }

    /// A failover manager that rewinds (`rewind=auto`) runs pg_rewind on a diverged node that is
    /// up; when the master's WAL since the fork is gone, the cluster log says so.
    pub(super) fn rewind_automatically(&mut self, id: NodeId, cx: &mut Ctx) {
        if !cx.config.auto_rewind {
            return;
        }
        if let Err(refusal) = self.rewind(id, cx) {
            cx.note(EventKind::RewindRefused { node: self.label(id), why: refusal.to_string() });
        }
    }

    /// Why pg_rewind cannot take this diverged node back to its fork: the master no longer has
    /// the WAL since then (only a rebuild will do). `None` when it can, or it has not diverged.
    pub fn rewind_impossible(&self, id: NodeId) -> Option<Refusal> {
        let Follow::Diverged { fork } = self.machines[id].follow else { return None };
        let kept_from = self.master_log.kept_from();
        (fork + 1 < kept_from).then(|| {
            Refusal::new(format!(
                "pg_rewind needs the master's WAL since the fork at LSN {fork}, and it keeps only LSN {kept_from} on (wal_keep): rebuild {} instead",
                self.label(id)
            ))
        })
    }

    /// pg_rewind: takes a diverged replica back to the fork with the master's WAL since then,
    /// and it follows again. Refused when it has not diverged, or when the master no longer has
    /// the WAL since the fork (then only a rebuild will do).
    pub(crate) fn rewind(&mut self, id: NodeId, cx: &mut Ctx) -> Result<(), Refusal> {
        let Follow::Diverged { fork } = self.machines[id].follow else {
            return Err(Refusal::new(format!("{} has not diverged: there is nothing to rewind", self.label(id))));
        };
        if let Some(refusal) = self.rewind_impossible(id) {
            return Err(refusal);
        }
        self.copy_master_to(id, cx);
        cx.note(EventKind::Rewound { node: self.label(id), fork });
        Ok(())
    }

    /// A new base backup: the replica's copy replaced by the master's, whatever state it was in.
    pub(crate) fn rebuild(&mut self, id: NodeId, cx: &mut Ctx) {
        self.copy_master_to(id, cx);
        let lsn = self.machines[id].positions.applied;
        cx.note(EventKind::BaseBackup { node: self.label(id), lsn });
    }

    /// The replica's data becomes the master's, on the master's timeline, and it streams on from
    /// there. (The model copies the whole: a rewind's result is the same.)
    fn copy_master_to(&mut self, id: NodeId, cx: &mut Ctx) {
        cx.rolled_back();
        let master = self.master;
        let (copy, lsn) = (self.machines[master].data.clone(), self.machines[master].positions.flushed);
        let timeline = self.master_log.timeline;
        let node = &mut self.machines[id];
        node.reset_copy(copy, lsn, timeline);
        node.streaming = node.is_up() && !cx.network.links(id).cut;
        self.master_log.report(id, self.machines[id].positions);
        self.catch_up(id, cx);
    }
}
