//! The model's half of the differential suite: the playground's `Simulation` behind the same
//! `Cluster` trait as the real cluster, so that every scenario runs on both. Time is simulated:
//! `wait` and the patience a write is given advance the model's clock, and a run takes
//! milliseconds.
//!
//! The mapping: `m`, `s1`, `s2` are the machines pg-1 (the master), pg-2 (replica 1) and pg-3
//! (replica 2). The model's one `mode` stands for the client's `synchronous_commit` and the
//! master's `synchronous_standby_names` together (a scenario has one client, so the session
//! setting is the run's); its `standbys` list names the machines the standby list does. The
//! settings `real.rs` shortens are shortened alike: `sender_timeout` is
//! [`WAL_SENDER_TIMEOUT`], `wal_writer` is 10 s, `wal_keep` is two segments. The logical
//! consumer `cdc-1` is the model's CDC connector (`read_side` mongodb), its status interval the
//! connector's poll (`cdc_poll_ms`).

use std::time::Duration;

use replication_model::config::{Config, Mode, Quorum, ReadSide};
use replication_model::data;
use replication_model::ids::NodeId;
use replication_model::node;
use replication_model::request::Outcome;
use replication_model::time::Time;
use replication_model::{Command, NodeRef, Simulation};

use crate::cluster::{
    Cluster, Commit, CommitMode, Follow, Node, PATIENCE, Refusal, Standby, SyncStandbys, TransactionId,
    WAL_SENDER_TIMEOUT, WriteId, decoded_user_ids,
};

/// The client whose console calls the slot functions (client 0 writes).
const CONSOLE: usize = 1;

/// Log entries the model counts as one 16 MB WAL segment, so that `generate_wal` and
/// `wal_keep_size` (32 MB: two segments) keep their proportions.
const ENTRIES_PER_SEGMENT: u64 = 10;
const SEGMENT_BYTES: u64 = 16 << 20;
/// How long a restarted or rebuilt node is given to start streaming.
const FOLLOW_WITHIN: Duration = Duration::from_secs(2);

pub struct ModelCluster {
    sim: Simulation,
    commit_mode: CommitMode,
    standbys: SyncStandbys,
    /// The request id of each write, by `WriteId`.
    writes: Vec<u64>,
    /// The write each open transaction makes at its commit: in the model a transaction is one
    /// log entry, written when it commits, which is all logical decoding sees of it.
    transactions: Vec<Option<(u64, String)>>,
    /// The newest event already reported by `detail`.
    reported: Option<(Time, String)>,
    detail: Option<String>,
}

impl ModelCluster {
    pub fn new() -> ModelCluster {
        let config = Config {
            replicas: 2,
            mode: Mode::Async,
            lag_ms: 10,
            client_ms: 1,
            sender_timeout_ms: WAL_SENDER_TIMEOUT.as_millis() as u64,
            wal_writer_ms: 10_000,
            wal_keep: 2 * ENTRIES_PER_SEGMENT,
            clients: 2,
            ..Config::default()
        };
        let sim = Simulation::new(config).expect("valid settings");
        for node in Node::ALL {
            assert_eq!(sim.role(id(node)), initial_role(node), "{node} is {}", id(node).machine());
        }
        ModelCluster {
            sim,
            commit_mode: CommitMode::On,
            standbys: SyncStandbys::Async,
            writes: Vec::new(),
            transactions: Vec::new(),
            reported: None,
            detail: None,
        }
    }

    /// The model's mode, quorum and standby list for the client's `synchronous_commit` and
    /// the master's `synchronous_standby_names`.
    fn configure(&mut self) {
        let mut config = self.sim.config().clone();
        config.mode = match (self.commit_mode, &self.standbys) {
            (CommitMode::Off, _) => Mode::Off,
            (CommitMode::Local, _) | (_, SyncStandbys::Async) => Mode::Async,
            (CommitMode::RemoteWrite, _) => Mode::RemoteWrite,
            (CommitMode::On, _) => Mode::On,
            (CommitMode::RemoteApply, _) => Mode::RemoteApply,
        };
        let (quorum, listed) = match &self.standbys {
            SyncStandbys::Async => (Quorum::All, &[][..]),
            SyncStandbys::First(k, nodes) => (Quorum::First(*k), &nodes[..]),
            SyncStandbys::Any(k, nodes) => (Quorum::Any(*k), &nodes[..]),
        };
        config.quorum = quorum;
        config.standbys = listed.iter().map(|&standby| machine(standby)).collect();
        self.apply(Command::Configure(config.into()));
    }

