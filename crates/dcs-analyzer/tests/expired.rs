//! Expired-key reclamation against real servers with active expiry off, so the count is exact.

mod common;

use common::*;
use dcs_analyzer::pace::GENTLE_SCAN_ALONE;
use dcs_analyzer::server::RedisProcess;
use dcs_analyzer::{expired, Control, Pace, ScanOptions, Source, Target};
use std::time::Duration;

fn no_active_expire_server() -> RedisProcess {
    RedisProcess::start(&["--enable-debug-command", "yes"]).unwrap()
}

async fn freeze_expiry(conn: &mut redis::aio::MultiplexedConnection) {
    run(conn, redis::cmd("DEBUG").arg("SET-ACTIVE-EXPIRE").arg(0)).await;
}

/// `expiring` keys with a 1 ms TTL and `persistent` keys without, in `db`.
async fn seed(url: &str, db: i64, expiring: usize, persistent: usize) {
    let mut c = connect(url, db).await;
    let mut pipe = redis::pipe();
    for i in 0..expiring {
        pipe.cmd("SET")
            .arg(format!("ttl:{db}:{i}"))
            .arg("v")
            .arg("PX")
            .arg(1)
            .ignore();
    }
    for i in 0..persistent {
        pipe.cmd("SET")
            .arg(format!("keep:{db}:{i}"))
            .arg("v")
            .ignore();
    }
    let _: () = pipe.query_async(&mut c).await.unwrap();
}

/// A key in database 0 that expires in an hour: the database stays one the sweep reads (one
/// whose keys have no expiry it skips) however many expired keys it reclaims.
async fn expiring_later(c: &mut redis::aio::MultiplexedConnection) {
    run(
        c,
        redis::cmd("SET").arg("later").arg("v").arg("EX").arg(3600),
    )
    .await;
}

/// A server with active expiry off, seeded as `seeds` says (`(db, expiring, persistent)`), its
/// clock past every 1 ms TTL: the expired keys stay until something touches them.
async fn with_expired_keys(
    seeds: &[(i64, usize, usize)],
) -> (RedisProcess, redis::aio::MultiplexedConnection) {
    let server = no_active_expire_server();
    let mut c = connect(&server.url(), 0).await;
    freeze_expiry(&mut c).await;
    for &(db, expiring, persistent) in seeds {
        seed(&server.url(), db, expiring, persistent).await;
    }
    wait_server_clock_past(&mut c, 5).await;
    (server, c)
}

/// Both ways reclaim exactly the expired keys, in every database: by default from the
/// snapshot, which names them, so the server is sent `EXISTS` of those keys and nothing else
/// (no SCAN, no live key touched); online by SCAN.
#[tokio::test]
async fn reclaims_exactly_the_expired_keys() {
    for (source, way) in [
        (Source::Auto, Source::Snapshot),
        (Source::Online, Source::Online),
    ] {
        let (server, mut c) = with_expired_keys(&[(0, 1000, 500), (2, 234, 10)]).await;
        let dbsize_before: u64 = redis::cmd("DBSIZE").query_async(&mut c).await.unwrap();
        assert_eq!(
            dbsize_before, 1500,
            "expired keys still occupy memory before the scan"
        );

        let opts = ScanOptions {
            count: 100,
            source,
            ..Default::default()
        };
        let target = Target::Standalone(server.url());
        let report = expired::analyze(&target, &opts, &Control::default())
            .await
            .unwrap();
        assert_eq!(report.sources, [way]);
        assert_eq!(report.num, 1234, "{way:?}");
        assert_eq!(
            report.scanned_keys, 510,
            "{way:?}: only the live keys count, as SCAN returns only those"
        );
        assert!(!report.timed_out);
        assert_eq!(report.shards.len(), 1);
        let dbsize_after: u64 = redis::cmd("DBSIZE").query_async(&mut c).await.unwrap();
        assert_eq!(dbsize_after, 500);
        let (exists, scans) = (
            command_calls(&mut c, "exists").await.0,
            command_calls(&mut c, "scan").await.0,
        );
        match way {
            Source::Snapshot => assert_eq!((exists, scans), (1234, 0)),
            _ => assert!(exists == 0 && scans > 0, "{exists} {scans}"),
        }

        let again = expired::analyze(&target, &opts, &Control::default())
            .await
            .unwrap();
        assert_eq!(again.num, 0, "{way:?}: nothing left to reclaim");
    }
}

