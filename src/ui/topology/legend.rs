//! The picture's key, under it: what each kind of message looks like, what the numbers in a
//! box mean, and which databases the machines are.

use yew::prelude::*;

use crate::ui::view::DotKind;

#[derive(Properties, PartialEq)]
pub(super) struct LegendProps {
    /// Reads go to MongoDB, through a change-data-capture connector.
    pub(super) read_side: bool,
}

/// What the picture's marks mean, under it: drawn again only when the read side comes or goes.
#[component]
pub(super) fn Legend(props: &LegendProps) -> Html {
    html! {
        <figcaption class="legend">
            { for DotKind::ALL.iter().map(|kind| html! {
                <span>
                    if *kind == DotKind::Replicate {
                        <svg width="24" height="14" aria-hidden="true"><g class="dot entry replicate"><rect x="1.5" y="1.5" width="21" height="11" rx="5.5" /></g></svg>
                    } else {
                        <svg width="14" height="14" aria-hidden="true"><circle class={classes!("dot", kind.class())} cx="7" cy="7" r="5.5" /></svg>
                    }
                    { kind.legend() }
                </span>
            }) }
            <span class="hint">{ "Click a node for its actions." }</span>
            <span class="key">{ "LSN: how far a machine has applied the master's log; \"2 behind\": a replica has not applied the master's last 2 log entries yet. Under each node: its queue, and for a replica how far behind it is in time." }</span>
            if props.read_side {
                <span class="key">{ "CQRS: pg-1 (PostgreSQL) takes the writes; cdc-1, a change-data-capture connector like Debezium, streams its committed changes from a logical replication slot into MongoDB (mongo-1, mongo-2, ...), which serves the reads. The pg replicas are standbys, for failover." }</span>
            } else {
                <span class="key">{ "Every machine runs PostgreSQL; the lecture draws the replicas as MongoDB, and their cards show rows as documents. (A real MongoDB copy of PostgreSQL needs change-data-capture, such as Debezium, and could not be promoted: try Reads from: mongodb.)" }</span>
            }
        </figcaption>
    }
}
