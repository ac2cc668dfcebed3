//! The demo "Load balancing with one slow replica" (`#demo=load-balancing`).

use super::*;

pub const DEMO: Demo = Demo {
    name: "load-balancing",
    title: "Load balancing with one slow replica",
    section: "Role-based operations: low latency, reads served by slaves",
    steps: &[
        Step {
            title: "Round-robin keeps hitting it",
            narration: "pg-2 (replica 1) serves only 60 requests per second. Round-robin still sends it a third of the 600 reads per second.",
            aside: "",
            config: || balanced(Policy::RoundRobin),
            script: || vec![at(0, Command::SetCapacity(NodeRef::Replica(1), 60))],
            pause_when: None,
            settle: Time::from_millis(4_000),
            claim: "pg-2's queue holds over 100 reads and p99 latency is over 500 ms: round-robin does not look at how busy a replica is.",
            compare: None,
            check: |sim| {
                ensure(replica_ops(sim, 1) > 100, "replica 1's queue grows")?;
                ensure(sim.metrics().recent_p99_ms() > 500.0, "p99 latency is above 500 ms")
            },
        },
        Step {
            title: "Least current operations avoids it",
            narration: "This time the proxy sends each read to the replica with the fewest requests in progress. The same slow pg-2, the same load.",
            aside: "MaxScale's LEAST_CURRENT_OPERATIONS router (MySQL); HAProxy's leastconn does the same in front of PostgreSQL.",
            config: || balanced(Policy::LeastOps),
            script: || vec![at(0, Command::SetCapacity(NodeRef::Replica(1), 60))],
            pause_when: None,
            settle: Time::from_millis(4_000),
            claim: "pg-2 has almost nothing queued and p99 latency stays under 200 ms: the slow replica gets only what it can take.",
            compare: None,
            check: |sim| {
                ensure(replica_ops(sim, 1) < 5, "replica 1 has almost nothing queued")?;
                ensure(sim.metrics().recent_p99_ms() < 200.0, "p99 latency stays under 200 ms")
            },
        },
    ],
};

fn balanced(policy: Policy) -> Config {
    Config {
        replicas: 3,
        policy,
        rate: 600,
        reads_percent: 100,
        queue_limit: 1_000,
        client_ms: 5,
        clients: SITE_CLIENTS,
        ..Config::default()
    }
}
