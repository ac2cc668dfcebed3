//! The session counters (read-your-writes, monotonic reads) and the request log's flags agree
//! with the history's verdicts: both judge a read against what its client had been answered
//! before the read was issued.

mod common;

use common::advance;
use replication_model::checker::{self, Kind, Op as CheckedOp, Verdict};
use replication_model::config::{Config, Mode, Policy, ReadPref, ReadSide};
use replication_model::rng::SimRng;
use replication_model::time::Time;
use replication_model::{Command, NodeRef, Simulation};

/// The student's case: on a paused page no simulated time passes between two clicks, so Write
/// then Read issue both requests at the same moment. The read is concurrent with the write: it
/// may miss it, and neither the counters nor the verdicts may call that a violation.
fn write_then_read_at_once(mode: Mode) -> Simulation {
    let mut sim = Simulation::new(Config { mode, ..Config::default() }).expect("valid config");
    sim.apply(Command::WriteRandom { client: 0 }).unwrap();
    sim.apply(Command::ReadLastWritten { client: 0 }).unwrap();
    advance(&mut sim, 5_000);
    sim
}

#[test]
fn a_read_issued_with_the_write_is_no_read_your_writes_violation() {
    for mode in [Mode::Async, Mode::Sync] {
        let sim = write_then_read_at_once(mode);
        let read = sim.recent().find(|record| record.is_read()).expect("the read finished");
        let verdicts = sim.history(usize::MAX).verdicts();
        assert_eq!(
            verdicts.read_your_writes,
            Verdict::Yes,
            "{mode}: the read was issued before the write was answered"
        );
        assert_eq!(verdicts.linearizable, Verdict::Yes, "{mode}");
        assert!(!read.ryw_violation, "{mode}: the log must not say MISSED OWN WRITE");
        assert_eq!(sim.stats().ryw_violations, 0, "{mode}: the tile must agree");
    }
}

/// The write's acknowledgement and the read's call at the same simulated moment: the history
/// has only times and cannot tell which came first, so it counts them as concurrent, and so do
/// the counters; a microsecond later the read is the client's own write missed.
#[test]
fn a_read_issued_the_moment_the_write_is_answered_counts_as_concurrent_with_it() {
    let mut sim = Simulation::new(Config { clients: 1, ..Config::default() }).expect("valid config");
    sim.apply(Command::Write { client: 0, key: 101, name: "Bob".into() }).unwrap();
    while sim.in_flight().next().is_some() {
        sim.step();
    }
    sim.apply(Command::Read { client: 0, key: 101 }).unwrap();
    sim.run_until(sim.now() + Time(1));
    sim.apply(Command::Read { client: 0, key: 101 }).unwrap();
    advance(&mut sim, 500);
    let reads: Vec<_> = sim.recent().filter(|record| record.is_read()).collect();
    assert!(reads.iter().all(|read| read.is_stale()), "both miss the write");
    assert_eq!(reads.iter().map(|read| read.ryw_violation).collect::<Vec<_>>(), [false, true]);
    let history = sim.history(usize::MAX);
    let verdicts = history.verdicts();
    let Verdict::No { witness } = verdicts.read_your_writes else { panic!("the second read missed the write") };
    assert_eq!(history.entries[witness[1]].record.id, reads[1].id);
}

/// A run short enough that the history keeps every request (its window opens at the start):
/// clicks from several clients, a third at the same moment as the one before, some while a
/// write of the same client is under way; sometimes a master crash and a failover.
fn clicks(seed: u64, mode: Mode) -> Simulation {
    let mut choices = SimRng::new(seed ^ 0xc11c);
    let config = Config {
        replicas: 1 + choices.below(3) as usize,
        mode,
        lag_ms: choices.below(400),
        jitter_ms: choices.below(2) * choices.below(60),
        clients: 2 + choices.below(3) as usize,
        policy: Policy::ALL[choices.below(Policy::ALL.len() as u64) as usize],
        read_pref: ReadPref::ALL[choices.below(ReadPref::ALL.len() as u64) as usize],
        causal_reads: choices.below(4) == 0,
        sticky: choices.below(2) == 1,
        read_side: if choices.below(4) == 0 { ReadSide::MongoDb } else { ReadSide::Standbys },
        failover_ms: 300,
        seed,
        ..Config::default()
    };
    let mut sim = Simulation::new(config).expect("valid config");
    // Replicas at different distances, so round-robin reads can go back in time.
    let _ = sim.apply(Command::SetLag(NodeRef::Replica(2), choices.below(1_000)));
    for _ in 0..40 {
        let client = choices.below(sim.config().clients as u64) as usize;
        let command = match choices.below(12) {
            0..=3 => Command::WriteRandom { client },
            4..=8 => Command::ReadLastWritten { client },
            9 | 10 => Command::Read { client, key: 102 },
            _ if choices.below(4) == 0 => Command::Crash(NodeRef::Master),
            _ => Command::Restart(NodeRef::Master),
        };
        // Refusals (the master already down or up) are part of the game.
        let _ = sim.apply(command);
        let gap = if choices.below(3) == 0 { 0 } else { choices.below(250) };
        advance(&mut sim, gap);
    }
    sim.run_to_quiescence();
    sim
}

