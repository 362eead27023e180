//! Flow 7: the hot-key schedule and the expired-key auto-scan are edited in the browser; invalid
//! values are refused there with DCS's wording (and nothing is sent); saved values survive a
//! page reload and a proxy restart.

use e2e::{ensure, Context, Flow, Stack};
use reqwest::Method;

const HOT_TIMES: &str = "#hotkey-times";
const HOT_ENABLED: &str = "form:has(#hotkey-times) input[type=checkbox]";
const EXPIRE_ENABLED: &str = "form:has(#interval) input[type=checkbox]";

async fn checked(s: &Stack, css: &str) -> Result<bool, String> {
    let el = s
        .browser
        .find(fantoccini::Locator::Css(css))
        .await
        .ctx(css)?;
    Ok(el.prop("checked").await.ctx(css)?.as_deref() == Some("true"))
}

/// Sets a `datetime-local` input the way its picker would (typing into one is locale-bound).
async fn set_datetime(s: &Stack, css: &str, value: &str) -> Flow {
    let script = "const e = document.querySelector(arguments[0]); e.value = arguments[1]; \
                  e.dispatchEvent(new Event('input', { bubbles: true }));";
    s.browser
        .execute(script, vec![css.into(), value.into()])
        .await
        .ctx("set datetime")?;
    Ok(())
}

/// Both editors show the saved values (after the page loads them from the proxy).
async fn expect_saved(s: &Stack) -> Flow {
    s.goto("/instances/lfu/hotkeys").await?;
    let times = s.wait_text_value(HOT_TIMES, |v| !v.is_empty()).await?;
    ensure!(times == "03:30, 21:00", "hot-key times {times:?}");
    ensure!(
        checked(s, HOT_ENABLED).await?,
        "hot-key schedule not enabled"
    );
    s.goto("/instances/lfu/expired").await?;
    s.wait_text_value("#interval", |v| v == "60").await?;
    ensure!(
        s.value("#timeout").await? == "120",
        "timeout {:?}",
        s.value("#timeout").await
    );
    ensure!(
        s.value("#count").await? == "500",
        "count {:?}",
        s.value("#count").await
    );
    ensure!(
        s.value("#first-scan")
            .await?
            .starts_with("2030-01-01T10:00"),
        "first scan"
    );
    ensure!(checked(s, EXPIRE_ENABLED).await?, "auto-scan not enabled");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_validate_and_persist() {
    Stack::start()
        .await
        .run(
            "schedules_validate_and_persist",
            async |s: &mut Stack| -> Flow {
                // Hot keys: a time that does not exist is refused in the browser.
                s.goto(&format!("/instances/lfu/hotkeys#token={}", e2e::TOKEN))
                    .await?;
                s.wait_count(HOT_ENABLED, |n| n == 1).await?;
                s.click(HOT_ENABLED).await?;
                s.fill(HOT_TIMES, "25:00").await?;
                s.click("form:has(#hotkey-times) [data-testid=schedule-save]")
                    .await?;
                s.wait_text("[data-testid=error-banner]", |t| {
                    t.contains("DCS.4800") && t.contains("Invalid schedule_at in the request.")
                })
                .await?;
                let (_, saved) = s.api(Method::GET, "/instances/lfu/hotkey/autoscan").await;
                ensure!(
                    saved["enable_auto_scan"] == false,
                    "an invalid schedule reached the proxy: {saved}"
                );
                s.fill(HOT_TIMES, "21:00, 03:30").await?;
                s.click("form:has(#hotkey-times) [data-testid=schedule-save]")
                    .await?;
                s.wait_text("form:has(#hotkey-times) [role=status]", |t| {
                    t.contains("03:30, 21:00")
                })
                .await?;

                // Expired keys: a timeout under twice the interval is refused with DCS.4821's words.
                s.goto("/instances/lfu/expired").await?;
                s.wait_count(EXPIRE_ENABLED, |n| n == 1).await?;
                s.click(EXPIRE_ENABLED).await?;
                set_datetime(s, "#first-scan", "2030-01-01T10:00").await?;
                s.fill("#interval", "60").await?;
                s.fill("#timeout", "60").await?;
                s.fill("#count", "500").await?;
                s.click("form:has(#interval) [data-testid=schedule-save]")
                    .await?;
                s.wait_text("[data-testid=error-banner]", |t| {
                    t.contains("DCS.4821") && t.contains("It must be >= interval * 2")
                })
                .await?;
                s.fill("#timeout", "120").await?;
                s.click("form:has(#interval) [data-testid=schedule-save]")
                    .await?;
                s.wait_text("form:has(#interval) [role=status]", |t| t.contains("Saved"))
                    .await?;
                let (_, saved) = s
                    .api(
                        Method::GET,
                        "/instances/lfu/scan-expire-keys/autoscan-config",
                    )
                    .await;
                ensure!(
                    saved["interval"] == 3600
                        && saved["timeout"] == 7200
                        && saved["scan_keys_count"] == 500,
                    "sent in seconds: {saved}"
                );

                expect_saved(s).await?;
                s.restart_proxy().await;
                expect_saved(s).await
            },
        )
        .await;
}
