//! Where a read goes: the read preference picks who may serve it (MongoDB), replicas too far
//! behind are shunned (ProxySQL's `max_replication_lag`), a sticky session keeps its replica,
//! and the policy picks among the rest (ProxySQL, MaxScale).

use crate::config::{MAX_REPLICAS, Policy, ReadPref};
use crate::ids::{ClientId, NodeId};
use crate::time::Time;
use crate::{Refusal, Simulation};

/// MongoDB's `localThresholdMS`: members this much further than the nearest still count as near.
const NEAR_WINDOW: Time = Time::from_millis(15);

/// The nodes a read may go to, in order of their number, held on the stack: every read is
/// routed, and an allocation per read was a tenth of the model's time in wasm.
struct Candidates {
    ids: [NodeId; MAX_REPLICAS + 1],
    len: usize,
}

impl Candidates {
    fn new() -> Self {
        Candidates { ids: [NodeId(0); MAX_REPLICAS + 1], len: 0 }
    }

    fn push(&mut self, id: NodeId) {
        self.ids[self.len] = id;
        self.len += 1;
    }

    fn as_slice(&self) -> &[NodeId] {
        &self.ids[..self.len]
    }

    fn retain(&mut self, keep: impl Fn(NodeId) -> bool) {
        let mut kept = 0;
        for index in 0..self.len {
            if keep(self.ids[index]) {
                self.ids[kept] = self.ids[index];
                kept += 1;
            }
        }
        self.len = kept;
    }
}

impl Simulation {
    /// A replica is shunned while it is further behind than `max_lag`.
    pub fn is_shunned(&self, id: NodeId) -> bool {
        self.config.max_lag_ms > 0 && self.lag(id).1 > Time::from_millis(self.config.max_lag_ms)
    }

    /// The node that serves `client`'s next read, or the router's refusal when none can.
    pub(crate) fn route_read(&mut self, client: ClientId) -> Result<NodeId, Refusal> {
        let master = self.master;
        let master_up = self.nodes[master.0].is_up();
        let mut replicas = Candidates::new();
        for (id, node) in self.unordered_replicas() {
            if node.is_up() && !self.is_shunned(id) {
                replicas.push(id);
            }
        }
        replicas.ids[..replicas.len].sort_unstable_by_key(|id| self.nodes[id.0].role);
        const NO_REPLICA: &str = "no replica can serve the read: every replica is down or shunned";
        const MASTER_DOWN: &str = "the master is down";
        let no_replica = || Refusal::new(NO_REPLICA);
        let master_down = || Refusal::new(MASTER_DOWN);
        match self.config.read_pref {
            ReadPref::Primary => master_up.then_some(master).ok_or_else(master_down),
            ReadPref::PrimaryPreferred if master_up => Ok(master),
            ReadPref::PrimaryPreferred | ReadPref::Secondary => {
                self.pick_replica(client, replicas.as_slice()).ok_or_else(no_replica)
            }
            ReadPref::SecondaryPreferred => match self.pick_replica(client, replicas.as_slice()) {
                Some(id) => Ok(id),
                None if master_up => Ok(master),
                None => Err(Refusal::new(format!("{NO_REPLICA} and {MASTER_DOWN}"))),
            },
            ReadPref::Nearest => {
                let mut members = replicas;
                if master_up {
                    members.push(master);
                }
                let nearest = members
                    .as_slice()
                    .iter()
                    .map(|id| self.network.links(*id).distance)
                    .min()
                    .ok_or_else(master_down)?;
                members.retain(|id| self.network.links(id).distance <= nearest + NEAR_WINDOW);
                self.pick_replica(client, members.as_slice()).ok_or_else(no_replica)
            }
        }
    }

    /// A sticky session's replica if it is still a candidate, otherwise the policy's choice.
    fn pick_replica(&mut self, client: ClientId, candidates: &[NodeId]) -> Option<NodeId> {
        if candidates.is_empty() {
            return None;
        }
        if self.config.sticky
            && let Some(sticky) = self.sessions[client].sticky
            && candidates.contains(&sticky)
        {
            return Some(sticky);
        }
        let chosen = self.pick(candidates);
        if self.config.sticky {
            self.sessions[client].sticky = Some(chosen);
        }
        Some(chosen)
    }

    fn pick(&mut self, candidates: &[NodeId]) -> NodeId {
        // Ties under the "least" policies go round in turn, not always to the first.
        let turn = self.round_robin;
        self.round_robin = self.round_robin.wrapping_add(1);
        let rotated = || (0..candidates.len()).map(move |offset| candidates[(turn + offset) % candidates.len()]);
        match self.config.policy {
            Policy::RoundRobin => candidates[turn % candidates.len()],
            Policy::Random => *self.rng.pick(candidates),
            Policy::Weighted => {
                let total: u64 = candidates.iter().map(|id| self.nodes[id.0].weight).sum();
                let mut draw = self.rng.below(total);
                for id in candidates {
                    let weight = self.nodes[id.0].weight;
                    if draw < weight {
                        return *id;
                    }
                    draw -= weight;
                }
                unreachable!("the draw is below the total weight")
            }
            Policy::LeastOps => rotated().min_by_key(|id| self.nodes[id.0].current_ops()).expect("candidates"),
            Policy::LeastLag => rotated().min_by_key(|id| self.lag(*id)).expect("candidates"),
        }
    }
}
