//! Big keys on replicas: a healthy replica of each master is read where there is one (standalone
//! and a cluster of 3 masters + 3 replicas), the master otherwise or when asked; hot keys and
//! expired keys stay on masters. Which node did the work is read from the servers' own counters
//! (full syncs served: the default reads a snapshot; `TYPE` calls: online), not from what the
//! engine says.

mod common;

use common::*;
use dcs_analyzer::server::{RedisCluster, RedisProcess};
use dcs_analyzer::{AnalyzeOn, Control, ScanOptions, Target};
use dcs_api::TaskKind;

/// What big keys cost the server on `port` so far: `TYPE` commands run (online, one per key)
/// plus snapshots served (`sync_full`: the default reads one by replication).
async fn type_calls(port: u16) -> u64 {
    let mut c = connect(&format!("redis://127.0.0.1:{port}"), 0).await;
    let types = info_number(&mut c, "commandstats", "cmdstat_type:calls=").await;
    types + info_number(&mut c, "stats", "sync_full:").await
}

/// The number after `prefix` in `INFO section` (up to a comma), 0 where there is none.
async fn info_number(
    c: &mut redis::aio::MultiplexedConnection,
    section: &str,
    prefix: &str,
) -> u64 {
    let info: String = redis::cmd("INFO")
        .arg(section)
        .query_async(c)
        .await
        .unwrap();
    info.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .and_then(|v| v.split(',').next()?.trim().parse().ok())
        .unwrap_or(0)
}

async fn seed(url: &str, keys: usize) {
    let mut c = connect(url, 0).await;
    let mut pipe = redis::pipe();
    for i in 0..keys {
        pipe.cmd("RPUSH")
            .arg(format!("list:{i}"))
            .arg(vec!["x"; i % 7 + 1])
            .ignore();
    }
    let _: () = pipe.query_async(&mut c).await.unwrap();
}

fn opts(on: AnalyzeOn) -> ScanOptions {
    ScanOptions {
        analyze_on: on,
        ..Default::default()
    }
}

#[tokio::test]
async fn standalone_big_keys_read_the_replica_unless_told_otherwise() {
    let master = RedisProcess::start(&[]).unwrap();
    seed(&master.url(), 300).await;
    let mut replica = RedisProcess::start_replica_of(&master, &[]).unwrap();
    // The replica has every key before the analysis starts.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let mut c = connect(&replica.url(), 0).await;
        let n: u64 = redis::cmd("DBSIZE").query_async(&mut c).await.unwrap();
        if n == 300 {
            break;
        }
        assert!(std::time::Instant::now() < until, "replica has {n} keys");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let target = Target::Standalone(master.url());

    let (m0, r0) = (
        type_calls(master.port).await,
        type_calls(replica.port).await,
    );
    let nodes = dcs_analyzer::prepare(TaskKind::Bigkey, &target, &opts(AnalyzeOn::Replica))
        .await
        .unwrap();
    assert_eq!(nodes.len(), 1);
    assert!(nodes[0].is_replica());
    assert_eq!(
        (nodes[0].addr.clone(), nodes[0].shard.clone()),
        (replica.addr(), master.addr())
    );
    let on_replica =
        dcs_analyzer::bigkeys::analyze(&target, &ScanOptions::default(), &Control::new().0)
            .await
            .unwrap();
    assert!(
        type_calls(replica.port).await > r0,
        "the replica did the work"
    );
    assert_eq!(on_replica.sources, [dcs_analyzer::Source::Snapshot]);
    assert_eq!(
        type_calls(master.port).await,
        m0,
        "the master did none of it"
    );
    assert!(
        on_replica.keys.iter().all(|k| k.shard == master.addr()),
        "shard names the master"
    );

    let on_master =
        dcs_analyzer::bigkeys::analyze(&target, &opts(AnalyzeOn::Master), &Control::new().0)
            .await
            .unwrap();
    assert!(type_calls(master.port).await > m0, "told: the master");
    assert_eq!(
        on_master.keys, on_replica.keys,
        "the same answer either way"
    );

    // No healthy replica: the master.
    replica.kill();
    let nodes = dcs_analyzer::prepare(TaskKind::Bigkey, &target, &opts(AnalyzeOn::Replica))
        .await
        .unwrap();
    assert!(!nodes[0].is_replica(), "fell back to the master");
    // Hot keys and expired keys never read a replica.
    for kind in [TaskKind::Expire] {
        let nodes = dcs_analyzer::prepare(kind, &target, &ScanOptions::default())
            .await
            .unwrap();
        assert!(!nodes[0].is_replica());
    }
}

