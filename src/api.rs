//! The console's HTTP client: runtime configuration, the DCS v2 calls, and their errors.
//!
//! Every JSON shape comes from `dcs-api`; this file only knows paths and transport.

use crate::json::{FromJson, Json, Parsed};
use dcs_api::config::{ModifyRedisConfigBody, RedisConfig, MAXMEMORY_POLICY};
use dcs_api::{ErrorBody, TaskKind};
use gloo_net::http::{Request, RequestBuilder};
use leptos::prelude::{RwSignal, Set};
use serde::Serialize;
use std::fmt;

/// `/config.json`, served next to `index.html`, so one build serves any deployment.
pub use dcs_api::console::ConsoleConfig as RuntimeConfig;

/// Why a call failed, in the terms the UI shows.
#[derive(Clone, Debug, PartialEq)]
pub enum ApiError {
    /// The server answered with a DCS error body.
    Dcs { status: u16, body: ErrorBody },
    /// The server answered with an error status but no DCS body.
    Http { status: u16 },
    /// No answer: the proxy is down or the network failed.
    Unreachable(String),
    /// An answer this console cannot read.
    Malformed(String),
}

impl ApiError {
    /// The DCS code, when the server gave one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Dcs { body, .. } => Some(&body.error_code),
            _ => None,
        }
    }

    /// The human part of the error (without the code, which the UI shows on its own).
    pub fn message(&self) -> String {
        match self {
            ApiError::Dcs { body, .. } => body.error_msg.clone(),
            other => other.to_string(),
        }
    }

    /// A rule of the proxy's, checked here before sending: shown exactly as the proxy would
    /// answer it.
    pub fn refused_here(e: &dcs_api::DcsError) -> ApiError {
        ApiError::Dcs {
            status: 400,
            body: e.body(),
        }
    }

    /// 401: the token is missing or wrong.
    /// 404: the endpoint does not offer this call (a DCS region may lack some).
    pub fn not_offered(&self) -> bool {
        matches!(
            self,
            ApiError::Dcs { status: 404, .. } | ApiError::Http { status: 404 }
        )
    }

    pub fn is_unauthorized(&self) -> bool {
        matches!(
            self,
            ApiError::Dcs { status: 401, .. } | ApiError::Http { status: 401 }
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Dcs { body, .. } => write!(f, "{}: {}", body.error_code, body.error_msg),
            ApiError::Http { status } => write!(f, "The server answered HTTP {status}."),
            ApiError::Unreachable(why) => write!(f, "Cannot reach the API proxy ({why})."),
            ApiError::Malformed(why) => write!(
                f,
                "The server sent a response this console cannot read ({why})."
            ),
        }
    }
}

/// Fetches `/config.json` (from the proxy, or a file beside `index.html` on static hosting) and
/// checks it, so a wrong one is reported as such rather than as failing API calls later.
pub async fn load_config() -> Result<RuntimeConfig, ApiError> {
    // Revalidated every time: a host without cache headers would otherwise let the browser
    // keep an old (or deleted) config.json for a while, and a changed one must count at once.
    let (status, text) = send(
        Request::get("/config.json")
            .cache(web_sys::RequestCache::NoCache)
            .build()
            .map_err(|e| ApiError::Malformed(e.to_string()))?,
    )
    .await?;
    decode::<RuntimeConfig>(status, &text)?
        .checked()
        .map_err(ApiError::Malformed)
}

/// Sends a request and reads the status and body text; no answer is `Unreachable`.
async fn send(req: gloo_net::http::Request) -> Result<(u16, String), ApiError> {
    let resp = req
        .send()
        .await
        .map_err(|e| ApiError::Unreachable(e.to_string()))?;
    let status = resp.status();
    let text = resp
        .text()
        .await
        .map_err(|e| ApiError::Unreachable(e.to_string()))?;
    Ok((status, text))
}

/// Session-storage key of the console token (docs/ARCHITECTURE.md §6).
pub const TOKEN_KEY: &str = "dcs-console-token";

/// The console token, kept in the browser's local storage: every tab of the browser is signed
/// in until the user signs out (or the proxy stops accepting the token).
pub fn stored_token() -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item(TOKEN_KEY)
        .ok()?
}

