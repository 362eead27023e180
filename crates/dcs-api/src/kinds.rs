//! The small enums of the API, serialised exactly as DCS spells them.

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
    }

    #[test]
    fn units_follow_types() {
        assert_eq!(KeyType::String.unit(), KeyUnit::Byte);
        assert_eq!(KeyType::Hash.unit(), KeyUnit::Count);
        assert_eq!(KeyType::Stream.unit(), KeyUnit::Count);
        assert!(TaskStatus::Failed.is_terminal() && !TaskStatus::Waiting.is_terminal());
    }
}
