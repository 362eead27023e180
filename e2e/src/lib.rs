//! Browser end-to-end harness: real `redis-server` processes (an `allkeys-lfu` one, an
//! `allkeys-lru` one and a 3-master cluster), the real `dcs-proxy serve` binary with a generated
//! configuration, `chromedriver` with headless Debian Chromium, and the release console from
//! `dist/` (built by `make console` before the tests run).
//!
//! Every wait is on a condition with a deadline. A failing flow leaves a screenshot and the page
//! HTML under `target/e2e-artifacts/`. Every process started is owned by a guard that kills it on
//! drop, so nothing outlives a test, even one that panics.

pub mod static_host;

use dcs_analyzer::server::{free_port, RedisCluster, RedisProcess, DETERMINISTIC_LFU};
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const PROJECT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
pub const TOKEN: &str = "e2e-console-token";
/// How long any one condition may take to become true.
pub const WAIT: Duration = Duration::from_secs(20);

pub type Flow = Result<(), String>;

/// `ensure!(cond, "message {}", x)` for flows.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

/// Turns any displayable error into a flow error that says what was being done.
pub trait Context<T> {
    fn ctx(self, what: &str) -> Result<T, String>;
}

impl<T, E: std::fmt::Display> Context<T> for Result<T, E> {
    fn ctx(self, what: &str) -> Result<T, String> {
        self.map_err(|e| format!("{what}: {e}"))
    }
}

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Kills a child process (and, for a group leader, its whole process group) when dropped.
pub struct Guard {
    child: Child,
    group: bool,
}

impl Guard {
    fn stop(&mut self) {
        if self.group {
            // `--` so that the negative process-group id is not read as an option.
            let pgid = format!("-{}", self.child.id());
            let _ = Command::new("kill")
                .args(["-s", "KILL", "--", &pgid])
                .status();
        } else {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        self.stop();
    }
}

/// How a [`Stack`] differs from the usual one.
#[derive(Default)]
pub struct Options {
    /// The proxy's `allowed_origins`.
    pub allowed_origins: Vec<String>,
    /// Deploy this proxy binary as the README says: copied into an empty folder and started
    /// there with a config that has no `console_dir` (so it serves its built-in console). By
    /// default the debug build serves the workspace's `dist/`.
    pub deployed_binary: Option<PathBuf>,
}

pub struct Stack {
    pub browser: Client,
    /// The proxy's address.
    pub base: String,
    /// Where [`Stack::goto`] loads the console from: the proxy, unless a test hosts it elsewhere.
    pub console: String,
    pub lfu: RedisProcess,
    pub lru: RedisProcess,
    pub cluster: RedisCluster,
    /// Where the browser saves downloads.
    pub downloads: PathBuf,
    proxy: Guard,
    driver: Guard,
    proxy_bin: PathBuf,
    config: PathBuf,
    pub dir: tempfile::TempDir,
}

impl Stack {
    /// The three instances (`lfu`: allkeys-lfu with deterministic counters and active expiry
    /// off; `lru`; `cluster`: 3 masters, allkeys-lfu), the proxy and a browser.
    pub async fn start() -> Stack {
        Stack::start_with(Options::default()).await
    }

    pub async fn start_with(options: Options) -> Stack {
        let dist = workspace_root().join("dist");
        assert!(
            dist.join("index.html").exists(),
            "{} has no console: run `make console` first",
            dist.display()
        );
        let mut lfu_args = DETERMINISTIC_LFU.to_vec();
        lfu_args.extend(["--enable-debug-command", "local"]);
        let lfu = RedisProcess::start(&lfu_args).expect("redis-server (lfu)");
        let lru = RedisProcess::start(&["--maxmemory-policy", "allkeys-lru"])
            .expect("redis-server (lru)");
        let cluster = RedisCluster::start(3, &DETERMINISTIC_LFU).expect("redis cluster");
        let dir = tempfile::tempdir().unwrap();
        let port = free_port().unwrap();
        let nodes: Vec<String> = cluster.urls().iter().map(|u| format!("{u:?}")).collect();
        // A deployed binary runs in a folder of its own holding only itself and its config.
        let (proxy_bin, config, console_dir) = match options.deployed_binary {
            Some(bin) => {
                let home = dir.path().join("deployed");
                std::fs::create_dir(&home).unwrap();
                let copy = home.join("dcs-proxy");
                std::fs::copy(&bin, &copy)
                    .unwrap_or_else(|e| panic!("{}: {e} (run `make release`)", bin.display()));
                (copy, home.join("proxy.toml"), String::new())
            }
            None => (
                target_dir().join("debug/dcs-proxy"),
                dir.path().join("proxy.toml"),
                format!("console_dir = {dist:?}\n"),
            ),
        };
        std::fs::write(
            &config,
            format!(
                "listen = \"127.0.0.1:{port}\"\nproject_id = \"{PROJECT}\"\n\
                 data_dir = {data:?}\n{console_dir}allowed_origins = {origins:?}\n\
                 [auth]\ntoken = \"{TOKEN}\"\n\
                 [[instances]]\nid = \"lfu\"\nname = \"lfu-cache\"\nurl = \"{}\"\n\
                 [[instances]]\nid = \"lru\"\nname = \"lru-cache\"\nurl = \"{}\"\nallow_config_changes = true\nallow_key_actions = true\nallow_fast = true\n\
                 [[instances]]\nid = \"cluster\"\nname = \"cluster-cache\"\ncluster = [{}]\n",
                lfu.url(),
                lru.url(),
                nodes.join(", "),
                data = dir.path().join("data"),
                origins = options.allowed_origins,
            ),
        )
        .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let proxy = start_proxy(&proxy_bin, &config, &base).await;
        let downloads = dir.path().join("downloads");
        std::fs::create_dir_all(&downloads).unwrap();
        let (driver, browser) = start_browser(dir.path(), &downloads).await;
        Stack {
            browser,
            console: base.clone(),
            base,
            lfu,
            lru,
            cluster,
            downloads,
            proxy,
            driver,
            proxy_bin,
            config,
            dir,
        }
    }

