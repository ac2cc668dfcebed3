//! The selected node's actions, opened next to its box in the picture rather than under the
//! whole picture, where on a laptop's screen they would stand far from the node clicked.
//!
//! The box's edges reach the stylesheet (`.node-popover`) as CSS custom properties set through
//! the CSSOM: the Content-Security-Policy allows no `style` attribute, and a place in pixels is
//! no class.

use yew::prelude::*;

use super::Place;
use super::layout::{Layout, Point, Shape};

/// Between a node's box and its actions, in CSS pixels.
const GAP: f64 = 8.0;

/// Where the actions open, as the CSS edges of their box in the drawing (`None`: auto), and
/// the most width the drawing leaves them there.
///
/// Beside the node where the picture runs from left to right: left of a node in the drawing's
/// right half, right of one in its left half, level with its top (its bottom in the lower
/// half), so they cover links rather than other machines. Under the node on a phone's picture,
/// where there is no room beside it (over it in the lower half), from its left edge (its right
/// edge in the right half).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Anchor {
    left: Option<i64>,
    right: Option<i64>,
    top: Option<i64>,
    bottom: Option<i64>,
    max_width: i64,
}

impl Anchor {
    /// The anchor of the box at `place`, centred on `center`, in a drawing `drawn` CSS pixels
    /// wide and high. A drawing that fills its height (`fill`) scales the picture to fit and
    /// centres it, as an SVG's `viewBox` does by default; otherwise it is drawn at its size.
    pub(super) fn new(layout: &Layout, place: Place, center: Point, drawn: (f64, f64), fill: bool) -> Anchor {
        let scale = if fill { (drawn.0 / layout.width).min(drawn.1 / layout.height) } else { drawn.0 / layout.width };
        let (width, height) = (drawn.0, if fill { drawn.1 } else { layout.height * scale });
        let offset = ((width - layout.width * scale) / 2.0, (height - layout.height * scale) / 2.0);
        let (half_width, half_height) = layout.half(place);
        let below = layout.sizes.below * layout.node_scale(place);
        // How far the box's edges, its meters and queue under it included, are from the
        // drawing's same edges.
        let x = |x: f64| offset.0 + x * scale;
        let y = |y: f64| offset.1 + y * scale;
        let (node_left, node_right) = (x(center.0 - half_width), width - x(center.0 + half_width));
        let (node_top, node_bottom) = (y(center.1 - half_height), height - y(center.1 + half_height + below));
        let (right_half, lower_half) = (center.0 > layout.width / 2.0, center.1 > layout.height / 2.0);
        let px = |edge: f64| Some(edge.round() as i64);
        let (horizontal, vertical) = if layout.shape == Shape::Portrait {
            let horizontal = if right_half { (None, px(node_right)) } else { (px(node_left), None) };
            let vertical =
                if lower_half { (None, px(height - node_top + GAP)) } else { (px(height - node_bottom + GAP), None) };
            (horizontal, vertical)
        } else {
            let horizontal =
                if right_half { (None, px(width - node_left + GAP)) } else { (px(width - node_right + GAP), None) };
            (horizontal, if lower_half { (None, px(node_bottom)) } else { (px(node_top), None) })
        };
        let ((left, right), (top, bottom)) = (horizontal, vertical);
        let max_width = (width - left.or(right).unwrap_or(0) as f64).round() as i64;
        Anchor { left, right, top, bottom, max_width }
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct NodePopoverProps {
    pub(super) anchor: Anchor,
    pub(super) children: Html,
}

/// The node's actions, opened from its box.
#[component]
pub(super) fn NodePopover(props: &NodePopoverProps) -> Html {
    let popover = use_node_ref();
    {
        let popover = popover.clone();
        use_effect_with(props.anchor, move |anchor| {
            if let Some(element) = popover.cast::<web_sys::HtmlElement>() {
                let style = element.style();
                let px = |edge: Option<i64>| edge.map_or("auto".to_string(), |px| format!("{px}px"));
                let edges = [
                    ("--popover-left", px(anchor.left)),
                    ("--popover-right", px(anchor.right)),
                    ("--popover-top", px(anchor.top)),
                    ("--popover-bottom", px(anchor.bottom)),
                    ("--popover-max-width", px(Some(anchor.max_width))),
                ];
                for (name, value) in edges {
                    // Setting a custom property cannot fail; were it to, the actions would only
                    // open at the drawing's corner.
                    let _ = style.set_property(name, &value);
                }
                // Opened at the screen's edge (a phone's picture is taller than its screen),
                // they scroll into sight.
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Nearest);
                element.scroll_into_view_with_scroll_into_view_options(&options);
            }
        });
    }
    html! { <div ref={popover} class="node-popover">{ props.children.clone() }</div> }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::NodeRef;

    fn px(edge: f64) -> Option<i64> {
        Some(edge.round() as i64)
    }

    #[test]
    fn in_a_landscape_picture_the_actions_open_beside_the_node_towards_the_middle() {
        // The page's picture at 1366x768: about 880 px wide, two replicas.
        let layout = Layout::new(2, Shape::Landscape, false, false, (880.0, 0.0));
        let (drawn, below) = ((880.0, layout.height), layout.sizes.below);
        let anchor = |place: Place, center: Point| Anchor::new(&layout, place, center, drawn, false);
        let (master, first, second) =
            (Place::Node(NodeRef::Master), Place::Node(NodeRef::Replica(1)), Place::Node(NodeRef::Replica(2)));
        let (half_width, half_height) = layout.half(master);
        let beside_master = anchor(master, layout.master);
        assert_eq!(
            (beside_master.left, beside_master.right, beside_master.top, beside_master.bottom),
            (px(layout.master.0 + half_width + GAP), None, px(layout.master.1 - half_height), None),
            "right of the master, level with its top"
        );
        let (upper, lower) = (layout.replicas[0], layout.replicas[1]);
        let (half_width, half_height) = layout.half(first);
        let beside_upper = anchor(first, upper);
        assert_eq!(
            (beside_upper.left, beside_upper.right, beside_upper.top, beside_upper.bottom),
            (None, px(880.0 - (upper.0 - half_width) + GAP), px(upper.1 - half_height), None),
            "left of the upper replica, level with its top"
        );
        assert_eq!(beside_upper.max_width, (upper.0 - half_width - GAP).round() as i64, "the room left of it");
        let beside_lower = anchor(second, lower);
        assert_eq!(
            (beside_lower.top, beside_lower.bottom),
            (None, px(layout.height - (lower.1 + half_height + below))),
            "level with the lower replica's bottom, its meters included"
        );
    }

    #[test]
    fn on_a_phone_the_actions_open_under_the_node_or_over_it_in_the_lower_half() {
        let layout = Layout::new(2, Shape::Portrait, false, false, (366.0, 0.0));
        let drawn = (366.0, layout.height);
        let (master, second) = (Place::Node(NodeRef::Master), Place::Node(NodeRef::Replica(2)));
        let (half_width, half_height) = layout.half(master);
        let under = Anchor::new(&layout, master, layout.master, drawn, false);
        let master_bottom = layout.master.1 + half_height + layout.sizes.below * layout.scale;
        assert_eq!(
            (under.left, under.right, under.top, under.bottom),
            (px(layout.master.0 - half_width), None, px(master_bottom + GAP), None),
            "under the master, from its left edge"
        );
        let lower = layout.replicas[1];
        let (half_width, half_height) = layout.half(second);
        let over = Anchor::new(&layout, second, lower, drawn, false);
        assert_eq!(
            (over.left, over.right, over.top, over.bottom),
            (None, px(366.0 - (lower.0 + half_width)), None, px(layout.height - (lower.1 - half_height) + GAP)),
            "over the right replica of the lowest row, from its right edge"
        );
    }

    #[test]
    fn a_drawing_that_fills_a_taller_space_centres_the_picture_and_the_anchor_moves_with_it() {
        // Taller than the picture needs: drawn at its size, centred, 100 px of room above it.
        let layout = Layout::new(2, Shape::Landscape, true, true, (826.0, 500.0));
        let place = Place::Node(NodeRef::Master);
        let centred = Anchor::new(&layout, place, layout.master, (826.0, layout.height + 200.0), true);
        let at_size = Anchor::new(&layout, place, layout.master, (826.0, layout.height), true);
        assert_eq!(centred.top.zip(at_size.top).map(|(centred, at_size)| centred - at_size), Some(100));
        assert_eq!(centred.left, at_size.left);
        // Narrower than the picture: drawn at half its size, centred from top to bottom.
        let narrow = Anchor::new(&layout, place, layout.master, (413.0, layout.height), true);
        let (half_width, half_height) = layout.half(place);
        assert_eq!(narrow.left, px((layout.master.0 + half_width) / 2.0 + GAP), "{narrow:?}");
        assert_eq!(narrow.top, px(layout.height / 4.0 + (layout.master.1 - half_height) / 2.0), "{narrow:?}");
    }
}
