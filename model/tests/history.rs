//! The history the page draws and its verdicts: the model's own flags agree with the checker
//! where they can, and the checker sees what they cannot (sync replication with replica reads
//! is not linearizable).

mod common;

use common::{advance, base, read_as, with};
use replication_model::acknowledged::Start;
use replication_model::checker::Verdict;
use replication_model::config::{Config, Mode, ReadPref};
use replication_model::history::{Ending, History, SHOWN};
use replication_model::time::Time;
use replication_model::{Command, NodeRef, Simulation};

fn write_as(sim: &mut Simulation, client: usize, key: u64, name: &str) {
    sim.apply(Command::Write { client, key, name: name.to_string() }).expect("writes are accepted");
}

fn labels(history: &History, witness: &Verdict) -> Vec<u64> {
    match witness {
        Verdict::No { witness } => witness.iter().map(|&i| history.entries[i].record.id).collect(),
        other => panic!("not a No: {other:?}"),
    }
}

/// Sync replication (remote_apply, both replicas), pg-3 four times further than pg-2: client 0
/// writes; while the master waits, client 1 reads from pg-2 (it has applied the write) and then
/// client 2 from pg-3 (it has not).
fn inversion(read_pref: ReadPref) -> Simulation {
    let mut sim = with(Config { mode: Mode::Sync, clients: 3, lag_ms: 250, read_pref, ..base() });
    sim.apply(Command::SetLag(NodeRef::Replica(2), 1_000)).unwrap();
    write_as(&mut sim, 0, 101, "Bob");
    advance(&mut sim, 400);
    read_as(&mut sim, 1, 101);
    advance(&mut sim, 10);
    read_as(&mut sim, 2, 101);
    advance(&mut sim, 3_000);
    sim
}

#[test]
fn sync_with_replica_reads_is_not_linearizable_though_no_read_is_stale() {
    let sim = inversion(ReadPref::Secondary);
    let history = sim.history(usize::MAX);
    let served: Vec<String> =
        history.entries.iter().map(|entry| entry.record.machine.map(|m| m.machine()).unwrap_or_default()).collect();
    assert_eq!(served, ["pg-1", "pg-2", "pg-3"], "the write on the master, then one read on each replica");
    assert_eq!(sim.stats().stale_reads, 0, "by the page's definition no read is stale");
    assert_eq!(sim.stats().ryw_violations + sim.stats().monotonic_violations, 0);
    let verdicts = history.verdicts();
    assert_eq!(labels(&history, &verdicts.linearizable), vec![1, 2, 3], "the write, the new read, the old read");
    assert_eq!(verdicts.sequential, Verdict::Yes, "each client alone sees a possible order");
    assert_eq!(verdicts.read_your_writes, Verdict::Yes);
    assert_eq!(verdicts.monotonic_reads, Verdict::Yes);
}

#[test]
fn reads_at_the_master_remove_the_inversion() {
    let sim = inversion(ReadPref::Primary);
    let verdicts = sim.history(usize::MAX).verdicts();
    assert_eq!(verdicts.linearizable, Verdict::Yes);
    assert_eq!(verdicts.checked, 3);
}

#[test]
fn an_async_stale_read_is_not_linearizable_and_its_witness_is_the_write_it_missed() {
    let mut sim = with(Config { mode: Mode::Async, clients: 2, ..base() });
    write_as(&mut sim, 0, 101, "Bob");
    advance(&mut sim, 100);
    let stale = read_as(&mut sim, 1, 101);
    assert!(stale.is_stale());
    let history = sim.history(usize::MAX);
    let verdicts = history.verdicts();
    assert_eq!(labels(&history, &verdicts.linearizable), vec![1, 2]);
    assert_eq!(verdicts.sequential, Verdict::Yes, "another client's stale read is sequentially consistent");
    assert_eq!(verdicts.read_your_writes, Verdict::Yes, "nobody missed their own write");
}

