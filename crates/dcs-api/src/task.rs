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
    /// What counts as big or hot on the instance (a local extension: the instance's settings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<KeyThresholds>,
    /// How hard it pressed on the server (a local extension: the instance's `pace`, or what the
    /// request asked for where the instance allows it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pace: Option<crate::Pace>,
}

/// What counts as a big or a hot key on an instance: DCS's console flags strings over 10 KB and
/// collections over 5,000 elements; a key is hot when its LFU counter is above Redis's initial
/// one (5). Each instance may set its own (the proxy's configuration).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyThresholds {
    /// A string longer than this many bytes is big.
    pub big_string_bytes: u64,
    /// A collection with more elements than this is big.
    pub big_elements: u64,
    /// A key is shown as hot when its LFU counter is at least this (6–255).
    pub hot_min_freq: u32,
}

impl KeyThresholds {
    /// The smallest `hot_min_freq`: one above the counter every key starts with.
    pub const MIN_HOT_FREQ: u32 = crate::config::LFU_INIT_VAL + 1;

    /// Whether a key of `size` in `unit` is over the big-key threshold of its unit.
    pub fn exceeds(&self, size: u64, unit: KeyUnit) -> bool {
        match unit {
            KeyUnit::Byte => size > self.big_string_bytes,
            KeyUnit::Count => size > self.big_elements,
        }
    }
}

impl Default for KeyThresholds {
    /// DCS's console defaults.
    fn default() -> Self {
        KeyThresholds {
            big_string_bytes: 10 * 1024,
            big_elements: 5_000,
            hot_min_freq: Self::MIN_HOT_FREQ,
        }
    }
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
    /// Big keys: how the node was read — `snapshot` (its RDB by replication: the server forked
    /// once and ran no per-key command) or `online` (SCAN and per-key commands). A local
    /// extension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_dcs_defaults_per_unit() {
        let t = KeyThresholds::default();
        assert_eq!(
            (t.big_string_bytes, t.big_elements, t.hot_min_freq),
            (10_240, 5_000, 6)
        );
        assert!(!t.exceeds(10_240, KeyUnit::Byte) && t.exceeds(10_241, KeyUnit::Byte));
        assert!(!t.exceeds(5_000, KeyUnit::Count) && t.exceeds(5_001, KeyUnit::Count));
        // 6,000 bytes is not 6,000 elements: each unit has its own bar.
        assert!(!t.exceeds(6_000, KeyUnit::Byte) && t.exceeds(6_000, KeyUnit::Count));
        assert_eq!(
            serde_json::to_value(t).unwrap(),
            serde_json::json!({"big_string_bytes": 10240, "big_elements": 5000, "hot_min_freq": 6})
        );
    }
}
