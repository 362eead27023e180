//! Hot-key and big-key analysis tasks: the task record, the list, and the key entries.

use crate::kinds::{KeyType, KeyUnit, ScanType, TaskStatus};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// One hot key (`HotkeysBody`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HotkeyEntry {
    /// Key name; UTF-8 where the bytes are valid UTF-8, otherwise escaped (see `dcs-analyzer`).
    pub name: String,
    #[serde(rename = "type")]
    pub key_type: KeyType,
    /// `ip:port` of the master holding the key.
    pub shard: String,
    pub db: u32,
    pub size: u64,
    pub unit: KeyUnit,
    /// Redis's logarithmic LFU counter (0–255).
    pub freq: u32,
    /// Extension: operations per second, where the server reports real rates (`HOTKEYS`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qps: Option<f64>,
    /// Extension: the name's full length in bytes, present when `name` was cut (see
    /// [`MAX_NAME_CHARS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_bytes: Option<u64>,
}

/// Longest key name reported, in characters of its report form: longer names (Redis allows
/// 512 MB) end in [`CUT_MARK`] and carry their full length in `name_bytes`, so no record,
/// answer or CSV grows with a name.
pub const MAX_NAME_CHARS: usize = 1024;
/// What ends a cut name.
pub const CUT_MARK: &str = "…[cut]";

/// One big key (`BigkeysBody`): a hot-key entry without `freq`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BigkeyEntry {
    pub name: String,
    #[serde(rename = "type")]
    pub key_type: KeyType,
    pub shard: String,
    pub db: u32,
    pub size: u64,
    pub unit: KeyUnit,
    /// Extension: bytes the key occupies (`MEMORY USAGE`), when it was measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_usage: Option<u64>,
    /// Extension: as in [`HotkeyEntry::name_bytes`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_bytes: Option<u64>,
}

/// A hot-key or big-key task as create / show / delete return it.
///
/// `started_at`, `finished_at` and `keys` are absent while the task is being created; `num` is
/// the number of keys found. `progress`, `scanned_keys` and `error_msg` are additive extensions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(bound(deserialize = "K: Deserialize<'de>"))]
pub struct AnalysisTask<K> {
    pub id: String,
    pub instance_id: String,
    pub status: TaskStatus,
    pub scan_type: ScanType,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<K>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scanned_keys: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
    /// The node each shard was read on (a local extension; DCS does not say).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analyzed_on: Option<Vec<AnalyzedNode>>,
}

/// Where one shard was analysed: on its master, or on one of its replicas.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnalyzedNode {
    /// The shard: its master's `ip:port`, as each key's `shard`.
    pub shard: String,
    /// The node read: `ip:port`.
    pub node: String,
    /// `master` or `replica`.
    pub role: String,
    /// The stored backup read instead of the live node (key-space analysis of a past state).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_id: Option<String>,
}

pub type HotkeyTask = AnalysisTask<HotkeyEntry>;
pub type BigkeyTask = AnalysisTask<BigkeyEntry>;

/// One row of a task list (`RecordsResponse`): the task without its keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskRecord {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_id: Option<String>,
    pub scan_type: ScanType,
    pub status: TaskStatus,
    pub created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_msg: Option<String>,
}

impl<K> From<&AnalysisTask<K>> for TaskRecord {
    fn from(t: &AnalysisTask<K>) -> Self {
        TaskRecord {
            id: t.id.clone(),
            instance_id: None,
            scan_type: t.scan_type,
            status: t.status,
            created_at: t.created_at,
            started_at: t.started_at,
            finished_at: t.finished_at,
            progress: t.progress,
            error_msg: t.error_msg.clone(),
        }
    }
}

/// `GET …/hotkey-tasks` and `GET …/bigkey-tasks`: newest first; `count` is the number of
/// records matching the filter (the page is `records`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TaskList {
    pub instance_id: String,
    pub count: u64,
    pub records: Vec<TaskRecord>,
}
