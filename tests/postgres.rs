//! The real-PostgreSQL half of the differential suite: every scenario of
//! `postgres/scenarios.rs` on a real PostgreSQL 15 cluster (`postgres/real.rs`), its outcomes
//! printed as a table and checked against what the scenario says PostgreSQL does. The model's
//! half will run the same scenarios through the same `Cluster` trait (`postgres/cluster.rs`).
//!
//! Needs Debian's PostgreSQL 15 (`source scripts/tools.sh && ensure_postgres`): without it the
//! test fails and says so. `PG_SCENARIOS=word` runs only the scenarios whose name contains it.
//! `cargo test --test postgres -- --nocapture` shows the table.

#[path = "postgres/cluster.rs"]
mod cluster;
#[path = "postgres/real.rs"]
mod real;
#[path = "postgres/scenarios.rs"]
mod scenarios;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use real::{RealCluster, Template};
use scenarios::{Observed, Run, SCENARIOS};

#[test]
fn real_postgres_scenarios() {
    let only = std::env::var("PG_SCENARIOS").unwrap_or_default();
    let template = Template::new();
    let started = Instant::now();
    let mut table = vec![["scenario".to_string(), "outcome".into(), "expected".into(), "real".into(), "detail".into()]];
    let mut failures = Vec::new();
    let mut ran = 0;
    for scenario in SCENARIOS.iter().filter(|scenario| scenario.name.contains(&only)) {
        ran += 1;
        let began = Instant::now();
        // A panic (a harness step that failed) is reported with the scenario; the cluster
        // has been dropped, and so stopped, by then.
        let observed = catch_unwind(AssertUnwindSafe(|| {
            let mut cluster = RealCluster::new(&template);
            let mut run = Run::new(&mut cluster);
            (scenario.run)(&mut run);
            run.observed
        }));
        let observed: Vec<Observed> = match observed {
            Ok(observed) => observed,
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(format!("{}: panicked: {message}", scenario.name));
                Vec::new()
            }
        };
        for (i, seen) in observed.iter().enumerate() {
            let expected = scenario.expected.get(i);
            let matches = expected.is_some_and(|&(name, outcome)| name == seen.name && outcome == seen.outcome);
            if !matches {
                let wanted = expected.map_or("nothing".to_string(), |(name, outcome)| format!("{name}: {outcome}"));
                failures.push(format!("{}: {}: {} (expected {wanted})", scenario.name, seen.name, seen.outcome));
            }
            table.push([
                if i == 0 { scenario.name.to_string() } else { String::new() },
                seen.name.clone(),
                expected.map_or("-".into(), |(_, outcome)| outcome.to_string()),
                format!("{}{}", seen.outcome, if matches { "" } else { "  <-- DIFFERS" }),
                seen.detail.clone().unwrap_or_default(),
            ]);
        }
        if observed.len() < scenario.expected.len() && !observed.is_empty() {
            failures.push(format!(
                "{}: recorded {} outcomes of {}",
                scenario.name,
                observed.len(),
                scenario.expected.len()
            ));
        }
        table.push([
            format!("  ({:.1} s)", began.elapsed().as_secs_f64()),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    print_table(&table);
    println!();
    for scenario in SCENARIOS.iter().filter(|scenario| scenario.name.contains(&only)) {
        println!("{}: {}", scenario.name, scenario.about.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    println!("{ran} scenarios on real PostgreSQL 15 in {:.1} s", started.elapsed().as_secs_f64());
    assert!(ran > 0, "no scenario's name contains PG_SCENARIOS={only:?}");
    assert!(failures.is_empty(), "real PostgreSQL differs from the scenarios:\n{}", failures.join("\n"));
}

fn print_table(rows: &[[String; 5]]) {
    let mut widths = [0; 4];
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    widths[0] = widths[0].min(60);
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let shown: String = if i == 0 { cell.chars().take(60).collect() } else { cell.clone() };
            match widths.get(i) {
                Some(&width) => line += &format!("{shown:width$} | "),
                None => line += &shown,
            }
        }
        println!("{}", line.trim_end());
    }
}