/// Swept by SCAN, expired-key reclaiming has nothing to do per key: a batch is its SCAN alone,
/// which gentle keeps small (one request in flight, `pace.rs`) and fast asks in full.
#[tokio::test]
async fn gentle_scans_are_small_fast_ones_whole() {
    let server = no_active_expire_server();
    let mut c = connect(&server.url(), 0).await;
    seed(&server.url(), 0, 0, 1999).await;
    // One key with an expiry a long way off, so the database is one to sweep.
    expiring_later(&mut c).await;
    run(
        &mut c,
        redis::cmd("CONFIG")
            .arg("SET")
            .arg("slowlog-max-len")
            .arg(10_000),
    )
    .await;
    run(
        &mut c,
        redis::cmd("CONFIG")
            .arg("SET")
            .arg("slowlog-log-slower-than")
            .arg(0),
    )
    .await;
    for pace in [Pace::Gentle, Pace::Fast] {
        run(&mut c, redis::cmd("SLOWLOG").arg("RESET")).await;
        let opts = ScanOptions {
            count: 1000,
            pace,
            source: Source::Online,
            ..Default::default()
        };
        let report = sweep(&server, &opts).await;
        assert_eq!(report.scanned_keys, 2000, "{pace:?}");
        let counts = batch_counts(&mut c).await;
        let want = match pace {
            Pace::Gentle => GENTLE_SCAN_ALONE as u64,
            Pace::Fast => 1000,
        };
        // SCAN may return a few more keys than its COUNT (a bucket's whole chain), so a scan
        // of 2000 keys takes at least half as many calls as 2000 / COUNT, not exactly that.
        assert!(
            counts.len() as u64 >= (2000 / want / 2).max(1),
            "{pace:?}: {counts:?}"
        );
        assert!(counts.iter().all(|&n| n == want), "{pace:?}: {counts:?}");
    }
}

#[tokio::test]
async fn deadline_stops_the_scan_cleanly() {
    for source in [Source::Auto, Source::Online] {
        deadline_stops(source).await;
    }
}

async fn deadline_stops(source: Source) {
    let (server, mut c) = with_expired_keys(&[(0, 2000, 2000)]).await;
    let opts = ScanOptions {
        count: 10,
        pause: Duration::from_millis(5),
        deadline: Some(Duration::from_millis(50)),
        source,
        ..Default::default()
    };
    let report = sweep(&server, &opts).await;
    assert!(report.timed_out);
    assert!(
        report.num < 2000,
        "stopped before reclaiming everything: {}",
        report.num
    );
    let left: u64 = redis::cmd("DBSIZE").query_async(&mut c).await.unwrap();
    assert_eq!(
        left,
        4000 - report.num,
        "the reported number matches what was freed"
    );
}

#[tokio::test]
async fn cluster_reclaims_on_every_master() {
    let cluster =
        dcs_analyzer::server::RedisCluster::start(3, &["--enable-debug-command", "yes"]).unwrap();
    for url in cluster.urls() {
        freeze_expiry(&mut connect(&url, 0).await).await;
    }
    let mut per_master = std::collections::BTreeMap::<String, u64>::new();
    for i in 0..300 {
        let key = format!("ttl:{i}");
        let owner = cluster_write(&cluster, |c| {
            c.arg("SET").arg(&key).arg("v").arg("PX").arg(1);
        })
        .await;
        *per_master.entry(owner).or_default() += 1;
    }
    wait_server_clock_past(&mut connect(&cluster.urls()[0], 0).await, 5).await;
    let report = expired::analyze(
        &Target::Cluster(cluster.urls()),
        &ScanOptions::default(),
        &Control::default(),
    )
    .await
    .unwrap();
    assert_eq!(report.num, 300);
    let got: std::collections::BTreeMap<String, u64> = report
        .shards
        .iter()
        .map(|s| (s.shard.clone(), s.reclaimed))
        .collect();
    assert_eq!(got, per_master);
}

/// A deadline beyond the documented maximum (once a panic at `Instant::now() + d`) is a clear
/// error before anything touches the server; so is any other knob out of range.
#[tokio::test]
async fn absurd_options_are_refused_not_panicked_on() {
    let server = no_active_expire_server();
    let target = Target::Standalone(server.url());
    let cases = [
        (
            ScanOptions {
                deadline: Some(Duration::from_secs(i64::MAX as u64)),
                ..Default::default()
            },
            "timeout of 9223372036854775807 s",
        ),
        (
            ScanOptions {
                deadline: Some(Duration::MAX),
                ..Default::default()
            },
            "longer than 604800 s",
        ),
        (
            ScanOptions {
                count: 0,
                ..Default::default()
            },
            "count 0",
        ),
        (
            ScanOptions {
                pause: Duration::from_secs(3600),
                ..Default::default()
            },
            "pause of 3600000 ms",
        ),
    ];
    for (opts, want) in cases {
        let e = expired::analyze(&target, &opts, &Control::new().0)
            .await
            .unwrap_err();
        assert!(
            matches!(e, dcs_analyzer::AnalyzerError::InvalidOption(_))
                && e.to_string().contains(want),
            "{want}: {e}"
        );
    }
    let week = ScanOptions {
        deadline: Some(dcs_analyzer::options::MAX_DEADLINE),
        ..Default::default()
    };
    expired::analyze(&target, &week, &Control::new().0)
        .await
        .expect("7 days is allowed");
}

