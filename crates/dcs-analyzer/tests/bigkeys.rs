//! Big-key analysis against real servers: exact sizes and units per type, DCS's 20 + 80 limits,
//! MEMORY USAGE, and the cluster's shards; read online and from a snapshot alike, and online
//! where a snapshot is refused.

mod common;

use common::*;
use dcs_analyzer::pace::{Pace, GENTLE_BIG_SCRIPT, GENTLE_SCAN_COUNT};
use dcs_analyzer::{bigkeys, AnalyzerError, Control, ScanOptions, Source, Target};
use dcs_api::{KeyType, KeyUnit, TaskKind};

async fn seed_big(conn: &mut redis::aio::MultiplexedConnection) {
    run(
        conn,
        redis::cmd("SET").arg("big:string").arg("s".repeat(100_000)),
    )
    .await;
    run(
        conn,
        redis::cmd("SET")
            .arg("big:string:2")
            .arg("s".repeat(50_000)),
    )
    .await;
    let items: Vec<String> = (0..5000).map(|i| format!("e{i}")).collect();
    run(
        conn,
        redis::cmd("RPUSH").arg("big:list").arg(&items[..5000]),
    )
    .await;
    run(conn, redis::cmd("SADD").arg("big:set").arg(&items[..2000])).await;
    let mut zadd = redis::cmd("ZADD");
    zadd.arg("big:zset");
    for (i, m) in items[..1500].iter().enumerate() {
        zadd.arg(i).arg(m);
    }
    run(conn, &mut zadd).await;
    let mut hset = redis::cmd("HSET");
    hset.arg("big:hash");
    for m in &items[..3000] {
        hset.arg(m).arg("v");
    }
    run(conn, &mut hset).await;
    let mut pipe = redis::pipe();
    for i in 0..100 {
        pipe.cmd("XADD")
            .arg("big:stream")
            .arg("*")
            .arg("n")
            .arg(i)
            .ignore();
    }
    let _: () = pipe.query_async(conn).await.unwrap();
}

/// Noise named after `i`: a string of `len` bytes, a list of 2 and a set of 1.
fn small_keys(pipe: &mut redis::Pipeline, i: usize, len: usize) {
    pipe.cmd("SET")
        .arg(format!("small:s:{i}"))
        .arg("x".repeat(len))
        .ignore();
    pipe.cmd("RPUSH")
        .arg(format!("small:l:{i}"))
        .arg(&["a", "b"])
        .ignore();
    pipe.cmd("SADD")
        .arg(format!("small:set:{i}"))
        .arg("a")
        .ignore();
}

