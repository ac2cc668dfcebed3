//! The consistency checker against a brute-force one on thousands of small random histories, on
//! the histories the literature uses to explain the models, and against its work bound.

use replication_model::checker::{
    History, Initial, Kind, MAX_OPS, Op, Verdict, linearizable, monotonic_reads, read_your_writes,
    sequentially_consistent,
};
use replication_model::rng::SimRng;

/// How many random histories the brute force checks.
const RANDOM_HISTORIES: u64 = 10_000;

fn write(process: u32, key: u64, value: u64, call: u64, ret: Option<u64>) -> Op {
    Op { process, key, kind: Kind::Write { value }, call, ret }
}

fn read(process: u32, key: u64, value: Option<u64>, call: u64, ret: Option<u64>) -> Op {
    Op { process, key, kind: Kind::Read { value }, call, ret }
}

fn history(initial: Initial, ops: Vec<Op>) -> History {
    History { ops, initial }
}

/// Every key starting absent, as in most of the literature's examples.
fn absent(ops: Vec<Op>) -> History {
    history(Initial::Known(None), ops)
}

fn no(witness: &[usize]) -> Verdict {
    Verdict::No { witness: witness.to_vec() }
}

// The brute force: every order of the operations, cut short only where a read cannot go; no memo.

fn real_time(a: &Op, b: &Op) -> bool {
    a.ret.is_some_and(|ret| ret < b.call)
}

fn process_order(a: &Op, b: &Op) -> bool {
    a.process == b.process && real_time(a, b)
}

/// A key's register as the orders go: still its value before the history (bound to a value once
/// read, if that was unknown), or a write's value.
#[derive(Clone, Copy)]
enum Register {
    Initial(Option<Option<u64>>),
    Written(u64),
}

/// Whether some order of the history's operations keeps `precedes` and has every read return
/// its key's last write: reads never answered are left out, writes never answered may be.
fn brute_force(history: &History, precedes: fn(&Op, &Op) -> bool) -> bool {
    let ops: Vec<&Op> =
        history.ops.iter().filter(|op| op.ret.is_some() || matches!(op.kind, Kind::Write { .. })).collect();
    let initial = |key: u64| match &history.initial {
        Initial::Known(value) => Register::Initial(Some(*value)),
        Initial::Each(values) => Register::Initial(values.get(&key).copied()),
        Initial::Unknown => Register::Initial(None),
    };
    let mut registers = std::collections::BTreeMap::new();
    for op in &ops {
        registers.insert(op.key, initial(op.key));
    }
    extend(&ops, &mut vec![false; ops.len()], &mut registers, precedes)
}

fn extend(
    ops: &[&Op],
    placed: &mut [bool],
    registers: &mut std::collections::BTreeMap<u64, Register>,
    precedes: fn(&Op, &Op) -> bool,
) -> bool {
    if ops.iter().zip(placed.iter()).all(|(op, &placed)| placed || op.ret.is_none()) {
        return true;
    }
    for i in 0..ops.len() {
        let waits = (0..ops.len()).any(|j| !placed[j] && j != i && precedes(ops[j], ops[i]));
        if placed[i] || waits {
            continue;
        }
        let before = registers[&ops[i].key];
        let after = match (ops[i].kind.clone(), before) {
            (Kind::Write { value }, _) => Register::Written(value),
            (Kind::Read { value }, Register::Written(written)) if value == Some(written) => before,
            (Kind::Read { value }, Register::Initial(Some(initial))) if value == initial => before,
            (Kind::Read { value }, Register::Initial(None)) if !written_by_some_write(ops, ops[i].key, value) => {
                Register::Initial(Some(value))
            }
            (Kind::Read { .. }, _) => continue,
        };
        registers.insert(ops[i].key, after);
        placed[i] = true;
        if extend(ops, placed, registers, precedes) {
            return true;
        }
        placed[i] = false;
        registers.insert(ops[i].key, before);
    }
    false
}

fn written_by_some_write(ops: &[&Op], key: u64, value: Option<u64>) -> bool {
    ops.iter().any(|op| op.key == key && value.is_some_and(|value| op.kind == Kind::Write { value }))
}

