//! `/openapi.json`: an OpenAPI 3.1 document built from the same wire types the handlers return
//! (`dcs-api`'s `ToSchema` derives) and from [`OPERATIONS`], the table of routes `api::router`
//! serves (a test checks the two agree, and that real responses fit their schemas).

use dcs_api::backup::{BackupList, BackupRecord, CopyInstanceBody, CopyInstanceResponse};
use dcs_api::config::{
    ListConfigurationsResponse, ModifyRedisConfigBody, QueryRedisConfig, RedisConfig,
};
use dcs_api::expire::{
    ExpireAutoscanConfig, ExpireAutoscanUpdate, ExpireScanHistory, ExpireScanTask,
};
use dcs_api::instance::{InstanceListInfo, ListInstancesResponse};
use dcs_api::key::{KeyActionBody, KeyActionList, KeyActionRecord, KeyDetails};
use dcs_api::keyspace::{
    CreateKeyAnalysis, DbKeys, ElementBand, KeyAnalysisList, KeyAnalysisRecord, KeyAnalysisTask,
    KeyAnalysisTaskId, KeyspaceReport, LargestKey, LargestKeyPrefix, NodeInfo, NodeList,
    PrefixNode, TtlBand, TypeBytes, TypeNum,
};
use dcs_api::schedule::{AutoscanConfig, AutoscanConfigRequest};
use dcs_api::task::{
    AnalysisTask, AnalyzedNode, BigkeyEntry, HotkeyEntry, KeyThresholds, TaskList, TaskRecord,
};
use dcs_api::{ErrorBody, KeyActionKind, KeyType, KeyUnit, Pace, ScanType, TaskStatus, Timestamp};
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, Ref,
    Required, ResponseBuilder,
};
use utoipa::PartialSchema;

/// One API operation: method, path (under `/v2/{project_id}`), id, request and response schemas.
pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub id: &'static str,
    pub summary: &'static str,
    pub body: Option<&'static str>,
    pub status: u16,
    pub response: Option<&'static str>,
    /// Takes `?offset&limit&status`.
    pub paged: bool,
}

// One table row per call keeps OPERATIONS readable; the arguments are its columns.
#[allow(clippy::too_many_arguments)]
const fn op(
    method: &'static str,
    path: &'static str,
    id: &'static str,
    summary: &'static str,
    body: Option<&'static str>,
    status: u16,
    response: Option<&'static str>,
    paged: bool,
) -> Operation {
    Operation {
        method,
        path,
        id,
        summary,
        body,
        status,
        response,
        paged,
    }
}

const I: &str = "/instances/{instance_id}";

/// Operations this proxy adds to DCS's API: served in local mode, never forwarded in cloud mode.
pub const LOCAL_EXTENSIONS: [&str; 4] = [
    "StopExpireScanTask",
    "ShowKeyDetails",
    "CreateKeyAction",
    "ListKeyActions",
];

