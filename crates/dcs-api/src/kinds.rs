//! The small enums of the API, serialised exactly as DCS spells them.

use crate::error::{DcsError, ErrorCode};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Generates `as_str`, `Display`, `FromStr` and `ALL` for a lower-case wire enum.
macro_rules! wire_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        // Every wire name is the variant's name in lower case (the unit tests pin each one).
        #[serde(rename_all = "lowercase")]
        pub enum $name {
            $($(#[$vm])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ();
            fn from_str(s: &str) -> Result<Self, ()> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s).ok_or(())
            }
        }
    };
}

wire_enum!(
    /// Lifecycle of an analysis task: `waiting → running → success | failed`.
    TaskStatus {
        Waiting => "waiting",
        Running => "running",
        Success => "success",
        Failed => "failed",
    }
);

impl TaskStatus {
    /// `success` and `failed` never change again.
    pub fn is_terminal(self) -> bool {
        matches!(self, TaskStatus::Success | TaskStatus::Failed)
    }
}

wire_enum!(
    /// The analyses a task runs. The wire name is DCS's path word and the kind stored with each
    /// task; everything else a kind needs to be told apart (its paths, codes and words) is below,
    /// so a new kind is one variant here and its engine.
    TaskKind {
        Hotkey => "hotkey",
        Bigkey => "bigkey",
        Expire => "expire",
        /// DCS's offline key analysis: where the memory goes, from one node's snapshot.
        Keyspace => "keyspace",
    }
);

impl TaskKind {
    /// The console's route word and `dcs-analyze`'s command: `hotkeys`, `bigkeys`, `expired`.
    pub fn plural(self) -> &'static str {
        match self {
            TaskKind::Hotkey => "hotkeys",
            TaskKind::Bigkey => "bigkeys",
            TaskKind::Expire => "expired",
            TaskKind::Keyspace => "keyspace",
        }
    }

    /// What an operator calls it, in messages.
    pub fn label(self) -> &'static str {
        match self {
            TaskKind::Hotkey => "hot-key analysis",
            TaskKind::Bigkey => "big-key analysis",
            TaskKind::Expire => "expired-key scan",
            TaskKind::Keyspace => "key-space analysis",
        }
    }

    /// The path parameter naming one task, as DCS names it in its errors.
    pub fn id_param(self) -> &'static str {
        match self {
            TaskKind::Hotkey => "hotkey_id",
            TaskKind::Bigkey => "bigkey_id",
            TaskKind::Expire | TaskKind::Keyspace => "task_id",
        }
    }

    /// Paths under `/instances/{instance_id}/` that start a task (the first is the one to use).
    pub fn create_paths(self) -> &'static [&'static str] {
        match self {
            TaskKind::Hotkey => &["hotkey-task"],
            TaskKind::Bigkey => &["bigkey-task"],
            TaskKind::Expire => &["scan-expire-keys-task", "auto-expire/scan"],
            TaskKind::Keyspace => &["offline/key-analysis"],
        }
    }

    /// Whether starting a task takes a body (a key-space analysis names its node and backup).
    pub fn create_takes_body(self) -> bool {
        self == TaskKind::Keyspace
    }

    /// The path of one task is this followed by `/{id}` (DCS: singular, beside a plural list).
    pub fn task_path(self) -> &'static str {
        match self {
            TaskKind::Hotkey => "hotkey-task",
            TaskKind::Bigkey => "bigkey-task",
            TaskKind::Expire => "scan-expire-keys-task",
            TaskKind::Keyspace => "offline/key-analysis",
        }
    }

    /// The history, newest first.
    pub fn list_path(self) -> &'static str {
        match self {
            TaskKind::Hotkey => "hotkey-tasks",
            TaskKind::Bigkey => "bigkey-tasks",
            TaskKind::Expire => "auto-expire/histories",
            TaskKind::Keyspace => "offline/key-analysis",
        }
    }

    /// The schedule; a key-space analysis has none (DCS starts it by hand, on a backup).
    pub fn schedule_path(self) -> Option<&'static str> {
        match self {
            TaskKind::Hotkey => Some("hotkey/autoscan"),
            TaskKind::Bigkey => Some("bigkey/autoscan"),
            TaskKind::Expire => Some("scan-expire-keys/autoscan-config"),
            TaskKind::Keyspace => None,
        }
    }

    /// DCS's code for a task id that names no task (DCS cannot show one expired-key scan, so it
    /// has none for them).
    pub fn not_found_code(self) -> Option<ErrorCode> {
        match self {
            TaskKind::Hotkey => Some(ErrorCode::HotkeyTaskNotFound),
            TaskKind::Bigkey => Some(ErrorCode::BigkeyTaskNotFound),
            TaskKind::Expire | TaskKind::Keyspace => None,
        }
    }

    /// DCS's code when this analysis is not possible on an instance (policy, version, ACL).
    pub fn unsupported_code(self) -> ErrorCode {
        match self {
            TaskKind::Hotkey => ErrorCode::HotkeyUnsupported,
            TaskKind::Bigkey => ErrorCode::BigkeyUnsupported,
            TaskKind::Expire => ErrorCode::ExpireScanUnsupported,
            // DCS has no code of its own for key analysis; its big-key code is the nearest (the
            // message says which analysis).
            TaskKind::Keyspace => ErrorCode::BigkeyUnsupported,
        }
    }

    /// DCS.4918 while a task of this kind is waiting or running on the instance (DCS has a code
    /// of its own only for big keys; 4918 is the closest for the others, and the message names
    /// the kind).
    pub fn already_running(self, task_id: &str) -> DcsError {
        DcsError::with_message(
            ErrorCode::AnalysisRunning,
            format!(
                "Instance {} is running (task {task_id}); wait for it to finish or delete it.",
                self.label()
            ),
        )
    }

    /// Whether stopping a task deletes its record (hot and big keys, as DCS's `DELETE` does) or
    /// keeps it with what was done until then (expired-key scans: the keys they reclaimed).
    pub fn stop_deletes(self) -> bool {
        self != TaskKind::Expire
    }
}