/// What an operation sets as the floor of its process's later reads of its key, if anything.
type Floor = fn(&Kind) -> Option<Option<u64>>;

/// A read by a process of a key older than what the process's `floor` operations of the key,
/// answered before the read was called, wrote or read: the brute force's session checks.
fn older_read_pairs(history: &History, floor: Floor) -> Vec<[usize; 2]> {
    let ops = &history.ops;
    let mut pairs = Vec::new();
    for (earlier, a) in ops.iter().enumerate() {
        for (later, b) in ops.iter().enumerate() {
            let Kind::Read { value } = b.kind else { continue };
            let Some(floor) = floor(&a.kind) else { continue };
            if a.process == b.process && a.key == b.key && b.ret.is_some() && real_time(a, b) && value < floor {
                pairs.push([earlier, later]);
            }
        }
    }
    pairs
}

fn write_floor(kind: &Kind) -> Option<Option<u64>> {
    match kind {
        Kind::Write { value } => Some(Some(*value)),
        Kind::Read { .. } => None,
    }
}

fn read_floor(kind: &Kind) -> Option<Option<u64>> {
    match kind {
        Kind::Read { value } => Some(*value),
        Kind::Write { .. } => None,
    }
}

/// A random history of up to 7 operations on one or two keys by up to three processes, whose
/// reads mostly return values that were written, and sometimes the value before, or one nobody
/// wrote.
fn random_history(seed: u64) -> History {
    let mut rng = SimRng::new(seed);
    let initial = rng
        .pick(&[
            Initial::Known(None),
            Initial::Known(Some(5)),
            Initial::Each([(0, Some(5))].into_iter().collect()),
            Initial::Unknown,
        ])
        .clone();
    let keys = 1 + rng.below(2);
    let processes = 1 + rng.below(3) as u32;
    let mut ops = Vec::new();
    for value in 10..11 + rng.below(7) {
        let call = rng.below(20);
        let ret = (rng.below(6) != 0).then(|| call + rng.below(8));
        let (process, key) = (rng.below(processes as u64) as u32, rng.below(keys));
        ops.push(if rng.below(2) == 0 {
            write(process, key, value, call, ret)
        } else {
            read(process, key, None, call, ret)
        });
    }
    for at in 0..ops.len() {
        let key = ops[at].key;
        let written: Vec<u64> = (ops.iter())
            .filter_map(|op| match op.kind {
                Kind::Write { value } if op.key == key => Some(value),
                _ => None,
            })
            .collect();
        if let Kind::Read { value } = &mut ops[at].kind {
            *value = match rng.below(5) {
                0 => None,
                1 => Some(5),
                2 => Some(99),
                _ if written.is_empty() => None,
                _ => Some(*rng.pick(&written)),
            };
        }
    }
    history(initial, ops)
}

/// What a No's witness must be: operations of the history in call order, none an unanswered
/// read, not consistent themselves, reading no write left out, and 1-minimal: leaving out any
/// one operation that may go (a read, or a write no read in it returns) makes them consistent.
fn check_witness(history: &History, witness: &[usize], precedes: fn(&Op, &Op) -> bool) -> Result<(), String> {
    let by_call = |&i: &usize| (history.ops[i].call, i);
    if witness.is_empty() || !witness.windows(2).all(|pair| by_call(&pair[0]) < by_call(&pair[1])) {
        return Err(format!("witness {witness:?} is not a set of operations in call order"));
    }
    let ops: Vec<Op> = witness.iter().map(|&i| history.ops[i].clone()).collect();
    if ops.iter().any(|op| op.ret.is_none() && matches!(op.kind, Kind::Read { .. })) {
        return Err(format!("witness {witness:?} has an unanswered read"));
    }
    let reads_of = |ops: &[Op], write: &Op| match write.kind {
        Kind::Write { value } => {
            ops.iter().any(|op| op.key == write.key && op.kind == Kind::Read { value: Some(value) })
        }
        Kind::Read { .. } => false,
    };
    for write in &history.ops {
        if reads_of(&ops, write) && !ops.contains(write) {
            return Err(format!("witness {witness:?} reads a write it leaves out: {write:?}"));
        }
    }
    let sub = History { ops: ops.clone(), initial: history.initial.clone() };
    if brute_force(&sub, precedes) {
        return Err(format!("witness {witness:?} is consistent"));
    }
    for leave_out in 0..ops.len() {
        let mut rest = ops.clone();
        let left_out = rest.remove(leave_out);
        if reads_of(&rest, &left_out) {
            continue;
        }
        if !brute_force(&History { ops: rest, initial: history.initial.clone() }, precedes) {
            return Err(format!("witness {witness:?} is not minimal: without {left_out:?} it is still a No"));
        }
    }
    Ok(())
}

