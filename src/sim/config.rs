//! Settings of a run, each validated into a `Result` with a message a student can act on.

use std::fmt;
use std::str::FromStr;

pub const MAX_REPLICAS: usize = 8;
/// One minute of replication delay is already far beyond anything a demo needs.
pub const MAX_LAG_MS: u64 = 60_000;

/// When the master acknowledges a write to the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// After every replica has applied the write (PostgreSQL `synchronous_commit = remote_apply`
    /// with every standby synchronous): a read anywhere afterwards sees it.
    Sync,
    /// At once, before any replica has it (`synchronous_commit = local`): fast, but a replica
    /// can serve stale data until the write arrives.
    Async,
}

impl Mode {
    pub const ALL: [Mode; 2] = [Mode::Sync, Mode::Async];

    /// The name used in the URL fragment and in the mode `<select>`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Sync => "sync",
            Mode::Async => "async",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mode {
    type Err = ConfigError;
    fn from_str(text: &str) -> Result<Mode, ConfigError> {
        Mode::ALL
            .into_iter()
            .find(|mode| mode.as_str() == text)
            .ok_or_else(|| ConfigError::new(format!("mode must be sync or async, got \"{text}\"")))
    }
}

/// A setting that was refused, with the reason in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl ConfigError {
    pub fn new(message: impl Into<String>) -> ConfigError {
        ConfigError(message.into())
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub replicas: usize,
    pub mode: Mode,
    /// Time from the master committing a write to a replica having applied it.
    pub lag_ms: u64,
    pub seed: u64,
}

impl Default for Config {
    /// The lecture's picture: one master, two replicas, asynchronous replication slow enough
    /// that a student clicking write then read catches a stale read.
    fn default() -> Config {
        Config {
            replicas: 2,
            mode: Mode::Async,
            lag_ms: 1_000,
            seed: 1,
        }
    }
}

/// Takes a `u64` so that a huge count from a link is refused rather than truncated to a
/// valid one on 32-bit wasm.
pub fn check_replicas(replicas: u64) -> Result<usize, ConfigError> {
    match usize::try_from(replicas) {
        Ok(count) if count <= MAX_REPLICAS => Ok(count),
        _ => Err(ConfigError::new(format!(
            "replicas must be between 0 and {MAX_REPLICAS}, got {replicas}"
        ))),
    }
}

pub fn check_lag_ms(lag_ms: u64) -> Result<u64, ConfigError> {
    if lag_ms > MAX_LAG_MS {
        return Err(ConfigError::new(format!(
            "lag must be between 0 and {MAX_LAG_MS} ms, got {lag_ms}"
        )));
    }
    Ok(lag_ms)
}

impl Config {
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_replicas(self.replicas as u64)?;
        check_lag_ms(self.lag_ms)?;
        Ok(())
    }
}
