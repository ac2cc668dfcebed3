//! The page around the picture and the cards: what stands on the stage, the rows the logs and
//! the console show, the charts' series, and the titles of two compared runs.

use std::rc::Rc;

use yew::AttrValue;

use super::history::{HistoryView, Judgements, history};
use super::node::{CardView, card};
use super::picture::{MachinesView, machines};
use super::read_model::{ReadSideCard, read_side_cards};
use crate::sim::Simulation;
use crate::sim::data::LECTURE_USER;
use crate::sim::events::ClusterEvent;
use crate::sim::metrics::{BUCKET, Bucket, Latency, NOTICEABLE_MS};
use crate::sim::request::{RequestRecord, Stats};
use crate::sim::settings::Setting;
use crate::sim::time::Time;

/// Requests in flight handed to the request log, besides the finished ones the model keeps:
/// no more than it shows, as they are copied every frame.
pub const LOG_IN_FLIGHT: usize = 12;
pub const EVENT_ROWS: usize = 12;
/// Rows of the logs shown on the stage beside the picture, where room is short: a request's row
/// is the longer; a failover's three events come at once.
pub const STAGE_REQUEST_ROWS: usize = 3;
pub const STAGE_EVENT_ROWS: usize = 3;
/// Statements the SQL console shows.
const CONSOLE_ROWS: usize = 8;

/// The panels a demo step can ask to watch that are not always on the stage: on the stage they
/// move under the picture while watched.
const MOVABLE: [&str; 7] =
    ["chart-throughput", "chart-latency", "chart-lag", "chart-stale", "request-log", "event-log", "history"];

/// A watched panel that needs the picture's width: it moves under the picture, the others
/// beside it (under the narration), so the picture keeps its height.
const WIDE: [&str; 1] = ["history"];

/// The page, or the stage (a demo running, or presenter mode): one 1280×720 screen where what
/// the step watches stands beside the picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub staged: bool,
    /// The panels the step watches that move under the picture, in the step's order.
    pub under_picture: Vec<&'static str>,
    /// Those that move beside the picture, under the narration.
    pub beside_picture: Vec<&'static str>,
}

impl Layout {
    pub fn new(staged: bool, watch: &'static [&'static str]) -> Layout {
        let moved = watch.iter().copied().filter(|id| staged && MOVABLE.contains(id));
        let (under_picture, beside_picture) = moved.partition(|id| WIDE.contains(id));
        Layout { staged, under_picture, beside_picture }
    }

    /// Whether the panel `id` stands on the stage instead of in its usual place.
    pub fn moved(&self, id: &str) -> bool {
        self.under_picture.contains(&id) || self.beside_picture.contains(&id)
    }
}

/// What the panels around the picture show: the counters, the console, the logs and the
/// charts, and the picture's machines (`LaterPanels` has the rest). Worked out again only when
/// the page's state changes or a quarter of a second has passed (see
/// `PlaygroundState::panels_revision`); the messages in the picture move every frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Panels {
    pub stats: Stats,
    pub console: Vec<RequestRecord>,
    pub lecture_row_exists: bool,
    /// Newest first: the stage's request log shows the first `STAGE_REQUEST_ROWS`.
    pub requests: Vec<RequestRecord>,
    /// Newest first: the stage's event log shows the first `STAGE_EVENT_ROWS`.
    pub events: Vec<ClusterEvent>,
    /// In the order of `CHARTS`.
    pub charts: Vec<ChartView>,
    pub machines: Rc<MachinesView>,
}

pub fn panels(sim: &Simulation) -> Panels {
    Panels {
        stats: *sim.stats(),
        console: console_rows(sim),
        lecture_row_exists: sim.master().data().user(LECTURE_USER).is_some(),
        requests: request_rows(sim, LOG_IN_FLIGHT),
        events: event_rows(sim, EVENT_ROWS),
        charts: CHARTS.iter().map(|id| chart(sim, id)).collect(),
        machines: Rc::new(machines(sim)),
    }
}

