//! The rooms' door: a machine handles something in its own room, seeing only what it is shown,
//! and the effects it asked for are performed here, in order. Today's rooms are a PostgreSQL
//! server's request queue (`server.rs`) and its standby side (`standby.rs`); a new kind of
//! machine gets its room behind this door.

use crate::Simulation;
use crate::ids::NodeId;
use crate::network::Endpoint;
use crate::node::Node;
use crate::out::{Effect, Out, Seen};

impl Simulation {
    /// Lets a machine handle something, with what it can see of the world, then performs what
    /// it asked for, in order; returns what the handler answers.
    pub(crate) fn in_room<R>(&mut self, id: NodeId, handle: impl FnOnce(&mut Node, &Seen, &mut Out) -> R) -> R {
        let seen = Seen { now: self.now, config: &self.config, master_timeline: self.master_log.timeline };
        // Taken, not borrowed: performing an effect may let another machine handle something.
        let mut out = std::mem::take(&mut self.effects);
        let answer = handle(&mut self.nodes[id.0], &seen, &mut out);
        for effect in out.drain(..) {
            match effect {
                Effect::ToMaster(payload) => {
                    let master = self.master;
                    self.send(Endpoint::Node(id), Endpoint::Node(master), payload);
                }
                Effect::After(after, timer) => self.schedule(id, after, timer),
                Effect::ServeParked => self.release_parked(id),
            }
        }
        self.effects = out;
        answer
    }
}
