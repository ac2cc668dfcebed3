//! What reaches a PostgreSQL server (a message, one of its timers), handed to the handler it
//! concerns: the server's room (`server.rs`, `standby.rs`) or, for what concerns the master's
//! side of replication, the cluster's handlers (`commit.rs`, `wal.rs`, `failure.rs`). With
//! `machine.rs` above it, it is the top of the cluster's calls: no handler calls back into it.

use super::{Cluster, Ctx};
use crate::data::Lsn;
use crate::ids::{NodeId, RequestId};
use crate::network::{Endpoint, Payload};

impl Cluster {
    /// A message reached a PostgreSQL server.
    pub(super) fn postgres_receives(&mut self, from: Endpoint, to: NodeId, payload: Payload, cx: &mut Ctx) {
        // Replication sent before a link was cut, and still on its way, is lost with it.
        let crosses_cut = |cx: &Ctx| cx.network.crosses_cut(from, Endpoint::Node(to), self.master_id());
        match payload {
            Payload::Request(job) => self.arrive(to, job, cx),
            Payload::Replicate { timeline, entry } if !crosses_cut(cx) => {
                self.in_room(to, cx, |standby, seen, wants| standby.receive(timeline, entry, seen, wants));
            }
            Payload::Ack { timeline, positions } if !crosses_cut(cx) => {
                if let Endpoint::Node(replica) = from
                    && to == self.master_id()
                {
                    self.on_ack(replica, timeline, positions, cx);
                }
            }
            Payload::Confirm { lsn } if to == self.master_id() && !crosses_cut(cx) => self.on_confirm(lsn, cx),
            Payload::Replicate { .. } | Payload::Ack { .. } | Payload::Confirm { .. } => {}
            Payload::Decoded { .. } | Payload::MongoWrite { .. } | Payload::MongoAck { .. } | Payload::Oplog { .. } => {
                unreachable!("the read side's messages go to the read side")
            }
            Payload::Reply { .. } => unreachable!("replies go to clients"),
        }
    }

    /// One of a PostgreSQL server's timers went off.
    pub(super) fn postgres_timer(&mut self, node: NodeId, timer: Timer, cx: &mut Ctx) {
        match timer {
            Timer::ServiceDone => self.service_done(node, cx),
            Timer::Flush(lsn) => self.in_room(node, cx, |standby, seen, wants| standby.flushed(lsn, seen, wants)),
            Timer::Apply => self.in_room(node, cx, |standby, seen, wants| standby.apply_next(seen, wants)),
            Timer::SemiSyncTimeout(lsn) => self.on_semi_sync_timeout(lsn, cx),
            Timer::CausalTimeout(request) => self.on_causal_timeout(node, request, cx),
            Timer::FailoverCheck => self.on_failover_check(node, cx),
            Timer::WalWriter => self.flush_master_wal(cx),
            Timer::SenderTimeout(replica, changes) => self.on_sender_timeout(replica, changes, cx),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// A PostgreSQL server's timers, set in one life of the server (see `Cluster::schedule`).
pub(crate) enum Timer {
    /// The request in service is done.
    ServiceDone,
    /// A received log entry is on disk.
    Flush(Lsn),
    /// The next flushed entry is applied.
    Apply,
    /// The write at this position has waited the semi-sync timeout.
    SemiSyncTimeout(Lsn),
    /// A parked causal read has waited long enough and goes to the master.
    CausalTimeout(RequestId),
    /// The master has been down the failover timeout.
    FailoverCheck,
    /// The master's WAL writer flushes what `off` commits left unflushed.
    WalWriter,
    /// The master has heard nothing from a cut-off replica for `wal_sender_timeout` (the
    /// link's change count when it was cut).
    SenderTimeout(NodeId, u64),
}
