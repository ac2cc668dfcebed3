//! Simulated time. The model never reads a wall clock: time only moves when the simulation
//! jumps to its next event or is asked to run until a given instant.

use std::fmt;
use std::ops::{Add, Sub};

/// An instant or a span of simulated time, in whole microseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub u64);

impl Time {
    pub const ZERO: Time = Time(0);

    pub const fn from_millis(ms: u64) -> Time {
        Time(ms * 1_000)
    }

    pub const fn as_micros(self) -> u64 {
        self.0
    }

    pub fn as_millis_f64(self) -> f64 {
        self.0 as f64 / 1_000.0
    }

    /// As a clock reads it, minutes and seconds to the millisecond: `3:07.250`.
    pub fn as_clock(self) -> String {
        let millis = self.0 / 1_000;
        format!("{}:{:02}.{:03}", millis / 60_000, millis / 1_000 % 60, millis % 1_000)
    }
}

impl Add for Time {
    type Output = Time;
    fn add(self, rhs: Time) -> Time {
        Time(self.0.saturating_add(rhs.0))
    }
}

impl Sub for Time {
    type Output = Time;
    fn sub(self, rhs: Time) -> Time {
        Time(self.0.saturating_sub(rhs.0))
    }
}

impl fmt::Display for Time {
    /// Milliseconds with one decimal, the unit the lecture's delays are given in.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.1} ms", self.as_millis_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clock_shows_minutes_seconds_and_milliseconds() {
        assert_eq!(Time(0).as_clock(), "0:00.000");
        assert_eq!(Time::from_millis(187_250).as_clock(), "3:07.250");
        assert_eq!(Time(30 * 60 * 1_000_000 + 999).as_clock(), "30:00.000");
    }
}
