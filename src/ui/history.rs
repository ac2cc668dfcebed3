//! The history panel: a lane per client, each operation a bar from call to answer on a row of
//! its lane (a client's operations under way at once on rows of their own), labelled where the
//! label fits; a line from a read to the write it missed, the witness of a "no" outlined; below,
//! the verdicts in words and the exports. Each bar takes the keyboard's focus and then tells
//! its client, times and node.

use yew::prelude::*;

use super::demo_panel::use_watched;
use super::frame::use_element_size;
use super::view::{self, Anchor, BarKind, HistoryView};
use crate::sim::history::Ending;

/// A row of a lane, in pixels at the labels' plain size (`view::LABEL_PX`; in presenter mode
/// all grow with them): a band for the labels, then the bar.
const ROW: f64 = 22.0;
/// Where in its row a label's baseline and the bar's top are.
const LABEL_BASELINE: f64 = 11.0;
const BAR_TOP: f64 = 13.0;
const BAR: f64 = 7.0;
/// Space between two clients' lanes, with a line in its middle.
const LANE_GAP: f64 = 6.0;

/// The file formats the history is exported in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HistoryFormat {
    Json,
    Edn,
}

#[derive(Properties, PartialEq)]
pub struct HistoryPanelProps {
    pub view: HistoryView,
    /// Larger labels and rows (presenter mode).
    #[prop_or_default]
    pub large: bool,
    pub on_export: Callback<HistoryFormat>,
}