/// Checks one search's verdict against the brute force's, and its witness.
fn agree(
    name: &str,
    seed: u64,
    history: &History,
    verdict: Verdict,
    precedes: fn(&Op, &Op) -> bool,
) -> Result<bool, String> {
    let expected = brute_force(history, precedes);
    let found = match &verdict {
        Verdict::Yes => Ok(true),
        Verdict::No { witness } => check_witness(history, witness, precedes).map(|()| false),
        Verdict::NotChecked { .. } => Err("not checked".to_string()),
    };
    match found {
        Ok(found) if found == expected => Ok(found),
        Ok(_) => Err(format!("{name}: seed {seed}: {verdict:?}, the brute force says {expected}\n{history:#?}")),
        Err(why) => Err(format!("{name}: seed {seed}: {why}\n{history:#?}")),
    }
}

#[test]
fn the_searches_agree_with_the_brute_force_on_random_histories() {
    // [linearizable, sequentially consistent] × [yes, no], and the cases that must be covered.
    let mut verdicts = [[0; 2]; 2];
    let (mut unknown_initial_no, mut unanswered_write_yes, mut sc_not_linearizable) = (0, 0, 0);
    for seed in 0..RANDOM_HISTORIES {
        let history = random_history(seed);
        let linear_verdict = linearizable(&history);
        if let Verdict::No { witness } = &linear_verdict {
            let key = history.ops[witness[0]].key;
            assert!(witness.iter().all(|&i| history.ops[i].key == key), "seed {seed}: witness over two keys");
        }
        let linear = agree("linearizable", seed, &history, linear_verdict, real_time);
        let sequential =
            agree("sequentially consistent", seed, &history, sequentially_consistent(&history), process_order);
        let (linear, sequential) =
            (linear.unwrap_or_else(|why| panic!("{why}")), sequential.unwrap_or_else(|why| panic!("{why}")));
        assert!(!linear || sequential, "seed {seed}: linearizable but not sequentially consistent\n{history:#?}");
        verdicts[0][linear as usize] += 1;
        verdicts[1][sequential as usize] += 1;
        unknown_initial_no += (history.initial == Initial::Unknown && !linear) as u64;
        let unanswered_write = history.ops.iter().any(|op| op.ret.is_none() && matches!(op.kind, Kind::Write { .. }));
        unanswered_write_yes += (linear && unanswered_write) as u64;
        sc_not_linearizable += (sequential && !linear) as u64;
    }
    for [no, yes] in verdicts {
        assert!(no > RANDOM_HISTORIES / 5 && yes > RANDOM_HISTORIES / 5, "a poor mix of verdicts: {verdicts:?}");
    }
    let covered = [unknown_initial_no, unanswered_write_yes, sc_not_linearizable];
    assert!(covered.iter().all(|&count| count > RANDOM_HISTORIES / 40), "cases poorly covered: {covered:?}");
}

#[test]
fn the_session_checks_agree_with_the_brute_force_on_random_histories() {
    session_check_agrees("read your writes", read_your_writes, write_floor);
    session_check_agrees("monotonic reads", monotonic_reads, read_floor);
}

fn session_check_agrees(name: &str, check: fn(&History) -> Verdict, floor: Floor) {
    let mut broken = 0;
    for seed in 0..RANDOM_HISTORIES {
        let history = random_history(seed);
        let pairs = older_read_pairs(&history, floor);
        match check(&history) {
            Verdict::Yes => assert!(pairs.is_empty(), "{name}: seed {seed}: Yes, but {pairs:?}\n{history:#?}"),
            Verdict::No { witness } => {
                let found = pairs.iter().any(|pair| pair == &witness[..]);
                assert!(found, "{name}: seed {seed}: {witness:?}\n{history:#?}");
                broken += 1;
            }
            verdict => panic!("{name}: seed {seed}: {verdict:?}"),
        }
    }
    assert!(broken > RANDOM_HISTORIES / 20, "{name}: only {broken} histories break it");
}

