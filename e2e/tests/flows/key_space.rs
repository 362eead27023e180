//! Key space: an analysis of the seeded instance from the console — the biggest prefix and key,
//! the TTL bands, a prefix opened to its next level and the first level regrouped by another
//! delimiter, all equal to what was seeded.

use e2e::{ensure, Flow, Stack};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_space_shows_where_the_memory_goes() {
    let stack = Stack::start().await;
    let mut c = stack.redis(&stack.lfu.url()).await;
    let mut pipe = redis::pipe();
    // The snapshot at once (Redis 7.0 waits 5 s for other replicas by default).
    pipe.cmd("CONFIG")
        .arg("SET")
        .arg("repl-diskless-sync-delay")
        .arg(0)
        .ignore();
    for i in 0..120 {
        pipe.cmd("SET")
            .arg(format!("order:eu:{i}"))
            .arg("o")
            .ignore();
    }
    for i in 0..80 {
        pipe.cmd("SET")
            .arg(format!("order:us:{i}"))
            .arg("o")
            .ignore();
    }
    for i in 0..50 {
        pipe.cmd("SET")
            .arg(format!("img/png:{i}"))
            .arg("i")
            .arg("EX")
            .arg(600)
            .ignore();
    }
    let fields: Vec<(String, String)> = (0..3000)
        .map(|i| (format!("f{i}"), "x".repeat(16)))
        .collect();
    pipe.cmd("HSET").arg("cart:big").arg(&fields).ignore();
    let _: () = pipe.query_async(&mut c).await.unwrap();
    stack
        .run(
            "key_space_shows_where_the_memory_goes",
            async |s: &mut Stack| -> Flow {
                s.goto(&format!("/#token={}", e2e::TOKEN)).await?;
                s.click("[data-testid=instance-row] a[href$='/keyspace']")
                    .await?;
                s.click("[data-testid=start-keyspace-analysis]").await?;
                s.wait_text("[data-testid=task-status]", |t| t == "success")
                    .await?;
                s.wait_count("[data-testid=keyspace-type-chart]", |n| n == 1)
                    .await?;
                let summary = s.texts("[data-testid=keyspace-summary]").await?;
                ensure!(summary[0].starts_with("251 keys"), "summary {summary:?}");

                // By memory the one big hash comes first, then the 200 orders.
                let tree = "[data-testid=keyspace-prefix-tree] tbody tr";
                let rows = s.texts(tree).await?;
                ensure!(rows.len() == 3, "first level: {rows:?}");
                ensure!(rows[0].contains("cart:"), "first row {rows:?}");
                ensure!(
                    rows[1].contains("order:") && rows[1].contains("200"),
                    "orders {rows:?}"
                );
                // Opened, `order:` shows its two children; keyboard users get the same button.
                s.click(&format!("{tree}:nth-child(2) button")).await?;
                s.wait_count(tree, |n| n == 5).await?;
                let rows = s.texts(tree).await?;
                ensure!(
                    rows[2].contains("order:eu:")
                        && rows[2].contains("120")
                        && rows[3].contains("order:us:")
                        && rows[3].contains("80"),
                    "children {rows:?}"
                );
                // `/` as well as `:`: `img/png:` is regrouped under `img/`.
                s.fill("[data-testid=keyspace-delimiters]", ":/").await?;
                s.wait_text(tree, |_| true).await?;
                let regrouped = s.texts(tree).await?;
                ensure!(
                    regrouped
                        .iter()
                        .any(|r| r.contains("img/") && !r.contains("png")),
                    "regrouped {regrouped:?}"
                );

                let keys = s.texts("[data-testid=key-table] tbody tr").await?;
                ensure!(
                    keys[0].contains("cart:big") && keys[0].contains("3000 elements"),
                    "largest key {keys:?}"
                );
                let ttl = s
                    .texts("[data-testid=keyspace-ttl-chart] .bar-value")
                    .await?;
                let labels = s
                    .texts("[data-testid=keyspace-ttl-chart] .bar-label")
                    .await?;
                let band = |name: &str| {
                    labels
                        .iter()
                        .position(|l| l == name)
                        .map(|i| ttl[i].clone())
                        .unwrap_or_default()
                };
                ensure!(
                    band("no expiry").ends_with("· 201 keys"),
                    "no expiry: {labels:?} {ttl:?}"
                );
                ensure!(
                    band("within an hour").ends_with("· 50 keys"),
                    "<1h: {labels:?} {ttl:?}"
                );
                let findings = s.texts("[data-testid=keyspace-findings] li").await?;
                ensure!(!findings.is_empty(), "findings");
                Ok(())
            },
        )
        .await;
}
