//! The data every node keeps a copy of: tables of typed rows, and the log entries that change
//! them. The database starts with the lecture's `users` table.

use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

use crate::order::map_of;
use crate::time::Time;

/// A `users` id, for the requests that name one user.
pub type Key = u64;
/// Log sequence number: the position of a change in the master's log. 0 is the seed data.
pub type Lsn = u64;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Text(String),
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Bool(_) => "BOOL",
            Value::Int(_) => "INT",
            Value::Text(_) => "TEXT",
        }
    }
}

impl Value {
    /// The value as a person reads it in a table cell: text without quotes.
    pub fn plain(&self) -> String {
        match self {
            Value::Text(text) => text.clone(),
            other => other.to_string(),
        }
    }
}

impl fmt::Display for Value {
    /// As SQL would write it: `NULL`, `TRUE`, `42`, `'text'`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Bool(value) => f.write_str(if *value { "TRUE" } else { "FALSE" }),
            Value::Int(value) => write!(f, "{value}"),
            Value::Text(text) => write!(f, "'{}'", text.replace('\'', "''")),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnType {
    Int,
    Text,
    Bool,
}

impl ColumnType {
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Int => "INT",
            ColumnType::Text => "TEXT",
            ColumnType::Bool => "BOOL",
        }
    }

    /// Whether a value may be stored in a column of this type (NULL fits any).
    pub fn accepts(self, value: &Value) -> bool {
        matches!(
            (self, value),
            (_, Value::Null)
                | (ColumnType::Int, Value::Int(_))
                | (ColumnType::Text, Value::Text(_))
                | (ColumnType::Bool, Value::Bool(_))
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub ty: ColumnType,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schema {
    pub columns: Vec<Column>,
    /// Index of the primary key column.
    pub primary_key: usize,
}

impl Schema {
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|column| column.name.eq_ignore_ascii_case(name))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// One value per column, in the schema's order.
    pub values: Vec<Value>,
    /// How many times this row has been written, starting at 1; a replica's copy is stale
    /// when the master has a newer one.
    pub version: u64,
    /// The log position of the write that produced this version.
    pub lsn: Lsn,
    /// Which write of the run produced it: writes are numbered across failovers, so of two
    /// versions the later written has the larger number, whatever their LSNs (which a new
    /// timeline reuses). 0 for the starting data.
    pub write: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub schema: Schema,
    /// Keyed by the primary key's value.
    /// Rows are shared: every node holding a version of a row, and every answer that returned
    /// it, point at the same one.
    pub rows: BTreeMap<Value, Rc<Row>>,
}

/// One change a log entry carries, with the whole new row so a replica applies it as is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    CreateTable { table: String, schema: Schema },
    Put { table: String, key: Value, row: Rc<Row> },
    Delete { table: String, key: Value },
}

/// One committed statement in the master's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    pub lsn: Lsn,
    pub changes: Vec<Change>,
    /// When the master logged it: how far behind a replica is, in time, is measured from here.
    pub logged_at: Time,
}

/// All the tables of one node's copy, by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Database {
    pub tables: BTreeMap<String, Table>,
}

/// The table the lecture's statements use.
pub const USERS: &str = "users";

/// The first user the table starts with: the one a read targets before anything was written,
/// and the first the generator picks from.
pub const FIRST_USER: Key = 102;

/// The user the lecture's statements write and read (`INSERT INTO users VALUES (101, ...)`,
/// `SELECT * FROM users WHERE id = 101`): not in the starting data, so the lecture's INSERT
/// works on a fresh page as written.
pub const LECTURE_USER: Key = 101;

const SEED_NAMES: [&str; 5] = ["Bob", "Carol", "Dave", "Erin", "Frank"];

/// Names a random write gives a user.
pub const WRITE_NAMES: [&str; 12] =
    ["Ada", "Grace", "Linus", "Barbara", "Edsger", "Frances", "Ken", "Margaret", "Tony", "Radia", "Leslie", "Jim"];

/// A `users` row: the key and the name.
pub fn user_values(key: Key, name: &str) -> Vec<Value> {
    vec![Value::Int(key as i64), Value::Text(name.to_string())]
}

impl Database {
    /// The data every node starts with, before the log begins: `users (id INT PRIMARY KEY,
    /// name TEXT)` with users 102 to 106, version 1 (101 is left for the lecture's INSERT).
    pub fn seed() -> Database {
        let schema = Schema {
            columns: vec![
                Column { name: "id".to_string(), ty: ColumnType::Int },
                Column { name: "name".to_string(), ty: ColumnType::Text },
            ],
            primary_key: 0,
        };
        let rows = (FIRST_USER..).zip(SEED_NAMES).map(|(key, name)| {
            (Value::Int(key as i64), Rc::new(Row { values: user_values(key, name), version: 1, lsn: 0, write: 0 }))
        });
        Database { tables: map_of([(USERS.to_string(), Table { schema, rows: map_of(rows) })]) }
    }

    /// A table by name (names are kept in lower case, as the SQL parser writes them).
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }

    /// A user's row, by id.
    pub fn user(&self, key: Key) -> Option<&Rc<Row>> {
        self.table(USERS)?.rows.get(&Value::Int(key as i64))
    }

    /// The version a row has (0 when it does not exist).
    pub fn version(&self, table: &str, key: &Value) -> u64 {
        self.table(table).and_then(|table| table.rows.get(key)).map_or(0, |row| row.version)
    }

    /// Replays a log entry onto this copy, as a standby replays WAL (its "apply").
    pub fn replay(&mut self, entry: &LogEntry) {
        for change in &entry.changes {
            match change {
                Change::CreateTable { table, schema } => {
                    self.tables.insert(table.clone(), Table { schema: schema.clone(), rows: BTreeMap::new() });
                }
                Change::Put { table, key, row } => {
                    if let Some(table) = self.tables.get_mut(table) {
                        table.rows.insert(key.clone(), row.clone());
                    }
                }
                Change::Delete { table, key } => {
                    if let Some(table) = self.tables.get_mut(table) {
                        table.rows.remove(key);
                    }
                }
            }
        }
    }
}

/// The keys random writes choose from.
pub fn seed_keys() -> Vec<Key> {
    (FIRST_USER..FIRST_USER + SEED_NAMES.len() as Key).collect()
}

/// A `users` row's name.
pub fn user_name(row: &Row) -> &str {
    match row.values.get(1) {
        Some(Value::Text(name)) => name,
        _ => "",
    }
}
