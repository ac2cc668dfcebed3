//! Runs parsed statements against a node's copy of the data. A write is computed in full
//! before anything changes, so a statement that fails changes nothing.

use std::collections::BTreeSet;
use std::rc::Rc;

use super::{CompareOp, Expr, Name, Select, SqlError, Statement};
use crate::data::{Change, Database, Lsn, Row, Schema, Table, Value};

/// The answer to a SELECT.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResultSet {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
}

/// What a write statement would change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub changes: Vec<Change>,
    pub rows_affected: u64,
}

fn table<'a>(db: &'a Database, name: &Name) -> Result<&'a Table, SqlError> {
    db.table(&name.text).ok_or_else(|| name.error(format!("unknown table {}", name.text)))
}

fn column(schema: &Schema, name: &Name, table: &str) -> Result<usize, SqlError> {
    schema.column(&name.text).ok_or_else(|| name.error(format!("unknown column {} in table {table}", name.text)))
}

/// Checks every column an expression names exists, so a mistake is reported even when no
/// row would reach it.
fn check_columns(expr: &Expr, schema: &Schema, table: &str) -> Result<(), SqlError> {
    match expr {
        Expr::Value(_) => Ok(()),
        Expr::Column(name) => column(schema, name, table).map(|_| ()),
        Expr::Compare(_, left, right) => {
            check_columns(left, schema, table)?;
            check_columns(right, schema, table)
        }
        Expr::And(terms) | Expr::Or(terms) => terms.iter().try_for_each(|term| check_columns(term, schema, table)),
        Expr::Not(inner) | Expr::IsNull { expr: inner, .. } => check_columns(inner, schema, table),
        Expr::In { expr, list, .. } => {
            check_columns(expr, schema, table)?;
            list.iter().try_for_each(|item| check_columns(item, schema, table))
        }
    }
}

/// Evaluates an expression for one row (`None` where no row may be referred to, as in VALUES).
fn eval(expr: &Expr, schema: &Schema, row: Option<&[Value]>) -> Result<Value, SqlError> {
    Ok(match expr {
        Expr::Value(value) => value.clone(),
        Expr::Column(name) => match row {
            Some(values) => values
                [schema.column(&name.text).ok_or_else(|| name.error(format!("unknown column {}", name.text)))?]
            .clone(),
            None => return Err(name.error(format!("a value is needed here, not the column {}", name.text))),
        },
        Expr::Compare(op, left, right) => {
            let (left, right) = (eval(left, schema, row)?, eval(right, schema, row)?);
            compare(*op, &left, &right)?
        }
        // Every term is evaluated, so a type error anywhere is reported whatever the others say.
        Expr::And(terms) => match truths(terms, schema, row)? {
            (_, _, true) => Value::Bool(false),
            (true, _, false) => Value::Null,
            (false, _, false) => Value::Bool(true),
        },
        Expr::Or(terms) => match truths(terms, schema, row)? {
            (_, true, _) => Value::Bool(true),
            (true, false, _) => Value::Null,
            (false, false, _) => Value::Bool(false),
        },
        Expr::Not(inner) => match truth(eval(inner, schema, row)?)? {
            Some(value) => Value::Bool(!value),
            None => Value::Null,
        },
        Expr::IsNull { expr, negated } => Value::Bool((eval(expr, schema, row)? == Value::Null) != *negated),
        Expr::In { expr, list, negated } => {
            let value = eval(expr, schema, row)?;
            let mut unknown = false;
            let mut found = false;
            for item in list {
                match compare(CompareOp::Eq, &value, &eval(item, schema, row)?)? {
                    Value::Bool(true) => found = true,
                    Value::Null => unknown = true,
                    _ => {}
                }
            }
            match (found, unknown) {
                (true, _) => Value::Bool(!negated),
                (false, true) => Value::Null,
                (false, false) => Value::Bool(*negated),
            }
        }
    })
}

