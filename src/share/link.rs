//! Links that reopen a whole session: the settings it started with, every command with its
//! moment, and optionally the moment to show. Such a link carries a format version and a
//! checksum, so an old or damaged one is recognised and refused with a clear message.
//!
//! `#replicas=3&mode=async&lag=1000&seed=1&v=1&start=...&act=...&t=...&sum=...`: the setting
//! keys are the current settings (as in a plain link), `start` the settings at time zero when
//! they differ, `act` the commands, `t` the moment in microseconds, `sum` a checksum of
//! everything before it. `beside=KEY:VALUE` (in a plain or a session link) opens a second run
//! beside it with that one setting changed. `#demo=NAME&step=N` opens a lecture demo instead.

use super::fragment;
use crate::sim::config::{Config, MAX_CLIENTS};
use crate::sim::ids::NodeId;
use crate::sim::settings;
use crate::sim::time::Time;
use crate::sim::{Command, NodeRef, Refusal};

/// The format of session links this page writes and reads.
pub const FORMAT: u32 = 1;

/// The longest link the page puts in the address bar or hands out to share: longer ones are
/// unwieldy in chat messages and slides, and some servers and browsers cut them.
pub const MAX_LINK_BYTES: usize = 8 * 1_024;

/// What a link asks the page to open. Made once per link opened, so its size does not matter.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Opening {
    Session { start: Config, script: Vec<(Time, Command)>, at: Option<Time>, beside: Option<Beside> },
    Demo { name: String, step: usize },
}

/// A second run beside a session's: the one setting it changes, and its value there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Beside {
    pub key: String,
    pub value: String,
}

impl Beside {
    /// `beside=KEY:VALUE`, as a link writes it.
    fn to_link(&self) -> String {
        format!("beside={}:{}", self.key, encode(&self.value))
    }

    /// The run beside a link asks for, if any; one that names no setting is refused.
    fn read(value: &dyn Fn(&str) -> Option<String>) -> Result<Option<Beside>, Refusal> {
        let Some(text) = value("beside") else { return Ok(None) };
        let bad = || Refusal::new(format!("its run beside (beside={text}) is not of the form setting:value"));
        let (key, encoded) = text.split_once(':').ok_or_else(bad)?;
        if settings::find(key).is_none() {
            return Err(Refusal::new(format!("its run beside changes \"{key}\", which is not a setting")));
        }
        Ok(Some(Beside { key: key.to_string(), value: decode(encoded).map_err(|_| bad())? }))
    }
}

/// Reads a link; each problem found is described, and a damaged session link opens the
/// defaults.
pub fn open(fragment: &str) -> (Opening, Vec<String>) {
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    let value = |key: &str| {
        fragment.split('&').find_map(|part| part.split_once('=').filter(|(k, _)| *k == key).map(|(_, v)| v.to_string()))
    };
    if let Some(name) = value("demo") {
        let (step, problems) = match value("step").map(|step| step.parse::<usize>()) {
            None => (1, vec![]),
            Some(Ok(step)) if step >= 1 => (step, vec![]),
            Some(_) => (
                1,
                vec![format!(
                    "the demo step in the link must be a number from 1, got \"{}\"; starting at step 1",
                    value("step").unwrap_or_default()
                )],
            ),
        };
        return (Opening::Demo { name, step }, problems);
    }
    let is_session = ["act", "t", "sum", "start"].iter().any(|key| value(key).is_some());
    if !is_session {
        let (start, mut problems) = fragment::parse_fragment(fragment);
        let beside = Beside::read(&value).unwrap_or_else(|reason| {
            problems.push(format!("the link: {reason}; opened without it"));
            None
        });
        return (Opening::Session { start, script: Vec::new(), at: None, beside }, problems);
    }
    match read_session(fragment, &value) {
        Ok(opening) => (opening, vec![]),
        Err(reason) => (
            Opening::Session { start: Config::default(), script: Vec::new(), at: None, beside: None },
            vec![format!("{reason}; opening the defaults")],
        ),
    }
}

