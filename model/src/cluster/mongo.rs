//! A member of the MongoDB replica set that holds the read model (the lecture's "MongoDB
//! slaves"), modestly: the primary takes the connector's writes and acknowledges them at once
//! (write concern `w: 1`), the secondaries copy its oplog `mongo_lag` later, and every member
//! answers reads from its documents. A primary that crashes is replaced by an election after
//! `electionTimeoutMillis` (10 s), of the secondary that has copied the most; what the old
//! primary had acknowledged and no secondary had copied is rolled back, as MongoDB does with
//! `w: 1`. A member that comes back copies the primary whole (MongoDB's initial sync; a real
//! member not too far behind replays the oplog instead).
//!
//! The sink is idempotent: an upsert by `_id` whose source LSN the document already reflects
//! is redelivered, and skipped (counted). A deleted document is kept as a tombstone, hidden from
//! reads, so that a late redelivery cannot bring it back.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::node::{Job, ParkedRead, Status};
use super::{Cluster, Ctx, MachineTimer};
use crate::data::{Database, Key, Lsn, Row, Schema, Table, USERS, Value};
use crate::events::EventKind;
use crate::ids::{NodeId, RequestId};
use crate::network::{Endpoint, Payload};
use crate::order::map_of;
use crate::time::Time;
use crate::timeline::Position;

/// MongoDB's `electionTimeoutMillis`: how long the secondaries wait for a primary that is gone.
pub const ELECTION_TIMEOUT: Time = Time::from_millis(10_000);

/// One write to the read model, as the connector makes it from a decoded change, or the
/// snapshot that replaces the whole read model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MongoOp {
    /// Upserts the document `_id = key` of `collection` with the row (`None`: deletes it),
    /// unless it already reflects source LSN `lsn` or later.
    Upsert { collection: String, key: Value, row: Option<Rc<Row>>, lsn: Lsn },
    /// The initial snapshot: every row of the master as of source LSN `lsn` on `timeline`.
    Snapshot { data: Rc<Database>, lsn: Lsn, timeline: usize },
}

/// A document of the read model: the source row it projects (`None`: deleted, a tombstone) and
/// the LSN of the commit it reflects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub row: Option<Rc<Row>>,
    pub lsn: Lsn,
}

impl Document {
    /// The document as mongosh prints it: `{ _id: 101, name: 'Ann', changes: 2, source: { lsn: 57 } }`.
    /// The projection keys it by `_id` (the row's primary key), keeps the row's other columns,
    /// and adds what reads want and the row lacks: `changes`, how many commits wrote it (the
    /// row's version), and `source.lsn`, the commit it reflects (what the sink compares).
    pub fn text(&self, key: &Value, schema: &Schema) -> String {
        let value = |value: &Value| match value {
            Value::Text(text) => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'")),
            Value::Null => "null".to_string(),
            other => other.to_string().to_ascii_lowercase(),
        };
        let mut fields = vec![format!("_id: {}", value(key))];
        if let Some(row) = &self.row {
            let columns = schema.columns.iter().zip(&row.values).enumerate();
            let others = columns.filter(|(index, _)| *index != schema.primary_key);
            fields.extend(others.map(|(_, (column, field))| format!("{}: {}", column.name, value(field))));
            fields.push(format!("changes: {}", row.version));
        }
        fields.push(format!("source: {{ lsn: {} }}", self.lsn));
        format!("{{ {} }}", fields.join(", "))
    }
}

/// A member's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Timer {
    /// A secondary has heard from no primary for the election timeout.
    Election,
    /// A read waiting for a consistency token has waited long enough: it goes to the master.
    CausalTimeout(RequestId),
}

#[derive(Clone, Debug)]
pub struct MongoMember {
    pub(super) status: Status,
    incarnation: u64,
    pub(super) primary: bool,
    /// The read model: collections by name, documents by `_id`.
    pub(super) collections: BTreeMap<String, BTreeMap<Value, Document>>,
    /// The source position it reflects: the snapshot's, then the connector's batches.
    pub(super) applied: Lsn,
    /// The master's timeline `applied` is on.
    pub(super) timeline: usize,
    pub(super) redelivered: u64,
    pub(super) reads_served: u64,
    pub(super) parked: Vec<ParkedRead>,
}

