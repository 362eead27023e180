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
    console_dir: Option<PathBuf>,
    project_id: Spanned<String>,
    allowed_origins: Option<Spanned<Vec<String>>>,
    limits: Option<Spanned<RawLimits>>,
    backups: Option<Spanned<RawBackups>>,
    #[serde(default)]
    auth: RawAuth,
    #[serde(default)]
    instances: Vec<RawInstance>,
    cloud: Option<Spanned<RawCloud>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCloud {
    endpoint: String,
    iam_endpoint: Option<String>,
    iam_user: Option<String>,
    iam_domain: Option<String>,
    iam_password_env: Option<String>,
    #[serde(default = "default_timeout_secs")]
    timeout_secs: u64,
    #[serde(default)]
    allow_config_changes: bool,
}

fn default_timeout_secs() -> u64 {
    30
}

/// `[limits]`: what one client may hold of the proxy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_connections: Option<u64>,
    header_timeout_secs: Option<u64>,
    body_timeout_secs: Option<u64>,
}

/// `[backups]`: how many snapshots the data folder keeps per instance.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBackups {
    max_count: Option<u64>,
    max_mb: Option<u64>,
}

/// What is kept of each instance's backups: the newest `max_count`, and of those only as many
/// as fit in `max_bytes` together (the newest always stays). Older ones are removed when a new
/// one succeeds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BackupLimits {
    pub max_count: usize,
    pub max_bytes: u64,
}

impl Default for BackupLimits {
    fn default() -> Self {
        BackupLimits {
            max_count: 10,
            max_bytes: 4096 << 20,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuth {
    token: Option<Spanned<String>>,
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
    /// `rediss://` with a private CA: its certificate (PEM).
    ca_file: Option<PathBuf>,
    #[serde(default)]
    allow_config_changes: bool,
    /// `UNLINK` and `EXPIRE` on one key from the key-details panel (off unless set).
    #[serde(default)]
    allow_key_actions: bool,
    /// A task may ask for the fast pace (`?pace=fast`; off unless set).
    #[serde(default)]
    allow_fast: bool,
    /// `gentle` (the default: bounded, paced requests) or `fast` (a replica, a quiet hour).
    pace: Option<Spanned<String>>,
    /// Big keys: `replica` (the default: a healthy replica of each master, else the master) or
    /// `master`.
    analyze_on: Option<Spanned<String>>,
    /// Hot and big keys: `auto` (the default: a snapshot of nodes up to `snapshot_max_mb` when
    /// gentle, else online), `snapshot` or `online`.
    source: Option<Spanned<String>>,
    /// `source = "auto"`: the largest node (`used_memory`, MB) read by a snapshot (4096).
    snapshot_max_mb: Option<Spanned<u64>>,
    /// What counts as big or hot here (defaults: DCS's 10240 bytes, 5000 elements; counter 6).
    big_key_string_bytes: Option<Spanned<u64>>,
    big_key_elements: Option<Spanned<u64>>,
    hot_key_min_freq: Option<Spanned<u64>>,
}

/// Shortest console token or AK/SK secret accepted (generated tokens are 48 hex characters).
pub const MIN_SECRET_LEN: usize = 16;

/// Why `secret` is too weak to guard the API, if it is.
pub fn weak_secret(what: &str, secret: &str) -> Option<String> {
    let len = secret.trim().chars().count();
    (len < MIN_SECRET_LEN).then(|| {
        format!("{what} has {len} characters; use at least {MIN_SECRET_LEN} (e.g. `openssl rand -hex 24`)")
    })
}

fn default_listen() -> SocketAddr {
    "127.0.0.1:8080".parse().expect("valid default")
}
fn default_data_dir() -> PathBuf {
    "data".into()
}

/// Where the console's files come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsoleSource {
    /// A folder with `index.html` (Trunk's `dist/`).
    Dir(PathBuf),
    /// The release console compiled into the binary (`make release`, feature `embed-console`).
    Embedded,
}

impl ConsoleSource {
    /// `console_dir` when the file sets it; otherwise the built-in console where there is one,
    /// else `dist` beside the file.
    fn resolve(configured: Option<PathBuf>, base: &Path) -> ConsoleSource {
        match configured {
            Some(dir) => ConsoleSource::Dir(base.join(dir)),
            None if cfg!(feature = "embed-console") => ConsoleSource::Embedded,
            None => ConsoleSource::Dir(base.join("dist")),
        }
    }
}

/// `https://console.example.com` or `http://127.0.0.1:8081`: what a browser sends as `Origin`
/// (scheme, host and an optional port; nothing else), lower-cased as browsers send it.
fn origin(text: &str) -> Result<String, String> {
    let bad = |why: &str| {
        Err(format!(
            "allowed_origins: {text:?} {why}; write scheme://host[:port], e.g. \"https://console.example.com\""
        ))
    };
    let lower = text.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return bad("must start with https:// or http://");
    };
    if rest.contains('*') {
        return bad("is a wildcard, which the proxy never allows");
    }
    // An IPv6 host is bracketed: `[::1]:8081`.
    let (host, port) = match rest.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((addr, "")) => (addr, None),
            Some((addr, p)) => (addr, p.strip_prefix(':').or(Some(""))),
            None => ("", None),
        },
        None => match rest.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        },
    };
    let v6 = rest.starts_with('[');
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || (v6 && b == b':'));
    if !host_ok {
        return bad("has no valid host (a path, query or trailing slash is not part of an origin)");
    }
    if let Some(p) = port {
        if p.parse::<u16>().map_or(true, |p| p == 0) {
            return bad("has an invalid port");
        }
    }
    Ok(lower)
}

