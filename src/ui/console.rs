//! The SQL console: type the lecture's statements and watch where each one goes and what it
//! returns. Ctrl+Enter runs; up and down (at the start or end of the text) walk the history.

use std::rc::Rc;

use yew::prelude::*;

use crate::sim::words::plural;

use super::json;
use super::state::Action;
use crate::sim::Command;
use crate::sim::request::{Outcome, RequestRecord};
use crate::sim::sql::ResultSet;

/// The console types as this client, the same as the Write and Read buttons.
const CONSOLE_CLIENT: usize = 0;
/// Rows shown per answer.
const SHOWN_ROWS: usize = 20;

/// The lecture's own statements, as the slides write them: user 101 is not in the starting
/// data, so they succeed on a fresh page.
const LECTURE_SQL: &str = "INSERT INTO users VALUES (101, 'Alice');\nSELECT * FROM users WHERE id = 101;";
/// Takes the lecture's row out again (replicated like any write), so that its statements can
/// be shown once more, say after switching to sync.
const LECTURE_RESET: &str = "DELETE FROM users WHERE id = 101;";

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    /// The console's requests, oldest first: finished ones, then those still running.
    pub results: Vec<RequestRecord>,
    /// The master has the lecture's user 101: its INSERT would fail as a duplicate key.
    pub lecture_row_exists: bool,
    pub on_action: Callback<Action>,
}

/// What is typed, and the statements run before, with the one the up and down keys are at.
#[derive(Clone, PartialEq)]
struct Draft {
    text: String,
    history: Vec<String>,
    /// Index into `history`; `history.len()` is a fresh line past the newest entry.
    cursor: usize,
}

enum Edit {
    Type(String),
    /// The text was run: it joins the history, and stays in the box as its newest entry.
    Ran,
    Older,
    Newer,
}

impl Reducible for Draft {
    type Action = Edit;

    fn reduce(self: Rc<Self>, edit: Edit) -> Rc<Self> {
        let mut draft = (*self).clone();
        match edit {
            Edit::Type(text) => draft.text = text,
            Edit::Ran => {
                if draft.history.last() != Some(&draft.text) {
                    draft.history.push(draft.text.clone());
                }
                draft.cursor = draft.history.len() - 1;
            }
            Edit::Older if draft.cursor > 0 => {
                draft.cursor -= 1;
                draft.text = draft.history[draft.cursor].clone();
            }
            Edit::Newer if draft.cursor < draft.history.len() => {
                draft.cursor += 1;
                draft.text = draft.history.get(draft.cursor).cloned().unwrap_or_default();
            }
            Edit::Older | Edit::Newer => return self,
        }
        Rc::new(draft)
    }
}

#[component]
pub fn Console(props: &ConsoleProps) -> Html {
    let draft = use_reducer(|| Draft { text: LECTURE_SQL.to_string(), history: Vec::new(), cursor: 0 });

    let run = {
        let (draft, on_action) = (draft.clone(), props.on_action.clone());
        Callback::from(move |()| {
            if draft.text.trim().is_empty() {
                return;
            }
            on_action.emit(Action::Command(Command::Sql { client: CONSOLE_CLIENT, text: draft.text.clone() }));
            draft.dispatch(Edit::Ran);
        })
    };
    let oninput = {
        let draft = draft.dispatcher();
        Callback::from(move |event: InputEvent| {
            let area: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
            draft.dispatch(Edit::Type(area.value()));
        })
    };
    let onkeydown = {
        let (draft, run) = (draft.dispatcher(), run.clone());
        Callback::from(move |event: KeyboardEvent| {
            let area: web_sys::HtmlTextAreaElement = event.target_unchecked_into();
            let caret = area.selection_start().ok().flatten().unwrap_or(0) as usize;
            let edit = match event.key().as_str() {
                "Enter" if event.ctrl_key() || event.meta_key() => {
                    event.prevent_default();
                    run.emit(());
                    return;
                }
                "ArrowUp" if caret == 0 => Edit::Older,
                "ArrowDown" if caret >= area.value().chars().count() => Edit::Newer,
                _ => return,
            };
            event.prevent_default();
            draft.dispatch(edit);
        })
    };
    let onclick = run.reform(|_: MouseEvent| ());
    let reset = props.on_action.reform(|_: MouseEvent| {
        Action::Command(Command::Sql { client: CONSOLE_CLIENT, text: LECTURE_RESET.to_string() })
    });

    html! {
        <section class="console" aria-label="SQL console">
            <header class="console-header">
                <h2>{ "SQL console" }</h2>
                <p class="console-hint">
                    { "Writes go to the master; SELECTs go where the read settings send them, except " }
                    <code>{ "FOR UPDATE" }</code>{ " and a " }<code>{ "/* master */" }</code>{ " hint, which read from the master. Ctrl+Enter runs, ↑ ↓ recall." }
                </p>
            </header>
            <div class="console-input">
                <textarea data-testid="sql-input" aria-label="SQL statements" spellcheck="false" rows="3"
                    value={draft.text.clone()} {oninput} {onkeydown} />
                <button class="primary" data-testid="sql-run" {onclick}>{ "Run" }</button>
            </div>
            if props.lecture_row_exists {
                <p class="console-reset">
                    <button data-testid="sql-reset" onclick={reset}
                        title="Runs this DELETE through the master, replicated like any write, so that the lecture's INSERT works again">
                        { "Run " }<code>{ LECTURE_RESET }</code>
                    </button>
                    { " to show the lecture's INSERT again (user 101 exists)." }
                </p>
            }
            <ol class="console-output" data-testid="sql-output" aria-live="polite">
                { for props.results.iter().map(result) }
            </ol>
        </section>
    }
}

