//! Where the read side stands (`read_side` mongodb), as the lecture draws CQRS: the clients
//! write to the master and read from MongoDB, and the connector carries the master's changes
//! across. On a screen, three rows: the master (its standbys in the far column beside it), the
//! connector, the MongoDB members along the bottom; the clients at the left, in the middle, so
//! that writes go up and reads go down. On a phone, two columns under the clients: PostgreSQL
//! on the left (the master, its standbys under it), the read side on the right (the connector,
//! the members under it). And how the read side is drawn there: its links and its boxes.

use yew::prelude::*;

use super::layout::*;
use super::{BOLD, CAPITALS, path, squeezed, text};
use crate::sim::ids::NodeId;
use crate::ui::demo_panel::Watched;
use crate::ui::view::{MachineView, Place, ReadSideView, text_width};

/// Room between two boxes beside each other, at full size.
const GAP: f64 = 40.0;

impl Layout {
    /// The picture with a read side of `members` MongoDB members, beside `count` standbys.
    pub(super) fn with_read_side(
        count: usize,
        members: usize,
        shape: Shape,
        large: bool,
        fill: bool,
        (width, height): (f64, f64),
    ) -> Layout {
        if shape == Shape::Portrait {
            return Layout::portrait_with_read_side(count, members, width);
        }
        let sizes = sizes(shape, large);
        let slot = sizes.node.height + sizes.below + 4.0;
        // The standbys' column stands beside the master's and the connector's rows.
        let least = (3.0 * slot).max((count as f64 + 1.0) * slot * 0.75) + 2.0 * MARGIN;
        let height = if fill { height.max(3.0 * slot + 2.0 * MARGIN) } else { least.max(MIN_HEIGHT) };
        // Columns: the clients, the master, the connector, the standbys (and the last member).
        let needed = sizes.clients.width + 3.0 * sizes.node.width + 3.0 * GAP + 2.0 * MARGIN;
        let scale = (width / needed).min(1.0);
        let node_width = sizes.node.width * scale;
        let row = (height - 2.0 * MARGIN) / 3.0;
        let below = sizes.below * scale / 2.0;
        let row_y = |index: f64| MARGIN + row * (index + 0.5) - below;
        let clients_right = MARGIN + sizes.clients.width * scale;
        let far_x = width - MARGIN - node_width / 2.0;
        let gap = (far_x - node_width / 2.0 - clients_right - 2.0 * node_width) / 3.0;
        let master = (clients_right + gap + node_width / 2.0, row_y(0.0));
        let connector = (master.0 + node_width + gap, row_y(1.0));
        let clients = (MARGIN + sizes.clients.width * scale / 2.0, row_y(1.0));
        // The members along the bottom row, from under the master to under the standbys.
        let spacing = if members > 1 { (far_x - master.0) / (members - 1) as f64 } else { 0.0 };
        let member_scale = if members > 1 { scale.min((spacing - 16.0) / sizes.node.width) } else { scale };
        let members = (0..members).map(|index| (master.0 + spacing * index as f64, row_y(2.0))).collect();
        // The standbys in the far column, over the two upper rows.
        let column = 2.0 * row;
        let replica_scale = scale * (column / (count.max(1) as f64 * slot)).min(1.0);
        let replica_below = sizes.below * replica_scale / 2.0;
        let replicas = (0..count)
            .map(|index| (far_x, MARGIN + column / count as f64 * (index as f64 + 0.5) - replica_below))
            .collect();
        Layout {
            width,
            height,
            sizes,
            clients,
            master,
            replicas,
            scale,
            replica_scale,
            shape,
            connector: Some(connector),
            members,
            member_scale,
        }
    }

    /// On a phone: the clients, then PostgreSQL's column (the master, the standbys) beside the
    /// read side's (the connector, the members).
    fn portrait_with_read_side(count: usize, members: usize, width: f64) -> Layout {
        let base = Layout::portrait(0, width);
        let scale = base.scale;
        let row = (base.sizes.node.height + base.sizes.below) * scale + 30.0 * scale;
        let (left, right) = (width / 4.0 + MARGIN / 4.0, width * 3.0 / 4.0 - MARGIN / 4.0);
        let master = (left, base.master.1);
        // Half a row lower than the master, so the master's changes travel a link in sight.
        let connector = (right, base.master.1 + row / 2.0);
        let column = |x: f64, first: f64, count: usize| -> Vec<Point> {
            (0..count).map(|index| (x, master.1 + (first + index as f64) * row)).collect()
        };
        let (replicas, members) = (column(left, 1.0, count), column(right, 1.5, members));
        let lowest = replicas.iter().chain(&members).map(|point| point.1).fold(connector.1, f64::max);
        Layout {
            height: lowest + (base.sizes.node.height / 2.0 + base.sizes.below) * scale + MARGIN,
            master,
            replicas,
            connector: Some(connector),
            members,
            ..base
        }
    }

