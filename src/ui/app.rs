//! The root component: owns the state, advances simulated time with real time, keeps the URL
//! fragment in step with the settings, and lays out the page.

use std::rc::Rc;

use yew::prelude::*;

use super::browser;
use super::charts::{Chart, Series};
use super::compare::{self, CompareControls, CompareTable};
use super::console::Console;
use super::controls::Controls;
use super::demo_panel::{DemoMenu, DemoPanel, Watched};
use super::event_log::EventLog;
use super::frame::{use_animation_frame, use_fragment_changes, use_shortcuts};
use super::help::Help;
use super::link::{self, Opening};
use super::node_card::{NodeCard, replica_progress, table_views};
use super::request_log::RequestLog;
use super::session_bar::SessionBar;
use super::settings_panel::SettingsPanel;
use super::state::{Action, Beside, PlaygroundState, Theme, shortcut};
use super::stats::StatsPanel;
use super::topology::{Dot, DotKind, NodeView, Place, Topology};
use crate::sim::metrics::{BUCKET, Bucket};
use crate::sim::network::{Endpoint, NodeId, Payload};
use crate::sim::node::Job;
use crate::sim::{Command, NodeRef, Simulation};

/// Messages drawn at once; more in flight are not drawn, to keep frames fast.
const MAX_DOTS: usize = 300;
/// Requests in flight handed to the request log, besides the finished ones the model keeps:
/// no more than it shows, as they are copied every frame.
const LOG_IN_FLIGHT: usize = 12;
const EVENT_ROWS: usize = 12;
/// Real milliseconds of model work in one frame (of ~16.7 at 60 Hz): the rest is left for
/// drawing, so the page keeps answering whatever the run asks for.
const FRAME_WORK_MS: f64 = 10.0;
/// Statements the SQL console shows.
const CONSOLE_ROWS: usize = 8;

