//! What a run is shared as, and read back from: the settings fragment (`#replicas=2&mode=async...`,
//! from the model's settings table, `sim::settings`), session
//! and demo links, the exported session file, and the exported history (`history_file`). Pure:
//! no page code, tested natively; the page, the fuzz targets and the tests all read links
//! through here.

pub mod fragment;
pub mod history_file;
pub mod link;
pub mod session_file;