impl MongoMember {
    pub(super) fn new(incarnation: u64, status: Status) -> MongoMember {
        MongoMember {
            status,
            incarnation,
            primary: false,
            collections: BTreeMap::new(),
            applied: 0,
            timeline: crate::timeline::Timelines::FIRST,
            redelivered: 0,
            reads_served: 0,
            parked: Vec::new(),
        }
    }

    pub fn incarnation(&self) -> u64 {
        self.incarnation
    }

    pub fn is_up(&self) -> bool {
        self.status == Status::Up
    }

    /// Taken out: the read side is off, or the set has fewer members.
    pub fn is_removed(&self) -> bool {
        self.status == Status::Removed
    }

    pub fn is_primary(&self) -> bool {
        self.primary
    }

    /// The source LSN it reflects, and on which timeline of the master.
    pub fn applied(&self) -> (usize, Lsn) {
        (self.timeline, self.applied)
    }

    /// Changes the connector delivered again that it already had (skipped).
    pub fn redelivered(&self) -> u64 {
        self.redelivered
    }

    pub fn reads_served(&self) -> u64 {
        self.reads_served
    }

    /// The documents of a collection, by `_id` (deleted ones left out).
    pub fn documents(&self, collection: &str) -> impl Iterator<Item = (&Value, &Document)> {
        let documents = self.collections.get(collection).into_iter().flatten();
        documents.filter(|(_, document)| document.row.is_some())
    }

    /// The user's document, if there is one.
    pub fn user(&self, key: Key) -> Option<&Document> {
        let document = self.collections.get(USERS)?.get(&Value::Int(key as i64))?;
        document.row.as_ref().map(|_| document)
    }

    /// What the run's fingerprint hashes of it.
    pub(super) fn fingerprinted(&self) -> String {
        format!("{:?}", (self.status, self.primary, self.timeline, self.applied, self.redelivered, &self.collections))
    }

    /// Applies a batch, through source position `through`; a snapshot replaces everything.
    pub(super) fn apply(&mut self, ops: &[MongoOp], through: Position, count_redelivered: bool) {
        for op in ops {
            match op {
                MongoOp::Snapshot { data, lsn, timeline } => {
                    self.collections = project(data);
                    self.applied = *lsn;
                    self.timeline = *timeline;
                }
                MongoOp::Upsert { collection, key, row, lsn } => {
                    let documents = self.collections.entry(collection.clone()).or_default();
                    match documents.get(key) {
                        Some(document) if document.lsn >= *lsn => {
                            self.redelivered += u64::from(count_redelivered);
                        }
                        _ => {
                            documents.insert(key.clone(), Document { row: row.clone(), lsn: *lsn });
                        }
                    }
                }
            }
        }
        // A batch from a new master's timeline (a failover slot) starts its positions afresh.
        if through.timeline == self.timeline {
            self.applied = self.applied.max(through.lsn);
        } else {
            (self.timeline, self.applied) = (through.timeline, through.lsn);
        }
    }

    /// The read model as tables, for a SELECT: each collection with its source table's schema.
    pub(super) fn as_database(&self, schemas: &Database) -> Database {
        let tables = schemas.tables.iter().map(|(name, table)| {
            let rows = self.documents(name).filter_map(|(key, document)| Some((key.clone(), document.row.clone()?)));
            (name.clone(), Table { schema: table.schema.clone(), rows: map_of(rows) })
        });
        Database { tables: map_of(tables) }
    }

    /// Ends this life: a crash or a removal.
    fn end(&mut self, status: Status, incarnation: u64) -> Vec<ParkedRead> {
        self.status = status;
        self.incarnation = incarnation;
        self.primary = false;
        std::mem::take(&mut self.parked)
    }
}