/// The panels that change the most of the page when they are drawn again, the history and the
/// machines' cards: worked out and drawn a frame after the others while a run keeps running
/// under traffic (see `PlaygroundState::later_panels_revision`), so that no one frame draws
/// every panel again; with the others on any action.
#[derive(Clone, Debug, PartialEq)]
pub struct LaterPanels {
    pub history: HistoryView,
    /// The master's first, then the replicas' in order.
    pub cards: Vec<CardView>,
    /// The connector's and the MongoDB members', when reads go to MongoDB.
    pub read_side_cards: Vec<ReadSideCard>,
}

pub fn later_panels(sim: &Simulation, judgements: &Judgements) -> LaterPanels {
    LaterPanels {
        history: history(sim, judgements),
        cards: std::iter::once(sim.master_id()).chain(sim.replica_ids()).map(|id| card(sim, id)).collect(),
        read_side_cards: read_side_cards(sim),
    }
}

/// The request log's rows, newest first: the requests still in flight, then finished ones.
pub fn request_rows(sim: &Simulation, rows: usize) -> Vec<RequestRecord> {
    sim.in_flight().rev().take(LOG_IN_FLIGHT.min(rows)).chain(sim.recent().rev()).take(rows).cloned().collect()
}

/// The event log's rows, newest first.
pub fn event_rows(sim: &Simulation, rows: usize) -> Vec<ClusterEvent> {
    sim.events().rev().take(rows).cloned().collect()
}

/// The SQL console's latest statements, oldest first.
pub fn console_rows(sim: &Simulation) -> Vec<RequestRecord> {
    let all: Vec<&RequestRecord> = sim.sql_requests().collect();
    all[all.len().saturating_sub(CONSOLE_ROWS)..].iter().map(|record| (*record).clone()).collect()
}

/// Two compared runs' titles: `A: mode = async`, `B: mode = sync`.
pub fn run_titles(sim: &Simulation, setting: &Setting, value: &str) -> (String, String) {
    (format!("A: {} = {}", setting.key, (setting.get)(sim.config())), format!("B: {} = {value}", setting.key))
}

/// One line of a chart: a value per metrics bucket, oldest first.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    pub name: AttrValue,
    /// A CSS class that sets the line's colour.
    pub class: &'static str,
    pub values: Rc<Vec<f64>>,
}

/// The charts, by test id, in the order they stand.
pub const CHARTS: [&str; 4] = ["chart-throughput", "chart-latency", "chart-lag", "chart-stale"];

/// One chart over the last minute: its title, the unit of its values, and its lines.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartView {
    pub title: &'static str,
    pub unit: &'static str,
    pub series: Vec<Series>,
    /// Seconds of simulated time one value covers.
    pub bucket_seconds: f64,
    /// A level drawn across the chart to read the lines against, and what it means.
    pub reference: Option<(f64, &'static str)>,
}