#[test]
fn reading_older_than_your_own_write_is_not_even_sequentially_consistent() {
    let mut sim = with(Config { mode: Mode::Async, ..base() });
    write_as(&mut sim, 0, 101, "Bob");
    advance(&mut sim, 100);
    let read = read_as(&mut sim, 0, 101);
    assert!(read.ryw_violation);
    let history = sim.history(usize::MAX);
    let verdicts = history.verdicts();
    assert_eq!(labels(&history, &verdicts.read_your_writes), vec![1, 2]);
    assert_eq!(labels(&history, &verdicts.sequential), vec![1, 2]);
}

#[test]
fn a_write_the_master_crashed_on_is_in_doubt_and_may_have_happened() {
    let mut sim = with(Config { mode: Mode::Sync, clients: 2, lag_ms: 300, ..base() });
    write_as(&mut sim, 0, 101, "Bob");
    advance(&mut sim, 100);
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    advance(&mut sim, 1_000);
    let history = sim.history(usize::MAX);
    assert_eq!(Ending::of(history.entries[0].record), Ending::Info);
    // A replica got it: a read there returns it, and that is consistent with a write in doubt.
    let read = read_as(&mut sim, 1, 101);
    assert_eq!(common::returned_name(&read).as_deref(), Some("Bob"));
    assert_eq!(sim.history(usize::MAX).verdicts().linearizable, Verdict::Yes);
}

#[test]
fn clients_with_operations_at_once_get_a_lane_and_a_process_for_each() {
    let mut sim = with(Config { mode: Mode::Async, ..base() });
    write_as(&mut sim, 0, 101, "Bob");
    write_as(&mut sim, 0, 102, "Eve");
    advance(&mut sim, 100);
    write_as(&mut sim, 0, 103, "Ann");
    advance(&mut sim, 100);
    let history = sim.history(usize::MAX);
    let lanes: Vec<(usize, u32)> = history.entries.iter().map(|entry| (entry.lane, entry.process)).collect();
    assert_eq!(lanes, vec![(0, 0), (1, 1), (0, 0)], "the third write waits for no one: lane 0 was free again");
    assert_eq!(history.lanes(0), 2);
}

#[test]
fn the_latest_operations_are_checked_soundly_without_those_left_out() {
    // A stale read, then fresh ones: cut to the fresh ones, what is left is linearizable.
    let mut sim = with(Config { mode: Mode::Async, clients: 2, ..base() });
    write_as(&mut sim, 0, 101, "Bob");
    advance(&mut sim, 100);
    read_as(&mut sim, 1, 101);
    advance(&mut sim, 2_000);
    for _ in 0..5 {
        read_as(&mut sim, 1, 101);
        advance(&mut sim, 10);
    }
    let all = sim.history(usize::MAX);
    assert_eq!(all.entries.len(), 7);
    assert!(matches!(all.verdicts().linearizable, Verdict::No { .. }));
    let fresh = sim.history(5);
    assert_eq!(fresh.entries.len(), 5);
    assert!(fresh.horizon > all.horizon, "the horizon moved to the last answer left out");
    assert_eq!(fresh.verdicts().linearizable, Verdict::Yes);
    // Without the write, the window opens with Bob committed: the stale read alone is wrong.
    let from_the_stale_read = sim.history(6);
    let witness = labels(&from_the_stale_read, &from_the_stale_read.verdicts().linearizable);
    assert_eq!(witness, [2], "the stale read, against the start");
}

