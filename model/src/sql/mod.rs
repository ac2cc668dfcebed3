//! The SQL the console speaks: a small subset, parsed by hand (a parser crate such as
//! `sqlparser` would weigh more than the whole page), and run against a node's copy.
//!
//! Errors name the line and column they were found at, and a failing statement changes
//! nothing.

mod exec;
mod find;
mod functions;
mod lexer;
mod parser;

use std::fmt;

pub use exec::{ResultSet, Written, execute_write, query};
pub use find::{find_text, resolve_id};
pub use parser::{MAX_DEPTH, MAX_TEXT_CHARS, parse};

use super::data::{Schema, Value};

/// What went wrong, and where in the text when a place is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqlError {
    pub message: String,
    pub place: Option<(usize, usize)>,
}

impl SqlError {
    pub fn at(line: usize, column: usize, message: impl Into<String>) -> SqlError {
        SqlError { message: message.into(), place: Some((line, column)) }
    }

    pub fn new(message: impl Into<String>) -> SqlError {
        SqlError { message: message.into(), place: None }
    }
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.place {
            Some((line, column)) => write!(f, "{} at line {line}, column {column}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for SqlError {}

/// A name as written, with where it was written, for messages about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub line: usize,
    pub column: usize,
}

impl Name {
    pub fn error(&self, message: impl Into<String>) -> SqlError {
        SqlError::at(self.line, self.column, message)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    NotEq,
    Less,
    Greater,
    LessEq,
    GreaterEq,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    Value(Value),
    Column(Name),
    Compare(CompareOp, Box<Expr>, Box<Expr>),
    /// Two or more terms: a chain is one flat list, so a long chain is not a deep tree.
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    In {
        expr: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
    },
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Select {
    /// `None` for `*`.
    pub columns: Option<Vec<Name>>,
    pub table: Name,
    pub filter: Option<Expr>,
    /// The column and whether descending.
    pub order_by: Option<(Name, bool)>,
    pub limit: Option<u64>,
    pub for_update: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Statement {
    CreateTable { table: Name, schema: Schema },
    Insert { table: Name, columns: Option<Vec<Name>>, rows: Vec<Vec<Expr>> },
    Update { table: Name, assignments: Vec<(Name, Expr)>, filter: Option<Expr> },
    Delete { table: Name, filter: Option<Expr> },
    Select(Select),
    SlotFunction(SlotCall),
}

/// A slot function called by a SELECT, and how its answer is shaped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotCall {
    pub function: SlotFunction,
    pub shape: Shape,
}

/// How a SELECT shapes a function's answer, as PostgreSQL does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `SELECT f(...)`: one column, named after the function, of records: `(0,1,"BEGIN 1")`.
    Record,
    /// `SELECT * FROM f(...)`: every column.
    All,
    /// `SELECT a, b FROM f(...)`: those, each one of the function's `columns()` (the parser
    /// checked).
    Columns(Vec<String>),
}

impl SlotFunction {
    /// Its name, as a SELECT calls it.
    pub fn name(&self) -> &'static str {
        match self {
            SlotFunction::Create { .. } => "pg_create_logical_replication_slot",
            SlotFunction::Drop { .. } => "pg_drop_replication_slot",
            SlotFunction::Changes { consume: false, .. } => "pg_logical_slot_peek_changes",
            SlotFunction::Changes { consume: true, .. } => "pg_logical_slot_get_changes",
        }
    }

    /// The columns of its answer, as PostgreSQL names them.
    pub fn columns(&self) -> &'static [&'static str] {
        match self {
            SlotFunction::Create { .. } => &["slot_name", "lsn"],
            SlotFunction::Drop { .. } => &["pg_drop_replication_slot"],
            SlotFunction::Changes { .. } => &["lsn", "xid", "data"],
        }
    }
}

/// A call of one of PostgreSQL's logical replication slot functions (functions.rs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SlotFunction {
    /// `pg_create_logical_replication_slot(slot, 'test_decoding')`.
    Create { slot: String },
    /// `pg_drop_replication_slot(slot)`.
    Drop { slot: String },
    /// `pg_logical_slot_peek_changes(slot, NULL, upto)` (`consume` false) or
    /// `pg_logical_slot_get_changes` (true): the decoded transactions after the slot's
    /// confirmed position; getting them confirms them.
    Changes { slot: String, upto_changes: Option<u64>, consume: bool },
}

/// One statement of a batch, as the proxy routes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    pub statement: Statement,
    /// The statement's own text, for the console and the log.
    pub text: String,
    /// A `/* master */` hint came before it.
    pub master_hint: bool,
    /// It was written as MongoDB's `db.<collection>.find(...)`: only the read model answers it.
    pub find: bool,
}

impl Parsed {
    /// Writes, `SELECT ... FOR UPDATE`, hinted statements and slot functions go to the master
    /// (ProxySQL's canonical read/write split rules, pgpool's `/*NO LOAD BALANCE*/`-style hint,
    /// and pgpool's rule that a SELECT calling a volatile function writes).
    pub fn goes_to_master(&self) -> bool {
        match &self.statement {
            Statement::Select(select) => select.for_update || self.master_hint,
            _ => true,
        }
    }

    /// A SELECT, a slot function's included: its client counts it as a read.
    pub fn is_read(&self) -> bool {
        matches!(self.statement, Statement::Select(_) | Statement::SlotFunction(_))
    }
}

#[cfg(test)]
mod tests;
