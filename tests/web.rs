//! Browser tests: components rendered by Yew in headless Chromium, and the model's
//! determinism checked in 32-bit wasm against the native fingerprint.
#![cfg(target_arch = "wasm32")]

mod common;

use std::time::Duration;

use replication_playground::sim::request::Stats;
use replication_playground::ui::App;
use replication_playground::ui::stats::{StatsPanel, StatsPanelProps};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement};

wasm_bindgen_test_configure!(run_in_browser);

fn mount_point() -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    root
}

fn by_test_id(root: &Element, id: &str) -> Element {
    root.query_selector(&format!("[data-testid=\"{id}\"]"))
        .unwrap()
        .unwrap_or_else(|| panic!("no element {id}"))
}

fn text(root: &Element, id: &str) -> String {
    by_test_id(root, id).text_content().unwrap_or_default()
}

async fn wait_ms(ms: u64) {
    yew::platform::time::sleep(Duration::from_millis(ms)).await;
}

#[wasm_bindgen_test]
fn scripted_run_has_the_native_fingerprint() {
    assert_eq!(
        common::scripted_run(7).fingerprint(),
        common::SCRIPTED_RUN_FINGERPRINT
    );
}

#[wasm_bindgen_test]
async fn stats_panel_shows_the_counters() {
    let root = mount_point();
    let stats = Stats {
        writes_issued: 5,
        writes_acked: 4,
        reads_issued: 9,
        reads_completed: 7,
        stale_reads: 3,
        ryw_violations: 2,
        monotonic_violations: 1,
        lost_writes: 1,
        ..Stats::default()
    };
    yew::Renderer::<StatsPanel>::with_root_and_props(root.clone(), StatsPanelProps { stats })
        .render();
    wait_ms(10).await;
    assert_eq!(text(&root, "stat-writes"), "4");
    assert_eq!(text(&root, "stat-reads"), "7");
    assert_eq!(text(&root, "stat-stale-reads"), "3");
    assert_eq!(text(&root, "stat-ryw-violations"), "2");
    assert_eq!(text(&root, "stat-monotonic-violations"), "1");
    assert_eq!(text(&root, "stat-lost-writes"), "1");
    assert!(root.text_content().unwrap().contains("3 in flight"));
}

fn attribute(root: &Element, id: &str, name: &str) -> String {
    by_test_id(root, id).get_attribute(name).unwrap_or_default()
}

fn click(root: &Element, id: &str) {
    by_test_id(root, id).unchecked_into::<HtmlElement>().click();
}

#[wasm_bindgen_test]
async fn app_write_then_read_under_async_is_stale_and_a_crash_shows() {
    let root = mount_point();
    yew::Renderer::<App>::with_root(root.clone()).render();
    wait_ms(50).await;
    // The defaults: two replicas, async, 1000 ms lag, at real-time speed.
    assert!(
        root.query_selector("[data-testid=\"node-replica-2\"]")
            .unwrap()
            .is_some()
    );
    click(&root, "write");
    wait_ms(150).await;
    assert_eq!(text(&root, "stat-writes"), "1");
    assert_eq!(attribute(&root, "node-master", "data-applied-lsn"), "1");
    assert_eq!(attribute(&root, "node-replica-1", "data-applied-lsn"), "0");
    assert_eq!(attribute(&root, "node-replica-1", "data-state"), "up");

    click(&root, "read");
    wait_ms(150).await;
    assert_eq!(text(&root, "stat-reads"), "1");
    assert_eq!(text(&root, "stat-stale-reads"), "1");
    assert!(
        root.query_selector("li.stale").unwrap().is_some(),
        "the stale read stands out in the log"
    );
    let served: u32 = ["node-replica-1", "node-replica-2"]
        .iter()
        .map(|id| attribute(&root, id, "data-reads").parse::<u32>().unwrap())
        .sum();
    assert_eq!(served, 1);

    click(&root, "crash-replica-1");
    wait_ms(50).await;
    assert_eq!(attribute(&root, "node-replica-1", "data-state"), "down");
    assert!(text(&root, "event-log").contains("replica-1 crashed"));
}
