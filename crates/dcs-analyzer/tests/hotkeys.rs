//! Hot-key analysis against real servers: exact ranking, shards, dbs, types, sizes; binary names;
//! LRU refusal; wrong password; a server killed or frozen mid-scan; cancellation.

mod common;

use common::*;

use dcs_analyzer::pace::{Pace, GENTLE_HOT_SCRIPT};
use dcs_analyzer::server::RedisProcess;
use dcs_analyzer::{hotkeys, AnalyzerError, Control, ScanOptions, Source, Target};
use dcs_api::{ErrorCode, KeyType, KeyUnit};
use std::time::Duration;

/// 3,000 cold keys of every type in db 0 and db 3.
async fn seed_cold(url: &str) {
    for db in [0, 3] {
        let mut c = connect(url, db).await;
        let mut pipe = redis::pipe();
        for i in 0..1500 {
            match i % 5 {
                0 => pipe.cmd("SET").arg(format!("cold:{db}:{i}")).arg("v"),
                1 => pipe.cmd("RPUSH").arg(format!("cold:{db}:{i}")).arg("a"),
                2 => pipe.cmd("SADD").arg(format!("cold:{db}:{i}")).arg("a"),
                3 => pipe
                    .cmd("HSET")
                    .arg(format!("cold:{db}:{i}"))
                    .arg("f")
                    .arg("v"),
                _ => pipe
                    .cmd("ZADD")
                    .arg(format!("cold:{db}:{i}"))
                    .arg(1)
                    .arg("m"),
            }
            .ignore();
        }
        let _: () = pipe.query_async(&mut c).await.unwrap();
    }
}

#[tokio::test]
async fn ranks_the_seeded_hot_set_exactly() {
    // A server each: on Redis < 7.2 an analysis's size reads add one to each winner's counter.
    for pace in [Pace::Gentle, Pace::Fast] {
        let server = seeded_hot_set().await;
        let mut c = connect(&server.url(), 0).await;
        log_every_command(&mut c).await;
        ranks_exactly(&server, pace, Source::Online).await;
        // Both paces do their batches inside the server, a script per batch: gentle ones of a
        // few keys each, fast ones of the count asked for (100).
        let (calls, refused) = eval_calls(&mut c).await;
        assert!(calls > 0 && refused == 0, "{pace:?}: {calls}, {refused}");
        let want = match pace {
            Pace::Gentle => GENTLE_HOT_SCRIPT as u64,
            Pace::Fast => 100,
        };
        let counts = batch_counts(&mut c).await;
        assert!(counts.len() as u64 >= calls, "{pace:?}: {counts:?}");
        assert!(counts.iter().all(|&n| n == want), "{pace:?}: {counts:?}");
    }
}

/// Five hot keys of five types (two dbs, one binary name) among 3,000 cold ones.
async fn seeded_hot_set() -> RedisProcess {
    let server = lfu_server(&[]);
    seed_cold(&server.url()).await;
    let mut db0 = connect(&server.url(), 0).await;
    let mut db3 = connect(&server.url(), 3).await;
    run(
        &mut db0,
        redis::cmd("SET").arg("hot:string").arg("x".repeat(3000)),
    )
    .await;
    run(
        &mut db0,
        redis::cmd("RPUSH").arg("hot:list").arg(&["a", "b", "c"]),
    )
    .await;
    run(
        &mut db3,
        redis::cmd("HSET")
            .arg("hot:hash")
            .arg(&["f1", "1", "f2", "2"]),
    )
    .await;
    run(
        &mut db0,
        redis::cmd("SET")
            .arg(b"hot:\xff\xfebin".as_slice())
            .arg("12345"),
    )
    .await;
    run(
        &mut db0,
        redis::cmd("XADD")
            .arg("hot:stream")
            .arg("*")
            .arg("f")
            .arg("v"),
    )
    .await;
    touch(&mut db0, b"hot:string", 60).await;
    touch(&mut db3, b"hot:hash", 50).await;
    touch(&mut db0, b"hot:list", 40).await;
    touch(&mut db0, b"hot:\xff\xfebin", 30).await;
    touch(&mut db0, b"hot:stream", 20).await;
    server
}

