//! The model: a deterministic discrete-event simulation of one master and its replicas.
//!
//! Pure Rust with no clock and no entropy of its own: time is simulated and jumps from event
//! to event, and every random choice comes from the seeded generator, so the same seed and
//! the same commands give the same run on every platform.
//!
//! The concepts live in their own files as `impl Simulation` blocks: `load` (each node's
//! request queue), `replication` (log shipping and commit), `routing` (where a read goes),
//! `failure` (crashes, partitions, failover).

pub mod benchmark;
pub mod client;
pub mod config;
mod console;
pub mod data;
pub mod demos;
pub mod events;
mod failure;
mod load;
pub mod metrics;
pub mod network;
pub mod node;
pub mod queue;
pub mod recording;
mod replication;
pub mod request;
pub mod rng;
mod routing;
pub mod sql;
pub mod time;
pub mod timeline;
mod workload;

use std::collections::VecDeque;

use client::Session;
use config::{Config, Mode, Refusal};
use data::{Database, Key, Lsn};
use events::{ClusterEvent, EventKind};
use metrics::{Completion, Metrics, NodeSample};
use network::{ClientId, Endpoint, Message, Network, NodeId, Payload, RequestId};
use node::{Job, Node, Query, Status};
use queue::EventQueue;
use replication::Primary;
use request::{InFlight, Op, Outcome, RequestRecord, Stats};
use rng::SimRng;
use time::Time;
use timeline::{Position, Timelines};

/// How many finished requests the model remembers for the request log.
pub const RECENT_LIMIT: usize = 50;
/// How many cluster events it remembers.
pub const EVENT_LIMIT: usize = 50;

/// A node as people name it: the master, or a replica by its number (1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeRef {
    Master,
    Replica(usize),
}

impl std::fmt::Display for NodeRef {
    /// `master`, `replica-1`, ...: the name the page, the tests and the logs use.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NodeRef::Master => f.write_str("master"),
            NodeRef::Replica(number) => write!(f, "replica-{number}"),
        }
    }
}

/// What a user (or a test, or a replayed link) can ask of the simulation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `client` writes `name` into user `key` (an upsert), sent to the master.
    Write {
        client: ClientId,
        key: Key,
        name: String,
    },
    /// A write of a random user with a random name, drawn from the seeded generator.
    WriteRandom {
        client: ClientId,
    },
    /// `client` reads user `key`, routed by the read preference and policy.
    Read {
        client: ClientId,
        key: Key,
    },
    /// A read of the key `client` wrote last (the first user, 102, before any write).
    ReadLastWritten {
        client: ClientId,
    },
    /// SQL statements from `client`'s console, run one after another; a syntax error rejects
    /// them all (and is recorded as a failed request).
    Sql {
        client: ClientId,
        text: String,
    },
    /// New settings; the seed can only change by starting a new run.
    Configure(Config),
    Crash(NodeRef),
    Restart(NodeRef),
    CutLink(NodeRef),
    HealLink(NodeRef),
    /// Makes a replica the master: the one named, or the most up-to-date. A master still up is
    /// stopped first, and rejoins as a replica when restarted (if its history allows).
    Promote(Option<NodeRef>),
    /// pg_rewind of a diverged replica: back to the fork, then following the master.
    Rewind(NodeRef),
    /// A new base backup of a replica from the master, whatever state it was in.
    Rebuild(NodeRef),
    /// pg_cancel_backend on the writes waiting for synchronous standbys: they return at once
    /// with a warning, committed on the master only.
    CancelWaits,
    /// Operations per second one node serves.
    SetCapacity(NodeRef, u64),
    /// One replica's share under the weighted policy.
    SetWeight(NodeRef, u64),
    /// One node's one-way distance from the clients, in ms (for the `nearest` preference).
    SetDistance(NodeRef, u64),
    /// One replica's own replication delay, in ms: the time a log entry takes to reach it (a
    /// far-away replica), instead of the run's `lag`.
    SetLag(NodeRef, u64),
    /// One replica's apply delay, in ms: it receives and flushes at once but applies each
    /// entry only this long after the master logged it (`recovery_min_apply_delay`).
    SetApplyDelay(NodeRef, u64),
}

