//! The picture's geometry: how big boxes are drawn in each layout (landscape, portrait, compact,
//! larger for presenter mode), where each machine stands, and the routes messages travel, in
//! sight between the boxes at their ends.

use super::*;
use crate::sim::ids::NodeId;

pub(super) type Point = (f64, f64);

/// A box's width and height, in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Size {
    pub(super) width: f64,
    pub(super) height: f64,
}

/// How big things are drawn: the text sizes that go with them are the stylesheet's
/// (`.topology-figure.large` for the larger ones).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Sizes {
    pub(super) node: Size,
    pub(super) clients: Size,
    /// Under a node: its meters and its queue.
    pub(super) below: f64,
    /// A message's radius, and a log entry's height (it carries its LSN).
    pub(super) dot_radius: f64,
    pub(super) entry_height: f64,
    /// Width of a digit of a log entry's LSN.
    pub(super) digit: f64,
    /// A box's text sizes as the stylesheet sets them (`.node-shape .name`, `.role`, `.lsn`,
    /// `.detail`, per kind of picture): the two texts of a line are kept apart by them.
    pub(super) name_px: f64,
    pub(super) role_px: f64,
    pub(super) lsn_px: f64,
    pub(super) detail_px: f64,
}

pub(super) const NORMAL: Sizes = Sizes {
    node: Size { width: 190.0, height: 60.0 },
    clients: Size { width: 116.0, height: 56.0 },
    below: 36.0,
    dot_radius: 7.0,
    entry_height: 20.0,
    digit: 9.0,
    name_px: 18.0,
    role_px: 14.0,
    lsn_px: 16.0,
    detail_px: 14.0,
};
pub(super) const LARGE: Sizes = Sizes {
    // Wide enough for "LSN 5480" beside "31 behind" at the presenter's text sizes.
    node: Size { width: 224.0, height: 72.0 },
    clients: Size { width: 124.0, height: 64.0 },
    below: 40.0,
    dot_radius: 9.5,
    entry_height: 24.0,
    digit: 10.5,
    name_px: 22.0,
    role_px: 16.0,
    lsn_px: 20.0,
    detail_px: 16.0,
};
/// On a phone: two replicas side by side.
pub(super) const PORTRAIT: Sizes = Sizes { node: Size { width: 160.0, height: 60.0 }, name_px: 16.0, ..NORMAL };
pub(super) const COMPACT: Sizes = Sizes {
    node: Size { width: 158.0, height: 54.0 },
    clients: Size { width: 116.0, height: 48.0 },
    below: 24.0,
    dot_radius: 6.0,
    entry_height: 18.0,
    digit: 8.5,
    name_px: 16.0,
    role_px: 14.0,
    lsn_px: 15.0,
    detail_px: 14.0,
};
// Low enough that three replicas keep their 16 px text in a two-run stage's pane (about
// 260 px high at 1280x720).
pub(super) const COMPACT_LARGE: Sizes = Sizes {
    node: Size { width: 172.0, height: 52.0 },
    below: 22.0,
    clients: Size { width: 124.0, height: 52.0 },
    entry_height: 22.0,
    digit: 10.0,
    lsn_px: 16.0,
    role_px: 16.0,
    detail_px: 16.0,
    ..COMPACT
};

/// How a picture is arranged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    /// The clients, the master and the replicas from left to right.
    Landscape,
    /// The clients above the master, the replicas to their right.
    Compact,
    /// Top to bottom, the replicas two to a row.
    Portrait,
}

/// The sizes a shape draws at (a portrait picture's are `PORTRAIT`).
pub(super) fn sizes(shape: Shape, large: bool) -> Sizes {
    match (shape, large) {
        (Shape::Portrait, _) => PORTRAIT,
        (Shape::Compact, false) => COMPACT,
        (Shape::Compact, true) => COMPACT_LARGE,
        (Shape::Landscape, false) => NORMAL,
        (Shape::Landscape, true) => LARGE,
    }
}

/// Space around the picture's edge.
pub(super) const MARGIN: f64 = 12.0;
/// Between two columns of replicas.
pub(super) const REPLICA_GAP: f64 = 16.0;
/// Between the clients and the master under them, where the clients stand above it.
pub(super) const CLIENTS_ABOVE_GAP: f64 = 40.0;
/// The smallest height of a landscape picture.
pub(super) const MIN_HEIGHT: f64 = 260.0;
/// Before the picture is first measured.
pub(super) const UNMEASURED: (f64, f64) = (800.0, 400.0);

