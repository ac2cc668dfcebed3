//! The client side's handlers: a write sent to the master, a read routed as the router says, an
//! answer received (its guarantees checked by the clients' part, `clients.rs`), and the SQL
//! console's statements, routed as a read/write-split proxy routes them. They run on the
//! simulation, as they look at the cluster (only reading it) and ask the router.

use crate::Refusal;
use crate::Simulation;
use crate::cluster::node::{Job, Query};
use crate::config::{MAX_REPLICAS, ReadSide};
use crate::data::Key;
use crate::ids::{ClientId, NodeId, NodeRef, RequestId};
use crate::network::{Endpoint, Payload};
use crate::request::Op;
use crate::routing::{self, Member, Members};
use crate::sql::{self, Statement};
use crate::time::Time;

impl Simulation {
    pub(super) fn send_write(&mut self, client: ClientId, key: Key, name: String) {
        let request = self.clients.open(client, Op::Write { key, name: name.clone() }, self.now, &mut self.metrics);
        self.clients.session(client).last_written_key = Some(key);
        let master = self.cluster.master_id();
        let job = Job::Write { request, key, name };
        self.send(Endpoint::Client(client), Endpoint::Node(master), Payload::Request(job));
    }

    pub(super) fn send_read(&mut self, client: ClientId, key: Key) {
        let request = self.clients.open(client, Op::Read { key }, self.now, &mut self.metrics);
        self.route_read_to(client, request, Query::User(key), false);
    }

    /// Sends a read where the router sends it (or to the master, when the statement asks for
    /// it), with the session's causal token. One the router refuses fails at once: the client
    /// learns from the proxy, no database involved.
    fn route_read_to(&mut self, client: ClientId, request: RequestId, query: Query, to_master: bool) {
        let target = if to_master { Ok(self.cluster.master_id()) } else { self.route_read(client) };
        match target {
            Ok(node) => {
                let token = self.clients.causal_token(client, self.config.causal_reads);
                let job = Job::Read { request, query, token };
                self.send(Endpoint::Client(client), Endpoint::Node(node), Payload::Request(job));
            }
            Err(Refusal(reason)) => self.complete(request, Some(reason)),
        }
    }

    /// The node that serves `client`'s next read, as the router picks it from what it sees:
    /// a standby, or a MongoDB member when the read side is MongoDB.
    fn route_read(&mut self, client: ClientId) -> Result<NodeId, Refusal> {
        if self.config.read_side == ReadSide::MongoDb {
            return self.route_to_read_model(client);
        }
        let (cluster, now) = (&self.cluster, self.now);
        let lag_matters = routing::looks_at_lag(&self.config);
        let member = |id: NodeId| {
            let node = cluster.node(id);
            let lag = if lag_matters { cluster.lag(id, now) } else { (0, Time::ZERO) };
            Member {
                id,
                distance: self.network.links(id).distance,
                ops: node.current_ops(),
                weight: node.weight(),
                lag,
            }
        };
        // Sorted by number before they are looked at: ids are cheaper to move than members, and
        // each beside its role is cheaper to sort than looking the role up at each comparison.
        let mut up = [(NodeRef::Master, NodeId(0)); MAX_REPLICAS];
        let mut count = 0;
        for (id, node) in cluster.unordered_replicas() {
            if node.is_up() {
                up[count] = (node.role(), id);
                count += 1;
            }
        }
        up[..count].sort_unstable_by_key(|&(role, _)| role);
        let mut replicas = Members::new();
        for &(_, id) in &up[..count] {
            let candidate = member(id);
            if !routing::is_shunned(candidate.lag.1, &self.config) {
                replicas.push(candidate);
            }
        }
        let master = cluster.master().is_up().then(|| member(cluster.master_id()));
        let sticky = &mut self.clients.session(client).sticky;
        self.router.route(&mut replicas, master, sticky, &self.config, &mut self.rng)
    }

    /// A MongoDB member by the read preference (as a MongoDB driver picks one): the primary,
    /// the secondaries up, by the policy among them.
    fn route_to_read_model(&mut self, client: ClientId) -> Result<NodeId, Refusal> {
        let member = |id: NodeId| Member {
            id,
            distance: self.network.links(id).distance,
            ops: 0,
            weight: 1,
            lag: (0, Time::ZERO),
        };
        let mut secondaries = Members::new();
        let mut primary = None;
        for (id, node) in self.cluster.mongo_members().filter(|(_, node)| node.is_up()) {
            if node.is_primary() {
                primary = Some(member(id));
            } else {
                secondaries.push(member(id));
            }
        }
        let sticky = &mut self.clients.session(client).sticky;
        self.router.route(&mut secondaries, primary, sticky, &self.config, &mut self.rng)
    }

    /// The reply reached the client; its next console statement goes, if this one was running.
    pub(super) fn complete(&mut self, request: RequestId, error: Option<String>) {
        if let Some(client) = self.clients.finish(request, error, self.now, self.cluster.timelines(), &mut self.metrics)
        {
            self.send_next_statement(client);
        }
    }

    /// The SQL console's statements: writes, `FOR UPDATE` and `/* master */` to the master, other
    /// SELECTs by the read settings. A client runs its statements one after another, as a
    /// database session does.
    pub(super) fn submit_sql(&mut self, client: ClientId, text: &str) {
        match sql::parse(text) {
            Ok(statements) => {
                let session = self.clients.session(client);
                session.sql_queue.extend(statements);
                if session.sql_running.is_none() {
                    self.send_next_statement(client);
                }
            }
            // A syntax error runs nothing; it is answered at once, like a proxy rejecting it.
            Err(error) => {
                let read = text.trim_start().to_ascii_uppercase().starts_with("SELECT");
                let op = Op::Sql { text: text.trim().to_string(), read };
                let request = self.clients.open(client, op, self.now, &mut self.metrics);
                self.complete(request, Some(error.to_string()));
            }
        }
    }

    /// Sends the client's next queued statement, if any.
    fn send_next_statement(&mut self, client: ClientId) {
        let Some(statement) = self.clients.session(client).sql_queue.pop_front() else {
            self.clients.session(client).sql_running = None;
            return;
        };
        let op = Op::Sql { text: statement.text.clone(), read: statement.is_read() };
        let request = self.clients.open(client, op, self.now, &mut self.metrics);
        self.clients.session(client).sql_running = Some(request);
        if statement.find && self.config.read_side != ReadSide::MongoDb {
            let reason = "find() asks MongoDB, and reads go to the standbys: set Reads from to mongodb".to_string();
            return self.complete(request, Some(reason));
        }
        let to_master = statement.goes_to_master();
        let statement = Box::new(statement);
        // A slot function is a read to its client, but it runs on the master, as a write does.
        if matches!(statement.statement, Statement::Select(_)) {
            self.route_read_to(client, request, Query::Select(statement), to_master);
        } else {
            let master = self.cluster.master_id();
            let job = Job::Execute { request, statement };
            self.send(Endpoint::Client(client), Endpoint::Node(master), Payload::Request(job));
        }
    }
}
