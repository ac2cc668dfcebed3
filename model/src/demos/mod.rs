//! Guided lecture demos. Each step sets up a run (settings plus commands at set moments), tells
//! what happens, and carries its claim as a check that the tests run: a demo narrates only
//! what the model really does. How the page stages a step (what it marks to watch, the speed)
//! is the page's (`ui/view/staging.rs`). One file per demo, in `DEMOS`' order; the settings and checks
//! more than one demo uses are here.

use crate::config::{Config, Mode, Policy, ReadPref};
use crate::events::EventKind;
use crate::time::Time;
use crate::{Command, NodeRef, NodeState, Simulation};

mod add_replicas;
mod async_stale;
mod comparison;
mod cqrs;
mod load_balancing;
mod master_crash;
mod read_your_writes;
mod replica_crash;
mod single_db;
mod sync;
mod sync_linearizable;
mod sync_vs_async;

pub struct Demo {
    /// Its name in links: `#demo=NAME&step=N`.
    pub name: &'static str,
    pub title: &'static str,
    /// The part of the lecture it shows.
    pub section: &'static str,
    pub steps: &'static [Step],
}

pub struct Step {
    pub title: &'static str,
    /// What is set up and what to look for, told before it happens, in the lecture's words.
    pub narration: &'static str,
    /// The real products and settings the step mirrors, told apart from the narration (which
    /// second-year students read first); empty when none is named.
    pub aside: &'static str,
    pub config: fn() -> Config,
    /// Commands given at their moments as the step runs.
    pub script: fn() -> Vec<(Time, Command)>,
    /// The step pauses itself at the first moment this holds (the stale read has just come
    /// back, say), so the class sees the claim happen; without it, at `settle`.
    pub pause_when: Option<fn(&Simulation) -> bool>,
    /// When the step pauses at the latest: its claim holds by then.
    pub settle: Time,
    /// What is true on the screen when the step pauses, told then.
    pub claim: &'static str,
    /// The claim, checked against the run where the step pauses: `Err` names the part of it
    /// that does not hold.
    pub check: fn(&Simulation) -> Result<(), &'static str>,
    /// A second run beside the first, with one setting changed.
    pub compare: Option<Compare>,
}

/// The second run of a side-by-side step: the same seed and commands, one setting changed.
pub struct Compare {
    /// The setting's link key and its value in the second run.
    pub key: &'static str,
    pub value: &'static str,
    /// The claim about the second run.
    pub check: fn(&Simulation) -> Result<(), &'static str>,
}

fn at(ms: u64, command: Command) -> (Time, Command) {
    (Time::from_millis(ms), command)
}

fn nothing() -> Vec<(Time, Command)> {
    Vec::new()
}

fn ensure(holds: bool, claim: &'static str) -> Result<(), &'static str> {
    if holds { Ok(()) } else { Err(claim) }
}

fn replica_ops(sim: &Simulation, number: usize) -> usize {
    sim.resolve(NodeRef::Replica(number)).map_or(0, |id| sim.node(id).current_ops())
}

/// Clients the traffic of the load demos comes from: many, as on a real site, so a stale read
/// is not always a client missing its own write.
const SITE_CLIENTS: usize = 12;

/// The load demos' site: `rate` requests a second from many clients, 90% of them reads, to
/// servers that each serve 500 a second and queue 100 more.
fn site(rate: u64) -> Config {
    Config {
        clients: SITE_CLIENTS,
        capacity: 500,
        queue_limit: 100,
        client_ms: 20,
        rate,
        reads_percent: 90,
        ..Config::default()
    }
}

fn lagging(mode: Mode) -> Config {
    Config { replicas: 2, mode, lag_ms: 2_000, ..Config::default() }
}

/// A replica is up and has applied everything the master committed.
fn replica_caught_up(sim: &Simulation, number: usize) -> bool {
    sim.resolve(NodeRef::Replica(number)).is_ok_and(|id| sim.node(id).is_up() && sim.lag(id).0 == 0)
}

/// The demos, in the lecture's order.
pub const DEMOS: &[Demo] = &[
    single_db::DEMO,
    add_replicas::DEMO,
    async_stale::DEMO,
    sync::DEMO,
    sync_vs_async::DEMO,
    sync_linearizable::DEMO,
    load_balancing::DEMO,
    replica_crash::DEMO,
    master_crash::DEMO,
    read_your_writes::DEMO,
    cqrs::DEMO,
    comparison::DEMO,
];

pub fn find(name: &str) -> Option<&'static Demo> {
    DEMOS.iter().find(|demo| demo.name == name)
}
