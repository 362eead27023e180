//! AK/SK request signing, SDK-HMAC-SHA256 (`docs/dcs/SIGNING.md`): the proxy verifies it in
//! local mode (so the official SDKs can call it) and produces it in cloud mode.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// Hash of an empty body.
pub const EMPTY_BODY_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// Replaces the body hash when sent as `X-Sdk-Content-Sha256`.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// What a signature covers.
#[derive(Clone, Debug)]
pub struct SignedRequest<'a> {
    pub method: &'a str,
    /// The path, decoded (each segment is encoded here).
    pub path: &'a str,
    /// Query pairs, decoded.
    pub query: Vec<(String, String)>,
    /// Every header of the request (name, value); only the signed ones are used.
    pub headers: Vec<(String, String)>,
    /// Lower-case names of the signed headers.
    pub signed_headers: Vec<String>,
    /// `hex(sha256(body))`, or `UNSIGNED-PAYLOAD`.
    pub body_hash: String,
}

/// Percent-encodes everything but `A-Z a-z 0-9 - _ . ~`.
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Decodes `%XX` escapes (invalid escapes are kept as they are).
pub fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits a raw query string into decoded pairs.
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

fn canonical_uri(path: &str) -> String {
    let mut uri: String = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| format!("/{}", encode(s)))
        .collect();
    uri.push('/');
    uri
}

fn canonical_query(query: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> =
        query.iter().map(|(k, v)| (encode(k), encode(v))).collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

impl SignedRequest<'_> {
    /// The signed header names, lower-case and sorted.
    fn signed_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .signed_headers
            .iter()
            .map(|h| h.to_ascii_lowercase())
            .collect();
        names.sort();
        names
    }

    /// The canonical request, exactly as SIGNING.md defines it.
    pub fn canonical(&self) -> String {
        let names = self.signed_names();
        let headers: String = names
            .iter()
            .map(|n| {
                let v = self
                    .headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(n))
                    .map(|(_, v)| v.trim())
                    .unwrap_or("");
                format!("{n}:{v}\n")
            })
            .collect();
        format!(
            "{}\n{}\n{}\n{}\n{}\n{}",
            self.method.to_ascii_uppercase(),
            canonical_uri(self.path),
            canonical_query(&self.query),
            headers,
            names.join(";"),
            self.body_hash
        )
    }

    /// `SDK-HMAC-SHA256\n{date}\n{hex(sha256(canonical))}`.
    pub fn string_to_sign(&self, sdk_date: &str) -> String {
        format!(
            "{ALGORITHM}\n{sdk_date}\n{}",
            sha256_hex(self.canonical().as_bytes())
        )
    }

    /// The hex signature with `sk`.
    pub fn signature(&self, sk: &str, sdk_date: &str) -> String {
        hex::encode(hmac_sha256(
            sk.as_bytes(),
            self.string_to_sign(sdk_date).as_bytes(),
        ))
    }

    /// The `Authorization` header value.
    pub fn authorization(&self, ak: &str, sk: &str, sdk_date: &str) -> String {
        let names = self.signed_names();
        format!(
            "{ALGORITHM} Access={ak}, SignedHeaders={}, Signature={}",
            names.join(";"),
            self.signature(sk, sdk_date)
        )
    }
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// The parts of an `Authorization: SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    pub access: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

pub fn parse_authorization(value: &str) -> Option<Authorization> {
    let rest = value.trim().strip_prefix(ALGORITHM)?.trim_start();
    let mut access = None;
    let mut signed = None;
    let mut sig = None;
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k.trim() {
            "Access" => access = Some(v.trim().to_string()),
            "SignedHeaders" => {
                signed = Some(
                    v.trim()
                        .split(';')
                        .map(|h| h.to_ascii_lowercase())
                        .collect(),
                )
            }
            "Signature" => sig = Some(v.trim().to_ascii_lowercase()),
            _ => {}
        }
    }
    Some(Authorization {
        access: access?,
        signed_headers: signed?,
        signature: sig?,
    })
}

/// Equality whose time does not depend on where the inputs differ (for secrets).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    // Compare digests so the length of the secret does not leak either.
    let (x, y) = (Sha256::digest(a), Sha256::digest(b));
    x.iter()
        .zip(y.iter())
        .fold(0u8, |acc, (p, q)| acc | (p ^ q))
        == 0
}

