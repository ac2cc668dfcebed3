//! Logical decoding as PostgreSQL 15 does it, through the console's slot functions: whole
//! transactions in commit order, never a failed one, WAL held back by an unread slot until
//! `max_slot_wal_keep_size` gives it up, no slot on a promoted standby. The differential suite
//! (tests/postgres) checks the same against a real PostgreSQL.

mod common;

use common::{advance, base, reconfigure, with};
use replication_model::config::{Config, Mode};
use replication_model::data::Value;
use replication_model::request::{Outcome, RequestRecord};
use replication_model::{Command, NodeRef, Simulation};

/// Runs a console batch as `client` until every statement of it is answered (others may still
/// wait); returns the records of the batch, in order.
fn console(sim: &mut Simulation, client: usize, text: &str) -> Vec<RequestRecord> {
    let first = sim.sql_requests().map(|record| record.id).max().unwrap_or(0);
    sim.apply(Command::Sql { client, text: text.into() }).unwrap();
    for _ in 0..100_000 {
        if sim.sql_requests().filter(|record| record.id > first).all(|record| record.completed_at.is_some()) {
            break;
        }
        assert!(sim.step(), "a statement never finished");
    }
    sim.sql_requests().filter(|record| record.id > first).cloned().collect()
}

/// The `data` column of a slot function's answer, or its error.
fn decoded(sim: &mut Simulation, call: &str) -> Result<Vec<String>, String> {
    let records = console(sim, 0, call);
    match &records.last().expect("an answer").outcome {
        Some(Outcome::Rows { result, .. }) => {
            assert_eq!(result.columns, ["lsn", "xid", "data"]);
            Ok(result
                .rows
                .iter()
                .map(|row| match &row[2] {
                    Value::Text(text) => text.clone(),
                    other => panic!("data is text, not {other:?}"),
                })
                .collect())
        }
        Some(Outcome::Failed { reason }) => Err(reason.clone()),
        other => panic!("not a slot function's answer: {other:?}"),
    }
}

fn peek(sim: &mut Simulation) -> Result<Vec<String>, String> {
    decoded(sim, "SELECT * FROM pg_logical_slot_peek_changes('cdc', NULL, NULL)")
}

fn get(sim: &mut Simulation) -> Result<Vec<String>, String> {
    decoded(sim, "SELECT * FROM pg_logical_slot_get_changes('cdc', NULL, NULL)")
}

/// One write a log entry, 5 ms apart, to users `1000 + n` for each n of `range`.
fn fill(sim: &mut Simulation, range: std::ops::Range<u64>) {
    for n in range {
        sim.apply(Command::Write { client: 0, key: 1_000 + n, name: "filler".into() }).unwrap();
        advance(sim, 5);
    }
}

fn with_slot(config: Config) -> Simulation {
    let mut sim = with(config);
    let created = console(&mut sim, 0, "SELECT pg_create_logical_replication_slot('cdc', 'test_decoding')");
    assert!(matches!(created[0].outcome, Some(Outcome::Rows { .. })), "{:?}", created[0].outcome);
    assert_eq!(created[0].served_by, Some(NodeRef::Master), "slot functions run on the master");
    assert!(created[0].is_read(), "and count as reads, as a SELECT does");
    sim
}

#[test]
fn a_slot_hands_out_whole_transactions_in_commit_order_and_getting_them_confirms_them() {
    let mut sim = with_slot(Config { replicas: 1, ..base() });
    console(&mut sim, 0, "INSERT INTO users VALUES (201, 'Ann'); UPDATE users SET name = 'Bea' WHERE id = 201");
    console(&mut sim, 0, "DELETE FROM users WHERE id = 201");
    let expected = [
        "BEGIN 1",
        "table public.users: INSERT: id[integer]:201 name[text]:'Ann'",
        "COMMIT 1",
        "BEGIN 2",
        "table public.users: UPDATE: id[integer]:201 name[text]:'Bea'",
        "COMMIT 2",
        "BEGIN 3",
        "table public.users: DELETE: id[integer]:201",
        "COMMIT 3",
    ];
    assert_eq!(peek(&mut sim).unwrap(), expected, "peek shows every committed transaction");
    assert_eq!(peek(&mut sim).unwrap(), expected, "peeking confirms nothing");
    let first = decoded(&mut sim, "SELECT * FROM pg_logical_slot_get_changes('cdc', NULL, 2)").unwrap();
    assert_eq!(first, expected[..3], "upto_nchanges stops after the transaction that reached it");
    assert_eq!(get(&mut sim).unwrap(), expected[3..], "get resumes after what it confirmed");
    assert_eq!(get(&mut sim).unwrap(), Vec::<String>::new(), "and then has nothing more");
    let slot = &sim.master().logical_slots()[0];
    assert_eq!((slot.name(), slot.confirmed_flush(), slot.restart()), ("cdc", 3, Some(3)));
}

