//! The console's readers (`json.rs`, `wire.rs`, the pages' views) against `dcs-api`'s serde
//! derives, in Chromium (`make test-components`): every shape the console reads, with every
//! optional field set, is serialised as the proxy would send it and must read back equal — so a
//! field renamed, added as required, or retyped in `dcs-api` fails here. (The key-space
//! page's view has its test beside it, in `pages/keyspace`.)

use crate::api::{decode, ApiError};
use crate::json::FromJson;
use dcs_api::backup::{BackupList, BackupRecord};
use dcs_api::config::{ListConfigurationsResponse, QueryRedisConfig};
use dcs_api::console::ConsoleConfig;
use dcs_api::expire::{ExpireAutoscanConfig, ExpireScanHistory, ExpireScanTask};
use dcs_api::instance::{InstanceListInfo, ListInstancesResponse};
use dcs_api::key::KeyDetails;
use dcs_api::keyspace::{KeyAnalysisList, KeyAnalysisRecord, NodeInfo, NodeList};
use dcs_api::schedule::AutoscanConfig;
use dcs_api::task::{AnalysisTask, AnalyzedNode, HotkeyEntry, KeyThresholds, TaskList, TaskRecord};
use dcs_api::{KeyType, KeyUnit, ScanType, TaskStatus, Timestamp};
use serde::Serialize;
use std::fmt::Debug;
use wasm_bindgen_test::*;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms).unwrap()
}

