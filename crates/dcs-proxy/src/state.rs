//! What every handler shares.

use crate::clock::Clock;
use crate::config::{AccessKey, InstanceConfig};
use crate::runner::Runner;
use crate::store::Store;
use dcs_analyzer::ScanOptions;
use dcs_api::{DcsError, ErrorCode};
use std::sync::Arc;

/// Credentials `/v2` accepts.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    /// The console token (`X-Auth-Token`).
    pub token: String,
    /// AK/SK pairs SDK clients sign with.
    pub access_keys: Vec<AccessKey>,
}

#[derive(Clone)]
pub struct AppState {
    pub project_id: String,
    pub console: crate::config::ConsoleSource,
    /// Connection limits of the server loop.
    pub limits: crate::server::Limits,
    /// Origins allowed to call `/v2` from a browser (see [`crate::cors`]).
    pub allowed_origins: crate::cors::AllowedOrigins,
    pub instances: Arc<Vec<InstanceConfig>>,
    pub store: Arc<Store>,
    pub runner: Runner,
    pub credentials: Arc<Credentials>,
    pub clock: Arc<dyn Clock>,
    /// Timeouts and batch sizes for everything that talks to Redis.
    pub opts: ScanOptions,
    /// Where backups are written (`data_dir/backups`) and how many are kept.
    pub backup_dir: std::path::PathBuf,
    pub backup_limits: crate::config::BackupLimits,
    /// Cloud mode: the DCS endpoint every allowed call goes to.
    pub cloud: Option<Arc<crate::cloud::forward::Forwarder>>,
}

impl AppState {
    /// The configured instance, or DCS.4800 (malformed id) / DCS.3022 (unknown id).
    pub fn instance(&self, id: &str) -> Result<&InstanceConfig, DcsError> {
        dcs_api::validate::validate_id("instance_id", id)?;
        self.instances
            .iter()
            .find(|i| i.id == id)
            .ok_or_else(|| DcsError::new(ErrorCode::InstanceNotFound))
    }
}
