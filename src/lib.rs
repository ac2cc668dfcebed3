//! Replication Playground: a master/replica database system simulated in the browser.
//!
//! `sim` is the pure, deterministic model; `ui` is the Yew page that drives and draws it.

pub mod demos;
pub mod sim;
pub mod ui;
