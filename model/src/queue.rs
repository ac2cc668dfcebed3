//! Pending events ordered by delivery time; events due at the same instant keep the order in
//! which they were scheduled, so a run never depends on the structure's internals.

use std::collections::{BTreeMap, VecDeque};

use crate::time::Time;

/// At most this many lanes; what fits none waits in the tree.
const MOST_LANES: usize = 16;

/// An empty lane's first event, after every real one (no run schedules 2^64 events).
const NONE_DUE: (Time, u64) = (Time(u64::MAX), u64::MAX);

/// Events in lanes, each lane in time order: most events are due a fixed delay after they are
/// scheduled (a link's distance, a replica's lag, a service time), so the events of one delay
/// arrive in time order and join the back of one lane, and the next event due is at the front
/// of one of a few lanes. What fits behind no lane (random jitter scatters events) waits in a
/// tree. An overloaded run keeps ten thousand events pending at nearly as many distinct times,
/// where the tree alone spent a quarter of the model's time.
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    lanes: Vec<VecDeque<Pending<E>>>,
    /// Each lane's first event's time and scheduling order (`NONE_DUE`: empty) and its last
    /// event's time (none: empty), beside the lanes, so that choosing one reads a few words.
    firsts: Vec<(Time, u64)>,
    lasts: Vec<Option<Time>>,
    /// Events that fit behind no lane, by time and scheduling order.
    scattered: BTreeMap<(Time, u64), E>,
    /// Counts pushes: orders events due at the same instant.
    scheduled: u64,
    len: usize,
}

#[derive(Clone, Debug)]
struct Pending<E> {
    at: Time,
    order: u64,
    event: E,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue {
            lanes: Vec::new(),
            firsts: Vec::new(),
            lasts: Vec::new(),
            scattered: BTreeMap::new(),
            scheduled: 0,
            len: 0,
        }
    }
}

impl<E> EventQueue<E> {
    pub fn push(&mut self, at: Time, event: E) {
        let order = self.scheduled;
        self.scheduled += 1;
        self.len += 1;
        // Behind the lane whose last event is latest but not after `at`, keeping the lanes
        // tight; else an empty lane, or a new one.
        let mut best: Option<(usize, Option<Time>)> = None;
        for (index, &last) in self.lasts.iter().enumerate() {
            if last.is_none_or(|last| last <= at) && best.is_none_or(|(_, best)| last > best) {
                best = Some((index, last));
            }
        }
        let index = match best {
            Some((index, _)) => index,
            None if self.lanes.len() < MOST_LANES => {
                self.lanes.push(VecDeque::new());
                self.firsts.push(NONE_DUE);
                self.lasts.push(None);
                self.lanes.len() - 1
            }
            None => {
                self.scattered.insert((at, order), event);
                return;
            }
        };
        if self.lanes[index].is_empty() {
            self.firsts[index] = (at, order);
        }
        self.lasts[index] = Some(at);
        self.lanes[index].push_back(Pending { at, order, event });
    }

    /// The lane whose first event is due first (by time, then scheduling order), and that event's
    /// time and order; `NONE_DUE` when every lane is empty.
    fn first_lane(&self) -> (usize, (Time, u64)) {
        let mut first = (0, NONE_DUE);
        for (index, &due) in self.firsts.iter().enumerate() {
            if due < first.1 {
                first = (index, due);
            }
        }
        first
    }

    /// When the earliest pending event is due.
    pub fn next_time(&self) -> Option<Time> {
        let (_, (lane, _)) = self.first_lane();
        let scattered = self.scattered.first_key_value().map(|(&(at, _), _)| at);
        let first = scattered.map_or(lane, |scattered| scattered.min(lane));
        (self.len > 0).then_some(first)
    }

    /// Removes the earliest event if it is due at or before `limit`.
    pub fn pop_due(&mut self, limit: Time) -> Option<(Time, E)> {
        let (index, due) = self.first_lane();
        let scattered = self.scattered.first_key_value().map(|(&key, _)| key);
        let (at, event) = if scattered.is_none_or(|scattered| due < scattered) {
            if due.0 > limit || due == NONE_DUE {
                return None;
            }
            let lane = &mut self.lanes[index];
            let pending = lane.pop_front()?;
            match lane.front() {
                Some(next) => self.firsts[index] = (next.at, next.order),
                None => (self.firsts[index], self.lasts[index]) = (NONE_DUE, None),
            }
            (pending.at, pending.event)
        } else {
            let first = self.scattered.first_entry()?;
            let at = first.key().0;
            if at > limit {
                return None;
            }
            (at, first.remove())
        };
        self.len -= 1;
        Some((at, event))
    }

    /// Pending events in no particular order (for drawing messages in flight).
    pub fn iter(&self) -> impl Iterator<Item = (Time, &E)> {
        let lanes = self.lanes.iter().flatten().map(|pending| (pending.at, &pending.event));
        lanes.chain(self.scattered.iter().map(|(&(at, _), event)| (at, event)))
    }

    pub fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;

    #[test]
    fn pops_by_time_then_insertion_order() {
        let mut queue = EventQueue::default();
        queue.push(Time(5), "late");
        queue.push(Time(1), "first");
        queue.push(Time(1), "second");
        assert_eq!(queue.pop_due(Time(0)), None);
        assert_eq!(queue.pop_due(Time(10)), Some((Time(1), "first")));
        assert_eq!(queue.pop_due(Time(10)), Some((Time(1), "second")));
        assert_eq!(queue.pop_due(Time(4)), None);
        assert_eq!(queue.pop_due(Time(5)), Some((Time(5), "late")));
        assert_eq!(queue.len(), 0);
    }

    /// Pushes and pops interleaved as a run does, each push a delay after the clock: a few
    /// fixed delays (which the lanes take), or random ones (which overflow into the tree). The
    /// events come out as a stable sort by time of everything pushed would have them.
    #[test]
    fn events_come_out_by_time_then_scheduling_order() {
        for random_delays in [false, true] {
            let mut rng = SimRng::new(5);
            let mut queue = EventQueue::default();
            let (mut pending, mut popped, mut expected) = (Vec::new(), Vec::new(), Vec::new());
            let (mut now, mut scattered) = (0, false);
            for event in 0..20_000u64 {
                let delay = if random_delays { rng.below(500) } else { [0, 7, 50, 1_000][rng.below(4) as usize] };
                queue.push(Time(now + delay), event);
                pending.push((Time(now + delay), event));
                scattered |= !queue.scattered.is_empty();
                if event % 3 == 0 {
                    now += rng.below(20);
                    pending.sort_by_key(|&(at, _)| at);
                    let due = pending.iter().take_while(|&&(at, _)| at.0 <= now).count();
                    expected.extend(pending.drain(..due));
                    while let Some(next) = queue.pop_due(Time(now)) {
                        popped.push(next);
                    }
                    assert_eq!(queue.len(), pending.len());
                    assert_eq!(queue.next_time(), pending.first().map(|&(at, _)| at));
                }
            }
            assert!(popped.len() > 10_000, "{} popped", popped.len());
            assert_eq!(popped, expected, "random delays: {random_delays}");
            assert_eq!(queue.iter().count(), pending.len());
            assert_eq!(scattered, random_delays, "fixed delays fit the lanes, random ones overflow them");
        }
    }
}
