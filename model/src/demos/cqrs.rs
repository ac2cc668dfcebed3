//! The demo "CQRS: PostgreSQL takes the writes, MongoDB serves the reads" (`#demo=cqrs`): the
//! lecture's Pattern 3, with the change-data-capture connector between the two.

use super::*;
use crate::config::ReadSide;
use crate::ids::NodeId;

/// The lecture's picture: one master with a standby, the connector, two MongoDB members; the
/// connector polls every second, as a class can see.
fn cqrs() -> Config {
    Config { replicas: 1, read_side: ReadSide::MongoDb, lag_ms: 300, ..Config::default() }
}

/// How many members' read models have user `key`'s document at the master's committed LSN.
fn members_with(sim: &Simulation, key: u64) -> usize {
    let committed = sim.committed_lsn();
    sim.mongo_members().filter(|(_, member)| member.user(key).is_some_and(|doc| doc.lsn == committed)).count()
}

/// The latest snapshot's gap: where the old read model had got to, and where the new one starts.
fn last_gap(sim: &Simulation) -> Option<(u64, u64)> {
    sim.events().rev().find_map(|event| match event.kind {
        EventKind::ReadModelSnapshot { lsn, gap_from: Some((_, from)), .. } => Some((from, lsn)),
        _ => None,
    })
}

/// The primary has the latest snapshot: the new read model is there to see.
fn snapshot_arrived(sim: &Simulation) -> bool {
    let Some((_, lsn)) = last_gap(sim) else { return false };
    sim.mongo_members().any(|(_, member)| member.is_primary() && member.applied().1 >= lsn)
}

fn snapshots_with_a_gap(sim: &Simulation) -> usize {
    let gaps =
        sim.events().filter(|event| matches!(event.kind, EventKind::ReadModelSnapshot { gap_from: Some(_), .. }));
    gaps.count()
}

fn write_alice() -> Command {
    Command::Write { client: 0, key: 101, name: "Alice".into() }
}