// The literature's histories. Times are microseconds; a write's value is its log order number.

#[test]
fn an_empty_history_is_consistent() {
    let history = absent(vec![]);
    for check in [linearizable, sequentially_consistent, read_your_writes, monotonic_reads] {
        assert_eq!(check(&history), Verdict::Yes);
    }
}

/// A write answered, then another client reads the value before it: the replica it read had not
/// yet applied the write. Not linearizable, but sequentially consistent: the reader is merely
/// behind, and it is another client, so no session guarantee is broken.
#[test]
fn a_stale_read() {
    let history = absent(vec![write(1, 1, 10, 0, Some(10)), read(2, 1, None, 20, Some(30))]);
    assert_eq!(linearizable(&history), no(&[0, 1]));
    assert_eq!(sequentially_consistent(&history), Verdict::Yes);
    assert_eq!(read_your_writes(&history), Verdict::Yes);
    assert_eq!(monotonic_reads(&history), Verdict::Yes);
}

/// Synchronous replication's inversion: the write is still waiting for its standby's
/// acknowledgement (or its answer was lost) when one client already reads it from the standby,
/// and a later read by another client, from the master or another replica, returns the value
/// before. Not linearizable (Lamport's regular but not atomic register: a new, then an old value),
/// but sequentially consistent; the witness needs all three.
#[test]
fn the_sync_replication_inversion() {
    for write_answered in [None, Some(100)] {
        let history = absent(vec![
            write(1, 1, 10, 0, write_answered),
            read(2, 1, Some(10), 10, Some(20)),
            read(3, 1, None, 30, Some(40)),
        ]);
        assert_eq!(linearizable(&history), no(&[0, 1, 2]));
        assert_eq!(sequentially_consistent(&history), Verdict::Yes);
        assert_eq!(monotonic_reads(&history), Verdict::Yes);
    }
}

/// A client writes, then reads the value before: nothing explains it, not even sequential
/// consistency, since both are in the client's own order.
#[test]
fn a_read_your_writes_violation() {
    let history = absent(vec![write(1, 1, 10, 0, Some(10)), read(1, 1, None, 20, Some(30))]);
    assert_eq!(linearizable(&history), no(&[0, 1]));
    assert_eq!(sequentially_consistent(&history), no(&[0, 1]));
    assert_eq!(read_your_writes(&history), no(&[0, 1]));
    assert_eq!(monotonic_reads(&history), Verdict::Yes);
}

/// A client reads the new value, then the old one (from a replica further behind): a monotonic
/// reads violation, and not sequentially consistent (both reads are the client's, in order). The
/// linearizability witness is shorter: the old value read after the write was answered.
#[test]
fn a_monotonic_reads_violation() {
    let history =
        absent(vec![write(1, 1, 10, 0, Some(10)), read(2, 1, Some(10), 20, Some(30)), read(2, 1, None, 40, Some(50))]);
    assert_eq!(monotonic_reads(&history), no(&[1, 2]));
    assert_eq!(read_your_writes(&history), Verdict::Yes);
    assert_eq!(sequentially_consistent(&history), no(&[0, 1, 2]));
    assert_eq!(linearizable(&history), no(&[0, 2]));
}

/// A write acknowledged and then lost (a failover to a replica that never had it): every later
/// read returns the value before. Not linearizable; a reader that is not the writer could merely
/// be behind, so it is sequentially consistent, unless the writer itself reads.
#[test]
fn a_lost_write() {
    let lost = |reader| {
        absent(vec![
            write(1, 1, 10, 0, Some(10)),
            write(1, 1, 11, 20, Some(30)),
            read(reader, 1, Some(10), 40, Some(50)),
            read(reader, 1, Some(10), 60, Some(70)),
        ])
    };
    assert_eq!(linearizable(&lost(2)), no(&[0, 1, 3]));
    assert_eq!(sequentially_consistent(&lost(2)), Verdict::Yes);
    assert_eq!(read_your_writes(&lost(2)), Verdict::Yes);
    assert_eq!(sequentially_consistent(&lost(1)), no(&[0, 1, 3]));
    assert_eq!(read_your_writes(&lost(1)), no(&[1, 3]));
}

