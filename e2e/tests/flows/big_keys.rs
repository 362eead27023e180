//! Flow 6: the seeded big keys appear with exact sizes and units.

use e2e::{ensure, Flow, Stack};

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
                Ok(())
            },
        )
        .await;
}