/// A snapshot's rows as documents, each reflecting the commit that wrote its row.
fn project(data: &Database) -> BTreeMap<String, BTreeMap<Value, Document>> {
    let collections = data.tables.iter().map(|(name, table)| {
        let documents =
            table.rows.iter().map(|(key, row)| (key.clone(), Document { row: Some(row.clone()), lsn: row.lsn }));
        (name.clone(), map_of(documents))
    });
    map_of(collections)
}

impl Cluster {
    /// What reaches a MongoDB member: the connector's batch, the primary's oplog, a read.
    pub(super) fn mongo_receives(&mut self, from: Endpoint, to: NodeId, payload: Payload, cx: &mut Ctx) {
        let Some(member) = self.machines.member_mut(to).filter(|member| member.is_up()) else {
            if let Payload::Request(job) = payload {
                cx.reply(to, job.request(), Some(format!("{} is down", to.machine())));
            }
            return;
        };
        match payload {
            // Sent to a member that is no longer the primary: the driver finds the new one at
            // the connector's next poll.
            Payload::MongoWrite { ops, through, session } if member.primary => {
                let before = member.redelivered;
                member.apply(&ops, through, true);
                let again = member.redelivered - before;
                if again > 0 {
                    cx.note(EventKind::Redelivered { node: to.machine(), count: again });
                }
                cx.send(Endpoint::Node(to), from, Payload::MongoAck { through: through.lsn, session });
                let secondaries: Vec<NodeId> =
                    self.up_members().filter(|(_, member)| !member.primary).map(|(id, _)| id).collect();
                for secondary in secondaries {
                    cx.send(
                        Endpoint::Node(to),
                        Endpoint::Node(secondary),
                        Payload::Oplog { ops: ops.clone(), through },
                    );
                }
                self.release_parked_documents(to, cx);
            }
            Payload::Oplog { ops, through } if !member.primary => {
                member.apply(&ops, through, false);
                self.release_parked_documents(to, cx);
            }
            Payload::Request(Job::Read { request, query, token }) => {
                match token.filter(|token| !self.read_model_has(to, *token)) {
                    Some(token) => {
                        self.machines.member_mut(to).expect("up").parked.push(ParkedRead { request, query, token });
                        let timeout = Time::from_millis(cx.config.causal_timeout_ms);
                        self.schedule_member(to, timeout, Timer::CausalTimeout(request), cx);
                    }
                    None => self.finish_document_read(to, request, &query, cx),
                }
            }
            Payload::Request(job) => cx.reply(to, job.request(), Some(format!("{} serves reads only", to.machine()))),
            _ => {}
        }
    }

    pub(super) fn mongo_timer(&mut self, id: NodeId, timer: Timer, cx: &mut Ctx) {
        match timer {
            Timer::Election => self.elect(cx),
            Timer::CausalTimeout(request) => {
                let Some(member) = self.machines.member_mut(id) else { return };
                let Some(index) = member.parked.iter().position(|read| read.request == request) else { return };
                let read = member.parked.remove(index);
                // As a CQRS system reads its own writes: past the timeout, from the master.
                cx.retry(request, self.master, Job::Read { request, query: read.query, token: Some(read.token) });
            }
        }
    }

    pub(super) fn schedule_member(&self, id: NodeId, after: Time, timer: Timer, cx: &mut Ctx) {
        if let Some(incarnation) = self.machines.incarnation(id) {
            cx.timer(id, incarnation, after, MachineTimer::Mongo(timer));
        }
    }

    /// The members up now, with their ids.
    pub(super) fn up_members(&self) -> impl Iterator<Item = (NodeId, &MongoMember)> {
        self.machines.members().filter(|(_, member)| member.is_up())
    }

    /// The primary, if one is up.
    pub(crate) fn mongo_primary(&self) -> Option<NodeId> {
        self.up_members().find(|(_, member)| member.primary).map(|(id, _)| id)
    }

    /// How far the read model has got, from its most advanced member: the timeline and source
    /// LSN it reflects.
    pub(super) fn read_model_position(&self) -> Option<(usize, crate::data::Lsn)> {
        let filled = self.up_members().filter(|(_, member)| !member.collections.is_empty());
        filled.map(|(_, member)| member.applied()).max()
    }