/// The sweep runs on connections of its own (`raw_conn.rs`): it authenticates as the target's
/// user and reaches every database. What the user may not do decides the way: no `SYNC`, SCAN
/// instead of the snapshot; no `EXISTS`, SCAN after it; no SCAN, the snapshot alone — and told
/// the way, the refusal names the command.
#[tokio::test]
async fn a_users_rights_are_the_sweeps() {
    let (server, mut c) = with_expired_keys(&[(0, 30, 10), (5, 20, 3)]).await;
    // A key that expires in an hour keeps database 0 one to read once the 50 are reclaimed.
    expiring_later(&mut c).await;
    let acl = |user: &str, rights: &[&str]| {
        let mut cmd = redis::cmd("ACL");
        cmd.arg("SETUSER")
            .arg(user)
            .arg(&["on", ">pw-0123456789", "~*"]);
        cmd.arg(rights);
        cmd
    };
    run(&mut c, &mut acl("sweeper", &["+@all"])).await;
    run(&mut c, &mut acl("noscan", &["+@all", "-scan"])).await;
    run(&mut c, &mut acl("nosync", &["+@all", "-sync", "-psync"])).await;
    run(&mut c, &mut acl("noexists", &["+@all", "-exists"])).await;
    let as_user = |user: &str, source: Source| {
        let url = format!("redis://{user}:pw-0123456789@127.0.0.1:{}", server.port);
        async move {
            let target = Target::Standalone(url);
            let opts = ScanOptions {
                source,
                ..Default::default()
            };
            expired::analyze(&target, &opts, &Control::default()).await
        }
    };
    // Told which way, a refusal is the analysis's error, naming the command (nothing reclaimed).
    for (user, source, command) in [
        ("noscan", Source::Online, "SCAN"),
        ("noexists", Source::Snapshot, "EXISTS"),
    ] {
        let e = as_user(user, source).await.unwrap_err();
        assert!(
            matches!(&e, dcs_analyzer::AnalyzerError::Denied { command: c, .. } if c == command),
            "{user}: {e:?}"
        );
        assert!(!e.to_string().contains("pw-0123456789"), "{e}");
    }
    // (user, source asked, keys reclaimed, read from): the first reclaims all 50.
    for (user, source, num, way) in [
        ("noexists", Source::Auto, 50, Source::Online),
        ("sweeper", Source::Auto, 0, Source::Snapshot),
        ("nosync", Source::Auto, 0, Source::Online),
        ("noscan", Source::Auto, 0, Source::Snapshot),
    ] {
        let report = as_user(user, source).await.unwrap();
        let got = (report.num, report.scanned_keys, report.sources.as_slice());
        assert_eq!(got, (num, 14, [way].as_slice()), "{user}");
    }
}

/// Stopped, a sweep is a report saying so (the proxy keeps it as "Stopped on request" with what
/// was reclaimed), whichever way it was going — also while the snapshot was still streaming.
#[tokio::test]
async fn a_stopped_sweep_is_a_report_not_an_error() {
    let (server, mut c) = with_expired_keys(&[(0, 100, 100)]).await;
    for source in [Source::Auto, Source::Online] {
        let ctl = Control::default();
        ctl.cancel();
        let opts = ScanOptions {
            source,
            ..Default::default()
        };
        let report = expired::analyze(&Target::Standalone(server.url()), &opts, &ctl)
            .await
            .unwrap();
        assert!(report.cancelled, "{source:?}: {report:?}");
        assert_eq!(report.num, 0, "{source:?}");
    }
    let left: u64 = redis::cmd("DBSIZE").query_async(&mut c).await.unwrap();
    assert_eq!(left, 200, "nothing touched");
}

/// The deadline also stops the wait for a snapshot: Redis waits `repl-diskless-sync-delay`
/// (60 s here) before it starts one, and the sweep ends at its deadline, timed out, not
/// stopped, with nothing touched.
#[tokio::test]
async fn a_deadline_stops_the_wait_for_a_snapshot() {
    let (server, mut c) = with_expired_keys(&[(0, 100, 100)]).await;
    run(
        &mut c,
        redis::cmd("CONFIG")
            .arg("SET")
            .arg("repl-diskless-sync-delay")
            .arg(60),
    )
    .await;
    let forks = info_field(&mut c, "stats", "total_forks").await;
    let opts = ScanOptions {
        deadline: Some(Duration::from_millis(300)),
        ..Default::default()
    };
    let report = sweep(&server, &opts).await;
    assert!(report.timed_out && !report.cancelled, "{report:?}");
    assert_eq!(report.sources, [Source::Snapshot]);
    let left: u64 = redis::cmd("DBSIZE").query_async(&mut c).await.unwrap();
    assert_eq!((report.num, left), (0, 200), "nothing touched");
    assert_eq!(
        info_field(&mut c, "stats", "total_forks").await,
        forks,
        "given up before the server forked for it"
    );
}