    /// A command the scenario relies on: a refusal is a harness failure.
    fn apply(&mut self, command: Command) {
        let shown = command.to_string();
        if let Err(refusal) = self.sim.apply(command) {
            panic!("the model refused to {shown}: {refusal}");
        }
    }

    /// How `node` is named now (a failover renames roles, not machines).
    fn role(&self, node: Node) -> NodeRef {
        self.sim.role(id(node))
    }

    fn advance(&mut self, time: Duration) {
        let until = self.sim.now() + millis(time);
        self.sim.run_until(until);
    }

    /// Runs until write `write` has been answered, or `within` has passed.
    fn commit_within(&mut self, write: WriteId, within: Duration) -> Commit {
        let request = self.writes[write.0];
        let deadline = self.sim.now() + millis(within);
        loop {
            if let Some(commit) = self.answer(request) {
                return commit;
            }
            match self.sim.next_event_time() {
                Some(next) if next <= deadline => {
                    self.sim.step();
                }
                _ => {
                    self.sim.run_until(deadline);
                    return self.answer(request).unwrap_or(Commit::Waiting);
                }
            }
        }
    }

    /// Runs a console statement as the console's client until it is answered.
    fn console(&mut self, text: &str) -> Option<Outcome> {
        let first = self.sim.sql_requests().map(|record| record.id).max().unwrap_or(0);
        self.apply(Command::Sql { client: CONSOLE, text: text.to_string() });
        let deadline = self.sim.now() + millis(PATIENCE);
        while self.sim.now() <= deadline {
            let answered = self.sim.sql_requests().find(|record| record.id > first && record.completed_at.is_some());
            if let Some(record) = answered {
                return record.outcome.clone();
            }
            if !self.sim.step() {
                break;
            }
        }
        None
    }

    /// How a write was answered, if it was.
    fn answer(&self, request: u64) -> Option<Commit> {
        let record = self.sim.recent().find(|record| record.id == request)?;
        Some(match &record.outcome {
            Some(Outcome::Logged { .. }) if record.warning.is_some() => Commit::Warned,
            Some(Outcome::Logged { .. }) => Commit::Returned,
            _ => Commit::Failed,
        })
    }

    fn follows(&mut self, node: Node) -> Follow {
        let name = self.role(node);
        if !self.sim.node(id(node)).is_up() {
            self.apply(Command::Restart(name));
        }
        self.advance(FOLLOW_WITHIN);
        match self.sim.node(id(node)).follow() {
            node::Follow::Streaming => Follow::Follows,
            node::Follow::Diverged { .. } => Follow::Refuses(Refusal::Diverged),
            node::Follow::WalRemoved => Follow::Refuses(Refusal::WalRemoved),
        }
    }
}

/// The machine each scenario node is: m, s1, s2 are pg-1, pg-2, pg-3.
fn id(node: Node) -> NodeId {
    match node {
        Node::M => NodeId(0),
        Node::S1 => NodeId(1),
        Node::S2 => NodeId(2),
    }
}

/// The machine a standby list names: a node's, or the connector `cdc-1`.
fn machine(standby: Standby) -> String {
    match standby {
        Standby::Node(node) => id(node).machine(),
        Standby::Consumer => NodeId::CONNECTOR.machine(),
    }
}

fn initial_role(node: Node) -> NodeRef {
    match node {
        Node::M => NodeRef::Master,
        Node::S1 => NodeRef::Replica(1),
        Node::S2 => NodeRef::Replica(2),
    }
}

fn millis(time: Duration) -> Time {
    Time::from_millis(time.as_millis() as u64)
}

