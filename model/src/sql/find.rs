//! MongoDB's `find`, as the console speaks it on the read side: `db.users.find({ _id: 101 })`
//! parsed into the SELECT it means, and a SELECT shown as the `find` MongoDB runs for it.
//! Only what maps one to one: equality filters on fields (`_id` is the primary key), a field
//! list, one sort, a limit.

use super::{CompareOp, Expr, Name, Select, SqlError, Statement};
use crate::data::{Schema, Value};

/// The field that names a document's primary key.
const ID: &str = "_id";

/// `db.<collection>.find(<filter>)`, with an optional `;`: the SELECT it means. `None` when
/// the text is not a find.
pub(super) fn parse_find(text: &str) -> Option<Result<Statement, SqlError>> {
    let trimmed = text.trim().trim_end_matches(';').trim_end();
    let rest = trimmed.strip_prefix("db.")?;
    let bad = |message: &str| Some(Err(SqlError::new(format!("{message}, in {trimmed}"))));
    let Some((collection, call)) = rest.split_once('.') else {
        return bad("a find names a collection: db.users.find({ _id: 101 })");
    };
    let Some(filter) = call.strip_prefix("find(").and_then(|call| call.strip_suffix(')')) else {
        return bad("the console runs find() only: db.users.find({ _id: 101 })");
    };
    if collection.is_empty() || !collection.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return bad(&format!("\"{collection}\" is not a collection name"));
    }
    let filter = filter.trim();
    let body = if filter.is_empty() { Some("") } else { filter.strip_prefix('{').and_then(|f| f.strip_suffix('}')) };
    let Some(body) = body else { return bad("the filter is an object: { _id: 101 } or {}") };
    let mut terms = Vec::new();
    for field in fields(body).into_iter().map(str::trim).filter(|field| !field.is_empty()) {
        let Some((name, value)) = field.split_once(':') else {
            return bad(&format!("\"{field}\" is not field: value"));
        };
        let name = name.trim().trim_matches(|c| c == '"' || c == '\'');
        let Some(value) = literal(value.trim()) else {
            return bad(&format!(
                "{} is not a number, a 'text', true, false or null (the console's find compares for equality)",
                value.trim()
            ));
        };
        let column = Box::new(Expr::Column(Name { text: name.to_string(), line: 1, column: 1 }));
        // `{ f: null }` matches a null (in MongoDB also a missing field): SQL's IS NULL.
        terms.push(match value {
            Value::Null => Expr::IsNull { expr: column, negated: false },
            value => Expr::Compare(CompareOp::Eq, column, Box::new(Expr::Value(value))),
        });
    }
    let filter = match terms.len() {
        0 => None,
        1 => terms.pop(),
        _ => Some(Expr::And(terms)),
    };
    let table = Name { text: collection.to_string(), line: 1, column: 1 };
    Some(Ok(Statement::Select(Select { columns: None, table, filter, order_by: None, limit: None, for_update: false })))
}

/// A filter's `field: value` pairs, split at the commas outside quotes.
fn fields(body: &str) -> Vec<&str> {
    let (mut fields, mut start, mut quote) = (Vec::new(), 0, None);
    for (at, c) in body.char_indices() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(open), c) if c == open => quote = None,
            (None, ',') => {
                fields.push(&body[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    fields.push(&body[start..]);
    fields
}

fn literal(text: &str) -> Option<Value> {
    let quoted =
        |quote: char| text.strip_prefix(quote)?.strip_suffix(quote).map(|inner| Value::Text(inner.to_string()));
    match text {
        "true" => Some(Value::Bool(true)),
        "false" => Some(Value::Bool(false)),
        "null" => Some(Value::Null),
        _ => text.parse().ok().map(Value::Int).or_else(|| quoted('\'')).or_else(|| quoted('"')),
    }
}

/// The SELECT with `_id` named as the table's primary key, as the read model's documents are.
pub fn resolve_id(select: &Select, schema: &Schema) -> Select {
    let key = &schema.columns[schema.primary_key].name;
    let rename = |expr: &Expr| match expr {
        Expr::Compare(op, column, value) if matches!(column.as_ref(), Expr::Column(name) if name.text == ID) => {
            let name = Name { text: key.clone(), line: 1, column: 1 };
            Expr::Compare(*op, Box::new(Expr::Column(name)), value.clone())
        }
        other => other.clone(),
    };
    let filter = select.filter.as_ref().map(|filter| match filter {
        Expr::And(terms) => Expr::And(terms.iter().map(rename).collect()),
        other => rename(other),
    });
    Select { filter, ..select.clone() }
}

/// The `find` MongoDB runs for a SELECT on the read model, as mongosh writes it; `None` when
/// the SELECT has no one-to-one find (an OR, an IN, a comparison of two columns, ...).
pub fn find_text(select: &Select, schema: &Schema) -> Option<String> {
    let key = &schema.columns[schema.primary_key].name;
    let field = |name: &str| if name.eq_ignore_ascii_case(key) { ID.to_string() } else { name.to_ascii_lowercase() };
    let value = |value: &Value| match value {
        Value::Text(text) => format!("'{}'", text.replace('\'', "\\'")),
        Value::Null => "null".to_string(),
        other => other.to_string().to_ascii_lowercase(),
    };
    let term = |expr: &Expr| -> Option<String> {
        if let Expr::IsNull { expr, negated: false } = expr
            && let Expr::Column(name) = expr.as_ref()
        {
            return Some(format!("{}: null", field(&name.text)));
        }
        let Expr::Compare(op, left, right) = expr else { return None };
        let (Expr::Column(name), Expr::Value(literal)) = (left.as_ref(), right.as_ref()) else { return None };
        if *literal == Value::Null {
            // `= NULL` is never true in SQL; `{ f: null }` is.
            return None;
        }
        let operator = match op {
            CompareOp::Eq => return Some(format!("{}: {}", field(&name.text), value(literal))),
            // `$ne` also matches a null or missing field, which SQL's `<>` does not.
            CompareOp::NotEq => return None,
            CompareOp::Less => "$lt",
            CompareOp::Greater => "$gt",
            CompareOp::LessEq => "$lte",
            CompareOp::GreaterEq => "$gte",
        };
        Some(format!("{}: {{ {operator}: {} }}", field(&name.text), value(literal)))
    };
    let terms: Vec<String> = match &select.filter {
        None => Vec::new(),
        Some(Expr::And(terms)) => terms.iter().map(term).collect::<Option<_>>()?,
        Some(other) => vec![term(other)?],
    };
    let filter = if terms.is_empty() { "{}".to_string() } else { format!("{{ {} }}", terms.join(", ")) };
    // A projection returns `_id` unless it says not to.
    let projection = match &select.columns {
        None => String::new(),
        Some(columns) => {
            let mut shown: Vec<String> = columns.iter().map(|column| format!("{}: 1", field(&column.text))).collect();
            if !columns.iter().any(|column| column.text.eq_ignore_ascii_case(key)) {
                shown.push(format!("{ID}: 0"));
            }
            format!(", {{ {} }}", shown.join(", "))
        }
    };
    let mut text = format!("db.{}.find({filter}{projection})", select.table.text.to_ascii_lowercase());
    if let Some((column, descending)) = &select.order_by {
        text.push_str(&format!(".sort({{ {}: {} }})", field(&column.text), if *descending { -1 } else { 1 }));
    }
    if let Some(limit) = select.limit {
        text.push_str(&format!(".limit({limit})"));
    }
    Some(text)
}
