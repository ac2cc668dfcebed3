//! The history exported for the tools people already check histories with: Jepsen's EDN
//! operation maps, readable by Knossos and Elle, and the same operations as JSON.
//!
//! Each operation is two entries, as Jepsen records it: an `invoke` at its call, then `ok`,
//! `fail`, or `info` (it failed after the master logged it: it may or may not have happened) at
//! its answer; one still waiting has only its `invoke`. A process is one client lane, so each
//! process does one thing at a time, as Knossos expects.

use serde::Serialize;

use crate::sim::history::{Ending, History};
use crate::sim::request::{Op, Outcome, RequestRecord};
use crate::sim::{data, order};

/// One entry of the JSON file: `time` in simulated microseconds; a read's `value` is the name
/// it returned, or null.
#[derive(Serialize, Debug, PartialEq)]
struct Entry {
    process: u32,
    #[serde(rename = "type")]
    kind: &'static str,
    f: &'static str,
    key: Option<u64>,
    value: Option<String>,
    time: u64,
    node: Option<String>,
}

/// The history's entries in time order (an answer after the calls of its moment).
fn entries(history: &History) -> Vec<Entry> {
    let mut entries = Vec::new();
    for entry in &history.entries {
        let record = entry.record;
        let (f, key, called, answered) = match &record.op {
            Op::Write { key, name } => ("write", Some(*key), Some(name.clone()), Some(name.clone())),
            Op::Read { key } => ("read", Some(*key), None, returned(record)),
            Op::Sql { text, .. } => ("sql", None, Some(text.clone()), Some(text.clone())),
        };
        let node = record.machine.map(|machine| machine.machine());
        entries.push(Entry {
            process: entry.process,
            kind: "invoke",
            f,
            key,
            value: called.clone(),
            time: record.issued_at.0,
            node: None,
        });
        let kind = match Ending::of(record) {
            Ending::Ok => "ok",
            Ending::Fail => "fail",
            Ending::Info => "info",
            Ending::Pending => continue,
        };
        let value = if kind == "ok" { answered } else { called };
        let time = record.completed_at.expect("answered").0;
        entries.push(Entry { process: entry.process, kind, f, key, value, time, node });
    }
    order::sorted_by(entries, |entry| (entry.time, u64::from(entry.kind != "invoke")))
}

/// The name a finished read returned.
fn returned(record: &RequestRecord) -> Option<String> {
    match &record.outcome {
        Some(Outcome::Read { row: Some(row), .. }) => Some(data::user_name(row).to_string()),
        _ => None,
    }
}

/// `history.json`: an array of `{process, type, f, key, value, time, node}`.
pub fn to_json(history: &History) -> String {
    serde_json::to_string_pretty(&entries(history)).expect("strings and numbers always serialize") + "\n"
}

/// `history.edn`: one Jepsen operation map a line, `:value [key name]` as jepsen.independent
/// keys registers, `:time` in nanoseconds as Jepsen's. Console statements are left out: Knossos
/// and Elle check registers. Written by hand: one map shape, strings the only thing to escape.
pub fn to_edn(history: &History) -> String {
    // The history is the latest operations of a run: said for a reader whose register starts
    // empty (Knossos's).
    let mut text = String::from(
        ";; Replication Playground history: Jepsen operation maps, console statements left out.\n\
         ;; The latest operations of a run: a value read that no write here wrote was the user's before them.\n",
    );
    for entry in entries(history).into_iter().filter(|entry| entry.f != "sql") {
        let value = entry.value.as_deref().map_or("nil".to_string(), edn_string);
        let node = entry.node.as_deref().map(|node| format!(", :node {}", edn_string(node))).unwrap_or_default();
        text.push_str(&format!(
            "{{:process {}, :type :{}, :f :{}, :value [{} {value}], :time {}{node}}}\n",
            entry.process,
            entry.kind,
            entry.f,
            entry.key.expect("registers have keys"),
            entry.time * 1_000,
        ));
    }
    text
}

fn edn_string(text: &str) -> String {
    let mut quoted = String::from("\"");
    for character in text.chars() {
        match character {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            '\r' => quoted.push_str("\\r"),
            '\t' => quoted.push_str("\\t"),
            other => quoted.push(other),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Command;
    use crate::sim::config::{Config, Mode};
    use crate::sim::time::Time;
    use crate::sim::{NodeRef, Simulation};

    /// A write acknowledged, a read of it, a write in doubt (the master crashed while it waited
    /// for the replica) and a console statement.
    fn run() -> Simulation {
        let config =
            Config { mode: Mode::Sync, replicas: 1, clients: 2, client_ms: 1, lag_ms: 100, ..Config::default() };
        let mut sim = Simulation::new(config).unwrap();
        sim.apply(Command::Write { client: 0, key: 101, name: "Bob \"B\"".into() }).unwrap();
        sim.run_until(Time::from_millis(300));
        sim.apply(Command::Read { client: 1, key: 101 }).unwrap();
        sim.apply(Command::Sql { client: 1, text: "SELECT * FROM users".into() }).unwrap();
        sim.run_until(Time::from_millis(400));
        sim.apply(Command::Write { client: 0, key: 102, name: "Eve".into() }).unwrap();
        sim.run_until(Time::from_millis(450));
        sim.apply(Command::Crash(NodeRef::Master)).unwrap();
        sim.run_until(Time::from_millis(600));
        sim
    }

    #[test]
    fn the_json_has_each_operation_invoked_then_answered() {
        let sim = run();
        let json: serde_json::Value = serde_json::from_str(&to_json(&sim.history(usize::MAX))).unwrap();
        let entries: Vec<String> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| {
                format!(
                    "{} {} {} {} {} {}",
                    entry["process"], entry["type"], entry["f"], entry["key"], entry["value"], entry["node"]
                )
            })
            .collect();
        assert_eq!(
            entries,
            [
                r#"0 "invoke" "write" 101 "Bob \"B\"" null"#,
                r#"0 "ok" "write" 101 "Bob \"B\"" "pg-1""#,
                r#"1 "invoke" "read" 101 null null"#,
                r#"2 "invoke" "sql" null "SELECT * FROM users" null"#,
                r#"1 "ok" "read" 101 "Bob \"B\"" "pg-2""#,
                r#"2 "ok" "sql" null "SELECT * FROM users" "pg-2""#,
                r#"0 "invoke" "write" 102 "Eve" null"#,
                r#"0 "info" "write" 102 "Eve" "pg-1""#,
            ]
        );
        assert_eq!(json[0]["time"], 0);
    }

    #[test]
    fn the_edn_is_jepsen_s_register_operations_without_the_console() {
        let sim = run();
        let edn = to_edn(&sim.history(usize::MAX));
        let lines: Vec<&str> = edn.lines().skip(2).collect();
        assert_eq!(lines.len(), 6, "{edn}");
        assert_eq!(lines[0], r#"{:process 0, :type :invoke, :f :write, :value [101 "Bob \"B\""], :time 0}"#);
        assert!(
            lines[2].starts_with(r#"{:process 1, :type :invoke, :f :read, :value [101 nil], :time 300000000}"#),
            "{}",
            lines[2]
        );
        assert!(lines[5].starts_with(r#"{:process 0, :type :info, :f :write, :value [102 "Eve"]"#), "{}", lines[5]);
    }

    #[test]
    fn edn_strings_escape_quotes_backslashes_and_line_breaks() {
        assert_eq!(edn_string("a\"b\\c\nd\te"), r#""a\"b\\c\nd\te""#);
    }
}
