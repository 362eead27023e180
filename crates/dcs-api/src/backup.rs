//! Backups (DCS `CopyInstance`, `ListBackupRecords`): RDB snapshots of an instance's masters
//! kept by the proxy, for key-space analysis of a past state.

use serde::{Deserialize, Serialize};

/// `POST …/backups`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CopyInstanceBody {
    #[serde(default)]
    pub remark: Option<String>,
    /// `rdb` (the default; `aof` is not offered here).
    #[serde(default)]
    pub backup_format: Option<String>,
}

/// Longest `remark` accepted (DCS: 255).
pub const MAX_REMARK_CHARS: usize = 255;

/// The answer to starting a backup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CopyInstanceResponse {
    pub backup_id: String,
}

/// A backup's state, as DCS spells it.
pub mod status {
    pub const BACKING_UP: &str = "backuping";
    pub const SUCCEEDED: &str = "succeed";
    pub const FAILED: &str = "failed";
}

/// One backup (DCS `BackupRecordResponse`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupRecord {
    pub backup_id: String,
    pub backup_name: String,
    pub instance_id: String,
    /// Bytes of the snapshot files (0 until it has succeeded).
    pub size: u64,
    /// `manual`.
    pub backup_type: String,
    pub created_at: crate::Timestamp,
    pub updated_at: crate::Timestamp,
    /// `backuping`, `succeed` or `failed`.
    pub status: String,
    pub remark: String,
    /// Why it failed (an extension: DCS has only a code here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
    /// `FALSE`: a local backup is for analysis, not for restoring.
    pub is_support_restore: String,
    pub backup_format: String,
}

/// `GET …/backups`: newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupList {
    pub total_num: u64,
    pub backup_record_response: Vec<BackupRecord>,
}