/// A write that failed with its fate unknown (Jepsen's `:info`) may have happened or not: reads
/// after it may return either value, but not the new one and then the old.
#[test]
fn an_unanswered_write_may_or_may_not_have_happened() {
    for seen in [Some(10), None] {
        let history = absent(vec![write(1, 1, 10, 0, None), read(2, 1, seen, 20, Some(30))]);
        assert_eq!(linearizable(&history), Verdict::Yes);
        assert_eq!(sequentially_consistent(&history), Verdict::Yes);
    }
    let late =
        absent(vec![write(1, 1, 10, 0, None), read(2, 1, None, 20, Some(30)), read(2, 1, Some(10), 40, Some(50))]);
    assert_eq!(linearizable(&late), Verdict::Yes);
    let undone =
        absent(vec![write(1, 1, 10, 0, None), read(2, 1, Some(10), 20, Some(30)), read(2, 1, None, 40, Some(50))]);
    assert_eq!(linearizable(&undone), no(&[0, 1, 2]));
}

/// An unanswered read tells nothing, whatever it returned.
#[test]
fn an_unanswered_read_is_ignored() {
    let history = absent(vec![write(1, 1, 10, 0, Some(10)), read(2, 1, None, 20, None), read(2, 1, Some(7), 30, None)]);
    for check in [linearizable, sequentially_consistent, read_your_writes, monotonic_reads] {
        assert_eq!(check(&history), Verdict::Yes);
    }
}

/// Kleppmann, DDIA, figure 9-1: the referee's write of the final score is still replicating;
/// Alice's read returns it, she tells Bob, and Bob's read, called after hers returned, returns
/// the score before. Not linearizable; sequentially consistent (Bob could be behind).
#[test]
fn ddia_alice_sees_the_final_score_and_bob_a_stale_one() {
    let (referee, alice, bob) = (1, 2, 3);
    let history = history(
        Initial::Known(Some(1)),
        vec![
            write(referee, 1, 2, 0, Some(100)),
            read(alice, 1, Some(2), 10, Some(20)),
            read(bob, 1, Some(1), 30, Some(40)),
        ],
    );
    assert_eq!(linearizable(&history), no(&[0, 1, 2]));
    assert_eq!(sequentially_consistent(&history), Verdict::Yes);
}

/// Kleppmann, DDIA, figures 9-2 and 9-3: x is 0 (written as 1 here) and client C writes 1 (2
/// here). A read before the write returns the old value, one after it the new; reads concurrent
/// with the write may return either, but once one read has returned the new value, every read
/// called after it returned must too.
#[test]
fn ddia_a_read_concurrent_with_a_write_may_return_either_value_until_one_returns_the_new() {
    let (a, b, c) = (1, 2, 3);
    let x = |concurrent: [u64; 2]| {
        history(
            Initial::Known(Some(1)),
            vec![
                read(a, 1, Some(1), 0, Some(5)),
                write(c, 1, 2, 10, Some(90)),
                read(a, 1, Some(concurrent[0]), 20, Some(30)),
                read(b, 1, Some(concurrent[1]), 40, Some(50)),
                read(a, 1, Some(2), 100, Some(110)),
            ],
        )
    };
    for either in [[1, 1], [1, 2], [2, 2]] {
        assert_eq!(linearizable(&x(either)), Verdict::Yes, "{either:?}");
    }
    assert_eq!(linearizable(&x([2, 1])), no(&[1, 2, 3]));
    assert_eq!(sequentially_consistent(&x([2, 1])), Verdict::Yes);
    // A read answered before the write was called cannot see it.
    let early = history(Initial::Known(Some(1)), vec![read(a, 1, Some(2), 0, Some(5)), write(c, 1, 2, 10, Some(90))]);
    assert_eq!(linearizable(&early), no(&[0, 1]));
}

