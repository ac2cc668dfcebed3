//! The simulation: its state, its clock, what the page reads of it, and the one place that
//! queues messages and timers (`send`, `schedule`, `reply`); the loop that delivers them is
//! `event_loop.rs`.

use std::collections::VecDeque;

use crate::Refusal;
use crate::acknowledged::AcknowledgedUsers;
use crate::client::Session;
use crate::config::Config;
use crate::data::{Database, Lsn};
use crate::event_loop::{Due, Timer};
use crate::events::{ClusterEvent, EventKind};
use crate::ids::{NodeId, NodeRef, RequestId};
use crate::metrics::{Metrics, NodeSample};
use crate::network::{Endpoint, Links, Message, Network, Payload};
use crate::node::{Follow, Node, Status};
use crate::out::Out;
use crate::queue::EventQueue;
use crate::request::{InFlight, Op, RequestRecord, Stats};
use crate::rng::SimRng;
use crate::routing::{self, Router};
use crate::time::Time;
use crate::timeline::Timelines;
use crate::traffic::Traffic;
use crate::wal::MasterLog;

/// How many finished requests the model remembers for the request log.
pub const RECENT_LIMIT: usize = 50;
/// How many cluster events it remembers.
pub const EVENT_LIMIT: usize = 50;

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

/// Clone is a checkpoint: the recording keeps copies to rewind to.
#[derive(Clone)]
pub struct Simulation {
    pub(crate) config: Config,
    pub(crate) now: Time,
    pub(crate) rng: SimRng,
    pub(crate) queue: EventQueue<Due>,
    pub(crate) network: Network,
    /// Every node ever made, by id; removed ones stay as tombstones for reuse.
    pub(crate) nodes: Vec<Node>,
    pub(crate) master: NodeId,
    pub(crate) master_log: MasterLog,
    pub(crate) timelines: Timelines,
    /// Log entries written so far, across every timeline: numbers each write (`Row::write`).
    pub(crate) writes_logged: u64,
    pub(crate) router: Router,
    pub(crate) sessions: Vec<Session>,
    pub(crate) next_request: RequestId,
    pub(crate) next_incarnation: u64,
    pub(crate) in_flight: InFlight,
    pub(crate) recent: VecDeque<RequestRecord>,
    /// Writes in doubt that left `recent`, oldest first, at most `RECENT_LIMIT`.
    pub(crate) in_doubt: VecDeque<RequestRecord>,
    /// When the last request to leave `recent` (or `in_doubt`) had finished: every request
    /// issued later is still in one of them or in flight (see `history`).
    pub(crate) recent_horizon: Time,
    /// What clients were told of each user's writes since about `recent_horizon`, for the
    /// history's start.
    pub(crate) acknowledged: AcknowledgedUsers,
    pub(crate) stats: Stats,
    pub(crate) events: VecDeque<ClusterEvent>,
    pub(crate) metrics: Metrics,
    pub(crate) events_processed: u64,
    pub(crate) traffic: Traffic,
    /// Finished SQL console requests, oldest first, at most `RECENT_LIMIT`.
    pub(crate) sql_log: VecDeque<RequestRecord>,
    /// The effects a machine asks for, reused from handler to handler: handlers run for nearly
    /// every event, and need no allocation each.
    pub(crate) effects: Out,
}

