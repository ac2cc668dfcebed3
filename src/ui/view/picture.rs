//! The picture of a run: its machines, the messages on their way, and how the master
//! replicates and whom it waits for.

use std::hash::{DefaultHasher, Hash, Hasher};

use yew::AttrValue;

use super::node::waiting;
use super::read_model::{ReadSideView, read_side};
use crate::sim::config::{Config, Mode, Quorum, ReadPref, ReadSide};
use crate::sim::ids::NodeId;
use crate::sim::network::{Endpoint, Message, Payload};
use crate::sim::node::Job;
use crate::sim::time::Time;
use crate::sim::{NodeRef, NodeState, Simulation};

/// One node as the picture shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct NodeView {
    /// The machine's own name (`pg-2`), kept through failovers.
    pub machine: String,
    /// Its colour (a CSS class), the same as its line in the lag chart.
    pub colour: &'static str,
    /// Its role now: where it is drawn and its test id.
    pub name: NodeRef,
    /// The role in words (`replica 2`, `old master`).
    pub role: String,
    pub state: NodeState,
    pub applied_lsn: u64,
    pub reads_served: u64,
    /// Requests queued or in service, against the queue limit.
    pub load: u64,
    pub lag: Time,
    /// For a replica: how many of the master's log entries it has not applied yet.
    pub missing: u64,
    pub link_cut: bool,
    /// For a replica: whether the master waits for it before acknowledging a write.
    pub synchronous: bool,
    /// For a replica: whether the master has a replication connection to it (not when it is
    /// down, diverged or stranded): only then is anything shipped along its link.
    pub streaming: bool,
    /// For the master: the log entries its logical slots alone make it keep.
    pub held_for_slots: u64,
}

/// How the master replicates, as the picture tells it.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplicationView {
    /// One line, e.g. "sync: every write waits until both replicas have applied it".
    pub summary: String,
    /// Writes logged but not yet acknowledged, and who they wait for, e.g. "1 write waiting
    /// for pg-3"; empty when none waits.
    pub waiting: String,
    /// Where reads go when that is not the default (replicas, any of them), e.g. "reads: at
    /// the master"; empty otherwise.
    pub reads: String,
}

/// Where a message starts or ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Clients,
    Node(NodeRef),
    /// A machine of the read side: the connector, a MongoDB member.
    ReadSide(NodeId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DotKind {
    Write,
    Read,
    Reply,
    Error,
    Replicate,
    Ack,
}

impl DotKind {
    pub const ALL: [DotKind; 6] =
        [DotKind::Write, DotKind::Read, DotKind::Reply, DotKind::Error, DotKind::Replicate, DotKind::Ack];
}

/// A message in flight, `progress` from 0 (sent) to 1 (arriving).
#[derive(Clone, Debug, PartialEq)]
pub struct Dot {
    pub from: Place,
    pub to: Place,
    pub progress: f64,
    pub kind: DotKind,
    /// A log entry's LSN, written on it, so a class can follow one write to every replica.
    pub lsn: Option<u64>,
}

/// Messages drawn at once. Under heavy traffic a frame cannot move every message in flight
/// (each moving dot costs the browser style, layout and paint work), nor could a class follow
/// them: the picture then draws an even sample, one message in `Messages::drawn_one_in`. At
/// 2,000 requests/s over 8 replicas on a 2-core laptop, 8 frames in 600 dropped with 60 drawn,
/// 30 with 100 (`BENCH_PARTS=frames node e2e/bench-page.js`).
const MAX_DOTS: usize = 60;
/// Log entries on their way along one link that still carry their LSN: enough to follow a
/// write or a few; under heavy traffic the numbers would only pile up on each other.
const LABELLED_ENTRIES_PER_LINK: usize = 6;

/// What a run's picture shows of its machines: each one's box, its link and how the master
/// replicates. Worked out with the panels (`Panels::machines`): under the traffic generator a
/// few times a second, as the counters are (numbers changing every frame could not be read,
/// and redrawing every box every frame was a third of a frame's script); the messages move every
/// frame.
#[derive(Clone, Debug, PartialEq)]
pub struct MachinesView {
    pub master: NodeView,
    pub replicas: Vec<NodeView>,
    pub replication: ReplicationView,
    pub queue_limit: u64,
    pub read_side: Option<ReadSideView>,
    /// The picture in one sentence, for a screen reader: who takes the writes and the reads, and
    /// how the master replicates.
    pub in_words: AttrValue,
}

pub fn machines(sim: &Simulation) -> MachinesView {
    let (master, replication, read_side) = (node_view(sim, sim.master_id()), replication(sim), read_side(sim));
    let replicas: Vec<NodeView> = sim.replica_ids().into_iter().map(|id| node_view(sim, id)).collect();
    let readers = match &read_side {
        Some(read_side) => format!("{} MongoDB members, which cdc-1 keeps from the master", read_side.members.len()),
        None if replicas.is_empty() => "it too".to_string(),
        None => format!("{} replicas", replicas.len()),
    };
    let in_words = AttrValue::from(format!(
        "Clients send writes to the master ({}) and reads to {readers}; {}",
        master.machine, replication.summary
    ));
    MachinesView { master, replicas, replication, queue_limit: sim.config().queue_limit, read_side, in_words }
}

/// The messages a run's picture draws on their way, worked out every frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Messages {
    pub dots: Vec<Dot>,
    /// 1 when every message in flight is drawn; under heavy traffic, one in this many.
    pub drawn_one_in: usize,
}

