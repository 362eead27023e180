//! Flow 6: the seeded big keys appear with exact sizes and units; those over DCS's thresholds
//! (strings over 10 KB, collections over 5,000 elements) are flagged with what to do and
//! counted; sizes sort within their unit; the analysis can be deleted from the history, after
//! the browser's confirmation.

use e2e::{ensure, Context, Flow, Stack};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_keys_show_exact_sizes_and_units() {
    let stack = Stack::start().await;
    let mut c = stack.redis(&stack.lfu.url()).await;
    let mut pipe = redis::pipe();
    pipe.cmd("SET")
        .arg("big:string")
        .arg("x".repeat(100 * 1024))
        .ignore();
    pipe.cmd("SET").arg("small:string").arg("tiny").ignore();
    for i in 0..3000 {
        pipe.cmd("RPUSH").arg("big:list").arg(i).ignore();
    }
    for i in 0..6000 {
        pipe.cmd("SADD").arg("huge:set").arg(i).ignore();
    }
    for i in 0..1500 {
        pipe.cmd("HSET")
            .arg("big:hash")
            .arg(format!("f{i}"))
            .arg("v")
            .ignore();
    }
    let _: () = pipe.query_async(&mut c).await.unwrap();
    stack
        .run(
            "big_keys_show_exact_sizes_and_units",
            async |s: &mut Stack| -> Flow {
                s.goto(&format!("/instances/lfu/bigkeys#token={}", e2e::TOKEN))
                    .await?;
                s.click("[data-testid=start-bigkey-task]").await?;
                s.wait_text("[data-testid=task-status]", |t| t == "success")
                    .await?;
                s.wait_count("[data-testid=bigkey-chart]", |n| n >= 1)
                    .await?;
                let rows = s.texts("[data-testid=key-table] tbody tr").await?;
                let row = |key: &str| {
                    rows.iter()
                        .find(|r| r.contains(key))
                        .cloned()
                        .unwrap_or_default()
                };
                for (key, kind, size) in [
                    ("big:string", "string", "100.0 KiB"),
                    ("big:list", "list", "3000 elements"),
                    ("big:hash", "hash", "1500 elements"),
                    ("small:string", "string", "4 B"),
                ] {
                    let r = row(key);
                    ensure!(
                        r.contains(kind) && r.contains(size),
                        "{key}: want {kind} {size}, row {r:?}"
                    );
                }
                // The exact byte count is one hover away.
                let exact = s
                    .texts("[data-testid=key-table] tbody td[title='102400 bytes']")
                    .await?;
                ensure!(exact == ["100.0 KiB"], "exact size title: {exact:?}");

                // DCS's thresholds: the 100 KiB string and the 6,000-member set are over them.
                s.wait_text("[data-testid=over-threshold]", |t| {
                    t.starts_with("2 of ") && t.contains(" keys exceed")
                })
                .await?;
                let flagged = flagged_keys(s).await?;
                ensure!(
                    flagged == ["huge:set", "big:string"] || flagged == ["big:string", "huge:set"],
                    "flagged {flagged:?}"
                );
                let advice = s.texts("[data-testid=over-flag]").await?;
                ensure!(
                    advice.iter().all(|a| a.contains("UNLINK")),
                    "what to do: {advice:?}"
                );
                // Sorting by size keeps bytes and elements apart: strings, then collections.
                s.click("[data-testid=key-table] thead th:nth-child(4) button")
                    .await?;
                let types = s
                    .texts("[data-testid=key-table] tbody td[data-label=Type]")
                    .await?;
                ensure!(
                    types
                        .iter()
                        .skip_while(|t| *t != "string")
                        .skip_while(|t| *t == "string")
                        .all(|t| t != "string"),
                    "sizes of one unit together: {types:?}"
                );

                // Deleted from the history: the browser asks first; dismissed, nothing goes.
                s.click("[data-testid=delete-task]").await?;
                s.browser
                    .dismiss_alert()
                    .await
                    .ctx("dismiss the confirmation")?;
                let (_, listed) = s
                    .api(reqwest::Method::GET, "/instances/lfu/bigkey-tasks")
                    .await;
                ensure!(listed["count"] == 1, "not deleted when dismissed: {listed}");
                s.click("[data-testid=delete-task]").await?;
                s.browser
                    .accept_alert()
                    .await
                    .ctx("accept the confirmation")?;
                s.wait_text("#main", |t| t.contains("No analyses yet."))
                    .await?;
                let (_, listed) = s
                    .api(reqwest::Method::GET, "/instances/lfu/bigkey-tasks")
                    .await;
                ensure!(listed["count"] == 0, "deleted: {listed}");
                Ok(())
            },
        )
        .await;
}

/// The key names of the rows flagged over the thresholds, in table order.
async fn flagged_keys(s: &Stack) -> Result<Vec<String>, String> {
    s.texts("[data-testid=key-table] tbody tr.over th.key-name code")
        .await
}
