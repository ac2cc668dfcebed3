//! The demo "A replica crashes: reads stay available" (`#demo=replica-crash`).

use super::*;

pub const DEMO: Demo = Demo {
    name: "replica-crash",
    title: "A replica crashes: reads stay available",
    section: "Site reliability and availability",
    steps: &[
        Step {
            title: "Crash a replica",
            narration: "Reads flow to three replicas. At 1 s, pg-3 (replica 2) crashes.",
            aside: "",
            config: || Config { replicas: 3, rate: 200, lag_ms: 100, clients: SITE_CLIENTS, ..Config::default() },
            script: || vec![at(1_000, Command::Crash(NodeRef::Replica(2)))],
            pause_when: None,
            settle: Time::from_millis(4_000),
            claim: "pg-3 is down. The reads it held failed; every read since has been answered by the other two: users barely notice.",
            compare: None,
            check: |sim| {
                let replica = sim.resolve(NodeRef::Replica(2)).expect("replica-2");
                ensure(sim.state(replica) == NodeState::Down, "replica 2 is down")?;
                ensure(sim.metrics().recent_failures() == 0, "no read fails after the crash")?;
                ensure(sim.metrics().recent_throughput() > 150.0, "reads keep being answered")
            },
        },
        Step {
            title: "It comes back and catches up",
            narration: "pg-3 crashed at 1 s and restarts at 3 s: it applies what it had on disk, and the master streams it the rest of the log.",
            aside: "",
            config: || Config { replicas: 3, rate: 200, lag_ms: 100, clients: SITE_CLIENTS, ..Config::default() },
            script: || {
                vec![at(1_000, Command::Crash(NodeRef::Replica(2))), at(3_000, Command::Restart(NodeRef::Replica(2)))]
            },
            pause_when: Some(|sim| sim.now() > Time::from_millis(3_000) && replica_caught_up(sim, 2)),
            settle: Time::from_millis(6_000),
            claim: "pg-3 is back (event log: crashed, restarted) and has caught up: it shows the master's LSN, having applied what the master logged while it was down.",
            compare: None,
            check: |sim| {
                let replica = sim.resolve(NodeRef::Replica(2)).expect("replica-2");
                ensure(sim.node(replica).is_up(), "replica 2 is up")?;
                ensure(replica_caught_up(sim, 2), "it has caught up with the master")
            },
        },
    ],
};
