//! The page's layout, drawn from the state: the same for the live page (`app.rs`) and for the
//! first frame built ahead of time (`first_frame.rs`).
//!
//! Two layouts. The page: controls, the picture beside the counters, then the console, charts,
//! node cards, logs and settings. The stage, while a demo runs or in presenter mode: one
//! 1280×720 screen with the demo's narration and the counters on the left, the controls, the
//! whole picture and whatever else the step asks the class to watch on the right; the rest
//! below.

use std::rc::Rc;

use yew::prelude::*;

use super::charts::Chart;
use super::compare::{self, CompareControls, CompareTable};
use super::console::Console;
use super::controls::Controls;
use super::demo_panel::{DemoMenu, DemoPanel, Watched};
use super::event_log::EventLog;
use super::help::Help;
use super::history::{HistoryFormat, HistoryPanel};
use super::node_card::NodeCard;
use super::read_side_card::ReadSideMachineCard;
use super::report::{PrintReport, Report};
use super::request_log::RequestLog;
use super::session_bar::SessionBar;
use super::settings_panel::SettingsPanel;
use super::state::{Action, PlaygroundState, Theme};
use super::stats::StatsPanel;
use super::topology::Topology;
use super::view;
use crate::sim::{NodeRef, Simulation};

/// The pictures' sizes, run A's and run B's (when one runs beside), in CSS pixels.
pub type PictureSizes = [Option<(f64, f64)>; 2];

/// What the page is drawn from: the state, and what is worked out from it (by the live page
/// once per refresh of the panels).
pub struct Page<'a> {
    pub state: &'a PlaygroundState,
    /// A phone's narrow screen: the picture top to bottom.
    pub portrait: bool,
    pub panels: &'a view::Panels,
    /// The history and the cards, worked out a frame after `panels` under traffic.
    pub later_panels: &'a view::LaterPanels,
    /// The run beside's tables, when one runs beside.
    pub measured: Option<&'a compare::Measured>,
    /// What File > Print prints.
    pub print_report: Rc<Report>,
    pub on_action: Callback<Action>,
    pub on_report: Callback<MouseEvent>,
    pub on_export_history: Callback<HistoryFormat>,
    /// Only what the first screen shows, down to the picture and its counters: a first frame
    /// built ahead of time, which the live page, the rest below it, replaces.
    pub first_screen_only: bool,
    /// The pictures' sizes (run A's, run B's) before they are measured: given for a first frame
    /// built ahead of time, drawn as the screen it was built for shows it.
    pub unmeasured: PictureSizes,
}