#[component]
pub fn App() -> Html {
    let state = use_reducer(|| {
        let (opening, notices) = initial_opening();
        PlaygroundState::new(opening, notices, if browser::prefers_dark() { Theme::Dark } else { Theme::Light })
    });
    // One callback for the whole page, made once, so components whose other props did not
    // change are not redrawn every frame.
    let on_action = {
        let dispatcher = state.dispatcher();
        use_memo((), move |_| {
            Callback::from(move |action: Action| {
                super::crash::note_action(&action);
                dispatcher.dispatch(action)
            })
        })
    };
    {
        let on_action = (*on_action).clone();
        use_animation_frame(Callback::from(move |real_ms| {
            on_action.emit(Action::Tick { real_ms, budget: browser::frame_budget(FRAME_WORK_MS) })
        }));
    }
    {
        let on_action = (*on_action).clone();
        use_shortcuts(Callback::from(move |key: String| {
            if let Some(action) = shortcut(&key) {
                on_action.emit(action);
            }
        }));
    }
    {
        let on_action = (*on_action).clone();
        use_fragment_changes(Callback::from(move |fragment: String| {
            let (opening, problems) = link::open(&fragment);
            on_action.emit(Action::Open(opening, problems));
        }));
    }
    let config = state.config();
    let fragment = state.fragment.clone();
    let now = state.sim.borrow().now();
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

    let sim = state.sim.borrow();
    let requests: Vec<_> = sim.in_flight().rev().take(LOG_IN_FLIGHT).chain(sim.recent().rev()).cloned().collect();
    let events: Vec<_> = sim.events().rev().take(EVENT_ROWS).cloned().collect();
    let committed = sim.committed();
    let master = sim.master();
    let waiting = master.positions.applied.saturating_sub(sim.committed_lsn());
    let master_progress = match (waiting, sim.in_fallback()) {
        (_, true) => "fell back to async: not waiting for replicas".to_string(),
        (0, false) => "every logged write committed".to_string(),
        (1, false) => "1 write waiting for replicas".to_string(),
        (waiting, false) => format!("{waiting} writes waiting for replicas"),
    };
    let card = |id: NodeId, progress: String, data: &crate::sim::data::Database| {
        let node = sim.node(id);
        html! {
            <NodeCard
                node={sim.name(id)}
                state={sim.state(id)}
                applied_lsn={node.positions.applied}
                progress={AttrValue::from(progress)}
                reads_served={node.reads_served}
                load={node.current_ops() as u64}
                link_cut={node.link_cut}
                capacity={node.capacity}
                weight={node.weight}
                distance_ms={node.distance.as_micros() / 1_000}
                tables={table_views(data, committed)}
                on_action={on_action.clone()}
            />
        }
    };
    let generator_on = config.rate > 0;
    let toggle_generator = on_action.reform(|_: MouseEvent| Action::ToggleGenerator);

    let watched = Watched(state.demo.map_or(&[][..], |demo| demo.step().watch));
    html! {
        <ContextProvider<Watched> context={watched}>
        <div class={classes!("page", match state.theme { Theme::Light => "light", Theme::Dark => "dark" }, state.presenter.then_some("presenter"))}>
            <header class="masthead">
                <div>
                    <h1>{ "Replication Playground" }</h1>
                    <p class="tagline">
                        { "Writes go to the master, reads are spread over the replicas, and replication copies one to the others: synchronously (the master waits) or asynchronously (it does not, and a read can come back stale)." }
                    </p>
                </div>
                <div class="view-toggles">
                    <button data-testid="theme" onclick={on_action.reform(|_: MouseEvent| Action::ToggleTheme)}
                        aria-label="Switch between light and dark theme">{ match state.theme { Theme::Light => "Dark theme", Theme::Dark => "Light theme" } }</button>
                    <button data-testid="presenter" aria-pressed={state.presenter.to_string()}
                        onclick={on_action.reform(|_: MouseEvent| Action::TogglePresenter)}>{ "Presenter mode" }</button>
                    <button data-testid="help-button" aria-pressed={state.help_open.to_string()}
                        onclick={on_action.reform(|_: MouseEvent| Action::ToggleHelp)} aria-label="Keyboard shortcuts">{ "?" }</button>
                </div>
            </header>
            if state.help_open { <Help on_action={on_action.clone()} /> }
            if !state.notices.is_empty() {
                <div class="notices" role="alert" data-testid="notices">
                    <ul>{ for state.notices.iter().map(|notice| html! { <li>{ notice }</li> }) }</ul>
                    <button class="dismiss" onclick={on_action.reform(|_: MouseEvent| Action::DismissNotices)}>{ "Dismiss" }</button>
                </div>
            }
            <DemoMenu on_action={on_action.clone()} />
            if let Some(at) = state.demo {
                <DemoPanel {at} on_action={on_action.clone()} />
            }
            <Controls config={config.clone()} paused={state.paused} speed={state.speed} now={sim.now()} on_action={on_action.clone()} />
            <SessionBar now={sim.now()} furthest={state.recording.borrow().furthest().max(sim.now())} replay={state.replay} fragment={AttrValue::from(fragment.to_string())} on_action={on_action.clone()} />
            <div class="stage">
                <section class="picture" aria-label="Cluster">
                    <div class="traffic">
                        <button data-testid="generator" class={classes!(generator_on.then_some("running"))} aria-pressed={generator_on.to_string()} onclick={toggle_generator}>
                            { if generator_on { format!("Stop traffic ({}/s)", config.rate) } else { format!("Start traffic ({}/s)", state.last_rate) } }
                        </button>
                        <span class="traffic-note">{ format!("{}% reads over {} users from {} client{}", config.reads_percent, config.hot_keys, config.clients, if config.clients == 1 { "" } else { "s" }) }</span>
                    </div>
                    { picture(&sim, state.selected, &on_action) }
                    { selected_actions(&sim, state.selected, &on_action) }
                </section>
                <StatsPanel stats={*sim.stats()} />
            </div>
            <CompareControls config={config.clone()} on_action={on_action.clone()}
                beside={state.beside.as_ref().map(|beside| (AttrValue::from(beside.setting.key), AttrValue::from(beside.value.clone())))} />
            if let Some(beside) = &state.beside {
                { side_by_side(&sim, beside, &on_action) }
            }
            <Console results={console_results(&sim)} on_action={on_action.clone()} />
            { charts(&sim) }
            <section class="data" aria-label="Data on each node">
                { card(sim.master_id(), master_progress, committed) }
                <div class="replicas">
                    if sim.replica_ids().is_empty() {
                        <p class="empty">{ "No replicas: the master serves every read, as a single database does." }</p>
                    }
                    { for sim.replica_ids().into_iter().map(|id| {
                        let (behind, lag) = sim.lag(id);
                        card(id, replica_progress(behind, lag), &sim.node(id).data)
                    }) }
                </div>
            </section>
            <div class="logs">
                <RequestLog {requests} />
                <EventLog {events} />
            </div>
            <SettingsPanel config={config.clone()} on_action={on_action.clone()} />
        </div>
        </ContextProvider<Watched>>
    }
}

