//! What is asked instead of done, at two levels. A machine in its room is shown what it may see
//! (`Seen`) and returns what it wants (`Want`s: its messages, timers, a follow-up), which the
//! door (`rooms.rs`) turns into the cluster's asks, in order: a machine changes nothing but
//! itself. The cluster sees the clock, the settings and the network through a `Ctx` and asks it
//! for the rest (a message, a timer, a reply, what a request's record keeps, an event for the
//! log): it changes nothing but itself and the network's links.

use std::collections::VecDeque;

use crate::clients::Clients;
use crate::cluster::node::Job;
use crate::config::{Config, Mode};
use crate::data::LogEntry;
use crate::events::{self, ClusterEvent, EventKind};
use crate::ids::{NodeId, NodeRef, RequestId};
use crate::metrics::Metrics;
use crate::network::{Endpoint, Message, Network, Payload};
use crate::queue::EventQueue;
use crate::request::Outcome;
use crate::rng::SimRng;
use crate::simulation::Due;
use crate::time::Time;
use crate::{MachineTimer, Timer};

/// One thing a machine wants to happen, as the machine itself names it.
#[derive(Clone, Debug)]
pub(crate) enum Want {
    /// A message from this machine to the master.
    ToMaster(Payload),
    /// A timer on this machine, in this life of it.
    After(Time, Timer),
    /// Its progress may let parked causal reads through: serve those it now can.
    ServeParked,
}

/// What a handler wants, in order.
pub(crate) type Wants = Vec<Want>;

/// What a machine knows of the world when it handles something.
pub(crate) struct Seen<'a> {
    pub now: Time,
    pub config: &'a Config,
    /// The master's timeline: entries from any other (a deposed master's) are dropped.
    pub master_timeline: usize,
}

/// The cluster's door to the rest of the simulation: what it sees (the clock, the settings, the
/// network) and, as methods, everything it may ask for, each performed at once and in the order
/// asked. The other parts' state stays behind the methods.
pub(crate) struct Ctx<'a> {
    pub now: Time,
    pub config: &'a Config,
    pub network: &'a mut Network,
    /// The machine that is master now, as messages are routed (a failover changes it).
    pub master: NodeId,
    rng: &'a mut SimRng,
    queue: &'a mut EventQueue<Due>,
    clients: &'a mut Clients,
    events: &'a mut VecDeque<ClusterEvent>,
    metrics: &'a mut Metrics,
}

impl<'a> Ctx<'a> {
    #[allow(clippy::too_many_arguments)] // the door is built from the simulation's parts, once per handler
    pub fn new(
        now: Time,
        config: &'a Config,
        network: &'a mut Network,
        master: NodeId,
        rng: &'a mut SimRng,
        queue: &'a mut EventQueue<Due>,
        clients: &'a mut Clients,
        events: &'a mut VecDeque<ClusterEvent>,
        metrics: &'a mut Metrics,
    ) -> Ctx<'a> {
        Ctx { now, config, network, master, rng, queue, clients, events, metrics }
    }

    /// A message on the wire (a cut link drops it).
    pub fn send(&mut self, from: Endpoint, to: Endpoint, payload: Payload) {
        let message = Message { from, to, sent_at: self.now, payload };
        self.network.post(message, self.master, self.config, self.rng, self.queue);
    }

    /// A timer on a machine, for the life it has now (`incarnation`).
    pub fn timer(&mut self, node: NodeId, incarnation: u64, after: Time, timer: MachineTimer) {
        self.queue.push(self.now + after, Due::Timer { node, incarnation, timer });
    }

    /// A machine's answer to a request, for the client that asked.
    pub fn reply(&mut self, from: NodeId, request: RequestId, error: Option<String>) {
        if let Some(client) = self.clients.client_of(request) {
            self.send(Endpoint::Node(from), Endpoint::Client(client), Payload::Reply { request, error });
        }
    }

    /// What a machine made of a request, for the request's record.
    pub fn served(
        &mut self,
        request: RequestId,
        machine: NodeId,
        role: Option<NodeRef>,
        old_master: bool,
        outcome: Outcome,
    ) {
        self.clients.served(request, machine, role, old_master, outcome);
    }

    /// A write committed on the master, acknowledged as `mode` (with PostgreSQL's warning, if any).
    pub fn committed(&mut self, request: RequestId, entry: &LogEntry, mode: Mode, warning: Option<&'static str>) {
        self.clients.committed(request, entry, mode, warning, self.now);
    }

    /// An acknowledged write is gone (a crash, a failover).
    pub fn lost(&mut self, request: RequestId) {
        self.clients.lost(request);
    }

    /// A machine's copy was rolled back (a crash losing unflushed commits, a rewind, a rebuild).
    pub fn rolled_back(&mut self) {
        self.clients.rolled_back();
    }

    /// A machine answered a read, for its chart.
    pub fn read_served(&mut self, node: NodeId) {
        self.metrics.record_node_read(node.0);
    }

    /// A parked causal read gave up waiting: its client sends it to `to` (the master).
    pub fn retry(&mut self, request: RequestId, to: NodeId, job: Job) {
        if let Some(client) = self.clients.client_of(request) {
            self.send(Endpoint::Client(client), Endpoint::Node(to), Payload::Request(job));
        }
    }

    /// Something happened to the cluster, for the event log.
    pub fn note(&mut self, kind: EventKind) {
        events::note(self.events, self.now, kind);
    }
}
