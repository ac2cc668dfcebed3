//! Each user's row as the master had committed it, over the recent past: the history starts
//! each user's register where it stood when its window opens, so that a read of a value
//! overwritten before the window is judged against what was committed then.

use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use crate::data::{Change, Database, Key, LogEntry, Row, USERS, Value};
use crate::time::Time;

/// The most changes kept after `since`; past it the oldest fold into the start, and `since`
/// moves up to it (a history that opens later judges less, never wrongly).
const MOST_CHANGES: usize = 1_024;

#[derive(Clone, Debug)]
pub(crate) struct CommittedUsers {
    /// Each user's committed row at `since`; a user not here had no row.
    start: BTreeMap<Key, Rc<Row>>,
    since: Time,
    /// Every change after `since`, oldest first: a user's new row, or none (deleted, or lost
    /// in a crash or a failover).
    changes: VecDeque<(Time, Key, Option<Rc<Row>>)>,
}

impl CommittedUsers {
    pub fn new(committed: &Database) -> CommittedUsers {
        CommittedUsers { start: users(committed), since: Time::ZERO, changes: VecDeque::new() }
    }

    /// The moment the start is for: nothing earlier can be asked.
    pub fn since(&self) -> Time {
        self.since
    }

    /// A log entry committed at `at`.
    pub fn committed(&mut self, at: Time, entry: &LogEntry) {
        for change in &entry.changes {
            match change {
                Change::Put { table, key, row } if table == USERS => self.changed(at, key, Some(row.clone())),
                Change::Delete { table, key } if table == USERS => self.changed(at, key, None),
                _ => {}
            }
        }
    }

    /// The master's committed data was replaced at `at` (a crash recovery, a failover, a crash
    /// that lost what was not on disk): each user whose row differs changed.
    pub fn replaced(&mut self, at: Time, before: &Database, after: &Database) {
        let (before, after) = (users(before), users(after));
        let keys: Vec<Key> = before.keys().chain(after.keys()).copied().collect();
        for key in keys {
            let (old, new) = (before.get(&key), after.get(&key));
            if old.map(|row| row.write) != new.map(|row| row.write) || old.is_some() != new.is_some() {
                self.changed(at, &Value::Int(key as i64), new.cloned());
            }
        }
    }

    fn changed(&mut self, at: Time, key: &Value, row: Option<Rc<Row>>) {
        let Some(key) = user_key(key) else { return };
        if self.changes.back().is_some_and(|&(when, same, _)| when == at && same == key) {
            self.changes.pop_back();
        }
        self.changes.push_back((at, key, row));
        if self.changes.len() > MOST_CHANGES {
            let oldest = self.changes.front().map_or(at, |&(when, ..)| when);
            self.forget_until(oldest);
        }
    }

    /// Nothing before `horizon` will be asked: the changes up to it fold into the start.
    pub fn forget_until(&mut self, horizon: Time) {
        while self.changes.front().is_some_and(|&(at, ..)| at <= horizon) {
            let (at, key, row) = self.changes.pop_front().expect("the front exists");
            self.since = self.since.max(at);
            match row {
                Some(row) => self.start.insert(key, row),
                None => self.start.remove(&key),
            };
        }
        self.since = self.since.max(horizon);
    }

    /// User `key`'s committed row at `at` (not before `since`).
    pub fn at(&self, at: Time, key: Key) -> Option<Rc<Row>> {
        let changed = self.changes.iter().rev().find(|&&(when, user, _)| when <= at && user == key);
        match changed {
            Some((_, _, row)) => row.clone(),
            None => self.start.get(&key).cloned(),
        }
    }
}

/// The `users` rows of a database, by user.
fn users(data: &Database) -> BTreeMap<Key, Rc<Row>> {
    let rows = data.table(USERS).map(|table| &table.rows);
    rows.into_iter().flatten().filter_map(|(key, row)| Some((user_key(key)?, row.clone()))).collect()
}

/// A `users` id the history's registers can name (ids below zero cannot be read by one).
fn user_key(key: &Value) -> Option<Key> {
    match key {
        Value::Int(id) => Key::try_from(*id).ok(),
        _ => None,
    }
}