/// A read of a value overwritten before the window opened: the register starts at what the
/// master had committed then, so the stale read is caught even with the write left out.
#[test]
fn a_stale_read_of_a_value_overwritten_before_the_window_is_not_linearizable() {
    let mut sim = with(Config { mode: Mode::Async, clients: 2, lag_ms: 1_000, ..base() });
    write_as(&mut sim, 0, 102, "Ann");
    advance(&mut sim, 100);
    let stale = read_as(&mut sim, 1, 102);
    assert_eq!(common::returned_name(&stale).as_deref(), Some("Bob"), "the seed's name, on a replica");
    let window = sim.history(1);
    assert_eq!(window.entries.len(), 1);
    let start: Vec<_> = (window.start.iter())
        .map(|(key, start)| match start {
            Start::Known(write) => (*key, write.as_ref().map(|write| write.name.clone())),
            Start::Unknown => panic!("user {key}'s start is known: one acknowledged write"),
        })
        .collect();
    assert_eq!(start, [(102, Some("Ann".to_string()))], "Ann was acknowledged when the window opened");
    assert_eq!(labels(&window, &window.verdicts().linearizable), vec![stale.id]);
}

#[test]
fn a_window_without_the_writes_is_judged_soundly_for_sequential_consistency() {
    // Client 2 reads the newer name on pg-2, then client 3 the older one on pg-3; both writes are
    // left out of the window. In real time the older read came later: not linearizable. Keeping
    // only each client's order, client 3's read may come before the newer write: sequentially
    // consistent, though the window holds two names nobody in it wrote.
    let mut sim = with(Config { mode: Mode::Async, clients: 3, lag_ms: 250, ..base() });
    sim.apply(Command::SetLag(NodeRef::Replica(2), 1_000)).unwrap();
    write_as(&mut sim, 0, 101, "Ann");
    advance(&mut sim, 1_500);
    write_as(&mut sim, 0, 101, "Bea");
    advance(&mut sim, 400);
    let newer = read_as(&mut sim, 1, 101);
    advance(&mut sim, 10);
    let older = read_as(&mut sim, 2, 101);
    assert_eq!(
        (common::returned_name(&newer).as_deref(), common::returned_name(&older).as_deref()),
        (Some("Bea"), Some("Ann"))
    );
    let reads = sim.history(2);
    let verdicts = reads.verdicts();
    assert_eq!(labels(&reads, &verdicts.linearizable), vec![older.id], "Bea was committed when the window opened");
    assert_eq!(verdicts.sequential, Verdict::Yes);
}

/// Generated traffic on two hot users from four clients, pg-3 further than pg-2, checked every
/// 50 ms of 5 s over many seeds: what the checker finds, beside the model's own flags.
fn sampled(
    mode: Mode,
    read_pref: ReadPref,
    seeds: u64,
    mut each: impl FnMut(&History, &replication_model::history::Verdicts),
) {
    for seed in 0..seeds {
        let config = Config {
            mode,
            read_pref,
            replicas: 2,
            clients: 4,
            rate: 100,
            hot_keys: 2,
            lag_ms: 50,
            jitter_ms: 20,
            seed,
            ..base()
        };
        let mut sim = with(config);
        // pg-3 further away than pg-2, so their copies differ for a while after each write.
        sim.apply(Command::SetLag(NodeRef::Replica(2), 300)).unwrap();
        for _ in 0..100 {
            advance(&mut sim, 50);
            let history = sim.history(SHOWN);
            let verdicts = history.verdicts();
            each(&history, &verdicts);
        }
    }
}

#[test]
fn reads_at_the_master_are_always_linearizable() {
    sampled(Mode::Async, ReadPref::Primary, 10, |_, verdicts| assert_eq!(verdicts.linearizable, Verdict::Yes));
}

