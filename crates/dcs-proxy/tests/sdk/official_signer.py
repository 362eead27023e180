"""Signs requests with the official SDK's signer (huaweicloudsdkcore) and prints one
Authorization header per line, for tests/cloud.rs to compare with ours."""
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

signer = Signer(BasicCredentials("TESTAK", "TESTSK", "p1"))
cases = [
    ("GET", "/v2/p1/instances/i-1/hotkey-tasks", [("limit", 5), ("status", "running"), ("offset", 0)], None),
    ("PUT", "/v2/p1/instances/i-1/hotkey/autoscan", [], '{"enable_auto_scan":true,"schedule_at":["21:00"]}\n'),
    ("GET", "/v2/p1/instances", [("name", "a b/c*(x)")], None),
]
for method, path, query, body in cases:
    headers = {"X-Sdk-Date": "20261123T070000Z", "X-Project-Id": "p1", "Content-Type": "application/json"}
    req = SdkRequest(method=method, schema="https", host="dcs.example.com", resource_path=path,
                     query_params=query, header_params=headers, body=body)
    print(signer.sign(req).header_params["Authorization"])
