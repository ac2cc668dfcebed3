//! What a user (or a test, or a replayed link) can ask of the simulation, and how each
//! command is checked and carried out.

use crate::Refusal;
use crate::Simulation;
use crate::config::{Config, Mode};
use crate::data::Key;
use crate::events::EventKind;
use crate::ids::{ClientId, NodeId, NodeRef};
use crate::settings;
use crate::time::Time;

/// What a user (or a test, or a replayed link) can ask of the simulation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `client` writes `name` into user `key` (an upsert), sent to the master.
    Write {
        client: ClientId,
        key: Key,
        name: String,
    },
    /// A write of a random user with a random name, drawn from the seeded generator.
    WriteRandom {
        client: ClientId,
    },
    /// `client` reads user `key`, routed by the read preference and policy.
    Read {
        client: ClientId,
        key: Key,
    },
    /// A read of the key `client` wrote last (the first user, 102, before any write).
    ReadLastWritten {
        client: ClientId,
    },
    /// SQL statements from `client`'s console, run one after another; a syntax error rejects
    /// them all (and is recorded as a failed request).
    Sql {
        client: ClientId,
        text: String,
    },
    /// New settings; the seed can only change by starting a new run.
    Configure(Box<Config>),
    Crash(NodeRef),
    Restart(NodeRef),
    CutLink(NodeRef),
    HealLink(NodeRef),
    /// Makes a replica the master: the one named, or the most up-to-date. A master still up is
    /// stopped first, and rejoins as a replica when restarted (if its history allows).
    Promote(Option<NodeRef>),
    /// pg_rewind of a diverged replica: back to the fork, then following the master.
    Rewind(NodeRef),
    /// A new base backup of a replica from the master, whatever state it was in.
    Rebuild(NodeRef),
    /// pg_cancel_backend on the writes waiting for synchronous standbys: they return at once
    /// with a warning, committed on the master only.
    CancelWaits,
    /// Crashes a machine of the read side: the connector `cdc-1` or a MongoDB member.
    CrashReadSide(NodeId),
    /// Restarts a crashed machine of the read side.
    RestartReadSide(NodeId),
    /// Operations per second one node serves.
    SetCapacity(NodeRef, u64),
    /// One replica's share under the weighted policy.
    SetWeight(NodeRef, u64),
    /// One node's one-way distance from the clients, in ms (for the `nearest` preference).
    SetDistance(NodeRef, u64),
    /// One replica's own replication delay, in ms: the time a log entry takes to reach it (a
    /// far-away replica), instead of the run's `lag`.
    SetLag(NodeRef, u64),
    /// One replica's apply delay, in ms: it receives and flushes at once but applies each
    /// entry only this long after the master logged it (`recovery_min_apply_delay`).
    SetApplyDelay(NodeRef, u64),
}

impl std::fmt::Display for Command {
    /// The command in a few words, for notices and reports: `client 1 writes user 101 = "Bob"`,
    /// `crash replica-7`. SQL is cut to its first line's start.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        const SQL_SHOWN: usize = 60;
        match self {
            Command::Write { client, key, name } => write!(f, "client {} writes user {key} = {name:?}", client + 1),
            Command::WriteRandom { client } => write!(f, "client {} writes a random user", client + 1),
            Command::Read { client, key } => write!(f, "client {} reads user {key}", client + 1),
            Command::ReadLastWritten { client } => write!(f, "client {} reads its last write", client + 1),
            Command::Sql { client, text } => {
                let shown: String = text.trim().chars().take(SQL_SHOWN).collect();
                let cut = if shown.len() < text.trim().len() { "…" } else { "" };
                write!(f, "client {} runs SQL {shown:?}{cut}", client + 1)
            }
            Command::Configure(_) => f.write_str("new settings"),
            Command::Crash(node) => write!(f, "crash {node}"),
            Command::Restart(node) => write!(f, "restart {node}"),
            Command::CutLink(node) => write!(f, "cut {node}'s link"),
            Command::HealLink(node) => write!(f, "heal {node}'s link"),
            Command::Promote(Some(node)) => write!(f, "promote {node}"),
            Command::Promote(None) => f.write_str("fail over to the best replica"),
            Command::Rewind(node) => write!(f, "rewind {node} (pg_rewind)"),
            Command::Rebuild(node) => write!(f, "rebuild {node} (a new base backup)"),
            Command::CancelWaits => f.write_str("cancel the commits waiting for replicas"),
            Command::CrashReadSide(machine) => write!(f, "crash {}", machine.machine()),
            Command::RestartReadSide(machine) => write!(f, "restart {}", machine.machine()),
            Command::SetCapacity(node, capacity) => write!(f, "set {node}'s capacity to {capacity} ops/s"),
            Command::SetWeight(node, weight) => write!(f, "set {node}'s weight to {weight}"),
            Command::SetDistance(node, ms) => write!(f, "set {node}'s distance to {ms} ms"),
            Command::SetLag(node, ms) => write!(f, "set {node}'s replication delay to {ms} ms"),
            Command::SetApplyDelay(node, ms) => write!(f, "set {node}'s apply delay to {ms} ms"),
        }
    }
}

