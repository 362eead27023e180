//! Stop on a running task of every kind: a hot-key analysis (stopped and removed, the page back
//! to the kind's own) and an expired-key scan (stopped, its record kept as failed "Stopped on
//! request"). Redis is frozen with SIGSTOP under each so the running state is there to be seen;
//! meanwhile Start waits (disabled), and is offered again once the task has stopped.

use crate::hot_keys::{new_hot_task, signal};
use crate::seed;
use e2e::{ensure, wait_until, Flow, Stack, TOKEN};
use reqwest::Method;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stop_a_running_task_of_every_kind() {
    let stack = Stack::start().await;
    let mut c = stack.redis(&stack.lfu.url()).await;
    seed::bulk(&mut c, 20_000).await;
    // The expired-key scan waits for its snapshot this long, so it is surely running when Redis
    // is frozen (otherwise 20,000 keys read from a snapshot can finish just before the stop).
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("repl-diskless-sync-delay")
        .arg(60)
        .query_async(&mut c)
        .await
        .unwrap();
    stack
        .run(
            "stop_a_running_task_of_every_kind",
            async |s: &mut Stack| -> Flow {
                let pid = s.lfu.pid();
                s.goto(&format!("/instances/lfu/hotkeys#token={TOKEN}"))
                    .await?;
                s.click("[data-testid=start-hotkey-task]").await?;
                let task = new_hot_task(s, "lfu", None).await?;
                signal(pid, "-STOP");
                // While it runs, Start waits (one task of a kind at a time) and Stop is offered.
                let waits = s
                    .wait_count("[data-testid=start-hotkey-task][disabled]", |n| n == 1)
                    .await;
                let shown = s.wait_count("[data-testid=stop-task]", |n| n == 1).await;
                let clicked = match (waits, shown) {
                    (Ok(_), Ok(_)) => s.click("[data-testid=stop-task]").await,
                    (Err(e), _) | (_, Err(e)) => Err(e),
                };
                // The proxy answers the stop without Redis; the analysis ends at its next reply.
                let back = wait_until(async || {
                    let url = s.current_url().await;
                    url.ends_with("/instances/lfu/hotkeys").then_some(())
                })
                .await;
                signal(pid, "-CONT");
                clicked?;
                ensure!(
                    back.is_some(),
                    "the page did not go back: {}",
                    s.current_url().await
                );
                let (status, body) = s
                    .api(Method::GET, &format!("/instances/lfu/hotkey-task/{task}"))
                    .await;
                ensure!(
                    status == 400 && body["error_code"] == "DCS.4941",
                    "the stopped task is gone: {status} {body}"
                );
                s.wait_count("[data-testid=start-hotkey-task]:not([disabled])", |n| {
                    n == 1
                })
                .await?;

                s.goto("/instances/lfu/expired").await?;
                s.click("[data-testid=start-expired-scan]").await?;
                let scan = wait_until(async || {
                    let (_, h) = s
                        .api(Method::GET, "/instances/lfu/auto-expire/histories")
                        .await;
                    (h["records"][0]["status"] == "running").then_some(())
                })
                .await;
                signal(pid, "-STOP");
                let waits = s
                    .wait_count("[data-testid=start-expired-scan][disabled]", |n| n == 1)
                    .await;
                let shown = s.wait_count("[data-testid=stop-task]", |n| n == 1).await;
                let clicked = match (waits, shown) {
                    (Ok(_), Ok(_)) => s.click("[data-testid=stop-task]").await,
                    (Err(e), _) | (_, Err(e)) => Err(e),
                };
                signal(pid, "-CONT");
                ensure!(scan.is_some(), "the scan never ran");
                clicked?;
                s.wait_text("[data-testid=task-status]", |t| t == "failed")
                    .await?;
                s.wait_text("tbody tr", |t| t.contains("Stopped on request"))
                    .await?;
                Ok(())
            },
        )
        .await;
}