/// Whether the checker, given `history`'s operations `kept` only, names operation `read` in a
/// No.
fn names(verdict: Verdict, read: usize) -> bool {
    matches!(verdict, Verdict::No { witness } if witness.last() == Some(&read))
}

#[test]
fn the_counters_flag_exactly_the_reads_the_history_checks_find_in_violation() {
    let (mut flagged_ryw, mut flagged_monotonic, mut missed_while_under_way) = (0, 0, 0);
    for seed in 0..60 {
        for &mode in Mode::ALL {
            let sim = clicks(seed, mode);
            let history = sim.history(usize::MAX);
            assert_eq!(history.horizon, Time::ZERO, "seed {seed} {mode}: the window must hold the whole run");
            let (checked, entry_of) = history.checked();
            let mut judged = 0;
            for (index, op) in checked.ops.iter().enumerate() {
                let Kind::Read { value } = op.kind else { continue };
                judged += 1;
                let record = history.entries[entry_of[index]].record;
                // The read alone with its client's writes of the key, then with its reads of it.
                let alone_with = |earlier: fn(&Kind) -> bool| {
                    let ops: Vec<CheckedOp> = (checked.ops.iter().enumerate())
                        .filter(|&(i, other)| {
                            i == index
                                || (other.process == op.process
                                    && other.key == op.key
                                    && other.ret.is_some_and(|ret| ret < op.call)
                                    && earlier(&other.kind))
                        })
                        .map(|(_, other)| other.clone())
                        .collect();
                    let read = ops.iter().position(|other| other == op).expect("the read itself");
                    (checker::History { ops, initial: checked.initial.clone() }, read)
                };
                let (own_writes, read) = alone_with(|kind| matches!(kind, Kind::Write { .. }));
                let context = format!("seed {seed} {mode}: #{} read {value:?}", record.id);
                assert_eq!(record.ryw_violation, names(checker::read_your_writes(&own_writes), read), "{context}");
                let (own_reads, read) = alone_with(|kind| matches!(kind, Kind::Read { .. }));
                assert_eq!(record.monotonic_violation, names(checker::monotonic_reads(&own_reads), read), "{context}");
                flagged_ryw += u64::from(record.ryw_violation);
                flagged_monotonic += u64::from(record.monotonic_violation);
                let own_write_under_way = history.entries.iter().any(|entry| {
                    let write = entry.record;
                    write.client == record.client
                        && write.key() == record.key()
                        && !write.is_read()
                        && write.issued_at <= record.issued_at
                        && write.completed_at >= Some(record.issued_at)
                });
                missed_while_under_way += u64::from(own_write_under_way && record.is_stale());
            }
            let stats = sim.stats();
            assert_eq!(judged, stats.reads_completed, "seed {seed} {mode}: every read is judged");
            let flags = history.entries.iter().filter(|entry| entry.record.ryw_violation).count() as u64;
            assert_eq!(flags, stats.ryw_violations, "seed {seed} {mode}: the tile counts the log's flags");
            let verdicts = history.verdicts();
            assert_eq!(stats.ryw_violations > 0, verdicts.read_your_writes.answer() == "no", "seed {seed} {mode}");
            assert_eq!(stats.monotonic_violations > 0, verdicts.monotonic_reads.answer() == "no", "seed {seed} {mode}");
        }
    }
    assert!(
        flagged_ryw > 20 && flagged_monotonic > 5,
        "too few violations to test: {flagged_ryw}, {flagged_monotonic}"
    );
    assert!(missed_while_under_way > 5, "too few reads concurrent with their own write: {missed_while_under_way}");
}

/// A client removed and added again starts a new session: a read it had under way is judged by
/// nothing the old session was answered (as by the history, whose lanes are per call).
#[test]
fn a_client_added_again_does_not_judge_the_read_its_old_session_left_under_way() {
    let stale_own_read = |readd: bool| {
        let config = Config { clients: 3, replicas: 1, lag_ms: 1_000, client_ms: 1, ..Config::default() };
        let mut sim = Simulation::new(config).expect("valid config");
        sim.apply(Command::Write { client: 2, key: 101, name: "Bob".into() }).unwrap();
        advance(&mut sim, 10);
        sim.apply(Command::Read { client: 2, key: 101 }).unwrap();
        if readd {
            common::reconfigure(&mut sim, |config| config.clients = 2);
            common::reconfigure(&mut sim, |config| config.clients = 3);
        }
        advance(&mut sim, 500);
        let read = sim.recent().find(|record| record.is_read()).expect("the read finished").clone();
        assert!(read.is_stale(), "the replica had not applied Bob");
        (read.ryw_violation, sim.stats().ryw_violations)
    };
    assert_eq!(stale_own_read(false), (true, 1), "the same session missed its own write");
    assert_eq!(stale_own_read(true), (false, 0), "a new session had written nothing");
}