/// The chart `id` (one of `CHARTS`): throughput, latency, lag per replica, or stale reads.
pub fn chart(sim: &Simulation, id: &str) -> ChartView {
    let buckets: Vec<&Bucket> = sim.metrics().buckets().collect();
    let values = |value: &dyn Fn(&Bucket) -> f64| Rc::new(buckets.iter().map(|bucket| value(bucket)).collect());
    let latency = |quantile: fn(Latency) -> Time| {
        values(&|bucket| bucket.latency.map_or(0.0, |latency| quantile(latency).as_millis_f64()))
    };
    let line = |name: &str, class, values| Series { name: name.to_string().into(), class, values };
    let mut reference = None;
    let (title, unit, series) = match id {
        "chart-throughput" => {
            // The load offered beside what was done: where "done" stays under "offered", the
            // system turns requests away (a single database's bottleneck).
            let lines = vec![
                line("offered", "offered", values(&|bucket| bucket.offered())),
                line("done", "throughput", values(&|bucket| bucket.throughput())),
            ];
            ("Throughput", "/s", lines)
        }
        "chart-latency" => {
            // Without a level to compare with, a chart scaled to its own lines looks alike
            // whether the slowest requests take 20 ms or 2 s.
            reference = Some((NOTICEABLE_MS, "users notice"));
            let lines = vec![
                line("p50", "p50", latency(|latency| latency.p50)),
                line("p99", "p99", latency(|latency| latency.p99)),
            ];
            ("Latency", " ms", lines)
        }
        "chart-lag" => {
            // A proxy's lag limit, where one is set: replicas above the line get no reads.
            let limit = sim.config().max_lag_ms;
            reference = (limit > 0).then_some((limit as f64, "reads avoid a replica above it"));
            let lines = sim
                .replica_ids()
                .into_iter()
                .map(|id| {
                    // The closed buckets, then now: the chart ends on the number the card shows.
                    let mut lag: Vec<f64> = buckets
                        .iter()
                        .map(|bucket| bucket.nodes.get(id.0).map_or(0.0, |node| node.lag.as_millis_f64()))
                        .collect();
                    lag.push(sim.lag(id).1.as_millis_f64());
                    line(&id.machine(), super::machine_colour(id), Rc::new(lag))
                })
                .collect();
            ("Replication lag", " ms", lines)
        }
        _ => ("Stale reads", "%", vec![line("stale", "stale", values(&|bucket| 100.0 * bucket.stale_rate()))]),
    };
    ChartView { title, unit, series, bucket_seconds: BUCKET.as_micros() as f64 / 1e6, reference }
}

#[cfg(test)]
mod tests {
    use super::super::run;
    use super::*;
    use crate::sim::config::{Config, Mode};
    use crate::sim::settings;
    use crate::sim::{Command, NodeRef};

