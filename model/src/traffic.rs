//! The traffic generator, as a part that owns its state (which schedule is current): requests
//! from random clients at a set rate, a set share of them reads, spread over a set number of hot
//! users. Every choice, the gaps between requests included, comes from the seeded generator, so
//! generated traffic replays exactly.

use crate::Command;
use crate::config::Config;
use crate::data::{self, FIRST_USER};
use crate::rng::SimRng;
use crate::time::Time;

#[derive(Clone, Debug, Default)]
pub(crate) struct Traffic {
    /// Bumped whenever the rate changes, voiding the old schedule.
    generation: u64,
}

impl Traffic {
    /// Starts a schedule afresh (at a new rate): returns its generation.
    pub(crate) fn restart(&mut self) -> u64 {
        self.generation += 1;
        self.generation
    }

    /// Whether a scheduled request belongs to the current schedule.
    pub(crate) fn is_current(&self, generation: u64) -> bool {
        generation == self.generation
    }

    /// The next request.
    pub(crate) fn next_request(config: &Config, rng: &mut SimRng) -> Command {
        let client = rng.below(config.clients as u64) as usize;
        let key = FIRST_USER + rng.below(config.hot_keys);
        if rng.below(100) < config.reads_percent {
            Command::Read { client, key }
        } else {
            let name = rng.pick(&data::WRITE_NAMES).to_string();
            Command::Write { client, key, name }
        }
    }

    /// The gap before the next request (none at rate 0): drawn uniformly between 0 and twice the
    /// mean gap, irregular like real traffic, the right rate on average, and in whole
    /// microseconds so every platform draws the same (a float exponential draw might not).
    pub(crate) fn gap(config: &Config, rng: &mut SimRng) -> Option<Time> {
        if config.rate == 0 {
            return None;
        }
        let mean_gap = 1_000_000 / config.rate;
        Some(Time(rng.below(2 * mean_gap + 1).max(1)))
    }
}
