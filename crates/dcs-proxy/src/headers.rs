//! Security headers: `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer` on every
//! response, and the console's Content-Security-Policy.
//!
//! The policy allows only what the console needs: its own files, WebAssembly compilation
//! (`'wasm-unsafe-eval'`), the one inline module script Trunk writes into `index.html` (by its
//! SHA-256, computed from the `index.html` being served, so a rebuilt console stays allowed), and
//! calls to its own origin; no framing (`frame-ancestors 'none'`), no plugins, no `<base>`.

use axum::http::header::{CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS};
use axum::http::HeaderValue;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::set_header::SetResponseHeaderLayer;

/// The two headers every response carries.
pub fn everywhere() -> (
    SetResponseHeaderLayer<HeaderValue>,
    SetResponseHeaderLayer<HeaderValue>,
) {
    (
        SetResponseHeaderLayer::overriding(
            X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        SetResponseHeaderLayer::overriding(
            REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
    )
}

/// The console's policy for an `index.html` whose text is `html`.
pub fn console_policy(html: &str) -> String {
    let scripts: String = inline_scripts(html)
        .map(|s| {
            let digest = Sha256::digest(s.as_bytes());
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{scripts}; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Adds the policy to a console response.
pub fn add_policy(resp: &mut axum::response::Response, html: &str) {
    if let Ok(value) = HeaderValue::from_str(&console_policy(html)) {
        resp.headers_mut().insert(CONTENT_SECURITY_POLICY, value);
    }
}

/// The text of each `<script>` without a `src`, exactly as the browser hashes it.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attrs, body) = rest.split_once('>')?;
        let (text, _) = body.split_once("</script>")?;
        (!attrs.contains("src=")).then_some(text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_only_inline_scripts() {
        let html =
            "<script src=\"/a.js\"></script>\n<script type=\"module\">\nimport x;\n</script>";
        let scripts: Vec<&str> = inline_scripts(html).collect();
        assert_eq!(scripts, ["\nimport x;\n"]);
        let policy = console_policy(html);
        // echo -n $'\nimport x;\n' | openssl dgst -sha256 -binary | base64
        assert!(
            policy.contains("'sha256-o8qrrgPw3zjsDsTwSjGoK+/LhuGQxgOVjobczd4hE/8='"),
            "{policy}"
        );
        assert!(policy.contains("frame-ancestors 'none'") && policy.contains("'wasm-unsafe-eval'"));
        assert!(!policy.contains("unsafe-inline"));
    }
}
