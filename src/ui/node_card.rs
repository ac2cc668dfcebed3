//! One database node: its role and state, how far it has applied the log, its load, its copy
//! of `users`, and the failures a lecturer can inflict on it.

use std::rc::Rc;

use yew::prelude::*;

use super::field::Field;
use super::json;
use super::state::Action;
use super::view::NodeAction;
use crate::sim::config;
use crate::sim::data::{Database, Lsn, Row, Schema, USERS};
use crate::sim::words::plural;
use crate::sim::{Command, NodeRef, NodeState};

#[derive(Properties, PartialEq)]
pub struct NodeCardProps {
    /// The machine's own name (`pg-2`).
    pub machine: AttrValue,
    /// Its role now (for its test ids and actions), and in words.
    pub node: NodeRef,
    pub role: AttrValue,
    pub state: NodeState,
    pub applied_lsn: u64,
    /// One line on the node's replication progress.
    pub progress: AttrValue,
    pub reads_served: u64,
    /// Requests queued, in service or waiting.
    pub load: u64,
    pub link_cut: bool,
    pub capacity: u64,
    pub weight: u64,
    /// One-way distance from the clients, in ms.
    pub distance_ms: u64,
    /// A replica's replication delay and apply delay, in ms.
    pub lag_ms: u64,
    pub apply_delay_ms: u64,
    /// What it offers now, as buttons.
    pub actions: Vec<NodeAction>,
    /// The master's WAL a replication slot holds back, in words, when it holds any.
    pub retention: Option<AttrValue>,
    /// The first rows of each of the node's tables: what the card shows.
    pub tables: Vec<TableView>,
    pub on_action: Callback<Action>,
}

