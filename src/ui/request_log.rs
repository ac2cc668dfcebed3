//! The latest requests in plain words; stale reads, violations, failures and lost writes stand
//! out.

use yew::prelude::*;

use super::demo_panel::use_watched;
use super::view;

use std::rc::Rc;

use crate::sim::data::{self, Row};
use crate::sim::request::{Op, Outcome, RequestRecord};
use crate::sim::time::Time;
use crate::sim::words::plural;

/// How many requests the log shows.
const ROWS: usize = 12;

#[derive(Properties, PartialEq)]
pub struct RequestLogProps {
    /// Newest first.
    pub requests: Vec<RequestRecord>,
}

/// Whether a request went wrong in a way the log singles out.
fn is_problem(record: &RequestRecord) -> bool {
    !view::request_tags(record).is_empty()
}

#[component]
pub fn RequestLog(props: &RequestLogProps) -> Html {
    let problems_only = use_state(|| false);
    let watched = use_watched();
    let toggle = {
        let problems_only = problems_only.clone();
        Callback::from(move |_: MouseEvent| problems_only.set(!*problems_only))
    };
    let shown: Vec<&RequestRecord> =
        props.requests.iter().filter(|record| !*problems_only || is_problem(record)).take(ROWS).collect();
    html! {
        <section class="log" aria-label="Latest requests">
            <header class="log-header">
                <h2>{ "Latest requests" }</h2>
                <button data-testid="log-filter" aria-pressed={problems_only.to_string()} onclick={toggle}>
                    { if *problems_only { "Show all" } else { "Only stale, violations and failures" } }
                </button>
            </header>
            if shown.is_empty() {
                <p class="empty">{ if *problems_only { "No stale reads, violations or failures among the latest requests." } else { "Nothing yet: press Write, then Read." } }</p>
            }
            <ol data-testid="request-log" data-watched={watched.mark("request-log")}>
                { for shown.into_iter().map(|record| {
                    let stale = record.is_stale();
                    let alarm = is_problem(record);
                    html! {
                        <li class={classes!(alarm.then_some("stale"), record.completed_at.is_none().then_some("pending"))}
                            data-stale={stale.to_string()}>
                            { for view::request_tags(record).into_iter().map(|tag| html! { <span class="tag">{ tag }</span> }) }
                            { describe(record) }
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}

/// What a stale answer's node lacked: the writes of its last `lag`. A lag too short to show
/// in tenths of a millisecond is said so: the master had just committed, the answer was no less
/// stale.
fn missing(node: &str, lag: Time) -> String {
    if lag < Time(50) {
        format!("{node} had not yet applied the master's newest commit, made under 0.1 ms before")
    } else {
        format!("{node} was missing its last {lag} of writes")
    }
}

/// One request in a sentence, e.g. "#7 client 1 read user 101 from replica-2: Alice
/// (version 1), stale by 1 version; the master has version 2 (replica 180.0 ms behind)".
pub fn describe(record: &RequestRecord) -> String {
    let who = format!("#{} client {}", record.id, record.client + 1);
    // The machine, which keeps its name through failovers, and the role it had then.
    let node = record.served_where().unwrap_or_default();
    let user = |row: &Option<Rc<Row>>| {
        row.as_ref()
            .map_or("no such user".to_string(), |row| format!("{} (version {})", data::user_name(row), row.version))
    };
    let mut text = match (&record.op, &record.outcome) {
        (_, Some(Outcome::Failed { reason })) => {
            let what = match &record.op {
                Op::Write { key, name } => format!("write user {key} = \"{name}\""),
                Op::Read { key } => format!("read user {key}"),
                Op::Sql { text, .. } => format!("ran {text}"),
            };
            format!("{who} {what} failed: {reason}")
        }
        (Op::Write { key, name }, Some(Outcome::Logged { at, version, .. })) => {
            // Committed, the acknowledgement may still be on its way back to the client.
            let acked = if record.completed_at.is_some() { "acknowledged" } else { "committed" };
            let mode = match (record.acked_as, record.warning) {
                (Some(_), Some(warning)) => format!(", {acked} without a replica ({warning})"),
                (Some(mode), None) => format!(", {acked} under {mode}"),
                (None, _) => String::new(),
            };
            format!("{who} write user {key} = \"{name}\" on the master: LSN {}, version {version}{mode}", at.lsn)
        }
        (Op::Write { key, name }, _) => format!("{who} write user {key} = \"{name}\" on its way to the master"),
        (Op::Read { key }, Some(Outcome::Read { row, master_row, node_lag, .. })) => {
            if record.is_stale() {
                format!(
                    "{who} read user {key} from {node}: {}, stale: the master has {}; {}",
                    user(row),
                    user(master_row),
                    missing(&node, *node_lag)
                )
            } else {
                format!("{who} read user {key} from {node}: {}", user(row))
            }
        }
        (Op::Read { key }, _) => format!("{who} read user {key} on its way"),
        (Op::Sql { text, .. }, Some(Outcome::Rows { result, master_result, node_lag, .. })) => match master_result {
            Some(master) => format!(
                "{who} ran {text} on {node}: {}, stale: the master has {}; {}",
                plural(result.rows.len() as u64, "row", "rows"),
                master.rows.len(),
                missing(&node, *node_lag)
            ),
            None => format!("{who} ran {text} on {node}: {}", plural(result.rows.len() as u64, "row", "rows")),
        },
        (Op::Sql { text, .. }, Some(Outcome::Changed { at, rows, .. })) => {
            let logged = at.map(|at| format!(", LSN {}", at.lsn)).unwrap_or_default();
            format!("{who} ran {text} on the master: {} changed{logged}", plural(*rows, "row", "rows"))
        }
        (Op::Sql { text, .. }, _) => format!("{who} ran {text}, on its way"),
    };
    match record.latency() {
        Some(latency) => text.push_str(&format!(" · answered in {latency}")),
        // Served, and the answer not back yet: a write waits for its commit, a read's answer
        // is on its way back.
        None if record.outcome.is_some() && record.is_read() => text.push_str(" · answer on its way back"),
        None if record.acked_as.is_some() => text.push_str(" · its acknowledgement on its way back"),
        None if record.outcome.is_some() => text.push_str(" · not yet acknowledged: waiting to commit"),
        None => text.push_str(" · in flight"),
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::config::{Config, Mode};
    use crate::sim::{Command, Simulation};

    #[test]
    fn an_async_write_committed_with_its_answer_on_the_way_is_not_said_to_wait_for_its_commit() {
        let config = Config { mode: Mode::Async, client_ms: 50, ..Config::default() };
        let mut sim = Simulation::new(config).unwrap();
        sim.apply(Command::Write { client: 0, key: 102, name: "Ann".into() }).unwrap();
        sim.run_until(Time::from_millis(75));
        let record = sim.in_flight().next().expect("the answer is on its way");
        let told = describe(record);
        assert!(told.ends_with("committed under async · its acknowledgement on its way back"), "{told}");
        sim.run_until(Time::from_millis(200));
        let told = describe(sim.recent().last().unwrap());
        assert!(told.contains(", acknowledged under async · answered in"), "{told}");
    }

    #[test]
    fn a_stale_read_of_a_write_committed_that_moment_is_never_said_to_miss_0_0_ms() {
        // Paused, Write then Read: both reach their nodes at the same moment.
        let mut sim = Simulation::new(Config { mode: Mode::Async, ..Config::default() }).unwrap();
        sim.apply(Command::WriteRandom { client: 0 }).unwrap();
        sim.apply(Command::ReadLastWritten { client: 0 }).unwrap();
        sim.run_until(Time::from_millis(500));
        let read = sim.recent().find(|record| record.is_read()).expect("the read finished");
        assert!(read.is_stale());
        let told = describe(read);
        assert!(!told.contains(" 0.0 ms"), "{told}");
        assert!(told.contains("had not yet applied the master's newest commit, made under 0.1 ms before"), "{told}");
    }
}