/// Every operation the API serves.
pub const OPERATIONS: [Operation; 32] = [
    op(
        "GET",
        "/instances",
        "ListInstances",
        "List instances with live facts",
        None,
        200,
        Some("ListInstancesResponse"),
        false,
    ),
    op(
        "GET",
        I,
        "ShowInstance",
        "Show one instance",
        None,
        200,
        Some("InstanceListInfo"),
        false,
    ),
    op(
        "GET",
        "/instances/{instance_id}/configs",
        "ListConfigurations",
        "Live analysis-related parameters",
        None,
        200,
        Some("ListConfigurationsResponse"),
        false,
    ),
    op(
        "PUT",
        "/instances/{instance_id}/configs",
        "UpdateConfigurations",
        "Change maxmemory-policy (when allowed)",
        Some("ModifyRedisConfigBody"),
        204,
        None,
        false,
    ),
    op(
        "POST",
        "/instances/{instance_id}/hotkey-task",
        "CreateHotkeyScanTask",
        "Start a hot-key analysis",
        None,
        200,
        Some("HotkeyTask"),
        false,
    ),
    op(
        "GET",
        "/instances/{instance_id}/hotkey-tasks",
        "ListHotKeyScanTasks",
        "Hot-key analyses, newest first",
        None,
        200,
        Some("TaskList"),
        true,
    ),
    op(
        "GET",
        "/instances/{instance_id}/hotkey-task/{hotkey_id}",
        "ShowHotkeyTaskDetails",
        "One hot-key analysis with its keys",
        None,
        200,
        Some("HotkeyTask"),
        false,
    ),
    op(
        "DELETE",
        "/instances/{instance_id}/hotkey-task/{hotkey_id}",
        "DeleteHotkeyScanTask",
        "Delete (and cancel) a hot-key analysis",
        None,
        200,
        Some("HotkeyTask"),
        false,
    ),
    op(
        "GET",
        "/instances/{instance_id}/hotkey/autoscan",
        "ShowHotkeyAutoscanConfig",
        "Daily hot-key schedule",
        None,
        200,
        Some("AutoscanConfig"),
        false,
    ),
    op(
        "PUT",
        "/instances/{instance_id}/hotkey/autoscan",
        "UpdateHotkeyAutoScanConfig",
        "Set the daily hot-key schedule",
        Some("AutoscanConfigRequest"),
        200,
        Some("AutoscanConfig"),
        false,
    ),
    op(
        "POST",
        "/instances/{instance_id}/bigkey-task",
        "CreateBigkeyScanTask",
        "Start a big-key analysis",
        None,
        200,
        Some("BigkeyTask"),
        false,
    ),
    op(
        "GET",
        "/instances/{instance_id}/bigkey-tasks",
        "ListBigkeyScanTasks",
        "Big-key analyses, newest first",
        None,
        200,
        Some("TaskList"),
        true,
    ),
    op(
        "GET",
        "/instances/{instance_id}/bigkey-task/{bigkey_id}",
        "ShowBigkeyScanTaskDetails",
        "One big-key analysis with its keys",
        None,
        200,
        Some("BigkeyTask"),
        false,
    ),
    op(
        "DELETE",
        "/instances/{instance_id}/bigkey-task/{bigkey_id}",
        "DeleteBigkeyScanTask",
        "Delete (and cancel) a big-key analysis",
        None,
        200,
        Some("BigkeyTask"),
        false,
    ),
    op(
        "GET",
        "/instances/{instance_id}/bigkey/autoscan",
        "ShowBigkeyAutoscanConfig",
        "Daily big-key schedule",
        None,
        200,
        Some("AutoscanConfig"),
        false,
    ),
    op(
        "PUT",
        "/instances/{instance_id}/bigkey/autoscan",
        "UpdateBigkeyAutoscanConfig",
        "Set the daily big-key schedule",
        Some("AutoscanConfigRequest"),
        200,
        Some("AutoscanConfig"),
        false,
    ),
    op(
        "POST",
        "/instances/{instance_id}/scan-expire-keys-task",
        "CreateAutoExpireScanTask",
        "Start an expired-key scan",
        None,
        200,
        Some("ExpireScanTask"),
        false,
    ),
    op(
        "DELETE",
        "/instances/{instance_id}/scan-expire-keys-task/{task_id}",
        "StopExpireScanTask",
        "Local extension: stop a running expired-key scan; its record stays, failed, with the keys reclaimed until then in num (a manual scan also stops by itself after 1 hour); with delete_record=true the record is deleted instead",
        None,
        200,
        Some("ExpireScanTask"),
        false,
    ),
    op(
        "POST",
        "/instances/{instance_id}/auto-expire/scan",
        "ScanExpireKey",
        "Start an expired-key scan (second documented path)",
        None,
        200,
        Some("ExpireScanTask"),
        false,
    ),
    op(
        "GET",
        "/instances/{instance_id}/auto-expire/histories",
        "ShowExpireKeyScanInfo",
        "Expired-key scan history",
        None,
        200,
        Some("ExpireScanHistory"),
        true,
    ),
    op(
        "GET",
        "/instances/{instance_id}/scan-expire-keys/autoscan-config",
        "ShowExpireAutoScanConfig",
        "Expired-key auto-scan",
        None,
        200,
        Some("ExpireAutoscanConfig"),
        false,
    ),
    op(
        "PUT",
        "/instances/{instance_id}/scan-expire-keys/autoscan-config",
        "UpdateExpireAutoScanConfig",
        "Set the expired-key auto-scan",
        Some("ExpireAutoscanUpdate"),
        200,
        Some("ExpireAutoscanConfig"),
        false,
    ),
    op(
        "GET",
        "/instances/{instance_id}/logical-nodes",
        "ShowNodesInformation",
        "The instance's nodes (masters and replicas), as the servers report them",
        None,
        200,
        Some("NodeList"),
        false,
    ),
    op(
        "POST",
        "/instances/{instance_id}/offline/key-analysis",
        "CreateOfflineKeyAnalysis",
        "Start a key-space analysis of one node (locally: a fresh snapshot when backup_id is left out)",
        Some("CreateKeyAnalysis"),
        200,
        Some("KeyAnalysisTaskId"),
        false,
    ),
    op(
        "GET",
        "/instances/{instance_id}/offline/key-analysis",
        "ListOfflineKeyAnalysisTask",
        "Key-space analyses, newest first",
        None,
        200,
        Some("KeyAnalysisList"),
        true,
    ),
    op(
        "GET",
        "/instances/{instance_id}/offline/key-analysis/{task_id}",
        "ShowOfflineKeyAnalysisTask",
        "One key-space analysis: its node, progress and report",
        None,
        200,
        Some("KeyAnalysisTask"),
        false,
    ),
    op(
        "DELETE",
        "/instances/{instance_id}/offline/key-analysis/{task_id}",
        "DeleteOfflineKeyAnalysisTask",
        "Delete (and cancel) a key-space analysis",
        None,
        200,
        Some("KeyAnalysisTaskId"),
        false,
    ),
    op(
        "POST",
        "/instances/{instance_id}/backups",
        "CopyInstance",
        "Back up the instance: an RDB snapshot of each master, kept in the data folder",
        Some("CopyInstanceBody"),
        200,
        Some("CopyInstanceResponse"),
        false,
    ),
    op(
        "GET",
        "/instances/{instance_id}/backups",
        "ListBackupRecords",
        "Backups, newest first",
        None,
        200,
        Some("BackupList"),
        true,
    ),
    op(
        "GET",
        "/instances/{instance_id}/key-details",
        "ShowKeyDetails",
        "Local extension: one key's type, encoding, TTL, size, MEMORY USAGE and first elements (bounded reads: a string's first 1024 bytes, at most 10 elements and only when MEMORY USAGE puts them at 40 KiB or less, each shown cut at 200 characters)",
        None,
        200,
        Some("KeyDetails"),
        false,
    ),
    op(
        "POST",
        "/instances/{instance_id}/key-actions",
        "CreateKeyAction",
        "Local extension: UNLINK a key, or set its TTL (EXPIRE), where the instance has allow_key_actions = true (else 403 DCS.2003); recorded before it is done",
        Some("KeyActionBody"),
        200,
        Some("KeyActionRecord"),
        false,
    ),
    op(
        "GET",
        "/instances/{instance_id}/key-actions",
        "ListKeyActions",
        "Local extension: the key actions done on the instance, newest first (the last 1000 are kept)",
        None,
        200,
        Some("KeyActionList"),
        true,
    ),
];

