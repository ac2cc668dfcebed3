//! The change-data-capture connector `cdc-1`, in the manner of Debezium's PostgreSQL connector: it
//! streams the master's logical replication slot `cdc` (the master's walsender sends each
//! committed transaction, decoded, as soon as it is on the master's disk), keeps what it
//! received in memory, and every `cdc_poll` ms writes a batch of it (at most `cdc_batch`
//! changes, whole transactions) to MongoDB's primary and tells the master how far MongoDB has
//! acknowledged: that is the slot's `confirmed_flush_lsn`. So delivery is at least once: after a
//! crash (its memory gone) the session starts again at the slot's confirmed position, and
//! whatever MongoDB had and the master had not heard of is delivered again (the sink skips it).
//!
//! With no slot to resume from (the first start, a slot lost past `max_slot_wal_keep_size`, a
//! failover to a standby that has no copy of it) the connector creates one and snapshots the
//! master at the slot's start (Debezium's `snapshot.mode` initial; after a lost slot or a
//! failover, Debezium stops with an error and an operator does this): the read model is
//! replaced, and what was committed between its last change and the snapshot is a gap it never
//! saw change by change.

use std::collections::VecDeque;
use std::rc::Rc;

use super::mongo::MongoOp;
use super::node::Status;
use super::slot::LogicalSlot;
use super::{Cluster, Ctx, MachineTimer};
use crate::data::{Change, LogEntry, Lsn};
use crate::events::EventKind;
use crate::ids::NodeId;
use crate::network::{Endpoint, Payload};
use crate::time::Time;
use crate::timeline::Position;

/// The connector's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Timer {
    /// Write a batch to MongoDB and confirm to the master; connect first if it has no session.
    Poll,
}

#[derive(Clone, Debug)]
pub struct Connector {
    pub(super) status: Status,
    incarnation: u64,
    /// Its replication session with the master's slot is open: the master streams to it.
    pub(super) session: bool,
    /// Numbers its sessions, so that what was sent in an earlier one (on a connection since
    /// closed) is not taken for this one's.
    session_number: u64,
    /// The master's timeline in this session: the source positions it writes are on it.
    timeline: usize,
    /// A snapshot MongoDB has not acknowledged yet: sent before any change.
    snapshot: Option<MongoOp>,
    /// Transactions received and not yet acknowledged by MongoDB, oldest first.
    buffer: VecDeque<Rc<LogEntry>>,
    /// How many of `buffer`'s first transactions are in the batch MongoDB has not acknowledged.
    in_flight: usize,
    /// The newest transaction received in this session.
    received: Lsn,
    /// MongoDB has acknowledged everything up to here.
    written: Lsn,
    /// The flush position it last told the master.
    confirmed: Lsn,
    poll_due: bool,
    /// When it started: it polls on this beat.
    started: Time,
    /// Changes written to MongoDB, counting those written again.
    delivered: u64,
}

impl Connector {
    /// The connector's slot on the master.
    pub const SLOT: &'static str = "cdc";

    pub(super) fn new(incarnation: u64, now: Time) -> Connector {
        Connector {
            status: Status::Up,
            incarnation,
            session: false,
            session_number: 0,
            timeline: crate::timeline::Timelines::FIRST,
            snapshot: None,
            buffer: VecDeque::new(),
            in_flight: 0,
            received: 0,
            written: 0,
            confirmed: 0,
            poll_due: false,
            started: now,
            delivered: 0,
        }
    }

    pub fn incarnation(&self) -> u64 {
        self.incarnation
    }

    pub fn is_up(&self) -> bool {
        self.status == Status::Up
    }

    pub fn is_removed(&self) -> bool {
        self.status == Status::Removed
    }

    /// Its session with the master's slot is open.
    pub fn streaming(&self) -> bool {
        self.session
    }

    /// Received, acknowledged by MongoDB, and confirmed to the master (source LSNs).
    pub fn positions(&self) -> (Lsn, Lsn, Lsn) {
        (self.received, self.written, self.confirmed)
    }

    /// Transactions received and not yet in MongoDB.
    pub fn buffered(&self) -> usize {
        self.buffer.len()
    }

    /// Changes written to MongoDB, counting those written again.
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    /// A new life, with nothing in memory.
    fn restart(&mut self, incarnation: u64, now: Time) {
        let (delivered, session_number) = (self.delivered, self.session_number);
        *self = Connector { delivered, session_number, ..Connector::new(incarnation, now) };
    }

    /// A session starts at the slot's confirmed position, on the master's `timeline`.
    fn resume(&mut self, from: Lsn, timeline: usize) {
        self.session = true;
        self.session_number += 1;
        self.timeline = timeline;
        self.snapshot = None;
        self.buffer.clear();
        self.in_flight = 0;
        (self.received, self.written, self.confirmed) = (from, from, from);
    }