#[tokio::test]
async fn finds_the_seeded_big_keys_with_exact_sizes() {
    let server = lfu_server(&[]);
    let mut c = connect(&server.url(), 0).await;
    seed_big(&mut c).await;
    // Noise: many small keys of every type, more than DCS keeps.
    let mut pipe = redis::pipe();
    for i in 0..200 {
        small_keys(&mut pipe, i, i);
    }
    let _: () = pipe.query_async(&mut c).await.unwrap();

    // The same keys at both paces, each batch by a script; and where the user may not run
    // scripts (an ACL without @scripting), by pipelines.
    run(
        &mut c,
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
    let no_scripts = format!("redis://scanner:pw@127.0.0.1:{}", server.port);
    let mut reports = Vec::new();
    let mut evals = (0, 0);
    log_every_command(&mut c).await;
    for (pace, url, scripted) in [
        (Pace::Gentle, server.url(), true),
        (Pace::Fast, server.url(), true),
        (Pace::Gentle, no_scripts.clone(), false),
        (Pace::Fast, no_scripts, false),
    ] {
        let opts = ScanOptions {
            memory_usage: true,
            count: 50,
            pace,
            source: Source::Online,
            ..Default::default()
        };
        let report = bigkeys::analyze(&Target::Standalone(url), &opts, &Control::default())
            .await
            .unwrap();
        assert_seeded_found(&report, &server.addr());
        assert_eq!(report.scanned_keys, 7 + 600);
        let (calls, refused) = eval_calls(&mut c).await;
        let ran = (calls - evals.0, refused - evals.1);
        evals = (calls, refused);
        // Refused once (one database), then pipelined; a refused call is not counted as a call.
        let want = if scripted { (ran.0.max(1), 0) } else { (0, 1) };
        assert_eq!(ran, want, "{pace:?}, scripts {scripted}");
        // Gentle scripts scan a few keys each (a big key's costs the server more than a SCAN's).
        let counts = batch_counts(&mut c).await;
        let want = match pace {
            Pace::Gentle if scripted => GENTLE_BIG_SCRIPT as u64,
            Pace::Gentle => GENTLE_SCAN_COUNT as u64,
            Pace::Fast => 50,
        };
        assert!(
            !counts.is_empty() && counts.iter().all(|&n| n == want),
            "{pace:?}, scripts {scripted}: {counts:?}"
        );
        reports.push(report.keys);
    }
    assert!(
        reports.iter().all(|r| *r == reports[0]),
        "every way finds the same keys"
    );
}

/// A snapshot finds what the online scan finds: the same keys, sizes (integers' digits, empty
/// strings, every encoding) and order; keys already expired in it are left out, as SCAN leaves
/// them. A gentle analysis reads one by default; fast on a node this small, or a user who may not
/// `SYNC`, scans online, and `snapshot` then fails with the refusal.
#[tokio::test]
async fn a_snapshot_finds_what_the_scanscan_finds() {
    let server = lfu_server(&["--enable-debug-command", "local"]);
    let mut c = connect(&server.url(), 0).await;
    seed_big(&mut c).await;
    let mut pipe = redis::pipe();
    for i in 0..300i64 {
        small_keys(&mut pipe, i as usize, i as usize % 6);
        // Integers, some stored as such in the snapshot: STRLEN counts their digits.
        pipe.cmd("SET")
            .arg(format!("int:{i}"))
            .arg(i * 7_919 - 1_000_000)
            .ignore();
        pipe.cmd("HSET")
            .arg(format!("small:h:{i}"))
            .arg(&["f", "v", "g", "w"][..(i as usize % 2 + 1) * 2])
            .ignore();
    }
    pipe.cmd("SET").arg("int:large").arg(i64::MAX).ignore();
    pipe.cmd("SELECT").arg(3).ignore();
    pipe.cmd("RPUSH")
        .arg("other-db:list")
        .arg(vec!["x"; 70])
        .ignore();
    pipe.cmd("SELECT").arg(0).ignore();
    let _: () = pipe.query_async(&mut c).await.unwrap();
    // A key past its expiry that nothing has removed yet.
    run(&mut c, redis::cmd("DEBUG").arg("SET-ACTIVE-EXPIRE").arg(0)).await;
    run(
        &mut c,
        redis::cmd("SET")
            .arg("expired:big")
            .arg("e".repeat(200_000))
            .arg("PX")
            .arg(1),
    )
    .await;
    wait_server_clock_past(&mut c, 5).await;

    let target = Target::Standalone(server.url());
    let snap = big(&target, Source::Auto, Pace::Gentle).await;
    assert_eq!(snap.sources, [Source::Snapshot], "gentle reads a snapshot");
    assert!(
        snap.keys.iter().all(|k| k.name != "expired:big"),
        "expired keys are left out"
    );
    let online = big(&target, Source::Online, Pace::Gentle).await;
    assert_eq!(online.sources, [Source::Online]);
    assert_eq!(snap.keys, online.keys, "the same keys, sizes and order");
    assert_eq!(snap.scanned_keys, online.scanned_keys);
    assert_seeded_found(&snap, &server.addr());
    assert_eq!(snap.scanned_keys, 7 + 5 * 300 + 2);
    let large = snap.keys.iter().find(|k| k.name == "int:large");
    assert_eq!(large.map(|k| k.size), Some(19), "an integer's digits");
    assert!(snap
        .keys
        .iter()
        .any(|k| k.name.starts_with("int:") && k.size == 8));
    let list = snap.keys.iter().find(|k| k.name == "other-db:list");
    assert_eq!(list.map(|k| (k.db, k.size)), Some((3, 70)));
    let fast = big(&target, Source::Auto, Pace::Fast).await;
    assert_eq!(
        fast.sources,
        [Source::Online],
        "fast scans a small node online"
    );
    assert_eq!(fast.keys, online.keys);

    // A node larger than the snapshot limit is scanned online, gentle as it is.
    let info: String = redis::cmd("INFO")
        .arg("memory")
        .query_async(&mut c)
        .await
        .unwrap();
    let used = dcs_analyzer::conn::parse_info(&info)
        .into_iter()
        .find(|(k, _)| k == "used_memory")
        .and_then(|(_, v)| v.parse::<u64>().ok())
        .unwrap();
    assert!(
        used > 1 << 20,
        "the seeded node holds more than 1 MB ({used})"
    );
    let limited = |mb: u64| ScanOptions {
        snapshot_max_memory: mb << 20,
        memory_usage: true,
        ..Default::default()
    };
    let over = bigkeys::analyze(&target, &limited(1), &Control::default())
        .await
        .unwrap();
    assert_eq!(over.sources, [Source::Online], "over the limit");
    assert_eq!(over.keys, online.keys);
    let within = bigkeys::analyze(&target, &limited((used >> 20) + 1), &Control::default())
        .await
        .unwrap();
    assert_eq!(within.sources, [Source::Snapshot], "within the limit");
    let zero = ScanOptions {
        snapshot_max_memory: 0,
        ..Default::default()
    };
    let refused = bigkeys::analyze(&target, &zero, &Control::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, AnalyzerError::InvalidOption(why) if why.contains("snapshot limit")),
        "{refused:?}"
    );

    // A user who may not replicate: the default scans online; insisting fails, saying why.
    run(
        &mut c,
        redis::cmd("ACL").arg(&[
            "SETUSER", "scanner", "on", ">pw", "~*", "+@all", "-sync", "-psync",
        ]),
    )
    .await;
    let no_sync = Target::Standalone(format!("redis://scanner:pw@127.0.0.1:{}", server.port));
    let fell_back = big(&no_sync, Source::Auto, Pace::Gentle).await;
    assert_eq!(fell_back.sources, [Source::Online]);
    assert_eq!(fell_back.keys, online.keys);
    let insist = ScanOptions {
        source: Source::Snapshot,
        ..Default::default()
    };
    let refused = bigkeys::analyze(&no_sync, &insist, &Control::default())
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, AnalyzerError::Denied { command, .. } if command == "SYNC"),
        "{refused:?}"
    );
}

