//! IAM password authentication: a project-scoped token from `POST {iam}/v3/auth/tokens`
//! (`X-Subject-Token`), cached and renewed an hour before it expires (tokens live 24 h). A
//! failed fetch is not retried for [`RETRY_AFTER`]: calls meanwhile get the same error at once,
//! so a wrong password cannot hammer IAM (and lock the account) at the console's polling rate.

use crate::clock::Clock;
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use std::sync::Arc;
use tokio::sync::Mutex;

/// Renew this long before the token expires.
pub const RENEW_BEFORE: Duration = Duration::hours(1);
/// Least time between two fetches after one failed.
pub const RETRY_AFTER: Duration = Duration::minutes(1);

pub struct IamTokens {
    endpoint: String,
    user: String,
    domain: String,
    password: String,
    project_id: String,
    clock: Arc<dyn Clock>,
    cached: Mutex<Cached>,
}

#[derive(Default)]
struct Cached {
    token: Option<(String, DateTime<Utc>)>,
    /// When the last fetch failed, and why.
    failed: Option<(DateTime<Utc>, String)>,
}

impl IamTokens {
    pub fn new(
        endpoint: String,
        user: String,
        domain: String,
        password: String,
        project_id: String,
        clock: Arc<dyn Clock>,
    ) -> Self {
        IamTokens {
            endpoint,
            user,
            domain,
            password,
            project_id,
            clock,
            cached: Mutex::new(Cached::default()),
        }
    }

    /// A valid token, fetched when there is none or it expires within [`RENEW_BEFORE`].
    /// One fetch at a time: concurrent callers wait for it instead of asking IAM again.
    pub async fn token(&self, http: &reqwest::Client) -> Result<String, String> {
        let mut cached = self.cached.lock().await;
        let now = self.clock.now();
        if let Some((token, expires)) = cached.token.as_ref() {
            if *expires - now > RENEW_BEFORE {
                return Ok(token.clone());
            }
        }
        if let Some((at, why)) = &cached.failed {
            if now - *at < RETRY_AFTER {
                return Err(format!("{why} (retried at most once a minute)"));
            }
        }
        match self.fetch(http).await {
            Ok((token, expires)) => {
                *cached = Cached {
                    token: Some((token.clone(), expires)),
                    failed: None,
                };
                Ok(token)
            }
            Err(why) => {
                cached.failed = Some((now, why.clone()));
                Err(why)
            }
        }
    }

    async fn fetch(&self, http: &reqwest::Client) -> Result<(String, DateTime<Utc>), String> {
        let body = json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": self.user, "password": self.password, "domain": {"name": self.domain}}}},
            "scope": {"project": {"id": self.project_id}}
        }});
        let url = format!("{}/v3/auth/tokens", self.endpoint);
        let resp = http
            .post(&url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| {
                format!(
                    "IAM endpoint {} did not answer: {}",
                    self.endpoint,
                    e.without_url()
                )
            })?;
        let status = resp.status();
        let token = resp
            .headers()
            .get("x-subject-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let json: serde_json::Value = resp.json().await.unwrap_or_default();
        match (status.is_success(), token) {
            (true, Some(token)) => {
                let expires = json["token"]["expires_at"]
                    .as_str()
                    .and_then(dcs_api::time::parse_timestamp)
                    .unwrap_or_else(|| self.clock.now() + Duration::hours(24));
                Ok((token, expires))
            }
            _ => Err(format!(
                "IAM endpoint {} refused the password authentication (HTTP {status})",
                self.endpoint
            )),
        }
    }
}
