//! The settings table itself: one row per setting (`super::Setting`), grouped as the panel shows them.

use super::{Group, Input, Setting, choice, cqrs, names, number, on_off, show_on_off};
use crate::Refusal;
use crate::config::{
    MAX_CAPACITY, MAX_CLIENTS, MAX_DELAY_MS, MAX_HOT_KEYS, MAX_QUEUE, MAX_RATE, MAX_REPLICAS, MAX_WAL_KEEP, Mode,
    Policy, ReadPref,
};

pub const SETTINGS: &[Setting] = &[
    Setting {
        key: "rate",
        label: "Requests/s",
        group: Group::Traffic,
        help: "The traffic generator's rate: requests per second from random clients. Typing a rate does not start the traffic (Start traffic does); 0 stops it.",
        input: Input::Number { min: 0, max: MAX_RATE, step: 50, unit: "/s" },
        get: |c| c.rate.to_string(),
        set: |c, text| {
            c.rate = number("rate", text)?;
            Ok(())
        },
    },
    Setting {
        key: "reads",
        label: "Reads (%)",
        group: Group::Traffic,
        help: "Share of generated requests that are reads; the rest are writes. Most sites read far more than they write.",
        input: Input::Number { min: 0, max: 100, step: 5, unit: "%" },
        get: |c| c.reads_percent.to_string(),
        set: |c, text| {
            c.reads_percent = number("reads", text)?;
            Ok(())
        },
    },
    Setting {
        key: "hot_keys",
        label: "Hot users",
        group: Group::Traffic,
        help: "How many users (from id 102 up) generated requests pick from: fewer means more requests touch the same rows.",
        input: Input::Number { min: 1, max: MAX_HOT_KEYS, step: 1, unit: "" },
        get: |c| c.hot_keys.to_string(),
        set: |c, text| {
            c.hot_keys = number("hot_keys", text)?;
            Ok(())
        },
    },
    Setting {
        key: "replicas",
        label: "Replicas",
        group: Group::Run,
        help: "Slave databases: copies of the master that serve the reads. 0 is the lecture's single DB, which takes every read and write itself.",
        input: Input::Choice(|_| (0..=MAX_REPLICAS).map(|n| n.to_string()).collect()),
        get: |c| c.replicas.to_string(),
        set: |c, text| {
            c.replicas = crate::config::check_replicas(number("replicas", text)?)?;
            Ok(())
        },
    },
    Setting {
        key: "mode",
        label: "Replication",
        group: Group::Run,
        help: "Synchronous waits for the slaves to confirm before committing a write; asynchronous does not wait: faster, but reads can be stale. As PostgreSQL synchronous_commit: off (not even on the master's disk yet: a master crash loses it), async (local: on the master's disk), remote_write (received), on (flushed), remote_apply (applied); sync = remote_apply on every replica. semi_sync is MySQL's: the quorum's replicas have received it (rpl_semi_sync_master_wait_for_slave_count), with the semi-sync timeout as a fallback.",
        input: Input::Choice(|_| names(Mode::ALL, Mode::as_str)),
        get: |c| c.mode.to_string(),
        set: |c, text| {
            c.mode = choice(text)?;
            Ok(())
        },
    },
    cqrs::READ_SIDE,
    Setting {
        key: "quorum",
        label: "Wait for",
        group: Group::Replication,
        help: "Which replicas a synchronous write waits for (PostgreSQL synchronous_standby_names): all, FIRST k (the first k connected, in the standbys list's order, by number when it is empty: a down one is replaced by the next), or ANY k.",
        input: Input::Choice(|c| {
            let mut options = vec!["all".to_string()];
            for kind in ["first", "any"] {
                options.extend((1..=c.replicas).map(|k| format!("{kind}-{k}")));
            }
            options
        }),
        get: |c| c.quorum.to_string(),
        set: |c, text| {
            c.quorum = choice(text)?;
            Ok(())
        },
    },
    Setting {
        key: "lag",
        label: "Lag (ms)",
        group: Group::Network,
        help: "Time for a log entry to travel from the master to a replica.",
        input: Input::Number { min: 0, max: MAX_DELAY_MS, step: 100, unit: "ms" },
        get: |c| c.lag_ms.to_string(),
        set: |c, text| {
            c.lag_ms = number("lag", text)?;
            Ok(())
        },
    },
    Setting {
        key: "client_ms",
        label: "Client latency (ms)",
        group: Group::Network,
        help: "One-way time between the app service and each database. Each node's own can be set under Tune on its card.",
        input: Input::Number { min: 0, max: MAX_DELAY_MS, step: 10, unit: "ms" },
        get: |c| c.client_ms.to_string(),
        set: |c, text| {
            c.client_ms = number("client_ms", text)?;
            Ok(())
        },
    },
    Setting {
        key: "jitter",
        label: "Jitter (ms)",
        group: Group::Network,
        help: "Every message takes up to this much longer, at random.",
        input: Input::Number { min: 0, max: MAX_DELAY_MS, step: 10, unit: "ms" },
        get: |c| c.jitter_ms.to_string(),
        set: |c, text| {
            c.jitter_ms = number("jitter", text)?;
            Ok(())
        },
    },
    Setting {
        key: "flush",
        label: "Flush (ms)",
        group: Group::Replication,
        help: "Time a replica takes to write a received entry to disk (what synchronous_commit = on waits for).",
        input: Input::Number { min: 0, max: MAX_DELAY_MS, step: 10, unit: "ms" },
        get: |c| c.flush_ms.to_string(),
        set: |c, text| {
            c.flush_ms = number("flush", text)?;
            Ok(())
        },
    },
    Setting {
        key: "apply_rate",
        label: "Apply rate (/s)",
        group: Group::Replication,
        help: "Log entries a replica applies per second: a burst of writes faster than this builds lag that drains later.",
        input: Input::Number { min: 1, max: MAX_CAPACITY, step: 100, unit: "/s" },
        get: |c| c.apply_rate.to_string(),
        set: |c, text| {
            c.apply_rate = number("apply_rate", text)?;
            Ok(())
        },
    },
    Setting {
        key: "standbys",
        label: "Synchronous standbys",
        group: Group::Replication,
        help: "Which replicas may be synchronous, in priority order, by machine name: pg-3,pg-2 (PostgreSQL's synchronous_standby_names list; with the quorum, FIRST k (pg-3, pg-2) or ANY k (...)). Unlisted replicas are asynchronous. Empty: every replica, by number. Ignored by sync, which waits for every replica.",
        input: Input::Text { placeholder: "every replica" },
        get: |c| c.standbys.join(","),
        set: |c, text| {
            c.standbys = text.split(',').map(str::trim).filter(|name| !name.is_empty()).map(str::to_string).collect();
            Ok(())
        },
    },
    Setting {
        key: "sender_timeout",
        label: "wal_sender_timeout (ms)",
        group: Group::Network,
        help: "How long the master keeps the connection to a replica it hears nothing from (PostgreSQL's wal_sender_timeout, 60 s by default). A cut link is silent: until then the replica still counts as a synchronous standby and commits wait for it. A crashed replica's connection closes at once. 0 = never.",
        input: Input::Number { min: 0, max: MAX_DELAY_MS, step: 1_000, unit: "ms" },
        get: |c| c.sender_timeout_ms.to_string(),
        set: |c, text| {
            c.sender_timeout_ms = number("sender_timeout", text)?;
            Ok(())
        },
    },
    Setting {
        key: "wal_keep",
        label: "WAL kept (entries)",
        group: Group::Replication,
        help: "Log entries the master keeps whether or not a replica still needs them (PostgreSQL's wal_keep_size). A replica down or cut off for longer can never catch up by itself: it needs a rebuild (a new base backup), unless replication slots are on.",
        input: Input::Number { min: 1, max: MAX_WAL_KEEP, step: 1_000, unit: "" },
        get: |c| c.wal_keep.to_string(),
        set: |c, text| {
            c.wal_keep = number("wal_keep", text)?;
            Ok(())
        },
    },
    Setting {
        key: "slots",
        label: "Replication slots",
        group: Group::Replication,
        help: "Each replica streams through a replication slot: the master keeps every log entry a replica has not received, however long it is down, so it always catches up; the master's card shows the WAL a down replica holds back growing (slot bloat). PostgreSQL's physical replication slots.",
        input: Input::Choice(|_| vec!["off".to_string(), "on".to_string()]),
        get: |c| show_on_off(c.slots),
        set: |c, text| {
            c.slots = on_off("slots", text)?;
            Ok(())
        },
    },
    Setting {
        key: "max_slot_wal_keep",
        label: "Slot WAL limit (entries)",
        group: Group::Replication,
        help: "The most log entries a replication slot may hold back, a replica's or a change-data-capture connector's: past it the master gives the slot up (its wal_status becomes lost) and its consumer can never resume: a replica needs a rebuild, a connector a new snapshot. PostgreSQL's max_slot_wal_keep_size (no limit by default, until the disk fills; here at most what the page's memory holds). A slot may always hold what WAL kept keeps anyway.",
        input: Input::Number { min: 1, max: MAX_WAL_KEEP, step: 1_000, unit: "" },
        get: |c| c.max_slot_wal_keep.to_string(),
        set: |c, text| {
            c.max_slot_wal_keep = number("max_slot_wal_keep", text)?;
            Ok(())
        },
    },
    cqrs::CDC_POLL,
    cqrs::CDC_BATCH,
    cqrs::MONGO_MEMBERS,
    cqrs::MONGO_LAG,
    cqrs::FAILOVER_SLOTS,
    Setting {
        key: "wal_writer",
        label: "WAL writer delay (ms)",
        group: Group::Replication,
        help: "Replication off only: commits are acknowledged before they are on the master's disk, and its WAL writer flushes them this often (PostgreSQL's wal_writer_delay, 200 ms by default). A crash of the master before then loses them; replicas get them only once flushed.",
        input: Input::Number { min: 1, max: 10_000, step: 100, unit: "ms" },
        get: |c| c.wal_writer_ms.to_string(),
        set: |c, text| {
            c.wal_writer_ms = number("wal_writer", text)?;
            Ok(())
        },
    },
    Setting {
        key: "semi_sync",
        label: "Semi-sync timeout (ms)",
        group: Group::Replication,
        help: "Replication semi_sync only (MySQL's semi-synchronous replication): after this long without enough replicas receiving a write, the master falls back to async, and returns once they catch up (rpl_semi_sync_master_timeout). 0 waits forever. PostgreSQL's synchronous modes never fall back: they wait.",
        input: Input::Number { min: 0, max: MAX_DELAY_MS, step: 100, unit: "ms" },
        get: |c| c.semi_sync_timeout_ms.to_string(),
        set: |c, text| {
            c.semi_sync_timeout_ms = number("semi_sync", text)?;
            Ok(())
        },
    },
    Setting {
        key: "policy",
        label: "Policy",
        group: Group::Routing,
        help: "How a replica is picked for a read: in turn, at random, by weight (ProxySQL), fewest operations in progress (MaxScale LEAST_CURRENT_OPERATIONS) or least behind the master (LEAST_BEHIND_MASTER).",
        input: Input::Choice(|_| names(Policy::ALL, Policy::as_str)),
        get: |c| c.policy.to_string(),
        set: |c, text| {
            c.policy = choice(text)?;
            Ok(())
        },
    },
    Setting {
        key: "read_pref",
        label: "Read preference",
        group: Group::Routing,
        help: "Who may serve reads (MongoDB read preference). secondaryPreferred falls back to the master when no replica can serve (MaxScale master_accept_reads = true); secondary fails instead.",
        input: Input::Choice(|_| names(ReadPref::ALL, ReadPref::as_str)),
        get: |c| c.read_pref.to_string(),
        set: |c, text| {
            c.read_pref = choice(text)?;
            Ok(())
        },
    },
    Setting {
        key: "max_lag",
        label: "Max lag (ms)",
        group: Group::Routing,
        help: "A replica further behind than this is shunned until it catches up (ProxySQL max_replication_lag). 0 = off.",
        input: Input::Number { min: 0, max: MAX_DELAY_MS, step: 100, unit: "ms" },
        get: |c| c.max_lag_ms.to_string(),
        set: |c, text| {
            c.max_lag_ms = number("max_lag", text)?;
            Ok(())
        },
    },
    Setting {
        key: "causal",
        label: "Causal reads",
        group: Group::Routing,
        help: "A read waits on its replica until the client's last write is applied there, or goes to the master after the timeout (MaxScale causal_reads): read-your-writes.",
        input: Input::Choice(|_| vec!["off".to_string(), "on".to_string()]),
        get: |c| show_on_off(c.causal_reads),
        set: |c, text| {
            c.causal_reads = on_off("causal", text)?;
            Ok(())
        },
    },
    Setting {
        key: "causal_timeout",
        label: "Causal timeout (ms)",
        group: Group::Routing,
        help: "How long a causal read waits on a replica before it is sent to the master.",
        input: Input::Number { min: 0, max: MAX_DELAY_MS, step: 100, unit: "ms" },
        get: |c| c.causal_timeout_ms.to_string(),
        set: |c, text| {
            c.causal_timeout_ms = number("causal_timeout", text)?;
            Ok(())
        },
    },
    Setting {
        key: "sticky",
        label: "Sticky sessions",
        group: Group::Routing,
        help: "Each client keeps reading from the same replica while it can, so its reads never go back in time (monotonic reads).",
        input: Input::Choice(|_| vec!["off".to_string(), "on".to_string()]),
        get: |c| show_on_off(c.sticky),
        set: |c, text| {
            c.sticky = on_off("sticky", text)?;
            Ok(())
        },
    },
    Setting {
        key: "clients",
        label: "Clients",
        group: Group::Traffic,
        help: "Simulated clients, each with its own session.",
        input: Input::Choice(|_| (1..=MAX_CLIENTS).map(|n| n.to_string()).collect()),
        get: |c| c.clients.to_string(),
        set: |c, text| {
            c.clients = usize::try_from(number("clients", text)?).unwrap_or(usize::MAX);
            Ok(())
        },
    },
    Setting {
        key: "capacity",
        label: "Capacity (ops/s)",
        group: Group::Load,
        help: "Requests each node serves per second; more wait in its queue. One overloaded database makes the entire system slow for everyone.",
        input: Input::Number { min: 1, max: MAX_CAPACITY, step: 100, unit: "ops/s" },
        get: |c| c.capacity.to_string(),
        set: |c, text| {
            c.capacity = number("capacity", text)?;
            Ok(())
        },
    },
    Setting {
        key: "queue",
        label: "Queue limit",
        group: Group::Load,
        help: "Requests a node holds waiting; more are rejected.",
        input: Input::Number { min: 1, max: MAX_QUEUE, step: 10, unit: "" },
        get: |c| c.queue_limit.to_string(),
        set: |c, text| {
            c.queue_limit = number("queue", text)?;
            Ok(())
        },
    },
    Setting {
        key: "crash_after",
        label: "Crash after full (ms)",
        group: Group::Load,
        help: "A node whose queue stays full this long crashes: the overload the lecture says replicas prevent. 0 = never.",
        input: Input::Number { min: 0, max: MAX_DELAY_MS, step: 500, unit: "ms" },
        get: |c| c.crash_after_ms.to_string(),
        set: |c, text| {
            c.crash_after_ms = number("crash_after", text)?;
            Ok(())
        },
    },
    Setting {
        key: "failover",
        label: "Auto failover (ms)",
        group: Group::Failures,
        help: "The master down this long makes the most up-to-date replica the new master, as a failover manager (Patroni, repmgr) would; real ones wait longer (Patroni's leader lock lives 30 s by default). 0 = only by hand.",
        input: Input::Number { min: 0, max: MAX_DELAY_MS, step: 500, unit: "ms" },
        get: |c| c.failover_ms.to_string(),
        set: |c, text| {
            c.failover_ms = number("failover", text)?;
            Ok(())
        },
    },
    Setting {
        key: "rewind",
        label: "Rewind diverged nodes",
        group: Group::Failures,
        help: "After a failover, a node with writes the new master never had (the old master, a replica that received more) has diverged: PostgreSQL will not let it follow until it is rewound (pg_rewind) or rebuilt. manual: you click Rewind or Rebuild. auto: the failover manager rewinds it, as Patroni does with use_pg_rewind.",
        input: Input::Choice(|_| vec!["manual".to_string(), "auto".to_string()]),
        get: |c| (if c.auto_rewind { "auto" } else { "manual" }).to_string(),
        set: |c, text| {
            c.auto_rewind = match text {
                "auto" => true,
                "manual" => false,
                _ => return Err(Refusal::new(format!("rewind must be manual or auto, got \"{text}\""))),
            };
            Ok(())
        },
    },
    Setting {
        key: "seed",
        label: "Seed",
        group: Group::Run,
        help: "Seed of the random generator: the same seed and the same actions replay the same run.",
        input: Input::Number { min: 0, max: u64::MAX, step: 1, unit: "" },
        get: |c| c.seed.to_string(),
        set: |c, text| {
            c.seed = number("seed", text)?;
            Ok(())
        },
    },
];