pub const DEMO: Demo = Demo {
    name: "cqrs",
    title: "CQRS: PostgreSQL takes the writes, MongoDB serves the reads",
    section: "Pattern 3: master/slave as CQRS",
    steps: &[
        Step {
            title: "The read model catches up",
            narration: "Writes go to PostgreSQL (pg-1); reads go to MongoDB (mongo-1, mongo-2). Between them, a change-data-capture connector (cdc-1) reads pg-1's log of committed changes and writes them into MongoDB once a second. A client writes user 101.",
            aside: "Debezium's PostgreSQL connector reads a logical replication slot (with the pgoutput or decoderbufs plug-in) and hands the changes on through Kafka; here the connector writes to MongoDB itself, and its poll interval and batch size are settings.",
            config: cqrs,
            script: || vec![at(300, write_alice())],
            pause_when: Some(|sim| members_with(sim, 101) == 2),
            settle: Time::from_millis(2_500),
            claim: "About a second after pg-1 acknowledged it, cdc-1 carried the write into MongoDB: both members now have user 101's document, with the LSN of the commit it reflects (mongo-2's card lists it).",
            compare: None,
            check: |sim| {
                ensure(sim.stats().writes_acked == 1, "the write is acknowledged")?;
                ensure(members_with(sim, 101) == 2, "both members have the document at the commit's LSN")
            },
        },
        Step {
            title: "A stale read from the read model",
            narration: "The client writes user 101, then reads it back 0.3 s later. The read goes to MongoDB, which the connector has not updated yet.",
            aside: "",
            config: cqrs,
            script: || vec![at(300, write_alice()), at(600, Command::Read { client: 0, key: 101 })],
            pause_when: Some(|sim| sim.stats().reads_completed == 1),
            settle: Time::from_millis(1_200),
            claim: "The read came back stale: the write was acknowledged by PostgreSQL, but MongoDB did not have it yet, and the client missed its own write (Stale reads: 1, Read-your-writes violations: 1).",
            compare: None,
            check: |sim| {
                ensure(sim.stats().stale_reads == 1, "the read is stale")?;
                ensure(sim.stats().ryw_violations == 1, "the client missed its own write")
            },
        },
        Step {
            title: "Reading your own write: a consistency token",
            narration: "The same write and read, but the write now returns its commit's position (a consistency token), and the read carries it: the member serving it waits until its read model has reached it (or, after 2 s, the read goes to pg-1).",
            aside: "CQRS systems hand the write's commit LSN (or a version) back to the client and make the read side wait for it; MaxScale's causal_reads does the same for MySQL replicas.",
            config: || Config { causal_reads: true, ..cqrs() },
            script: || vec![at(300, write_alice()), at(600, Command::Read { client: 0, key: 101 })],
            pause_when: Some(|sim| sim.stats().reads_completed == 1),
            settle: Time::from_millis(2_500),
            claim: "The read waited in MongoDB until cdc-1 had carried the write there, then answered it: not stale, and the client saw its own write (Stale reads: 0, Read-your-writes violations: 0).",
            compare: None,
            check: |sim| {
                ensure(sim.stats().reads_completed == 1, "the read is answered")?;
                ensure(
                    sim.stats().stale_reads == 0 && sim.stats().ryw_violations == 0,
                    "fresh, with the client's own write",
                )?;
                let served = sim.recent().find(|record| record.is_read()).and_then(|record| record.machine);
                ensure(served.is_some_and(|machine| !machine.is_postgres()), "MongoDB answered it")
            },
        },
        Step {
            title: "The connector stops: the master keeps its log",
            narration: "cdc-1 crashes at 0.2 s while clients keep writing. Nothing reaches MongoDB, and pg-1 must keep every change the connector has not confirmed.",
            aside: "PostgreSQL keeps the WAL from a logical slot's restart_lsn, a little before its confirmed_flush_lsn (pg_replication_slots shows both), until max_slot_wal_keep_size, which is unlimited by default: a stopped consumer can fill the master's disk.",
            config: || Config { rate: 40, reads_percent: 0, wal_keep: 10, ..cqrs() },
            script: || vec![at(200, Command::CrashReadSide(NodeId::CONNECTOR))],
            pause_when: Some(|sim| {
                sim.logical_retained().first().is_some_and(|(_, held)| held.is_some_and(|held| held >= 40))
            }),
            settle: Time::from_millis(2_500),
            claim: "pg-1 keeps every log entry since the connector's last confirmed one, beyond what it keeps anyway (its box shows the WAL it holds, growing), while the read model stands still at its last LSN.",
            compare: None,
            check: |sim| {
                ensure(
                    sim.logical_retained().first().is_some_and(|(_, held)| held.is_some_and(|held| held >= 40)),
                    "the master holds WAL for the slot",
                )?;
                ensure(sim.mongo_members().all(|(_, member)| member.applied().1 == 0), "MongoDB has had nothing new")
            },
        },
        Step {
            title: "Past the limit: a new snapshot",
            narration: "The same, with pg-1 allowed to hold at most 60 log entries for a slot. cdc-1 comes back at 2.5 s.",
            aside: "max_slot_wal_keep_size gives up a slot that holds back more (wal_status becomes lost). Debezium then stops with an error, and an operator drops the slot and starts it again with a new snapshot: what cdc-1 does here by itself.",
            config: || Config { rate: 40, reads_percent: 0, wal_keep: 10, max_slot_wal_keep: 60, ..cqrs() },
            script: || {
                vec![
                    at(200, Command::CrashReadSide(NodeId::CONNECTOR)),
                    at(2_500, Command::RestartReadSide(NodeId::CONNECTOR)),
                ]
            },
            pause_when: Some(|sim| snapshots_with_a_gap(sim) == 1 && snapshot_arrived(sim)),
            settle: Time::from_millis(3_000),
            claim: "pg-1 gave the slot up, so cdc-1 could not resume: it made a new slot and copied pg-1 whole again (a snapshot). The event log shows the gap: the changes MongoDB never saw one by one.",
            compare: None,
            check: |sim| {
                ensure(
                    sim.events().any(|event| matches!(event.kind, EventKind::LogicalSlotInvalidated { .. })),
                    "the slot was lost",
                )?;
                ensure(snapshots_with_a_gap(sim) == 1, "a new snapshot, with a gap")?;
                ensure(snapshot_arrived(sim), "the primary has the new snapshot")
            },
        },
        Step {
            title: "A failover loses the slot",
            narration: "The client writes user 101 at 0.3 s, which reaches MongoDB at 1 s, and two more users at 1.3 and 1.5 s; at 1.9 s pg-1 crashes and its standby pg-2 is promoted. The slot lived on pg-1.",
            aside: "PostgreSQL 15 and 16 copy no logical slot to a standby; PostgreSQL 17's failover slots (sync_replication_slots) do, which the Failover slots setting shows.",
            config: cqrs,
            script: || {
                vec![
                    at(300, write_alice()),
                    at(1_300, Command::Write { client: 0, key: 102, name: "Bea".into() }),
                    at(1_500, Command::Write { client: 0, key: 103, name: "Cy".into() }),
                    at(1_900, Command::Promote(Some(NodeRef::Replica(1)))),
                ]
            },
            pause_when: Some(|sim| snapshots_with_a_gap(sim) == 1 && members_with(sim, 103) >= 1),
            settle: Time::from_millis(3_500),
            claim: "pg-2 is the master now and has no slot: cdc-1 could not resume, and copied pg-2 whole into a new read model. The two later writes never came through the connector: the event log shows the gap, LSN 1 to 3.",
            compare: None,
            check: |sim| {
                ensure(sim.master_id() != NodeId(0), "pg-2 is the master")?;
                ensure(snapshots_with_a_gap(sim) == 1, "a new snapshot after the failover")?;
                ensure(last_gap(sim) == Some((1, 3)), "the gap is LSN 1 to 3")?;
                ensure(members_with(sim, 103) >= 1, "the snapshot has the later writes")
            },
        },
    ],
};