#[test]
fn a_multi_row_insert_is_decoded_in_the_order_of_its_values() {
    let mut sim = with_slot(Config { replicas: 1, ..base() });
    console(&mut sim, 0, "INSERT INTO users VALUES (211, 'Kim'), (210, 'Lu')");
    let changes = peek(&mut sim).unwrap();
    assert!(changes[1].contains("211") && changes[2].contains("210"), "{changes:?}");
}

#[test]
fn select_f_answers_one_column_of_records_as_postgresql_does() {
    let mut sim = with(Config { replicas: 1, ..base() });
    let created = console(&mut sim, 0, "SELECT pg_create_logical_replication_slot('cdc', 'test_decoding')");
    let Some(Outcome::Rows { result, .. }) = &created[0].outcome else { panic!("{:?}", created[0].outcome) };
    assert_eq!(result.columns, ["pg_create_logical_replication_slot"]);
    assert_eq!(result.rows, [[Value::Text("(cdc,0)".into())]]);
    console(&mut sim, 0, "INSERT INTO users VALUES (212, 'O''Neil \"Mo\"')");
    let peeked = console(&mut sim, 0, "SELECT pg_logical_slot_peek_changes('cdc', NULL, NULL)");
    let Some(Outcome::Rows { result, .. }) = &peeked[0].outcome else { panic!("{:?}", peeked[0].outcome) };
    assert_eq!(result.columns, ["pg_logical_slot_peek_changes"]);
    let records: Vec<&Value> = result.rows.iter().map(|row| &row[0]).collect();
    assert_eq!(
        records,
        [
            &Value::Text("(1,1,\"BEGIN 1\")".into()),
            &Value::Text(
                "(1,1,\"table public.users: INSERT: id[integer]:212 name[text]:'O''Neil \"\"Mo\"\"'\")".into()
            ),
            &Value::Text("(1,1,\"COMMIT 1\")".into()),
        ]
    );
}

#[test]
fn upto_nchanges_zero_is_no_limit_as_null_is() {
    let mut sim = with_slot(Config { replicas: 1, ..base() });
    console(&mut sim, 0, "INSERT INTO users VALUES (206, 'Gus'); INSERT INTO users VALUES (207, 'Hal')");
    let all = decoded(&mut sim, "SELECT * FROM pg_logical_slot_peek_changes('cdc', NULL, 0)").unwrap();
    assert_eq!(all.len(), 6, "{all:?}");
}

#[test]
fn a_slot_made_after_an_unflushed_commit_never_hands_it_out() {
    // Under `off` the commit is acknowledged before the WAL writer flushes it; a slot made
    // meanwhile starts after it, as PostgreSQL's starts at the consistent point it logs.
    let mut sim = with(Config { replicas: 1, mode: Mode::Off, wal_writer_ms: 1_000, ..base() });
    console(&mut sim, 0, "INSERT INTO users VALUES (208, 'Ida')");
    console(&mut sim, 0, "SELECT pg_create_logical_replication_slot('cdc', 'test_decoding')");
    advance(&mut sim, 2_000);
    assert_eq!(peek(&mut sim).unwrap(), Vec::<String>::new());
    console(&mut sim, 0, "INSERT INTO users VALUES (209, 'Jo')");
    advance(&mut sim, 2_000);
    let changes = peek(&mut sim).unwrap();
    assert!(changes.len() == 3 && changes[1].contains("209"), "{changes:?}");
}

#[test]
fn a_slot_may_hold_wal_keep_size_whatever_max_slot_wal_keep_size_says() {
    let mut sim = with_slot(Config { replicas: 1, wal_keep: 100, max_slot_wal_keep: 20, ..base() });
    fill(&mut sim, 0..60);
    assert!(!sim.master().logical_slots()[0].is_lost(), "wal_keep_size is kept anyway: the slot holds nothing more");
    fill(&mut sim, 60..110);
    assert!(sim.master().logical_slots()[0].is_lost(), "past the larger of the two it is given up");
}

