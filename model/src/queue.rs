//! Pending events ordered by delivery time; events due at the same instant keep the order in
//! which they were scheduled, so a run never depends on the structure's internals.

use std::collections::{BTreeMap, VecDeque};

use crate::time::Time;

/// Events grouped by their time, each group in scheduling order: many events share a time
/// (every replica's copy of a log entry, say), so this does fewer comparisons and moves than
/// a heap of all events.
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    by_time: BTreeMap<Time, VecDeque<E>>,
    /// Emptied groups, kept to hold the next new time without allocating.
    spare: Vec<VecDeque<E>>,
    len: usize,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue { by_time: BTreeMap::new(), spare: Vec::new(), len: 0 }
    }
}

impl<E> EventQueue<E> {
    pub fn push(&mut self, at: Time, event: E) {
        let spare = &mut self.spare;
        self.by_time.entry(at).or_insert_with(|| spare.pop().unwrap_or_default()).push_back(event);
        self.len += 1;
    }

    /// When the earliest pending event is due.
    pub fn next_time(&self) -> Option<Time> {
        self.by_time.first_key_value().map(|(at, _)| *at)
    }

    /// Removes the earliest event if it is due at or before `limit`.
    pub fn pop_due(&mut self, limit: Time) -> Option<(Time, E)> {
        let mut group = self.by_time.first_entry()?;
        let at = *group.key();
        if at > limit {
            return None;
        }
        let event = group.get_mut().pop_front()?;
        if group.get().is_empty() {
            self.spare.push(group.remove());
        }
        self.len -= 1;
        Some((at, event))
    }

    /// Pending events in no particular order (for drawing messages in flight).
    pub fn iter(&self) -> impl Iterator<Item = (Time, &E)> {
        self.by_time.iter().flat_map(|(at, group)| group.iter().map(move |event| (*at, event)))
    }

    pub fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
