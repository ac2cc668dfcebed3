//! The seam between the cluster and its kinds of machine. Every kind is a variant of
//! [`Machine`], and this file is the one place a kind is registered: the variant, and the arm
//! that hands it what reaches it (a message, a timer). Everything else a kind does lives in its
//! own room, behind that arm. Adding a kind (a change-data-capture connector, a MongoDB node) is
//! a variant here and its room's file; the compiler then lists the matches here, and
//! `Machines`' accessors (`servers`, indexing a server by id), which assume PostgreSQL today,
//! must learn to skip or refuse the new kind.

use std::ops::{Index, IndexMut};

use super::node::{Node, Status};
use super::{Cluster, Ctx};
use crate::Timer;
use crate::ids::NodeId;
use crate::network::{Endpoint, Payload};

/// One machine of the cluster, by kind.
#[derive(Clone, Debug)]
pub(crate) enum Machine {
    /// A PostgreSQL server, the master or a physical standby (the roles swap on failover, so
    /// one kind holds both): its state in `node.rs`, what reaches it handed out by
    /// `postgres.rs`.
    Postgres(Node),
}

/// Every machine ever made, by id; removed ones stay as tombstones for reuse.
#[derive(Clone, Debug, Default)]
pub(crate) struct Machines(Vec<Machine>);

impl Machines {
    pub fn add(&mut self, machine: Machine) -> NodeId {
        self.0.push(machine);
        NodeId(self.0.len() - 1)
    }

    /// Puts `machine` in the slot of a removed one, if there is a slot; else adds it.
    pub fn reuse_or_add(&mut self, machine: Machine) -> NodeId {
        let removed = self.servers().find(|(_, server)| server.status == Status::Removed).map(|(id, _)| id);
        match removed {
            Some(id) => {
                self.0[id.0] = machine;
                id
            }
            None => self.add(machine),
        }
    }

    /// The PostgreSQL servers, with their ids.
    pub fn servers(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.0.iter().enumerate().map(|(index, Machine::Postgres(server))| (NodeId(index), server))
    }

    pub fn servers_mut(&mut self) -> impl Iterator<Item = &mut Node> {
        self.0.iter_mut().map(|Machine::Postgres(server)| server)
    }
}

/// A PostgreSQL server by its id.
impl Index<NodeId> for Machines {
    type Output = Node;

    fn index(&self, id: NodeId) -> &Node {
        let Machine::Postgres(server) = &self.0[id.0];
        server
    }
}

impl IndexMut<NodeId> for Machines {
    fn index_mut(&mut self, id: NodeId) -> &mut Node {
        let Machine::Postgres(server) = &mut self.0[id.0];
        server
    }
}

impl Cluster {
    /// A message reached a machine: its kind's room handles it.
    pub fn deliver(&mut self, from: Endpoint, to: NodeId, payload: Payload, cx: &mut Ctx) {
        match self.machines.0[to.0] {
            Machine::Postgres(_) => self.postgres_receives(from, to, payload, cx),
        }
    }

    /// A machine's timer went off, in the life the machine has now.
    pub fn on_timer(&mut self, id: NodeId, timer: Timer, cx: &mut Ctx) {
        match self.machines.0[id.0] {
            Machine::Postgres(_) => self.postgres_timer(id, timer, cx),
        }
    }
}
