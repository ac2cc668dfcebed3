//! Where a read goes, as a part that owns its state (the round-robin turn): the read
//! preference picks who may serve it (MongoDB), replicas too far behind are shunned (ProxySQL's
//! `max_replication_lag`), a sticky session keeps its replica, and the policy picks among the
//! rest (ProxySQL, MaxScale). It sees the machines only as the router would: up or not, how far,
//! how busy, how far behind.

use crate::Refusal;
use crate::config::{Config, MAX_REPLICAS, Policy, ReadPref};
use crate::ids::NodeId;
use crate::rng::SimRng;
use crate::time::Time;

/// MongoDB's `localThresholdMS`: members this much further than the nearest still count as near.
const NEAR_WINDOW: Time = Time::from_millis(15);

/// A machine as the router sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Member {
    pub id: NodeId,
    /// Its distance from the clients.
    pub distance: Time,
    /// Operations in progress there.
    pub ops: usize,
    pub weight: u64,
    /// How far behind the master: log entries, time.
    pub lag: (u64, Time),
}

/// The machines a read may go to, in order of their number, held on the stack: every read is
/// routed, and an allocation per read was a tenth of the model's time in wasm.
pub(crate) struct Members {
    members: [Member; MAX_REPLICAS + 1],
    len: usize,
}

impl Members {
    pub(crate) fn new() -> Self {
        let none = Member { id: NodeId(0), distance: Time::ZERO, ops: 0, weight: 0, lag: (0, Time::ZERO) };
        Members { members: [none; MAX_REPLICAS + 1], len: 0 }
    }

    pub(crate) fn push(&mut self, member: Member) {
        self.members[self.len] = member;
        self.len += 1;
    }

    fn as_slice(&self) -> &[Member] {
        &self.members[..self.len]
    }

    fn retain(&mut self, keep: impl Fn(&Member) -> bool) {
        let mut kept = 0;
        for index in 0..self.len {
            if keep(&self.members[index]) {
                self.members[kept] = self.members[index];
                kept += 1;
            }
        }
        self.len = kept;
    }
}

/// Whether routing looks at how far behind a replica is (to shun it, or to pick the least
/// behind): only then is each candidate's lag worked out, as every read is routed.
pub(crate) fn looks_at_lag(config: &Config) -> bool {
    config.max_lag_ms > 0 || config.policy == Policy::LeastLag
}

/// A replica is shunned while it is further behind than `max_lag`.
pub(crate) fn is_shunned(lag: Time, config: &Config) -> bool {
    config.max_lag_ms > 0 && lag > Time::from_millis(config.max_lag_ms)
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Router {
    /// Whose turn it is under round-robin, and among ties under the "least" policies.
    turn: usize,
}

impl Router {
    /// The machine that serves a client's next read, or the router's refusal when none can:
    /// among `replicas` (those up and not shunned, by number) and the master (when it is up).
    /// A sticky session's `sticky` replica is kept while it is a candidate, and set when
    /// chosen.
    pub(crate) fn route(
        &mut self,
        replicas: &mut Members,
        master: Option<Member>,
        sticky: &mut Option<NodeId>,
        config: &Config,
        rng: &mut SimRng,
    ) -> Result<NodeId, Refusal> {
        const NO_REPLICA: &str = "no replica can serve the read: every replica is down or shunned";
        const MASTER_DOWN: &str = "the master is down";
        let no_replica = || Refusal::new(NO_REPLICA);
        let master_down = || Refusal::new(MASTER_DOWN);
        let master_id = master.map(|master| master.id);
        match config.read_pref {
            ReadPref::Primary => master_id.ok_or_else(master_down),
            ReadPref::PrimaryPreferred if master.is_some() => Ok(master_id.expect("the master is up")),
            ReadPref::PrimaryPreferred | ReadPref::Secondary => {
                self.pick_replica(replicas, sticky, config, rng).ok_or_else(no_replica)
            }
            ReadPref::SecondaryPreferred => match self.pick_replica(replicas, sticky, config, rng) {
                Some(id) => Ok(id),
                None => master_id.ok_or_else(|| Refusal::new(format!("{NO_REPLICA} and {MASTER_DOWN}"))),
            },
            ReadPref::Nearest => {
                let members = replicas;
                if let Some(master) = master {
                    members.push(master);
                }
                let nearest = members.as_slice().iter().map(|member| member.distance).min().ok_or_else(master_down)?;
                members.retain(|member| member.distance <= nearest + NEAR_WINDOW);
                self.pick_replica(members, sticky, config, rng).ok_or_else(no_replica)
            }
        }
    }

    /// A sticky session's replica if it is still a candidate, otherwise the policy's choice.
    fn pick_replica(
        &mut self,
        candidates: &Members,
        sticky: &mut Option<NodeId>,
        config: &Config,
        rng: &mut SimRng,
    ) -> Option<NodeId> {
        if candidates.as_slice().is_empty() {
            return None;
        }
        if config.sticky
            && let Some(kept) = *sticky
            && candidates.as_slice().iter().any(|member| member.id == kept)
        {
            return Some(kept);
        }
        let chosen = self.pick(candidates, config.policy, rng);
        if config.sticky {
            *sticky = Some(chosen);
        }
        Some(chosen)
    }

    fn pick(&mut self, candidates: &Members, policy: Policy, rng: &mut SimRng) -> NodeId {
        let members = candidates.as_slice();
        // Ties under the "least" policies go round in turn, not always to the first.
        let turn = self.turn;
        self.turn = self.turn.wrapping_add(1);
        let rotated = || (0..members.len()).map(|offset| members[(turn + offset) % members.len()]);
        match policy {
            Policy::RoundRobin => members[turn % members.len()].id,
            Policy::Random => rng.pick(members).id,
            Policy::Weighted => {
                let total: u64 = members.iter().map(|member| member.weight).sum();
                let mut draw = rng.below(total);
                for member in members {
                    if draw < member.weight {
                        return member.id;
                    }
                    draw -= member.weight;
                }
                unreachable!("the draw is below the total weight")
            }
            Policy::LeastOps => rotated().min_by_key(|member| member.ops).expect("candidates").id,
            Policy::LeastLag => rotated().min_by_key(|member| member.lag).expect("candidates").id,
        }
    }
}
