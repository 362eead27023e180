//! Component tests and the render benchmark, in headless Chromium (`make test-components`):
//! real components mounted into the page, read back through the DOM.

use crate::api::{decode, ApiError};
use crate::components::error_banner::ErrorBanner;
use crate::components::poll::should_poll;
use crate::keytable::KeyRow;
use crate::pages::keys::start_bar::{blocked_reason, StartBar};
use crate::pages::keys::task_detail::{TaskDetail, TaskView};
use dcs_api::config::ListConfigurationsResponse;
use dcs_api::task::TaskList;
use dcs_api::TaskKind;
use dcs_api::{KeyType, KeyUnit, TaskStatus, Timestamp};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Mounts `view` into a fresh element of the page and returns that element.
fn mount<V: IntoView + 'static>(view: impl FnOnce() -> V + 'static) -> web_sys::HtmlElement {
    let host: web_sys::HtmlElement = document().create_element("div").unwrap().unchecked_into();
    document().body().unwrap().append_child(&host).unwrap();
    leptos::mount::mount_to(host.clone(), view).forget();
    host
}

fn find(host: &web_sys::HtmlElement, css: &str) -> Option<web_sys::Element> {
    host.query_selector(css).unwrap()
}

fn configs(policy: &str) -> ListConfigurationsResponse {
    serde_json::from_value(serde_json::json!({
        "instance_id": "lru",
        "redis_config": [{ "param_id": "1", "param_name": "maxmemory-policy", "param_value": policy }]
    }))
    .unwrap()
}

fn time(s: &str) -> Timestamp {
    Timestamp(dcs_api::time::parse_timestamp(s).unwrap())
}

fn task(status: TaskStatus, keys: usize) -> TaskView {
    TaskView {
        id: "t1".into(),
        status,
        created_at: time("2026-11-23T08:00:00.000Z"),
        started_at: Some(time("2026-11-23T08:00:01.000Z")),
        finished_at: status
            .is_terminal()
            .then(|| time("2026-11-23T08:00:03.000Z")),
        progress: (status == TaskStatus::Running).then_some(40),
        scanned_keys: Some(keys as u64 * 10),
        error_msg: None,
        rows: (status == TaskStatus::Success).then(|| rows(keys)),
        replicas: vec![],
        snapshots: vec![],
        thresholds: Default::default(),
        fast: false,
    }
}

fn rows(n: usize) -> Vec<KeyRow> {
    (0..n)
        .map(|i| KeyRow {
            name: format!("key:{i:05}"),
            key_type: [KeyType::String, KeyType::Hash, KeyType::List][i % 3],
            shard: format!("10.0.0.{}:6379", i % 3 + 1),
            db: 0,
            size: 100 + i as u64,
            unit: KeyUnit::Byte,
            freq: Some(255 - (i * 250 / n.max(1)) as u32),
            memory: None,
        })
        .collect()
}

#[wasm_bindgen_test]
async fn start_is_disabled_with_the_reason_on_an_lru_instance() {
    let host = mount(|| {
        view! {
            <StartBar
                kind=TaskKind::Hotkey
                blocked=Signal::derive(|| blocked_reason(
                    TaskKind::Hotkey,
                    Some(Ok(configs("allkeys-lru"))),
                ))
                busy=Signal::derive(|| false)
                on_start=Callback::new(|()| ())
            />
        }
    });
    leptos::task::tick().await;
    let button = find(&host, "[data-testid=start-hotkey-task]").expect("start button");
    assert!(button.has_attribute("disabled"), "start must be disabled");
    let reason = find(&host, ".reason")
        .expect("a reason")
        .text_content()
        .unwrap();
    assert!(
        reason.contains("allkeys-lru") && reason.contains("allkeys-lfu"),
        "{reason}"
    );

    // The same bar on an LFU instance is enabled and says nothing.
    let host = mount(|| {
        view! {
            <StartBar
                kind=TaskKind::Hotkey
                blocked=Signal::derive(|| blocked_reason(
                    TaskKind::Hotkey,
                    Some(Ok(configs("allkeys-lfu"))),
                ))
                busy=Signal::derive(|| false)
                on_start=Callback::new(|()| ())
            />
        }
    });
    leptos::task::tick().await;
    assert!(!find(&host, "[data-testid=start-hotkey-task]")
        .unwrap()
        .has_attribute("disabled"));
    assert!(find(&host, ".reason").is_none());
}

