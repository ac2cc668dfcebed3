//! The demo "The master crashes: failover and lost writes" (`#demo=master-crash`).

use super::*;

pub const DEMO: Demo = Demo {
    name: "master-crash",
    title: "The master crashes: failover and lost writes",
    section: "Master handles writes: what if it fails?",
    steps: &[
        Step {
            title: "Writes fail, reads go on",
            narration: "The master crashes at 0.7 s. Then the client writes, and reads.",
            aside: "",
            config: || Config { lag_ms: 1_500, ..lagging(Mode::Async) },
            script: || {
                vec![
                    at(700, Command::Crash(NodeRef::Master)),
                    at(1_000, Command::WriteRandom { client: 0 }),
                    at(1_100, Command::ReadLastWritten { client: 0 }),
                ]
            },
            pause_when: Some(|sim| sim.stats().writes_failed == 1 && sim.stats().reads_completed == 1),
            settle: Time::from_millis(1_500),
            claim: "The write failed (the master is down), but a replica answered the read: reads stay available, writes do not.",
            compare: None,
            check: |sim| {
                ensure(sim.stats().writes_failed == 1, "the write fails")?;
                ensure(sim.stats().reads_completed == 1, "the read is answered")
            },
        },
        Step {
            title: "Failover loses acknowledged writes",
            narration: "The replicas lose their link to the master (a partition); async, it goes on acknowledging writes. Three are acknowledged, then the master crashes and a replica is promoted.",
            aside: "",
            config: || Config { lag_ms: 1_500, ..lagging(Mode::Async) },
            script: || {
                vec![
                    at(100, Command::CutLink(NodeRef::Replica(1))),
                    at(100, Command::CutLink(NodeRef::Replica(2))),
                    at(200, Command::WriteRandom { client: 0 }),
                    at(400, Command::WriteRandom { client: 0 }),
                    at(600, Command::WriteRandom { client: 0 }),
                    at(700, Command::Crash(NodeRef::Master)),
                    at(1_200, Command::Promote(None)),
                ]
            },
            pause_when: Some(|sim| sim.stats().lost_writes > 0),
            settle: Time::from_millis(1_500),
            claim: "The new master never received those three writes: they are lost, though each client was told its write was saved (Lost writes: 3, and the event log).",
            compare: None,
            check: |sim| {
                ensure(sim.stats().writes_acked == 3, "three writes were acknowledged")?;
                ensure(sim.stats().lost_writes == 3, "three acknowledged writes are lost")?;
                ensure(sim.master().is_up(), "a new master serves")
            },
        },
        Step {
            title: "Automatic failover",
            narration: "Automatic failover: a replica is promoted by itself once the master has been gone 1 s. The master crashes at 0.7 s; the client writes at 1.2 s, while no master serves, and again at 2.5 s.",
            aside: "Patroni or repmgr do this for PostgreSQL, and wait longer (Patroni's leader lock lives 30 s by default): writes fail all that time, as the one at 1.2 s does here.",
            config: || Config { lag_ms: 300, failover_ms: 1_000, ..lagging(Mode::Async) },
            script: || {
                vec![
                    at(200, Command::WriteRandom { client: 0 }),
                    at(700, Command::Crash(NodeRef::Master)),
                    at(1_200, Command::WriteRandom { client: 0 }),
                    at(2_500, Command::WriteRandom { client: 0 }),
                ]
            },
            pause_when: Some(|sim| sim.stats().writes_acked == 2),
            settle: Time::from_millis(3_000),
            claim: "The write at 1.2 s failed: no master had been promoted yet. Then a replica became the master by itself (see the event log), and the write at 2.5 s is acknowledged: writes work again.",
            compare: None,
            check: |sim| {
                ensure(
                    sim.events().any(|event| matches!(event.kind, EventKind::Promoted { .. })),
                    "a replica was promoted",
                )?;
                ensure(sim.stats().writes_failed == 1, "the write while no master serves fails")?;
                ensure(sim.stats().writes_acked == 2, "writes work again")
            },
        },
    ],
};