/// The notice when a plain address opens the session kept from the last visit.
pub const RESTORED: &str =
    "your last session in this browser was restored where you left it; Start fresh goes back to the defaults";

/// What the page opens on loading, and whether to forget the session kept in the browser.
pub struct OnLoad {
    pub opening: Opening,
    pub notices: Vec<String>,
    pub forget_stored: bool,
}

/// The link in the address bar, or the session kept from the last visit (its fragment and its
/// link) when there is no link or the link is that session's (a reload). A kept session that
/// cannot be read is dropped with a notice, and the address bar's link opens instead.
pub fn open_on_load(fragment: &str, stored: Option<(String, String)>) -> OnLoad {
    let fragment = fragment.trim_start_matches('#');
    let (opening, notices, forget_stored) = match stored {
        Some((stored_fragment, stored_link)) if fragment.is_empty() || fragment == stored_fragment => {
            match open(&stored_link) {
                // A reload keeps its link; a plain address opening the last session says so.
                (opening, problems) if problems.is_empty() && !fragment.is_empty() => (opening, problems, false),
                (opening, problems) if problems.is_empty() => (opening, vec![RESTORED.to_string()], false),
                (_, problems) => {
                    let (opening, mut notices) = open(fragment);
                    notices.insert(
                        0,
                        format!(
                            "the session saved in this browser could not be read ({}); it was dropped",
                            problems.join("; ")
                        ),
                    );
                    (opening, notices, true)
                }
            }
        }
        _ => {
            let (opening, notices) = open(fragment);
            (opening, notices, false)
        }
    };
    OnLoad { opening, notices, forget_stored }
}

fn read_session(fragment: &str, value: &dyn Fn(&str) -> Option<String>) -> Result<Opening, Refusal> {
    let version = value("v").ok_or("this session link has no format version (v=)")?;
    if version != FORMAT.to_string() {
        return Err(Refusal::new(format!(
            "this session link is in format {version}, made by another version of the playground (this one reads format {FORMAT})"
        )));
    }
    let (body, sum) = fragment.rsplit_once("&sum=").ok_or("this session link has no checksum (sum=)")?;
    if sum != checksum(body) {
        return Err("this session link is damaged: its checksum does not match".into());
    }
    let (current, problems) = session_settings(body);
    let start = match value("start") {
        Some(start) => {
            let (start, problems) = session_settings(&decode(&start)?);
            problems
                .first()
                .map_or(Ok(start), |problem| Err(Refusal::new(format!("its starting settings are bad: {problem}"))))?
        }
        None => current,
    };
    if let Some(problem) = problems.first() {
        return Err(Refusal::new(format!("its settings are bad: {problem}")));
    }
    let script = match value("act") {
        Some(script) => decode_script(&script)?,
        None => Vec::new(),
    };
    let at = value("t")
        .map(|t| t.parse::<u64>().map(Time).map_err(|_| Refusal::new(format!("its moment t={t} is not a number"))))
        .transpose()?;
    Ok(Opening::Session { start, script, at, beside: Beside::read(value)? })
}

/// A session link's settings. One without `clients` was written before every link had it,
/// when the default was one client: it replays that run.
fn session_settings(fragment: &str) -> (Config, Vec<String>) {
    fragment::parse_fragment(&format!("clients=1&{fragment}"))
}

/// The link to a session: its current settings, the run beside if any, and when anything
/// happened, its start, its commands, `at` (the moment to show, if any), format and checksum.
pub fn session(
    current: &Config,
    start: &Config,
    script: &[(Time, Command)],
    at: Option<Time>,
    beside: Option<&Beside>,
) -> String {
    let mut link = fragment::to_fragment(current);
    if let Some(beside) = beside {
        link.push('&');
        link.push_str(&beside.to_link());
    }
    if script.is_empty() && at.is_none() {
        return link;
    }
    link.push_str(&format!("&v={FORMAT}"));
    if start != current {
        link.push_str(&format!("&start={}", encode(&fragment::to_fragment(start))));
    }
    if !script.is_empty() {
        let encoded: Vec<String> =
            script.iter().map(|(at, command)| format!("{},{}", at.as_micros(), encode_command(command))).collect();
        link.push_str(&format!("&act={}", encoded.join(";")));
    }
    if let Some(at) = at {
        link.push_str(&format!("&t={}", at.as_micros()));
    }
    let sum = checksum(&link);
    format!("{link}&sum={sum}")
}

