//! The counters a lecture points at: writes acknowledged, reads answered, and every way a read
//! or write went wrong.

use yew::prelude::*;

use super::demo_panel::{Watched, use_watched};
use super::view::{self, Counter};
use crate::sim::request::Stats;

#[derive(Properties, PartialEq)]
pub struct StatsPanelProps {
    pub stats: Stats,
    /// Whose counters these are, when it is not plain (two runs side by side).
    #[prop_or_default]
    pub caption: Option<AttrValue>,
}

#[component]
pub fn StatsPanel(props: &StatsPanelProps) -> Html {
    let watched = use_watched();
    html! {
        <section class="stats" aria-label="Counters">
            if let Some(caption) = &props.caption {
                <p class="stats-caption">{ caption.clone() }</p>
            }
            { for view::counters(&props.stats).into_iter().map(|shown| counter(&watched, shown)) }
        </section>
    }
}

/// One counter: its number in an element carrying the counter's test id. During a demo step
/// the counters it is about stand out and the others step back.
fn counter(watched: &Watched, Counter { label, test_id: id, value, note, alarm }: Counter) -> Html {
    let dimmed = !watched.0.is_empty() && watched.mark(id).is_none();
    html! {
        <div class={classes!("stat", alarm.then_some("alarm"), dimmed.then_some("dimmed"))}>
            <span class="label">{ label }</span>
            <span class="value" data-testid={id} data-watched={watched.mark(id)}>{ value }</span>
            <span class="note">{ note }</span>
        </div>
    }
}
