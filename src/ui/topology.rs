//! The cluster as a picture: the clients, the master and the replicas, every request and
//! replication message travelling between them, each machine's name, role, state, load and
//! lag, and how the master replicates (sync or async, and whom it is waiting for). Clicking a
//! node selects it for the actions under the picture.
//!
//! Two layouts: landscape (clients, master, replicas from left to right) for screens, and
//! portrait (top to bottom, replicas in two columns) for phones, where a wide picture would
//! shrink its labels below reading size.

use yew::prelude::*;

use super::demo_panel::{Watched, use_watched};
use super::state::Action;
use crate::sim::time::Time;
use crate::sim::{NodeRef, NodeState};

const NODE_W: f64 = 200.0;
const NODE_H: f64 = 52.0;
const CLIENTS_W: f64 = 160.0;
const CLIENTS_H: f64 = 56.0;
/// Lag at which a replica's lag bar is full.
const FULL_LAG: Time = Time::from_millis(2_000);

/// One node as the picture shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    /// The machine's own name (`pg-2`), kept through failovers.
    pub machine: String,
    /// Its role now: where it is drawn and its test id.
    pub name: NodeRef,
    /// The role in words (`replica 2`, `old master`).
    pub role: String,
    pub state: NodeState,
    pub applied_lsn: u64,
    pub reads_served: u64,
    /// Requests queued or in service, against the queue limit.
    pub load: u64,
    pub lag: Time,
    pub link_cut: bool,
    /// For a replica: whether the master waits for it before acknowledging a write.
    pub synchronous: bool,
    /// For a replica: whether the master has a replication connection to it (not when it is
    /// down, diverged or stranded): only then is anything shipped along its link.
    pub streaming: bool,
}

/// How the master replicates, as the picture tells it.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicationView {
    /// One line, e.g. "sync: every write waits until both replicas have applied it".
    pub summary: String,
    /// Writes logged but not yet acknowledged, and who they wait for, e.g. "1 write waiting
    /// for pg-3"; empty when none waits.
    pub waiting: String,
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
    pub replication: ReplicationView,
    pub queue_limit: u64,
    pub selected: Option<NodeRef>,
    /// Top to bottom, for a narrow screen.
    #[prop_or_default]
    pub portrait: bool,
    /// Nodes closer together, so the same width draws them larger (presenter mode).
    #[prop_or_default]
    pub large: bool,
    /// The page's own picture carries the nodes' test ids; a second run's picture beside it
    /// does not.
    #[prop_or(true)]
    pub test_ids: bool,
    pub on_action: Callback<Action>,
}

type Point = (f64, f64);

/// Where everything goes, for a number of replicas.
struct Layout {
    width: f64,
    height: f64,
    clients: Point,
    master: Point,
    replicas: Vec<Point>,
    portrait: bool,
}

impl Layout {
    fn new(count: usize, portrait: bool, large: bool) -> Layout {
        if portrait {
            let rows = count.div_ceil(2);
            let replicas = (0..count)
                .map(|index| {
                    let x = if index % 2 == 0 { 108.0 } else { 312.0 };
                    // A last replica alone in its row sits in the middle.
                    let x = if index + 1 == count && count % 2 == 1 { 210.0 } else { x };
                    (x, 330.0 + (index / 2) as f64 * 86.0)
                })
                .collect();
            return Layout {
                width: 420.0,
                height: 300.0 + rows.max(1) as f64 * 86.0,
                clients: (210.0, 40.0),
                master: (210.0, 180.0),
                replicas,
                portrait,
            };
        }
        let height = (count as f64 * 80.0 + 50.0).max(300.0);
        let spacing = ((height - 50.0) / count.max(1) as f64).min(120.0);
        // Landscape: the clients, the master and the replicas in three columns.
        let (width, clients_x, master_x, replica_x) =
            if large { (700.0, 82.0, 310.0, 595.0) } else { (780.0, 85.0, 345.0, 670.0) };
        let replicas = (0..count)
            .map(|index| (replica_x, height / 2.0 + (index as f64 - (count as f64 - 1.0) / 2.0) * spacing))
            .collect();
        Layout {
            width,
            height,
            clients: (clients_x, height / 2.0),
            master: (master_x, height / 2.0),
            replicas,
            portrait,
        }
    }

