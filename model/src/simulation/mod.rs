//! The simulation composes its parts (the cluster, the clients, the network, the router, the
//! traffic generator) and owns the clock, the seeded generator, the queue of what is due, the
//! event log and the measurements. It is what the page reads, and the one place that queues
//! messages and timers (`send`, `schedule_generator`, and what the cluster asks for, performed
//! by `in_cluster`); the loop that delivers them is `event_loop.rs`.

mod client;
mod command;
mod event_loop;

use std::collections::VecDeque;

use crate::Refusal;
use crate::clients::Clients;
use crate::cluster::node::Node;
use crate::cluster::{Cluster, Connector, Ctx, MongoMember, NodeState};
use crate::config::Config;
use crate::data::{Database, Lsn};
use crate::events::{self, ClusterEvent, EventKind};
use crate::history::History;
use crate::ids::{NodeId, NodeRef};
use crate::metrics::Metrics;
use crate::network::{Endpoint, Links, Message, Network, Payload};
use crate::queue::EventQueue;
use crate::request::{RequestRecord, Stats};
use crate::rng::SimRng;
use crate::routing::Router;
use crate::time::Time;
use crate::traffic::Traffic;
pub use command::Command;
pub(crate) use event_loop::Due;

/// How many finished requests the model remembers for the request log.
pub const RECENT_LIMIT: usize = 50;

/// Clone is a checkpoint: the recording keeps copies to rewind to.
#[derive(Clone)]
pub struct Simulation {
    config: Config,
    now: Time,
    rng: SimRng,
    queue: EventQueue<Due>,
    network: Network,
    cluster: Cluster,
    clients: Clients,
    router: Router,
    traffic: Traffic,
    events: VecDeque<ClusterEvent>,
    metrics: Metrics,
    events_processed: u64,
}

impl Simulation {
    pub fn new(config: Config) -> Result<Simulation, Refusal> {
        config.validate()?;
        let mut network = Network::default();
        let cluster = Cluster::new(&config, &mut network);
        let mut sim = Simulation {
            rng: SimRng::new(config.seed),
            now: Time::ZERO,
            queue: EventQueue::default(),
            network,
            cluster,
            clients: Clients::new(config.clients),
            router: Router::default(),
            traffic: Traffic::default(),
            events: VecDeque::new(),
            metrics: Metrics::default(),
            events_processed: 0,
            config,
        };
        sim.in_cluster(|cluster, cx| cluster.set_read_side(cx));
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
        self.clients.stats()
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
        self.cluster.master()
    }

    pub fn master_id(&self) -> NodeId {
        self.cluster.master_id()
    }

    /// What readers of the master see: committed data, which under synchronous replication
    /// lags the logged data until the replicas confirm.
    pub fn committed(&self) -> &Database {
        self.cluster.committed()
    }

    pub fn committed_lsn(&self) -> Lsn {
        self.cluster.committed_lsn()
    }

    /// The oldest log position the master's WAL still holds (`wal_keep`, slots).
    pub fn wal_kept_from(&self) -> Lsn {
        self.cluster.wal_kept_from()
    }

    /// True while semi-sync has fallen back to async.
    pub fn in_fallback(&self) -> bool {
        self.cluster.in_fallback()
    }

    /// The replicas in order of their number, with their ids.
    pub fn replicas(&self) -> Vec<(NodeId, &Node)> {
        self.cluster.replicas()
    }

    /// The replicas' ids in order of their number.
    pub fn replica_ids(&self) -> Vec<NodeId> {
        self.cluster.replica_ids()
    }

    pub fn node(&self, id: NodeId) -> &Node {
        self.cluster.node(id)
    }

    /// A machine's links: its distance from the clients, its replication delay, a cut.
    pub fn links(&self, id: NodeId) -> &Links {
        self.network.links(id)
    }

    /// The role a machine has now: the master, or `replica-k` (its name in commands and links).
    pub fn role(&self, id: NodeId) -> NodeRef {
        self.cluster.role(id)
    }

    /// The role a machine has now, in words, as every log line, message, card and the picture
    /// say it: `master`, `replica 2`, or `old master` for a deposed master that has not rejoined
    /// (down, diverged or stranded).
    pub fn role_in_words(&self, id: NodeId) -> String {
        self.cluster.role_in_words(id)
    }

    /// The machine and its role, for logs and messages: `pg-2 (replica 1)`.
    pub fn label(&self, id: NodeId) -> String {
        self.cluster.label(id)
    }

    pub fn resolve(&self, node: NodeRef) -> Result<NodeId, Refusal> {
        match node {
            NodeRef::Master => Ok(self.master_id()),
            NodeRef::Replica(number) => self
                .replicas()
                .into_iter()
                .find(|(_, node)| node.role() == NodeRef::Replica(number))
                .map(|(id, _)| id)
                .ok_or_else(|| Refusal::new(format!("there is no replica-{number}"))),
        }
    }

    pub fn state(&self, id: NodeId) -> NodeState {
        self.cluster.state(id, self.now, &self.config)
    }

    /// A replica is shunned while it is further behind than `max_lag`.
    pub fn is_shunned(&self, id: NodeId) -> bool {
        self.cluster.is_shunned(id, self.now, &self.config)
    }

    /// How far a node is behind the master: in log entries, and in time since the master
    /// logged the oldest entry it has not applied.
    pub fn lag(&self, id: NodeId) -> (u64, Time) {
        self.cluster.lag(id, self.now)
    }

