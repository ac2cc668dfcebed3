//! The demo "Synchronous replication: no stale reads, slower writes" (`#demo=sync`).

use super::*;

pub const DEMO: Demo = Demo {
    name: "sync",
    title: "Synchronous replication: no stale reads, slower writes",
    section: "Replication mechanism: synchronous",
    steps: &[
        Step {
            title: "The master waits",
            narration: "Synchronous replication: the master acknowledges a write only once every replica has applied it; log entries take 1 s to get there. The client writes, then reads the user three times meanwhile.",
            aside: "PostgreSQL: synchronous_commit = remote_apply, every replica named in synchronous_standby_names.",
            config: || Config { lag_ms: 1_000, ..lagging(Mode::Sync) },
            script: || {
                vec![
                    at(200, Command::WriteRandom { client: 0 }),
                    at(400, Command::ReadLastWritten { client: 0 }),
                    at(700, Command::ReadLastWritten { client: 0 }),
                    at(1_000, Command::ReadLastWritten { client: 0 }),
                ]
            },
            pause_when: Some(|sim| sim.stats().writes_acked == 1),
            settle: Time::from_millis(3_000),
            claim: "Acknowledged only now, once both replicas applied it. The reads before it returned the old name, none of them stale (the request log): until the commit, the old name was the truth.",
            compare: None,
            check: |sim| {
                ensure(sim.stats().writes_acked == 1, "the write is acknowledged")?;
                ensure(sim.stats().reads_completed == 3, "the three reads were answered before it")?;
                ensure(sim.stats().stale_reads == 0, "no read is stale")?;
                let latency = sim.recent().find(|record| !record.is_read()).and_then(|record| record.latency());
                ensure(
                    latency.is_some_and(|latency| latency > Time::from_millis(1_000)),
                    "the write took longer than the delay",
                )
            },
        },
        Step {
            title: "One replica down blocks writes",
            narration: "pg-3 (replica 2) crashes, then the client writes. The master waits for every replica it names.",
            aside: "",
            config: || Config { lag_ms: 1_000, ..lagging(Mode::Sync) },
            script: || vec![at(100, Command::Crash(NodeRef::Replica(2))), at(200, Command::WriteRandom { client: 0 })],
            pause_when: None,
            settle: Time::from_millis(3_500),
            claim: "Over 3 s later the write still waits: the master waits for pg-3, which is down. Synchronous replication gives up availability for consistency.",
            compare: None,
            check: |sim| {
                ensure(sim.stats().writes_acked == 0, "the write is not acknowledged")?;
                ensure(sim.stats().writes_in_flight() == 1, "the write is still waiting")
            },
        },
        Step {
            title: "Semi-sync stops waiting",
            narration: "Semi-synchronous replication waits until the replicas have received a write (here both), but for at most 1.5 s; then it stops waiting. pg-3 crashes; the client writes.",
            aside: "MySQL's semi-sync: rpl_semi_sync_master_wait_for_slave_count = 2, rpl_semi_sync_master_timeout = 1500 ms. PostgreSQL's synchronous commit has no such limit: it waits for ever.",
            config: || Config { lag_ms: 1_000, semi_sync_timeout_ms: 1_500, ..lagging(Mode::SemiSync) },
            script: || vec![at(100, Command::Crash(NodeRef::Replica(2))), at(200, Command::WriteRandom { client: 0 })],
            pause_when: Some(|sim| sim.stats().writes_acked == 1),
            settle: Time::from_millis(3_000),
            claim: "After 1.5 s the master fell back to async and acknowledged (event log: pg-2 had received it, pg-3 had not). And received is not applied: replica reads can still be stale.",
            compare: None,
            check: |sim| {
                ensure(sim.stats().writes_acked == 1, "the write is acknowledged")?;
                ensure(
                    sim.events().any(|event| matches!(event.kind, EventKind::FellBackToAsync { .. })),
                    "the fallback is in the event log",
                )
            },
        },
    ],
};