impl std::fmt::Display for Command {
    /// The command in a few words, for notices and reports: `client 1 writes user 101 = "Bob"`,
    /// `crash replica-7`. SQL is cut to its first line's start.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const SQL_SHOWN: usize = 60;
        match self {
            Command::Write { client, key, name } => write!(f, "client {} writes user {key} = {name:?}", client + 1),
            Command::WriteRandom { client } => write!(f, "client {} writes a random user", client + 1),
            Command::Read { client, key } => write!(f, "client {} reads user {key}", client + 1),
            Command::ReadLastWritten { client } => write!(f, "client {} reads its last write", client + 1),
            Command::Sql { client, text } => {
                let shown: String = text.trim().chars().take(SQL_SHOWN).collect();
                let cut = if shown.len() < text.trim().len() { "…" } else { "" };
                write!(f, "client {} runs SQL {shown:?}{cut}", client + 1)
            }
            Command::Configure(_) => f.write_str("new settings"),
            Command::Crash(node) => write!(f, "crash {node}"),
            Command::Restart(node) => write!(f, "restart {node}"),
            Command::CutLink(node) => write!(f, "cut {node}'s link"),
            Command::HealLink(node) => write!(f, "heal {node}'s link"),
            Command::Promote(Some(node)) => write!(f, "promote {node}"),
            Command::Promote(None) => f.write_str("fail over to the best replica"),
            Command::Rewind(node) => write!(f, "rewind {node} (pg_rewind)"),
            Command::Rebuild(node) => write!(f, "rebuild {node} (a new base backup)"),
            Command::CancelWaits => f.write_str("cancel the commits waiting for replicas"),
            Command::SetCapacity(node, capacity) => write!(f, "set {node}'s capacity to {capacity} ops/s"),
            Command::SetWeight(node, weight) => write!(f, "set {node}'s weight to {weight}"),
            Command::SetDistance(node, ms) => write!(f, "set {node}'s distance to {ms} ms"),
            Command::SetLag(node, ms) => write!(f, "set {node}'s replication delay to {ms} ms"),
            Command::SetApplyDelay(node, ms) => write!(f, "set {node}'s apply delay to {ms} ms"),
        }
    }
}

