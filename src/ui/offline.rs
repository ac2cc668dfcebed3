//! A second visit works without a network: a lecture hall's Wi-Fi may fail. A service worker
//! (static/sw.js, filled in by scripts/offline at build time) keeps the site's files; this asks
//! the browser to install it. Release builds only (as scripts/offline writes sw.js only for
//! them): a development build has no service worker at all.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(module = "/static/offline.js")]
extern "C" {
    #[wasm_bindgen(js_name = keepForOffline)]
    fn keep_for_offline_in_js();
}

/// Asks for the service worker (static/offline.js registers it a second after the page has
/// loaded, so installing does not compete with the first load).
pub fn keep_for_offline() {
    if !cfg!(debug_assertions) {
        keep_for_offline_in_js();
    }
}
