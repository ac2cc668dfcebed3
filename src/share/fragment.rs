//! The URL fragment that makes a setup shareable: `#replicas=2&mode=async&lag=1000&seed=1`,
//! plus any other setting that differs from its default.

use crate::sim::config::Config;
use crate::sim::settings;

/// The keys a session or demo link has besides the settings (see `link`): not settings, so
/// the settings' reader skips them.
pub const LINK_KEYS: [&str; 8] = ["v", "start", "act", "t", "sum", "demo", "step", "beside"];

/// Keys written into every fragment, so a link always shows the basic setup. `clients` too,
/// since its default changed: a session link without it is older and meant one (see `link`).
const ALWAYS: [&str; 5] = ["replicas", "mode", "lag", "seed", "clients"];

/// The settings a fragment asks for, and a message for each part that could not be used (that
/// part keeps its default).
pub fn parse_fragment(fragment: &str) -> (Config, Vec<String>) {
    let defaults = Config::default();
    let mut config = defaults.clone();
    let mut problems = Vec::new();
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    for part in fragment.split('&').filter(|part| !part.is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            problems.push(format!("\"{part}\" in the link is not of the form key=value; ignored"));
            continue;
        };
        if LINK_KEYS.contains(&key) {
            continue;
        }
        let Some(setting) = settings::find(key) else {
            problems.push(format!("the link's setting \"{key}\" is unknown; ignored"));
            continue;
        };
        if let Err(reason) = settings::apply_in_range(&mut config, setting, value) {
            problems.push(format!("{reason}; using the default {}", (setting.get)(&defaults)));
        }
    }
    if let Err(reason) = config.check_quorum() {
        problems.push(format!("{reason}; using the default quorum {}", defaults.quorum));
        config.quorum = defaults.quorum;
    }
    (config, problems)
}

/// The fragment (without `#`) that reproduces `config`.
pub fn to_fragment(config: &Config) -> String {
    let defaults = Config::default();
    let always = ALWAYS.iter().filter_map(|key| settings::find(key));
    let changed = settings::changed(config, &defaults).filter(|setting| !ALWAYS.contains(&setting.key));
    always
        .chain(changed)
        .map(|setting| format!("{}={}", setting.key, (setting.get)(config)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::config::{Mode, Policy, Quorum, ReadPref, ReadSide};

    #[test]
    fn reads_every_contract_key() {
        let (config, problems) = parse_fragment(
            "#replicas=5&mode=remote_write&lag=250&seed=18446744073709551615&quorum=any-2&policy=least-lag&max_lag=900",
        );
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(
            config,
            Config {
                replicas: 5,
                mode: Mode::RemoteWrite,
                lag_ms: 250,
                seed: u64::MAX,
                quorum: Quorum::Any(2),
                policy: Policy::LeastLag,
                max_lag_ms: 900,
                ..Config::default()
            }
        );
    }

    #[test]
    fn round_trips_every_setting() {
        let config = Config {
            replicas: 3,
            mode: Mode::On,
            quorum: Quorum::First(2),
            lag_ms: 7,
            client_ms: 9,
            jitter_ms: 3,
            flush_ms: 2,
            apply_rate: 500,
            semi_sync_timeout_ms: 400,
            wal_writer_ms: 1_000,
            standbys: vec!["pg-3".into(), "cdc-1".into()],
            sender_timeout_ms: 5_000,
            read_side: ReadSide::MongoDb,
            mongo_members: 3,
            cdc_poll_ms: 250,
            cdc_batch: 10,
            mongo_lag_ms: 50,
            failover_slots: true,
            auto_rewind: true,
            wal_keep: 500,
            slots: true,
            max_slot_wal_keep: 900,
            policy: Policy::Weighted,
            read_pref: ReadPref::Nearest,
            max_lag_ms: 1_500,
            causal_reads: true,
            causal_timeout_ms: 800,
            sticky: true,
            clients: 4,
            capacity: 300,
            queue_limit: 50,
            crash_after_ms: 2_000,
            failover_ms: 3_000,
            rate: 250,
            reads_percent: 75,
            hot_keys: 12,
            seed: 42,
        };
        assert_eq!(parse_fragment(&to_fragment(&config)), (config, vec![]));
    }

    #[test]
    fn defaults_write_only_the_basic_keys() {
        assert_eq!(to_fragment(&Config::default()), "replicas=2&mode=async&lag=1000&seed=1&clients=4");
    }

    #[test]
    fn empty_fragment_gives_defaults() {
        assert_eq!(parse_fragment(""), (Config::default(), vec![]));
        assert_eq!(parse_fragment("#"), (Config::default(), vec![]));
    }

    #[test]
    fn bad_values_keep_defaults_and_say_why() {
        let (config, problems) =
            parse_fragment("#replicas=9&mode=fast&lag=-5&seed=x&colour=red&oops&policy=fastest&causal=maybe&lag=300");
        assert_eq!(config, Config { lag_ms: 300, ..Config::default() });
        assert_eq!(
            problems,
            vec![
                "replicas must be between 0 and 8, got 9; using the default 2",
                "mode must be one of sync, async, off, remote_write, on, remote_apply, semi_sync, got \"fast\"; using the default async",
                "lag must be a whole number, got \"-5\"; using the default 1000",
                "seed must be a whole number, got \"x\"; using the default 1",
                "the link's setting \"colour\" is unknown; ignored",
                "\"oops\" in the link is not of the form key=value; ignored",
                "policy must be one of round-robin, random, weighted, least-ops, least-lag, got \"fastest\"; using the default round-robin",
                "causal must be on or off, got \"maybe\"; using the default off",
            ]
        );
    }

    #[test]
    fn a_quorum_larger_than_the_replicas_falls_back() {
        let (config, problems) = parse_fragment("replicas=2&quorum=first-3");
        assert_eq!(config.quorum, Quorum::All);
        assert_eq!(
            problems,
            vec![
                "quorum first-3 waits for 3 replicas but the cluster has only 2 replicas; using the default quorum all"
            ]
        );
    }

    #[test]
    fn huge_replica_count_is_refused_not_truncated() {
        let (config, problems) = parse_fragment("replicas=4294967298");
        assert_eq!(config.replicas, 2);
        assert_eq!(problems.len(), 1);
    }
}