/// Fast mode reads a snapshot only where it would finish first: a node with enough keys to
/// outweigh the fork, streamed from the fork where the server starts at once, written to the
/// server's disk first where a diskless one would wait for other replicas (here 60 s) — but only
/// on a server that persists anyway or removes a replica's file once sent: one that keeps it
/// would load that file on its next start.
#[tokio::test]
async fn fast_reads_a_snapshot_where_it_finishes_first() {
    let server = lfu_server(&["--enable-debug-command", "local"]);
    let mut c = connect(&server.url(), 0).await;
    seed_big(&mut c).await;
    run(&mut c, redis::cmd("DEBUG").arg("POPULATE").arg(100_000)).await;
    let target = Target::Standalone(server.url());
    let online = big(&target, Source::Online, Pace::Fast).await;
    assert_eq!(online.scanned_keys, 100_007);
    let admin = c.clone();
    let set = |name: &'static str, value: &'static str| {
        let mut c = admin.clone();
        async move { run(&mut c, redis::cmd("CONFIG").arg("SET").arg(name).arg(value)).await }
    };
    let dump = server.dir().join("dump.rdb");
    let (fast, gentle) = (Pace::Fast, Pace::Gentle);
    let (snap, scan) = (Source::Snapshot, Source::Online);
    // (`save`, diskless, delay, `rdb-del-sync-files`, pace, read from, written to the server's
    // disk). Gentle waits for a diskless snapshot (delay 1 s here, so the test does not wait
    // long). A file written stays where the server persists, and must never stay where not.
    let steps = [
        // A cache that does not persist (the fixture's `save ""`) and keeps a replica's file.
        ("", "yes", "0", "no", fast, snap, false),
        ("", "yes", "60", "no", fast, scan, false),
        ("", "no", "5", "no", fast, scan, false),
        ("", "no", "5", "no", gentle, scan, false),
        ("", "yes", "1", "no", gentle, snap, false),
        // One that removes a replica's file once sent may be asked for one on its disk.
        ("", "yes", "60", "yes", fast, snap, true),
        ("", "no", "5", "yes", gentle, snap, true),
        // A server that persists anyway: fast asks for its snapshot on disk, at once.
        ("3600 1", "yes", "60", "no", fast, snap, true),
        ("3600 1", "yes", "1", "no", gentle, snap, false),
        ("3600 1", "no", "5", "no", fast, snap, true),
    ];
    for (save, diskless, delay, deletes, pace, want, disk) in steps {
        let _ = std::fs::remove_file(&dump);
        set("save", save).await;
        set("repl-diskless-sync", diskless).await;
        set("repl-diskless-sync-delay", delay).await;
        set("rdb-del-sync-files", deletes).await;
        let why =
            format!("save {save:?}, diskless {diskless}, delay {delay}, del {deletes}, {pace:?}");
        let saves = disk_saves(&mut c).await;
        let report = big(&target, Source::Auto, pace).await;
        assert_eq!(report.sources, [want], "{why}");
        assert_eq!(report.keys, online.keys, "{why}");
        assert_eq!(report.scanned_keys, online.scanned_keys, "{why}");
        assert_eq!(
            disk_saves(&mut c).await - saves,
            disk as u64,
            "{why}: written to disk"
        );
        if disk && !save.is_empty() {
            assert!(dump.exists(), "{why}: the server's dump file");
        } else {
            wait_gone(&dump, &why).await;
        }
    }
    set("rdb-del-sync-files", "no").await;

    // Small nodes scan online even where a snapshot would start at once: the fork costs more.
    run(&mut c, &mut redis::cmd("FLUSHALL")).await;
    seed_big(&mut c).await;
    set("repl-diskless-sync", "yes").await;
    set("repl-diskless-sync-delay", "0").await;
    let small = big(&target, Source::Auto, Pace::Fast).await;
    assert_eq!(small.sources, [Source::Online]);
    // Told `snapshot`, fast takes the sooner way to one: here by disk, not after a 60 s wait.
    set("repl-diskless-sync-delay", "60").await;
    std::fs::remove_file(&dump).unwrap();
    let insisted = big(&target, Source::Snapshot, Pace::Fast).await;
    assert_eq!(insisted.sources, [Source::Snapshot]);
    assert_eq!(insisted.keys, small.keys);
    assert!(dump.exists(), "asked for on disk");
}