impl Simulation {
    /// Carries out a command at the current instant. A refused command leaves the run as it
    /// was and says why.
    pub fn apply(&mut self, command: Command) -> Result<(), Refusal> {
        match command {
            Command::Write { client, key, name } => self.send_write(self.check_client(client)?, key, name),
            Command::WriteRandom { client } => {
                let client = self.check_client(client)?;
                let key = *self.rng.pick(&crate::data::seed_keys());
                let name = self.rng.pick(&crate::data::WRITE_NAMES).to_string();
                self.send_write(client, key, name);
            }
            Command::Read { client, key } => self.send_read(self.check_client(client)?, key),
            Command::ReadLastWritten { client } => {
                let client = self.check_client(client)?;
                let key = self.clients.last_written_key(client).unwrap_or(crate::data::FIRST_USER);
                self.send_read(client, key);
            }
            Command::Sql { client, text } => {
                let client = self.check_client(client)?;
                self.submit_sql(client, &text);
            }
            Command::Configure(config) => self.configure(*config)?,
            Command::Crash(node) => {
                let id = self.resolve(node)?;
                if !self.node(id).is_up() {
                    return Err(Refusal::new(format!("{} is already down", self.label(id))));
                }
                self.in_cluster(|cluster, cx| cluster.crash(id, "stopped by hand", cx));
            }
            Command::Restart(node) => {
                let id = self.resolve(node)?;
                if self.node(id).is_up() {
                    return Err(Refusal::new(format!("{} is already up", self.label(id))));
                }
                self.in_cluster(|cluster, cx| cluster.restart(id, cx));
            }
            Command::CutLink(node) => {
                let id = self.resolve_replica(node)?;
                self.in_cluster(|cluster, cx| cluster.cut_link(id, cx));
            }
            Command::HealLink(node) => {
                let id = self.resolve_replica(node)?;
                self.in_cluster(|cluster, cx| cluster.heal_link(id, cx));
            }
            Command::Promote(node) => {
                let candidate = node.map(|node| self.resolve_replica(node)).transpose()?;
                self.in_cluster(|cluster, cx| cluster.failover(candidate, cx))?;
            }
            Command::Rewind(node) => {
                let id = self.resolve_replica(node)?;
                self.in_cluster(|cluster, cx| cluster.rewind(id, cx))?;
            }
            Command::CrashReadSide(machine) => self.in_cluster(|cluster, cx| cluster.crash_read_side(machine, cx))?,
            Command::RestartReadSide(machine) => {
                self.in_cluster(|cluster, cx| cluster.restart_read_side(machine, cx))?;
            }
            Command::CancelWaits => {
                let count = self.in_cluster(|cluster, cx| cluster.cancel_waits(cx));
                if count == 0 {
                    return Err(Refusal::new("no commit is waiting for a replica"));
                }
                self.note(EventKind::WaitsCancelled { count });
            }
            Command::Rebuild(node) => {
                let id = self.resolve_replica(node)?;
                if !self.master().is_up() {
                    return Err(Refusal::new("a base backup needs the master up"));
                }
                self.in_cluster(|cluster, cx| cluster.rebuild(id, cx));
            }
            Command::SetCapacity(node, capacity) => {
                let id = self.resolve(node)?;
                settings::check_number("capacity", "capacity", capacity)?;
                self.cluster.set_capacity(id, capacity);
            }
            Command::SetWeight(node, weight) => {
                let id = self.resolve_replica(node)?;
                if !(1..=1_000).contains(&weight) {
                    return Err(Refusal::new(format!("weight must be between 1 and 1000, got {weight}")));
                }
                self.cluster.set_weight(id, weight);
            }
            Command::SetLag(node, ms) => {
                let id = self.resolve_replica(node)?;
                settings::check_number("lag", "lag", ms)?;
                self.network.set_lag(id, Time::from_millis(ms));
            }
            Command::SetApplyDelay(node, ms) => {
                let id = self.resolve_replica(node)?;
                settings::check_number("lag", "apply delay", ms)?;
                self.cluster.set_apply_delay(id, Time::from_millis(ms));
            }
            Command::SetDistance(node, ms) => {
                let id = self.resolve(node)?;
                settings::check_number("client_ms", "distance", ms)?;
                self.network.set_distance(id, Time::from_millis(ms));
            }
        }
        Ok(())
    }

    fn check_client(&self, client: ClientId) -> Result<ClientId, Refusal> {
        if client < self.config.clients {
            Ok(client)
        } else {
            Err(Refusal::new(format!("there is no client {}: there are {}", client + 1, self.config.clients)))
        }
    }

    fn resolve_replica(&self, node: NodeRef) -> Result<NodeId, Refusal> {
        match node {
            NodeRef::Master => Err(Refusal::new("that applies to replicas only, not the master")),
            replica => self.resolve(replica),
        }
    }

    fn configure(&mut self, config: Config) -> Result<(), Refusal> {
        config.validate()?;
        if config.seed != self.config.seed {
            return Err(Refusal::new("the seed can only change by starting a new run"));
        }
        // The run-wide capacity and distance replace what was set per node.
        if config.capacity != self.config.capacity {
            self.cluster.reset_capacities(config.capacity);
        }
        if config.client_ms != self.config.client_ms {
            self.network.reset_distances(Time::from_millis(config.client_ms));
        }
        if config.lag_ms != self.config.lag_ms {
            self.network.reset_lags();
        }
        self.clients.set_count(self.config.clients, config.clients);
        let replicas = config.replicas;
        let rate_changed = config.rate != self.config.rate;
        let leaves_off = self.config.mode == Mode::Off && config.mode != Mode::Off;
        let new_poll = config.cdc_poll_ms != self.config.cdc_poll_ms;
        self.config = config;
        self.in_cluster(|cluster, cx| {
            if leaves_off {
                cluster.flush_master_wal(cx);
            }
            cluster.set_replica_count(replicas, cx);
            cluster.set_read_side(cx);
            if new_poll {
                cluster.poll_interval_changed(cx);
            }
        });
        if rate_changed {
            self.restart_generator();
        }
        // A looser mode or quorum may release writes that were waiting.
        self.in_cluster(|cluster, cx| cluster.commit_ready(cx));
        Ok(())
    }
}
