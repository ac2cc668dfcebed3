//! The differential suite: every scenario of `postgres/scenarios.rs` runs on the playground's
//! model (`postgres/model.rs`) and on a real PostgreSQL 15 cluster (`postgres/real.rs`),
//! through the same `Cluster` trait (`postgres/cluster.rs`); each outcome is checked against
//! what the scenario says PostgreSQL does, which the real run verifies. A difference on either
//! side fails, with the table of outcomes printed.
//!
//! `model_scenarios` needs nothing and takes milliseconds. `real_postgres_scenarios` needs
//! Debian's PostgreSQL 15 (`source scripts/tools.sh && ensure_postgres`): without it the test
//! fails and says so. `PG_SCENARIOS=word` runs only the scenarios whose name contains it.
//! `cargo test --test postgres -- --nocapture` shows the tables.

#[path = "postgres/cluster.rs"]
mod cluster;
#[path = "postgres/model.rs"]
mod model;
#[path = "postgres/real.rs"]
mod real;
#[path = "postgres/scenarios.rs"]
mod scenarios;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use cluster::Cluster;
use model::ModelCluster;
use real::{RealCluster, Template};
use scenarios::{Observed, Run, SCENARIOS, Scenario};

#[test]
fn model_scenarios() {
    let started = Instant::now();
    let ran = compare(&mut [("model", &mut || Box::new(ModelCluster::new()))]);
    println!("{ran} scenarios on the model in {:.2} s", started.elapsed().as_secs_f64());
}

#[test]
fn real_postgres_scenarios() {
    let template = Template::new();
    let started = Instant::now();
    let ran = compare(&mut [
        ("real", &mut || Box::new(RealCluster::new(&template))),
        ("model", &mut || Box::new(ModelCluster::new())),
    ]);
    println!("{ran} scenarios on real PostgreSQL 15 and on the model in {:.1} s", started.elapsed().as_secs_f64());
}

/// A side of the comparison: its name, and how to set up a fresh cluster for a scenario.
type Side<'a> = (&'static str, &'a mut dyn FnMut() -> Box<dyn Cluster + 'a>);

/// Runs the chosen scenarios on every side, prints one table of their outcomes beside the
/// expected ones, and fails on any difference. Returns how many scenarios ran.
fn compare(sides: &mut [Side<'_>]) -> usize {
    let only = std::env::var("PG_SCENARIOS").unwrap_or_default();
    let chosen: Vec<&Scenario> = SCENARIOS.iter().filter(|scenario| scenario.name.contains(&only)).collect();
    assert!(!chosen.is_empty(), "no scenario's name contains PG_SCENARIOS={only:?}");
    let mut header = vec!["scenario".to_string(), "outcome".into(), "expected".into()];
    header.extend(sides.iter().map(|(name, _)| name.to_string()));
    header.push(format!("detail ({})", sides[0].0));
    let mut table = vec![header];
    let mut failures = Vec::new();
    for scenario in &chosen {
        let mut runs = Vec::new();
        for (side, make) in sides.iter_mut() {
            let began = Instant::now();
            let observed = run(scenario, make).unwrap_or_else(|panic| {
                failures.push(format!("{side}: {}: panicked: {panic}", scenario.name));
                Vec::new()
            });
            if observed.len() != scenario.expected.len() {
                failures.push(format!(
                    "{side}: {}: recorded {} outcomes of {}",
                    scenario.name,
                    observed.len(),
                    scenario.expected.len()
                ));
            }
            runs.push((side, observed, began.elapsed()));
        }
        for (i, &(name, expected)) in scenario.expected.iter().enumerate() {
            let mut row = vec![if i == 0 { scenario.name.to_string() } else { String::new() }, name.into()];
            row.push(expected.to_string());
            for (side, observed, _) in &runs {
                let cell = match observed.get(i) {
                    Some(seen) if seen.name == name && seen.outcome == expected => seen.outcome.to_string(),
                    Some(seen) => {
                        failures.push(format!(
                            "{side}: {}: {}: {} (expected {expected})",
                            scenario.name, seen.name, seen.outcome
                        ));
                        format!("{}  <-- DIFFERS", seen.outcome)
                    }
                    None => "-".into(),
                };
                row.push(cell);
            }
            row.push(runs[0].1.get(i).and_then(|seen| seen.detail.clone()).unwrap_or_default());
            table.push(row);
        }
        let times: Vec<String> =
            runs.iter().map(|(side, _, took)| format!("{side} {:.1} s", took.as_secs_f64())).collect();
        table.push(vec![format!("  ({})", times.join(", "))]);
    }
    print_table(&table);
    println!();
    for scenario in &chosen {
        println!("{}: {}", scenario.name, scenario.about.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    assert!(failures.is_empty(), "differs from PostgreSQL:\n{}", failures.join("\n"));
    chosen.len()
}

/// One scenario on a fresh cluster. A panic (a harness step that failed) comes back as its
/// message; the cluster has been dropped, and so stopped, by then.
fn run<'a>(scenario: &Scenario, make: &mut dyn FnMut() -> Box<dyn Cluster + 'a>) -> Result<Vec<Observed>, String> {
    catch_unwind(AssertUnwindSafe(|| {
        let mut cluster = make();
        let mut run = Run::new(cluster.as_mut());
        (scenario.run)(&mut run);
        run.observed
    }))
    .map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

/// The table, each column as wide as its widest cell (the scenario's name cut at 60) but the
/// last, the detail, which runs on.
fn print_table(rows: &[Vec<String>]) {
    let columns = rows[0].len();
    let mut widths = vec![0; columns - 1];
    for row in rows.iter().filter(|row| row.len() == columns) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    widths[0] = widths[0].min(60);
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            let shown: String = if i == 0 { cell.chars().take(60).collect() } else { cell.clone() };
            match widths.get(i).filter(|_| row.len() == columns) {
                Some(&width) => line += &format!("{shown:width$} | "),
                None => line += &shown,
            }
        }
        println!("{}", line.trim_end());
    }
}

/// docs/model.md cites, for each claim about PostgreSQL, the scenario that checks it: every
/// scenario is cited there, by its name.
#[test]
fn docs_cite_every_scenario() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/model.md")).expect("docs/model.md");
    let doc = doc.split_whitespace().collect::<Vec<_>>().join(" ");
    let uncited: Vec<&str> =
        SCENARIOS.iter().map(|scenario| scenario.name).filter(|name| !doc.contains(&format!("\"{name}\""))).collect();
    assert!(uncited.is_empty(), "docs/model.md does not cite these scenarios: {uncited:?}");
}
