//! The network as a part that owns its state: each machine's links (how far it is from the
//! clients, how long its replication stream takes, whether a partition cut it off the master)
//! and the order of delivery on every link. It says when a message sent now arrives, or that
//! a cut drops it; the simulation queues it.

use std::rc::Rc;

use crate::cluster::MongoOp;
use crate::cluster::node::{Job, Positions};
use crate::config::Config;
use crate::data::{LogEntry, Lsn};
use crate::ids::{ClientId, NodeId, RequestId};
use crate::queue::EventQueue;
use crate::rng::SimRng;
use crate::simulation::Due;
use crate::time::Time;
use crate::timeline::Position;

/// A replica's report to the master takes this long, before jitter. (Clients are
/// `client_ms` away from each node; log entries take `lag`.)
pub const HOP: Time = Time::from_millis(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    Client(ClientId),
    Node(NodeId),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    /// A client's request on its way to a node, which queues it as is.
    Request(Job),
    /// The answer to a request; `error` says why it failed.
    Reply { request: RequestId, error: Option<String> },
    /// The master shipping one log entry down a replica's replication stream.
    Replicate { timeline: usize, entry: Rc<LogEntry> },
    /// A replica telling the master how far it has got.
    Ack { timeline: usize, positions: Positions },
    /// The master's walsender streaming one decoded transaction from the connector's logical
    /// slot.
    Decoded { entry: Rc<LogEntry>, session: u64 },
    /// The connector telling the master how far MongoDB has acknowledged its changes: the
    /// slot's `confirmed_flush_lsn` (a logical consumer's flush position).
    Confirm { lsn: Lsn },
    /// The connector's batch of writes to MongoDB's primary, through source position
    /// `through`, in its session `session`.
    MongoWrite { ops: Rc<[MongoOp]>, through: Position, session: u64 },
    /// The primary acknowledging a batch (write concern `w: 1`: its own copy only).
    MongoAck { through: Lsn, session: u64 },
    /// The primary's oplog, copied by a secondary.
    Oplog { ops: Rc<[MongoOp]>, through: Position },
}

/// Something in flight from one endpoint to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub from: Endpoint,
    pub to: Endpoint,
    pub sent_at: Time,
    pub payload: Payload,
}

/// A machine's links: to the clients, and (a replica's) to the master.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Links {
    /// One-way time between the clients and this machine.
    pub distance: Time,
    /// This replica's own replication delay, instead of the run's `lag`.
    pub lag: Option<Time>,
    /// Its replication link to the master is cut (a partition).
    pub cut: bool,
    /// Counts cuts and heals, so that a timeout set for one cut is void after a heal.
    pub changes: u64,
}

impl Links {
    fn new(config: &Config) -> Links {
        Links { distance: Time::from_millis(config.client_ms), lag: None, cut: false, changes: 0 }
    }
}

/// Delivery order per link: each link is ordered like the TCP connection it models, so
/// jitter or a lowered delay never lets a later message overtake an earlier one.
#[derive(Clone, Debug, Default)]
pub struct Network {
    /// The last delivery time of each link, indexed by its two endpoints' indexes.
    tails: Vec<Time>,
    /// How many endpoint indexes `tails` has room for, per side.
    width: usize,
    /// Each machine's links, by node id.
    links: Vec<Links>,
}

/// Clients come first, then nodes by id.
fn endpoint_index(endpoint: Endpoint) -> usize {
    match endpoint {
        Endpoint::Client(client) => client,
        Endpoint::Node(NodeId(id)) => crate::config::MAX_CLIENTS + id,
    }
}

impl Network {
    /// A new machine at `id` (or one that replaces a removed one) has the run's links.
    pub(crate) fn connect(&mut self, id: NodeId, config: &Config) {
        let fresh = Links::new(config);
        match self.links.get_mut(id.0) {
            Some(links) => *links = fresh,
            None => self.links.resize(id.0 + 1, fresh),
        }
    }

