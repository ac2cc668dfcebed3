//! The SQL console's statements, routed as a read/write-split proxy routes them: writes, `FOR
//! UPDATE` and `/* master */` to the master, other SELECTs by the read settings. A client runs
//! its statements one after another, as a database session does.

use crate::ids::ClientId;
use crate::network::{Endpoint, Payload};
use crate::node::{Job, Query};
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

    /// Sends the client's next queued statement, if any.
    pub(crate) fn send_next_statement(&mut self, client: ClientId) {
        let Some(statement) = self.sessions[client].sql_queue.pop_front() else {
            self.sessions[client].sql_running = None;
            return;
        };
        let read = statement.is_read();
        let request = self.open_request(client, Op::Sql { text: statement.text.clone(), read });
        self.sessions[client].sql_running = Some(request);
        let to_master = statement.goes_to_master();
        let statement = Box::new(statement);
        if read {
            self.route_read_to(client, request, Query::Select(statement), to_master);
        } else {
            let master = self.master;
            self.send(
                Endpoint::Client(client),
                Endpoint::Node(master),
                Payload::Request(Job::Execute { request, statement }),
            );
        }
    }
}