fn node_view(sim: &Simulation, id: NodeId) -> NodeView {
    let node = sim.node(id);
    NodeView {
        machine: id.machine(),
        colour: super::machine_colour(id),
        name: sim.role(id),
        role: sim.role_in_words(id),
        state: sim.state(id),
        applied_lsn: node.positions().applied,
        reads_served: node.reads_served(),
        load: node.current_ops() as u64,
        lag: sim.lag(id).1,
        missing: if node.is_master() { 0 } else { sim.lag(id).0 },
        link_cut: sim.links(id).cut,
        synchronous: !node.is_master() && sim.is_synchronous(id),
        streaming: !node.is_master() && node.streaming(),
        held_for_slots: if node.is_master() {
            sim.logical_retained().iter().filter_map(|(_, held)| *held).sum()
        } else {
            0
        },
    }
}

/// The messages in flight, as dots on their way (a sample of them under heavy traffic, and one
/// in how many), log entries with their LSN while all of them are drawn and few travel.
pub fn messages(sim: &Simulation) -> Messages {
    let (mut dots, drawn_one_in) = sampled(sim);
    let entries = dots.iter().filter(|dot| dot.kind == DotKind::Replicate).count();
    // A sample's numbers would skip; too many would pile up on each other.
    if drawn_one_in > 1 || entries > LABELLED_ENTRIES_PER_LINK * sim.replica_ids().len().max(1) {
        dots.iter_mut().for_each(|dot| dot.lsn = None);
    }
    Messages { dots, drawn_one_in }
}

/// Which messages are drawn, one in `one_in`: picked by a hash of the message, so that a message
/// drawn in one frame is drawn for its whole flight (the dots move instead of flickering), and a
/// power of two, so that when traffic grows the dots drawn are a subset of those drawn before.
fn sampling(in_flight: usize) -> usize {
    in_flight.div_ceil(MAX_DOTS).max(1).next_power_of_two()
}

fn drawn(message: &Message, arrives: Time, one_in: usize) -> bool {
    one_in == 1 || {
        let mut hasher = DefaultHasher::new();
        (message.from, message.to, message.sent_at, arrives).hash(&mut hasher);
        hasher.finish() % one_in as u64 == 0
    }
}

fn sampled(sim: &Simulation) -> (Vec<Dot>, usize) {
    let now = sim.now();
    let place = |endpoint: Endpoint| match endpoint {
        Endpoint::Client(_) => Place::Clients,
        Endpoint::Node(id) if id.is_postgres() => Place::Node(sim.role(id)),
        Endpoint::Node(id) => Place::ReadSide(id),
    };
    let one_in = sampling(sim.messages().count());
    let dots = sim
        .messages()
        .filter(|(arrives, message)| drawn(message, *arrives, one_in))
        .take(MAX_DOTS)
        .map(|(arrives, message)| {
            let span = (arrives - message.sent_at).as_micros().max(1) as f64;
            let lsn = match &message.payload {
                Payload::Replicate { entry, .. } | Payload::Decoded { entry, .. } => Some(entry.lsn),
                Payload::MongoWrite { through, .. } | Payload::Oplog { through, .. } => Some(through.lsn),
                _ => None,
            };
            let kind = match &message.payload {
                Payload::Request(Job::Write { .. } | Job::Execute { .. }) => DotKind::Write,
                Payload::Request(Job::Read { .. }) => DotKind::Read,
                Payload::Reply { error: None, .. } => DotKind::Reply,
                Payload::Reply { error: Some(_), .. } => DotKind::Error,
                Payload::Replicate { .. } => DotKind::Replicate,
                Payload::Ack { .. } => DotKind::Ack,
                Payload::Decoded { .. } | Payload::MongoWrite { .. } | Payload::Oplog { .. } => DotKind::Replicate,
                Payload::Confirm { .. } | Payload::MongoAck { .. } => DotKind::Ack,
            };
            Dot {
                from: place(message.from),
                to: place(message.to),
                progress: ((now - message.sent_at).as_micros() as f64 / span).clamp(0.0, 1.0),
                kind,
                lsn,
            }
        })
        .collect();
    (dots, one_in)
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
    ReplicationView { summary, waiting: waiting(sim), reads: read_routing(config, replicas) }
}