    /// The proxy's configuration file.
    pub fn config_path(&self) -> &Path {
        &self.config
    }

    pub async fn redis(&self, url: &str) -> redis::aio::MultiplexedConnection {
        redis::Client::open(url)
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap()
    }

    /// Kills the proxy (SIGKILL: no chance to tidy up) and starts it again on the same port
    /// with the same configuration and data directory.
    pub async fn restart_proxy(&mut self) {
        self.proxy.stop();
        self.proxy = start_proxy(&self.proxy_bin, &self.config, &self.base).await;
    }

    /// Kills the proxy without restarting it.
    pub fn kill_proxy(&mut self) {
        self.proxy.stop();
    }

    /// Starts the proxy again after [`Stack::kill_proxy`].
    pub async fn start_proxy(&mut self) {
        self.proxy = start_proxy(&self.proxy_bin, &self.config, &self.base).await;
    }

    /// Calls the proxy's API directly (as an SDK would) and returns status and JSON body.
    pub async fn api(&self, method: reqwest::Method, path: &str) -> (u16, serde_json::Value) {
        let resp = reqwest::Client::new()
            .request(method, format!("{}/v2/{PROJECT}{path}", self.base))
            .header("X-Auth-Token", TOKEN)
            .send()
            .await
            .expect("the proxy answers");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Runs a flow; on failure saves a screenshot and the HTML, then fails the test. The
    /// browser session is closed and every process stopped either way.
    pub async fn run(mut self, name: &str, flow: impl AsyncFnOnce(&mut Stack) -> Flow) {
        let result = flow(&mut self).await;
        if let Err(why) = &result {
            let out = target_dir().join("e2e-artifacts");
            let _ = std::fs::create_dir_all(&out);
            if let Ok(png) = self.browser.screenshot().await {
                let _ = std::fs::write(out.join(format!("{name}.png")), png);
            }
            if let Ok(html) = self.browser.source().await {
                let _ = std::fs::write(out.join(format!("{name}.html")), html);
            }
            eprintln!("{name} failed: {why} (artifacts in {})", out.display());
        }
        let Stack {
            browser,
            driver,
            proxy,
            lfu,
            lru,
            cluster,
            dir,
            ..
        } = self;
        // The session closes only once no other handle exists, so this is the last one.
        let _ = tokio::time::timeout(Duration::from_secs(10), browser.close()).await;
        drop((driver, proxy, lfu, lru, cluster, dir));
        if let Err(why) = result {
            panic!("{name}: {why}");
        }
    }

    pub async fn goto(&self, path: &str) -> Flow {
        self.browser
            .goto(&format!("{}{path}", self.console))
            .await
            .ctx(&format!("goto {path}"))
    }

    /// Waits until the element exists and its text satisfies `ok`; returns the text.
    pub async fn wait_text(&self, css: &str, ok: impl Fn(&str) -> bool) -> Result<String, String> {
        self.wait_read(css, "text", async |el| el.text().await.ok(), ok)
            .await
    }

    /// Waits until an input's value satisfies `ok`; returns the value.
    pub async fn wait_text_value(
        &self,
        css: &str,
        ok: impl Fn(&str) -> bool,
    ) -> Result<String, String> {
        self.wait_read(css, "value", async |el| el.prop("value").await.ok()?, ok)
            .await
    }

    /// Waits until the element exists and what `read` reads of it satisfies `ok`.
    async fn wait_read(
        &self,
        css: &str,
        what: &str,
        read: impl AsyncFn(Element) -> Option<String>,
        ok: impl Fn(&str) -> bool,
    ) -> Result<String, String> {
        let mut last = String::from("(no element)");
        let found = wait_until(async || {
            let el = self.browser.find(Locator::Css(css)).await.ok()?;
            let got = read(el).await?;
            let done = ok(&got);
            last = got.clone();
            done.then_some(got)
        })
        .await;
        found.ok_or_else(|| {
            format!("{css}: {what} condition not met within {WAIT:?}; last {what}: {last:?}")
        })
    }

    /// Waits until the number of matching elements satisfies `ok`; returns it.
    pub async fn wait_count(&self, css: &str, ok: impl Fn(usize) -> bool) -> Result<usize, String> {
        let mut last = 0;
        let found = wait_until(async || {
            last = self
                .browser
                .find_all(Locator::Css(css))
                .await
                .map(|v| v.len())
                .unwrap_or(0);
            ok(last).then_some(last)
        })
        .await;
        found.ok_or_else(|| {
            format!("{css}: count condition not met within {WAIT:?}; last count {last}")
        })
    }

    /// The texts of every element matching `css`, in document order.
    pub async fn texts(&self, css: &str) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        for el in self.browser.find_all(Locator::Css(css)).await.ctx(css)? {
            out.push(el.text().await.ctx(css)?);
        }
        Ok(out)
    }

