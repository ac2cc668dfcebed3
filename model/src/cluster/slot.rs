//! Logical replication slots, as PostgreSQL 15 keeps them on the master
//! (https://www.postgresql.org/docs/15/logicaldecoding-explanation.html): a slot remembers how far
//! its consumer has confirmed (`confirmed_flush_lsn`), holds back the WAL after that, and hands
//! out what follows as decoded transactions, whole and in commit order: never a change of a
//! transaction that has not committed, or that rolled back. It decodes what is on the master's
//! disk, so a commit still waiting for a synchronous standby is already there (and not yet
//! visible to the master's own readers). A slot past `max_slot_wal_keep_size` is invalidated
//! (`wal_status` lost) and can never be read again. A slot is the server's own: a promoted
//! standby has none (PostgreSQL 17's failover slots are what changes that).
//!
//! The console calls the slot functions (`pg_create_logical_replication_slot`,
//! `pg_logical_slot_peek_changes`, ...), and the rows are test_decoding's text. In the model a
//! transaction is one log entry, numbered by its LSN, which is also its `xid` here; PostgreSQL's
//! `restart_lsn` trails `confirmed_flush_lsn` (it moves at the next running-transactions
//! record), while here, where a transaction is one entry, the two are one position.

use super::connector::Connector;
use super::wal::slot_limit;
use super::{Cluster, Ctx};
use crate::config::Config;
use crate::data::{Change, ColumnType, Database, LogEntry, Lsn, Value};
use crate::events::EventKind;
use crate::ids::{NodeId, RequestId};
use crate::request::Outcome;
use crate::sql::{ResultSet, Shape, SlotCall, SlotFunction};
use crate::time::Time;
use crate::timeline::Position;

/// A logical replication slot on a server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogicalSlot {
    pub(super) name: String,
    /// Everything up to here is confirmed by the consumer: decoding resumes after it.
    pub(super) confirmed_flush: Lsn,
    /// Given up for holding back too much WAL (`wal_status` lost).
    pub(super) lost: bool,
}

impl LogicalSlot {
    /// A slot whose consumer starts after `lsn`.
    pub(super) fn new(name: &str, lsn: Lsn) -> LogicalSlot {
        LogicalSlot { name: name.to_string(), confirmed_flush: lsn, lost: false }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `confirmed_flush_lsn`.
    pub fn confirmed_flush(&self) -> Lsn {
        self.confirmed_flush
    }

    /// `restart_lsn`: the WAL it holds back starts after it; none once the slot is lost.
    pub fn restart(&self) -> Option<Lsn> {
        (!self.lost).then_some(self.confirmed_flush)
    }

    pub fn is_lost(&self) -> bool {
        self.lost
    }
}

impl Cluster {
    /// One of PostgreSQL's slot functions, called from the console on the master.
    pub(super) fn call_slot_function(&mut self, request: RequestId, call: &SlotCall, cx: &mut Ctx) {
        let master = self.master;
        let answer = match &call.function {
            SlotFunction::Create { slot } => self.create_logical_slot(slot),
            SlotFunction::Drop { slot } => self.drop_logical_slot(slot),
            SlotFunction::Changes { slot, upto_changes, consume } => self.slot_changes(slot, *upto_changes, *consume),
        };
        let answer = answer.map(|result| match &call.shape {
            Shape::All => result,
            Shape::Columns(columns) => project(result, columns),
            // A function of no columns of its own (void) answers itself.
            Shape::Record if result.columns.len() == 1 => result,
            Shape::Record => records(result, call.function.name()),
        });
        match answer {
            Ok(result) => {
                let node_at = Position { timeline: self.master_log.timeline, lsn: self.master_log.committed_lsn };
                let outcome =
                    Outcome::Rows { result, master_result: None, node_lag: Time::ZERO, node_at, mongo_query: None };
                self.set_outcome(request, master, outcome, cx);
                cx.reply(master, request, None);
            }
            Err(error) => {
                self.set_outcome(request, master, Outcome::Failed { reason: error.clone() }, cx);
                cx.reply(master, request, Some(error));
            }
        }
    }