/// Largest accepted difference between `X-Sdk-Date` and the verifier's clock.
pub const MAX_SKEW_SECS: i64 = 15 * 60;

/// Verifies a signed request (`authorization` is its `Authorization` header) against the
/// configured key pairs: known AK, `X-Sdk-Date` signed and within ±15 minutes of `now`, and the
/// signature over exactly these bytes. Errors: DCS.1001 (invalid), DCS.1002 (stale date).
/// An unknown AK goes through every check a known one does and fails with the same answer as a
/// wrong signature, so answers do not tell which access keys exist.
pub fn verify(
    parts: &axum::http::request::Parts,
    authorization: &str,
    body: &[u8],
    keys: &[crate::config::AccessKey],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), dcs_api::DcsError> {
    use dcs_api::{DcsError, ErrorCode};
    let invalid = |why: &str| {
        DcsError::with_message(ErrorCode::InvalidToken, format!("Invalid token: {why}."))
    };
    let parsed = parse_authorization(authorization)
        .ok_or_else(|| invalid("unsupported Authorization header"))?;
    let key = keys
        .iter()
        .find(|k| constant_time_eq(k.ak.as_bytes(), parsed.access.as_bytes()));
    if !parsed.signed_headers.iter().any(|h| h == "x-sdk-date") {
        return Err(invalid("X-Sdk-Date must be signed"));
    }
    let get = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    let date = get("x-sdk-date").ok_or_else(|| invalid("no X-Sdk-Date"))?;
    let at = parse_sdk_date(date).ok_or_else(|| invalid("malformed X-Sdk-Date"))?;
    if (now - at).num_seconds().abs() > MAX_SKEW_SECS {
        return Err(DcsError::with_message(
            ErrorCode::TokenExpired,
            "Token expired: X-Sdk-Date is more than 15 minutes from the server's time.",
        ));
    }
    let body_hash = match get("x-sdk-content-sha256") {
        // An unsigned body could be swapped in transit under a valid signature.
        Some(UNSIGNED_PAYLOAD) if !body.is_empty() => {
            return Err(invalid(
                "UNSIGNED-PAYLOAD is refused for a request with a body",
            ))
        }
        Some(UNSIGNED_PAYLOAD) => UNSIGNED_PAYLOAD.to_string(),
        _ => sha256_hex(body),
    };
    let path = decode(parts.uri.path());
    let signed = SignedRequest {
        method: parts.method.as_str(),
        path: &path,
        query: parse_query(parts.uri.query().unwrap_or("")),
        headers: parts
            .headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_string(), v.to_str().ok()?.to_string())))
            .collect(),
        signed_headers: parsed.signed_headers,
        body_hash,
    };
    let sk = key.map_or("", |k| k.sk.as_str());
    let matches = constant_time_eq(
        signed.signature(sk, date).as_bytes(),
        parsed.signature.as_bytes(),
    );
    if key.is_some() && matches {
        Ok(())
    } else {
        Err(invalid("the access key and signature do not verify"))
    }
}

/// `X-Sdk-Date` (`YYYYMMDDTHHMMSSZ`) as a UTC instant.
pub fn parse_sdk_date(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|n| n.and_utc())
}

