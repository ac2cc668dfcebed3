//! A card of the read side (`read_side` mongodb): the connector's progress through the master's
//! slot, or a MongoDB member's documents, and the failure a lecturer can inflict on it.

use yew::prelude::*;

use super::state::Action;
use super::view::ReadSideCard;
use crate::sim::Command;

#[derive(Properties, PartialEq)]
pub struct ReadSideCardProps {
    pub card: ReadSideCard,
    pub on_action: Callback<Action>,
}

/// `data-testid="card-cdc-1"`, `"card-mongo-1"`, ...; its button `crash-cdc-1` or `restart-cdc-1`.
#[component]
pub fn ReadSideMachineCard(props: &ReadSideCardProps) -> Html {
    let view = &props.card.view;
    let state = if view.up { "up" } else { "down" };
    let (label, verb) = match props.card.action {
        Command::RestartReadSide(_) => ("Restart", "restart"),
        _ => ("Crash", "crash"),
    };
    let engine = if view.role == "connector" { "change data capture, as Debezium" } else { "MongoDB: the read model" };
    let command = props.card.action.clone();
    html! {
        <article class={classes!("node", "read-side", state)} data-testid={format!("card-{}", view.machine)}
            data-name={view.machine.clone()} aria-label={format!("{}, {}", view.machine, view.role)}>
            <header>
                <h2>{ view.machine.clone() }<span class="role">{ view.role }</span><span class="engine">{ engine }</span></h2>
                <span class={classes!("state", state)}>{ state }</span>
                <p class="lsn">{ "LSN " }<strong>{ view.lsn }</strong></p>
            </header>
            { for props.card.lines.iter().map(|line| html! { <p class="progress">{ line.clone() }</p> }) }
            <div class="node-actions">
                <button data-testid={format!("{verb}-{}", view.machine)}
                    onclick={props.on_action.reform(move |_: MouseEvent| Action::Command(command.clone()))}>{ label }</button>
            </div>
            if !props.card.documents.is_empty() {
                <ul class="documents" data-testid={format!("documents-{}", view.machine)}>
                    { for props.card.documents.iter().map(|document| html! { <li><code>{ document.clone() }</code></li> }) }
                </ul>
            }
        </article>
    }
}