/// A handle on the API, provided as context by `App`.
#[derive(Clone, Debug)]
pub struct Api {
    config: RuntimeConfig,
    /// Set once the proxy answers 401: the app then shows only the sign-in prompt.
    pub signed_out: RwSignal<bool>,
}

impl Api {
    pub fn new(config: RuntimeConfig) -> Api {
        Api {
            config,
            signed_out: RwSignal::new(false),
        }
    }

    pub fn config(&self) -> &RuntimeConfig {
        &self.config
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}/v2/{}{}",
            self.config.api_base.trim_end_matches('/'),
            self.config.project_id,
            path
        )
    }

    fn with_auth(&self, req: RequestBuilder) -> RequestBuilder {
        match stored_token() {
            Some(token) => req.header("X-Auth-Token", &token),
            None => req,
        }
    }

    /// One request, not generic over the response type: every call shares this code, which
    /// keeps the wasm small; [`decode`] then reads the body as the caller's type.
    pub(crate) async fn fetch(
        &self,
        method: &'static str,
        path: &str,
        body: Option<String>,
    ) -> Result<(u16, String), ApiError> {
        let url = self.url(path);
        let req = match method {
            "POST" => Request::post(&url),
            "DELETE" => Request::delete(&url),
            "PUT" => Request::put(&url),
            _ => Request::get(&url),
        };
        let req = self.with_auth(req);
        let req = match body {
            Some(b) => req.header("Content-Type", "application/json").body(b),
            None => req.build(),
        }
        .map_err(|e| ApiError::Malformed(e.to_string()))?;
        let answer = send(req).await;
        if matches!(answer, Ok((401, _))) {
            self.signed_out.set(true);
        }
        answer
    }

    /// Sends a body; success is all that is read of the answer.
    pub(crate) async fn send_json<B: Serialize>(
        &self,
        method: &'static str,
        path: &str,
        body: &B,
    ) -> Result<(), ApiError> {
        let json = serde_json::to_string(body).map_err(|e| ApiError::Malformed(e.to_string()))?;
        let (status, text) = self.fetch(method, path, Some(json)).await?;
        succeeded(status, &text)
    }

    /// Stops a waiting or running task: `DELETE` on its path (hot and big keys: the record goes
    /// with it; expired-key scans: the record stays, with what the scan reclaimed).
    pub async fn stop(&self, path: &str) -> Result<(), ApiError> {
        let (status, text) = self.fetch("DELETE", path, None).await?;
        succeeded(status, &text)
    }

    /// Sets `maxmemory-policy` (where the proxy allows configuration changes).
    pub async fn set_policy(&self, id: &str, policy: &str) -> Result<(), ApiError> {
        let body = ModifyRedisConfigBody {
            redis_config: vec![RedisConfig {
                param_id: "1".into(),
                param_name: MAXMEMORY_POLICY.into(),
                param_value: policy.into(),
            }],
        };
        self.send_json("PUT", &format!("/instances/{id}/configs"), &body)
            .await
    }

    /// Starts a task of `kind` (a key-space analysis with its JSON `body`; at `pace` where the
    /// proxy offers a choice); answers its id (the pages then follow it through their GETs).
    pub async fn create_task(
        &self,
        id: &str,
        kind: TaskKind,
        body: Option<String>,
        pace: Option<dcs_api::Pace>,
    ) -> Result<String, ApiError> {
        struct Created(String);
        impl FromJson for Created {
            fn read(j: &Json) -> crate::json::Read<Self> {
                // DCS answers a key analysis with `task_id`, the other kinds with the task.
                j.opt_str("task_id")
                    .map_or_else(|| j.str("id"), Ok)
                    .map(Created)
            }
        }
        let mut path = format!("/instances/{id}/{}", kind.create_paths()[0]);
        if let Some(p) = pace {
            path = format!("{path}?pace={p}");
        }
        let (status, text) = self.fetch("POST", &path, body).await?;
        decode::<Created>(status, &text).map(|c| c.0)
    }

    /// Saves the schedule of `kind` (daily times, or the expired-key interval).
    pub async fn save_schedule<B: Serialize>(
        &self,
        id: &str,
        kind: TaskKind,
        body: &B,
    ) -> Result<(), ApiError> {
        self.send_json("PUT", &paths::schedule(id, kind), body)
            .await
    }
}

