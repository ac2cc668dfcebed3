//! The real side: a PostgreSQL 15 primary and two streaming standbys on free 127.0.0.1 ports in
//! a temporary directory, run as the `postgres` user (when the tests run as root) through the
//! server's own programs: initdb, pg_ctl, pg_basebackup, psql, pg_rewind, pg_recvlogical, and
//! `kill` for partitions and crashes. Only std; every external command has a time limit.
//!
//! Every server a `RealCluster` started is stopped when it is dropped, on success and on panic
//! alike (`pg_ctl stop -m immediate`, then SIGKILL of whatever postgres process is left, by
//! pid), and its directory is removed; so is its pg_recvlogical, killed by pid first. A test
//! process killed outright cannot run `Drop`: the next run finds its directory by the dead pid
//! in its name and cleans it up the same way (pg_recvlogical runs with `--no-loop`: it ends
//! when its server does).

use std::fs;
use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::cluster::{
    Cluster, Commit, CommitMode, Follow, Node, Refusal, Standby, SyncStandbys, TransactionId, WAL_SENDER_TIMEOUT,
    WriteId, decoded_user_ids,
};

/// Debian's PostgreSQL 15 (`apt-get install postgresql`).
pub const BIN: &str = "/usr/lib/postgresql/15/bin";
/// Temporary directories are `<base>/<PREFIX><pid of the test process>`.
const PREFIX: &str = "replication-playground-pg-";

/// Where the clusters live: tmpfs when there is one. On this machine's disk the three data
/// directories of a cluster take seconds to write; no scenario crashes the OS, so whether the
/// bytes sit in RAM or on disk changes no outcome (a kill -9 loses only the servers' memory).
fn temp_base() -> &'static Path {
    let shm = Path::new("/dev/shm");
    if fs::metadata(shm).is_ok_and(|meta| meta.is_dir() && meta.mode() & 0o1777 == 0o1777) {
        shm
    } else {
        Path::new("/tmp")
    }
}

/// The settings every node shares, appended to the template's postgresql.conf. A node's own
/// settings (port, upstream, slot, apply delay, standby list) are in its `node.conf`, written
/// before every start; nothing uses ALTER SYSTEM, so base backups and pg_rewind (which copy the
/// configuration files) carry no node's settings to another. Docs:
/// https://www.postgresql.org/docs/15/runtime-config-replication.html and
/// https://www.postgresql.org/docs/15/runtime-config-wal.html
fn shared_settings() -> String {
    format!(
        "
# ---- Replication Playground, tests/postgres/real.rs ----
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
# pg_rewind needs hint-bit changes WAL-logged (or data checksums): app-pgrewind.html.
wal_log_hints = on
# A walsender ends a standby's connection after this long without a reply from it (default
# 60s): how long a silently partitioned synchronous standby holds the master's commits.
# Longer than PATIENCE, so that the wait is seen first.
wal_sender_timeout = '{}ms'
# A standby reports its positions at least this often (default 10s). A synchronous standby
# that takes over from a timed-out one releases waiting commits at its next report.
wal_receiver_status_interval = '1s'
# A standby tries to reconnect this soon after losing its upstream (default 5s): quick
# recovery after a heal or a restart.
wal_retrieve_retry_interval = '500ms'
# The WAL writer's round (default 200ms, at most 10s): a commit with synchronous_commit = off
# stays in the master's memory until the next round, so a crash soon after loses it
# (wal-async-commit.html).
wal_writer_delay = '10s'
# WAL the master keeps for standbys without a slot (default 0): two segments, so a standby down
# while generate_wal writes five is 'past wal_keep_size'.
wal_keep_size = '32MB'
# Logical decoding needs it (logicaldecoding-explanation.html); it adds to what WAL records
# carry, nothing else the scenarios see.
wal_level = logical
# No background vacuum: it would write and flush WAL of its own, and flushing would save an
# `off` commit by chance.
autovacuum = off
include_if_exists = 'node.conf'
",
        WAL_SENDER_TIMEOUT.as_millis()
    )
}

/// Log lines that explain an outcome, with the refusal each means.
const REFUSALS: [(&str, Refusal); 3] = [
    ("forked off current database system timeline", Refusal::Diverged),
    ("has already been removed", Refusal::WalRemoved),
    ("is not in this server's history", Refusal::Diverged),
];

fn is_root() -> bool {
    fs::metadata("/proc/self").map(|meta| meta.uid() == 0).unwrap_or(false)
}

/// A PostgreSQL program, run as the `postgres` user when the tests run as root (the server
/// refuses to run as root).
fn pg(program: &str) -> Command {
    let path = format!("{BIN}/{program}");
    if is_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--", &path]);
        command
    } else {
        Command::new(path)
    }
}

/// Gives the `postgres` user a file or directory the tests made (as root).
fn give_to_postgres(path: &Path) {
    if is_root() {
        let mut command = Command::new("chown");
        command.arg("-R").arg("postgres:postgres").arg(path);
        run(command, Duration::from_secs(30)).unwrap_or_else(|e| panic!("chown {}: {e}", path.display()));
    }
}

/// Runs a command to its end (at most `limit`): its stdout, or its stderr and stdout as the
/// error.
fn run(command: Command, limit: Duration) -> Result<String, String> {
    run_full(command, limit).map(|(out, _)| out)
}

