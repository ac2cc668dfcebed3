//! A database server: its role, its copy of `users`, its replication progress, and the queue
//! of requests it serves at a finite capacity.

use std::collections::VecDeque;
use std::rc::Rc;

use super::slot::LogicalSlot;
use crate::config::Config;
use crate::data::{Database, Key, LogEntry, Lsn};
use crate::ids::{NodeRef, RequestId};
use crate::sql::Parsed;
use crate::time::Time;
use crate::timeline::Position;

/// The log positions a replica reports to the master.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Positions {
    pub received: Lsn,
    pub flushed: Lsn,
    pub applied: Lsn,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Up,
    Down,
    /// Taken out by lowering the replica count; its slot can be reused.
    Removed,
}

/// Work waiting for a node's server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Job {
    Write {
        request: RequestId,
        key: Key,
        name: String,
    },
    /// `token` is the client's causal token: serve only once that write is applied (none: at
    /// once).
    Read {
        request: RequestId,
        query: Query,
        token: Option<Position>,
    },
    /// A write statement from the SQL console.
    Execute {
        request: RequestId,
        statement: Box<Parsed>,
    },
}

/// What a read asks for: one user by id, or a SELECT from the console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    User(Key),
    Select(Box<Parsed>),
}

impl Job {
    pub fn request(&self) -> RequestId {
        match self {
            Job::Write { request, .. } | Job::Read { request, .. } | Job::Execute { request, .. } => *request,
        }
    }
}

/// A causal read that reached a replica before the write it must see.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParkedRead {
    pub request: RequestId,
    pub query: Query,
    pub token: Position,
}

#[derive(Clone, Debug)]
pub struct Node {
    /// Its role now: the master, or `replica-k`. A failover swaps the roles of the old and new
    /// master; the machine (its `NodeId`) stays.
    pub(super) role: NodeRef,
    pub(super) status: Status,
    /// Changes whenever the node crashes, restarts or is replaced, so that timers set for an
    /// earlier life of the node are ignored.
    pub(super) incarnation: u64,
    /// The master's logged data, or a replica's applied data.
    pub(super) data: Database,
    /// For the master all three equal its newest log position.
    pub(super) positions: Positions,
    /// Received entries not yet applied, oldest first.
    pub(super) pending: VecDeque<Rc<LogEntry>>,
    /// When the last flush completes: flushes happen in order.
    pub(super) flush_tail: Time,
    pub(super) applying: bool,
    pub(super) queue: VecDeque<Job>,
    pub(super) in_service: Option<Job>,
    pub(super) parked: Vec<ParkedRead>,
    /// Since when the queue has been full, for the overload crash.
    pub(super) full_since: Option<Time>,
    pub(super) capacity: u64,
    /// Share of reads under the weighted policy.
    pub(super) weight: u64,
    /// How long after the master logged an entry this replica may apply it
    /// (`recovery_min_apply_delay`).
    pub(super) apply_delay: Time,
    /// The master has a replication connection to this replica (its walsender is alive): lost
    /// at once when the replica stops, only after `sender_timeout` when the link goes silent.
    pub(super) streaming: bool,
    pub(super) reads_served: u64,
    /// The timeline its data is on (see `timeline`).
    pub(super) timeline: usize,
    /// Whether it follows the master's history, or cannot.
    pub(super) follow: Follow,
    /// A master a failover replaced, until it follows the new one.
    pub(super) deposed: bool,
    /// Its replication slot held back too much WAL and was given up: the master keeps nothing
    /// for it any more.
    pub(super) slot_invalidated: bool,
    /// Its logical replication slots: a server's own, so a promoted standby has none
    /// (PostgreSQL 15 copies no slot to a standby); dropped when it follows a master.
    pub(super) logical_slots: Vec<LogicalSlot>,
}

