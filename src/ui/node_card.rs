//! One database node: its role, how far it has applied the log, and its copy of `users`.

use yew::prelude::*;

use crate::sim::data::Table;
use crate::sim::network::NodeId;

#[derive(Properties, PartialEq)]
pub struct NodeCardProps {
    pub node: NodeId,
    pub applied_lsn: u64,
    /// One line on the node's replication progress.
    pub progress: AttrValue,
    pub reads_served: u64,
    pub table: Table,
    /// The master's committed data: rows of a replica that differ from it are marked.
    pub master_table: Table,
}

/// Carries the test contract's node element: `data-testid="node-master"` for the master and
/// `data-testid="node-replica-1"`, `"node-replica-2"`, ... for the replicas, each with
/// `data-applied-lsn` and `data-reads`.
#[component]
pub fn NodeCard(props: &NodeCardProps) -> Html {
    let label = props.node.label();
    let is_master = props.node == NodeId::Master;
    let (role, engine) = if is_master {
        ("Master", "PostgreSQL")
    } else {
        ("Replica", "MongoDB")
    };
    let title = match props.node {
        NodeId::Master => role.to_string(),
        NodeId::Replica(index) => format!("{role} {}", index + 1),
    };
    html! {
        <article
            class={classes!("node", if is_master { "master" } else { "replica" })}
            data-testid={format!("node-{label}")}
            data-applied-lsn={props.applied_lsn.to_string()}
            data-reads={props.reads_served.to_string()}
            aria-label={title.clone()}
        >
            <header>
                <h2>{ title }<span class="engine">{ engine }</span></h2>
                <p class="lsn">{ "LSN " }<strong>{ props.applied_lsn }</strong></p>
            </header>
            <p class="progress">{ props.progress.clone() }{ format!(" · {}", reads_served(props.reads_served)) }</p>
            if is_master { { sql_rows(&props.table) } } else { { documents(&props.table, &props.master_table) } }
        </article>
    }
}

fn reads_served(count: u64) -> String {
    match count {
        1 => "1 read served".to_string(),
        count => format!("{count} reads served"),
    }
}

/// The master's table as SQL rows.
fn sql_rows(table: &Table) -> Html {
    html! {
        <table class="rows">
            <thead><tr><th>{ "id" }</th><th>{ "name" }</th><th>{ "version" }</th></tr></thead>
            <tbody>
                { for table.iter().map(|(id, row)| html! {
                    <tr><td>{ id }</td><td>{ &row.name }</td><td>{ row.version }</td></tr>
                }) }
            </tbody>
        </table>
    }
}

/// A replica's copy as JSON documents; a document older than the master's row is marked.
fn documents(table: &Table, master_table: &Table) -> Html {
    html! {
        <ul class="documents">
            { for table.iter().map(|(id, row)| {
                let behind = master_table.get(id).is_some_and(|master_row| master_row.version > row.version);
                html! {
                    <li class={classes!(behind.then_some("behind"))}>
                        <code>{ format!("{{ \"_id\": {id}, \"name\": {:?}, \"version\": {} }}", row.name, row.version) }</code>
                        if behind { <span class="tag">{ "behind" }</span> }
                    </li>
                }
            }) }
        </ul>
    }
}
