//! A second visit works without a network: a lecture hall's Wi-Fi may fail. A service worker
//! (static/sw.js, filled in by scripts/offline at build time) keeps the site's files; this asks
//! the browser to install it. Release builds only, so `trunk serve` never serves a stale copy.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(module = "/static/offline.js")]
extern "C" {
    #[wasm_bindgen(js_name = keepForOffline)]
    fn keep_for_offline_in_js();
}

/// Registers the service worker, after the page is up so it does not compete with loading.
pub fn keep_for_offline() {
    if !cfg!(debug_assertions) {
        keep_for_offline_in_js();
    }
}
