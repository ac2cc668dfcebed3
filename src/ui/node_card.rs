//! One database node: its role and state, how far it has applied the log, its load, its copy
//! of `users`, and the failures a lecturer can inflict on it.

use yew::prelude::*;

use super::field::Field;
use super::json;
use super::state::Action;
use super::view::{CardView, RowMark, TableView};
use crate::sim::config;
use crate::sim::data::{Row, Schema};
use crate::sim::words::plural;
use crate::sim::{Command, NodeRef};

#[derive(Properties, PartialEq)]
pub struct NodeCardProps {
    pub card: CardView,
    pub on_action: Callback<Action>,
}

/// A machine's card: `data-testid="card-master"`, `"card-replica-1"`, ... (the test contract's
/// node elements are the nodes in the picture).
#[component]
pub fn NodeCard(props: &NodeCardProps) -> Html {
    let node = props.card.node;
    let is_master = node == NodeRef::Master;
    let engine = if is_master {
        "PostgreSQL"
    } else {
        "PostgreSQL standby: its rows as documents, as the lecture's MongoDB slaves"
    };
    html! {
        <article
            class={classes!("node", if is_master { "master" } else { "replica" }, props.card.state.as_str())}
            data-testid={format!("card-{node}")}
            data-name={props.card.machine.clone()}
            aria-label={format!("{}, {}", props.card.machine, props.card.role)}
        >
            <header>
                <h2>{ props.card.machine.clone() }<span class="role">{ props.card.role.clone() }</span><span class="engine">{ engine }</span></h2>
                <span class={classes!("state", props.card.state.as_str())}>{ props.card.state.as_str() }</span>
                <p class="lsn">{ "LSN " }<strong>{ props.card.applied_lsn }</strong></p>
            </header>
            <p class="progress">
                { props.card.progress.clone() }{ format!(" · {} · load {}", plural(props.card.reads_served, "read served", "reads served"), props.card.load) }
                if props.card.link_cut { <span class="tag">{ "link cut" }</span> }
            </p>
            if let Some(retention) = props.card.retention.clone() {
                <p class="retention" data-testid="retained-wal">{ retention }</p>
            }
            <div class="node-actions">
                { for props.card.actions.iter().map(|action| {
                    let command = action.command.clone();
                    html! {
                        <button data-testid={action.test_id.clone()} title={action.help}
                            onclick={props.on_action.reform(move |_: MouseEvent| Action::Command(command.clone()))}>
                            { action.label }
                        </button>
                    }
                }) }
            </div>
            <details class="tune">
                <summary>{ "Tune" }</summary>
                { tune("Capacity (ops/s)", "how many requests per second this node serves", "capacity", props.card.capacity, (1, config::MAX_CAPACITY), Command::SetCapacity, props) }
                if !is_master {
                    { tune("Weight", "its share of reads under the weighted policy", "weight", props.card.weight, (1, 1_000), Command::SetWeight, props) }
                    { tune("Replication delay (ms)", "how long a log entry takes to reach this replica: a far-away replica (the run's lag otherwise)", "lag", props.card.lag_ms, (0, config::MAX_DELAY_MS), Command::SetLag, props) }
                    { tune("Apply delay (ms)", "it receives and flushes at once but applies each entry only this long after the master logged it (PostgreSQL's recovery_min_apply_delay)", "apply-delay", props.card.apply_delay_ms, (0, config::MAX_DELAY_MS), Command::SetApplyDelay, props) }
                }
                { tune("Distance (ms)", "one-way time from the clients, for the nearest read preference", "distance", props.card.distance_ms, (0, config::MAX_DELAY_MS), Command::SetDistance, props) }
            </details>
            if is_master { { sql_tables(&props.card.tables) } } else { { documents(&props.card.tables) } }
        </article>
    }
}

/// A number field for one of this node's own settings.
fn tune(
    label: &'static str,
    help: &'static str,
    what: &str,
    value: u64,
    (min, max): (u64, u64),
    command: fn(NodeRef, u64) -> Command,
    props: &NodeCardProps,
) -> Html {
    let node = props.card.node;
    let on_commit = props.on_action.reform(move |text: String| match text.trim().parse::<u64>() {
        Ok(value) => Action::Command(command(node, value)),
        Err(_) => Action::Notice(format!("{label} of {node} must be a whole number, got \"{text}\"")),
    });
    html! {
        <Field {label} {help} test_id={format!("{what}-{node}")} value={AttrValue::from(value.to_string())} number={Some((min, max, 1))} {on_commit} />
    }
}

/// A row's tag (`behind`, `commit waiting`, ...), with what it means on hover.
fn row_tag(mark: RowMark) -> Html {
    match mark.tag() {
        Some((_, words, help)) => html! { <span class="tag" title={help}>{ words }</span> },
        None => html! {},
    }
}

fn more_rows(table: &TableView) -> Html {
    match table.total.saturating_sub(table.rows.len()) {
        0 => html! {},
        more => html! { <p class="more">{ format!("… and {more} more") }</p> },
    }
}

/// The master's tables as SQL rows.
fn sql_tables(tables: &[TableView]) -> Html {
    html! {
        { for tables.iter().map(|table| html! { <>
            <p class="table-name">{ &table.name }</p>
            <table class="rows">
                <thead><tr>
                    { for table.schema.columns.iter().map(|column| html! { <th>{ &column.name }</th> }) }
                    <th class="version">{ "version" }</th>
                </tr></thead>
                <tbody>
                    { for table.rows.iter().map(|(row, mark)| html! {
                        <tr class={classes!(mark.tag().map(|(class, ..)| class))}>
                            { for row.values.iter().map(|value| html! { <td>{ value.plain() }</td> }) }
                            <td class="version">{ row.version }{ row_tag(*mark) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            { more_rows(table) }
        </> }) }
    }
}

/// A replica's tables as JSON documents, as the lecture's MongoDB replicas hold them; a
/// document the master has a newer version of (or has deleted) is marked behind, one the new
/// master never had is marked ahead, one whose commit still waits is marked so.
fn documents(tables: &[TableView]) -> Html {
    html! {
        { for tables.iter().map(|table| html! { <>
            <p class="table-name">{ format!("db.{}", table.name) }</p>
            <ul class="documents">
                { for table.rows.iter().map(|(row, mark)| html! {
                    <li class={classes!(mark.tag().map(|(class, ..)| class))}>
                        <code>{ document(&table.schema, row) }</code>
                        { row_tag(*mark) }
                    </li>
                }) }
            </ul>
            { more_rows(table) }
        </> }) }
    }
}

/// A row as a JSON document, its key as `_id`.
pub fn document(schema: &Schema, row: &Row) -> String {
    let fields = schema.columns.iter().zip(&row.values).enumerate().map(|(index, (column, value))| {
        let name = if index == schema.primary_key { "_id" } else { column.name.as_str() };
        (name, json::value(value))
    });
    json::object(fields.chain([("version", row.version.to_string())]))
}
