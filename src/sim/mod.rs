//! The model: a deterministic discrete-event simulation of one master and its replicas.
//!
//! Pure Rust with no clock and no entropy of its own: time is simulated and jumps from event
//! to event, and every random choice comes from the seeded generator, so the same seed and
//! the same commands give the same run on every platform.

pub mod config;
pub mod data;
pub mod master;
pub mod network;
pub mod queue;
pub mod replica;
pub mod request;
pub mod rng;
pub mod routing;
pub mod time;

use std::collections::{BTreeMap, VecDeque};

use config::{Config, ConfigError, Mode};
use data::{Key, Lsn};
use master::Master;
use network::{Endpoint, Message, Network, NodeId, Outbox, Payload, RequestId};
use queue::EventQueue;
use replica::Replica;
use request::{Op, Outcome, RequestRecord, Stats};
use rng::SimRng;
use routing::RoundRobin;
use time::Time;

/// How many finished requests the model remembers for the request log.
pub const RECENT_LIMIT: usize = 50;

/// What a user (or a test, or a replayed link) can ask of the simulation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// The client writes `name` into user `key` (an upsert), sent to the master.
    Write {
        key: Key,
        name: String,
    },
    /// A write of a random user with a random name, drawn from the seeded generator.
    WriteRandom,
    /// The client reads user `key`, routed to a replica.
    Read {
        key: Key,
    },
    /// A read of the key the client most recently wrote (user 101 before any write).
    ReadLastWritten,
    SetMode(Mode),
    SetLag(u64),
    SetReplicas(usize),
}

pub struct Simulation {
    config: Config,
    now: Time,
    rng: SimRng,
    queue: EventQueue<Message>,
    network: Network,
    master: Master,
    replicas: Vec<Replica>,
    routing: RoundRobin,
    next_request: RequestId,
    in_flight: BTreeMap<RequestId, RequestRecord>,
    recent: VecDeque<RequestRecord>,
    stats: Stats,
    last_written_key: Key,
}

impl Simulation {
    pub fn new(config: Config) -> Result<Simulation, ConfigError> {
        config.validate()?;
        let master = Master::new(config.replicas);
        let replicas = (0..config.replicas)
            .map(|_| Replica::from_copy(data::seed_users(), 0))
            .collect();
        let mut network = Network::default();
        network.resize(config.replicas);
        Ok(Simulation {
            rng: SimRng::new(config.seed),
            config,
            now: Time::ZERO,
            queue: EventQueue::default(),
            network,
            master,
            replicas,
            routing: RoundRobin::default(),
            next_request: 1,
            in_flight: BTreeMap::new(),
            recent: VecDeque::new(),
            stats: Stats::default(),
            last_written_key: data::FIRST_USER,
        })
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn now(&self) -> Time {
        self.now
    }

    pub fn master(&self) -> &Master {
        &self.master
    }

    pub fn replicas(&self) -> &[Replica] {
        &self.replicas
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
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
        self.queue.iter()
    }

    /// The applied log position of a node: the master's newest entry, or how far a replica
    /// has applied.
    pub fn applied_lsn(&self, node: NodeId) -> Lsn {
        match node {
            NodeId::Master => self.master.last_lsn(),
            NodeId::Replica(index) => self.replicas[index].applied_lsn(),
        }
    }

    /// Carries out a command at the current instant. A refused setting leaves the run as it
    /// was and says why.
    pub fn apply(&mut self, command: Command) -> Result<(), ConfigError> {
        match command {
            Command::Write { key, name } => self.send_write(key, name),
            Command::WriteRandom => {
                let key = *self.rng.pick(&data::seed_keys());
                let name = self.rng.pick(&data::WRITE_NAMES).to_string();
                self.send_write(key, name);
            }
            Command::Read { key } => self.send_read(key),
            Command::ReadLastWritten => self.send_read(self.last_written_key),
            Command::SetMode(mode) => {
                self.config.mode = mode;
                // Leaving sync releases the writes that were waiting, as clearing
                // PostgreSQL's synchronous_standby_names does.
                let mut out = Outbox::default();
                self.master.commit_ready(mode, &mut out);
                self.dispatch(Endpoint::Node(NodeId::Master), &mut out);
            }
            Command::SetLag(lag_ms) => self.config.lag_ms = config::check_lag_ms(lag_ms)?,
            Command::SetReplicas(count) => self.set_replicas(config::check_replicas(count as u64)?),
        }
        Ok(())
    }

    /// Delivers every message due up to `until`, then sets the clock there.
    pub fn run_until(&mut self, until: Time) {
        while let Some((at, message)) = self.queue.pop_due(until) {
            self.now = at;
            self.deliver(message);
        }
        self.now = self.now.max(until);
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

    /// Runs until no message is in flight.
    pub fn run_to_quiescence(&mut self) {
        while self.step() {}
    }

    /// A hash of the whole observable state, equal for equal runs on every platform.
    pub fn fingerprint(&self) -> u64 {
        let replicas: Vec<_> = self
            .replicas
            .iter()
            .map(|r| (r.applied_lsn(), r.reads_served(), r.table()))
            .collect();
        let state = format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}",
            self.now,
            self.config,
            (
                self.master.last_lsn(),
                self.master.committed_lsn(),
                self.master.table()
            ),
            replicas,
            self.stats,
            self.recent,
            self.in_flight,
            self.queue.len(),
        );
        fnv1a(state.as_bytes())
    }