    /// The control point of a read link's curve (clients to a replica), bent around the master
    /// where the straight line would cross it; `None` where a straight line is clear.
    fn read_curve(&self, replica: Point) -> Option<Point> {
        let (from, master) = (self.clients, self.master);
        let passing = if self.portrait {
            // At the master's height: which side of it, and how far.
            let t = (master.1 - from.1) / (replica.1 - from.1);
            let x = from.0 + (replica.0 - from.0) * t;
            if (x - master.0).abs() > NODE_W / 2.0 + 20.0 {
                return None;
            }
            let side = if replica.0 >= master.0 { 1.0 } else { -1.0 };
            (master.0 + side * (NODE_W / 2.0 + 24.0), master.1)
        } else {
            let t = (master.0 - from.0) / (replica.0 - from.0);
            let y = from.1 + (replica.1 - from.1) * t;
            if (y - master.1).abs() > NODE_H / 2.0 + 36.0 {
                return None;
            }
            let side = if replica.1 > master.1 { 1.0 } else { -1.0 };
            (master.0, master.1 + side * 70.0)
        };
        // The curve's midpoint is a quarter of each end and half the control point.
        Some((2.0 * passing.0 - (from.0 + replica.0) / 2.0, 2.0 * passing.1 - (from.1 + replica.1) / 2.0))
    }
}

/// A point `t` (0..1) along a straight line or a quadratic curve.
fn along(from: Point, to: Point, curve: Option<Point>, t: f64) -> Point {
    match curve {
        None => (from.0 + (to.0 - from.0) * t, from.1 + (to.1 - from.1) * t),
        Some(control) => {
            let u = 1.0 - t;
            (
                u * u * from.0 + 2.0 * u * t * control.0 + t * t * to.0,
                u * u * from.1 + 2.0 * u * t * control.1 + t * t * to.1,
            )
        }
    }
}

