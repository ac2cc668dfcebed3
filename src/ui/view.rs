//! What the page shows of a run, worked out from the model without the browser: the picture's
//! nodes, messages and replication line, and the words on the nodes' cards. Pure, so it is
//! tested natively; the components only draw it.

use super::topology::{Dot, DotKind, NodeView, Place, ReplicationView};
use crate::sim::config::{Mode, Quorum};
use crate::sim::ids::NodeId;
use crate::sim::network::{Endpoint, Payload};
use crate::sim::node::{Follow, Job};
use crate::sim::words::plural;
use crate::sim::{Command, NodeRef, Simulation};

/// Messages drawn at once; more in flight are not drawn, to keep frames fast.
const MAX_DOTS: usize = 300;

/// The picture of a run: its nodes, the messages on their way, and how it replicates.
#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    pub master: NodeView,
    pub replicas: Vec<NodeView>,
    pub dots: Vec<Dot>,
    pub replication: ReplicationView,
    pub queue_limit: u64,
}

pub fn picture(sim: &Simulation) -> Picture {
    Picture {
        master: node_view(sim, sim.master_id()),
        replicas: sim.replica_ids().into_iter().map(|id| node_view(sim, id)).collect(),
        dots: dots(sim),
        replication: replication(sim),
        queue_limit: sim.config().queue_limit,
    }
}

fn node_view(sim: &Simulation, id: NodeId) -> NodeView {
    let node = sim.node(id);
    NodeView {
        machine: id.machine(),
        name: sim.name(id),
        role: role(sim, id),
        state: sim.state(id),
        applied_lsn: node.positions.applied,
        reads_served: node.reads_served,
        load: node.current_ops() as u64,
        lag: sim.lag(id).1,
        link_cut: node.link_cut,
        synchronous: !node.is_master() && sim.is_synchronous(id),
    }
}

/// The messages in flight, as dots on their way.
fn dots(sim: &Simulation) -> Vec<Dot> {
    let now = sim.now();
    let place = |endpoint: Endpoint| match endpoint {
        Endpoint::Client(_) => Place::Clients,
        Endpoint::Node(id) => Place::Node(sim.name(id)),
    };
    sim.messages()
        .take(MAX_DOTS)
        .map(|(arrives, message)| {
            let span = (arrives - message.sent_at).as_micros().max(1) as f64;
            let kind = match &message.payload {
                Payload::Request(Job::Write { .. } | Job::Execute { .. }) => DotKind::Write,
                Payload::Request(Job::Read { .. }) => DotKind::Read,
                Payload::Reply { error: None, .. } => DotKind::Reply,
                Payload::Reply { error: Some(_), .. } => DotKind::Error,
                Payload::Replicate { .. } => DotKind::Replicate,
                Payload::Ack { .. } => DotKind::Ack,
            };
            Dot {
                from: place(message.from),
                to: place(message.to),
                progress: ((now - message.sent_at).as_micros() as f64 / span).clamp(0.0, 1.0),
                kind,
            }
        })
        .collect()
}

/// How the master replicates, in one line, and whom its waiting writes wait for.
fn replication(sim: &Simulation) -> ReplicationView {
    let config = sim.config();
    let replicas = sim.replica_ids().len();
    let summary = if replicas == 0 {
        "a single database: nothing to replicate to".to_string()
    } else if sim.in_fallback() {
        "semi-sync fell back to async: writes are acknowledged without waiting until the replicas catch up".to_string()
    } else {
        match config.mode {
            Mode::Async => "async: a write is acknowledged at once, before any replica has it".to_string(),
            mode => {
                let who = match config.effective_quorum() {
                    Quorum::All if replicas == 1 => "the replica has".to_string(),
                    Quorum::All => format!("all {replicas} replicas have"),
                    Quorum::First(1) => "the first replica up has".to_string(),
                    Quorum::First(k) => format!("the first {k} replicas up have"),
                    Quorum::Any(1) => "any one replica has".to_string(),
                    Quorum::Any(k) => format!("any {k} replicas have"),
                };
                let done = match mode {
                    Mode::RemoteWrite | Mode::SemiSync => "received",
                    Mode::On => "flushed to disk",
                    _ => "applied",
                };
                match mode {
                    Mode::SemiSync => format!(
                        "semi-sync (MySQL): a write is acknowledged once {who} {done} it{}",
                        match config.semi_sync_timeout_ms {
                            0 => String::new(),
                            ms => format!(", or after {ms} ms without them (then async)"),
                        }
                    ),
                    Mode::Sync => {
                        format!("sync (remote_apply on every replica): a write is acknowledged once {who} {done} it")
                    }
                    mode => format!("sync ({}): a write is acknowledged once {who} {done} it", mode.as_str()),
                }
            }
        }
    };
    ReplicationView { summary, waiting: waiting(sim) }
}