#[wasm_bindgen_test]
async fn progress_shows_while_running_and_stops_at_a_terminal_state() {
    let shown = RwSignal::new(task(TaskStatus::Running, 0));
    let (now, _) = signal(0i64);
    let host = mount(move || {
        view! {
            {move || {
                view! { <TaskDetail task=shown.get() kind=TaskKind::Hotkey log_factor=10 now /> }
            }}
        }
    });
    leptos::task::tick().await;
    assert!(
        find(&host, "[data-testid=task-progress] progress").is_some(),
        "a progress bar while running"
    );
    // The documented DCS example list, with the status under test.
    let list = |status: &str| -> Option<Result<TaskList, ApiError>> {
        let body = include_str!("../crates/dcs-api/tests/fixtures/list-hotkey-tasks.200.json")
            .replace("\"success\"", &format!("\"{status}\""));
        Some(decode::<TaskList>(200, &body))
    };
    let busy = |l: &TaskList| l.records.iter().any(|r| !r.status.is_terminal());
    assert!(should_poll(list("running"), busy), "polls while running");

    shown.set(task(TaskStatus::Success, 20));
    leptos::task::tick().await;
    assert!(
        find(&host, "[data-testid=task-progress]").is_none(),
        "no progress bar after success"
    );
    assert!(
        find(&host, "[data-testid=hotkey-chart]").is_some(),
        "the result is drawn"
    );
    assert!(
        find(&host, "[data-testid=read-on-replicas]").is_none(),
        "read on the masters: nothing to say"
    );
    assert!(
        find(&host, "[data-testid=read-from-snapshot]").is_none(),
        "scanned online: nothing to say"
    );
    // A big-key task read on replicas says which, and which nodes it read a snapshot of.
    let mut big = task(TaskStatus::Success, 5);
    let on = r#"{"id":"t1","instance_id":"i","status":"success","scan_type":"manual","created_at":"2026-11-23T08:00:00.000Z","analyzed_on":[{"shard":"10.0.0.1:6379","node":"10.0.0.4:6379","role":"replica","source":"snapshot"},{"shard":"10.0.0.2:6379","node":"10.0.0.2:6379","role":"master","source":"online"}]}"#;
    let read = crate::pages::keys::task_detail::read_task(200, on).unwrap();
    (big.replicas, big.snapshots) = (read.replicas, read.snapshots);
    shown.set(big);
    leptos::task::tick().await;
    let text = |id: &str| {
        find(&host, &format!("[data-testid={id}]"))
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    };
    assert_eq!(
        text("read-on-replicas"),
        "Read on replicas: 10.0.0.4:6379 (of 10.0.0.1:6379)"
    );
    assert_eq!(
        text("read-from-snapshot"),
        "Read from a snapshot: 10.0.0.4:6379"
    );
    assert!(
        !should_poll(list("success"), busy),
        "polling stops at success"
    );
    assert!(
        !should_poll(list("failed"), busy),
        "polling stops at failed"
    );
}

#[wasm_bindgen_test]
async fn a_malformed_response_shows_the_error_banner() {
    let error = decode::<TaskList>(200, "{\"count\": \"many\"").unwrap_err();
    assert!(matches!(error, ApiError::Malformed(_)), "{error:?}");
    let host = mount(move || view! { <ErrorBanner error /> });
    leptos::task::tick().await;
    let banner = find(&host, "[data-testid=error-banner]")
        .expect("the banner")
        .text_content()
        .unwrap();
    assert!(banner.contains("Unexpected response"), "{banner}");
}

