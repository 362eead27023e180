//! Flow 5: keys past their TTL that Redis has not freed (active expiry off) are reclaimed by
//! "scan now", and the history says exactly how many, found from the server's snapshot.

use e2e::{ensure, wait_until, Flow, Stack};

const EXPIRED: usize = 37;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_now_reclaims_exactly_the_expired_keys() {
    let stack = Stack::start().await;
    let mut c = stack.redis(&stack.lfu.url()).await;
    let _: () = redis::cmd("DEBUG")
        .arg("SET-ACTIVE-EXPIRE")
        .arg(0)
        .query_async(&mut c)
        .await
        .unwrap();
    let mut pipe = redis::pipe();
    for i in 0..EXPIRED {
        pipe.cmd("SET")
            .arg(format!("short:{i}"))
            .arg("v")
            .arg("PX")
            .arg(20)
            .ignore();
    }
    for i in 0..100 {
        pipe.cmd("SET")
            .arg(format!("lasting:{i}"))
            .arg("v")
            .ignore();
    }
    let _: () = pipe.query_async(&mut c).await.unwrap();
    // Wait on the server's own clock (TIME does not touch the keys) until the TTLs have passed.
    let start: (u64, u64) = redis::cmd("TIME").query_async(&mut c).await.unwrap();
    let passed = wait_until(async || {
        let now: (u64, u64) = redis::cmd("TIME").query_async(&mut c).await.ok()?;
        (now.0 * 1_000_000 + now.1 > start.0 * 1_000_000 + start.1 + 50_000).then_some(())
    })
    .await;
    assert!(passed.is_some(), "the server clock did not advance");
    let keys: usize = redis::cmd("DBSIZE").query_async(&mut c).await.unwrap();
    assert_eq!(
        keys,
        EXPIRED + 100,
        "the expired keys must still be held before the scan"
    );
    stack
        .run(
            "scan_now_reclaims_exactly_the_expired_keys",
            async |s: &mut Stack| -> Flow {
                s.goto(&format!("/instances/lfu/expired#token={}", e2e::TOKEN))
                    .await?;
                s.click("[data-testid=start-expired-scan]").await?;
                s.wait_text("[data-testid=task-status]", |t| t == "success")
                    .await?;
                let reclaimed = s
                    .wait_text("[data-testid=expired-reclaimed]", |t| !t.is_empty())
                    .await?;
                ensure!(
                    reclaimed == EXPIRED.to_string(),
                    "reclaimed {reclaimed}, want {EXPIRED}"
                );
                // The server's snapshot named the expired keys (the default way): said so.
                let note = s
                    .wait_text("[data-testid=expired-note]", |t| !t.is_empty())
                    .await?;
                ensure!(note == "From a snapshot", "the note says {note:?}");
                s.wait_count("[data-testid=expired-chart] rect", |n| n >= 1)
                    .await?;
                let mut c = s.redis(&s.lfu.url()).await;
                let left: usize = redis::cmd("DBSIZE").query_async(&mut c).await.unwrap();
                ensure!(left == 100, "{left} keys left, want 100");
                Ok(())
            },
        )
        .await;
}
