//! Where am I: an instance's pages name the instance in the trail and the document title, tab
//! between its analyses (the current one marked), the header marks Instances on them, and a tab
//! followed puts the focus on the new page's heading.

use e2e::{ensure, Context, Flow, Stack, TOKEN};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instance_pages_say_where_they_are() {
    Stack::start()
        .await
        .run(
            "instance_pages_say_where_they_are",
            async |s: &mut Stack| -> Flow {
                s.goto(&format!("/instances/lfu/hotkeys#token={TOKEN}"))
                    .await?;
                s.wait_text("[data-testid=instance-name]", |t| t == "lfu-cache")
                    .await?;
                let tabs = s.texts("[data-testid=analysis-tabs] a").await?;
                ensure!(
                    tabs == ["Hot keys", "Big keys", "Expired keys", "Key space"],
                    "tabs {tabs:?}"
                );
                let current = s
                    .texts("[data-testid=analysis-tabs] a[aria-current=page]")
                    .await?;
                ensure!(current == ["Hot keys"], "current tab {current:?}");
                let nav = s.texts(".topbar nav a[aria-current=page]").await?;
                ensure!(nav == ["Instances"], "header marks {nav:?}");
                let title = s.browser.title().await.ctx("title")?;
                ensure!(title == "Hot keys · lfu-cache", "title {title:?}");

                s.click("[data-testid=analysis-tabs] a[href$='/bigkeys']")
                    .await?;
                s.wait_text("h1", |t| t == "Big keys").await?;
                let current = s
                    .texts("[data-testid=analysis-tabs] a[aria-current=page]")
                    .await?;
                ensure!(current == ["Big keys"], "current tab {current:?}");
                let focused = s
                    .browser
                    .execute("return document.activeElement.textContent", vec![])
                    .await
                    .ctx("focus")?;
                ensure!(focused == "Big keys", "focus on {focused}");
                let title = s.browser.title().await.ctx("title")?;
                ensure!(title == "Big keys · lfu-cache", "title {title:?}");
                Ok(())
            },
        )
        .await;
}
