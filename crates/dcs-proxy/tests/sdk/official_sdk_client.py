"""Drives the local proxy with the official Huawei Cloud Python SDK (huaweicloudsdkdcs), unchanged:
only the endpoint points at the proxy. Run by tests/official_sdk.rs; exits non-zero on any mismatch.

Environment: DCS_ENDPOINT, DCS_AK, DCS_SK, DCS_PROJECT, DCS_LFU (an allkeys-lfu instance id).
"""
import os
import sys
import time

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkdcs.v2 import (
    AutoscanConfigRequest,
    BackupInstanceBody,
    CopyInstanceRequest,
    CreateAutoExpireScanTaskRequest,
    CreateBigkeyScanTaskRequest,
    CreateHotkeyScanTaskRequest,
    CreateOfflineKeyAnalysisRequest,
    CreateOfflineKeyAnalysisRequestBody,
    DcsClient,
    DeleteBigkeyScanTaskRequest,
    DeleteHotkeyScanTaskRequest,
    DeleteOfflineKeyAnalysisTaskRequest,
    ListBigkeyScanTasksRequest,
    ListHotKeyScanTasksRequest,
    ListBackupRecordsRequest,
    ListInstancesRequest,
    ListOfflineKeyAnalysisTaskRequest,
    ScanExpireKeyRequest,
    ShowBigkeyAutoscanConfigRequest,
    ShowBigkeyScanTaskDetailsRequest,
    ShowExpireAutoScanConfigRequest,
    ShowExpireKeyScanInfoRequest,
    ShowHotkeyAutoscanConfigRequest,
    ShowHotkeyTaskDetailsRequest,
    ShowNodesInformationRequest,
    ShowOfflineKeyAnalysisTaskRequest,
    UpdateAutoScanConfigRequestBody,
    UpdateBigkeyAutoscanConfigRequest,
    UpdateExpireAutoScanConfigRequest,
    UpdateHotkeyAutoScanConfigRequest,
)

env = os.environ
instance = env["DCS_LFU"]
client = (
    DcsClient.new_builder()
    .with_credentials(BasicCredentials(env["DCS_AK"], env["DCS_SK"], env["DCS_PROJECT"]))
    .with_endpoint(env["DCS_ENDPOINT"])
    .build()
)


def check(cond, what):
    if not cond:
        print("FAILED:", what, file=sys.stderr)
        sys.exit(1)
    print("ok:", what)


def wait(show, what):
    deadline = time.time() + 30
    while time.time() < deadline:
        task = show()
        if task.status in ("success", "failed"):
            return task
        time.sleep(0.05)
    check(False, what + " finished in time")


instances = client.list_instances(ListInstancesRequest())
check(any(i.instance_id == instance for i in instances.instances), "list_instances names the instance")

# Expired keys first: every SCAN (hot and big keys too) reclaims expired keys.
first = client.create_auto_expire_scan_task(CreateAutoExpireScanTaskRequest(instance_id=instance))
check(first.status == "waiting", "create_auto_expire_scan_task")
def history():
    return client.show_expire_key_scan_info(ShowExpireKeyScanInfoRequest(instance_id=instance, offset=0, limit=10))
deadline = time.time() + 30
while history().records[0].status not in ("success", "failed") and time.time() < deadline:
    time.sleep(0.05)
h = history()
check(h.records[0].status == "success" and h.records[0].num == 7, "history: 7 expired keys reclaimed (%s)" % h.records[0].num)
second = client.scan_expire_key(ScanExpireKeyRequest(instance_id=instance))
check(second.status == "waiting", "scan_expire_key (auto-expire/scan)")
deadline = time.time() + 30
while history().records[0].status not in ("success", "failed") and time.time() < deadline:
    time.sleep(0.05)
check(history().total == 2, "both scans are in the history")

# Hot keys: create -> show -> list -> delete.
created = client.create_hotkey_scan_task(CreateHotkeyScanTaskRequest(instance_id=instance))
check(created.status == "waiting" and created.scan_type == "manual", "hot-key task created waiting")
done = wait(lambda: client.show_hotkey_task_details(ShowHotkeyTaskDetailsRequest(instance_id=instance, hotkey_id=created.id)), "hot-key task")
check(done.status == "success", "hot-key task succeeded")
check(done.keys and done.keys[0].name == "sdk:hot" and done.keys[0].freq >= 15, "hottest key is sdk:hot (%s)" % done.keys[0])
listed = client.list_hot_key_scan_tasks(ListHotKeyScanTasksRequest(instance_id=instance, offset=0, limit=10))
check(listed.count == 1 and listed.records[0].id == created.id, "list_hot_key_scan_tasks shows it")
deleted = client.delete_hotkey_scan_task(DeleteHotkeyScanTaskRequest(instance_id=instance, hotkey_id=created.id))
check(deleted.id == created.id, "delete_hotkey_scan_task returns the record")
try:
    client.show_hotkey_task_details(ShowHotkeyTaskDetailsRequest(instance_id=instance, hotkey_id=created.id))
    check(False, "a deleted task is gone")
except exceptions.ClientRequestException as e:
    check(e.error_code == "DCS.4941", "a deleted task answers DCS.4941 (%s)" % e.error_code)

