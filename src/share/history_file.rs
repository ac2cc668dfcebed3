//! The history exported for the tools people already check histories with: Jepsen's EDN
//! operation maps, readable by Knossos and Elle, and the same operations as JSON, for Porcupine
//! or a checker of one's own.
//!
//! The file holds exactly what the page judged, so that a checker reading it alone reaches the
//! page's verdict on linearizability:
//! - first, each user's value when the window opened, as a write by one more process, invoked
//!   and answered at time -1 (before the run's first moment), so that a register that starts
//!   empty (as Knossos's and Porcupine's do) starts where the page's starts;
//! - then every operation the checks looked at, each as an `invoke` at its call and `ok` at its
//!   answer; a write called before the window opened, or that failed after the master logged it,
//!   ends in `info` (it may have taken effect at any moment, or never); one still waiting has
//!   only its `invoke`. Console SELECTs, reads called before the window opened, and writes
//!   acknowledged before it (part of the start) are left out.
//!
//! A value is the write's number in the run (`Row::write`): two writes of one name differ. The
//! name is beside it, for people. A process is one client lane, so each process does one thing
//! at a time, as Knossos expects (a console statement that wrote several users is one operation
//! per user).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::sim::acknowledged::Start;
use crate::sim::checker::{self, Kind};
use crate::sim::data::{self, Key};
use crate::sim::history::{Ending, History};
use crate::sim::order;
use crate::sim::request::{Op, Outcome};

/// When the start's writes happen: before anything in the run (which starts at 0).
const START_TIME: i64 = -1;

/// One entry of the JSON file: `time` in simulated microseconds; `value` is the number of the
/// write a write wrote or a read returned (null: no row), `name` the user's name it carries.
#[derive(Serialize, Debug, PartialEq)]
struct Entry {
    process: u32,
    #[serde(rename = "type")]
    kind: &'static str,
    f: &'static str,
    key: Key,
    value: Option<u64>,
    name: Option<String>,
    time: i64,
    node: Option<String>,
}

/// The judged operations in time order (an answer after the calls of its moment), the start's
/// writes first.
fn entries(history: &History) -> Vec<Entry> {
    let (checked, entry_of) = history.checked();
    let names = names(history);
    let name = |key: Key, value: Option<u64>| value.and_then(|write| names.get(&(key, write)).cloned());
    let mut entries = Vec::new();
    // Processes past the lanes': one for each start write, and a fresh one for each write
    // judged loosely (Jepsen never reuses a process after :info).
    let mut next_process = history.entries.iter().map(|entry| entry.process + 1).max().unwrap_or(0);
    let mut fresh = || {
        next_process += 1;
        next_process - 1
    };
    for (key, start) in &history.start {
        let Some((write, name)) = start_write(&checked, *key, start, &names) else { continue };
        let process = fresh();
        for kind in ["invoke", "ok"] {
            let name = Some(name.clone());
            entries.push(Entry {
                process,
                kind,
                f: "write",
                key: *key,
                value: Some(write),
                name,
                time: START_TIME,
                node: None,
            });
        }
    }
    for (op, &index) in checked.ops.iter().zip(&entry_of) {
        let record = history.entries[index].record;
        // Answered, but judged as if not (it was called before the window opened): its
        // process's later operations must not follow an :info.
        let loose = op.ret.is_none() && Ending::of(record) == Ending::Ok;
        let process = if loose { fresh() } else { history.entries[index].process };
        let node = record.machine.map(|machine| machine.machine());
        let (f, called, answered) = match op.kind {
            Kind::Write { value } => ("write", Some(value), Some(value)),
            Kind::Read { value } => ("read", None, value),
        };
        let at = |time: u64| i64::try_from(time).unwrap_or(i64::MAX);
        entries.push(Entry {
            process,
            kind: "invoke",
            f,
            key: op.key,
            value: called,
            name: name(op.key, called),
            time: at(op.call),
            node: None,
        });
        let (kind, time) = match (op.ret, record.completed_at) {
            (Some(ret), _) => ("ok", ret),
            (None, Some(done)) => ("info", done.0),
            (None, None) => continue,
        };
        let value = if kind == "ok" { answered } else { called };
        entries.push(Entry { process, kind, f, key: op.key, value, name: name(op.key, value), time: at(time), node });
    }
    order::sorted_by(entries, |entry| (entry.time.wrapping_sub(START_TIME) as u64, u64::from(entry.kind != "invoke")))
}