    /// `pg_create_logical_replication_slot(name, 'test_decoding')`: the slot starts after
    /// everything the master has logged, on its disk yet or not (PostgreSQL starts it at a
    /// consistent point it logs then).
    fn create_logical_slot(&mut self, name: &str) -> Result<ResultSet, String> {
        let master = self.master;
        if self.machines[master].logical_slots.iter().any(|slot| slot.name == name) {
            return Err(format!("replication slot \"{name}\" already exists"));
        }
        let lsn = self.machines[master].positions.applied;
        self.machines[master].logical_slots.push(LogicalSlot::new(name, lsn));
        Ok(ResultSet {
            columns: vec!["slot_name".into(), "lsn".into()],
            rows: vec![vec![Value::Text(name.to_string()), Value::Int(lsn as i64)]],
        })
    }

    /// `pg_drop_replication_slot(name)`: the WAL it held back may go.
    fn drop_logical_slot(&mut self, name: &str) -> Result<ResultSet, String> {
        let index = self.slot_index(name)?;
        let master = self.master;
        self.machines[master].logical_slots.remove(index);
        Ok(ResultSet { columns: vec!["pg_drop_replication_slot".into()], rows: vec![vec![Value::Null]] })
    }

    /// `pg_logical_slot_peek_changes` (`consume` false) or `pg_logical_slot_get_changes` (true):
    /// the committed transactions after the slot's confirmed position, whole, until the rows
    /// reach `upto_changes`; getting them confirms them.
    fn slot_changes(&mut self, name: &str, upto_changes: Option<u64>, consume: bool) -> Result<ResultSet, String> {
        let index = self.slot_index(name)?;
        let master = self.master;
        let slot = &self.machines[master].logical_slots[index];
        if slot.lost {
            return Err(format!(
                "can no longer get changes from replication slot \"{name}\": it was invalidated for holding back more than max_slot_wal_keep_size"
            ));
        }
        let flushed = self.machines[master].positions.flushed;
        if slot.confirmed_flush < flushed && self.master_log.entry(slot.confirmed_flush + 1).is_none() {
            return Err(format!(
                "requested WAL has already been removed: the master no longer has the log after LSN {}",
                slot.confirmed_flush
            ));
        }
        // Committed on the master's disk, in commit order.
        let decodable = (slot.confirmed_flush + 1..=flushed).filter_map(|lsn| self.master_log.entry(lsn));
        let schema_source = &self.machines[master].data;
        let mut rows = Vec::new();
        let mut last = slot.confirmed_flush;
        for entry in decodable {
            if upto_changes.is_some_and(|upto| rows.len() as u64 >= upto) {
                break;
            }
            rows.extend(decoded(entry, schema_source));
            last = entry.lsn;
        }
        if consume {
            self.machines[master].logical_slots[index].confirmed_flush = last;
        }
        Ok(ResultSet { columns: vec!["lsn".into(), "xid".into(), "data".into()], rows })
    }

    /// Each of the master's logical slots by name, with the log entries it alone makes the master
    /// keep past `wal_keep` (`None`: lost): what a stopped consumer costs the master.
    pub fn logical_retained(&self, config: &Config) -> Vec<(&str, Option<u64>)> {
        let flushed = self.machines[self.master].positions.flushed;
        let slots = self.machines[self.master].logical_slots.iter();
        slots
            .map(|slot| {
                let behind =
                    slot.restart().map(|restart| flushed.saturating_sub(restart).saturating_sub(config.wal_keep));
                (slot.name.as_str(), behind)
            })
            .collect()
    }

    /// Where the master's slot named `name` is among its slots; a slot the connector's session
    /// holds cannot be read or dropped from the console, as PostgreSQL refuses an active slot.
    fn slot_index(&self, name: &str) -> Result<usize, String> {
        let slots = &self.machines[self.master].logical_slots;
        let index = slots
            .iter()
            .position(|slot| slot.name == name)
            .ok_or_else(|| format!("replication slot \"{name}\" does not exist"))?;
        if name == Connector::SLOT && self.logical_sender.is_some() {
            return Err(format!("replication slot \"{name}\" is active for the walsender serving cdc-1"));
        }
        Ok(index)
    }

    /// The master's logical slot furthest behind, that still holds WAL, and how far it has
    /// confirmed: the master keeps every entry after that.
    pub(super) fn logical_floor(&self) -> Option<(usize, Lsn)> {
        let slots = self.machines[self.master].logical_slots.iter().enumerate();
        slots
            .filter(|(_, slot)| !slot.lost)
            .map(|(index, slot)| (index, slot.confirmed_flush))
            .min_by_key(|&(_, lsn)| lsn)
    }

