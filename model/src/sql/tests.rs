//! The SQL subset: what parses, what runs, and the exact messages for what does not.

use super::{MAX_DEPTH, MAX_TEXT_CHARS, Statement, execute_write, parse, query};
use crate::data::{Database, LogEntry, Value};
use crate::time::Time;

fn error(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

/// Runs a batch of statements against `db` as the master would, one log entry each.
fn run(db: &mut Database, text: &str) -> Result<Vec<Vec<Vec<Value>>>, String> {
    let mut answers = Vec::new();
    for (index, parsed) in parse(text).map_err(|e| e.to_string())?.into_iter().enumerate() {
        match &parsed.statement {
            Statement::Select(select) => answers.push(query(db, select).map_err(|e| e.to_string())?.rows),
            statement => {
                let lsn = index as u64 + 1;
                let written = execute_write(db, statement, lsn, lsn).map_err(|e| e.to_string())?;
                db.replay(&LogEntry { lsn, changes: written.changes, logged_at: Time::ZERO });
            }
        }
    }
    Ok(answers)
}

fn ints(rows: &[Vec<Value>]) -> Vec<i64> {
    rows.iter().map(|row| if let Value::Int(n) = row[0] { n } else { panic!("not an int: {row:?}") }).collect()
}

#[test]
fn the_lectures_two_statements() {
    let mut db = Database::seed();
    let answers =
        run(&mut db, "INSERT INTO users VALUES (101, 'Alice');\nSELECT * FROM users WHERE id = 101;").unwrap();
    assert_eq!(answers, vec![vec![vec![Value::Int(101), Value::Text("Alice".into())]]]);
    assert_eq!(db.user(101).map(|row| row.version), Some(1), "the lecture's user is not in the starting data");
}

#[test]
fn routing_follows_a_read_write_split_proxy() {
    let routed = |text: &str| parse(text).unwrap().iter().map(|parsed| parsed.goes_to_master()).collect::<Vec<_>>();
    assert_eq!(routed("SELECT * FROM users; UPDATE users SET name = 'x' WHERE id = 1"), [false, true]);
    assert_eq!(routed("SELECT * FROM users FOR UPDATE"), [true]);
    assert_eq!(routed("/* master */ SELECT * FROM users; SELECT * FROM users"), [true, false]);
    assert_eq!(routed("/* MASTER */ select id from users"), [true]);
    assert_eq!(routed("/* a comment */ SELECT * FROM users"), [false]);
}

#[test]
fn create_insert_update_delete_select() {
    let mut db = Database::seed();
    let answers = run(
        &mut db,
        "CREATE TABLE accounts (id INT PRIMARY KEY, owner TEXT, active BOOL, balance INT);
         INSERT INTO accounts (id, owner, active) VALUES (1, 'ann', TRUE), (2, 'bo''b', FALSE), (3, NULL, TRUE);
         UPDATE accounts SET balance = 10, active = FALSE WHERE owner = 'ann' OR id IN (3);
         DELETE FROM accounts WHERE NOT (id <> 2);
         SELECT id, owner, balance FROM accounts WHERE balance >= 10 AND active = FALSE ORDER BY id DESC LIMIT 5;
         SELECT * FROM accounts WHERE owner IS NULL;
         SELECT id FROM accounts WHERE owner = 'nobody'",
    )
    .unwrap();
    assert_eq!(
        answers[0],
        vec![
            vec![Value::Int(3), Value::Null, Value::Int(10)],
            vec![Value::Int(1), Value::Text("ann".into()), Value::Int(10)],
        ]
    );
    assert_eq!(ints(&answers[1]), [3]);
    assert!(answers[2].is_empty());
    let accounts = db.table("accounts").unwrap();
    assert_eq!(accounts.rows.len(), 2, "row 2 was deleted");
    assert_eq!(accounts.rows[&Value::Int(1)].version, 2, "updated once");
}

#[test]
fn null_comparisons_are_unknown_and_filter_out() {
    let mut db = Database::seed();
    let answers = run(
        &mut db,
        "INSERT INTO users VALUES (200, NULL);
         SELECT id FROM users WHERE name = NULL;
         SELECT id FROM users WHERE NOT (name = 'x') ORDER BY id;
         SELECT id FROM users WHERE name IS NOT NULL AND id > 104",
    )
    .unwrap();
    assert!(answers[0].is_empty(), "NULL = NULL is unknown");
    assert_eq!(ints(&answers[1]), [102, 103, 104, 105, 106], "NOT unknown is unknown");
    assert_eq!(ints(&answers[2]), [105, 106]);
}

#[test]
fn syntax_errors_name_the_place_and_what_was_expected() {
    assert_eq!(error("INSERT INTO users VALUE (1, 'a')"), "expected VALUES, found VALUE at line 1, column 19");
    assert_eq!(error("SELECT * FROM"), "expected a table name, found the end of the input at line 1, column 14");
    assert_eq!(
        error("SELECT *\nFROM users\nWHERE id = "),
        "expected a value, found the end of the input at line 3, column 12"
    );
    assert_eq!(
        error("SELEC * FROM users"),
        "expected SELECT, INSERT, UPDATE, DELETE or CREATE, found SELEC at line 1, column 1"
    );
    assert_eq!(
        error("SELECT * FROM users WHERE name = 'open"),
        "a string that starts here never ends (missing ') at line 1, column 34"
    );
    assert_eq!(error("SELECT * FROM users LIMIT x"), "expected a number of rows, found x at line 1, column 27");
    assert_eq!(
        error("SELECT * FROM users WHERE id = 1 id"),
        "expected ; or the end of the statement, found id at line 1, column 34"
    );
    assert_eq!(error("CREATE TABLE t (a INT, b TEXT)"), "table t needs one PRIMARY KEY column at line 1, column 14");
    assert_eq!(
        error("CREATE TABLE t (a FLOAT PRIMARY KEY)"),
        "expected a type (INT, TEXT or BOOL), found FLOAT at line 1, column 19"
    );
    assert_eq!(error("SELECT * FROM users WHERE id = 1 # 2"), "unexpected character '#' at line 1, column 34");
    assert_eq!(
        error("SELECT 99999999999999999999 FROM users"),
        "the number 99999999999999999999 is too large for an INT at line 1, column 8"
    );
    assert_eq!(error("  ;  "), "there is no statement to run");
    assert_eq!(error("/* master"), "a comment that starts here never ends (missing */) at line 1, column 1");
}

#[test]
fn execution_errors_are_clear_and_change_nothing() {
    let failing = |text: &str| {
        let mut db = Database::seed();
        let before = db.clone();
        let message = run(&mut db, text).unwrap_err();
        assert_eq!(db, before, "{text} changed the data");
        message
    };
    assert_eq!(failing("SELECT * FROM people"), "unknown table people at line 1, column 15");
    assert_eq!(failing("SELECT nme FROM users"), "unknown column nme in table users at line 1, column 8");
    assert_eq!(
        failing("SELECT * FROM users WHERE nme = 'x'"),
        "unknown column nme in table users at line 1, column 27"
    );
    assert_eq!(
        failing("INSERT INTO users VALUES (102, 'Twin')"),
        "duplicate key: users already has id = 102 at line 1, column 13"
    );
    assert_eq!(
        failing("INSERT INTO users VALUES (101, 'a'), (101, 'b')"),
        "duplicate key: users already has id = 101 at line 1, column 13"
    );
    assert_eq!(
        failing("INSERT INTO users (id, name) VALUES ('x', 'a')"),
        "type mismatch: column id is INT but 'x' is TEXT at line 1, column 20"
    );
    assert_eq!(failing("INSERT INTO users VALUES (1)"), "1 values given for 2 columns of users at line 1, column 13");
    assert_eq!(
        failing("INSERT INTO users (name) VALUES ('a')"),
        "the primary key id needs a value at line 1, column 13"
    );
    assert_eq!(
        failing("UPDATE users SET name = 5 WHERE id = 102"),
        "type mismatch: column name is TEXT but 5 is INT at line 1, column 18"
    );
    assert_eq!(failing("UPDATE users SET id = 7"), "the primary key id cannot be changed at line 1, column 18");
    assert_eq!(
        failing("SELECT * FROM users WHERE id = 'x'"),
        "type mismatch: cannot compare 102 (INT) with 'x' (TEXT)"
    );
    assert_eq!(failing("SELECT * FROM users WHERE id"), "a condition must be true or false, not the INT 102");
    assert_eq!(failing("CREATE TABLE users (id INT PRIMARY KEY)"), "table users already exists at line 1, column 14");
}

#[test]
fn nesting_is_refused_past_the_limit_at_the_token_that_goes_too_deep() {
    let parens = |depth: usize| format!("SELECT * FROM users WHERE {}id = 102{}", "(".repeat(depth), ")".repeat(depth));
    let mut db = Database::seed();
    assert_eq!(ints(&run(&mut db, &parens(MAX_DEPTH)).unwrap()[0]), [102], "the limit itself is allowed");
    assert_eq!(error(&parens(MAX_DEPTH + 1)), "the expression is nested deeper than 100 levels at line 1, column 127");
    let nots = |count: usize| format!("SELECT * FROM users WHERE {}id = 102", "NOT ".repeat(count));
    assert_eq!(ints(&run(&mut db, &nots(MAX_DEPTH)).unwrap()[0]), [102], "an even number of NOTs");
    assert_eq!(error(&nots(MAX_DEPTH + 1)), "the expression is nested deeper than 100 levels at line 1, column 427");
    // Far deeper than any stack would take, within the text limit: refused, not a crash.
    assert!(error(&parens(9_000)).starts_with("the expression is nested deeper than 100 levels"));
    assert!(error(&nots(4_000)).starts_with("the expression is nested deeper than 100 levels"));
    let mixed = "(NOT ".repeat(3_000);
    assert!(error(&format!("SELECT * FROM users WHERE {mixed}")).starts_with("the expression is nested deeper"));
}

#[test]
fn a_long_chain_is_flat_and_runs() {
    let terms: Vec<String> = (0..1_500).map(|index| format!("id = {}", 100 + index)).collect();
    let text = format!("SELECT * FROM users WHERE {}", terms.join(" OR "));
    assert!(text.chars().count() < MAX_TEXT_CHARS);
    assert_eq!(ints(&run(&mut Database::seed(), &text).unwrap()[0]), [102, 103, 104, 105, 106]);
    let and = format!("SELECT * FROM users WHERE {}", vec!["id > 102"; 1_500].join(" AND "));
    assert_eq!(ints(&run(&mut Database::seed(), &and).unwrap()[0]), [103, 104, 105, 106]);
}

#[test]
fn text_past_the_limit_is_refused_before_anything_else() {
    let deep = format!("SELECT * FROM users WHERE {}id = 1{}", "(".repeat(100_000), ")".repeat(100_000));
    assert_eq!(error(&deep), "the SQL is 200032 characters long; the console runs at most 20000 at once");
    let long = format!("SELECT * FROM users WHERE name = '{}'", "x".repeat(MAX_TEXT_CHARS));
    assert!(error(&long).contains("the console runs at most 20000 at once"));
}