/// "2 writes waiting for pg-3", or empty when no write waits.
fn waiting(sim: &Simulation) -> String {
    let Some((count, missing)) = sim.waiting_for() else { return String::new() };
    let writes = plural(count as u64, "write", "writes");
    match missing.as_slice() {
        [] => format!("{writes} waiting: no synchronous replica is up"),
        missing => {
            let machines: Vec<String> = missing.iter().map(|id| id.machine()).collect();
            format!("{writes} waiting for {}", machines.join(", "))
        }
    }
}

/// One line on a node's replication progress, for its card: how far behind the master it is,
/// or, for an old master that logged writes the new one never received, that it is ahead and
/// those writes will be thrown away.
pub fn progress(sim: &Simulation, id: NodeId) -> String {
    let node = sim.node(id);
    if node.is_master() {
        return match sim.waiting_for() {
            _ if sim.in_fallback() => "fell back to async: not waiting for replicas".to_string(),
            None => "every logged write is committed".to_string(),
            Some(_) => waiting(sim),
        };
    }
    match node.follow {
        Follow::Diverged { fork } => {
            return format!(
                "diverged: {} past LSN {fork}, where the master's timeline forked off, which the master never had; it serves them and follows nothing until rewound or rebuilt",
                plural(node.positions.received.saturating_sub(fork), "write", "writes"),
            );
        }
        Follow::WalRemoved => {
            return "stranded: the master no longer has the WAL it needs to catch up; only a rebuild brings it back"
                .to_string();
        }
        Follow::Streaming => {}
    }
    let (behind, lag) = sim.lag(id);
    match behind {
        0 => "caught up with the master".to_string(),
        behind => format!("{} behind the master ({lag})", plural(behind, "write", "writes")),
    }
}

/// The WAL the master keeps past `wal_keep` only because a replication slot holds it, for
/// its card: the slot bloat a down replica causes, growing with every write.
pub fn retention(sim: &Simulation) -> Option<String> {
    let (id, held) = sim.slot_retained().filter(|&(_, held)| held > 0)?;
    Some(format!(
        "keeps {} of WAL past wal_keep for {}'s replication slot",
        plural(held, "log entry", "log entries"),
        id.machine()
    ))
}

/// The role a machine has now, as its card and the picture name it: `master`, `replica 2`, or
/// `old master` for a deposed master that has not rejoined.
pub fn role(sim: &Simulation, id: NodeId) -> String {
    match sim.name(id) {
        NodeRef::Master => "master".to_string(),
        NodeRef::Replica(_) if sim.node(id).deposed => "old master".to_string(),
        NodeRef::Replica(number) => format!("replica {number}"),
    }
}

/// One thing a user can do to a node, offered on its card and among the picture's actions.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeAction {
    pub command: Command,
    /// The button's words.
    pub label: &'static str,
    /// The button's test id on the card: `crash-replica-1`, or `cancel-waits` for the master's one
    /// cancel.
    pub test_id: String,
    /// What it does, as the button's tooltip.
    pub help: Option<&'static str>,
}

/// What the recovery actions do, as their buttons' tooltips.
const REWIND_HELP: &str = "pg_rewind: take this node back to where the master's timeline forked off its history, throwing away what it has past that point, and follow the master again. Needs the master's WAL since the fork.";
const REBUILD_HELP: &str =
    "A new base backup (pg_basebackup): replace this node's copy with the master's, whatever state it was in.";
const CANCEL_HELP: &str = "pg_cancel_backend on every commit waiting for synchronous replicas: each returns at once with a WARNING, committed on the master though no replica may have it.";
const FAILOVER_HELP: &str = "Promote the replica that has received the most of the master's log, as a failover manager (Patroni, repmgr) would.";