    fn send_write(&mut self, key: Key, name: String) {
        let request = self.open_request(Op::Write {
            key,
            name: name.clone(),
        });
        self.stats.writes_issued += 1;
        self.last_written_key = key;
        self.send(
            Endpoint::Client,
            Endpoint::Node(NodeId::Master),
            Payload::Write { request, key, name },
        );
    }

    fn send_read(&mut self, key: Key) {
        let request = self.open_request(Op::Read { key });
        self.stats.reads_issued += 1;
        let node = self.routing.next(self.replicas.len());
        self.send(
            Endpoint::Client,
            Endpoint::Node(node),
            Payload::Read { request, key },
        );
    }

    fn open_request(&mut self, op: Op) -> RequestId {
        let id = self.next_request;
        self.next_request += 1;
        self.in_flight.insert(
            id,
            RequestRecord {
                id,
                op,
                issued_at: self.now,
                node: None,
                outcome: None,
                completed_at: None,
            },
        );
        id
    }

    fn set_replicas(&mut self, count: usize) {
        let copy = self.master.logged().clone();
        let lsn = self.master.last_lsn();
        self.replicas
            .resize_with(count, || Replica::from_copy(copy.clone(), lsn));
        self.network.resize(count);
        self.config.replicas = count;
        let mut out = Outbox::default();
        self.master.set_replicas(count, self.config.mode, &mut out);
        self.dispatch(Endpoint::Node(NodeId::Master), &mut out);
    }

    fn send(&mut self, from: Endpoint, to: Endpoint, payload: Payload) {
        let lag = Time::from_millis(self.config.lag_ms);
        let at = self.network.arrival(self.now, from, to, lag);
        self.queue.push(
            at,
            Message {
                from,
                to,
                sent_at: self.now,
                payload,
            },
        );
    }

    fn dispatch(&mut self, from: Endpoint, out: &mut Outbox) {
        for (to, payload) in out.drain() {
            self.send(from, to, payload);
        }
    }

    fn deliver(&mut self, message: Message) {
        let mut out = Outbox::default();
        let mode = self.config.mode;
        match (message.to, message.payload) {
            (Endpoint::Node(NodeId::Master), Payload::Write { request, key, name }) => {
                let entry = self.master.on_write(request, key, name, mode, &mut out);
                self.record(
                    request,
                    NodeId::Master,
                    Outcome::Logged {
                        lsn: entry.lsn,
                        version: entry.row.version,
                    },
                );
            }
            (Endpoint::Node(node), Payload::Read { request, key }) => {
                // A read that reaches a replica removed while it was on its way is answered
                // by the master instead of being lost.
                let served_by = match node {
                    NodeId::Replica(index) if index >= self.replicas.len() => NodeId::Master,
                    other => other,
                };
                let row = match served_by {
                    NodeId::Master => self.master.on_read(request, key, &mut out),
                    NodeId::Replica(index) => self.replicas[index].on_read(request, key, &mut out),
                };
                let master_version = data::version_of(self.master.table(), key);
                self.record(
                    request,
                    served_by,
                    Outcome::Read {
                        row,
                        master_version,
                    },
                );
            }
            (Endpoint::Node(NodeId::Master), Payload::Ack { lsn }) => {
                if let Endpoint::Node(NodeId::Replica(index)) = message.from {
                    self.master.on_ack(index, lsn, mode, &mut out);
                }
            }
            (Endpoint::Node(NodeId::Replica(index)), Payload::Replicate(entry)) => {
                // The stream to a removed replica is gone with it.
                if let Some(replica) = self.replicas.get_mut(index) {
                    replica.on_replicate(&entry, &mut out);
                }
            }
            (Endpoint::Client, Payload::Reply { request }) => self.complete(request),
            (to, payload) => unreachable!("no handler for {payload:?} at {to:?}"),
        }
        if let Endpoint::Node(_) = message.to {
            self.dispatch(message.to, &mut out);
        }
    }

    fn record(&mut self, request: RequestId, node: NodeId, outcome: Outcome) {
        if let Some(record) = self.in_flight.get_mut(&request) {
            record.node = Some(node);
            record.outcome = Some(outcome);
        }
    }

    fn complete(&mut self, request: RequestId) {
        let Some(mut record) = self.in_flight.remove(&request) else {
            return;
        };
        record.completed_at = Some(self.now);
        if record.is_read() {
            self.stats.reads_completed += 1;
            if record.is_stale() {
                self.stats.stale_reads += 1;
            }
        } else {
            self.stats.writes_acked += 1;
        }
        if self.recent.len() == RECENT_LIMIT {
            self.recent.pop_front();
        }
        self.recent.push_back(record);
    }
}

/// 64-bit FNV-1a: a fixed, portable hash (std's hasher may change between Rust versions).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}
