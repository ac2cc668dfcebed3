//! Things that happen to the cluster as a whole, kept for the page's event log.

use std::collections::VecDeque;

use crate::data::Lsn;
use crate::time::Time;
use crate::words::plural;

/// How many cluster events the model remembers.
pub const EVENT_LIMIT: usize = 50;

/// Adds an event to the log, forgetting the oldest past `EVENT_LIMIT`.
pub(crate) fn note(log: &mut VecDeque<ClusterEvent>, at: Time, kind: EventKind) {
    if log.len() == EVENT_LIMIT {
        log.pop_front();
    }
    log.push_back(ClusterEvent { at, kind });
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// The write at `lsn` was not confirmed by enough replicas within the semi-sync timeout:
    /// `confirmed` had it, `missing` had not.
    FellBackToAsync {
        waited_ms: u64,
        lsn: Lsn,
        confirmed: Vec<String>,
        missing: Vec<String>,
    },
    /// The replicas caught up and the master waits for them again.
    BackToSync,
    Crashed {
        node: String,
        reason: String,
    },
    Restarted {
        node: String,
    },
    LinkCut {
        node: String,
    },
    LinkHealed {
        node: String,
    },
    /// The master dropped a silent replica's connection after `wal_sender_timeout`.
    SenderTimeout {
        node: String,
        waited_ms: u64,
    },
    /// `node` became the master at log position `lsn`, starting `timeline`.
    Promoted {
        node: String,
        lsn: Lsn,
        timeline: usize,
    },
    /// A node has records (`beyond` of them) past the fork of the master's timeline.
    Diverged {
        node: String,
        fork: Lsn,
        timeline: usize,
        beyond: u64,
    },
    /// The master no longer has the WAL a replica needs, from `lsn` on.
    WalRemoved {
        node: String,
        lsn: Lsn,
    },
    /// Commits waiting for synchronous standbys were cancelled (pg_cancel_backend).
    WaitsCancelled {
        count: usize,
    },
    /// A replication slot held back more WAL than the master keeps for slots.
    SlotInvalidated {
        node: String,
        kept: u64,
    },
    /// A logical replication slot held back more WAL than the master keeps for slots.
    LogicalSlotInvalidated {
        slot: String,
        kept: u64,
    },
    /// pg_rewind took a diverged node back to the fork; it follows again.
    Rewound {
        node: String,
        fork: Lsn,
    },
    /// A failover manager that rewinds could not: `why` says what is missing.
    RewindRefused {
        node: String,
        why: String,
    },
    /// Acknowledged writes the new master never received.
    WritesLost {
        lsns: Vec<Lsn>,
    },
    /// Acknowledged writes the master had not yet flushed when it crashed (`off`).
    LostInCrash {
        node: String,
        lsns: Vec<Lsn>,
    },
    /// A replica too far behind for the master's log was copied afresh.
    BaseBackup {
        node: String,
        lsn: Lsn,
    },
    /// Automatic failover found no replica to promote.
    NoFailoverCandidate,
    /// The connector snapshotted the master at source LSN `lsn` on `timeline` into a new read
    /// model; the old one had reached `gap_from` (timeline, LSN), and what was committed after
    /// that came with the snapshot, not change by change.
    ReadModelSnapshot {
        lsn: Lsn,
        timeline: usize,
        gap_from: Option<(usize, Lsn)>,
    },
    /// The connector delivered `count` changes again that the member's documents already
    /// reflected: it skipped them.
    Redelivered {
        node: String,
        count: u64,
    },
    /// A MongoDB member became the primary; the old primary's writes after `rolled_back.0` up
    /// to `rolled_back.1` (source LSNs) were never copied, and are rolled back.
    MongoElected {
        node: String,
        rolled_back: Option<(Lsn, Lsn)>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterEvent {
    pub at: Time,
    pub kind: EventKind,
}

impl ClusterEvent {
    pub fn describe(&self) -> String {
        match &self.kind {
            EventKind::FellBackToAsync { waited_ms, lsn, confirmed, missing } => {
                let had = match confirmed.as_slice() {
                    [] => "no replica had".to_string(),
                    confirmed => format!("{} had", confirmed.join(", ")),
                };
                format!(
                    "after {waited_ms} ms {} had not confirmed LSN {lsn}; {had}: the master falls back to async and acknowledges without waiting",
                    missing.join(", ")
                )
            }
            EventKind::BackToSync => "the replicas caught up: the master waits for them again".to_string(),
            EventKind::Crashed { node, reason } => format!("{node} crashed: {reason}"),
            EventKind::Restarted { node } => format!("{node} restarted"),
            EventKind::LinkCut { node } => format!("the replication link to {node} is cut"),
            EventKind::LinkHealed { node } => format!("the replication link to {node} is back"),
            EventKind::SenderTimeout { node, waited_ms } => format!(
                "the master heard nothing from {node} for {waited_ms} ms and dropped its connection (wal_sender_timeout): it is no longer a synchronous standby"
            ),
            EventKind::Promoted { node, lsn, timeline } => {
                format!("{node} was promoted to master at LSN {lsn}: timeline {timeline} begins")
            }
            EventKind::Diverged { node, fork, timeline, beyond } => format!(
                "{node} refuses to follow: timeline {timeline} forked off its history at LSN {fork} and it has {beyond} more (rewind or rebuild it)"
            ),
            EventKind::WalRemoved { node, lsn } => format!(
                "{node} cannot catch up: the master no longer has the WAL from LSN {lsn} (\"requested WAL segment has already been removed\"): rebuild it"
            ),
            EventKind::WaitsCancelled { count } => format!(
                "{} cancelled (pg_cancel_backend): acknowledged with a warning, committed on the master without a replica",
                plural(*count as u64, "waiting commit was", "waiting commits were")
            ),
            EventKind::SlotInvalidated { node, kept } => format!(
                "{node}'s replication slot held back {kept} log entries, the most kept for slots (max_slot_wal_keep_size): it was invalidated, and {node} will need a rebuild"
            ),
            EventKind::LogicalSlotInvalidated { slot, kept } => format!(
                "the logical replication slot {slot} held back {kept} log entries, the most kept for slots (max_slot_wal_keep_size): it was invalidated (wal_status lost), and its consumer can never resume from it: the read model needs a new snapshot"
            ),
            EventKind::Rewound { node, fork } => {
                format!("{node} was rewound to LSN {fork} (pg_rewind) and follows the master again")
            }
            EventKind::RewindRefused { node, why } => {
                format!("{node} stays diverged: the automatic rewind was refused: {why}")
            }
            EventKind::WritesLost { lsns } => format!(
                "{} lost in the failover (LSN {})",
                plural(lsns.len() as u64, "acknowledged write was", "acknowledged writes were"),
                lsns.iter().map(|lsn| lsn.to_string()).collect::<Vec<_>>().join(", ")
            ),
            EventKind::LostInCrash { node, lsns } => format!(
                "{} lost in {node}'s crash: synchronous_commit = off acknowledged them before they were on disk (LSN {})",
                plural(lsns.len() as u64, "acknowledged write was", "acknowledged writes were"),
                lsns.iter().map(|lsn| lsn.to_string()).collect::<Vec<_>>().join(", ")
            ),
            EventKind::BaseBackup { node, lsn } => {
                format!("{node} was rebuilt from a new base backup of the master, at LSN {lsn}")
            }
            EventKind::NoFailoverCandidate => "automatic failover found no replica that is up".to_string(),
            EventKind::ReadModelSnapshot { lsn, timeline, gap_from: None } => format!(
                "cdc-1 created the logical slot cdc and snapshotted the master into the read model, at LSN {lsn} (timeline {timeline}); it streams every later commit"
            ),
            EventKind::ReadModelSnapshot { lsn, timeline, gap_from: Some((from_timeline, from)) } => format!(
                "cdc-1 had no slot to resume from: a new slot, and a new snapshot at LSN {lsn} (timeline {timeline}). The read model had reached LSN {from} (timeline {from_timeline}): what was committed in between arrived only with the snapshot, not change by change, and reads meanwhile missed it"
            ),
            EventKind::Redelivered { node, count } => format!(
                "cdc-1 delivered {} again after resuming from its slot; {node} skipped them, as its documents already reflected them (at-least-once delivery, an idempotent sink)",
                plural(*count, "change", "changes")
            ),
            EventKind::MongoElected { node, rolled_back: None } => format!("{node} was elected MongoDB primary"),
            EventKind::MongoElected { node, rolled_back: Some((from, to)) } => format!(
                "{node} was elected MongoDB primary; the old primary had acknowledged writes up to source LSN {to} that {node} had only to {from}: MongoDB rolls them back (write concern w: 1), and the read model misses them"
            ),
        }
    }
}
