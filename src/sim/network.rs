//! Who talks to whom, and how long a message takes.

use super::data::{Key, LogEntry, Lsn};
use super::time::Time;

/// One hop between a client and a node, or a replica's acknowledgement back to the master.
pub const HOP: Time = Time::from_millis(1);

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeId {
    Master,
    /// Zero-based index; shown to people as `replica-1`, `replica-2`, ...
    Replica(usize),
}

impl NodeId {
    /// The name the page, the tests and the request log use: `master`, `replica-1`, ...
    pub fn label(self) -> String {
        match self {
            NodeId::Master => "master".to_string(),
            NodeId::Replica(index) => format!("replica-{}", index + 1),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// The application service that sends reads and writes.
    Client,
    Node(NodeId),
}

pub type RequestId = u64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    Write {
        request: RequestId,
        key: Key,
        name: String,
    },
    Read {
        request: RequestId,
        key: Key,
    },
    Reply {
        request: RequestId,
    },
    /// The master shipping one log entry down a replica's replication stream.
    Replicate(LogEntry),
    /// A replica telling the master how far it has applied the log.
    Ack {
        lsn: Lsn,
    },
}

/// Something in flight from one endpoint to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub from: Endpoint,
    pub to: Endpoint,
    pub sent_at: Time,
    pub payload: Payload,
}

/// Messages a node handler wants sent; the simulation stamps and schedules them.
#[derive(Debug, Default)]
pub struct Outbox(Vec<(Endpoint, Payload)>);

impl Outbox {
    pub fn send(&mut self, to: Endpoint, payload: Payload) {
        self.0.push((to, payload));
    }

    pub fn drain(&mut self) -> impl Iterator<Item = (Endpoint, Payload)> + '_ {
        self.0.drain(..)
    }
}

/// Delivery times. Each replication stream is ordered like the TCP connection it models: a
/// lag lowered mid-stream never lets a later entry overtake an earlier one.
#[derive(Debug, Default)]
pub struct Network {
    stream_tail: Vec<Time>,
}

impl Network {
    pub fn resize(&mut self, replicas: usize) {
        self.stream_tail.resize(replicas, Time::ZERO);
    }

    pub fn arrival(&mut self, now: Time, from: Endpoint, to: Endpoint, lag: Time) -> Time {
        match (from, to) {
            (Endpoint::Node(NodeId::Master), Endpoint::Node(NodeId::Replica(index))) => {
                let at = (now + lag).max(self.stream_tail[index]);
                self.stream_tail[index] = at;
                at
            }
            _ => now + HOP,
        }
    }
}