/// The checked configuration.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub console: ConsoleSource,
    pub project_id: String,
    /// Origins whose pages may call `/v2` from a browser (CORS), e.g. a console on static
    /// hosting. Empty: same-origin only.
    pub allowed_origins: Vec<String>,
    /// Connections and their timeouts.
    pub limits: crate::server::Limits,
    pub backups: BackupLimits,
    /// The console token, when configured (otherwise generated in `data_dir`).
    pub token: Option<String>,
    pub token_file: Option<PathBuf>,
    pub access_keys: Vec<AccessKey>,
    pub instances: Vec<InstanceConfig>,
    /// Cloud mode: forward to a real DCS endpoint instead of analysing `instances`.
    pub cloud: Option<CloudConfig>,
}

/// `[cloud]`: the DCS endpoint and how to authenticate to it.
#[derive(Clone)]
pub struct CloudConfig {
    /// `https://dcs.<region>.…`, without a trailing slash.
    pub endpoint: String,
    pub auth: CloudAuth,
    /// Every upstream call must answer within this many seconds (default 30).
    pub timeout_secs: u64,
    /// Whether console users may change `maxmemory-policy` (and nothing else) through the
    /// proxy's cloud credentials, as `allow_config_changes` of a local instance.
    pub allow_config_changes: bool,
}

/// Credentials for the DCS endpoint, from the environment.
#[derive(Clone)]
pub enum CloudAuth {
    /// `CLOUD_SDK_AK` / `CLOUD_SDK_SK` (+ `CLOUD_SDK_SECURITY_TOKEN` for temporary keys).
    AkSk {
        ak: String,
        sk: String,
        security_token: Option<String>,
    },
    /// IAM password authentication for a project-scoped token.
    Iam {
        endpoint: String,
        user: String,
        domain: String,
        password: String,
    },
}

impl std::fmt::Debug for CloudConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = match &self.auth {
            CloudAuth::AkSk { ak, .. } => format!("AK/SK ({ak})"),
            CloudAuth::Iam { user, domain, .. } => format!("IAM ({user}@{domain})"),
        };
        write!(
            f,
            "CloudConfig {{ endpoint: {:?}, auth: {how} }}",
            self.endpoint
        )
    }
}

/// An `https://` URL, or `http://` to a loopback address (tests), without a trailing slash.
fn endpoint_url(url: &str) -> Option<String> {
    let url = url.trim().trim_end_matches('/');
    let rest = url.strip_prefix("https://").or_else(|| {
        let r = url.strip_prefix("http://")?;
        let host = r.split(['/', ':']).next()?;
        matches!(host, "127.0.0.1" | "localhost" | "[::1]").then_some(r)
    })?;
    (!rest.is_empty() && !rest.contains(['?', '#', '@'])).then(|| url.to_string())
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
    /// `rediss://`: the CA (PEM) from `ca_file`, when the system does not trust the servers'.
    pub tls_ca: Option<std::sync::Arc<[u8]>>,
    pub allow_config_changes: bool,
    /// `POST …/key-actions` (`UNLINK`, `EXPIRE` on one key) is allowed.
    pub allow_key_actions: bool,
    /// A task may ask for the fast pace (`?pace=fast` when it is started).
    pub allow_fast: bool,
    /// How hard analyses press on the instance (`pace` in the file).
    pub pace: dcs_analyzer::Pace,
    /// Where big keys are read (`analyze_on` in the file).
    pub analyze_on: dcs_analyzer::AnalyzeOn,
    /// How hot, big and expired keys read each node (`source` in the file).
    pub source: dcs_analyzer::Source,
    /// `source = "auto"` reads a snapshot of nodes up to this many bytes (`snapshot_max_mb`).
    pub snapshot_max_memory: u64,
    /// What counts as big or hot (`big_key_string_bytes`, `big_key_elements`,
    /// `hot_key_min_freq` in the file).
    pub thresholds: dcs_api::task::KeyThresholds,
}

