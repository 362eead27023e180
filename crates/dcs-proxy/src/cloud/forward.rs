//! Forwarding an allow-listed call to the DCS endpoint, authenticated for it.

use super::iam::IamTokens;
use crate::clock::Clock;
use crate::config::{CloudAuth, CloudConfig};
use crate::error::AppError;
use crate::extract::MAX_BODY;
use crate::signing::{self, SignedRequest};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use dcs_api::{DcsError, ErrorCode};
use std::sync::Arc;
use std::time::Duration;

/// Largest upstream answer passed on.
pub const MAX_UPSTREAM_BODY: usize = 8 * 1024 * 1024;

enum Auth {
    AkSk {
        ak: String,
        sk: String,
        security_token: Option<String>,
    },
    Iam(IamTokens),
}

pub struct Forwarder {
    endpoint: String,
    /// `host[:port]` as the endpoint URL names it (signed as `Host`).
    host: String,
    project_id: String,
    auth: Auth,
    http: reqwest::Client,
    clock: Arc<dyn Clock>,
    timeout_secs: u64,
    allow_config_changes: bool,
}

impl Forwarder {
    pub fn new(
        cfg: &CloudConfig,
        project_id: &str,
        clock: Arc<dyn Clock>,
    ) -> Result<Forwarder, String> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(cfg.timeout_secs))
            .pool_max_idle_per_host(4)
            .build()
            .map_err(|e| format!("cannot set up HTTPS: {e}"))?;
        let host = cfg
            .endpoint
            .split("://")
            .nth(1)
            .unwrap_or("")
            .split('/')
            .next()
            .unwrap_or("")
            .to_string();
        let auth = match &cfg.auth {
            CloudAuth::AkSk {
                ak,
                sk,
                security_token,
            } => Auth::AkSk {
                ak: ak.clone(),
                sk: sk.clone(),
                security_token: security_token.clone(),
            },
            CloudAuth::Iam {
                endpoint,
                user,
                domain,
                password,
            } => Auth::Iam(IamTokens::new(
                endpoint.clone(),
                user.clone(),
                domain.clone(),
                password.clone(),
                project_id.to_string(),
                clock.clone(),
            )),
        };
        Ok(Forwarder {
            endpoint: cfg.endpoint.clone(),
            host,
            project_id: project_id.to_string(),
            auth,
            http,
            clock,
            timeout_secs: cfg.timeout_secs,
            allow_config_changes: cfg.allow_config_changes,
        })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    fn upstream_error(&self, status: StatusCode, what: String) -> AppError {
        AppError(
            DcsError::with_message(ErrorCode::Internal, what),
            Some(status),
        )
    }

    /// Sends `method path?query` with `body` upstream and returns the answer as it came.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Result<Response, AppError> {
        let url = match query {
            Some(q) => format!("{}{path}?{q}", self.endpoint),
            None => format!("{}{path}", self.endpoint),
        };
        let date = signing::format_sdk_date(self.clock.now());
        let mut headers = vec![
            ("host".to_string(), self.host.clone()),
            ("x-project-id".to_string(), self.project_id.clone()),
            ("x-sdk-date".to_string(), date.clone()),
        ];
        let mut extra: Vec<(&str, String)> = vec![("accept", "application/json".into())];
        if let Some(ct) = content_type {
            extra.push(("content-type", ct.to_string()));
        }
        match &self.auth {
            Auth::AkSk {
                ak,
                sk,
                security_token,
            } => {
                if let Some(t) = security_token {
                    extra.push(("x-security-token", t.clone()));
                }
                let decoded = signing::decode(path);
                let signed = SignedRequest {
                    method,
                    path: &decoded,
                    query: signing::parse_query(query.unwrap_or("")),
                    headers: headers.clone(),
                    signed_headers: vec!["host".into(), "x-project-id".into(), "x-sdk-date".into()],
                    body_hash: signing::sha256_hex(&body),
                };
                extra.push(("authorization", signed.authorization(ak, sk, &date)));
            }
            Auth::Iam(tokens) => {
                let token = tokens
                    .token(&self.http)
                    .await
                    .map_err(|e| self.upstream_error(StatusCode::BAD_GATEWAY, e))?;
                extra.push(("x-auth-token", token));
            }
        }
        headers.retain(|(k, _)| k != "host"); // reqwest sets Host from the URL, as signed
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| DcsError::new(ErrorCode::UrlNotFound))?;
        let mut req = self.http.request(method, &url).body(body);
        for (k, v) in headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.clone()))
            .chain(extra)
        {
            req = req.header(k, v);
        }
        let resp = req.send().await.map_err(|e| {
            if e.is_timeout() {
                self.upstream_error(
                    StatusCode::GATEWAY_TIMEOUT,
                    format!(
                        "The DCS endpoint {} did not answer within {} s.",
                        self.endpoint, self.timeout_secs
                    ),
                )
            } else {
                self.upstream_error(
                    StatusCode::BAD_GATEWAY,
                    format!(
                        "Cannot reach the DCS endpoint {}: {}.",
                        self.endpoint,
                        e.without_url()
                    ),
                )
            }
        })?;
        let status = resp.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            // DCS refused the proxy, not the console's user: passing a 401 on would show the
            // console's sign-in prompt, which cannot help.
            let said: serde_json::Value = resp.json().await.unwrap_or_default();
            let why = [&said["error_code"], &said["error_msg"]]
                .iter()
                .filter_map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(": ");
            return Err(self.upstream_error(
                StatusCode::BAD_GATEWAY,
                format!(
                    "The DCS endpoint {} refused the proxy's cloud credentials (HTTP {status}{}{why}); check the proxy's CLOUD_SDK_AK/CLOUD_SDK_SK or IAM settings and the permissions of that account.",
                    self.endpoint,
                    if why.is_empty() { "" } else { ": " },
                ),
            ));
        }
        if status.is_redirection() {
            return Err(self.upstream_error(
                StatusCode::BAD_GATEWAY,
                format!("The DCS endpoint {} answered with a redirect (HTTP {status}), which the proxy does not follow.", self.endpoint),
            ));
        }
        let content_type = resp.headers().get(header::CONTENT_TYPE).cloned();
        if resp
            .content_length()
            .is_some_and(|n| n as usize > MAX_UPSTREAM_BODY)
        {
            return Err(self.upstream_error(
                StatusCode::BAD_GATEWAY,
                format!(
                    "The DCS endpoint {} sent an answer larger than 8 MiB.",
                    self.endpoint
                ),
            ));
        }
        let bytes = resp.bytes().await.map_err(|e| {
            self.upstream_error(
                StatusCode::BAD_GATEWAY,
                format!(
                    "The DCS endpoint {} broke off its answer: {}.",
                    self.endpoint,
                    e.without_url()
                ),
            )
        })?;
        let mut out = Response::new(Body::from(bytes));
        *out.status_mut() =
            StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
        out.headers_mut().insert(
            header::CONTENT_TYPE,
            content_type.unwrap_or(HeaderValue::from_static("application/json")),
        );
        Ok(out)
    }
}

