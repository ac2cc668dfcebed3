//! Who talks to whom, and how long a message takes.

use std::rc::Rc;

use crate::data::LogEntry;
use crate::ids::{ClientId, NodeId, RequestId};
use crate::node::{Job, Positions};
use crate::time::Time;
use crate::{Event, Simulation, Timer};

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
        Endpoint::Node(NodeId(id)) => crate::config::MAX_CLIENTS + id,
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

impl Simulation {
    /// Puts a message on the wire. The replication link of a cut replica drops it.
    pub(crate) fn send(&mut self, from: Endpoint, to: Endpoint, payload: Payload) {
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
            _ => crate::network::HOP,
        };
        let jitter = match self.config.jitter_ms {
            0 => Time::ZERO,
            ms => Time(self.rng.below(ms * 1_000 + 1)),
        };
        let at = self.network.arrival(from, to, self.now + base + jitter);
        self.queue.push(at, Event::Deliver(Message { from, to, sent_at: self.now, payload }));
    }

    pub(crate) fn schedule(&mut self, node: NodeId, after: Time, timer: Timer) {
        let incarnation = self.nodes[node.0].incarnation;
        self.queue.push(self.now + after, Event::Timer { node, incarnation, timer });
    }

    pub(crate) fn reply(&mut self, from: NodeId, request: RequestId, error: Option<String>) {
        if let Some(client) = self.in_flight.get(request).map(|record| record.client) {
            self.send(Endpoint::Node(from), Endpoint::Client(client), Payload::Reply { request, error });
        }
    }

    pub(crate) fn deliver(&mut self, message: Message) {
        match (message.to, message.payload) {
            (Endpoint::Client(_), Payload::Reply { request, error }) => self.complete(request, error),
            (Endpoint::Node(node), Payload::Request(job)) => self.arrive(node, job),
            (Endpoint::Node(node), Payload::Replicate { timeline, entry }) => {
                if !self.crosses_cut_link(message.from, message.to) {
                    self.in_room(node, |standby, seen, out| standby.receive(timeline, entry, seen, out));
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
}