/// What a node offers now, in the order its buttons stand: the one rule for the card and the
/// picture's actions.
pub fn node_actions(sim: &Simulation, node: NodeRef) -> Vec<NodeAction> {
    let Ok(id) = sim.resolve(node) else { return Vec::new() };
    let state = sim.node(id);
    let action = |command: Command, label, test_id: &str, help| NodeAction {
        command,
        label,
        test_id: format!("{test_id}-{node}"),
        help,
    };
    let mut actions = vec![if state.is_up() {
        action(Command::Crash(node), "Crash", "crash", None)
    } else {
        action(Command::Restart(node), "Restart", "restart", None)
    }];
    match node {
        NodeRef::Master => {
            if sim.waiting_for().is_some() {
                actions.push(NodeAction {
                    test_id: "cancel-waits".to_string(),
                    ..action(Command::CancelWaits, "Cancel waiting commits", "", Some(CANCEL_HELP))
                });
            }
            if !state.is_up() {
                actions.push(action(
                    Command::Promote(None),
                    "Fail over to the best replica",
                    "failover",
                    Some(FAILOVER_HELP),
                ));
            }
        }
        NodeRef::Replica(_) => {
            actions.push(if state.link_cut {
                action(Command::HealLink(node), "Heal link", "heal", None)
            } else {
                action(Command::CutLink(node), "Cut link", "cut", None)
            });
            if state.is_up() {
                actions.push(action(Command::Promote(Some(node)), "Promote to master", "promote", None));
            }
            if matches!(state.follow, Follow::Diverged { .. }) {
                actions.push(action(Command::Rewind(node), "Rewind", "rewind", Some(REWIND_HELP)));
            }
            if state.follow != Follow::Streaming {
                actions.push(action(Command::Rebuild(node), "Rebuild", "rebuild", Some(REBUILD_HELP)));
            }
        }
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::config::Config;
    use crate::sim::time::Time;

    fn run(config: Config, commands: &[(u64, Command)], until_ms: u64) -> Simulation {
        let mut sim = Simulation::new(config).unwrap();
        for (at, command) in commands {
            sim.run_until(Time::from_millis(*at));
            sim.apply(command.clone()).unwrap();
        }
        sim.run_until(Time::from_millis(until_ms));
        sim
    }

    #[test]
    fn the_picture_says_how_the_master_replicates_and_whom_it_waits_for() {
        let sync = Config { mode: Mode::Sync, ..Config::default() };
        let blocked = run(
            sync.clone(),
            &[(0, Command::Crash(NodeRef::Replica(2))), (10, Command::WriteRandom { client: 0 })],
            3_000,
        );
        let shown = super::picture(&blocked);
        assert_eq!(
            shown.replication.summary,
            "sync (remote_apply on every replica): a write is acknowledged once all 2 replicas have applied it"
        );
        assert_eq!(shown.replication.waiting, "1 write waiting for pg-3");
        assert!(shown.replicas.iter().all(|replica| replica.synchronous));
        assert_eq!(progress(&blocked, blocked.master_id()), "1 write waiting for pg-3");

        let first = Config { mode: Mode::RemoteApply, quorum: Quorum::First(1), ..Config::default() };
        let shown = super::picture(&run(first, &[], 10));
        assert_eq!(
            shown.replication.summary,
            "sync (remote_apply): a write is acknowledged once the first replica up has applied it"
        );
        assert_eq!(shown.replicas.iter().map(|replica| replica.synchronous).collect::<Vec<_>>(), [true, false]);

        let asynchronous = super::picture(&run(Config::default(), &[(0, Command::WriteRandom { client: 0 })], 500));
        assert_eq!(
            asynchronous.replication.summary,
            "async: a write is acknowledged at once, before any replica has it"
        );
        assert_eq!(asynchronous.replication.waiting, "");
        assert!(asynchronous.replicas.iter().all(|replica| !replica.synchronous));
    }

    #[test]
    fn machines_keep_their_names_through_a_failover_and_the_old_master_has_diverged() {
        let config = Config { lag_ms: 1_000, ..Config::default() };
        let sim = run(
            config,
            &[
                (0, Command::WriteRandom { client: 0 }),
                (200, Command::Crash(NodeRef::Master)),
                (300, Command::Promote(Some(NodeRef::Replica(2)))),
            ],
            400,
        );
        let shown = super::picture(&sim);
        assert_eq!((shown.master.machine.as_str(), shown.master.name), ("pg-3", NodeRef::Master));
        let names: Vec<(&str, NodeRef)> =
            shown.replicas.iter().map(|replica| (replica.machine.as_str(), replica.name)).collect();
        assert_eq!(names, [("pg-2", NodeRef::Replica(1)), ("pg-1", NodeRef::Replica(2))]);
        let old_master = sim.resolve(NodeRef::Replica(2)).unwrap();
        assert_eq!(
            progress(&sim, old_master),
            "diverged: 1 write past LSN 0, where the master's timeline forked off, which the master never had; it serves them and follows nothing until rewound or rebuilt"
        );
    }

    #[test]
    fn the_master_card_shows_the_wal_a_down_replicas_slot_holds_back_growing() {
        let slots = Config { wal_keep: 10, slots: true, lag_ms: 5, ..Config::default() };
        let writes = |count: u64| (0..count).map(move |at| (100 + at * 10, Command::WriteRandom { client: 0 }));
        let commands: Vec<(u64, Command)> =
            [(0, Command::Crash(NodeRef::Replica(1)))].into_iter().chain(writes(30)).collect();
        assert_eq!(
            retention(&run(slots.clone(), &commands, 1_000)).as_deref(),
            Some("keeps 20 log entries of WAL past wal_keep for pg-2's replication slot")
        );
        let more: Vec<(u64, Command)> =
            commands.iter().cloned().chain(writes(50).map(|(at, c)| (at + 400, c))).collect();
        assert_eq!(
            retention(&run(slots.clone(), &more, 2_000)).as_deref(),
            Some("keeps 70 log entries of WAL past wal_keep for pg-2's replication slot")
        );
        assert_eq!(retention(&run(Config { slots: false, ..slots.clone() }, &commands, 1_000)), None);
        let back: Vec<(u64, Command)> =
            commands.into_iter().chain([(500, Command::Restart(NodeRef::Replica(1)))]).collect();
        assert_eq!(retention(&run(slots, &back, 1_000)), None, "caught up: nothing held back");
    }

    #[test]
    fn a_node_offers_what_it_can_do_in_its_state() {
        let labels =
            |sim: &Simulation, node| node_actions(sim, node).into_iter().map(|action| action.label).collect::<Vec<_>>();
        let fresh = run(Config::default(), &[], 10);
        assert_eq!(labels(&fresh, NodeRef::Master), ["Crash"]);
        assert_eq!(labels(&fresh, NodeRef::Replica(1)), ["Crash", "Cut link", "Promote to master"]);
        assert!(node_actions(&fresh, NodeRef::Replica(3)).is_empty(), "no such replica");

        let sync = Config { mode: Mode::Sync, ..Config::default() };
        let blocked = run(
            sync,
            &[
                (0, Command::Crash(NodeRef::Replica(2))),
                (0, Command::CutLink(NodeRef::Replica(1))),
                (10, Command::WriteRandom { client: 0 }),
            ],
            500,
        );
        let master = node_actions(&blocked, NodeRef::Master);
        assert_eq!(master.iter().map(|action| action.label).collect::<Vec<_>>(), ["Crash", "Cancel waiting commits"]);
        assert_eq!((master[1].test_id.as_str(), &master[1].command), ("cancel-waits", &Command::CancelWaits));
        assert_eq!(labels(&blocked, NodeRef::Replica(1)), ["Crash", "Heal link", "Promote to master"]);
        assert_eq!(labels(&blocked, NodeRef::Replica(2)), ["Restart", "Cut link"]);
        assert_eq!(node_actions(&blocked, NodeRef::Replica(2))[0].test_id, "restart-replica-2");

        let failed_over = run(
            Config { lag_ms: 1_000, ..Config::default() },
            &[
                (0, Command::WriteRandom { client: 0 }),
                (200, Command::Crash(NodeRef::Master)),
                (300, Command::Promote(Some(NodeRef::Replica(2)))),
            ],
            400,
        );
        assert_eq!(
            labels(&failed_over, NodeRef::Replica(2)),
            ["Restart", "Cut link", "Rewind", "Rebuild"],
            "the old master diverged"
        );
        let master_down = run(Config::default(), &[(0, Command::Crash(NodeRef::Master))], 10);
        assert_eq!(labels(&master_down, NodeRef::Master), ["Restart", "Fail over to the best replica"]);
    }
}