#[component]
pub fn Topology(props: &TopologyProps) -> Html {
    let watched = use_watched();
    let layout = Layout::new(props.replicas.len(), props.portrait, props.large);
    let position = |place: Place| match place {
        Place::Clients => layout.clients,
        Place::Node(NodeRef::Master) => layout.master,
        Place::Node(name) => {
            let index = props.replicas.iter().position(|node| node.name == name).unwrap_or(0);
            layout.replicas.get(index).copied().unwrap_or(layout.master)
        }
    };
    let curve = |from: Place, to: Place| match (from, to) {
        (Place::Clients, Place::Node(NodeRef::Replica(_))) => layout.read_curve(position(to)),
        (Place::Node(NodeRef::Replica(_)), Place::Clients) => layout.read_curve(position(from)),
        _ => None,
    };
    let count = props.replicas.len();
    let summary = format!(
        "Clients send writes to the master ({}) and reads to {}; {}",
        props.master.machine,
        if count == 0 { "it too".to_string() } else { format!("{count} replicas") },
        props.replication.summary
    );
    html! {
        <figure class={classes!("topology-figure", props.portrait.then_some("portrait"))} data-testid={props.test_ids.then_some("topology")}>
            <p class="mode-banner">
                <span class="mode-summary">{ props.replication.summary.clone() }</span>
                if !props.replication.waiting.is_empty() {
                    <span class="waiting" data-testid={props.test_ids.then_some("master-waiting")}>{ props.replication.waiting.clone() }</span>
                }
            </p>
            <svg class="topology" viewBox={format!("0 0 {} {}", layout.width, layout.height)} role="group" aria-label={summary}>
                // Links first, so nodes and messages draw over them.
                { path(layout.clients, layout.master, None, "link") }
                { for props.replicas.iter().map(|node| {
                    let end = position(Place::Node(node.name));
                    let test_id = props.test_ids.then(|| format!("link-{}", node.name));
                    let mark = test_id.as_deref().and_then(|id| watched.mark(id));
                    let class = classes!(
                        "link",
                        "replication",
                        if node.synchronous { "sync" } else { "async" },
                        node.link_cut.then_some("cut"),
                        (!node.link_cut && !node.streaming).then_some("idle")
                    );
                    html! { <>
                        { path(layout.clients, end, layout.read_curve(end), "link read-link") }
                        <g class={class} data-testid={test_id} data-watched={mark}>
                            { path(layout.master, end, None, "line") }
                        </g>
                    </> }
                }) }
                { for props.dots.iter().map(|dot| {
                    let (x, y) = along(position(dot.from), position(dot.to), curve(dot.from, dot.to), dot.progress);
                    html! { <circle class={classes!("dot", dot.kind.class())} cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="6" /> }
                }) }
                // The links' labels over the messages, so a busy link stays readable.
                { for props.replicas.iter().map(|node| {
                    let at = along(layout.master, position(Place::Node(node.name)), None, 0.5);
                    let (class, label) = match (node.link_cut, node.streaming, node.synchronous) {
                        (true, ..) => ("link-label cut", "cut"),
                        (false, false, _) => ("link-label idle", "no stream"),
                        (false, true, true) => ("link-label sync", "sync"),
                        (false, true, false) => ("link-label", "async"),
                    };
                    html! { <text class={class} x={format!("{:.1}", at.0)} y={format!("{:.1}", at.1 - 6.0)}>{ label }</text> }
                }) }
                <g class="clients">
                    <rect x={(layout.clients.0 - CLIENTS_W / 2.0).to_string()} y={(layout.clients.1 - CLIENTS_H / 2.0).to_string()}
                        width={CLIENTS_W.to_string()} height={CLIENTS_H.to_string()} rx="10" />
                    <text x={layout.clients.0.to_string()} y={(layout.clients.1 - 4.0).to_string()}>{ "App service" }</text>
                    <text class="sub" x={layout.clients.0.to_string()} y={(layout.clients.1 + 16.0).to_string()}>{ "the clients" }</text>
                </g>
                { node_shape(&props.master, layout.master, props, &watched) }
                { for props.replicas.iter().map(|node| node_shape(node, position(Place::Node(node.name)), props, &watched)) }
            </svg>
            <figcaption class="legend">
                { for DotKind::ALL.iter().map(|kind| html! {
                    <span><svg width="12" height="12" aria-hidden="true"><circle class={classes!("dot", kind.class())} cx="6" cy="6" r="5" /></svg>{ kind.legend() }</span>
                }) }
                <span class="hint">{ "Click a node for its actions." }</span>
                <span class="key">{ "LSN: how far a machine has applied the master's log. Under each node: its queue, and for a replica how far behind it is." }</span>
                <span class="key">{ "Every machine runs PostgreSQL; the lecture draws the replicas as MongoDB, and their cards show rows as documents. (A real MongoDB copy of PostgreSQL needs change-data-capture, such as Debezium, and could not be promoted.)" }</span>
            </figcaption>
        </figure>
    }
}

fn path(from: Point, to: Point, curve: Option<Point>, class: &'static str) -> Html {
    let d = match curve {
        None => format!("M{:.1},{:.1} L{:.1},{:.1}", from.0, from.1, to.0, to.1),
        Some(control) => {
            format!("M{:.1},{:.1} Q{:.1},{:.1} {:.1},{:.1}", from.0, from.1, control.0, control.1, to.0, to.1)
        }
    };
    html! { <path class={class} d={d} /> }
}

