//! The event loop: what is due (messages, the generator's next request, machines' timers),
//! delivered in time order, each to the part it concerns. It is the top of the model's calls:
//! nothing calls back into it.

use crate::ids::NodeId;
use crate::network::{Endpoint, Message, Payload};
use crate::time::Time;
use crate::traffic::Traffic;
use crate::{MachineTimer, Simulation};

/// Something due in the simulation: a message arriving, or a node's own timer.
#[derive(Clone, Debug)]
pub(crate) enum Due {
    Deliver(Message),
    /// The traffic generator's next request; `generation` tells a stale schedule (from before
    /// the rate changed) from the current one.
    Generate {
        generation: u64,
    },
    Timer {
        node: NodeId,
        incarnation: u64,
        timer: MachineTimer,
    },
}

impl Simulation {
    /// Delivers every event due up to `until`, then sets the clock there.
    pub fn run_until(&mut self, until: Time) {
        let mut unlimited = u64::MAX;
        self.run_within(until, &mut unlimited);
    }

    /// Like `run_until`, but handles at most `work` events, taking those handled off `work`, and
    /// says whether it got to `until`. Stopped early, the clock stays at the last event handled,
    /// and a later call goes on from there: a run is the same however its work is sliced.
    pub fn run_within(&mut self, until: Time, work: &mut u64) -> bool {
        loop {
            if *work == 0 {
                if self.queue.next_time().is_some_and(|next| next <= until) {
                    return false;
                }
                break;
            }
            let Some((at, due)) = self.queue.pop_due(until) else { break };
            *work -= 1;
            self.advance_clock(at);
            self.events_processed += 1;
            match due {
                Due::Deliver(message) => self.deliver(message),
                Due::Generate { generation } if self.traffic.is_current(generation) => {
                    let command = Traffic::next_request(&self.config, &mut self.rng);
                    self.apply(command).expect("generated requests come from existing clients");
                    self.schedule_generator(generation);
                }
                Due::Generate { .. } => {}
                Due::Timer { node, incarnation, timer } => {
                    // A timer set in an earlier life of the node (before a crash, a restart
                    // or a removal) has nothing left to act on.
                    if self.cluster.is_current(node, incarnation) {
                        self.in_cluster(|cluster, cx| cluster.on_timer(node, timer, cx));
                    }
                }
            }
        }
        self.advance_clock(until);
        true
    }

    /// When the next pending event is due.
    pub fn next_event_time(&self) -> Option<Time> {
        self.queue.next_time()
    }

    /// Jumps to the next pending event and delivers everything due then. Returns false when
    /// nothing is pending.
    pub fn step(&mut self) -> bool {
        match self.queue.next_time() {
            Some(at) => {
                self.run_until(at);
                true
            }
            None => false,
        }
    }

    /// Runs until nothing is pending (with the traffic generator on, that is never).
    pub fn run_to_quiescence(&mut self) {
        while self.step() {}
    }

    pub(super) fn advance_clock(&mut self, to: Time) {
        self.metrics.skip_to(to);
        while to >= self.metrics.open_until() {
            // Sampled as of the bucket's end, not of the last event or the last frame: nothing
            // happens between events, so the run's charts are the same however it is sliced.
            let samples = self.cluster.node_samples(self.metrics.open_until());
            self.metrics.close(samples);
        }
        self.now = self.now.max(to);
    }

    fn deliver(&mut self, message: Message) {
        match (message.to, message.payload) {
            (Endpoint::Client(_), Payload::Reply { request, error }) => self.complete(request, error),
            (Endpoint::Node(node), payload) => {
                let from = message.from;
                self.in_cluster(|cluster, cx| cluster.deliver(from, node, payload, cx));
            }
            _ => unreachable!("clients are sent only replies"),
        }
    }
}
