//! A client's session: what it has written and read, for the guarantees a session can ask
//! for (read-your-writes, monotonic reads) and for catching their violations.

use std::collections::{BTreeMap, VecDeque};

use crate::Refusal;
use crate::acknowledged::Acknowledged;
use crate::config::{MAX_REPLICAS, Mode};
use crate::data::Key;
use crate::ids::{ClientId, NodeId, RequestId};
use crate::metrics::Completion;
use crate::network::{Endpoint, Payload};
use crate::node::{Job, Query};
use crate::request::{Op, Outcome, RequestRecord};
use crate::routing::{self, Member, Members};
use crate::sql::Parsed;
use crate::time::Time;
use crate::timeline::Position;
use crate::{RECENT_LIMIT, Simulation};

#[derive(Clone, Debug, Default)]
pub struct Session {
    /// The causal token: the position (timeline and LSN) of this client's last acknowledged
    /// write.
    pub last_commit: Option<Position>,
    /// For each key, the newest write of it this client had acknowledged (its number in the
    /// run, `Row::write`: numbers, unlike LSNs, are not reused by a new timeline).
    written: BTreeMap<Key, u64>,
    /// For each key, the newest write of it this client has read.
    seen: BTreeMap<Key, u64>,
    /// The replica a sticky session keeps reading from.
    pub sticky: Option<NodeId>,
    /// The key this client wrote last, for "read what I just wrote".
    pub last_written_key: Option<Key>,
    /// Console statements waiting for the one running to finish.
    pub sql_queue: VecDeque<Parsed>,
    /// The console statement whose answer the client is waiting for.
    pub sql_running: Option<RequestId>,
}

/// What a read broke of the session's expectations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Violations {
    pub read_your_writes: bool,
    pub monotonic: bool,
}

impl Session {
    /// A write acknowledged at `at`: the newest, as a client's writes are acknowledged in
    /// order.
    pub fn on_commit(&mut self, at: Position) {
        self.last_commit = Some(at);
    }

    pub fn on_write_acked(&mut self, key: Key, write: u64, at: Position) {
        self.on_commit(at);
        let written = self.written.entry(key).or_default();
        *written = (*written).max(write);
    }

    /// Records a read of `key` that returned the row written by write number `write` (0: no
    /// row, or the starting data) and says what it violated: older than this client's own
    /// write of it, or than what it had already read.
    pub fn on_read(&mut self, key: Key, write: u64) -> Violations {
        let violations = Violations {
            read_your_writes: self.written.get(&key).is_some_and(|&written| write < written),
            monotonic: self.seen.get(&key).is_some_and(|&seen| write < seen),
        };
        let seen = self.seen.entry(key).or_default();
        *seen = (*seen).max(write);
        violations
    }
}

impl Simulation {
    pub(crate) fn send_write(&mut self, client: ClientId, key: Key, name: String) {
        let request = self.open_request(client, Op::Write { key, name: name.clone() });
        self.sessions[client].last_written_key = Some(key);
        let master = self.master;
        self.send(
            Endpoint::Client(client),
            Endpoint::Node(master),
            Payload::Request(Job::Write { request, key, name }),
        );
    }

    pub(crate) fn send_read(&mut self, client: ClientId, key: Key) {
        let request = self.open_request(client, Op::Read { key });
        self.route_read_to(client, request, Query::User(key), false);
    }

    /// Sends a read where the router sends it (or to the master, when the statement asks for
    /// it), with the session's causal token. One the router refuses fails at once: the client
    /// learns from the proxy, no database involved.
    pub(crate) fn route_read_to(&mut self, client: ClientId, request: RequestId, query: Query, to_master: bool) {
        let target = if to_master { Ok(self.master) } else { self.route_read(client) };
        match target {
            Ok(node) => {
                let token = self.causal_token(client);
                self.send(
                    Endpoint::Client(client),
                    Endpoint::Node(node),
                    Payload::Request(Job::Read { request, query, token }),
                );
            }
            Err(Refusal(reason)) => self.complete(request, Some(reason)),
        }
    }

    /// The node that serves `client`'s next read, as the router picks it from what it sees.
    fn route_read(&mut self, client: ClientId) -> Result<NodeId, Refusal> {
        let lag_matters = routing::looks_at_lag(&self.config);
        let member = |id: NodeId| {
            let node = &self.nodes[id.0];
            let lag = if lag_matters { self.lag(id) } else { (0, Time::ZERO) };
            Member { id, distance: self.network.links(id).distance, ops: node.current_ops(), weight: node.weight, lag }
        };
        // Sorted by number before they are looked at: ids are cheaper to move than members.
        let mut up = [NodeId(0); MAX_REPLICAS];
        let mut count = 0;
        for (id, node) in self.unordered_replicas() {
            if node.is_up() {
                up[count] = id;
                count += 1;
            }
        }
        up[..count].sort_unstable_by_key(|id| self.nodes[id.0].role);
        let mut replicas = Members::new();
        for &id in &up[..count] {
            let candidate = member(id);
            if !routing::is_shunned(candidate.lag.1, &self.config) {
                replicas.push(candidate);
            }
        }
        let master = self.nodes[self.master.0].is_up().then(|| member(self.master));
        self.router.route(&mut replicas, master, &mut self.sessions[client].sticky, &self.config, &mut self.rng)
    }

    /// The log position a causal read must see: the client's last acknowledged write.
    pub(crate) fn causal_token(&self, client: ClientId) -> Option<Position> {
        self.sessions[client].last_commit.filter(|_| self.config.causal_reads)
    }

