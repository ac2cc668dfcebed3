//! An input that keeps what the user is typing while the page redraws many times a second,
//! and hands the text over only when the user commits it (Enter or leaving the field): a
//! number field, or a text field for a setting such as a list of names.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    pub label: AttrValue,
    /// What the setting does, shown on hover.
    pub help: AttrValue,
    pub test_id: AttrValue,
    /// The value in force; the field shows it again after a commit or when it changes.
    pub value: AttrValue,
    /// A number field's range and step; a text field has none.
    #[prop_or_default]
    pub number: Option<(u64, u64, u64)>,
    /// What an empty text field stands for.
    #[prop_or_default]
    pub placeholder: AttrValue,
    pub on_commit: Callback<String>,
}

#[component]
pub fn Field(props: &FieldProps) -> Html {
    let draft = use_state(|| props.value.to_string());
    {
        let draft = draft.clone();
        use_effect_with(props.value.clone(), move |value| draft.set(value.to_string()));
    }
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |event: InputEvent| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            draft.set(input.value());
        })
    };
    let onchange = {
        let draft = draft.clone();
        let on_commit = props.on_commit.clone();
        let value = props.value.clone();
        Callback::from(move |event: Event| {
            let input: web_sys::HtmlInputElement = event.target_unchecked_into();
            on_commit.emit(input.value());
            // A refused value gives way to the one in force; an accepted one arrives as the new
            // `value` and replaces this.
            draft.set(value.to_string());
        })
    };
    html! {
        <label title={props.help.clone()}>{ props.label.clone() }
            if let Some((min, max, step)) = props.number {
                <input data-testid={props.test_id.clone()} type="number" min={min.to_string()} max={max.to_string()}
                    step={step.to_string()} value={(*draft).clone()} {oninput} {onchange} />
            } else {
                <input data-testid={props.test_id.clone()} type="text" placeholder={props.placeholder.clone()}
                    spellcheck="false" value={(*draft).clone()} {oninput} {onchange} />
            }
        </label>
    }
}