/// A machine's card: `data-testid="card-master"`, `"card-replica-1"`, ... (the test contract's
/// node elements are the nodes in the picture).
#[component]
pub fn NodeCard(props: &NodeCardProps) -> Html {
    let node = props.node;
    let is_master = node == NodeRef::Master;
    let engine = if is_master {
        "PostgreSQL"
    } else {
        "PostgreSQL standby: its rows as documents, as the lecture's MongoDB slaves"
    };
    html! {
        <article
            class={classes!("node", if is_master { "master" } else { "replica" }, props.state.as_str())}
            data-testid={format!("card-{node}")}
            data-name={props.machine.clone()}
            aria-label={format!("{}, {}", props.machine, props.role)}
        >
            <header>
                <h2>{ props.machine.clone() }<span class="role">{ props.role.clone() }</span><span class="engine">{ engine }</span></h2>
                <span class={classes!("state", props.state.as_str())}>{ props.state.as_str() }</span>
                <p class="lsn">{ "LSN " }<strong>{ props.applied_lsn }</strong></p>
            </header>
            <p class="progress">
                { props.progress.clone() }{ format!(" · {} · load {}", plural(props.reads_served, "read served", "reads served"), props.load) }
                if props.link_cut { <span class="tag">{ "link cut" }</span> }
            </p>
            if let Some(retention) = props.retention.clone() {
                <p class="retention" data-testid="retained-wal">{ retention }</p>
            }
            <div class="node-actions">
                { for props.actions.iter().map(|action| {
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
                { tune("Capacity (ops/s)", "how many requests per second this node serves", "capacity", props.capacity, (1, config::MAX_CAPACITY), Command::SetCapacity, props) }
                if !is_master {
                    { tune("Weight", "its share of reads under the weighted policy", "weight", props.weight, (1, 1_000), Command::SetWeight, props) }
                    { tune("Replication delay (ms)", "how long a log entry takes to reach this replica: a far-away replica (the run's lag otherwise)", "lag", props.lag_ms, (0, config::MAX_DELAY_MS), Command::SetLag, props) }
                    { tune("Apply delay (ms)", "it receives and flushes at once but applies each entry only this long after the master logged it (PostgreSQL's recovery_min_apply_delay)", "apply-delay", props.apply_delay_ms, (0, config::MAX_DELAY_MS), Command::SetApplyDelay, props) }
                }
                { tune("Distance (ms)", "one-way time from the clients, for the nearest read preference", "distance", props.distance_ms, (0, config::MAX_DELAY_MS), Command::SetDistance, props) }
            </details>
            if is_master { { sql_tables(&props.tables) } } else { { documents(&props.tables) } }
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
    let node = props.node;
    let on_commit = props.on_action.reform(move |text: String| match text.trim().parse::<u64>() {
        Ok(value) => Action::Command(command(node, value)),
        Err(_) => Action::Notice(format!("{label} of {node} must be a whole number, got \"{text}\"")),
    });
    html! {
        <Field {label} {help} test_id={format!("{what}-{node}")} value={AttrValue::from(value.to_string())} number={Some((min, max, 1))} {on_commit} />
    }
}

const WAITING_HELP: &str = "Its commit waits for the synchronous standbys: it is in the master's log, but the master's readers do not see it until the commit returns.";

/// Rows shown per table; the rest are summed up in one line, so a table with many rows stays
/// light to draw.
const SHOWN_ROWS: usize = 12;

/// How a row on a node compares with the master's committed data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowMark {
    Same,
    /// The master has a newer version of it, or has deleted it.
    Behind,
    /// Written after the node's history forked from the new master's (an old master's writes
    /// the new one never received): it is thrown away when the node rejoins.
    Ahead,
    /// Logged by a commit still waiting for synchronous standbys: the master's readers do not
    /// see it yet, though a standby that applied it does.
    Waiting,
}

/// What a card shows of one table: its first rows, each marked, and how many there are in
/// all. Built per frame instead of copying tables.
#[derive(Clone, Debug, PartialEq)]
pub struct TableView {
    pub name: String,
    pub schema: Schema,
    pub rows: Vec<(Rc<Row>, RowMark)>,
    pub total: usize,
}

/// A node's tables, `users` first, with its rows compared with the master's committed data
/// (committed through `committed_lsn`); `fork` is where a diverged node's history left the
/// master's.
pub fn table_views(data: &Database, master: &Database, committed_lsn: Lsn, fork: Option<Lsn>) -> Vec<TableView> {
    let users = data.tables.get_key_value(USERS);
    let ordered = users.into_iter().chain(data.tables.iter().filter(|(name, _)| name.as_str() != USERS));
    ordered
        .map(|(name, table)| TableView {
            name: name.clone(),
            schema: table.schema.clone(),
            rows: table
                .rows
                .iter()
                .take(SHOWN_ROWS)
                .map(|(key, row)| {
                    let mark = if fork.is_some_and(|fork| row.lsn > fork) {
                        RowMark::Ahead
                    } else if row.lsn > committed_lsn {
                        RowMark::Waiting
                    } else if master.version(name, key) != row.version {
                        RowMark::Behind
                    } else {
                        RowMark::Same
                    };
                    (row.clone(), mark)
                })
                .collect(),
            total: table.rows.len(),
        })
        .collect()
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
                        <tr class={classes!((*mark == RowMark::Waiting).then_some("waiting"))}>
                            { for row.values.iter().map(|value| html! { <td>{ value.plain() }</td> }) }
                            <td class="version">{ row.version }
                                if *mark == RowMark::Waiting { <span class="tag" title={WAITING_HELP}>{ "commit waiting" }</span> }
                            </td>
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
                    <li class={classes!(match mark { RowMark::Same => None, RowMark::Behind => Some("behind"), RowMark::Ahead => Some("ahead"), RowMark::Waiting => Some("waiting") })}>
                        <code>{ document(&table.schema, row) }</code>
                        { match mark {
                            RowMark::Same => html! {},
                            RowMark::Behind => html! { <span class="tag">{ "behind" }</span> },
                            RowMark::Ahead => html! { <span class="tag">{ "ahead: lost" }</span> },
                            RowMark::Waiting => html! { <span class="tag" title={WAITING_HELP}>{ "commit waiting" }</span> },
                        } }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Simulation;
    use crate::sim::config::{Config, Mode, Quorum};
    use crate::sim::data::Value;
    use crate::sim::ids::NodeId;
    use crate::sim::time::Time;

    /// The mark of user 101's row on machine `id`.
    fn mark(sim: &Simulation, id: NodeId) -> Option<RowMark> {
        let views = table_views(&sim.node(id).data, sim.committed(), sim.committed_lsn(), None);
        let users = views.into_iter().find(|view| view.name == USERS)?;
        users.rows.into_iter().find(|(row, _)| row.values.first() == Some(&Value::Int(101))).map(|(_, mark)| mark)
    }

    #[test]
    fn rows_of_a_waiting_commit_are_marked_on_the_master_and_on_a_standby_that_applied_them() {
        let config = Config {
            mode: Mode::On,
            quorum: Quorum::First(1),
            standbys: vec!["pg-2".into()],
            lag_ms: 10,
            client_ms: 1,
            ..Config::default()
        };
        let mut sim = Simulation::new(config).unwrap();
        sim.apply(Command::Crash(NodeRef::Replica(1))).unwrap();
        sim.apply(Command::Write { client: 0, key: 101, name: "Ann".into() }).unwrap();
        sim.run_until(Time::from_millis(100));
        let (master, pg3) = (sim.master_id(), NodeId(2));
        assert_eq!((mark(&sim, master), mark(&sim, pg3)), (Some(RowMark::Waiting), Some(RowMark::Waiting)));
        sim.apply(Command::CancelWaits).unwrap();
        assert_eq!((mark(&sim, master), mark(&sim, pg3)), (Some(RowMark::Same), Some(RowMark::Same)));
    }

    #[test]
    fn a_replica_that_has_not_applied_a_committed_write_is_behind() {
        let mut sim = Simulation::new(Config { lag_ms: 1_000, client_ms: 1, ..Config::default() }).unwrap();
        sim.apply(Command::Write { client: 0, key: 101, name: "Ann".into() }).unwrap();
        sim.run_until(Time::from_millis(100));
        sim.apply(Command::Write { client: 0, key: 101, name: "Bob".into() }).unwrap();
        sim.run_until(Time::from_millis(1_050));
        assert_eq!(mark(&sim, NodeId(1)), Some(RowMark::Behind), "it has Ann, the master Bob");
        sim.run_until(Time::from_millis(1_200));
        assert_eq!(mark(&sim, NodeId(1)), Some(RowMark::Same));
    }
}