    /// Gives up a logical slot that held back more than `max_slot_wal_keep_size`.
    pub(super) fn invalidate_logical_slot(&mut self, index: usize, cx: &mut Ctx) {
        let master = self.master;
        let slot = &mut self.machines[master].logical_slots[index];
        slot.lost = true;
        let name = slot.name.clone();
        if name == Connector::SLOT {
            // PostgreSQL ends the walsender of a slot it invalidates.
            self.end_connector_session(cx);
        }
        cx.note(EventKind::LogicalSlotInvalidated { slot: name, kept: slot_limit(cx.config) });
    }

    /// PostgreSQL 17's failover slots: the promoted standby has the connector's slot (made with
    /// the `failover` option; the console's are not), synchronized as far as it had replayed
    /// (`sync_replication_slots`).
    pub(super) fn carry_logical_slots(&mut self, old: NodeId, promoted: NodeId, fork: Lsn) {
        let carried: Vec<LogicalSlot> = (self.machines[old].logical_slots.iter())
            .filter(|slot| !slot.lost && slot.name == Connector::SLOT)
            .map(|slot| LogicalSlot::new(&slot.name, slot.confirmed_flush.min(fork)))
            .collect();
        self.machines[promoted].logical_slots = carried;
    }
}

/// The answer's columns a SELECT asked for, in its order (the parser checked they exist).
fn project(result: ResultSet, columns: &[String]) -> ResultSet {
    let indexes: Vec<usize> =
        columns.iter().filter_map(|column| result.columns.iter().position(|name| name == column)).collect();
    ResultSet {
        columns: indexes.iter().map(|&index| result.columns[index].clone()).collect(),
        rows: result.rows.iter().map(|row| indexes.iter().map(|&index| row[index].clone()).collect()).collect(),
    }
}

/// The answer as one column of records, as `SELECT f(...)` gives it: `(0,1,"BEGIN 1")`.
fn records(result: ResultSet, function: &str) -> ResultSet {
    let field = |value: &Value| match value {
        Value::Null => String::new(),
        Value::Text(text) if text.is_empty() || text.chars().any(|c| c.is_whitespace() || ",()\"\\".contains(c)) => {
            format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\"\""))
        }
        Value::Text(text) => text.clone(),
        other => other.to_string(),
    };
    let record = |row: &Vec<Value>| Value::Text(format!("({})", row.iter().map(field).collect::<Vec<_>>().join(",")));
    ResultSet { columns: vec![function.to_string()], rows: result.rows.iter().map(|row| vec![record(row)]).collect() }
}

/// A transaction as test_decoding writes it: `BEGIN`, a row per change, `COMMIT`.
fn decoded(entry: &LogEntry, schemas: &Database) -> Vec<Vec<Value>> {
    let row = |data: String| vec![Value::Int(entry.lsn as i64), Value::Int(entry.lsn as i64), Value::Text(data)];
    let mut rows = vec![row(format!("BEGIN {}", entry.lsn))];
    for change in &entry.changes {
        let (table, action, values, key) = match change {
            Change::Put { table, row, key } => {
                let action = if row.version == 1 { "INSERT" } else { "UPDATE" };
                (table, action, Some(&row.values), key)
            }
            Change::Delete { table, key } => (table, "DELETE", None, key),
            // test_decoding shows no DDL: a CREATE TABLE is an empty transaction.
            Change::CreateTable { .. } => continue,
        };
        let Some(schema) = schemas.table(table).map(|table| &table.schema) else { continue };
        let columns: Vec<String> = match values {
            Some(values) => schema
                .columns
                .iter()
                .zip(values)
                .map(|(column, value)| column_text(&column.name, column.ty, value))
                .collect(),
            None => {
                let column = &schema.columns[schema.primary_key];
                vec![column_text(&column.name, column.ty, key)]
            }
        };
        rows.push(row(format!("table public.{table}: {action}: {}", columns.join(" "))));
    }
    rows.push(row(format!("COMMIT {}", entry.lsn)));
    rows
}

/// `name[type]:value`, as test_decoding writes a column.
fn column_text(name: &str, ty: ColumnType, value: &Value) -> String {
    let ty = match ty {
        ColumnType::Int => "integer",
        ColumnType::Text => "text",
        ColumnType::Bool => "boolean",
    };
    let value = match value {
        Value::Null => "null".to_string(),
        Value::Bool(value) => value.to_string(),
        other => other.to_string(),
    };
    format!("{name}[{ty}]:{value}")
}
