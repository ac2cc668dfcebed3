//! Every demo step makes its claim: played as the page plays it, frame by frame at 1x, it
//! pauses itself by its settle time, and at that moment what it claims is true.

use replication_playground::demos::DEMOS;
use replication_playground::share::link::Opening;
use replication_playground::sim::Simulation;
use replication_playground::sim::events::EventKind;
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
            let runs = [Some(state.sim()), state.comparison.as_ref().map(|comparison| comparison.sim())];
            let words = [step.title, step.narration, step.claim, step.aside];
            if let Err(contradiction) = words_agree(&words, &runs.into_iter().flatten().collect::<Vec<_>>()) {
                failures.push(format!("{name}: paused at {}, {contradiction}", paused_at.as_clock()));
            }
            if index + 1 == demo.steps.len() && words.iter().any(|words| words.contains("Next")) {
                failures.push(format!("{name}: the last step mentions Next, which is disabled there"));
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

/// The clauses of `text` that say requests failed (or were turned away, or rejected), not
/// that none did: `the write failed`, `the one replica turns most reads away`; not `nothing
/// fails`, `0 failed`.
fn failures_claimed(text: &str) -> Vec<String> {
    let clauses = text.split(['.', ';', ':', '(', ')']).flat_map(|clause| clause.split(", but "));
    const FAILED: [&str; 7] = ["fail", "fails", "failed", "failing", "failure", "failures", "rejected"];
    let claims = |clause: &&str| {
        let clause = clause.to_lowercase();
        let words: Vec<&str> = clause.split(|c: char| !c.is_alphanumeric()).filter(|word| !word.is_empty()).collect();
        let turned_away =
            words.iter().position(|word| word.starts_with("turn")).filter(|&at| words[at..].contains(&"away"));
        let at = words.iter().position(|word| FAILED.contains(word)).or(turned_away);
        at.is_some_and(|at| {
            !words[..at].iter().any(|word| ["no", "nothing", "none", "never", "not", "0"].contains(word))
        })
    };
    clauses.filter(claims).map(str::to_string).collect()
}

/// A step's words agree with its runs' numbers where it pauses: a failure they tell of (of
/// writes, of reads, or of requests) is counted, and "before the crash" follows a crash.
fn words_agree(words: &[&str], runs: &[&Simulation]) -> Result<(), String> {
    let total = |count: fn(&Simulation) -> u64| runs.iter().map(|sim| count(sim)).sum::<u64>();
    let (writes, reads) = (total(|sim| sim.stats().writes_failed), total(|sim| sim.stats().reads_failed));
    for clause in words.iter().flat_map(|words| failures_claimed(words)) {
        let lower = clause.to_lowercase();
        let failed = match (lower.contains("write"), lower.contains("read")) {
            (true, false) => writes,
            (false, true) => reads,
            _ => writes + reads,
        };
        if failed == 0 {
            return Err(format!("\"{}\" tells of failures where none is counted", clause.trim()));
        }
    }
    let crashed = runs.iter().any(|sim| sim.events().any(|event| matches!(event.kind, EventKind::Crashed { .. })));
    if !crashed && words.iter().any(|words| words.contains("before the crash")) {
        return Err("\"before the crash\" where nothing crashed".to_string());
    }
    Ok(())
}

#[test]
fn a_failure_told_of_is_one_said_to_happen() {
    assert_eq!(
        failures_claimed("The write failed (the master is down), but a replica answered."),
        ["The write failed "]
    );
    assert_eq!(
        failures_claimed("Throughput is stuck: the one replica turns most reads away."),
        [" the one replica turns most reads away"]
    );
    assert_eq!(failures_claimed("Patroni waits 30 s: writes fail all that time."), [" writes fail all that time"]);
    for none in [
        "Throughput matches the load, and nothing fails.",
        "0 failed; no request was rejected",
        "The proxy can keep reads away.",
    ] {
        assert_eq!(failures_claimed(none), Vec::<String>::new(), "{none}");
    }
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