#[test]
fn a_stale_read_with_the_write_it_missed_in_the_window_is_always_a_no_and_the_checker_finds_more() {
    use replication_model::request::Outcome;
    let (mut stale_windows, mut unflagged_no) = (0, 0);
    for mode in [Mode::Async, Mode::Sync] {
        sampled(mode, ReadPref::Secondary, 10, |history, verdicts| {
            let answered_before = |write: u64, read_call| {
                history.entries.iter().any(|entry| {
                    entry.record.logged_write() == Some(write)
                        && entry.record.issued_at > history.horizon
                        && entry.record.completed_at.is_some_and(|done| done < read_call)
                })
            };
            // The write a read returned came before the one it missed in real time too: it was
            // left out of the window, or answered before the missed one was called. (Two writes
            // at once may take effect in either order for a client, whatever the log's order.)
            let missed_call = |write: u64| {
                history
                    .entries
                    .iter()
                    .find(|entry| entry.record.logged_write() == Some(write))
                    .map(|entry| entry.record.issued_at)
            };
            let stale_with_its_write = history.entries.iter().any(|entry| match &entry.record.outcome {
                Some(Outcome::Read { stale: true, master_row: Some(missed), row, .. }) => {
                    let returned = row.as_ref().map_or(0, |row| row.write);
                    let returned_earlier = match (missed_call(returned), missed_call(missed.write)) {
                        (None, _) => true,
                        (Some(_), Some(missed_called)) => answered_before(returned, missed_called),
                        (Some(_), None) => false,
                    };
                    entry.record.completed_at.is_some()
                        && entry.record.issued_at > history.horizon
                        && answered_before(missed.write, entry.record.issued_at)
                        && returned_earlier
                }
                _ => false,
            });
            if stale_with_its_write {
                stale_windows += 1;
                assert!(matches!(verdicts.linearizable, Verdict::No { .. }), "a stale read after the write it missed");
            }
            let flagged = history.entries.iter().any(|entry| entry.record.is_stale());
            if !flagged && mode == Mode::Sync && matches!(verdicts.linearizable, Verdict::No { .. }) {
                unflagged_no += 1;
            }
            assert!(
                verdicts.checked == 0 || !matches!(verdicts.linearizable, Verdict::NotChecked { .. }),
                "24 operations are always checked"
            );
        });
    }
    assert!(stale_windows > 0, "async traffic reads stale after writes");
    assert!(unflagged_no > 0, "sync with replica reads is sometimes not linearizable though nothing is flagged");
}

#[test]
fn a_console_write_is_checked_for_the_users_reads_saw_it_write() {
    let mut sim = with(Config { mode: Mode::Sync, clients: 2, ..base() });
    sim.apply(Command::Sql { client: 0, text: "INSERT INTO users VALUES (101, 'Bob')".into() }).unwrap();
    advance(&mut sim, 3_000);
    read_as(&mut sim, 1, 101);
    read_as(&mut sim, 1, 101);
    let verdicts = sim.history(usize::MAX).verdicts();
    assert_eq!(verdicts.checked, 3, "the INSERT as a write of user 101, once, and the two reads");
    assert_eq!(verdicts.linearizable, Verdict::Yes);
}

/// Sync, pg-3 far away: Ann is acknowledged; Bea is logged, reaches pg-2 but not pg-3, and the
/// master crashes: Bea is in doubt.
fn bea_in_doubt() -> Simulation {
    let mut sim = with(Config { mode: Mode::Sync, clients: 2, lag_ms: 200, ..base() });
    sim.apply(Command::SetLag(NodeRef::Replica(2), 3_000)).unwrap();
    write_as(&mut sim, 0, 101, "Ann");
    advance(&mut sim, 4_000);
    write_as(&mut sim, 0, 101, "Bea");
    advance(&mut sim, 500);
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    advance(&mut sim, 100);
    sim
}

