//! Settings of a run, each validated into a `Result` with a message a student can act on.

use std::fmt;
use std::str::FromStr;

use crate::Refusal;
use crate::settings::{Input, SETTINGS};
use crate::words::plural;

pub const MAX_REPLICAS: usize = 8;
pub const MAX_CLIENTS: usize = 16;
/// One minute is far beyond any delay or timeout a demo needs.
pub const MAX_DELAY_MS: u64 = 60_000;
pub const MAX_CAPACITY: u64 = 1_000_000;
pub const MAX_QUEUE: u64 = 100_000;
/// The traffic generator's top rate, requests per second.
pub const MAX_RATE: u64 = 20_000;
pub const MAX_HOT_KEYS: u64 = 1_000;
/// The most log entries `wal_keep` may keep: bounded, as the page's memory is.
pub const MAX_WAL_KEEP: u64 = 200_000;
/// The most members the read side's MongoDB replica set may have (MongoDB allows seven voters).
pub const MAX_MONGO_MEMBERS: usize = 5;
/// The most changes a connector batch may carry.
pub const MAX_CDC_BATCH: u64 = 100_000;

/// A setting chosen from a fixed list of names, parsed with a message that lists them.
macro_rules! named_choice {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The name used in links, controls and messages.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = Refusal;
            fn from_str(text: &str) -> Result<$name, Refusal> {
                $name::ALL.iter().copied().find(|choice| choice.as_str() == text).ok_or_else(|| {
                    let names: Vec<&str> = $name::ALL.iter().map(|choice| choice.as_str()).collect();
                    Refusal::new(format!("{} must be one of {}, got \"{text}\"", $what, names.join(", ")))
                })
            }
        }
    };
}

named_choice!(
    /// When the master acknowledges a write, named after PostgreSQL's `synchronous_commit`.
    Mode, "mode" {
        /// Every replica has applied it: `remote_apply` with every replica synchronous.
        Sync = "sync",
        /// At once, before any replica has it, once on the master's disk
        /// (`synchronous_commit = local`).
        Async = "async",
        /// At once, before it is even on the master's disk (`synchronous_commit = off`): the WAL
        /// writer flushes it within `wal_writer` ms, and a crash of the master before then
        /// loses it. Replicas get it only once flushed.
        Off = "off",
        /// The synchronous replicas have received it (written, not yet flushed to disk).
        RemoteWrite = "remote_write",
        /// The synchronous replicas have flushed it to disk.
        On = "on",
        /// The synchronous replicas have applied it, so reads there see it.
        RemoteApply = "remote_apply",
        /// MySQL's semi-synchronous replication (AFTER_SYNC): enough replicas have received it
        /// (`rpl_semi_sync_master_wait_for_slave_count`, the quorum's K); after the semi-sync
        /// timeout without them the master falls back to async. PostgreSQL never falls back.
        SemiSync = "semi_sync",
    }
);

impl Mode {
    /// The lecture's two modes, which lead the menu; the others are finer levels of the real
    /// systems.
    pub const LECTURE: [Mode; 2] = [Mode::Sync, Mode::Async];

    /// What the mode does, in one line a student reads beside the menu.
    pub fn in_a_line(self) -> &'static str {
        match self {
            Mode::Sync => "the master waits until every replica has applied the write: no stale reads, slower writes",
            Mode::Async => {
                "the master answers once the write is on its own disk, without waiting: fast, but a replica can answer with old data"
            }
            Mode::Off => {
                "PostgreSQL's synchronous_commit = off: the master answers before the write is even on its disk; a master crash can lose it"
            }
            Mode::RemoteWrite => {
                "PostgreSQL's remote_write: waits until the synchronous replicas have received the write (not yet on their disk)"
            }
            Mode::On => {
                "PostgreSQL's on: waits until the synchronous replicas have flushed the write to their disk; reads there can still be stale"
            }
            Mode::RemoteApply => {
                "PostgreSQL's remote_apply: waits until the synchronous replicas have applied the write, so reads there see it"
            }
            Mode::SemiSync => {
                "MySQL's semi-sync: waits until enough replicas have received the write; after a timeout it stops waiting (async)"
            }
        }
    }

    /// Which replication position the master waits for, if any.
    pub fn level(self) -> Option<Level> {
        match self {
            Mode::Async | Mode::Off => None,
            Mode::RemoteWrite | Mode::SemiSync => Some(Level::Received),
            Mode::On => Some(Level::Flushed),
            Mode::Sync | Mode::RemoteApply => Some(Level::Applied),
        }
    }
}

