//! Answering a read, and the one place that decides whether the answer is stale: beside the
//! master's committed answer at the same instant. A causal read that reached a replica before
//! the write it must see waits there (MaxScale's causal_reads) until the replica applies it or
//! the timeout sends it to the master.

use std::rc::Rc;

use super::{Cluster, Ctx};
use crate::cluster::node::{Job, Query};
use crate::data::{Database, Key, Row};
use crate::ids::{NodeId, RequestId};
use crate::request::Outcome;
use crate::sql::{self, Select, SqlError, Statement};
use crate::time::Time;
use crate::timeline::Position;

impl Cluster {
    /// Answers a read from the node's data (the master answers from what it has committed),
    /// beside the master's committed answer at the same instant. The answer is stale when the
    /// node had not applied everything the master committed and the two answers differ.
    pub(super) fn finish_read(&mut self, id: NodeId, request: RequestId, query: &Query, cx: &mut Ctx) {
        let is_master = id == self.master;
        let data = if is_master { &self.master_log.visible } else { &self.machines[id].data };
        let behind = !is_master && self.machines[id].positions.applied < self.master_log.committed_lsn;
        let node_lag = if is_master { Time::ZERO } else { self.lag(id, cx.now).1 };
        let node_at = Position {
            timeline: self.machines[id].timeline,
            lsn: if is_master { self.master_log.committed_lsn } else { self.machines[id].positions.applied },
        };
        let committed = &self.master_log.visible;
        let outcome = match query {
            Query::User(key) => user_answer(data.user(*key).cloned(), committed, *key, behind, node_lag),
            Query::Select(parsed) => {
                let Statement::Select(select) = &parsed.statement else { unreachable!("reads carry SELECTs") };
                match select_answer(data, committed, select, (behind, node_lag, node_at), None) {
                    Ok(outcome) => outcome,
                    Err(error) => {
                        // The error is the node's own answer: a table not yet replicated there
                        // is unknown to it.
                        self.machines[id].reads_served += 1;
                        self.set_outcome(request, id, Outcome::Failed { reason: error.to_string() }, cx);
                        cx.reply(id, request, Some(error.to_string()));
                        return;
                    }
                }
            }
        };
        self.machines[id].reads_served += 1;
        cx.read_served(id);
        self.set_outcome(request, id, outcome, cx);
        cx.reply(id, request, None);
    }

    /// Answers a read from a MongoDB member's read model, beside the master's committed answer
    /// at the same instant: stale when the member's read model had not reached everything the
    /// master committed and the two answers differ. A document can also be ahead of the
    /// master's readers: a commit waiting for a synchronous standby is decoded already.
    pub(super) fn finish_document_read(&mut self, id: NodeId, request: RequestId, query: &Query, cx: &mut Ctx) {
        let Some(member) = self.machines.member(id) else { return };
        let (timeline, applied) = member.applied();
        let committed = Position { timeline: self.master_log.timeline, lsn: self.master_log.committed_lsn };
        let behind = !self.timelines.contains(timeline, applied, committed);
        let node_lag = match self.master_log.logged_at(applied + 1) {
            Some(since) if behind => cx.now - since,
            _ => Time::ZERO,
        };
        let node_at = Position { timeline, lsn: applied };
        let committed = &self.master_log.visible;
        let outcome = match query {
            Query::User(key) => {
                let row = member.user(*key).and_then(|document| document.row.clone());
                user_answer(row, committed, *key, behind, node_lag)
            }
            Query::Select(parsed) => {
                let Statement::Select(select) = &parsed.statement else { unreachable!("reads carry SELECTs") };
                // Folded as PostgreSQL folds a name (and the parser does): its ASCII letters only.
                let schema = committed.table(&select.table.text.to_ascii_lowercase()).map(|table| &table.schema);
                let select = schema.map_or_else(|| select.clone(), |schema| sql::resolve_id(select, schema));
                let mongo_query = schema.and_then(|schema| sql::find_text(&select, schema));
                let read_model = member.as_database(committed);
                select_answer(&read_model, committed, &select, (behind, node_lag, node_at), mongo_query)
                    .unwrap_or_else(|error| Outcome::Failed { reason: error.to_string() })
            }
        };
        let error = match &outcome {
            Outcome::Failed { reason } => Some(reason.clone()),
            _ => None,
        };
        if let Some(member) = self.machines.member_mut(id) {
            member.reads_served += 1;
        }
        cx.read_served(id);
        cx.served(request, id, None, false, outcome);
        cx.reply(id, request, error);
    }

    /// Serves the parked causal reads that the replica's progress now allows.
    pub(super) fn release_parked(&mut self, id: NodeId, cx: &mut Ctx) {
        let parked = std::mem::take(&mut self.machines[id].parked);
        let (ready, waiting): (Vec<_>, Vec<_>) = parked.into_iter().partition(|read| self.has_applied(id, read.token));
        self.machines[id].parked = waiting;
        for read in ready {
            self.finish_read(id, read.request, &read.query, cx);
        }
    }

    pub(super) fn on_causal_timeout(&mut self, id: NodeId, request: RequestId, cx: &mut Ctx) {
        let parked = &mut self.machines[id].parked;
        let Some(index) = parked.iter().position(|read| read.request == request) else {
            return;
        };
        let read = parked.remove(index);
        // As MaxScale's causal_reads: past the timeout the read is retried on the master.
        let job = Job::Read { request, query: read.query, token: Some(read.token) };
        cx.retry(request, self.master, job);
    }
}

/// A user's row as the serving copy has it, beside the master's committed one: stale when the
/// copy is behind and the two differ.
fn user_answer(row: Option<Rc<Row>>, committed: &Database, key: Key, behind: bool, node_lag: Time) -> Outcome {
    let master_row = committed.user(key).cloned();
    let stale = behind && row != master_row;
    Outcome::Read { row, master_row, stale, node_lag }
}

/// A SELECT's answer from `data`, beside the master's committed one: stale when the copy is
/// behind and the two differ. `Err` when the copy cannot answer it.
fn select_answer(
    data: &Database,
    committed: &Database,
    select: &Select,
    (behind, node_lag, node_at): (bool, Time, Position),
    mongo_query: Option<String>,
) -> Result<Outcome, SqlError> {
    let result = sql::query(data, select)?;
    let master_result = sql::query(committed, select).ok().filter(|master| behind && result != *master);
    Ok(Outcome::Rows { result, master_result, node_lag, node_at, mongo_query })
}
