//! What a machine asks for instead of doing it: a part of the model that owns its state returns
//! effects (messages, timers, follow-ups) and the simulation performs them, in the order they
//! were asked for, so a handler never reaches into another part (stateright's `Out`).

use crate::Timer;
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