    /// The next batch for MongoDB: the snapshot, else whole transactions up to `batch` changes
    /// (at least one); the same again while MongoDB has not acknowledged it.
    fn batch(&mut self, batch: u64) -> Option<(Vec<MongoOp>, Position)> {
        let at = |lsn: Lsn| Position { timeline: self.timeline, lsn };
        if let Some(snapshot @ MongoOp::Snapshot { lsn, .. }) = &self.snapshot {
            return Some((vec![snapshot.clone()], at(*lsn)));
        }
        if self.in_flight == 0 {
            let mut changes = 0;
            for entry in &self.buffer {
                if self.in_flight > 0 && changes + entry.changes.len() as u64 > batch {
                    break;
                }
                changes += entry.changes.len() as u64;
                self.in_flight += 1;
            }
        }
        let through = at(self.buffer.get(self.in_flight.checked_sub(1)?)?.lsn);
        let ops: Vec<MongoOp> = self.buffer.iter().take(self.in_flight).flat_map(|entry| projected(entry)).collect();
        self.delivered += ops.len() as u64;
        Some((ops, through))
    }

    /// MongoDB acknowledged everything up to `through`.
    fn acknowledged(&mut self, through: Lsn) {
        if matches!(self.snapshot, Some(MongoOp::Snapshot { lsn, .. }) if lsn == through) {
            self.snapshot = None;
        }
        while self.buffer.front().is_some_and(|entry| entry.lsn <= through) {
            self.buffer.pop_front();
        }
        self.in_flight = 0;
        self.written = self.written.max(through);
    }

    /// Whether it has work for its next poll: a session to open, a batch, a confirmation.
    fn busy(&self) -> bool {
        !self.session || self.snapshot.is_some() || !self.buffer.is_empty() || self.confirmed < self.written
    }
}

/// A decoded transaction's changes as upserts of the read model: a document per row, by `_id`
/// (a delete upserts none).
fn projected(entry: &LogEntry) -> impl Iterator<Item = MongoOp> + '_ {
    entry.changes.iter().filter_map(move |change| {
        let (table, key, row) = match change {
            Change::Put { table, key, row } => (table, key, Some(row.clone())),
            Change::Delete { table, key } => (table, key, None),
            // MongoDB makes a collection at its first write.
            Change::CreateTable { .. } => return None,
        };
        Some(MongoOp::Upsert { collection: table.clone(), key: key.clone(), row, lsn: entry.lsn })
    })
}

impl Cluster {
    /// What reaches the connector: a transaction from the slot, MongoDB's acknowledgement.
    pub(super) fn connector_receives(&mut self, payload: Payload, cx: &mut Ctx) {
        let Some(connector) = self.machines.connector_mut().filter(|connector| connector.is_up()) else { return };
        match payload {
            Payload::Decoded { entry, session }
                if connector.session && session == connector.session_number && entry.lsn > connector.received =>
            {
                connector.received = entry.lsn;
                connector.buffer.push_back(entry);
            }
            Payload::MongoAck { through, session } if session == connector.session_number => {
                connector.acknowledged(through)
            }
            _ => return,
        }
        self.poll_soon(cx);
    }

    pub(super) fn connector_timer(&mut self, timer: Timer, cx: &mut Ctx) {
        match timer {
            Timer::Poll => self.poll(cx),
        }
    }

    /// The connector's beat: open a session if it has none, write a batch, confirm.
    fn poll(&mut self, cx: &mut Ctx) {
        let Some(connector) = self.machines.connector_mut() else { return };
        connector.poll_due = false;
        if !connector.session {
            self.connect(cx);
        }
        let primary = self.mongo_primary();
        let master = self.master;
        let Some(connector) = self.machines.connector_mut().filter(|connector| connector.session) else {
            return self.poll_soon(cx);
        };
        if let Some(primary) = primary
            && let Some((ops, through)) = connector.batch(cx.config.cdc_batch)
        {
            let (ops, session) = (ops.into(), connector.session_number);
            let batch = Payload::MongoWrite { ops, through, session };
            cx.send(Endpoint::Node(NodeId::CONNECTOR), Endpoint::Node(primary), batch);
        }
        if connector.written > connector.confirmed {
            connector.confirmed = connector.written;
            let lsn = connector.written;
            cx.send(Endpoint::Node(NodeId::CONNECTOR), Endpoint::Node(master), Payload::Confirm { lsn });
        }
        self.poll_soon(cx);
    }

    /// Schedules the next poll on the connector's beat, if it has work and none is due: an idle
    /// connector's polls find nothing, and are left out.
    fn poll_soon(&mut self, cx: &mut Ctx) {
        let Some(connector) = self.machines.connector_mut().filter(|connector| connector.is_up()) else { return };
        if connector.poll_due || !connector.busy() {
            return;
        }
        connector.poll_due = true;
        let interval = Time::from_millis(cx.config.cdc_poll_ms).0.max(1);
        let since = (cx.now - connector.started).0;
        let after = Time(interval - since % interval);
        cx.timer(NodeId::CONNECTOR, connector.incarnation, after, MachineTimer::Connector(Timer::Poll));
    }