/// One statement's answer: where it ran, how long it took, what came back.
fn result(record: &RequestRecord) -> Html {
    let crate::sim::request::Op::Sql { text, .. } = &record.op else { return html! {} };
    // `data-node` keeps the role's link name; people read the machine and its role.
    let node = record.served_by.map(|node| node.to_string()).unwrap_or_default();
    let shown = record.served_where().unwrap_or_default();
    let Some(latency) = record.latency() else {
        return html! {
            <li class="sql-result pending" data-testid="sql-pending"><code>{ text }</code>{ " · running" }</li>
        };
    };
    let where_ = if shown.is_empty() { "not sent".to_string() } else { format!("{shown} · {latency}") };
    let (rows, body) = match &record.outcome {
        Some(Outcome::Rows { result, master_result, mongo_query, .. }) => {
            let from_mongo = record.machine.is_some_and(|machine| !machine.is_postgres());
            let documents = from_mongo || record.served_by.is_some_and(|node| node != crate::sim::NodeRef::Master);
            let answer = html! { <>
                if let Some(query) = mongo_query {
                    <p class="mongo-query" data-testid="mongo-query">{ "MongoDB ran " }<code>{ query.clone() }</code></p>
                }
                { answer(result, documents) }
            </> };
            let body = match master_result {
                Some(master) => html! {
                    <div class="side-by-side">
                        <div><p class="caption stale-caption">{ format!("STALE: {shown} answered") }</p>{ answer }</div>
                        <div><p class="caption">{ "the master had, at that instant" }</p>{ self::answer(master, false) }</div>
                    </div>
                },
                None => answer,
            };
            (result.rows.len() as u64, body)
        }
        Some(Outcome::Changed { at, rows, .. }) => {
            let logged = at.map_or("nothing to log".to_string(), |at| format!("logged at LSN {}", at.lsn));
            (*rows, html! { <p class="changed">{ format!("{} changed, {logged}", plural(*rows, "row", "rows")) }</p> })
        }
        _ => (0, html! {}),
    };
    let error = record.failure().map(str::to_string);
    html! {
        <li class={classes!("sql-result", record.is_stale().then_some("stale"), error.is_some().then_some("error"))}
            data-testid="sql-result" data-node={node.clone()} data-stale={record.is_stale().to_string()}
            data-rows={rows.to_string()} data-error={error.clone()}>
            <p class="statement"><code>{ text }</code><span class="where">{ where_ }</span></p>
            if let Some(message) = error { <p class="error-message">{ message }</p> }
            { body }
        </li>
    }
}

/// An answer as a table, or as JSON documents when a replica (a MongoDB copy) gave it.
fn answer(result: &ResultSet, as_documents: bool) -> Html {
    let more = result.rows.len().saturating_sub(SHOWN_ROWS);
    let rows = result.rows.iter().take(SHOWN_ROWS);
    html! { <>
        if result.rows.is_empty() {
            <p class="empty">{ "(no rows)" }</p>
        } else if as_documents {
            <ul class="documents">
                { for rows.map(|row| {
                    let fields = result.columns.iter().zip(row).map(|(column, value)| (column.as_str(), json::value(value)));
                    html! { <li><code>{ json::object(fields) }</code></li> }
                }) }
            </ul>
        } else {
            <table class="rows">
                <thead><tr>{ for result.columns.iter().map(|column| html! { <th>{ column }</th> }) }</tr></thead>
                <tbody>{ for rows.map(|row| html! { <tr>{ for row.iter().map(|value| html! { <td>{ value.plain() }</td> }) }</tr> }) }</tbody>
            </table>
        }
        if more > 0 { <p class="more">{ format!("… and {more} more") }</p> }
    </> }
}
