//! The SQL console: the lecture's statements, routed as a read/write-split proxy routes them,
//! one after another per session, with errors answered and nothing changed.

mod common;

use common::{advance, base, name, sim, with};
use replication_model::config::{Config, Mode};
use replication_model::request::{Outcome, RequestRecord};
use replication_model::time::Time;
use replication_model::timeline::Position;
use replication_model::{Command, NodeRef, Simulation};

/// Runs a console batch as client 0 and returns its finished records, in order.
fn run_sql(sim: &mut Simulation, text: &str) -> Vec<RequestRecord> {
    let first = sim.sql_requests().map(|record| record.id).max().unwrap_or(0);
    sim.apply(Command::Sql { client: 0, text: text.into() }).unwrap();
    while sim.sql_requests().any(|record| record.completed_at.is_none()) {
        assert!(sim.step(), "a statement never finished");
    }
    sim.sql_requests().filter(|record| record.id > first).cloned().collect()
}

fn rows(record: &RequestRecord) -> usize {
    match &record.outcome {
        Some(Outcome::Rows { result, .. }) => result.rows.len(),
        other => panic!("not a SELECT's answer: {other:?}"),
    }
}

#[test]
fn the_lectures_statements_under_async_read_the_new_row_stale() {
    let mut sim = sim(2, Mode::Async, 2_000);
    let results = run_sql(&mut sim, "INSERT INTO users VALUES (101, 'Alice'); SELECT * FROM users WHERE id = 101");
    assert_eq!(results[0].served_by, Some(NodeRef::Master), "the write goes to the master");
    assert!(matches!(
        results[0].outcome,
        Some(Outcome::Changed { at: Some(Position { timeline: 1, lsn: 1 }), write: Some(1), rows: 1 })
    ));
    assert!(matches!(results[1].served_by, Some(NodeRef::Replica(_))), "the read hits a replica");
    assert_eq!(rows(&results[1]), 0, "the replica has not received the row");
    assert!(results[1].is_stale());
    let Some(Outcome::Rows { master_result: Some(master), .. }) = &results[1].outcome else {
        panic!("no master answer")
    };
    assert_eq!(master.rows.len(), 1, "the master's answer at that instant has the row");
    assert_eq!(sim.stats().stale_reads, 1);
    assert!(results[1].ryw_violation, "the console missed its own INSERT");
    assert_eq!(sim.stats().ryw_violations, 1);
}

#[test]
fn a_stale_console_read_that_has_the_clients_own_writes_is_no_ryw_violation() {
    let mut sim = with(Config { replicas: 1, lag_ms: 1_000, clients: 2, ..base() });
    sim.apply(Command::Sql { client: 1, text: "INSERT INTO users VALUES (101, 'Alice')".into() }).unwrap();
    advance(&mut sim, 1_100);
    // Client 1's write has reached the replica; client 0's later write has not.
    sim.apply(Command::Sql { client: 0, text: "UPDATE users SET name = 'Bo' WHERE id = 102".into() }).unwrap();
    advance(&mut sim, 10);
    sim.apply(Command::Sql { client: 1, text: "SELECT * FROM users".into() }).unwrap();
    advance(&mut sim, 10);
    let read = sim.sql_requests().last().unwrap().clone();
    assert!(read.is_stale(), "client 0's update is missing");
    assert!(!read.ryw_violation, "client 1's own insert is there");
}

#[test]
fn the_lectures_statements_under_sync_are_never_stale() {
    let mut sim = sim(2, Mode::Sync, 2_000);
    let results = run_sql(&mut sim, "INSERT INTO users VALUES (101, 'Alice'); SELECT * FROM users WHERE id = 101");
    assert!(results[0].latency().unwrap() > Time::from_millis(2_000), "the write waited for the replicas");
    assert_eq!(rows(&results[1]), 1);
    assert!(!results[1].is_stale());
}

#[test]
fn for_update_and_the_master_hint_read_from_the_master() {
    let mut sim = sim(2, Mode::Async, 2_000);
    let results = run_sql(
        &mut sim,
        "INSERT INTO users VALUES (101, 'Alice'); SELECT * FROM users WHERE id = 101 FOR UPDATE; /* master */ SELECT name FROM users WHERE id = 101; SELECT * FROM users",
    );
    let served: Vec<String> = results.iter().map(|record| record.served_by.unwrap().to_string()).collect();
    assert_eq!(served, ["master", "master", "master", "replica-1"]);
    assert_eq!(rows(&results[1]), 1);
    assert_eq!(rows(&results[2]), 1);
}

#[test]
fn statements_of_a_batch_run_one_after_another() {
    let mut sim = sim(1, Mode::Async, 100);
    let results =
        run_sql(&mut sim, "UPDATE users SET name = 'A' WHERE id = 102; UPDATE users SET name = 'B' WHERE id = 102");
    assert!(results[1].issued_at >= results[0].completed_at.unwrap(), "the second waits for the first's answer");
    sim.run_to_quiescence();
    assert_eq!(name(sim.committed(), 102), "B");
    assert_eq!(sim.committed().user(102).unwrap().version, 3);
}

#[test]
fn sql_errors_are_answered_and_change_nothing() {
    let mut sim = sim(1, Mode::Async, 100);
    let before = sim.committed().clone();
    let syntax = run_sql(&mut sim, "INSERT INTO users VALUE (1, 'a')");
    assert_eq!(syntax[0].failure(), Some("expected VALUES, found VALUE at line 1, column 19"));
    assert_eq!(syntax[0].served_by, None, "nothing was sent");
    let duplicate = run_sql(&mut sim, "INSERT INTO users VALUES (102, 'Twin')");
    assert_eq!(duplicate[0].failure(), Some("duplicate key: users already has id = 102 at line 1, column 13"));
    sim.apply(Command::Crash(NodeRef::Master)).unwrap();
    let master_down = run_sql(&mut sim, "DELETE FROM users");
    assert_eq!(master_down[0].failure(), Some("master is down"));
    assert_eq!(sim.committed(), &before);
    assert_eq!(sim.master().positions().applied, 0, "nothing was logged");
}

#[test]
fn a_table_created_on_the_master_reaches_the_replicas() {
    let mut sim = sim(2, Mode::Async, 300);
    run_sql(&mut sim, "CREATE TABLE orders (id INT PRIMARY KEY, paid BOOL); INSERT INTO orders VALUES (1, FALSE)");
    let early = run_sql(&mut sim, "SELECT * FROM orders");
    assert_eq!(early[0].failure(), Some("unknown table orders at line 1, column 15"), "not yet on the replica");
    sim.run_to_quiescence();
    let late = run_sql(&mut sim, "SELECT * FROM orders WHERE paid = FALSE");
    assert_eq!(rows(&late[0]), 1);
    for (_, replica) in sim.replicas() {
        assert_eq!(replica.data(), sim.committed());
    }
}
