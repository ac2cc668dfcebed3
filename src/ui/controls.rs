//! The control bar: fire requests, choose the replication mode, replica count and delay, and
//! drive simulated time.

use yew::prelude::*;

use super::number_field::NumberField;
use super::state::{Action, SPEEDS};
use crate::sim::Command;
use crate::sim::config::{Config, MAX_LAG_MS, MAX_REPLICAS, Mode};
use crate::sim::time::Time;

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub config: Config,
    pub paused: bool,
    pub speed: f64,
    pub now: Time,
    pub on_action: Callback<Action>,
}

#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let click = |make: fn() -> Action| props.on_action.reform(move |_: MouseEvent| make());
    let on_mode = on_select(&props.on_action, |value| match value.parse::<Mode>() {
        Ok(mode) => Action::Command(Command::SetMode(mode)),
        Err(error) => Action::Refuse(error.to_string()),
    });
    let on_replicas = on_select(&props.on_action, |value| match value.parse::<usize>() {
        Ok(count) => Action::Command(Command::SetReplicas(count)),
        Err(_) => Action::Refuse(format!("replicas must be a whole number, got \"{value}\"")),
    });
    let on_speed = on_select(&props.on_action, |value| match value.parse::<f64>() {
        Ok(speed) if SPEEDS.contains(&speed) => Action::SetSpeed(speed),
        _ => Action::Refuse(format!(
            "speed must be one of the listed values, got \"{value}\""
        )),
    });
    let on_lag = props
        .on_action
        .reform(|text: String| match text.trim().parse::<u64>() {
            Ok(lag_ms) => Action::Command(Command::SetLag(lag_ms)),
            Err(_) => Action::Refuse(format!(
                "lag must be a whole number of milliseconds, got \"{text}\""
            )),
        });

    html! {
        <section class="controls" aria-label="Controls">
            <div class="group">
                <button class="primary" data-testid="write" onclick={click(|| Action::Command(Command::WriteRandom))}
                    title="Send one write (a random user gets a new name) to the master">{ "Write" }</button>
                <button class="primary" data-testid="read" onclick={click(|| Action::Command(Command::ReadLastWritten))}
                    title="Read the user written last, from the next replica in turn">{ "Read" }</button>
            </div>
            <div class="group">
                <label>{ "Replication " }
                    <select data-testid="mode" onchange={on_mode}
                        title="sync: the master waits until every replica has applied a write before acknowledging it (PostgreSQL synchronous_commit = remote_apply). async: it acknowledges at once.">
                        { for Mode::ALL.iter().map(|mode| html! {
                            <option value={mode.as_str()} selected={*mode == props.config.mode}>{ mode.as_str() }</option>
                        }) }
                    </select>
                </label>
                <label>{ "Replicas " }
                    <select data-testid="replicas" onchange={on_replicas}>
                        { for (0..=MAX_REPLICAS).map(|count| html! {
                            <option value={count.to_string()} selected={count == props.config.replicas}>{ count }</option>
                        }) }
                    </select>
                </label>
                <NumberField label="Lag (ms)" test_id="lag" value={props.config.lag_ms} max={MAX_LAG_MS} step={100}
                    on_commit={on_lag} />
            </div>
            <div class="group">
                <button data-testid="pause" onclick={click(|| Action::TogglePause)} aria-pressed={props.paused.to_string()}>
                    { if props.paused { "Play" } else { "Pause" } }
                </button>
                <label>{ "Speed " }
                    <select data-testid="speed" onchange={on_speed}>
                        { for SPEEDS.iter().map(|speed| html! {
                            <option value={speed.to_string()} selected={*speed == props.speed}>{ format!("{speed}×") }</option>
                        }) }
                    </select>
                </label>
                <button data-testid="reset" onclick={click(|| Action::Reset)}
                    title="Start again from time zero with the same settings and seed">{ "Reset" }</button>
                <span class="clock" data-testid="clock">{ format!("t = {}", props.now) }</span>
                <span class="seed">{ format!("seed {}", props.config.seed) }</span>
            </div>
        </section>
    }
}

/// A `<select>` change handler that turns the chosen value into an action.
fn on_select(on_action: &Callback<Action>, to_action: fn(&str) -> Action) -> Callback<Event> {
    on_action.reform(move |event: Event| {
        let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
        to_action(&select.value())
    })
}
