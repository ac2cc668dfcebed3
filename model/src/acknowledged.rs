//! What clients were told of each user's writes over the recent past, for the history's start:
//! when its window opens, the user's register holds the value of one of the writes acknowledged
//! by then that no other acknowledged write followed in real time. When that is one write, the
//! start is known; when it is several (acknowledged at overlapping times), or a console
//! statement wrote the user (it may have deleted the row, which a register cannot say), the
//! start is left unknown. Commits are not used: a commit nobody was told of (a write in doubt,
//! an acknowledgement still on its way) may take effect, for the client, at any later moment.

use std::collections::{BTreeMap, VecDeque};

use crate::data::{self, Database, Key, USERS, Value};
use crate::order::map_of;
use crate::time::Time;

/// The most changes kept after `since`; past it the oldest fold into the start, and `since`
/// moves up to it (a history that opens later judges less, never wrongly).
const MOST_CHANGES: usize = 1_024;

/// A write a client was told had succeeded: its call and answer, and what it wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Acknowledged {
    pub call: Time,
    pub answer: Time,
    /// Its number in the run (`Row::write`).
    pub write: u64,
    pub name: String,
}

/// A user's register as the window opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Start {
    /// The one write that took effect last; a user none wrote has no row.
    Known(Option<Acknowledged>),
    /// Several acknowledged writes overlap last, or a console statement wrote it: one free
    /// value, bound by the first read of a value no write in the window wrote.
    Unknown,
}

/// What is known of a user: the acknowledged writes none of which came before another in real
/// time (none: no row), or that it cannot be known.
#[derive(Clone, Debug)]
enum Latest {
    Writes(Vec<Acknowledged>),
    Unknown,
}

impl Default for Latest {
    /// A user never written: no row.
    fn default() -> Latest {
        Latest::Writes(Vec::new())
    }
}

impl Latest {
    fn apply(&mut self, change: &Change) {
        match (self, change) {
            (Latest::Writes(writes), Change::Acknowledged(write)) => {
                // An acknowledged write called after another's answer comes after it, and after
                // the starting data (write 0), which came before every call.
                writes.retain(|earlier| earlier.write != 0 && earlier.answer >= write.call);
                writes.push(write.clone());
            }
            (latest, Change::Console) => *latest = Latest::Unknown,
            (Latest::Unknown, Change::Acknowledged(_)) => {}
        }
    }

    fn start(&self) -> Start {
        match self {
            Latest::Writes(writes) if writes.len() <= 1 => Start::Known(writes.first().cloned()),
            _ => Start::Unknown,
        }
    }
}

#[derive(Clone, Debug)]
enum Change {
    Acknowledged(Acknowledged),
    Console,
}

#[derive(Clone, Debug)]
pub(crate) struct AcknowledgedUsers {
    /// Each user's latest writes at `since`; a user not here was never written.
    start: BTreeMap<Key, Latest>,
    since: Time,
    /// Every change after `since`, oldest first.
    changes: VecDeque<(Time, Key, Change)>,
}

impl AcknowledgedUsers {
    /// The starting data, as written before the run.
    pub fn new(seed: &Database) -> AcknowledgedUsers {
        let rows = seed.table(USERS).map(|table| &table.rows).into_iter().flatten();
        let start = map_of(rows.filter_map(|(key, row)| {
            let seeded = Acknowledged {
                call: Time::ZERO,
                answer: Time::ZERO,
                write: row.write,
                name: data::user_name(row).to_string(),
            };
            Some((user_key(key)?, Latest::Writes(vec![seeded])))
        }));
        AcknowledgedUsers { start, since: Time::ZERO, changes: VecDeque::new() }
    }

    /// The moment the start is for: nothing earlier can be asked.
    pub fn since(&self) -> Time {
        self.since
    }

    /// A client was told, now, that its write of `key` succeeded.
    pub fn acknowledged(&mut self, key: Key, write: Acknowledged) {
        self.push(write.answer, key, Change::Acknowledged(write));
    }