/// Runs a command to its end (at most `limit`): its stdout and stderr, or both as the error.
fn run_full(mut command: Command, limit: Duration) -> Result<(String, String), String> {
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let described = format!("{command:?}");
    let mut child = command.spawn().map_err(|e| format!("{described}: {e}"))?;
    let mut stdout = child.stdout.take().expect("piped");
    let mut stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        sleep(Duration::from_millis(5));
    };
    let (out, err) = (out.join().unwrap_or_default(), err.join().unwrap_or_default());
    match status {
        Some(status) if status.success() => Ok((out.trim().to_string(), err.trim().to_string())),
        Some(status) => Err(format!("{described} exited with {status}: {}{}", err.trim(), out.trim())),
        None => Err(format!("{described} did not finish within {limit:?}")),
    }
}

fn signal(signal: &str, pids: &[u32]) {
    if pids.is_empty() {
        return;
    }
    let mut command = Command::new("kill");
    command.arg(format!("-{signal}")).args(pids.iter().map(u32::to_string));
    let _ = run(command, Duration::from_secs(5));
}

/// Whether `pid` is a live process: there, and not a zombie (a dead process its parent, or a
/// slow PID 1, has not reaped yet).
fn is_alive(pid: u32) -> bool {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = stat.rsplit_once(')').and_then(|(_, rest)| rest.trim_start().chars().next());
    state.is_some_and(|state| state != 'Z')
}

/// Whether `pid` is a live postgres process.
fn is_postgres(pid: u32) -> bool {
    let comm = fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    comm.trim() == "postgres" && is_alive(pid)
}

/// The live processes whose parent is `parent`.
fn children(parent: u32) -> Vec<u32> {
    let mut pids = Vec::new();
    for entry in fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|name| name.parse::<u32>().ok()) else { continue };
        let stat = fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        let ppid = stat.rsplit_once(')').and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok());
        if ppid == Some(parent) && is_alive(pid) {
            pids.push(pid);
        }
    }
    pids
}

/// The postmaster of a data directory (from its postmaster.pid) and all its children, those
/// that are live postgres processes.
fn server_processes(data: &Path) -> Vec<u32> {
    let Some(postmaster) = fs::read_to_string(data.join("postmaster.pid"))
        .ok()
        .and_then(|text| text.lines().next().and_then(|line| line.trim().parse::<u32>().ok()))
    else {
        return Vec::new();
    };
    if !is_postgres(postmaster) {
        return Vec::new();
    }
    let mut pids = vec![postmaster];
    pids.extend(children(postmaster).into_iter().filter(|&pid| is_postgres(pid)));
    pids
}

/// Stops the server of a data directory whatever state it is in: continues stopped processes,
/// `pg_ctl stop -m immediate`, then SIGKILL of any of its processes left.
fn stop_for_good(data: &Path) {
    let pids = server_processes(data);
    if pids.is_empty() {
        return;
    }
    signal("CONT", &pids);
    let mut command = pg("pg_ctl");
    command.args(["stop", "-m", "immediate", "-w", "-t", "10", "-D"]).arg(data);
    let _ = run(command, Duration::from_secs(15));
    let left: Vec<u32> = pids.into_iter().filter(|&pid| is_postgres(pid)).collect();
    signal("KILL", &left);
}

/// Removes what a test process that died without cleaning up left behind.
fn clean_up_after_dead_runs() {
    let bases = [Path::new("/tmp"), Path::new("/dev/shm")];
    for entry in bases.iter().flat_map(|base| fs::read_dir(base).into_iter().flatten().flatten()) {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(pid) = name.strip_prefix(PREFIX).and_then(|pid| pid.parse::<u32>().ok()) else { continue };
        if is_alive(pid) {
            continue; // a run still going on
        }
        for cluster in fs::read_dir(entry.path()).into_iter().flatten().flatten() {
            stop_for_good(&cluster.path());
            for data in fs::read_dir(cluster.path()).into_iter().flatten().flatten() {
                stop_for_good(&data.path());
            }
        }
        let _ = fs::remove_dir_all(entry.path());
    }
}

fn free_ports(count: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> =
        (0..count).map(|_| TcpListener::bind("127.0.0.1:0").expect("a free loopback port")).collect();
    listeners.iter().map(|listener| listener.local_addr().expect("bound").port()).collect()
}

/// An initdb'd data directory with the shared settings and the tables, copied for every
/// cluster's master (initdb once per test run, not once per cluster). Owns the run's temporary
/// directory and removes it when dropped.
pub struct Template {
    root: PathBuf,
    data: PathBuf,
    clusters: AtomicUsize,
}

impl Template {
    /// Panics with what to run when PostgreSQL 15 is not installed.
    pub fn new() -> Template {
        assert!(
            Path::new(&format!("{BIN}/postgres")).exists(),
            "PostgreSQL 15 is not installed ({BIN}/postgres is missing): run \
             `source scripts/tools.sh && ensure_postgres` (scripts/test does it first)"
        );
        clean_up_after_dead_runs();
        let root = temp_base().join(format!("{PREFIX}{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).expect("temporary directory");
        give_to_postgres(&root);
        let template = Template { data: root.join("template"), root, clusters: AtomicUsize::new(0) };
        let mut initdb = pg("initdb");
        initdb.arg("-D").arg(&template.data).args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "-N"]);
        run(initdb, Duration::from_secs(120)).expect("initdb");
        let conf = template.data.join("postgresql.conf");
        let mut text = fs::read_to_string(&conf).expect("postgresql.conf");
        text.push_str(&shared_settings());
        fs::write(&conf, text).expect("postgresql.conf");
        let port = free_ports(1)[0];
        fs::write(template.data.join("node.conf"), format!("port = {port}\n")).expect("node.conf");
        give_to_postgres(&template.data);
        let log = template.root.join("template.log");
        let mut start = pg("pg_ctl");
        start.args(["start", "-w", "-t", "60", "-D"]).arg(&template.data).arg("-l").arg(&log);
        run(start, Duration::from_secs(70)).expect("the template server starts");
        let tables =
            psql(port, "CREATE TABLE users (id bigint PRIMARY KEY, name text NOT NULL); CREATE TABLE filler (n int)");
        let mut stop = pg("pg_ctl");
        stop.args(["stop", "-m", "fast", "-w", "-t", "60", "-D"]).arg(&template.data);
        let stopped = run(stop, Duration::from_secs(70));
        if tables.is_err() || stopped.is_err() {
            stop_for_good(&template.data);
        }
        tables.expect("the tables");
        stopped.expect("the template server stops");
        template
    }
}