/// Where reads go when MongoDB serves them: the CQRS picture's one line.
fn read_model_routing(config: &Config) -> String {
    // One line on the stage: with a token, what the token does is the news.
    if config.causal_reads {
        return "reads: from MongoDB, each once it has its client's last write (a consistency token)".to_string();
    }
    format!("reads: from MongoDB ({}), which cdc-1 updates every {} ms", config.read_pref, config.cdc_poll_ms)
}

/// Where reads go, where that is not to any replica: a step that changes it shows it.
fn read_routing(config: &Config, replicas: usize) -> String {
    if config.read_side == ReadSide::MongoDb {
        return read_model_routing(config);
    }
    let mut rules = Vec::new();
    match config.read_pref {
        _ if replicas == 0 => return String::new(),
        ReadPref::Primary => rules.push("at the master".to_string()),
        ReadPref::PrimaryPreferred => rules.push("at the master while it is up".to_string()),
        ReadPref::Nearest => rules.push("at the closest member, the master included".to_string()),
        ReadPref::Secondary | ReadPref::SecondaryPreferred => {}
    }
    if config.max_lag_ms > 0 {
        rules.push(format!("not on a replica over {} ms behind", config.max_lag_ms));
    }
    if config.causal_reads {
        rules.push("each waits until its replica has the client's own last write (causal reads)".to_string());
    }
    if rules.is_empty() { String::new() } else { format!("reads: {}", rules.join("; ")) }
}

#[cfg(test)]
mod tests {
    use super::super::{progress, run};
    use super::*;
    use crate::sim::{Command, NodeRef};

    #[test]
    fn the_picture_says_where_reads_go_when_a_step_changes_it() {
        let reads = |change: fn(&mut Config)| {
            let mut config = Config::default();
            change(&mut config);
            read_routing(&config, config.replicas)
        };
        assert_eq!(reads(|_| {}), "", "to the replicas, as the lecture draws it: nothing to add");
        assert_eq!(reads(|c| c.read_pref = ReadPref::Primary), "reads: at the master");
        assert_eq!(reads(|c| c.max_lag_ms = 1_000), "reads: not on a replica over 1000 ms behind");
        assert!(reads(|c| c.causal_reads = true).contains("(causal reads)"));
        assert_eq!(reads(|c| (c.read_pref, c.replicas) = (ReadPref::Primary, 0)), "", "one database: no choice");
    }

    #[test]
    fn log_entries_carry_their_lsn_while_few_are_on_their_way() {
        let lsns = |sim: &Simulation| -> Vec<Option<u64>> {
            super::messages(sim).dots.iter().filter(|dot| dot.kind == DotKind::Replicate).map(|dot| dot.lsn).collect()
        };
        let one_write = run(Config::default(), &[(0, Command::WriteRandom { client: 0 })], 300);
        assert_eq!(lsns(&one_write), [Some(1), Some(1)], "one write on its way to each of the two replicas");
        let writes: Vec<(u64, Command)> = (0..20).map(|n| (n * 10, Command::WriteRandom { client: 0 })).collect();
        let busy = lsns(&run(Config::default(), &writes, 300));
        assert_eq!(busy.len(), 40);
        assert!(busy.iter().all(Option::is_none), "too many numbers to read: plain dots");
    }

