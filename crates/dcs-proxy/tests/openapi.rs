//! `/openapi.json` is OpenAPI 3.1, lists exactly the routes the router serves, and real
//! responses fit the schemas it declares.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use common::*;
use dcs_proxy::openapi::OPERATIONS;
use serde_json::Value;

/// Checks `value` against `schema` for the properties that matter here: types, required fields,
/// no undeclared fields, enums, arrays; `$ref`s resolved in `doc`.
fn fits(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap();
        let target = &doc["components"]["schemas"][name];
        assert!(!target.is_null(), "{at}: unresolved {r}");
        return fits(doc, target, value, at);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alts) = schema[key].as_array() {
            return alts
                .iter()
                .find(|s| fits(doc, s, value, at).is_ok())
                .map(|_| ())
                .ok_or(format!("{at}: {value} fits no {key}"));
        }
    }
    if let Some(all) = schema["allOf"].as_array() {
        // flatten: every property of every part is declared
        let mut merged = serde_json::json!({"type":"object","properties":{},"required":[]});
        for part in all {
            let part = if let Some(r) = part["$ref"].as_str() {
                doc["components"]["schemas"][r.rsplit('/').next().unwrap()].clone()
            } else {
                part.clone()
            };
            for (k, v) in part["properties"].as_object().into_iter().flatten() {
                merged["properties"][k] = v.clone();
            }
            for r in part["required"].as_array().into_iter().flatten() {
                merged["required"].as_array_mut().unwrap().push(r.clone());
            }
        }
        return fits(doc, &merged, value, at);
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let ok_type = types.is_empty()
        || types.iter().any(|t| match *t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            _ => true,
        });
    if !ok_type {
        return Err(format!("{at}: {value} is not {types:?}"));
    }
    if let (Some(allowed), Some(s)) = (schema["enum"].as_array(), value.as_str()) {
        if !allowed.iter().any(|a| a == s) {
            return Err(format!("{at}: {s} not in {allowed:?}"));
        }
    }
    if let Some(obj) = value.as_object() {
        let props = schema["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for r in schema["required"].as_array().into_iter().flatten() {
            if !obj.contains_key(r.as_str().unwrap()) {
                return Err(format!("{at}: missing required {r}"));
            }
        }
        for (k, v) in obj {
            let s = props
                .get(k)
                .ok_or(format!("{at}: field {k} is not in the schema"))?;
            fits(doc, s, v, &format!("{at}.{k}"))?;
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), value.as_array()) {
        for (i, v) in arr.iter().enumerate() {
            fits(doc, items, v, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

fn response_schema(doc: &Value, method: &str, path: &str) -> Value {
    let op = &doc["paths"][format!("/v2/{{project_id}}{path}")][method.to_lowercase()];
    let (_, resp) = op["responses"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.starts_with('2'))
        .unwrap();
    resp["content"]["application/json"]["schema"].clone()
}

#[tokio::test]
async fn document_matches_the_router_and_real_responses() {
    let f = Fixture::new();
    let (status, doc) = f
        .send(Request::get("/openapi.json").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert_eq!(
        doc["paths"]
            .as_object()
            .unwrap()
            .values()
            .map(|p| p.as_object().unwrap().len())
            .sum::<usize>(),
        OPERATIONS.len()
    );
    // The documented limits are the enforced ones.
    let update = &doc["components"]["schemas"]["ExpireAutoscanUpdate"]["properties"];
    for field in ["interval", "timeout"] {
        assert_eq!(
            update[field]["maximum"].as_u64(),
            Some(dcs_api::expire::MAX_SCAN_SECONDS),
            "{field}: {}",
            update[field]
        );
    }

    // Every documented operation is routed (no 404 DCS.4001 or 405).
    for o in &OPERATIONS {
        let path = o
            .path
            .replace("{instance_id}", "lfu")
            .replace("{hotkey_id}", "no-such-task")
            .replace("{bigkey_id}", "no-such-task")
            .replace("{task_id}", "no-such-task");
        let body = o.body.map(|_| serde_json::json!({}));
        let (status, body) = f
            .call(
                Method::from_bytes(o.method.as_bytes()).unwrap(),
                &path,
                body,
            )
            .await;
        assert!(
            status != StatusCode::METHOD_NOT_ALLOWED && body["error_code"] != "DCS.4001",
            "{} {path}: {status} {body}",
            o.method
        );
    }

    // Real responses fit their schemas.
    let mut c = f.redis(&f.lfu.url()).await;
    let _: () = redis::cmd("SET")
        .arg("k")
        .arg("v")
        .query_async(&mut c)
        .await
        .unwrap();
    let check = |method: &str, path: &str, value: &Value| {
        fits(
            &doc,
            &response_schema(&doc, method, path),
            value,
            &format!("{method} {path}"),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    };
    check("GET", "/instances", &f.get("/instances").await.1);
    check(
        "GET",
        "/instances/{instance_id}/key-details",
        &f.get("/instances/lfu/key-details?name=k").await.1,
    );
    check(
        "GET",
        "/instances/{instance_id}/key-actions",
        &f.get("/instances/lfu/key-actions").await.1,
    );
    check(
        "GET",
        "/instances/{instance_id}",
        &f.get("/instances/lfu").await.1,
    );
    check(
        "GET",
        "/instances/{instance_id}/configs",
        &f.get("/instances/lfu/configs").await.1,
    );
    let (_, hot) = f
        .call(Method::POST, "/instances/lfu/hotkey-task", None)
        .await;
    check("POST", "/instances/{instance_id}/hotkey-task", &hot);
    let done = f
        .wait_terminal(&format!(
            "/instances/lfu/hotkey-task/{}",
            hot["id"].as_str().unwrap()
        ))
        .await;
    check(
        "GET",
        "/instances/{instance_id}/hotkey-task/{hotkey_id}",
        &done,
    );
    check(
        "GET",
        "/instances/{instance_id}/hotkey-tasks",
        &f.get("/instances/lfu/hotkey-tasks").await.1,
    );
    let (_, big) = f
        .call(Method::POST, "/instances/lfu/bigkey-task", None)
        .await;
    let done = f
        .wait_terminal(&format!(
            "/instances/lfu/bigkey-task/{}",
            big["id"].as_str().unwrap()
        ))
        .await;
    check(
        "GET",
        "/instances/{instance_id}/bigkey-task/{bigkey_id}",
        &done,
    );
    let (_, exp) = f
        .call(Method::POST, "/instances/lfu/scan-expire-keys-task", None)
        .await;
    check(
        "POST",
        "/instances/{instance_id}/scan-expire-keys-task",
        &exp,
    );
    check(
        "GET",
        "/instances/{instance_id}/auto-expire/histories",
        &f.get("/instances/lfu/auto-expire/histories").await.1,
    );
    check(
        "GET",
        "/instances/{instance_id}/hotkey/autoscan",
        &f.get("/instances/lfu/hotkey/autoscan").await.1,
    );
    check(
        "GET",
        "/instances/{instance_id}/scan-expire-keys/autoscan-config",
        &f.get("/instances/lfu/scan-expire-keys/autoscan-config")
            .await
            .1,
    );
    let error = f.get("/instances/nope").await.1;
    fits(
        &doc,
        &serde_json::json!({"$ref": "#/components/schemas/ErrorBody"}),
        &error,
        "error",
    )
    .unwrap();
}