/// `fragment`, as `session` wrote it without a moment, made to reopen the moment `at` (a demo's
/// link stays as it is). Cheaper than writing the session link again.
pub fn at_moment(fragment: &str, at: Time) -> String {
    if fragment.starts_with("demo=") {
        return fragment.to_string();
    }
    let mut link = fragment.split_once("&sum=").map_or(fragment, |(body, _)| body).to_string();
    if !link.contains("&v=") {
        link.push_str(&format!("&v={FORMAT}"));
    }
    link.push_str(&format!("&t={}", at.as_micros()));
    let sum = checksum(&link);
    format!("{link}&sum={sum}")
}

/// The address that reopens `fragment`'s run at `at` on the page at `base` (its address
/// without the fragment), or why it cannot be passed on as a link.
pub fn shareable(base: &str, fragment: &str, at: Time) -> Result<String, String> {
    let moment = at_moment(fragment, at);
    if moment.len() > MAX_LINK_BYTES {
        return Err(format!(
            "this session's link would be {} KB, too long to pass on as a link (at most {} KB); Export it as a file instead",
            moment.len() / 1_024,
            MAX_LINK_BYTES / 1_024
        ));
    }
    Ok(format!("{base}#{moment}"))
}

/// The link that opens a demo at a step.
pub fn demo(name: &str, step: usize) -> String {
    format!("demo={name}&step={step}")
}

/// 32-bit FNV-1a, in hex: enough to tell a damaged link from a good one.
pub fn checksum(text: &str) -> String {
    let hash = text.bytes().fold(0x811c_9dc5_u32, |hash, byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193));
    format!("{hash:08x}")
}

fn node(node: &NodeRef) -> String {
    match node {
        NodeRef::Master => "m".to_string(),
        NodeRef::Replica(number) => number.to_string(),
    }
}

fn encode_command(command: &Command) -> String {
    match command {
        Command::WriteRandom { client } => format!("w,{client}"),
        Command::Write { client, key, name } => format!("W,{client},{key},{}", encode(name)),
        Command::ReadLastWritten { client } => format!("r,{client}"),
        Command::Read { client, key } => format!("R,{client},{key}"),
        Command::Sql { client, text } => format!("q,{client},{}", encode(text)),
        Command::Configure(config) => format!("C,{}", encode(&fragment::to_fragment(config))),
        Command::Crash(target) => format!("x,{}", node(target)),
        Command::Restart(target) => format!("X,{}", node(target)),
        Command::CutLink(target) => format!("k,{}", node(target)),
        Command::HealLink(target) => format!("h,{}", node(target)),
        Command::Promote(None) => "p".to_string(),
        Command::Promote(Some(target)) => format!("p,{}", node(target)),
        Command::Rewind(target) => format!("v,{}", node(target)),
        Command::Rebuild(target) => format!("b,{}", node(target)),
        Command::CancelWaits => "c".to_string(),
        Command::CrashReadSide(machine) => format!("z,{}", machine.machine()),
        Command::RestartReadSide(machine) => format!("Z,{}", machine.machine()),
        Command::SetCapacity(target, value) => format!("a,{},{value}", node(target)),
        Command::SetWeight(target, value) => format!("g,{},{value}", node(target)),
        Command::SetDistance(target, value) => format!("d,{},{value}", node(target)),
        Command::SetLag(target, value) => format!("l,{},{value}", node(target)),
        Command::SetApplyDelay(target, value) => format!("y,{},{value}", node(target)),
    }
}