/// Where everything goes, for a number of replicas in the space the page gives.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Layout {
    pub(super) width: f64,
    pub(super) height: f64,
    pub(super) sizes: Sizes,
    pub(super) clients: Point,
    pub(super) master: Point,
    pub(super) replicas: Vec<Point>,
    /// Every node is drawn at `scale` times its size where the width is short, the replicas at
    /// `replica_scale` where there are more of them than the height holds.
    pub(super) scale: f64,
    pub(super) replica_scale: f64,
    pub(super) shape: Shape,
    /// The read side, when there is one (`read_side.rs`): the connector, the MongoDB members
    /// (drawn at `member_scale`).
    pub(super) connector: Option<Point>,
    pub(super) members: Vec<Point>,
    pub(super) member_scale: f64,
}

impl Layout {
    /// `width` and `height` are the picture's measured box; a portrait picture, and one whose
    /// height does not `fill`, take the height their nodes need instead.
    pub(super) fn new(count: usize, shape: Shape, large: bool, fill: bool, (width, height): (f64, f64)) -> Layout {
        let sizes = sizes(shape, large);
        if shape == Shape::Portrait {
            return Layout::portrait(count, width);
        }
        let slot = sizes.node.height + sizes.below + 4.0;
        // Beside another run's picture, where height is short, the least its boxes need (the
        // clients above the master, or the replicas' column): it shrinks only below that.
        let least = match shape {
            Shape::Compact => {
                (count as f64 * slot).max(sizes.clients.height + CLIENTS_ABOVE_GAP + sizes.node.height + sizes.below)
                    + 2.0 * MARGIN
            }
            _ => MIN_HEIGHT,
        };
        let height = if fill { height.max(least) } else { (count as f64 * slot + 2.0 * MARGIN).max(least) };
        // On the stage the height is given: more replicas than a column holds at full size
        // stand in two columns, the clients above the master to leave them the width, so that
        // their text keeps its size (where that width is there).
        let two_columns = shape == Shape::Landscape
            && count > 3
            && count as f64 * slot > height - 2.0 * MARGIN
            && width >= 3.0 * sizes.node.width + REPLICA_GAP + 2.0 * MARGIN + 40.0;
        let columns = if two_columns { 2 } else { 1 };
        let clients_above = shape == Shape::Compact || two_columns;
        // Columns: the clients (unless above the master), the master and the replicas, with
        // room for the links.
        let clients_column = if clients_above { 0.0 } else { sizes.clients.width };
        let replica_columns = columns as f64 * sizes.node.width + if two_columns { REPLICA_GAP } else { 0.0 };
        let needed = clients_column
            + sizes.node.width
            + replica_columns
            + 2.0 * MARGIN
            + if clients_above { 40.0 } else { 120.0 };
        let scale = (width / needed).min(1.0);
        let rows = count.div_ceil(columns).max(1);
        let replica_scale = scale * ((height - 2.0 * MARGIN) / (rows as f64 * slot)).min(1.0);
        let replica_width = sizes.node.width * replica_scale;
        let far_x = width - MARGIN - replica_width / 2.0;
        let near_x = far_x - (columns - 1) as f64 * (replica_width + REPLICA_GAP);
        let clients_right = MARGIN + clients_column * scale;
        // The replication links, where the lesson happens, get most of the width between.
        let free = near_x - replica_width / 2.0 - clients_right - sizes.node.width * scale;
        let master_x = match (count, clients_above) {
            // A single database: in the middle of the room the replicas would take, so the
            // requests' link to it is long enough to see them travel.
            (0, true) => width / 2.0,
            (0, false) => (clients_right + width - MARGIN) / 2.0,
            _ => clients_right + if clients_above { 0.0 } else { free * 0.25 } + sizes.node.width * scale / 2.0,
        };
        let row = (height - 2.0 * MARGIN) / rows as f64;
        // Each replica's box with its meters under it sits in the middle of its row; in two
        // columns replica 1 is on the left of the first row, replica 2 on its right, ...
        let below = sizes.below * replica_scale / 2.0;
        let replicas = (0..count)
            .map(|index| {
                let x = if index % columns == 0 { near_x } else { far_x };
                (x, MARGIN + row * ((index / columns) as f64 + 0.5) - below)
            })
            .collect();
        let middle = height / 2.0 - sizes.below * scale / 2.0;
        let (clients, master) = if clients_above {
            let clients = (master_x, MARGIN + sizes.clients.height * scale / 2.0);
            // The master in the middle of the height under the clients.
            let top = clients.1 + sizes.clients.height * scale / 2.0 + CLIENTS_ABOVE_GAP * scale;
            (clients, (master_x, (top + height - sizes.below * scale) / 2.0))
        } else {
            ((MARGIN + sizes.clients.width * scale / 2.0, middle), (master_x, middle))
        };
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
            connector: None,
            members: Vec::new(),
            member_scale: scale,
        }
    }

    /// Top to bottom: the clients, the master, then the replicas two to a row.
    pub(super) fn portrait(count: usize, width: f64) -> Layout {
        let sizes = PORTRAIT;
        let scale = ((width - 3.0 * MARGIN) / (2.0 * sizes.node.width)).min(1.0);
        let row = (sizes.node.height + sizes.below) * scale + 4.0;
        let clients = (width / 2.0, MARGIN + sizes.clients.height * scale / 2.0);
        let master = (width / 2.0, clients.1 + 130.0 * scale);
        let first_row = master.1 + 140.0 * scale;
        let replicas = (0..count)
            .map(|index| {
                let x = if index % 2 == 0 { width / 4.0 + MARGIN / 4.0 } else { width * 3.0 / 4.0 - MARGIN / 4.0 };
                // A last replica alone in its row sits in the middle.
                let x = if index + 1 == count && count % 2 == 1 { width / 2.0 } else { x };
                (x, first_row + (index / 2) as f64 * row)
            })
            .collect();
        // The lowest row of boxes: the replicas', or the master's when there are none (no
        // empty room left for them on a phone's screen).
        let last_row = if count == 0 { master.1 } else { first_row + (count.div_ceil(2) - 1) as f64 * row };
        Layout {
            width,
            height: last_row + (sizes.node.height / 2.0 + sizes.below) * scale + MARGIN,
            sizes,
            clients,
            master,
            replicas,
            scale,
            replica_scale: scale,
            shape: Shape::Portrait,
            connector: None,
            members: Vec::new(),
            member_scale: scale,
        }
    }

    /// Where the machine at `place` stands; `None` for a replica `machines` does not have.
    pub(super) fn place(&self, machines: &MachinesView, place: Place) -> Option<Point> {
        match place {
            Place::ReadSide(id) => Some(self.read_side_place(id)),
            Place::Clients => Some(self.clients),
            Place::Node(NodeRef::Master) => Some(self.master),
            Place::Node(name) => {
                let index = machines.replicas.iter().position(|node| node.name == name)?;
                self.replicas.get(index).copied()
            }
        }
    }

    /// The control point of the curve a message from `from_place` (at `from`) to `to_place`
    /// (at `to`) travels: a read's, bent around the master; `None` for a straight line.
    pub(super) fn bend(&self, from_place: Place, to_place: Place, from: Point, to: Point) -> Option<Point> {
        match (from_place, to_place) {
            (Place::Clients, Place::Node(NodeRef::Replica(_))) => self.read_curve(to),
            (Place::Node(NodeRef::Replica(_)), Place::Clients) => self.read_curve(from),
            (Place::Clients, Place::ReadSide(_)) => self.member_read_curve(to),
            (Place::ReadSide(_), Place::Clients) => self.member_read_curve(from),
            _ => None,
        }
    }

    pub(super) fn node_scale(&self, place: Place) -> f64 {
        match place {
            Place::Node(NodeRef::Replica(_)) => self.replica_scale,
            Place::ReadSide(id) if id != NodeId::CONNECTOR => self.member_scale,
            _ => self.scale,
        }
    }

    /// Half the width and height of the box at `place`.
    pub(super) fn half(&self, place: Place) -> Point {
        let size = if place == Place::Clients { self.sizes.clients } else { self.sizes.node };
        let scale = self.node_scale(place);
        (size.width * scale / 2.0, size.height * scale / 2.0)
    }

    /// The control point of a read link's curve (clients to a replica), bent around the master
    /// where the straight line would cross it; `None` where a straight line is clear.
    pub(super) fn read_curve(&self, replica: Point) -> Option<Point> {
        let (from, master) = (self.clients, self.master);
        let (half_width, half_height) = self.half(Place::Node(NodeRef::Master));
        let passing = if self.shape == Shape::Portrait {
            // At the master's height: which side of it, and how far.
            let t = (master.1 - from.1) / (replica.1 - from.1);
            let x = from.0 + (replica.0 - from.0) * t;
            if (x - master.0).abs() > half_width + 20.0 {
                return None;
            }
            let side = if replica.0 >= master.0 { 1.0 } else { -1.0 };
            (master.0 + side * (half_width + 24.0), master.1)
        } else {
            // Clear of the master where the line passes its left and right edges.
            let clear = [master.0 - half_width, master.0 + half_width].into_iter().all(|x| {
                let y = from.1 + (replica.1 - from.1) * (x - from.0) / (replica.0 - from.0);
                (y - master.1).abs() > half_height + 16.0
            });
            if clear {
                return None;
            }
            let side = if replica.1 > master.1 { 1.0 } else { -1.0 };
            (master.0, master.1 + side * (half_height + 44.0))
        };
        // The curve's midpoint is a quarter of each end and half the control point.
        Some((2.0 * passing.0 - (from.0 + replica.0) / 2.0, 2.0 * passing.1 - (from.1 + replica.1) / 2.0))
    }

    /// Where the label of the replication link to the replica at `replica` goes: halfway across
    /// the gap between the master's box and the first column of replicas (so that no box covers
    /// it), or halfway along the link top to bottom.
    pub(super) fn link_label_at(&self, replica: Point) -> Point {
        if self.shape == Shape::Portrait {
            return along(self.master, replica, None, 0.5);
        }
        let master_right = self.master.0 + self.half(Place::Node(NodeRef::Master)).0;
        let replicas_left = self.replicas.iter().map(|other| other.0).fold(f64::INFINITY, f64::min)
            - self.half(Place::Node(NodeRef::Replica(1))).0;
        let x = (master_right + replicas_left) / 2.0;
        along(self.master, replica, None, ((x - self.master.0) / (replica.0 - self.master.0)).clamp(0.0, 1.0))
    }

    /// Whether `point` lies on the box at `place` (grown by `margin`).
    pub(super) fn covers(&self, place: Place, center: Point, point: Point, margin: f64) -> bool {
        let (half_width, half_height) = self.half(place);
        (point.0 - center.0).abs() <= half_width + margin && (point.1 - center.1).abs() <= half_height + margin
    }
}