#[test]
fn a_statement_that_failed_is_never_decoded() {
    let mut sim = with_slot(Config { replicas: 1, ..base() });
    console(&mut sim, 0, "INSERT INTO users VALUES (202, 'Cy')");
    let failed = console(&mut sim, 0, "INSERT INTO users VALUES (202, 'Again')");
    assert!(matches!(failed[0].outcome, Some(Outcome::Failed { .. })), "user 202 exists: {:?}", failed[0].outcome);
    let changes = get(&mut sim).unwrap();
    assert_eq!(changes.len(), 3, "only the insert that committed: {changes:?}");
    assert!(changes[1].contains("202"), "{changes:?}");
}

#[test]
fn a_commit_waiting_for_a_synchronous_standby_is_decoded_before_the_master_shows_it() {
    // As PostgreSQL 15: the commit record is on the master's disk, so decoding sends it,
    // while the master's own readers do not see it until the standby confirms.
    let mut sim = with_slot(Config { replicas: 1, mode: Mode::On, clients: 2, ..base() });
    sim.apply(Command::Crash(NodeRef::Replica(1))).unwrap();
    sim.apply(Command::Sql { client: 1, text: "INSERT INTO users VALUES (203, 'Di')".into() }).unwrap();
    advance(&mut sim, 500);
    assert!(sim.sql_requests().any(|record| record.completed_at.is_none()), "the commit waits for the standby");
    let changes = peek(&mut sim).unwrap();
    assert!(changes.iter().any(|change| change.contains("203")), "decoded already: {changes:?}");
    let read = console(&mut sim, 0, "/* master */ SELECT * FROM users WHERE id = 203");
    let Some(Outcome::Rows { result, .. }) = &read[0].outcome else { panic!("{:?}", read[0].outcome) };
    assert!(result.rows.is_empty(), "the master's readers do not see the waiting commit yet");
}

#[test]
fn an_unread_slot_holds_the_masters_wal_until_max_slot_wal_keep_size_gives_it_up() {
    let mut sim = with_slot(Config { replicas: 1, wal_keep: 10, max_slot_wal_keep: 50, ..base() });
    fill(&mut sim, 0..40);
    assert_eq!(sim.wal_kept_from(), 1, "the slot holds every entry after what it confirmed");
    assert_eq!(peek(&mut sim).unwrap().len(), 40 * 3, "and all of them can still be decoded");
    fill(&mut sim, 40..80);
    let slot = &sim.master().logical_slots()[0];
    assert!(slot.is_lost() && slot.restart().is_none(), "past 50 entries the slot is given up");
    assert!(sim.wal_kept_from() > 60, "and the WAL it held goes: kept from {}", sim.wal_kept_from());
    let error = get(&mut sim).unwrap_err();
    assert!(error.contains("can no longer get changes from replication slot \"cdc\""), "{error}");
    let said = sim.events().map(|event| event.describe()).collect::<Vec<_>>().join("\n");
    assert!(said.contains("logical replication slot cdc held back 50 log entries"), "{said}");
}

#[test]
fn reading_the_slot_lets_the_master_drop_the_wal_it_held() {
    let mut sim = with_slot(Config { replicas: 1, wal_keep: 10, max_slot_wal_keep: 50, ..base() });
    for from in (0..80).step_by(20) {
        fill(&mut sim, from..from + 20);
        get(&mut sim).unwrap();
    }
    assert!(!sim.master().logical_slots()[0].is_lost(), "a slot read in time is never given up");
    assert!(sim.wal_kept_from() > 60, "kept from {}", sim.wal_kept_from());
}

#[test]
fn a_promoted_standby_has_no_logical_slot() {
    let mut sim = with_slot(Config { replicas: 1, ..base() });
    console(&mut sim, 0, "INSERT INTO users VALUES (204, 'Ed')");
    advance(&mut sim, 2_000);
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    sim.apply(Command::Promote(None)).unwrap();
    advance(&mut sim, 100);
    assert_eq!(get(&mut sim).unwrap_err(), "replication slot \"cdc\" does not exist");
    reconfigure(&mut sim, |config| config.replicas = 1);
    let created = console(&mut sim, 0, "SELECT pg_create_logical_replication_slot('cdc', 'test_decoding')");
    assert!(matches!(created[0].outcome, Some(Outcome::Rows { .. })), "a new slot can be made on the new master");
    assert_eq!(peek(&mut sim).unwrap(), Vec::<String>::new(), "it starts at the new master's newest position");
}

