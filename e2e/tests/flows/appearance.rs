//! Flow 11: the language switch (English → 简体中文 → English) and the theme toggle, both
//! remembered across reloads.

use e2e::{ensure, Context, Flow, Stack, TOKEN};
use fantoccini::Locator;

async fn choose(s: &Stack, select: &str, value: &str) -> Flow {
    let css = format!("[data-testid={select}]");
    let el = s.browser.find(Locator::Css(&css)).await.ctx(&css)?;
    el.select_by_value(value)
        .await
        .ctx(&format!("choose {value} in {css}"))
}

async fn script(s: &Stack, js: &str) -> Result<String, String> {
    let v = s.browser.execute(js, vec![]).await.ctx(js)?;
    Ok(v.as_str().unwrap_or_default().to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn language_and_theme_switch_and_are_remembered() {
    Stack::start()
        .await
        .run(
            "language_and_theme_switch_and_are_remembered",
            async |s: &mut Stack| -> Flow {
                s.goto(&format!("/#token={TOKEN}")).await?;
                s.wait_text("h1", |t| t == "Instances").await?;

                choose(s, "language", "zh-CN").await?;
                s.wait_text("h1", |t| t == "实例").await?;
                s.wait_count("[data-testid=instance-row]", |n| n == 3)
                    .await?;
                let nav = s.wait_text(".topbar nav", |t| t.contains("设置")).await?;
                ensure!(
                    script(s, "return document.documentElement.lang").await? == "zh-CN",
                    "html lang"
                );
                let row = s
                    .wait_text("[data-testid=instance-row]", |t| t.contains("热 key"))
                    .await?;
                ensure!(
                    row.contains("lfu-cache") && row.contains("allkeys-lfu"),
                    "names and policies stay as they are: {row:?} ({nav:?})"
                );
                // The status and mode words are the reader's language too.
                ensure!(
                    row.contains("运行中") && row.contains("单机"),
                    "status and mode in 简体中文: {row:?}"
                );
                s.browser.refresh().await.ctx("reload")?;
                s.wait_text("h1", |t| t == "实例").await?;
                choose(s, "language", "en").await?;
                s.wait_text("h1", |t| t == "Instances").await?;
                ensure!(
                    script(s, "return document.documentElement.lang").await? == "en",
                    "html lang back to en"
                );

                let background = "return getComputedStyle(document.body).backgroundColor";
                choose(s, "theme", "dark").await?;
                ensure!(
                    script(s, background).await? == "rgb(13, 17, 23)",
                    "dark background"
                );
                s.browser.refresh().await.ctx("reload")?;
                s.wait_text("h1", |t| t == "Instances").await?;
                ensure!(
                    script(s, background).await? == "rgb(13, 17, 23)",
                    "dark is remembered"
                );
                ensure!(
                    s.value("[data-testid=theme]").await? == "dark",
                    "the switch shows dark"
                );
                choose(s, "theme", "light").await?;
                ensure!(
                    script(s, background).await? == "rgb(246, 247, 249)",
                    "light background"
                );
                Ok(())
            },
        )
        .await;
}
