//! The cluster as a picture: the clients, the master and the replicas, every request and
//! replication message travelling between them, each node's state, load and lag. Clicking a
//! node selects it for the actions under the picture.

use yew::prelude::*;

use super::state::Action;
use crate::sim::time::Time;
use crate::sim::{NodeRef, NodeState};

const WIDTH: f64 = 1000.0;
const NODE_W: f64 = 170.0;
const NODE_H: f64 = 40.0;
/// Vertical room per replica: the node and its two meters.
const REPLICA_ROOM: f64 = 64.0;
const CLIENTS_X: f64 = 110.0;
const MASTER_X: f64 = 470.0;
const REPLICA_X: f64 = 840.0;
/// Lag at which a replica's lag bar is full.
const FULL_LAG: Time = Time::from_millis(2_000);

/// One node as the picture shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    pub name: NodeRef,
    pub state: NodeState,
    pub applied_lsn: u64,
    /// Requests queued or in service, against the queue limit.
    pub load: u64,
    pub lag: Time,
    pub link_cut: bool,
}

/// Where a message starts or ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Clients,
    Node(NodeRef),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DotKind {
    Write,
    Read,
    Reply,
    Error,
    Replicate,
    Ack,
}

impl DotKind {
    pub const ALL: [DotKind; 6] =
        [DotKind::Write, DotKind::Read, DotKind::Reply, DotKind::Error, DotKind::Replicate, DotKind::Ack];

    fn class(self) -> &'static str {
        match self {
            DotKind::Write => "write",
            DotKind::Read => "read",
            DotKind::Reply => "reply",
            DotKind::Error => "error",
            DotKind::Replicate => "replicate",
            DotKind::Ack => "ack",
        }
    }

    fn legend(self) -> &'static str {
        match self {
            DotKind::Write => "write",
            DotKind::Read => "read",
            DotKind::Reply => "answer",
            DotKind::Error => "failure",
            DotKind::Replicate => "log entry",
            DotKind::Ack => "replica report",
        }
    }
}

/// A message in flight, `progress` from 0 (sent) to 1 (arriving).
#[derive(Clone, Debug, PartialEq)]
pub struct Dot {
    pub from: Place,
    pub to: Place,
    pub progress: f64,
    pub kind: DotKind,
}

#[derive(Properties, PartialEq)]
pub struct TopologyProps {
    pub master: NodeView,
    pub replicas: Vec<NodeView>,
    pub dots: Vec<Dot>,
    pub queue_limit: u64,
    pub selected: Option<NodeRef>,
    pub on_action: Callback<Action>,
}

/// The picture grows taller with the replicas so that none overlap.
fn height(count: usize) -> f64 {
    (count as f64 * REPLICA_ROOM + 40.0).max(420.0)
}

fn replica_y(index: usize, count: usize) -> f64 {
    let spacing = ((height(count) - 40.0) / count.max(1) as f64).min(110.0);
    height(count) / 2.0 + (index as f64 - (count as f64 - 1.0) / 2.0) * spacing
}

#[component]
pub fn Topology(props: &TopologyProps) -> Html {
    let count = props.replicas.len();
    let middle = height(count) / 2.0;
    let clients = (CLIENTS_X, middle);
    let master = (MASTER_X, middle);
    let at = |place: Place| match place {
        Place::Clients => clients,
        Place::Node(NodeRef::Master) => master,
        Place::Node(NodeRef::Replica(number)) => {
            let index = props.replicas.iter().position(|node| node.name == NodeRef::Replica(number)).unwrap_or(0);
            (REPLICA_X, replica_y(index, count))
        }
    };
    let summary = format!(
        "Clients send writes to the master and reads to {}; the master ships its log to each replica.",
        if count == 0 { "the master".to_string() } else { format!("{count} replicas") }
    );
    html! {
        <figure class="topology-figure">
            <svg class="topology" viewBox={format!("0 0 {WIDTH} {}", height(count))} role="img" aria-label={summary}>
                // Links first, so nodes and messages draw over them.
                { line(clients, master, "link", None) }
                { for props.replicas.iter().map(|node| {
                    let end = at(Place::Node(node.name));
                    html! { <>
                        { line(clients, end, "link read-link", None) }
                        { line(master, end, if node.link_cut { "link replication cut" } else { "link replication" }, node.link_cut.then_some("cut")) }
                    </> }
                }) }
                { for props.dots.iter().map(|dot| {
                    let (from, to) = (at(dot.from), at(dot.to));
                    let x = from.0 + (to.0 - from.0) * dot.progress;
                    let y = from.1 + (to.1 - from.1) * dot.progress;
                    html! { <circle class={classes!("dot", dot.kind.class())} cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="5" /> }
                }) }
                <g class="clients">
                    <rect x={(clients.0 - 80.0).to_string()} y={(clients.1 - 30.0).to_string()} width="160" height="60" rx="10" />
                    <text x={clients.0.to_string()} y={(clients.1 - 4.0).to_string()}>{ "App service" }</text>
                    <text class="sub" x={clients.0.to_string()} y={(clients.1 + 16.0).to_string()}>{ "the clients" }</text>
                </g>
                { node_shape(&props.master, master, props) }
                { for props.replicas.iter().map(|node| node_shape(node, at(Place::Node(node.name)), props)) }
            </svg>
            <figcaption class="legend">
                { for DotKind::ALL.iter().map(|kind| html! {
                    <span><svg width="12" height="12" aria-hidden="true"><circle class={classes!("dot", kind.class())} cx="6" cy="6" r="5" /></svg>{ kind.legend() }</span>
                }) }
                <span class="hint">{ "Click a node for its actions." }</span>
            </figcaption>
        </figure>
    }
}

