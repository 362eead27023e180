//! Flows 2 + 8 (hot keys on the LFU instance, then its deep link), 3 (the cluster) and 4 (the
//! LRU instance).

use crate::seed;
use e2e::{ensure, wait_until, Context, Flow, Stack};
use reqwest::Method;
use std::process::Command;

/// Sends SIGSTOP or SIGCONT to a Redis server.
pub fn signal(pid: u32, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &pid.to_string()])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "kill {sig} {pid}");
}

/// The id of the newest hot-key task on `instance` once one other than `not` exists (polled
/// through the API, quickly, so the test can act while the task is young).
pub async fn new_hot_task(s: &Stack, instance: &str, not: Option<&str>) -> Result<String, String> {
    wait_until(async || {
        let (_, list) = s
            .api(Method::GET, &format!("/instances/{instance}/hotkey-tasks"))
            .await;
        list["records"][0]["id"]
            .as_str()
            .filter(|id| Some(*id) != not)
            .map(str::to_string)
    })
    .await
    .ok_or_else(|| "no new hot-key task was created".to_string())
}

/// Flows 2 and 8: a hot-key analysis goes running (with a progress bar) → success; the chart's
/// first bar and the table lead with the hottest seeded key and hold the seeded hot set in
/// order; CSV export saves exactly the table's rows; reloading the task's deep link shows it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hot_key_analysis_progress_csv_and_deep_link() {
    let stack = Stack::start().await;
    let mut c = stack.redis(&stack.lfu.url()).await;
    // The bulk makes the scan long enough that Redis can be frozen while it runs (the task is
    // polled for as soon as it starts), and short enough for the debug proxy's gentle pace to
    // finish it well within a wait while other flows run beside it (100,000 did not, in CI).
    seed::bulk(&mut c, 30_000).await;
    seed::hot_keys(
        &mut c,
        0,
        &[("hot:first", 40), ("hot:second", 30), ("hot:third", 20)],
    )
    .await;
    stack
        .run(
            "hot_key_analysis_progress_csv_and_deep_link",
            async |s: &mut Stack| -> Flow {
                s.goto(&format!("/instances/lfu/hotkeys#token={}", e2e::TOKEN))
                    .await?;
                s.click("[data-testid=start-hotkey-task]").await?;
                // Freeze Redis under the scan so the running state is there to be seen.
                let task = new_hot_task(s, "lfu", None).await?;
                signal(s.lfu.pid(), "-STOP");
                let running = s
                    .wait_text("[data-testid=task-status]", |t| t == "running")
                    .await;
                let progress = s
                    .wait_count("[data-testid=task-progress] progress", |n| n == 1)
                    .await;
                signal(s.lfu.pid(), "-CONT");
                running?;
                progress?;
                s.wait_text("[data-testid=task-status]", |t| t == "success")
                    .await?;
                ensure!(
                    s.wait_count("[data-testid=task-progress]", |n| n == 0)
                        .await?
                        == 0,
                    "progress bar after success"
                );
                let url = s.current_url().await;
                ensure!(
                    url.ends_with(&format!("/instances/lfu/hotkeys/{task}")),
                    "the task is in the URL: {url}"
                );

                let bars = s.texts("[data-testid=hotkey-chart] .bar-label").await?;
                ensure!(
                    bars.first().map(String::as_str) == Some("hot:first"),
                    "bars: {bars:?}"
                );
                let names = s
                    .texts("[data-testid=key-table] tbody .key-name code")
                    .await?;
                ensure!(
                    names[..3] == ["hot:first", "hot:second", "hot:third"],
                    "table order: {names:?}"
                );

                // The button says what it exports: filtered, the rows shown; else all.
                s.fill("[data-testid=key-table-filter]", "first").await?;
                s.wait_text("[data-testid=export-csv]", |t| {
                    t == "Export the 1 shown as CSV"
                })
                .await?;
                // Filter, then export: the file holds exactly the rows shown, and its name says
                // which instance, analysis and when.
                s.fill("[data-testid=key-table-filter]", "hot:").await?;
                s.wait_count("[data-testid=key-table] tbody tr", |n| n == 3)
                    .await?;
                s.click("[data-testid=export-csv]").await?;
                let csv = wait_until(async || {
                    let file = std::fs::read_dir(&s.downloads).ok()?.find_map(|e| {
                        let name = e.ok()?.file_name().into_string().ok()?;
                        let stamp = name.strip_prefix("lfu-hotkeys-")?.strip_suffix(".csv")?;
                        (stamp.len() == 12 && stamp.chars().all(|c| c.is_ascii_digit()))
                            .then(|| s.downloads.join(&name))
                    })?;
                    std::fs::read_to_string(file)
                        .ok()
                        .filter(|t| t.ends_with('\n'))
                })
                .await
                .ok_or("lfu-hotkeys-<time>.csv was not downloaded")?;
                let lines: Vec<&str> = csv.lines().collect();
                ensure!(
                    lines.len() == 4 && lines[0].starts_with("name,"),
                    "csv: {csv}"
                );
                for (line, name) in lines[1..]
                    .iter()
                    .zip(["hot:first", "hot:second", "hot:third"])
                {
                    ensure!(
                        line.starts_with(&format!("{name},string,")),
                        "csv row {line:?} for {name}"
                    );
                }

                s.browser.refresh().await.ctx("reload")?;
                s.wait_text("[data-testid=task-status]", |t| t == "success")
                    .await?;
                s.wait_text("[data-testid=hotkey-chart] .bar-label", |t| {
                    t == "hot:first"
                })
                .await?;
                Ok(())
            },
        )
        .await;
}