#[component]
pub fn HistoryPanel(props: &HistoryPanelProps) -> Html {
    let focused = use_state(|| None::<u64>);
    let watched = use_watched();
    let lanes_svg = use_node_ref();
    let measured = use_element_size(lanes_svg.clone(), (0.0, 0.0));
    let width = Some(measured.0).filter(|width| *width > 0.0);
    let view = &props.view;
    let label_px = if props.large { view::LARGE_LABEL_PX } else { view::LABEL_PX };
    let grown = label_px / view::LABEL_PX;
    let (row_px, baseline_px, bar_top_px, bar_px) = (ROW * grown, LABEL_BASELINE * grown, BAR_TOP * grown, BAR * grown);
    // Each lane's top; the last entry is the height of them all.
    let tops: Vec<f64> = std::iter::once(0.0)
        .chain(view.lanes.iter().scan(0.0, |top, lane| {
            *top += lane.rows as f64 * row_px + LANE_GAP;
            Some(*top)
        }))
        .collect();
    let height = tops.last().copied().unwrap_or_default();
    let row_top = |lane: usize, row: usize| tops[lane] + row as f64 * row_px;
    let bar_middle = |lane: usize, row: usize| row_top(lane, row) + bar_top_px + bar_px / 2.0;
    let separators = || (1..view.lanes.len()).map(|lane| tops[lane] - LANE_GAP / 2.0);
    let percent = |fraction: f64| format!("{:.2}%", fraction * 100.0);
    let labels =
        width.map(|width| view::place_labels(view, width, label_px)).unwrap_or_else(|| vec![None; view.bars.len()]);
    let detail =
        focused.and_then(|request| view.bars.iter().find(|bar| bar.request == request)).map(|bar| bar.detail.clone());
    html! {
        <section class={classes!("history", props.large.then_some("large"))} data-testid="history" data-watched={watched.mark("history")} aria-label="History of the latest operations">
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
                    }
                    // Drawn even when empty, so that its width is known when the first bar comes.
                    <div class="history-lanes">
                        <svg class="lane-names" height={height.to_string()} aria-hidden="true">
                            { for view.lanes.iter().enumerate().map(|(lane, named)| html! {
                                <text x="0" y={(row_top(lane, 0) + bar_top_px + bar_px).to_string()}>{ &named.name }</text>
                            }) }
                            { for separators().map(|y| html! { <line class="lane-line" x1="0" x2="100%" y1={y.to_string()} y2={y.to_string()} /> }) }
                        </svg>
                        <svg ref={lanes_svg} height={height.to_string()} role="group" aria-label="Each client's operations, from call to answer">
                            <defs>
                                <marker id="missed-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                                    <path d="M0,0 L8,4 L0,8 z" class="missed-head" />
                                </marker>
                            </defs>
                            { for separators().map(|y| html! { <line class="lane-line" x1="0" x2="100%" y1={y.to_string()} y2={y.to_string()} /> }) }
                            // Under the bars and their labels, which stay readable where a line crosses.
                            { for view.links.iter().map(|&(read, write)| {
                                let (read, write) = (&view.bars[read], &view.bars[write]);
                                html! {
                                    <line class="missed" x1={percent(read.from)} y1={bar_middle(read.lane, read.row).to_string()}
                                        x2={percent(write.to)} y2={bar_middle(write.lane, write.row).to_string()} marker-end="url(#missed-arrow)" />
                                }
                            }) }
                            // Not keyed: under heavy traffic every operation shown is new each frame,
                            // and rewriting elements in place costs less than making new ones.
                            { for view.bars.iter().zip(&labels).map(|(bar, placed)| {
                                let y = row_top(bar.lane, bar.row);
                                let class = classes!(
                                    "op",
                                    match bar.kind { BarKind::Write => "op-write", BarKind::Read => "op-read", BarKind::Sql => "op-sql" },
                                    match bar.ending { Ending::Ok => "ok", Ending::Fail => "fail", Ending::Info => "info", Ending::Pending => "pending" },
                                    (!bar.tags.is_empty()).then_some("flagged"),
                                    bar.witness.then_some("witness"),
                                );
                                let (show, hide) = (Some(bar.request), None);
                                html! {
                                    <g {class} tabindex="0" role="img" aria-label={bar.detail.clone()}
                                        onfocus={detail_of::<FocusEvent>(&focused, show)} onblur={detail_of::<FocusEvent>(&focused, hide)}
                                        onmouseenter={detail_of::<MouseEvent>(&focused, show)} onmouseleave={detail_of::<MouseEvent>(&focused, hide)}>
                                        <title>{ &bar.detail }</title>
                                        <rect x={percent(bar.from)} y={(y + bar_top_px).to_string()} width={percent((bar.to - bar.from).max(0.004))} height={bar_px.to_string()} rx="2" />
                                        if let Some(placed) = placed {
                                            <text class="op-label" x={percent(placed.at)} y={(y + baseline_px).to_string()}
                                                text-anchor={match placed.anchor { Anchor::Start => "start", Anchor::End => "end" }}>{ &placed.text }</text>
                                        }
                                    </g>
                                }
                            }) }
                        </svg>
                    </div>
                    if !view.bars.is_empty() {
                        <div class="history-axis"><span>{ view.from.as_clock() }</span><span>{ format!("now {}", view.to.as_clock()) }</span></div>
                        <p class="history-start" data-testid="history-start">{ &view.start }</p>
                    }
                    <p class={classes!("history-detail", detail.is_none().then_some("hint"))} aria-live="polite">
                        { detail.unwrap_or_else(|| "Hover over or focus (Tab) an operation for its client, times and node.".to_string()) }
                    </p>
                </div>
                <div class="history-verdicts">
                    <ul class="verdicts">
                        { for view.verdicts.iter().map(|verdict| html! {
                            <li class={classes!("verdict", format!("answer-{}", verdict.answer.replace(' ', "-")))}>
                                <span class="verdict-name">{ verdict.name }</span>
                                <strong class="verdict-answer" data-testid={verdict.test_id}>{ verdict.answer }</strong>
                                <span class="verdict-words">{ &verdict.words }</span>
                            </li>
                        }) }
                    </ul>
                    if let Some(why) = &view.stale_why {
                        <p class="history-why" data-testid="history-stale-why">{ why }</p>
                    }
                </div>
            </div>
            <p class="history-scope">{ &view.scope }</p>
        </section>
    }
}

/// Shows the detail line of the operation `request` on a focus or pointer event, or hides it
/// (`None`): a bar tells the same by keyboard and by mouse.
fn detail_of<E: 'static>(focused: &UseStateHandle<Option<u64>>, request: Option<u64>) -> Callback<E> {
    let focused = focused.clone();
    Callback::from(move |_: E| focused.set(request))
}
