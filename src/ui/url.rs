//! The URL fragment that makes a setup shareable: `#replicas=2&mode=async&lag=1000&seed=1`.

use crate::sim::config::{self, Config};

/// The settings a fragment asks for, and a message for each part that could not be used (that
/// part keeps its default).
pub fn parse_fragment(fragment: &str) -> (Config, Vec<String>) {
    let defaults = Config::default();
    let mut config = defaults.clone();
    let mut problems = Vec::new();
    let fragment = fragment.strip_prefix('#').unwrap_or(fragment);
    for part in fragment.split('&').filter(|part| !part.is_empty()) {
        let Some((key, value)) = part.split_once('=') else {
            problems.push(format!(
                "\"{part}\" in the link is not of the form key=value; ignored"
            ));
            continue;
        };
        if let Err(reason) = apply_setting(&mut config, key, value) {
            problems.push(match default_text(&defaults, key) {
                Some(default) => format!("{reason}; using the default {default}"),
                None => reason,
            });
        }
    }
    (config, problems)
}

fn apply_setting(config: &mut Config, key: &str, value: &str) -> Result<(), String> {
    match key {
        "replicas" => {
            config.replicas =
                config::check_replicas(parse_number(value, key)?).map_err(|e| e.to_string())?
        }
        "mode" => {
            config.mode = value
                .parse()
                .map_err(|e: config::ConfigError| e.to_string())?
        }
        "lag" => {
            config.lag_ms =
                config::check_lag_ms(parse_number(value, key)?).map_err(|e| e.to_string())?
        }
        "seed" => config.seed = parse_number(value, key)?,
        _ => return Err(format!("the link's setting \"{key}\" is unknown; ignored")),
    }
    Ok(())
}

fn default_text(defaults: &Config, key: &str) -> Option<String> {
    Some(match key {
        "replicas" => defaults.replicas.to_string(),
        "mode" => defaults.mode.to_string(),
        "lag" => format!("{} ms", defaults.lag_ms),
        "seed" => defaults.seed.to_string(),
        _ => return None,
    })
}

fn parse_number(value: &str, key: &str) -> Result<u64, String> {
    value
        .parse::<u64>()
        .map_err(|_| format!("{key} in the link must be a whole number, got \"{value}\""))
}

/// The fragment (without `#`) that reproduces `config`.
pub fn to_fragment(config: &Config) -> String {
    format!(
        "replicas={}&mode={}&lag={}&seed={}",
        config.replicas, config.mode, config.lag_ms, config.seed
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::config::Mode;

    #[test]
    fn reads_every_key() {
        let (config, problems) =
            parse_fragment("#replicas=5&mode=sync&lag=250&seed=18446744073709551615");
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(
            config,
            Config {
                replicas: 5,
                mode: Mode::Sync,
                lag_ms: 250,
                seed: u64::MAX
            }
        );
    }

    #[test]
    fn round_trips() {
        let config = Config {
            replicas: 0,
            mode: Mode::Sync,
            lag_ms: 7,
            seed: 42,
        };
        assert_eq!(parse_fragment(&to_fragment(&config)), (config, vec![]));
    }

    #[test]
    fn empty_fragment_gives_defaults() {
        assert_eq!(parse_fragment(""), (Config::default(), vec![]));
        assert_eq!(parse_fragment("#"), (Config::default(), vec![]));
    }

    #[test]
    fn bad_values_keep_defaults_and_say_why() {
        let (config, problems) =
            parse_fragment("#replicas=9&mode=fast&lag=-5&seed=x&colour=red&oops&lag=300");
        assert_eq!(
            config,
            Config {
                lag_ms: 300,
                ..Config::default()
            }
        );
        assert_eq!(
            problems,
            vec![
                "replicas must be between 0 and 8, got 9; using the default 2",
                "mode must be sync or async, got \"fast\"; using the default async",
                "lag in the link must be a whole number, got \"-5\"; using the default 1000 ms",
                "seed in the link must be a whole number, got \"x\"; using the default 1",
                "the link's setting \"colour\" is unknown; ignored",
                "\"oops\" in the link is not of the form key=value; ignored",
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