/// The default: a gentle analysis reads the snapshot, which holds each key's counter, type and
/// size, and ranks the same keys alike; the server runs no command per key.
#[tokio::test]
async fn a_snapshot_ranks_the_seeded_hot_set_alike() {
    let server = seeded_hot_set().await;
    let mut c = connect(&server.url(), 0).await;
    log_every_command(&mut c).await;
    ranks_exactly(&server, Pace::Gentle, Source::Auto).await;
    assert_eq!(eval_calls(&mut c).await, (0, 0), "no batch scripts");
    assert!(
        logged(&mut c, &["OBJECT", "SCAN", "TYPE"]).await.is_empty(),
        "no command per key"
    );
}

/// The seeded hot set of [`ranks_the_seeded_hot_set_exactly`], ranked at `pace`, read from
/// `source` (a gentle `Auto` reads the snapshot).
async fn ranks_exactly(server: &RedisProcess, pace: Pace, source: Source) {
    let opts = ScanOptions {
        top: 6,
        count: 100,
        pace,
        source,
        ..Default::default()
    };
    let (ctl, progress) = Control::new();
    let report = hotkeys::analyze(&Target::Standalone(server.url()), &opts, &ctl)
        .await
        .unwrap();
    let read = if (pace, source) == (Pace::Gentle, Source::Auto) {
        Source::Snapshot
    } else {
        Source::Online
    };
    assert_eq!(report.sources, [read]);

    let got: Vec<(&str, KeyType, u32, u64, KeyUnit, u32)> = report
        .keys
        .iter()
        .map(|k| (k.name.as_str(), k.key_type, k.db, k.size, k.unit, k.freq))
        .collect();
    assert_eq!(
        got[..5],
        [
            ("hot:string", KeyType::String, 0, 3000, KeyUnit::Byte, 65),
            ("hot:hash", KeyType::Hash, 3, 2, KeyUnit::Count, 55),
            ("hot:list", KeyType::List, 0, 3, KeyUnit::Count, 45),
            (
                "hot:\\xff\\xfebin",
                KeyType::String,
                0,
                5,
                KeyUnit::Byte,
                35
            ),
            ("hot:stream", KeyType::Stream, 0, 1, KeyUnit::Count, 25),
        ]
    );
    // Six asked for, five found: the 3,000 cold keys sit at the initial counter (5), which is
    // no read at all, so none of them is reported as hot.
    assert_eq!(report.keys.len(), 5);
    assert!(report.keys.iter().all(|k| k.shard == server.addr()));
    assert_eq!(report.scanned_keys, 3005);
    assert_eq!(
        *progress.borrow(),
        dcs_analyzer::Progress {
            scanned: 3005,
            total: 3005,
            unit: dcs_analyzer::Unit::Keys,
        }
    );

    // An instance's own minimum counter (hot_key_min_freq): only keys at or above it.
    let opts = ScanOptions {
        min_freq: 45,
        ..opts
    };
    let report = hotkeys::analyze(&Target::Standalone(server.url()), &opts, &Control::new().0)
        .await
        .unwrap();
    let names: Vec<&str> = report.keys.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(
        names,
        ["hot:string", "hot:hash", "hot:list"],
        "counters 65, 55, 45"
    );
    // Fewer asked for than there are hot keys: the heap fills, then only keys that can still
    // win count (the script replies only those).
    let opts = ScanOptions {
        top: 2,
        min_freq: 6,
        ..opts
    };
    let report = hotkeys::analyze(&Target::Standalone(server.url()), &opts, &Control::new().0)
        .await
        .unwrap();
    let names: Vec<&str> = report.keys.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(names, ["hot:string", "hot:hash"], "{pace:?}");
}

