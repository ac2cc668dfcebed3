//! The scenarios of the differential suite: each is a function over `&mut dyn Cluster` that
//! records named qualitative outcomes, and the outcomes PostgreSQL 15 really gives (verified
//! on a real cluster by `real_postgres_scenarios`). `model_scenarios` runs the same
//! functions on the model and compares its outcomes with `expected`.
//!
//! Every scenario starts from a fresh cluster: `m` the master, `s1` and `s2` streaming
//! standbys, no synchronous standbys, an empty `users` table, no apply delay, no slot.
//! The settings it relies on are those of `real.rs` (e.g. `wal_sender_timeout` =
//! [`WAL_SENDER_TIMEOUT`]). Docs cited: https://www.postgresql.org/docs/15/ + the page named.

use std::collections::HashMap;
use std::fmt;
use std::time::Duration;

use crate::cluster::Node::{M, S1, S2};
use crate::cluster::{
    Cluster, Commit, CommitMode, Follow, Node, PATIENCE, Read, Refusal, Standby, SyncStandbys, WAL_SENDER_TIMEOUT,
    WriteId,
};

/// The apply delay (`recovery_min_apply_delay`) that makes "acknowledged before applied"
/// visible.
const APPLY_DELAY: Duration = Duration::from_secs(3);

/// One qualitative outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Commit(Commit),
    Read(Read),
    Follow(Follow),
    Holds(bool),
}

pub const RETURNS: Outcome = Outcome::Commit(Commit::Returned);
pub const WAITS: Outcome = Outcome::Commit(Commit::Waiting);
pub const WARNS: Outcome = Outcome::Commit(Commit::Warned);
pub const FAILS: Outcome = Outcome::Commit(Commit::Failed);
pub const FRESH: Outcome = Outcome::Read(Read::Fresh);
pub const STALE: Outcome = Outcome::Read(Read::Stale);
pub const MISSING: Outcome = Outcome::Read(Read::Missing);
pub const FOLLOWS: Outcome = Outcome::Follow(Follow::Follows);
pub const DIVERGED: Outcome = Outcome::Follow(Follow::Refuses(Refusal::Diverged));
pub const WAL_REMOVED: Outcome = Outcome::Follow(Follow::Refuses(Refusal::WalRemoved));
pub const YES: Outcome = Outcome::Holds(true);

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Commit(Commit::Returned) => "returns",
            Outcome::Commit(Commit::Warned) => "returns with a WARNING",
            Outcome::Commit(Commit::Waiting) => "waits",
            Outcome::Commit(Commit::Failed) => "fails",
            Outcome::Read(Read::Fresh) => "fresh",
            Outcome::Read(Read::Stale) => "stale",
            Outcome::Read(Read::Missing) => "missing",
            Outcome::Read(Read::Unreachable) => "unreachable",
            Outcome::Follow(Follow::Follows) => "follows",
            Outcome::Follow(Follow::Refuses(Refusal::Diverged)) => "refuses: diverged",
            Outcome::Follow(Follow::Refuses(Refusal::WalRemoved)) => "refuses: WAL removed",
            Outcome::Follow(Follow::Refuses(Refusal::Other)) => "refuses (other)",
            Outcome::Holds(true) => "yes",
            Outcome::Holds(false) => "no",
        })
    }
}

/// An outcome as observed, with what explains it (a WARNING, a log line) when the side has it.
pub struct Observed {
    pub name: String,
    pub outcome: Outcome,
    pub detail: Option<String>,
}

/// A scenario being run: the cluster, the values the client wrote to each key (to tell fresh
/// from stale reads), and the outcomes so far.
pub struct Run<'a> {
    pub c: &'a mut dyn Cluster,
    written: HashMap<u64, Vec<String>>,
    pub observed: Vec<Observed>,
}

