//! The run's timeline and the ways to keep or pass on a session: rewind to any moment, share
//! a link that reopens this moment, export to a file, import one.

use yew::prelude::*;

use super::browser;
use super::state::{Action, Replay};
use crate::share::link;
use crate::share::session_file;
use crate::sim::time::Time;

#[derive(Properties, PartialEq)]
pub struct SessionBarProps {
    pub now: Time,
    pub furthest: Time,
    /// A replay under way: the timeline shows where it is going, and its progress is shown.
    pub replay: Option<Replay>,
    /// The link that replays the run (without a moment).
    pub fragment: AttrValue,
    /// Downloads the report (`report.md`).
    pub on_report: Callback<MouseEvent>,
    pub on_action: Callback<Action>,
}

#[component]
pub fn SessionBar(props: &SessionBarProps) -> Html {
    let shared = use_state(|| None::<String>);
    let seek = props.on_action.reform(|event: InputEvent| {
        let input: web_sys::HtmlInputElement = event.target_unchecked_into();
        Action::Seek(Time((input.value_as_number().max(0.0) * 1_000.0) as u64))
    });
    // The link to this moment is written only when asked for, not on every frame.
    let (fragment, now) = (props.fragment.clone(), props.now);
    let share = {
        let (shared, fragment, on_action) = (shared.clone(), fragment.clone(), props.on_action.clone());
        Callback::from(move |_: MouseEvent| match link::shareable(&browser::page_address(), &fragment, now) {
            Ok(url) => shared.set(Some(url)),
            Err(reason) => {
                shared.set(None);
                on_action.emit(Action::Notice(reason));
            }
        })
    };
    let export = {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| {
            let file = session_file::to_json(&link::at_moment(&fragment, now));
            if let Err(reason) = browser::download("playground-session.json", "application/json", &file) {
                on_action.emit(Action::Notice(format!("the session could not be exported: {reason}")));
            }
        })
    };
    let import = {
        let on_action = props.on_action.clone();
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
            input.set_value("");
            let on_action = on_action.clone();
            browser::read_file(file, session_file::MAX_BYTES, move |text| {
                let opened = text
                    .and_then(|text| session_file::from_json(&text).map_err(|refusal| refusal.0))
                    .and_then(|fragment| {
                        let (opening, problems) = link::open(&fragment);
                        if problems.is_empty() { Ok(opening) } else { Err(problems.join("; ")) }
                    });
                on_action.emit(match opened {
                    Ok(opening) => Action::Open(opening, vec![]),
                    Err(reason) => {
                        Action::Notice(format!("the file was not imported: {reason}; the current session stays"))
                    }
                });
            });
        })
    };
    let ms = |time: Time| time.as_micros() as f64 / 1_000.0;
    let shown = props.replay.map_or(props.now, |replay| replay.target);
    html! {
        <section class="session-bar" aria-label="Timeline and sharing">
            <label class="timeline">{ "Timeline" }
                <input type="range" data-testid="timeline" min="0" max={format!("{:.3}", ms(props.furthest.max(shown)))} step="any"
                    value={format!("{:.3}", ms(shown))} oninput={seek}
                    aria-valuetext={format!("{} of {}", shown.as_clock(), props.furthest.as_clock())} />
            </label>
            <span class="timeline-label">{ format!("{} / {}", props.now.as_clock(), props.furthest.as_clock()) }</span>
            if let Some(replay) = props.replay {
                { replay_progress(replay, props.now, &props.on_action) }
            }
            <button data-testid="share" onclick={share} title="A link that reopens this run at this moment">{ "Share link" }</button>
            <button data-testid="export" onclick={export} title="A file that reopens this run at this moment (Import opens it)">{ "Export" }</button>
            <button data-testid="report" onclick={props.on_report.clone()}
                title="A report to hand in (report.md): settings, counters, the lecture's tables, the verdicts and the link; File → Print prints the same">{ "Download report" }</button>
            <label class="import">{ "Import " }
                <input type="file" data-testid="import" accept=".json,application/json" onchange={import} />
            </label>
            if let Some(url) = &*shared {
                <input class="share-link" data-testid="share-link" readonly=true value={url.clone()} aria-label="Link to this moment" />
            }
        </section>
    }
}

/// How far a replay has got, with a way to stop it there.
fn replay_progress(replay: Replay, now: Time, on_action: &Callback<Action>) -> Html {
    let span = (replay.target - replay.from).as_micros().max(1);
    let permille = ((now - replay.from).as_micros().min(span) as u128 * 1_000 / span as u128) as u64;
    html! {
        <div class="replay" role="status" data-testid="replay-progress">
            <span>{ format!("Replaying to {}: at {} ({}%)", replay.target.as_clock(), now.as_clock(), permille / 10) }</span>
            <progress max="1000" value={permille.to_string()} aria-label="Replay progress"></progress>
            <button data-testid="replay-cancel" onclick={on_action.reform(|_: MouseEvent| Action::CancelReplay)}
                title="Stop here: the run stays at the moment reached">{ "Cancel" }</button>
        </div>
    }
}
