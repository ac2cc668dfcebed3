//! Every demo step makes its claim: run it as the page does and check what it narrates.

use replication_playground::demos::DEMOS;
use replication_playground::sim::recording::Recording;
use replication_playground::ui::settings;

#[test]
fn every_demo_step_makes_its_claim() {
    assert!(DEMOS.len() >= 8);
    let mut failures = Vec::new();
    for demo in DEMOS {
        for (index, step) in demo.steps.iter().enumerate() {
            let (mut recording, mut sim) = Recording::new((step.config)(), (step.script)()).expect("valid settings");
            recording.advance(&mut sim, step.settle);
            if let Err(claim) = (step.check)(&sim) {
                failures.push(format!("{} step {} ({}): not true that {claim}", demo.name, index + 1, step.title));
            }
            if let Some(compare) = &step.compare {
                let mut config = (step.config)();
                let setting = settings::find(compare.key).expect("a setting");
                settings::apply(&mut config, setting, compare.value).expect("a valid value");
                let (mut recording, mut other) = Recording::new(config, (step.script)()).expect("valid settings");
                recording.advance(&mut other, step.settle);
                if let Err(claim) = (compare.check)(&other) {
                    failures.push(format!("{} step {} beside it: not true that {claim}", demo.name, index + 1));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn demo_names_are_unique_and_link_safe() {
    for (index, demo) in DEMOS.iter().enumerate() {
        assert!(demo.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'), "{}", demo.name);
        assert!(DEMOS[..index].iter().all(|other| other.name != demo.name), "{}", demo.name);
        assert!(!demo.steps.is_empty());
    }
}