impl Cluster for ModelCluster {
    fn set_commit_mode(&mut self, mode: CommitMode) {
        self.commit_mode = mode;
        self.configure();
    }

    /// The model has no statement_timeout; PostgreSQL's does not end a commit's wait for a
    /// standby either (the scenario shows it).
    fn set_statement_timeout(&mut self, _timeout: Option<Duration>) {}

    fn set_sync_standbys(&mut self, standbys: &SyncStandbys) {
        self.standbys = standbys.clone();
        self.configure();
    }

    fn set_apply_delay(&mut self, node: Node, delay: Duration) {
        self.apply(Command::SetApplyDelay(self.role(node), delay.as_millis() as u64));
    }

    fn write_within(&mut self, key: u64, name: &str, patience: Duration) -> (WriteId, Commit) {
        self.apply(Command::Write { client: 0, key, name: name.to_string() });
        let request = self
            .sim
            .in_flight()
            .last()
            .or_else(|| self.sim.recent().last())
            .map(|record| record.id)
            .expect("the write's request");
        self.writes.push(request);
        let write = WriteId(self.writes.len() - 1);
        (write, self.commit_within(write, patience))
    }

    fn await_commit(&mut self, write: WriteId, within: Duration) -> Commit {
        self.commit_within(write, within)
    }

    fn cancel(&mut self, write: WriteId) -> Commit {
        if self.answer(self.writes[write.0]).is_none() {
            self.apply(Command::CancelWaits);
        }
        self.commit_within(write, PATIENCE)
    }

    /// What the node serves: a replica its applied rows, the master its committed ones (a
    /// commit waiting for a standby is not visible there yet).
    fn read(&mut self, node: Node, key: u64) -> Result<Option<String>, String> {
        let machine = id(node);
        if !self.sim.node(machine).is_up() {
            return Err(format!("{} is down", self.sim.label(machine)));
        }
        let data = if machine == self.sim.master_id() { self.sim.committed() } else { self.sim.node(machine).data() };
        Ok(data.user(key).map(|row| data::user_name(row).to_string()))
    }

    fn stop(&mut self, node: Node) {
        self.apply(Command::Crash(self.role(node)));
    }

    /// The model's crash is a kill -9: what the master had not flushed is gone.
    fn crash(&mut self, node: Node) {
        self.apply(Command::Crash(self.role(node)));
    }

    fn start(&mut self, node: Node) {
        self.apply(Command::Restart(self.role(node)));
    }

    fn partition(&mut self, node: Node) {
        self.apply(Command::CutLink(self.role(node)));
    }

    fn heal(&mut self, node: Node) {
        self.apply(Command::HealLink(self.role(node)));
    }

    fn promote(&mut self, node: Node) {
        self.apply(Command::Promote(Some(self.role(node))));
    }

    fn follow(&mut self, node: Node) -> Follow {
        self.follows(node)
    }

    fn rewind(&mut self, node: Node) -> Result<(), String> {
        self.sim.apply(Command::Rewind(self.role(node))).map_err(|refusal| refusal.to_string())
    }

    fn rebuild(&mut self, node: Node) -> Follow {
        self.apply(Command::Rebuild(self.role(node)));
        self.follows(node)
    }

    /// The model's slots are all or none: every replica streams through one.
    fn create_slot(&mut self, _node: Node) {
        let mut config = self.sim.config().clone();
        config.slots = true;
        self.apply(Command::Configure(config.into()));
    }

    /// What the master keeps past what the node's slot has received, in bytes.
    fn retained_wal(&mut self, node: Node) -> Option<u64> {
        let replica = self.sim.node(id(node));
        if !self.sim.config().slots || replica.slot_invalidated() {
            return None;
        }
        let behind = self.sim.master().positions().flushed.saturating_sub(replica.positions().received);
        self.detail = Some(format!("{behind} log entries behind the master"));
        Some(behind * SEGMENT_BYTES / ENTRIES_PER_SEGMENT)
    }

    fn generate_wal(&mut self, segments: u32) {
        for n in 0..u64::from(segments) * ENTRIES_PER_SEGMENT {
            self.apply(Command::Write { client: 0, key: 10_000 + n, name: "filler".into() });
            self.advance(Duration::from_millis(1));
        }
        self.advance(Duration::from_millis(100));
    }

