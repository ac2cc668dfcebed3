//! The `users` table every node keeps a copy of, and the log entries that change it.

use std::collections::BTreeMap;

use super::time::Time;

pub type Key = u64;
/// Log sequence number: the position of a change in the master's log. 0 is the seed data.
pub type Lsn = u64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub name: String,
    /// How many times this row has been written, starting at 1; a replica's copy is stale
    /// when its version is below the master's.
    pub version: u64,
    /// The log position of the write that produced this version.
    pub lsn: Lsn,
}

/// `users`, keyed by id.
pub type Table = BTreeMap<Key, Row>;

/// One change in the master's log, carrying the whole new row so a replica applies it as is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub lsn: Lsn,
    pub key: Key,
    pub row: Row,
    /// When the master logged it: how far behind a replica is, in time, is measured from here.
    pub logged_at: Time,
}

/// The key a read targets before anything was written: the lecture's `WHERE id = 101`.
pub const FIRST_USER: Key = 101;

const SEED_NAMES: [&str; 5] = ["Alice", "Bob", "Carol", "Dave", "Erin"];

/// Names a random write gives a user.
pub const WRITE_NAMES: [&str; 12] =
    ["Ada", "Grace", "Linus", "Barbara", "Edsger", "Frances", "Ken", "Margaret", "Tony", "Radia", "Leslie", "Jim"];

/// The data every node starts with, before the log begins: users 101 to 105, version 1.
pub fn seed_users() -> Table {
    (FIRST_USER..)
        .zip(SEED_NAMES)
        .map(|(key, name)| (key, Row { name: name.to_string(), version: 1, lsn: 0 }))
        .collect()
}

/// The keys random writes choose from.
pub fn seed_keys() -> Vec<Key> {
    (FIRST_USER..FIRST_USER + SEED_NAMES.len() as Key).collect()
}

/// Applies a log entry to a copy of the table.
pub fn apply(table: &mut Table, entry: &LogEntry) {
    table.insert(entry.key, entry.row.clone());
}

/// The version of a key in a table, 0 when the row does not exist.
pub fn version_of(table: &Table, key: Key) -> u64 {
    table.get(&key).map_or(0, |row| row.version)
}
