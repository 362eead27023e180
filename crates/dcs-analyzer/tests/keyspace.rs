//! Key-space analysis of real snapshots: Redis 7.0 writes an RDB holding every type in every
//! encoding it uses (integer, embedded, raw and compressed strings; quicklists; intsets and hash
//! tables; listpack and skip-list sorted sets; listpack and hash-table hashes; a stream with a
//! consumer group and pending entries; expiries; two databases; a function library). The report
//! must count what SCAN + TYPE + the length commands count on the same data, rank keys as
//! `MEMORY USAGE` does, and come within ±25 % of `used_memory_dataset`. Corrupt and truncated
//! files are errors naming the offset.

mod common;

use common::*;
use dcs_analyzer::keyspace::{self, KeyspaceOptions};
use dcs_analyzer::server::RedisProcess;
use dcs_analyzer::Control;
use redis::aio::MultiplexedConnection;
use std::collections::BTreeMap;

async fn q<T: redis::FromRedisValue>(c: &mut MultiplexedConnection, cmd: &mut redis::Cmd) -> T {
    cmd.query_async(c).await.unwrap_or_else(|e| panic!("{e}"))
}

/// Every type and encoding, in db 0 and a few keys in db 3.
async fn seed(c: &mut MultiplexedConnection) {
    let mut p = redis::pipe();
    p.cmd("SET").arg("str:int").arg(12345).ignore();
    p.cmd("SET").arg("str:embstr").arg("short value").ignore();
    p.cmd("SET").arg("str:raw").arg("r".repeat(5_000)).ignore();
    p.cmd("SET")
        .arg("str:compressible")
        .arg("abc".repeat(100_000))
        .ignore();
    p.cmd("SET")
        .arg("str:ttl")
        .arg("v")
        .arg("EX")
        .arg(3_000)
        .ignore();
    let items: Vec<String> = (0..20_000).map(|i| format!("element-{i}")).collect();
    p.cmd("RPUSH").arg("list:small").arg(&items[..5]).ignore();
    p.cmd("RPUSH")
        .arg("list:big")
        .arg(&items[..20_000])
        .ignore();
    p.cmd("SADD").arg("set:ints").arg(&[1, 2, 3, 4, 5]).ignore();
    p.cmd("SADD").arg("set:big").arg(&items[..6_000]).ignore();
    let mut zsmall = redis::cmd("ZADD");
    zsmall.arg("zset:small");
    let mut zbig = redis::cmd("ZADD");
    zbig.arg("zset:big");
    for (i, m) in items[..1_000].iter().enumerate() {
        if i < 10 {
            zsmall.arg(i as f64 + 0.5).arg(m);
        }
        zbig.arg(i as f64 * 1.5).arg(m);
    }
    p.add_command(zsmall).ignore();
    p.add_command(zbig).ignore();
    let mut hsmall = redis::cmd("HSET");
    hsmall.arg("hash:small");
    let mut hbig = redis::cmd("HSET");
    hbig.arg("hash:big");
    for (i, m) in items[..2_000].iter().enumerate() {
        if i < 10 {
            hsmall.arg(m).arg(i);
        }
        hbig.arg(m).arg("v".repeat(i % 50));
    }
    p.add_command(hsmall).ignore();
    p.add_command(hbig).ignore();
    p.cmd("PEXPIRE")
        .arg("hash:big")
        .arg(86_400_000 * 3)
        .ignore();
    for i in 0..300 {
        p.cmd("XADD")
            .arg("stream:events")
            .arg("*")
            .arg("n")
            .arg(i)
            .ignore();
    }
    p.cmd("XGROUP")
        .arg("CREATE")
        .arg("stream:events")
        .arg("readers")
        .arg("0")
        .ignore();
    p.cmd("XREADGROUP")
        .arg("GROUP")
        .arg("readers")
        .arg("alice")
        .arg("COUNT")
        .arg(5)
        .arg("STREAMS")
        .arg("stream:events")
        .arg(">")
        .ignore();
    p.cmd("FUNCTION")
        .arg("LOAD")
        .arg("#!lua name=lib\nredis.register_function('f', function() return 1 end)")
        .ignore();
    // Many small keys under a few prefixes, for the prefix tree.
    for i in 0..3_000 {
        p.cmd("SET")
            .arg(format!("session:{}:{i}", i % 7))
            .arg("x".repeat(i % 40))
            .ignore();
    }
    p.cmd("SELECT").arg(3).ignore();
    p.cmd("SET").arg("db3:a").arg("1").ignore();
    p.cmd("HSET").arg("db3:h").arg("f").arg("v").ignore();
    p.cmd("SELECT").arg(0).ignore();
    let _: () = p.query_async(c).await.unwrap();
}

