//! `dcs-api`'s response types read from JSON (see `json.rs` for why not serde): one reader per
//! type, field for field as its serde derive reads it. The pages' own views of larger answers
//! (a task, a key analysis) read themselves where they are defined.

use crate::json::{FromJson, Json, Read};
use dcs_api::backup::{BackupList, BackupRecord};
use dcs_api::config::{ListConfigurationsResponse, QueryRedisConfig};
use dcs_api::console::ConsoleConfig;
use dcs_api::expire::{ExpireAutoscanConfig, ExpireScanHistory, ExpireScanTask};
use dcs_api::instance::{InstanceListInfo, ListInstancesResponse};
use dcs_api::key::KeyDetails;
use dcs_api::keyspace::{
    KeyAnalysisList, KeyAnalysisRecord, LargestKey, NodeInfo, NodeList, PrefixNode, TtlBand,
    TypeBytes, TypeNum,
};
use dcs_api::schedule::AutoscanConfig;
use dcs_api::task::{AnalyzedNode, KeyThresholds, TaskList, TaskRecord};
use dcs_api::ErrorBody;

/// `progress` (0–100).
pub(crate) fn progress(j: &Json) -> Option<u8> {
    j.opt_u64("progress").and_then(|p| u8::try_from(p).ok())
}

impl FromJson for ErrorBody {
    fn read(j: &Json) -> Read<Self> {
        Ok(ErrorBody {
            error_code: j.str("error_code")?,
            error_msg: j.str("error_msg")?,
            error_ext_msg: None,
        })
    }
}

impl FromJson for ConsoleConfig {
    fn read(j: &Json) -> Read<Self> {
        Ok(ConsoleConfig {
            api_base: j.opt_str("api_base").unwrap_or_default(),
            project_id: j.str("project_id")?,
            mode: j.opt_str("mode"),
            region: j.opt_str("region"),
        })
    }
}

impl FromJson for InstanceListInfo {
    fn read(j: &Json) -> Read<Self> {
        Ok(InstanceListInfo {
            instance_id: j.str("instance_id")?,
            name: j.str("name")?,
            engine: j.str("engine")?,
            engine_version: j.str("engine_version")?,
            status: j.str("status")?,
            ip: j.opt_str("ip").unwrap_or_default(),
            port: j.opt_u64("port").unwrap_or_default() as u16,
            capacity: j.opt_u64("capacity").unwrap_or_default(),
            capacity_minor: j.opt_str("capacity_minor"),
            max_memory: j.opt_u64("max_memory").unwrap_or_default(),
            used_memory: j.opt_u64("used_memory").unwrap_or_default(),
            spec_code: j.opt_str("spec_code").unwrap_or_default(),
            description: j.opt_str("description"),
            cache_mode: j.opt_str("cache_mode"),
            sharding_count: j.opt_u64("sharding_count").map(|n| n as u32),
            maxmemory_policy: j.opt_str("maxmemory_policy"),
            pace: j.opt_str("pace").and_then(|p| p.parse().ok()),
            fast_allowed: j.opt_bool("fast_allowed"),
        })
    }
}

impl FromJson for ListInstancesResponse {
    fn read(j: &Json) -> Read<Self> {
        Ok(ListInstancesResponse {
            instance_num: j.u64("instance_num")?,
            instances: j.list("instances")?,
        })
    }
}

impl FromJson for QueryRedisConfig {
    fn read(j: &Json) -> Read<Self> {
        Ok(QueryRedisConfig {
            param_id: j.opt_str("param_id").unwrap_or_default(),
            param_name: j.str("param_name")?,
            param_value: j.str("param_value")?,
            value_type: j.opt_str("value_type").unwrap_or_default(),
            value_range: j.opt_str("value_range").unwrap_or_default(),
            default_value: j.opt_str("default_value").unwrap_or_default(),
            description: j.opt_str("description").unwrap_or_default(),
        })
    }
}

