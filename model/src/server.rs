//! Each node serves one request at a time at its capacity, from a bounded queue: a full queue
//! rejects requests, and a queue that stays full crashes the node (the lecture's "prevents
//! crashes due to overload").

use crate::ids::{NodeId, NodeRef, RequestId};
use crate::network::{Endpoint, Payload};
use crate::node::{Job, Node, ParkedRead, Query, Status};
use crate::request::Outcome;
use crate::sql::{self, Statement};
use crate::time::Time;
use crate::timeline::Position;
use crate::{Simulation, Timer};

impl Simulation {
    /// A request reached a node.
    pub(crate) fn arrive(&mut self, id: NodeId, job: Job) {
        let node = &self.nodes[id.0];
        if !node.is_up() {
            self.reply(id, job.request(), Some(format!("{} is down", self.name(id))));
            return;
        }
        if node.queue.len() as u64 >= self.config.queue_limit {
            let full_for = node.full_since.map(|since| self.now - since);
            let reason = format!("{} is overloaded: its queue of {} is full", self.name(id), node.queue.len());
            self.reply(id, job.request(), Some(reason));
            if self.config.crash_after_ms > 0
                && full_for.is_some_and(|full| full >= Time::from_millis(self.config.crash_after_ms))
            {
                self.crash(id, &format!("overloaded: its queue stayed full for {} ms", self.config.crash_after_ms));
            }
            return;
        }
        let node = &mut self.nodes[id.0];
        node.queue.push_back(job);
        if node.queue.len() as u64 >= self.config.queue_limit && node.full_since.is_none() {
            node.full_since = Some(self.now);
        }
        self.start_service(id);
    }

    /// Starts the next queued request if the node is idle.
    pub(crate) fn start_service(&mut self, id: NodeId) {
        let node = &mut self.nodes[id.0];
        if node.in_service.is_some() || !node.is_up() {
            return;
        }
        let Some(job) = node.queue.pop_front() else {
            return;
        };
        node.in_service = Some(job);
        // A queue counts as staying full until it drains to half, so the overload clock is not
        // reset by every request served between two rejected ones.
        if (node.queue.len() as u64) * 2 < self.config.queue_limit {
            node.full_since = None;
        }
        let service = node.service_time();
        self.schedule(id, service, Timer::ServiceDone);
    }

    pub(crate) fn service_done(&mut self, id: NodeId) {
        let Some(job) = self.nodes[id.0].in_service.take() else {
            return;
        };
        match job {
            Job::Write { .. } | Job::Execute { .. } if id != self.master => {
                let label = self.label(id);
                self.reply(id, job.request(), Some(format!("{label} is not the master: writes go to the master")));
            }
            Job::Write { request, key, name } => self.log_write(request, key, name),
            Job::Execute { request, statement } => self.execute(request, &statement),
            Job::Read { request, query, token } => {
                let waits = token.filter(|token| id != self.master && !self.has_applied(id, *token));
                if let Some(token) = waits {
                    // A causal read waits until this replica has applied the client's last
                    // write, or until the timeout sends it to the master.
                    self.nodes[id.0].parked.push(ParkedRead { request, query, token });
                    self.schedule(id, Time::from_millis(self.config.causal_timeout_ms), Timer::CausalTimeout(request));
                } else {
                    self.finish_read(id, request, &query);
                }
            }
        }
        self.start_service(id);
    }

