//! The keyboard shortcuts, shown with `?`.

use yew::prelude::*;

use super::state::{Action, SHORTCUTS};

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_action: Callback<Action>,
}

#[component]
pub fn Help(props: &HelpProps) -> Html {
    let close = props.on_action.reform(|_: MouseEvent| Action::ToggleHelp);
    html! {
        <div class="help" role="dialog" aria-modal="false" aria-labelledby="help-title" data-testid="help">
            <h2 id="help-title">{ "Keyboard shortcuts" }</h2>
            <dl>
                { for SHORTCUTS.iter().map(|(key, what)| html! { <><dt><kbd>{ *key }</kbd></dt><dd>{ *what }</dd></> }) }
            </dl>
            <button onclick={close}>{ "Close" }</button>
        </div>
    }
}