    /// A console statement's change to user `key` was committed now.
    pub fn console(&mut self, at: Time, key: &Value) {
        if let Some(key) = user_key(key) {
            self.push(at, key, Change::Console);
        }
    }

    fn push(&mut self, at: Time, key: Key, change: Change) {
        self.changes.push_back((at, key, change));
        if self.changes.len() > MOST_CHANGES {
            let oldest = self.changes.front().map_or(at, |&(when, ..)| when);
            self.forget_until(oldest);
        }
    }

    /// Nothing before `horizon` will be asked: the changes up to it fold into the start.
    pub fn forget_until(&mut self, horizon: Time) {
        while self.changes.front().is_some_and(|&(at, ..)| at <= horizon) {
            let (at, key, change) = self.changes.pop_front().expect("the front exists");
            self.since = self.since.max(at);
            self.start.entry(key).or_default().apply(&change);
        }
        self.since = self.since.max(horizon);
    }

    /// The registers of users `keys` (sorted, no repeats) at `at` (not before `since`), by user:
    /// one pass over the changes for all of them, as the page asks every frame.
    pub fn starts(&self, at: Time, keys: Vec<Key>) -> Vec<(Key, Start)> {
        let mut latest: Vec<Latest> = keys.iter().map(|key| self.start.get(key).cloned().unwrap_or_default()).collect();
        for (_, key, change) in self.changes.iter().take_while(|&&(when, ..)| when <= at) {
            if let Ok(user) = keys.binary_search(key) {
                latest[user].apply(change);
            }
        }
        keys.into_iter().zip(latest.iter().map(Latest::start)).collect()
    }
}

/// A `users` id the history's registers can name (ids below zero cannot be read by one).
fn user_key(key: &Value) -> Option<Key> {
    match key {
        Value::Int(id) => Key::try_from(*id).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SimRng;

    /// User `key`'s register at `at`, by its definition: its start, then each of its changes up
    /// to `at`.
    fn one_user(users: &AcknowledgedUsers, at: Time, key: Key) -> Start {
        let mut latest = users.start.get(&key).cloned().unwrap_or_default();
        for (_, _, change) in users.changes.iter().filter(|&&(when, user, _)| when <= at && user == key) {
            latest.apply(change);
        }
        latest.start()
    }

    #[test]
    fn the_starts_in_one_pass_are_each_users_own() {
        let mut rng = SimRng::new(23);
        let mut users = AcknowledgedUsers::new(&Database::seed());
        let mut now = Time::ZERO;
        let (mut compared, mut known, mut unknown) = (0, 0, 0);
        for write in 1..3_000 {
            now = now + Time::from_millis(rng.below(3));
            let key = 101 + rng.below(8);
            if rng.below(50) == 0 {
                users.console(now, &Value::Int(key as i64));
            } else {
                // Calls up to 40 ms back: some overlap the writes acknowledged before them.
                let call = Time(now.0.saturating_sub(rng.below(40_000)));
                users.acknowledged(key, Acknowledged { call, answer: now, write, name: format!("name {write}") });
            }
            if rng.below(400) == 0 {
                users.forget_until(Time(now.0.saturating_sub(rng.below(200_000))));
            }
            if write % 7 == 0 {
                let at = Time(now.0.saturating_sub(rng.below(300_000))).max(users.since());
                let keys: Vec<Key> = (100..110).filter(|_| rng.below(2) == 0).collect();
                let starts = users.starts(at, keys.clone());
                let each: Vec<(Key, Start)> = keys.iter().map(|&key| (key, one_user(&users, at, key))).collect();
                assert_eq!(starts, each, "at {at:?}");
                compared += keys.len();
                known += starts.iter().filter(|(_, start)| matches!(start, Start::Known(Some(_)))).count();
                unknown += starts.iter().filter(|(_, start)| *start == Start::Unknown).count();
            }
        }
        assert!(
            compared > 1_000 && known > 100 && unknown > 100,
            "{compared} compared, {known} known, {unknown} unknown"
        );
    }
}