/// Whether any of `terms` is unknown, any true, any false.
fn truths(terms: &[Expr], schema: &Schema, row: Option<&[Value]>) -> Result<(bool, bool, bool), SqlError> {
    let (mut unknown, mut any_true, mut any_false) = (false, false, false);
    for term in terms {
        match truth(eval(term, schema, row)?)? {
            None => unknown = true,
            Some(true) => any_true = true,
            Some(false) => any_false = true,
        }
    }
    Ok((unknown, any_true, any_false))
}

/// SQL's three-valued truth: `None` is unknown (NULL).
fn truth(value: Value) -> Result<Option<bool>, SqlError> {
    match value {
        Value::Bool(value) => Ok(Some(value)),
        Value::Null => Ok(None),
        other => {
            Err(SqlError::new(format!("a condition must be true or false, not the {} {other}", other.type_name())))
        }
    }
}

fn compare(op: CompareOp, left: &Value, right: &Value) -> Result<Value, SqlError> {
    if *left == Value::Null || *right == Value::Null {
        return Ok(Value::Null);
    }
    if std::mem::discriminant(left) != std::mem::discriminant(right) {
        return Err(SqlError::new(format!(
            "type mismatch: cannot compare {left} ({}) with {right} ({})",
            left.type_name(),
            right.type_name()
        )));
    }
    let ordering = left.cmp(right);
    Ok(Value::Bool(match op {
        CompareOp::Eq => ordering.is_eq(),
        CompareOp::NotEq => ordering.is_ne(),
        CompareOp::Less => ordering.is_lt(),
        CompareOp::Greater => ordering.is_gt(),
        CompareOp::LessEq => ordering.is_le(),
        CompareOp::GreaterEq => ordering.is_ge(),
    }))
}

/// The rows of `table` that `filter` keeps, in key order.
fn matching<'a>(table: &'a Table, filter: Option<&Expr>) -> Result<Vec<(&'a Value, &'a Rc<Row>)>, SqlError> {
    let mut rows = Vec::new();
    for (key, row) in &table.rows {
        let keep = match filter {
            Some(filter) => truth(eval(filter, &table.schema, Some(&row.values))?)? == Some(true),
            None => true,
        };
        if keep {
            rows.push((key, row));
        }
    }
    Ok(rows)
}

fn check_type(schema: &Schema, index: usize, value: &Value, at: &Name) -> Result<(), SqlError> {
    let column = &schema.columns[index];
    if !column.ty.accepts(value) {
        return Err(at.error(format!(
            "type mismatch: column {} is {} but {value} is {}",
            column.name,
            column.ty.name(),
            value.type_name()
        )));
    }
    if index == schema.primary_key && *value == Value::Null {
        return Err(at.error(format!("the primary key {} cannot be NULL", column.name)));
    }
    Ok(())
}

pub fn query(db: &Database, select: &Select) -> Result<ResultSet, SqlError> {
    let table = table(db, &select.table)?;
    let schema = &table.schema;
    if let Some(filter) = &select.filter {
        check_columns(filter, schema, &select.table.text)?;
    }
    let projection: Vec<usize> = match &select.columns {
        None => (0..schema.columns.len()).collect(),
        Some(names) => names.iter().map(|name| column(schema, name, &select.table.text)).collect::<Result<_, _>>()?,
    };
    let mut rows: Vec<&Row> = matching(table, select.filter.as_ref())?.into_iter().map(|(_, row)| &**row).collect();
    if let Some((name, descending)) = &select.order_by {
        let index = column(schema, name, &select.table.text)?;
        rows.sort_by(|a, b| a.values[index].cmp(&b.values[index]));
        if *descending {
            rows.reverse();
        }
    }
    if let Some(limit) = select.limit {
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    }
    Ok(ResultSet {
        columns: projection.iter().map(|&index| schema.columns[index].name.clone()).collect(),
        rows: rows.iter().map(|row| projection.iter().map(|&index| row.values[index].clone()).collect()).collect(),
    })
}

