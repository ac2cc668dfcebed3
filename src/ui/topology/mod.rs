//! The cluster as a picture: the clients, the master and the replicas, every request and
//! replication message travelling between them, each machine's name, role, state, load and
//! lag, and how the master replicates (sync or async, and whom it is waiting for). Clicking a
//! node selects it: its actions open next to it (`popover.rs`).
//!
//! Two layouts: landscape (clients, master, replicas from left to right) for screens, and
//! portrait (top to bottom, replicas in two columns) for phones, where a wide picture would
//! shrink its labels below reading size. The geometry (box sizes, places, routes) is
//! `layout.rs`; this file draws.

use std::rc::Rc;

use yew::prelude::*;

use super::demo_panel::{Watched, use_watched};
use super::frame::use_element_size;
use super::state::Action;
use super::view::{Dot, DotKind, MachinesView, NodeView, Place, text_width};
use crate::sim::time::Time;
use crate::sim::{NodeRef, NodeState};

/// Lag at which a replica's lag bar is full.
const FULL_LAG: Time = Time::from_millis(2_000);

/// How each kind of message is drawn: its CSS class and its words in the legend.
impl DotKind {
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
            DotKind::Replicate => "log entry (its LSN)",
            DotKind::Ack => "replica report",
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct TopologyProps {
    /// The machines, their links and how the master replicates (with the connector and the
    /// MongoDB members, when reads go to MongoDB).
    pub machines: Rc<MachinesView>,
    pub dots: Vec<Dot>,
    /// Under heavy traffic only a sample of the messages is drawn: one in this many.
    #[prop_or(1)]
    pub drawn_one_in: usize,
    pub selected: Option<NodeRef>,
    /// Top to bottom, for a narrow screen.
    #[prop_or_default]
    pub portrait: bool,
    /// Larger boxes, text and messages (presenter mode).
    #[prop_or_default]
    pub large: bool,
    /// Beside another run's picture: narrower, with the clients above the master, so that two
    /// fit side by side with their text at its size.
    #[prop_or_default]
    pub compact: bool,
    /// The picture takes the height its place on the page gives it (the stage), instead of
    /// the height its nodes need.
    #[prop_or_default]
    pub fill_height: bool,
    /// The page's own picture carries the nodes' test ids; a second run's picture beside it
    /// does not.
    #[prop_or(true)]
    pub test_ids: bool,
    /// The selected node's actions, opened next to it.
    #[prop_or_default]
    pub actions: Html,
    /// The picture's size until it is measured: the live page's first frame is measured before
    /// it is painted; a first frame built ahead of time is drawn at this size.
    pub unmeasured: Option<(f64, f64)>,
    pub on_action: Callback<Action>,
}

mod cqrs;
mod layout;
mod legend;
mod popover;

use cqrs::{machine_shape, read_side_links};
use layout::*;
use legend::Legend;
use popover::{Anchor, NodePopover};

#[component]
pub fn Topology(props: &TopologyProps) -> Html {
    let svg = use_node_ref();
    let measured = use_element_size(svg.clone(), props.unmeasured.unwrap_or(UNMEASURED));
    let shape = match (props.portrait, props.compact) {
        (true, _) => Shape::Portrait,
        (false, true) => Shape::Compact,
        (false, false) => Shape::Landscape,
    };
    let machines = &props.machines;
    let layout = match &machines.read_side {
        Some(read_side) => Layout::with_read_side(
            machines.replicas.len(),
            read_side.members.len(),
            shape,
            props.large,
            props.fill_height,
            measured,
        ),
        None => Layout::new(machines.replicas.len(), shape, props.large, props.fill_height, measured),
    };
    let sizes = layout.sizes;
    // Each link its messages travel: its ends, its bend and the stretch of it in sight, worked
    // out once a link however many travel on it. A message to or from a machine the picture does
    // not show yet (the machines are worked out a few times a second) waits to be drawn.
    let mut routes: Vec<Route> = Vec::new();
    for dot in &props.dots {
        if routes.iter().any(|route| route.link == (dot.from, dot.to)) {
            continue;
        }
        let (Some(from), Some(to)) = (layout.place(machines, dot.from), layout.place(machines, dot.to)) else {
            continue;
        };
        let bend = layout.bend(dot.from, dot.to, from, to);
        let margin = sizes.dot_radius / 2.0;
        let in_sight = open_stretch(|t| {
            let point = along(from, to, bend, t);
            (layout.covers(dot.from, from, point, margin), layout.covers(dot.to, to, point, margin))
        });
        routes.push(Route { link: (dot.from, dot.to), from, to, bend, in_sight });
    }
    let dot = |dot: &Dot| {
        let Some(route) = routes.iter().find(|route| route.link == (dot.from, dot.to)) else { return html! {} };
        let (start, end) = route.in_sight;
        let (x, y) = along(route.from, route.to, route.bend, start + (end - start) * dot.progress);
        // Placed by one attribute, the only one that changes as the message travels.
        let at = format!("translate({x:.1} {y:.1})");
        match dot.lsn {
            Some(lsn) => {
                let label = lsn.to_string();
                let width = (label.len() as f64 * sizes.digit + sizes.entry_height * 0.7).max(sizes.entry_height);
                html! {
                    <g class={classes!("dot", "entry", dot.kind.class())} transform={at}>
                        <rect x={format!("{:.1}", -width / 2.0)} y={format!("{:.1}", -sizes.entry_height / 2.0)}
                            width={format!("{width:.1}")} height={format!("{:.1}", sizes.entry_height)} rx={format!("{:.1}", sizes.entry_height / 2.0)} />
                        <text y="0.5">{ label }</text>
                    </g>
                }
            }
            None => html! {
                <circle class={classes!("dot", dot.kind.class())} transform={at} r={sizes.dot_radius.to_string()} />
            },
        }
    };
    // One group per kind of message: under traffic most messages live a frame or two, so the
    // dots are not kept per message; a group's dots are reused from frame to frame and only
    // move, never change kind.
    let messages = |kind: DotKind, labelled: bool| {
        html! { <g>{ for props.dots.iter().filter(|dot| dot.kind == kind && dot.lsn.is_some() == labelled).map(dot) }</g> }
    };
    // A node selected that the picture does not show (a replica since removed) opens nothing.
    let anchor = props.selected.and_then(|name| {
        let place = Place::Node(name);
        Some(Anchor::new(&layout, place, layout.place(machines, place)?, measured, props.fill_height))
    });
    let view_box = format!("0 0 {:.0} {:.0}", layout.width, layout.height);
    let replication = &machines.replication;
    html! {
        <figure class={classes!("topology-figure", props.portrait.then_some("portrait"), props.large.then_some("large"), props.compact.then_some("compact"), props.fill_height.then_some("fill"))}
            data-testid={props.test_ids.then_some("topology")}>
            <p class="mode-banner">
                <span class="mode-summary">{ replication.summary.clone() }</span>
                if !replication.reads.is_empty() {
                    <span class="mode-reads" data-testid={props.test_ids.then_some("read-routing")}>{ replication.reads.clone() }</span>
                }
                if !replication.waiting.is_empty() {
                    <span class="waiting" data-testid={props.test_ids.then_some("master-waiting")}>{ replication.waiting.clone() }</span>
                }
                if props.drawn_one_in > 1 {
                    <span class="sampled">{ format!("busy: 1 message in {} drawn", props.drawn_one_in) }</span>
                }
            </p>
            <div class="drawing">
            <svg ref={svg} class="topology" viewBox={view_box.clone()} role="group" aria-label={machines.in_words.clone()}>
                <Machines machines={machines.clone()} {layout} selected={props.selected} compact={props.compact}
                    test_ids={props.test_ids} on_action={props.on_action.clone()} />
            </svg>
            // The messages over all of it, in a drawing of their own: they move every frame, and
            // the machines' drawing is then neither laid out nor painted again for them.
            <svg class="topology-messages" viewBox={view_box} aria-hidden="true">
                { for DotKind::ALL.iter().map(|kind| messages(*kind, false)) }
                { messages(DotKind::Replicate, true) }
            </svg>
            if let Some(anchor) = anchor {
                <NodePopover {anchor}>{ props.actions.clone() }</NodePopover>
            }
            </div>
            <Legend read_side={machines.read_side.is_some()} />
        </figure>
    }
}

#[derive(Properties, PartialEq)]
struct MachinesProps {
    machines: Rc<MachinesView>,
    layout: Layout,
    selected: Option<NodeRef>,
    compact: bool,
    test_ids: bool,
    on_action: Callback<Action>,
}

/// The machines in the picture and the links between them: a component of its own, so that a
/// frame that only moves the messages does not draw them again.
#[component]
fn Machines(props: &MachinesProps) -> Html {
    let watched = use_watched();
    let MachinesProps { machines, layout, .. } = props;
    let sizes = layout.sizes;
    let position = |place: Place| layout.place(machines, place).unwrap_or(layout.master);
    let (clients_width, clients_height) = layout.half(Place::Clients);
    html! {
        <>
            // Links first, then their labels, then the machines.
            { path(layout.clients, layout.master, None, "link") }
            { for machines.replicas.iter().map(|node| {
                let end = position(Place::Node(node.name));
                // A watched link is outlined in both pictures of a comparison, though only
                // the page's own carries the test ids.
                let id = format!("link-{}", node.name);
                let mark = watched.mark(&id);
                let test_id = props.test_ids.then_some(id);
                let class = classes!(
                    "link",
                    "replication",
                    if node.synchronous { "sync" } else { "async" },
                    node.link_cut.then_some("cut"),
                    (!node.link_cut && !node.streaming).then_some("idle")
                );
                html! { <>
                    if machines.read_side.is_none() {
                        { path(layout.clients, end, layout.read_curve(end), "link read-link") }
                    }
                    <g class={class} data-testid={test_id} data-watched={mark}>
                        { path(layout.master, end, None, "line") }
                    </g>
                </> }
            }) }
            // Beside another run's picture there is no room between the columns for them; a
            // cut or idle link shows by its line and its replica's box, the heading names the mode.
            if !props.compact {
                { for link_labels(&machines.replicas, sizes.entry_height, |name| layout.link_label_at(position(Place::Node(name)))) }
            }
            <g class="clients" transform={format!("translate({:.1} {:.1}) scale({:.3})", layout.clients.0, layout.clients.1, layout.scale)}>
                <rect x={format!("{:.1}", -clients_width / layout.scale)} y={format!("{:.1}", -clients_height / layout.scale)}
                    width={sizes.clients.width.to_string()} height={sizes.clients.height.to_string()} rx="10" />
                <text y={format!("{:.1}", -sizes.clients.height * 0.07)}>{ "App service" }</text>
                <text class="sub" y={format!("{:.1}", sizes.clients.height * 0.3)}>{ "the clients" }</text>
            </g>
            if let Some(read_side) = &machines.read_side {
                { read_side_links(read_side, layout, &position) }
            }
            { node_shape(&machines.master, layout.master, layout.scale, props, &watched) }
            if let Some(read_side) = &machines.read_side {
                { machine_shape(&read_side.connector, layout, props.test_ids, &watched) }
                { for read_side.members.iter().map(|member| machine_shape(member, layout, props.test_ids, &watched)) }
            }
            { for machines.replicas.iter().map(|node| node_shape(node, position(Place::Node(node.name)), layout.replica_scale, props, &watched)) }
        </>
    }
}

/// Each replication link's label, at the point `middle` gives and above the line, clear of the
/// log entries (`entry_height` high) travelling on it: how it replicates, or that it is cut or
/// idle. Where many replicas bring the labels close, a plain "sync"/"async" is left out rather
/// than drawn over its neighbour (every link of a run replicates the same way but for a cut or
/// idle one, whose label always stands).
fn link_labels(replicas: &[NodeView], entry_height: f64, middle: impl Fn(NodeRef) -> Point) -> Vec<Html> {
    /// Closer than this (CSS px, either way) two labels would touch.
    const APART: (f64, f64) = (56.0, 40.0);
    let mut placed: Vec<Point> = Vec::new();
    let mut labels = Vec::new();
    for node in replicas {
        let at = middle(node.name);
        let (class, label, always) = match (node.link_cut, node.streaming, node.synchronous) {
            (true, ..) => ("link-label cut", "cut", true),
            (false, false, _) => ("link-label idle", "no stream", true),
            (false, true, true) => ("link-label sync", "sync", false),
            (false, true, false) => ("link-label", "async", false),
        };
        let crowded = placed.iter().any(|other| (other.0 - at.0).abs() < APART.0 && (other.1 - at.1).abs() < APART.1);
        if always || !crowded {
            placed.push(at);
            labels.push(html! { <text class={class} x={format!("{:.1}", at.0)} y={format!("{:.1}", at.1 - entry_height / 2.0 - 5.0)}>{ label }</text> });
        }
    }
    labels
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

/// A character's width in em, at most, in the page's sans-serif font: bold letters and digits,
/// and bold capitals with the role's letter spacing (DejaVu Sans, the widest of the usual ones:
/// a bold digit is 0.70 em).
const BOLD: f64 = 0.70;
const CAPITALS: f64 = 0.82;

/// The length to squeeze `text` into where it may not fit in `room` pixels (SVG `textLength`),
/// so that it never runs into the text beside it; `None` where it fits.
fn squeezed(text: &str, px: f64, em: f64, room: f64) -> Option<String> {
    (text_width(text, px, em) > room).then(|| format!("{:.0}", room.max(px)))
}

/// A line of a machine's box at `(x, y)`, squeezed into `length` where given. It ends with a
/// space, so the box's text reads as words (the accessible name repeats it: what a sighted user
/// reads, a screen reader says first).
fn text(class: &'static str, x: f64, y: f64, content: String, length: Option<String>) -> Html {
    let adjust = length.is_some().then_some("spacingAndGlyphs");
    html! {
        <text class={class} x={format!("{x:.1}")} y={format!("{y:.1}")} textLength={length} lengthAdjust={adjust}>
            { content }{ " " }
        </text>
    }
}

/// A machine's box, drawn around its centre `(x, y)` at `scale` times its size.
fn node_shape(node: &NodeView, (x, y): Point, scale: f64, props: &MachinesProps, watched: &Watched) -> Html {
    let sizes = props.layout.sizes;
    let name = node.name;
    let select = props.on_action.reform(move |_: MouseEvent| Action::Select(Some(name)));
    let on_action = props.on_action.clone();
    let select_by_key = Callback::from(move |event: KeyboardEvent| {
        if event.key() == "Enter" || event.key() == " " {
            event.prevent_default();
            on_action.emit(Action::Select(Some(name)));
        }
    });
    let Size { width, height } = sizes.node;
    let (left, top) = (-width / 2.0, -height / 2.0);
    let load = (node.load as f64 / props.machines.queue_limit.max(1) as f64).min(1.0);
    let lag = (node.lag.as_micros() as f64 / FULL_LAG.as_micros() as f64).min(1.0);
    let is_master = name == NodeRef::Master;
    let role = &node.role;
    // For a replica up and following: whether it has the master's latest write, at a glance
    // (a compact box has room only for news).
    let (detail, behind) = match node.state {
        NodeState::Up if props.compact && (is_master || node.missing == 0) => (String::new(), false),
        NodeState::Up if is_master && node.held_for_slots > 0 => {
            (format!("holds {} for slots", node.held_for_slots), true)
        }
        NodeState::Up if is_master => ("PostgreSQL".to_string(), false),
        NodeState::Up if node.missing == 0 => ("up to date".to_string(), false),
        NodeState::Up => (format!("{} behind", node.missing), true),
        other => (other.as_str().to_string(), false),
    };
    let id = format!("node-{name}");
    let mark = watched.mark(&id);
    let test_id = props.test_ids.then_some(id);
    let selected = props.selected == Some(name);
    let queued = if node.load > 0 { format!(" {} queued", node.load) } else { String::new() };
    // A line's text on the right is squeezed into the room the one on the left leaves it.
    let room = |left_text: &str, left_px: f64| width - 24.0 - 8.0 - text_width(left_text, left_px, BOLD);
    let lsn = format!("LSN {}", node.applied_lsn);
    // The roles are the model's English words: ASCII, whose capitals need no Unicode tables.
    let role_length = squeezed(&role.to_ascii_uppercase(), sizes.role_px, CAPITALS, room(&node.machine, sizes.name_px));
    let detail_length = squeezed(&detail, sizes.detail_px, BOLD, room(&lsn, sizes.lsn_px));
    let meter = |class: Classes, y: f64, share: f64| {
        html! { <rect class={class} x={left.to_string()} y={format!("{y:.1}")} width={format!("{:.1}", width * share)} height="6" rx="2" /> }
    };
    html! {
        <g class={classes!("node-shape", node.state.as_str(), is_master.then_some("master"), selected.then_some("selected"), behind.then_some("behind"))}
            transform={format!("translate({x:.1} {y:.1}) scale({scale:.3})")}
            role="button" tabindex="0" onclick={select} onkeydown={select_by_key}
            data-testid={test_id} data-watched={mark} data-name={node.machine.clone()}
            data-applied-lsn={node.applied_lsn.to_string()} data-state={node.state.as_str()} data-reads={node.reads_served.to_string()}
            aria-label={format!("{} {role} LSN {} {detail}{}, {}, {} behind", node.machine, node.applied_lsn, queued, node.state.as_str(), node.lag)}>
            <rect class="body" x={left.to_string()} y={top.to_string()} width={width.to_string()} height={height.to_string()} rx="8" />
            { text("name", left + 12.0, top + height * 0.4, node.machine.clone(), None) }
            { text("role", left + width - 12.0, top + height * 0.4, role.clone(), role_length) }
            { text("lsn", left + 12.0, top + height * 0.82, lsn, None) }
            { text("detail", left + width - 12.0, top + height * 0.82, detail, detail_length) }
            // The load meter under the node, and for a replica its lag bar under that.
            { meter(classes!("meter-track"), top + height + 3.0, 1.0) }
            { meter(classes!("meter", "load"), top + height + 3.0, load) }
            if !is_master {
                { meter(classes!("meter-track"), top + height + 11.0, 1.0) }
                { meter(classes!("meter", "lag", node.colour), top + height + 11.0, lag) }
            }
            if node.load > 0 {
                { text("queued", left + width, top + height + sizes.below - 2.0, queued.trim().to_string(), None) }
            }
        </g>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spaces a picture is laid out in: (shape, large, fill, measured width and height).
    const SPACES: [(Shape, bool, bool, (f64, f64)); 10] = [
        (Shape::Landscape, false, false, (880.0, 0.0)),
        (Shape::Landscape, false, false, (620.0, 0.0)),
        (Shape::Landscape, true, true, (800.0, 480.0)),
        (Shape::Landscape, true, true, (560.0, 300.0)),
        (Shape::Compact, false, false, (420.0, 0.0)),
        (Shape::Compact, true, true, (400.0, 320.0)),
        (Shape::Compact, true, true, (300.0, 260.0)),
        (Shape::Portrait, false, false, (350.0, 0.0)),
        (Shape::Portrait, false, false, (300.0, 0.0)),
        (Shape::Portrait, false, false, (190.0, 0.0)),
    ];

    fn layouts() -> impl Iterator<Item = (String, usize, Layout)> {
        SPACES.into_iter().flat_map(|(shape, large, fill, space)| {
            (0..=8).map(move |count| {
                (
                    format!("{count} replicas in {space:?}, {shape:?}"),
                    count,
                    Layout::new(count, shape, large, fill, space),
                )
            })
        })
    }

    /// How close a straight or curved read link comes to the master, in its half sizes.
    fn closest_to_master(layout: &Layout, replica: Point) -> f64 {
        let curve = layout.read_curve(replica);
        let (half_width, half_height) = layout.half(Place::Node(NodeRef::Master));
        (0..=100)
            .map(|step| along(layout.clients, replica, curve, f64::from(step) / 100.0))
            .map(|(x, y)| ((x - layout.master.0) / half_width).abs().max(((y - layout.master.1) / half_height).abs()))
            .fold(f64::INFINITY, f64::min)
    }

    #[test]
    fn no_read_link_crosses_the_master_in_any_layout() {
        for (case, _, layout) in layouts() {
            for (index, replica) in layout.replicas.iter().enumerate() {
                let clearance = closest_to_master(&layout, *replica);
                assert!(clearance > 1.05, "{case}, replica {index}: {clearance}");
            }
        }
    }

    /// Every box at `places` inside the picture, with its meters, and apart from every other.
    fn assert_apart(case: &str, layout: &Layout, places: &[Place]) {
        let center = |place: Place| match place {
            Place::Clients => layout.clients,
            Place::Node(NodeRef::Master) => layout.master,
            Place::Node(NodeRef::Replica(number)) => layout.replicas[number - 1],
            Place::ReadSide(id) => layout.read_side_place(id),
        };
        for (index, &a) in places.iter().enumerate() {
            let ((ax, ay), (a_width, a_height)) = (center(a), layout.half(a));
            // Under each node: its meters and queue, drawn at its scale.
            let a_below = layout.sizes.below * layout.node_scale(a);
            assert!(ax - a_width >= 0.0 && ax + a_width <= layout.width + 0.01, "{case}: {a:?} off the side");
            assert!(
                ay - a_height >= 0.0 && ay + a_height + a_below <= layout.height + 0.01,
                "{case}: {a:?} off the end"
            );
            for &b in &places[..index] {
                let ((bx, by), (b_width, b_height)) = (center(b), layout.half(b));
                let b_below = layout.sizes.below * layout.node_scale(b);
                let apart = (ax - bx).abs() >= a_width + b_width + 4.0
                    || (ay - by).abs() >= a_height + b_height + if ay > by { b_below } else { a_below };
                assert!(apart, "{case}: {a:?} and {b:?} overlap");
            }
        }
    }

    fn postgres_places(count: usize) -> impl Iterator<Item = Place> {
        [Place::Clients, Place::Node(NodeRef::Master)]
            .into_iter()
            .chain((1..=count).map(|number| Place::Node(NodeRef::Replica(number))))
    }

    #[test]
    fn nodes_stay_apart_and_inside_the_picture() {
        for (case, count, layout) in layouts() {
            assert_apart(&case, &layout, &postgres_places(count).collect::<Vec<_>>());
        }
    }

    #[test]
    fn with_a_read_side_the_connector_and_members_stay_apart_and_inside_the_picture() {
        use crate::sim::ids::NodeId;
        for (shape, large, fill, space) in SPACES {
            for count in 0..=8 {
                for members in 1..=5 {
                    let layout = Layout::with_read_side(count, members, shape, large, fill, space);
                    let read_side = std::iter::once(NodeId::CONNECTOR).chain((1..=members).map(NodeId::mongo));
                    let places: Vec<Place> = postgres_places(count).chain(read_side.map(Place::ReadSide)).collect();
                    let case = format!("{count} standbys, {members} members in {space:?}, {shape:?}");
                    assert_apart(&case, &layout, &places);
                }
            }
        }
    }

    #[test]
    fn beside_another_runs_picture_on_the_stage_up_to_three_replicas_keep_their_full_size() {
        // A two-run stage's pane at 1280x720: about 420 px wide and 225 to 260 high.
        for (count, height) in [(1, 225.0), (2, 225.0), (3, 260.0)] {
            let layout = Layout::new(count, Shape::Compact, true, true, (420.0, height));
            assert_eq!((layout.scale, layout.replica_scale), (1.0, 1.0), "{count} replicas, {height} px high");
            assert!(layout.height <= height + 0.01, "{count} replicas: drawn {} high in {height}", layout.height);
        }
    }

    #[test]
    fn a_single_databases_requests_travel_a_long_link_to_it() {
        let layout = Layout::new(0, Shape::Landscape, true, true, (826.0, 500.0));
        let clients_right = layout.clients.0 + layout.half(Place::Clients).0;
        let master_left = layout.master.0 - layout.half(Place::Node(NodeRef::Master)).0;
        assert!(master_left - clients_right > 0.25 * layout.width, "{clients_right} to {master_left}");
    }

    #[test]
    fn a_phones_picture_of_one_database_ends_under_it() {
        let single = Layout::new(0, Shape::Portrait, false, false, (360.0, 0.0));
        let with_replica = Layout::new(1, Shape::Portrait, false, false, (360.0, 0.0));
        let master_bottom = single.master.1 + (single.sizes.node.height / 2.0 + single.sizes.below) * single.scale;
        assert!(
            single.height <= master_bottom + MARGIN + 0.01,
            "{} under a master ending at {master_bottom}",
            single.height
        );
        assert!(single.height < with_replica.height - single.sizes.node.height * single.scale);
    }

    #[test]
    fn on_a_projectors_stage_up_to_eight_replicas_keep_their_full_size_in_two_columns() {
        // The presenter's picture at 1280x720: about 826 by 500 CSS pixels.
        for count in 1..=8 {
            let layout = Layout::new(count, Shape::Landscape, true, true, (826.0, 500.0));
            assert_eq!((layout.scale, layout.replica_scale), (1.0, 1.0), "{count} replicas");
            let columns = layout
                .replicas
                .iter()
                .map(|replica| replica.0.round() as i64)
                .collect::<std::collections::BTreeSet<_>>();
            assert_eq!(columns.len(), if count > 4 { 2 } else { 1 }, "{count} replicas");
        }
    }

    #[test]
    fn the_replication_links_are_the_longest_stretch_of_a_landscape_picture() {
        for (shape, large, fill, space) in SPACES.into_iter().filter(|space| space.0 == Shape::Landscape) {
            let layout = Layout::new(2, shape, large, fill, space);
            let (master_half, replica_half) =
                (layout.half(Place::Node(NodeRef::Master)).0, layout.half(Place::Node(NodeRef::Replica(1))).0);
            let to_master = layout.master.0 - master_half - (layout.clients.0 + layout.half(Place::Clients).0);
            let to_replicas = layout.replicas[0].0 - replica_half - (layout.master.0 + master_half);
            assert!(to_replicas > 2.0 * to_master, "{space:?}: {to_replicas} beside {to_master}");
        }
    }

    #[test]
    fn a_message_travels_only_where_no_box_covers_it() {
        let layout = Layout::new(2, Shape::Landscape, true, true, (800.0, 480.0));
        let replica = Place::Node(NodeRef::Replica(2));
        let (from, to) = (layout.master, layout.replicas[1]);
        let (start, end) = open_stretch(|t| {
            let point = along(from, to, None, t);
            (layout.covers(Place::Node(NodeRef::Master), from, point, 0.0), layout.covers(replica, to, point, 0.0))
        });
        assert!(0.0 < start && start < end && end < 1.0, "{start}..{end}");
        for step in 0..=20 {
            let point = along(from, to, None, start + (end - start) * f64::from(step) / 20.0);
            assert!(!layout.covers(Place::Node(NodeRef::Master), from, point, -1.0), "under the master at {step}/20");
            assert!(!layout.covers(replica, to, point, -1.0), "under the replica at {step}/20");
        }
        assert_eq!(open_stretch(|_| (true, true)), (0.5, 0.5), "boxes that touch leave the message where they meet");
    }
}