    /// The element, once it exists.
    pub async fn element(&self, css: &str) -> Result<Element, String> {
        self.browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .ctx(css)
    }

    pub async fn click(&self, css: &str) -> Flow {
        let el = self.element(css).await?;
        el.click().await.ctx(&format!("click {css}"))
    }

    /// Replaces an input's value by typing, as a user would.
    pub async fn fill(&self, css: &str, value: &str) -> Flow {
        let el = self.element(css).await?;
        el.clear().await.ctx(&format!("clear {css}"))?;
        el.send_keys(value).await.ctx(&format!("type into {css}"))
    }

    /// An input's current value (the property, not the attribute).
    pub async fn value(&self, css: &str) -> Result<String, String> {
        let el = self.element(css).await?;
        Ok(el.prop("value").await.ctx(css)?.unwrap_or_default())
    }

    pub async fn current_url(&self) -> String {
        self.browser
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default()
    }
}

/// Polls `probe` every 50 ms until it returns `Some` or [`WAIT`] passes.
pub async fn wait_until<T>(mut probe: impl AsyncFnMut() -> Option<T>) -> Option<T> {
    let until = Instant::now() + WAIT;
    loop {
        if let Some(v) = probe().await {
            return Some(v);
        }
        if Instant::now() > until {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Starts `bin serve --config config` in the config's folder (the debug binary is the one
/// `cargo test --workspace` builds) and waits until it answers.
async fn start_proxy(bin: &Path, config: &Path, base: &str) -> Guard {
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build -p dcs-proxy` first",
        bin.display()
    );
    let child = Command::new(bin)
        .current_dir(config.parent().expect("the config is in a folder"))
        .args(["serve", "--config"])
        .arg(config)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("dcs-proxy starts");
    let proxy = Guard {
        child,
        group: false,
    };
    let client = reqwest::Client::new();
    let up = wait_until(async || client.get(format!("{base}/config.json")).send().await.ok()).await;
    assert!(up.is_some(), "the proxy did not answer at {base}");
    proxy
}

/// `child`, stopped when the guard drops.
pub fn guard(child: Child) -> Guard {
    Guard {
        child,
        group: false,
    }
}

/// `child`, started as the leader of its own process group (`process_group(0)`), stopped with
/// everything it started (the demo's Redis servers) when the guard drops.
pub fn group_guard(child: Child) -> Guard {
    Guard { child, group: true }
}

/// chromedriver with a headless Chromium session (profile and downloads under `dir`).
pub async fn start_browser(dir: &Path, downloads: &Path) -> (Guard, Client) {
    let port = free_port().unwrap();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // chromedriver and the Chromium it starts share this group: stopped together.
        .process_group(0)
        .spawn()
        .expect("chromedriver (scripts/setup installs chromium-driver)");
    let driver = Guard { child, group: true };
    let url = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let ready = wait_until(async || client.get(format!("{url}/status")).send().await.ok()).await;
    assert!(ready.is_some(), "chromedriver did not start");
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,900", "--lang=en-US",
                format!("--user-data-dir={}", dir.join("chromium").display()),
            ],
            "prefs": {
                "download.default_directory": downloads,
                "download.prompt_for_download": false,
                "intl.accept_languages": "en-US",
            }
        }
    });
    let caps: fantoccini::wd::Capabilities =
        caps.as_object().unwrap().clone().into_iter().collect();
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let browser = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&url)
        .await
        .expect("a browser session");
    (driver, browser)
}
