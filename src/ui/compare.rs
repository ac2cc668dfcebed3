//! Two runs side by side: the same seed and the same commands, one setting changed, with one
//! set of time controls and their measurements next to each other.

use std::rc::Rc;

use yew::prelude::*;

use super::demo_panel::use_watched;

use super::state::Action;
use super::view;
use crate::sim::Simulation;
use crate::sim::config::Config;
use crate::sim::settings::{self, Input, SETTINGS, Setting};

mod lecture;
pub use lecture::{LectureRow, LectureTable, lecture_table};

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

/// A measurement as the tables show it: whole, or to the tenth.
pub fn shown(value: f64) -> String {
    if value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value:.1}") }
}

/// What two runs side by side measured: the measured table's rows and the lecture's table.
/// Worked out once per refresh of the panels, for the table on the page and the printed report,
/// with run B's picture's machines (as `Panels::machines` are run A's).
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    pub rows: Vec<Row>,
    pub lecture: Option<LectureTable>,
    pub b_machines: Rc<view::MachinesView>,
}

pub fn measure(a: &Simulation, b: &Simulation) -> Measured {
    Measured { rows: rows(a, b), lecture: lecture_table(a, b), b_machines: Rc::new(view::machines(b)) }
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
                            <td>{ shown(row.a) }</td>
                            <td>{ shown(row.b) }</td>
                            <td class={classes!((difference != 0.0).then_some("differs"))}>{ if difference > 0.0 { format!("+{}", shown(difference)) } else { shown(difference) } }</td>
                        </tr>
                    }
                }) }
            </tbody>
        </table>
        }
        </div>
    }
}