/// The write a user's register starts with in the file: the known start, or for an unknown one
/// the value the checker binds it to (the first value read that no judged write wrote; with two
/// such values the page says no, and so does any reader of the file).
fn start_write(checked: &checker::History, key: Key, start: &Start, names: &Names) -> Option<(u64, String)> {
    match start {
        Start::Known(write) => write.as_ref().map(|write| (write.write, write.name.clone())),
        Start::Unknown => {
            let of_key = || checked.ops.iter().filter(|op| op.key == key);
            let written: Vec<u64> = of_key()
                .filter_map(|op| match op.kind {
                    Kind::Write { value } => Some(value),
                    Kind::Read { .. } => None,
                })
                .collect();
            let unwritten = of_key().find_map(|op| match op.kind {
                Kind::Read { value } if !value.is_some_and(|value| written.contains(&value)) => Some(value),
                _ => None,
            })??;
            Some((unwritten, names.get(&(key, unwritten)).cloned().unwrap_or_default()))
        }
    }
}

type Names = BTreeMap<(Key, u64), String>;

/// The user's name each write of the window gave, by (user, write number): from the start,
/// the writes themselves, and the rows reads returned (a console write's name).
fn names(history: &History) -> Names {
    let starts = history.start.iter().filter_map(|(key, start)| match start {
        Start::Known(Some(write)) => Some((*key, write.write, write.name.clone())),
        _ => None,
    });
    let written = history.entries.iter().filter_map(|entry| {
        let record = entry.record;
        match (&record.op, &record.outcome) {
            (Op::Read { key }, Some(Outcome::Read { row: Some(row), .. })) => {
                Some((*key, row.write, data::user_name(row).to_string()))
            }
            (Op::Write { key, name }, _) => Some((*key, record.logged_write()?, name.clone())),
            _ => None,
        }
    });
    order::map_of(starts.chain(written).map(|(key, write, name)| ((key, write), name)))
}

/// `history.json`: an array of `{process, type, f, key, value, name, time, node}`.
pub fn to_json(history: &History) -> String {
    serde_json::to_string_pretty(&entries(history)).expect("strings and numbers always serialize") + "\n"
}

