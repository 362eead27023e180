//! `/config.json`: the console's runtime settings, served by the proxy beside the console or
//! written by hand next to `index.html` on static hosting (docs/ARCHITECTURE.md §11).

use serde::{Deserialize, Serialize};

/// What the console reads from `/config.json`; one build serves any deployment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConsoleConfig {
    /// Base URL of the API, `""` for the same origin.
    #[serde(default)]
    pub api_base: String,
    pub project_id: String,
    /// `local` or `cloud` (the proxy says; a hand-written file may leave it out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    /// Cloud mode: the DCS region (e.g. `eu-de`), when the endpoint's name tells.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl ConsoleConfig {
    /// `project_id` a DCS id; `api_base` empty or an `http(s)://` address. A wrong file is
    /// reported as such, rather than as every API call failing later.
    pub fn checked(self) -> Result<ConsoleConfig, String> {
        let base = &self.api_base;
        if !crate::validate::is_valid_id(&self.project_id) {
            return Err(format!(
                "config.json: project_id {:?} must be 1-36 characters of A-Z, a-z, 0-9 and -",
                self.project_id
            ));
        }
        if !(base.is_empty() || base.starts_with("https://") || base.starts_with("http://")) {
            return Err(format!(
                "config.json: api_base {base:?} must be empty or start with https:// or http://"
            ));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base: &str, project: &str) -> ConsoleConfig {
        ConsoleConfig {
            api_base: base.into(),
            project_id: project.into(),
            mode: None,
            region: None,
        }
    }

    #[test]
    fn checks_what_the_console_needs() {
        assert!(config("", "p1").checked().is_ok());
        assert!(config("https://proxy.example.com:8080", "p1")
            .checked()
            .is_ok());
        assert!(config("proxy.example.com", "p1").checked().is_err());
        assert!(config("", "").checked().is_err());
        assert!(config("", "a/b").checked().is_err());
    }

    #[test]
    fn reads_a_minimal_file_and_writes_no_nulls() {
        let c: ConsoleConfig = serde_json::from_str(r#"{"project_id":"p1"}"#).unwrap();
        assert_eq!(c, config("", "p1"));
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"api_base":"","project_id":"p1"}"#
        );
    }
}