impl FromJson for ListConfigurationsResponse {
    fn read(j: &Json) -> Read<Self> {
        Ok(ListConfigurationsResponse {
            config_time: j.opt_str("config_time"),
            instance_id: j.str("instance_id")?,
            redis_config: j.list("redis_config")?,
            config_status: j.opt_str("config_status"),
            status: j.opt_str("status"),
        })
    }
}

impl FromJson for TaskRecord {
    fn read(j: &Json) -> Read<Self> {
        Ok(TaskRecord {
            id: j.str("id")?,
            instance_id: j.opt_str("instance_id"),
            scan_type: j.parsed("scan_type")?,
            status: j.parsed("status")?,
            created_at: j.time("created_at")?,
            started_at: j.opt_time("started_at")?,
            finished_at: j.opt_time("finished_at")?,
            progress: progress(j),
            error_msg: j.opt_str("error_msg"),
        })
    }
}

impl FromJson for TaskList {
    fn read(j: &Json) -> Read<Self> {
        Ok(TaskList {
            instance_id: j.str("instance_id")?,
            count: j.u64("count")?,
            records: j.list("records")?,
        })
    }
}

impl FromJson for AnalyzedNode {
    fn read(j: &Json) -> Read<Self> {
        Ok(AnalyzedNode {
            shard: j.str("shard")?,
            node: j.str("node")?,
            role: j.str("role")?,
            backup_id: j.opt_str("backup_id"),
            source: j.opt_str("source"),
        })
    }
}

impl FromJson for KeyThresholds {
    fn read(j: &Json) -> Read<Self> {
        Ok(KeyThresholds {
            big_string_bytes: j.u64("big_string_bytes")?,
            big_elements: j.u64("big_elements")?,
            hot_min_freq: j.u32("hot_min_freq")?,
        })
    }
}

impl FromJson for AutoscanConfig {
    fn read(j: &Json) -> Read<Self> {
        Ok(AutoscanConfig {
            instance_id: j.str("instance_id")?,
            enable_auto_scan: j.bool("enable_auto_scan")?,
            schedule_at: j.strings("schedule_at")?,
            updated_at: j.opt_time("updated_at")?,
        })
    }
}

impl FromJson for ExpireScanTask {
    fn read(j: &Json) -> Read<Self> {
        Ok(ExpireScanTask {
            id: j.str("id")?,
            instance_id: j.str("instance_id")?,
            status: j.parsed("status")?,
            scan_type: j.parsed("scan_type")?,
            num: j.opt_u64("num"),
            created_at: j.time("created_at")?,
            started_at: j.opt_time("started_at")?,
            finished_at: j.opt_time("finished_at")?,
            progress: progress(j),
            scanned_keys: j.opt_u64("scanned_keys"),
            error_msg: j.opt_str("error_msg"),
            pace: j.opt_str("pace").and_then(|p| p.parse().ok()),
            analyzed_on: j.opt_list("analyzed_on")?,
        })
    }
}

impl FromJson for ExpireScanHistory {
    fn read(j: &Json) -> Read<Self> {
        Ok(ExpireScanHistory {
            instance_id: j.str("instance_id")?,
            total: j.u64("total")?,
            count: j.u64("count")?,
            records: j.list("records")?,
        })
    }
}

impl FromJson for ExpireAutoscanConfig {
    fn read(j: &Json) -> Read<Self> {
        Ok(ExpireAutoscanConfig {
            instance_id: j.str("instance_id")?,
            enable_auto_scan: j.bool("enable_auto_scan")?,
            first_scan_at: j.opt_time("first_scan_at")?,
            interval: j.u64("interval")?,
            timeout: j.u64("timeout")?,
            scan_keys_count: j.u32("scan_keys_count")?,
            updated_at: j.opt_time("updated_at")?,
        })
    }
}

impl FromJson for NodeInfo {
    fn read(j: &Json) -> Read<Self> {
        Ok(NodeInfo {
            logical_node_id: j.str("logical_node_id")?,
            name: j.str("name")?,
            status: j.str("status")?,
            node_role: j.str("node_role")?,
            node_type: j.str("node_type")?,
            node_ip: j.str("node_ip")?,
            node_port: j.str("node_port")?,
            node_id: j.str("node_id")?,
            is_access: j.bool("is_access")?,
            group_id: j.str("group_id")?,
            group_name: j.str("group_name")?,
        })
    }
}