impl Drop for Template {
    fn drop(&mut self) {
        stop_for_good(&self.data);
        let _ = fs::remove_dir_all(&self.root);
    }
}

/// psql on `port` as an administrator: its session never waits for a standby
/// (`synchronous_commit = local`). Output unaligned, tuples only.
fn psql(port: u16, sql: &str) -> Result<String, String> {
    let mut command = Command::new(format!("{BIN}/psql"));
    command
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres"])
        .arg("-p")
        .arg(port.to_string())
        .arg("-c")
        .arg(sql)
        .env("PGCONNECT_TIMEOUT", "5")
        .env("PGOPTIONS", "-c synchronous_commit=local")
        .env("PGAPPNAME", "admin");
    run(command, Duration::from_secs(20))
}

struct PgNode {
    port: u16,
    data: PathBuf,
    log: PathBuf,
    /// Started with standby.signal, streaming from `upstream`.
    standby: bool,
    upstream: Option<Node>,
    running: bool,
    apply_delay: Duration,
    /// Streams through a replication slot named after it.
    slot: bool,
    /// `synchronous_standby_names`, in force while it is the master.
    sync: String,
    /// Processes stopped by `partition` (SIGSTOP), continued by `heal`.
    paused: Vec<u32>,
}

struct PendingWrite {
    node: Node,
    /// Its session's application_name, for pg_cancel_backend.
    app: String,
    started: Instant,
    /// The master's log length when it was sent: what it logs from there explains the commit.
    log_offset: u64,
    child: Option<Child>,
    ended: Option<(Commit, String)>,
}

/// A primary and two streaming standbys; see the module's comment.
pub struct RealCluster {
    dir: PathBuf,
    nodes: Vec<PgNode>,
    master: Node,
    mode: CommitMode,
    statement_timeout: Option<Duration>,
    writes: Vec<PendingWrite>,
    /// Sessions with a transaction left open (`begin_write`), until it ends.
    transactions: Vec<Option<Child>>,
    /// `max_slot_wal_keep_size` in segments (`None`: -1, no limit).
    max_slot_wal_keep: Option<u32>,
    /// The logical consumer (`start_logical_consumer`), until the cluster ends.
    consumer: Option<Consumer>,
    detail: Option<String>,
}

/// pg_recvlogical, streaming the master's `cdc` slot.
struct Consumer {
    /// `runuser` when the tests run as root (its child is pg_recvlogical), else pg_recvlogical.
    child: Child,
    status_interval: Duration,
    /// Its stderr.
    log: PathBuf,
}

