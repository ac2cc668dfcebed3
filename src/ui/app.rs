//! The root component: owns the state, advances simulated time with real time, keeps the URL
//! fragment in step with the settings, and lays out the page.

use std::cell::Cell;
use std::rc::Rc;

use gloo_timers::callback::Interval;
use yew::prelude::*;

use super::controls::Controls;
use super::event_log::EventLog;
use super::node_card::{NodeCard, replica_progress};
use super::request_log::RequestLog;
use super::settings_panel::SettingsPanel;
use super::state::{Action, PlaygroundState};
use super::stats::StatsPanel;
use super::url;
use crate::sim::data;
use crate::sim::network::NodeId;

/// How often the page advances the model and redraws, in real milliseconds.
const FRAME_MS: u32 = 33;
/// How many requests the log shows.
const LOG_ROWS: usize = 12;

#[component]
pub fn App() -> Html {
    let state = use_reducer(|| {
        let (config, notices) = url::parse_fragment(&current_fragment());
        PlaygroundState::new(config, notices)
    });

    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let last = Rc::new(Cell::new(now_ms()));
            let interval = Interval::new(FRAME_MS, move || {
                let now = now_ms();
                dispatcher.dispatch(Action::Tick {
                    real_ms: now - last.replace(now),
                });
            });
            move || drop(interval)
        });
    }

    let config = state.config();
    use_effect_with(config.clone(), |config| {
        replace_fragment(&url::to_fragment(config))
    });

    let on_action = {
        let dispatcher = state.dispatcher();
        Callback::from(move |action| dispatcher.dispatch(action))
    };
    let dismiss = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::DismissNotices))
    };

    let sim = state.sim.borrow();
    let log: Vec<_> = sim
        .in_flight()
        .rev()
        .chain(sim.recent().rev())
        .take(LOG_ROWS)
        .cloned()
        .collect();
    let events: Vec<_> = sim.events().rev().take(LOG_ROWS).cloned().collect();
    let committed = sim.committed().clone();
    let master = sim.master();
    let card = |id: NodeId, progress: String, table: data::Table| {
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
                {table}
                master_table={committed.clone()}
                on_action={on_action.clone()}
            />
        }
    };
    let waiting = master.positions.applied - sim.committed_lsn();
    let master_progress = match (waiting, sim.in_fallback()) {
        (_, true) => "fell back to async: not waiting for replicas".to_string(),
        (0, false) => "every logged write committed".to_string(),
        (1, false) => "1 write waiting for replicas".to_string(),
        (waiting, false) => format!("{waiting} writes waiting for replicas"),
    };

    html! {
        <div class="page">
            <header class="masthead">
                <h1>{ "Replication Playground" }</h1>
                <p class="tagline">
                    { "Writes go to the master, reads are spread over the replicas, and replication copies one to the others: synchronously (the master waits) or asynchronously (it does not, and a read can come back stale)." }
                </p>
            </header>
            if !state.notices.is_empty() {
                <div class="notices" role="alert" data-testid="notices">
                    <ul>{ for state.notices.iter().map(|notice| html! { <li>{ notice }</li> }) }</ul>
                    <button class="dismiss" onclick={dismiss}>{ "Dismiss" }</button>
                </div>
            }
            <Controls
                config={config.clone()}
                paused={state.paused}
                speed={state.speed}
                now={sim.now()}
                on_action={on_action.clone()}
            />
            <StatsPanel stats={*sim.stats()} />
            <section class="topology" aria-label="Nodes">
                { card(sim.master_id(), master_progress, committed.clone()) }
                <div class="replicas">
                    if sim.replica_ids().is_empty() {
                        <p class="empty">{ "No replicas: the master serves every read, as a single database does." }</p>
                    }
                    { for sim.replica_ids().into_iter().map(|id| {
                        let (behind, lag) = sim.lag(id);
                        card(id, replica_progress(behind, lag), sim.node(id).data.clone())
                    }) }
                </div>
            </section>
            <div class="logs">
                <RequestLog requests={log} />
                <EventLog {events} />
            </div>
            <SettingsPanel config={config.clone()} on_action={on_action.clone()} />
        </div>
    }
}

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|window| window.performance())
        .map_or(0.0, |performance| performance.now())
}

fn current_fragment() -> String {
    web_sys::window()
        .and_then(|window| window.location().hash().ok())
        .unwrap_or_default()
}

/// Rewrites the fragment without adding a history entry or scrolling.
fn replace_fragment(fragment: &str) {
    if let Some(window) = web_sys::window() {
        if let Ok(history) = window.history() {
            // Failing to update the address bar must not disturb the run, so errors are dropped.
            let _ = history.replace_state_with_url(
                &wasm_bindgen::JsValue::NULL,
                "",
                Some(&format!("#{fragment}")),
            );
        }
    }
}