impl Simulation {
    pub fn new(config: Config) -> Result<Simulation, Refusal> {
        config.validate()?;
        let mut sim = Simulation {
            rng: SimRng::new(config.seed),
            now: Time::ZERO,
            queue: EventQueue::default(),
            network: Network::default(),
            nodes: Vec::new(),
            master: NodeId(0),
            master_log: MasterLog::new(Database::seed(), 0, Timelines::FIRST),
            timelines: Timelines::default(),
            writes_logged: 0,
            router: Router::default(),
            sessions: vec![Session::default(); config.clients],
            next_request: 1,
            next_incarnation: 0,
            in_flight: InFlight::default(),
            recent: VecDeque::new(),
            in_doubt: VecDeque::new(),
            recent_horizon: Time::ZERO,
            acknowledged: AcknowledgedUsers::new(&Database::seed()),
            stats: Stats::default(),
            events: VecDeque::new(),
            metrics: Metrics::default(),
            events_processed: 0,
            traffic: Traffic::default(),
            sql_log: VecDeque::new(),
            effects: Out::new(),
            config,
        };
        let roles = std::iter::once(NodeRef::Master).chain((1..=sim.config.replicas).map(NodeRef::Replica));
        for role in roles {
            let incarnation = sim.new_incarnation();
            sim.nodes.push(Node::new(role, incarnation, Database::seed(), 0, Timelines::FIRST, &sim.config));
            sim.network.connect(NodeId(sim.nodes.len() - 1), &sim.config);
        }
        sim.restart_generator();
        Ok(sim)
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn now(&self) -> Time {
        self.now
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Messages and timers handled so far.
    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    /// The node serving as master.
    pub fn master(&self) -> &Node {
        &self.nodes[self.master.0]
    }

    pub fn master_id(&self) -> NodeId {
        self.master
    }

    /// What readers of the master see: committed data, which under synchronous replication
    /// lags the logged data until the replicas confirm.
    pub fn committed(&self) -> &Database {
        &self.master_log.visible
    }

    pub fn committed_lsn(&self) -> Lsn {
        self.master_log.committed_lsn
    }

    /// The oldest log position the master's WAL still holds (`wal_keep`, slots).
    pub fn wal_kept_from(&self) -> Lsn {
        self.master_log.kept_from()
    }

    /// True while semi-sync has fallen back to async.
    pub fn in_fallback(&self) -> bool {
        self.master_log.fallback
    }

    /// The replicas in order of their number, with their ids.
    pub fn replicas(&self) -> Vec<(NodeId, &Node)> {
        let mut replicas: Vec<_> = self.unordered_replicas().collect();
        replicas.sort_unstable_by_key(|(_, node)| node.role);
        replicas
    }

    /// The replicas in no particular order, without allocating: for the hot paths.
    pub(crate) fn unordered_replicas(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, node)| !node.is_master() && node.status != Status::Removed)
            .map(|(index, node)| (NodeId(index), node))
    }

