//! `dcs-proxy serve --config FILE`: the TOML configuration, checked before anything starts.
//!
//! Errors name the file, the line and what is wrong. Relative paths are relative to the file's
//! folder. Secrets may come from the environment (`sk_env`, `password_env`) so the file can be
//! shared without them.

use dcs_api::validate::is_valid_id;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default = "default_listen")]
    listen: SocketAddr,
    #[serde(default = "default_data_dir")]
    data_dir: PathBuf,
    #[serde(default = "default_console_dir")]
    console_dir: PathBuf,
    project_id: Spanned<String>,
    #[serde(default)]
    auth: RawAuth,
    #[serde(default)]
    instances: Vec<RawInstance>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuth {
    token: Option<String>,
    token_file: Option<PathBuf>,
    #[serde(default)]
    access_keys: Vec<RawAccessKey>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccessKey {
    ak: Spanned<String>,
    sk: Option<String>,
    sk_env: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstance {
    id: Spanned<String>,
    name: String,
    url: Option<Spanned<String>>,
    cluster: Option<Spanned<Vec<String>>>,
    password_env: Option<String>,
    #[serde(default)]
    allow_config_changes: bool,
}

fn default_listen() -> SocketAddr {
    "127.0.0.1:8080".parse().expect("valid default")
}
fn default_data_dir() -> PathBuf {
    "data".into()
}
fn default_console_dir() -> PathBuf {
    "dist".into()
}

/// The checked configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub console_dir: PathBuf,
    pub project_id: String,
    /// The console token, when configured (otherwise generated in `data_dir`).
    pub token: Option<String>,
    pub token_file: Option<PathBuf>,
    pub access_keys: Vec<AccessKey>,
    pub instances: Vec<InstanceConfig>,
}

/// An AK/SK pair SDK clients may sign with.
#[derive(Clone)]
pub struct AccessKey {
    pub ak: String,
    pub sk: String,
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AccessKey {{ ak: {:?}, sk: \"***\" }}", self.ak)
    }
}

/// One Redis deployment the proxy analyses.
#[derive(Clone)]
pub struct InstanceConfig {
    pub id: String,
    pub name: String,
    /// The analyzer's target, password included.
    pub target: dcs_analyzer::Target,
    pub allow_config_changes: bool,
}

impl std::fmt::Debug for InstanceConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "InstanceConfig {{ id: {:?}, name: {:?}, target: {} }}",
            self.id,
            self.name,
            self.target.describe()
        )
    }
}

/// A configuration problem, located.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Config::parse(&text, &path.display().to_string(), &base, &|k| {
            std::env::var(k).ok()
        })
    }

    /// Parses `text` (named `file` in errors); `env` looks secrets up.
    pub fn parse(
        text: &str,
        file: &str,
        base: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let at = |span: std::ops::Range<usize>, what: String| {
            ConfigError(format!("{file}:{}: {what}", line_of(span.start)))
        };
        let raw: RawConfig = toml::from_str(text).map_err(|e| match e.span() {
            Some(span) => at(span, e.message().to_string()),
            None => ConfigError(format!("{file}: {}", e.message())),
        })?;
        if !is_valid_id(raw.project_id.get_ref()) {
            return Err(at(
                raw.project_id.span(),
                "project_id must be 1-36 characters of A-Z, a-z, 0-9 and -".into(),
            ));
        }
        let mut access_keys = Vec::new();
        for k in raw.auth.access_keys {
            let sk = match (k.sk, k.sk_env) {
                (Some(sk), None) => sk,
                (None, Some(var)) => env(&var).ok_or_else(|| {
                    at(
                        k.ak.span(),
                        format!("environment variable {var} (sk_env) is not set"),
                    )
                })?,
                _ => return Err(at(k.ak.span(), "give exactly one of sk or sk_env".into())),
            };
            access_keys.push(AccessKey {
                ak: k.ak.into_inner(),
                sk,
            });
        }
        let mut instances: Vec<InstanceConfig> = Vec::new();
        for i in raw.instances {
            let span = i.id.span();
            let id = i.id.into_inner();
            if !is_valid_id(&id) {
                return Err(at(
                    span,
                    format!("instance id {id:?} must be 1-36 characters of A-Z, a-z, 0-9 and -"),
                ));
            }
            if instances.iter().any(|o| o.id == id) {
                return Err(at(span, format!("instance id {id:?} is used twice")));
            }
            let password = match &i.password_env {
                Some(var) => Some(env(var).ok_or_else(|| {
                    at(
                        span.clone(),
                        format!("environment variable {var} (password_env) is not set"),
                    )
                })?),
                None => None,
            };
            let with_password =
                |url: &str| add_password(url, password.as_deref()).map_err(|e| at(span.clone(), e));
            let target = match (i.url, i.cluster) {
                (Some(url), None) => {
                    dcs_analyzer::Target::Standalone(with_password(url.get_ref())?)
                }
                (None, Some(seeds)) if !seeds.get_ref().is_empty() => {
                    dcs_analyzer::Target::Cluster(
                        seeds
                            .get_ref()
                            .iter()
                            .map(|u| with_password(u))
                            .collect::<Result<_, _>>()?,
                    )
                }
                _ => {
                    return Err(at(
                        span,
                        format!(
                        "instance {id:?} needs exactly one of url or cluster (a non-empty list)"
                    ),
                    ))
                }
            };
            instances.push(InstanceConfig {
                id,
                name: i.name,
                target,
                allow_config_changes: i.allow_config_changes,
            });
        }
        let abs = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        Ok(Config {
            listen: raw.listen,
            data_dir: abs(raw.data_dir),
            console_dir: abs(raw.console_dir),
            project_id: raw.project_id.into_inner(),
            token: raw.auth.token,
            token_file: raw.auth.token_file.map(abs),
            access_keys,
            instances,
        })
    }
}

