//! Each node serves one request at a time at its capacity, from a bounded queue: a full queue
//! rejects requests, and a queue that stays full crashes the node (the lecture's "prevents
//! crashes due to overload").

use crate::ids::NodeId;
use crate::node::{Job, ParkedRead};
use crate::time::Time;
use crate::{Simulation, Timer};

impl Simulation {
    /// A request reached a node.
    pub(crate) fn arrive(&mut self, id: NodeId, job: Job) {
        let node = &self.nodes[id.0];
        if !node.is_up() {
            self.reply(id, job.request(), Some(format!("{} is down", self.role(id))));
            return;
        }
        if node.queue.len() as u64 >= self.config.queue_limit {
            let full_for = node.full_since.map(|since| self.now - since);
            let reason = format!("{} is overloaded: its queue of {} is full", self.role(id), node.queue.len());
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
}
