//! Key names are bytes; reports need text.
//!
//! A name that is valid UTF-8 is reported as it is. Any other name is reported in an escaped
//! form: each byte that is not part of a valid UTF-8 sequence becomes `\xNN` (two lower-case hex
//! digits) and each backslash becomes `\\`; valid UTF-8 runs stay as they are. [`unescape`]
//! reverses that form, so an escaped name can be turned back into the exact key. The engine
//! itself always keeps the raw bytes, so follow-up commands address the exact key.
//!
//! The one ambiguity is inherent: a valid UTF-8 name that happens to contain `\x` text reads like
//! an escaped one. [`is_escaped_form_needed`] tells the two apart for callers that have the bytes.

/// True when `raw` is not valid UTF-8 and so is shown escaped.
pub fn is_escaped_form_needed(raw: &[u8]) -> bool {
    std::str::from_utf8(raw).is_err()
}

/// The report form of a key name (see the module docs).
pub fn display_name(raw: &[u8]) -> String {
    if let Ok(s) = std::str::from_utf8(raw) {
        return s.to_string();
    }
    let mut out = String::with_capacity(raw.len() + 8);
    for chunk in raw.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                out.push_str("\\\\");
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// The bytes of an escaped name (the inverse of [`display_name`] for names that needed escaping).
/// `None` when `s` is not a well-formed escaped form.
pub fn unescape(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b != b'\\' {
            out.push(b);
            rest = tail;
            continue;
        }
        match tail {
            [b'\\', t @ ..] => {
                out.push(b'\\');
                rest = t;
            }
            [b'x', h, l, t @ ..] => {
                let hex = std::str::from_utf8(&[*h, *l]).ok()?.to_string();
                out.push(u8::from_str_radix(&hex, 16).ok()?);
                rest = t;
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_names_are_unchanged() {
        for s in ["user:1", "", "键:值", "back\\slash", "emoji 🚀"] {
            assert_eq!(display_name(s.as_bytes()), s);
            assert!(!is_escaped_form_needed(s.as_bytes()));
        }
    }

    #[test]
    fn binary_names_are_escaped_and_reversible() {
        let cases: &[(&[u8], &str)] = &[
            (b"\xff", "\\xff"),
            (b"bin:\x00\xfe\xff:end", "bin:\u{0}\\xfe\\xff:end"),
            (b"a\\b\xc3", "a\\\\b\\xc3"),
            (
                "é".as_bytes()
                    .iter()
                    .chain(b"\x80")
                    .copied()
                    .collect::<Vec<u8>>()
                    .leak(),
                "é\\x80",
            ),
        ];
        for (raw, shown) in cases {
            assert_eq!(&display_name(raw), shown);
            assert_eq!(unescape(shown).as_deref(), Some(*raw), "{shown}");
        }
    }

    #[test]
    fn every_byte_round_trips() {
        let all: Vec<u8> = (0..=255u8).rev().collect();
        assert!(is_escaped_form_needed(&all));
        assert_eq!(unescape(&display_name(&all)), Some(all));
        assert_eq!(unescape("\\q"), None);
        assert_eq!(unescape("\\x4"), None);
        assert_eq!(unescape("\\xzz"), None);
    }
}
