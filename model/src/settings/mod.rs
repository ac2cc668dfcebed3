//! Every setting of a run in one table, beside the config: its link key, its label and
//! explanation in the lecture's words (with the real system setting it mirrors), its range or
//! choices, how it is edited, and how it reads from and writes to a `Config` as text. The
//! config's own checks, the page's URL fragment and settings panel all work from this table, so
//! a new setting is added in one place (and its default in `Config::default`).

use crate::Refusal;
use crate::config::Config;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Traffic,
    Replication,
    Network,
    Routing,
    Load,
    Failures,
    /// Settings shown in the control bar, in the first screen, rather than the panel: the
    /// replication mode, the number of replicas, the seed.
    Run,
}

impl Group {
    /// The groups the settings panel shows, in order.
    pub const ALL: [Group; 6] =
        [Group::Traffic, Group::Replication, Group::Network, Group::Routing, Group::Load, Group::Failures];

    pub fn title(self) -> &'static str {
        match self {
            Group::Traffic => "Traffic",
            Group::Replication => "Replication",
            Group::Network => "Network",
            Group::Routing => "Read routing",
            Group::Load => "Load",
            Group::Failures => "Failures",
            Group::Run => "Run",
        }
    }
}

pub enum Input {
    /// One of the listed values (they depend on the rest of the config, e.g. quorum sizes).
    Choice(fn(&Config) -> Vec<String>),
    /// Free text, checked when it is set (e.g. a list of machine names).
    Text { placeholder: &'static str },
    /// A whole number from `min` to `max`.
    Number { min: u64, max: u64, step: u64, unit: &'static str },
}

pub struct Setting {
    pub key: &'static str,
    pub label: &'static str,
    pub group: Group,
    pub help: &'static str,
    pub input: Input,
    pub get: fn(&Config) -> String,
    /// Parses the text into the config; ranges are checked afterwards by `Config`.
    pub set: fn(&mut Config, &str) -> Result<(), Refusal>,
}

mod cqrs;
mod table;

pub use table::SETTINGS;

pub(super) fn number(key: &str, text: &str) -> Result<u64, Refusal> {
    text.trim().parse::<u64>().map_err(|_| Refusal::new(format!("{key} must be a whole number, got \"{text}\"")))
}

/// One of a setting's named values; the parser's message says which names there are.
pub(super) fn choice<T: std::str::FromStr<Err = Refusal>>(text: &str) -> Result<T, Refusal> {
    text.parse()
}

pub(super) fn on_off(key: &str, text: &str) -> Result<bool, Refusal> {
    match text {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err(Refusal::new(format!("{key} must be on or off, got \"{text}\""))),
    }
}

pub(super) fn names<T: Copy>(all: &[T], name: fn(T) -> &'static str) -> Vec<String> {
    all.iter().map(|&choice| name(choice).to_string()).collect()
}

pub(super) fn show_on_off(value: bool) -> String {
    (if value { "on" } else { "off" }).to_string()
}

/// Applies one setting's text to `config`, checked with what depends on it (the quorum against
/// the replicas), or says why it cannot.
pub fn apply(config: &mut Config, setting: &Setting, text: &str) -> Result<(), Refusal> {
    apply_checked(config, setting, text, Config::validate)
}

/// Applies one of several settings given together (a link's): checked on its own, as what
/// depends on others (the quorum) is checked once all are in.
pub fn apply_in_range(config: &mut Config, setting: &Setting, text: &str) -> Result<(), Refusal> {
    apply_checked(config, setting, text, Config::check_ranges)
}

/// Sets the setting on a copy, and keeps the copy only if `check` passes it.
fn apply_checked(
    config: &mut Config,
    setting: &Setting,
    text: &str,
    check: fn(&Config) -> Result<(), Refusal>,
) -> Result<(), Refusal> {
    let mut candidate = config.clone();
    (setting.set)(&mut candidate, text)?;
    check(&candidate)?;
    *config = candidate;
    Ok(())
}

/// Whether `value` is within the range the table gives the number setting `key`, for a quantity
/// of that kind set on one machine and `called` so (its capacity, its replication delay).
pub fn check_number(key: &str, called: &str, value: u64) -> Result<(), Refusal> {
    match find(key).map(|setting| &setting.input) {
        Some(&Input::Number { min, max, unit, .. }) => crate::config::check_range(called, value, min, max, unit),
        _ => unreachable!("{key} is a number setting"),
    }
}

pub fn find(key: &str) -> Option<&'static Setting> {
    SETTINGS.iter().find(|setting| setting.key == key)
}

/// The settings whose value in `config` is not their value in `from`, in the table's order.
pub fn changed<'a>(config: &'a Config, from: &'a Config) -> impl Iterator<Item = &'static Setting> + 'a {
    SETTINGS.iter().filter(move |setting| (setting.get)(config) != (setting.get)(from))
}