impl Consumer {
    /// Kills pg_recvlogical (under runuser, by pid: SIGKILL to runuser would leave it
    /// running) and reaps its process.
    fn kill(mut self) {
        signal("KILL", &children(self.child.id()));
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn index(node: Node) -> usize {
    match node {
        Node::M => 0,
        Node::S1 => 1,
        Node::S2 => 2,
    }
}

impl RealCluster {
    /// A fresh cluster: the template copied for the master, base backups for the standbys
    /// (`pg_basebackup -X stream`), all three started, both standbys streaming.
    pub fn new(template: &Template) -> RealCluster {
        let number = template.clusters.fetch_add(1, Ordering::Relaxed);
        let dir = template.root.join(format!("cluster-{number}"));
        fs::create_dir_all(&dir).expect("cluster directory");
        give_to_postgres(&dir);
        let ports = free_ports(3);
        let nodes = Node::ALL
            .iter()
            .zip(ports)
            .map(|(&node, port)| PgNode {
                port,
                data: dir.join(node.name()),
                log: dir.join(format!("{}.log", node.name())),
                standby: node != Node::M,
                upstream: (node != Node::M).then_some(Node::M),
                running: false,
                apply_delay: Duration::ZERO,
                slot: false,
                sync: String::new(),
                paused: Vec::new(),
            })
            .collect();
        // Built before anything starts, so that Drop stops whatever did if a step panics.
        let mut cluster = RealCluster {
            dir,
            nodes,
            master: Node::M,
            mode: CommitMode::On,
            statement_timeout: None,
            writes: Vec::new(),
            transactions: Vec::new(),
            max_slot_wal_keep: None,
            consumer: None,
            detail: None,
        };
        let mut copy = Command::new("cp");
        copy.arg("-a").arg(&template.data).arg(&cluster.nodes[0].data);
        run(copy, Duration::from_secs(60)).expect("copy of the template");
        cluster.start_node(Node::M).expect("the master starts");
        for standby in [Node::S1, Node::S2] {
            cluster.base_backup(standby);
            cluster.start_node(standby).expect("a standby starts");
        }
        for standby in [Node::S1, Node::S2] {
            assert!(cluster.wait_streaming(standby, Duration::from_secs(20)), "{standby} streams");
        }
        cluster
    }

    fn at(&self, node: Node) -> &PgNode {
        &self.nodes[index(node)]
    }

    fn at_mut(&mut self, node: Node) -> &mut PgNode {
        &mut self.nodes[index(node)]
    }

    fn sql(&self, node: Node, sql: &str) -> Result<String, String> {
        psql(self.at(node).port, sql)
    }

    fn master_sql(&self, sql: &str) -> String {
        self.sql(self.master, sql).unwrap_or_else(|e| panic!("on the master ({}): {e}", self.master))
    }

    /// Writes a node's own settings. Its standby.signal too, when it is a standby.
    fn write_conf(&self, node: Node) {
        let me = self.at(node);
        let mut conf = format!("port = {}\ncluster_name = '{}'\n", me.port, node.name());
        conf += &format!("synchronous_standby_names = '{}'\n", me.sync);
        conf += &format!("recovery_min_apply_delay = '{}ms'\n", me.apply_delay.as_millis());
        if let Some(segments) = self.max_slot_wal_keep {
            conf += &format!("max_slot_wal_keep_size = '{}MB'\n", segments * 16);
        }
        if let (true, Some(upstream)) = (me.standby, me.upstream) {
            conf += &format!(
                "primary_conninfo = 'host=127.0.0.1 port={} user=postgres application_name={}'\n",
                self.at(upstream).port,
                node.name()
            );
            if me.slot {
                conf += &format!("primary_slot_name = '{}'\n", node.name());
            }
        }
        let path = me.data.join("node.conf");
        fs::write(&path, conf).expect("node.conf");
        give_to_postgres(&path);
        let signal = me.data.join("standby.signal");
        if me.standby {
            fs::write(&signal, "").expect("standby.signal");
            give_to_postgres(&signal);
        } else {
            let _ = fs::remove_file(signal);
        }
    }

    fn reload(&self, node: Node) {
        let mut command = pg("pg_ctl");
        command.args(["reload", "-D"]).arg(&self.at(node).data);
        run(command, Duration::from_secs(10)).unwrap_or_else(|e| panic!("reload {node}: {e}"));
    }

    fn start_node(&mut self, node: Node) -> Result<(), String> {
        self.write_conf(node);
        let me = self.at(node);
        let mut command = pg("pg_ctl");
        command.args(["start", "-w", "-t", "30", "-D"]).arg(&me.data).arg("-l").arg(&me.log);
        let started = run(command, Duration::from_secs(40));
        self.at_mut(node).running = true; // perhaps half-started: stopped all the same
        started.map(|_| ())
    }

    fn stop_node(&mut self, node: Node, mode: &str) {
        self.heal(node);
        let mut command = pg("pg_ctl");
        command.args(["stop", "-m", mode, "-w", "-t", "30", "-D"]).arg(&self.at(node).data);
        if let Err(e) = run(command, Duration::from_secs(40)) {
            stop_for_good(&self.at(node).data);
            self.detail = Some(format!("pg_ctl stop -m {mode}: {e}"));
        }
        self.at_mut(node).running = false;
    }

    /// A new data directory for `node` from a base backup of the current master.
    fn base_backup(&mut self, node: Node) {
        let master_port = self.at(self.master).port;
        let data = self.at(node).data.clone();
        let _ = fs::remove_dir_all(&data);
        let mut command = pg("pg_basebackup");
        command
            .arg("-D")
            .arg(&data)
            .args(["-h", "127.0.0.1", "-U", "postgres", "-X", "stream", "--checkpoint=fast", "--no-sync", "-p"])
            .arg(master_port.to_string());
        run(command, Duration::from_secs(120)).unwrap_or_else(|e| panic!("pg_basebackup for {node}: {e}"));
        let master = self.master;
        let me = self.at_mut(node);
        me.standby = true;
        me.upstream = Some(master);
        me.sync = String::new();
    }

    /// Whether `node` shows as streaming in its upstream's pg_stat_replication within `limit`.
    fn wait_streaming(&self, node: Node, limit: Duration) -> bool {
        let Some(upstream) = self.at(node).upstream else { return false };
        let query = format!("SELECT state FROM pg_stat_replication WHERE application_name = '{}'", node.name());
        let deadline = Instant::now() + limit;
        loop {
            if self.sql(upstream, &query).is_ok_and(|state| state.lines().any(|line| line == "streaming")) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            sleep(Duration::from_millis(50));
        }
    }

    /// Whether `node` streams from the master on the master's own timeline. Streaming alone
    /// proves nothing: a standby whose history diverged asks for its old timeline from the
    /// start of its current WAL segment (before the fork), and the new master streams that
    /// stretch of the old timeline to it, showing as "streaming" for a moment, before its
    /// startup process refuses the switch to the new timeline.
    fn streams_on_master_timeline(&self, node: Node) -> bool {
        let timeline =
            self.sql(self.master, "SELECT ('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int");
        let receiver = self.sql(node, "SELECT status || '|' || received_tli FROM pg_stat_wal_receiver");
        let on_timeline = match (timeline, receiver) {
            (Ok(timeline), Ok(receiver)) => receiver == format!("streaming|{timeline}"),
            _ => false,
        };
        on_timeline && self.wait_streaming(node, Duration::ZERO)
    }

    fn log_since(&self, node: Node, offset: u64) -> String {
        let bytes = fs::read(&self.at(node).log).unwrap_or_default();
        String::from_utf8_lossy(bytes.get(offset as usize..).unwrap_or_default()).to_string()
    }

    fn log_len(&self, node: Node) -> u64 {
        fs::metadata(&self.at(node).log).map(|meta| meta.len()).unwrap_or(0)
    }

    /// Waits (up to `limit`) for `node` to stream from the current master, or for its log (from
    /// `offset`) to say why it does not.
    fn follows_or_why(&mut self, node: Node, offset: u64, limit: Duration) -> Follow {
        let deadline = Instant::now() + limit;
        let mut refused_at: Option<Instant> = None;
        loop {
            if self.streams_on_master_timeline(node) {
                self.wait_caught_up(node, Duration::from_secs(10));
                self.detail = Some(format!("{node} streams from {}", self.master));
                return Follow::Follows;
            }
            let log = self.log_since(node, offset);
            let found = REFUSALS
                .iter()
                .find_map(|(pattern, refusal)| log.lines().find(|line| line.contains(pattern)).map(|l| (l, *refusal)));
            if let Some((line, refusal)) = found {
                // The walreceiver's error comes first; the startup process's explanation
                // ("forked off ...") a moment later: give it a second.
                let since = *refused_at.get_or_insert_with(Instant::now);
                if since.elapsed() > Duration::from_secs(1) || Instant::now() >= deadline {
                    self.detail = Some(strip_log_prefix(line));
                    return Follow::Refuses(refusal);
                }
            } else if Instant::now() >= deadline {
                let last = log.lines().rev().find(|line| line.contains("FATAL") || line.contains("ERROR"));
                self.detail = Some(last.map_or_else(|| "no streaming, no reason logged".into(), strip_log_prefix));
                return Follow::Refuses(Refusal::Other);
            }
            sleep(Duration::from_millis(100));
        }
    }

    fn finish_write(write: &mut PendingWrite, output: std::process::Output) {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let elapsed = write.started.elapsed().as_millis();
        write.ended = Some(if !output.status.success() {
            (Commit::Failed, format!("after {elapsed} ms: {}", stderr.trim()))
        } else if let Some(warning) = stderr.lines().find(|line| line.starts_with("WARNING")) {
            (Commit::Warned, format!("after {elapsed} ms: {}", warning.trim()))
        } else {
            (Commit::Returned, format!("after {elapsed} ms"))
        });
    }

    /// Polls a write's client until it ends or `deadline` passes.
    fn poll_write(&mut self, write: WriteId, deadline: Instant) -> Commit {
        let pending = &mut self.writes[write.0];
        while pending.ended.is_none() {
            let child = pending.child.as_mut().expect("a running write has its client");
            if child.try_wait().expect("try_wait").is_some() {
                let child = pending.child.take().expect("just checked");
                let output = child.wait_with_output().expect("the client's output");
                Self::finish_write(pending, output);
                break;
            }
            if Instant::now() >= deadline {
                self.detail = Some(format!("not returned after {} ms", pending.started.elapsed().as_millis()));
                return Commit::Waiting;
            }
            sleep(Duration::from_millis(5));
        }
        let (node, offset) = (pending.node, pending.log_offset);
        let (commit, mut detail) = pending.ended.clone().expect("ended");
        // Why a waiting commit went through: the master gave up on a silent standby.
        if let Some(line) =
            self.log_since(node, offset).lines().find(|line| line.contains("due to replication timeout"))
        {
            detail += &format!("; master log: {}", strip_log_prefix(line));
        }
        self.detail = Some(detail);
        commit
    }

    /// Waits (up to `limit`) until `node` has replayed everything the master has written.
    fn wait_caught_up(&self, node: Node, limit: Duration) {
        let query = format!(
            "SELECT replay_lsn >= pg_current_wal_lsn() FROM pg_stat_replication WHERE application_name = '{}'",
            node.name()
        );
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline && self.sql(self.master, &query).as_deref() != Ok("t") {
            sleep(Duration::from_millis(20));
        }
    }
}

/// A server log line without its time and pid prefix (`2024-... UTC [123] `).
fn strip_log_prefix(line: &str) -> String {
    match line.split_once("] ") {
        Some((_, rest)) => rest.to_string(),
        None => line.to_string(),
    }
}

impl Cluster for RealCluster {
    fn set_commit_mode(&mut self, mode: CommitMode) {
        self.mode = mode;
    }

    fn set_statement_timeout(&mut self, timeout: Option<Duration>) {
        self.statement_timeout = timeout;
    }

    /// Rewrites the master's node.conf and reloads it, then waits until every connected
    /// standby's sync_priority in pg_stat_replication is the one the list gives (the walsenders
    /// have taken it), and a moment more for the checkpointer, which tells the backends whether
    /// any standby is synchronous at all.
    fn set_sync_standbys(&mut self, standbys: &SyncStandbys) {
        let master = self.master;
        let value = standbys.to_string();
        self.at_mut(master).sync = value.clone();
        self.write_conf(master);
        self.reload(master);
        let priority = |name: &str| -> usize {
            match standbys {
                SyncStandbys::Async => 0,
                SyncStandbys::First(_, nodes) => nodes.iter().position(|n| n.name() == name).map_or(0, |i| i + 1),
                SyncStandbys::Any(_, nodes) => usize::from(nodes.iter().any(|n| n.name() == name)),
            }
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let shown = self.sql(master, "SHOW synchronous_standby_names").unwrap_or_default();
            let senders = self.sql(master, "SELECT application_name, sync_priority FROM pg_stat_replication");
            let settled = senders.as_ref().is_ok_and(|rows| {
                rows.lines().all(|row| {
                    let (name, found) = row.split_once('|').unwrap_or((row, ""));
                    found.parse::<usize>().ok() == Some(priority(name))
                })
            });
            if shown == value && settled {
                break;
            }
            assert!(Instant::now() < deadline, "synchronous_standby_names = '{value}' not in force: {senders:?}");
            sleep(Duration::from_millis(50));
        }
        sleep(Duration::from_millis(300));
    }

    fn set_apply_delay(&mut self, node: Node, delay: Duration) {
        self.at_mut(node).apply_delay = delay;
        self.write_conf(node);
        self.reload(node);
        let want = format!("{}ms", delay.as_millis());
        let deadline = Instant::now() + Duration::from_secs(10);
        // SHOW gives the unit it likes ("3s", "0"): compare through the catalog in ms.
        let query = "SELECT setting || 'ms' FROM pg_settings WHERE name = 'recovery_min_apply_delay'";
        while self.sql(node, query).unwrap_or_default() != want {
            assert!(Instant::now() < deadline, "recovery_min_apply_delay = {want} not in force on {node}");
            sleep(Duration::from_millis(50));
        }
        // New sessions see the setting; the startup process (which applies WAL) takes the
        // reload a moment later.
        sleep(Duration::from_millis(200));
    }

    /// `INSERT ... ON CONFLICT (id) DO UPDATE` through psql, with the session's
    /// synchronous_commit and statement_timeout in PGOPTIONS.
    fn write_within(&mut self, key: u64, name: &str, patience: Duration) -> (WriteId, Commit) {
        let id = WriteId(self.writes.len());
        let app = format!("write-{}", id.0);
        let sql = format!(
            "INSERT INTO users VALUES ({key}, '{}') ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name",
            name.replace('\'', "''")
        );
        let mut options = format!("-c synchronous_commit={}", self.mode.setting());
        if let Some(timeout) = self.statement_timeout {
            options += &format!(" -c statement_timeout={}", timeout.as_millis());
        }
        let child = Command::new(format!("{BIN}/psql"))
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres"])
            .arg("-p")
            .arg(self.at(self.master).port.to_string())
            .arg("-c")
            .arg(sql)
            .env("PGCONNECT_TIMEOUT", "5")
            .env("PGOPTIONS", options)
            .env("PGAPPNAME", &app)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("psql");
        let log_offset = self.log_len(self.master);
        self.writes.push(PendingWrite {
            node: self.master,
            app,
            started: Instant::now(),
            log_offset,
            child: Some(child),
            ended: None,
        });
        let commit = self.poll_write(id, Instant::now() + patience);
        (id, commit)
    }

    fn await_commit(&mut self, write: WriteId, within: Duration) -> Commit {
        self.poll_write(write, Instant::now() + within)
    }

    fn cancel(&mut self, write: WriteId) -> Commit {
        let pending = &self.writes[write.0];
        let query =
            format!("SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = '{}'", pending.app);
        let cancelled = self.sql(pending.node, &query);
        let commit = self.poll_write(write, Instant::now() + Duration::from_secs(3));
        if cancelled.as_deref() != Ok("t") {
            self.detail = Some(format!("pg_cancel_backend: {cancelled:?}; {}", self.detail.take().unwrap_or_default()));
        }
        commit
    }

    fn read(&mut self, node: Node, key: u64) -> Result<Option<String>, String> {
        let name = self.sql(node, &format!("SELECT name FROM users WHERE id = {key}"))?;
        Ok((!name.is_empty()).then_some(name))
    }

    /// `pg_ctl stop -m fast`: an orderly stop; its replication connections close.
    fn stop(&mut self, node: Node) {
        self.stop_node(node, "fast");
    }

    /// SIGKILL to the postmaster and all its children at once.
    fn crash(&mut self, node: Node) {
        let pids = server_processes(&self.at(node).data);
        signal("KILL", &pids);
        let deadline = Instant::now() + Duration::from_secs(10);
        while pids.iter().any(|&pid| is_postgres(pid)) {
            assert!(Instant::now() < deadline, "{node}'s processes outlive SIGKILL");
            sleep(Duration::from_millis(10));
        }
        // The dead postmaster may stay a zombie for seconds where PID 1 reaps slowly (as on
        // this machine's VM init), and a live pid in postmaster.pid stops the next start
        // ("lock file already exists"). All its processes are dead: the lock is stale.
        let _ = fs::remove_file(self.at(node).data.join("postmaster.pid"));
        let me = self.at_mut(node);
        me.paused.clear();
        me.running = false;
        self.detail = Some(format!("killed {} processes", pids.len()));
    }

    fn start(&mut self, node: Node) {
        if let Err(e) = self.start_node(node) {
            self.detail = Some(e);
        }
    }

    /// SIGSTOP to the standby's walreceiver: the connection stays open, nothing is sent back,
    /// so the master hears nothing until wal_sender_timeout ends the connection.
    fn partition(&mut self, node: Node) {
        let pid = self.sql(node, "SELECT pid FROM pg_stat_wal_receiver").unwrap_or_default();
        let pid: u32 = pid.parse().unwrap_or_else(|_| panic!("{node} has no walreceiver to partition: {pid:?}"));
        signal("STOP", &[pid]);
        self.at_mut(node).paused.push(pid);
    }

    fn heal(&mut self, node: Node) {
        let paused = std::mem::take(&mut self.at_mut(node).paused);
        signal("CONT", &paused);
    }

    /// `pg_ctl promote -w`: the standby ends recovery on a new timeline.
    fn promote(&mut self, node: Node) {
        let mut command = pg("pg_ctl");
        command.args(["promote", "-w", "-t", "30", "-D"]).arg(&self.at(node).data);
        run(command, Duration::from_secs(40)).unwrap_or_else(|e| panic!("promote {node}: {e}"));
        self.master = node;
        let me = self.at_mut(node);
        me.standby = false;
        me.upstream = None;
        self.write_conf(node);
    }

    /// Restarts `node` as a standby of the current master (recovery_target_timeline is
    /// 'latest' by default) and watches whether it streams or its log says why not.
    fn follow(&mut self, node: Node) -> Follow {
        if self.at(node).running {
            self.stop_node(node, "fast");
        }
        let master = self.master;
        let me = self.at_mut(node);
        me.standby = true;
        me.upstream = Some(master);
        let offset = self.log_len(node);
        if let Err(e) = self.start_node(node) {
            self.detail = Some(e);
        }
        self.follows_or_why(node, offset, Duration::from_secs(15))
    }

    fn rewind(&mut self, node: Node) -> Result<(), String> {
        if self.at(node).running {
            self.stop_node(node, "fast");
        }
        // A target that crashed gets crash recovery in single-user mode from pg_rewind first,
        // which refuses to run in standby mode.
        let _ = fs::remove_file(self.at(node).data.join("standby.signal"));
        let source = format!("host=127.0.0.1 port={} user=postgres dbname=postgres", self.at(self.master).port);
        let mut command = pg("pg_rewind");
        command.arg("--target-pgdata").arg(&self.at(node).data).arg("--source-server").arg(source);
        let result = run_full(command, Duration::from_secs(120));
        self.detail = Some(match &result {
            Ok((_, err)) => err.lines().find(|line| line.contains("diverged")).unwrap_or("pg_rewind done").to_string(),
            Err(e) => e.clone(),
        });
        result.map(|_| ())
    }

    fn rebuild(&mut self, node: Node) -> Follow {
        if self.at(node).running {
            self.stop_node(node, "immediate");
        }
        self.base_backup(node);
        let offset = self.log_len(node);
        if let Err(e) = self.start_node(node) {
            self.detail = Some(e);
        }
        self.follows_or_why(node, offset, Duration::from_secs(15))
    }

    /// `pg_create_physical_replication_slot(name, true)` (reserving WAL at once), and the
    /// standby's primary_slot_name, reloaded: it reconnects through the slot.
    fn create_slot(&mut self, node: Node) {
        self.master_sql(&format!("SELECT pg_create_physical_replication_slot('{}', true)", node.name()));
        self.at_mut(node).slot = true;
        self.write_conf(node);
        self.reload(node);
        let query = format!("SELECT active FROM pg_replication_slots WHERE slot_name = '{}'", node.name());
        let deadline = Instant::now() + Duration::from_secs(15);
        while self.master_sql(&query) != "t" {
            assert!(Instant::now() < deadline, "{node} does not use its slot");
            sleep(Duration::from_millis(50));
        }
    }

    fn retained_wal(&mut self, node: Node) -> Option<u64> {
        let row = self.master_sql(&format!(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint, wal_status \
             FROM pg_replication_slots WHERE slot_name = '{}'",
            node.name()
        ));
        let (bytes, status) = row.split_once('|')?;
        let bytes: u64 = bytes.parse().ok()?;
        self.detail = Some(format!("slot {}: {} MB retained, wal_status {status}", node.name(), bytes >> 20));
        Some(bytes)
    }

    /// A row and pg_switch_wal() per segment, then CHECKPOINT, which removes (or recycles
    /// under a new name) every segment neither a slot nor wal_keep_size keeps.
    fn generate_wal(&mut self, segments: u32) {
        for n in 0..segments {
            self.master_sql(&format!("INSERT INTO filler VALUES ({n}); SELECT pg_switch_wal()"));
        }
        self.master_sql("CHECKPOINT");
        let files = self.master_sql(
            "SELECT count(*) || ' segments in pg_wal, oldest ' || min(name) FROM pg_ls_waldir() \
             WHERE name ~ '^[0-9A-F]{24}$'",
        );
        self.detail = Some(files);
    }

    fn set_max_slot_wal_keep(&mut self, segments: u32) {
        self.max_slot_wal_keep = Some(segments);
        self.write_conf(self.master);
        self.reload(self.master);
        let setting = self.master_sql("SHOW max_slot_wal_keep_size");
        assert_eq!(setting, format!("{}MB", segments * 16), "max_slot_wal_keep_size after the reload");
    }

    fn create_logical_slot(&mut self) {
        self.master_sql("SELECT pg_create_logical_replication_slot('cdc', 'test_decoding')");
    }

    fn slot_changes(&mut self, consume: bool) -> Result<Vec<u64>, String> {
        let function = if consume { "pg_logical_slot_get_changes" } else { "pg_logical_slot_peek_changes" };
        let rows = self.sql(self.master, &format!("SELECT data FROM {function}('cdc', NULL, NULL)"))?;
        self.detail = Some(format!("{} rows decoded", rows.lines().count()));
        Ok(decoded_user_ids(rows.lines()))
    }

    fn logical_retained_wal(&mut self) -> Option<u64> {
        let row = self.master_sql(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint, wal_status \
             FROM pg_replication_slots WHERE slot_name = 'cdc'",
        );
        let (bytes, status) = row.split_once('|')?;
        self.detail = Some(format!("slot cdc: restart_lsn {bytes} bytes back, wal_status {status}"));
        bytes.parse().ok()
    }

    /// The slot, then `pg_recvlogical --start` as the postgres user, writing the changes to
    /// /dev/null and its messages to `cdc-1.log`; `--fsync-interval=0`: it never fsyncs, and
    /// reports what it has written as flushed; `--no-loop`: it ends when the connection does.
    /// Returns once the master's pg_stat_replication shows it streaming.
    fn start_logical_consumer(&mut self, status_interval: Duration) {
        assert!(self.consumer.is_none(), "one logical consumer per cluster");
        assert!(
            status_interval.as_secs() >= 1 && status_interval.subsec_nanos() == 0,
            "--status-interval is in whole seconds: {status_interval:?}"
        );
        self.create_logical_slot();
        let name = Standby::Consumer.name();
        let log = self.dir.join(format!("{name}.log"));
        let stderr = fs::File::create(&log).expect("the consumer's log");
        let conninfo = format!(
            "host=127.0.0.1 port={} user=postgres dbname=postgres application_name={name} connect_timeout=5",
            self.at(self.master).port
        );
        let mut command = pg("pg_recvlogical");
        command
            .args(["-d", &conninfo, "--slot", "cdc", "--start", "--no-loop", "-f", "/dev/null", "--fsync-interval=0"])
            .arg(format!("--status-interval={}", status_interval.as_secs()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr);
        let child = command.spawn().unwrap_or_else(|e| panic!("{command:?}: {e}"));
        self.consumer = Some(Consumer { child, status_interval, log });
        let query = format!("SELECT state FROM pg_stat_replication WHERE application_name = '{name}'");
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.master_sql(&query) != "streaming" {
            let consumer = self.consumer.as_mut().expect("just started");
            let ended = consumer.child.try_wait().expect("try_wait");
            if ended.is_some() || Instant::now() >= deadline {
                let said = fs::read_to_string(&consumer.log).unwrap_or_default();
                panic!("pg_recvlogical does not stream ({ended:?}): {}", said.trim());
            }
            sleep(Duration::from_millis(50));
        }
        self.detail = Some(format!("{name} streams from {}", self.master));
    }

    /// Polls the consumer's reply_time in pg_stat_replication until it changes.
    fn await_consumer_report(&mut self) {
        let interval = self.consumer.as_ref().expect("a logical consumer").status_interval;
        let name = Standby::Consumer.name();
        let query = format!("SELECT reply_time FROM pg_stat_replication WHERE application_name = '{name}'");
        let before = self.master_sql(&query);
        let deadline = Instant::now() + 2 * interval + Duration::from_secs(5);
        loop {
            let now = self.master_sql(&query);
            if !now.is_empty() && now != before {
                self.detail = Some(format!("{name} reported at {now}"));
                return;
            }
            assert!(Instant::now() < deadline, "{name} sent no report in {:?}: reply_time {now:?}", 2 * interval);
            sleep(Duration::from_millis(10));
        }
    }

    /// psql reading its statements from a pipe: `BEGIN` and the INSERT now, the end later.
    fn begin_write(&mut self, key: u64, name: &str) -> TransactionId {
        let mut child = Command::new(format!("{BIN}/psql"))
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres"])
            .arg("-p")
            .arg(self.at(self.master).port.to_string())
            .env("PGCONNECT_TIMEOUT", "5")
            .env("PGOPTIONS", "-c synchronous_commit=local")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("psql");
        let statements = format!("BEGIN;\nINSERT INTO users VALUES ({key}, '{}');\n", name.replace('\'', "''"));
        child.stdin.as_mut().expect("piped").write_all(statements.as_bytes()).expect("to psql");
        // The INSERT has run when the session, idle in its transaction, has a transaction id.
        let deadline = Instant::now() + Duration::from_secs(10);
        let query =
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' AND backend_xid IS NOT NULL";
        while self.master_sql(query) == self.transactions.iter().filter(|open| open.is_some()).count().to_string() {
            assert!(Instant::now() < deadline, "the transaction's INSERT did not run");
            sleep(Duration::from_millis(20));
        }
        self.transactions.push(Some(child));
        TransactionId(self.transactions.len() - 1)
    }

    fn end_transaction(&mut self, transaction: TransactionId, commit: bool) {
        let mut child = self.transactions[transaction.0].take().expect("an open transaction");
        let end = if commit { "COMMIT;\n" } else { "ROLLBACK;\n" };
        child.stdin.take().expect("piped").write_all(end.as_bytes()).expect("to psql");
        let deadline = Instant::now() + Duration::from_secs(10);
        while child.try_wait().expect("psql").is_none() {
            assert!(Instant::now() < deadline, "the transaction did not end");
            sleep(Duration::from_millis(20));
        }
    }

    fn wait(&mut self, time: Duration) {
        sleep(time);
    }

    fn detail(&mut self) -> Option<String> {
        self.detail.take()
    }
}

impl Drop for RealCluster {
    /// Ends every client still waiting, continues paused processes, stops every server this
    /// cluster started (immediate; SIGKILL of what is left) and removes its directory. Runs
    /// on panics too.
    fn drop(&mut self) {
        if let Some(consumer) = self.consumer.take() {
            consumer.kill();
        }
        for write in &mut self.writes {
            if let Some(mut child) = write.child.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
        for mut child in self.transactions.iter_mut().filter_map(Option::take) {
            let _ = child.kill();
            let _ = child.wait();
        }
        for node in &mut self.nodes {
            signal("CONT", &std::mem::take(&mut node.paused));
            stop_for_good(&node.data);
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}