pub fn format_sdk_date(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

#[cfg(test)]
mod tests {
    //! Every vector of SIGNING.md.
    use super::*;

    fn req<'a>(
        method: &'a str,
        path: &'a str,
        query: &str,
        headers: &[(&str, &str)],
        signed: &[&str],
        body: &[u8],
    ) -> SignedRequest<'a> {
        SignedRequest {
            method,
            path,
            query: parse_query(query),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            signed_headers: signed.iter().map(|s| s.to_string()).collect(),
            body_hash: sha256_hex(body),
        }
    }

    #[test]
    fn vector_1_get_with_unsigned_underscore_header() {
        let r = req(
            "GET",
            "/path",
            "limit=1",
            &[
                ("X-Sdk-Date", "20060102T150405Z"),
                ("TEST_UNDERSCORE", "TEST_VALUE"),
            ],
            &["x-sdk-date"],
            b"",
        );
        assert_eq!(r.canonical(), format!("GET\n/path/\nlimit=1\nx-sdk-date:20060102T150405Z\n\nx-sdk-date\n{EMPTY_BODY_SHA256}"));
        assert_eq!(
            sha256_hex(r.canonical().as_bytes()),
            "85c3b7730f308aee452b16138a42a914397e43a8f0d732dfa521c0ef2afa98a4"
        );
        assert_eq!(
            r.authorization("AccessKey", "SecretKey", "20060102T150405Z"),
            "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624"
        );
    }

    #[test]
    fn vector_2_post_with_newline_terminated_body() {
        let body = b"{\"Name\":\"test\",\"Id\":1}\n";
        assert_eq!(
            sha256_hex(body),
            "a29d7b4c5efd1a22011d69fd7b7aee76fe51e4083c609244228de258afd61289"
        );
        let r = req(
            "POST",
            "/path",
            "key=value",
            &[
                ("X-Sdk-Date", "20060102T150405Z"),
                ("Content-Type", "application/json"),
            ],
            &["x-sdk-date"],
            body,
        );
        assert_eq!(
            r.signature("SecretKey", "20060102T150405Z"),
            "cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59"
        );
    }

    #[test]
    fn vector_3_and_4_host_signed() {
        let h = [
            ("Host", "service.endpoint.myhuaweicloud.com"),
            ("X-Sdk-Date", "20200608T023900Z"),
        ];
        let get = req(
            "GET",
            "/resources",
            "size=1",
            &h,
            &["host", "x-sdk-date"],
            b"",
        );
        assert_eq!(
            get.canonical(),
            format!("GET\n/resources/\nsize=1\nhost:service.endpoint.myhuaweicloud.com\nx-sdk-date:20200608T023900Z\n\nhost;x-sdk-date\n{EMPTY_BODY_SHA256}")
        );
        assert_eq!(
            get.signature("SecretKey", "20200608T023900Z"),
            "cfb4171acec81de07d50e53d57eb77edd537414d66ddb1d7d780f128e12cd842"
        );
        let post = req(
            "POST",
            "/resources",
            "size=1",
            &h,
            &["host", "x-sdk-date"],
            b"{\"name\":\"test\",\"id\":1}",
        );
        assert_eq!(
            post.signature("SecretKey", "20200608T023900Z"),
            "436b1ac0a1ae03705934bb70ef2f2e09f7bfed2117d731a38235053199323a1f"
        );
    }

    #[test]
    fn vector_5_content_type_host_date() {
        let r = req(
            "GET",
            "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
            "limit=2&marker=13551d6b-755d-4757-b956-536f674975c0",
            &[
                ("Content-Type", "application/json"),
                ("Host", "service.region.example.com"),
                ("X-Sdk-Date", "20191115T033655Z"),
            ],
            &["content-type", "host", "x-sdk-date"],
            b"",
        );
        assert_eq!(
            r.signature(
                "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc",
                "20191115T033655Z"
            ),
            "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
        );
    }

    #[test]
    fn vector_6_query_canonicalisation() {
        let q: Vec<(String, String)> = [
            ("limit", "1"),
            ("enable", "true"),
            ("test", "一 (&=?!#%.*)"),
            ("path", "/tmp/123"),
            ("multi", "1"),
            ("multi", "2"),
            ("multi", "3"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            canonical_query(&q),
            "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29"
        );
        // The same pairs, as they arrive on the wire, decode back to the same canonical form.
        let wire = "test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29&multi=3&multi=1&multi=2&limit=1&enable=true&path=%2Ftmp%2F123";
        assert_eq!(canonical_query(&parse_query(wire)), canonical_query(&q));
    }

    #[test]
    fn authorization_round_trips_and_dates_parse() {
        let a = parse_authorization(
            "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=ABC",
        )
        .unwrap();
        assert_eq!(
            a,
            Authorization {
                access: "AK".into(),
                signed_headers: vec!["host".into(), "x-sdk-date".into()],
                signature: "abc".into()
            }
        );
        assert_eq!(parse_authorization("Bearer x"), None);
        let t = parse_sdk_date("20200608T023900Z").unwrap();
        assert_eq!(format_sdk_date(t), "20200608T023900Z");
        assert!(parse_sdk_date("2020-06-08").is_none());
        assert!(
            constant_time_eq(b"abc", b"abc")
                && !constant_time_eq(b"abc", b"abd")
                && !constant_time_eq(b"abc", b"abcd")
        );
        assert_eq!(decode("a%2Fb%zz%4"), "a/b%zz%4");
    }
}
