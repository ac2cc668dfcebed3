//! The same seed and the same commands give the same run; the seed matters.

mod common;

use common::{SCRIPTED_RUN_FINGERPRINT, scripted_run};

#[test]
fn same_seed_same_run() {
    assert_eq!(scripted_run(7).fingerprint(), scripted_run(7).fingerprint());
}

#[test]
fn seed_changes_the_run() {
    assert_ne!(scripted_run(7).fingerprint(), scripted_run(8).fingerprint());
}

#[test]
fn scripted_run_matches_the_fingerprint_the_browser_test_checks() {
    assert_eq!(scripted_run(7).fingerprint(), SCRIPTED_RUN_FINGERPRINT, "native run differs from the recorded one");
}