/// The `/v2` fallback in cloud mode: allow-listed calls go upstream, anything else is a local
/// 404 DCS.4001 that never reaches the endpoint. The browser's own headers (its proxy token
/// above all) are not passed on.
pub async fn forward(State(fwd): State<Arc<Forwarder>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    // Inside the `/v2` nest the URI has lost its prefix; the original one is forwarded.
    let uri = parts
        .extensions
        .get::<axum::extract::OriginalUri>()
        .map(|o| o.0.clone())
        .unwrap_or_else(|| parts.uri.clone());
    let path = uri.path().to_string();
    let rest = path
        .strip_prefix(&format!("/v2/{}", fwd.project_id))
        .unwrap_or("");
    if !super::allowed(parts.method.as_str(), rest) {
        return crate::error::unknown_path().await.into_response();
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return AppError::from(DcsError::invalid("request body")).into_response();
    };
    // Configuration changes go through the proxy's cloud credentials: no more than local mode
    // allows, and only the checked body is sent on.
    let bytes = if is_config_change(parts.method.as_str(), rest) {
        match checked_config_change(&fwd, &bytes) {
            Ok(b) => b,
            Err(e) => return AppError::from(e).into_response(),
        }
    } else {
        bytes.to_vec()
    };
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    match fwd
        .send(
            parts.method.as_str(),
            &path,
            uri.query(),
            content_type,
            bytes,
        )
        .await
    {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(
                endpoint = fwd.endpoint(),
                "forwarding failed: {}",
                e.0.message
            );
            e.into_response()
        }
    }
}

/// `PUT /instances/{instance_id}/configs`.
fn is_config_change(method: &str, rest: &str) -> bool {
    let segments: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    method == "PUT" && matches!(segments.as_slice(), ["", "instances", _, "configs"])
}

fn checked_config_change(fwd: &Forwarder, body: &[u8]) -> Result<Vec<u8>, DcsError> {
    if !fwd.allow_config_changes {
        return Err(dcs_api::config::config_changes_disabled());
    }
    let change: dcs_api::config::ModifyRedisConfigBody =
        serde_json::from_slice(body).map_err(|_| DcsError::invalid("request body"))?;
    change.check_policy_change()?;
    serde_json::to_vec(&change).map_err(|_| DcsError::invalid("request body"))
}