    fn set_max_slot_wal_keep(&mut self, segments: u32) {
        let mut config = self.sim.config().clone();
        config.max_slot_wal_keep = u64::from(segments) * ENTRIES_PER_SEGMENT;
        self.apply(Command::Configure(config.into()));
    }

    fn create_logical_slot(&mut self) {
        let outcome = self.console("SELECT pg_create_logical_replication_slot('cdc', 'test_decoding')");
        assert!(matches!(outcome, Some(Outcome::Rows { .. })), "the slot is made: {outcome:?}");
    }

    fn slot_changes(&mut self, consume: bool) -> Result<Vec<u64>, String> {
        let function = if consume { "pg_logical_slot_get_changes" } else { "pg_logical_slot_peek_changes" };
        match self.console(&format!("SELECT data FROM {function}('cdc', NULL, NULL)")) {
            Some(Outcome::Rows { result, .. }) => {
                self.detail = Some(format!("{} rows decoded", result.rows.len()));
                let data = result.rows.iter().filter_map(|row| match row.last() {
                    Some(data::Value::Text(text)) => Some(text.as_str()),
                    _ => None,
                });
                Ok(decoded_user_ids(data))
            }
            Some(Outcome::Failed { reason }) => Err(reason),
            other => Err(format!("no answer from the slot: {other:?}")),
        }
    }

    fn logical_retained_wal(&mut self) -> Option<u64> {
        let master = self.sim.master();
        let slot = master.logical_slots().iter().find(|slot| slot.name() == "cdc")?;
        let behind = master.positions().flushed - slot.restart()?;
        self.detail = Some(format!("slot cdc: {behind} log entries held back"));
        Some(behind * SEGMENT_BYTES / ENTRIES_PER_SEGMENT)
    }

    /// The read side on, with the connector polling every `status_interval`: it makes the slot
    /// `cdc` (or resumes from it, when the console made it) and streams at its first poll, at
    /// once.
    fn start_logical_consumer(&mut self, status_interval: Duration) {
        assert_eq!(NodeId::CONNECTOR.machine(), Standby::Consumer.name(), "the connector is the consumer");
        let mut config = self.sim.config().clone();
        config.read_side = ReadSide::MongoDb;
        config.cdc_poll_ms = status_interval.as_millis() as u64;
        self.apply(Command::Configure(config.into()));
        self.advance(Duration::from_millis(100));
        let streaming = self.sim.connector().is_some_and(|connector| connector.streaming());
        assert!(streaming, "the connector streams from the master's slot");
    }

    /// Nothing to wait for: the connector writes a transaction to MongoDB at its first poll
    /// after it and confirms it at the next, so a commit waits at least one poll, whenever it
    /// is made.
    fn await_consumer_report(&mut self) {}

    fn begin_write(&mut self, key: u64, name: &str) -> TransactionId {
        self.transactions.push(Some((key, name.to_string())));
        TransactionId(self.transactions.len() - 1)
    }

    fn end_transaction(&mut self, transaction: TransactionId, commit: bool) {
        let (key, name) = self.transactions[transaction.0].take().expect("an open transaction");
        if commit {
            let (_, committed) = self.write(key, &name);
            assert_eq!(committed, Commit::Returned, "the transaction commits at once");
        }
    }

    fn wait(&mut self, time: Duration) {
        self.advance(time);
    }

    /// The model's events since the last call, as its event log words them.
    fn detail(&mut self) -> Option<String> {
        let events: Vec<(Time, String)> = self.sim.events().map(|event| (event.at, event.describe())).collect();
        let new_from = match &self.reported {
            Some(reported) => events.iter().rposition(|event| event == reported).map_or(0, |at| at + 1),
            None => 0,
        };
        self.reported = events.last().cloned().or(self.reported.take());
        let mut said: Vec<String> = self.detail.take().into_iter().collect();
        said.extend(events[new_from..].iter().map(|(_, text)| text.clone()));
        (!said.is_empty()).then(|| said.join("; "))
    }
}
