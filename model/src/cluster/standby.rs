//! A PostgreSQL standby's side of replication, as a room: a replica receives each log entry of
//! its stream, flushes and applies them in order, and reports how far it got. It changes only
//! its own state and asks for the rest (its reports, its timers) as [`Want`]s.

use std::rc::Rc;

use super::out::{Seen, Want, Wants};
use crate::Timer;
use crate::cluster::node::{Follow, Node};
use crate::data::{LogEntry, Lsn};
use crate::network::Payload;
use crate::time::Time;

impl Node {
    /// The next entry of its stream arrived.
    pub(super) fn receive(&mut self, timeline: usize, entry: Rc<LogEntry>, seen: &Seen, wants: &mut Wants) {
        // An entry from a deposed master, or one this replica has or cannot place yet (a gap
        // after a cut or a crash; the catch-up resends it in order), is dropped.
        let streams = self.follow == Follow::Streaming && self.timeline == timeline;
        if timeline != seen.master_timeline
            || !streams
            || !self.is_up()
            || self.is_master()
            || entry.lsn != self.positions.received + 1
        {
            return;
        }
        self.positions.received = entry.lsn;
        let lsn = entry.lsn;
        self.pending.push_back(entry);
        let flush_at = (seen.now + Time::from_millis(seen.config.flush_ms)).max(self.flush_tail);
        self.flush_tail = flush_at;
        wants.push(Want::After(flush_at - seen.now, Timer::Flush(lsn)));
        self.report(wants);
    }

    /// A received entry is on its disk.
    pub(super) fn flushed(&mut self, lsn: Lsn, seen: &Seen, wants: &mut Wants) {
        self.positions.flushed = self.positions.flushed.max(lsn);
        self.report(wants);
        self.start_apply(seen, wants);
    }

    /// Applies the next flushed entry after the time one apply takes, and no sooner than its
    /// apply delay after the master logged it.
    pub(super) fn start_apply(&mut self, seen: &Seen, wants: &mut Wants) {
        let Some(next) = self.pending.front().filter(|entry| entry.lsn <= self.positions.flushed) else { return };
        if self.applying || !self.is_up() {
            return;
        }
        let per_entry = Time((1_000_000 / seen.config.apply_rate).max(1));
        let after = per_entry.max((next.logged_at + self.apply_delay) - seen.now);
        self.applying = true;
        wants.push(Want::After(after, Timer::Apply));
    }

    /// The entry it was applying is applied.
    pub(super) fn apply_next(&mut self, seen: &Seen, wants: &mut Wants) {
        self.applying = false;
        let Some(entry) = self.pending.pop_front() else {
            return;
        };
        self.data.replay(&entry);
        self.positions.applied = entry.lsn;
        self.report(wants);
        wants.push(Want::ServeParked);
        self.start_apply(seen, wants);
    }

    /// Tells the master its positions (PostgreSQL's standby status update).
    pub(super) fn report(&self, wants: &mut Wants) {
        wants.push(Want::ToMaster(Payload::Ack { timeline: self.timeline, positions: self.positions }));
    }
}
