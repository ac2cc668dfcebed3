//! The one interface both sides of the differential suite implement: a real PostgreSQL 15
//! cluster (`real.rs`) and the playground's model (`model.rs`). Everything is said in the
//! playground's vocabulary (master, replicas, a client's write and read), and every outcome is
//! qualitative, so that a real run and a simulated one can be compared value for value.
//!
//! Timing words, generous on purpose (this machine is noisy):
//! - a commit "returns at once" when it returns within [`PATIENCE`] (in practice a few ms);
//! - it is "waiting" when it has not returned after [`PATIENCE`].
//!
//! The model implements the same methods in simulated time: `wait` and `await_commit`
//! advance its clock instead of sleeping.

use std::fmt;
use std::time::Duration;

/// How long a write is given before it counts as waiting (a commit that returns within it
/// returned "at once").
pub const PATIENCE: Duration = Duration::from_millis(1500);

/// How long the master waits for a word from a silent standby before it drops its connection
/// (PostgreSQL's `wal_sender_timeout`, 60 s by default; shortened on both sides).
pub const WAL_SENDER_TIMEOUT: Duration = Duration::from_secs(5);

/// A node's fixed identity. `M` starts as the master (the model's `master`); `S1` and `S2`
/// start as its streaming standbys (`replica-1`, `replica-2`; `application_name` `s1`, `s2`).
/// Identities never change: after a failover `S1` may be the master and `M` a standby.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    M,
    S1,
    S2,
}

impl Node {
    pub const ALL: [Node; 3] = [Node::M, Node::S1, Node::S2];

    /// The name PostgreSQL knows it by: its `application_name` in `primary_conninfo`, which is
    /// what `synchronous_standby_names` lists.
    pub fn name(self) -> &'static str {
        match self {
            Node::M => "m",
            Node::S1 => "s1",
            Node::S2 => "s2",
        }
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name `synchronous_standby_names` may list: a node, or the logical consumer of the
/// master's `cdc` slot, whose `application_name` is `cdc-1` (pg_recvlogical on the real side,
/// the CDC connector on the model's). A walsender serving a logical consumer counts as a
/// standby for commits, by its `application_name`, as a physical one does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standby {
    Node(Node),
    Consumer,
}

impl Standby {
    /// Its `application_name`.
    pub fn name(self) -> &'static str {
        match self {
            Standby::Node(node) => node.name(),
            Standby::Consumer => "cdc-1",
        }
    }
}

impl From<Node> for Standby {
    fn from(node: Node) -> Standby {
        Standby::Node(node)
    }
}

/// When the master acknowledges a commit: PostgreSQL's `synchronous_commit`
/// (https://www.postgresql.org/docs/15/runtime-config-wal.html#GUC-SYNCHRONOUS-COMMIT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitMode {
    /// Not even the master's own disk: the WAL writer flushes it later.
    Off,
    /// The master's disk only, whatever the standby list says.
    Local,
    /// The synchronous standbys have written it (to their OS, not yet flushed).
    RemoteWrite,
    /// The synchronous standbys have flushed it to disk.
    On,
    /// The synchronous standbys have applied it: reads there see it.
    RemoteApply,
}

impl CommitMode {
    pub fn setting(self) -> &'static str {
        match self {
            CommitMode::Off => "off",
            CommitMode::Local => "local",
            CommitMode::RemoteWrite => "remote_write",
            CommitMode::On => "on",
            CommitMode::RemoteApply => "remote_apply",
        }
    }
}

/// Which standbys a synchronous commit waits for: `synchronous_standby_names`
/// (https://www.postgresql.org/docs/15/runtime-config-replication.html#GUC-SYNCHRONOUS-STANDBY-NAMES).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyncStandbys {
    /// Empty: no commit waits for a standby (asynchronous replication).
    Async,
    /// `FIRST k (a, b, ...)`: the first k listed standbys that are connected, by list order.
    First(usize, Vec<Standby>),
    /// `ANY k (a, b, ...)`: any k of the listed standbys (quorum).
    Any(usize, Vec<Standby>),
}

