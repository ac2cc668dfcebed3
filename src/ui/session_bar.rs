//! The run's timeline and the ways to keep or pass on a session: rewind to any moment, share
//! a link that reopens this moment, export to a file, import one.

use yew::prelude::*;

use super::browser;
use super::link;
use super::session_file;
use super::state::Action;
use crate::sim::time::Time;

#[derive(Properties, PartialEq)]
pub struct SessionBarProps {
    pub now: Time,
    pub furthest: Time,
    /// The link that replays the run (without a moment).
    pub fragment: AttrValue,
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
        let (shared, fragment) = (shared.clone(), fragment.clone());
        Callback::from(move |_: MouseEvent| {
            let page = web_sys::window().and_then(|window| window.location().href().ok()).unwrap_or_default();
            let base = page.split('#').next().unwrap_or_default().to_string();
            shared.set(Some(format!("{base}#{}", link::at_moment(&fragment, now))));
        })
    };
    let export = {
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| {
            let file = session_file::to_json(&link::at_moment(&fragment, now));
            if let Err(reason) = browser::download("playground-session.json", &file) {
                on_action.emit(Action::Refuse(format!("the session could not be exported: {reason}")));
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
                let opened = text.and_then(|text| session_file::from_json(&text)).and_then(|fragment| {
                    let (opening, problems) = link::open(&fragment);
                    if problems.is_empty() { Ok(opening) } else { Err(problems.join("; ")) }
                });
                on_action.emit(match opened {
                    Ok(opening) => Action::Open(opening, vec![]),
                    Err(reason) => {
                        Action::Refuse(format!("the file was not imported: {reason}; the current session stays"))
                    }
                });
            });
        })
    };
    let ms = |time: Time| time.as_micros() as f64 / 1_000.0;
    html! {
        <section class="session-bar" aria-label="Timeline and sharing">
            <label class="timeline">{ "Timeline" }
                <input type="range" data-testid="timeline" min="0" max={format!("{:.3}", ms(props.furthest))} step="any"
                    value={format!("{:.3}", ms(props.now))} oninput={seek}
                    aria-valuetext={format!("{} of {}", props.now, props.furthest)} />
            </label>
            <span class="timeline-label">{ format!("{} / {}", props.now, props.furthest) }</span>
            <button data-testid="share" onclick={share} title="A link that reopens this run at this moment">{ "Share link" }</button>
            <button data-testid="export" onclick={export}>{ "Export" }</button>
            <label class="import">{ "Import " }
                <input type="file" data-testid="import" accept=".json,application/json" onchange={import} />
            </label>
            if let Some(url) = &*shared {
                <input class="share-link" data-testid="share-link" readonly=true value={url.clone()} aria-label="Link to this moment" />
            }
        </section>
    }
}