    /// Whether a node has applied the write at `position`: part of the history it is on, up to
    /// where it is.
    pub(crate) fn has_applied(&self, id: NodeId, position: Position) -> bool {
        let node = &self.nodes[id.0];
        self.timelines.contains(node.timeline, node.positions.applied, position)
    }

    /// Opens a request's record and counts it as issued.
    pub(crate) fn open_request(&mut self, client: ClientId, op: Op) -> RequestId {
        let id = self.next_request;
        self.next_request += 1;
        let record = RequestRecord::new(id, client, op, self.now);
        if record.is_read() {
            self.stats.reads_issued += 1;
        } else {
            self.stats.writes_issued += 1;
        }
        self.metrics.record_issued();
        self.in_flight.insert(record);
        id
    }

    pub(crate) fn set_outcome(&mut self, request: RequestId, node: NodeId, outcome: Outcome) {
        let name = self.role(node);
        if let Some(record) = self.in_flight.get_mut(request) {
            record.served_by = Some(name);
            record.machine = Some(node);
            record.served_by_old_master = self.nodes[node.0].deposed;
            record.outcome = Some(outcome);
        }
    }

    /// The reply reached the client: count it and check the session's guarantees.
    pub(crate) fn complete(&mut self, request: RequestId, error: Option<String>) {
        let Some(mut record) = self.in_flight.remove(request) else {
            return;
        };
        record.completed_at = Some(self.now);
        let latency = self.now - record.issued_at;
        let session = &mut self.sessions[record.client];
        let completion = match (error, &record.outcome) {
            (Some(reason), _) => {
                record.in_doubt = record.logged_write();
                record.outcome = Some(Outcome::Failed { reason });
                if record.is_read() {
                    self.stats.reads_failed += 1;
                } else {
                    self.stats.writes_failed += 1;
                }
                Completion::Failed
            }
            (None, Some(Outcome::Rows { node_at, .. })) => {
                // A SELECT names no single row, so it misses the client's own write when its
                // answer is stale and the node had not applied the client's last acknowledged
                // write: what a causal token (MaxScale's causal_reads) would have waited for.
                let has_it = session
                    .last_commit
                    .is_none_or(|token| self.timelines.contains(node_at.timeline, node_at.lsn, token));
                record.ryw_violation = record.is_stale() && !has_it;
                self.stats.reads_completed += 1;
                self.stats.stale_reads += u64::from(record.is_stale());
                self.stats.ryw_violations += u64::from(record.ryw_violation);
                Completion::Read { stale: record.is_stale(), latency }
            }
            (None, Some(Outcome::Changed { at, .. })) => {
                if let Some(at) = at {
                    session.on_commit(*at);
                }
                self.stats.writes_acked += 1;
                Completion::Write { latency }
            }
            (None, Some(Outcome::Read { row, .. })) => {
                let key = record.key().expect("user reads name a user");
                let violations = session.on_read(key, row.as_ref().map_or(0, |row| row.write));
                record.ryw_violation = violations.read_your_writes;
                record.monotonic_violation = violations.monotonic;
                self.stats.reads_completed += 1;
                self.stats.stale_reads += u64::from(record.is_stale());
                self.stats.ryw_violations += u64::from(violations.read_your_writes);
                self.stats.monotonic_violations += u64::from(violations.monotonic);
                Completion::Read { stale: record.is_stale(), latency }
            }
            (None, Some(Outcome::Logged { at, write, .. })) => {
                let key = record.key().expect("user writes name a user");
                session.on_write_acked(key, *write, *at);
                if let Op::Write { name, .. } = &record.op {
                    let told =
                        Acknowledged { call: record.issued_at, answer: self.now, write: *write, name: name.clone() };
                    self.acknowledged.acknowledged(key, told);
                }
                self.stats.writes_acked += 1;
                Completion::Write { latency }
            }
            (None, _) => unreachable!("a node answers only after recording an outcome"),
        };
        self.metrics.record(completion);
        let client = record.client;
        if let Op::Sql { .. } = record.op {
            if self.sql_log.len() == RECENT_LIMIT {
                self.sql_log.pop_front();
            }
            self.sql_log.push_back(record.clone());
        }
        if self.recent.len() == RECENT_LIMIT
            && let Some(oldest) = self.recent.pop_front()
        {
            // A write in doubt may still take effect (a restarted master commits what it
            // logged, a lagging replica applies it later): it is kept apart for the history,
            // and moves the horizon only once it leaves that too.
            let leaving = if oldest.in_doubt.is_some() {
                self.in_doubt.push_back(oldest);
                (self.in_doubt.len() > RECENT_LIMIT).then(|| self.in_doubt.pop_front()).flatten()
            } else {
                Some(oldest)
            };
            if let Some(left) = leaving {
                self.recent_horizon =
                    self.recent_horizon.max(left.completed_at.expect("finished requests have finished"));
                self.acknowledged.forget_until(self.recent_horizon);
            }
        }
        self.recent.push_back(record);
        if self.sessions[client].sql_running == Some(request) {
            self.send_next_statement(client);
        }
    }

    /// Marks a request as lost wherever its record is.
    pub(crate) fn mark_lost(&mut self, request: RequestId) {
        if let Some(record) = self.in_flight.get_mut(request) {
            record.lost = true;
        } else if let Some(record) = self.recent.iter_mut().find(|record| record.id == request) {
            record.lost = true;
        }
    }

    pub(crate) fn mode_acknowledged(&self) -> Mode {
        if self.master_log.fallback { Mode::Async } else { self.config.mode }
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
