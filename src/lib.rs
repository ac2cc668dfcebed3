//! Replication Playground: a master/replica database system simulated in the browser.
//!
//! `sim` is the pure, deterministic model (its own crate); `share` reads and writes links and
//! session files; `ui` is the Yew page that drives and draws the model.

/// The model, its own crate (`model/`): named `sim` here, as the page has always called it.
pub use replication_model as sim;
pub use replication_model::demos;
pub mod share;
pub mod ui;
