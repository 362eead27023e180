//! Flows 1 and 9: signing in with a link, and with the token prompt.

use e2e::{ensure, Context, Flow, Stack, TOKEN};
use fantoccini::Locator;

/// Flow 1: `#token=…` signs in and leaves the address bar; every instance is listed with its
/// engine version, mode and policy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_link_lists_instances() {
    Stack::start()
        .await
        .run(
            "sign_in_link_lists_instances",
            async |s: &mut Stack| -> Flow {
                s.goto(&format!("/#token={TOKEN}")).await?;
                s.wait_count("[data-testid=instance-row]", |n| n == 3)
                    .await?;
                ensure!(
                    !s.current_url().await.contains(TOKEN),
                    "the token stayed in the address bar"
                );
                let rows = s.texts("[data-testid=instance-row]").await?;
                for (row, name, mode, policy) in [
                    (&rows[0], "lfu-cache", "single", "allkeys-lfu"),
                    (&rows[1], "lru-cache", "single", "allkeys-lru"),
                    (&rows[2], "cluster-cache", "cluster", "allkeys-lfu"),
                ] {
                    ensure!(
                        row.contains(name)
                            && row.contains("Redis 7.")
                            && row.contains(mode)
                            && row.contains(policy),
                        "row {name}: {row:?}"
                    );
                }
                Ok(())
            },
        )
        .await;
}

/// Flow 9: a wrong token, then no token at all, show the token prompt; entering the right one
/// continues to the instances.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_or_missing_token_prompts_and_recovers() {
    Stack::start()
        .await
        .run(
            "wrong_or_missing_token_prompts_and_recovers",
            async |s: &mut Stack| -> Flow {
                s.goto("/").await?;
                s.wait_count("[data-testid=token-prompt]", |n| n == 1)
                    .await?;
                ensure!(
                    s.wait_count("[data-testid=token-rejected]", |n| n == 0)
                        .await?
                        == 0,
                    "no token is not a rejected token"
                );
                s.goto("/#token=not-the-token").await?;
                s.wait_count("[data-testid=token-prompt]", |n| n == 1)
                    .await?;
                // Said, not just the same empty form again.
                s.wait_count("[data-testid=token-rejected]", |n| n == 1)
                    .await?;
                ensure!(
                    s.wait_count("[data-testid=instance-row]", |n| n == 0)
                        .await?
                        == 0,
                    "rows without a token"
                );
                let input = s
                    .browser
                    .find(Locator::Css("#token-input"))
                    .await
                    .ctx("token input")?;
                input.send_keys(TOKEN).await.ctx("type the token")?;
                s.click("[data-testid=token-prompt] button[type=submit]")
                    .await?;
                s.wait_count("[data-testid=instance-row]", |n| n == 3)
                    .await?;
                Ok(())
            },
        )
        .await;
}

/// One sign-in serves every tab of the browser (a link opened in a new tab stays signed in) until
/// Sign out, which signs every tab out; signed out, an instance page shows the prompt alone —
/// no instance error, no "Enable LFU", no second form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_in_across_tabs_until_sign_out() {
    Stack::start()
        .await
        .run(
            "signed_in_across_tabs_until_sign_out",
            async |s: &mut Stack| -> Flow {
                s.goto(&format!("/#token={TOKEN}")).await?;
                s.wait_count("[data-testid=instance-row]", |n| n == 3)
                    .await?;
                let first = s.browser.window().await.ctx("this tab")?;
                let tab = s.browser.new_window(true).await.ctx("new tab")?;
                s.browser
                    .switch_to_window(tab.handle)
                    .await
                    .ctx("switch to the new tab")?;
                s.goto("/instances/lfu/bigkeys").await?;
                s.element("[data-testid=start-bigkey-task]").await?;
                ensure!(
                    s.wait_count("[data-testid=token-prompt]", |n| n == 0)
                        .await?
                        == 0,
                    "the new tab asks for the token"
                );
                s.click("[data-testid=sign-out]").await?;
                s.wait_count("[data-testid=token-prompt]", |n| n == 1)
                    .await?;
                s.browser
                    .switch_to_window(first)
                    .await
                    .ctx("back to the first tab")?;
                s.goto("/instances/lru/hotkeys").await?;
                s.wait_count("[data-testid=token-prompt]", |n| n == 1)
                    .await?;
                for extra in [
                    "[data-testid=error-banner]",
                    ".reason",
                    "[data-testid=token-rejected]",
                ] {
                    let n = s.texts(extra).await?.len();
                    ensure!(n == 0, "signed out, {extra} shows {n} times");
                }
                Ok(())
            },
        )
        .await;
}