    /// Opens a session with the master's slot: from its confirmed position if it has one that
    /// can still be read; else a new slot, and a snapshot of the master at its start.
    fn connect(&mut self, cx: &mut Ctx) {
        let master = self.master;
        if !self.machines[master].is_up() {
            return;
        }
        let slots = &mut self.machines[master].logical_slots;
        slots.retain(|slot| !(slot.name == Connector::SLOT && slot.lost));
        let timeline = self.master_log.timeline;
        if let Some(slot) = slots.iter().find(|slot| slot.name == Connector::SLOT) {
            let from = slot.confirmed_flush;
            self.machines.connector_mut().expect("a connector").resume(from, timeline);
            self.logical_sender = Some(from);
            return self.stream_to_connector(cx);
        }
        // A consistent start: what the master's readers see, every later commit decoded; under
        // `off`, what is on its disk (a slot's start is never past the flushed WAL).
        let (lsn, data) = match &self.master_log.durable {
            Some(durable) => (self.machines[master].positions.flushed, durable.clone()),
            None => (self.master_log.committed_lsn, self.master_log.visible.clone()),
        };
        self.machines[master].logical_slots.push(LogicalSlot::new(Connector::SLOT, lsn));
        let data = Rc::new(data);
        let gap_from = self.read_model_position();
        let connector = self.machines.connector_mut().expect("a connector");
        connector.resume(lsn, timeline);
        connector.snapshot = Some(MongoOp::Snapshot { data, lsn, timeline });
        self.logical_sender = Some(lsn);
        cx.note(EventKind::ReadModelSnapshot { lsn, timeline, gap_from });
    }

    /// The master's walsender sends the connector what its session has not had, up to what is
    /// on the master's disk; with failover slots, only what the standbys have flushed too
    /// (PostgreSQL 17's `synchronized_standby_slots`), so the connector is never ahead of the
    /// standby that may be promoted.
    pub(super) fn stream_to_connector(&mut self, cx: &mut Ctx) {
        let Some(sent) = self.logical_sender else { return };
        let master = self.master;
        let Some(session) = self.machines.connector().map(|connector| connector.session_number) else { return };
        if !self.machines[master].is_up() {
            return;
        }
        let mut through = self.machines[master].positions.flushed;
        if cx.config.failover_slots {
            // Every standby it lists (the standbys there were, not an old master that follows
            // now), connected or not: a down one holds the stream back.
            let level = crate::config::Level::Flushed;
            let standbys = self.followers().filter(|(_, node)| !node.deposed).map(|(id, _)| id);
            through = standbys.map(|id| self.master_log.position(id, level)).fold(through, Lsn::min);
        }
        for lsn in sent + 1..=through {
            if let Some(entry) = self.master_log.entry(lsn) {
                let entry = entry.clone();
                let decoded = Payload::Decoded { entry, session };
                cx.send(Endpoint::Node(master), Endpoint::Node(NodeId::CONNECTOR), decoded);
            }
        }
        self.logical_sender = Some(sent.max(through));
    }

    /// The session ends (the master crashed or changed, the slot was lost): the connector opens
    /// another at its next poll.
    pub(super) fn end_connector_session(&mut self, cx: &mut Ctx) {
        self.logical_sender = None;
        if let Some(connector) = self.machines.connector_mut() {
            connector.session = false;
        }
        self.poll_soon(cx);
    }

    /// A new poll interval: the connector's beat starts again now (a poll already due on the
    /// old beat still comes, and finds what there is).
    pub(crate) fn poll_interval_changed(&mut self, cx: &mut Ctx) {
        if let Some(connector) = self.machines.connector_mut().filter(|connector| connector.is_up()) {
            connector.started = cx.now;
            connector.poll_due = false;
        }
        self.poll_soon(cx);
    }

    /// The connector crashes (`Down`) or is taken out (`Removed`): what it held in memory is gone.
    pub(super) fn stop_connector(&mut self, status: Status, cx: &mut Ctx) {
        let incarnation = self.new_incarnation();
        self.logical_sender = None;
        if let Some(connector) = self.machines.connector_mut() {
            connector.restart(incarnation, cx.now);
            connector.status = status;
        }
    }

    /// The connector starts, or starts again: at once it resumes from the slot, or snapshots.
    pub(super) fn start_connector(&mut self, cx: &mut Ctx) {
        let incarnation = self.new_incarnation();
        let Some(connector) = self.machines.connector_mut() else { return };
        connector.restart(incarnation, cx.now);
        connector.poll_due = true;
        cx.timer(NodeId::CONNECTOR, incarnation, Time::ZERO, MachineTimer::Connector(Timer::Poll));
    }
}