#[tokio::test]
async fn cluster_reports_every_master_as_a_shard() {
    for (pace, source) in [
        (Pace::Gentle, Source::Online),
        (Pace::Fast, Source::Auto),
        (Pace::Gentle, Source::Auto),
    ] {
        every_master_a_shard(pace, source).await;
    }
}

async fn every_master_a_shard(pace: Pace, source: Source) {
    let cluster = lfu_cluster();
    let mut owners = Vec::new();
    for i in 0..30 {
        let key = format!("hot:{i}");
        let owner = cluster_write(&cluster, |c| {
            c.arg("SET").arg(&key).arg("v");
        })
        .await;
        let mut conn = connect(&format!("redis://{owner}"), 0).await;
        touch(&mut conn, key.as_bytes(), 100 - i).await;
        owners.push((key, owner));
    }
    for i in 0..300 {
        let key = format!("cold:{i}");
        cluster_write(&cluster, |c| {
            c.arg("SET").arg(&key).arg("v");
        })
        .await;
    }
    let opts = ScanOptions {
        top: 30,
        pace,
        source,
        ..Default::default()
    };
    let report = hotkeys::analyze(
        &Target::Cluster(vec![cluster.urls()[1].clone()]),
        &opts,
        &Control::default(),
    )
    .await
    .unwrap();
    let got: Vec<(String, String, u32)> = report
        .keys
        .iter()
        .map(|k| (k.name.clone(), k.shard.clone(), k.freq))
        .collect();
    let want: Vec<(String, String, u32)> = owners
        .iter()
        .enumerate()
        .map(|(i, (k, o))| (k.clone(), o.clone(), 105 - i as u32))
        .collect();
    assert_eq!(got, want);
    let mut shards: Vec<&str> = report.keys.iter().map(|k| k.shard.as_str()).collect();
    shards.sort();
    shards.dedup();
    assert_eq!(shards.len(), 3, "hot keys on every master: {shards:?}");
    assert_eq!(report.scanned_keys, 330);
    let snapshot = (pace, source) == (Pace::Gentle, Source::Auto);
    let read = if snapshot {
        Source::Snapshot
    } else {
        Source::Online
    };
    assert_eq!(report.sources, [read; 3]);
    // Online, each master ran the batch script (keys of many slots: it says it may); from a
    // snapshot, none.
    for node in &cluster.nodes {
        let (calls, refused) = eval_calls(&mut connect(&node.url(), 0).await).await;
        assert_eq!((calls > 0, refused), (!snapshot, 0), "{pace:?}, {source:?}");
    }
}

#[tokio::test]
async fn lru_server_is_refused_with_advice() {
    let server = RedisProcess::start(&["--maxmemory-policy", "allkeys-lru"]).unwrap();
    let mut c = connect(&server.url(), 0).await;
    run(&mut c, redis::cmd("SET").arg("k").arg("v")).await;
    let err = hotkeys::analyze(
        &Target::Standalone(server.url()),
        &ScanOptions::default(),
        &Control::default(),
    )
    .await
    .unwrap_err();
    let dcs = err.to_dcs(dcs_api::TaskKind::Hotkey);
    assert_eq!(dcs.code, ErrorCode::HotkeyUnsupported);
    assert!(
        dcs.message.contains("allkeys-lru") && dcs.message.contains("allkeys-lfu"),
        "{}",
        dcs.message
    );
}

