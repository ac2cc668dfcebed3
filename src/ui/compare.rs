//! Two runs side by side: the same seed and the same commands, one setting changed, with one
//! set of time controls and their measurements next to each other.

use yew::prelude::*;

use super::demo_panel::use_watched;

use super::state::Action;
use crate::sim::Simulation;
use crate::sim::config::Config;
use crate::sim::events::EventKind;
use crate::sim::metrics::{BUCKET, Bucket, Latency, WRITE_SAMPLES};
use crate::sim::settings::{self, Input, SETTINGS, Setting};
use crate::sim::time::Time;
use crate::sim::words::plural;

/// The settings a comparison can change (those chosen from a list).
fn comparable() -> impl Iterator<Item = &'static Setting> {
    SETTINGS.iter().filter(|setting| matches!(setting.input, Input::Choice(_)) && setting.key != "clients")
}

#[derive(Properties, PartialEq)]
pub struct CompareControlsProps {
    pub config: Config,
    /// The setting and value of the run beside, when there is one.
    pub comparison: Option<(AttrValue, AttrValue)>,
    pub on_action: Callback<Action>,
}

#[component]
pub fn CompareControls(props: &CompareControlsProps) -> Html {
    let key = use_state(|| "mode".to_string());
    let setting = settings::find(&key).unwrap_or(&SETTINGS[0]);
    let Input::Choice(options) = setting.input else { return html! {} };
    let current = (setting.get)(&props.config);
    let options: Vec<String> = options(&props.config).into_iter().filter(|option| *option != current).collect();
    let value = use_state(String::new);
    let chosen = if options.contains(&value) { (*value).clone() } else { options.first().cloned().unwrap_or_default() };

    let on_key = {
        let key = key.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            key.set(select.value());
        })
    };
    let on_value = {
        let value = value.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            value.set(select.value());
        })
    };
    let start = {
        let chosen = chosen.clone();
        props.on_action.reform(move |_: MouseEvent| Action::Compare(Some((setting, chosen.clone()))))
    };
    html! {
        <section class="compare-controls" aria-label="Side by side">
            if let Some((key, value)) = &props.comparison {
                <span>{ format!("Beside: the same run with {key} = {value}") }</span>
                <button data-testid="compare-stop" onclick={props.on_action.reform(|_: MouseEvent| Action::Compare(None))}>{ "Stop comparing" }</button>
            } else {
                <span>{ "Side by side: the same run with" }</span>
                <select data-testid="compare-setting" aria-label="Setting to change" onchange={on_key}>
                    { for comparable().map(|option| html! { <option value={option.key} selected={option.key == setting.key}>{ option.label }</option> }) }
                </select>
                { "=" }
                <select data-testid="compare-value" aria-label="Its value beside" onchange={on_value}>
                    { for options.iter().map(|option| html! { <option value={option.clone()} selected={*option == chosen}>{ option.clone() }</option> }) }
                </select>
                <button data-testid="compare-start" disabled={options.is_empty()} onclick={start}>{ "Run side by side" }</button>
            }
        </section>
    }
}

/// One measured quantity of both runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub label: &'static str,
    pub a: f64,
    pub b: f64,
}

/// The measurements a comparison shows, the lecture's table's rows among them.
pub fn rows(a: &Simulation, b: &Simulation) -> Vec<Row> {
    let measure = |sim: &Simulation| {
        let stats = sim.stats();
        [
            sim.metrics().recent_throughput(),
            stats.reads_completed as f64,
            stats.writes_acked as f64,
            (stats.reads_failed + stats.writes_failed) as f64,
            stats.stale_reads as f64,
            stats.ryw_violations as f64,
            stats.lost_writes as f64,
            sim.metrics().recent_p99_ms(),
        ]
    };
    const LABELS: [&str; 8] = [
        "Requests answered per second (last second)",
        "Reads answered",
        "Writes acknowledged",
        "Requests failed",
        "Stale reads",
        "Read-your-writes violations",
        "Lost writes",
        "Latency p99, ms (last second)",
    ];
    LABELS.iter().zip(measure(a)).zip(measure(b)).map(|((label, a), b)| Row { label, a, b }).collect()
}

