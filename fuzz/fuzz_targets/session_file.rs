//! Any imported session file is refused with a reason or opens the page.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replication_playground::share::{link, session_file};
use replication_playground_fuzz::open_page;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    if let Ok(found) = session_file::from_json(text) {
        let (opening, notices) = link::open(&found);
        open_page(opening, notices);
    }
});