wire_enum!(
    /// Whether a person (`manual`) or a schedule (`auto`) started the task.
    ScanType {
        Manual => "manual",
        Auto => "auto",
    }
);

wire_enum!(
    /// Redis value types that analyses report.
    KeyType {
        String => "string",
        List => "list",
        Set => "set",
        Zset => "zset",
        Hash => "hash",
        /// Only on servers that have streams (Redis ≥ 5).
        Stream => "stream",
    }
);

impl KeyType {
    /// The unit a key of this type is measured in: bytes for strings, elements otherwise.
    pub fn unit(self) -> KeyUnit {
        match self {
            KeyType::String => KeyUnit::Byte,
            _ => KeyUnit::Count,
        }
    }
}

wire_enum!(
    /// What `size` counts.
    KeyUnit {
        /// Length of a string value in bytes.
        Byte => "byte",
        /// Number of elements of a collection.
        Count => "count",
    }
);

wire_enum!(
    /// How hard an analysis presses on the server (`dcs-analyzer`'s `pace` module says how):
    /// `gentle` (the default) or `fast`.
    #[derive(Default)]
    Pace {
        #[default]
        Gentle => "gentle",
        Fast => "fast",
    }
);

wire_enum!(
    /// What a key action does.
    KeyActionKind {
        /// `UNLINK`: deleted, its memory freed in the background.
        Unlink => "unlink",
        /// `EXPIRE key ttl`: it expires in `ttl` seconds.
        Expire => "expire",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialise_as_dcs_does() {
        assert_eq!(
            serde_json::to_string(&TaskStatus::Running).unwrap(),
            "\"running\""
        );
        assert_eq!(serde_json::to_string(&ScanType::Auto).unwrap(), "\"auto\"");
        assert_eq!(serde_json::to_string(&KeyType::Zset).unwrap(), "\"zset\"");
        assert_eq!(serde_json::to_string(&KeyUnit::Byte).unwrap(), "\"byte\"");
        assert!(serde_json::from_str::<KeyType>("\"none\"").is_err());
    }

    #[test]
    fn serde_names_equal_as_str() {
        fn check<T: Serialize + Copy + fmt::Display>(all: &[T]) {
            for v in all {
                assert_eq!(
                    serde_json::to_value(v).unwrap(),
                    serde_json::Value::String(v.to_string())
                );
            }
        }
        check(TaskStatus::ALL);
        check(ScanType::ALL);
        check(KeyType::ALL);
        check(KeyUnit::ALL);
        check(TaskKind::ALL);
    }

    #[test]
    fn from_str_round_trips() {
        for s in TaskStatus::ALL {
            assert_eq!(s.as_str().parse::<TaskStatus>(), Ok(*s));
        }
        for t in KeyType::ALL {
            assert_eq!(t.as_str().parse::<KeyType>(), Ok(*t));
        }
        assert!("Running".parse::<TaskStatus>().is_err());
        for k in TaskKind::ALL {
            assert_eq!(k.as_str().parse::<TaskKind>(), Ok(*k));
        }
        assert!(
            "hotkeys".parse::<TaskKind>().is_err(),
            "plurals are not kinds"
        );
    }

    #[test]
    fn kinds_name_their_paths_and_codes() {
        let kinds: std::collections::BTreeSet<&str> =
            TaskKind::ALL.iter().map(|k| k.plural()).collect();
        assert_eq!(kinds.len(), TaskKind::ALL.len(), "one route per kind");
        for k in TaskKind::ALL {
            assert_eq!(k.create_paths()[0], k.task_path());
            assert_eq!(k.schedule_path().is_none(), *k == TaskKind::Keyspace);
            let e = k.already_running("t1");
            assert_eq!(e.code, ErrorCode::AnalysisRunning);
            assert!(e.message.contains(k.label()) && e.message.contains("t1"));
        }
        assert_eq!(TaskKind::Hotkey.id_param(), "hotkey_id");
        assert_eq!(
            TaskKind::Bigkey.not_found_code(),
            Some(ErrorCode::BigkeyTaskNotFound)
        );
        assert_eq!(TaskKind::Expire.not_found_code(), None);
        assert!(TaskKind::Hotkey.stop_deletes() && !TaskKind::Expire.stop_deletes());
    }

    #[test]
    fn units_follow_types() {
        assert_eq!(KeyType::String.unit(), KeyUnit::Byte);
        assert_eq!(KeyType::Hash.unit(), KeyUnit::Count);
        assert_eq!(KeyType::Stream.unit(), KeyUnit::Count);
        assert!(TaskStatus::Failed.is_terminal() && !TaskStatus::Waiting.is_terminal());
    }
}