#[tokio::test]
async fn cluster_big_keys_run_on_the_replicas_and_the_rest_on_masters() {
    let cluster =
        RedisCluster::start_with_replicas(3, &dcs_analyzer::server::DETERMINISTIC_LFU).unwrap();
    let masters = cluster.with_role("master");
    let replicas = cluster.with_role("slave");
    assert_eq!((masters.len(), replicas.len()), (3, 3));
    for i in 0..200 {
        cluster_write(&cluster, |c| {
            c.arg("RPUSH")
                .arg(format!("list:{i}"))
                .arg(vec!["x"; i % 5 + 1]);
        })
        .await;
    }
    for r in &replicas {
        r.wait_in_sync().unwrap();
    }
    let target = Target::Cluster(cluster.urls());
    let master_calls = |ports: Vec<u16>| async move {
        let mut total = 0;
        for p in ports {
            total += type_calls(p).await;
        }
        total
    };
    let master_ports: Vec<u16> = masters.iter().map(|m| m.port).collect();
    let replica_ports: Vec<u16> = replicas.iter().map(|r| r.port).collect();
    let before = (
        master_calls(master_ports.clone()).await,
        master_calls(replica_ports.clone()).await,
    );

    let nodes = dcs_analyzer::prepare(TaskKind::Bigkey, &target, &ScanOptions::default())
        .await
        .unwrap();
    assert_eq!(nodes.len(), 3);
    assert!(nodes.iter().all(|n| n.is_replica()), "{nodes:?}");
    let mut shards: Vec<String> = nodes.iter().map(|n| n.shard.clone()).collect();
    shards.sort();
    let mut master_addrs: Vec<String> = masters.iter().map(|m| m.addr()).collect();
    master_addrs.sort();
    assert_eq!(
        shards, master_addrs,
        "one replica per master, named by its master"
    );

    let report =
        dcs_analyzer::bigkeys::analyze(&target, &ScanOptions::default(), &Control::new().0)
            .await
            .unwrap();
    assert_eq!(report.scanned_keys, 200, "{:?}", report.sources);
    assert_eq!(report.sources, [dcs_analyzer::Source::Snapshot; 3]);
    assert_eq!(
        report.keys.len(),
        dcs_analyzer::bigkeys::TOP_PER_COLLECTION_TYPE
    );
    assert_eq!(
        master_calls(master_ports.clone()).await,
        before.0,
        "masters untouched"
    );
    assert!(
        master_calls(replica_ports).await >= before.1 + 3,
        "replicas did it"
    );
    let analyzed = dcs_analyzer::analysis::analyzed_on(&nodes);
    assert!(analyzed
        .iter()
        .all(|n| n.role == "replica" && n.node != n.shard));

    // Fast mode reads the replicas too, each batch by one script (it writes nothing, so a
    // replica runs it); the masters run none.
    let fast = ScanOptions {
        pace: dcs_analyzer::pace::Pace::Fast,
        ..Default::default()
    };
    let again = dcs_analyzer::bigkeys::analyze(&target, &fast, &Control::new().0)
        .await
        .unwrap();
    assert_eq!(again.keys, report.keys);
    for (servers, ran) in [(&replicas, true), (&masters, false)] {
        for s in servers.iter() {
            let (calls, refused) = eval_calls(&mut connect(&s.url(), 0).await).await;
            assert_eq!((calls > 0, refused), (ran, 0), "{}", s.addr());
        }
    }

    for kind in [TaskKind::Hotkey, TaskKind::Expire] {
        let nodes = dcs_analyzer::prepare(kind, &target, &ScanOptions::default())
            .await
            .unwrap();
        assert!(
            nodes.iter().all(|n| !n.is_replica()),
            "{kind} stays on masters"
        );
    }
}