/// API paths (after `/v2/{project_id}`) of the GETs pages load through [`crate::fetch`].
pub mod paths {
    use dcs_api::TaskKind;

    pub fn instances() -> String {
        "/instances".into()
    }
    pub fn configs(id: &str) -> String {
        format!("/instances/{id}/configs")
    }
    /// The history of `kind`, newest first (as many as DCS keeps).
    pub fn tasks(id: &str, kind: TaskKind) -> String {
        format!("/instances/{id}/{}?limit=100", kind.list_path())
    }
    pub fn task(id: &str, kind: TaskKind, task: &str) -> String {
        format!("/instances/{id}/{}/{task}", kind.task_path())
    }
    /// The schedule of a kind that has one (every kind the console schedules).
    pub fn instance(id: &str) -> String {
        format!("/instances/{id}")
    }
    /// The instance's masters and replicas.
    pub fn nodes(id: &str) -> String {
        format!("/instances/{id}/logical-nodes")
    }
    pub fn backups(id: &str) -> String {
        format!("/instances/{id}/backups?limit=100")
    }
    /// One key read now (local mode); `name` as the analysis reported it.
    pub fn key_details(id: &str, name: &str, db: u32) -> String {
        format!(
            "/instances/{id}/key-details?name={}&db={db}",
            js_sys::encode_uri_component(name)
        )
    }
    pub fn key_actions(id: &str) -> String {
        format!("/instances/{id}/key-actions")
    }
    pub fn schedule(id: &str, kind: TaskKind) -> String {
        format!(
            "/instances/{id}/{}",
            kind.schedule_path().unwrap_or_default()
        )
    }
}

/// Reads a successful body as `T`, or the error body as [`ApiError::Dcs`].
pub fn decode<T: FromJson>(status: u16, text: &str) -> Result<T, ApiError> {
    T::read(&parse(status, text)?.json()).map_err(ApiError::Malformed)
}

/// A success, whatever its body; an error body as [`ApiError::Dcs`].
pub fn succeeded(status: u16, text: &str) -> Result<(), ApiError> {
    parse(status, text).map(drop)
}

/// The part of [`decode`] that does not depend on `T`: a successful body parsed, or the error.
#[inline(never)]
fn parse(status: u16, text: &str) -> Result<Parsed, ApiError> {
    if (200..300).contains(&status) {
        // 204 and other empty successes read as JSON null.
        let text = if text.trim().is_empty() { "null" } else { text };
        return Parsed::parse(text).map_err(ApiError::Malformed);
    }
    Err(
        match Parsed::parse(text).and_then(|p| dcs_api::ErrorBody::read(&p.json())) {
            Ok(body) => ApiError::Dcs { status, body },
            Err(_) => ApiError::Http { status },
        },
    )
}

// The browser's JSON.parse reads the answers: these run in Chromium (`make test-components`).
#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn decode_sorts_answers_into_errors() {
        let ok: Result<RuntimeConfig, _> = decode(200, r#"{"api_base":"","project_id":"p1"}"#);
        assert_eq!(ok.unwrap().project_id, "p1");
        let dcs = decode::<RuntimeConfig>(
            400,
            r#"{"error_code":"DCS.4922","error_msg":"Does not support hotkey analyze."}"#,
        )
        .unwrap_err();
        assert_eq!(dcs.code(), Some("DCS.4922"));
        assert_eq!(
            dcs.to_string(),
            "DCS.4922: Does not support hotkey analyze."
        );
        assert_eq!(
            decode::<RuntimeConfig>(502, "<html>bad gateway</html>").unwrap_err(),
            ApiError::Http { status: 502 }
        );
        assert!(matches!(
            decode::<RuntimeConfig>(200, "{\"project_id\":1}"),
            Err(ApiError::Malformed(_))
        ));
        assert!(decode::<RuntimeConfig>(
            401,
            r#"{"error_code":"DCS.1003","error_msg":"No token"}"#
        )
        .unwrap_err()
        .is_unauthorized());
    }
}
