//! The page's first frame, built ahead of time: the model is deterministic, so what the plain
//! page and each demo's first step show before any time passes is known when the site is
//! built. The `prerender` crate renders this component to HTML at build time (Yew's server
//! renderer), so a visitor sees the real cluster while the wasm is still arriving; the live
//! page (`app.rs`) then takes its place. Nothing here touches the browser.

use std::rc::Rc;

use yew::prelude::*;

use super::compare;
use super::page::{self, Page, PictureSizes};
use super::report::Report;
use super::state::{PlaygroundState, Theme};
use super::view;
use crate::share::link;

#[derive(Properties, PartialEq)]
pub struct FirstFrameProps {
    /// The link the frame opens, as the address bar would hold it (`""`: the plain page).
    pub fragment: AttrValue,
    /// Drawn for a phone's narrow screen (`app::NARROW`).
    pub portrait: bool,
    /// The pictures' sizes on the screen the frame is built for (run A's, run B's).
    pub picture_sizes: PictureSizes,
}

/// The page as it opens `fragment`, before any time passes. Light theme: a visitor's dark
/// preference is applied by the stylesheet until the live page takes over.
#[component]
pub fn FirstFrame(props: &FirstFrameProps) -> Html {
    let (opening, _problems) = link::open(&props.fragment);
    let state = PlaygroundState::new(opening, Vec::new(), Theme::Light);
    let panels = view::panels(state.sim());
    let later_panels = view::later_panels(state.sim(), &view::Judgements::default());
    let measured = state.comparison.as_ref().map(|comparison| compare::measure(state.sim(), comparison.sim()));
    page::draw(Page {
        state: &state,
        portrait: props.portrait,
        panels: &panels,
        later_panels: &later_panels,
        measured: measured.as_ref(),
        // Not drawn: nothing is printed before the live page is there.
        print_report: Rc::new(Report { title: String::new(), sections: Vec::new() }),
        on_action: Callback::noop(),
        on_report: Callback::noop(),
        on_export_history: Callback::noop(),
        first_screen_only: true,
        unmeasured: props.picture_sizes,
    })
}