/// Whether a replica can stream from the master, as PostgreSQL's standbys can or cannot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Follow {
    Streaming,
    /// It has records past the point where the master's timeline forked off its own ("new
    /// timeline forked off current database system timeline before current recovery
    /// point"): it keeps them, serves them, and follows again only after Rewind (pg_rewind)
    /// or Rebuild (a new base backup).
    Diverged {
        fork: Lsn,
    },
    /// The master no longer has the WAL it needs ("requested WAL segment has already been
    /// removed"): only Rebuild brings it back.
    WalRemoved,
}

impl Node {
    /// A node whose copy is `data`, complete up to `lsn`.
    pub fn new(role: NodeRef, incarnation: u64, data: Database, lsn: Lsn, timeline: usize, config: &Config) -> Node {
        Node {
            role,
            status: Status::Up,
            incarnation,
            data,
            positions: Positions { received: lsn, flushed: lsn, applied: lsn },
            pending: VecDeque::new(),
            flush_tail: Time::ZERO,
            applying: false,
            queue: VecDeque::new(),
            in_service: None,
            parked: Vec::new(),
            full_since: None,
            capacity: config.capacity,
            weight: 1,
            apply_delay: Time::ZERO,
            streaming: true,
            reads_served: 0,
            timeline,
            follow: Follow::Streaming,
            deposed: false,
            slot_invalidated: false,
            logical_slots: Vec::new(),
        }
    }

    /// Its role now: the master, or `replica-k`.
    pub fn role(&self) -> NodeRef {
        self.role
    }

    /// The master's logged data, or a replica's applied data.
    pub fn data(&self) -> &Database {
        &self.data
    }

    /// Received, flushed and applied log positions (for the master all three are its newest).
    pub fn positions(&self) -> Positions {
        self.positions
    }

    /// Whether it follows the master's history, or cannot (diverged, stranded).
    pub fn follow(&self) -> Follow {
        self.follow
    }

    /// A master a failover replaced, until it follows the new one.
    pub fn deposed(&self) -> bool {
        self.deposed
    }

    /// The master has a replication connection to it.
    pub fn streaming(&self) -> bool {
        self.streaming
    }

    /// Its logical replication slots.
    pub fn logical_slots(&self) -> &[LogicalSlot] {
        &self.logical_slots
    }

    /// Its replication slot was given up for holding back too much WAL.
    pub fn slot_invalidated(&self) -> bool {
        self.slot_invalidated
    }

    pub fn reads_served(&self) -> u64 {
        self.reads_served
    }

    /// Requests per second it serves.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Its share of reads under the weighted policy.
    pub fn weight(&self) -> u64 {
        self.weight
    }

    /// How long after the master logged an entry it may apply it (`recovery_min_apply_delay`).
    pub fn apply_delay(&self) -> Time {
        self.apply_delay
    }

    pub fn is_up(&self) -> bool {
        self.status == Status::Up
    }

    pub fn is_master(&self) -> bool {
        self.role == NodeRef::Master
    }

    /// Operations in progress: queued, in service, or waiting to see a write.
    pub fn current_ops(&self) -> usize {
        self.queue.len() + usize::from(self.in_service.is_some()) + self.parked.len()
    }

    /// The time to serve one request.
    pub fn service_time(&self) -> Time {
        Time((1_000_000 / self.capacity).max(1))
    }

    /// Replaces the copy with `data` at `lsn` on `timeline`, as a base backup does; it follows
    /// the master from there.
    pub fn reset_copy(&mut self, data: Database, lsn: Lsn, timeline: usize) {
        self.data = data;
        self.positions = Positions { received: lsn, flushed: lsn, applied: lsn };
        self.pending.clear();
        self.applying = false;
        self.timeline = timeline;
        self.follow = Follow::Streaming;
        self.deposed = false;
        self.slot_invalidated = false;
        // A base backup or pg_rewind copies no replication slot (both leave pg_replslot/ out).
        self.logical_slots.clear();
    }
}
