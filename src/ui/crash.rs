//! If the page's wasm stops (a panic, or a trap such as running out of memory), a panel says
//! so, with a report holding the seed and the session link, and buttons to reload the session
//! or start afresh, instead of a page that silently no longer moves. The panel is plain JS
//! (static/crash.js), because the wasm cannot run any more once it has stopped.

use wasm_bindgen::prelude::wasm_bindgen;

use super::browser;
use super::state::Action;

#[wasm_bindgen(module = "/static/crash.js")]
extern "C" {
    #[wasm_bindgen(js_name = watchForCrashes)]
    fn watch_for_crashes(stored_keys: Vec<String>);
    #[wasm_bindgen(js_name = notePanic)]
    fn note_panic(message: String);
    #[wasm_bindgen(js_name = noteInput)]
    fn note_input(input: String);
}

/// Shows the panel on a panic or a wasm trap from now on.
pub fn install() {
    watch_for_crashes(browser::STORED_KEYS.iter().map(|key| key.to_string()).collect());
    std::panic::set_hook(Box::new(|info| show_panel(&info.to_string())));
}

/// Remembers what the user asked for before the page does it, so that a report of a crash
/// while doing it says what it was.
pub fn note_action(action: &Action) {
    if let Some(input) = action.as_input() {
        note_input(input);
    }
}

/// Shows the panel for a panic: what the panic hook calls just before the wasm aborts.
pub fn show_panel(what_happened: &str) {
    note_panic(what_happened.to_string());
}
