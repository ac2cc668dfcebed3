//! The page: Yew components that send commands to the model and draw what it holds.

pub mod app;
pub mod browser;
pub mod charts;
pub mod compare;
pub mod console;
pub mod controls;
pub mod crash;
pub mod demo_panel;
pub mod event_log;
pub mod field;
pub mod first_frame;
pub mod frame;
pub mod glossary;
pub mod help;
pub mod history;
pub mod json;
pub mod node_card;
pub mod offline;
pub mod page;
pub mod read_side_card;
pub mod report;
pub mod request_log;
pub mod session_bar;
pub mod settings_panel;
pub mod state;
pub mod stats;
pub mod topology;
pub mod view;

pub use app::App;
