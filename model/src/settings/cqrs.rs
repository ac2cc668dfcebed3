//! The read side's settings (`read_side` mongodb: the connector and the MongoDB replica set),
//! rows of the settings table (`table.rs`) kept in a file of their own.

use super::{Group, Input, Setting, choice, names, number, on_off, show_on_off};
use crate::config::{MAX_CDC_BATCH, MAX_DELAY_MS, MAX_MONGO_MEMBERS, ReadSide};

pub(super) const READ_SIDE: Setting = Setting {
    key: "read_side",
    label: "Reads from",
    group: Group::Run,
    help: "Who serves the reads. standbys: PostgreSQL's own streaming replicas (copies of the master). mongodb: the lecture's CQRS picture: a change-data-capture connector (cdc-1, as Debezium) reads the master's logical replication slot and writes a read model into a MongoDB replica set (mongo-1, mongo-2, ...), which serves the reads by its read preference; the standbys stay, for failover.",
    input: Input::Choice(|_| names(ReadSide::ALL, ReadSide::as_str)),
    get: |c| c.read_side.to_string(),
    set: |c, text| {
        c.read_side = choice(text)?;
        Ok(())
    },
};

pub(super) const CDC_POLL: Setting = Setting {
    key: "cdc_poll",
    label: "Connector poll (ms)",
    group: Group::Replication,
    help: "Read side mongodb: how often the connector writes the changes it has received to MongoDB, then confirms to the master what MongoDB acknowledged (its slot's confirmed_flush_lsn, as pg_recvlogical confirms at each --status-interval; Debezium confirms only once Kafka Connect has flushed its offsets, every offset.flush.interval.ms, 60 s by default). It is the read model's lag, and, with cdc-1 among the synchronous standbys, what a commit waits.",
    input: Input::Number { min: 1, max: MAX_DELAY_MS, step: 100, unit: "ms" },
    get: |c| c.cdc_poll_ms.to_string(),
    set: |c, text| {
        c.cdc_poll_ms = number("cdc_poll", text)?;
        Ok(())
    },
};

pub(super) const CDC_BATCH: Setting = Setting {
    key: "cdc_batch",
    label: "Connector batch (changes)",
    group: Group::Replication,
    help: "Read side mongodb: the most changes the connector writes to MongoDB in one batch (as Debezium's max.batch.size, 2048 by default). Here a batch holds whole transactions (a bigger one goes alone); Debezium's does not keep them whole. A burst of writes drains a batch per poll.",
    input: Input::Number { min: 1, max: MAX_CDC_BATCH, step: 100, unit: "" },
    get: |c| c.cdc_batch.to_string(),
    set: |c, text| {
        c.cdc_batch = number("cdc_batch", text)?;
        Ok(())
    },
};

pub(super) const MONGO_MEMBERS: Setting = Setting {
    key: "mongo_members",
    label: "MongoDB members",
    group: Group::Replication,
    help: "Read side mongodb: the members of the MongoDB replica set holding the read model. mongo-1 starts as the primary, which the connector writes to; the others are secondaries copying its oplog.",
    input: Input::Number { min: 1, max: MAX_MONGO_MEMBERS as u64, step: 1, unit: "" },
    get: |c| c.mongo_members.to_string(),
    set: |c, text| {
        c.mongo_members = number("mongo_members", text)?;
        Ok(())
    },
};

pub(super) const MONGO_LAG: Setting = Setting {
    key: "mongo_lag",
    label: "MongoDB oplog delay (ms)",
    group: Group::Network,
    help: "Read side mongodb: how long a MongoDB secondary takes to copy a write from the primary's oplog. Reads at a secondary lag the primary by this much, on top of the connector's lag.",
    input: Input::Number { min: 0, max: MAX_DELAY_MS, step: 100, unit: "ms" },
    get: |c| c.mongo_lag_ms.to_string(),
    set: |c, text| {
        c.mongo_lag_ms = number("mongo_lag", text)?;
        Ok(())
    },
};

pub(super) const FAILOVER_SLOTS: Setting = Setting {
    key: "failover_slots",
    label: "Failover slots (PostgreSQL 17)",
    group: Group::Failures,
    help: "Read side mongodb: PostgreSQL 17's failover slots (the connector's slot made with the failover option, sync_replication_slots on the standbys, and synchronized_standby_slots listing them, so the connector never gets ahead of a standby: a standby that is down holds the connector back): a promoted standby has the connector's slot, as far as it had replayed, and the connector resumes. Off, as in PostgreSQL 15 and 16: a promoted standby has no logical slot, and the read model must be snapshotted again.",
    input: Input::Choice(|_| vec!["off".to_string(), "on".to_string()]),
    get: |c| show_on_off(c.failover_slots),
    set: |c, text| {
        c.failover_slots = on_off("failover_slots", text)?;
        Ok(())
    },
};
