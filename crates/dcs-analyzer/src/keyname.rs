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

/// The report form of a name, cut at [`dcs_api::task::MAX_NAME_CHARS`] characters with
/// [`dcs_api::task::CUT_MARK`] after them; the second value is the full length in bytes when the
/// name was cut. Only the first bytes are converted, so a 500 MB name costs no 500 MB string.
pub fn report_name(raw: &[u8]) -> (String, Option<u64>) {
    use dcs_api::task::{CUT_MARK, MAX_NAME_CHARS};
    // 4 bytes per character at most, and escapes only grow: this prefix holds enough.
    let head = &raw[..raw.len().min(MAX_NAME_CHARS * 4)];
    let shown = if head.len() < raw.len() {
        // A prefix may split a UTF-8 sequence at its end; that tail is cut below anyway.
        display_name(head)
    } else {
        display_name(raw)
    };
    match shown.char_indices().nth(MAX_NAME_CHARS) {
        None if head.len() == raw.len() => (shown, None),
        None => (format!("{shown}{CUT_MARK}"), Some(raw.len() as u64)),
        Some((at, _)) => (
            format!("{}{CUT_MARK}", &shown[..at]),
            Some(raw.len() as u64),
        ),
    }
}

/// [`report_name`] of a name of which only the first bytes, `kept`, were read (a snapshot keeps
/// [`dcs_api::task::MAX_NAME_CHARS`] × 4 bytes: enough for the same report as the whole name).
pub fn report_cut_name(kept: &[u8], full_len: u64) -> (String, Option<u64>) {
    let (shown, cut) = report_name(kept);
    if full_len <= kept.len() as u64 {
        (shown, cut)
    } else if cut.is_some() {
        (shown, Some(full_len))
    } else {
        (
            format!("{shown}{}", dcs_api::task::CUT_MARK),
            Some(full_len),
        )
    }
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

    #[test]
    fn long_names_are_cut_with_their_length_kept() {
        use dcs_api::task::{CUT_MARK, MAX_NAME_CHARS};
        let short = b"user:1".to_vec();
        assert_eq!(report_name(&short), ("user:1".to_string(), None));
        let exact = vec![b'a'; MAX_NAME_CHARS];
        assert_eq!(report_name(&exact).1, None);
        let huge = vec![b'k'; 50 * 1024 * 1024];
        let (name, len) = report_name(&huge);
        assert_eq!(len, Some(50 * 1024 * 1024));
        assert_eq!(
            name.chars().count(),
            MAX_NAME_CHARS + CUT_MARK.chars().count()
        );
        assert!(name.ends_with(CUT_MARK));
        // Escaped bytes count as the characters they are shown as.
        let binary = vec![0xffu8; 5000];
        let (name, len) = report_name(&binary);
        assert_eq!(len, Some(5000));
        assert!(name.trim_end_matches(CUT_MARK).len() <= MAX_NAME_CHARS);
        assert!(name.starts_with("\\xff\\xff"), "{name}");
        let multibyte = "热".repeat(MAX_NAME_CHARS + 1);
        let (name, len) = report_name(multibyte.as_bytes());
        assert_eq!(len, Some(multibyte.len() as u64));
        assert_eq!(name, format!("{}{CUT_MARK}", "热".repeat(MAX_NAME_CHARS)));
    }
}