    /// Where a machine of the read side stands.
    pub(super) fn read_side_place(&self, id: NodeId) -> Point {
        match id {
            NodeId::CONNECTOR => self.connector.unwrap_or(self.master),
            member => {
                let index = member.0.saturating_sub(NodeId::mongo(1).0);
                self.members.get(index).copied().unwrap_or(self.master)
            }
        }
    }

    /// The control point of a read link's curve (clients to a member) on a phone, through the
    /// gap between the master and the connector; `None` on a screen, where the line is clear.
    pub(super) fn member_read_curve(&self, member: Point) -> Option<Point> {
        if self.shape != Shape::Portrait {
            return None;
        }
        let passing = (self.width / 2.0, self.master.1);
        let (from, to) = (self.clients, member);
        Some((2.0 * passing.0 - (from.0 + to.0) / 2.0, 2.0 * passing.1 - (from.1 + to.1) / 2.0))
    }
}

/// The read side's links: the clients' reads to each member, the master's changes to the
/// connector, the connector's writes to the primary, the primary's oplog to each secondary.
pub(super) fn read_side_links(read_side: &ReadSideView, layout: &Layout, position: &dyn Fn(Place) -> Point) -> Html {
    let connector = position(Place::ReadSide(read_side.connector.id));
    let primary = read_side.members.iter().find(|member| member.role == "primary").map(|member| member.id);
    html! { <>
        { for read_side.members.iter().map(|member| {
            let end = position(Place::ReadSide(member.id));
            html! { <>
                { path(layout.clients, end, layout.member_read_curve(end), "link read-link") }
                if let Some(primary) = primary.filter(|primary| *primary != member.id) {
                    { path(position(Place::ReadSide(primary)), end, None, "link oplog") }
                }
            </> }
        }) }
        { path(layout.master, connector, None, "link cdc") }
        if let Some(primary) = primary {
            { path(connector, position(Place::ReadSide(primary)), None, "link cdc") }
        }
    </> }
}

/// A machine of the read side: its name and role, how far it has got, and what to watch.
pub(super) fn machine_shape(machine: &MachineView, layout: &Layout, test_ids: bool, watched: &Watched) -> Html {
    let place = Place::ReadSide(machine.id);
    let (x, y) = layout.read_side_place(machine.id);
    let scale = layout.node_scale(place);
    let sizes = layout.sizes;
    let Size { width, height } = sizes.node;
    let (left, top) = (-width / 2.0, -height / 2.0);
    let state = if machine.up { "up" } else { "down" };
    let kind = if machine.id == NodeId::CONNECTOR { "connector" } else { "mongo" };
    let lsn = format!("LSN {}", machine.lsn);
    let room = |left_text: &str, left_px: f64| width - 24.0 - 8.0 - text_width(left_text, left_px, BOLD);
    let role_length =
        squeezed(&machine.role.to_ascii_uppercase(), sizes.role_px, CAPITALS, room(&machine.machine, sizes.name_px));
    let detail_length = squeezed(&machine.detail, sizes.detail_px, BOLD, room(&lsn, sizes.lsn_px));
    html! {
        <g class={classes!("node-shape", "read-side", kind, state, machine.behind.then_some("behind"))}
            transform={format!("translate({x:.1} {y:.1}) scale({scale:.3})")}
            data-testid={test_ids.then(|| format!("node-{}", machine.machine))} data-name={machine.machine.clone()}
            data-watched={watched.mark(&format!("node-{}", machine.machine))}
            data-applied-lsn={machine.lsn.to_string()} data-state={state} data-reads={machine.reads_served.to_string()}
            aria-label={format!("{} {} LSN {} {}, {state}", machine.machine, machine.role, machine.lsn, machine.detail)}>
            <rect class="body" x={left.to_string()} y={top.to_string()} width={width.to_string()} height={height.to_string()} rx="8" />
            { text("name", left + 12.0, top + height * 0.4, machine.machine.clone(), None) }
            { text("role", left + width - 12.0, top + height * 0.4, machine.role.to_string(), role_length) }
            { text("lsn", left + 12.0, top + height * 0.82, lsn, None) }
            { text("detail", left + width - 12.0, top + height * 0.82, machine.detail.clone(), detail_length) }
        </g>
    }
}
