//! A full disk while a backup is written: the real binary, in a mount namespace of its own
//! (`unshare`) where its backup folder is a 64 KiB tmpfs, backs up an instance holding more than
//! that. The backup ends `failed` saying the disk is full, and its partial file is removed: a
//! small backup afterwards fits in the same 64 KiB and succeeds.

mod common;

use common::*;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_fails_the_backup_and_leaves_nothing_behind() {
    let f = Fixture::new();
    let mut c = f.redis(&f.lfu.url()).await;
    snapshots_at_once(&mut c).await;
    let mut pipe = redis::pipe();
    // 256 KiB that LZF cannot shrink (the RDB compresses repetitive strings).
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for i in 0..128 {
        let value: Vec<u8> = (0..2048)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        pipe.cmd("SET").arg(format!("blob:{i}")).arg(value).ignore();
    }
    let _: () = pipe.query_async(&mut c).await.unwrap();

    let data = f.dir.path().join("full-disk-data");
    std::fs::create_dir_all(data.join("backups")).unwrap();
    let port = dcs_analyzer::server::free_port().unwrap();
    let config = f.dir.path().join("full-disk.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:{port}\"\nproject_id = \"{PROJECT}\"\ndata_dir = {data:?}\n\
             console_dir = {dist:?}\n[auth]\ntoken = \"{TOKEN}\"\n\
             [[instances]]\nid = \"lfu\"\nname = \"lfu-cache\"\nurl = \"{}\"\n",
            f.lfu.url(),
            dist = f.dir.path().join("dist"),
        ),
    )
    .unwrap();
    let _proxy = serve_in_namespace(
        r#"mount -t tmpfs -o size=64k tmpfs "$1/backups""#,
        &data,
        &config,
    );
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}/v2/{PROJECT}/instances/lfu/backups");
    let until = tokio::time::Instant::now() + Duration::from_secs(20);
    let backup = || async {
        loop {
            let sent = client
                .post(&base)
                .header("X-Auth-Token", TOKEN)
                .json(&serde_json::json!({"remark": "full disk"}))
                .send()
                .await;
            if let Ok(resp) = sent {
                let body: serde_json::Value = resp.json().await.unwrap();
                let id = body["backup_id"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{body}"));
                break id.to_string();
            }
            assert!(
                tokio::time::Instant::now() < until,
                "the proxy did not start"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let ended = |id: String| {
        let client = client.clone();
        let base = base.clone();
        async move {
            let until = tokio::time::Instant::now() + Duration::from_secs(30);
            loop {
                let list: serde_json::Value = client
                    .get(&base)
                    .header("X-Auth-Token", TOKEN)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let b = list["backup_record_response"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|b| b["backup_id"] == id.as_str())
                    .cloned()
                    .unwrap();
                if b["status"] != "backuping" {
                    break b;
                }
                assert!(tokio::time::Instant::now() < until, "{b}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    let full = ended(backup().await).await;
    assert_eq!(full["status"], "failed", "{full}");
    let why = full["error_msg"].as_str().unwrap();
    assert!(why.contains("No space left on device"), "{why}");
    assert_eq!(full["size"], 0);

    // The partial file is gone: a small backup fits in the same 64 KiB.
    let _: () = redis::cmd("FLUSHALL").query_async(&mut c).await.unwrap();
    let _: () = redis::cmd("SET")
        .arg("small")
        .arg("v")
        .query_async(&mut c)
        .await
        .unwrap();
    let small = ended(backup().await).await;
    assert_eq!(small["status"], "succeed", "{small}");
}
