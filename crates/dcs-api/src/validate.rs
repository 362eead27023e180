//! Validation of path and query parameters, returning DCS errors.

use crate::error::DcsError;
use crate::kinds::TaskStatus;

/// Longest id DCS accepts (a UUID is 36).
pub const MAX_ID_LEN: usize = 36;
/// Default and bounds of `limit`.
pub const DEFAULT_LIMIT: u32 = 10;
pub const MAX_LIMIT: u32 = 1000;

/// An id (project, instance, task) is 1–36 characters of `[A-Za-z0-9-]`.
pub fn is_valid_id(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// [`is_valid_id`] as a DCS.4800 error naming the parameter.
pub fn validate_id(name: &str, id: &str) -> Result<(), DcsError> {
    if is_valid_id(id) {
        Ok(())
    } else {
        Err(DcsError::invalid(name))
    }
}

/// `?offset&limit&status` of the list calls, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListQuery {
    pub offset: u64,
    pub limit: u32,
    pub status: Option<TaskStatus>,
}

impl Default for ListQuery {
    fn default() -> Self {
        ListQuery {
            offset: 0,
            limit: DEFAULT_LIMIT,
            status: None,
        }
    }
}

/// A query value, with an empty one counting as absent.
fn present(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

impl ListQuery {
    /// From the raw query values: `offset` ≥ 0 (default 0), `limit` 1–1000 (default 10),
    /// `status` one of waiting|running|success|failed. An empty value counts as absent.
    pub fn parse(
        offset: Option<&str>,
        limit: Option<&str>,
        status: Option<&str>,
    ) -> Result<ListQuery, DcsError> {
        let offset = match present(offset) {
            None => 0,
            Some(s) => s.parse::<u64>().map_err(|_| DcsError::invalid("offset"))?,
        };
        let limit = match present(limit) {
            None => DEFAULT_LIMIT,
            Some(s) => s
                .parse::<u32>()
                .ok()
                .filter(|l| (1..=MAX_LIMIT).contains(l))
                .ok_or_else(|| DcsError::invalid("limit"))?,
        };
        let status = match present(status) {
            None => None,
            Some(s) => Some(
                s.parse::<TaskStatus>()
                    .map_err(|_| DcsError::invalid("status"))?,
            ),
        };
        Ok(ListQuery {
            offset,
            limit,
            status,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn id_rules_table() {
        let long_ok = "a".repeat(36);
        let too_long = "a".repeat(37);
        for (id, ok) in [
            ("5560df16-cebf-4473-95c4-d1b573c16e79", true),
            ("a", true),
            (long_ok.as_str(), true),
            ("ORDERS-cache-1", true),
            ("", false),
            (too_long.as_str(), false),
            ("orders_cache", false),
            ("a b", false),
            ("../etc", false),
            ("é", false),
            ("a%2F", false),
        ] {
            assert_eq!(is_valid_id(id), ok, "{id:?}");
        }
        let e = validate_id("instance_id", "bad id").unwrap_err();
        assert_eq!(
            (e.code, e.message.as_str()),
            (
                ErrorCode::InvalidParameter,
                "Invalid instance_id in the request."
            )
        );
    }

    #[test]
    fn list_query_rules_table() {
        let ok = |o, l, s| ListQuery::parse(o, l, s).unwrap();
        let err = |o, l, s| ListQuery::parse(o, l, s).unwrap_err().message;
        assert_eq!(ok(None, None, None), ListQuery::default());
        assert_eq!(ok(Some(""), Some(""), Some("")), ListQuery::default());
        assert_eq!(
            ok(Some("0"), Some("1"), Some("running")),
            ListQuery {
                offset: 0,
                limit: 1,
                status: Some(TaskStatus::Running)
            }
        );
        assert_eq!(ok(Some("25"), Some("1000"), None).limit, 1000);
        assert_eq!(
            ok(Some("18446744073709551615"), None, None).offset,
            u64::MAX
        );
        assert_eq!(
            err(Some("-1"), None, None),
            "Invalid offset in the request."
        );
        assert_eq!(
            err(Some("1.5"), None, None),
            "Invalid offset in the request."
        );
        assert_eq!(err(Some("x"), None, None), "Invalid offset in the request.");
        assert_eq!(err(None, Some("0"), None), "Invalid limit in the request.");
        assert_eq!(
            err(None, Some("1001"), None),
            "Invalid limit in the request."
        );
        assert_eq!(err(None, Some("-5"), None), "Invalid limit in the request.");
        assert_eq!(
            err(None, None, Some("done")),
            "Invalid status in the request."
        );
        assert_eq!(
            err(None, None, Some("RUNNING")),
            "Invalid status in the request."
        );
    }
}
