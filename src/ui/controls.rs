//! The control bar: fire requests, choose the replication mode, replica count and delay, and
//! drive simulated time.

use yew::prelude::*;

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
    let send = |make: fn() -> Action| {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(make()))
    };
    let on_mode = {
        let on_action = props.on_action.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            on_action.emit(match select.value().parse::<Mode>() {
                Ok(mode) => Action::Command(Command::SetMode(mode)),
                Err(error) => Action::Refuse(error.to_string()),
            });
        })
    };
    let on_replicas = number_input(&props.on_action, "replicas", |n| Command::SetReplicas(usize::try_from(n).unwrap_or(usize::MAX)));
    let on_lag = number_input(&props.on_action, "lag", Command::SetLag);
    let on_speed = {
        let on_action = props.on_action.clone();
        Callback::from(move |event: Event| {
            let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
            on_action.emit(match select.value().parse::<f64>() {
                Ok(speed) if SPEEDS.contains(&speed) => Action::SetSpeed(speed),
                _ => Action::Refuse(format!("speed must be one of the listed values, got \"{}\"", select.value())),
            });
        })
    };

    html! {
        <section class="controls" aria-label="Controls">
            <div class="group">
                <button class="primary" data-testid="write" onclick={send(|| Action::Command(Command::WriteRandom))}
                    title="Send one write (a random user gets a new name) to the master">{ "Write" }</button>
                <button class="primary" data-testid="read" onclick={send(|| Action::Command(Command::ReadLastWritten))}
                    title="Read the user written last, from the next replica in turn">{ "Read" }</button>
            </div>
            <div class="group">
                <label>{ "Replication " }
                    <select data-testid="mode" onchange={on_mode} title="sync: the master waits for every replica to apply a write before acknowledging it (PostgreSQL synchronous_commit = remote_apply). async: it acknowledges at once.">
                        { for Mode::ALL.iter().map(|mode| html! {
                            <option value={mode.as_str()} selected={*mode == props.config.mode}>{ mode.as_str() }</option>
                        }) }
                    </select>
                </label>
                <label>{ "Replicas " }
                    <input data-testid="replicas" type="number" min="0" max={MAX_REPLICAS.to_string()}
                        value={props.config.replicas.to_string()} onchange={on_replicas} />
                </label>
                <label>{ "Lag (ms) " }
                    <input data-testid="lag" type="number" min="0" max={MAX_LAG_MS.to_string()} step="100"
                        value={props.config.lag_ms.to_string()} onchange={on_lag} />
                </label>
            </div>
            <div class="group">
                <button data-testid="pause" onclick={send(|| Action::TogglePause)} aria-pressed={props.paused.to_string()}>
                    { if props.paused { "▶ Play" } else { "⏸ Pause" } }
                </button>
                <label>{ "Speed " }
                    <select data-testid="speed" onchange={on_speed}>
                        { for SPEEDS.iter().map(|speed| html! {
                            <option value={speed.to_string()} selected={*speed == props.speed}>{ format!("{speed}×") }</option>
                        }) }
                    </select>
                </label>
                <button data-testid="reset" onclick={send(|| Action::Reset)} title="Start again from time zero with the same settings and seed">{ "Reset" }</button>
                <span class="clock" data-testid="clock">{ format!("t = {}", props.now) }</span>
                <span class="seed">{ format!("seed {}", props.config.seed) }</span>
            </div>
        </section>
    }
}

/// A number field whose value becomes a command, or a message saying what was wrong with it.
fn number_input(on_action: &Callback<Action>, name: &'static str, command: fn(u64) -> Command) -> Callback<Event> {
    let on_action = on_action.clone();
    Callback::from(move |event: Event| {
        let input: web_sys::HtmlInputElement = event.target_unchecked_into();
        let text = input.value();
        on_action.emit(match text.trim().parse::<u64>() {
            Ok(n) => Action::Command(command(n)),
            Err(_) => Action::Refuse(format!("{name} must be a whole number, got \"{text}\"")),
        });
    })
}
