//! Two runs side by side: the same seed and the same commands, one setting changed, with one
//! set of time controls and their measurements next to each other.

use yew::prelude::*;

use super::demo_panel::use_watched;

use super::state::Action;
use crate::share::settings::{self, Input, SETTINGS, Setting};
use crate::sim::Simulation;
use crate::sim::config::Config;
use crate::sim::events::EventKind;
use crate::sim::metrics::{BUCKET, Bucket};
use crate::sim::time::Time;

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

/// One row of the lecture's "Master-Slave vs. Single DB" table, with what each run showed.
#[derive(Clone, Debug, PartialEq)]
pub struct LectureRow {
    pub feature: &'static str,
    /// What the lecture says of a single DB, and of master-slave.
    pub single: &'static str,
    pub master_slave: &'static str,
    pub a: String,
    pub b: String,
}

/// The lecture's table filled in from the two runs, when one is a single database and the
/// other has replicas; empty for any other comparison. Measured before and after the master
/// crashed, if it did.
pub fn lecture_rows(a: &Simulation, b: &Simulation) -> Vec<LectureRow> {
    let replicas = |sim: &Simulation| sim.replica_ids().len();
    if (replicas(a) == 0) == (replicas(b) == 0) {
        return Vec::new();
    }
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
        let served: Vec<String> =
            sim.replica_ids().into_iter().map(|id| format!("{} {}", id.machine(), sim.node(id).reads_served)).collect();
        match served.is_empty() {
            true => format!("{turned_away} requests turned away before the crash; every read on the one server"),
            false => format!("{turned_away} turned away before the crash; reads spread: {}", served.join(", ")),
        }
    };
    let row = |feature, single, master_slave, measure: &dyn Fn(&Simulation) -> String| LectureRow {
        feature,
        single,
        master_slave,
        a: measure(a),
        b: measure(b),
    };
    vec![
        row("Scalability", "limited", "scales with the number of slaves", &scalability),
        row("Reliability", "one point of failure", "multiple replicas for reads", &reliability),
        row("Write load handling", "full capacity", "centralized in the master", &writes),
        row("Read load handling", "bottlenecked", "distributed across the slaves", &reads),
    ]
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
    buckets.iter().map(|bucket| bucket.throughput()).sum::<f64>() / buckets.len().max(1) as f64
}

#[derive(Properties, PartialEq)]
pub struct CompareTableProps {
    pub a_title: AttrValue,
    pub b_title: AttrValue,
    pub rows: Vec<Row>,
    /// The lecture's table, when the comparison is the lecture's.
    #[prop_or_default]
    pub lecture: Vec<LectureRow>,
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
        if !props.lecture.is_empty() {
            <table class="lecture-table" data-testid="lecture-table">
                <caption>{ "The lecture's table: Master-Slave vs. Single DB, and what these runs showed" }</caption>
                <thead><tr><th scope="col">{ "Feature" }</th><th scope="col">{ props.a_title.clone() }</th><th scope="col">{ props.b_title.clone() }</th></tr></thead>
                <tbody>
                    { for props.lecture.iter().map(|row| html! {
                        <tr>
                            <th scope="row">{ row.feature }<span class="lecture-says">{ format!("lecture: single DB {}; master-slave {}", row.single, row.master_slave) }</span></th>
                            <td>{ row.a.clone() }</td>
                            <td>{ row.b.clone() }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        }
        if !props.compact || props.lecture.is_empty() {
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
