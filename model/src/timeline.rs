//! Timelines: every failover starts a new history that forks off the promoted replica's at the
//! position it had reached, as PostgreSQL's timelines do. A position is a (timeline, LSN) pair,
//! and the same LSN on two timelines can name two different writes, so whether one position is
//! part of another's history is a question for the timelines, not a comparison of numbers.

use crate::data::Lsn;

/// A history: the one it forked off, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fork {
    parent: usize,
    at: Lsn,
}

/// Every timeline of a run; the first is 1, as in PostgreSQL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timelines {
    /// Index 0 is timeline 1, which forks off nothing.
    forks: Vec<Option<Fork>>,
}

impl Default for Timelines {
    fn default() -> Self {
        Timelines { forks: vec![None] }
    }
}

/// A position in a history: the timeline (from 1) and the LSN on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub timeline: usize,
    pub lsn: Lsn,
}

impl Timelines {
    pub const FIRST: usize = 1;

    /// A new timeline forking off `parent` at `at`; its number.
    pub fn fork(&mut self, parent: usize, at: Lsn) -> usize {
        self.forks.push(Some(Fork { parent, at }));
        self.forks.len()
    }

    /// Where `branch`'s history leaves `timeline`'s: the last LSN they share (0 when they share
    /// nothing but the start).
    pub fn fork_point(&self, timeline: usize, branch: usize) -> Lsn {
        let (mut current, mut limit) = (timeline, Lsn::MAX);
        loop {
            if current == branch {
                return limit;
            }
            match self.forks.get(current.wrapping_sub(1)).copied().flatten() {
                Some(fork) => {
                    limit = limit.min(fork.at);
                    current = fork.parent;
                }
                None => return 0,
            }
        }
    }

    /// Whether `position` is part of the history of `timeline` up to `lsn`: the same
    /// timeline at or before `lsn`, or an ancestor's at or before where the line forked.
    pub fn contains(&self, timeline: usize, lsn: Lsn, position: Position) -> bool {
        let (mut current, mut limit) = (timeline, lsn);
        loop {
            if current == position.timeline {
                return position.lsn <= limit;
            }
            match self.forks.get(current.wrapping_sub(1)).copied().flatten() {
                Some(fork) => {
                    limit = limit.min(fork.at);
                    current = fork.parent;
                }
                None => return false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_belongs_to_a_history_only_up_to_where_it_forked() {
        let mut timelines = Timelines::default();
        let second = timelines.fork(Timelines::FIRST, 5);
        let third = timelines.fork(second, 8);
        let at = |timeline, lsn| Position { timeline, lsn };
        assert!(timelines.contains(third, 20, at(1, 5)), "before the first fork");
        assert!(!timelines.contains(third, 20, at(1, 6)), "timeline 1 past its fork is another history");
        assert!(timelines.contains(third, 20, at(2, 8)));
        assert!(!timelines.contains(third, 20, at(2, 9)));
        assert!(timelines.contains(third, 20, at(3, 20)));
        assert!(!timelines.contains(third, 19, at(3, 20)), "not yet there");
        assert!(!timelines.contains(Timelines::FIRST, 100, at(2, 3)), "a parent does not hold its child's writes");
    }
}