impl InstanceConfig {
    /// `base` with what this instance adds (its TLS CA, its pace).
    pub fn options(&self, base: &dcs_analyzer::ScanOptions) -> dcs_analyzer::ScanOptions {
        dcs_analyzer::ScanOptions {
            tls_ca: self.tls_ca.clone(),
            pace: self.pace,
            analyze_on: self.analyze_on,
            source: self.source,
            snapshot_max_memory: self.snapshot_max_memory,
            min_freq: self.thresholds.hot_min_freq,
            ..base.clone()
        }
    }
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
        // `proxy.toml` alone has the parent "", which names no folder: it is the current one.
        let base = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
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
            if let Some(why) = weak_secret("the secret key (sk)", &sk) {
                return Err(at(k.ak.span(), why));
            }
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
            let tls_ca = match i.ca_file {
                None => None,
                Some(file) => {
                    let urls = match &target {
                        dcs_analyzer::Target::Standalone(u) => std::slice::from_ref(u),
                        dcs_analyzer::Target::Cluster(s) => s.as_slice(),
                    };
                    if !urls.iter().all(|u| u.starts_with("rediss://")) {
                        return Err(at(
                            span,
                            format!("instance {id:?}: ca_file is for rediss:// URLs"),
                        ));
                    }
                    let path = base.join(&file);
                    let pem = std::fs::read(&path).map_err(|e| {
                        at(span.clone(), format!("ca_file {}: {e}", path.display()))
                    })?;
                    if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
                        return Err(at(
                            span,
                            format!("ca_file {} holds no PEM certificate", path.display()),
                        ));
                    }
                    Some(pem.into())
                }
            };
            let choice = |value: Option<Spanned<String>>, key: &str, options: &[&str]| match value {
                None => Ok(0),
                Some(v) => options
                    .iter()
                    .position(|o| o == v.get_ref())
                    .ok_or_else(|| {
                        let quoted: Vec<String> =
                            options.iter().map(|o| format!("{o:?}")).collect();
                        let (last, rest) = quoted.split_last().expect("options");
                        at(
                            v.span(),
                            format!(
                                "instance {id:?}: {key} {:?} must be {} or {last}",
                                v.get_ref(),
                                rest.join(", "),
                            ),
                        )
                    }),
            };
            let pace = match choice(i.pace, "pace", &["gentle", "fast"])? {
                0 => dcs_analyzer::Pace::Gentle,
                _ => dcs_analyzer::Pace::Fast,
            };
            let analyze_on = match choice(i.analyze_on, "analyze_on", &["replica", "master"])? {
                0 => dcs_analyzer::AnalyzeOn::Replica,
                _ => dcs_analyzer::AnalyzeOn::Master,
            };
            let source = match choice(i.source, "source", &["auto", "snapshot", "online"])? {
                0 => dcs_analyzer::Source::Auto,
                1 => dcs_analyzer::Source::Snapshot,
                _ => dcs_analyzer::Source::Online,
            };
            // Each bound is what Redis itself allows: a 512 MB string, 2^32 - 1 elements, and
            // the LFU counter's 0–255 above the initial counter.
            let bounded =
                |value: Option<Spanned<u64>>, key: &str, min: u64, max: u64, default| match value {
                    None => Ok(default),
                    Some(v) if (min..=max).contains(v.get_ref()) => Ok(*v.get_ref()),
                    Some(v) => Err(at(
                        v.span(),
                        format!(
                            "instance {id:?}: {key} {} must be from {min} to {max}",
                            v.get_ref()
                        ),
                    )),
                };
            let snapshot_mb = dcs_analyzer::options::SNAPSHOT_MAX_MB_RANGE;
            let snapshot_max_memory = bounded(
                i.snapshot_max_mb,
                "snapshot_max_mb",
                *snapshot_mb.start(),
                *snapshot_mb.end(),
                dcs_analyzer::source::SNAPSHOT_MAX_MEMORY >> 20,
            )? << 20;
            let d = dcs_api::task::KeyThresholds::default();
            let thresholds = dcs_api::task::KeyThresholds {
                big_string_bytes: bounded(
                    i.big_key_string_bytes,
                    "big_key_string_bytes",
                    1,
                    512 * 1024 * 1024,
                    d.big_string_bytes,
                )?,
                big_elements: bounded(
                    i.big_key_elements,
                    "big_key_elements",
                    1,
                    u32::MAX as u64,
                    d.big_elements,
                )?,
                hot_min_freq: bounded(
                    i.hot_key_min_freq,
                    "hot_key_min_freq",
                    dcs_api::task::KeyThresholds::MIN_HOT_FREQ as u64,
                    255,
                    d.hot_min_freq as u64,
                )? as u32,
            };
            instances.push(InstanceConfig {
                id,
                name: i.name,
                target,
                tls_ca,
                allow_config_changes: i.allow_config_changes,
                allow_key_actions: i.allow_key_actions,
                allow_fast: i.allow_fast,
                pace,
                analyze_on,
                source,
                snapshot_max_memory,
                thresholds,
            });
        }
        let cloud = match raw.cloud {
            None => None,
            Some(c) => {
                let span = c.span();
                let c = c.into_inner();
                if !instances.is_empty() {
                    return Err(at(
                        span,
                        "use either [cloud] or [[instances]], not both".into(),
                    ));
                }
                let endpoint = endpoint_url(&c.endpoint).ok_or_else(|| {
                    at(
                        span.clone(),
                        format!("endpoint {:?} must be an https:// URL", c.endpoint),
                    )
                })?;
                let auth = match (c.iam_endpoint, c.iam_user, c.iam_domain, c.iam_password_env) {
                    (Some(iam), Some(user), Some(domain), Some(var)) => CloudAuth::Iam {
                        endpoint: endpoint_url(&iam).ok_or_else(|| at(span.clone(), format!("iam_endpoint {iam:?} must be an https:// URL")))?,
                        user,
                        domain,
                        password: env(&var).ok_or_else(|| at(span.clone(), format!("environment variable {var} (iam_password_env) is not set")))?,
                    },
                    (None, None, None, None) => CloudAuth::AkSk {
                        ak: env("CLOUD_SDK_AK").ok_or_else(|| at(span.clone(), "set CLOUD_SDK_AK and CLOUD_SDK_SK, or configure iam_endpoint, iam_user, iam_domain and iam_password_env".into()))?,
                        sk: env("CLOUD_SDK_SK").ok_or_else(|| at(span.clone(), "CLOUD_SDK_SK is not set".into()))?,
                        security_token: env("CLOUD_SDK_SECURITY_TOKEN"),
                    },
                    _ => return Err(at(span, "IAM authentication needs all of iam_endpoint, iam_user, iam_domain and iam_password_env".into())),
                };
                if !(1..=300).contains(&c.timeout_secs) {
                    return Err(at(
                        span,
                        format!("timeout_secs {} must be 1 to 300", c.timeout_secs),
                    ));
                }
                Some(CloudConfig {
                    endpoint,
                    auth,
                    timeout_secs: c.timeout_secs,
                    allow_config_changes: c.allow_config_changes,
                })
            }
        };
        let mut allowed_origins = Vec::new();
        let (origins_span, origins) = raw
            .allowed_origins
            .map(|o| (o.span(), o.into_inner()))
            .unwrap_or_default();
        for o in origins {
            let o = origin(&o).map_err(|e| at(origins_span.clone(), e))?;
            if !allowed_origins.contains(&o) {
                allowed_origins.push(o);
            }
        }
        let token = match raw.auth.token {
            Some(t) => {
                if let Some(why) = weak_secret("[auth] token", t.get_ref()) {
                    return Err(at(t.span(), why));
                }
                Some(t.into_inner())
            }
            None => None,
        };
        let limits = match raw.limits {
            None => crate::server::Limits::default(),
            Some(l) => {
                let span = l.span();
                limits(l.into_inner()).map_err(|e| at(span, e))?
            }
        };
        let backups = match raw.backups {
            None => BackupLimits::default(),
            Some(b) => {
                let span = b.span();
                backup_limits(b.into_inner()).map_err(|e| at(span, e))?
            }
        };
        let abs = |p: PathBuf| if p.is_absolute() { p } else { base.join(p) };
        let console = ConsoleSource::resolve(raw.console_dir, base);
        let data_dir = abs(raw.data_dir);
        let token_file = raw.auth.token_file.map(abs);
        if let ConsoleSource::Dir(dir) = &console {
            // Everything under console_dir is served to anyone who can reach the proxy.
            let secrets = [
                ("data_dir", Some(data_dir.as_path())),
                ("the config file", Some(Path::new(file))),
                ("token_file", token_file.as_deref()),
            ];
            for (what, path) in secrets {
                if path.is_some_and(|p| inside(p, dir)) {
                    return Err(ConfigError(format!(
                        "{file}: console_dir {} contains {what}, which it would serve to anyone; \
                         keep the console in a folder of its own",
                        dir.display()
                    )));
                }
            }
        }
        Ok(Config {
            listen: raw.listen,
            data_dir,
            console,
            project_id: raw.project_id.into_inner(),
            allowed_origins,
            limits,
            backups,
            token,
            token_file,
            access_keys,
            instances,
            cloud,
        })
    }
}

