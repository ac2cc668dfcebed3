//! The demo "Sync is not linearizable" (`#demo=sync-linearizable`): under synchronous
//! replication with replica reads, a read can see a write before it is acknowledged and a
//! later read elsewhere the old value; no read is stale by the counters, yet the history is not
//! linearizable. Reading at the master removes it; causal tokens do not.

use super::*;
use crate::checker::Verdict;
use crate::history::SHOWN;

pub const DEMO: Demo = Demo {
    name: "sync-linearizable",
    title: "Sync is not linearizable",
    section: "Replication mechanism: synchronous",
    steps: &[
        Step {
            title: "New, then old, while the master waits",
            narration: "Synchronous replication to both replicas; pg-2 is 0.25 s from the master, pg-3 1 s. Client 1 renames user 102 from Bob to Alice. While the master waits for pg-3, client 2 reads on pg-2, then client 3 on pg-3.",
            aside: "PostgreSQL: synchronous_commit = remote_apply, both standbys named in synchronous_standby_names.",
            config: || inversion(|_| {}),
            script: write_then_two_reads,
            pause_when: Some(both_reads_answered),
            settle: Time::from_millis(2_000),
            claim: "Client 2 saw Alice, then client 3 saw Bob; the write is still not acknowledged. No read is stale, yet no single order explains both: linearizable: no (the outlined bars). Each client alone is fine: sequentially consistent: yes.",
            compare: None,
            check: |sim| {
                ensure(sim.stats().stale_reads == 0, "no read is stale")?;
                ensure(sim.stats().writes_in_flight() == 1, "the write still waits for pg-3")?;
                let verdicts = sim.history(SHOWN).verdicts();
                ensure(matches!(verdicts.linearizable, Verdict::No { .. }), "the history is not linearizable")?;
                ensure(verdicts.sequential == Verdict::Yes, "it is sequentially consistent")
            },
        },
        Step {
            title: "Causal tokens do not fix it",
            narration: "Causal reads: each read waits until its replica has applied the reading client's own last write. Clients 2 and 3 wrote nothing.",
            aside: "MaxScale's causal_reads (MySQL).",
            config: || inversion(|c| c.causal_reads = true),
            script: write_then_two_reads,
            pause_when: Some(both_reads_answered),
            settle: Time::from_millis(2_000),
            claim: "Still Alice, then Bob: linearizable: no. A causal token keeps a client's own writes in view (read-your-writes), not what other clients have already seen.",
            compare: None,
            check: |sim| {
                ensure(sim.config().causal_reads, "causal reads are on")?;
                ensure(
                    matches!(sim.history(SHOWN).verdicts().linearizable, Verdict::No { .. }),
                    "the history is not linearizable",
                )
            },
        },
        Step {
            title: "Reads at the master",
            narration: "Now every read goes to the master. It shows a synchronous write to other clients only once the replicas have confirmed it.",
            aside: "MongoDB's readPreference primary. PostgreSQL shows a synchronous commit to other sessions only once the standbys have confirmed it.",
            config: || inversion(|c| c.read_pref = ReadPref::Primary),
            script: write_then_two_reads,
            pause_when: Some(both_reads_answered),
            settle: Time::from_millis(2_000),
            claim: "Both reads returned Bob until the commit: linearizable: yes. The cost: the master serves every read again, and a new value shows there only once the slowest standby confirms it.",
            compare: None,
            check: |sim| {
                ensure(sim.master().reads_served() == 2, "the master served both reads")?;
                ensure(sim.history(SHOWN).verdicts().linearizable == Verdict::Yes, "the history is linearizable")
            },
        },
    ],
};

fn inversion(change: fn(&mut Config)) -> Config {
    let mut config = Config { replicas: 2, mode: Mode::Sync, lag_ms: 250, clients: 3, ..Config::default() };
    change(&mut config);
    config
}

/// pg-3 further away; client 1 writes user 102; client 2 reads it at 0.5 s, client 3 at 0.7 s.
fn write_then_two_reads() -> Vec<(Time, Command)> {
    vec![
        at(0, Command::SetLag(NodeRef::Replica(2), 1_000)),
        at(100, Command::Write { client: 0, key: 102, name: "Alice".to_string() }),
        at(500, Command::Read { client: 1, key: 102 }),
        at(700, Command::Read { client: 2, key: 102 }),
    ]
}

fn both_reads_answered(sim: &Simulation) -> bool {
    sim.stats().reads_completed == 2
}