    #[test]
    fn under_heavy_traffic_an_even_sample_of_the_messages_is_drawn_each_for_its_whole_flight() {
        let light = super::messages(&run(Config::default(), &[(0, Command::WriteRandom { client: 0 })], 300));
        assert_eq!((light.drawn_one_in, light.dots.len()), (1, 2), "every message while few travel");
        let busy = Config { replicas: 8, lag_ms: 200, rate: 2_000, reads_percent: 90, clients: 8, ..Config::default() };
        let mut sim = Simulation::new(busy).unwrap();
        sim.run_until(Time::from_millis(2_000));
        let in_flight = sim.messages().count();
        let Messages { dots, drawn_one_in: one_in } = super::messages(&sim);
        assert!(in_flight > MAX_DOTS && one_in > 1, "{in_flight} messages in flight, one in {one_in} drawn");
        assert!(dots.len() <= MAX_DOTS && dots.len() * one_in * 2 >= in_flight, "{} drawn", dots.len());
        assert!(dots.iter().all(|dot| dot.lsn.is_none()), "a sample's LSNs would skip: plain dots");
        // A frame later the log entries drawn before and still travelling are drawn again.
        let frame_later = sim.now() + Time::from_millis(16);
        let travelling: Vec<(Time, Message)> = sim
            .messages()
            .filter(|(arrives, message)| {
                *arrives > frame_later
                    && matches!(message.payload, Payload::Replicate { .. })
                    && drawn(message, *arrives, one_in)
            })
            .map(|(arrives, message)| (arrives, message.clone()))
            .collect();
        sim.run_until(frame_later);
        let one_in_later = sampling(sim.messages().count());
        let still: Vec<(Time, Message)> = sim
            .messages()
            .filter(|(_, message)| matches!(message.payload, Payload::Replicate { .. }))
            .map(|(arrives, message)| (arrives, message.clone()))
            .collect();
        assert!(!travelling.is_empty());
        for (arrives, message) in &travelling {
            assert!(still.contains(&(*arrives, message.clone())), "still on its way");
            assert!(one_in_later > one_in || drawn(message, *arrives, one_in_later), "and still drawn");
        }
        // Busier, a sample of the sample: every message drawn one in 2n is drawn one in n.
        for (arrives, message) in sim.messages() {
            assert!(!drawn(message, arrives, 2 * one_in) || drawn(message, arrives, one_in));
        }
    }

    #[test]
    fn a_replica_shows_how_many_of_the_masters_log_entries_it_lacks() {
        let sim = run(Config::default(), &[(0, Command::WriteRandom { client: 0 })], 300);
        let shown = super::machines(&sim);
        assert_eq!(shown.master.applied_lsn, 1);
        assert_eq!(shown.replicas.iter().map(|replica| replica.missing).collect::<Vec<_>>(), [1, 1]);
        let later = super::machines(&run(Config::default(), &[(0, Command::WriteRandom { client: 0 })], 3_000));
        assert_eq!(later.replicas.iter().map(|replica| replica.missing).collect::<Vec<_>>(), [0, 0], "the lag is 1 s");
    }

    #[test]
    fn a_link_the_master_streams_nothing_along_is_shown_so() {
        let sim = run(
            Config::default(),
            &[(0, Command::Crash(NodeRef::Master)), (100, Command::Promote(Some(NodeRef::Replica(1))))],
            200,
        );
        let shown = super::machines(&sim);
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
        let shown = super::machines(&blocked);
        assert_eq!(
            shown.replication.summary,
            "sync (remote_apply on every replica): a write is acknowledged once all 2 replicas have applied it"
        );
        assert_eq!(shown.replication.waiting, "1 write waiting for pg-3");
        assert!(shown.replicas.iter().all(|replica| replica.synchronous));
        assert_eq!(progress(&blocked, blocked.master_id()), "1 write waiting for pg-3");

        let first = Config { mode: Mode::RemoteApply, quorum: Quorum::First(1), ..Config::default() };
        let shown = super::machines(&run(first, &[], 10));
        assert_eq!(
            shown.replication.summary,
            "sync (remote_apply): a write is acknowledged once the first replica up has applied it"
        );
        assert_eq!(shown.replicas.iter().map(|replica| replica.synchronous).collect::<Vec<_>>(), [true, false]);

        let asynchronous = super::machines(&run(Config::default(), &[(0, Command::WriteRandom { client: 0 })], 500));
        assert_eq!(
            asynchronous.replication.summary,
            "async: a write is acknowledged at once, before any replica has it"
        );
        assert_eq!(asynchronous.replication.waiting, "");
        assert!(asynchronous.replicas.iter().all(|replica| !replica.synchronous));
    }
}
