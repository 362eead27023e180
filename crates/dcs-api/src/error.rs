//! DCS error codes and the error body every failed call returns.
//!
//! See `docs/dcs/ERRORS.md`. The HTTP status belongs to the code, so a caller cannot pair a
//! code with the wrong status.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// The DCS error codes this product uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// DCS.4818 — expired-key scan not possible on this instance.
    ExpireScanUnsupported,
    /// DCS.4819 — `first_scan_at` invalid.
    InvalidFirstScanAt,
    /// DCS.4820 — `interval` invalid.
    InvalidInterval,
    /// DCS.4821 — `timeout` invalid.
    InvalidTimeout,
    /// DCS.4822 — `scan_keys_count` invalid.
    InvalidScanKeysCount,
    /// DCS.4918 — an analysis of that kind is already waiting or running.
    AnalysisRunning,
    /// DCS.4919 — big-key analysis not possible.
    BigkeyUnsupported,
    /// DCS.4922 — hot-key analysis not possible (policy not `*-lfu`, server too old).
    HotkeyUnsupported,
    /// DCS.4941 — unknown hot-key task id.
    HotkeyTaskNotFound,
    /// DCS.4942 — unknown big-key task id.
    BigkeyTaskNotFound,
    /// DCS.4957 — the task's state does not allow the operation.
    TaskStateConflict,
    /// DCS.4049 — instance unreachable.
    InstanceNotRunning,
    /// DCS.4800 — a malformed parameter.
    InvalidParameter,
    /// DCS.4001 (404) — unknown path.
    UrlNotFound,
    /// DCS.3022 (404) — unknown instance id.
    InstanceNotFound,
    /// DCS.1001 (401) — invalid token or signature.
    InvalidToken,
    /// DCS.1002 (401) — token expired (or request date outside the allowed skew).
    TokenExpired,
    /// DCS.1003 (401) — no credentials in the request.
    NoToken,
    /// DCS.1004 (401) — project id does not match.
    ProjectMismatch,
    /// DCS.2003 (403) — not permitted.
    Forbidden,
    /// DCS.5000 (500) — anything unexpected; never carries internals.
    Internal,
}

impl ErrorCode {
    /// Every code, for exhaustive tests and documentation.
    pub const ALL: [ErrorCode; 21] = [
        ErrorCode::ExpireScanUnsupported,
        ErrorCode::InvalidFirstScanAt,
        ErrorCode::InvalidInterval,
        ErrorCode::InvalidTimeout,
        ErrorCode::InvalidScanKeysCount,
        ErrorCode::AnalysisRunning,
        ErrorCode::BigkeyUnsupported,
        ErrorCode::HotkeyUnsupported,
        ErrorCode::HotkeyTaskNotFound,
        ErrorCode::BigkeyTaskNotFound,
        ErrorCode::TaskStateConflict,
        ErrorCode::InstanceNotRunning,
        ErrorCode::InvalidParameter,
        ErrorCode::UrlNotFound,
        ErrorCode::InstanceNotFound,
        ErrorCode::InvalidToken,
        ErrorCode::TokenExpired,
        ErrorCode::NoToken,
        ErrorCode::ProjectMismatch,
        ErrorCode::Forbidden,
        ErrorCode::Internal,
    ];