fn decode_script(text: &str) -> Result<Vec<(Time, Command)>, Refusal> {
    let mut script = Vec::new();
    for (index, action) in text.split(';').enumerate() {
        let bad = |why: &str| Refusal::new(format!("its command {} (\"{action}\") {why}", index + 1));
        let fields: Vec<&str> = action.split(',').collect();
        let number = |position: usize| -> Result<u64, Refusal> {
            fields.get(position).and_then(|field| field.parse().ok()).ok_or_else(|| bad("has a bad number"))
        };
        let target = |position: usize| -> Result<NodeRef, Refusal> {
            match fields.get(position) {
                Some(&"m") => Ok(NodeRef::Master),
                Some(field) => field.parse().map(NodeRef::Replica).map_err(|_| bad("names no node")),
                None => Err(bad("names no node")),
            }
        };
        let read_side = |position: usize| -> Result<NodeId, Refusal> {
            let named = fields.get(position).and_then(|field| NodeId::named(field));
            named.filter(|id| !id.is_postgres()).ok_or_else(|| bad("names no machine of the read side"))
        };
        let text = |position: usize| -> Result<String, Refusal> {
            decode(fields.get(position).ok_or_else(|| bad("is missing a text"))?).map_err(|why| bad(&why.0))
        };
        let at = Time(number(0)?);
        if script.last().is_some_and(|(previous, _): &(Time, Command)| *previous > at) {
            return Err(bad("is earlier than the one before it"));
        }
        // Checked as a number first: on 32-bit wasm a cast would wrap a huge one into range.
        let client = || match number(2)? {
            client if client < MAX_CLIENTS as u64 => Ok(client as usize),
            client => Err(bad(&format!("names client {}; a run has at most {MAX_CLIENTS}", client.saturating_add(1)))),
        };
        let command = match fields.get(1).copied() {
            Some("w") => Command::WriteRandom { client: client()? },
            Some("W") => Command::Write { client: client()?, key: number(3)?, name: text(4)? },
            Some("r") => Command::ReadLastWritten { client: client()? },
            Some("R") => Command::Read { client: client()?, key: number(3)? },
            Some("q") => Command::Sql { client: client()?, text: text(3)? },
            Some("C") => {
                let (config, problems) = session_settings(&text(2)?);
                if let Some(problem) = problems.first() {
                    return Err(bad(&format!("has bad settings: {problem}")));
                }
                Command::Configure(config.into())
            }
            Some("x") => Command::Crash(target(2)?),
            Some("X") => Command::Restart(target(2)?),
            Some("k") => Command::CutLink(target(2)?),
            Some("h") => Command::HealLink(target(2)?),
            Some("p") if fields.len() == 2 => Command::Promote(None),
            Some("p") => Command::Promote(Some(target(2)?)),
            Some("v") => Command::Rewind(target(2)?),
            Some("b") => Command::Rebuild(target(2)?),
            Some("c") => Command::CancelWaits,
            Some("z") => Command::CrashReadSide(read_side(2)?),
            Some("Z") => Command::RestartReadSide(read_side(2)?),
            Some("a") => Command::SetCapacity(target(2)?, number(3)?),
            Some("g") => Command::SetWeight(target(2)?, number(3)?),
            Some("d") => Command::SetDistance(target(2)?, number(3)?),
            Some("l") => Command::SetLag(target(2)?, number(3)?),
            Some("y") => Command::SetApplyDelay(target(2)?, number(3)?),
            _ => return Err(bad("is not a command this page knows")),
        };
        script.push((at, command));
    }
    Ok(script)
}

/// Percent-encodes everything but letters, digits and `-_.~`, so a text never contains the
/// link's separators.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (byte as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

