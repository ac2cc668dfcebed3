//! The root component: owns the state, advances simulated time with real time, keeps the URL
//! fragment in step with the settings, and lays out the page.
//!
//! Two layouts. The page: controls, the picture beside the counters, then the console, charts,
//! node cards, logs and settings. The stage, while a demo runs or in presenter mode: one
//! 1280×720 screen with the demo's narration and the counters on the left, the controls, the
//! whole picture and whatever else the step asks the class to watch on the right; the rest
//! below.

use std::rc::Rc;

use yew::prelude::*;

use super::browser;
use super::charts::Chart;
use super::compare::{self, CompareControls, CompareTable};
use super::console::Console;
use super::controls::Controls;
use super::demo_panel::{DemoMenu, DemoPanel, Watched};
use super::event_log::EventLog;
use super::frame::{use_animation_frame, use_fragment_changes, use_media_query, use_shortcuts};
use super::help::Help;
use super::history::{HistoryFormat, HistoryPanel};
use super::node_card::NodeCard;
use super::read_side_card::ReadSideMachineCard;
use super::report::{self, PrintReport, Report};
use super::request_log::RequestLog;
use super::session_bar::SessionBar;
use super::settings_panel::SettingsPanel;
use super::state::{Action, PlaygroundState, Theme, replaces_scrolling, shortcut};
use super::stats::StatsPanel;
use super::topology::Topology;
use super::view;
use crate::share::history_file;
use crate::share::link::{self, Opening};
use crate::sim::{NodeRef, Simulation};

/// Screens this narrow get the picture top to bottom, so its labels stay readable.
const NARROW: &str = "(max-width: 640px)";