/// One of the lecture's tables, filled in from the two runs.
#[derive(Clone, Debug, PartialEq)]
pub struct LectureTable {
    pub caption: String,
    pub rows: Vec<LectureRow>,
}

/// One row of a lecture's table: what the lecture says, and what each run showed.
#[derive(Clone, Debug, PartialEq)]
pub struct LectureRow {
    pub feature: &'static str,
    pub lecture_says: &'static str,
    pub a: String,
    pub b: String,
}

/// The lecture's table these two runs fill in, if any: "Master-Slave vs. Single DB" when one
/// is a single database and the other has replicas; its replication table (synchronous vs.
/// asynchronous) when both have replicas and only one's master waits for them.
pub fn lecture_table(a: &Simulation, b: &Simulation) -> Option<LectureTable> {
    let single = |sim: &Simulation| sim.replica_ids().is_empty();
    let waits = |sim: &Simulation| sim.config().mode.level().is_some();
    if single(a) != single(b) {
        Some(master_slave_vs_single(a, b))
    } else if !single(a) && waits(a) != waits(b) {
        Some(sync_vs_async(a, b))
    } else {
        None
    }
}

fn row(
    (a, b): (&Simulation, &Simulation),
    feature: &'static str,
    lecture_says: &'static str,
    measure: &dyn Fn(&Simulation) -> String,
) -> LectureRow {
    LectureRow { feature, lecture_says, a: measure(a), b: measure(b) }
}

/// "Master-Slave vs. Single DB", measured before and after the master crashed, if it did.
fn master_slave_vs_single(a: &Simulation, b: &Simulation) -> LectureTable {
    let scalability = |sim: &Simulation| {
        let (before, _) = split_at_crash(sim);
        let (answered, offered) = (mean_throughput(&before), sim.config().rate);
        // Arrivals are random: within a few percent of the rate is keeping up.
        if answered >= 0.95 * offered as f64 {
            format!("kept up with the {offered} requests/s offered")
        } else {
            format!("answered only {answered:.0} of the {offered} requests/s offered")
        }
    };
    let reliability = |sim: &Simulation| match split_at_crash(sim) {
        (_, after) if after.is_empty() => "the master did not crash".to_string(),
        (_, after) => format!("after the master crashed: {:.0} requests/s answered", mean_throughput(&after)),
    };
    let writes = |sim: &Simulation| {
        let stats = sim.stats();
        format!("{} acknowledged, all by the one master; {} failed", stats.writes_acked, stats.writes_failed)
    };
    let reads = |sim: &Simulation| {
        let (before, _) = split_at_crash(sim);
        let turned_away: u64 = before.iter().map(|bucket| bucket.failed).sum();
        let served: Vec<String> = sim
            .replica_ids()
            .into_iter()
            .map(|id| format!("{} {}", id.machine(), sim.node(id).reads_served()))
            .collect();
        match served.is_empty() {
            true => format!("{turned_away} requests turned away before the crash; every read on the one server"),
            false => format!("{turned_away} turned away before the crash; reads spread: {}", served.join(", ")),
        }
    };
    let runs = (a, b);
    LectureTable {
        caption: "The lecture's table: Master-Slave vs. Single DB, and what these runs showed".to_string(),
        rows: vec![
            row(
                runs,
                "Scalability",
                "lecture: single DB limited; master-slave scales with the number of slaves",
                &scalability,
            ),
            row(
                runs,
                "Reliability",
                "lecture: single DB one point of failure; master-slave multiple replicas for reads",
                &reliability,
            ),
            row(
                runs,
                "Write load handling",
                "lecture: single DB full capacity; master-slave centralized in the master",
                &writes,
            ),
            row(
                runs,
                "Read load handling",
                "lecture: single DB bottlenecked; master-slave distributed across the slaves",
                &reads,
            ),
        ],
    }
}

