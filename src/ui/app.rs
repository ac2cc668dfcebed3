//! The root component: owns the state, advances simulated time with real time, keeps the URL
//! fragment in step with the settings, and draws the page (`page.rs`) in place of the first
//! frame built ahead of time (`first_frame.rs`).

use std::rc::Rc;

use yew::prelude::*;

use super::browser;
use super::compare;
use super::frame::{use_animation_frame, use_fragment_changes, use_media_query, use_shortcuts};
use super::history::HistoryFormat;
use super::page::{self, Page};
use super::report::{self, Report};
use super::state::{Action, PlaygroundState, Theme, replaces_scrolling, shortcut};
use super::view;
use crate::share::history_file;
use crate::share::link::{self, Opening};

/// Screens this narrow get the picture top to bottom, so its labels stay readable.
pub const NARROW: &str = "(max-width: 640px)";

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
    let first_picture_sizes = *use_memo((), |_| browser::first_frame_picture_sizes());
    let judgements = use_memo((), |_| view::Judgements::default());
    let panels = use_memo(state.panels_revision, |_| view::panels(state.sim()));
    let later_panels = use_memo(state.later_panels_revision, |_| view::later_panels(state.sim(), &judgements));
    // The run beside's tables, like the panels, are worked out again only when they are.
    let measured = use_memo(state.panels_revision, |_| {
        state.comparison.as_ref().map(|comparison| compare::measure(state.sim(), comparison.sim()))
    });
    let print_report = use_memo(state.later_panels_revision, |_| {
        Rc::new(make_report(&state, &later_panels.history, measured.as_ref().as_ref()))
    });
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
    // The live page stands where the first frame built ahead of time stood, in the same task,
    // so no frame is painted between the two.
    use_effect_with((), |_| browser::remove_first_frame());
    page::draw(Page {
        state: &state,
        portrait,
        panels: &panels,
        later_panels: &later_panels,
        measured: measured.as_ref().as_ref(),
        print_report: (*print_report).clone(),
        on_action: (*on_action).clone(),
        on_report: download_report,
        on_export_history: export_history,
        first_screen_only: false,
        unmeasured: first_picture_sizes,
    })
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
