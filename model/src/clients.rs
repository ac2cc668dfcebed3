//! The clients as a part: their sessions, every request from its call to its answer (in flight,
//! then among the recent ones or the writes in doubt), the run's counters, and what clients were
//! told of each user (for the history's start). Only this file changes them; the client side's
//! handlers are `simulation/client.rs`.

use std::collections::VecDeque;

use crate::RECENT_LIMIT;
use crate::acknowledged::{Acknowledged, AcknowledgedUsers};
use crate::config::Mode;
use crate::data::{Change, Database, Key, LogEntry, USERS};
use crate::ids::{ClientId, NodeId, NodeRef, RequestId};
use crate::metrics::{Completion, Metrics};
use crate::request::{InFlight, Op, Outcome, RequestRecord, Stats};
use crate::session::{Expected, Session};
use crate::time::Time;
use crate::timeline::{Position, Timelines};

#[derive(Clone)]
pub(crate) struct Clients {
    sessions: Vec<Session>,
    next_request: RequestId,
    in_flight: InFlight,
    recent: VecDeque<RequestRecord>,
    /// Writes in doubt that left `recent`, oldest first, at most `RECENT_LIMIT`.
    in_doubt: VecDeque<RequestRecord>,
    /// When the last request to leave `recent` (or `in_doubt`) had finished: every request
    /// issued later is still in one of them or in flight (see `history`).
    recent_horizon: Time,
    /// What clients were told of each user's writes since about `recent_horizon`, for the
    /// history's start.
    acknowledged: AcknowledgedUsers,
    /// Finished SQL console requests, oldest first, at most `RECENT_LIMIT`.
    sql_log: VecDeque<RequestRecord>,
    stats: Stats,
}

impl Clients {
    pub fn new(count: usize) -> Clients {
        Clients {
            sessions: vec![Session::default(); count],
            next_request: 1,
            in_flight: InFlight::default(),
            recent: VecDeque::new(),
            in_doubt: VecDeque::new(),
            recent_horizon: Time::ZERO,
            acknowledged: AcknowledgedUsers::new(&Database::seed()),
            sql_log: VecDeque::new(),
            stats: Stats::default(),
        }
    }

    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// Finished requests, oldest first, at most `RECENT_LIMIT`.
    pub fn recent(&self) -> impl DoubleEndedIterator<Item = &RequestRecord> {
        self.recent.iter()
    }

    /// Requests still waiting for their reply, oldest first.
    pub fn in_flight(&self) -> impl DoubleEndedIterator<Item = &RequestRecord> {
        self.in_flight.values()
    }

    /// The console's finished requests, then those still running or queued.
    pub fn sql_requests(&self) -> impl Iterator<Item = &RequestRecord> {
        self.sql_log.iter().chain(self.in_flight.values().filter(|record| matches!(record.op, Op::Sql { .. })))
    }

    /// Every request kept: the recent ones, the writes in doubt, those in flight.
    pub fn kept(&self) -> impl Iterator<Item = &RequestRecord> {
        self.recent.iter().chain(&self.in_doubt).chain(self.in_flight.values())
    }

    /// Every request issued after this is kept, and what clients were told since is known.
    pub fn horizon(&self) -> Time {
        self.recent_horizon.max(self.acknowledged.since())
    }

    pub fn acknowledged(&self) -> &AcknowledgedUsers {
        &self.acknowledged
    }

    /// What the run's fingerprint hashes of the clients, as it always has.
    pub fn fingerprinted(&self) -> String {
        format!("{:?}|{:?}|{:?}", self.stats, self.recent, self.in_flight)
    }

    /// The key a client wrote last, if any.
    pub fn last_written_key(&self, client: ClientId) -> Option<Key> {
        self.sessions[client].last_written_key
    }

    pub fn session(&mut self, client: ClientId) -> &mut Session {
        &mut self.sessions[client]
    }

    /// The position a causal read must see: the client's last acknowledged write, when reads
    /// are causal.
    pub fn causal_token(&self, client: ClientId, causal_reads: bool) -> Option<Position> {
        self.sessions[client].last_commit.filter(|_| causal_reads)
    }

    /// Fewer clients: the removed ones' requests still under way finish in their sessions, so
    /// sessions are kept; a client added again starts afresh.
    pub fn set_count(&mut self, had: usize, wanted: usize) {
        if wanted > had {
            let kept = self.sessions.len().min(wanted);
            self.sessions[had..kept].fill_with(Session::default);
            (had..kept).for_each(|client| self.in_flight.forget_expected(client));
            self.sessions.resize_with(self.sessions.len().max(wanted), Session::default);
        }
    }

    pub fn client_of(&self, request: RequestId) -> Option<ClientId> {
        self.in_flight.client_of(request)
    }

    /// Opens a request's record and counts it as issued.
    pub fn open(&mut self, client: ClientId, op: Op, now: Time, metrics: &mut Metrics) -> RequestId {
        let id = self.next_request;
        self.next_request += 1;
        let record = RequestRecord::new(id, client, op, now);
        let expected = if record.is_read() {
            self.stats.reads_issued += 1;
            self.sessions[client].expect(record.key(), now)
        } else {
            self.stats.writes_issued += 1;
            Expected::default()
        };
        metrics.record_issued();
        self.in_flight.insert(record, expected);
        id
    }