/// Works out the changes a write statement makes, as the log entry at `lsn` would carry them.
/// `write` numbers the run's write (see `Row::write`).
pub fn execute_write(db: &Database, statement: &Statement, lsn: Lsn, write: u64) -> Result<Written, SqlError> {
    match statement {
        Statement::CreateTable { table, schema } => {
            if db.table(&table.text).is_some() {
                return Err(table.error(format!("table {} already exists", table.text)));
            }
            Ok(Written {
                changes: vec![Change::CreateTable { table: table.text.clone(), schema: schema.clone() }],
                rows_affected: 0,
            })
        }
        Statement::Insert { table: name, columns, rows } => {
            let table = table(db, name)?;
            let schema = &table.schema;
            let targets: Vec<(usize, Name)> = match columns {
                Some(columns) => columns
                    .iter()
                    .map(|column_name| Ok((column(schema, column_name, &name.text)?, column_name.clone())))
                    .collect::<Result<_, SqlError>>()?,
                None => schema.columns.iter().enumerate().map(|(index, _)| (index, name.clone())).collect(),
            };
            // In the order of VALUES, as PostgreSQL inserts (and logical decoding hands out) them.
            let mut added: Vec<(Value, Rc<Row>)> = Vec::new();
            let mut keys: BTreeSet<Value> = BTreeSet::new();
            for values in rows {
                if values.len() != targets.len() {
                    return Err(name.error(format!(
                        "{} values given for {} columns of {}",
                        values.len(),
                        targets.len(),
                        name.text
                    )));
                }
                let mut row = vec![Value::Null; schema.columns.len()];
                for ((index, at), expr) in targets.iter().zip(values) {
                    let value = eval(expr, schema, None)?;
                    check_type(schema, *index, &value, at)?;
                    row[*index] = value;
                }
                let key = row[schema.primary_key].clone();
                if key == Value::Null {
                    return Err(name
                        .error(format!("the primary key {} needs a value", schema.columns[schema.primary_key].name)));
                }
                if table.rows.contains_key(&key) || !keys.insert(key.clone()) {
                    return Err(name.error(format!(
                        "duplicate key: {} already has {} = {key}",
                        name.text, schema.columns[schema.primary_key].name
                    )));
                }
                added.push((key, Rc::new(Row { values: row, version: 1, lsn, write })));
            }
            let rows_affected = added.len() as u64;
            let changes =
                added.into_iter().map(|(key, row)| Change::Put { table: name.text.clone(), key, row }).collect();
            Ok(Written { changes, rows_affected })
        }
        Statement::Update { table: name, assignments, filter } => {
            let table = table(db, name)?;
            let schema = &table.schema;
            let targets: Vec<(usize, &Name, &Expr)> = assignments
                .iter()
                .map(|(column_name, expr)| {
                    let index = column(schema, column_name, &name.text)?;
                    if index == schema.primary_key {
                        return Err(
                            column_name.error(format!("the primary key {} cannot be changed", column_name.text))
                        );
                    }
                    check_columns(expr, schema, &name.text)?;
                    Ok((index, column_name, expr))
                })
                .collect::<Result<_, _>>()?;
            if let Some(filter) = filter {
                check_columns(filter, schema, &name.text)?;
            }
            let mut changes = Vec::new();
            for (key, row) in matching(table, filter.as_ref())? {
                let mut values = row.values.clone();
                for (index, at, expr) in &targets {
                    let value = eval(expr, schema, Some(&row.values))?;
                    check_type(schema, *index, &value, at)?;
                    values[*index] = value;
                }
                changes.push(Change::Put {
                    table: name.text.clone(),
                    key: key.clone(),
                    row: Rc::new(Row { values, version: row.version + 1, lsn, write }),
                });
            }
            Ok(Written { rows_affected: changes.len() as u64, changes })
        }
        Statement::Delete { table: name, filter } => {
            let table = table(db, name)?;
            if let Some(filter) = filter {
                check_columns(filter, &table.schema, &name.text)?;
            }
            let changes: Vec<Change> = matching(table, filter.as_ref())?
                .into_iter()
                .map(|(key, _)| Change::Delete { table: name.text.clone(), key: key.clone() })
                .collect();
            Ok(Written { rows_affected: changes.len() as u64, changes })
        }
        Statement::Select(_) | Statement::SlotFunction(_) => Err(SqlError::new("a SELECT is not a write")),
    }
}
