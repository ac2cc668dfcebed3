//! Any link in the address bar opens the page, with a notice when it is bad (fragment keys in
//! shared/test-contract.md, session links in src/share/link.rs).
#![no_main]

use libfuzzer_sys::fuzz_target;
use replication_playground::share::link;
use replication_playground_fuzz::{fragments, open_page};

fuzz_target!(|bytes: &[u8]| {
    for fragment in fragments(bytes) {
        let (opening, notices) = link::open(&fragment);
        open_page(opening, notices);
    }
});
