//! The demo "Asynchronous replication: fast, but stale reads" (`#demo=async-stale`).

use super::*;

pub const DEMO: Demo = Demo {
    name: "async-stale",
    title: "Asynchronous replication: fast, but stale reads",
    section: "Replication mechanism: asynchronous",
    steps: &[
        Step {
            title: "The master does not wait",
            narration: "Asynchronous replication, with the replicas 2 s away from the master. A client writes a user.",
            aside: "",
            config: || lagging(Mode::Async),
            script: || vec![at(200, Command::WriteRandom { client: 0 })],
            pause_when: Some(|sim| sim.stats().writes_acked == 1),
            settle: Time::from_millis(600),
            claim: "The write is acknowledged (Writes acknowledged: 1) while both replicas still show LSN 0: the master did not wait for them.",
            compare: None,
            check: |sim| {
                ensure(sim.stats().writes_acked == 1, "the write is acknowledged")?;
                ensure(sim.replicas().iter().all(|(_, node)| node.positions().applied == 0), "no replica has it yet")
            },
        },
        Step {
            title: "A stale read",
            narration: "The client writes a user, then reads it back 0.4 s later. The read goes to a replica, which has not received the write yet.",
            aside: "",
            config: || lagging(Mode::Async),
            script: || {
                vec![at(200, Command::WriteRandom { client: 0 }), at(600, Command::ReadLastWritten { client: 0 })]
            },
            pause_when: Some(|sim| sim.stats().stale_reads == 1),
            settle: Time::from_millis(1_000),
            claim: "The read came back stale: the replica returned the old row (STALE in the request log), though the write was acknowledged.",
            compare: None,
            check: |sim| ensure(sim.stats().stale_reads == 1, "the read is stale"),
        },
        Step {
            title: "After the lag",
            narration: "This time the client reads 2.4 s after writing: after the write has reached the replicas.",
            aside: "",
            config: || lagging(Mode::Async),
            script: || {
                vec![at(200, Command::WriteRandom { client: 0 }), at(2_600, Command::ReadLastWritten { client: 0 })]
            },
            pause_when: Some(|sim| sim.stats().reads_completed == 1),
            settle: Time::from_millis(3_000),
            claim: "The read is fresh, and both replicas show LSN 1: async replicas catch up, after the lag.",
            compare: None,
            check: |sim| {
                ensure(sim.stats().reads_completed == 1, "the read is answered")?;
                ensure(sim.stats().stale_reads == 0, "the read is fresh")?;
                ensure(sim.replicas().iter().all(|(_, node)| node.positions().applied == 1), "both replicas have it")
            },
        },
    ],
};
