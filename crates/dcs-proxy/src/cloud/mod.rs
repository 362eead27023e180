//! Cloud mode (docs/ARCHITECTURE.md §1, §6): the console's `/v2` calls, authenticated to the proxy as in local
//! mode, are forwarded to a real DCS endpoint — only the allow-listed cache-analysis calls
//! ([`allowed`], the same table as `/openapi.json`), signed with AK/SK (SDK-HMAC-SHA256) or an
//! IAM token ([`iam`]), so no cloud secret reaches the browser. Upstream errors pass through;
//! timeouts and connection failures become 504/502 with a DCS body naming the endpoint.

pub mod forward;
pub mod iam;

use crate::openapi::OPERATIONS;

/// Whether `method path` (the path after `/v2/{project_id}`) is a call this product forwards.
pub fn allowed(method: &str, path: &str) -> bool {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
    OPERATIONS.iter().any(|op| {
        let pattern: Vec<&str> = op.path.split('/').skip(1).collect();
        !crate::openapi::LOCAL_EXTENSIONS.contains(&op.id)
            && op.method == method
            && pattern.len() == segments.len()
            && pattern.iter().zip(&segments).all(|(p, s)| {
                if p.starts_with('{') {
                    dcs_api::validate::is_valid_id(s)
                } else {
                    p == s
                }
            })
    })
}

/// The region named in an endpoint such as `https://dcs.eu-de.otc.t-systems.com`, for the
/// console's "connected to" label.
pub fn region(endpoint: &str) -> Option<String> {
    let host = endpoint.split("://").nth(1)?.split(['/', ':']).next()?;
    let mut parts = host.split('.');
    (parts.next()? == "dcs")
        .then(|| parts.next().map(str::to_string))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_list_follows_the_operations_table() {
        assert!(allowed("GET", "/instances"));
        assert!(
            !allowed("DELETE", "/instances/i-1/scan-expire-keys-task/t-1"),
            "local extensions stay local"
        );
        assert!(allowed("POST", "/instances/i-1/hotkey-task"));
        assert!(allowed(
            "DELETE",
            "/instances/i-1/bigkey-task/5560df16-cebf-4473-95c4-d1b573c16e79"
        ));
        assert!(allowed(
            "PUT",
            "/instances/i-1/scan-expire-keys/autoscan-config"
        ));
        assert!(
            !allowed("DELETE", "/instances/i-1"),
            "deleting instances is not ours to forward"
        );
        assert!(!allowed("POST", "/instances"));
        assert!(!allowed("GET", "/instances/i-1/restores"));
        // Key-space analysis and its backups go upstream as DCS's own calls.
        assert!(allowed("GET", "/instances/i-1/logical-nodes"));
        assert!(allowed("POST", "/instances/i-1/offline/key-analysis"));
        assert!(allowed("GET", "/instances/i-1/offline/key-analysis"));
        assert!(allowed("DELETE", "/instances/i-1/offline/key-analysis/t-1"));
        assert!(allowed("POST", "/instances/i-1/backups"));
        assert!(allowed("GET", "/instances/i-1/backups"));
        assert!(!allowed("GET", "/instances/../../iam"));
        assert!(!allowed("GET", "/instances/a%2Fb/configs"));
    }

    #[test]
    fn regions() {
        assert_eq!(
            region("https://dcs.eu-de.otc.t-systems.com").as_deref(),
            Some("eu-de")
        );
        assert_eq!(
            region("https://dcs.ap-southeast-1.myhuaweicloud.com").as_deref(),
            Some("ap-southeast-1")
        );
        assert_eq!(region("http://127.0.0.1:9000"), None);
    }
}