/// The whole page (or its first screen).
pub fn draw(parts: Page) -> Html {
    let Page {
        state,
        portrait,
        panels,
        later_panels,
        measured,
        print_report,
        on_action,
        on_report,
        on_export_history,
        first_screen_only,
        unmeasured,
    } = parts;
    let sim = state.sim();
    let fragment = state.fragment.clone();
    let config = sim.config().clone();
    let watch = state.demo.map_or(&[][..], |demo| demo.staging().watch);
    let layout = view::Layout::new(state.demo.is_some() || state.presenter, watch);
    let staged = layout.staged;
    let comparison = state.comparison.as_ref().map(|comparison| (comparison, comparison.sim()));
    let titles = comparison.as_ref().map(|(comparison, _)| {
        let (a, b) = view::run_titles(sim, comparison.change.setting, &comparison.change.value);
        (AttrValue::from(a), AttrValue::from(b))
    });
    let counters_caption = titles.as_ref().map(|(a, _)| AttrValue::from(format!("Counters of run {a}")));

    let picture_layout = PictureLayout {
        portrait,
        large: state.presenter && !portrait,
        fill_height: staged && !portrait,
        compact: false,
        unmeasured: unmeasured[0],
    };
    let controls = html! {
        <Controls config={config.clone()} paused={state.paused} speed={state.speed} now={sim.now()}
            last_rate={state.last_rate} {staged} on_action={on_action.clone()}
            beside={state.comparison.as_ref().map(|comparison| (AttrValue::from(comparison.change.setting.key), AttrValue::from(comparison.change.value.clone())))} />
    };
    let machines = &panels.machines;
    let pictures = match (&comparison, &titles, measured) {
        (Some((_, other)), Some(titles), Some(measured)) => {
            let runs = [(sim, machines), (*other, &measured.b_machines)];
            compared_runs(runs, titles, picture_layout, unmeasured[1], &on_action)
        }
        _ => html! {
            <Topology actions={selected_actions(sim, state.selected, &on_action)}
                ..picture_props(sim, machines, state.selected, picture_layout, true, &on_action) />
        },
    };
    // On the stage the table is short: the lecture's rows when the comparison is the lecture's.
    let compare_table =
        measured.cloned().zip(titles.clone()).map(|(compare::Measured { rows, lecture, .. }, (a_title, b_title))| {
            html! { <CompareTable {a_title} {b_title} {rows} {lecture} compact={staged} /> }
        });
    // Presenter free play has no narration: the console stands beside the picture instead.
    let console_on_stage = staged && state.demo.is_none();
    let console = html! {
        <Console results={panels.console.clone()} lecture_row_exists={panels.lecture_row_exists} on_action={on_action.clone()} />
    };
    let request_log =
        |rows: usize| html! { <RequestLog requests={panels.requests[..rows.min(panels.requests.len())].to_vec()} /> };
    let history = || {
        html! { <HistoryPanel view={later_panels.history.clone()} large={picture_layout.large} on_export={on_export_history.clone()} /> }
    };
    let event_log =
        |rows: usize| html! { <EventLog events={panels.events[..rows.min(panels.events.len())].to_vec()} /> };
    let watched_panel = |&id: &&str| match id {
        "request-log" => request_log(view::STAGE_REQUEST_ROWS),
        "event-log" => event_log(view::STAGE_EVENT_ROWS),
        "history" => history(),
        chart => charts(panels, |id| id == chart),
    };
    let under_picture: Vec<Html> = layout.under_picture.iter().map(watched_panel).collect();
    let beside_picture: Vec<Html> = layout.beside_picture.iter().map(watched_panel).collect();
    // The counters and panels a step watches, beside the picture on the stage; on a phone right
    // under it, above its controls, so a claim's numbers are on screen with the picture.
    let watched_beside = html! {
        <>
            <StatsPanel stats={panels.stats} caption={counters_caption.clone()} />
            if !beside_picture.is_empty() {
                <div class="beside-picture">{ for beside_picture }</div>
            }
        </>
    };
    let picture = html! {
        <section class="picture" aria-label="The cluster">
            if staged { { controls.clone() } }
            { pictures }
            // Two runs' pictures select no node to open its actions beside: they stand under both.
            if comparison.is_some() { { selected_actions(sim, state.selected, &on_action) } }
            if staged && portrait { { watched_beside.clone() } }
            if staged {
                { compare_table.clone().unwrap_or_default() }
                <div class="under-picture">{ for under_picture }</div>
            }
        </section>
    };

    html! {
        <ContextProvider<Watched> context={Watched(watch)}>
        <div class={classes!("page", match state.theme { Theme::Light => "light", Theme::Dark => "dark" }, state.presenter.then_some("presenter"), staged.then_some("staged"))}>
            <header class="masthead">
                <div>
                    <h1>{ "Replication Playground" }</h1>
                    <p class="tagline">
                        { "Writes go to the master, reads are spread over the replicas, and replication copies one to the others: synchronously (the master waits) or asynchronously (it does not, and a read can come back stale)." }
                    </p>
                </div>
                <div class="view-toggles">
                    <button data-testid="start-fresh" onclick={on_action.reform(|_: MouseEvent| Action::StartFresh)}
                        title="Leave everything and start again with the default settings">{ "Start fresh" }</button>
                    <button data-testid="theme" onclick={on_action.reform(|_: MouseEvent| Action::ToggleTheme)}
                        title="Switch between light and dark theme">{ match state.theme { Theme::Light => "Dark theme", Theme::Dark => "Light theme" } }</button>
                    <button data-testid="presenter" aria-pressed={state.presenter.to_string()}
                        onclick={on_action.reform(|_: MouseEvent| Action::TogglePresenter)}>{ "Presenter mode" }</button>
                    <button data-testid="help-button" aria-pressed={state.help_open.to_string()}
                        onclick={on_action.reform(|_: MouseEvent| Action::ToggleHelp)} aria-label="Help: keyboard shortcuts and the words the page uses">{ "?" }</button>
                </div>
            </header>
            if state.help_open { <Help on_action={on_action.clone()} /> }
            <main>
                if !state.notices.is_empty() {
                    <div class="notices" role="alert" data-testid="notices">
                        <ul>{ for state.notices.iter().map(|notice| html! { <li>{ notice }</li> }) }</ul>
                        <button class="dismiss" onclick={on_action.reform(|_: MouseEvent| Action::DismissNotices)}>{ "Dismiss" }</button>
                    </div>
                }
                if staged {
                    <div class="stage-grid">
                        <div class="stage-side">
                            if let Some(at) = state.demo {
                                <DemoPanel {at} paused={state.paused} on_action={on_action.clone()} />
                            }
                            if !portrait { { watched_beside.clone() } }
                            if console_on_stage { { console.clone() } }
                        </div>
                        { picture }
                    </div>
                    if !first_screen_only {
                        <DemoMenu on_action={on_action.clone()} />
                        <SessionBar now={sim.now()} furthest={state.run.recording().furthest().max(sim.now())} replay={state.replay} fragment={AttrValue::from(fragment.to_string())} on_report={on_report.clone()} on_action={on_action.clone()} />
                    }
                } else {
                    <DemoMenu on_action={on_action.clone()} />
                    { controls }
                    <SessionBar now={sim.now()} furthest={state.run.recording().furthest().max(sim.now())} replay={state.replay} fragment={AttrValue::from(fragment.to_string())} on_report={on_report.clone()} on_action={on_action.clone()} />
                    <div class="stage">
                        { picture }
                        <StatsPanel stats={panels.stats} caption={counters_caption} />
                    </div>
                }
                if !first_screen_only {
                    <CompareControls config={config.clone()} on_action={on_action.clone()}
                        comparison={state.comparison.as_ref().map(|comparison| (AttrValue::from(comparison.change.setting.key), AttrValue::from(comparison.change.value.clone())))} />
                    if !staged {
                        { compare_table.unwrap_or_default() }
                    }
                    if !console_on_stage { { console } }
                    { charts(panels, |id| !layout.moved(id)) }
                    <section class="data" aria-label="Data on each node">
                        { for later_panels.cards.first().map(|master| card(master, &on_action)) }
                        <div class="replicas">
                            if later_panels.cards.len() <= 1 {
                                <p class="empty">{ "No replicas: the master serves every read, as a single database does." }</p>
                            }
                            { for later_panels.cards.iter().skip(1).map(|replica| card(replica, &on_action)) }
                        </div>
                        if !later_panels.read_side_cards.is_empty() {
                            <div class="replicas read-side-cards">
                                { for later_panels.read_side_cards.iter().cloned().map(|card| html! { <ReadSideMachineCard card={card} on_action={on_action.clone()} /> }) }
                            </div>
                        }
                    </section>
                    if !layout.moved("history") { { history() } }
                    <div class="logs">
                        if !layout.moved("request-log") { { request_log(view::LOG_IN_FLIGHT) } }
                        if !layout.moved("event-log") { { event_log(view::EVENT_ROWS) } }
                    </div>
                    <SettingsPanel config={config.clone()} last_rate={state.last_rate} on_action={on_action.clone()} />
                }
            </main>
            if !first_screen_only { <PrintReport report={print_report} /> }
        </div>
        </ContextProvider<Watched>>
    }
}