    /// Answers a read from the node's data (the master answers from what it has committed),
    /// beside the master's committed answer at the same instant. The answer is stale when the
    /// node had not applied everything the master committed and the two answers differ.
    pub(crate) fn finish_read(&mut self, id: NodeId, request: RequestId, query: &Query) {
        let is_master = id == self.master;
        let data = if is_master { &self.primary.visible } else { &self.nodes[id.0].data };
        let behind = !is_master && self.nodes[id.0].positions.applied < self.primary.committed_lsn;
        let node_lag = if is_master { Time::ZERO } else { self.lag(id).1 };
        let node_at = Position {
            timeline: self.nodes[id.0].timeline,
            lsn: if is_master { self.primary.committed_lsn } else { self.nodes[id.0].positions.applied },
        };
        let outcome = match query {
            Query::User(key) => {
                let row = data.user(*key).cloned();
                let master_row = self.primary.visible.user(*key).cloned();
                let stale = behind && row != master_row;
                Outcome::Read { row, master_row, stale, node_lag }
            }
            Query::Select(parsed) => {
                let Statement::Select(select) = &parsed.statement else { unreachable!("reads carry SELECTs") };
                let result = sql::query(data, select);
                let master_result = sql::query(&self.primary.visible, select);
                match (result, master_result) {
                    (Ok(result), Ok(master)) => {
                        let stale = behind && result != master;
                        Outcome::Rows { result, master_result: stale.then_some(master), node_lag, node_at }
                    }
                    (Err(error), _) => {
                        // The error is the node's own answer: a table not yet replicated there
                        // is unknown to it.
                        self.nodes[id.0].reads_served += 1;
                        self.record(request, id, Outcome::Failed { reason: error.to_string() });
                        self.reply(id, request, Some(error.to_string()));
                        return;
                    }
                    (Ok(result), Err(_)) => Outcome::Rows { result, master_result: None, node_lag, node_at },
                }
            }
        };
        self.nodes[id.0].reads_served += 1;
        self.metrics.record_node_read(id.0);
        self.record(request, id, outcome);
        self.reply(id, request, None);
    }

    /// Serves the parked causal reads that the replica's progress now allows.
    pub(crate) fn release_parked(&mut self, id: NodeId) {
        let parked = std::mem::take(&mut self.nodes[id.0].parked);
        let (ready, waiting): (Vec<_>, Vec<_>) = parked.into_iter().partition(|read| self.has_applied(id, read.token));
        self.nodes[id.0].parked = waiting;
        for read in ready {
            self.finish_read(id, read.request, &read.query);
        }
    }

    pub(crate) fn on_causal_timeout(&mut self, id: NodeId, request: RequestId) {
        let parked = &mut self.nodes[id.0].parked;
        let Some(index) = parked.iter().position(|read| read.request == request) else {
            return;
        };
        let read = parked.remove(index);
        // As MaxScale's causal_reads: past the timeout the read is retried on the master.
        let client = self.in_flight.get(request).map(|record| record.client);
        if let Some(client) = client {
            let master = self.master;
            let payload = Payload::Request(Job::Read { request, query: read.query, token: Some(read.token) });
            self.send(Endpoint::Client(client), Endpoint::Node(master), payload);
        }
    }
}

impl Simulation {
    /// Adds replicas (each a copy of the master, as after a base backup) or removes the
    /// highest-numbered ones.
    pub(crate) fn set_replica_count(&mut self, count: usize) {
        let mut current = self.replicas();
        while current.len() > count {
            let (id, _) = current.pop().expect("more replicas than wanted");
            self.remove_node(id);
            current = self.replicas();
        }
        let master = self.master;
        for number in current.len() + 1..=count {
            let (data, lsn) = (self.nodes[master.0].data.clone(), self.nodes[master.0].positions.applied);
            let incarnation = self.new_incarnation();
            let node = Node::new(NodeRef::Replica(number), incarnation, data, lsn, self.primary.timeline, &self.config);
            let id = match self.nodes.iter().position(|node| node.status == Status::Removed) {
                Some(index) => {
                    self.nodes[index] = node;
                    NodeId(index)
                }
                None => {
                    self.nodes.push(node);
                    NodeId(self.nodes.len() - 1)
                }
            };
            self.network.connect(id, &self.config);
            self.primary.report(id, self.nodes[id.0].positions);
        }
    }

    pub(crate) fn remove_node(&mut self, id: NodeId) {
        let label = self.label(id);
        self.end_process(id, Status::Removed, &format!("{label} was removed"));
        self.primary.forget(id);
    }
}