/// Flow 3: on the cluster, the by-shard breakdown names all three masters and each key's shard
/// column is the master that holds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_hot_keys_by_shard() {
    let stack = Stack::start().await;
    let mut expected = Vec::new();
    for (i, node) in stack.cluster.nodes.iter().enumerate() {
        let key = seed::key_on_node(&node.url(), &format!("hot{i}")).await;
        let mut c = stack.redis(&node.url()).await;
        seed::hot_keys(&mut c, 0, &[(key.as_str(), 50 - 10 * i)]).await;
        expected.push((key, node.addr()));
    }
    stack
        .run("cluster_hot_keys_by_shard", async |s: &mut Stack| -> Flow {
            s.goto(&format!("/instances/cluster/hotkeys#token={}", e2e::TOKEN))
                .await?;
            s.click("[data-testid=start-hotkey-task]").await?;
            s.wait_text("[data-testid=task-status]", |t| t == "success")
                .await?;
            s.wait_count("[data-testid=by-shard-chart] .bar-label", |n| n == 3)
                .await?;
            let mut shards = s.texts("[data-testid=by-shard-chart] .bar-label").await?;
            shards.sort();
            let mut masters: Vec<String> = expected.iter().map(|(_, a)| a.clone()).collect();
            masters.sort();
            ensure!(
                shards == masters,
                "by shard {shards:?}, masters {masters:?}"
            );
            let rows = s.texts("[data-testid=key-table] tbody tr").await?;
            for (i, (key, addr)) in expected.iter().enumerate() {
                let row = rows.get(i).ok_or("too few rows")?;
                ensure!(
                    row.contains(key.as_str()) && row.ends_with(addr.as_str()),
                    "row {i}: {row:?}, want {key} on {addr}"
                );
            }
            Ok(())
        })
        .await;
}

