//! The console deployed as users deploy it without the proxy serving it: `dist/` plus a
//! `config.json` on a plain static web server (nginx) of another origin, calling the proxy
//! cross-origin through its `allowed_origins`.

use crate::hot_keys::new_hot_task;
use crate::seed;
use e2e::static_host::StaticHost;
use e2e::{ensure, Context, Flow, Options, Stack, PROJECT, TOKEN};
use reqwest::Method;

/// Signs in through the token prompt, lists the instances, runs a hot-key analysis to its
/// result, reloads the task's deep link through the host's 404.html fallback, opens it on the
/// README's nginx block too, and shows what to do when config.json is missing or wrong.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_hosting_signs_in_analyses_and_deep_links() {
    let ports = StaticHost::ports();
    let origins = vec![
        format!("http://127.0.0.1:{}", ports.0),
        format!("http://127.0.0.1:{}", ports.1),
    ];
    let stack = Stack::start_with(Options {
        allowed_origins: origins,
        ..Options::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let host = StaticHost::start(dir.path(), ports, &stack.base, PROJECT).await;
    let mut c = stack.redis(&stack.lfu.url()).await;
    seed::hot_keys(&mut c, 100, &[("hot:first", 30), ("hot:second", 20)]).await;
    stack
        .run(
            "static_hosting_signs_in_analyses_and_deep_links",
            async |s: &mut Stack| -> Flow {
                s.console = host.error_document.clone();
                s.goto("/").await?;
                s.wait_count("[data-testid=token-prompt]", |n| n == 1)
                    .await?;
                s.fill("#token-input", TOKEN).await?;
                s.click("[data-testid=token-prompt] button[type=submit]")
                    .await?;
                s.wait_count("[data-testid=instance-row]", |n| n == 3)
                    .await?;
                ensure!(
                    !s.current_url().await.contains(TOKEN),
                    "the token is in the address bar"
                );

                // A deep link is no file on the host: it answers 404 with 404.html, the console.
                let deep = reqwest::get(format!("{}/instances/lfu/hotkeys", s.console))
                    .await
                    .ctx("deep link over HTTP")?;
                ensure!(deep.status() == 404, "status {}", deep.status());
                let page = deep.text().await.ctx("404.html")?;
                let index = std::fs::read_to_string(host.site.join("index.html")).unwrap();
                ensure!(page == index, "404.html is not the console's index.html");

                s.goto("/instances/lfu/hotkeys").await?;
                s.click("[data-testid=start-hotkey-task]").await?;
                let task = new_hot_task(s, "lfu", None).await?;
                s.wait_text("[data-testid=task-status]", |t| t == "success")
                    .await?;
                s.wait_text("[data-testid=hotkey-chart] .bar-label", |t| {
                    t == "hot:first"
                })
                .await?;
                let url = s.current_url().await;
                let path = format!("/instances/lfu/hotkeys/{task}");
                ensure!(
                    url == format!("{}{path}", s.console),
                    "the task's deep link: {url}"
                );
                s.browser.refresh().await.ctx("reload the deep link")?;
                s.wait_text("[data-testid=task-status]", |t| t == "success")
                    .await?;
                s.wait_text("[data-testid=hotkey-chart] .bar-label", |t| {
                    t == "hot:first"
                })
                .await?;

                // The README's nginx block (try_files), signed in with a link this time (each
                // origin has its own storage).
                s.console = host.rewrite.clone();
                s.goto(&format!("{path}#token={TOKEN}")).await?;
                s.wait_text("[data-testid=task-status]", |t| t == "success")
                    .await?;
                ensure!(
                    !s.current_url().await.contains(TOKEN),
                    "the token is in the address bar"
                );

                // No config.json: the 404.html host answers 404, the rewrite host index.html.
                std::fs::remove_file(host.site.join("config.json")).unwrap();
                for (origin, why) in [
                    (host.error_document.clone(), "HTTP 404"),
                    (host.rewrite.clone(), "cannot read"),
                ] {
                    s.console = origin;
                    s.goto("/").await?;
                    s.wait_text("[data-testid=config-problem]", |t| {
                        t.contains(why) && t.contains("config.example.json")
                    })
                    .await?;
                }
                // A config.json that names no valid project.
                std::fs::write(host.site.join("config.json"), r#"{"project_id": ""}"#).unwrap();
                s.goto("/").await?;
                s.wait_text("[data-testid=config-problem]", |t| t.contains("project_id"))
                    .await?;
                Ok(())
            },
        )
        .await;
}

/// A console on an origin the proxy does not allow cannot read its answers: the browser refuses
/// them, and the console says the proxy cannot be reached — while the same call made outside
/// a browser succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_hosting_from_an_origin_not_allowed_is_refused() {
    let ports = StaticHost::ports();
    let stack = Stack::start_with(Options {
        allowed_origins: vec!["https://console.example.com".into()],
        ..Options::default()
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let host = StaticHost::start(dir.path(), ports, &stack.base, PROJECT).await;
    stack
        .run(
            "static_hosting_from_an_origin_not_allowed_is_refused",
            async |s: &mut Stack| -> Flow {
                s.console = host.error_document.clone();
                s.goto(&format!("/#token={TOKEN}")).await?;
                s.wait_text("[data-testid=error-banner]", |t| {
                    t.contains("Cannot reach the API proxy") && t.contains("allowed_origins")
                })
                .await?;
                ensure!(
                    s.wait_count("[data-testid=instance-row]", |n| n == 0)
                        .await?
                        == 0,
                    "instances listed from an origin that is not allowed"
                );
                let (status, body) = s.api(Method::GET, "/instances").await;
                ensure!(
                    status == 200 && body["instance_num"] == 3,
                    "the proxy itself answers: {status} {body}"
                );
                Ok(())
            },
        )
        .await;
}