/// A link messages travel, as the picture draws it: its ends, its bend (a read link's curve
/// around the master) and the stretch of it no box covers, as parameters of `along`.
pub(super) struct Route {
    pub(super) link: (Place, Place),
    pub(super) from: Point,
    pub(super) to: Point,
    pub(super) bend: Option<Point>,
    pub(super) in_sight: (f64, f64),
}

/// A point `t` (0..1) along a straight line or a quadratic curve.
pub(super) fn along(from: Point, to: Point, curve: Option<Point>, t: f64) -> Point {
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

/// The stretch of a link between the boxes at its ends, as parameters of `along`: a message
/// travels only there, so it is in sight its whole way instead of under a box.
pub(super) fn open_stretch(covered_at: impl Fn(f64) -> (bool, bool)) -> (f64, f64) {
    // Bisection: the first point past the start's box, the last before the end's.
    let (mut out_of_start, mut inside_start) = (0.5, 0.0);
    let (mut before_end, mut inside_end) = (0.5, 1.0);
    for _ in 0..14 {
        let middle = (out_of_start + inside_start) / 2.0;
        if covered_at(middle).0 {
            inside_start = middle
        } else {
            out_of_start = middle
        }
        let middle = (before_end + inside_end) / 2.0;
        if covered_at(middle).1 { inside_end = middle } else { before_end = middle }
    }
    if out_of_start < before_end { (out_of_start, before_end) } else { (0.5, 0.5) }
}