impl<'a> Run<'a> {
    pub fn new(cluster: &'a mut dyn Cluster) -> Run<'a> {
        Run { c: cluster, written: HashMap::new(), observed: Vec::new() }
    }

    fn record(&mut self, name: &str, outcome: Outcome) {
        let detail = self.c.detail();
        self.observed.push(Observed { name: name.to_string(), outcome, detail });
    }

    /// A write whose commit is an outcome.
    fn write(&mut self, name: &str, key: u64, value: &str) -> WriteId {
        self.write_within(name, key, value, PATIENCE)
    }

    /// A write whose commit, as it is after at most `patience`, is an outcome.
    fn write_within(&mut self, name: &str, key: u64, value: &str, patience: Duration) -> WriteId {
        self.written.entry(key).or_default().push(value.to_string());
        let (id, commit) = self.c.write_within(key, value, patience);
        self.record(name, Outcome::Commit(commit));
        id
    }

    /// A write that is part of the setting up: it must return at once.
    fn setup_write(&mut self, key: u64, value: &str) {
        self.written.entry(key).or_default().push(value.to_string());
        let (_, commit) = self.c.write(key, value);
        assert_eq!(commit, Commit::Returned, "setting up: write of {key} = {value:?}: {:?}", self.c.detail());
    }

    /// A write that returns at once (`true`), recorded as a check by the caller.
    fn commit_at_once(&mut self, key: u64, value: &str) -> bool {
        self.written.entry(key).or_default().push(value.to_string());
        self.c.write(key, value).1 == Commit::Returned
    }

    fn await_commit(&mut self, name: &str, write: WriteId, within: Duration) {
        let commit = self.c.await_commit(write, within);
        self.record(name, Outcome::Commit(commit));
    }

    fn cancel(&mut self, name: &str, write: WriteId) {
        let commit = self.c.cancel(write);
        self.record(name, Outcome::Commit(commit));
    }

    /// A read of `key` on `node`, judged against the values the client wrote to it.
    fn read(&mut self, name: &str, node: Node, key: u64) {
        let written = self.written.get(&key).cloned().unwrap_or_default();
        let (read, detail) = match self.c.read(node, key) {
            Err(e) => (Read::Unreachable, e),
            Ok(None) => (Read::Missing, "no row".to_string()),
            Ok(Some(value)) if written.last() == Some(&value) => (Read::Fresh, value),
            Ok(Some(value)) => (Read::Stale, value),
        };
        self.observed.push(Observed { name: name.to_string(), outcome: Outcome::Read(read), detail: Some(detail) });
    }

    fn follow(&mut self, name: &str, node: Node) {
        let follow = self.c.follow(node);
        self.record(name, Outcome::Follow(follow));
    }

    fn rebuild(&mut self, name: &str, node: Node) {
        let follow = self.c.rebuild(node);
        self.record(name, Outcome::Follow(follow));
    }

    fn check(&mut self, name: &str, holds: bool) {
        self.record(name, Outcome::Holds(holds));
    }
}

pub struct Scenario {
    pub name: &'static str,
    /// What it shows, and the settings and documentation it relies on.
    pub about: &'static str,
    /// The outcomes PostgreSQL 15 gives, in the order the scenario records them.
    pub expected: &'static [(&'static str, Outcome)],
    pub run: fn(&mut Run<'_>),
}

const SECOND: Duration = Duration::from_secs(1);

/// pg_recvlogical's `--status-interval` (and the model's connector's poll, `cdc_poll_ms`):
/// how often the logical consumer tells the master what it has flushed.
const STATUS_INTERVAL: Duration = Duration::from_secs(2);

fn first(k: usize, nodes: &[Node]) -> SyncStandbys {
    SyncStandbys::First(k, nodes.iter().map(|&node| node.into()).collect())
}