/// Something due in the simulation: a message arriving, or a node's own timer.
#[derive(Clone, Debug)]
pub enum Event {
    Deliver(Message),
    /// The traffic generator's next request; `generation` tells a stale schedule (from before
    /// the rate changed) from the current one.
    Generate {
        generation: u64,
    },
    Timer {
        node: NodeId,
        incarnation: u64,
        timer: Timer,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// The request in service is done.
    ServiceDone,
    /// A received log entry is on disk.
    Flush(Lsn),
    /// The next flushed entry is applied.
    Apply,
    /// The write at this position has waited the semi-sync timeout.
    SemiSyncTimeout(Lsn),
    /// A parked causal read has waited long enough and goes to the master.
    CausalTimeout(RequestId),
    /// The master has been down the failover timeout.
    FailoverCheck,
    /// The master's WAL writer flushes what `off` commits left unflushed.
    WalWriter,
    /// The master has heard nothing from a cut-off replica for `wal_sender_timeout` (the
    /// link's change count when it was cut).
    SenderTimeout(NodeId, u64),
}

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
    config: Config,
    now: Time,
    rng: SimRng,
    queue: EventQueue<Event>,
    network: Network,
    /// Every node ever made, by id; removed ones stay as tombstones for reuse.
    nodes: Vec<Node>,
    master: NodeId,
    primary: Primary,
    timelines: Timelines,
    /// Log entries written so far, across every timeline: numbers each write (`Row::write`).
    writes_logged: u64,
    round_robin: usize,
    sessions: Vec<Session>,
    next_request: RequestId,
    next_incarnation: u64,
    in_flight: InFlight,
    recent: VecDeque<RequestRecord>,
    stats: Stats,
    events: VecDeque<ClusterEvent>,
    metrics: Metrics,
    events_processed: u64,
    /// Bumped whenever the generator's rate changes, voiding the old schedule.
    generation: u64,
    /// Finished SQL console requests, oldest first, at most `RECENT_LIMIT`.
    sql_log: VecDeque<RequestRecord>,
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
            primary: Primary::new(Database::seed(), 0, Timelines::FIRST),
            timelines: Timelines::default(),
            writes_logged: 0,
            round_robin: 0,
            sessions: vec![Session::default(); config.clients],
            next_request: 1,
            next_incarnation: 0,
            in_flight: InFlight::default(),
            recent: VecDeque::new(),
            stats: Stats::default(),
            events: VecDeque::new(),
            metrics: Metrics::default(),
            events_processed: 0,
            generation: 0,
            sql_log: VecDeque::new(),
            config,
        };
        for number in 0..=sim.config.replicas {
            let incarnation = sim.new_incarnation();
            sim.nodes.push(Node::new(number, incarnation, Database::seed(), 0, Timelines::FIRST, &sim.config));
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
        &self.primary.visible
    }

    pub fn committed_lsn(&self) -> Lsn {
        self.primary.committed_lsn
    }

    /// True while semi-sync has fallen back to async.
    pub fn in_fallback(&self) -> bool {
        self.primary.fallback
    }

    /// The replicas in order of their number, with their ids.
    pub fn replicas(&self) -> Vec<(NodeId, &Node)> {
        let mut replicas: Vec<_> = self.unordered_replicas().collect();
        replicas.sort_unstable_by_key(|(_, node)| node.number);
        replicas
    }

    /// The replicas in no particular order, without allocating: for the hot paths.
    pub(crate) fn unordered_replicas(&self) -> impl Iterator<Item = (NodeId, &Node)> {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, node)| node.number > 0 && node.status != Status::Removed)
            .map(|(index, node)| (NodeId(index), node))
    }

    /// The replicas' ids in order of their number.
    pub fn replica_ids(&self) -> Vec<NodeId> {
        self.replicas().into_iter().map(|(id, _)| id).collect()
    }

    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.0]
    }

    /// How a node is named now.
    pub fn name(&self, id: NodeId) -> NodeRef {
        match self.nodes[id.0].number {
            0 => NodeRef::Master,
            number => NodeRef::Replica(number),
        }
    }

    /// The machine and its role, for logs and messages: `pg-2 (replica-1)`.
    pub fn label(&self, id: NodeId) -> String {
        format!("{} ({})", id.machine(), self.name(id))
    }

    pub fn resolve(&self, node: NodeRef) -> Result<NodeId, Refusal> {
        match node {
            NodeRef::Master => Ok(self.master),
            NodeRef::Replica(number) => self
                .replicas()
                .into_iter()
                .find(|(_, node)| node.number == number)
                .map(|(id, _)| id)
                .ok_or_else(|| Refusal::new(format!("there is no replica-{number}"))),
        }
    }

    pub fn state(&self, id: NodeId) -> NodeState {
        let node = &self.nodes[id.0];
        if !node.is_up() {
            NodeState::Down
        } else if matches!(node.follow, node::Follow::Diverged { .. }) {
            NodeState::Diverged
        } else if node.follow == node::Follow::WalRemoved {
            NodeState::Stranded
        } else if node.queue.len() as u64 * 2 >= self.config.queue_limit {
            NodeState::Overloaded
        } else if !node.is_master() && self.is_shunned(id) {
            NodeState::Shunned
        } else {
            NodeState::Up
        }
    }

    /// How far a node is behind the master: in log entries, and in time since the master
    /// logged the oldest entry it has not applied.
    pub fn lag(&self, id: NodeId) -> (u64, Time) {
        let applied = self.nodes[id.0].positions.applied;
        let last = self.master().positions.applied;
        if applied >= last {
            return (0, Time::ZERO);
        }
        let since = self.primary.logged_at(applied + 1).unwrap_or(Time::ZERO);
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
            Event::Deliver(message) => Some((at, message)),
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

    /// Carries out a command at the current instant. A refused command leaves the run as it
    /// was and says why.
    pub fn apply(&mut self, command: Command) -> Result<(), Refusal> {
        match command {
            Command::Write { client, key, name } => self.send_write(self.check_client(client)?, key, name),
            Command::WriteRandom { client } => {
                let client = self.check_client(client)?;
                let key = *self.rng.pick(&data::seed_keys());
                let name = self.rng.pick(&data::WRITE_NAMES).to_string();
                self.send_write(client, key, name);
            }
            Command::Read { client, key } => self.send_read(self.check_client(client)?, key),
            Command::ReadLastWritten { client } => {
                let client = self.check_client(client)?;
                let key = self.sessions[client].last_written_key.unwrap_or(data::FIRST_USER);
                self.send_read(client, key);
            }
            Command::Sql { client, text } => {
                let client = self.check_client(client)?;
                self.submit_sql(client, &text);
            }
            Command::Configure(config) => self.configure(config)?,
            Command::Crash(node) => {
                let id = self.resolve(node)?;
                if !self.nodes[id.0].is_up() {
                    return Err(Refusal::new(format!("{} is already down", self.label(id))));
                }
                self.crash(id, "stopped by hand");
            }
            Command::Restart(node) => {
                let id = self.resolve(node)?;
                if self.nodes[id.0].is_up() {
                    return Err(Refusal::new(format!("{} is already up", self.label(id))));
                }
                self.restart(id);
            }
            Command::CutLink(node) => {
                let id = self.resolve_replica(node)?;
                self.cut_link(id);
            }
            Command::HealLink(node) => {
                let id = self.resolve_replica(node)?;
                self.heal_link(id);
            }
            Command::Promote(node) => {
                let candidate = node.map(|node| self.resolve_replica(node)).transpose()?;
                self.failover(candidate)?;
            }
            Command::Rewind(node) => {
                let id = self.resolve_replica(node)?;
                self.rewind(id)?;
            }
            Command::CancelWaits => {
                let count = self.cancel_waits();
                if count == 0 {
                    return Err(Refusal::new("no commit is waiting for a replica"));
                }
                self.note(EventKind::WaitsCancelled { count });
            }
            Command::Rebuild(node) => {
                let id = self.resolve_replica(node)?;
                if !self.master().is_up() {
                    return Err(Refusal::new("a base backup needs the master up"));
                }
                self.rebuild(id);
            }
            Command::SetCapacity(node, capacity) => {
                let id = self.resolve(node)?;
                if !(1..=config::MAX_CAPACITY).contains(&capacity) {
                    return Err(Refusal::new(format!(
                        "capacity must be between 1 and {} ops/s, got {capacity}",
                        config::MAX_CAPACITY
                    )));
                }
                self.nodes[id.0].capacity = capacity;
            }
            Command::SetWeight(node, weight) => {
                let id = self.resolve_replica(node)?;
                if !(1..=1_000).contains(&weight) {
                    return Err(Refusal::new(format!("weight must be between 1 and 1000, got {weight}")));
                }
                self.nodes[id.0].weight = weight;
            }
            Command::SetLag(_, ms) | Command::SetApplyDelay(_, ms) if ms > config::MAX_DELAY_MS => {
                return Err(Refusal::new(format!(
                    "a delay must be between 0 and {} ms, got {ms}",
                    config::MAX_DELAY_MS
                )));
            }
            Command::SetLag(node, ms) => {
                let id = self.resolve_replica(node)?;
                self.nodes[id.0].lag = Some(Time::from_millis(ms));
            }
            Command::SetApplyDelay(node, ms) => {
                let id = self.resolve_replica(node)?;
                self.nodes[id.0].apply_delay = Time::from_millis(ms);
            }
            Command::SetDistance(node, ms) => {
                let id = self.resolve(node)?;
                if ms > config::MAX_DELAY_MS {
                    return Err(Refusal::new(format!(
                        "distance must be between 0 and {} ms, got {ms}",
                        config::MAX_DELAY_MS
                    )));
                }
                self.nodes[id.0].distance = Time::from_millis(ms);
            }
        }
        Ok(())
    }

    /// Delivers every event due up to `until`, then sets the clock there.
    pub fn run_until(&mut self, until: Time) {
        let mut unlimited = u64::MAX;
        self.run_within(until, &mut unlimited);
    }

    /// Like `run_until`, but handles at most `work` events, taking those handled off `work`, and
    /// says whether it got to `until`. Stopped early, the clock stays at the last event handled,
    /// and a later call goes on from there: a run is the same however its work is sliced.
    pub fn run_within(&mut self, until: Time, work: &mut u64) -> bool {
        loop {
            if *work == 0 {
                if self.queue.next_time().is_some_and(|next| next <= until) {
                    return false;
                }
                break;
            }
            let Some((at, event)) = self.queue.pop_due(until) else { break };
            *work -= 1;
            self.advance_clock(at);
            self.events_processed += 1;
            match event {
                Event::Deliver(message) => self.deliver(message),
                Event::Generate { generation } => self.on_generate(generation),
                Event::Timer { node, incarnation, timer } => {
                    // A timer set in an earlier life of the node (before a crash, a restart
                    // or a removal) has nothing left to act on.
                    if self.nodes[node.0].incarnation == incarnation {
                        self.on_timer(node, timer);
                    }
                }
            }
        }
        self.advance_clock(until);
        true
    }

    /// When the next pending event is due.
    pub fn next_event_time(&self) -> Option<Time> {
        self.queue.next_time()
    }

    /// Jumps to the next pending event and delivers everything due then. Returns false when
    /// nothing is pending.
    pub fn step(&mut self) -> bool {
        match self.queue.next_time() {
            Some(at) => {
                self.run_until(at);
                true
            }
            None => false,
        }
    }

    /// Runs until nothing is pending (with the traffic generator on, that is never).
    pub fn run_to_quiescence(&mut self) {
        while self.step() {}
    }

    /// A hash of the whole observable state, equal for equal runs on every platform.
    pub fn fingerprint(&self) -> u64 {
        let nodes: Vec<_> = self
            .nodes
            .iter()
            .map(|node| (node.number, node.status, node.positions, node.reads_served, &node.data))
            .collect();
        let state = format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}",
            self.now,
            self.config,
            nodes,
            (self.master, self.primary.committed_lsn, &self.primary.visible),
            self.stats,
            self.recent,
            self.in_flight,
            self.events,
            self.queue.len(),
            self.events_processed,
        );
        fnv1a(state.as_bytes())
    }

    fn advance_clock(&mut self, to: Time) {
        self.metrics.skip_to(to);
        while to >= self.metrics.open_until() {
            let samples = self.node_samples();
            self.metrics.close(samples);
        }
        self.now = self.now.max(to);
    }

    fn node_samples(&self) -> Vec<NodeSample> {
        (0..self.nodes.len())
            .map(|index| {
                let (lag_lsn, lag) = self.lag(NodeId(index));
                NodeSample { queue_depth: self.nodes[index].current_ops() as u64, lag_lsn, lag, reads: 0 }
            })
            .collect()
    }

    fn check_client(&self, client: ClientId) -> Result<ClientId, Refusal> {
        if client < self.sessions.len() {
            Ok(client)
        } else {
            Err(Refusal::new(format!("there is no client {}: there are {}", client + 1, self.sessions.len())))
        }
    }

    fn resolve_replica(&self, node: NodeRef) -> Result<NodeId, Refusal> {
        match node {
            NodeRef::Master => Err(Refusal::new("that applies to replicas only, not the master")),
            replica => self.resolve(replica),
        }
    }

    fn new_incarnation(&mut self) -> u64 {
        self.next_incarnation += 1;
        self.next_incarnation
    }

    fn note(&mut self, kind: EventKind) {
        if self.events.len() == EVENT_LIMIT {
            self.events.pop_front();
        }
        self.events.push_back(ClusterEvent { at: self.now, kind });
    }

    fn configure(&mut self, config: Config) -> Result<(), Refusal> {
        config.validate()?;
        if config.seed != self.config.seed {
            return Err(Refusal::new("the seed can only change by starting a new run"));
        }
        // The run-wide capacity and distance replace what was set per node.
        if config.capacity != self.config.capacity {
            for node in &mut self.nodes {
                node.capacity = config.capacity;
            }
        }
        if config.client_ms != self.config.client_ms {
            for node in &mut self.nodes {
                node.distance = Time::from_millis(config.client_ms);
            }
        }
        if config.lag_ms != self.config.lag_ms {
            for node in &mut self.nodes {
                node.lag = None;
            }
        }
        self.sessions.resize_with(config.clients, Session::default);
        let replicas = config.replicas;
        let rate_changed = config.rate != self.config.rate;
        let leaves_off = self.config.mode == Mode::Off && config.mode != Mode::Off;
        self.config = config;
        if leaves_off {
            self.flush_master_wal();
        }
        self.set_replica_count(replicas);
        if rate_changed {
            self.restart_generator();
        }
        // A looser mode or quorum may release writes that were waiting.
        self.commit_ready();
        Ok(())
    }

    fn send_write(&mut self, client: ClientId, key: Key, name: String) {
        let request = self.open_request(client, Op::Write { key, name: name.clone() });
        self.stats.writes_issued += 1;
        self.sessions[client].last_written_key = Some(key);
        let master = self.master;
        self.send(
            Endpoint::Client(client),
            Endpoint::Node(master),
            Payload::Request(Job::Write { request, key, name }),
        );
    }

    fn send_read(&mut self, client: ClientId, key: Key) {
        let request = self.open_request(client, Op::Read { key });
        self.stats.reads_issued += 1;
        match self.route_read(client) {
            Ok(node) => {
                let token = self.causal_token(client);
                self.send(
                    Endpoint::Client(client),
                    Endpoint::Node(node),
                    Payload::Request(Job::Read { request, query: Query::User(key), token }),
                );
            }
            // Refused by the router itself: the client learns at once.
            Err(reason) => self.complete(request, Some(reason)),
        }
    }
    /// The log position a causal read must see: the client's last acknowledged write.
    fn causal_token(&self, client: ClientId) -> Option<Position> {
        self.sessions[client].last_commit.filter(|_| self.config.causal_reads)
    }

    /// Whether a node has applied the write at `position`: part of the history it is on, up to
    /// where it is.
    fn has_applied(&self, id: NodeId, position: Position) -> bool {
        let node = &self.nodes[id.0];
        self.timelines.contains(node.timeline, node.positions.applied, position)
    }

    fn open_request(&mut self, client: ClientId, op: Op) -> RequestId {
        let id = self.next_request;
        self.next_request += 1;
        self.in_flight.insert(RequestRecord::new(id, client, op, self.now));
        id
    }

    /// Puts a message on the wire. The replication link of a cut replica drops it.
    fn send(&mut self, from: Endpoint, to: Endpoint, payload: Payload) {
        if self.crosses_cut_link(from, to) {
            return;
        }
        let base = match (from, to, &payload) {
            (Endpoint::Client(_), Endpoint::Node(node), _) | (Endpoint::Node(node), Endpoint::Client(_), _) => {
                self.nodes[node.0].distance
            }
            (_, Endpoint::Node(replica), Payload::Replicate { .. }) => {
                self.nodes[replica.0].lag.unwrap_or(Time::from_millis(self.config.lag_ms))
            }
            _ => network::HOP,
        };
        let jitter = match self.config.jitter_ms {
            0 => Time::ZERO,
            ms => Time(self.rng.below(ms * 1_000 + 1)),
        };
        let at = self.network.arrival(from, to, self.now + base + jitter);
        self.queue.push(at, Event::Deliver(Message { from, to, sent_at: self.now, payload }));
    }

    fn schedule(&mut self, node: NodeId, after: Time, timer: Timer) {
        let incarnation = self.nodes[node.0].incarnation;
        self.queue.push(self.now + after, Event::Timer { node, incarnation, timer });
    }

    fn reply(&mut self, from: NodeId, request: RequestId, error: Option<String>) {
        if let Some(client) = self.in_flight.get(request).map(|record| record.client) {
            self.send(Endpoint::Node(from), Endpoint::Client(client), Payload::Reply { request, error });
        }
    }

    fn deliver(&mut self, message: Message) {
        match (message.to, message.payload) {
            (Endpoint::Client(_), Payload::Reply { request, error }) => self.complete(request, error),
            (Endpoint::Node(node), Payload::Request(job)) => self.arrive(node, job),
            (Endpoint::Node(node), Payload::Replicate { timeline, entry }) => {
                if !self.crosses_cut_link(message.from, message.to) {
                    self.on_replicate(node, timeline, entry);
                }
            }
            (Endpoint::Node(node), Payload::Ack { timeline, positions }) => {
                if let Endpoint::Node(replica) = message.from
                    && node == self.master
                    && !self.crosses_cut_link(message.from, message.to)
                {
                    self.on_ack(replica, timeline, positions);
                }
            }
            _ => unreachable!("every message kind is sent only to an endpoint that handles it"),
        }
    }

    fn on_timer(&mut self, node: NodeId, timer: Timer) {
        match timer {
            Timer::ServiceDone => self.service_done(node),
            Timer::Flush(lsn) => self.on_flushed(node, lsn),
            Timer::Apply => self.apply_next(node),
            Timer::SemiSyncTimeout(lsn) => self.on_semi_sync_timeout(lsn),
            Timer::CausalTimeout(request) => self.on_causal_timeout(node, request),
            Timer::FailoverCheck => self.on_failover_check(node),
            Timer::WalWriter => self.flush_master_wal(),
            Timer::SenderTimeout(replica, changes) => self.on_sender_timeout(replica, changes),
        }
    }

    fn record(&mut self, request: RequestId, node: NodeId, outcome: Outcome) {
        let name = self.name(node);
        if let Some(record) = self.in_flight.get_mut(request) {
            record.served_by = Some(name);
            record.machine = Some(node);
            record.outcome = Some(outcome);
        }
    }

    /// The reply reached the client: count it and check the session's guarantees.
    fn complete(&mut self, request: RequestId, error: Option<String>) {
        let Some(mut record) = self.in_flight.remove(request) else {
            return;
        };
        record.completed_at = Some(self.now);
        let latency = self.now - record.issued_at;
        let session = &mut self.sessions[record.client];
        let completion = match (error, &record.outcome) {
            (Some(reason), _) => {
                record.outcome = Some(Outcome::Failed { reason });
                if record.is_read() {
                    self.stats.reads_failed += 1;
                } else {
                    self.stats.writes_failed += 1;
                }
                Completion::Failed
            }
            (None, Some(Outcome::Rows { node_at, .. })) => {
                // A SELECT names no single row, so it misses the client's own write when its
                // answer is stale and the node had not applied the client's last acknowledged
                // write: what a causal token (MaxScale's causal_reads) would have waited for.
                let has_it = session
                    .last_commit
                    .is_none_or(|token| self.timelines.contains(node_at.timeline, node_at.lsn, token));
                record.ryw_violation = record.is_stale() && !has_it;
                self.stats.reads_completed += 1;
                self.stats.stale_reads += u64::from(record.is_stale());
                self.stats.ryw_violations += u64::from(record.ryw_violation);
                Completion::Read { stale: record.is_stale(), latency }
            }
            (None, Some(Outcome::Changed { at, .. })) => {
                if let Some(at) = at {
                    session.on_commit(*at);
                }
                self.stats.writes_acked += 1;
                Completion::Write { latency }
            }
            (None, Some(Outcome::Read { row, .. })) => {
                let key = record.key().expect("user reads name a user");
                let violations = session.on_read(key, row.as_ref().map_or(0, |row| row.write));
                record.ryw_violation = violations.read_your_writes;
                record.monotonic_violation = violations.monotonic;
                self.stats.reads_completed += 1;
                self.stats.stale_reads += u64::from(record.is_stale());
                self.stats.ryw_violations += u64::from(violations.read_your_writes);
                self.stats.monotonic_violations += u64::from(violations.monotonic);
                Completion::Read { stale: record.is_stale(), latency }
            }
            (None, Some(Outcome::Logged { at, write, .. })) => {
                session.on_write_acked(record.key().expect("user writes name a user"), *write, *at);
                self.stats.writes_acked += 1;
                Completion::Write { latency }
            }
            (None, _) => unreachable!("a node answers only after recording an outcome"),
        };
        self.metrics.record(completion);
        let client = record.client;
        if let Op::Sql { .. } = record.op {
            if self.sql_log.len() == RECENT_LIMIT {
                self.sql_log.pop_front();
            }
            self.sql_log.push_back(record.clone());
        }
        if self.recent.len() == RECENT_LIMIT {
            self.recent.pop_front();
        }
        self.recent.push_back(record);
        if self.sessions[client].sql_running == Some(request) {
            self.send_next_statement(client);
        }
    }

    /// Marks a request as lost wherever its record is.
    fn mark_lost(&mut self, request: RequestId) {
        if let Some(record) = self.in_flight.get_mut(request) {
            record.lost = true;
        } else if let Some(record) = self.recent.iter_mut().find(|record| record.id == request) {
            record.lost = true;
        }
    }

    fn mode_acknowledged(&self) -> Mode {
        if self.primary.fallback { Mode::Async } else { self.config.mode }
    }
}

/// 64-bit FNV-1a: a fixed, portable hash (std's hasher may change between Rust versions).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3))
}
