//! A control for every setting of the model, grouped, each explained in the lecture's words
//! with the real system setting it mirrors.

use yew::prelude::*;

use super::field::Field;
use super::state::Action;
use crate::sim::Command;
use crate::sim::config::{Config, Mode};
use crate::sim::settings::{self, Group, Input, SETTINGS, Setting};

#[derive(Properties, PartialEq)]
pub struct SettingsPanelProps {
    pub config: Config,
    /// The rate the traffic starts at, shown in the rate's field while it is stopped.
    pub last_rate: u64,
    pub on_action: Callback<Action>,
}

#[component]
pub fn SettingsPanel(props: &SettingsPanelProps) -> Html {
    html! {
        <section class="settings" aria-label="Settings">
            { for Group::ALL.iter().map(|&group| html! {
                <fieldset class="setting-group">
                    <legend>{ group.title() }</legend>
                    { for SETTINGS.iter().filter(|setting| setting.group == group).map(|setting| html! {
                        <div class="setting">
                            if setting.key == "rate" {
                                { rate_control(setting, &props.config, props.last_rate, &props.on_action) }
                            } else {
                                { control(setting, &props.config, &props.on_action) }
                            }
                            <p class="setting-help">{ setting.help }</p>
                        </div>
                    }) }
                </fieldset>
            }) }
        </section>
    }
}

/// The control for one setting: a `<select>` or a number field, whose data-testid is the
/// setting's link key. The test contract's `<select data-testid="mode">` is the `mode`
/// setting's control.
pub fn control(setting: &'static Setting, config: &Config, on_action: &Callback<Action>) -> Html {
    let on_text = {
        let config = config.clone();
        on_action.reform(move |text: String| change(&config, setting, &text))
    };
    let value = (setting.get)(config);
    match setting.input {
        Input::Choice(options) => {
            let onchange = on_text.reform(|event: Event| {
                let select: web_sys::HtmlSelectElement = event.target_unchecked_into();
                select.value()
            });
            let option = |option: String| {
                html! {
                    <option selected={option == value} value={option.clone()}>{ option }</option>
                }
            };
            let options = options(config);
            // The lecture's two modes lead; the real systems' finer levels sit apart, labelled.
            let is_mode = setting.key == "mode";
            let grouped = if is_mode {
                let lecture: Vec<&str> = Mode::LECTURE.iter().map(|mode| mode.as_str()).collect();
                let (first, advanced): (Vec<String>, Vec<String>) =
                    options.into_iter().partition(|option| lecture.contains(&option.as_str()));
                html! {
                    <>
                        <optgroup label="The lecture's modes">{ for first.into_iter().map(option) }</optgroup>
                        <optgroup label="Advanced (PostgreSQL, MySQL)">
                            { for advanced.into_iter().map(option) }
                        </optgroup>
                    </>
                }
            } else {
                html! { { for options.into_iter().map(option) } }
            };
            html! {
                <label title={setting.help}>{ setting.label }
                    // Sized by its values, not by its groups' labels (see style.css).
                    <select data-testid={setting.key} class={classes!(is_mode.then_some("grouped"))} {onchange}>{ grouped }</select>
                </label>
            }
        }
        Input::Number { min, max, step, .. } => html! {
            <Field label={setting.label} help={setting.help} test_id={setting.key}
                value={AttrValue::from(value)} number={Some((min, max, step))} on_commit={on_text} />
        },
        Input::Text { placeholder } => html! {
            <Field label={setting.label} help={setting.help} test_id={setting.key}
                value={AttrValue::from(value)} {placeholder} on_commit={on_text} />
        },
    }
}

/// The traffic's rate: while the traffic is stopped, the rate Start traffic runs it at, which
/// typing sets without starting it.
fn rate_control(setting: &'static Setting, config: &Config, last_rate: u64, on_action: &Callback<Action>) -> Html {
    let Input::Number { min, max, step, .. } = setting.input else { unreachable!("the rate is a number") };
    let shown = if config.rate > 0 { config.rate } else { last_rate };
    let on_commit = {
        let config = config.clone();
        on_action.reform(move |text: String| {
            let mut changed = config.clone();
            match settings::apply(&mut changed, setting, &text) {
                Ok(()) => Action::SetRate(changed.rate),
                Err(reason) => Action::Notice(reason.to_string()),
            }
        })
    };
    html! {
        <Field label={setting.label} help={setting.help} test_id={setting.key}
            value={AttrValue::from(shown.to_string())} number={Some((min, max, step))} {on_commit} />
    }
}

/// The action for a setting's new text: a refusal, a new run for a new seed, or new settings.
fn change(config: &Config, setting: &Setting, text: &str) -> Action {
    let mut changed = config.clone();
    match settings::apply(&mut changed, setting, text) {
        Err(reason) => Action::Notice(reason.to_string()),
        Ok(()) if changed.seed != config.seed => Action::NewRun(changed),
        Ok(()) => Action::Command(Command::Configure(changed.into())),
    }
}