#[tokio::test]
async fn object_freq_error_is_unsupported_even_without_config() {
    // CONFIG renamed away: the policy check cannot run, so OBJECT FREQ's own error must tell.
    let server = RedisProcess::start(&[
        "--maxmemory-policy",
        "allkeys-lru",
        "--rename-command",
        "CONFIG",
        "",
    ])
    .unwrap();
    let mut c = connect(&server.url(), 0).await;
    run(&mut c, redis::cmd("SET").arg("k").arg("v")).await;
    let err = hotkeys::analyze(
        &Target::Standalone(server.url()),
        &ScanOptions::default(),
        &Control::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            AnalyzerError::Unsupported {
                kind: dcs_api::TaskKind::Hotkey,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn wrong_password_is_an_authentication_error() {
    let server = lfu_server(&["--requirepass", "s3cret"]);
    let url = format!("redis://:wrong@127.0.0.1:{}", server.port);
    let err = hotkeys::analyze(
        &Target::Standalone(url),
        &ScanOptions::default(),
        &Control::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AnalyzerError::Auth { .. }), "{err:?}");
    assert!(
        !err.to_string().contains("wrong"),
        "the password must not appear: {err}"
    );
    assert_eq!(
        err.to_dcs(dcs_api::TaskKind::Hotkey).code,
        ErrorCode::InstanceNotRunning
    );

    let good = format!("redis://:s3cret@127.0.0.1:{}", server.port);
    let mut c = connect(&good, 0).await;
    run(&mut c, redis::cmd("SET").arg("k").arg("v")).await;
    touch(&mut c, b"k", 1).await;
    let ok = hotkeys::analyze(
        &Target::Standalone(good),
        &ScanOptions::default(),
        &Control::default(),
    )
    .await
    .unwrap();
    assert_eq!(ok.keys.len(), 1);
}

#[tokio::test]
async fn acl_denied_object_is_a_clear_refusal() {
    let server = lfu_server(&[]);
    let mut admin = connect(&server.url(), 0).await;
    run(&mut admin, redis::cmd("SET").arg("k").arg("v")).await;
    run(
        &mut admin,
        redis::cmd("ACL").arg(&["SETUSER", "scanner", "on", ">pw", "~*", "+@all", "-object"]),
    )
    .await;
    let url = format!("redis://scanner:pw@127.0.0.1:{}", server.port);
    // Fast mode's script is refused its OBJECT call too, and the pipelined way says why.
    for pace in [Pace::Gentle, Pace::Fast] {
        // Online: a snapshot needs no OBJECT (the user may replicate).
        let opts = ScanOptions {
            pace,
            source: Source::Online,
            ..Default::default()
        };
        let err = hotkeys::analyze(&Target::Standalone(url.clone()), &opts, &Control::default())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, AnalyzerError::Denied { command, .. } if command == "OBJECT FREQ"),
            "{pace:?}: {err:?}"
        );
        assert_eq!(
            err.to_dcs(dcs_api::TaskKind::Hotkey).code,
            ErrorCode::HotkeyUnsupported
        );
    }
}

/// A server that refuses scripts to the analysis's user (an ACL without @scripting; Redis < 7 and
/// some managed services refuse them too): both paces go the pipelined way, same result.
#[tokio::test]
async fn without_scripts_ranks_the_same() {
    for pace in [Pace::Gentle, Pace::Fast] {
        without_scripts_ranks_the_same_at(pace).await;
    }
}

async fn without_scripts_ranks_the_same_at(pace: Pace) {
    // A server each: on Redis < 7.2 an analysis's size reads add one to each winner's counter.
    let server = seeded_hot_set().await;
    let mut admin = connect(&server.url(), 0).await;
    run(
        &mut admin,
        redis::cmd("ACL").arg(&[
            "SETUSER",
            "scanner",
            "on",
            ">pw",
            "~*",
            "+@all",
            "-@scripting",
        ]),
    )
    .await;
    let opts = ScanOptions {
        top: 6,
        count: 100,
        pace,
        source: Source::Online,
        ..Default::default()
    };
    let url = format!("redis://scanner:pw@127.0.0.1:{}", server.port);
    let report = hotkeys::analyze(&Target::Standalone(url), &opts, &Control::default())
        .await
        .unwrap();
    let got: Vec<(&str, u32, u32)> = report
        .keys
        .iter()
        .map(|k| (k.name.as_str(), k.db, k.freq))
        .collect();
    assert_eq!(
        got,
        [
            ("hot:string", 0, 65),
            ("hot:hash", 3, 55),
            ("hot:list", 0, 45),
            ("hot:\\xff\\xfebin", 0, 35),
            ("hot:stream", 0, 25),
        ],
        "{pace:?}"
    );
    assert_eq!(report.scanned_keys, 3005, "{pace:?}");
    // Asked once per database, refused each time (a refused call is not counted as a call).
    let (calls, refused) = eval_calls(&mut admin).await;
    assert_eq!((calls, refused), (0, 2), "{pace:?}");
}