/// How a picture is drawn (see `TopologyProps`): top to bottom on a phone, larger in presenter
/// mode, as high as the stage leaves it, compact beside another run's.
#[derive(Clone, Copy)]
struct PictureLayout {
    portrait: bool,
    large: bool,
    fill_height: bool,
    compact: bool,
    unmeasured: Option<(f64, f64)>,
}

/// A run's picture, as the topology component takes it: its machines as the panels last
/// worked them out, the messages on their way now.
fn picture_props(
    run: &Simulation,
    machines: &Rc<view::MachinesView>,
    selected: Option<NodeRef>,
    PictureLayout { portrait, large, fill_height, compact, unmeasured }: PictureLayout,
    test_ids: bool,
    on_action: &Callback<Action>,
) -> super::topology::TopologyProps {
    let view::Messages { dots, drawn_one_in } = view::messages(run);
    super::topology::TopologyProps {
        machines: machines.clone(),
        dots,
        drawn_one_in,
        selected,
        portrait,
        large,
        compact,
        fill_height,
        test_ids,
        actions: Html::default(),
        unmeasured,
        on_action: on_action.clone(),
    }
}

/// Both runs' pictures (each run with its machines), next to each other; `b_unmeasured`: run
/// B's picture's size until it is measured (`layout` has run A's).
fn compared_runs(
    [(a, a_machines), (b, b_machines)]: [(&Simulation, &Rc<view::MachinesView>); 2],
    (a_title, b_title): &(AttrValue, AttrValue),
    layout: PictureLayout,
    b_unmeasured: Option<(f64, f64)>,
    on_action: &Callback<Action>,
) -> Html {
    let layout = PictureLayout { compact: true, ..layout };
    html! {
        <div class="beside-pictures" data-testid="side-by-side" aria-label="Two runs side by side">
            <div class="beside-run" data-testid="compare-a">
                <h3>{ a_title.clone() }</h3>
                <Topology ..picture_props(a, a_machines, None, layout, true, on_action) />
            </div>
            <div class="beside-run" data-testid="compare-b">
                <h3>{ b_title.clone() }</h3>
                <Topology ..picture_props(b, b_machines, None, PictureLayout { unmeasured: b_unmeasured, ..layout }, false, on_action) />
            </div>
        </div>
    }
}