pub fn decode(text: &str) -> Result<String, Refusal> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        if bytes[index] == b'%' {
            let hex = text.get(index + 1..index + 3).ok_or("has a cut-off %-escape")?;
            decoded.push(u8::from_str_radix(hex, 16).map_err(|_| Refusal::new(format!("has a bad %-escape %{hex}")))?);
            index += 3;
        } else {
            decoded.push(bytes[index]);
            index += 1;
        }
    }
    String::from_utf8(decoded).map_err(|_| "is not valid UTF-8 text".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::config::Mode;

    fn every_command() -> Vec<(Time, Command)> {
        let config = Config { replicas: 4, mode: Mode::Sync, rate: 20, ..Config::default() };
        [
            Command::WriteRandom { client: 1 },
            Command::Write { client: 0, key: 7, name: "Zoë & co; 100%=ok".into() },
            Command::ReadLastWritten { client: 2 },
            Command::Read { client: 0, key: 101 },
            Command::Sql {
                client: 0,
                text: "INSERT INTO users VALUES (106, 'Frank');\nSELECT * FROM users WHERE id = 106;".into(),
            },
            Command::Configure(config.into()),
            Command::Crash(NodeRef::Master),
            Command::Restart(NodeRef::Replica(3)),
            Command::CutLink(NodeRef::Replica(1)),
            Command::HealLink(NodeRef::Replica(1)),
            Command::Promote(None),
            Command::Promote(Some(NodeRef::Replica(2))),
            Command::Rewind(NodeRef::Replica(1)),
            Command::Rebuild(NodeRef::Replica(2)),
            Command::CancelWaits,
            Command::CrashReadSide(NodeId::CONNECTOR),
            Command::RestartReadSide(NodeId::mongo(2)),
            Command::SetCapacity(NodeRef::Master, 50),
            Command::SetWeight(NodeRef::Replica(2), 3),
            Command::SetDistance(NodeRef::Replica(4), 40),
            Command::SetLag(NodeRef::Replica(2), 3_000),
            Command::SetApplyDelay(NodeRef::Replica(1), 500),
        ]
        .into_iter()
        .enumerate()
        .map(|(index, command)| (Time(index as u64 * 1_000 + 7), command))
        .collect()
    }

    #[test]
    fn a_session_link_round_trips_every_command() {
        let start = Config { replicas: 3, seed: 9, ..Config::default() };
        let current = Config { replicas: 4, mode: Mode::Sync, rate: 20, seed: 9, ..Config::default() };
        let script = every_command();
        let link = session(&current, &start, &script, Some(Time(123_456)), None);
        assert!(link.starts_with("replicas=4&mode=sync&lag=1000&seed=9&clients=4&rate=20&v=1&start="), "{link}");
        assert_eq!(
            open(&format!("#{link}")),
            (Opening::Session { start, script, at: Some(Time(123_456)), beside: None }, vec![])
        );
    }

    /// A link the playground wrote before PostgreSQL's failures (timelines, slots, standby
    /// lists) were modelled, kept as it was: it still opens the same settings and commands,
    /// and the model still takes every command, whatever the run now shows.
    #[test]
    fn a_link_from_before_the_postgresql_settings_still_opens() {
        const OLD: &str = "#replicas=3&mode=async&lag=500&seed=42&quorum=first-2&semi_sync=300&v=1&start=replicas%3D3%26mode%3Dsync%26lag%3D500%26seed%3D42%26quorum%3Dfirst-2%26semi_sync%3D300&act=1000,W,0,101,Ann;2000,k,1;900000,x,m;1000000,p;1100000,C,replicas%3D3%26mode%3Dasync%26lag%3D500%26seed%3D42%26quorum%3Dfirst-2%26semi_sync%3D300;1200000,X,2&t=1500000&sum=08ed6a8e";
        let start = Config {
            replicas: 3,
            mode: Mode::Sync,
            quorum: crate::sim::config::Quorum::First(2),
            semi_sync_timeout_ms: 300,
            lag_ms: 500,
            seed: 42,
            // Written when the default was one client, and without the key.
            clients: 1,
            ..Config::default()
        };
        let current = Config { mode: Mode::Async, ..start.clone() };
        let script = vec![
            (Time(1_000), Command::Write { client: 0, key: 101, name: "Ann".into() }),
            (Time(2_000), Command::CutLink(NodeRef::Replica(1))),
            (Time(900_000), Command::Crash(NodeRef::Master)),
            (Time(1_000_000), Command::Promote(None)),
            (Time(1_100_000), Command::Configure(current.into())),
            (Time(1_200_000), Command::Restart(NodeRef::Replica(2))),
        ];
        let (opening, notices) = open(OLD);
        assert_eq!(notices, Vec::<String>::new());
        assert_eq!(
            opening,
            Opening::Session { start: start.clone(), script: script.clone(), at: Some(Time(1_500_000)), beside: None }
        );
        let mut sim = crate::sim::Simulation::new(start).unwrap();
        for (at, command) in script {
            sim.run_until(at);
            let shown = command.to_string();
            assert_eq!(sim.apply(command), Ok(()), "{shown}");
        }
    }

    #[test]
    fn session_links_name_their_clients_and_one_without_is_from_when_one_was_the_default() {
        let clients = |link: &str| match open(link).0 {
            Opening::Session { start, .. } => start.clients,
            other => panic!("{other:?}"),
        };
        let config = Config::default();
        assert_eq!(
            clients(&session(&config, &config, &[(Time(5), Command::WriteRandom { client: 0 })], None, None)),
            4
        );
        assert_eq!(clients(&at_moment(&session(&config, &config, &[], None, None), Time(5))), 4);
        let old = "replicas=2&mode=async&lag=1000&seed=1&v=1&act=5,w,0";
        assert_eq!(clients(&format!("{old}&sum={}", checksum(old))), 1);
        assert_eq!(clients("#replicas=3&mode=async&lag=1000&seed=1"), 4, "a plain link takes the defaults");
    }

    #[test]
    fn a_moment_added_later_gives_the_same_link() {
        let start = Config { replicas: 3, ..Config::default() };
        let current = Config { replicas: 4, ..Config::default() };
        let at = Some(Time(99));
        for script in [every_command(), vec![]] {
            let later = at_moment(&session(&current, &start, &script, None, None), Time(99));
            assert_eq!(later, session(&current, if script.is_empty() { &current } else { &start }, &script, at, None));
        }
        assert_eq!(at_moment("demo=sync&step=2", Time(5)), "demo=sync&step=2");
    }

    #[test]
    fn a_plain_link_stays_plain() {
        let config = Config { replicas: 5, ..Config::default() };
        assert_eq!(session(&config, &config, &[], None, None), "replicas=5&mode=async&lag=1000&seed=1&clients=4");
        assert_eq!(open("#replicas=5").0, Opening::Session { start: config, script: vec![], at: None, beside: None });
    }

    #[test]
    fn a_run_beside_rides_in_plain_and_session_links_and_a_moment_keeps_it() {
        let config = Config { replicas: 2, ..Config::default() };
        let beside = Beside { key: "mode".to_string(), value: "sync".to_string() };
        let plain = session(&config, &config, &[], None, Some(&beside));
        assert_eq!(plain, "replicas=2&mode=async&lag=1000&seed=1&clients=4&beside=mode:sync");
        let opened = |link: &str| match open(link) {
            (Opening::Session { beside, .. }, problems) => (beside, problems),
            other => panic!("{other:?}"),
        };
        assert_eq!(opened(&plain), (Some(beside.clone()), vec![]));
        let script = every_command();
        let at_moment = at_moment(&session(&config, &config, &script, None, Some(&beside)), Time(5));
        assert_eq!(opened(&at_moment), (Some(beside.clone()), vec![]), "the checksum covers it: {at_moment}");
        assert_eq!(at_moment, session(&config, &config, &script, Some(Time(5)), Some(&beside)));
        assert!(at_moment.contains("&t=5&sum="));
    }

    #[test]
    fn a_bad_run_beside_is_told_and_the_rest_of_the_link_opens() {
        let (opening, problems) = open("#replicas=2&beside=colour:blue");
        assert_eq!(
            problems,
            ["the link: its run beside changes \"colour\", which is not a setting; opened without it"]
        );
        assert!(matches!(opening, Opening::Session { start: Config { replicas: 2, .. }, beside: None, .. }));
        let (_, problems) = open("#beside=sync");
        assert_eq!(
            problems,
            ["the link: its run beside (beside=sync) is not of the form setting:value; opened without it"]
        );
    }

    #[test]
    fn damaged_and_foreign_links_say_so_and_open_the_defaults() {
        let config = Config::default();
        let link = session(&config, &config, &every_command(), None, None);
        let defaults = Opening::Session { start: Config::default(), script: vec![], at: None, beside: None };
        let damaged = link.replacen("act=7", "act=8", 1);
        assert_eq!(
            open(&damaged),
            (
                defaults.clone(),
                vec!["this session link is damaged: its checksum does not match; opening the defaults".to_string()]
            )
        );
        let newer = link.replace("v=1", "v=2");
        assert_eq!(
            open(&newer).1,
            vec![
                "this session link is in format 2, made by another version of the playground (this one reads format 1); opening the defaults"
            ]
        );
        let unsigned = link[..link.rfind("&sum=").unwrap()].to_string();
        assert_eq!(open(&unsigned).1, vec!["this session link has no checksum (sum=); opening the defaults"]);
        // A correct checksum over a command this page does not know still fails clearly.
        let body = "replicas=2&mode=async&lag=1000&seed=1&v=1&act=5,zz";
        let forged = format!("{body}&sum={}", checksum(body));
        assert_eq!(
            open(&forged).1,
            vec!["its command 1 (\"5,zz\") is not a command this page knows; opening the defaults"]
        );
    }

    #[test]
    fn a_client_past_the_most_a_run_has_is_refused_even_where_it_would_wrap() {
        for (client, shown) in [("16", "17"), ("4294967296", "4294967297")] {
            let body = format!("replicas=2&mode=async&lag=1000&seed=1&v=1&act=5,w,{client}");
            let link = format!("{body}&sum={}", checksum(&body));
            assert_eq!(
                open(&link).1,
                [format!(
                    "its command 1 (\"5,w,{client}\") names client {shown}; a run has at most 16; opening the defaults"
                )]
            );
        }
    }

    #[test]
    fn demo_links_name_the_demo_and_step() {
        assert_eq!(open("#demo=async-stale&step=2"), (Opening::Demo { name: "async-stale".into(), step: 2 }, vec![]));
        assert_eq!(open("#demo=async-stale").0, Opening::Demo { name: "async-stale".into(), step: 1 });
        assert_eq!(open("#demo=x&step=zero").1.len(), 1);
    }

    #[test]
    fn a_reload_reopens_the_kept_session_and_a_new_link_wins_over_it() {
        let config = Config::default();
        let kept = session(&config, &config, &every_command(), Some(Time(50)), None);
        let kept_fragment = session(&config, &config, &every_command(), None, None);
        let stored = || Some((kept_fragment.clone(), kept.clone()));
        let reload = open_on_load(&format!("#{kept_fragment}"), stored());
        assert_eq!((reload.opening, reload.notices, reload.forget_stored), (open(&kept).0, vec![], false));
        let plain = open_on_load("", stored());
        assert_eq!(
            (plain.opening, plain.notices),
            (open(&kept).0, vec![RESTORED.to_string()]),
            "no link: the kept session, said"
        );
        let other = open_on_load("#demo=sync&step=2", stored());
        assert_eq!(other.opening, Opening::Demo { name: "sync".into(), step: 2 });
        assert!(!other.forget_stored);
    }

    #[test]
    fn a_kept_session_that_cannot_be_read_is_dropped_with_a_notice() {
        let on_load = open_on_load("#replicas=2", Some(("replicas=2".into(), "replicas=2&v=1&act=1,w,0&sum=0".into())));
        assert!(on_load.forget_stored);
        assert_eq!(on_load.opening, open("replicas=2").0, "the address bar's link opens instead");
        assert_eq!(
            on_load.notices,
            [
                "the session saved in this browser could not be read (this session link is damaged: its checksum does not match; opening the defaults); it was dropped"
            ]
        );
    }

    #[test]
    fn percent_encoding_round_trips_any_text() {
        for text in ["", "plain", "a&b=c;d,e%f#g", "naïve 🙂\n\t'\""] {
            assert_eq!(decode(&encode(text)).unwrap(), text);
        }
        assert!(decode("%Z1").is_err());
        assert!(decode("%F").is_err());
        assert!(decode("%FF").is_err());
    }
}
