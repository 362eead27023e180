//! One key looked at closely, and the two things an operator may do to it (local extensions;
//! DCS has neither): `GET …/key-details`, `POST …/key-actions`, `GET …/key-actions`.
//!
//! Reads are bounded: a string's first [`PREVIEW_BYTES`] bytes, a collection's first
//! [`PREVIEW_ELEMENTS`] elements (only when, by `MEMORY USAGE`, they come to at most
//! [`PREVIEW_READ_BYTES`]), each shown cut at [`PREVIEW_CHARS`] characters. Nothing reads a
//! whole value.

use crate::task::{CUT_MARK, MAX_NAME_CHARS};
use crate::{DcsError, KeyActionKind, KeyType, KeyUnit, Timestamp};
use serde::{Deserialize, Serialize};

/// Elements of a collection shown.
pub const PREVIEW_ELEMENTS: usize = 10;
/// Bytes of a string value read.
pub const PREVIEW_BYTES: usize = 1024;
/// Characters of each shown element (or string value); longer ones end in `task::CUT_MARK`.
pub const PREVIEW_CHARS: usize = 200;
/// A collection's elements are read only when the ones read come to at most this by estimate
/// (`MEMORY USAGE` ÷ elements × elements read).
pub const PREVIEW_READ_BYTES: u64 = 40 * 1024;
/// Longest TTL an action sets: ten years, in seconds.
pub const MAX_TTL_SECONDS: u64 = 10 * 365 * 24 * 3600;
/// Key actions kept per instance; older records are dropped as new ones come.
pub const MAX_ACTION_RECORDS: i64 = 1000;

/// Highest database number accepted (Redis's `databases` is 16 by default).
pub const MAX_DB: u32 = 1023;

fn invalid(message: String) -> DcsError {
    DcsError::with_message(crate::ErrorCode::InvalidParameter, message)
}

/// A name as reports show it (the `name` of `GET …/key-details` and of a key action), checked:
/// present, not cut, within the report length.
pub fn check_name(name: Option<&str>) -> Result<&str, DcsError> {
    let name = name.filter(|n| !n.is_empty()).ok_or_else(|| {
        invalid("name is required: the key's name as the analysis shows it.".into())
    })?;
    if name.ends_with(CUT_MARK) {
        return Err(invalid(
            "This name was cut in the report (it is longer than it shows), so it cannot be looked up."
                .into(),
        ));
    }
    // Escaped bytes take four characters each: a full report name never exceeds this.
    if name.chars().count() > MAX_NAME_CHARS * 4 {
        return Err(invalid(format!(
            "name is longer than any report shows ({} characters at most).",
            MAX_NAME_CHARS * 4
        )));
    }
    Ok(name)
}

/// `db` of `GET …/key-details`: absent is 0.
pub fn check_db(db: Option<&str>) -> Result<u32, DcsError> {
    match db.filter(|d| !d.is_empty()) {
        None => Ok(0),
        Some(d) => d
            .parse::<u32>()
            .ok()
            .filter(|d| *d <= MAX_DB)
            .ok_or_else(|| invalid(format!("db must be a number from 0 to {MAX_DB}."))),
    }
}

/// `GET …/key-details?name=…&db=…`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyDetails {
    /// The name as reports show it (UTF-8, or escaped; see `dcs-analyzer`'s `keyname`).
    pub name: String,
    pub db: u32,
    /// `ip:port` of the master holding the key.
    pub shard: String,
    #[serde(rename = "type")]
    pub key_type: KeyType,
    /// `OBJECT ENCODING` (listpack, hashtable, embstr…).
    pub encoding: String,
    /// Seconds until it expires; absent: it does not expire.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u64>,
    pub size: u64,
    pub unit: KeyUnit,
    /// `MEMORY USAGE` (sampled for collections), when the server answers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_usage: Option<u64>,
    /// The first elements (a string: its start; a hash: `field = value`; a sorted set:
    /// `member (score)`; a stream: `id field value …`), each cut at [`PREVIEW_CHARS`].
    pub elements: Vec<String>,
    /// Why fewer elements are shown than there are, when it is not simply the cut at
    /// [`PREVIEW_ELEMENTS`] (e.g. they are too large to read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elements_note: Option<String>,
    /// Whether this instance allows `POST …/key-actions` (`allow_key_actions`).
    pub actions_allowed: bool,
}

/// `POST …/key-actions`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyActionBody {
    pub name: String,
    #[serde(default)]
    pub db: u32,
    pub action: KeyActionKind,
    /// Seconds, for `expire`: 1 to [`MAX_TTL_SECONDS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 315360000))]
    pub ttl: Option<u64>,
}

impl KeyActionBody {
    /// DCS.4800 for a TTL missing, out of range, or given to `unlink`.
    pub fn check(&self) -> Result<(), DcsError> {
        match (self.action, self.ttl) {
            (KeyActionKind::Unlink, None) => Ok(()),
            (KeyActionKind::Unlink, Some(_)) => Err(DcsError::with_message(
                crate::ErrorCode::InvalidParameter,
                "ttl is only for action \"expire\".",
            )),
            (KeyActionKind::Expire, Some(t)) if (1..=MAX_TTL_SECONDS).contains(&t) => Ok(()),
            (KeyActionKind::Expire, _) => Err(DcsError::with_message(
                crate::ErrorCode::InvalidParameter,
                format!("ttl must be whole seconds from 1 to {MAX_TTL_SECONDS} (10 years)."),
            )),
        }
    }
}

/// One key action as recorded (the answer to `POST …/key-actions`, and each entry of its list).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyActionRecord {
    pub id: String,
    pub instance_id: String,
    pub name: String,
    pub db: u32,
    pub action: KeyActionKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u64>,
    /// What happened: `done`, `no such key`, or why it failed.
    pub outcome: String,
    pub created_at: Timestamp,
}

/// `GET …/key-actions`: newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyActionList {
    pub total: u64,
    pub records: Vec<KeyActionRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ttl_goes_with_expire_only_and_within_ten_years() {
        let body = |action, ttl| KeyActionBody {
            name: "k".into(),
            db: 0,
            action,
            ttl,
        };
        assert!(body(KeyActionKind::Unlink, None).check().is_ok());
        assert!(body(KeyActionKind::Unlink, Some(5)).check().is_err());
        assert!(body(KeyActionKind::Expire, Some(1)).check().is_ok());
        assert!(body(KeyActionKind::Expire, Some(MAX_TTL_SECONDS))
            .check()
            .is_ok());
        for bad in [None, Some(0), Some(MAX_TTL_SECONDS + 1)] {
            let e = body(KeyActionKind::Expire, bad).check().unwrap_err();
            assert_eq!(e.code, crate::ErrorCode::InvalidParameter, "{bad:?}");
        }
        let parsed: KeyActionBody =
            serde_json::from_str(r#"{"name":"a","action":"expire","ttl":60}"#).unwrap();
        assert_eq!((parsed.db, parsed.ttl), (0, Some(60)));
    }
}