/// `server` seeded with [`seed`] and saved: a connection and the snapshot's path.
async fn seeded(server: &RedisProcess) -> (MultiplexedConnection, std::path::PathBuf) {
    let mut c = connect(&server.url(), 0).await;
    seed(&mut c).await;
    let path = save(server, &mut c).await;
    (c, path)
}

/// Writes the snapshot and returns its path.
async fn save(server: &RedisProcess, c: &mut MultiplexedConnection) -> std::path::PathBuf {
    let _: () = q(c, &mut redis::cmd("SAVE")).await;
    server.dir().join("dump.rdb")
}

/// Keys per type as the server counts them, by SCAN + TYPE, over databases 0 and 3.
async fn counted(url: &str) -> (BTreeMap<String, u64>, u64) {
    let mut per_type = BTreeMap::new();
    let mut total = 0;
    for db in [0, 3] {
        let mut c = connect(url, db).await;
        let mut cursor = 0u64;
        loop {
            let (next, keys): (u64, Vec<String>) = q(
                &mut c,
                redis::cmd("SCAN").arg(cursor).arg("COUNT").arg(1000),
            )
            .await;
            for k in keys {
                let t: String = q(&mut c, redis::cmd("TYPE").arg(&k)).await;
                *per_type.entry(t).or_default() += 1;
                total += 1;
            }
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
    }
    (per_type, total)
}

/// The report counts, key for key and type for type, what the server on `url` counts.
async fn assert_counted_as_the_server(r: &dcs_api::keyspace::KeyspaceReport, url: &str) {
    let (per_type, total) = counted(url).await;
    assert_eq!(r.total_num, total);
    let ours: BTreeMap<String, u64> = r
        .type_num
        .iter()
        .map(|t| (t.key_type.clone(), t.num))
        .collect();
    assert_eq!(ours, per_type);
}

#[tokio::test]
async fn a_redis_snapshot_of_every_encoding_is_counted_as_the_server_counts() {
    // An LRU policy: the snapshot carries each key's idle time (LFU, in the cluster test: its counter).
    let server = RedisProcess::start(&[
        "--rdbcompression",
        "yes",
        "--maxmemory-policy",
        "allkeys-lru",
    ])
    .unwrap();
    let (mut c, path) = seeded(&server).await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let ctl = Control::default();
    let r = keyspace::from_file(
        &path,
        KeyspaceOptions {
            top: 500,
            now_ms: now,
            ..Default::default()
        },
        &ctl,
    )
    .unwrap();

    // Progress counted the file's bytes, every one.
    let size = std::fs::metadata(&path).unwrap().len();
    assert_eq!(
        ctl.progress(),
        dcs_analyzer::Progress {
            scanned: size,
            total: size,
            unit: dcs_analyzer::Unit::Bytes
        }
    );
    assert_counted_as_the_server(&r, &server.url()).await;
    let total = r.total_num;
    assert_eq!(
        r.dbs.iter().map(|d| (d.db, d.num)).collect::<Vec<_>>(),
        [(0, total - 2), (3, 2)]
    );

    // Element counts equal the length commands.
    let elements = |name: &str| {
        r.largest_keys
            .iter()
            .find(|k| k.key == name)
            .map(|k| k.num_of_elem)
            .unwrap_or_else(|| panic!("{name} not among the largest keys"))
    };
    for (name, cmd) in [
        ("list:big", "LLEN"),
        ("set:big", "SCARD"),
        ("zset:big", "ZCARD"),
        ("hash:big", "HLEN"),
        ("stream:events", "XLEN"),
        ("str:compressible", "STRLEN"),
    ] {
        let n: u64 = q(&mut c, redis::cmd(cmd).arg(name)).await;
        assert_eq!(elements(name), n, "{name}");
    }

    // Memory: ranked as MEMORY USAGE ranks keys wherever two differ by more than 2x, and the
    // total within 25 % of the server's own dataset figure.
    let mut usage = Vec::new();
    for k in r.largest_keys.iter().filter(|k| k.db == 0).take(60) {
        let m: u64 = q(
            &mut c,
            redis::cmd("MEMORY")
                .arg("USAGE")
                .arg(&k.key)
                .arg("SAMPLES")
                .arg(0),
        )
        .await;
        usage.push((k.key.clone(), k.bytes, m));
    }
    for a in &usage {
        for b in &usage {
            if a.2 > 2 * b.2 {
                assert!(
                    a.1 > b.1,
                    "MEMORY USAGE {a:?} > 2x {b:?}, the estimate disagrees"
                );
            }
        }
    }
    let info: String = q(&mut c, redis::cmd("INFO").arg("memory")).await;
    let dataset: f64 = info
        .lines()
        .find_map(|l| l.strip_prefix("used_memory_dataset:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let ratio = r.total_bytes as f64 / dataset;
    assert!(
        (0.75..=1.25).contains(&ratio),
        "estimate {} vs used_memory_dataset {dataset}: {ratio}",
        r.total_bytes
    );

    // Prefixes, TTL and findings.
    let session = r
        .prefix_tree
        .iter()
        .find(|n| n.prefix == "session:" && n.depth == 1)
        .unwrap();
    assert_eq!(session.num, 3_000);
    assert_eq!(
        r.prefix_tree
            .iter()
            .filter(|n| n.depth == 2 && n.prefix.starts_with("session:"))
            .count(),
        7
    );
    let band = |name: &str| r.ttl.iter().find(|b| b.ttl == name).map_or(0, |b| b.num);
    assert_eq!((band("<1h"), band("<7d")), (1, 1));
    assert_eq!(band("none"), total - 2);
    assert!(
        r.findings
            .iter()
            .any(|f| f.contains("collections have more than 5,000 elements")),
        "{:?}",
        r.findings
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f.starts_with("prefix `session:` holds")),
        "{:?}",
        r.findings
    );
}

#[tokio::test]
async fn corrupt_and_truncated_snapshots_are_errors_naming_the_offset() {
    let server = RedisProcess::start(&[]).unwrap();
    let (_, path) = seeded(&server).await;
    let whole = std::fs::read(&path).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in [
        ("truncated", whole[..whole.len() / 2].to_vec()),
        ("not-rdb", b"hello world, not a snapshot".to_vec()),
        ("bad-type", {
            let mut b = whole.clone();
            // The first key's type byte, after the header's aux fields: find "str:" and step
            // back over its length byte to the type.
            let at = b
                .windows(8)
                .position(|w| w == b"str:int\0" || w.starts_with(b"str:"))
                .unwrap();
            b[at - 2] = 0x63;
            b
        }),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, &bytes).unwrap();
        let e = keyspace::from_file(&file, KeyspaceOptions::default(), &Control::default())
            .unwrap_err();
        let text = e.to_string();
        assert!(
            text.contains("the snapshot cannot be read at byte"),
            "{name}: {text}"
        );
    }
}

/// A cancelled analysis stops reading and says so (the proxy's DELETE relies on it).
#[tokio::test]
async fn a_cancelled_analysis_stops_reading() {
    let server = RedisProcess::start(&[]).unwrap();
    let (_, path) = seeded(&server).await;
    let ctl = Control::default();
    ctl.cancel();
    let e = keyspace::from_file(&path, KeyspaceOptions::default(), &ctl).unwrap_err();
    assert!(matches!(e, dcs_analyzer::AnalyzerError::Cancelled), "{e:?}");
    assert_eq!(ctl.progress().scanned, 0);
}

/// The same data read from the file and streamed by replication, disk-based and diskless,
/// gives the same report. Disk-based, the server (which does not persist) removes the file it
/// wrote for us (`rdb-del-sync-files yes`; without it the analysis is refused, below).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_streamed_by_replication_equal_the_file() {
    for diskless in ["no", "yes"] {
        let server = RedisProcess::start(&[
            "--repl-diskless-sync",
            diskless,
            "--repl-diskless-sync-delay",
            "0",
            "--rdb-del-sync-files",
            "yes",
        ])
        .unwrap();
        let mut c = connect(&server.url(), 0).await;
        seed(&mut c).await;
        let path = save(&server, &mut c).await;
        let opts = KeyspaceOptions {
            now_ms: 1,
            ..Default::default()
        };
        let from_file = keyspace::from_file(&path, opts.clone(), &Control::default()).unwrap();
        let ctl = Control::default();
        let streamed = dcs_analyzer::snapshot::analyze(
            &dcs_analyzer::Target::Standalone(server.url()),
            &dcs_analyzer::ScanOptions::default(),
            opts.clone(),
            &ctl,
        )
        .await
        .unwrap();
        // Progress: bytes parsed out of the announced size; a diskless snapshot announces none.
        let p = ctl.progress();
        assert_eq!(p.unit, dcs_analyzer::Unit::Bytes);
        assert!(p.scanned > 1000, "{p:?}");
        if diskless == "yes" {
            assert_eq!(p.total, 0);
        } else {
            assert_eq!(p.scanned, p.total);
        }
        assert_eq!(streamed.source, "snapshot");
        assert_eq!(streamed.nodes, [server.addr()]);
        if diskless == "no" {
            wait_gone(&path, "written for the analysis").await;
        }
        assert_eq!(
            (
                streamed.total_num,
                streamed.total_bytes,
                &streamed.type_num,
                &streamed.largest_keys
            ),
            (
                from_file.total_num,
                from_file.total_bytes,
                &from_file.type_num,
                &from_file.largest_keys
            ),
            "diskless {diskless}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_is_the_sum_of_its_masters_snapshots() {
    let cluster = lfu_cluster();
    for i in 0..600 {
        cluster_write(&cluster, |c| {
            c.arg("SET").arg(format!("user:{}:{i}", i % 4)).arg(i);
        })
        .await;
    }
    let r = dcs_analyzer::snapshot::analyze(
        &dcs_analyzer::Target::Cluster(cluster.urls()),
        &dcs_analyzer::ScanOptions::default(),
        KeyspaceOptions::default(),
        &Control::default(),
    )
    .await
    .unwrap();
    assert_eq!(r.nodes.len(), 3);
    assert_eq!(r.total_num, 600);
    let user = r.prefix_tree.iter().find(|n| n.prefix == "user:").unwrap();
    assert_eq!(user.num, 600);
    assert_eq!(r.prefix_tree.iter().filter(|n| n.depth == 2).count(), 4);
}

/// A server that writes a replica's snapshot to its disk and neither persists nor removes that
/// file would load it on its next start — a cache coming back with the keys of the day it was
/// analysed. Its snapshot is refused before any is written, saying why and what to do; the CLI
/// measures the live key space instead and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_that_would_stay_on_the_server_is_refused() {
    let server = RedisProcess::start(&["--repl-diskless-sync", "no"]).unwrap();
    let mut c = connect(&server.url(), 0).await;
    let _: () = q(&mut c, redis::cmd("SET").arg("a:1").arg("x")).await;
    let e = dcs_analyzer::snapshot::analyze(
        &dcs_analyzer::Target::Standalone(server.url()),
        &dcs_analyzer::ScanOptions::default(),
        KeyspaceOptions::default(),
        &Control::default(),
    )
    .await
    .unwrap_err();
    let dcs_analyzer::AnalyzerError::Unsupported { kind, reason } = &e else {
        panic!("{e:?}");
    };
    assert_eq!(*kind, dcs_api::TaskKind::Keyspace);
    for words in [
        "would stay there",
        "rdb-del-sync-files yes",
        "repl-diskless-sync yes",
    ] {
        assert!(reason.contains(words), "{words}: {reason}");
    }
    assert_eq!(disk_saves(&mut c).await, 0);
    assert!(!server.dir().join("dump.rdb").exists());

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dcs-analyze"))
        .args(["keyspace", "--url", &server.url(), "--json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (report["source"].as_str(), report["total_num"].as_u64()),
        (Some("online"), Some(1))
    );
    let finding = report["findings"][0].as_str().unwrap();
    assert!(
        finding.starts_with("measured online:") && finding.contains("would stay there"),
        "{finding}"
    );
    assert_eq!(disk_saves(&mut c).await, 0);
}

#[tokio::test]
async fn sync_denied_by_acl_is_a_clear_error() {
    let server = RedisProcess::start(&[]).unwrap();
    let mut c = connect(&server.url(), 0).await;
    let _: () = q(
        &mut c,
        redis::cmd("ACL")
            .arg("SETUSER")
            .arg("app")
            .arg("on")
            .arg(">app-password-123")
            .arg("~*")
            .arg("+@all")
            .arg("-sync")
            .arg("-psync"),
    )
    .await;
    let url = format!("redis://app:app-password-123@{}", server.addr());
    let e = dcs_analyzer::snapshot::analyze(
        &dcs_analyzer::Target::Standalone(url),
        &dcs_analyzer::ScanOptions::default(),
        KeyspaceOptions::default(),
        &Control::default(),
    )
    .await
    .unwrap_err();
    let text = e.to_string();
    assert!(text.contains("SYNC") && text.contains("NOPERM"), "{text}");

    // The online fallback measures the same keys, labelled as such; the CLI falls back to it.
    let _: () = q(&mut c, redis::cmd("SET").arg("a:1").arg("x")).await;
    let _: () = q(
        &mut c,
        redis::cmd("RPUSH").arg("a:list").arg(&["1", "2", "3"]),
    )
    .await;
    let url = format!("redis://app:app-password-123@{}", server.addr());
    let r = dcs_analyzer::keyspace_online::analyze(
        &dcs_analyzer::Target::Standalone(url.clone()),
        &dcs_analyzer::ScanOptions::default(),
        KeyspaceOptions::default(),
        1,
        &dcs_analyzer::Control::new().0,
    )
    .await
    .unwrap();
    assert_eq!((r.source.as_str(), r.total_num), ("online", 2));
    let list = r.largest_keys.iter().find(|k| k.key == "a:list").unwrap();
    assert_eq!((list.key_type.as_str(), list.num_of_elem), ("list", 3));
    let memory: u64 = q(
        &mut c,
        redis::cmd("MEMORY")
            .arg("USAGE")
            .arg("a:list")
            .arg("SAMPLES")
            .arg(0),
    )
    .await;
    assert_eq!(list.bytes, memory);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dcs-analyze"))
        .args(["keyspace", "--url", &url, "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["source"], "online");
    assert!(
        report["findings"][0]
            .as_str()
            .unwrap()
            .starts_with("measured online:"),
        "{report}"
    );
}

/// Valkey 8.1 (a second implementation; its snapshots add set listpacks and streams of format
/// 3): the file and the replication stream count what the server counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valkey_snapshot_is_counted_as_valkey_counts() {
    let server = RedisProcess::start_valkey(&[
        "--repl-diskless-sync",
        "yes",
        "--repl-diskless-sync-delay",
        "0",
    ])
    .unwrap();
    let mut c = connect(&server.url(), 0).await;
    seed(&mut c).await;
    let mut p = redis::pipe();
    p.cmd("SADD")
        .arg("set:listpack")
        .arg(&["a", "b", "c"])
        .ignore();
    let _: () = p.query_async(&mut c).await.unwrap();
    let path = save(&server, &mut c).await;
    let from_file = keyspace::from_file(
        &path,
        KeyspaceOptions {
            top: 10_000,
            ..Default::default()
        },
        &Control::default(),
    )
    .unwrap();
    let streamed = dcs_analyzer::snapshot::analyze(
        &dcs_analyzer::Target::Standalone(server.url()),
        &dcs_analyzer::ScanOptions::default(),
        KeyspaceOptions {
            top: 10_000,
            ..Default::default()
        },
        &Control::default(),
    )
    .await
    .unwrap();
    for r in [&from_file, &streamed] {
        assert_counted_as_the_server(r, &server.url()).await;
        let set = r
            .largest_keys
            .iter()
            .find(|k| k.key == "set:listpack")
            .unwrap();
        assert_eq!(set.num_of_elem, 3);
        let stream = r
            .largest_keys
            .iter()
            .find(|k| k.key == "stream:events")
            .unwrap();
        assert_eq!(stream.num_of_elem, 300);
    }
    assert_eq!(from_file.total_bytes, streamed.total_bytes);
}

/// A snapshot written by `redis-cli --rdb` (the replication payload saved as it came) reads
/// like the server's own `dump.rdb`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_rdb_from_redis_cli_reads_like_the_servers_own() {
    let server = RedisProcess::start(&[]).unwrap();
    let mut c = connect(&server.url(), 0).await;
    seed(&mut c).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cli.rdb");
    let out = std::process::Command::new("redis-cli")
        .args(["-p", &server.port.to_string(), "--rdb"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_cli =
        keyspace::from_file(&file, KeyspaceOptions::default(), &Control::default()).unwrap();
    assert_counted_as_the_server(&from_cli, &server.url()).await;
}
