//! What the page shows, worked out from the model and the page's state without the browser:
//! pure, so it is tested natively; the components only draw it. It imports no component
//! (`tests/architecture.rs`).
//!
//! | file | what |
//! |---|---|
//! | `picture` | the picture: machines, messages on their way, how the master replicates (the types `topology/` draws) |
//! | `read_model` | the read side (`read_side` mongodb): the connector and the MongoDB members as the picture shows them, a member's documents |
//! | `counters` | the counters (writes, reads, stale reads, violations, lost writes) in words, for the panel and the report |
//! | `node` | a machine's card: role, progress, the actions it offers, its tables' rows |
//! | `history_labels` | the history's labels: what each bar says, placed so none run into each other |
//! | `history` | the history panel: client lanes, the reads' missed writes, the verdicts and their witnesses |
//! | `staging` | how each demo step is staged: what it marks to watch, the speed it opens at |
//! | `page` | the page around them: what stands on the stage, the logs' and the console's rows, the charts' series, the compared runs' titles |

mod counters;
mod history;
mod history_labels;
mod node;
mod page;
mod picture;
mod read_model;
mod staging;

pub use counters::{Counter, counters};
pub use history::{Bar, BarKind, HistoryView, Judgements, Lane, VerdictLine, history, request_tags, shown_history};
pub use history_labels::{Anchor, LABEL_PX, LARGE_LABEL_PX, Placed, place_labels};
pub use node::{CardView, NodeAction, RowMark, TableView, card, node_actions, progress, retention};
pub use page::{
    CHARTS, ChartView, EVENT_ROWS, LOG_IN_FLIGHT, LaterPanels, Layout, Panels, STAGE_EVENT_ROWS, STAGE_REQUEST_ROWS,
    Series, chart, console_rows, event_rows, later_panels, panels, request_rows, run_titles,
};
pub use picture::{Dot, DotKind, MachinesView, Messages, NodeView, Place, ReplicationView, machines, messages};
pub use read_model::{MachineView, ReadSideCard, ReadSideView, read_side, read_side_cards};
pub use staging::{Staging, staging};

/// A text's width in pixels at most, `px` high, each character at most `em` wide and one
/// outside ASCII (an arrow, an accented or a CJK letter) counted as two: how the picture and the
/// history keep two texts from running into each other without measuring them in the browser.
pub fn text_width(text: &str, px: f64, em: f64) -> f64 {
    text.chars().map(|c| if c.is_ascii() { 1.0 } else { 2.0 }).sum::<f64>() * em * px
}

/// Each machine's own colour (a CSS class), the same in the picture's lag bar and in the lag
/// chart's line, so a line is found under its box; kept through failovers like the name.
pub fn machine_colour(id: crate::sim::ids::NodeId) -> &'static str {
    const COLOURS: [&str; 8] =
        ["machine-1", "machine-2", "machine-3", "machine-4", "machine-5", "machine-6", "machine-7", "machine-8"];
    COLOURS[id.0 % COLOURS.len()]
}

/// A run of `config` with `commands` given at their moments (ms), up to `until_ms`.
#[cfg(test)]
fn run(
    config: crate::sim::config::Config,
    commands: &[(u64, crate::sim::Command)],
    until_ms: u64,
) -> crate::sim::Simulation {
    use crate::sim::time::Time;
    let mut sim = crate::sim::Simulation::new(config).unwrap();
    for (at, command) in commands {
        sim.run_until(Time::from_millis(*at));
        sim.apply(command.clone()).unwrap();
    }
    sim.run_until(Time::from_millis(until_ms));
    sim
}
