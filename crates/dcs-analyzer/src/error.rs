//! Why an analysis failed, in words an operator can act on, each with its DCS error code.

use dcs_api::{DcsError, ErrorCode, TaskKind};
use std::time::Duration;

#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum AnalyzerError {
    /// The analysis cannot run on this server (policy, version, ACL); the message says why.
    #[error("{reason}")]
    Unsupported { kind: TaskKind, reason: String },
    #[error("cannot connect to {addr}: {detail}")]
    Connect { addr: String, detail: String },
    #[error("authentication failed at {addr}: {detail}")]
    Auth { addr: String, detail: String },
    #[error("{addr} refused {command}: {detail}")]
    Denied {
        addr: String,
        command: String,
        detail: String,
    },
    #[error("connection to {addr} was lost: {detail}")]
    Lost { addr: String, detail: String },
    #[error("{addr} did not answer within {} s", .after.as_secs_f32())]
    Timeout { addr: String, after: Duration },
    #[error("the analysis was cancelled")]
    Cancelled,
    #[error("invalid target: {0}")]
    InvalidTarget(String),
    /// A knob outside its documented range (see `ScanOptions::check`).
    #[error("invalid option: {0}")]
    InvalidOption(String),
    #[error("unexpected reply from {addr}: {detail}")]
    Protocol { addr: String, detail: String },
    /// An RDB snapshot that cannot be read (corrupt, truncated, or of an unsupported kind).
    #[error("{from}: the snapshot cannot be read at byte {offset}: {detail}")]
    Snapshot {
        from: String,
        offset: u64,
        detail: String,
    },
    /// Writing a snapshot to disk failed (a full disk, a read-only folder).
    #[error("{0}")]
    Storage(String),
}

impl AnalyzerError {
    /// The DCS error this failure is reported as by the proxy.
    pub fn to_dcs(&self, kind: TaskKind) -> DcsError {
        let code = match self {
            AnalyzerError::Unsupported { kind, .. } => kind.unsupported_code(),
            AnalyzerError::Denied { .. } => kind.unsupported_code(),
            AnalyzerError::Connect { .. }
            | AnalyzerError::Auth { .. }
            | AnalyzerError::Lost { .. }
            | AnalyzerError::Timeout { .. } => ErrorCode::InstanceNotRunning,
            AnalyzerError::InvalidTarget(_) | AnalyzerError::InvalidOption(_) => {
                ErrorCode::InvalidParameter
            }
            AnalyzerError::Cancelled => ErrorCode::TaskStateConflict,
            AnalyzerError::Protocol { .. }
            | AnalyzerError::Snapshot { .. }
            | AnalyzerError::Storage(_) => ErrorCode::Internal,
        };
        DcsError::with_message(code, self.to_string())
    }

    /// Classifies a client error from talking to `addr` while running `command`.
    pub fn from_redis(
        addr: &str,
        command: &str,
        e: &redis::RedisError,
        timeout: Duration,
    ) -> AnalyzerError {
        let addr = addr.to_string();
        let detail = e.to_string();
        let code = e.code().unwrap_or_default();
        if e.is_timeout() {
            AnalyzerError::Timeout {
                addr,
                after: timeout,
            }
        } else if matches!(code, "WRONGPASS" | "NOAUTH")
            || e.kind() == redis::ErrorKind::AuthenticationFailed
        {
            AnalyzerError::Auth { addr, detail }
        } else if code == "NOPERM" {
            AnalyzerError::Denied {
                addr,
                command: command.to_string(),
                detail,
            }
        } else if e.is_connection_refusal() {
            AnalyzerError::Connect { addr, detail }
        } else if e.is_io_error() || e.is_connection_dropped() || e.is_unrecoverable_error() {
            AnalyzerError::Lost { addr, detail }
        } else {
            AnalyzerError::Protocol { addr, detail }
        }
    }
}

/// Results of this crate.
pub type Result<T> = std::result::Result<T, AnalyzerError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_to_dcs_codes() {
        let unsupported = AnalyzerError::Unsupported {
            kind: TaskKind::Hotkey,
            reason: "set allkeys-lfu".into(),
        };
        let d = unsupported.to_dcs(TaskKind::Hotkey);
        assert_eq!(
            (d.code, d.message.as_str()),
            (ErrorCode::HotkeyUnsupported, "set allkeys-lfu")
        );
        let denied = AnalyzerError::Denied {
            addr: "a:1".into(),
            command: "OBJECT".into(),
            detail: "NOPERM".into(),
        };
        assert_eq!(
            denied.to_dcs(TaskKind::Bigkey).code,
            ErrorCode::BigkeyUnsupported
        );
        let lost = AnalyzerError::Lost {
            addr: "a:1".into(),
            detail: "eof".into(),
        };
        assert_eq!(
            lost.to_dcs(TaskKind::Expire).code,
            ErrorCode::InstanceNotRunning
        );
        let t = AnalyzerError::Timeout {
            addr: "a:1".into(),
            after: Duration::from_secs(5),
        };
        assert_eq!(t.to_string(), "a:1 did not answer within 5 s");
    }
}
