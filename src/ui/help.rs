//! The help, shown with `?`: the keyboard shortcuts, then the words the page uses.

use yew::prelude::*;

use super::glossary::{GLOSSARY, glossary_id};
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
            <header class="help-header">
                <h2 id="help-title">{ "Help" }</h2>
                <button onclick={close}>{ "Close" }</button>
            </header>
            <h3>{ "Keyboard shortcuts" }</h3>
            <dl>
                { for SHORTCUTS.iter().map(|(key, what)| html! { <><dt><kbd>{ *key }</kbd></dt><dd>{ *what }</dd></> }) }
            </dl>
            <section class="glossary" aria-labelledby="glossary-title" data-testid="glossary">
                <h3 id="glossary-title">{ "Words on this page" }</h3>
                <dl>
                    { for GLOSSARY.iter().map(|(term, explanation)| html! {
                        <div data-testid={glossary_id(term)}><dt>{ *term }</dt><dd>{ *explanation }</dd></div>
                    }) }
                </dl>
            </section>
        </div>
    }
}