#[test]
fn a_write_in_doubt_left_out_of_the_window_may_still_take_effect() {
    // Ann is acknowledged; Bea is logged, reaches pg-2 but not the far pg-3, and the master
    // crashes: Bea is in doubt. pg-3 then returns Ann, pg-2 Bea: linearizable, Bea taking effect
    // between the two reads, though the window shows only the reads.
    let mut sim = bea_in_doubt();
    read_as(&mut sim, 1, 103); // round robin: pg-2's turn, so the next read goes to pg-3
    let (first, second) = (read_as(&mut sim, 1, 101), read_as(&mut sim, 1, 101));
    let names = (common::returned_name(&first), common::returned_name(&second));
    assert_eq!((names.0.as_deref(), names.1.as_deref()), (Some("Ann"), Some("Bea")), "pg-3 then pg-2");
    let window = sim.history(2);
    assert_eq!(window.entries.len(), 3, "the two reads, and the write in doubt the second returned");
    assert!(window.horizon > Time::from_millis(4_000), "Ann and the first read are left out");
    assert_eq!(Ending::of(window.entries[0].record), Ending::Info);
    assert_eq!(window.verdicts().linearizable, Verdict::Yes);
}

/// A write in doubt that crash recovery committed before the window opened: its client was
/// never told, so for linearizability it may take effect later; the window starts at Ann, the
/// last write acknowledged, and a read of Ann after the restart is no violation (a start at
/// the committed Bea would have said so).
#[test]
fn a_commit_nobody_was_told_of_does_not_set_the_start() {
    let mut sim = bea_in_doubt();
    sim.apply(Command::Restart(NodeRef::Master)).unwrap();
    advance(&mut sim, 100);
    read_as(&mut sim, 1, 103); // round robin: pg-2's turn, so the next read goes to pg-3
    let stale = read_as(&mut sim, 1, 101);
    assert_eq!(common::returned_name(&stale).as_deref(), Some("Ann"), "pg-3 has not got Bea yet");
    // Both reads, so the read of Ann is judged (a window of it alone checks nothing).
    let window = sim.history(2);
    assert_eq!(window.verdicts().checked, 2);
    let names: Vec<_> = (window.start.iter())
        .map(|(key, start)| (*key, matches!(start, Start::Known(Some(write)) if write.name == "Ann")))
        .collect();
    assert_eq!(names, [(101, true), (103, false)], "101 starts at Ann");
    assert_eq!(window.verdicts().linearizable, Verdict::Yes);
}

/// Two writes acknowledged at overlapping times before the window: either may have taken
/// effect last, so the start is unknown, and a read of either is no violation.
#[test]
fn overlapping_acknowledged_writes_leave_the_start_unknown() {
    let mut sim = with(Config { mode: Mode::Async, clients: 3, lag_ms: 10, ..base() });
    write_as(&mut sim, 0, 102, "Ann");
    write_as(&mut sim, 1, 102, "Bea");
    advance(&mut sim, 100);
    let read = read_as(&mut sim, 2, 102);
    let window = sim.history(1);
    assert_eq!(window.start, [(102, Start::Unknown)], "{:?}", common::returned_name(&read));
    assert_eq!(window.verdicts().linearizable, Verdict::Yes);
}

#[test]
fn reads_of_a_missing_row_are_not_checked_beside_a_console_write() {
    // The console may have deleted the row, which a register's write cannot say.
    let mut sim = with(Config { mode: Mode::Sync, ..base() });
    read_as(&mut sim, 0, 102);
    sim.apply(Command::Sql { client: 0, text: "DELETE FROM users WHERE id = 102".into() }).unwrap();
    advance(&mut sim, 3_000);
    let gone = read_as(&mut sim, 0, 102);
    assert_eq!(common::returned_name(&gone), None);
    let verdicts = sim.history(usize::MAX).verdicts();
    assert_eq!(
        (verdicts.checked, &verdicts.linearizable, &verdicts.monotonic_reads),
        (1, &Verdict::Yes, &Verdict::Yes)
    );
}

#[test]
fn fewer_clients_leave_the_earlier_clients_operations_in_the_history() {
    let mut sim = with(Config { mode: Mode::Async, clients: 3, ..base() });
    read_as(&mut sim, 2, 102);
    common::reconfigure(&mut sim, |config| config.clients = 1);
    let history = sim.history(usize::MAX);
    assert_eq!((history.entries.len(), history.lanes(2)), (1, 1));
}
