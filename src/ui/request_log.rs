//! The latest requests in plain words; stale reads, violations, failures and lost writes stand
//! out.

use yew::prelude::*;

use crate::sim::request::{Op, Outcome, RequestRecord};

#[derive(Properties, PartialEq)]
pub struct RequestLogProps {
    /// Newest first.
    pub requests: Vec<RequestRecord>,
}

#[component]
pub fn RequestLog(props: &RequestLogProps) -> Html {
    html! {
        <section class="log" aria-label="Latest requests">
            <h2>{ "Latest requests" }</h2>
            if props.requests.is_empty() {
                <p class="empty">{ "Nothing yet: press Write, then Read." }</p>
            }
            <ol data-testid="request-log">
                { for props.requests.iter().map(|record| {
                    let stale = record.is_stale();
                    let tags = [
                        (stale, "STALE"),
                        (record.ryw_violation, "MISSED OWN WRITE"),
                        (record.monotonic_violation, "WENT BACK IN TIME"),
                        (record.lost, "LOST"),
                        (record.failure().is_some(), "FAILED"),
                    ];
                    let alarm = tags.iter().any(|(on, _)| *on);
                    html! {
                        <li class={classes!(alarm.then_some("stale"), record.completed_at.is_none().then_some("pending"))}
                            data-stale={stale.to_string()}>
                            { for tags.iter().filter(|(on, _)| *on).map(|(_, tag)| html! { <span class="tag">{ *tag }</span> }) }
                            { describe(record) }
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}

/// One request in a sentence, e.g. "#7 client 1 read user 101 from replica-2: Alice
/// (version 1), stale by 1 version; the master has version 2 (replica 180.0 ms behind)".
pub fn describe(record: &RequestRecord) -> String {
    let who = format!("#{} client {}", record.id, record.client + 1);
    let node = record
        .served_by
        .map(|node| node.to_string())
        .unwrap_or_default();
    let mut text = match (&record.op, &record.outcome) {
        (_, Some(Outcome::Failed { reason })) => {
            let what = match &record.op {
                Op::Write { key, name } => format!("write user {key} = \"{name}\""),
                Op::Read { key } => format!("read user {key}"),
            };
            format!("{who} {what} failed: {reason}")
        }
        (Op::Write { key, name }, Some(Outcome::Logged { lsn, version })) => {
            let mode = record
                .acked_as
                .map(|mode| format!(", acknowledged under {mode}"))
                .unwrap_or_default();
            format!(
                "{who} write user {key} = \"{name}\" on the master: LSN {lsn}, version {version}{mode}"
            )
        }
        (Op::Write { key, name }, _) => {
            format!("{who} write user {key} = \"{name}\" on its way to the master")
        }
        (
            Op::Read { key },
            Some(Outcome::Read {
                row,
                master_version,
                node_lag,
            }),
        ) => {
            let found = row.as_ref().map_or("no such user".to_string(), |row| {
                format!("{} (version {})", row.name, row.version)
            });
            match record.versions_behind() {
                0 => format!("{who} read user {key} from {node}: {found}"),
                behind => format!(
                    "{who} read user {key} from {node}: {found}, stale by {behind} version{}; the master has version {master_version} ({node} {node_lag} behind)",
                    if behind == 1 { "" } else { "s" }
                ),
            }
        }
        (Op::Read { key }, _) => format!("{who} read user {key} on its way"),
    };
    match record.latency() {
        Some(latency) => text.push_str(&format!(" · {latency}")),
        None if record.outcome.is_some() => text.push_str(" · not yet acknowledged"),
        None => text.push_str(" · in flight"),
    }
    text
}
