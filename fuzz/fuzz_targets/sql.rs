//! Any text typed into the SQL console parses to statements or to an error, and any statement
//! runs or fails, without a panic (a panic would kill the page).
#![no_main]

use libfuzzer_sys::fuzz_target;
use replication_playground::sim::data::{Database, LogEntry};
use replication_playground::sim::sql::{Statement, execute_write, parse, query};
use replication_playground::sim::time::Time;

fuzz_target!(|bytes: &[u8]| {
    let text = String::from_utf8_lossy(bytes);
    let Ok(statements) = parse(&text) else { return };
    let mut db = Database::seed();
    for (index, parsed) in statements.iter().enumerate() {
        match &parsed.statement {
            Statement::Select(select) => {
                let _ = query(&db, select);
            }
            statement => {
                let lsn = index as u64 + 1;
                if let Ok(written) = execute_write(&db, statement, lsn) {
                    db.apply(&LogEntry { lsn, changes: written.changes, logged_at: Time::ZERO });
                }
            }
        }
    }
});