/// Flow 4: on the LRU instance the start button is disabled with the reason; the API called
/// anyway answers DCS.4922, and the console shows that in its error banner when forced.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lru_instance_refuses_hot_keys() {
    Stack::start()
        .await
        .run("lru_instance_refuses_hot_keys", async |s: &mut Stack| -> Flow {
            s.goto(&format!("/instances/lru/hotkeys#token={}", e2e::TOKEN)).await?;
            s.wait_text(".reason", |t| t.contains("allkeys-lru")).await?;
            let button = s.browser.find(fantoccini::Locator::Css("[data-testid=start-hotkey-task]")).await.ctx("start")?;
            ensure!(!button.is_enabled().await.ctx("enabled?")?, "start must be disabled");
            let (status, body) = s.api(Method::POST, "/instances/lru/hotkey-task").await;
            ensure!(status == 400 && body["error_code"] == "DCS.4922", "API: {status} {body}");
            s.browser
                .execute("const b = document.querySelector('[data-testid=start-hotkey-task]'); b.disabled = false; b.click();", vec![])
                .await
                .ctx("force the click")?;
            s.wait_text("[data-testid=error-banner]", |t| t.contains("DCS.4922")).await?;
            Ok(())
        })
        .await;
}

/// Keys only written, never read, sit at the initial LFU counter: not hot. The analysis says so
/// instead of listing them (issue 16, item 4).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_never_read_are_not_reported_hot() {
    let stack = Stack::start().await;
    let mut c = stack.redis(&stack.lfu.url()).await;
    seed::hot_keys(&mut c, 50, &[]).await;
    stack
        .run(
            "keys_never_read_are_not_reported_hot",
            async |s: &mut Stack| -> Flow {
                s.goto(&format!("/instances/lfu/hotkeys#token={}", e2e::TOKEN))
                    .await?;
                s.click("[data-testid=start-hotkey-task]").await?;
                s.wait_text("[data-testid=task-status]", |t| t == "success")
                    .await?;
                s.wait_text("[data-testid=no-hot-keys]", |t| {
                    t.starts_with("No key is hot")
                })
                .await?;
                let rows = s.texts("[data-testid=key-table] tbody tr").await?;
                ensure!(rows.is_empty(), "cold keys listed as hot: {rows:?}");
                Ok(())
            },
        )
        .await;
}

/// Switching an instance to LFU (a production server's eviction) is never one click: the offer,
/// a confirmation naming both policies, nothing changed until confirmed, the outcome said, and
/// the previous policy one click away (issue 16, item 3).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enabling_lfu_is_confirmed_and_undoable() {
    Stack::start()
        .await
        .run(
            "enabling_lfu_is_confirmed_and_undoable",
            async |s: &mut Stack| -> Flow {
                let policy = async |s: &Stack| {
                    let (_, c) = s.api(Method::GET, "/instances/lru/configs").await;
                    c["redis_config"]
                        .as_array()
                        .and_then(|a| a.iter().find(|p| p["param_name"] == "maxmemory-policy"))
                        .map(|p| p["param_value"].as_str().unwrap_or_default().to_string())
                        .unwrap_or_default()
                };
                s.goto(&format!("/instances/lru/hotkeys#token={}", e2e::TOKEN))
                    .await?;
                s.wait_text(".reason", |t| t.contains("allkeys-lru"))
                    .await?;
                s.click("[data-testid=enable-lfu]").await?;
                let ask = s
                    .wait_text("[data-testid=confirm-lfu]", |t| {
                        t.contains("from allkeys-lru to allkeys-lfu")
                    })
                    .await?;
                ensure!(ask.contains("evict"), "says what changes: {ask}");
                ensure!(
                    policy(s).await == "allkeys-lru",
                    "changed before it was confirmed"
                );
                s.click("[data-testid=confirm-lfu-change]").await?;
                s.wait_text("[data-testid=policy-changed]", |t| {
                    t == "maxmemory-policy is now allkeys-lfu (it was allkeys-lru)."
                })
                .await?;
                ensure!(policy(s).await == "allkeys-lfu", "not changed");
                s.wait_count("[data-testid=start-hotkey-task]:not([disabled])", |n| {
                    n == 1
                })
                .await?;
                s.click("[data-testid=restore-policy]").await?;
                s.wait_text(".reason", |t| t.contains("allkeys-lru"))
                    .await?;
                ensure!(policy(s).await == "allkeys-lru", "not restored");
                Ok(())
            },
        )
        .await;
}
