//! Every documented DCS example body in `tests/fixtures/` (copied from DCS's API reference)
//! deserialises into its wire type and serialises back to equal JSON.

use dcs_api::expire::{ExpireAutoscanConfig, ExpireScanTask};
use dcs_api::schedule::AutoscanConfig;
use dcs_api::task::{HotkeyTask, TaskList};
use dcs_api::ErrorBody;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use std::path::PathBuf;

/// The example bodies; the proxy's cloud tests and the console's component tests use them too.
fn api_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn round_trip<T: DeserializeOwned + Serialize>(file: &str) -> T {
    let path = api_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let original: Value = serde_json::from_str(&text).unwrap();
    let typed: T =
        serde_json::from_value(original.clone()).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(
        serde_json::to_value(&typed).unwrap(),
        original,
        "{file} does not round-trip"
    );
    typed
}

/// Which type each fixture is; a new fixture without an entry here fails the test.
fn check(file: &str) {
    match file {
        "create-expire-scan-task.200.json" => drop(round_trip::<ExpireScanTask>(file)),
        "create-hotkey-task.200.json" => {
            let t: HotkeyTask = round_trip(file);
            assert_eq!(
                (t.num, t.keys.is_none(), t.started_at.is_none()),
                (Some(0), true, true)
            );
        }
        "show-hotkey-task.200.json" => {
            let t: HotkeyTask = round_trip(file);
            let k = &t.keys.unwrap()[0];
            assert_eq!(
                (k.name.as_str(), k.size, k.freq),
                ("dcs-hotkey-test", 3000, 4)
            );
        }
        "list-hotkey-tasks.200.json" => assert_eq!(round_trip::<TaskList>(file).count, 1),
        "hotkey-autoscan.200.json" => {
            assert_eq!(round_trip::<AutoscanConfig>(file).schedule_at, ["21:00"])
        }
        "expire-autoscan-config.200.json" => {
            assert_eq!(round_trip::<ExpireAutoscanConfig>(file).interval, 86400)
        }
        f if f.ends_with(".400.json") => {
            let e: ErrorBody = round_trip(f);
            assert!(e.code().is_some(), "{f}: unknown code {}", e.error_code);
        }
        other => panic!("fixture {other} has no wire type in this test"),
    }
}

#[test]
fn every_fixture_round_trips() {
    let mut files: Vec<String> = std::fs::read_dir(api_dir())
        .unwrap_or_else(|e| panic!("{}: {e}", api_dir().display()))
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f.ends_with(".json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 8,
        "expected the documented fixtures, found {files:?}"
    );
    for f in &files {
        check(f);
    }
}

#[test]
fn unknown_fields_are_ignored() {
    let t: HotkeyTask = serde_json::from_str(
        r#"{"id":"a","instance_id":"b","status":"running","scan_type":"auto","created_at":"2020-06-15T02:21:18.669Z","brand_new":[1]}"#,
    )
    .unwrap();
    assert_eq!(t.status, dcs_api::TaskStatus::Running);
}