/// `history.edn`: one Jepsen operation map a line, `:value [key write]` as jepsen.independent
/// keys registers, `:name` beside it, `:time` in nanoseconds as Jepsen's. Written by hand: one
/// map shape, strings the only thing to escape.
pub fn to_edn(history: &History) -> String {
    let mut text = String::from(
        ";; Replication Playground history: Jepsen operation maps of the operations the page judged.\n\
         ;; A value is the number of the write (in the run's log order); :name is the user's name it carries.\n\
         ;; The first writes (time -1) are each user's value when the window opened: a register starts there.\n\
         ;; A write called before the window opened ends :info: it may have taken effect at any moment, or never.\n",
    );
    for entry in entries(history) {
        let value = entry.value.map_or("nil".to_string(), |write| write.to_string());
        let name = entry.name.as_deref().map(|name| format!(", :name {}", edn_string(name))).unwrap_or_default();
        let node = entry.node.as_deref().map(|node| format!(", :node {}", edn_string(node))).unwrap_or_default();
        text.push_str(&format!(
            "{{:process {}, :type :{}, :f :{}, :value [{} {value}]{name}, :time {}{node}}}\n",
            entry.process,
            entry.kind,
            entry.f,
            entry.key,
            entry.time.saturating_mul(1_000),
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
    use crate::sim::config::{Config, Mode};
    use crate::sim::history::SHOWN;
    use crate::sim::time::Time;
    use crate::sim::{Command, checker};
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
    fn the_json_starts_each_user_where_the_window_opens_then_has_the_judged_operations() {
        let sim = run();
        let json: serde_json::Value = serde_json::from_str(&to_json(&sim.history(usize::MAX))).unwrap();
        let entries: Vec<String> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| {
                format!(
                    "{} {} {} {} {} {} {} {}",
                    entry["process"],
                    entry["type"],
                    entry["f"],
                    entry["key"],
                    entry["value"],
                    entry["name"],
                    entry["time"],
                    entry["node"]
                )
            })
            .collect();
        assert_eq!(
            entries,
            [
                r#"3 "invoke" "write" 102 0 "Bob" -1 null"#,
                r#"3 "ok" "write" 102 0 "Bob" -1 null"#,
                r#"0 "invoke" "write" 101 1 "Bob \"B\"" 0 null"#,
                r#"0 "ok" "write" 101 1 "Bob \"B\"" 104100 "pg-1""#,
                r#"1 "invoke" "read" 101 null null 300000 null"#,
                r#"1 "ok" "read" 101 1 "Bob \"B\"" 303000 "pg-2""#,
                r#"0 "invoke" "write" 102 2 "Eve" 400000 null"#,
                r#"0 "info" "write" 102 2 "Eve" 451000 "pg-1""#,
            ],
            "the console's SELECT is left out: it was not judged"
        );
    }

    #[test]
    fn the_edn_is_jepsen_s_register_operations_of_the_judged_history() {
        let sim = run();
        let edn = to_edn(&sim.history(usize::MAX));
        let lines: Vec<&str> = edn.lines().filter(|line| !line.starts_with(";;")).collect();
        assert_eq!(lines.len(), 8, "{edn}");
        assert_eq!(lines[0], r#"{:process 3, :type :invoke, :f :write, :value [102 0], :name "Bob", :time -1000}"#);
        assert_eq!(lines[2], r#"{:process 0, :type :invoke, :f :write, :value [101 1], :name "Bob \"B\"", :time 0}"#);
        assert_eq!(lines[4], r#"{:process 1, :type :invoke, :f :read, :value [101 nil], :time 300000000}"#);
        assert!(
            lines[7].starts_with(r#"{:process 0, :type :info, :f :write, :value [102 2], :name "Eve""#),
            "{}",
            lines[7]
        );
    }

    /// One operation read back from an exported file, before pairing.
    struct ReadBack {
        process: i64,
        kind: String,
        f: String,
        key: u64,
        value: Option<u64>,
        time: i64,
    }

    fn from_json(text: &str) -> Vec<ReadBack> {
        let json: serde_json::Value = serde_json::from_str(text).expect("the export is JSON");
        let entries = json.as_array().expect("an array").iter();
        entries
            .map(|entry| ReadBack {
                process: entry["process"].as_i64().unwrap(),
                kind: entry["type"].as_str().unwrap().to_string(),
                f: entry["f"].as_str().unwrap().to_string(),
                key: entry["key"].as_u64().unwrap(),
                value: entry["value"].as_u64(),
                time: entry["time"].as_i64().unwrap(),
            })
            .collect()
    }

    /// Reads the maps this module writes (one shape): `{:process P, :type :T, :f :F, :value [K V], ..., :time T}`.
    fn from_edn(text: &str) -> Vec<ReadBack> {
        let field = |line: &str, name: &str| -> String {
            let from = line.find(name).unwrap_or_else(|| panic!("{name} in {line}")) + name.len();
            line[from..].split([',', '}']).next().unwrap().trim().to_string()
        };
        (text.lines())
            .filter(|line| line.starts_with('{'))
            .map(|line| {
                let value = field(line, ":value [");
                let (key, value) = value.trim_end_matches(']').split_once(' ').unwrap();
                ReadBack {
                    process: field(line, ":process ").parse().unwrap(),
                    kind: field(line, ":type :"),
                    f: field(line, ":f :"),
                    key: key.parse().unwrap(),
                    value: value.parse().ok(),
                    time: field(line, ":time ").parse::<i64>().unwrap() / 1_000,
                }
            })
            .collect()
    }

    /// A file's operations for the checker, with nothing else known: registers start empty; each
    /// process's invoke pairs with its next completion of the same key; `info` and an invoke
    /// never completed may take effect at any moment after the call. Times move up by one so
    /// that the start's -1 is 0.
    fn checked_from(entries: Vec<ReadBack>) -> checker::History {
        let mut open: BTreeMap<(i64, u64), usize> = BTreeMap::new();
        let mut ops: Vec<checker::Op> = Vec::new();
        for entry in entries {
            let time = (entry.time + 1) as u64;
            if entry.kind == "invoke" {
                open.insert((entry.process, entry.key), ops.len());
                let kind = match entry.f.as_str() {
                    "write" => Kind::Write { value: entry.value.expect("a write has a value") },
                    _ => Kind::Read { value: None },
                };
                ops.push(checker::Op { process: entry.process as u32, key: entry.key, kind, call: time, ret: None });
                continue;
            }
            let op = &mut ops[open.remove(&(entry.process, entry.key)).expect("a completion follows its invoke")];
            match entry.kind.as_str() {
                "ok" => {
                    op.ret = Some(time);
                    if let Kind::Read { value } = &mut op.kind {
                        *value = entry.value;
                    }
                }
                "info" => {}
                other => panic!("the export has no {other}"),
            }
        }
        checker::History { ops, initial: checker::Initial::Known(None) }
    }

    /// The issue's round trip: over many seeded windows of generated traffic (async and sync,
    /// replica reads, failovers, crashes, console writes), the exported file alone, read back and
    /// checked with no other knowledge, gives the page's verdict on linearizability.
    #[test]
    fn an_exported_history_read_back_alone_gives_the_page_s_verdict() {
        let mut counts: BTreeMap<&str, u32> = BTreeMap::new();
        for seed in 0..60 {
            let mode = [Mode::Async, Mode::Sync, Mode::On][seed as usize % 3];
            let config = Config {
                mode,
                replicas: 2,
                clients: 4,
                rate: 80,
                hot_keys: 2,
                reads_percent: 70,
                lag_ms: 100,
                jitter_ms: 30,
                failover_ms: 300,
                seed,
                ..Config::default()
            };
            let mut sim = Simulation::new(config).unwrap();
            // pg-3 further than pg-2: their copies differ for a while after each write.
            sim.apply(Command::SetLag(NodeRef::Replica(2), 600)).unwrap();
            for moment in 1..=20_u64 {
                match (seed + moment) % 9 {
                    0 => sim.apply(Command::Crash(NodeRef::Master)).unwrap_or(()),
                    3 => sim.apply(Command::Restart(NodeRef::Replica(2))).unwrap_or(()),
                    5 => sim
                        .apply(Command::Sql {
                            client: 1,
                            text: format!("UPDATE users SET name = 'sql{moment}' WHERE id = 102"),
                        })
                        .unwrap(),
                    _ => {}
                }
                sim.run_until(Time::from_millis(moment * 150));
                for count in [SHOWN, 12] {
                    let history = sim.history(count);
                    let page = history.verdicts().linearizable.answer();
                    for (format, file) in
                        [("json", from_json(&to_json(&history))), ("edn", from_edn(&to_edn(&history)))]
                    {
                        let read_back = checker::linearizable(&checked_from(file)).answer();
                        if page == "not checked" || read_back == "not checked" {
                            *counts.entry("not checked").or_default() += 1;
                            continue;
                        }
                        assert_eq!(
                            read_back,
                            page,
                            "seed {seed}, {moment}, the {count} latest, {format}:\n{}",
                            to_json(&history)
                        );
                        *counts.entry(page).or_default() += 1;
                    }
                }
            }
        }
        println!("exported windows read back: {counts:?}");
        assert!(counts.get("no").is_some_and(|&no| no >= 100), "too few violations to tell: {counts:?}");
        assert!(counts.get("yes").is_some_and(|&yes| yes >= 100), "too few of each: {counts:?}");
    }

    #[test]
    fn edn_strings_escape_quotes_backslashes_and_line_breaks() {
        assert_eq!(edn_string("a\"b\\c\nd\te"), r#""a\"b\\c\nd\te""#);
    }
}