fn json_ref(name: &str) -> utoipa::openapi::Content {
    ContentBuilder::new()
        .schema(Some(Ref::from_schema_name(name)))
        .build()
}

fn method(m: &str) -> HttpMethod {
    match m {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        _ => HttpMethod::Delete,
    }
}

fn path_param(name: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Path)
        .required(Required::True)
        .schema(Some(String::schema()))
        .description(Some("1-36 characters of A-Z, a-z, 0-9 and -"))
        .build()
}

fn query_param(name: &str, description: &str) -> utoipa::openapi::path::Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .schema(Some(String::schema()))
        .description(Some(description))
        .build()
}

/// The whole document.
pub fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    for o in &OPERATIONS {
        let full = format!("/v2/{{project_id}}{}", o.path);
        let mut b = OperationBuilder::new()
            .operation_id(Some(o.id))
            .summary(Some(o.summary));
        for name in full
            .split('/')
            .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        {
            b = b.parameter(path_param(name));
        }
        if o.paged {
            b = b
                .parameter(query_param("offset", "Records to skip (default 0)"))
                .parameter(query_param("limit", "Page size, 1-1000 (default 10)"))
                .parameter(query_param(
                    "status",
                    "waiting | running | success | failed",
                ));
        }
        if matches!(
            o.id,
            "CreateHotkeyScanTask"
                | "CreateBigkeyScanTask"
                | "CreateAutoExpireScanTask"
                | "ScanExpireKey"
        ) {
            b = b.parameter(query_param(
                "pace",
                "Local extension: gentle | fast (fast only where the instance has allow_fast = true, else 403 DCS.2003); absent: the instance's pace",
            ));
        }
        if o.id == "ShowKeyDetails" {
            b = b
                .parameter(query_param(
                    "name",
                    "Required: the key's name as analyses report it (UTF-8, or escaped \\xNN for other bytes)",
                ))
                .parameter(query_param("db", "The key's database, 0-1023 (default 0)"));
        }
        if o.id == "StopExpireScanTask" {
            b = b.parameter(query_param(
                "delete_record",
                "true: delete the scan's record (stopping it first); default false: keep it",
            ));
        }
        if let Some(body) = o.body {
            b = b.request_body(Some(
                RequestBodyBuilder::new()
                    .content("application/json", json_ref(body))
                    .required(Some(Required::True))
                    .build(),
            ));
        }
        let ok = match o.response {
            Some(r) => ResponseBuilder::new()
                .description("Success")
                .content("application/json", json_ref(r))
                .build(),
            None => ResponseBuilder::new().description("Done, no body").build(),
        };
        let error = ResponseBuilder::new()
            .description("DCS error (4xx/5xx)")
            .content("application/json", json_ref("ErrorBody"))
            .build();
        b = b
            .response(o.status.to_string(), ok)
            .response("default", error);
        paths = paths.path(full, PathItem::new(method(o.method), b.build()));
    }
    let components = ComponentsBuilder::new()
        .schema("HotkeyTask", AnalysisTask::<HotkeyEntry>::schema())
        .schema("BigkeyTask", AnalysisTask::<BigkeyEntry>::schema())
        .schema_from::<HotkeyEntry>()
        .schema_from::<BigkeyEntry>()
        .schema_from::<AnalyzedNode>()
        .schema_from::<KeyThresholds>()
        .schema_from::<TaskRecord>()
        .schema_from::<TaskList>()
        .schema_from::<TaskStatus>()
        .schema_from::<ScanType>()
        .schema_from::<KeyType>()
        .schema_from::<KeyUnit>()
        .schema_from::<Timestamp>()
        .schema_from::<ExpireScanTask>()
        .schema_from::<ExpireScanHistory>()
        .schema_from::<ExpireAutoscanConfig>()
        .schema_from::<ExpireAutoscanUpdate>()
        .schema_from::<AutoscanConfig>()
        .schema_from::<AutoscanConfigRequest>()
        .schema_from::<InstanceListInfo>()
        .schema_from::<ListInstancesResponse>()
        .schema_from::<QueryRedisConfig>()
        .schema_from::<ListConfigurationsResponse>()
        .schema_from::<RedisConfig>()
        .schema_from::<ModifyRedisConfigBody>()
        .schema_from::<ErrorBody>()
        .schema_from::<CopyInstanceBody>()
        .schema_from::<CopyInstanceResponse>()
        .schema_from::<BackupRecord>()
        .schema_from::<BackupList>()
        .schema_from::<NodeInfo>()
        .schema_from::<NodeList>()
        .schema_from::<CreateKeyAnalysis>()
        .schema_from::<KeyAnalysisTaskId>()
        .schema_from::<KeyAnalysisRecord>()
        .schema_from::<KeyAnalysisList>()
        .schema_from::<KeyAnalysisTask>()
        .schema_from::<KeyspaceReport>()
        .schema_from::<TypeNum>()
        .schema_from::<TypeBytes>()
        .schema_from::<LargestKey>()
        .schema_from::<LargestKeyPrefix>()
        .schema_from::<PrefixNode>()
        .schema_from::<TtlBand>()
        .schema_from::<DbKeys>()
        .schema_from::<ElementBand>()
        .schema_from::<KeyDetails>()
        .schema_from::<KeyActionBody>()
        .schema_from::<KeyActionRecord>()
        .schema_from::<KeyActionList>()
        .schema_from::<KeyActionKind>()
        .schema_from::<Pace>()
        .build();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("DCS cache-analysis API (dcs-proxy)")
                .version(env!("CARGO_PKG_VERSION"))
                .build(),
        )
        .paths(paths.build())
        .components(Some(components))
        .build()
}

/// `GET /openapi.json`.
pub async fn serve() -> axum::Json<OpenApi> {
    axum::Json(document())
}