/// `value` as the proxy sends it, read back by the console.
fn round_trip<T: Serialize + FromJson + PartialEq + Debug>(value: T) {
    let text = serde_json::to_string(&value).unwrap();
    let back: T = decode(200, &text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(back, value, "{text}");
}

#[wasm_bindgen_test]
fn every_shape_the_console_reads_reads_back_equal() {
    round_trip(ConsoleConfig {
        api_base: "https://proxy.example".into(),
        project_id: "p1".into(),
        mode: Some("cloud".into()),
        region: Some("eu-de".into()),
    });
    round_trip(ListInstancesResponse {
        instance_num: 1,
        instances: vec![InstanceListInfo {
            instance_id: "i".into(),
            name: "orders".into(),
            engine: "Redis".into(),
            engine_version: "7.0".into(),
            status: "RUNNING".into(),
            ip: "10.0.0.1".into(),
            port: 6379,
            capacity: 2,
            capacity_minor: Some(".125".into()),
            max_memory: 2048,
            used_memory: 12,
            spec_code: "redis.single".into(),
            description: Some("d".into()),
            cache_mode: Some("cluster".into()),
            sharding_count: Some(3),
            maxmemory_policy: Some("allkeys-lfu".into()),
            pace: Some(dcs_api::Pace::Gentle),
            fast_allowed: Some(true),
        }],
    });
    round_trip(ListConfigurationsResponse {
        config_time: Some("t".into()),
        instance_id: "i".into(),
        redis_config: vec![QueryRedisConfig {
            param_id: "1".into(),
            param_name: "maxmemory-policy".into(),
            param_value: "allkeys-lfu".into(),
            value_type: "enum".into(),
            value_range: "a | b".into(),
            default_value: "noeviction".into(),
            description: "policy".into(),
        }],
        config_status: Some("SUCCESS".into()),
        status: Some("RUNNING".into()),
    });
    round_trip(TaskList {
        instance_id: "i".into(),
        count: 1,
        records: vec![TaskRecord {
            id: "t".into(),
            instance_id: Some("i".into()),
            scan_type: ScanType::Auto,
            status: TaskStatus::Running,
            created_at: at(1_700_000_000_123),
            started_at: Some(at(1_700_000_001_000)),
            finished_at: Some(at(1_700_000_002_000)),
            progress: Some(40),
            error_msg: Some("e".into()),
        }],
    });
    round_trip(AutoscanConfig {
        instance_id: "i".into(),
        enable_auto_scan: true,
        schedule_at: vec!["08:00".into(), "20:30".into()],
        updated_at: Some(at(5)),
    });
    let scan = ExpireScanTask {
        id: "e".into(),
        instance_id: "i".into(),
        status: TaskStatus::Success,
        scan_type: ScanType::Manual,
        num: Some(7),
        created_at: at(1),
        started_at: Some(at(2)),
        finished_at: Some(at(3)),
        progress: Some(100),
        scanned_keys: Some(70),
        error_msg: Some("e".into()),
        pace: Some(dcs_api::Pace::Fast),
        analyzed_on: Some(vec![AnalyzedNode {
            shard: "10.0.0.1:6379".into(),
            node: "10.0.0.1:6379".into(),
            role: "master".into(),
            backup_id: None,
            source: Some("snapshot".into()),
        }]),
    };
    round_trip(ExpireScanHistory {
        instance_id: "i".into(),
        total: 1,
        count: 1,
        records: vec![scan],
    });
    round_trip(ExpireAutoscanConfig {
        instance_id: "i".into(),
        enable_auto_scan: true,
        first_scan_at: Some(at(9)),
        interval: 3600,
        timeout: 7200,
        scan_keys_count: 100,
        updated_at: Some(at(10)),
    });
    round_trip(NodeList {
        instance_id: "i".into(),
        total: 1,
        nodes: vec![NodeInfo {
            logical_node_id: "n".into(),
            name: "10.0.0.1:6379".into(),
            status: "Active".into(),
            node_role: "slave".into(),
            node_type: "redis-server".into(),
            node_ip: "10.0.0.1".into(),
            node_port: "6379".into(),
            node_id: "n".into(),
            is_access: true,
            group_id: "g".into(),
            group_name: "10.0.0.2:6379".into(),
        }],
    });
    round_trip(BackupList {
        total_num: 1,
        backup_record_response: vec![BackupRecord {
            backup_id: "b".into(),
            backup_name: "b".into(),
            instance_id: "i".into(),
            size: 100,
            backup_type: "manual".into(),
            created_at: at(1),
            updated_at: at(2),
            status: "succeed".into(),
            remark: "r".into(),
            error_msg: Some("e".into()),
            is_support_restore: "FALSE".into(),
            backup_format: "rdb".into(),
        }],
    });
    round_trip(KeyAnalysisList {
        instance_id: "i".into(),
        total: 1,
        records: vec![KeyAnalysisRecord {
            id: "k".into(),
            status: TaskStatus::Failed,
            created_at: at(1),
            started_at: Some(at(2)),
            finished_at: Some(at(3)),
            progress: Some(100),
            error_msg: Some("e".into()),
        }],
    });
    round_trip(KeyDetails {
        name: "bin\\xff".into(),
        db: 3,
        shard: "10.0.0.1:6379".into(),
        key_type: KeyType::Zset,
        encoding: "listpack".into(),
        ttl: Some(60),
        size: 2,
        unit: KeyUnit::Count,
        memory_usage: Some(96),
        elements: vec!["a (1)".into()],
        elements_note: Some("n".into()),
        actions_allowed: true,
    });
}

#[wasm_bindgen_test]
fn a_hot_key_task_reads_as_the_page_shows_it() {
    let task = AnalysisTask::<HotkeyEntry> {
        id: "t".into(),
        instance_id: "i".into(),
        status: TaskStatus::Success,
        scan_type: ScanType::Manual,
        created_at: at(1),
        started_at: Some(at(2)),
        finished_at: Some(at(3)),
        num: Some(1),
        keys: Some(vec![HotkeyEntry {
            name: "k".into(),
            key_type: KeyType::Hash,
            shard: "10.0.0.1:6379".into(),
            db: 1,
            size: 5,
            unit: KeyUnit::Count,
            freq: 200,
            qps: None,
            name_bytes: None,
        }]),
        progress: Some(100),
        scanned_keys: Some(10),
        error_msg: None,
        analyzed_on: Some(vec![AnalyzedNode {
            shard: "10.0.0.1:6379".into(),
            node: "10.0.0.2:6379".into(),
            role: "replica".into(),
            backup_id: None,
            source: Some("snapshot".into()),
        }]),
        thresholds: Some(KeyThresholds {
            big_string_bytes: 1,
            big_elements: 2,
            hot_min_freq: 7,
        }),
        pace: Some(dcs_api::Pace::Fast),
    };
    let view =
        crate::pages::keys::task_detail::read_task(200, &serde_json::to_string(&task).unwrap())
            .unwrap();
    assert_eq!(
        (view.id.as_str(), view.finished_at, view.scanned_keys),
        ("t", Some(at(3)), Some(10))
    );
    let row = &view.rows.unwrap()[0];
    assert_eq!(
        (row.name.as_str(), row.key_type, row.db, row.size, row.freq),
        ("k", KeyType::Hash, 1, 5, Some(200))
    );
    assert_eq!(view.replicas, ["10.0.0.2:6379 (of 10.0.0.1:6379)"]);
    assert_eq!((view.thresholds.hot_min_freq, view.fast), (7, true));
}

#[wasm_bindgen_test]
fn a_missing_or_mistyped_field_is_malformed_and_named() {
    let cases = [
        (r#"{"instance_id":"i","count":1}"#, None),
        (
            r#"{"instance_id":"i","count":"1","records":[]}"#,
            Some("count"),
        ),
        (
            r#"{"instance_id":"i","count":1,"records":{}}"#,
            Some("records"),
        ),
        (
            r#"{"instance_id":"i","count":1,"records":[{"id":"t","scan_type":"manual","status":"done","created_at":"2026-01-01T00:00:00Z"}]}"#,
            Some("status"),
        ),
        (
            r#"{"instance_id":"i","count":1,"records":[{"id":"t","scan_type":"manual","status":"success","created_at":"yesterday"}]}"#,
            Some("created_at"),
        ),
    ];
    for (text, field) in cases {
        match (decode::<TaskList>(200, text), field) {
            // No records field: an empty list, as serde's default.
            (Ok(list), None) => assert!(list.records.is_empty()),
            (Err(ApiError::Malformed(why)), Some(f)) => assert!(why.contains(f), "{why}"),
            (other, _) => panic!("{text}: {other:?}"),
        }
    }
}

/// A 10,000-key hot-key answer read by the console's reader and, in the same run, by serde_json
/// into `dcs-api`'s own type (what the console used before): medians of 5, and their ratio.
#[wasm_bindgen_test]
fn decode_benchmark() {
    let key = |i: usize| HotkeyEntry {
        name: format!("orders:{i:06}"),
        key_type: KeyType::Hash,
        shard: "10.0.0.1:6379".into(),
        db: 0,
        size: i as u64,
        unit: KeyUnit::Count,
        freq: (i % 255) as u32,
        qps: None,
        name_bytes: None,
    };
    let task = AnalysisTask::<HotkeyEntry> {
        id: "t".into(),
        instance_id: "i".into(),
        status: TaskStatus::Success,
        scan_type: ScanType::Manual,
        created_at: at(1),
        started_at: Some(at(2)),
        finished_at: Some(at(3)),
        num: Some(10_000),
        keys: Some((0..10_000).map(key).collect()),
        progress: None,
        scanned_keys: None,
        error_msg: None,
        analyzed_on: None,
        thresholds: None,
        pace: None,
    };
    let text = serde_json::to_string(&task).unwrap();
    let perf = web_sys::window().unwrap().performance().unwrap();
    let median = |f: &dyn Fn() -> usize| {
        let mut runs: Vec<f64> = (0..6)
            .map(|_| {
                let start = perf.now();
                assert_eq!(f(), 10_000);
                perf.now() - start
            })
            .skip(1) // warm-up
            .collect();
        runs.sort_by(f64::total_cmp);
        runs[runs.len() / 2]
    };
    let ours = median(&|| {
        crate::pages::keys::task_detail::read_task(200, &text)
            .unwrap()
            .rows
            .unwrap()
            .len()
    });
    let serde = median(&|| {
        serde_json::from_str::<AnalysisTask<HotkeyEntry>>(&text)
            .unwrap()
            .keys
            .unwrap()
            .len()
    });
    console_log!(
        "decode benchmark: 10000 keys ({} KB): reader {ours:.1} ms, serde_json {serde:.1} ms, ratio {:.2} (medians of 5)",
        text.len() / 1024,
        ours / serde
    );
}