impl fmt::Display for SyncStandbys {
    /// The setting's value, e.g. `FIRST 1 (s2, s1)`; a name that is not a plain identifier is
    /// double-quoted, `FIRST 1 ("cdc-1")` (unquoted, the `-` is a syntax error:
    /// src/backend/replication/syncrep_scanner.l).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (method, k, standbys) = match self {
            SyncStandbys::Async => return Ok(()),
            SyncStandbys::First(k, standbys) => ("FIRST", k, standbys),
            SyncStandbys::Any(k, standbys) => ("ANY", k, standbys),
        };
        let plain = |name: &str| {
            name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        };
        let names: Vec<String> = standbys
            .iter()
            .map(|standby| standby.name())
            .map(|name| if plain(name) { name.to_string() } else { format!("\"{name}\"") })
            .collect();
        write!(f, "{method} {k} ({})", names.join(", "))
    }
}

/// The user ids in test_decoding's rows, in order: `table public.users: INSERT: id[bigint]:2 ...`
/// (the real side's ids are bigint, the model's integer).
pub fn decoded_user_ids<'a>(rows: impl Iterator<Item = &'a str>) -> Vec<u64> {
    rows.filter(|row| row.starts_with("table public.users: "))
        .filter_map(|row| row.split(" id[").nth(1)?.split_once("]:")?.1.split(' ').next()?.parse().ok())
        .collect()
}

/// A transaction left open in a session of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransactionId(pub usize);

/// One write the client sent, to wait on or cancel later.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteId(pub usize);

/// What the client saw of a commit so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Commit {
    /// Success, with no warning.
    Returned,
    /// Success with a WARNING: the wait for the standbys was cancelled; the row is committed on
    /// the master but perhaps on no standby.
    Warned,
    /// Not returned yet (after [`PATIENCE`] for a new write, or after the time asked).
    Waiting,
    /// An error: the master is down, or the statement failed.
    Failed,
}

/// What a node answers to a read of one row, next to what the client wrote to that row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    /// The value the client wrote last (acknowledged or still waiting).
    Fresh,
    /// A value the client wrote before that.
    Stale,
    /// No row at all.
    Missing,
    /// The node did not answer (down).
    Unreachable,
}

/// Whether a node pointed at the current master streams from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Follow {
    Follows,
    Refuses(Refusal),
}

/// Why a node refuses to follow the master.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Its history has records past the point where the master's timeline forked off:
    /// "new timeline N forked off current database system timeline M before current recovery
    /// point" (needs pg_rewind or a new base backup).
    Diverged,
    /// The master no longer has the WAL it needs: "requested WAL segment ... has already been
    /// removed" (needs a new base backup).
    WalRemoved,
    /// Anything else (the detail says what).
    Other,
}

/// The operations the scenarios need, in the playground's vocabulary. Writes go to whichever
/// node is the master now; `detail` tells, for the table, what the last operation saw (a
/// WARNING, a server log line), and may be `None` on the model side.
pub trait Cluster {
    /// The client's `synchronous_commit` for the writes that follow.
    fn set_commit_mode(&mut self, mode: CommitMode);
    /// The client's `statement_timeout` for the writes that follow (`None`: no timeout).
    fn set_statement_timeout(&mut self, timeout: Option<Duration>);
    /// The master's `synchronous_standby_names`, in force when this returns.
    fn set_sync_standbys(&mut self, standbys: &SyncStandbys);
    /// A standby's `recovery_min_apply_delay`: it receives and flushes at once, applies later.
    fn set_apply_delay(&mut self, node: Node, delay: Duration);