    #[test]
    fn on_the_stage_the_watched_panels_move_under_the_picture() {
        let watch: &'static [&'static str] = &["node-master", "chart-lag", "history", "stat-reads", "event-log"];
        let staged = Layout::new(true, watch);
        assert_eq!(staged.beside_picture, ["chart-lag", "event-log"], "panels only, in the step's order");
        assert_eq!(staged.under_picture, ["history"], "the history needs the picture's width");
        assert!(staged.moved("chart-lag") && staged.moved("history"));
        assert!(!staged.moved("chart-latency") && !staged.moved("node-master"));
        let page = Layout::new(false, watch);
        assert!(page.under_picture.is_empty() && page.beside_picture.is_empty(), "the page keeps every panel in place");
    }

    #[test]
    fn the_request_log_shows_requests_in_flight_first_then_finished_ones_newest_first() {
        let blocked = Config { mode: Mode::Sync, ..Config::default() };
        let commands: Vec<(u64, Command)> =
            [(0, Command::Read { client: 0, key: 102 }), (0, Command::Crash(NodeRef::Replica(2)))]
                .into_iter()
                .chain((1..=3).map(|at| (100 * at, Command::WriteRandom { client: 0 })))
                .collect();
        let sim = run(blocked, &commands, 3_000);
        let rows = request_rows(&sim, 12);
        let shown: Vec<(u64, bool)> = rows.iter().map(|record| (record.id, record.completed_at.is_some())).collect();
        assert_eq!(shown, [(4, false), (3, false), (2, false), (1, true)], "the writes wait for the crashed replica");
        assert_eq!(request_rows(&sim, 2).len(), 2, "no more than asked for");
    }

    #[test]
    fn the_console_shows_its_last_statements_oldest_first() {
        let statements: Vec<(u64, Command)> = (0..10)
            .map(|n| (n * 10, Command::Sql { client: 0, text: format!("SELECT * FROM users WHERE id = {}", 100 + n) }))
            .collect();
        let sim = run(Config::default(), &statements, 2_000);
        let shown: Vec<String> = console_rows(&sim)
            .into_iter()
            .map(|record| match record.op {
                crate::sim::request::Op::Sql { text, .. } => text,
                other => panic!("not a statement: {other:?}"),
            })
            .collect();
        assert_eq!(shown.len(), CONSOLE_ROWS);
        assert_eq!(shown.first().map(String::as_str), Some("SELECT * FROM users WHERE id = 102"));
        assert_eq!(shown.last().map(String::as_str), Some("SELECT * FROM users WHERE id = 109"));
    }

    #[test]
    fn the_throughput_chart_shows_the_load_offered_beside_what_was_done() {
        // One database that serves 500 requests a second, offered 800: it turns the rest away.
        let overloaded = Config { replicas: 0, rate: 800, capacity: 500, ..Config::default() };
        let throughput = chart(&run(overloaded, &[], 4_000), "chart-throughput");
        let names: Vec<&str> = throughput.series.iter().map(|series| series.name.as_str()).collect();
        assert_eq!(names, ["offered", "done"]);
        let late = |series: &Series| {
            series.values[series.values.len() / 2..].iter().sum::<f64>()
                / (series.values.len() - series.values.len() / 2) as f64
        };
        let (offered, done) = (late(&throughput.series[0]), late(&throughput.series[1]));
        assert!((700.0..900.0).contains(&offered), "offered {offered:.0}/s");
        assert!(done < 0.7 * offered, "done {done:.0}/s stays under the {offered:.0}/s offered");
    }

    #[test]
    fn latency_is_read_against_what_users_notice_and_lag_against_a_proxys_limit() {
        let sim = run(Config::default(), &[], 500);
        assert_eq!(chart(&sim, "chart-latency").reference.map(|(level, _)| level), Some(NOTICEABLE_MS));
        assert_eq!(chart(&sim, "chart-lag").reference, None, "no limit set: nothing to draw");
        let limited = run(Config { max_lag_ms: 1_000, ..Config::default() }, &[], 500);
        assert_eq!(chart(&limited, "chart-lag").reference.map(|(level, _)| level), Some(1_000.0));
        assert_eq!(chart(&sim, "chart-throughput").reference, None);
    }

    #[test]
    fn the_lag_chart_has_a_line_per_replica_named_by_its_machine() {
        let sim = run(Config { replicas: 3, ..Config::default() }, &[(0, Command::WriteRandom { client: 0 })], 2_000);
        let lag = chart(&sim, "chart-lag");
        let names: Vec<&str> = lag.series.iter().map(|series| series.name.as_str()).collect();
        assert_eq!(names, ["pg-2", "pg-3", "pg-4"]);
        let colours: Vec<&str> = lag.series.iter().map(|series| series.class).collect();
        assert_eq!(colours, ["machine-2", "machine-3", "machine-4"], "each in its machine's colour, as in the picture");
        let behind = run(Config { replicas: 1, ..Config::default() }, &[(0, Command::WriteRandom { client: 0 })], 900);
        let now = chart(&behind, "chart-lag").series[0].values.last().copied();
        assert_eq!(
            now,
            Some(behind.lag(behind.replica_ids()[0]).1.as_millis_f64()),
            "it ends on what the card says now"
        );
        assert!(now.is_some_and(|ms| ms > 800.0), "the write has been on its way for most of the 0.9 s: {now:?}");
        assert!(lag.series[0].values.iter().any(|&ms| ms > 0.0), "the write took a while to reach them");
        let titles: Vec<(&str, &str)> = CHARTS.iter().map(|id| (chart(&sim, id).title, chart(&sim, id).unit)).collect();
        assert_eq!(
            titles,
            [("Throughput", "/s"), ("Latency", " ms"), ("Replication lag", " ms"), ("Stale reads", "%")]
        );
    }

    #[test]
    fn compared_runs_are_titled_by_the_setting_that_differs() {
        let sim = run(Config::default(), &[], 10);
        let mode = settings::find("mode").unwrap();
        assert_eq!(run_titles(&sim, mode, "sync"), ("A: mode = async".to_string(), "B: mode = sync".to_string()));
    }
}