/// The lecture's replication table: what waiting for the replicas bought (no stale read) and
/// cost (slower writes, and writes held up by a crashed replica).
fn sync_vs_async(a: &Simulation, b: &Simulation) -> LectureTable {
    let stale = |sim: &Simulation| {
        let stats = sim.stats();
        match stats.reads_completed {
            0 => "no read answered yet".to_string(),
            reads => format!(
                "{} of {} ({:.0}%)",
                stats.stale_reads,
                plural(reads, "read", "reads"),
                100.0 * stats.stale_reads as f64 / reads as f64
            ),
        }
    };
    let latency = |quantile: fn(Latency) -> Time| {
        move |sim: &Simulation| match sim.metrics().recent_write_latency() {
            Some(latency) => format!("{:.0} ms", quantile(latency).as_millis_f64()),
            None => "no write acknowledged yet".to_string(),
        }
    };
    let runs = (a, b);
    LectureTable {
        caption: format!(
            "The lecture's sync vs. async table, measured (write latencies: each run's latest {WRITE_SAMPLES} writes)"
        ),
        rows: vec![
            row(runs, "Risk of stale reads", "lecture: async risks stale reads", &stale),
            row(
                runs,
                "Write latency p50 (median)",
                "lecture: async is faster, the master does not wait",
                &latency(|latency| latency.p50),
            ),
            row(
                runs,
                "Write latency p99 (99% within)",
                "lecture: sync waits for the slaves to confirm",
                &latency(|latency| latency.p99),
            ),
            row(
                runs,
                "A replica crashes",
                "lecture: sync waits for the slave to confirm; a crashed one cannot",
                &after_replica_crash,
            ),
        ],
    }
}

/// What the latest crash of a replica did to writes: how many were acknowledged since, and how
/// many wait now (and for whom).
fn after_replica_crash(sim: &Simulation) -> String {
    let crash = sim.events().rev().find_map(|event| match &event.kind {
        EventKind::Crashed { node, .. } if !node.ends_with("(master)") => Some((node, event.at)),
        _ => None,
    });
    let Some((node, crashed_at)) = crash else {
        return "no replica crashed".to_string();
    };
    let back = sim.events().find_map(|event| match &event.kind {
        EventKind::Restarted { node: restarted } if restarted == node && event.at > crashed_at => {
            Some(format!(", back at {}", seconds(event.at)))
        }
        _ => None,
    });
    // Counted in whole metrics buckets, from the first that starts at or after the crash (at
    // most a minute back).
    let oldest_kept = sim.metrics().buckets().next().map_or(Time::ZERO, |bucket| bucket.start);
    let from = Time(crashed_at.as_micros().div_ceil(BUCKET.as_micros()) * BUCKET.as_micros()).max(oldest_kept);
    let since = if from == crashed_at { "since then".to_string() } else { format!("from {} on", seconds(from)) };
    let acknowledged = plural(sim.metrics().writes_from(from), "write", "writes");
    let waiting = match sim.waiting_for() {
        Some((count, missing)) if !missing.is_empty() => {
            let names: Vec<String> = missing.into_iter().map(|id| id.machine()).collect();
            format!("{count} waiting for {}", names.join(", "))
        }
        Some((count, _)) => format!("{count} waiting"),
        None => "none waiting".to_string(),
    };
    format!(
        "{node} crashed at {}{}; {since}: {acknowledged} acknowledged, {waiting}",
        seconds(crashed_at),
        back.unwrap_or_default()
    )
}

/// A moment of the run in seconds: `3.0 s`, `3.25 s` (to the hundredth, as a metrics bucket
/// starts, when the tenth is not exact).
fn seconds(at: Time) -> String {
    let value = at.as_millis_f64() / 1_000.0;
    if at.as_micros() % 100_000 == 0 { format!("{value:.1} s") } else { format!("{value:.2} s") }
}

/// The metrics buckets wholly before the first crash of the master (all of them if none) and
/// from half a second after it, leaving out the first second, while the run warms up.
fn split_at_crash(sim: &Simulation) -> (Vec<&Bucket>, Vec<&Bucket>) {
    let crashed = sim
        .events()
        .find(|event| matches!(&event.kind, EventKind::Crashed { node, .. } if node.ends_with("(master)")))
        .map(|event| event.at);
    let warm = || sim.metrics().buckets().filter(|bucket| bucket.start >= Time::from_millis(1_000));
    let before = warm().filter(|bucket| crashed.is_none_or(|at| bucket.start + BUCKET <= at)).collect();
    // Answers already on their way when it crashed still arrive for a moment.
    let settled = |at: Time| at + Time::from_millis(500);
    let after = warm().filter(|bucket| crashed.is_some_and(|at| bucket.start >= settled(at))).collect();
    (before, after)
}

