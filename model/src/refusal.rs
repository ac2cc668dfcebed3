//! The one error of the model and of the sharing layer above it: an input refused (a command, a
//! setting, a link, a file), with a message that says what was wrong and where. SQL's own errors
//! (`sql::SqlError`, with a line and column) are what a database would answer, not refusals.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal(pub String);

impl Refusal {
    pub fn new(message: impl Into<String>) -> Refusal {
        Refusal(message.into())
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Refusal {}

impl From<String> for Refusal {
    fn from(message: String) -> Refusal {
        Refusal(message)
    }
}

impl From<&str> for Refusal {
    fn from(message: &str) -> Refusal {
        Refusal::new(message)
    }
}
