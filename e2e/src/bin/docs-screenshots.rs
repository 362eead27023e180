//! `make docs`: the README's screenshots, taken from the real demo (`dcs-proxy demo`) in
//! headless Chromium after running one analysis of each kind (key space included). Writes
//! `docs/screenshots/*.png`.

use e2e::{group_guard, start_browser, wait_until, workspace_root, Context};
use fantoccini::{Client, Locator};
use serde_json::Value;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::Duration;

const PROJECT: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";

struct Shot {
    file: String,
    path: &'static str,
    /// Shown once the page has what the picture is about.
    ready: &'static str,
    width: u32,
    height: u32,
    theme: &'static str,
    lang: &'static str,
    /// Clicked once ready (e.g. a key, to show its details), then waited for: (click, ready).
    open: Option<(&'static str, &'static str)>,
}

/// The first key of a result, opened: its details panel with its first elements.
const KEY_DETAILS: Option<(&str, &str)> =
    Some(("[data-testid=key-open]", "[data-testid=key-elements]"));

fn docs_shots() -> Vec<Shot> {
    vec![
        Shot {
            file: "instances.png".into(),
            path: "/",
            ready: "[data-testid=instance-row]",
            width: 1280,
            height: 520,
            theme: "light",
            lang: "en",
            open: None,
        },
        Shot {
            file: "hot-keys.png".into(),
            path: "/instances/orders-lfu/hotkeys",
            ready: "[data-testid=hotkey-chart]",
            width: 1280,
            height: 1400,
            theme: "light",
            lang: "en",
            open: None,
        },
        Shot {
            file: "big-keys-dark.png".into(),
            path: "/instances/orders-lfu/bigkeys",
            ready: "[data-testid=bigkey-chart]",
            width: 1280,
            height: 1400,
            theme: "dark",
            lang: "en",
            open: None,
        },
        Shot {
            file: "key-details.png".into(),
            path: "/instances/orders-lfu/bigkeys",
            ready: "[data-testid=bigkey-chart]",
            width: 1280,
            height: 900,
            theme: "light",
            lang: "en",
            open: KEY_DETAILS,
        },
        Shot {
            file: "expired-keys.png".into(),
            path: "/instances/orders-lfu/expired",
            ready: "[data-testid=expired-chart]",
            width: 1280,
            height: 800,
            theme: "light",
            lang: "en",
            open: None,
        },
        Shot {
            file: "hot-keys-zh-cn.png".into(),
            path: "/instances/orders-lfu/hotkeys",
            ready: "[data-testid=hotkey-chart]",
            width: 1280,
            height: 1000,
            theme: "light",
            lang: "zh-CN",
            open: None,
        },
        Shot {
            file: "key-space.png".into(),
            path: "/instances/orders-lfu/keyspace",
            ready: "[data-testid=keyspace-prefix-tree]",
            width: 1280,
            height: 2000,
            theme: "light",
            lang: "en",
            open: None,
        },
        Shot {
            file: "phone-hot-keys-dark.png".into(),
            path: "/instances/orders-lfu/hotkeys",
            ready: "[data-testid=hotkey-chart]",
            width: 390,
            height: 1600,
            theme: "dark",
            lang: "en",
            open: None,
        },
    ]
}