/// Herlihy & Wing 1990: linearizability is local, so each key may be checked alone, but
/// sequential consistency is not. Their example has two queues; on registers it is Dekker's
/// store buffering: each process writes its key, then reads the other's as absent. Each key alone
/// is sequentially consistent, both together are not.
#[test]
fn herlihy_wing_sequential_consistency_is_not_local() {
    let (p, q, x, y) = (1, 2, 1, 2);
    let ops = vec![
        write(p, x, 10, 0, Some(10)),
        write(q, y, 11, 0, Some(10)),
        read(p, y, None, 20, Some(30)),
        read(q, x, None, 20, Some(30)),
    ];
    for key in [x, y] {
        let alone = absent(ops.iter().filter(|op| op.key == key).cloned().collect());
        assert_eq!(sequentially_consistent(&alone), Verdict::Yes);
    }
    assert_eq!(sequentially_consistent(&absent(ops.clone())), no(&[0, 1, 2, 3]));
    // Not linearizable either, and the witness is one key's stale read.
    assert_eq!(linearizable(&absent(ops)), no(&[0, 3]));
}

/// Linearizability as Herlihy & Wing define it, on one register: a read overlapping a write may
/// take effect before or after it, but operations that do not overlap keep their order, whichever
/// processes run them.
#[test]
fn herlihy_wing_a_register_keeps_real_time_order() {
    let overlapping = absent(vec![
        write(1, 1, 10, 0, Some(50)),
        read(2, 1, Some(10), 10, Some(20)),
        read(2, 1, Some(10), 60, Some(70)),
    ]);
    assert_eq!(linearizable(&overlapping), Verdict::Yes);
    let two_writers = absent(vec![
        write(1, 1, 10, 0, Some(10)),
        write(2, 1, 11, 20, Some(30)),
        read(3, 1, Some(11), 40, Some(50)),
        read(3, 1, Some(10), 60, Some(70)),
    ]);
    assert_eq!(linearizable(&two_writers), no(&[0, 1, 3]));
    let concurrent_writers = absent(vec![
        write(1, 1, 10, 0, Some(30)),
        write(2, 1, 11, 0, Some(30)),
        read(3, 1, Some(11), 40, Some(50)),
        read(4, 1, Some(11), 60, Some(70)),
    ]);
    assert_eq!(linearizable(&concurrent_writers), Verdict::Yes);
}

/// A window cut out of a longer run: the value before it is not known, so a read of a value no
/// write in the window wrote is that value, not an impossible one; but only one such value, and
/// only until a write.
#[test]
fn a_window_with_an_unknown_initial_value() {
    let window = |ops: Vec<Op>| (history(Initial::Unknown, ops.clone()), history(Initial::Known(None), ops));
    let (unknown, known) = window(vec![
        read(1, 1, Some(7), 0, Some(10)),
        write(2, 1, 10, 20, Some(30)),
        read(1, 1, Some(10), 40, Some(50)),
    ]);
    assert_eq!(linearizable(&unknown), Verdict::Yes);
    assert_eq!(linearizable(&known), no(&[0]));
    let (two_values, _) = window(vec![read(1, 1, Some(7), 0, Some(10)), read(2, 1, Some(8), 20, Some(30))]);
    assert_eq!(linearizable(&two_values), no(&[0, 1]));
    let (after_a_write, _) = window(vec![
        read(1, 1, Some(7), 0, Some(10)),
        write(2, 1, 10, 20, Some(30)),
        read(1, 1, Some(7), 40, Some(50)),
    ]);
    assert_eq!(linearizable(&after_a_write), no(&[1, 2]));
    assert_eq!(sequentially_consistent(&after_a_write), Verdict::Yes);
}

// The bound.

/// A long run over two keys by three processes, each operation after the one before, each read
/// returning the write just before it.
fn sequential(len: usize) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut last = None;
    for i in 0..len as u64 {
        let (process, call) = ((i % 3) as u32, 10 * i);
        if i % 2 == 0 {
            last = Some(i);
            ops.push(write(process, i % 4, i, call, Some(call + 5)));
        } else {
            ops.push(read(process, (i - 1) % 4, last, call, Some(call + 5)));
        }
    }
    ops
}