#[test]
fn an_old_master_that_follows_again_keeps_no_slot_so_a_failback_finds_none() {
    let mut sim = with_slot(Config { replicas: 1, ..base() });
    advance(&mut sim, 2_000);
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    sim.apply(Command::Promote(None)).unwrap();
    advance(&mut sim, 100);
    let old_master = sim.replicas().into_iter().find(|(_, node)| node.deposed()).map(|(id, _)| id).expect("pg-1");
    sim.apply(Command::Restart(sim.role(old_master))).unwrap();
    advance(&mut sim, 2_000);
    fill(&mut sim, 0..5);
    advance(&mut sim, 2_000);
    assert!(sim.node(old_master).logical_slots().is_empty(), "it follows as a standby, without its slot");
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    sim.apply(Command::Promote(None)).unwrap();
    advance(&mut sim, 100);
    assert_eq!(sim.master_id(), old_master, "failed back");
    assert_eq!(get(&mut sim).unwrap_err(), "replication slot \"cdc\" does not exist");
}

#[test]
fn a_select_keeps_the_columns_it_names_and_an_unknown_one_fails_before_the_slot_is_read() {
    let mut sim = with_slot(Config { replicas: 1, ..base() });
    console(&mut sim, 0, "INSERT INTO users VALUES (205, 'Flo')");
    let records = console(&mut sim, 0, "SELECT nope FROM pg_logical_slot_get_changes('cdc', NULL, NULL)");
    let Some(Outcome::Failed { reason }) = &records[0].outcome else { panic!("{:?}", records[0].outcome) };
    assert_eq!(reason, "column \"nope\" does not exist at line 1, column 8");
    let records = console(&mut sim, 0, "SELECT data, lsn FROM pg_logical_slot_get_changes('cdc', NULL, NULL)");
    let Some(Outcome::Rows { result, .. }) = &records[0].outcome else { panic!("{:?}", records[0].outcome) };
    assert_eq!(result.columns, ["data", "lsn"], "in the order asked");
    assert_eq!(result.rows.len(), 3, "the failed call read nothing: BEGIN, INSERT, COMMIT are still there");
    assert_eq!(result.rows[1][0], Value::Text("table public.users: INSERT: id[integer]:205 name[text]:'Flo'".into()));
    let plain = console(&mut sim, 0, "SELECT name FROM users WHERE id = 205");
    assert!(matches!(plain[0].outcome, Some(Outcome::Rows { .. })), "a column list of a table is a SELECT as before");
}

#[test]
fn slot_functions_say_what_is_wrong_and_where() {
    let mut sim = with(Config { replicas: 1, ..base() });
    let cases = [
        ("SELECT pg_create_logical_replication_slot('cdc', 'pgoutput')", "decode with test_decoding, not pgoutput"),
        (
            "SELECT pg_create_logical_replication_slot('Cdc!', 'test_decoding')",
            "replication slot name \"Cdc!\" contains invalid character",
        ),
        ("SELECT * FROM pg_logical_slot_get_changes('Cdc', NULL, NULL)", "replication slot \"Cdc\" does not exist"),
        (
            "SELECT * FROM pg_logical_slot_get_changes('cdc', NULL, NULL, 'include-xids', '0')",
            "options are not modelled",
        ),
        ("SELECT * FROM pg_logical_slot_get_changes('cdc', '0/0', NULL)", "upto_lsn must be NULL"),
        (
            "SELECT now()",
            "unknown function now: the console calls pg_create_logical_replication_slot, pg_drop_replication_slot, pg_logical_slot_peek_changes and pg_logical_slot_get_changes at line 1, column 8",
        ),
        ("SELECT pg_drop_replication_slot('a' 'b')", "expected , or ), found 'b' at line 1, column 37"),
        ("SELECT * FROM pg_logical_slot_peek_changes('cdc', NULL, NULL)", "replication slot \"cdc\" does not exist"),
    ];
    for (text, message) in cases {
        let records = console(&mut sim, 0, text);
        let Some(Outcome::Failed { reason }) = &records[0].outcome else { panic!("{text}: {:?}", records[0].outcome) };
        assert!(reason.contains(message), "{text}: {reason}");
    }
    let records = console(&mut sim, 0, "SELECT pg_drop_replication_slot('cdc')");
    let Some(Outcome::Failed { reason }) = &records[0].outcome else { panic!() };
    assert_eq!(reason, "replication slot \"cdc\" does not exist");
}
