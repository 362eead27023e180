//! Wire types of the DCS v2 cache-analysis API, shared by the console and the proxy.
//!
//! This crate is the single source of truth for every JSON shape the console and proxy exchange
//! (docs/ARCHITECTURE.md §2–§3). It does no I/O and builds for both `wasm32-unknown-unknown` and native targets.
//!
//! Layout:
//! * [`error`] — DCS error codes and the `{error_code, error_msg, error_ext_msg}` body.
//! * [`time`] — the one timestamp format DCS uses (`2020-06-15T02:21:18.669Z`).
//! * [`kinds`] — the small enums: task kind (with its paths and codes), task status, scan type,
//!   key type, size unit.
//! * [`console`] — `/config.json`, the console's runtime settings.
//! * [`instance`], [`config`] — instance listing and `redis_config` parameters.
//! * [`task`] — hot-key and big-key task records, lists and key entries.
//! * [`expire`] — expired-key scan tasks, history and auto-scan configuration.
//! * [`key`] — one key looked at closely, and the key actions (local extensions).
//! * [`schedule`] — the daily hot/big-key auto-scan configuration.
//! * [`validate`] — input validation that returns DCS errors.
//!
//! Conventions: optional fields are omitted from JSON when absent (DCS does not send `null` for a
//! task's `started_at` while it is being created), and unknown input fields are ignored so the
//! official SDKs and newer DCS versions keep working.

pub mod backup;
pub mod config;
pub mod console;
pub mod error;
pub mod expire;
pub mod instance;
pub mod key;
pub mod keyspace;
pub mod kinds;
pub mod schedule;
pub mod task;
pub mod time;
pub mod validate;

pub use error::{DcsError, ErrorBody, ErrorCode};
pub use kinds::{KeyActionKind, KeyType, KeyUnit, Pace, ScanType, TaskKind, TaskStatus};
pub use time::Timestamp;
