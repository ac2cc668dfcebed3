//! What happened to the cluster: crashes, partitions, fallbacks, failovers, lost writes.

use yew::prelude::*;

use super::demo_panel::use_watched;
use crate::sim::events::ClusterEvent;

#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    /// Newest first.
    pub events: Vec<ClusterEvent>,
}

#[component]
pub fn EventLog(props: &EventLogProps) -> Html {
    let watched = use_watched();
    html! {
        <section class="log events" aria-label="Cluster events">
            <h2>{ "Cluster events" }</h2>
            if props.events.is_empty() {
                <p class="empty">{ "Nothing has happened to the cluster yet." }</p>
            }
            <ol data-testid="event-log" data-watched={watched.mark("event-log")}>
                { for props.events.iter().map(|event| html! {
                    <li>{ format!("t = {} · {}", event.at, event.describe()) }</li>
                }) }
            </ol>
        </section>
    }
}