/// `--review DIR`: every page in light and dark, at desktop and phone width, for a person to look
/// at before a change lands (not committed).
fn review_shots() -> Vec<Shot> {
    let pages = [
        ("instances", "/", "[data-testid=instance-row]"),
        (
            "hot-keys",
            "/instances/orders-lfu/hotkeys",
            "[data-testid=hotkey-chart]",
        ),
        ("hot-keys-lru", "/instances/sessions-lru/hotkeys", ".reason"),
        (
            "big-keys",
            "/instances/orders-lfu/bigkeys",
            "[data-testid=bigkey-chart]",
        ),
        (
            "expired",
            "/instances/orders-lfu/expired",
            "[data-testid=expired-chart]",
        ),
        (
            "key-space",
            "/instances/orders-lfu/keyspace",
            "[data-testid=keyspace-prefix-tree]",
        ),
        (
            "key-details",
            "/instances/orders-lfu/bigkeys",
            "[data-testid=bigkey-chart]",
        ),
        ("settings", "/settings", "dl"),
        ("not-found", "/nowhere", "h1"),
    ];
    let mut shots = Vec::new();
    for (name, path, ready) in pages {
        for theme in ["light", "dark"] {
            for (width, height) in [(1280, 1000), (390, 1400)] {
                shots.push(Shot {
                    file: format!("{name}-{theme}-{width}.png"),
                    path,
                    ready,
                    width,
                    height,
                    theme,
                    lang: "en",
                    open: (name == "key-details").then_some(KEY_DETAILS).flatten(),
                });
            }
        }
    }
    shots
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let root = workspace_root();
    let dir = tempfile::tempdir().ctx("temp dir")?;
    let port = dcs_analyzer::server::free_port().ctx("port")?;
    let base = format!("http://127.0.0.1:{port}");
    // Its own process group: the demo's Redis children stop with it.
    let _demo = group_guard(
        Command::new(e2e::target_dir().join("release/dcs-proxy"))
            .args([
                "demo",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--console-dir",
            ])
            .arg(root.join("dist"))
            .arg("--data-dir")
            .arg(dir.path().join("demo"))
            .stdout(Stdio::null())
            .process_group(0)
            .spawn()
            .ctx("start the demo (make proxy builds it)")?,
    );
    let token_file = dir.path().join("demo/console-token");
    let http = reqwest::Client::new();
    let token = wait_until(async || {
        let token = std::fs::read_to_string(&token_file).ok()?;
        let url = format!("{base}/v2/{PROJECT}/instances");
        let ok = http
            .get(url)
            .header("X-Auth-Token", token.trim())
            .send()
            .await
            .ok()?
            .status()
            .is_success();
        ok.then(|| token.trim().to_string())
    })
    .await
    .ok_or("the demo did not come up")?;
    let api = async |method: reqwest::Method, path: &str, body: Option<Value>| -> Value {
        let mut req = http
            .request(
                method,
                format!("{base}/v2/{PROJECT}/instances/orders-lfu{path}"),
            )
            .header("X-Auth-Token", &token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await;
        match resp {
            Ok(r) => r.json().await.unwrap_or(Value::Null),
            Err(_) => Value::Null,
        }
    };
    let nodes = api(reqwest::Method::GET, "/logical-nodes", None).await;
    let node = serde_json::json!({"node_id": nodes["nodes"][0]["node_id"]});
    // The expired-key scan first: every SCAN reclaims expired keys, so after the others it would
    // find none left to show.
    for (create, list, body) in [
        ("/scan-expire-keys-task", "/auto-expire/histories", None),
        ("/hotkey-task", "/hotkey-tasks", None),
        ("/bigkey-task", "/bigkey-tasks", None),
        ("/offline/key-analysis", "/offline/key-analysis", Some(node)),
    ] {
        api(reqwest::Method::POST, create, body).await;
        let done = wait_until(async || {
            let l = api(reqwest::Method::GET, list, None).await;
            (l["records"][0]["status"] == "success").then_some(())
        })
        .await;
        done.ok_or(format!("{create} did not succeed"))?;
    }

    // `--review DIR` writes the review set there; otherwise the README's pictures.
    let args: Vec<String> = std::env::args().collect();
    let (out, shots) = match args.get(1).map(String::as_str) {
        Some("--review") => (
            std::path::PathBuf::from(args.get(2).ok_or("--review DIR")?),
            review_shots(),
        ),
        _ => (root.join("docs/screenshots"), docs_shots()),
    };
    std::fs::create_dir_all(&out).ctx("docs/screenshots")?;
    let (_driver, browser) = start_browser(dir.path(), dir.path()).await;
    browser
        .goto(&format!("{base}/#token={token}"))
        .await
        .ctx("sign in")?;
    for shot in &shots {
        take(&browser, &base, shot, &out.join(&shot.file)).await?;
        println!("{}", out.join(&shot.file).display());
    }
    let _ = browser.close().await;
    Ok(())
}

async fn take(
    browser: &Client,
    base: &str,
    shot: &Shot,
    file: &std::path::Path,
) -> Result<(), String> {
    browser
        .set_window_size(shot.width, shot.height)
        .await
        .ctx("window size")?;
    let prefs = format!(
        "localStorage.setItem('dcs-console-theme', '{}'); localStorage.setItem('dcs-console-lang', '{}');",
        shot.theme, shot.lang
    );
    browser.execute(&prefs, vec![]).await.ctx("preferences")?;
    browser
        .goto(&format!("{base}{}", shot.path))
        .await
        .ctx(shot.path)?;
    browser
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(shot.ready))
        .await
        .ctx(shot.ready)?;
    if let Some((click, ready)) = shot.open {
        browser
            .find(Locator::Css(click))
            .await
            .ctx(click)?
            .click()
            .await
            .ctx(click)?;
        browser
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(ready))
            .await
            .ctx(ready)?;
    }
    // Fonts and the last chart layout settle within a frame or two; wait for two frames.
    browser
        .execute_async(
            "requestAnimationFrame(() => requestAnimationFrame(arguments[0]))",
            vec![],
        )
        .await
        .ctx("frames")?;
    let png = browser.screenshot().await.ctx("screenshot")?;
    std::fs::write(file, png).ctx("write")
}