/// `[limits]` within their ranges; what is not given keeps its default.
fn limits(raw: RawLimits) -> Result<crate::server::Limits, String> {
    let d = crate::server::Limits::default();
    let within =
        |name: &str, v: Option<u64>, range: std::ops::RangeInclusive<u64>, default: u64| {
            let v = v.unwrap_or(default);
            if range.contains(&v) {
                Ok(v)
            } else {
                Err(format!(
                    "[limits] {name} = {v} must be {} to {}",
                    range.start(),
                    range.end()
                ))
            }
        };
    let secs = std::time::Duration::from_secs;
    Ok(crate::server::Limits {
        max_connections: within(
            "max_connections",
            raw.max_connections,
            1..=65_536,
            d.max_connections as u64,
        )? as usize,
        header_timeout: secs(within(
            "header_timeout_secs",
            raw.header_timeout_secs,
            1..=3600,
            d.header_timeout.as_secs(),
        )?),
        body_timeout: secs(within(
            "body_timeout_secs",
            raw.body_timeout_secs,
            1..=3600,
            d.body_timeout.as_secs(),
        )?),
    })
}

/// `[backups]` within their ranges; what is not given keeps its default.
fn backup_limits(raw: RawBackups) -> Result<BackupLimits, String> {
    let d = BackupLimits::default();
    let max_count = raw.max_count.unwrap_or(d.max_count as u64);
    if !(1..=1000).contains(&max_count) {
        return Err(format!(
            "[backups] max_count = {max_count} must be 1 to 1000"
        ));
    }
    let max_mb = raw.max_mb.unwrap_or(d.max_bytes >> 20);
    if !(1..=1_048_576).contains(&max_mb) {
        return Err(format!(
            "[backups] max_mb = {max_mb} must be 1 to 1048576 (1 TiB)"
        ));
    }
    Ok(BackupLimits {
        max_count: max_count as usize,
        max_bytes: max_mb << 20,
    })
}