/// A server is not asked for a snapshot on its disk where the file would stay (it does not
/// persist) or where its last save failed (a full disk, a folder gone): `auto` scans it online,
/// fast does not choose the disk, and `snapshot` is refused saying why — before any fork. A
/// failed save is no small thing: with save points the server then refuses every write
/// (`stop-writes-on-bgsave-error`) until one succeeds.
#[tokio::test]
async fn no_snapshot_on_a_disk_that_would_keep_it_or_failed() {
    let server = lfu_server(&[
        "--enable-debug-command",
        "local",
        "--enable-protected-configs",
        "local",
    ]);
    let mut c = connect(&server.url(), 0).await;
    seed_big(&mut c).await;
    run(&mut c, redis::cmd("DEBUG").arg("POPULATE").arg(100_000)).await;
    let target = Target::Standalone(server.url());
    let admin = c.clone();
    let set = |name: &'static str, value: &str| {
        let (mut c, value) = (admin.clone(), value.to_string());
        async move { run(&mut c, redis::cmd("CONFIG").arg("SET").arg(name).arg(value)).await }
    };
    let forks = |mut c: redis::aio::MultiplexedConnection| async move {
        info_field(&mut c, "stats", "total_forks").await
    };
    let refused = |reason: &'static str| {
        let target = target.clone();
        async move {
            let e = big_result(&target, Source::Snapshot, Pace::Fast)
                .await
                .unwrap_err();
            assert!(
                matches!(&e, AnalyzerError::Unsupported { kind: TaskKind::Bigkey, reason: r } if r.contains(reason) && r.contains("repl-diskless-sync yes")),
                "{e:?}"
            );
        }
    };

    // A cache (the fixture's `save ""`) that writes a replica's snapshot to its disk.
    set("repl-diskless-sync", "no").await;
    let before = forks(c.clone()).await;
    refused("would stay there").await;
    let gentle = big(&target, Source::Auto, Pace::Gentle).await;
    assert_eq!(gentle.sources, [Source::Online]);
    assert_eq!(forks(c.clone()).await, before, "no snapshot asked for");
    assert!(!server.dir().join("dump.rdb").exists());

    // A server with save points whose folder is gone: its own save fails.
    let gone = server.dir().join("gone");
    std::fs::create_dir(&gone).unwrap();
    set("dir", gone.to_str().unwrap()).await;
    std::fs::remove_dir(&gone).unwrap();
    set("save", "3600 1").await;
    run(&mut c, &mut redis::cmd("BGSAVE")).await;
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while info_field(&mut c, "persistence", "rdb_last_bgsave_status").await != "err" {
        assert!(std::time::Instant::now() < until, "the save did not fail");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let before = forks(c.clone()).await;
    refused("rdb_last_bgsave_status:err").await;
    // Fast does not choose its disk over a diskless snapshot's 60 s wait: online.
    set("repl-diskless-sync", "yes").await;
    set("repl-diskless-sync-delay", "60").await;
    let fast = big(&target, Source::Auto, Pace::Fast).await;
    assert_eq!(fast.sources, [Source::Online]);
    assert_eq!(forks(c.clone()).await, before, "no snapshot asked for");
    // Diskless, its disk is not asked: a snapshot is read as usual.
    set("repl-diskless-sync-delay", "0").await;
    let streamed = big(&target, Source::Snapshot, Pace::Fast).await;
    assert_eq!(streamed.sources, [Source::Snapshot]);
    assert_eq!(streamed.keys, fast.keys);
    // The server refuses writes — and `PING` — now; the expired-key scan still runs on it.
    let write = run_result(&mut c, redis::cmd("SET").arg("k").arg("v")).await;
    assert!(write.is_err_and(|e| e.code() == Some("MISCONF")));
    let expired =
        dcs_analyzer::expired::analyze(&target, &ScanOptions::default(), &Control::default())
            .await
            .unwrap();
    assert_eq!(expired.scanned_keys, fast.scanned_keys);
}

