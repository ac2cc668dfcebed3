//! Replication Playground: a master/replica database system simulated in the browser.
//!
//! `sim` is the pure, deterministic model; `ui` is the Yew page that drives and draws it.

/// The model, its own crate (`model/`): named `sim` here, as the page has always called it.
pub use replication_model as sim;
pub use replication_model::demos;
pub mod ui;