/// One machine's card.
fn card(card: &view::CardView, on_action: &Callback<Action>) -> Html {
    html! { <NodeCard card={card.clone()} on_action={on_action.clone()} /> }
}

/// The actions for the node picked in the picture.
fn selected_actions(sim: &Simulation, selected: Option<NodeRef>, on_action: &Callback<Action>) -> Html {
    let Some(name) = selected else { return html! {} };
    let Ok(id) = sim.resolve(name) else { return html! {} };
    html! {
        <div class="selected-actions" data-testid="selected-actions" role="group" aria-label={format!("Actions for {}", sim.label(id))}>
            <strong>{ sim.label(id) }</strong>
            { for view::node_actions(sim, name).into_iter().map(|action| {
                let command = action.command;
                html! { <button title={action.help} onclick={on_action.reform(move |_: MouseEvent| Action::Command(command.clone()))}>{ action.label }</button> }
            }) }
            <button onclick={on_action.reform(|_: MouseEvent| Action::Select(None))} aria-label="Deselect">{ "×" }</button>
        </div>
    }
}

/// Throughput, latency, lag per replica and stale-read rate over the last minute: the charts
/// whose test id `shown` accepts.
fn charts(panels: &view::Panels, shown: impl Fn(&str) -> bool) -> Html {
    html! {
        <section class="charts" aria-label="Charts">
            { for view::CHARTS.into_iter().zip(&panels.charts).filter(|(id, _)| shown(id)).map(|(id, chart)| {
                let view::ChartView { title, unit, series, bucket_seconds, reference } = chart.clone();
                html! { <Chart {title} test_id={id} {unit} {bucket_seconds} {series} {reference} /> }
            }) }
        </section>
    }
}
