//! Each node serves one request at a time at its capacity, from a bounded queue: a full queue
//! rejects requests, and a queue that stays full crashes the node (the lecture's "prevents
//! crashes due to overload").

use super::out::{Seen, Want, Wants};
use super::{Cluster, Ctx};
use crate::Timer;
use crate::cluster::node::{Job, Node, ParkedRead};
use crate::ids::NodeId;
use crate::time::Time;

/// What a machine did with a request that reached it.
pub(crate) enum Admission {
    Queued,
    Down,
    /// Its queue is full: refused, and `crash` when it has stayed full for `crash_after`.
    Full {
        queued: usize,
        crash: bool,
    },
}

impl Node {
    /// A request reached this machine: it queues it, or refuses it when it is down or its queue
    /// is full.
    pub(super) fn admit(&mut self, job: Job, seen: &Seen) -> Admission {
        let limit = seen.config.queue_limit;
        if !self.is_up() {
            return Admission::Down;
        }
        if self.queue.len() as u64 >= limit {
            let full_for = self.full_since.map(|since| seen.now - since);
            let crash_after = seen.config.crash_after_ms;
            let crash = crash_after > 0 && full_for.is_some_and(|full| full >= Time::from_millis(crash_after));
            return Admission::Full { queued: self.queue.len(), crash };
        }
        self.queue.push_back(job);
        if self.queue.len() as u64 >= limit && self.full_since.is_none() {
            self.full_since = Some(seen.now);
        }
        Admission::Queued
    }

    /// Starts the next queued request if the machine is idle.
    pub(super) fn start_service(&mut self, seen: &Seen, wants: &mut Wants) {
        if self.in_service.is_some() || !self.is_up() {
            return;
        }
        let Some(job) = self.queue.pop_front() else {
            return;
        };
        self.in_service = Some(job);
        // A queue counts as staying full until it drains to half, so the overload clock is not
        // reset by every request served between two rejected ones.
        if (self.queue.len() as u64) * 2 < seen.config.queue_limit {
            self.full_since = None;
        }
        wants.push(Want::After(self.service_time(), Timer::ServiceDone));
    }
}

impl Cluster {
    /// A request reached a node.
    pub(super) fn arrive(&mut self, id: NodeId, job: Job, cx: &mut Ctx) {
        let request = job.request();
        match self.in_room(id, cx, |node, seen, _| node.admit(job, seen)) {
            Admission::Queued => self.in_room(id, cx, Node::start_service),
            Admission::Down => cx.reply(id, request, Some(format!("{} is down", self.role(id)))),
            Admission::Full { queued, crash } => {
                let reason = self.overload_refusal(id, queued);
                cx.reply(id, request, Some(reason));
                if crash {
                    let after = cx.config.crash_after_ms;
                    self.crash(id, &format!("overloaded: its queue stayed full for {after} ms"), cx);
                }
            }
        }
    }

    /// What a machine whose queue of `queued` is full answers.
    fn overload_refusal(&mut self, id: NodeId, queued: usize) -> String {
        let role = self.role(id);
        if let Some((.., reason)) =
            self.refusals.iter().find(|&&(said_by, length, _)| (said_by, length) == (role, queued))
        {
            return reason.clone();
        }
        // Kept few: queue limits and roles change only when the settings or the cluster do.
        if self.refusals.len() == 2 * crate::config::MAX_REPLICAS {
            self.refusals.clear();
        }
        let reason = format!("{role} is overloaded: its queue of {queued} is full");
        self.refusals.push((role, queued, reason.clone()));
        reason
    }

    pub(super) fn service_done(&mut self, id: NodeId, cx: &mut Ctx) {
        let Some(job) = self.machines[id].in_service.take() else {
            return;
        };
        match job {
            Job::Write { .. } | Job::Execute { .. } if id != self.master => {
                let label = self.label(id);
                cx.reply(id, job.request(), Some(format!("{label} is not the master: writes go to the master")));
            }
            Job::Write { request, key, name } => self.log_write(request, key, name, cx),
            Job::Execute { request, statement } => self.execute(request, &statement, cx),
            Job::Read { request, query, token } => {
                let waits = token.filter(|token| id != self.master && !self.has_applied(id, *token));
                if let Some(token) = waits {
                    // A causal read waits until this replica has applied the client's last
                    // write, or until the timeout sends it to the master.
                    self.machines[id].parked.push(ParkedRead { request, query, token });
                    let timeout = Time::from_millis(cx.config.causal_timeout_ms);
                    self.schedule(id, timeout, Timer::CausalTimeout(request), cx);
                } else {
                    self.finish_read(id, request, &query, cx);
                }
            }
        }
        self.in_room(id, cx, Node::start_service);
    }
}