#[test]
fn a_long_easy_history_up_to_the_limit_is_checked() {
    let history = absent(sequential(MAX_OPS));
    for check in [linearizable, sequentially_consistent, read_your_writes, monotonic_reads] {
        assert_eq!(check(&history), Verdict::Yes);
    }
    // A stale read at the end is found, and its witness within the steps.
    let mut stale = sequential(MAX_OPS - 1);
    stale.push(read(9, 0, None, 10 * MAX_OPS as u64, Some(10 * MAX_OPS as u64 + 5)));
    let stale = absent(stale);
    let last_write_of_key_0 = (MAX_OPS - 2) / 4 * 4;
    assert_eq!(stale.ops[last_write_of_key_0].kind, Kind::Write { value: last_write_of_key_0 as u64 });
    assert_eq!(linearizable(&stale), no(&[last_write_of_key_0, MAX_OPS - 1]));
    assert_eq!(sequentially_consistent(&stale), Verdict::Yes);
}

#[test]
fn too_many_operations_are_not_checked() {
    let not_checked = Verdict::NotChecked { reason: "too many operations" };
    let history = absent(sequential(5_000));
    assert_eq!(linearizable(&history), not_checked);
    assert_eq!(sequentially_consistent(&history), not_checked);
    // The session checks are a sort and a sweep: they need no bound.
    assert_eq!(read_your_writes(&history), Verdict::Yes);
    assert_eq!(monotonic_reads(&history), Verdict::Yes);
    let one_too_many = absent(sequential(MAX_OPS + 1));
    assert_eq!(linearizable(&one_too_many), not_checked);
}

/// Many concurrent writes of one key, then reads that no order of them explains: the search
/// would try every subset of the writes, so it runs out of steps.
#[test]
fn many_concurrent_writes_run_out_of_steps() {
    let mut ops: Vec<Op> = (0..40).map(|i| write(i, 1, 100 + i as u64, 0, Some(100))).collect();
    ops.push(read(50, 1, Some(100), 200, Some(210)));
    ops.push(read(50, 1, Some(101), 220, Some(230)));
    ops.push(read(50, 1, Some(100), 240, Some(250)));
    let history = absent(ops);
    assert!(history.ops.len() < MAX_OPS, "the steps run out, not the operations");
    let not_checked = Verdict::NotChecked { reason: "the search ran out of steps" };
    assert_eq!(linearizable(&history), not_checked);
    assert_eq!(sequentially_consistent(&history), not_checked);
}

/// When the steps run out while shrinking the witness, the witness is the smallest set found so
/// far: larger than need be, but still a No. Three processes take turns writing and reading one
/// key; at the end the first reads the key's first value, older than its own later writes.
#[test]
fn a_witness_cut_short_by_the_steps_is_still_a_no() {
    let mut ops: Vec<Op> = (0..MAX_OPS as u64 - 1)
        .map(|i| match i % 2 {
            0 => write((i % 3) as u32, 1, i, 10 * i, Some(10 * i + 5)),
            _ => read((i % 3) as u32, 1, Some(i - 1), 10 * i, Some(10 * i + 5)),
        })
        .collect();
    let end = 10 * MAX_OPS as u64;
    ops.push(read(0, 1, Some(0), end, Some(end + 5)));
    let history = absent(ops);
    let Verdict::No { witness } = sequentially_consistent(&history) else { panic!("not a No") };
    assert!(witness.len() > 3, "the steps no longer run out: {witness:?}; make the history harder");
    assert!(
        witness.windows(2).all(|pair| pair[0] < pair[1]) && witness.contains(&0) && witness.contains(&(MAX_OPS - 1))
    );
    for &i in &witness {
        if let Kind::Read { value: Some(value) } = history.ops[i].kind {
            assert!(witness.contains(&(value as usize)), "{i} reads the write {value}, left out");
        }
    }
    // The first process's own later write stays before its last read: no order can explain it.
    let sub = absent(witness.iter().map(|&i| history.ops[i].clone()).collect());
    assert!(matches!(read_your_writes(&sub), Verdict::No { .. }));
}
