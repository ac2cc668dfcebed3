//! The cluster as a part: the database machines and the master's log, which it alone changes
//! (its fields are private to this folder). Its handlers (the files of this folder) see the
//! clock, the settings and the network through a [`Ctx`], the door to the rest of the
//! simulation, and ask it for everything else: messages, timers, replies, what a request's record
//! keeps, the event log.

mod commit;
mod connector;
mod failure;
mod machine;
mod membership;
mod mongo;
pub mod node;
mod out;
mod postgres;
mod read_side;
mod reads;
mod rejoin;
mod rooms;
mod server;
mod slot;
mod standby;
mod wal;

use crate::cluster::node::{Follow, Node, Status};
use crate::config::Config;
use crate::data::{Database, Lsn};
use crate::ids::{NodeId, NodeRef, RequestId};
use crate::metrics::NodeSample;
use crate::network::Network;
use crate::request::Outcome;
use crate::routing;
use crate::time::Time;
use crate::timeline::{Position, Timelines};

pub use connector::Connector;
pub(crate) use machine::Timer as MachineTimer;
use machine::{Machine, Machines};
pub use mongo::{Document, MongoMember, MongoOp};
pub(crate) use out::Ctx;
use out::Wants;
pub(crate) use postgres::Timer;
use wal::MasterLog;

/// How a node looks from outside, as the page and the test contract name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeState {
    Up,
    Down,
    /// Its queue is at least half full.
    Overloaded,
    /// Too far behind: reads avoid it (`max_lag`).
    Shunned,
    /// Up, with writes past the fork of the master's timeline: it follows nothing until
    /// rewound or rebuilt.
    Diverged,
    /// Up, but the master no longer has the WAL it needs: it follows nothing until rebuilt.
    Stranded,
}

impl NodeState {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeState::Up => "up",
            NodeState::Down => "down",
            NodeState::Overloaded => "overloaded",
            NodeState::Shunned => "shunned",
            NodeState::Diverged => "diverged",
            NodeState::Stranded => "stranded",
        }
    }
}

/// The database machines and the master's side of replication.
#[derive(Clone)]
pub(crate) struct Cluster {
    machines: Machines,
    master: NodeId,
    master_log: MasterLog,
    timelines: Timelines,
    /// Log entries written so far, across every timeline: numbers each write (`Row::write`).
    writes_logged: u64,
    next_incarnation: u64,
    /// The master's walsender for the connector's session: how far it has sent (none: no
    /// session).
    logical_sender: Option<Lsn>,
    /// What a machine wants, reused from handler to handler: they run for nearly every event,
    /// and need no allocation each.
    wants: Wants,
    /// The overloaded machines' refusals, by role and queue length, written once: an overloaded
    /// run refuses thousands of requests a second, each with the same few words.
    refusals: Vec<(NodeRef, usize, String)>,
}

impl Cluster {
    /// A master and `config.replicas` replicas, each with the starting data, each connected.
    pub fn new(config: &Config, network: &mut Network) -> Cluster {
        let mut cluster = Cluster {
            machines: Machines::default(),
            master: NodeId(0),
            master_log: MasterLog::new(Database::seed(), 0, Timelines::FIRST),
            timelines: Timelines::default(),
            writes_logged: 0,
            next_incarnation: 0,
            logical_sender: None,
            wants: Wants::new(),
            refusals: Vec::new(),
        };
        let roles = std::iter::once(NodeRef::Master).chain((1..=config.replicas).map(NodeRef::Replica));
        for role in roles {
            let incarnation = cluster.new_incarnation();
            let server = Node::new(role, incarnation, Database::seed(), 0, Timelines::FIRST, config);
            let id = cluster.machines.add(Machine::Postgres(server));
            network.connect(id, config);
        }
        cluster
    }

    pub fn master_id(&self) -> NodeId {
        self.master
    }

    pub fn master(&self) -> &Node {
        &self.machines[self.master]
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.machines[id]
    }

    /// What readers of the master see.
    pub fn committed(&self) -> &Database {
        &self.master_log.visible
    }

    pub fn committed_lsn(&self) -> Lsn {
        self.master_log.committed_lsn
    }

    pub fn wal_kept_from(&self) -> Lsn {
        self.master_log.kept_from()
    }

    pub fn in_fallback(&self) -> bool {
        self.master_log.fallback
    }

    /// Whether a machine's timer was set in the life it has now.
    pub fn is_current(&self, id: NodeId, incarnation: u64) -> bool {
        self.machines.incarnation(id) == Some(incarnation)
    }

    /// The connector, while the read side is on.
    pub fn connector(&self) -> Option<&Connector> {
        self.machines.connector().filter(|connector| !connector.is_removed())
    }

    /// The MongoDB members, while the read side is on, by number.
    pub fn mongo_members(&self) -> impl Iterator<Item = (NodeId, &MongoMember)> {
        self.machines.members().filter(|(_, member)| !member.is_removed())
    }

    /// A MongoDB member, while the read side is on.
    pub fn mongo_member(&self, id: NodeId) -> Option<&MongoMember> {
        self.machines.member(id).filter(|member| !member.is_removed())
    }

    /// The replicas in order of their number, with their ids.
    pub fn replicas(&self) -> Vec<(NodeId, &Node)> {
        let mut replicas: Vec<_> = self.unordered_replicas().collect();
        replicas.sort_unstable_by_key(|(_, node)| node.role);
        replicas
    }

    /// The replicas in no particular order, without allocating: for the hot paths.
    pub fn unordered_replicas(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.machines.servers().filter(|(_, node)| !node.is_master() && node.status != Status::Removed)
    }

    pub fn replica_ids(&self) -> Vec<NodeId> {
        self.replicas().into_iter().map(|(id, _)| id).collect()
    }

