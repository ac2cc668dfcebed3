//! Every demo step makes its claim: played as the page plays it, frame by frame at 1x, it
//! pauses itself by its settle time, and at that moment what it claims is true.

use replication_playground::demos::DEMOS;
use replication_playground::share::link::Opening;
use replication_playground::sim::Simulation;
use replication_playground::ui::state::{Action, FrameBudget, PlaygroundState, SPEEDS, Theme};
use replication_playground::ui::view::staging;

/// A frame at 60 Hz.
const FRAME_MS: f64 = 1_000.0 / 60.0;

#[test]
fn every_demo_step_pauses_at_its_claim_and_the_claim_is_true() {
    assert!(DEMOS.len() >= 8);
    let mut failures = Vec::new();
    for demo in DEMOS {
        for (index, step) in demo.steps.iter().enumerate() {
            let name = format!("{} step {} ({})", demo.name, index + 1, step.title);
            let staged = staging(demo.name, index + 1);
            let opening = Opening::Demo { name: demo.name.to_string(), step: index + 1 };
            let mut state = PlaygroundState::new(opening, Vec::new(), Theme::Light);
            assert!(SPEEDS.contains(&staged.speed), "{name}: a speed the page offers");
            let frames = (step.settle.as_millis_f64() / (FRAME_MS * staged.speed)) as usize + 10;
            for _ in 0..frames {
                if state.demo.is_some_and(|at| at.claimed) {
                    break;
                }
                state.handle(Action::Tick { real_ms: FRAME_MS, budget: FrameBudget::slices(u64::MAX) });
            }
            let paused_at = state.sim().now();
            if !state.demo.is_some_and(|at| at.claimed) || !state.paused {
                failures.push(format!("{name}: did not pause at its claim by {}", step.settle.as_clock()));
                continue;
            }
            if paused_at > step.settle {
                failures.push(format!("{name}: paused at {}, after its settle time", paused_at.as_clock()));
            }
            if step.pause_when.is_some_and(|holds| !holds(state.sim())) {
                failures.push(format!("{name}: paused at {} before its moment came", paused_at.as_clock()));
            }
            if let Err(claim) = (step.check)(state.sim()) {
                failures.push(format!("{name}: paused at {}, not true that {claim}", paused_at.as_clock()));
            }
            if let Err(contradiction) = stage_numbers_agree(step.claim, staged.watch, state.sim()) {
                failures.push(format!("{name}: paused at {}, {contradiction}", paused_at.as_clock()));
            }
            if let Some(compare) = &step.compare {
                let comparison = state.comparison.as_ref().expect("a run beside");
                if let Err(claim) = (compare.check)(comparison.sim()) {
                    failures.push(format!("{name} beside it: not true that {claim}"));
                }
            }
            println!(
                "{name}: pauses at {} ({} real at {}x)",
                paused_at.as_clock(),
                real(paused_at, staged.speed),
                staged.speed
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The counters on the stage are those the step watches (the page leaves the others off the
/// stage); where the claim's words say one of them is zero, it is.
fn stage_numbers_agree(claim: &str, watch: &[&str], sim: &Simulation) -> Result<(), String> {
    let claim = claim.to_lowercase();
    let stats = sim.stats();
    let failures = stats.reads_failed + stats.writes_failed;
    let rules: [(&[&str], &str, u64, &str); 5] = [
        (&["nothing fails", "every request is answered"], "stat-reads", failures, "requests failed"),
        (&["nothing fails", "every request is answered"], "stat-writes", failures, "requests failed"),
        (
            &["none is stale", "no read is stale", "the read is fresh"],
            "stat-stale-reads",
            stats.stale_reads,
            "reads were stale",
        ),
        (
            &["no violation", "every read saw the client's own write"],
            "stat-ryw-violations",
            stats.ryw_violations,
            "read-your-writes violations",
        ),
        (&["no lost write", "nothing is lost"], "stat-lost-writes", stats.lost_writes, "writes were lost"),
    ];
    for (words, counter, value, what) in rules {
        let said = words.iter().find(|said| claim.contains(*said));
        if let Some(said) = said.filter(|_| watch.contains(&counter) && value > 0) {
            return Err(format!("the claim says \"{said}\" beside {counter} where {value} {what}"));
        }
    }
    Ok(())
}

fn real(at: replication_playground::sim::time::Time, speed: f64) -> String {
    format!("{:.1} s", at.as_millis_f64() / 1_000.0 / speed)
}

/// Names of products and their settings: an aside's words, not a narration's or a claim's.
const PRODUCT_WORDS: [&str; 13] = [
    "MaxScale",
    "ProxySQL",
    "pgpool",
    "HAProxy",
    "Patroni",
    "repmgr",
    "MongoDB's",
    "readPreference",
    "remote_apply",
    "synchronous_commit",
    "synchronous_standby_names",
    "rpl_semi_sync",
    "max_connections",
];

#[test]
fn narrations_speak_the_lectures_words_and_name_products_only_in_their_aside() {
    for demo in DEMOS {
        for step in demo.steps {
            for words in [step.narration, step.claim, step.title] {
                let named: Vec<&str> =
                    PRODUCT_WORDS.iter().copied().filter(|product| words.contains(product)).collect();
                assert!(named.is_empty(), "{} \"{}\" names {named:?} outside its aside", demo.name, step.title);
            }
        }
    }
    let asides = DEMOS.iter().flat_map(|demo| demo.steps).filter(|step| !step.aside.is_empty()).count();
    assert!(asides >= 8, "the real systems are still named, in {asides} asides");
}

#[test]
fn demo_names_are_unique_and_link_safe() {
    for (index, demo) in DEMOS.iter().enumerate() {
        assert!(demo.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{}", demo.name);
        assert!(DEMOS[..index].iter().all(|other| other.name != demo.name), "{}", demo.name);
        assert!(!demo.steps.is_empty());
    }
}