/// Where a user may run scripts but not by digest (an ACL without EVALSHA), each batch sends the
/// script's body.
#[tokio::test]
async fn scripts_go_by_body_where_digests_are_refused() {
    let server = seeded_hot_set().await;
    let mut admin = connect(&server.url(), 0).await;
    run(
        &mut admin,
        redis::cmd("ACL").arg(&["SETUSER", "scanner", "on", ">pw", "~*", "+@all", "-evalsha"]),
    )
    .await;
    let url = format!("redis://scanner:pw@127.0.0.1:{}", server.port);
    let opts = ScanOptions {
        top: 3,
        source: Source::Online,
        ..Default::default()
    };
    let report = hotkeys::analyze(&Target::Standalone(url), &opts, &Control::default())
        .await
        .unwrap();
    let names: Vec<&str> = report.keys.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(names, ["hot:string", "hot:hash", "hot:list"]);
    // Refused once a database (two), then by body.
    assert_eq!(command_calls(&mut admin, "evalsha").await, (0, 2));
    let (calls, refused) = command_calls(&mut admin, "eval").await;
    assert!(calls > 0 && refused == 0, "{calls}, {refused}");
}

/// A script cache flushed in the middle of a scan (`SCRIPT FLUSH`, a restart behind a proxy):
/// the next batch loads the script again and the scan goes on by digest.
#[tokio::test]
async fn a_flushed_script_cache_is_loaded_again() {
    let server = slow_scan_fixture(1000).await;
    let mut admin = connect(&server.url(), 0).await;
    let (ctl, mut progress) = Control::new();
    let target = Target::Standalone(server.url());
    let scan = tokio::spawn(async move { hotkeys::analyze(&target, &slow_opts(), &ctl).await });
    progress.wait_for(|p| p.scanned > 0).await.unwrap();
    run(&mut admin, redis::cmd("SCRIPT").arg("FLUSH")).await;
    let (at_flush, _) = command_calls(&mut admin, "evalsha").await;
    let report = scan.await.unwrap().unwrap();
    assert_eq!(report.scanned_keys, 1000);
    let (calls, failed) = command_calls(&mut admin, "evalsha").await;
    assert_eq!(failed, 1, "one NOSCRIPT");
    assert!(
        calls > at_flush + 1,
        "by digest again: {at_flush} → {calls}"
    );
}

/// Valkey 8.1 runs the batch script as Redis does, and its snapshot holds the same counters.
#[tokio::test]
async fn valkey_fast_mode_ranks_by_script() {
    let server = RedisProcess::start_valkey(&dcs_analyzer::server::DETERMINISTIC_LFU).unwrap();
    let mut c = connect(&server.url(), 0).await;
    let mut pipe = redis::pipe();
    for i in 0..2000 {
        pipe.cmd("SET").arg(format!("cold:{i}")).arg("v").ignore();
    }
    let _: () = pipe.query_async(&mut c).await.unwrap();
    for (i, key) in ["a", "b", "c"].iter().enumerate() {
        run(&mut c, redis::cmd("SET").arg(*key).arg("v")).await;
        touch(&mut c, key.as_bytes(), 30 - i * 10).await;
    }
    let opts = ScanOptions {
        pace: Pace::Fast,
        ..Default::default()
    };
    let report = hotkeys::analyze(
        &Target::Standalone(server.url()),
        &opts,
        &Control::default(),
    )
    .await
    .unwrap();
    let got: Vec<(&str, u32)> = report
        .keys
        .iter()
        .map(|k| (k.name.as_str(), k.freq))
        .collect();
    assert_eq!(got, [("a", 35), ("b", 25), ("c", 15)]);
    assert_eq!(report.scanned_keys, 2003);
    let (calls, refused) = eval_calls(&mut c).await;
    assert!(calls > 0 && refused == 0, "{calls} EVAL, {refused} refused");
    // Gentle reads Valkey's snapshot (a `VALKEY` RDB with the same counters) alike.
    let gentle = hotkeys::analyze(
        &Target::Standalone(server.url()),
        &ScanOptions::default(),
        &Control::default(),
    )
    .await
    .unwrap();
    assert_eq!(gentle.sources, [Source::Snapshot]);
    assert_eq!(gentle.keys, report.keys);
}