fn any(k: usize, nodes: &[Node]) -> SyncStandbys {
    SyncStandbys::Any(k, nodes.iter().map(|&node| node.into()).collect())
}

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "async: a lagging standby serves stale reads",
        about: "synchronous_standby_names = '': a commit returns once the master has it; s1 applies \
                APPLY_DELAY late (recovery_min_apply_delay) and serves the old name meanwhile. \
                runtime-config-replication.html#GUC-RECOVERY-MIN-APPLY-DELAY",
        expected: &[
            ("s1 before the update", FRESH),
            ("commit (async, s1 applying 3 s late)", RETURNS),
            ("s1 at once", STALE),
            ("s2 (no delay) 0.5 s later", FRESH),
            ("s1 0.5 s later", STALE),
            ("master", FRESH),
            ("s1 after its delay", FRESH),
        ],
        run: |r| {
            r.c.set_sync_standbys(&SyncStandbys::Async);
            r.setup_write(1, "Ann");
            r.c.wait(SECOND / 2);
            r.read("s1 before the update", S1, 1);
            r.c.set_apply_delay(S1, APPLY_DELAY);
            r.write("commit (async, s1 applying 3 s late)", 1, "Bob");
            r.read("s1 at once", S1, 1);
            r.c.wait(SECOND / 2);
            r.read("s2 (no delay) 0.5 s later", S2, 1);
            r.read("s1 0.5 s later", S1, 1);
            r.read("master", M, 1);
            r.c.wait(APPLY_DELAY);
            r.read("s1 after its delay", S1, 1);
        },
    },
    Scenario {
        name: "remote_apply: the synchronous standby reads fresh",
        about: "synchronous_commit = remote_apply with FIRST 1 (s1): the commit returns once s1 has \
                applied it, so s1 reads it at once; with s1 applying late, the commit waits that long. \
                runtime-config-wal.html#GUC-SYNCHRONOUS-COMMIT",
        expected: &[
            ("commit (remote_apply)", RETURNS),
            ("s1 at once", FRESH),
            ("commit (s1 applying 3 s late)", WAITS),
            ("s1 while it waits", MISSING),
            ("commit within 4 s more", RETURNS),
            ("s1 once it returned", FRESH),
        ],
        run: |r| {
            r.c.set_sync_standbys(&first(1, &[S1]));
            r.c.set_commit_mode(CommitMode::RemoteApply);
            r.write("commit (remote_apply)", 1, "Ann");
            r.read("s1 at once", S1, 1);
            r.c.set_apply_delay(S1, APPLY_DELAY);
            let w = r.write("commit (s1 applying 3 s late)", 2, "Bob");
            r.read("s1 while it waits", S1, 2);
            r.await_commit("commit within 4 s more", w, 4 * SECOND);
            r.read("s1 once it returned", S1, 2);
        },
    },
    Scenario {
        name: "on: acknowledged once flushed, before applied",
        about: "synchronous_commit = on with FIRST 1 (s1): the commit waits for s1's flush, not its \
                apply; recovery_min_apply_delay delays apply only. runtime-config-wal.html\
                #GUC-SYNCHRONOUS-COMMIT, runtime-config-replication.html#GUC-RECOVERY-MIN-APPLY-DELAY",
        expected: &[
            ("commit (on, s1 applying 3 s late)", RETURNS),
            ("s1 at once", MISSING),
            ("master", FRESH),
            ("s1 after its delay", FRESH),
        ],
        run: |r| {
            r.c.set_sync_standbys(&first(1, &[S1]));
            r.c.set_apply_delay(S1, APPLY_DELAY);
            r.c.set_commit_mode(CommitMode::On);
            r.write("commit (on, s1 applying 3 s late)", 1, "Ann");
            r.read("s1 at once", S1, 1);
            r.read("master", M, 1);
            r.c.wait(APPLY_DELAY + SECOND / 2);
            r.read("s1 after its delay", S1, 1);
        },
    },
    Scenario {
        name: "remote_write: acknowledged once written, before applied",
        about: "synchronous_commit = remote_write with FIRST 1 (s1): the commit waits for s1 to \
                write it (to its OS), not to apply it. runtime-config-wal.html#GUC-SYNCHRONOUS-COMMIT",
        expected: &[
            ("commit (remote_write, s1 applying 3 s late)", RETURNS),
            ("s1 at once", MISSING),
            ("master", FRESH),
        ],
        run: |r| {
            r.c.set_sync_standbys(&first(1, &[S1]));
            r.c.set_apply_delay(S1, APPLY_DELAY);
            r.c.set_commit_mode(CommitMode::RemoteWrite);
            r.write("commit (remote_write, s1 applying 3 s late)", 1, "Ann");
            r.read("s1 at once", S1, 1);
            r.read("master", M, 1);
        },
    },
    Scenario {
        name: "local and off never wait for a standby",
        about: "FIRST 1 (s1) with s1 stopped: local and off commits return (only the master's disk, \
                or not even that), on waits. runtime-config-wal.html#GUC-SYNCHRONOUS-COMMIT",
        expected: &[("commit (local)", RETURNS), ("commit (off)", RETURNS), ("commit (on)", WAITS)],
        run: |r| {
            r.c.set_sync_standbys(&first(1, &[S1]));
            r.c.stop(S1);
            r.c.set_commit_mode(CommitMode::Local);
            r.write("commit (local)", 1, "Ann");
            r.c.set_commit_mode(CommitMode::Off);
            r.write("commit (off)", 2, "Bob");
            r.c.set_commit_mode(CommitMode::On);
            r.write("commit (on)", 3, "Cy");
        },
    },
    Scenario {
        name: "off loses acknowledged commits in a master crash, local keeps them",
        about: "A commit with synchronous_commit = off returns before its WAL is written; the WAL \
                writer writes it at its next round (wal_writer_delay = 10s here), so a kill -9 right \
                after loses it. local flushes first. wal-async-commit.html",
        expected: &[
            ("commit (local)", RETURNS),
            ("commit (off)", RETURNS),
            ("master after restart: the local row", FRESH),
            ("master after restart: the off row", MISSING),
        ],
        run: |r| {
            r.c.set_commit_mode(CommitMode::Local);
            r.write("commit (local)", 1, "Ann");
            r.c.set_commit_mode(CommitMode::Off);
            r.write("commit (off)", 2, "Bob");
            r.c.crash(M);
            r.c.start(M);
            r.read("master after restart: the local row", M, 1);
            r.read("master after restart: the off row", M, 2);
        },
    },
    Scenario {
        name: "FIRST 1 (s2, s1) waits for s2 even when s1 has the row",
        about: "FIRST picks the synchronous standbys by list order among those connected: while s2 \
                is connected but silent, the commit waits for s2, though s1 has applied the row; \
                with s2 stopped, s1 is the synchronous one. warm-standby.html#SYNCHRONOUS-REPLICATION\
                -MULTIPLE-STANDBYS, runtime-config-replication.html#GUC-SYNCHRONOUS-STANDBY-NAMES",
        expected: &[
            ("commit (s2 partitioned)", WAITS),
            ("s1 while it waits", FRESH),
            ("master while it waits", MISSING),
            ("commit once s2 heals", RETURNS),
            ("commit with s2 stopped", RETURNS),
        ],
        run: |r| {
            r.c.set_sync_standbys(&first(1, &[S2, S1]));
            r.c.partition(S2);
            let w = r.write("commit (s2 partitioned)", 1, "Ann");
            r.read("s1 while it waits", S1, 1);
            r.read("master while it waits", M, 1);
            r.c.heal(S2);
            r.await_commit("commit once s2 heals", w, 3 * SECOND);
            r.c.stop(S2);
            r.write("commit with s2 stopped", 2, "Bob");
        },
    },
    Scenario {
        name: "remote_apply on two standbys: new on s1, old on s2 and the master, while it waits",
        about: "FIRST 2 (s1, s2) with remote_apply, s2 applying late: while the commit waits for s2, \
                s1 already shows the new row, and s2 and the master (which shows a commit to other \
                sessions only once the standbys confirmed it) the old state: a read can see a write \
                that a later read elsewhere does not, so replica reads are not linearizable. \
                warm-standby.html#SYNCHRONOUS-REPLICATION, runtime-config-wal.html#GUC-SYNCHRONOUS-COMMIT",
        expected: &[
            ("commit (s2 applying 3 s late)", WAITS),
            ("s1 while it waits", FRESH),
            ("s2 after s1", MISSING),
            ("master after s1", MISSING),
            ("commit within 4 s more", RETURNS),
            ("master once it returned", FRESH),
        ],
        run: |r| {
            r.c.set_sync_standbys(&first(2, &[S1, S2]));
            r.c.set_commit_mode(CommitMode::RemoteApply);
            r.c.set_apply_delay(S2, APPLY_DELAY);
            let w = r.write("commit (s2 applying 3 s late)", 1, "Ann");
            r.c.wait(SECOND / 2);
            r.read("s1 while it waits", S1, 1);
            r.read("s2 after s1", S2, 1);
            r.read("master after s1", M, 1);
            r.await_commit("commit within 4 s more", w, 4 * SECOND);
            r.read("master once it returned", M, 1);
        },
    },
    Scenario {
        name: "a stopped synchronous standby blocks commits",
        about: "FIRST 1 (s1) with s1 stopped: commits wait though s2 is up and has the row (s2 is not \
                listed); they go through once s1 is back. warm-standby.html#SYNCHRONOUS-REPLICATION-HA",
        expected: &[
            ("commit (s1 stopped)", WAITS),
            ("s2 while it waits", FRESH),
            ("master while it waits", MISSING),
            ("commit once s1 restarts", RETURNS),
            ("master after", FRESH),
        ],
        run: |r| {
            r.c.set_sync_standbys(&first(1, &[S1]));
            r.c.stop(S1);
            let w = r.write("commit (s1 stopped)", 1, "Ann");
            r.read("s2 while it waits", S2, 1);
            r.read("master while it waits", M, 1);
            r.c.start(S1);
            r.await_commit("commit once s1 restarts", w, 10 * SECOND);
            r.read("master after", M, 1);
        },
    },
    Scenario {
        name: "ANY 1 (s1, s2) returns when either confirms",
        about: "Quorum commit: any one of the listed standbys confirming is enough; with both silent \
                it waits until one answers. runtime-config-replication.html#GUC-SYNCHRONOUS-STANDBY-NAMES",
        expected: &[
            ("commit (s1 partitioned)", RETURNS),
            ("commit (s2 partitioned)", RETURNS),
            ("commit (both partitioned)", WAITS),
            ("commit once s2 heals", RETURNS),
        ],
        run: |r| {
            r.c.set_sync_standbys(&any(1, &[S1, S2]));
            r.c.partition(S1);
            r.write("commit (s1 partitioned)", 1, "Ann");
            r.c.heal(S1);
            r.c.partition(S2);
            r.write("commit (s2 partitioned)", 2, "Bob");
            r.c.partition(S1);
            let w = r.write("commit (both partitioned)", 3, "Cy");
            r.c.heal(S2);
            r.await_commit("commit once s2 heals", w, 3 * SECOND);
            r.c.heal(S1);
        },
    },
    Scenario {
        name: "a silent synchronous standby holds commits until wal_sender_timeout",
        about: "FIRST 1 (s1, s2), s1 partitioned silently (no reset): the master waits for s1 until \
                its walsender gives up after wal_sender_timeout ('terminating walsender process due to \
                replication timeout'); then s2 is synchronous and the commit returns. \
                runtime-config-replication.html#GUC-WAL-SENDER-TIMEOUT",
        expected: &[
            ("commit (s1 partitioned)", WAITS),
            ("commit within wal_sender_timeout + 5 s", RETURNS),
            ("next commit", RETURNS),
        ],
        run: |r| {
            r.c.set_sync_standbys(&first(1, &[S1, S2]));
            r.c.partition(S1);
            let w = r.write("commit (s1 partitioned)", 1, "Ann");
            r.await_commit("commit within wal_sender_timeout + 5 s", w, WAL_SENDER_TIMEOUT + 5 * SECOND);
            r.write("next commit", 2, "Bob");
            r.c.heal(S1);
        },
    },
    Scenario {
        name: "a silent only synchronous standby holds commits for good",
        about: "FIRST 1 (s1), s1 partitioned: after wal_sender_timeout the master drops s1's \
                connection, but no other standby may confirm: the commit keeps waiting, until s1 is \
                back and reconnects. warm-standby.html#SYNCHRONOUS-REPLICATION-HA",
        expected: &[
            ("commit (s1 partitioned)", WAITS),
            ("commit after wal_sender_timeout + 2 s", WAITS),
            ("commit once s1 heals", RETURNS),
        ],
        run: |r| {
            r.c.set_sync_standbys(&first(1, &[S1]));
            r.c.partition(S1);
            let w = r.write("commit (s1 partitioned)", 1, "Ann");
            r.await_commit("commit after wal_sender_timeout + 2 s", w, WAL_SENDER_TIMEOUT + 2 * SECOND);
            r.c.heal(S1);
            r.await_commit("commit once s1 heals", w, 10 * SECOND);
        },
    },
    Scenario {
        name: "a crashed standby is noticed at once",
        about: "kill -9 of s1: the kernel closes its connection, its walsender ends at once and the \
                next candidate takes over, with FIRST and ANY alike (no wal_sender_timeout wait). \
                warm-standby.html#SYNCHRONOUS-REPLICATION-HA",
        expected: &[("commit, FIRST 1 (s1, s2), s1 crashed", RETURNS), ("commit, ANY 1 (s1, s2), s1 crashed", RETURNS)],
        run: |r| {
            r.c.set_sync_standbys(&first(1, &[S1, S2]));
            r.c.crash(S1);
            r.write("commit, FIRST 1 (s1, s2), s1 crashed", 1, "Ann");
            r.c.set_sync_standbys(&any(1, &[S1, S2]));
            r.write("commit, ANY 1 (s1, s2), s1 crashed", 2, "Bob");
        },
    },
    Scenario {
        name: "async failover loses acknowledged writes; a standby ahead of the new master refuses",
        about: "Asynchronous, s1 down while Bob is acknowledged (s2 gets it); the master crashes and s1 \
                is promoted: Bob is gone. s2 has WAL past the fork of timeline 2 and refuses to follow \
                ('forked off ... before current recovery point'), serving its rows, until rebuilt. \
                warm-standby-failover.html, app-pgbasebackup.html",
        expected: &[
            ("commit while s1 is down", RETURNS),
            ("s2 has it", FRESH),
            ("new master s1", MISSING),
            ("commit on the new master", RETURNS),
            ("s2 pointed at s1", DIVERGED),
            ("s2 still serves the lost row", FRESH),
            ("s2 rebuilt from s1", FOLLOWS),
            ("s2 rebuilt: the lost row", MISSING),
            ("s2 rebuilt: the new master's row", FRESH),
        ],
        run: |r| {
            diverge(r);
            r.follow("s2 pointed at s1", S2);
            r.read("s2 still serves the lost row", S2, 2);
            r.rebuild("s2 rebuilt from s1", S2);
            r.read("s2 rebuilt: the lost row", S2, 2);
            r.read("s2 rebuilt: the new master's row", S2, 3);
        },
    },
    Scenario {
        name: "the old master refuses the new timeline until pg_rewind",
        about: "After the same failover the old master, started as a standby of s1, refuses the new \
                timeline and serves its rows; pg_rewind (wal_log_hints = on) rewinds it to the fork, \
                and then it follows. app-pgrewind.html",
        expected: &[
            ("commit while s1 is down", RETURNS),
            ("s2 has it", FRESH),
            ("new master s1", MISSING),
            ("commit on the new master", RETURNS),
            ("old master pointed at s1", DIVERGED),
            ("old master still serves the lost row", FRESH),
            ("pg_rewind succeeds", YES),
            ("old master after pg_rewind", FOLLOWS),
            ("old master: the lost row", MISSING),
            ("old master: the new master's row", FRESH),
        ],
        run: |r| {
            diverge(r);
            r.follow("old master pointed at s1", M);
            r.read("old master still serves the lost row", M, 2);
            let rewound = r.c.rewind(M);
            r.check("pg_rewind succeeds", rewound.is_ok());
            r.follow("old master after pg_rewind", M);
            r.read("old master: the lost row", M, 2);
            r.read("old master: the new master's row", M, 3);
        },
    },
    Scenario {
        name: "the new master keeps wal_keep_size of WAL: the old master is rewound after more writes",
        about: "After the same failover the new master writes three more rows, which no standby follows; \
                it still keeps its newest wal_keep_size (32MB) of WAL whoever has applied it, so \
                pg_rewind finds the WAL since the fork and the old master follows timeline 2. \
                runtime-config-replication.html#GUC-WAL-KEEP-SIZE, app-pgrewind.html",
        expected: &[
            ("commit while s1 is down", RETURNS),
            ("s2 has it", FRESH),
            ("new master s1", MISSING),
            ("commit on the new master", RETURNS),
            ("three more commits on the new master", YES),
            ("pg_rewind succeeds", YES),
            ("old master after pg_rewind", FOLLOWS),
            ("old master: the last row", FRESH),
        ],
        run: |r| {
            diverge(r);
            let more = [(4, "Dee"), (5, "Eve"), (6, "Fay")].map(|(key, name)| r.commit_at_once(key, name));
            r.check("three more commits on the new master", more.iter().all(|&returned| returned));
            r.c.wait(SECOND);
            let rewound = r.c.rewind(M);
            r.check("pg_rewind succeeds", rewound.is_ok());
            r.follow("old master after pg_rewind", M);
            r.read("old master: the last row", M, 6);
        },
    },
    Scenario {
        name: "a master that crashes while a synchronous commit waits: the client gets an error, the row survives",
        about: "FIRST 1 (s1) with s1 stopped: the commit waits, its row hidden on the master; the master \
                is killed: the client's connection ends with an error, though the commit record is in \
                the master's WAL; after the restart crash recovery replays it and the row is committed \
                there. The client cannot tell which (its write is in doubt). warm-standby.html\
                #SYNCHRONOUS-REPLICATION, wal-intro.html",
        expected: &[
            ("commit (s1 stopped)", WAITS),
            ("master while it waits", MISSING),
            ("commit after the master is killed", FAILS),
            ("master restarted", FRESH),
        ],
        run: |r| {
            r.c.set_sync_standbys(&first(1, &[S1]));
            r.c.stop(S1);
            let w = r.write("commit (s1 stopped)", 1, "Ann");
            r.read("master while it waits", M, 1);
            r.c.crash(M);
            r.await_commit("commit after the master is killed", w, SECOND * 3);
            r.c.start(M);
            r.c.wait(SECOND);
            r.read("master restarted", M, 1);
        },
    },
    Scenario {
        name: "without a slot, a standby down past wal_keep_size cannot catch up",
        about: "s1 stopped while the master writes 5 segments and checkpoints: with wal_keep_size = \
                32MB and no slot the segments s1 needs are removed ('requested WAL segment ... has \
                already been removed'); only a new base backup brings it back. \
                runtime-config-replication.html#GUC-WAL-KEEP-SIZE, warm-standby.html#STREAMING-REPLICATION",
        expected: &[
            ("commit while s1 is down", RETURNS),
            ("s1 restarted", WAL_REMOVED),
            ("s1 reads the row", MISSING),
            ("s1 rebuilt", FOLLOWS),
            ("s1 rebuilt reads the row", FRESH),
        ],
        run: |r| {
            r.c.stop(S1);
            r.write("commit while s1 is down", 1, "Ann");
            r.c.generate_wal(5);
            r.follow("s1 restarted", S1);
            r.read("s1 reads the row", S1, 1);
            r.rebuild("s1 rebuilt", S1);
            r.read("s1 rebuilt reads the row", S1, 1);
        },
    },
    Scenario {
        name: "a replication slot keeps the WAL a down standby needs",
        about: "s1 streams through a physical slot: while it is down the master keeps every segment \
                since the slot's restart_lsn, so s1 catches up; then the slot lets the WAL go. \
                warm-standby.html#STREAMING-REPLICATION-SLOTS",
        expected: &[
            ("commit while s1 is down", RETURNS),
            ("master retains >= 4 segments for the slot", YES),
            ("s1 restarted", FOLLOWS),
            ("s1 reads the row", FRESH),
            ("slot retains < 1 segment once s1 caught up", YES),
        ],
        run: |r| {
            const SEGMENT: u64 = 16 << 20;
            r.c.create_slot(S1);
            r.c.stop(S1);
            r.write("commit while s1 is down", 1, "Ann");
            r.c.generate_wal(5);
            let retained = r.c.retained_wal(S1).unwrap_or(0);
            r.check("master retains >= 4 segments for the slot", retained >= 4 * SEGMENT);
            r.follow("s1 restarted", S1);
            r.read("s1 reads the row", S1, 1);
            let retained = r.c.retained_wal(S1).unwrap_or(u64::MAX);
            r.check("slot retains < 1 segment once s1 caught up", retained < SEGMENT);
        },
    },
    Scenario {
        name: "cancelling a waiting commit: success with a WARNING, visible on the master only",
        about: "pg_cancel_backend on a commit waiting for FIRST 1 (s1) (s1 stopped, s2 partitioned): \
                the client gets success with 'WARNING: canceling wait for synchronous replication due \
                to user request'; the row, hidden while it waited, is now visible on the master though \
                no standby has it. functions-admin.html (pg_cancel_backend); the WARNING is \
                SyncRepWaitForLSN's in src/backend/replication/syncrep.c",
        expected: &[
            ("commit (s1 stopped, s2 partitioned)", WAITS),
            ("master while it waits", MISSING),
            ("commit after pg_cancel_backend", WARNS),
            ("master after the cancel", FRESH),
            ("s2 (partitioned)", MISSING),
        ],
        run: |r| {
            r.c.set_sync_standbys(&first(1, &[S1]));
            r.c.stop(S1);
            r.c.partition(S2);
            let w = r.write("commit (s1 stopped, s2 partitioned)", 1, "Ann");
            r.read("master while it waits", M, 1);
            r.cancel("commit after pg_cancel_backend", w);
            r.read("master after the cancel", M, 1);
            r.read("s2 (partitioned)", S2, 1);
            r.c.heal(S2);
        },
    },
    Scenario {
        name: "statement_timeout does not end the wait for a standby",
        about: "statement_timeout = 500ms: a commit waiting for FIRST 1 (s1) with s1 stopped is not \
                ended by it: finish_xact_command (src/backend/tcop/postgres.c) disarms the timeout \
                before it commits; only a cancel ends the wait. runtime-config-client.html\
                #GUC-STATEMENT-TIMEOUT",
        expected: &[
            ("commit (statement_timeout 500ms)", WAITS),
            ("commit 1.5 s later", WAITS),
            ("commit after pg_cancel_backend", WARNS),
        ],
        run: |r| {
            r.c.set_sync_standbys(&first(1, &[S1]));
            r.c.stop(S1);
            r.c.set_statement_timeout(Some(SECOND / 2));
            let w = r.write("commit (statement_timeout 500ms)", 1, "Ann");
            r.await_commit("commit 1.5 s later", w, SECOND * 3 / 2);
            r.cancel("commit after pg_cancel_backend", w);
        },
    },
    Scenario {
        name: "logical decoding hands out transactions in commit order",
        about: "Two transactions left open, the later one committed first, then a third: \
                test_decoding's rows, peeked twice and then got, carry them in commit order, and \
                getting confirms them. logicaldecoding-explanation.html, \
                functions-admin.html#FUNCTIONS-REPLICATION",
        expected: &[
            ("peek: 2, 1, 3 in commit order", YES),
            ("peek again: the same", YES),
            ("get: the same", YES),
            ("get again: nothing", YES),
        ],
        run: |r| {
            r.c.create_logical_slot();
            let first = r.c.begin_write(1, "Ann");
            let second = r.c.begin_write(2, "Bob");
            r.c.end_transaction(second, true);
            r.c.end_transaction(first, true);
            r.setup_write(3, "Cy");
            let order = Ok(vec![2, 1, 3]);
            let peeked = r.c.slot_changes(false);
            r.check("peek: 2, 1, 3 in commit order", peeked == order);
            let again = r.c.slot_changes(false);
            r.check("peek again: the same", again == order);
            let got = r.c.slot_changes(true);
            r.check("get: the same", got == order);
            let rest = r.c.slot_changes(true);
            r.check("get again: nothing", rest == Ok(vec![]));
        },
    },
    Scenario {
        name: "logical decoding never hands out a rolled-back transaction",
        about: "A transaction that inserts user 1 and rolls back, then a committed insert of user \
                2: the slot hands out user 2 only. logicaldecoding-explanation.html",
        expected: &[("get: user 2 only", YES)],
        run: |r| {
            r.c.create_logical_slot();
            let rolled_back = r.c.begin_write(1, "Ann");
            r.c.end_transaction(rolled_back, false);
            r.setup_write(2, "Bob");
            let got = r.c.slot_changes(true);
            r.check("get: user 2 only", got == Ok(vec![2]));
        },
    },
    Scenario {
        name: "logical decoding hands out a commit still waiting for a synchronous standby",
        about: "s1 is the synchronous standby and stopped: the commit of user 1 waits, and the \
                master's readers do not see the row, but the slot already hands it out (decoding \
                reads the master's flushed WAL). logicaldecoding-explanation.html, \
                warm-standby.html#SYNCHRONOUS-REPLICATION",
        expected: &[("commit while s1 is down", WAITS), ("master reads the row", MISSING), ("peek: user 1", YES)],
        run: |r| {
            r.c.create_logical_slot();
            r.c.set_sync_standbys(&first(1, &[S1]));
            r.c.stop(S1);
            r.write("commit while s1 is down", 1, "Ann");
            r.read("master reads the row", M, 1);
            let peeked = r.c.slot_changes(false);
            r.check("peek: user 1", peeked == Ok(vec![1]));
        },
    },
    Scenario {
        name: "an unread logical slot holds the master's WAL",
        about: "Nobody reads the slot while the master writes 5 segments and checkpoints: it keeps \
                them all (restart_lsn stays); the changes can still be decoded. \
                logicaldecoding-explanation.html#LOGICALDECODING-REPLICATION-SLOTS, \
                view-pg-replication-slots.html",
        expected: &[("master retains >= 4 segments for the slot", YES), ("get: user 1 still there", YES)],
        run: |r| {
            const SEGMENT: u64 = 16 << 20;
            r.c.create_logical_slot();
            r.setup_write(1, "Ann");
            r.c.generate_wal(5);
            let retained = r.c.logical_retained_wal().unwrap_or(0);
            r.check("master retains >= 4 segments for the slot", retained >= 4 * SEGMENT);
            let got = r.c.slot_changes(true);
            r.check("get: user 1 still there", got.is_ok_and(|ids| ids.first() == Some(&1)));
        },
    },
    Scenario {
        name: "past max_slot_wal_keep_size a logical slot is lost",
        about: "max_slot_wal_keep_size = 32MB (two segments) and nobody reads the slot while the \
                master writes 5 segments and checkpoints: the slot is invalidated (wal_status lost) \
                and can never be read again. runtime-config-replication.html#GUC-MAX-SLOT-WAL-KEEP-SIZE",
        expected: &[("slot keeps no WAL", YES), ("get fails: can no longer get changes", YES)],
        run: |r| {
            r.c.set_max_slot_wal_keep(2);
            r.c.create_logical_slot();
            r.setup_write(1, "Ann");
            r.c.generate_wal(5);
            let retained = r.c.logical_retained_wal();
            r.check("slot keeps no WAL", retained.is_none());
            let got = r.c.slot_changes(true);
            let lost =
                got.is_err_and(|error| error.contains("can no longer get changes from replication slot \"cdc\""));
            r.check("get fails: can no longer get changes", lost);
        },
    },
    Scenario {
        name: "a promoted standby has no logical slot",
        about: "The slot is the master's own: after s1 is promoted, reading it on the new master \
                fails ('replication slot \"cdc\" does not exist'), and the consumer must start \
                again from a new slot and snapshot (PostgreSQL 17's failover slots change this). \
                logicaldecoding-explanation.html#LOGICALDECODING-REPLICATION-SLOTS",
        expected: &[("s1 has user 1", FRESH), ("get on the new master fails: no slot", YES)],
        run: |r| {
            r.c.create_logical_slot();
            r.setup_write(1, "Ann");
            r.c.wait(SECOND / 2);
            r.read("s1 has user 1", S1, 1);
            r.c.stop(M);
            r.c.promote(S1);
            let got = r.c.slot_changes(true);
            r.check(
                "get on the new master fails: no slot",
                got.is_err_and(|error| error.contains("replication slot \"cdc\" does not exist")),
            );
        },
    },
    Scenario {
        name: "a commit waits for a logical consumer only when synchronous_standby_names names it",
        about: "pg_recvlogical streams the slot cdc (application_name cdc-1, --fsync-interval=0: it \
                reports what it has written as flushed, every --status-interval = 2 s, or when the \
                walsender asks, after wal_sender_timeout / 2 without a report). Not listed, it never \
                holds a commit: with synchronous_standby_names '' or FIRST 1 (s1) the commit returns \
                at once. Listed, FIRST 1 (\"cdc-1\") (quoted: a bare - is a syntax error there), \
                the consumer is the synchronous standby: a commit (synchronous_commit = on) made \
                just after one of its reports is still waiting 300 ms later, hidden on the master, \
                and returns at its next report, within three status intervals. \
                warm-standby.html#SYNCHRONOUS-REPLICATION, runtime-config-replication.html\
                #GUC-SYNCHRONOUS-STANDBY-NAMES, app-pgrecvlogical.html",
        expected: &[
            ("commit, '' (consumer streaming)", RETURNS),
            ("commit, FIRST 1 (s1)", RETURNS),
            ("commit, FIRST 1 (cdc-1), after 300 ms", WAITS),
            ("master while it waits", MISSING),
            ("commit within 3 status intervals", RETURNS),
            ("master once it returned", FRESH),
        ],
        run: |r| {
            r.c.start_logical_consumer(STATUS_INTERVAL);
            r.write("commit, '' (consumer streaming)", 1, "Ann");
            r.c.set_sync_standbys(&first(1, &[S1]));
            r.write("commit, FIRST 1 (s1)", 2, "Bob");
            r.c.set_sync_standbys(&SyncStandbys::First(1, vec![Standby::Consumer]));
            r.c.await_consumer_report();
            let w = r.write_within("commit, FIRST 1 (cdc-1), after 300 ms", 3, "Cy", SECOND * 3 / 10);
            r.read("master while it waits", M, 3);
            r.await_commit("commit within 3 status intervals", w, 3 * STATUS_INTERVAL);
            r.read("master once it returned", M, 3);
        },
    },
];

/// The failover both timeline scenarios start with: Ann everywhere; s1 stopped; Bob
/// acknowledged (asynchronously) and on s2; the master crashed; s1 started and promoted; Cy
/// written on s1.
fn diverge(r: &mut Run<'_>) {
    r.setup_write(1, "Ann");
    r.c.wait(SECOND / 2);
    r.c.stop(S1);
    r.write("commit while s1 is down", 2, "Bob");
    r.c.wait(SECOND / 2);
    r.read("s2 has it", S2, 2);
    r.c.crash(M);
    r.c.start(S1);
    r.c.promote(S1);
    r.read("new master s1", S1, 2);
    r.write("commit on the new master", 3, "Cy");
}
