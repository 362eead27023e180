//! Flow: a key in a result opens its details, read now from the server (type, encoding, TTL,
//! size, first elements); where the instance allows key actions, Set TTL and Unlink act after
//! the browser's confirmation and are recorded; a wrong TTL is said beside its field; where
//! actions are not allowed, none is offered. (The same instance lets a task run fast: ticked,
//! the task runs and is recorded at the fast pace; elsewhere there is no such choice.)

use e2e::{ensure, Context, Flow, Stack};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_opens_its_details_and_allowed_actions_are_confirmed_and_recorded() {
    let stack = Stack::start().await;
    for url in [stack.lru.url(), stack.lfu.url()] {
        let mut c = stack.redis(&url).await;
        let _: () = redis::pipe()
            .cmd("RPUSH")
            .arg("queue")
            .arg((0..25).map(|i| format!("job-{i}")).collect::<Vec<_>>())
            .ignore()
            .cmd("SET")
            .arg("doomed")
            .arg("x")
            .ignore()
            .query_async(&mut c)
            .await
            .unwrap();
    }
    stack
        .run(
            "a_key_opens_its_details_and_allowed_actions_are_confirmed_and_recorded",
            async |s: &mut Stack| -> Flow {
                s.goto(&format!("/instances/lru/bigkeys#token={}", e2e::TOKEN))
                    .await?;
                s.click("[data-testid=fast-pace]").await?;
                open_key(s, "queue").await?;
                s.wait_text(".task-head", |t| t.contains("fast pace"))
                    .await?;
                let (_, tasks) = s
                    .api(reqwest::Method::GET, "/instances/lru/bigkey-tasks")
                    .await;
                let id = tasks["records"][0]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let (_, task) = s
                    .api(
                        reqwest::Method::GET,
                        &format!("/instances/lru/bigkey-task/{id}"),
                    )
                    .await;
                ensure!(task["pace"] == "fast", "ran fast: {task}");
                let facts = s
                    .wait_text("[data-testid=key-details] dl", |t| t.contains("list"))
                    .await?;
                ensure!(
                    facts.contains("25 elements") && facts.contains("no expiry"),
                    "facts: {facts:?}"
                );
                // The keyboard lands in the panel.
                let focused = s
                    .browser
                    .active_element()
                    .await
                    .ctx("the focused element")?
                    .text()
                    .await
                    .ctx("its text")?;
                ensure!(focused == "Key details", "focus in the panel: {focused:?}");
                let elements = s.texts("[data-testid=key-elements] li").await?;
                ensure!(
                    elements.len() == 10 && elements[0] == "job-0" && elements[9] == "job-9",
                    "first ten elements: {elements:?}"
                );

                // A wrong TTL is said beside its field; nothing is sent.
                s.fill("[data-testid=key-ttl]", "0").await?;
                s.click("[data-testid=key-expire]").await?;
                s.wait_text("[data-testid=key-ttl-error]", |t| t.contains("from 1 to"))
                    .await?;
                // A TTL, confirmed: set, shown, recorded.
                s.fill("[data-testid=key-ttl]", "300").await?;
                s.click("[data-testid=key-expire]").await?;
                s.browser.accept_alert().await.ctx("accept Set TTL")?;
                s.wait_text("[data-testid=key-details] [role=status]", |t| {
                    t.contains("expires in 300 s")
                })
                .await?;
                s.wait_text("[data-testid=key-details] dl", |t| {
                    t.contains("300 s") || t.contains("299 s")
                })
                .await?;

                // Unlink: dismissed, the key stays; accepted, it goes and the panel says so.
                s.click("[data-testid=key-unlink]").await?;
                s.browser.dismiss_alert().await.ctx("dismiss Unlink")?;
                let mut c = s.redis(&s.lru.url()).await;
                let exists: i64 = redis::cmd("EXISTS")
                    .arg("queue")
                    .query_async(&mut c)
                    .await
                    .unwrap();
                ensure!(exists == 1, "not unlinked when dismissed");
                s.click("[data-testid=key-unlink]").await?;
                s.browser.accept_alert().await.ctx("accept Unlink")?;
                s.wait_text("[data-testid=key-details]", |t| {
                    t.contains("No key \"queue\"")
                })
                .await?;
                let exists: i64 = redis::cmd("EXISTS")
                    .arg("queue")
                    .query_async(&mut c)
                    .await
                    .unwrap();
                ensure!(exists == 0, "unlinked");
                let (_, actions) = s
                    .api(reqwest::Method::GET, "/instances/lru/key-actions")
                    .await;
                let done: Vec<(&str, &str)> = actions["records"]
                    .as_array()
                    .map(|r| {
                        r.iter()
                            .map(|a| {
                                (
                                    a["action"].as_str().unwrap_or(""),
                                    a["outcome"].as_str().unwrap_or(""),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                ensure!(
                    done == [("unlink", "done"), ("expire", "done")],
                    "recorded: {actions}"
                );
                // Escape closes it.
                s.element("[data-testid=key-details] h3")
                    .await?
                    .send_keys("\u{e00c}")
                    .await
                    .ctx("press Escape")?;
                s.wait_count("[data-testid=key-details]", |n| n == 0)
                    .await?;

                // An expired-key scan may run fast there too.
                s.goto("/instances/lru/expired").await?;
                s.click("[data-testid=fast-pace]").await?;
                s.click("[data-testid=start-expired-scan]").await?;
                let scanned = e2e::wait_until(async || {
                    let (_, h) = s
                        .api(reqwest::Method::GET, "/instances/lru/auto-expire/histories")
                        .await;
                    (h["records"][0]["pace"] == "fast").then_some(())
                })
                .await;
                ensure!(scanned.is_some(), "the scan ran fast");

                // Where key actions are not allowed, the details come without them.
                s.goto("/instances/lfu/bigkeys").await?;
                open_key(s, "queue").await?;
                s.wait_count("[data-testid=fast-pace]", |n| n == 0).await?;
                s.wait_text("[data-testid=key-details] dl", |t| {
                    t.contains("25 elements")
                })
                .await?;
                s.wait_count("[data-testid=key-actions]", |n| n == 0)
                    .await?;
                s.click("[data-testid=key-details] .row button").await?;
                s.wait_count("[data-testid=key-details]", |n| n == 0)
                    .await?;
                Ok(())
            },
        )
        .await;
}

/// Runs a big-key analysis on the page's instance and opens `key` from its result.
async fn open_key(s: &Stack, key: &str) -> Flow {
    s.click("[data-testid=start-bigkey-task]").await?;
    s.wait_text("[data-testid=task-status]", |t| t == "success")
        .await?;
    s.fill("[data-testid=key-table-filter]", key).await?;
    s.wait_count("[data-testid=key-table] tbody tr", |n| n == 1)
        .await?;
    s.click("[data-testid=key-open]").await?;
    Ok(())
}