    /// Whether the master waits for this replica (or, under `any-k`, counts it) before it
    /// acknowledges a write: never under async or after a semi-sync fallback.
    pub fn is_synchronous(&self, replica: NodeId) -> bool {
        self.cluster.is_synchronous(replica, &self.config)
    }

    /// The writes logged and not yet acknowledged, and the replicas that have not confirmed the
    /// oldest of them (under `any-k`, every one of them that has not).
    pub fn waiting_for(&self) -> Option<(usize, Vec<NodeId>)> {
        self.cluster.waiting_for(&self.config)
    }

    /// With replication slots, the replica whose slot holds the master's WAL furthest back, and
    /// how far it has received: the master keeps every entry after that.
    pub fn slot_floor(&self) -> Option<(NodeId, Lsn)> {
        self.cluster.slot_floor(&self.config)
    }

    /// Log entries the master keeps only because a slot holds them: the slot bloat a down
    /// replica causes.
    pub fn slot_retained(&self) -> Option<(NodeId, u64)> {
        self.cluster.slot_retained(&self.config)
    }

    /// Each of the master's logical slots by name, with the log entries it alone makes the master
    /// keep past `wal_keep` (`None`: lost).
    pub fn logical_retained(&self) -> Vec<(&str, Option<u64>)> {
        self.cluster.logical_retained(&self.config)
    }

    /// Why pg_rewind cannot take this diverged node back to its fork: the master no longer has
    /// the WAL since then (only a rebuild will do). `None` when it can, or it has not diverged.
    pub fn rewind_impossible(&self, id: NodeId) -> Option<Refusal> {
        self.cluster.rewind_impossible(id)
    }

    /// The change-data-capture connector, while the read side is MongoDB.
    pub fn connector(&self) -> Option<&Connector> {
        self.cluster.connector()
    }

    /// The MongoDB members holding the read model, while the read side is MongoDB, by number.
    pub fn mongo_members(&self) -> impl Iterator<Item = (NodeId, &MongoMember)> {
        self.cluster.mongo_members()
    }

    /// A MongoDB member, while the read side is MongoDB.
    pub fn mongo_member(&self, id: NodeId) -> Option<&MongoMember> {
        self.cluster.mongo_member(id)
    }

    /// How many of the master's committed log entries a MongoDB member's read model lacks.
    pub fn read_model_missing(&self, id: NodeId) -> u64 {
        self.cluster.read_model_missing(id)
    }

    /// Finished requests, oldest first, at most `RECENT_LIMIT`.
    pub fn recent(&self) -> impl DoubleEndedIterator<Item = &RequestRecord> {
        self.clients.recent()
    }

    /// Requests still waiting for their reply, oldest first.
    pub fn in_flight(&self) -> impl DoubleEndedIterator<Item = &RequestRecord> {
        self.clients.in_flight()
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
        self.clients.sql_requests()
    }

    /// Cluster events, oldest first, at most `EVENT_LIMIT`.
    pub fn events(&self) -> impl DoubleEndedIterator<Item = &ClusterEvent> {
        self.events.iter()
    }

    /// The `count` requests called last, finished or in flight, in lanes, with what the
    /// checks need (see `history`). `usize::MAX` for all the simulation keeps.
    pub fn history(&self, count: usize) -> History<'_> {
        History::of(&self.clients, count, self.now)
    }

    /// A hash of the whole observable state, equal for equal runs on every platform.
    pub fn fingerprint(&self) -> u64 {
        let state = format!(
            "{:?}|{:?}|{}|{}|{}|{:?}|{:?}|{:?}|{}",
            self.now,
            self.config,
            self.cluster.fingerprinted(),
            self.cluster.fingerprinted_master(),
            self.clients.fingerprinted(),
            self.events,
            self.metrics,
            self.queue.len(),
            self.events_processed,
        );
        fnv1a(state.as_bytes())
    }

    /// Puts a message on the wire, unless a cut link drops it.
    fn send(&mut self, from: Endpoint, to: Endpoint, payload: Payload) {
        let message = Message { from, to, sent_at: self.now, payload };
        let master = self.cluster.master_id();
        self.network.post(message, master, &self.config, &mut self.rng, &mut self.queue);
    }

    /// Starts the traffic generator's schedule afresh at the current rate (or stops it at 0).
    fn restart_generator(&mut self) {
        let generation = self.traffic.restart();
        self.schedule_generator(generation);
    }

    /// The traffic generator's next request in the schedule `generation`.
    fn schedule_generator(&mut self, generation: u64) {
        if let Some(gap) = Traffic::gap(&self.config, &mut self.rng) {
            self.queue.push(self.now + gap, Due::Generate { generation });
        }
    }

    /// Lets the cluster handle something, through its door to the rest of the simulation;
    /// returns what the handler answers.
    fn in_cluster<R>(&mut self, handle: impl FnOnce(&mut Cluster, &mut Ctx) -> R) -> R {
        let master = self.cluster.master_id();
        let mut cx = Ctx::new(
            self.now,
            &self.config,
            &mut self.network,
            master,
            &mut self.rng,
            &mut self.queue,
            &mut self.clients,
            &mut self.events,
            &mut self.metrics,
        );
        handle(&mut self.cluster, &mut cx)
    }

    fn note(&mut self, kind: EventKind) {
        events::note(&mut self.events, self.now, kind);
    }
}

/// 64-bit FNV-1a: a fixed, portable hash (std's hasher may change between Rust versions).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3))
}
