//! Whatever this browser kept from the last visit (a fragment and a link in localStorage,
//! here the input's first two lines), and whatever is in the address bar (the rest), the page
//! opens.
#![no_main]

use libfuzzer_sys::fuzz_target;
use replication_playground::share::link;
use replication_playground_fuzz::open_page;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else { return };
    let mut lines = text.splitn(3, '\n');
    let (Some(stored_fragment), Some(stored_link)) = (lines.next(), lines.next()) else { return };
    let address_bar = lines.next().unwrap_or_default();
    let on_load = link::open_on_load(address_bar, Some((stored_fragment.to_string(), stored_link.to_string())));
    open_page(on_load.opening, on_load.notices);
});