/// Both runs' pictures and their measurements, next to each other.
fn side_by_side(sim: &Simulation, beside: &Beside, on_action: &Callback<Action>) -> Html {
    let other = beside.sim.borrow();
    let a_title = format!("A: {} = {}", beside.setting.key, (beside.setting.get)(sim.config()));
    let b_title = format!("B: {} = {}", beside.setting.key, beside.value);
    let column = |run: &Simulation, title: &str, test_id: &'static str| {
        html! {
            <div class="beside-run" data-testid={test_id}>
                <h3>{ title.to_string() }</h3>
                { picture(run, None, on_action) }
            </div>
        }
    };
    html! {
        <section class="side-by-side-runs" data-testid="side-by-side" aria-label="Two runs side by side">
            <div class="beside-pictures">
                { column(sim, &a_title, "compare-a") }
                { column(&other, &b_title, "compare-b") }
            </div>
            <CompareTable a_title={a_title.clone()} b_title={b_title.clone()} rows={compare::rows(sim, &other)} />
        </section>
    }
}

/// The SQL console's latest statements, oldest first.
fn console_results(sim: &Simulation) -> Vec<crate::sim::request::RequestRecord> {
    let all: Vec<_> = sim.sql_requests().collect();
    all[all.len().saturating_sub(CONSOLE_ROWS)..].iter().map(|record| (*record).clone()).collect()
}

/// A run's topology picture.
fn picture(run: &Simulation, selected: Option<NodeRef>, on_action: &Callback<Action>) -> Html {
    html! {
        <Topology
            master={node_view(run, run.master_id())}
            replicas={run.replica_ids().into_iter().map(|id| node_view(run, id)).collect::<Vec<_>>()}
            dots={dots(run)}
            queue_limit={run.config().queue_limit}
            {selected}
            on_action={on_action.clone()}
        />
    }
}

fn node_view(sim: &Simulation, id: NodeId) -> NodeView {
    let node = sim.node(id);
    NodeView {
        name: sim.name(id),
        state: sim.state(id),
        applied_lsn: node.positions.applied,
        load: node.current_ops() as u64,
        lag: sim.lag(id).1,
        link_cut: node.link_cut,
    }
}

/// The messages in flight, as dots on their way.
fn dots(sim: &Simulation) -> Vec<Dot> {
    let now = sim.now();
    let place = |endpoint: Endpoint| match endpoint {
        Endpoint::Client(_) => Place::Clients,
        Endpoint::Node(id) => Place::Node(sim.name(id)),
    };
    sim.messages()
        .take(MAX_DOTS)
        .map(|(arrives, message)| {
            let span = (arrives - message.sent_at).as_micros().max(1) as f64;
            let kind = match &message.payload {
                Payload::Request(Job::Write { .. } | Job::Execute { .. }) => DotKind::Write,
                Payload::Request(Job::Read { .. }) => DotKind::Read,
                Payload::Reply { error: None, .. } => DotKind::Reply,
                Payload::Reply { error: Some(_), .. } => DotKind::Error,
                Payload::Replicate { .. } => DotKind::Replicate,
                Payload::Ack { .. } => DotKind::Ack,
            };
            Dot {
                from: place(message.from),
                to: place(message.to),
                progress: ((now - message.sent_at).as_micros() as f64 / span).clamp(0.0, 1.0),
                kind,
            }
        })
        .collect()
}