fn node_shape(node: &NodeView, (x, y): Point, props: &TopologyProps, watched: &Watched) -> Html {
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
    let is_master = name == NodeRef::Master;
    let role = &node.role;
    let detail = match node.state {
        NodeState::Up => "PostgreSQL",
        other => other.as_str(),
    };
    let test_id = props.test_ids.then(|| format!("node-{name}"));
    let mark = test_id.as_deref().and_then(|id| watched.mark(id));
    let selected = props.selected == Some(name);
    let queued = if node.load > 0 { format!(" {} queued", node.load) } else { String::new() };
    // Each label ends with a space, so the node's text reads as words (the accessible name
    // repeats it: what a sighted user reads, a screen reader says first).
    let text = |class: &'static str, x: f64, y: f64, content: String| {
        html! { <text class={class} x={format!("{x:.1}")} y={format!("{y:.1}")}>{ content }{ " " }</text> }
    };
    html! {
        <g class={classes!("node-shape", node.state.as_str(), is_master.then_some("master"), selected.then_some("selected"))}
            role="button" tabindex="0" onclick={select} onkeydown={select_by_key}
            data-testid={test_id} data-watched={mark} data-name={node.machine.clone()}
            data-applied-lsn={node.applied_lsn.to_string()} data-state={node.state.as_str()} data-reads={node.reads_served.to_string()}
            aria-label={format!("{} {role} LSN {} {detail}{}, {}, {} behind", node.machine, node.applied_lsn, queued, node.state.as_str(), node.lag)}>
            <rect class="body" x={left.to_string()} y={top.to_string()} width={NODE_W.to_string()} height={NODE_H.to_string()} rx="8" />
            { text("name", left + 12.0, top + 22.0, node.machine.clone()) }
            { text("role", left + NODE_W - 12.0, top + 22.0, role.clone()) }
            { text("lsn", left + 12.0, top + 43.0, format!("LSN {}", node.applied_lsn)) }
            { text("detail", left + NODE_W - 12.0, top + 43.0, detail.to_string()) }
            // The load meter under the node, and for a replica its lag bar under that.
            <rect class="meter-track" x={left.to_string()} y={(top + NODE_H + 3.0).to_string()} width={NODE_W.to_string()} height="5" rx="2" />
            <rect class="meter load" x={left.to_string()} y={(top + NODE_H + 3.0).to_string()} width={format!("{:.1}", NODE_W * load)} height="5" rx="2" />
            if !is_master {
                <rect class="meter-track" x={left.to_string()} y={(top + NODE_H + 10.0).to_string()} width={NODE_W.to_string()} height="5" rx="2" />
                <rect class="meter lag" x={left.to_string()} y={(top + NODE_H + 10.0).to_string()} width={format!("{:.1}", NODE_W * lag)} height="5" rx="2" />
            }
            if node.load > 0 {
                { text("queued", left + NODE_W, top + NODE_H + 30.0, queued.trim().to_string()) }
            }
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How close a straight or curved read link comes to the master's centre.
    fn closest_to_master(layout: &Layout, replica: Point) -> f64 {
        let curve = layout.read_curve(replica);
        (0..=100)
            .map(|step| along(layout.clients, replica, curve, f64::from(step) / 100.0))
            .map(|(x, y)| {
                ((x - layout.master.0) / (NODE_W / 2.0)).abs().max(((y - layout.master.1) / (NODE_H / 2.0)).abs())
            })
            .fold(f64::INFINITY, f64::min)
    }

    #[test]
    fn no_read_link_crosses_the_master_in_either_layout() {
        for (portrait, large) in [(false, false), (false, true), (true, false)] {
            for count in 1..=8 {
                let layout = Layout::new(count, portrait, large);
                for (index, replica) in layout.replicas.iter().enumerate() {
                    let clearance = closest_to_master(&layout, *replica);
                    assert!(clearance > 1.05, "{count} replicas, replica {index}, portrait {portrait}: {clearance}");
                }
            }
        }
    }

    #[test]
    fn nodes_do_not_overlap() {
        for (portrait, large) in [(false, false), (false, true), (true, false)] {
            for count in 0..=8 {
                let layout = Layout::new(count, portrait, large);
                let boxes: Vec<Point> = std::iter::once(layout.master).chain(layout.replicas.iter().copied()).collect();
                for (index, a) in boxes.iter().enumerate() {
                    for b in &boxes[..index] {
                        let apart = (a.0 - b.0).abs() >= NODE_W + 4.0 || (a.1 - b.1).abs() >= NODE_H + 20.0;
                        assert!(apart, "{count} replicas, portrait {portrait}: {a:?} and {b:?} overlap");
                    }
                }
                for (x, y) in boxes {
                    assert!(x - NODE_W / 2.0 >= 0.0 && x + NODE_W / 2.0 <= layout.width, "{count}: off the side");
                    assert!(
                        y - NODE_H / 2.0 >= 0.0 && y + NODE_H / 2.0 + 16.0 <= layout.height,
                        "{count}: off the end"
                    );
                }
            }
        }
    }
}
