//! Values as JSON text, for the replicas' documents and the console's answers, laid out on
//! one line as the cards show them.

use crate::sim::data::Value;

/// A text as a JSON string, quoted and escaped (by serde_json, as the session file is).
pub fn string(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serializes")
}

/// An object on one line, `{ "name": value, ... }`, from names and values already in JSON.
pub fn object<'a>(fields: impl IntoIterator<Item = (&'a str, String)>) -> String {
    let fields: Vec<String> = fields.into_iter().map(|(name, value)| format!("{}: {value}", string(name))).collect();
    format!("{{ {} }}", fields.join(", "))
}

/// A table value in JSON.
pub fn value(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(value) => value.to_string(),
        Value::Int(value) => value.to_string(),
        Value::Text(text) => string(text),
    }
}
