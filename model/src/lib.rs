//! The model: a deterministic discrete-event simulation of one master and its replicas.
//!
//! Pure Rust with no clock and no entropy of its own: time is simulated and jumps from event
//! to event, and every random choice comes from the seeded generator, so the same seed and
//! the same commands give the same run on every platform. This crate has no web dependency:
//! the page (the crate above it) drives it with [`Command`]s and draws what it reads back.
//!
//! The API: [`Simulation`] (`new`, `apply`, `run_until`, `step`, and what the page reads),
//! [`Command`] and [`NodeRef`], the settings in [`config`] and their table in [`settings`],
//! [`recording`] for rewind and replay, [`Refusal`], the one error of a refused input, and the
//! public modules of what the page reads and draws (rows, requests, events, metrics, the
//! history and its checker, the demos). What acts (the handlers, the parts, the event loop) is
//! private. Each concept is one file:
//!
//! | file | concept |
//! |---|---|
//! | `simulation` | the parts composed, their fields private to it: the clock, the queue, the event log, what the page reads, the cluster's door (`in_cluster`); `event_loop` (what is due, delivered in time order; the top: nothing calls back into it), `command` (what can be asked, checked and handed to the part it concerns), `client` (the client side's handlers: sending, routing a read, an answer received, the SQL console; `sql/` parses and runs its statements) |
//! | `config`, `settings` | a run's settings and defaults, checked; the settings table (key, label, help, range, parser) |
//! | `refusal` | the error of an input refused, with what and where |
//! | `ids` | the identities of machines, clients and requests |
//! | `cluster` | the cluster as a part: the machines and the master's log, changed only by its own handlers (`cluster/`: the kinds of machine and what reaches each, the rooms' door, a server's queue, the standby, reads, the WAL, logical slots, commits, failures, rejoining, membership), which ask the rest of the simulation through a door (`Ctx`) |
//! | `network` | the network as a part: each machine's links (distance, replication delay, a cut), delivery order |
//! | `routing` | the router as a part: where a read goes (read preference, shunning, sticky sessions, policies) |
//! | `clients` | the clients as a part: sessions, requests from call to answer, the counters |
//! | `session` | one client's session: its guarantees and their violations |
//! | `timeline` | PostgreSQL's timelines: forks and (timeline, LSN) positions |
//! | `order` | one sort shared by the history, the checker and the export (a single copy in the wasm); maps and sets built without a sort of their own |
//! | `history` | the latest operations as clients saw them, in lanes, and their verdicts (`checker`) |
//! | `checker` | histories of reads and writes checked: linearizable, sequentially consistent, read-your-writes, monotonic reads, with a witness no operation can be removed from; bounded work |
//! | `traffic` | the traffic generator as a part: its schedule, its requests and gaps |
//! | `data`, `node` (in `cluster/`), `request`, `events`, `metrics` | rows and log entries, a machine's state (read through its methods), request records and counters, the event log, windowed measurements |
//! | `queue`, `rng`, `time`, `words` | events by time, the seeded generator, simulated time, counts in words |
//! | `recording`, `benchmark`, `demos` | a run as settings and timed commands; the standard workload; the lecture demos' scripts and claims |

pub mod acknowledged;
pub mod benchmark;
pub mod checker;
mod clients;
mod cluster;
pub mod config;
pub mod data;
pub mod demos;
pub mod events;
pub mod history;
pub mod ids;
pub mod metrics;
pub mod network;
pub mod order;
mod queue;
pub mod recording;
mod refusal;
pub mod request;
pub mod rng;
mod routing;
mod session;
pub mod settings;
mod simulation;
pub mod sql;
pub mod time;
pub mod timeline;
mod traffic;
pub mod words;

pub use cluster::{Connector, Document, MongoMember, MongoOp, NodeState, node};
pub(crate) use cluster::{MachineTimer, Timer};
pub use events::EVENT_LIMIT;
pub use ids::NodeRef;
pub use refusal::Refusal;
pub use simulation::Command;
pub use simulation::{RECENT_LIMIT, Simulation};
