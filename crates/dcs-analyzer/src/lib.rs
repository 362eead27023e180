//! The analysis engine: hot keys, big keys and expired-key reclamation over Redis standalone
//! servers and Redis Cluster (docs/ARCHITECTURE.md §4).
//!
//! Layout:
//! * [`target`] — what to analyse: a standalone URL or cluster seeds, and master discovery.
//! * [`conn`] — connections with bounded connect and response timeouts.
//! * [`scan`] — the gentle SCAN loop every analysis shares (bounded COUNT, progress,
//!   cancellation, optional pause between batches), run on every master in parallel;
//!   `scan_script` — batches done inside the server by one Lua script each (hot and big keys).
//! * [`hotkeys`], [`bigkeys`], [`expired`] — the three analyses; [`analysis`] — one entry per
//!   `dcs_api::TaskKind` (check a target, then run on its masters); [`source`] — hot and big
//!   keys read from a node's snapshot (the default where the fork is cheap) or online.
//! * [`key_details`] — one key looked at closely (bounded reads), `UNLINK` and `EXPIRE`.
//! * [`topn`] — the bounded heap that keeps the winners; [`keyname`] — binary-safe names.
//! * [`control`] — progress reporting and cancellation for callers.
//! * [`server`] — local `redis-server` processes (the proxy demo and the tests use them).
//! * [`probe`] — live facts about a target (version, memory, policy) and `CONFIG SET`.
//! * [`pace`] — gentle (bounded, paced requests; the default) or fast; [`replicas`] — big keys
//!   read on a healthy replica of each master where there is one.
//! * [`error`] — failures, each mapped to a DCS error code.
//!
//! Every per-key command runs in a bounded batch (one script or one pipeline per SCAN batch); no
//! request holds the server for long.

pub mod analysis;
pub mod bigkeys;
pub mod conn;
pub mod control;
pub mod error;
pub mod expired;
pub mod hotkeys;
pub mod key_details;
pub mod keyname;
pub mod keyspace;
pub mod keyspace_online;
pub mod nodes;
pub mod options;
pub mod pace;
pub mod probe;
mod raw_conn;
pub mod rdb;
pub mod replicas;
pub mod scan;
mod scan_script;
pub mod server;
pub mod snapshot;
pub mod source;
pub mod target;
pub mod topn;

pub use analysis::{prepare, run, Report};
pub use control::{Control, Progress, Unit};
pub use error::AnalyzerError;
pub use options::ScanOptions;
pub use pace::Pace;
pub use replicas::AnalyzeOn;
pub use source::Source;
pub use target::Target;
