//! A machine's card: its role and state, how far it has come in the master's log, what it
//! offers to do, and its tables with each row compared with the master's.

use std::rc::Rc;

use crate::sim::data::{Database, Lsn, Row, Schema, USERS};
use crate::sim::ids::NodeId;
use crate::sim::node::Follow;
use crate::sim::words::plural;
use crate::sim::{Command, NodeRef, NodeState, Simulation};

/// Everything a machine's card shows.
#[derive(Clone, Debug, PartialEq)]
pub struct CardView {
    /// The machine's own name (`pg-2`).
    pub machine: String,
    /// Its role now (for its test ids and actions), and in words.
    pub node: NodeRef,
    pub role: String,
    pub state: NodeState,
    pub applied_lsn: u64,
    /// One line on the node's replication progress.
    pub progress: String,
    pub reads_served: u64,
    /// Requests queued, in service or waiting.
    pub load: u64,
    pub link_cut: bool,
    pub capacity: u64,
    pub weight: u64,
    /// One-way distance from the clients, in ms.
    pub distance_ms: u64,
    /// A replica's replication delay and apply delay, in ms.
    pub lag_ms: u64,
    pub apply_delay_ms: u64,
    /// What it offers now, as buttons.
    pub actions: Vec<NodeAction>,
    /// The master's WAL a replication slot holds back, in words, when it holds any.
    pub retention: Option<String>,
    /// The first rows of each of the node's tables.
    pub tables: Vec<TableView>,
}

pub fn card(sim: &Simulation, id: NodeId) -> CardView {
    let (node, links) = (sim.node(id), sim.links(id));
    let fork = match node.follow() {
        Follow::Diverged { fork } => Some(fork),
        _ => None,
    };
    CardView {
        machine: id.machine(),
        node: sim.role(id),
        role: sim.role_in_words(id),
        state: sim.state(id),
        applied_lsn: node.positions().applied,
        progress: progress(sim, id),
        reads_served: node.reads_served(),
        load: node.current_ops() as u64,
        link_cut: links.cut,
        capacity: node.capacity(),
        weight: node.weight(),
        distance_ms: links.distance.as_micros() / 1_000,
        lag_ms: links.lag.map_or(sim.config().lag_ms, |lag| lag.as_micros() / 1_000),
        apply_delay_ms: node.apply_delay().as_micros() / 1_000,
        actions: actions_of(sim, id),
        retention: if node.is_master() { retention(sim) } else { None },
        tables: table_views(node.data(), sim, fork),
    }
}

