//! The lecture demos: a menu of links, and for the demo being shown, its step's narration,
//! what to watch (highlighted on the page), and the way to the next and previous steps.

use yew::prelude::*;

use super::state::{Action, DemoAt};
use crate::demos::{DEMOS, Demo};
use crate::share::link;

#[derive(Properties, PartialEq)]
pub struct DemoMenuProps {
    pub on_action: Callback<Action>,
}

#[component]
pub fn DemoMenu(props: &DemoMenuProps) -> Html {
    html! {
        <details class="demo-menu">
            <summary>{ "Lecture demos" }</summary>
            <ol>
                { for DEMOS.iter().map(|demo| {
                    let open = props.on_action.reform(move |event: MouseEvent| {
                        // The link is there to be shared; opening it here needs no page load.
                        event.prevent_default();
                        Action::OpenDemo(demo, 1)
                    });
                    html! {
                        <li>
                            <a data-testid="demo-link" href={format!("#{}", link::demo(demo.name, 1))} onclick={open}>{ demo.title }</a>
                            <span class="demo-section">{ demo.section }</span>
                        </li>
                    }
                }) }
            </ol>
        </details>
    }
}

#[derive(Properties)]
pub struct DemoPanelProps {
    pub at: DemoAt,
    /// The run is paused (at the step's claim, once it has come true).
    pub paused: bool,
    pub on_action: Callback<Action>,
}

impl PartialEq for DemoPanelProps {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.at.demo, other.at.demo)
            && self.at.step == other.at.step
            && self.at.claimed == other.at.claimed
            && self.at.touched == other.at.touched
            && self.paused == other.paused
            && self.on_action == other.on_action
    }
}

#[component]
pub fn DemoPanel(props: &DemoPanelProps) -> Html {
    let DemoAt { demo, step, claimed, touched } = props.at;
    let definition = props.at.step();
    let count = demo.steps.len();
    let go = |to: usize| -> Callback<MouseEvent> {
        let demo: &'static Demo = demo;
        props.on_action.reform(move |_| Action::OpenDemo(demo, to))
    };
    let watch: Vec<String> = props.at.staging().watch.iter().map(|id| watch_label(id)).collect();
    use_effect_with(claimed, |claimed| {
        if *claimed {
            super::browser::reveal_watched();
        }
    });
    html! {
        <section class={classes!("demo-panel", claimed.then_some("claimed"))} aria-label="Lecture demo" data-testid="demo-panel">
            <header>
                <p class="demo-title"><strong>{ demo.title }</strong><span class="demo-section">{ format!(" · lecture: {}", demo.section) }</span></p>
                <span class="demo-step" data-testid="demo-step" aria-label={format!("step {step} of {count}")}>{ format!("{step}/{count}") }</span>
            </header>
            <h2>{ definition.title }</h2>
            <p class="narration">{ definition.narration }</p>
            if !definition.aside.is_empty() {
                <details class="aside" data-testid="demo-aside">
                    <summary>{ "In real systems" }</summary>
                    { definition.aside }
                </details>
            }
            <p class="watch">{ format!("Watch {}.", list(&watch)) }</p>
            if claimed {
                <p class="claim" role="status" data-testid="demo-claim">
                    if props.paused { <strong>{ "Paused here: " }</strong> }
                    { definition.claim }
                    if props.paused {
                        <span class="then">{ if step < count { " Play goes on; Next for the next step." } else { " Play goes on; this was the last step." } }</span>
                    }
                </p>
            } else if touched {
                <p class="claim touched" role="status">{ "You have taken over: the run is yours. Run this step again to see it as narrated." }</p>
            }
            <div class="demo-buttons">
                <button data-testid="demo-prev" disabled={step == 1} onclick={go(step.saturating_sub(1).max(1))}>{ "← Previous" }</button>
                <button data-testid="demo-restart" onclick={go(step)}>{ "Run this step again" }</button>
                <button class="primary" data-testid="demo-next" disabled={step == count} onclick={go((step + 1).min(count))}>{ "Next →" }</button>
                <button data-testid="demo-leave" onclick={props.on_action.reform(|_| Action::LeaveDemo)}>{ "Leave the demo" }</button>
            </div>
        </section>
    }
}

/// What the current demo step asks the audience to watch, by test id: the elements carrying
/// those ids mark themselves with `data-watched`, which the stylesheet outlines. Provided by
/// the page; empty outside a demo.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Watched(pub &'static [&'static str]);

impl Watched {
    /// The `data-watched` attribute of the element with test id `id`: there when it is watched.
    pub fn mark(&self, id: &str) -> Option<&'static str> {
        self.0.contains(&id).then_some("true")
    }
}

/// What the current demo step asks to watch.
#[hook]
pub fn use_watched() -> Watched {
    use_context::<Watched>().unwrap_or_default()
}

/// `a, b and c`.
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// What a highlighted element is, in words.
fn watch_label(id: &str) -> String {
    match id {
        "node-master" => "the master".to_string(),
        "compare-table" => "the table comparing the two runs".to_string(),
        "stat-writes" => "the writes acknowledged".to_string(),
        "stat-reads" => "the reads answered".to_string(),
        "stat-stale-reads" => "the stale reads".to_string(),
        "stat-ryw-violations" => "the read-your-writes violations".to_string(),
        "stat-lost-writes" => "the lost writes".to_string(),
        "chart-latency" => "the latency chart".to_string(),
        "chart-throughput" => "the throughput chart".to_string(),
        "chart-lag" => "the replication lag chart".to_string(),
        "chart-stale" => "the stale-read chart".to_string(),
        "request-log" => "the request log".to_string(),
        "event-log" => "the cluster events".to_string(),
        "history" => "the history and its verdicts".to_string(),
        other => match (other.strip_prefix("node-replica-"), other.strip_prefix("link-replica-")) {
            (Some(number), _) => format!("replica {number}"),
            (_, Some(number)) => format!("the link to replica {number}"),
            _ => other.replace('-', " "),
        },
    }
}
