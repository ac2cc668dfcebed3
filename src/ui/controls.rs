//! The control bar: fire requests, start the traffic, choose the replication mode and the
//! number of replicas, and drive simulated time.

use yew::prelude::*;

use super::settings_panel;
use super::state::{Action, SPEEDS};
use crate::sim::Command;
use crate::sim::config::Config;
use crate::sim::settings;
use crate::sim::time::Time;
use crate::sim::words::plural;

/// The client the Write and Read buttons act as.
const BUTTON_CLIENT: usize = 0;

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub config: Config,
    pub paused: bool,
    pub speed: f64,
    pub now: Time,
    /// The rate the traffic generator starts at.
    pub last_rate: u64,
    /// On the stage, where room is short: no Reset or seed (a demo step has "Run this step
    /// again"; Start fresh is at the top).
    #[prop_or_default]
    pub staged: bool,
    /// With a second run beside this one: the setting it differs in and run B's value. The
    /// toolbar's control for that setting is run A's alone, and says so (on the stage it is left
    /// out).
    #[prop_or_default]
    pub beside: Option<(AttrValue, AttrValue)>,
    pub on_action: Callback<Action>,
}

#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let click = |make: fn() -> Action| props.on_action.reform(move |_: MouseEvent| make());
    let on_speed = props.on_action.reform(|event: Event| {
        let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
        // Matched as the options write it: parsing it as a number would bring the standard
        // library's float parser and its tables (16 KB) into the wasm for this one list.
        match SPEEDS.iter().find(|speed| speed.to_string() == select.value()) {
            Some(&speed) => Action::SetSpeed(speed),
            None => Action::Notice(format!("speed must be one of the listed values, got \"{}\"", select.value())),
        }
    });
    let reset = {
        let config = props.config.clone();
        props.on_action.reform(move |_: MouseEvent| Action::NewRun(config.clone()))
    };
    let generator_on = props.config.rate > 0;
    let setting = |key: &str| {
        let control = settings_panel::control(settings::find(key).expect("a setting"), &props.config, &props.on_action);
        match &props.beside {
            // On the stage the two pictures' headings give both runs' values, and room is short.
            Some((compared, _)) if compared == key && props.staged => html! {},
            Some((compared, b_value)) if compared == key => html! {
                <span class="compared-setting">
                    { control }
                    <span class="run-b-setting" data-testid="run-b-setting">{ format!("in run A; run B: {b_value}") }</span>
                </span>
            },
            _ => control,
        }
    };

    html! {
        <section class="controls" aria-label="Controls">
            <div class="group">
                <button class="primary" data-testid="write" onclick={click(|| Action::Command(Command::WriteRandom { client: BUTTON_CLIENT }))}
                    title="Send one write (a random user gets a new name) to the master">{ "Write" }</button>
                <button class="primary" data-testid="read" onclick={click(|| Action::Command(Command::ReadLastWritten { client: BUTTON_CLIENT }))}
                    title="Read the user written last, routed as the read settings say">{ "Read" }</button>
                <button data-testid="generator" class={classes!(generator_on.then_some("running"))} aria-pressed={generator_on.to_string()}
                    onclick={click(|| Action::ToggleGenerator)}
                    title={format!("{}% reads over {} users from {} (Traffic settings)", props.config.reads_percent, props.config.hot_keys, plural(props.config.clients as u64, "client", "clients"))}>
                    { if generator_on { format!("Stop traffic ({}/s)", props.config.rate) } else { format!("Start traffic ({}/s)", props.last_rate) } }
                </button>
            </div>
            <div class="group replication-controls">
                { setting("mode") }
                { setting("replicas") }
                // Not on a demo's stage: the picture needs the room, and the demo sets it.
                if !props.staged {
                    { setting("read_side") }
                }
            </div>
            if !props.staged {
                <p class="mode-line" data-testid="mode-line">
                    <strong>{ props.config.mode.as_str() }</strong>{ format!(": {}.", props.config.mode.in_a_line()) }
                </p>
                { differs_from_defaults(&props.config, &props.on_action) }
            }
            <div class="group">
                <button data-testid="pause" onclick={click(|| Action::TogglePause)} aria-pressed={props.paused.to_string()}
                    title="Play or pause simulated time (space)">
                    { if props.paused { "Play" } else { "Pause" } }
                </button>
                <label>{ "Speed " }
                    <select data-testid="speed" onchange={on_speed}>
                        { for SPEEDS.iter().map(|speed| html! {
                            <option value={speed.to_string()} selected={*speed == props.speed}>{ format!("{speed}×") }</option>
                        }) }
                    </select>
                </label>
                <button data-testid="step" onclick={click(|| Action::Step)}
                    title="Pause and jump to the next event (→)">{ "Step" }</button>
                if !props.staged {
                    <button data-testid="reset" onclick={reset}
                        title="Start again from time zero with the same settings and seed">{ "Reset" }</button>
                }
                <span class="clock" data-testid="clock" aria-live="off">{ format!("t = {}", props.now) }</span>
                if !props.staged {
                    { setting("seed") }
                }
            </div>
        </section>
    }
}

/// When settings differ from their defaults (a demo's, a link's, the user's), which, with one
/// click back to the defaults. The seed and the traffic's rate are the run's own, not counted.
fn differs_from_defaults(config: &Config, on_action: &Callback<Action>) -> Html {
    let defaults = config.defaults_for_run();
    let changed: Vec<String> = settings::changed(config, &defaults)
        .map(|setting| format!("{} {} (default {})", setting.label, (setting.get)(config), (setting.get)(&defaults)))
        .collect();
    if changed.is_empty() {
        return html! {};
    }
    html! {
        <p class="settings-differ" data-testid="settings-differ">
            { format!("Not the defaults: {}. ", changed.join("; ")) }
            <button data-testid="settings-defaults" onclick={on_action.reform(|_: MouseEvent| Action::RestoreDefaults)}
                title="Every setting back to its default, in this run (the seed and the traffic's rate stay)">{ "Back to defaults" }</button>
        </p>
    }
}