#[component]
pub fn App() -> Html {
    // The page's state is owned here and changed in place by each action (`handle`), which
    // says whether to draw the page again: the run in it is too large to copy every frame.
    let page = use_mut_ref(|| {
        let (opening, notices) = initial_opening();
        PlaygroundState::new(opening, notices, if browser::prefers_dark() { Theme::Dark } else { Theme::Light })
    });
    let redraw = use_force_update();
    // One callback for the whole page, made once, so components whose other props did not
    // change are not redrawn every frame.
    let on_action = {
        let page = page.clone();
        use_memo((), move |_| {
            Callback::from(move |action: Action| {
                super::crash::note_action(&action);
                // The state is let go before drawing, which reads it.
                let changed = page.borrow_mut().handle(action);
                if changed {
                    redraw.force_update();
                }
            })
        })
    };
    let state = page.borrow();
    {
        let on_action = (*on_action).clone();
        use_animation_frame(Callback::from(move |real_ms| {
            on_action.emit(Action::Tick { real_ms, budget: browser::frame_budget() })
        }));
    }
    {
        // The keys' listener is made once; it reads the demo on screen from here.
        let demo_on_screen = use_mut_ref(|| None);
        *demo_on_screen.borrow_mut() = state.demo;
        let on_action = (*on_action).clone();
        let demo = demo_on_screen.clone();
        use_shortcuts(
            Callback::from(move |key: String| {
                if let Some(action) = shortcut(&key, *demo.borrow()) {
                    on_action.emit(action);
                }
            }),
            Rc::new(move |key: &str| replaces_scrolling(key, *demo_on_screen.borrow())),
        );
    }
    {
        let on_action = (*on_action).clone();
        use_fragment_changes(Callback::from(move |fragment: String| {
            let (opening, problems) = link::open(&fragment);
            on_action.emit(Action::Open(opening, problems));
        }));
    }
    let portrait = use_media_query(NARROW);
    let judgements = use_memo((), |_| view::Judgements::default());
    let panels = {
        let sim = state.sim();
        use_memo(state.panels_revision, |_| view::panels(sim, &judgements))
    };
    // The run beside's tables, like the panels, are worked out again only when they are.
    let measured = use_memo(state.panels_revision, |_| {
        state.comparison.as_ref().map(|comparison| compare::measure(state.sim(), comparison.sim()))
    });
    let print_report =
        use_memo(state.panels_revision, |_| Rc::new(make_report(&state, &panels.history, measured.as_ref().as_ref())));
    let download_report = {
        let (page, on_action) = (page.clone(), on_action.clone());
        Callback::from(move |_: MouseEvent| {
            let state = page.borrow();
            let history = view::history(state.sim(), &view::Judgements::default());
            let measured = state.comparison.as_ref().map(|comparison| compare::measure(state.sim(), comparison.sim()));
            let text = make_report(&state, &history, measured.as_ref()).to_markdown();
            if let Err(reason) = browser::download("report.md", "text/markdown", &text) {
                on_action.emit(Action::Notice(format!("the report could not be downloaded: {reason}")));
            }
        })
    };
    let fragment = state.fragment.clone();
    let now = state.sim().now();
    use_effect_with(state.address.clone(), |address| browser::replace_fragment(address));
    {
        // Kept for the next visit: while running about once a simulated second, not every
        // frame; when paused, at the exact moment shown.
        let moment = if state.paused { now.as_micros() } else { now.as_micros() / 1_000_000 * 1_000_000 };
        use_effect_with((state.address.clone(), fragment.clone(), moment), move |(address, fragment, _)| {
            browser::save_session(address, &link::at_moment(fragment, now))
        });
    }
    let on_action = (*on_action).clone();
    let sim = state.sim();
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
    };
    let controls = html! {
        <Controls config={config.clone()} paused={state.paused} speed={state.speed} now={sim.now()}
            last_rate={state.last_rate} {staged} on_action={on_action.clone()}
            beside={state.comparison.as_ref().map(|comparison| (AttrValue::from(comparison.change.setting.key), AttrValue::from(comparison.change.value.clone())))} />
    };
    let pictures = match (&comparison, &titles) {
        (Some((_, other)), Some(titles)) => compared_runs(sim, other, titles, picture_layout, &on_action),
        _ => html! {
            <Topology actions={selected_actions(sim, state.selected, &on_action)}
                ..picture_props(sim, state.selected, picture_layout, true, &on_action) />
        },
    };
    // On the stage the table is short: the lecture's rows when the comparison is the lecture's.
    let compare_table =
        (*measured).clone().zip(titles.clone()).map(|(compare::Measured { rows, lecture }, (a_title, b_title))| {
            html! { <CompareTable {a_title} {b_title} {rows} {lecture} compact={staged} /> }
        });
    // Presenter free play has no narration: the console stands beside the picture instead.
    let console_on_stage = staged && state.demo.is_none();
    let console = html! {
        <Console results={panels.console.clone()} lecture_row_exists={panels.lecture_row_exists} on_action={on_action.clone()} />
    };
    let request_log =
        |rows: usize| html! { <RequestLog requests={panels.requests[..rows.min(panels.requests.len())].to_vec()} /> };
    let export_history = {
        let (page, on_action) = (page.clone(), on_action.clone());
        Callback::from(move |format: HistoryFormat| {
            let state = page.borrow();
            let history = view::shown_history(state.sim());
            let (file, text, kind) = match format {
                HistoryFormat::Json => ("history.json", history_file::to_json(&history), "application/json"),
                HistoryFormat::Edn => ("history.edn", history_file::to_edn(&history), "application/edn"),
            };
            if let Err(reason) = browser::download(file, kind, &text) {
                on_action.emit(Action::Notice(format!("the history could not be exported: {reason}")));
            }
        })
    };
    let history = || {
        html! { <HistoryPanel view={panels.history.clone()} large={picture_layout.large} on_export={export_history.clone()} /> }
    };
    let event_log =
        |rows: usize| html! { <EventLog events={panels.events[..rows.min(panels.events.len())].to_vec()} /> };
    let watched_panel = |&id: &&str| match id {
        "request-log" => request_log(view::STAGE_REQUEST_ROWS),
        "event-log" => event_log(view::STAGE_EVENT_ROWS),
        "history" => history(),
        chart => charts(&panels, |id| id == chart),
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
                    <DemoMenu on_action={on_action.clone()} />
                    <SessionBar now={sim.now()} furthest={state.run.recording().furthest().max(sim.now())} replay={state.replay} fragment={AttrValue::from(fragment.to_string())} on_report={download_report.clone()} on_action={on_action.clone()} />
                } else {
                    <DemoMenu on_action={on_action.clone()} />
                    { controls }
                    <SessionBar now={sim.now()} furthest={state.run.recording().furthest().max(sim.now())} replay={state.replay} fragment={AttrValue::from(fragment.to_string())} on_report={download_report.clone()} on_action={on_action.clone()} />
                    <div class="stage">
                        { picture }
                        <StatsPanel stats={panels.stats} caption={counters_caption} />
                    </div>
                }
                <CompareControls config={config.clone()} on_action={on_action.clone()}
                    comparison={state.comparison.as_ref().map(|comparison| (AttrValue::from(comparison.change.setting.key), AttrValue::from(comparison.change.value.clone())))} />
                if !staged {
                    { compare_table.unwrap_or_default() }
                }
                if !console_on_stage { { console } }
                { charts(&panels, |id| !layout.moved(id)) }
                <section class="data" aria-label="Data on each node">
                    { for panels.cards.first().map(|master| card(master, &on_action)) }
                    <div class="replicas">
                        if panels.cards.len() <= 1 {
                            <p class="empty">{ "No replicas: the master serves every read, as a single database does." }</p>
                        }
                        { for panels.cards.iter().skip(1).map(|replica| card(replica, &on_action)) }
                    </div>
                    if !panels.read_side_cards.is_empty() {
                        <div class="replicas read-side-cards">
                            { for panels.read_side_cards.iter().cloned().map(|card| html! { <ReadSideMachineCard card={card} on_action={on_action.clone()} /> }) }
                        </div>
                    }
                </section>
                if !layout.moved("history") { { history() } }
                <div class="logs">
                    if !layout.moved("request-log") { { request_log(view::LOG_IN_FLIGHT) } }
                    if !layout.moved("event-log") { { event_log(view::EVENT_ROWS) } }
                </div>
                <SettingsPanel config={config.clone()} last_rate={state.last_rate} on_action={on_action.clone()} />
            </main>
            <PrintReport report={(*print_report).clone()} />
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
}