    /// What a machine made of a request.
    /// What served a request (a PostgreSQL server by its role then, a MongoDB member by none).
    pub fn served(
        &mut self,
        request: RequestId,
        machine: NodeId,
        role: Option<NodeRef>,
        old_master: bool,
        outcome: Outcome,
    ) {
        if let Some(record) = self.in_flight.get_mut(request) {
            record.served_by = role;
            record.machine = Some(machine);
            record.served_by_old_master = old_master;
            record.outcome = Some(outcome);
        }
    }

    /// A write committed on the master: what it is acknowledged as, and (for the console's
    /// writes) which users it changed when.
    pub fn committed(
        &mut self,
        request: RequestId,
        entry: &LogEntry,
        mode: Mode,
        warning: Option<&'static str>,
        now: Time,
    ) {
        let Some(record) = self.in_flight.get_mut(request) else { return };
        record.acked_as = Some(mode);
        record.warning = warning;
        if matches!(record.op, Op::Sql { .. }) {
            for change in &entry.changes {
                if let Change::Put { table, key, .. } | Change::Delete { table, key } = change
                    && table == USERS
                {
                    self.acknowledged.console(now, key);
                }
            }
        }
    }

    /// An acknowledged write is gone: counted, and marked wherever its record is.
    pub fn lost(&mut self, request: RequestId) {
        self.stats.lost_writes += 1;
        if let Some(record) = self.in_flight.get_mut(request) {
            record.lost = true;
        } else if let Some(record) = self.recent.iter_mut().find(|record| record.id == request) {
            record.lost = true;
        }
    }

    pub fn rolled_back(&mut self) {
        self.stats.rollbacks += 1;
    }

    /// The reply reached the client: count it and check the session's guarantees. Returns the
    /// client when this was its console statement running, so the next one goes.
    pub fn finish(
        &mut self,
        request: RequestId,
        error: Option<String>,
        now: Time,
        timelines: &Timelines,
        metrics: &mut Metrics,
    ) -> Option<ClientId> {
        let (mut record, expected) = self.in_flight.remove(request)?;
        record.completed_at = Some(now);
        let latency = now - record.issued_at;
        let session = &mut self.sessions[record.client];
        let completion = match (error, &record.outcome) {
            (Some(reason), _) => {
                record.in_doubt = record.logged_write();
                record.outcome = Some(Outcome::Failed { reason });
                if record.is_read() {
                    self.stats.reads_failed += 1;
                } else {
                    self.stats.writes_failed += 1;
                }
                Completion::Failed
            }
            (None, Some(Outcome::Rows { node_at, .. })) => {
                // A SELECT names no single row, so it misses the client's own write when its
                // answer is stale and the node had not applied the client's last write
                // acknowledged when it was issued: what a causal token (MaxScale's
                // causal_reads) would have waited for.
                let has_it =
                    (expected.last_commit).is_none_or(|token| timelines.contains(node_at.timeline, node_at.lsn, token));
                record.ryw_violation = record.is_stale() && !has_it;
                self.stats.reads_completed += 1;
                self.stats.stale_reads += u64::from(record.is_stale());
                self.stats.ryw_violations += u64::from(record.ryw_violation);
                Completion::Read { stale: record.is_stale(), latency }
            }
            (None, Some(Outcome::Changed { at, .. })) => {
                if let Some(at) = at {
                    session.on_commit(*at);
                }
                self.stats.writes_acked += 1;
                Completion::Write { latency }
            }
            (None, Some(Outcome::Read { row, .. })) => {
                let key = record.key().expect("user reads name a user");
                let violations = session.on_read(key, row.as_ref().map_or(0, |row| row.write), expected, now);
                record.ryw_violation = violations.read_your_writes;
                record.monotonic_violation = violations.monotonic;
                self.stats.reads_completed += 1;
                self.stats.stale_reads += u64::from(record.is_stale());
                self.stats.ryw_violations += u64::from(violations.read_your_writes);
                self.stats.monotonic_violations += u64::from(violations.monotonic);
                Completion::Read { stale: record.is_stale(), latency }
            }
            (None, Some(Outcome::Logged { at, write, .. })) => {
                let key = record.key().expect("user writes name a user");
                session.on_write_acked(key, *write, *at, now);
                if let Op::Write { name, .. } = &record.op {
                    let told = Acknowledged { call: record.issued_at, answer: now, write: *write, name: name.clone() };
                    self.acknowledged.acknowledged(key, told);
                }
                self.stats.writes_acked += 1;
                Completion::Write { latency }
            }
            (None, _) => unreachable!("a node answers only after recording an outcome"),
        };
        metrics.record(completion);
        let client = record.client;
        if let Op::Sql { .. } = record.op {
            if self.sql_log.len() == RECENT_LIMIT {
                self.sql_log.pop_front();
            }
            self.sql_log.push_back(record.clone());
        }
        if self.recent.len() == RECENT_LIMIT
            && let Some(oldest) = self.recent.pop_front()
        {
            // A write in doubt may still take effect (a restarted master commits what it
            // logged, a lagging replica applies it later): it is kept apart for the history,
            // and moves the horizon only once it leaves that too.
            let leaving = if oldest.in_doubt.is_some() {
                self.in_doubt.push_back(oldest);
                (self.in_doubt.len() > RECENT_LIMIT).then(|| self.in_doubt.pop_front()).flatten()
            } else {
                Some(oldest)
            };
            if let Some(left) = leaving {
                self.recent_horizon =
                    self.recent_horizon.max(left.completed_at.expect("finished requests have finished"));
                self.acknowledged.forget_until(self.recent_horizon);
            }
        }
        self.recent.push_back(record);
        (self.sessions[client].sql_running == Some(request)).then_some(client)
    }
}
