//! The picture of a run: its machines, the messages on their way, and how the master
//! replicates and whom it waits for.

use super::node::waiting;
use crate::sim::Simulation;
use crate::sim::config::{Mode, Quorum};
use crate::sim::ids::NodeId;
use crate::sim::network::{Endpoint, Payload};
use crate::sim::node::Job;
use crate::ui::topology::{Dot, DotKind, NodeView, Place, ReplicationView};

/// Messages drawn at once; more in flight are not drawn, to keep frames fast.
const MAX_DOTS: usize = 300;
/// Log entries on their way along one link that still carry their LSN: enough to follow a
/// write or a few; under heavy traffic the numbers would only pile up on each other.
const LABELLED_ENTRIES_PER_LINK: usize = 6;

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
        colour: super::machine_colour(id),
        name: sim.name(id),
        role: sim.role_in_words(id),
        state: sim.state(id),
        applied_lsn: node.positions.applied,
        reads_served: node.reads_served,
        load: node.current_ops() as u64,
        lag: sim.lag(id).1,
        missing: if node.is_master() { 0 } else { sim.lag(id).0 },
        link_cut: node.link_cut,
        synchronous: !node.is_master() && sim.is_synchronous(id),
        streaming: !node.is_master() && node.streaming,
    }
}

/// The messages in flight, as dots on their way; log entries with their LSN while few travel.
fn dots(sim: &Simulation) -> Vec<Dot> {
    let mut dots = messages(sim);
    let entries = dots.iter().filter(|dot| dot.kind == DotKind::Replicate).count();
    if entries > LABELLED_ENTRIES_PER_LINK * sim.replica_ids().len().max(1) {
        dots.iter_mut().for_each(|dot| dot.lsn = None);
    }
    dots
}

fn messages(sim: &Simulation) -> Vec<Dot> {
    let now = sim.now();
    let place = |endpoint: Endpoint| match endpoint {
        Endpoint::Client(_) => Place::Clients,
        Endpoint::Node(id) => Place::Node(sim.name(id)),
    };
    sim.messages()
        .take(MAX_DOTS)
        .map(|(arrives, message)| {
            let span = (arrives - message.sent_at).as_micros().max(1) as f64;
            let lsn = match &message.payload {
                Payload::Replicate { entry, .. } => Some(entry.lsn),
                _ => None,
            };
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
                lsn,
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

#[cfg(test)]
mod tests {
    use super::super::{progress, run};
    use super::*;
    use crate::sim::config::Config;
    use crate::sim::{Command, NodeRef};

    #[test]
    fn log_entries_carry_their_lsn_while_few_are_on_their_way() {
        let lsns = |sim: &Simulation| -> Vec<Option<u64>> {
            super::picture(sim).dots.iter().filter(|dot| dot.kind == DotKind::Replicate).map(|dot| dot.lsn).collect()
        };
        let one_write = run(Config::default(), &[(0, Command::WriteRandom { client: 0 })], 300);
        assert_eq!(lsns(&one_write), [Some(1), Some(1)], "one write on its way to each of the two replicas");
        let writes: Vec<(u64, Command)> = (0..20).map(|n| (n * 10, Command::WriteRandom { client: 0 })).collect();
        let busy = lsns(&run(Config::default(), &writes, 300));
        assert_eq!(busy.len(), 40);
        assert!(busy.iter().all(Option::is_none), "too many numbers to read: plain dots");
    }

    #[test]
    fn a_replica_shows_how_many_of_the_masters_log_entries_it_lacks() {
        let sim = run(Config::default(), &[(0, Command::WriteRandom { client: 0 })], 300);
        let shown = super::picture(&sim);
        assert_eq!(shown.master.applied_lsn, 1);
        assert_eq!(shown.replicas.iter().map(|replica| replica.missing).collect::<Vec<_>>(), [1, 1]);
        let later = super::picture(&run(Config::default(), &[(0, Command::WriteRandom { client: 0 })], 3_000));
        assert_eq!(later.replicas.iter().map(|replica| replica.missing).collect::<Vec<_>>(), [0, 0], "the lag is 1 s");
    }

    #[test]
    fn a_link_the_master_streams_nothing_along_is_shown_so() {
        let sim = run(
            Config::default(),
            &[(0, Command::Crash(NodeRef::Master)), (100, Command::Promote(Some(NodeRef::Replica(1))))],
            200,
        );
        let shown = super::picture(&sim);
        let links: Vec<(&str, &str, bool)> =
            shown.replicas.iter().map(|node| (node.machine.as_str(), node.role.as_str(), node.streaming)).collect();
        assert_eq!(links, [("pg-1", "old master", false), ("pg-3", "replica 2", true)]);
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
}