fn line(from: (f64, f64), to: (f64, f64), class: &'static str, mark: Option<&'static str>) -> Html {
    let middle = ((from.0 + to.0) / 2.0, (from.1 + to.1) / 2.0);
    html! { <>
        <line class={class} x1={from.0.to_string()} y1={from.1.to_string()} x2={to.0.to_string()} y2={to.1.to_string()} />
        if let Some(mark) = mark {
            <text class="cut-mark" x={middle.0.to_string()} y={middle.1.to_string()}>{ mark }</text>
        }
    </> }
}

fn node_shape(node: &NodeView, (x, y): (f64, f64), props: &TopologyProps) -> Html {
    let name = node.name;
    let select = props.on_action.reform(move |_: MouseEvent| Action::Select(Some(name)));
    let on_action = props.on_action.clone();
    let select_by_key = Callback::from(move |event: KeyboardEvent| {
        if event.key() == "Enter" || event.key() == " " {
            event.prevent_default();
            on_action.emit(Action::Select(Some(name)));
        }
    });
    let (left, top) = (x - NODE_W / 2.0, y - NODE_H / 2.0);
    let load = (node.load as f64 / props.queue_limit.max(1) as f64).min(1.0);
    let lag = (node.lag.as_micros() as f64 / FULL_LAG.as_micros() as f64).min(1.0);
    let engine = if name == NodeRef::Master { "PostgreSQL" } else { "MongoDB" };
    let selected = props.selected == Some(name);
    html! {
        <g class={classes!("node-shape", node.state.as_str(), (name == NodeRef::Master).then_some("master"), selected.then_some("selected"))}
            role="button" tabindex="0" onclick={select} onkeydown={select_by_key}
            aria-label={format!("{name}, {}, LSN {}, load {}, {} behind", node.state.as_str(), node.applied_lsn, node.load, node.lag)}>
            <rect class="body" x={left.to_string()} y={top.to_string()} width={NODE_W.to_string()} height={NODE_H.to_string()} rx="8" />
            <text class="name" x={(left + 10.0).to_string()} y={(top + 17.0).to_string()}>{ name.to_string() }</text>
            <text class="engine" x={(left + 10.0).to_string()} y={(top + 33.0).to_string()}>{ format!("{engine} · {}", node.state.as_str()) }</text>
            <text class="lsn" x={(left + NODE_W - 10.0).to_string()} y={(top + 25.0).to_string()}>{ format!("LSN {}", node.applied_lsn) }</text>
            // The load meter under the node, and for a replica its lag bar under that.
            <rect class="meter-track" x={left.to_string()} y={(top + NODE_H + 3.0).to_string()} width={NODE_W.to_string()} height="5" rx="2" />
            <rect class="meter load" x={left.to_string()} y={(top + NODE_H + 3.0).to_string()} width={format!("{:.1}", NODE_W * load)} height="5" rx="2" />
            if name != NodeRef::Master {
                <rect class="meter-track" x={left.to_string()} y={(top + NODE_H + 10.0).to_string()} width={NODE_W.to_string()} height="5" rx="2" />
                <rect class="meter lag" x={left.to_string()} y={(top + NODE_H + 10.0).to_string()} width={format!("{:.1}", NODE_W * lag)} height="5" rx="2" />
            }
        </g>
    }
}