/// The three positions a replica reports: received, flushed to disk, applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Received,
    Flushed,
    Applied,
}

named_choice!(
    /// How the replica for a read is chosen among the eligible ones.
    Policy, "policy" {
        RoundRobin = "round-robin",
        Random = "random",
        /// Random in proportion to each replica's weight (ProxySQL's hostgroup weights).
        Weighted = "weighted",
        /// Fewest operations in progress (MaxScale's LEAST_CURRENT_OPERATIONS).
        LeastOps = "least-ops",
        /// Least behind the master (MaxScale's LEAST_BEHIND_MASTER).
        LeastLag = "least-lag",
    }
);

named_choice!(
    /// Which members may serve a read, as MongoDB's read preference.
    ReadPref, "read_pref" {
        Primary = "primary",
        PrimaryPreferred = "primaryPreferred",
        Secondary = "secondary",
        /// Replicas, and the master when none can serve (MaxScale's master_accept_reads).
        SecondaryPreferred = "secondaryPreferred",
        Nearest = "nearest",
    }
);

named_choice!(
    /// Who serves the reads: PostgreSQL's own standbys, or (the lecture's CQRS picture) a
    /// MongoDB read model that a change-data-capture connector keeps from the master's logical
    /// replication slot.
    ReadSide, "read_side" {
        Standbys = "standbys",
        MongoDb = "mongodb",
    }
);

/// Which replicas a synchronous write waits for, as PostgreSQL's `synchronous_standby_names`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quorum {
    /// Every replica.
    All,
    /// `FIRST k (...)`: the first k connected replicas by number; a down one is replaced by
    /// the next.
    First(usize),
    /// `ANY k (...)`: any k replicas.
    Any(usize),
}

impl fmt::Display for Quorum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Quorum::All => f.write_str("all"),
            Quorum::First(k) => write!(f, "first-{k}"),
            Quorum::Any(k) => write!(f, "any-{k}"),
        }
    }
}

impl FromStr for Quorum {
    type Err = Refusal;
    fn from_str(text: &str) -> Result<Quorum, Refusal> {
        let bad = || Refusal::new(format!("quorum must be all, first-K or any-K with K at least 1, got \"{text}\""));
        if text == "all" {
            return Ok(Quorum::All);
        }
        let (kind, k) = text.split_once('-').ok_or_else(bad)?;
        let k: usize = k.parse().ok().filter(|&k| k >= 1).ok_or_else(bad)?;
        match kind {
            "first" => Ok(Quorum::First(k)),
            "any" => Ok(Quorum::Any(k)),
            _ => Err(bad()),
        }
    }
}

/// The standby list names machines `pg-1` to `pg-9` (a run has at most nine) or the
/// connector `cdc-1` (a logical consumer's `application_name`), each once.
fn check_standbys(standbys: &[String]) -> Result<(), Refusal> {
    for (index, name) in standbys.iter().enumerate() {
        let id = crate::ids::NodeId::named(name);
        if !id.is_some_and(|id| id.is_postgres() || id == crate::ids::NodeId::CONNECTOR) {
            return Err(Refusal::new(format!("standbys names machines pg-1 to pg-9 or cdc-1, not \"{name}\"")));
        }
        if standbys[..index].contains(name) {
            return Err(Refusal::new(format!("standbys names {name} twice")));
        }
    }
    Ok(())
}

