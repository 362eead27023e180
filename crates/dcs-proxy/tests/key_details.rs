//! One key looked at closely (`GET …/key-details`): every type's details and first elements,
//! cut and bounded, binary names found from their escaped form, wrong input refused; key
//! actions (`POST …/key-actions`) only where `allow_key_actions` is set, each done and recorded
//! (`GET …/key-actions`).

mod common;

use axum::http::{Method, StatusCode};
use common::*;
use dcs_api::key::{PREVIEW_CHARS, PREVIEW_ELEMENTS};
use dcs_api::task::CUT_MARK;
use serde_json::{json, Value};

fn details_path(instance: &str, name: &str, db: u32) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("/instances/{instance}/key-details?name={encoded}&db={db}")
}

async fn details(f: &Fixture, name: &str, db: u32) -> Value {
    let (status, d) = f.get(&details_path("lru", name, db)).await;
    assert_eq!(status, StatusCode::OK, "{name}: {d}");
    d
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_type_is_shown_with_its_first_elements_cut_and_bounded() {
    let f = Fixture::new();
    let mut c = f.redis(&f.lru.url()).await;
    let mut pipe = redis::pipe();
    pipe.cmd("SET")
        .arg("long:string")
        .arg("s".repeat(5000))
        .ignore();
    pipe.cmd("SET")
        .arg("ttl:key")
        .arg("v")
        .arg("EX")
        .arg(3600)
        .ignore();
    pipe.cmd("RPUSH")
        .arg("queue")
        .arg((0..25).map(|i| format!("job-{i}")).collect::<Vec<_>>())
        .ignore();
    pipe.cmd("HSET")
        .arg("user:1")
        .arg("name")
        .arg("ada")
        .ignore();
    pipe.cmd("ZADD")
        .arg("board")
        .arg(1.5)
        .arg("a")
        .arg(2)
        .arg("b")
        .ignore();
    pipe.cmd("SADD").arg("tags").arg("x").ignore();
    pipe.cmd("XADD")
        .arg("events")
        .arg("1-1")
        .arg("kind")
        .arg("login")
        .ignore();
    // Five elements of 10 KiB: more than 40 KiB to read.
    pipe.cmd("RPUSH")
        .arg("fat:list")
        .arg(vec!["f".repeat(10 * 1024); 5])
        .ignore();
    pipe.cmd("SET")
        .arg(&b"bin\xff\\name"[..])
        .arg("raw")
        .ignore();
    pipe.cmd("SELECT").arg(3).ignore();
    pipe.cmd("SET").arg("in-db-3").arg("three").ignore();
    let _: () = pipe.query_async(&mut c).await.unwrap();

    let s = details(&f, "long:string", 0).await;
    assert_eq!(
        (s["type"].as_str(), s["unit"].as_str()),
        (Some("string"), Some("byte"))
    );
    assert_eq!(s["size"], 5000);
    assert_eq!(s["encoding"], "raw");
    assert!(s["memory_usage"].as_u64().unwrap() > 5000, "{s}");
    assert!(s.get("ttl").is_none(), "no TTL: {s}");
    assert_eq!(
        s["elements"][0],
        format!("{}{CUT_MARK}", "s".repeat(PREVIEW_CHARS))
    );
    assert_eq!(s["shard"], format!("127.0.0.1:{}", f.lru.port));
    assert_eq!(s["actions_allowed"], true);

    let t = details(&f, "ttl:key", 0).await;
    let ttl = t["ttl"].as_u64().unwrap();
    assert!((3590..=3600).contains(&ttl), "{t}");

    let q = details(&f, "queue", 0).await;
    assert_eq!(
        (q["type"].as_str(), q["size"].as_u64()),
        (Some("list"), Some(25))
    );
    let shown: Vec<String> = (0..PREVIEW_ELEMENTS).map(|i| format!("job-{i}")).collect();
    assert_eq!(q["elements"], json!(shown));
    assert!(q.get("elements_note").is_none(), "{q}");

    assert_eq!(
        details(&f, "user:1", 0).await["elements"],
        json!(["name = ada"])
    );
    assert_eq!(
        details(&f, "board", 0).await["elements"],
        json!(["a (1.5)", "b (2)"])
    );
    assert_eq!(details(&f, "tags", 0).await["elements"], json!(["x"]));
    assert_eq!(
        details(&f, "events", 0).await["elements"],
        json!(["1-1 kind login"])
    );

    let fat = details(&f, "fat:list", 0).await;
    assert_eq!(fat["elements"], json!([]));
    assert!(
        fat["elements_note"]
            .as_str()
            .unwrap()
            .contains("(more than 40 KiB)"),
        "{fat}"
    );

    // A binary name, as reports show it (escaped), finds the exact key.
    let b = details(&f, "bin\\xff\\\\name", 0).await;
    assert_eq!(
        (b["name"].as_str(), b["elements"][0].as_str()),
        (Some("bin\\xff\\\\name"), Some("raw"))
    );
    assert_eq!(
        details(&f, "in-db-3", 3).await["elements"],
        json!(["three"])
    );

    // Wrong input: a DCS error saying what is wrong, never a guess.
    for (path, says) in [
        ("/instances/lru/key-details".to_string(), "name is required"),
        (details_path("lru", "queue", 5000), "db must be a number"),
        (details_path("lru", &format!("x{CUT_MARK}"), 0), "was cut"),
        (details_path("lru", "no-such-key", 0), "No key"),
        (
            details_path("lru", "queue", 100),
            "not a database of this instance",
        ),
        (details_path("lru", "in-db-3", 0), "No key"),
        (
            details_path("lru", &"n".repeat(5000), 0),
            "longer than any report",
        ),
    ] {
        let got = f.get(&path).await;
        assert!(
            got.1["error_msg"].as_str().unwrap().contains(says),
            "{path}: {}",
            got.1
        );
        assert_dcs(got, 400, "DCS.4800");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn key_actions_only_where_allowed_each_done_and_recorded() {
    let f = Fixture::new();
    let path = |i: &str| format!("/instances/{i}/key-actions");
    let mut lfu = f.redis(&f.lfu.url()).await;
    let mut lru = f.redis(&f.lru.url()).await;
    for c in [&mut lfu, &mut lru] {
        let _: () = redis::pipe()
            .cmd("SET")
            .arg("doomed")
            .arg("1")
            .ignore()
            .cmd("SET")
            .arg("fading")
            .arg("1")
            .ignore()
            .query_async(c)
            .await
            .unwrap();
    }

    // Not allowed on lfu: refused, the key untouched, nothing recorded; details say so.
    let refused = f
        .call(
            Method::POST,
            &path("lfu"),
            Some(json!({"name": "doomed", "action": "unlink"})),
        )
        .await;
    assert!(refused.1["error_msg"]
        .as_str()
        .unwrap()
        .contains("allow_key_actions = true"));
    assert_dcs(refused, 403, "DCS.2003");
    let exists: i64 = redis::cmd("EXISTS")
        .arg("doomed")
        .query_async(&mut lfu)
        .await
        .unwrap();
    assert_eq!(exists, 1);
    assert_eq!(f.get(&path("lfu")).await.1["total"], 0);
    assert_eq!(
        f.get(&details_path("lfu", "doomed", 0)).await.1["actions_allowed"],
        false
    );

    // Bad bodies on lru: refused before anything is done or recorded.
    for body in [
        json!({"name": "fading", "action": "expire"}),
        json!({"name": "fading", "action": "expire", "ttl": 0}),
        json!({"name": "fading", "action": "unlink", "ttl": 5}),
        json!({"name": "fading", "action": "rename"}),
        json!({"name": "ghost", "action": "unlink"}),
    ] {
        let got = f.call(Method::POST, &path("lru"), Some(body.clone())).await;
        assert_dcs(got, 400, "DCS.4800");
    }
    assert_eq!(f.get(&path("lru")).await.1["total"], 0);

    let (status, expired) = f
        .call(
            Method::POST,
            &path("lru"),
            Some(json!({"name": "fading", "action": "expire", "ttl": 120})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{expired}");
    assert_eq!(
        (expired["outcome"].as_str(), expired["ttl"].as_u64()),
        (Some("done"), Some(120))
    );
    let pttl: i64 = redis::cmd("PTTL")
        .arg("fading")
        .query_async(&mut lru)
        .await
        .unwrap();
    assert!((100_000..=120_000).contains(&pttl), "{pttl}");

    let (status, unlinked) = f
        .call(
            Method::POST,
            &path("lru"),
            Some(json!({"name": "doomed", "action": "unlink"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{unlinked}");
    assert_eq!(unlinked["outcome"], "done");
    let exists: i64 = redis::cmd("EXISTS")
        .arg("doomed")
        .query_async(&mut lru)
        .await
        .unwrap();
    assert_eq!(exists, 0);

    let (_, list) = f.get(&path("lru")).await;
    assert_eq!(list["total"], 2);
    let seen: Vec<(&str, &str)> = list["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["action"].as_str().unwrap(), r["name"].as_str().unwrap()))
        .collect();
    assert_eq!(seen, [("unlink", "doomed"), ("expire", "fading")]);
    assert_eq!(list["records"][0]["id"], unlinked["id"]);
}
