//! A room's two sides: what a machine is shown when it handles something (`Seen`), and what it
//! asks for instead of doing it (`Effect`s: messages, timers, follow-ups), which the door
//! (`rooms.rs`) performs in the order they were asked for, so a handler never reaches into
//! another part (stateright's `Out`).

use crate::Timer;
use crate::config::Config;
use crate::network::Payload;
use crate::time::Time;

/// One thing a machine wants to happen, as the machine itself names it.
#[derive(Clone, Debug)]
pub(crate) enum Effect {
    /// A message from this machine to the master.
    ToMaster(Payload),
    /// A timer on this machine, in this life of it.
    After(Time, Timer),
    /// Its progress may let parked causal reads through: serve those it now can.
    ServeParked,
}

/// The effects a handler asked for, in order.
pub(crate) type Out = Vec<Effect>;

/// What a machine knows of the world when it handles something.
pub(crate) struct Seen<'a> {
    pub now: Time,
    pub config: &'a Config,
    /// The master's timeline: entries from any other (a deposed master's) are dropped.
    pub master_timeline: usize,
}
