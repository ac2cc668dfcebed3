//! The seam between the cluster and its kinds of machine. Every kind is a variant of
//! [`Machine`], and this file is the one place a kind is registered: the variant, and the arm
//! that hands it what reaches it (a message, a timer). Everything else a kind does lives in its
//! own room, behind that arm. The PostgreSQL servers have the ids below [`READ_SIDE`]; the read
//! side's machines (the connector, the MongoDB members) the ids from there, so that every
//! machine's name follows from its id.

use std::ops::{Index, IndexMut};

use super::connector::{self, Connector};
use super::mongo::{self, MongoMember};
use super::node::{Node, Status};
use super::postgres;
use super::{Cluster, Ctx};
use crate::ids::{NodeId, READ_SIDE};
use crate::network::{Endpoint, Payload};

/// One machine of the cluster, by kind.
#[derive(Clone, Debug)]
pub(crate) enum Machine {
    /// A PostgreSQL server, the master or a physical standby (the roles swap on failover, so
    /// one kind holds both): its state in `node.rs`, what reaches it handed out by
    /// `postgres.rs`.
    Postgres(Node),
    /// The change-data-capture connector `cdc-1`, between the master's logical slot and
    /// MongoDB: `connector.rs`.
    Connector(Connector),
    /// A member of the MongoDB replica set that holds the read model: `mongo.rs`.
    Mongo(MongoMember),
}

/// A machine's timer, by the kind of machine that set it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Timer {
    Postgres(postgres::Timer),
    Connector(connector::Timer),
    Mongo(mongo::Timer),
}

/// Every machine ever made, by id; removed ones stay as tombstones for reuse.
#[derive(Clone, Debug, Default)]
pub(crate) struct Machines {
    /// The PostgreSQL servers, at ids 0, 1, ...
    servers: Vec<Machine>,
    /// The read side, at ids from `READ_SIDE` on: the connector, then the MongoDB members.
    read_side: Vec<Machine>,
}

impl Machines {
    pub fn add(&mut self, machine: Machine) -> NodeId {
        self.servers.push(machine);
        NodeId(self.servers.len() - 1)
    }

    /// Puts `machine` in the slot of a removed one, if there is a slot; else adds it.
    pub fn reuse_or_add(&mut self, machine: Machine) -> NodeId {
        let removed = self.servers().find(|(_, server)| server.status == Status::Removed).map(|(id, _)| id);
        match removed {
            Some(id) => {
                self.servers[id.0] = machine;
                id
            }
            None => self.add(machine),
        }
    }

    /// The PostgreSQL servers, with their ids.
    pub fn servers(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.servers.iter().enumerate().filter_map(|(index, machine)| match machine {
            Machine::Postgres(server) => Some((NodeId(index), server)),
            _ => None,
        })
    }

    pub fn servers_mut(&mut self) -> impl Iterator<Item = &mut Node> {
        self.servers.iter_mut().filter_map(|machine| match machine {
            Machine::Postgres(server) => Some(server),
            _ => None,
        })
    }

    /// The connector, made the first time the read side is on: the read side's first id.
    pub fn add_connector(&mut self, connector: Connector) {
        self.read_side.push(Machine::Connector(connector));
    }

    pub fn connector(&self) -> Option<&Connector> {
        match self.read_side.first()? {
            Machine::Connector(connector) => Some(connector),
            _ => None,
        }
    }

    pub fn connector_mut(&mut self) -> Option<&mut Connector> {
        match self.read_side.first_mut()? {
            Machine::Connector(connector) => Some(connector),
            _ => None,
        }
    }

    /// The MongoDB members ever made, with their ids.
    pub fn members(&self) -> impl Iterator<Item = (NodeId, &MongoMember)> {
        self.read_side.iter().enumerate().filter_map(|(index, machine)| match machine {
            Machine::Mongo(member) => Some((NodeId(READ_SIDE + index), member)),
            _ => None,
        })
    }

    pub fn member(&self, id: NodeId) -> Option<&MongoMember> {
        match self.read_side.get(id.0.checked_sub(READ_SIDE)?)? {
            Machine::Mongo(member) => Some(member),
            _ => None,
        }
    }

    pub fn member_mut(&mut self, id: NodeId) -> Option<&mut MongoMember> {
        match self.read_side.get_mut(id.0.checked_sub(READ_SIDE)?)? {
            Machine::Mongo(member) => Some(member),
            _ => None,
        }
    }

    /// Adds the MongoDB member `mongo-{number}` when the set grows past what it ever had.
    pub fn add_member(&mut self, member: MongoMember) {
        self.read_side.push(Machine::Mongo(member));
    }

    fn get(&self, id: NodeId) -> Option<&Machine> {
        match id.0.checked_sub(READ_SIDE) {
            None => self.servers.get(id.0),
            Some(index) => self.read_side.get(index),
        }
    }

    /// The life a machine has now: a timer set in another is void.
    pub fn incarnation(&self, id: NodeId) -> Option<u64> {
        Some(match self.get(id)? {
            Machine::Postgres(server) => server.incarnation,
            Machine::Connector(connector) => connector.incarnation(),
            Machine::Mongo(member) => member.incarnation(),
        })
    }
}

/// A PostgreSQL server by its id.
impl Index<NodeId> for Machines {
    type Output = Node;

    fn index(&self, id: NodeId) -> &Node {
        match &self.servers[id.0] {
            Machine::Postgres(server) => server,
            _ => panic!("{} is not a PostgreSQL server", id.machine()),
        }
    }
}

impl IndexMut<NodeId> for Machines {
    fn index_mut(&mut self, id: NodeId) -> &mut Node {
        match &mut self.servers[id.0] {
            Machine::Postgres(server) => server,
            _ => panic!("{} is not a PostgreSQL server", id.machine()),
        }
    }
}

impl Cluster {
    /// A message reached a machine: its kind's room handles it.
    pub fn deliver(&mut self, from: Endpoint, to: NodeId, payload: Payload, cx: &mut Ctx) {
        match self.machines.get(to) {
            Some(Machine::Postgres(_)) => self.postgres_receives(from, to, payload, cx),
            Some(Machine::Connector(_)) => self.connector_receives(payload, cx),
            Some(Machine::Mongo(_)) => self.mongo_receives(from, to, payload, cx),
            None => {}
        }
    }

    /// A machine's timer went off, in the life the machine has now.
    pub fn on_timer(&mut self, id: NodeId, timer: Timer, cx: &mut Ctx) {
        match (self.machines.get(id), timer) {
            (Some(Machine::Postgres(_)), Timer::Postgres(timer)) => self.postgres_timer(id, timer, cx),
            (Some(Machine::Connector(_)), Timer::Connector(timer)) => self.connector_timer(timer, cx),
            (Some(Machine::Mongo(_)), Timer::Mongo(timer)) => self.mongo_timer(id, timer, cx),
            _ => unreachable!("a timer goes off on the kind of machine that set it"),
        }
    }
}