/// Big keys of `target` read from `source` at `pace`, with `MEMORY USAGE`.
async fn big(target: &Target, source: Source, pace: Pace) -> bigkeys::BigkeyReport {
    big_result(target, source, pace).await.unwrap()
}

async fn big_result(
    target: &Target,
    source: Source,
    pace: Pace,
) -> Result<bigkeys::BigkeyReport, AnalyzerError> {
    let opts = ScanOptions {
        source,
        pace,
        memory_usage: true,
        ..Default::default()
    };
    bigkeys::analyze(target, &opts, &Control::default()).await
}

fn assert_seeded_found(report: &bigkeys::BigkeyReport, addr: &str) {
    let find = |name: &str| {
        report
            .keys
            .iter()
            .find(|k| k.name == name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    for (name, t, size, unit) in [
        ("big:string", KeyType::String, 100_000, KeyUnit::Byte),
        ("big:string:2", KeyType::String, 50_000, KeyUnit::Byte),
        ("big:list", KeyType::List, 5000, KeyUnit::Count),
        ("big:hash", KeyType::Hash, 3000, KeyUnit::Count),
        ("big:set", KeyType::Set, 2000, KeyUnit::Count),
        ("big:zset", KeyType::Zset, 1500, KeyUnit::Count),
        ("big:stream", KeyType::Stream, 100, KeyUnit::Count),
    ] {
        let k = find(name);
        assert_eq!(
            (k.key_type, k.size, k.unit, k.db, k.shard.as_str()),
            (t, size, unit, 0, addr),
            "{name}"
        );
        assert!(k.memory_usage.unwrap() > 0, "{name}: memory usage measured");
    }
    assert_eq!(report.keys[0].name, "big:string");
    assert_eq!(report.keys[1].name, "big:string:2");
    let strings = report
        .keys
        .iter()
        .filter(|k| k.key_type == KeyType::String)
        .count();
    assert_eq!(strings, 20, "DCS keeps 20 strings");
    let lists = report
        .keys
        .iter()
        .filter(|k| k.key_type == KeyType::List)
        .count();
    let sets = report
        .keys
        .iter()
        .filter(|k| k.key_type == KeyType::Set)
        .count();
    assert_eq!((lists, sets), (20, 20), "at most 20 per collection type");
    assert_eq!(
        report.keys[20].name, "big:list",
        "collections follow the strings, largest first"
    );
}

#[tokio::test]
async fn cluster_big_keys_name_their_master() {
    let cluster = lfu_cluster();
    let mut want = Vec::new();
    for i in 0..9 {
        let key = format!("big:{i}");
        let size = 1000 * (i + 1);
        let owner = cluster_write(&cluster, |c| {
            c.arg("SET").arg(&key).arg("x".repeat(size));
        })
        .await;
        want.push((key, owner, size as u64));
    }
    want.reverse();
    for pace in [Pace::Gentle, Pace::Fast] {
        let opts = ScanOptions {
            pace,
            ..Default::default()
        };
        let report = bigkeys::analyze(&Target::Cluster(cluster.urls()), &opts, &Control::default())
            .await
            .unwrap();
        let got: Vec<(String, String, u64)> = report
            .keys
            .iter()
            .map(|k| (k.name.clone(), k.shard.clone(), k.size))
            .collect();
        assert_eq!(got, want, "{pace:?}");
    }
    // The batch script ran on every master (keys of many slots: it says it may).
    for node in &cluster.nodes {
        let (calls, refused) = eval_calls(&mut connect(&node.url(), 0).await).await;
        assert!(
            calls > 0 && refused == 0,
            "{}: {calls}, {refused}",
            node.addr()
        );
    }
}

/// A 2 MiB key name (Redis allows 512 MB) is reported cut, with its full length, so no report,
/// record or CSV grows with a name; the key's size is still measured on the exact key.
#[tokio::test]
async fn huge_key_names_are_cut_with_their_length() {
    let server = dcs_analyzer::server::RedisProcess::start(&[]).unwrap();
    let mut c = connect(&server.url(), 0).await;
    let name = format!("huge:{}", "n".repeat(2 * 1024 * 1024));
    run(&mut c, redis::cmd("SET").arg(&name).arg("x".repeat(5000))).await;
    let target = dcs_analyzer::Target::Standalone(server.url());
    let report = dcs_analyzer::bigkeys::analyze(
        &target,
        &dcs_analyzer::ScanOptions::default(),
        &dcs_analyzer::Control::new().0,
    )
    .await
    .unwrap();
    assert_eq!(report.sources, [Source::Snapshot]);
    let online = ScanOptions {
        source: Source::Online,
        ..Default::default()
    };
    let scanned = bigkeys::analyze(&target, &online, &Control::new().0)
        .await
        .unwrap();
    assert_eq!(report.keys, scanned.keys, "a snapshot's name is cut alike");
    let key = &report.keys[0];
    assert_eq!(key.size, 5000, "measured on the exact key");
    assert_eq!(key.name_bytes, Some(name.len() as u64));
    assert!(key.name.starts_with("huge:nnn") && key.name.ends_with(dcs_api::task::CUT_MARK));
    assert!(
        key.name.len() < 2 * dcs_api::task::MAX_NAME_CHARS,
        "{}",
        key.name.len()
    );
}
