//! The traffic generator: requests from random clients at a set rate, a set share of them
//! reads, spread over a set number of hot users. Every choice, the gaps between requests
//! included, comes from the seeded generator, so generated traffic replays exactly.

use crate::data::FIRST_USER;
use crate::time::Time;
use crate::{Command, Simulation, data};

impl Simulation {
    /// Starts the generator's schedule afresh at the current rate (or stops it at 0).
    pub(crate) fn restart_generator(&mut self) {
        self.generation += 1;
        self.schedule_next_request();
    }

    pub(crate) fn on_generate(&mut self, generation: u64) {
        if generation != self.generation {
            return;
        }
        let client = self.rng.below(self.config.clients as u64) as usize;
        let key = FIRST_USER + self.rng.below(self.config.hot_keys);
        let command = if self.rng.below(100) < self.config.reads_percent {
            Command::Read { client, key }
        } else {
            let name = self.rng.pick(&data::WRITE_NAMES).to_string();
            Command::Write { client, key, name }
        };
        self.apply(command).expect("generated requests come from existing clients");
        self.schedule_next_request();
    }

    /// The next request comes after a gap drawn uniformly between 0 and twice the mean gap:
    /// irregular like real traffic, the right rate on average, and in whole microseconds so
    /// every platform draws the same (a float exponential draw might not).
    fn schedule_next_request(&mut self) {
        if self.config.rate == 0 {
            return;
        }
        let mean_gap = 1_000_000 / self.config.rate;
        let gap = Time(self.rng.below(2 * mean_gap + 1).max(1));
        self.schedule_generator(gap);
    }
}