    /// Upserts user `key` = `name` on the master and reports the commit after at most
    /// [`PATIENCE`].
    fn write(&mut self, key: u64, name: &str) -> (WriteId, Commit) {
        self.write_within(key, name, PATIENCE)
    }
    /// The same, reporting the commit after at most `patience` (a write still waiting then is
    /// `Waiting`).
    fn write_within(&mut self, key: u64, name: &str, patience: Duration) -> (WriteId, Commit);
    /// Gives a waiting write up to `within` more to return.
    fn await_commit(&mut self, write: WriteId, within: Duration) -> Commit;
    /// Cancels a waiting write from another session (`pg_cancel_backend`) and reports how it
    /// ended.
    fn cancel(&mut self, write: WriteId) -> Commit;
    /// User `key`'s name on `node`: `Ok(None)` when the row is not there, `Err` when the node
    /// does not answer.
    fn read(&mut self, node: Node, key: u64) -> Result<Option<String>, String>;

    /// Stops a node in an orderly way: its connections close, so its peers know at once.
    fn stop(&mut self, node: Node);
    /// Kills every process of a node (`kill -9`): nothing is flushed, but the kernel closes
    /// its connections.
    fn crash(&mut self, node: Node);
    /// Starts a stopped or crashed node in the role it had.
    fn start(&mut self, node: Node);
    /// Cuts a standby's replication link silently: no reset, no close, the master just hears
    /// nothing more from it.
    fn partition(&mut self, node: Node);
    fn heal(&mut self, node: Node);

    /// Makes a standby the master (a new timeline).
    fn promote(&mut self, node: Node);
    /// Points `node` at the current master as a standby and reports whether it streams.
    fn follow(&mut self, node: Node) -> Follow;
    /// pg_rewind of `node` against the current master (`node` is left stopped; `follow` it).
    fn rewind(&mut self, node: Node) -> Result<(), String>;
    /// Replaces `node` with a new base backup of the current master, then follows.
    fn rebuild(&mut self, node: Node) -> Follow;

    /// A physical replication slot on the master for `node`, which then streams through it.
    fn create_slot(&mut self, node: Node);
    /// Bytes of WAL the master keeps for `node`'s slot (`None`: no slot).
    fn retained_wal(&mut self, node: Node) -> Option<u64>;
    /// Writes `segments` WAL segments' worth of log on the master, then checkpoints, so that
    /// WAL nobody keeps (slot or `wal_keep_size`) is removed.
    fn generate_wal(&mut self, segments: u32);

    /// `max_slot_wal_keep_size` on the master, in WAL segments.
    fn set_max_slot_wal_keep(&mut self, segments: u32);
    /// `pg_create_logical_replication_slot('cdc', 'test_decoding')` on the master.
    fn create_logical_slot(&mut self);
    /// The user ids the `cdc` slot's changes carry, in the order decoded:
    /// `pg_logical_slot_peek_changes` (`consume` false) or `..._get_changes`; `Err` with the
    /// server's message when the slot cannot be read.
    fn slot_changes(&mut self, consume: bool) -> Result<Vec<u64>, String>;
    /// Bytes of WAL the master keeps for the `cdc` slot (`None`: no slot, or lost).
    fn logical_retained_wal(&mut self) -> Option<u64>;
    /// A logical consumer of the master's `cdc` slot, `application_name` `cdc-1`
    /// ([`Standby::Consumer`]), streaming from now until the cluster ends, that tells the master
    /// every `status_interval` (whole seconds) that it has flushed what it received:
    /// `pg_recvlogical --start --status-interval` (the slot made first, test_decoding) on the
    /// real side; the model's CDC connector (`read_side` mongodb, which makes the slot itself)
    /// polling every `status_interval` on the model's.
    fn start_logical_consumer(&mut self, status_interval: Duration);
    /// Waits until the logical consumer has just told the master its position, so that a
    /// write made at once has close to a whole status interval before the next report.
    fn await_consumer_report(&mut self);
    /// `BEGIN; INSERT` user `key` = `name` on the master, in a session of its own, left open.
    fn begin_write(&mut self, key: u64, name: &str) -> TransactionId;
    /// `COMMIT` (or `ROLLBACK`) of a transaction left open.
    fn end_transaction(&mut self, transaction: TransactionId, commit: bool);

    /// Lets time pass.
    fn wait(&mut self, time: Duration);
    /// What the last operation saw that explains its outcome, once.
    fn detail(&mut self) -> Option<String>;
}
