//! Pending events ordered by delivery time; events due at the same instant keep the order in
//! which they were scheduled, so a run never depends on heap internals.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::time::Time;

/// Events are kept in slots; the heap orders only small keys pointing at them, so its sifting
/// moves 24 bytes per step rather than whole events.
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<(Time, u64, usize)>>,
    slots: Vec<Option<E>>,
    free: Vec<usize>,
    next_seq: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        EventQueue { heap: BinaryHeap::new(), slots: Vec::new(), free: Vec::new(), next_seq: 0 }
    }
}

impl<E> EventQueue<E> {
    pub fn push(&mut self, at: Time, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slots[slot] = Some(event);
                slot
            }
            None => {
                self.slots.push(Some(event));
                self.slots.len() - 1
            }
        };
        self.heap.push(Reverse((at, seq, slot)));
    }

    /// When the earliest pending event is due.
    pub fn next_time(&self) -> Option<Time> {
        self.heap.peek().map(|Reverse((at, _, _))| *at)
    }

    /// Removes the earliest event if it is due at or before `limit`.
    pub fn pop_due(&mut self, limit: Time) -> Option<(Time, E)> {
        if self.next_time()? > limit {
            return None;
        }
        let Reverse((at, _, slot)) = self.heap.pop()?;
        self.free.push(slot);
        self.slots[slot].take().map(|event| (at, event))
    }

    /// Pending events in no particular order (for drawing messages in flight).
    pub fn iter(&self) -> impl Iterator<Item = (Time, &E)> {
        self.heap.iter().filter_map(|Reverse((at, _, slot))| self.slots[*slot].as_ref().map(|event| (*at, event)))
    }

    pub fn len(&self) -> usize {
        self.heap.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
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
        assert!(queue.is_empty());
    }
}
