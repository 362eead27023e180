//! Expired-key reclamation against real servers with active expiry off, so the count is exact.

mod common;

use common::*;
use dcs_analyzer::pace::GENTLE_SCAN_ALONE;
use dcs_analyzer::server::RedisProcess;
use dcs_analyzer::{expired, Control, Pace, ScanOptions, Target};
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

#[tokio::test]
async fn reclaims_exactly_the_expired_keys() {
    let (server, mut c) = with_expired_keys(&[(0, 1000, 500), (2, 234, 10)]).await;
    let dbsize_before: u64 = redis::cmd("DBSIZE").query_async(&mut c).await.unwrap();
    assert_eq!(
        dbsize_before, 1500,
        "expired keys still occupy memory before the scan"
    );

    let opts = ScanOptions {
        count: 100,
        ..Default::default()
    };
    let report = expired::analyze(
        &Target::Standalone(server.url()),
        &opts,
        &Control::default(),
    )
    .await
    .unwrap();
    assert_eq!(report.num, 1234);
    assert_eq!(report.scanned_keys, 510, "SCAN returns only the live keys");
    assert!(!report.timed_out);
    assert_eq!(report.shards.len(), 1);
    let dbsize_after: u64 = redis::cmd("DBSIZE").query_async(&mut c).await.unwrap();
    assert_eq!(dbsize_after, 500);

    let again = expired::analyze(
        &Target::Standalone(server.url()),
        &opts,
        &Control::default(),
    )
    .await
    .unwrap();
    assert_eq!(again.num, 0, "nothing left to reclaim");
}

/// Expired-key reclaiming has nothing to do per key: a batch is its SCAN alone, which gentle
/// keeps small (one request in flight, `pace.rs`) and fast asks in full.
#[tokio::test]
async fn gentle_scans_are_small_fast_ones_whole() {
    let server = no_active_expire_server();
    let mut c = connect(&server.url(), 0).await;
    seed(&server.url(), 0, 0, 2000).await;
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
            ..Default::default()
        };
        let report = expired::analyze(
            &Target::Standalone(server.url()),
            &opts,
            &Control::default(),
        )
        .await
        .unwrap();
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
    let (server, mut c) = with_expired_keys(&[(0, 2000, 2000)]).await;
    let opts = ScanOptions {
        count: 10,
        pause: Duration::from_millis(5),
        deadline: Some(Duration::from_millis(50)),
        ..Default::default()
    };
    let report = expired::analyze(
        &Target::Standalone(server.url()),
        &opts,
        &Control::default(),
    )
    .await
    .unwrap();
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

/// The sweep runs on a connection of its own (`raw_conn.rs`): it authenticates as the target's
/// user, reaches every database, and a user that may not SCAN is told so, naming the command.
#[tokio::test]
async fn a_users_rights_are_the_sweeps() {
    let (server, mut c) = with_expired_keys(&[(0, 30, 10), (5, 20, 3)]).await;
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
    let as_user = |user: &str| {
        let url = format!("redis://{user}:pw-0123456789@127.0.0.1:{}", server.port);
        async move {
            let target = Target::Standalone(url);
            expired::analyze(&target, &ScanOptions::default(), &Control::default()).await
        }
    };
    let report = as_user("sweeper").await.unwrap();
    assert_eq!((report.num, report.scanned_keys), (50, 13));
    let e = as_user("noscan").await.unwrap_err();
    assert!(
        matches!(&e, dcs_analyzer::AnalyzerError::Denied { command, .. } if command == "SCAN"),
        "{e:?}"
    );
    assert!(!e.to_string().contains("pw-0123456789"), "{e}");
}
