//! Flow 7: the hot-key schedule and the expired-key auto-scan are edited in the browser; a
//! mistake is said beside its field (`aria-invalid`, in the field's unit), never as a failed
//! request, goes as soon as the field is right, and nothing is sent; saved values survive a page
//! reload and a proxy restart; an auto-scan switched off saves without a date.

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

/// Saves the expired-key auto-scan and answers what the proxy then holds.
async fn save_expire(s: &Stack) -> Result<serde_json::Value, String> {
    s.click("form:has(#interval) [data-testid=schedule-save]")
        .await?;
    s.wait_text("form:has(#interval) [role=status]", |t| t.contains("Saved"))
        .await?;
    let path = "/instances/lfu/scan-expire-keys/autoscan-config";
    Ok(s.api(Method::GET, path).await.1)
}

/// Whether the field says it holds a mistake (`aria-invalid="true"`).
async fn field_is_invalid(s: &Stack, css: &str, invalid: bool) -> Flow {
    let el = s.element(css).await?;
    let attr = el.attr("aria-invalid").await.ctx(css)?;
    ensure!(
        (attr.as_deref() == Some("true")) == invalid,
        "{css}: aria-invalid {attr:?}, expected {invalid}"
    );
    Ok(())
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
                // Hot keys: a time that does not exist is refused beside the field.
                s.goto(&format!("/instances/lfu/hotkeys#token={}", e2e::TOKEN))
                    .await?;
                s.wait_count(HOT_ENABLED, |n| n == 1).await?;
                s.click(HOT_ENABLED).await?;
                s.fill(HOT_TIMES, "25:00").await?;
                s.click("form:has(#hotkey-times) [data-testid=schedule-save]")
                    .await?;
                s.wait_text("[data-testid=schedule-times-error]", |t| {
                    t.contains("“25:00” is not a time of day")
                })
                .await?;
                field_is_invalid(s, HOT_TIMES, true).await?;
                ensure!(
                    s.texts("form:has(#hotkey-times) [data-testid=error-banner]")
                        .await?
                        .is_empty(),
                    "a browser-side refusal is not a failed request"
                );
                // A time listed twice is refused as typed, before any Save.
                s.fill(HOT_TIMES, "21:00, 21:00").await?;
                s.wait_text("[data-testid=schedule-times-error]", |t| {
                    t.contains("21:00 is listed twice")
                })
                .await?;
                let (_, saved) = s.api(Method::GET, "/instances/lfu/hotkey/autoscan").await;
                ensure!(
                    saved["enable_auto_scan"] == false,
                    "an invalid schedule reached the proxy: {saved}"
                );
                s.fill(HOT_TIMES, "21:00, 03:30").await?;
                // Fixed: the mistake goes at once, and each time shows its UTC time.
                s.wait_text("[data-testid=schedule-times-error]", str::is_empty)
                    .await?;
                field_is_invalid(s, HOT_TIMES, false).await?;
                s.wait_text("[data-testid=schedule-preview]", |t| {
                    t.starts_with("21:00 → UTC ") && t.contains(" · 03:30 → UTC ")
                })
                .await?;
                s.click("form:has(#hotkey-times) [data-testid=schedule-save]")
                    .await?;
                s.wait_text("form:has(#hotkey-times) [role=status]", |t| {
                    t.contains("Saved")
                })
                .await?;

                // Expired keys: a timeout under twice the interval is refused beside the
                // timeout, in minutes.
                s.goto("/instances/lfu/expired").await?;
                s.wait_count(EXPIRE_ENABLED, |n| n == 1).await?;
                s.click(EXPIRE_ENABLED).await?;
                set_datetime(s, "#first-scan", "2030-01-01T10:00").await?;
                s.fill("#interval", "60").await?;
                s.fill("#timeout", "60").await?;
                s.fill("#count", "500").await?;
                s.click("form:has(#interval) [data-testid=schedule-save]")
                    .await?;
                s.wait_text("[data-testid=timeout-error]", |t| {
                    t == "Enter whole minutes from 120 (twice the interval) to 10080 (7 days)."
                })
                .await?;
                field_is_invalid(s, "#timeout", true).await?;
                s.fill("#timeout", "120").await?;
                s.wait_text("[data-testid=timeout-error]", str::is_empty)
                    .await?;
                let saved = save_expire(s).await?;
                ensure!(
                    saved["interval"] == 3600
                        && saved["timeout"] == 7200
                        && saved["scan_keys_count"] == 500,
                    "sent in seconds: {saved}"
                );

                expect_saved(s).await?;
                s.restart_proxy().await;
                expect_saved(s).await?;

                // Switched off, the auto-scan saves without a first-scan date.
                s.click(EXPIRE_ENABLED).await?;
                set_datetime(s, "#first-scan", "").await?;
                let saved = save_expire(s).await?;
                ensure!(saved["enable_auto_scan"] == false, "saved off: {saved}");
                Ok(())
            },
        )
        .await;
}
