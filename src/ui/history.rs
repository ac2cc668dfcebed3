//! The history panel: client lanes with each operation a bar from call to answer, a line from a
//! read to the write it missed, the witness of a "no" outlined; below, the verdicts in words and
//! the exports. Each bar takes the keyboard's focus and then tells its times and node.

use yew::prelude::*;

use super::demo_panel::use_watched;
use super::view::{BarKind, HistoryView};
use crate::sim::history::Ending;

/// Each lane's height, in pixels: the lanes stretch across the panel, the text keeps its size.
const LANE: f64 = 28.0;
const BAR: f64 = 9.0;
/// Past this fraction of the width, a bar's label ends at the bar's end instead of starting at
/// its start, so it is not cut off at the right edge.
const LABEL_FLIPS: f64 = 0.6;

/// The file formats the history is exported in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryFormat {
    Json,
    Edn,
}

#[derive(Properties, PartialEq)]
pub struct HistoryPanelProps {
    pub view: HistoryView,
    pub on_export: Callback<HistoryFormat>,
}

#[component]
pub fn HistoryPanel(props: &HistoryPanelProps) -> Html {
    let focused = use_state(|| None::<u64>);
    let watched = use_watched();
    let view = &props.view;
    let height = view.lanes.len() as f64 * LANE;
    let percent = |fraction: f64| format!("{:.2}%", fraction * 100.0);
    let lane_middle = |lane: usize| lane as f64 * LANE + LANE - BAR / 2.0 - 3.0;
    let detail =
        focused.and_then(|request| view.bars.iter().find(|bar| bar.request == request)).map(|bar| bar.detail.clone());
    html! {
        <section class="history" data-testid="history" data-watched={watched.mark("history")} aria-label="History of the latest operations">
            <header class="log-header">
                <h2>{ "History" }</h2>
                <div class="history-exports">
                    <button data-testid="history-export" onclick={props.on_export.reform(|_: MouseEvent| HistoryFormat::Json)}
                        title="Download these operations as history.json: invocations and answers, time in simulated µs">{ "Export JSON" }</button>
                    <button data-testid="history-export-edn" onclick={props.on_export.reform(|_: MouseEvent| HistoryFormat::Edn)}
                        title="Download these operations as history.edn, Jepsen's format, for Knossos or Elle">{ "Export EDN" }</button>
                </div>
            </header>
            <div class="history-body">
                <div class="history-timeline">
                    if view.bars.is_empty() {
                        <p class="empty">{ "Nothing yet: press Write, then Read." }</p>
                    } else {
                        <div class="history-lanes">
                            <div class="lane-names" aria-hidden="true">
                                { for view.lanes.iter().map(|name| html! { <div class="lane-name">{ name }</div> }) }
                            </div>
                            <svg height={height.to_string()} role="group" aria-label="Each client's operations, from call to answer">
                                <defs>
                                    <marker id="missed-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                                        <path d="M0,0 L8,4 L0,8 z" class="missed-head" />
                                    </marker>
                                </defs>
                                { for (0..view.lanes.len()).map(|lane| html! {
                                    <line class="lane-line" x1="0" x2="100%" y1={lane_middle(lane).to_string()} y2={lane_middle(lane).to_string()} />
                                }) }
                                { for view.bars.iter().map(|bar| {
                                    let y = lane_middle(bar.lane) - BAR / 2.0;
                                    let class = classes!(
                                        "op",
                                        match bar.kind { BarKind::Write => "op-write", BarKind::Read => "op-read", BarKind::Sql => "op-sql" },
                                        match bar.ending { Ending::Ok => "ok", Ending::Fail => "fail", Ending::Info => "info", Ending::Pending => "pending" },
                                        (!bar.tags.is_empty()).then_some("flagged"),
                                        bar.witness.then_some("witness"),
                                    );
                                    let focus = {
                                        let (focused, request) = (focused.clone(), bar.request);
                                        Callback::from(move |_: FocusEvent| focused.set(Some(request)))
                                    };
                                    let blur = {
                                        let focused = focused.clone();
                                        Callback::from(move |_: FocusEvent| focused.set(None))
                                    };
                                    let (label_at, anchor) = if bar.from > LABEL_FLIPS { (bar.to, "end") } else { (bar.from, "start") };
                                    html! {
                                        <g {class} tabindex="0" role="img" aria-label={bar.detail.clone()} onfocus={focus} onblur={blur}>
                                            <title>{ &bar.detail }</title>
                                            <rect x={percent(bar.from)} y={y.to_string()} width={percent((bar.to - bar.from).max(0.004))} height={BAR.to_string()} rx="3" />
                                            <text class="op-label" x={percent(label_at)} y={(y - 3.0).to_string()} text-anchor={anchor}>
                                                { &bar.label }
                                                { for bar.tags.first().map(|tag| format!(" {tag}")) }
                                            </text>
                                        </g>
                                    }
                                }) }
                                { for view.links.iter().map(|&(read, write)| {
                                    let (read, write) = (&view.bars[read], &view.bars[write]);
                                    html! {
                                        <line class="missed" x1={percent(read.from)} y1={lane_middle(read.lane).to_string()}
                                            x2={percent(write.to)} y2={lane_middle(write.lane).to_string()} marker-end="url(#missed-arrow)" />
                                    }
                                }) }
                            </svg>
                        </div>
                        <div class="history-axis"><span>{ view.from.as_clock() }</span><span>{ format!("now {}", view.to.as_clock()) }</span></div>
                        <p class="history-start" data-testid="history-start">{ &view.start }</p>
                    }
                    <p class={classes!("history-detail", detail.is_none().then_some("hint"))} aria-live="polite">
                        { detail.unwrap_or_else(|| "Hover over or focus (Tab) an operation for its client, times and node.".to_string()) }
                    </p>
                </div>
                <ul class="verdicts">
                    { for view.verdicts.iter().map(|verdict| html! {
                        <li class={classes!("verdict", format!("answer-{}", verdict.answer.replace(' ', "-")))}>
                            <span class="verdict-name">{ verdict.name }</span>
                            <strong class="verdict-answer" data-testid={verdict.test_id}>{ verdict.answer }</strong>
                            <span class="verdict-words">{ &verdict.words }</span>
                        </li>
                    }) }
                </ul>
            </div>
            <p class="history-scope">{ &view.scope }</p>
        </section>
    }
}