/// Whether `path` is `dir` or below it, comparing absolute paths with `.` and `..` resolved
/// (and symbolic links, where both exist).
fn inside(path: &Path, dir: &Path) -> bool {
    let clean = |p: &Path| -> PathBuf {
        let p = std::fs::canonicalize(p)
            .or_else(|_| std::path::absolute(p))
            .unwrap_or_else(|_| p.to_path_buf());
        let mut out = PathBuf::new();
        for c in p.components() {
            match c {
                std::path::Component::CurDir => {}
                std::path::Component::ParentDir => {
                    out.pop();
                }
                c => out.push(c),
            }
        }
        out
    };
    clean(path).starts_with(clean(dir))
}

/// Puts a password from the environment into a `redis://host:port` (or `rediss://`) URL.
fn add_password(url: &str, password: Option<&str>) -> Result<String, String> {
    let (scheme, rest) = url
        .strip_prefix("redis://")
        .map(|r| ("redis", r))
        .or_else(|| url.strip_prefix("rediss://").map(|r| ("rediss", r)))
        .ok_or_else(|| format!("{url:?} must start with redis:// (or rediss:// for TLS)"))?;
    Ok(match password {
        None => url.to_string(),
        Some(_) if rest.contains('@') => {
            return Err("the URL already has credentials; drop them or password_env".into())
        }
        Some(p) => format!("{scheme}://:{}@{rest}", encode_userinfo(p)),
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
            "SK1" => Some("secret-key-0123456789".to_string()),
            _ => None,
        };
        Config::parse(text, "proxy.toml", Path::new("/etc/dcs"), &env)
    }

    const GOOD: &str = r#"
listen = "127.0.0.1:9000"
project_id = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
[auth]
token = "console-token-0123456789"
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
pace = "fast"
"#;

    #[test]
    fn reads_a_full_config() {
        let c = parse(GOOD).unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.data_dir, PathBuf::from("/etc/dcs/data"));
        let default_console = if cfg!(feature = "embed-console") {
            ConsoleSource::Embedded
        } else {
            ConsoleSource::Dir("/etc/dcs/dist".into())
        };
        assert_eq!(c.console, default_console);
        assert!(c.allowed_origins.is_empty());
        assert_eq!(c.access_keys[0].sk, "secret-key-0123456789");
        assert_eq!(
            c.instances[0].target,
            dcs_analyzer::Target::Standalone("redis://:p%40ss%3Aw%2Frd@127.0.0.1:6379".into())
        );
        assert!(matches!(&c.instances[1].target, dcs_analyzer::Target::Cluster(s) if s.len() == 2));
        assert!(c.instances[1].allow_config_changes);
        assert_eq!(
            (c.instances[0].pace, c.instances[1].pace),
            (dcs_analyzer::Pace::Gentle, dcs_analyzer::Pace::Fast),
            "gentle unless the file says fast"
        );
        assert_eq!(c.instances[0].source, dcs_analyzer::Source::Auto);
        let online = parse(&GOOD.replace("pace = \"fast\"", "source = \"online\"")).unwrap();
        assert_eq!(online.instances[1].source, dcs_analyzer::Source::Online);
        let bad = parse(&GOOD.replace("pace = \"fast\"", "source = \"rdb\"")).unwrap_err();
        assert!(
            bad.to_string()
                .contains("source \"rdb\" must be \"auto\", \"snapshot\" or \"online\""),
            "{bad}"
        );
        assert_eq!(
            c.instances[0].snapshot_max_memory,
            4 << 30,
            "4 GiB unless set"
        );
        let small = parse(&GOOD.replace("pace = \"fast\"", "snapshot_max_mb = 512")).unwrap();
        assert_eq!(small.instances[1].snapshot_max_memory, 512 << 20);
        assert_eq!(
            small.instances[1]
                .options(&Default::default())
                .snapshot_max_memory,
            512 << 20
        );
        for (bad, says) in [
            ("0", "snapshot_max_mb 0 must be from 1 to 1048576"),
            ("1048577", "snapshot_max_mb 1048577 must be"),
            ("-1", "expected u64"),
            ("\"4G\"", "expected u64"),
        ] {
            let e = parse(&GOOD.replace("pace = \"fast\"", &format!("snapshot_max_mb = {bad}")))
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("proxy.toml:19") && e.contains(says),
                "{bad}: {e}"
            );
        }
        let slow = parse(&GOOD.replace("pace = \"fast\"", "pace = \"slow\"")).unwrap_err();
        assert!(
            slow.to_string().contains("proxy.toml:19")
                && slow.to_string().contains("must be \"gentle\" or \"fast\""),
            "{slow}"
        );
        assert!(
            !format!("{:?}", c).contains("secret-key") && !format!("{:?}", c).contains("p%40ss"),
            "secrets stay out of Debug"
        );
    }

    #[test]
    fn key_actions_and_fast_tasks_are_off_unless_an_instance_allows_them() {
        let c = parse(GOOD).unwrap();
        assert!(c
            .instances
            .iter()
            .all(|i| !i.allow_key_actions && !i.allow_fast));
        let fast = GOOD.replace("pace = \"fast\"", "allow_fast = true");
        assert!(parse(&fast).unwrap().instances[1].allow_fast);
        let set = GOOD.replace(
            "pace = \"fast\"",
            "pace = \"fast\"\nallow_key_actions = true",
        );
        let c = parse(&set).unwrap();
        assert!(!c.instances[0].allow_key_actions && c.instances[1].allow_key_actions);
        let wrong = GOOD.replace("pace = \"fast\"", "allow_key_actions = \"yes\"");
        let e = parse(&wrong).unwrap_err().to_string();
        assert!(e.contains("boolean"), "{e}");
    }

    #[test]
    fn thresholds_are_dcs_defaults_unless_an_instance_sets_them_in_range() {
        let c = parse(GOOD).unwrap();
        assert_eq!(
            c.instances[0].thresholds,
            dcs_api::task::KeyThresholds::default()
        );
        let set = GOOD.replace(
            "pace = \"fast\"",
            "pace = \"fast\"\nbig_key_string_bytes = 1048576\nbig_key_elements = 100000\nhot_key_min_freq = 40",
        );
        let t = parse(&set).unwrap().instances[1].thresholds;
        assert_eq!(
            (t.big_string_bytes, t.big_elements, t.hot_min_freq),
            (1_048_576, 100_000, 40)
        );
        for (line, why) in [
            (
                "big_key_string_bytes = 0",
                "big_key_string_bytes 0 must be from 1 to 536870912",
            ),
            (
                "big_key_elements = 4294967296",
                "big_key_elements 4294967296 must be from 1 to 4294967295",
            ),
            (
                "hot_key_min_freq = 5",
                "hot_key_min_freq 5 must be from 6 to 255",
            ),
            (
                "hot_key_min_freq = 256",
                "hot_key_min_freq 256 must be from 6 to 255",
            ),
        ] {
            let e = parse(&GOOD.replace("pace = \"fast\"", line)).unwrap_err();
            assert!(
                e.to_string().contains("proxy.toml:19") && e.to_string().contains(why),
                "{line}: {e}"
            );
        }
        let negative = parse(&GOOD.replace("pace = \"fast\"", "big_key_elements = -1"));
        assert!(negative.is_err(), "not a count");
    }

    #[test]
    fn cloud_section() {
        let base =
            "project_id = \"p1\"\n[cloud]\nendpoint = \"https://dcs.eu-de.otc.t-systems.com/\"\n";
        let env = |k: &str| match k {
            "CLOUD_SDK_AK" => Some("AK".to_string()),
            "CLOUD_SDK_SK" => Some("SK".to_string()),
            "IAM_PW" => Some("pw".to_string()),
            _ => None,
        };
        let c = Config::parse(base, "c.toml", Path::new("/"), &env)
            .unwrap()
            .cloud
            .unwrap();
        assert_eq!(c.endpoint, "https://dcs.eu-de.otc.t-systems.com");
        assert!(
            matches!(c.auth, CloudAuth::AkSk { ref ak, ref sk, security_token: None } if ak == "AK" && sk == "SK")
        );
        assert!(!format!("{c:?}").contains("SK\""), "no secret in Debug");
        let iam = format!("{base}iam_endpoint = \"https://iam.eu-de.otc.t-systems.com\"\niam_user = \"u\"\niam_domain = \"d\"\niam_password_env = \"IAM_PW\"\n");
        assert!(matches!(
            Config::parse(&iam, "c.toml", Path::new("/"), &env)
                .unwrap()
                .cloud
                .unwrap()
                .auth,
            CloudAuth::Iam { .. }
        ));
        let no_keys = Config::parse(base, "c.toml", Path::new("/"), &|_| None)
            .unwrap_err()
            .0;
        assert!(
            no_keys.starts_with("c.toml:2: set CLOUD_SDK_AK"),
            "{no_keys}"
        );
        let plain = base.replace(
            "https://dcs.eu-de.otc.t-systems.com/",
            "http://dcs.example.com",
        );
        assert!(Config::parse(&plain, "c.toml", Path::new("/"), &env)
            .unwrap_err()
            .0
            .contains("must be an https:// URL"));
        let local = base.replace(
            "https://dcs.eu-de.otc.t-systems.com/",
            "http://127.0.0.1:9000",
        );
        assert_eq!(
            Config::parse(&local, "c.toml", Path::new("/"), &env)
                .unwrap()
                .cloud
                .unwrap()
                .endpoint,
            "http://127.0.0.1:9000"
        );
        for secs in ["0", "301", "18446744073709551615"] {
            let slow = format!("{base}timeout_secs = {secs}\n");
            let got = Config::parse(&slow, "c.toml", Path::new("/"), &env)
                .unwrap_err()
                .0;
            assert!(
                got.contains("timeout_secs") && got.contains("1 to 300"),
                "{secs}: {got}"
            );
        }
        let both = format!(
            "{base}[[instances]]\nid = \"a\"\nname = \"a\"\nurl = \"redis://127.0.0.1:1\"\n"
        );
        assert!(Config::parse(&both, "c.toml", Path::new("/"), &env)
            .unwrap_err()
            .0
            .contains("either [cloud] or [[instances]]"));
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

    #[test]
    fn allowed_origins_are_exact_origins() {
        let with = |origins: &str| {
            parse(&GOOD.replace(
                "listen = \"127.0.0.1:9000\"",
                &format!("listen = \"127.0.0.1:9000\"\nallowed_origins = {origins}"),
            ))
        };
        let c = with(r#"["https://Console.Example.com", "http://127.0.0.1:8081", "http://[::1]:81", "https://console.example.com"]"#)
            .unwrap();
        assert_eq!(
            c.allowed_origins,
            [
                "https://console.example.com",
                "http://127.0.0.1:8081",
                "http://[::1]:81"
            ],
            "lower-cased as browsers send them, duplicates dropped"
        );
        for bad in [
            "*",
            "https://*.example.com",
            "console.example.com",
            "https://console.example.com/",
            "https://console.example.com/app",
            "https://console.example.com:0",
            "https://console.example.com:99999",
            "ftp://console.example.com",
            "https://",
            "https://user@console.example.com",
        ] {
            let got = with(&format!("[{bad:?}]")).unwrap_err().0;
            assert!(
                got.starts_with("proxy.toml:3: allowed_origins: ") && got.contains("scheme://host"),
                "{bad}: {got}"
            );
        }
    }

    #[test]
    fn console_dir_is_relative_to_the_file() {
        let c = parse(&GOOD.replace(
            "listen = \"127.0.0.1:9000\"",
            "listen = \"127.0.0.1:9000\"\nconsole_dir = \"web\"",
        ))
        .unwrap();
        assert_eq!(c.console, ConsoleSource::Dir("/etc/dcs/web".into()));
    }

    #[test]
    fn weak_secrets_are_refused_with_file_and_line() {
        for (text, want) in [
            (
                GOOD.replace("console-token-0123456789", ""),
                "proxy.toml:5: [auth] token has 0 characters; use at least 16",
            ),
            (
                GOOD.replace("console-token-0123456789", "short-token"),
                "proxy.toml:5: [auth] token has 11 characters",
            ),
            (
                GOOD.replace("sk_env = \"SK1\"", "sk = \"\""),
                "proxy.toml:7: the secret key (sk) has 0 characters",
            ),
            (
                GOOD.replace("sk_env = \"SK1\"", "sk = \"fifteen-chars-x\""),
                "proxy.toml:7: the secret key (sk) has 15 characters",
            ),
        ] {
            let got = parse(&text).unwrap_err().0;
            assert!(got.starts_with(want), "want {want:?}, got {got:?}");
        }
        let env = |k: &str| (k == "SHORT").then(|| "abc".to_string());
        let from_env = GOOD.replace("sk_env = \"SK1\"", "sk_env = \"SHORT\"");
        let got = Config::parse(&from_env, "proxy.toml", Path::new("/etc/dcs"), &env)
            .unwrap_err()
            .0;
        assert!(
            got.starts_with("proxy.toml:7: the secret key (sk) has 3"),
            "{got}"
        );
    }

    #[test]
    fn console_dir_must_not_hold_secrets() {
        let with = |extra: &str| {
            Config::parse(
                &format!("{extra}\n{GOOD}"),
                "/etc/dcs/proxy.toml",
                Path::new("/etc/dcs"),
                &|k| (k == "SK1" || k == "ORDERS_PW").then(|| "secret-key-0123456789".into()),
            )
        };
        for (extra, what) in [
            ("console_dir = \".\"", "contains data_dir"),
            ("console_dir = \"/etc\"", "contains data_dir"),
            ("console_dir = \"data/..\"", "contains data_dir"),
            (
                "console_dir = \"web\"\ndata_dir = \"web/data\"",
                "contains data_dir",
            ),
            (
                "console_dir = \".\"\ndata_dir = \"/var/lib/dcs\"",
                "contains the config file",
            ),
        ] {
            let got = with(extra).unwrap_err().0;
            assert!(
                got.starts_with("/etc/dcs/proxy.toml: console_dir ") && got.contains(what),
                "{extra}: {got}"
            );
        }
        let token_file = GOOD.replace(
            "token = \"console-token-0123456789\"",
            "token_file = \"web/token\"",
        );
        let got = Config::parse(
            &format!("console_dir = \"web\"\ndata_dir = \"/var/lib/dcs\"\n{token_file}"),
            "/etc/dcs/proxy.toml",
            Path::new("/etc/dcs"),
            &|_| Some("secret-key-0123456789".into()),
        )
        .unwrap_err()
        .0;
        assert!(got.contains("contains token_file"), "{got}");
        assert!(with("console_dir = \"web\"").is_ok(), "a folder of its own");
    }

    #[test]
    fn limits_have_defaults_and_ranges() {
        let c = parse(GOOD).unwrap();
        assert_eq!(c.limits, crate::server::Limits::default());
        let with = |limits: &str| parse(&format!("{GOOD}[limits]\n{limits}\n"));
        let c = with("max_connections = 32\nheader_timeout_secs = 2").unwrap();
        assert_eq!(c.limits.max_connections, 32);
        assert_eq!(c.limits.header_timeout.as_secs(), 2);
        assert_eq!(
            c.limits.body_timeout,
            crate::server::Limits::default().body_timeout
        );
        for (bad, want) in [
            (
                "max_connections = 0",
                "[limits] max_connections = 0 must be 1 to 65536",
            ),
            (
                "header_timeout_secs = 0",
                "[limits] header_timeout_secs = 0 must be 1 to 3600",
            ),
            (
                "body_timeout_secs = 86400",
                "[limits] body_timeout_secs = 86400 must be 1 to 3600",
            ),
            ("idle = 1", "unknown field `idle`"),
        ] {
            let got = with(bad).unwrap_err().0;
            assert!(
                got.starts_with("proxy.toml:") && got.contains(want),
                "{bad}: {got}"
            );
        }
    }
}