/// Everything a run is set up with. Delays are in milliseconds of simulated time; 0 turns
/// off the settings marked "0 = off".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub replicas: usize,
    pub mode: Mode,
    pub quorum: Quorum,
    /// Time for a log entry to travel from the master to a replica.
    pub lag_ms: u64,
    /// One-way time between the clients and each node (each node's can be set apart).
    pub client_ms: u64,
    /// Every message takes up to this much longer, drawn at random.
    pub jitter_ms: u64,
    /// Time a replica takes to flush a received entry to disk.
    pub flush_ms: u64,
    /// Log entries a replica applies per second: a burst of writes builds lag that drains.
    pub apply_rate: u64,
    /// The synchronous standby candidates in priority order, by machine name
    /// (`synchronous_standby_names`' list); empty: every replica, by number.
    pub standbys: Vec<String>,
    /// How long the master keeps a silent replica's connection (PostgreSQL's
    /// `wal_sender_timeout`, 60 s by default). 0 = for ever.
    pub sender_timeout_ms: u64,
    /// Log entries the master keeps whether or not a replica needs them (`wal_keep_size`): a
    /// replica down or cut off longer than that can no longer catch up, unless...
    pub wal_keep: u64,
    /// ...every replica streams through a replication slot: the master keeps every entry it
    /// has not received, however long it is down.
    pub slots: bool,
    /// The most log entries replication slots (physical or logical) may hold back: past it the
    /// slot furthest behind is invalidated (PostgreSQL's `max_slot_wal_keep_size`, no limit by
    /// default; here at most [`MAX_WAL_KEEP`], as the page's memory is bounded).
    pub max_slot_wal_keep: u64,
    /// Who serves the reads: the standbys, or a MongoDB read model kept by a connector.
    pub read_side: ReadSide,
    /// The read side's MongoDB replica set: `mongo-1` (the primary at first), `mongo-2`, ...
    pub mongo_members: u64,
    /// How often the connector writes what it has received to MongoDB and confirms to the
    /// master what MongoDB acknowledged (Debezium's `poll.interval.ms`, pg_recvlogical's
    /// `--status-interval`): the read side's lag.
    pub cdc_poll_ms: u64,
    /// The most changes the connector writes in one batch (Debezium's `max.batch.size`).
    pub cdc_batch: u64,
    /// How long a MongoDB secondary takes to copy the primary's writes (its oplog).
    pub mongo_lag_ms: u64,
    /// PostgreSQL 17's failover slots: a standby keeps a synchronized copy of the master's
    /// logical slots, so a connector resumes after a failover. PostgreSQL 15 has none.
    pub failover_slots: bool,
    /// A failover manager that rewinds diverged nodes itself (Patroni's `use_pg_rewind`);
    /// otherwise they wait for Rewind or Rebuild by hand.
    pub auto_rewind: bool,
    /// How often the master's WAL writer flushes commits made with `off`
    /// (PostgreSQL's `wal_writer_delay`, 200 ms by default).
    pub wal_writer_ms: u64,
    /// Master-side semi-synchronous timeout (MySQL `rpl_semi_sync_master_timeout`): after this
    /// long without enough acknowledgements it falls back to async. 0 = wait forever.
    pub semi_sync_timeout_ms: u64,
    pub policy: Policy,
    pub read_pref: ReadPref,
    /// Replicas further behind than this are shunned (ProxySQL `max_replication_lag`). 0 = off.
    pub max_lag_ms: u64,
    /// Read-your-writes by causal token (MaxScale `causal_reads`).
    pub causal_reads: bool,
    /// How long a causal read waits on a replica before going to the master.
    pub causal_timeout_ms: u64,
    /// A client keeps reading from the same replica (monotonic reads).
    pub sticky: bool,
    /// Simulated clients, each with its own session.
    pub clients: usize,
    /// Operations per second each node serves.
    pub capacity: u64,
    /// Requests a node holds waiting; more are rejected.
    pub queue_limit: u64,
    /// A node whose queue stays full this long crashes. 0 = never.
    pub crash_after_ms: u64,
    /// The master down this long triggers a failover. 0 = failover only by hand.
    pub failover_ms: u64,
    /// Traffic generator: requests per second from random clients. 0 = off.
    pub rate: u64,
    /// Traffic generator: percent of its requests that are reads.
    pub reads_percent: u64,
    /// Traffic generator: how many users (from 102 up) its requests pick from.
    pub hot_keys: u64,
    pub seed: u64,
}