/// The actions for the node picked in the picture.
fn selected_actions(sim: &Simulation, selected: Option<NodeRef>, on_action: &Callback<Action>) -> Html {
    let Some(name) = selected else { return html! {} };
    let Ok(id) = sim.resolve(name) else { return html! {} };
    let node = sim.node(id);
    let act = |command: Command| on_action.reform(move |_: MouseEvent| Action::Command(command.clone()));
    let is_replica = name != NodeRef::Master;
    html! {
        <div class="selected-actions" data-testid="selected-actions" role="group" aria-label={format!("Actions for {name}")}>
            <strong>{ name.to_string() }</strong>
            if node.is_up() {
                <button onclick={act(Command::Crash(name))}>{ "Crash" }</button>
            } else {
                <button onclick={act(Command::Restart(name))}>{ "Restart" }</button>
            }
            if is_replica && node.is_up() {
                <button onclick={act(Command::Promote(Some(name)))}>{ "Promote to master" }</button>
            }
            if is_replica && node.link_cut {
                <button onclick={act(Command::HealLink(name))}>{ "Heal link" }</button>
            } else if is_replica {
                <button onclick={act(Command::CutLink(name))}>{ "Cut link" }</button>
            }
            if !is_replica && !node.is_up() {
                <button onclick={act(Command::Promote(None))}>{ "Fail over to the best replica" }</button>
            }
            <button onclick={on_action.reform(|_: MouseEvent| Action::Select(None))} aria-label="Deselect">{ "×" }</button>
        </div>
    }
}

/// Throughput, latency, lag per replica and stale-read rate over the last minute.
fn charts(sim: &Simulation) -> Html {
    let buckets: Vec<&Bucket> = sim.metrics().buckets().collect();
    let series = |values: Vec<f64>| Rc::new(values);
    let latency =
        |q| series(buckets.iter().map(|b| b.latency_quantile(q).map_or(0.0, |t| t.as_millis_f64())).collect());
    let lag_series: Vec<Series> = sim
        .replica_ids()
        .into_iter()
        .map(|id| Series {
            name: sim.label(id).into(),
            class: "lag",
            values: series(buckets.iter().map(|b| b.nodes.get(id.0).map_or(0.0, |n| n.lag.as_millis_f64())).collect()),
        })
        .collect();
    let bucket_seconds = BUCKET.as_micros() as f64 / 1e6;
    html! {
        <section class="charts" aria-label="Charts">
            <Chart title="Throughput" test_id="chart-throughput" unit="/s" {bucket_seconds} series={vec![
                Series { name: "done".into(), class: "throughput", values: series(buckets.iter().map(|b| b.throughput()).collect()) },
            ]} />
            <Chart title="Latency" test_id="chart-latency" unit=" ms" {bucket_seconds} series={vec![
                Series { name: "p50".into(), class: "p50", values: latency(0.5) },
                Series { name: "p99".into(), class: "p99", values: latency(0.99) },
            ]} />
            <Chart title="Replication lag" test_id="chart-lag" unit=" ms" {bucket_seconds} series={lag_series} />
            <Chart title="Stale reads" test_id="chart-stale" unit="%" {bucket_seconds} series={vec![
                Series { name: "stale".into(), class: "stale", values: series(buckets.iter().map(|b| 100.0 * b.stale_rate()).collect()) },
            ]} />
        </section>
    }
}

/// What the page opens with; a kept session that could not be read is forgotten.
fn initial_opening() -> (Opening, Vec<String>) {
    let on_load = link::open_on_load(&browser::current_fragment(), browser::stored_session());
    if on_load.forget_stored {
        browser::forget_session();
    }
    (on_load.opening, on_load.notices)
}
