//! The SQL console's statements, routed as a read/write-split proxy routes them: writes, `FOR
//! UPDATE` and `/* master */` to the master, other SELECTs by the read settings. A client runs
//! its statements one after another, as a database session does.

use crate::ids::ClientId;
use crate::request::Op;
use crate::{Simulation, sql};

impl Simulation {
    pub(crate) fn submit_sql(&mut self, client: ClientId, text: &str) {
        match sql::parse(text) {
            Ok(statements) => {
                self.sessions[client].sql_queue.extend(statements);
                if self.sessions[client].sql_running.is_none() {
                    self.send_next_statement(client);
                }
            }
            // A syntax error runs nothing; it is answered at once, like a proxy rejecting it.
            Err(error) => {
                let read = text.trim_start().to_ascii_uppercase().starts_with("SELECT");
                let request = self.open_request(client, Op::Sql { text: text.trim().to_string(), read });
                self.complete(request, Some(error.to_string()));
            }
        }
    }
}