fn mean_throughput(buckets: &[&Bucket]) -> f64 {
    // Folded from +0.0: an empty f64 sum is -0.0, which prints as "-0".
    buckets.iter().fold(0.0, |sum, bucket| sum + bucket.throughput()) / buckets.len().max(1) as f64
}

#[derive(Properties, PartialEq)]
pub struct CompareTableProps {
    pub a_title: AttrValue,
    pub b_title: AttrValue,
    pub rows: Vec<Row>,
    /// The lecture's table, when the comparison is one of the lecture's.
    #[prop_or_default]
    pub lecture: Option<LectureTable>,
    /// Room is short (the stage): the lecture's table alone when there is one.
    #[prop_or_default]
    pub compact: bool,
}

#[component]
pub fn CompareTable(props: &CompareTableProps) -> Html {
    let show = |value: f64| if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value:.1}") };
    let watched = use_watched();
    html! {
        <div class="compare-tables" data-testid="compare-table" data-watched={watched.mark("compare-table")}>
        if let Some(lecture) = &props.lecture {
            <table class="lecture-table" data-testid="lecture-table">
                <caption>{ lecture.caption.clone() }</caption>
                <thead><tr><th scope="col">{ "Feature" }</th><th scope="col">{ props.a_title.clone() }</th><th scope="col">{ props.b_title.clone() }</th></tr></thead>
                <tbody>
                    { for lecture.rows.iter().map(|row| html! {
                        <tr>
                            <th scope="row">{ row.feature }<span class="lecture-says">{ row.lecture_says }</span></th>
                            <td>{ row.a.clone() }</td>
                            <td>{ row.b.clone() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        }
        if !props.compact || props.lecture.is_none() {
        <table class="compare-table">
            <thead><tr><th scope="col">{ "Measured" }</th><th scope="col">{ props.a_title.clone() }</th><th scope="col">{ props.b_title.clone() }</th><th scope="col">{ "difference" }</th></tr></thead>
            <tbody>
                { for props.rows.iter().map(|row| {
                    let difference = row.b - row.a;
                    html! {
                        <tr>
                            <th scope="row">{ row.label }</th>
                            <td>{ show(row.a) }</td>
                            <td>{ show(row.b) }</td>
                            <td class={classes!((difference != 0.0).then_some("differs"))}>{ if difference > 0.0 { format!("+{}", show(difference)) } else { show(difference) } }</td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
        }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::config::{Mode, Policy};
    use crate::sim::recording::Recording;
    use crate::sim::{Command, NodeRef};

    #[test]
    fn before_any_measurement_the_throughput_reads_0_not_minus_0() {
        assert_eq!(format!("{:.0}", mean_throughput(&[])), "0");
    }

    /// Two replicas 1 s away, 40 requests/s from 4 clients, 8 in 10 reads, run for `ms` with
    /// `script`.
    fn run(mode: Mode, script: &[(u64, Command)], ms: u64) -> Simulation {
        let config =
            Config { replicas: 2, mode, rate: 40, reads_percent: 80, hot_keys: 20, clients: 4, ..Config::default() };
        let script = script.iter().map(|(at, command)| (Time::from_millis(*at), command.clone())).collect();
        let (mut recording, mut sim) = Recording::new(config, script).expect("valid settings");
        recording.advance(&mut sim, Time::from_millis(ms));
        sim
    }

    fn crash(at: u64) -> (u64, Command) {
        (at, Command::Crash(NodeRef::Replica(2)))
    }

    /// Each row's feature, run A's value and run B's.
    fn measured(table: &LectureTable) -> Vec<(&str, &str, &str)> {
        table.rows.iter().map(|row| (row.feature, row.a.as_str(), row.b.as_str())).collect()
    }

    #[test]
    fn once_the_crashed_replica_is_back_the_writes_that_waited_for_it_make_syncs_p99() {
        let script = [crash(3_000), (5_000, Command::Restart(NodeRef::Replica(2)))];
        let (a, b) = (run(Mode::Async, &script, 8_000), run(Mode::Sync, &script, 8_000));
        let table = lecture_table(&a, &b).expect("the replication table");
        let rows = measured(&table);
        assert_eq!(rows[1], ("Write latency p50 (median)", "101 ms", "1102 ms"));
        assert_eq!(rows[2], ("Write latency p99 (99% within)", "101 ms", "3968 ms"));
        assert_eq!(
            rows[3].2,
            "pg-3 (replica 2) crashed at 3.0 s, back at 5.0 s; since then: 39 writes acknowledged, 10 waiting for pg-2, pg-3"
        );
    }

    #[test]
    fn async_beside_sync_fills_in_the_lectures_replication_table() {
        let (a, b) = (run(Mode::Async, &[crash(3_000)], 6_000), run(Mode::Sync, &[crash(3_000)], 6_000));
        let table = lecture_table(&a, &b).expect("one master waits for its replicas, the other does not");
        assert!(table.caption.contains("sync vs. async"), "{}", table.caption);
        assert_eq!(
            measured(&table),
            [
                ("Risk of stale reads", "61 of 182 reads (34%)", "0 of 182 reads (0%)"),
                ("Write latency p50 (median)", "101 ms", "1102 ms"),
                ("Write latency p99 (99% within)", "101 ms", "1102 ms"),
                (
                    "A replica crashes",
                    "pg-3 (replica 2) crashed at 3.0 s; since then: 23 writes acknowledged, none waiting",
                    "pg-3 (replica 2) crashed at 3.0 s; since then: 1 write acknowledged, 33 waiting for pg-3"
                ),
            ]
        );
    }

    #[test]
    fn writes_after_a_crash_are_counted_from_the_next_whole_bucket() {
        let (a, b) = (run(Mode::Async, &[crash(3_100)], 6_000), run(Mode::Sync, &[crash(3_100)], 6_000));
        let table = lecture_table(&a, &b).expect("the replication table");
        let (_, a, b) = measured(&table)[3];
        assert!(a.starts_with("pg-3 (replica 2) crashed at 3.1 s; from 3.25 s on: "), "{a}");
        assert!(b.starts_with("pg-3 (replica 2) crashed at 3.1 s; from 3.25 s on: 0 writes acknowledged, "), "{b}");
    }

    #[test]
    fn before_any_write_or_crash_the_table_says_so() {
        let (a, b) = (run(Mode::Async, &[], 50), run(Mode::Sync, &[], 50));
        let table = lecture_table(&a, &b).expect("the replication table");
        let [stale, p50, p99, crash] = &table.rows[..] else { panic!("four rows") };
        assert_eq!(
            (stale.a.as_str(), p50.b.as_str(), p99.a.as_str()),
            ("no read answered yet", "no write acknowledged yet", "no write acknowledged yet")
        );
        assert_eq!((crash.a.as_str(), crash.b.as_str()), ("no replica crashed", "no replica crashed"));
    }

    #[test]
    fn a_comparison_gets_the_lecture_table_it_fills_in_and_no_other() {
        let with = |change: fn(&mut Config)| {
            let mut config = Config { rate: 100, ..Config::default() };
            change(&mut config);
            Simulation::new(config).expect("valid settings")
        };
        let caption = |a: &Simulation, b: &Simulation| lecture_table(a, b).map(|table| table.caption);
        let async_run = with(|_| {});
        assert!(caption(&with(|c| c.replicas = 0), &async_run).is_some_and(|caption| caption.contains("Single DB")));
        assert!(
            caption(&async_run, &with(|c| c.mode = Mode::On)).is_some_and(|caption| caption.contains("sync vs. async"))
        );
        assert_eq!(caption(&async_run, &with(|c| c.policy = Policy::Random)), None, "neither waits");
        assert_eq!(caption(&with(|c| c.mode = Mode::Sync), &with(|c| c.mode = Mode::RemoteApply)), None, "both wait");
        let (single_async, single_sync) = (with(|c| c.replicas = 0), with(|c| (c.replicas, c.mode) = (0, Mode::Sync)));
        assert_eq!(caption(&single_async, &single_sync), None, "no replica to wait for");
    }
}