/// Seeds `n` keys and returns a slow analysis (small batches, a pause between them) in flight.
async fn slow_scan_fixture(n: usize) -> RedisProcess {
    let server = lfu_server(&[]);
    let mut c = connect(&server.url(), 0).await;
    let mut pipe = redis::pipe();
    for i in 0..n {
        pipe.cmd("SET").arg(format!("k:{i}")).arg("v").ignore();
    }
    let _: () = pipe.query_async(&mut c).await.unwrap();
    server
}

fn slow_opts() -> ScanOptions {
    ScanOptions {
        count: 10,
        pause: Duration::from_millis(20),
        response_timeout: Duration::from_secs(1),
        connect_timeout: Duration::from_secs(1),
        source: Source::Online,
        ..Default::default()
    }
}

#[tokio::test]
async fn killed_server_fails_the_analysis_promptly() {
    let mut server = slow_scan_fixture(5000).await;
    let (ctl, mut progress) = Control::new();
    let target = Target::Standalone(server.url());
    let run = tokio::spawn(async move { hotkeys::analyze(&target, &slow_opts(), &ctl).await });
    progress.wait_for(|p| p.scanned > 0).await.unwrap();
    server.kill();
    let result = tokio::time::timeout(Duration::from_secs(10), run)
        .await
        .expect("the analysis must not hang")
        .unwrap();
    let err = result.unwrap_err();
    assert!(
        matches!(
            err,
            AnalyzerError::Lost { .. }
                | AnalyzerError::Connect { .. }
                | AnalyzerError::Timeout { .. }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_dcs(dcs_api::TaskKind::Hotkey).code,
        ErrorCode::InstanceNotRunning
    );
}

#[tokio::test]
async fn frozen_server_times_out_instead_of_hanging() {
    let server = slow_scan_fixture(5000).await;
    let (ctl, mut progress) = Control::new();
    let target = Target::Standalone(server.url());
    let run = tokio::spawn(async move { hotkeys::analyze(&target, &slow_opts(), &ctl).await });
    progress.wait_for(|p| p.scanned > 0).await.unwrap();
    let pid = server.pid().to_string();
    std::process::Command::new("kill")
        .args(["-STOP", &pid])
        .status()
        .unwrap();
    let result = tokio::time::timeout(Duration::from_secs(10), run).await;
    std::process::Command::new("kill")
        .args(["-CONT", &pid])
        .status()
        .unwrap();
    let err = result
        .expect("the analysis must not hang")
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, AnalyzerError::Timeout { .. }), "{err:?}");
}

#[tokio::test]
async fn cancellation_stops_the_scan() {
    let server = slow_scan_fixture(5000).await;
    let (ctl, mut progress) = Control::new();
    let target = Target::Standalone(server.url());
    let handle = ctl.clone();
    let run = tokio::spawn(async move { hotkeys::analyze(&target, &slow_opts(), &ctl).await });
    progress.wait_for(|p| p.scanned > 0).await.unwrap();
    handle.cancel();
    let err = tokio::time::timeout(Duration::from_secs(5), run)
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    assert_eq!(err, AnalyzerError::Cancelled);
    assert!(handle.progress().scanned < 5000);
}
