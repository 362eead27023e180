//! What the proxy does, apart from HTTP: the handlers in `api` translate requests into these
//! calls and their results into responses; the scheduler calls them too. They take the shared
//! [`crate::state::AppState`] and answer wire types of `dcs-api` or a [`dcs_api::DcsError`].

pub mod backups;
pub mod keys;
pub mod nodes;
pub mod schedules;
pub mod tasks;