    /// The wire code, e.g. `DCS.4922`.
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            ExpireScanUnsupported => "DCS.4818",
            InvalidFirstScanAt => "DCS.4819",
            InvalidInterval => "DCS.4820",
            InvalidTimeout => "DCS.4821",
            InvalidScanKeysCount => "DCS.4822",
            AnalysisRunning => "DCS.4918",
            BigkeyUnsupported => "DCS.4919",
            HotkeyUnsupported => "DCS.4922",
            HotkeyTaskNotFound => "DCS.4941",
            BigkeyTaskNotFound => "DCS.4942",
            TaskStateConflict => "DCS.4957",
            InstanceNotRunning => "DCS.4049",
            InvalidParameter => "DCS.4800",
            UrlNotFound => "DCS.4001",
            InstanceNotFound => "DCS.3022",
            InvalidToken => "DCS.1001",
            TokenExpired => "DCS.1002",
            NoToken => "DCS.1003",
            ProjectMismatch => "DCS.1004",
            Forbidden => "DCS.2003",
            Internal => "DCS.5000",
        }
    }

    /// Looks a wire code up; `None` for codes this product does not know.
    pub fn parse(code: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// The HTTP status DCS answers with for this code.
    pub fn http_status(self) -> u16 {
        use ErrorCode::*;
        match self {
            UrlNotFound | InstanceNotFound => 404,
            InvalidToken | TokenExpired | NoToken | ProjectMismatch => 401,
            Forbidden => 403,
            Internal => 500,
            _ => 400,
        }
    }

    /// The message as DCS words it.
    pub fn default_message(self) -> &'static str {
        use ErrorCode::*;
        match self {
            ExpireScanUnsupported => "Do not support auto expire scan.",
            InvalidFirstScanAt => "The first_scan_at parameter is invalid. It must be an ISO format UTC date-time (e.g. 2023-07-07T15:00:05.000Z) later than the current time.",
            InvalidInterval => "The interval parameter is invalid. It must be greater than or equal to 0.",
            InvalidTimeout => "The timeout parameter is invalid. It must be >= interval * 2; if interval is 0, timeout must be greater than 1 second.",
            InvalidScanKeysCount => "The scan_keys_count parameter is invalid. It must be >= 10 and <= 1000.",
            AnalysisRunning => "Instance bigkey analyze is running.",
            BigkeyUnsupported => "Does not support bigkey analyze.",
            HotkeyUnsupported => "Does not support hotkey analyze.",
            HotkeyTaskNotFound => "The hotkey id does not exist.",
            BigkeyTaskNotFound => "The bigkey id does not exist.",
            TaskStateConflict => "This operation is not allowed when the task is in the current state.",
            InstanceNotRunning => "The instance status is not running.",
            InvalidParameter => "Invalid parameter in the request.",
            UrlNotFound => "The requested URL does not exist.",
            InstanceNotFound => "This DCS instance does not exist.",
            InvalidToken => "Invalid token.",
            TokenExpired => "Token expired.",
            NoToken => "No token in the request.",
            ProjectMismatch => "Project ID does not match the token.",
            Forbidden => "This role does not have the permission to perform this operation.",
            Internal => "Internal service error.",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A DCS error as a Rust value: a code plus the message to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DcsError {
    pub code: ErrorCode,
    pub message: String,
}

impl DcsError {
    /// The code with DCS's own message.
    pub fn new(code: ErrorCode) -> Self {
        DcsError {
            code,
            message: code.default_message().to_string(),
        }
    }

    /// The code with a more specific message (e.g. which setting to change).
    pub fn with_message(code: ErrorCode, message: impl Into<String>) -> Self {
        DcsError {
            code,
            message: message.into(),
        }
    }

    /// DCS.4800 worded as DCS words it: `Invalid {name} in the request.`
    pub fn invalid(name: &str) -> Self {
        DcsError::with_message(
            ErrorCode::InvalidParameter,
            format!("Invalid {name} in the request."),
        )
    }

    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }

    /// The JSON body to send.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error_code: self.code.as_str().to_string(),
            error_msg: self.message.clone(),
            error_ext_msg: Some(None),
        }
    }
}

impl fmt::Display for DcsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for DcsError {}

/// The error body: `{"error_code":"DCS.4922","error_msg":"…","error_ext_msg":null}`.
///
/// `error_ext_msg` distinguishes absent (`None`, as in DCS's own examples) from `null`
/// (`Some(None)`, what this product sends), so bodies round-trip exactly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error_code: String,
    pub error_msg: String,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub error_ext_msg: Option<Option<String>>,
}

impl ErrorBody {
    /// The known code, if it is one.
    pub fn code(&self) -> Option<ErrorCode> {
        ErrorCode::parse(&self.error_code)
    }
}

/// Marks a field that was present in the input (even as `null`) as `Some`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_parse_back() {
        for c in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(c.as_str()), Some(c));
            assert!(
                c.as_str().starts_with("DCS.") && c.as_str().len() == 8,
                "{c}"
            );
        }
        assert_eq!(ErrorCode::parse("DCS.9999"), None);
    }

    #[test]
    fn statuses_follow_errors_md() {
        assert_eq!(ErrorCode::UrlNotFound.http_status(), 404);
        assert_eq!(ErrorCode::InstanceNotFound.http_status(), 404);
        assert_eq!(ErrorCode::NoToken.http_status(), 401);
        assert_eq!(ErrorCode::ProjectMismatch.http_status(), 401);
        assert_eq!(ErrorCode::Forbidden.http_status(), 403);
        assert_eq!(ErrorCode::Internal.http_status(), 500);
        assert_eq!(ErrorCode::HotkeyUnsupported.http_status(), 400);
    }

    #[test]
    fn body_sends_null_ext_msg() {
        let json = serde_json::to_value(DcsError::invalid("limit").body()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error_code":"DCS.4800","error_msg":"Invalid limit in the request.","error_ext_msg":null})
        );
    }
}