/// Render benchmark: mount a finished hot-key result (chart + table) of `n` keys and wait for
/// layout. Medians of 5, printed; BENCHMARKS.md records them. Budgets: 1,000 keys < 100 ms.
#[wasm_bindgen_test]
async fn render_benchmark() {
    let perf = window().performance().unwrap();
    // The first mount warms the JIT up; it is not counted.
    for n in [100, 1_000, 10_000] {
        let mut mounts = Vec::new();
        let mut sorts = Vec::new();
        for _ in 0..5 {
            let t = task(TaskStatus::Success, n);
            let (now, _) = signal(0i64);
            let start = perf.now();
            let host = mount(
                move || view! { <TaskDetail task=t kind=TaskKind::Hotkey log_factor=10 now /> },
            );
            let _ = host.offset_height(); // forces style and layout
            mounts.push(perf.now() - start);
            // What was measured: the chart, and the table's first page (the rest on demand).
            let shown = host
                .query_selector_all("[data-testid=key-table] tbody tr")
                .unwrap()
                .length();
            assert_eq!(
                shown as usize,
                n.min(200),
                "{n} keys: rows rendered at first"
            );
            assert!(find(&host, "[data-testid=hotkey-chart] .bar").is_some());
            // Re-sort all n keys by name (a header click) and lay out again.
            let header: web_sys::HtmlElement =
                find(&host, "[data-testid=key-table] thead .th-button")
                    .unwrap()
                    .unchecked_into();
            let start = perf.now();
            header.click();
            leptos::task::tick().await;
            let _ = host.offset_height();
            sorts.push(perf.now() - start);
            host.remove();
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        if n == 100 {
            continue;
        }
        console_log!(
            "render benchmark: {n} keys: mount + layout {:.1} ms, re-sort {:.1} ms (medians of 5)",
            median(&mut mounts),
            median(&mut sorts)
        );
    }
}

fn big_rows(sizes: &[(KeyType, u64)]) -> Vec<KeyRow> {
    sizes
        .iter()
        .enumerate()
        .map(|(i, (t, size))| KeyRow {
            name: format!("big:{i}"),
            key_type: *t,
            shard: "10.0.0.1:6379".into(),
            db: 0,
            size: *size,
            unit: t.unit(),
            freq: None,
            memory: None,
        })
        .collect()
}

fn texts(host: &web_sys::HtmlElement, css: &str) -> Vec<String> {
    let list = host.query_selector_all(css).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i)?.text_content())
        .collect()
}

#[wasm_bindgen_test]
async fn big_keys_over_the_thresholds_are_flagged_counted_and_told_what_to_do() {
    use dcs_api::task::KeyThresholds;
    let mut t = task(TaskStatus::Success, 0);
    t.rows = Some(big_rows(&[
        (KeyType::String, 20_000),
        (KeyType::String, 100),
        (KeyType::Hash, 6_000),
        (KeyType::List, 4_000),
    ]));
    let shown = RwSignal::new(t.clone());
    let (now, _) = signal(0i64);
    let host = mount(move || {
        view! {
            {move || {
                view! { <TaskDetail task=shown.get() kind=TaskKind::Bigkey log_factor=10 now /> }
            }}
        }
    });
    leptos::task::tick().await;
    let summary = texts(&host, "[data-testid=over-threshold]").join("");
    assert!(
        summary.starts_with("2 of 4 keys exceed the big-key thresholds (strings over 10.0 KiB, collections over 5000 elements)"),
        "DCS's defaults: {summary}"
    );
    let flagged = texts(&host, "tr.over th.key-name code");
    assert_eq!(flagged.len(), 2, "{flagged:?}");
    let advice = texts(&host, "[data-testid=over-flag]");
    assert!(advice.iter().any(|a| a.contains("HSCAN")), "{advice:?}");
    // The strings' chart speaks bytes on its axis.
    let ticks = texts(&host, "[data-testid=bigkey-chart] .tick");
    assert!(ticks.iter().any(|t| t.ends_with("KiB")), "{ticks:?}");
    // An instance that flags collections over 1,000 elements flags the list too.
    t.thresholds = KeyThresholds {
        big_elements: 1_000,
        ..KeyThresholds::default()
    };
    shown.set(t);
    leptos::task::tick().await;
    let summary = texts(&host, "[data-testid=over-threshold]").join("");
    assert!(summary.starts_with("3 of 4 keys exceed"), "{summary}");
}