impl FromJson for NodeList {
    fn read(j: &Json) -> Read<Self> {
        Ok(NodeList {
            instance_id: j.str("instance_id")?,
            total: j.u64("total")?,
            nodes: j.list("nodes")?,
        })
    }
}

impl FromJson for BackupRecord {
    fn read(j: &Json) -> Read<Self> {
        Ok(BackupRecord {
            backup_id: j.str("backup_id")?,
            backup_name: j.str("backup_name")?,
            instance_id: j.str("instance_id")?,
            size: j.u64("size")?,
            backup_type: j.str("backup_type")?,
            created_at: j.time("created_at")?,
            updated_at: j.time("updated_at")?,
            status: j.str("status")?,
            remark: j.str("remark")?,
            error_msg: j.opt_str("error_msg"),
            is_support_restore: j.str("is_support_restore")?,
            backup_format: j.str("backup_format")?,
        })
    }
}

impl FromJson for BackupList {
    fn read(j: &Json) -> Read<Self> {
        Ok(BackupList {
            total_num: j.u64("total_num")?,
            backup_record_response: j.list("backup_record_response")?,
        })
    }
}

impl FromJson for KeyAnalysisRecord {
    fn read(j: &Json) -> Read<Self> {
        Ok(KeyAnalysisRecord {
            id: j.str("id")?,
            status: j.parsed("status")?,
            created_at: j.time("created_at")?,
            started_at: j.opt_time("started_at")?,
            finished_at: j.opt_time("finished_at")?,
            progress: progress(j),
            error_msg: j.opt_str("error_msg"),
        })
    }
}

impl FromJson for KeyAnalysisList {
    fn read(j: &Json) -> Read<Self> {
        Ok(KeyAnalysisList {
            instance_id: j.str("instance_id")?,
            total: j.u64("total")?,
            records: j.list("records")?,
        })
    }
}

impl FromJson for TypeNum {
    fn read(j: &Json) -> Read<Self> {
        Ok(TypeNum {
            key_type: j.str("type")?,
            num: j.u64("num")?,
        })
    }
}

impl FromJson for TypeBytes {
    fn read(j: &Json) -> Read<Self> {
        Ok(TypeBytes {
            key_type: j.str("type")?,
            bytes: j.u64("bytes")?,
        })
    }
}

impl FromJson for LargestKey {
    fn read(j: &Json) -> Read<Self> {
        Ok(LargestKey {
            key: j.str("key")?,
            key_type: j.str("type")?,
            bytes: j.u64("bytes")?,
            num_of_elem: j.u64("num_of_elem")?,
            db: j.opt_u64("db").unwrap_or_default() as u32,
        })
    }
}

impl FromJson for PrefixNode {
    fn read(j: &Json) -> Read<Self> {
        Ok(PrefixNode {
            prefix: j.str("prefix")?,
            depth: j.u32("depth")?,
            num: j.u64("num")?,
            bytes: j.u64("bytes")?,
        })
    }
}

impl FromJson for TtlBand {
    fn read(j: &Json) -> Read<Self> {
        Ok(TtlBand {
            ttl: j.str("ttl")?,
            num: j.u64("num")?,
            bytes: j.u64("bytes")?,
        })
    }
}

impl FromJson for KeyDetails {
    fn read(j: &Json) -> Read<Self> {
        Ok(KeyDetails {
            name: j.str("name")?,
            db: j.u32("db")?,
            shard: j.str("shard")?,
            key_type: j.parsed("type")?,
            encoding: j.str("encoding")?,
            ttl: j.opt_u64("ttl"),
            size: j.u64("size")?,
            unit: j.parsed("unit")?,
            memory_usage: j.opt_u64("memory_usage"),
            elements: j.strings("elements")?,
            elements_note: j.opt_str("elements_note"),
            actions_allowed: j.bool("actions_allowed")?,
        })
    }
}