    /// The secondary that has copied the most becomes the primary, if none is up and a majority
    /// of the set's members is up to vote for it (two of two: a set of two cannot elect with one
    /// down); what the old primary had that it lacks is rolled back.
    fn elect(&mut self, cx: &mut Ctx) {
        if self.mongo_primary().is_some() || !self.majority_up() {
            return;
        }
        let newest =
            self.up_members().max_by_key(|(id, member)| (member.timeline, member.applied, std::cmp::Reverse(*id)));
        let Some((id, _)) = newest else { return };
        let member = self.machines.member_mut(id).expect("a member");
        member.primary = true;
        let applied = member.applied;
        let down = self.machines.members().filter(|(_, member)| member.status == Status::Down);
        let lost_after = down.map(|(_, member)| member.applied).max();
        let rolled_back = lost_after.filter(|&old| old > applied).map(|old| (applied, old));
        cx.note(EventKind::MongoElected { node: id.machine(), rolled_back });
    }

    /// Whether more than half the set's members are up: what an election needs.
    fn majority_up(&self) -> bool {
        let members = self.machines.members().filter(|(_, member)| !member.is_removed()).count();
        self.up_members().count() * 2 > members
    }

    /// A member crashes, or is removed: its reads fail; without a primary, the secondaries
    /// hold an election after the timeout.
    pub(super) fn stop_member(&mut self, id: NodeId, status: Status, cx: &mut Ctx) {
        let incarnation = self.new_incarnation();
        let Some(member) = self.machines.member_mut(id) else { return };
        let was_primary = member.primary;
        for read in member.end(status, incarnation) {
            cx.reply(id, read.request, Some(format!("{} is down", id.machine())));
        }
        if was_primary {
            let secondaries: Vec<NodeId> = self.up_members().map(|(id, _)| id).collect();
            for secondary in secondaries {
                self.schedule_member(secondary, ELECTION_TIMEOUT, Timer::Election, cx);
            }
        }
    }

    /// A member starts (again): it copies the primary whole, or leads when a majority is up
    /// with it, or waits for an election.
    pub(super) fn start_member(&mut self, id: NodeId, cx: &mut Ctx) {
        let incarnation = self.new_incarnation();
        let primary = self.mongo_primary().and_then(|primary| self.machines.member_mut(primary)).cloned();
        // With no primary it may lead only when it is up with a majority: the first member of a
        // set starting, the only member of a set of one.
        let members = self.machines.members().filter(|(other, member)| *other == id || !member.is_removed()).count();
        let leads = (self.up_members().count() + 1) * 2 > members;
        let Some(member) = self.machines.member_mut(id) else { return };
        member.status = Status::Up;
        member.incarnation = incarnation;
        member.primary = false;
        match primary {
            Some(primary) => {
                member.collections = primary.collections;
                member.applied = primary.applied;
                member.timeline = primary.timeline;
            }
            None if leads => member.primary = true,
            None => self.schedule_member(id, ELECTION_TIMEOUT, Timer::Election, cx),
        }
    }

    /// Whether a member's read model has reached `token`, a write's commit position.
    fn read_model_has(&self, id: NodeId, token: crate::timeline::Position) -> bool {
        let Some(member) = self.machines.member(id) else { return false };
        self.timelines.contains(member.timeline, member.applied, token)
    }

    /// Serves the reads parked on a member whose read model has now reached their token.
    fn release_parked_documents(&mut self, id: NodeId, cx: &mut Ctx) {
        let Some(member) = self.machines.member_mut(id) else { return };
        let parked = std::mem::take(&mut member.parked);
        let (ready, waiting): (Vec<_>, Vec<_>) =
            parked.into_iter().partition(|read| self.read_model_has(id, read.token));
        self.machines.member_mut(id).expect("a member").parked = waiting;
        for read in ready {
            self.finish_document_read(id, read.request, &read.query, cx);
        }
    }
}