/// One line on a node's replication progress, for its card: how far behind the master it is,
/// or, for an old master that logged writes the new one never received, that it is ahead and
/// those writes will be thrown away.
pub fn progress(sim: &Simulation, id: NodeId) -> String {
    let node = sim.node(id);
    if node.is_master() {
        let in_doubt = node.positions().applied.saturating_sub(sim.committed_lsn());
        return match sim.waiting_for() {
            _ if !node.is_up() && in_doubt > 0 => format!(
                "down with {} in its log that no client saw acknowledged (each got an error): crash recovery commits {} if it restarts, a failover loses {}: in doubt",
                plural(in_doubt, "write", "writes"),
                if in_doubt == 1 { "it" } else { "them" },
                if in_doubt == 1 { "it" } else { "them" },
            ),
            _ if sim.in_fallback() => "fell back to async: not waiting for replicas".to_string(),
            None => "every logged write is committed".to_string(),
            Some(_) => waiting(sim),
        };
    }
    match node.follow() {
        Follow::Diverged { fork } => {
            let until = match sim.rewind_impossible(id) {
                Some(_) => format!(
                    "until rebuilt: pg_rewind cannot, as the master keeps its WAL only from LSN {} on",
                    sim.wal_kept_from()
                ),
                None => "until rewound or rebuilt".to_string(),
            };
            return format!(
                "diverged: {} past LSN {fork}, where the master's timeline forked off, which the master never had; it serves them and follows nothing {until}",
                plural(node.positions().received.saturating_sub(fork), "write", "writes"),
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
/// its card: the slot bloat a down replica (or an unread logical slot) causes, growing with
/// every write; and a logical slot given up for it.
pub fn retention(sim: &Simulation) -> Option<String> {
    let physical = sim.slot_retained().filter(|&(_, held)| held > 0).map(|(id, held)| {
        format!(
            "keeps {} of WAL past wal_keep for {}'s replication slot",
            plural(held, "log entry", "log entries"),
            id.machine()
        )
    });
    let logical = sim.logical_retained().into_iter().filter_map(|(name, held)| match held {
        None => Some(format!("logical slot {name} is lost (it held back more than max_slot_wal_keep)")),
        Some(0) => None,
        Some(held) => Some(format!(
            "keeps {} of WAL past wal_keep for logical slot {name}",
            plural(held, "log entry", "log entries")
        )),
    });
    let said: Vec<String> = physical.into_iter().chain(logical).collect();
    (!said.is_empty()).then(|| said.join("; "))
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
    sim.resolve(node).map_or_else(|_| Vec::new(), |id| actions_of(sim, id))
}

/// `node_actions` of a machine by its id.
fn actions_of(sim: &Simulation, id: NodeId) -> Vec<NodeAction> {
    let (node, state) = (sim.role(id), sim.node(id));
    let action = |command: Command, label, test_id: String, help| NodeAction { command, label, test_id, help };
    let on_card = |what: &str| format!("{what}-{node}");
    let mut actions = vec![if state.is_up() {
        action(Command::Crash(node), "Crash", on_card("crash"), None)
    } else {
        action(Command::Restart(node), "Restart", on_card("restart"), None)
    }];
    match node {
        NodeRef::Master => {
            if sim.waiting_for().is_some() {
                let cancel = "cancel-waits".to_string();
                actions.push(action(Command::CancelWaits, "Cancel waiting commits", cancel, Some(CANCEL_HELP)));
            }
            if !state.is_up() {
                let failover = on_card("failover");
                actions.push(action(
                    Command::Promote(None),
                    "Fail over to the best replica",
                    failover,
                    Some(FAILOVER_HELP),
                ));
            }
        }
        NodeRef::Replica(_) => {
            actions.push(if sim.links(id).cut {
                action(Command::HealLink(node), "Heal link", on_card("heal"), None)
            } else {
                action(Command::CutLink(node), "Cut link", on_card("cut"), None)
            });
            if state.is_up() {
                actions.push(action(Command::Promote(Some(node)), "Promote to master", on_card("promote"), None));
            }
            if matches!(state.follow(), Follow::Diverged { .. }) {
                actions.push(action(Command::Rewind(node), "Rewind", on_card("rewind"), Some(REWIND_HELP)));
            }
            if state.follow() != Follow::Streaming {
                actions.push(action(Command::Rebuild(node), "Rebuild", on_card("rebuild"), Some(REBUILD_HELP)));
            }
        }
    }
    actions
}

/// Rows shown per table; the rest are summed up in one line, so a table with many rows stays
/// light to draw.
const SHOWN_ROWS: usize = 12;

/// How a row on a node compares with the master's committed data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowMark {
    Same,
    /// The master has a newer version of it, or has deleted it.
    Behind,
    /// Written after the node's history forked from the new master's (an old master's writes
    /// the new one never received): it is thrown away when the node rejoins.
    Ahead,
    /// Logged by a commit still waiting for synchronous standbys: the master's readers do not
    /// see it yet, though a standby that applied it does.
    Waiting,
    /// Logged by a commit that was waiting when the master went down: its client got an error,
    /// yet the commit record is in the master's WAL, so a restart commits it (and a failover to
    /// a node without it loses it).
    InDoubt,
}

impl RowMark {
    /// The row's tag on a card: its class, its words and what they mean; none for a row as
    /// the master has it.
    pub fn tag(self) -> Option<(&'static str, &'static str, Option<&'static str>)> {
        match self {
            RowMark::Same => None,
            RowMark::Behind => Some(("behind", "behind", None)),
            RowMark::Ahead => Some(("ahead", "ahead: lost", None)),
            RowMark::Waiting => Some(("waiting", "commit waiting", Some(WAITING_HELP))),
            RowMark::InDoubt => Some(("waiting", "in doubt", Some(IN_DOUBT_HELP))),
        }
    }
}

const WAITING_HELP: &str = "Its commit waits for the synchronous standbys: it is in the master's log, but the master's readers do not see it until the commit returns.";
const IN_DOUBT_HELP: &str = "Its commit was waiting when the master went down: the client got an error, but the commit is in the master's log, so crash recovery commits it when the master restarts; a failover to a node without it loses it.";

/// What a card shows of one table: its first rows, each marked, and how many there are in
/// all. Built per frame instead of copying tables.
#[derive(Clone, Debug, PartialEq)]
pub struct TableView {
    pub name: String,
    pub schema: Schema,
    pub rows: Vec<(Rc<Row>, RowMark)>,
    pub total: usize,
}

/// A node's tables, `users` first, with its rows compared with the master's committed data;
/// `fork` is where a diverged node's history left the master's.
pub fn table_views(data: &Database, sim: &Simulation, fork: Option<Lsn>) -> Vec<TableView> {
    let (master, committed_lsn) = (sim.committed(), sim.committed_lsn());
    let uncommitted = if sim.master().is_up() { RowMark::Waiting } else { RowMark::InDoubt };
    let users = data.tables.get_key_value(USERS);
    let ordered = users.into_iter().chain(data.tables.iter().filter(|(name, _)| name.as_str() != USERS));
    ordered
        .map(|(name, table)| TableView {
            name: name.clone(),
            schema: table.schema.clone(),
            rows: table
                .rows
                .iter()
                .take(SHOWN_ROWS)
                .map(|(key, row)| {
                    let mark = if fork.is_some_and(|fork| row.lsn > fork) {
                        RowMark::Ahead
                    } else if row.lsn > committed_lsn {
                        uncommitted
                    } else if master.version(name, key) != row.version {
                        RowMark::Behind
                    } else {
                        RowMark::Same
                    };
                    (row.clone(), mark)
                })
                .collect(),
            total: table.rows.len(),
        })
        .collect()
}

/// "2 writes waiting for pg-3", or empty when no write waits.
pub(super) fn waiting(sim: &Simulation) -> String {
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

#[cfg(test)]
mod tests {
    use super::super::{machines, run};
    use super::*;
    use crate::sim::config::{Config, Mode, Quorum};
    use crate::sim::data::Value;
    use crate::sim::time::Time;

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
        let shown = machines(&sim);
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
    fn a_diverged_node_whose_fork_the_master_no_longer_keeps_says_only_a_rebuild_will_do() {
        let config = Config { lag_ms: 1_000, wal_keep: 5, ..Config::default() };
        let writes = (0..8).map(|at| (400 + at * 10, Command::WriteRandom { client: 0 }));
        let commands: Vec<(u64, Command)> = [
            (0, Command::WriteRandom { client: 0 }),
            (200, Command::Crash(NodeRef::Master)),
            (300, Command::Promote(Some(NodeRef::Replica(2)))),
        ]
        .into_iter()
        .chain(writes)
        .collect();
        let sim = run(config, &commands, 600);
        let old_master = sim.resolve(NodeRef::Replica(2)).unwrap();
        assert_eq!(
            progress(&sim, old_master),
            "diverged: 1 write past LSN 0, where the master's timeline forked off, which the master never had; it serves them and follows nothing until rebuilt: pg_rewind cannot, as the master keeps its WAL only from LSN 4 on"
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
    fn the_master_card_shows_the_wal_an_unread_logical_slot_holds_back_and_when_it_is_lost() {
        let config = Config { wal_keep: 10, max_slot_wal_keep: 60, ..Config::default() };
        let create = Command::Sql {
            client: 0,
            text: "SELECT pg_create_logical_replication_slot('cdc', 'test_decoding')".into(),
        };
        let writes = |count: u64| (0..count).map(move |at| (100 + at * 10, Command::WriteRandom { client: 0 }));
        let commands: Vec<(u64, Command)> = [(0, create)].into_iter().chain(writes(30)).collect();
        assert_eq!(
            retention(&run(config.clone(), &commands, 1_000)).as_deref(),
            Some("keeps 20 log entries of WAL past wal_keep for logical slot cdc")
        );
        let more: Vec<(u64, Command)> =
            commands.iter().cloned().chain(writes(50).map(|(at, c)| (at + 400, c))).collect();
        assert_eq!(
            retention(&run(config, &more, 2_000)).as_deref(),
            Some("logical slot cdc is lost (it held back more than max_slot_wal_keep)")
        );
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

    /// The mark of user 101's row on machine `id`.
    fn mark(sim: &Simulation, id: NodeId) -> Option<RowMark> {
        let views = table_views(sim.node(id).data(), sim, None);
        let users = views.into_iter().find(|view| view.name == USERS)?;
        users.rows.into_iter().find(|(row, _)| row.values.first() == Some(&Value::Int(101))).map(|(_, mark)| mark)
    }

    /// FIRST 1 (pg-2) with pg-2 down: Ann's commit waits, pg-3 has applied it.
    fn ann_waiting_for_pg2() -> Simulation {
        let config = Config {
            mode: Mode::On,
            quorum: Quorum::First(1),
            standbys: vec!["pg-2".into()],
            lag_ms: 10,
            client_ms: 1,
            ..Config::default()
        };
        let mut sim = Simulation::new(config).unwrap();
        sim.apply(Command::Crash(NodeRef::Replica(1))).unwrap();
        sim.apply(Command::Write { client: 0, key: 101, name: "Ann".into() }).unwrap();
        sim.run_until(Time::from_millis(100));
        sim
    }

    #[test]
    fn rows_of_a_waiting_commit_are_marked_on_the_master_and_on_a_standby_that_applied_them() {
        let mut sim = ann_waiting_for_pg2();
        let (master, pg3) = (sim.master_id(), NodeId(2));
        assert_eq!((mark(&sim, master), mark(&sim, pg3)), (Some(RowMark::Waiting), Some(RowMark::Waiting)));
        sim.apply(Command::CancelWaits).unwrap();
        assert_eq!((mark(&sim, master), mark(&sim, pg3)), (Some(RowMark::Same), Some(RowMark::Same)));
    }

    /// PostgreSQL: the commit record is in the crashed master's WAL, so the row is committed
    /// after a restart, while the client that waited got an error (the real-PostgreSQL suite's
    /// "a master that crashes while a synchronous commit waits").
    #[test]
    fn a_commit_waiting_when_the_master_crashes_is_in_doubt_until_a_restart_commits_it() {
        let mut sim = ann_waiting_for_pg2();
        let master = sim.master_id();
        sim.apply(Command::Crash(NodeRef::Master)).unwrap();
        sim.run_until(Time::from_millis(200));
        assert_eq!(mark(&sim, master), Some(RowMark::InDoubt));
        assert_eq!(
            progress(&sim, master),
            "down with 1 write in its log that no client saw acknowledged (each got an error): crash recovery commits it if it restarts, a failover loses it: in doubt"
        );
        let write = sim.recent().find(|record| record.key() == Some(101)).unwrap();
        assert!(write.in_doubt.is_some(), "its client got an error and cannot know: {write:?}");
        sim.apply(Command::Restart(NodeRef::Master)).unwrap();
        assert_eq!(mark(&sim, master), Some(RowMark::Same), "crash recovery committed it");
        assert_eq!(progress(&sim, master), "every logged write is committed");
    }

    #[test]
    fn a_replica_that_has_not_applied_a_committed_write_is_behind() {
        let mut sim = Simulation::new(Config { lag_ms: 1_000, client_ms: 1, ..Config::default() }).unwrap();
        sim.apply(Command::Write { client: 0, key: 101, name: "Ann".into() }).unwrap();
        sim.run_until(Time::from_millis(100));
        sim.apply(Command::Write { client: 0, key: 101, name: "Bob".into() }).unwrap();
        sim.run_until(Time::from_millis(1_050));
        assert_eq!(mark(&sim, NodeId(1)), Some(RowMark::Behind), "it has Ann, the master Bob");
        sim.run_until(Time::from_millis(1_200));
        assert_eq!(mark(&sim, NodeId(1)), Some(RowMark::Same));
    }
}