impl Default for Config {
    /// The lecture's picture: one master, two replicas, asynchronous replication slow enough
    /// that a student clicking write then read catches a stale read.
    fn default() -> Config {
        Config {
            replicas: 2,
            mode: Mode::Async,
            quorum: Quorum::All,
            lag_ms: 1_000,
            client_ms: 50,
            jitter_ms: 0,
            flush_ms: 0,
            apply_rate: 10_000,
            semi_sync_timeout_ms: 0,
            wal_writer_ms: 200,
            standbys: Vec::new(),
            auto_rewind: false,
            wal_keep: 20_000,
            slots: false,
            max_slot_wal_keep: MAX_WAL_KEEP,
            read_side: ReadSide::Standbys,
            mongo_members: 2,
            cdc_poll_ms: 1_000,
            cdc_batch: 2_048,
            mongo_lag_ms: 200,
            failover_slots: false,
            sender_timeout_ms: 60_000,
            policy: Policy::RoundRobin,
            read_pref: ReadPref::SecondaryPreferred,
            max_lag_ms: 0,
            causal_reads: false,
            causal_timeout_ms: 2_000,
            sticky: false,
            clients: 4,
            capacity: 1_000,
            queue_limit: 200,
            crash_after_ms: 0,
            failover_ms: 0,
            rate: 0,
            reads_percent: 90,
            hot_keys: 5,
            seed: 1,
        }
    }
}

/// Takes a `u64` so that a huge count from a link is refused rather than truncated to a
/// valid one on 32-bit wasm.
pub fn check_replicas(replicas: u64) -> Result<usize, Refusal> {
    match usize::try_from(replicas) {
        Ok(count) if count <= MAX_REPLICAS => Ok(count),
        _ => Err(Refusal::new(format!("replicas must be between 0 and {MAX_REPLICAS}, got {replicas}"))),
    }
}

/// Whether a number is within a setting's range, said with the setting's link key and unit.
pub(crate) fn check_range(key: &str, value: u64, min: u64, max: u64, unit: &str) -> Result<(), Refusal> {
    if (min..=max).contains(&value) {
        return Ok(());
    }
    let unit = if unit.is_empty() || unit.starts_with(['/', '%']) { unit.to_string() } else { format!(" {unit}") };
    Err(Refusal::new(format!("{key} must be between {min} and {max}{unit}, got {value}")))
}

impl Config {
    /// Every setting at its default but this run's own: its seed and its traffic's rate (what
    /// the page's Back to defaults sets, and what it compares with).
    pub fn defaults_for_run(&self) -> Config {
        Config { seed: self.seed, rate: self.rate, ..Config::default() }
    }

    pub fn validate(&self) -> Result<(), Refusal> {
        self.check_ranges()?;
        self.check_quorum()
    }

    /// Each setting on its own is within its range, as the settings table states it.
    pub fn check_ranges(&self) -> Result<(), Refusal> {
        check_replicas(self.replicas as u64)?;
        check_range("clients", self.clients as u64, 1, MAX_CLIENTS as u64, "")?;
        check_standbys(&self.standbys)?;
        for setting in SETTINGS {
            if let Input::Number { min, max, unit, .. } = setting.input {
                let value = (setting.get)(self).parse().expect("a number setting reads as a number");
                check_range(setting.key, value, min, max, unit)?;
            }
        }
        Ok(())
    }

    /// The quorum asks for no more replicas than there are.
    pub fn check_quorum(&self) -> Result<(), Refusal> {
        if let Quorum::First(k) | Quorum::Any(k) = self.quorum
            && k > self.replicas
        {
            return Err(Refusal::new(format!(
                "quorum {} waits for {k} replicas but the cluster has only {}",
                self.quorum,
                plural(self.replicas as u64, "replica", "replicas")
            )));
        }
        Ok(())
    }

    /// The replicas a write waits for: `sync` always means every replica.
    pub fn effective_quorum(&self) -> Quorum {
        if self.mode == Mode::Sync { Quorum::All } else { self.quorum }
    }
}