    pub fn links(&self, id: NodeId) -> &Links {
        &self.links[id.0]
    }

    pub(crate) fn set_distance(&mut self, id: NodeId, distance: Time) {
        self.links[id.0].distance = distance;
    }

    pub(crate) fn set_lag(&mut self, id: NodeId, lag: Time) {
        self.links[id.0].lag = Some(lag);
    }

    /// The run's distance and lag replace what was set per machine.
    pub(crate) fn reset_distances(&mut self, distance: Time) {
        self.links.iter_mut().for_each(|links| links.distance = distance);
    }

    pub(crate) fn reset_lags(&mut self) {
        self.links.iter_mut().for_each(|links| links.lag = None);
    }

    /// Cuts a replica's link to the master; returns the link's change count, which names this
    /// cut.
    pub(crate) fn cut(&mut self, replica: NodeId) -> u64 {
        let links = &mut self.links[replica.0];
        links.cut = true;
        links.changes += 1;
        links.changes
    }

    pub(crate) fn heal(&mut self, replica: NodeId) {
        let links = &mut self.links[replica.0];
        links.cut = false;
        links.changes += 1;
    }

    /// A new master is another machine, which every replica reaches.
    pub(crate) fn heal_all(&mut self) {
        self.links.iter_mut().for_each(|links| links.cut = false);
    }

    /// Whether the message would cross the cut replication link between the master and a
    /// replica.
    pub(crate) fn crosses_cut(&self, from: Endpoint, to: Endpoint, master: NodeId) -> bool {
        match (from, to) {
            (Endpoint::Node(a), Endpoint::Node(b)) => self.links[if a == master { b } else { a }.0].cut,
            _ => false,
        }
    }

    /// Puts a message on the wire: queued for when it arrives, unless a cut link drops it.
    pub(crate) fn post(
        &mut self,
        message: Message,
        master: NodeId,
        config: &Config,
        rng: &mut SimRng,
        queue: &mut EventQueue<Due>,
    ) {
        let Message { from, to, sent_at, ref payload } = message;
        if let Some(at) = self.transit((from, to, payload), sent_at, master, config, rng) {
            queue.push(at, Due::Deliver(message));
        }
    }

    /// When a message sent at `now` arrives: after its link's delay and jitter, and never before
    /// one sent earlier on the same link. `None`: a cut link drops it.
    fn transit(
        &mut self,
        (from, to, payload): (Endpoint, Endpoint, &Payload),
        now: Time,
        master: NodeId,
        config: &Config,
        rng: &mut SimRng,
    ) -> Option<Time> {
        if self.crosses_cut(from, to, master) {
            return None;
        }
        let base = match (from, to, payload) {
            (Endpoint::Client(_), Endpoint::Node(node), _) | (Endpoint::Node(node), Endpoint::Client(_), _) => {
                self.links[node.0].distance
            }
            (_, Endpoint::Node(replica), Payload::Replicate { .. }) => {
                self.links[replica.0].lag.unwrap_or(Time::from_millis(config.lag_ms))
            }
            (_, _, Payload::Oplog { .. }) => Time::from_millis(config.mongo_lag_ms),
            _ => HOP,
        };
        let jitter = match config.jitter_ms {
            0 => Time::ZERO,
            ms => Time(rng.below(ms * 1_000 + 1)),
        };
        Some(self.arrival(endpoint_index(from), endpoint_index(to), now + base + jitter))
    }

    fn arrival(&mut self, from: usize, to: usize, earliest: Time) -> Time {
        let needed = from.max(to) + 1;
        if needed > self.width {
            let width = needed.next_power_of_two();
            let mut tails = vec![Time::ZERO; width * width];
            for row in 0..self.width {
                tails[row * width..row * width + self.width]
                    .copy_from_slice(&self.tails[row * self.width..(row + 1) * self.width]);
            }
            self.tails = tails;
            self.width = width;
        }
        let tail = &mut self.tails[from * self.width + to];
        *tail = earliest.max(*tail);
        *tail
    }
}