#[wasm_bindgen_test]
async fn the_hot_key_chart_plots_accesses_on_a_log_axis_and_explains_itself() {
    let mut t = task(TaskStatus::Success, 0);
    let mut hot = rows(3);
    for (r, f) in hot.iter_mut().zip([255, 200, 140]) {
        r.freq = Some(f);
    }
    t.rows = Some(hot);
    let (now, _) = signal(0i64);
    let host =
        mount(move || view! { <TaskDetail task=t kind=TaskKind::Hotkey log_factor=10 now /> });
    leptos::task::tick().await;
    let ticks = texts(&host, "[data-testid=hotkey-chart] .tick");
    for power in ["1", "10", "100", "1K", "10K", "100K", "1M"] {
        assert!(ticks.iter().any(|t| t == power), "{power} in {ticks:?}");
    }
    let legend = texts(&host, "[data-testid=hotkey-legend]").join("");
    assert!(
        legend.contains("logarithmic")
            && legend.contains("≥ ~1M")
            && legend.contains("lfu-log-factor (10)"),
        "{legend}"
    );
    let widths: Vec<u64> = {
        let list = host
            .query_selector_all("[data-testid=hotkey-chart] rect.bar")
            .unwrap();
        (0..list.length())
            .filter_map(|i| {
                list.item(i)?
                    .unchecked_into::<web_sys::Element>()
                    .get_attribute("width")?
                    .parse()
                    .ok()
            })
            .collect()
    };
    // ≥ 1M accesses against ~90K: a bar about 1.2× as long (log), not 1.8× (255 / 140).
    assert_eq!(widths.len(), 3, "{widths:?}");
    assert!(widths[0] * 10 < widths[2] * 13, "{widths:?}");
    let values = texts(&host, "[data-testid=hotkey-chart] .bar-value");
    assert_eq!(values[0], "≥ ~1M (counter 255)");
}

#[wasm_bindgen_test]
async fn a_stale_error_goes_once_its_condition_has_changed() {
    use crate::components::error_banner::TransientError;
    let state = RwSignal::new(String::from("t1:running"));
    let error = RwSignal::new(None::<(ApiError, String)>);
    let host = mount(move || view! { <TransientError error state=state.into() /> });
    error.set(Some((
        ApiError::Unreachable("refused".into()),
        state.get_untracked(),
    )));
    leptos::task::tick().await;
    assert!(find(&host, "[data-testid=error-banner]").is_some(), "shown");
    state.set("t1:success".into());
    leptos::task::tick().await;
    assert!(
        find(&host, "[data-testid=error-banner]").is_none(),
        "the task that blocked the start has ended: the banner goes"
    );
}

#[wasm_bindgen_test]
async fn long_key_tables_paginate() {
    use crate::components::key_table::KeyTable;
    let all = rows(450);
    let host = mount(move || view! { <KeyTable rows=all hot=true log_factor=10 /> });
    leptos::task::tick().await;
    assert_eq!(texts(&host, "[data-testid=key-table] tbody tr").len(), 200);
    let pager = texts(&host, "[data-testid=key-table-pages] span").join("");
    assert_eq!(pager, "Rows 1–200 of 450");
    let next: web_sys::HtmlElement = find(&host, "[data-testid=key-table-pages] button:last-child")
        .unwrap()
        .unchecked_into();
    next.click();
    next.click();
    leptos::task::tick().await;
    assert_eq!(
        texts(&host, "[data-testid=key-table-pages] span").join(""),
        "Rows 401–450 of 450"
    );
    let first = texts(&host, "[data-testid=key-table] tbody tr td:first-child");
    assert_eq!((first.len(), first[0].as_str()), (50, "401"));
}

#[wasm_bindgen_test]
async fn a_scan_that_reclaimed_nothing_is_drawn() {
    use crate::charts::columns::{Column, ColumnChart};
    let columns = vec![Column {
        label: "11-25 15:42".into(),
        value: 0,
        title: "0 keys reclaimed".into(),
    }];
    let host = mount(move || view! { <ColumnChart columns caption="c" testid="expired-chart" /> });
    leptos::task::tick().await;
    let bar = find(&host, "[data-testid=expired-chart] rect.bar").expect("a column");
    assert_eq!(bar.get_attribute("height").as_deref(), Some("2"));
    assert_eq!(
        texts(&host, "[data-testid=expired-chart] .tick")
            .iter()
            .filter(|t| *t == "11-25 15:42")
            .count(),
        1
    );
}
