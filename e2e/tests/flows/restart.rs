//! Flow 10: the proxy is killed during a long analysis and started again: the console (still
//! open, polling) shows the task failed with the interruption message, and history is intact.

use crate::hot_keys::{new_hot_task, signal};
use crate::seed;
use e2e::{ensure, Flow, Stack};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_restart_marks_the_running_task_failed() {
    let stack = Stack::start().await;
    let mut c = stack.redis(&stack.lfu.url()).await;
    // Redis is frozen while the second analysis runs, so it runs as long as needed; the first
    // must finish within a wait while other flows run beside it (200,000 keys did not, in CI).
    seed::bulk(&mut c, 30_000).await;
    seed::hot_keys(&mut c, 0, &[("hot:only", 30)]).await;
    stack
        .run(
            "proxy_restart_marks_the_running_task_failed",
            async |s: &mut Stack| -> Flow {
                s.goto(&format!("/instances/lfu/hotkeys#token={}", e2e::TOKEN))
                    .await?;
                // A finished task first: it must survive the restart.
                s.click("[data-testid=start-hotkey-task]").await?;
                s.wait_text("[data-testid=task-status]", |t| t == "success")
                    .await?;
                let done = new_hot_task(s, "lfu", None).await?;

                s.click("[data-testid=start-hotkey-task]").await?;
                let running = new_hot_task(s, "lfu", Some(&done)).await?;
                signal(s.lfu.pid(), "-STOP");
                let seen = s
                    .wait_text("[data-testid=task-status]", |t| t == "running")
                    .await;
                s.kill_proxy();
                signal(s.lfu.pid(), "-CONT");
                seen?;
                s.start_proxy().await;
                // No reload: the page keeps polling through the outage and picks up the verdict.
                s.wait_text("[data-testid=task-status]", |t| t == "failed")
                    .await?;
                s.wait_text("[data-testid=error-banner]", |t| {
                    t.contains("interrupted by proxy restart")
                })
                .await?;
                let url = s.current_url().await;
                ensure!(
                    url.ends_with(&running),
                    "still on the interrupted task: {url}"
                );
                s.goto(&format!("/instances/lfu/hotkeys/{done}")).await?;
                s.wait_text("[data-testid=task-status]", |t| t == "success")
                    .await?;
                s.wait_text("[data-testid=hotkey-chart] .bar-label", |t| t == "hot:only")
                    .await?;
                Ok(())
            },
        )
        .await;
}