/// A run's picture, as the topology component takes it.
fn picture_props(
    run: &Simulation,
    selected: Option<NodeRef>,
    PictureLayout { portrait, large, fill_height, compact }: PictureLayout,
    test_ids: bool,
    on_action: &Callback<Action>,
) -> super::topology::TopologyProps {
    let view::Picture { master, replicas, dots, drawn_one_in, replication, queue_limit, read_side } =
        view::picture(run);
    super::topology::TopologyProps {
        read_side,
        master,
        replicas,
        dots,
        drawn_one_in,
        replication,
        queue_limit,
        selected,
        portrait,
        large,
        compact,
        fill_height,
        test_ids,
        actions: Html::default(),
        on_action: on_action.clone(),
    }
}

/// Both runs' pictures, next to each other.
fn compared_runs(
    sim: &Simulation,
    other: &Simulation,
    (a_title, b_title): &(AttrValue, AttrValue),
    layout: PictureLayout,
    on_action: &Callback<Action>,
) -> Html {
    let layout = PictureLayout { compact: true, ..layout };
    html! {
        <div class="beside-pictures" data-testid="side-by-side" aria-label="Two runs side by side">
            <div class="beside-run" data-testid="compare-a">
                <h3>{ a_title.clone() }</h3>
                <Topology ..picture_props(sim, None, layout, true, on_action) />
            </div>
            <div class="beside-run" data-testid="compare-b">
                <h3>{ b_title.clone() }</h3>
                <Topology ..picture_props(other, None, layout, false, on_action) />
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

/// The report of the run as it is now (see `report`), with the history panel's verdicts.
/// `measured`: the runs side by side's tables, when one runs beside.
fn make_report(state: &PlaygroundState, history: &view::HistoryView, measured: Option<&compare::Measured>) -> Report {
    let sim = state.sim();
    report::report(&report::Made {
        sim,
        beside: (state.comparison.as_ref().zip(measured))
            .map(|(beside, measured)| (beside.change.setting, beside.change.value.as_str(), beside.sim(), measured)),
        link: link::shareable(&browser::page_address(), &state.fragment, sim.now()),
        made_at: browser::utc_minute(),
        replay: state.replay,
        demo: state.demo,
        history,
    })
}

/// What the page opens with; a kept session that could not be read is forgotten.
fn initial_opening() -> (Opening, Vec<String>) {
    let on_load = link::open_on_load(&browser::current_fragment(), browser::stored_session());
    if on_load.forget_stored {
        browser::forget_session();
    }
    (on_load.opening, on_load.notices)
}