/// A master that writes its snapshot to disk first (`repl-diskless-sync no`, here persisting so
/// a file is no harm) is swept by SCAN gently — its own thread sending the file costs the
/// workload more than the SCAN (BENCHMARKS.md) — and read from the snapshot when told to.
#[tokio::test]
async fn a_disk_based_master_is_swept_by_scan_unless_told() {
    let (server, mut c) = with_expired_keys(&[(0, 30, 70)]).await;
    // Left to read once the 30 are reclaimed: a key that expires in an hour.
    expiring_later(&mut c).await;
    for (name, value) in [("repl-diskless-sync", "no"), ("save", "3600 1")] {
        run(&mut c, redis::cmd("CONFIG").arg("SET").arg(name).arg(value)).await;
    }
    let target = Target::Standalone(server.url());
    for (source, num, way) in [
        (Source::Auto, 30, Source::Online),
        (Source::Snapshot, 0, Source::Snapshot),
    ] {
        let opts = ScanOptions {
            source,
            ..Default::default()
        };
        let report = expired::analyze(&target, &opts, &Control::default())
            .await
            .unwrap();
        assert_eq!(
            (report.num, report.sources.as_slice()),
            (num, [way].as_slice())
        );
    }
}

/// What cannot hold an expired key is not read: a database whose keys have no expiry is not
/// SCANned, and a node with no such key is not asked for a snapshot; their keys count as covered.
#[tokio::test]
async fn what_cannot_hold_an_expired_key_is_not_read() {
    let (server, mut c) = with_expired_keys(&[(0, 0, 3000), (3, 20, 5)]).await;
    let opts = ScanOptions {
        source: Source::Online,
        ..Default::default()
    };
    let report = sweep(&server, &opts).await;
    assert_eq!((report.num, report.scanned_keys), (20, 3005));
    // Database 3's 25 keys take a SCAN or two of COUNT 40; database 0's 3,000 would take 75.
    let scans = command_calls(&mut c, "scan").await.0;
    assert!((1..=3).contains(&scans), "{scans} SCANs");

    // Nothing left with an expiry: by default, neither a snapshot nor a SCAN.
    let forks = info_field(&mut c, "stats", "total_forks").await;
    for source in [Source::Auto, Source::Snapshot, Source::Online] {
        let opts = ScanOptions {
            source,
            ..Default::default()
        };
        let report = sweep(&server, &opts).await;
        assert_eq!((report.num, report.scanned_keys), (0, 3005), "{source:?}");
        assert_eq!(report.sources, [Source::Online], "{source:?}");
    }
    assert_eq!(info_field(&mut c, "stats", "total_forks").await, forks);
    assert_eq!(command_calls(&mut c, "scan").await.0, scans);
}

/// Valkey 8.1 (a second implementation) shows its expired keys in its snapshot as Redis does:
/// only they are touched.
#[tokio::test]
async fn valkey_expired_keys_are_reclaimed_from_its_snapshot() {
    let server = RedisProcess::start_valkey(&["--enable-debug-command", "yes"]).unwrap();
    let mut c = connect(&server.url(), 0).await;
    freeze_expiry(&mut c).await;
    seed(&server.url(), 0, 300, 200).await;
    seed(&server.url(), 4, 50, 20).await;
    wait_server_clock_past(&mut c, 5).await;
    let report = sweep(&server, &ScanOptions::default()).await;
    assert_eq!(report.sources, [Source::Snapshot]);
    assert_eq!((report.num, report.scanned_keys), (350, 220));
    let (exists, scans) = (
        command_calls(&mut c, "exists").await.0,
        command_calls(&mut c, "scan").await.0,
    );
    assert_eq!((exists, scans), (350, 0));
    let dbsize: u64 = redis::cmd("DBSIZE").query_async(&mut c).await.unwrap();
    assert_eq!(dbsize, 200);
}

/// The expired-key analysis of `server` with `opts`, to its report.
async fn sweep(server: &RedisProcess, opts: &ScanOptions) -> expired::ExpiredReport {
    expired::analyze(&Target::Standalone(server.url()), opts, &Control::default())
        .await
        .unwrap()
}
