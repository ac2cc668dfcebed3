//! The rooms' door: a machine handles something in its own room, seeing only what it is shown,
//! and what it wants is asked of the cluster's door here, in order. Today's rooms are a
//! PostgreSQL server's request queue (`server.rs`) and its standby side (`standby.rs`); a new
//! kind of machine gets its room behind this door.

use super::out::{Seen, Want, Wants};
use super::{Cluster, Ctx};
use crate::cluster::node::Node;
use crate::ids::NodeId;
use crate::network::Endpoint;

impl Cluster {
    /// Lets a machine handle something, with what it can see of the world, then asks for what
    /// it wants, in order; returns what the handler answers.
    pub(super) fn in_room<R>(
        &mut self,
        id: NodeId,
        cx: &mut Ctx,
        handle: impl FnOnce(&mut Node, &Seen, &mut Wants) -> R,
    ) -> R {
        let seen = Seen { now: cx.now, config: cx.config, master_timeline: self.master_log.timeline };
        // Taken, not borrowed: a follow-up may let another machine handle something.
        let mut wants = std::mem::take(&mut self.wants);
        let answer = handle(&mut self.machines[id], &seen, &mut wants);
        for want in wants.drain(..) {
            match want {
                Want::ToMaster(payload) => cx.send(Endpoint::Node(id), Endpoint::Node(self.master), payload),
                Want::After(after, timer) => self.schedule(id, after, timer, cx),
                Want::ServeParked => self.release_parked(id, cx),
            }
        }
        self.wants = wants;
        answer
    }
}
