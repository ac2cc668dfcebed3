//! Who talks to whom, and how long a message takes.

use std::rc::Rc;

use super::data::{LogEntry, Lsn};
use super::node::Job;
use super::time::Time;

/// A replica's report to the master takes this long, before jitter. (Clients are
/// `client_ms` away from each node; log entries take `lag`.)
pub const HOP: Time = Time::from_millis(1);

/// A node's stable identity. Its role (master or replica number) can change by failover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub usize);

impl NodeId {
    /// The machine's name, which stays with it whatever role it has: `pg-1`, `pg-2`, ...
    /// (every machine runs PostgreSQL; replicas are shown MongoDB-style, as the lecture draws).
    pub fn machine(self) -> String {
        format!("pg-{}", self.0 + 1)
    }
}

/// A simulated client, 0-based; shown as `client 1`, `client 2`, ...
pub type ClientId = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    Client(ClientId),
    Node(NodeId),
}

pub type RequestId = u64;

/// The log positions a replica reports to the master.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Positions {
    pub received: Lsn,
    pub flushed: Lsn,
    pub applied: Lsn,
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
}

/// Something in flight from one endpoint to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub from: Endpoint,
    pub to: Endpoint,
    pub sent_at: Time,
    pub payload: Payload,
}

/// Delivery order per link: each link is ordered like the TCP connection it models, so
/// jitter or a lowered delay never lets a later message overtake an earlier one.
#[derive(Clone, Debug, Default)]
pub struct Network {
    /// The last delivery time of each link, indexed by its two endpoints' indexes.
    tails: Vec<Time>,
    /// How many endpoint indexes `tails` has room for, per side.
    width: usize,
}

/// Clients come first, then nodes by id.
fn endpoint_index(endpoint: Endpoint) -> usize {
    match endpoint {
        Endpoint::Client(client) => client,
        Endpoint::Node(NodeId(id)) => super::config::MAX_CLIENTS + id,
    }
}

impl Network {
    pub fn arrival(&mut self, from: Endpoint, to: Endpoint, earliest: Time) -> Time {
        let (from, to) = (endpoint_index(from), endpoint_index(to));
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