# Big keys.
created = client.create_bigkey_scan_task(CreateBigkeyScanTaskRequest(instance_id=instance))
done = wait(lambda: client.show_bigkey_scan_task_details(ShowBigkeyScanTaskDetailsRequest(instance_id=instance, bigkey_id=created.id)), "big-key task")
check(done.status == "success" and done.keys[0].name == "sdk:big" and done.keys[0].size == 5000, "biggest key is sdk:big, 5000 bytes")
check(client.list_bigkey_scan_tasks(ListBigkeyScanTasksRequest(instance_id=instance)).count == 1, "list_bigkey_scan_tasks")
client.delete_bigkey_scan_task(DeleteBigkeyScanTaskRequest(instance_id=instance, bigkey_id=created.id))

# Key-space analysis (offline key analysis): logical-nodes -> backup -> create -> show -> list -> delete.
nodes = client.show_nodes_information(ShowNodesInformationRequest(instance_id=instance))
check(nodes.total == 1 and nodes.nodes[0].node_role == "master", "show_nodes_information: one master")
node_id = nodes.nodes[0].node_id
backup = client.copy_instance(CopyInstanceRequest(instance_id=instance, body=BackupInstanceBody(remark="sdk", backup_format="rdb")))
check(backup.backup_id, "copy_instance returns a backup id")
def backup_record():
    records = client.list_backup_records(ListBackupRecordsRequest(instance_id=instance, offset=0, limit=10)).backup_record_response
    return next(b for b in records if b.backup_id == backup.backup_id)
deadline = time.time() + 30
while backup_record().status == "backuping" and time.time() < deadline:
    time.sleep(0.05)
b = backup_record()
check(b.status == "succeed" and b.size > 0 and b.remark == "sdk", "list_backup_records: the backup succeeded (%s)" % b.status)
body = CreateOfflineKeyAnalysisRequestBody(node_id=node_id, backup_id=backup.backup_id)
created = client.create_offline_key_analysis(CreateOfflineKeyAnalysisRequest(instance_id=instance, body=body))
check(created.task_id, "create_offline_key_analysis returns a task id")
# DCS's task detail has no status: the list says when it has finished.
def analysis_record():
    records = client.list_offline_key_analysis_task(ListOfflineKeyAnalysisTaskRequest(instance_id=instance)).records
    return next(r for r in records if r.id == created.task_id)
check(wait(analysis_record, "key analysis").status == "success", "key analysis succeeded")
done = client.show_offline_key_analysis_task(ShowOfflineKeyAnalysisTaskRequest(instance_id=instance, task_id=created.task_id))
check(done.node_id == node_id and done.analysis_type == "old_backup" and done.backup_id == backup.backup_id, "show_offline_key_analysis_task: the node, from the backup")
check(done.total_num == 2 and done.largest_keys[0].key == "sdk:big", "2 keys, the largest sdk:big (%s)" % done.largest_keys[0])
check({t.type: t.num for t in done.type_num} == {"string": 2}, "type_num: 2 strings")
check(any(p.key_prefix == "sdk:" and p.num == 2 for p in done.largest_key_prefixes), "largest_key_prefixes: sdk: holds both")
listed = client.list_offline_key_analysis_task(ListOfflineKeyAnalysisTaskRequest(instance_id=instance, offset=0, limit=10))
check(listed.total == 1 and listed.records[0].id == created.task_id, "list_offline_key_analysis_task shows it")
deleted = client.delete_offline_key_analysis_task(DeleteOfflineKeyAnalysisTaskRequest(instance_id=instance, task_id=created.task_id))
check(client.list_offline_key_analysis_task(ListOfflineKeyAnalysisTaskRequest(instance_id=instance)).total == 0, "delete_offline_key_analysis_task removes it")

# Both kinds of schedule.
body = AutoscanConfigRequest(enable_auto_scan=True, schedule_at=["21:00", "03:30"])
saved = client.update_hotkey_auto_scan_config(UpdateHotkeyAutoScanConfigRequest(instance_id=instance, body=body))
check(saved.schedule_at == ["03:30", "21:00"], "update_hotkey_auto_scan_config")
check(client.show_hotkey_autoscan_config(ShowHotkeyAutoscanConfigRequest(instance_id=instance)).enable_auto_scan, "show_hotkey_autoscan_config")
client.update_bigkey_autoscan_config(UpdateBigkeyAutoscanConfigRequest(instance_id=instance, body=AutoscanConfigRequest(enable_auto_scan=False, schedule_at=[])))
check(not client.show_bigkey_autoscan_config(ShowBigkeyAutoscanConfigRequest(instance_id=instance)).enable_auto_scan, "bigkey autoscan")
expire = UpdateAutoScanConfigRequestBody(enable_auto_scan=True, first_scan_at="2099-01-01T00:00:00.000Z", interval=3600, timeout=7200, scan_keys_count=100)
client.update_expire_auto_scan_config(UpdateExpireAutoScanConfigRequest(instance_id=instance, body=expire))
cfg = client.show_expire_auto_scan_config(ShowExpireAutoScanConfigRequest(instance_id=instance))
check(cfg.interval == 3600 and cfg.scan_keys_count == 100 and cfg.first_scan_at.startswith("2099-01-01T00:00:00"), "expire autoscan config")
try:
    bad = UpdateAutoScanConfigRequestBody(enable_auto_scan=True, first_scan_at="2099-01-01T00:00:00.000Z", interval=3600, timeout=10, scan_keys_count=100)
    client.update_expire_auto_scan_config(UpdateExpireAutoScanConfigRequest(instance_id=instance, body=bad))
    check(False, "a bad timeout is refused")
except exceptions.ClientRequestException as e:
    check(e.error_code == "DCS.4821", "a bad timeout is refused with DCS.4821")
print("SDK CLIENT PASSED")
