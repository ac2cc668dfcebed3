//! The latest requests in plain words; a stale read stands out.

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
                    html! {
                        <li class={classes!(stale.then_some("stale"), record.completed_at.is_none().then_some("pending"))}
                            data-stale={stale.to_string()}>
                            if stale { <span class="tag">{ "STALE" }</span> }
                            { describe(record) }
                        </li>
                    }
                }) }
            </ol>
        </section>
    }
}

/// One request in a sentence, e.g. "#7 read user 101 from replica-2: Alice (version 1), stale
/// by 1 version; the master has version 2 · 2.0 ms".
pub fn describe(record: &RequestRecord) -> String {
    let node = record.node.map(|node| node.label());
    let mut text = match (&record.op, &record.outcome) {
        (Op::Write { key, name }, Some(Outcome::Logged { lsn, version })) => {
            format!(
                "#{} write user {key} = \"{name}\" on the master: LSN {lsn}, version {version}",
                record.id
            )
        }
        (Op::Write { key, name }, _) => format!(
            "#{} write user {key} = \"{name}\" on its way to the master",
            record.id
        ),
        (
            Op::Read { key },
            Some(Outcome::Read {
                row,
                master_version,
            }),
        ) => {
            let found = row.as_ref().map_or("no such user".to_string(), |row| {
                format!("{} (version {})", row.name, row.version)
            });
            let from = node.unwrap_or_default();
            match record.versions_behind() {
                0 => format!("#{} read user {key} from {from}: {found}", record.id),
                behind => format!(
                    "#{} read user {key} from {from}: {found}, stale by {behind} version{}; the master has version {master_version}",
                    record.id,
                    if behind == 1 { "" } else { "s" }
                ),
            }
        }
        (Op::Read { key }, _) => format!("#{} read user {key} on its way", record.id),
    };
    match record.latency() {
        Some(latency) => text.push_str(&format!(" · {latency}")),
        None if record.outcome.is_some() => text.push_str(" · not yet acknowledged"),
        None => text.push_str(" · in flight"),
    }
    text
}
