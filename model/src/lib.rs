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
//! | `simulation` | the state, the clock, what the page reads; the one place that queues messages and timers (`send`, `schedule`, `reply`) |
//! | `event_loop` | what is due, delivered in time order to the part it concerns (the top: nothing calls back into it) |
//! | `rooms` | the rooms' door: a machine handles something in its own room, and the effects it asks for (`out`) are performed |
//! | `command` | what can be asked, checked and dispatched; adding and removing replicas |
//! | `config`, `settings` | a run's settings and defaults, checked; the settings table (key, label, help, range, parser) |
//! | `refusal` | the error of an input refused, with what and where |
//! | `ids` | the identities of machines, clients and requests |
//! | `network` | the network as a part: each machine's links (distance, replication delay, a cut), delivery order |
//! | `server` | each node serving requests at its capacity from a bounded queue; overload |
//! | `reads` | answering a read, and the one place that decides whether the answer is stale; causal reads parked |
//! | `wal` | the master's log: writes logged, flushed, shipped, kept for replicas (slots) |
//! | `standby` | the standby's side, as a room: receive, flush, apply, report |
//! | `out` | a room's two sides: what a machine is shown, and the effects it asks for (messages, timers) |
//! | `commit` | hearing standbys' reports; when a write is acknowledged: levels, quorums, the standby list, semi-sync, cancel |
//! | `failure` | crashes, restarts, partitions, failover |
//! | `rejoin` | a replica (re)joining the master's history: streamed what it lacks, diverged or stranded; rewind and rebuild |
//! | `timeline` | PostgreSQL's timelines: forks and (timeline, LSN) positions |
//! | `routing` | the router as a part: where a read goes (read preference, shunning, sticky sessions, policies) |
//! | `client` | sessions, their guarantees and violations, finishing requests |
//! | `order` | one sort shared by the history, the checker and the export (a single copy in the wasm) |
//! | `history` | the latest operations as clients saw them, in lanes, and their verdicts (`checker`) |
//! | `checker` | histories of reads and writes checked: linearizable, sequentially consistent, read-your-writes, monotonic reads, with a witness no operation can be removed from; bounded work |
//! | `console` | the SQL console's statements, routed; `sql/` parses and runs them |
//! | `traffic` | the traffic generator as a part: its schedule, its requests and gaps |
//! | `data`, `node`, `request`, `events`, `metrics` | rows and log entries, a node's copy, request records and counters, the event log, windowed measurements |
//! | `queue`, `rng`, `time`, `words` | events by time, the seeded generator, simulated time, counts in words |
//! | `recording`, `benchmark`, `demos` | a run as settings and timed commands; the standard workload; the lecture demos' scripts and claims |

pub mod acknowledged;
pub mod benchmark;
pub mod checker;
mod client;
mod command;
mod commit;
pub mod config;
mod console;
pub mod data;
pub mod demos;
mod event_loop;
pub mod events;
mod failure;
pub mod history;
pub mod ids;
pub mod metrics;
pub mod network;
pub mod node;
pub mod order;
mod out;
mod queue;
mod reads;
pub mod recording;
mod refusal;
mod rejoin;
pub mod request;
pub mod rng;
mod rooms;
mod routing;
mod server;
pub mod settings;
mod simulation;
pub mod sql;
mod standby;
pub mod time;
pub mod timeline;
mod traffic;
mod wal;
pub mod words;

pub use command::Command;
pub(crate) use event_loop::Timer;
pub use ids::NodeRef;
pub use refusal::Refusal;
pub use simulation::{EVENT_LIMIT, NodeState, RECENT_LIMIT, Simulation};