    /// The replicas' ids in order of their number.
    pub fn replica_ids(&self) -> Vec<NodeId> {
        self.replicas().into_iter().map(|(id, _)| id).collect()
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0]
    }

    /// A machine's links: its distance from the clients, its replication delay, a cut.
    pub fn links(&self, id: NodeId) -> &Links {
        self.network.links(id)
    }

    /// The role a machine has now: the master, or `replica-k` (its name in commands and links).
    pub fn role(&self, id: NodeId) -> NodeRef {
        self.nodes[id.0].role
    }

    /// The role a machine has now, in words, as every log line, message, card and the picture
    /// say it: `master`, `replica 2`, or `old master` for a deposed master that has not rejoined
    /// (down, diverged or stranded).
    pub fn role_in_words(&self, id: NodeId) -> String {
        match self.role(id) {
            NodeRef::Replica(_) if self.nodes[id.0].deposed => "old master".to_string(),
            role => role.in_words(),
        }
    }

    /// The machine and its role, for logs and messages: `pg-2 (replica 1)`.
    pub fn label(&self, id: NodeId) -> String {
        format!("{} ({})", id.machine(), self.role_in_words(id))
    }

    pub fn resolve(&self, node: NodeRef) -> Result<NodeId, Refusal> {
        match node {
            NodeRef::Master => Ok(self.master),
            NodeRef::Replica(number) => self
                .replicas()
                .into_iter()
                .find(|(_, node)| node.role == NodeRef::Replica(number))
                .map(|(id, _)| id)
                .ok_or_else(|| Refusal::new(format!("there is no replica-{number}"))),
        }
    }

    pub fn state(&self, id: NodeId) -> NodeState {
        let node = &self.nodes[id.0];
        if !node.is_up() {
            NodeState::Down
        } else if matches!(node.follow, crate::node::Follow::Diverged { .. }) {
            NodeState::Diverged
        } else if node.follow == crate::node::Follow::WalRemoved {
            NodeState::Stranded
        } else if node.queue.len() as u64 * 2 >= self.config.queue_limit {
            NodeState::Overloaded
        } else if !node.is_master() && self.is_shunned(id) {
            NodeState::Shunned
        } else {
            NodeState::Up
        }
    }

    /// A replica is shunned while it is further behind than `max_lag`.
    pub fn is_shunned(&self, id: NodeId) -> bool {
        routing::is_shunned(self.lag(id).1, &self.config)
    }

    /// How far a node is behind the master: in log entries, and in time since the master
    /// logged the oldest entry it has not applied.
    pub fn lag(&self, id: NodeId) -> (u64, Time) {
        let applied = self.nodes[id.0].positions.applied;
        let last = self.master().positions.applied;
        if applied >= last {
            return (0, Time::ZERO);
        }
        let since = self.master_log.logged_at(applied + 1).unwrap_or(Time::ZERO);
        (last - applied, self.now - since)
    }

    /// Finished requests, oldest first, at most `RECENT_LIMIT`.
    pub fn recent(&self) -> impl DoubleEndedIterator<Item = &RequestRecord> {
        self.recent.iter()
    }

    /// Requests still waiting for their reply, oldest first.
    pub fn in_flight(&self) -> impl DoubleEndedIterator<Item = &RequestRecord> {
        self.in_flight.values()
    }

    /// Messages on the wire with their delivery time, in no particular order.
    pub fn messages(&self) -> impl Iterator<Item = (Time, &Message)> {
        self.queue.iter().filter_map(|(at, event)| match event {
            Due::Deliver(message) => Some((at, message)),
            _ => None,
        })
    }
    /// The SQL console's requests: finished ones (at most `RECENT_LIMIT`, oldest first), then
    /// those still running or queued.
    pub fn sql_requests(&self) -> impl Iterator<Item = &RequestRecord> {
        self.sql_log.iter().chain(self.in_flight.values().filter(|record| matches!(record.op, Op::Sql { .. })))
    }

    /// Cluster events, oldest first, at most `EVENT_LIMIT`.
    pub fn events(&self) -> impl DoubleEndedIterator<Item = &ClusterEvent> {
        self.events.iter()
    }

    /// A hash of the whole observable state, equal for equal runs on every platform.
    pub fn fingerprint(&self) -> u64 {
        let nodes: Vec<_> = self
            .nodes
            .iter()
            // A role hashes as the number it was before roles had a type: 0 for the master.
            .map(|node| {
                let number = match node.role {
                    NodeRef::Master => 0,
                    NodeRef::Replica(number) => number,
                };
                (number, node.status, node.positions, node.reads_served, &node.data)
            })
            .collect();
        let state = format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}",
            self.now,
            self.config,
            nodes,
            (self.master, self.master_log.committed_lsn, &self.master_log.visible),
            self.stats,
            self.recent,
            self.in_flight,
            self.events,
            self.metrics,
            self.queue.len(),
            self.events_processed,
        );
        fnv1a(state.as_bytes())
    }

    pub(crate) fn node_samples(&self) -> Vec<NodeSample> {
        (0..self.nodes.len())
            .map(|index| {
                let (lag_lsn, lag) = self.lag(NodeId(index));
                NodeSample { queue_depth: self.nodes[index].current_ops() as u64, lag_lsn, lag, reads: 0 }
            })
            .collect()
    }

    /// Puts a message on the wire, unless a cut link drops it.
    pub(crate) fn send(&mut self, from: Endpoint, to: Endpoint, payload: Payload) {
        let (now, master) = (self.now, self.master);
        if let Some(at) = self.network.transit((from, to, &payload), now, master, &self.config, &mut self.rng) {
            self.queue.push(at, Due::Deliver(Message { from, to, sent_at: now, payload }));
        }
    }

    pub(crate) fn schedule(&mut self, node: NodeId, after: Time, timer: Timer) {
        let incarnation = self.nodes[node.0].incarnation;
        self.queue.push(self.now + after, Due::Timer { node, incarnation, timer });
    }

    /// Starts the traffic generator's schedule afresh at the current rate (or stops it at 0).
    pub(crate) fn restart_generator(&mut self) {
        let generation = self.traffic.restart();
        self.schedule_generator(generation);
    }

    /// The traffic generator's next request in the schedule `generation`.
    pub(crate) fn schedule_generator(&mut self, generation: u64) {
        if let Some(gap) = Traffic::gap(&self.config, &mut self.rng) {
            self.queue.push(self.now + gap, Due::Generate { generation });
        }
    }

    pub(crate) fn reply(&mut self, from: NodeId, request: RequestId, error: Option<String>) {
        if let Some(client) = self.in_flight.get(request).map(|record| record.client) {
            self.send(Endpoint::Node(from), Endpoint::Client(client), Payload::Reply { request, error });
        }
    }

    pub(crate) fn new_incarnation(&mut self) -> u64 {
        self.next_incarnation += 1;
        self.next_incarnation
    }

    pub(crate) fn note(&mut self, kind: EventKind) {
        if self.events.len() == EVENT_LIMIT {
            self.events.pop_front();
        }
        self.events.push_back(ClusterEvent { at: self.now, kind });
    }

    /// The replicas following the master's history (up or down), not diverged or stranded.
    pub(crate) fn followers(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        let timeline = self.master_log.timeline;
        self.unordered_replicas().filter(move |(_, node)| node.follow == Follow::Streaming && node.timeline == timeline)
    }
}

/// 64-bit FNV-1a: a fixed, portable hash (std's hasher may change between Rust versions).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3))
}