/// Puts a password from the environment into a `redis://host:port` URL.
fn add_password(url: &str, password: Option<&str>) -> Result<String, String> {
    let rest = url
        .strip_prefix("redis://")
        .ok_or_else(|| format!("{url:?} must start with redis://"))?;
    Ok(match password {
        None => url.to_string(),
        Some(_) if rest.contains('@') => {
            return Err("the URL already has credentials; drop them or password_env".into())
        }
        Some(p) => format!("redis://:{}@{rest}", encode_userinfo(p)),
    })
}

/// Percent-encodes what a URL's userinfo cannot hold literally.
fn encode_userinfo(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        let env = |k: &str| match k {
            "ORDERS_PW" => Some("p@ss:w/rd".to_string()),
            "SK1" => Some("secret-key".to_string()),
            _ => None,
        };
        Config::parse(text, "proxy.toml", Path::new("/etc/dcs"), &env)
    }

    const GOOD: &str = r#"
listen = "127.0.0.1:9000"
project_id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
[auth]
token = "tok"
[[auth.access_keys]]
ak = "AK1"
sk_env = "SK1"
[[instances]]
id = "orders"
name = "orders-cache"
url = "redis://127.0.0.1:6379"
password_env = "ORDERS_PW"
[[instances]]
id = "sessions"
name = "sessions"
cluster = ["redis://127.0.0.1:7000", "redis://127.0.0.1:7001"]
allow_config_changes = true
"#;

    #[test]
    fn reads_a_full_config() {
        let c = parse(GOOD).unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.data_dir, PathBuf::from("/etc/dcs/data"));
        assert_eq!(c.access_keys[0].sk, "secret-key");
        assert_eq!(
            c.instances[0].target,
            dcs_analyzer::Target::Standalone("redis://:p%40ss%3Aw%2Frd@127.0.0.1:6379".into())
        );
        assert!(matches!(&c.instances[1].target, dcs_analyzer::Target::Cluster(s) if s.len() == 2));
        assert!(c.instances[1].allow_config_changes);
        assert!(
            !format!("{:?}", c).contains("secret-key") && !format!("{:?}", c).contains("p%40ss"),
            "secrets stay out of Debug"
        );
    }

    #[test]
    fn errors_name_file_and_line() {
        let cases = [
            (
                GOOD.replace("id = \"orders\"", "id = \"orders cache\""),
                "proxy.toml:10: instance id \"orders cache\"",
            ),
            (
                GOOD.replace("id = \"sessions\"", "id = \"orders\""),
                "proxy.toml:15: instance id \"orders\" is used twice",
            ),
            (
                GOOD.replace("sk_env = \"SK1\"", "sk_env = \"NOPE\""),
                "proxy.toml:7: environment variable NOPE",
            ),
            (
                GOOD.replace("url = \"redis://127.0.0.1:6379\"\n", ""),
                "proxy.toml:10: instance \"orders\" needs exactly one of url or cluster",
            ),
            (
                GOOD.replace("listen = \"127.0.0.1:9000\"", "listen = \"nowhere\""),
                "proxy.toml:2: ",
            ),
            (
                GOOD.replace("[auth]", "[auth]\ncolour = 1"),
                "proxy.toml:5: unknown field `colour`",
            ),
            (
                GOOD.replace(
                    "project_id = \"0a1b2c3d4e5f60718293a4b5c6d7e8f9\"",
                    "project_id = \"x/y\"",
                ),
                "proxy.toml:3: project_id",
            ),
            (
                GOOD.replace("url = \"redis://127.0.0.1:6379\"", "url = \"http://x\""),
                "proxy.toml:10: \"http://x\" must start with redis://",
            ),
        ];
        for (text, want) in cases {
            let got = parse(&text).unwrap_err().0;
            assert!(got.starts_with(want), "want {want:?}, got {got:?}");
        }
    }
}