    pub fn role(&self, id: NodeId) -> NodeRef {
        self.machines[id].role
    }

    /// The role in words, as logs, cards and the picture say it; `old master` for a deposed
    /// master that has not rejoined.
    pub fn role_in_words(&self, id: NodeId) -> String {
        if id == NodeId::CONNECTOR {
            return "connector".to_string();
        }
        if !id.is_postgres() {
            let primary = self.machines.members().any(|(member, state)| member == id && state.is_primary());
            return (if primary { "MongoDB primary" } else { "MongoDB secondary" }).to_string();
        }
        match self.role(id) {
            NodeRef::Replica(_) if self.machines[id].deposed => "old master".to_string(),
            role => role.in_words(),
        }
    }

    /// The machine and its role, for logs and messages: `pg-2 (replica 1)`.
    pub fn label(&self, id: NodeId) -> String {
        format!("{} ({})", id.machine(), self.role_in_words(id))
    }

    /// How far a node is behind the master: in log entries, and in time since the master
    /// logged the oldest entry it has not applied.
    pub fn lag(&self, id: NodeId, now: Time) -> (u64, Time) {
        let applied = self.machines[id].positions.applied;
        let last = self.master().positions.applied;
        if applied >= last {
            return (0, Time::ZERO);
        }
        let since = self.master_log.logged_at(applied + 1).unwrap_or(Time::ZERO);
        (last - applied, now - since)
    }

    pub fn state(&self, id: NodeId, now: Time, config: &Config) -> NodeState {
        let node = &self.machines[id];
        if !node.is_up() {
            NodeState::Down
        } else if matches!(node.follow, Follow::Diverged { .. }) {
            NodeState::Diverged
        } else if node.follow == Follow::WalRemoved {
            NodeState::Stranded
        } else if node.queue.len() as u64 * 2 >= config.queue_limit {
            NodeState::Overloaded
        } else if !node.is_master() && self.is_shunned(id, now, config) {
            NodeState::Shunned
        } else {
            NodeState::Up
        }
    }

    /// A replica is shunned while it is further behind than `max_lag`.
    pub fn is_shunned(&self, id: NodeId, now: Time, config: &Config) -> bool {
        routing::is_shunned(self.lag(id, now).1, config)
    }

    /// Whether a node has applied the write at `position`: part of the history it is on, up to
    /// where it is.
    pub fn has_applied(&self, id: NodeId, position: Position) -> bool {
        let node = &self.machines[id];
        self.timelines.contains(node.timeline, node.positions.applied, position)
    }

    /// The master's timeline and those it forked from.
    pub fn timelines(&self) -> &Timelines {
        &self.timelines
    }

    pub fn node_samples(&self, now: Time) -> Vec<NodeSample> {
        self.machines
            .servers()
            .map(|(id, server)| {
                let (lag_lsn, lag) = self.lag(id, now);
                NodeSample { queue_depth: server.current_ops() as u64, lag_lsn, lag, reads: 0 }
            })
            .collect()
    }

    /// What the run's fingerprint hashes of the cluster, as it always has.
    pub fn fingerprinted(&self) -> String {
        let nodes: Vec<_> = self
            .machines
            .servers()
            // A role hashes as the number it was before roles had a type: 0 for the master.
            .map(|(_, node)| {
                let number = match node.role {
                    NodeRef::Master => 0,
                    NodeRef::Replica(number) => number,
                };
                (number, node.status, node.positions, node.reads_served, &node.data)
            })
            .collect();
        // The read side, when there is one (runs without it hash as they always have).
        let Some(connector) = self.machines.connector() else { return format!("{nodes:?}") };
        let members: Vec<_> = self.machines.members().map(|(_, member)| member.fingerprinted()).collect();
        format!("{nodes:?}|{:?}|{members:?}", connector.positions())
    }

    /// What the fingerprint hashes of the master: its id, committed position and data.
    pub fn fingerprinted_master(&self) -> String {
        format!("{:?}", (self.master, self.master_log.committed_lsn, &self.master_log.visible))
    }

    /// Sets a machine's own capacity, in requests per second.
    pub fn set_capacity(&mut self, id: NodeId, capacity: u64) {
        self.machines[id].capacity = capacity;
    }

    /// The run-wide capacity, replacing what was set per machine.
    pub fn reset_capacities(&mut self, capacity: u64) {
        for node in self.machines.servers_mut() {
            node.capacity = capacity;
        }
    }

    pub fn set_weight(&mut self, id: NodeId, weight: u64) {
        self.machines[id].weight = weight;
    }

    pub fn set_apply_delay(&mut self, id: NodeId, delay: Time) {
        self.machines[id].apply_delay = delay;
    }

    pub(super) fn new_incarnation(&mut self) -> u64 {
        self.next_incarnation += 1;
        self.next_incarnation
    }

    /// A timer on a machine, in the life it has now.
    pub(super) fn schedule(&self, node: NodeId, after: Time, timer: Timer, cx: &mut Ctx) {
        let incarnation = self.machines[node].incarnation;
        cx.timer(node, incarnation, after, MachineTimer::Postgres(timer));
    }

    /// What a machine made of a request, kept in its record.
    pub(super) fn set_outcome(&self, request: RequestId, machine: NodeId, outcome: Outcome, cx: &mut Ctx) {
        let (role, old_master) = (self.role(machine), self.machines[machine].deposed);
        cx.served(request, machine, Some(role), old_master, outcome);
    }

    /// The replicas following the master's history (up or down), not diverged or stranded.
    pub(super) fn followers(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        let timeline = self.master_log.timeline;
        self.unordered_replicas().filter(move |(_, node)| node.follow == Follow::Streaming && node.timeline == timeline)
    }
}
