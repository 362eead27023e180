//! The 简体中文 catalogue (`i18n/zh-CN.json`, applied by `i18n/translate.js`) against the
//! console's sources: every text the console can show — written in a view or built in Rust — has
//! a translation or is named below as staying as it is; every entry is still used, exactly; and
//! placeholders agree.
//!
//! "Can show" is decided from the sources, without a browser: every string literal outside
//! tests that reads as words (a capitalised word, two lower-case words, or one lower-case word of
//! three letters or more) and does not sit in an attribute that never reaches the page (`class=`,
//! `href=`…). Such a literal is either a catalogue entry (`format!` arguments count as its
//! `{0}`, `{1}`…), or listed in [`UNTRANSLATED`] or [`NOT_TEXT`] with the reason.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Shown, and the same in every language.
const UNTRANSLATED: &[&str] = &[
    // The language switch names each language in itself.
    "English",
    "简体中文",
    // Configuration words, shown as code.
    "api_base",
    "project_id",
    "unknown",
    // Units and short forms.
    "KiB",
    "MiB",
    "GiB",
    "TiB",
    "{0}h {1}m {2}s",
    "{0}m {1}s",
];

/// Words in the sources that never reach a text node or a translated attribute.
const NOT_TEXT: &[&str] = &[
    // Stored preferences and the theme attribute's values.
    "light",
    "dark",
    // The mode /config.json names, compared, never shown as such.
    "cloud",
    // HTTP and JavaScript.
    "Content-Type",
    "null",
    "export function copy_text(t) { if (!navigator.clipboard) return false; navigator.clipboard.writeText(t); return true; }",
    // aria-sort values.
    "descending",
    "ascending",
    "none",
    // Form fields' ids (the editors say which field is wrong by id), `aria-invalid`'s value.
    "count",
    "interval",
    "timeout",
    "true",
    // An input's type.
    "number",
    // A history's state, compared to see an error go stale; a chart's type, compared.
    "error {0}",
    "string",
    // A node's role and a TTL band's name, compared.
    "replica",
    "expired",
    // How a node was read (a task's `analyzed_on[].source`), compared.
    "snapshot",
    // Path words the router compares; link attributes it reads.
    "instances",
    "settings",
    "href",
    "target",
    "download",
    "tabindex",
    // A keyboard key's name (`KeyboardEvent.key`), compared.
    "Escape",
    // `aria-current`'s value; the `translate` attribute's.
    "page",
    "yes",
];

/// Attributes whose values never reach the reader (`title`, `aria-label`, `placeholder` and
/// component props such as `caption` do, and are checked).
const NOT_TEXT_ATTRIBUTES: &[&str] = &[
    "json-field",
    "class",
    "data-testid",
    "testid",
    "href",
    "id",
    "type",
    "scope",
    "role",
    "for",
    "name",
    "axis",
    "autocomplete",
    "inputmode",
    "lang",
    "rel",
    "target",
    "viewBox",
    "d",
    "fill",
    "stroke",
    "width",
    "height",
    "x",
    "y",
    "transform",
    "points",
    "text-anchor",
    "dominant-baseline",
    "aria-hidden",
    "aria-live",
    "aria-current",
    "aria-sort",
    "pattern",
    "min",
    "max",
    "step",
    "spellcheck",
    "translate",
    "src",
    "alt",
];

fn catalogue() -> BTreeMap<String, String> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("i18n/zh-CN.json"))
            .unwrap();
    serde_json::from_str(&text).expect("zh-CN.json is an object of strings")
}

/// The code (tests left out) of every `.rs` file under `dir`, one string per file.
fn sources_in(dir: &str) -> Vec<String> {
    fn walk(dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("browser_tests.rs")
                && !path.ends_with("wire_tests.rs")
            {
                let text = std::fs::read_to_string(&path).unwrap();
                let tests = ["#[cfg(test)]", "#[cfg(all(test"]
                    .iter()
                    .filter_map(|m| text.find(m))
                    .min();
                let code = match tests {
                    Some(i) => text[..i].to_string(),
                    None => text,
                };
                out.push(code);
            }
        }
    }
    let mut all = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut all);
    all
}

fn sources() -> String {
    sources_in("src").concat()
}

/// A string literal: its text (escapes `\"`, `\\` and `\n` undone) and the attribute it is
/// the value of, if any.
#[derive(Debug, PartialEq)]
struct Literal {
    text: String,
    attribute: Option<String>,
}

/// Every string literal of `src`, plain or raw; comments and character literals are skipped.
fn literals(src: &str) -> Vec<Literal> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = src[i..].find('\n').map_or(b.len(), |n| i + n);
            }
            // 'x', '\'', '"' — but not a lifetime ('a).
            b'\'' if b.get(i + 2) == Some(&b'\'') => i += 3,
            b'\'' if b.get(i + 1) == Some(&b'\\') => {
                i = src[i + 3..].find('\'').map_or(b.len(), |n| i + 4 + n);
            }
            b'"' | b'r' if b[i] == b'"' || is_raw_start(b, i) => {
                let attribute = attribute_before(&src[..i]);
                let (text, end) = if b[i] == b'"' {
                    plain(src, i + 1)
                } else {
                    raw(src, i)
                };
                out.push(Literal { text, attribute });
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

fn is_raw_start(b: &[u8], i: usize) -> bool {
    let ident_before = i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
    let mut j = i + 1;
    while b.get(j) == Some(&b'#') {
        j += 1;
    }
    !ident_before && b.get(j) == Some(&b'"')
}

/// A plain literal's text from just after its opening quote; returns it and the index after it.
fn plain(src: &str, start: usize) -> (String, usize) {
    let mut text = String::new();
    let mut chars = src[start..].char_indices();
    while let Some((k, c)) = chars.next() {
        match c {
            '"' => return (text, start + k + 1),
            '\\' => match chars.next() {
                Some((_, 'n')) => text.push('\n'),
                Some((_, '\n')) => {
                    // A line continuation: the next line's indentation is not part of it.
                    let rest = &src[start + k + 2..];
                    let skip = rest.len() - rest.trim_start().len();
                    for _ in 0..skip {
                        chars.next();
                    }
                }
                Some((_, other)) => text.push(other),
                None => break,
            },
            c => text.push(c),
        }
    }
    (text, src.len())
}

fn raw(src: &str, start: usize) -> (String, usize) {
    let hashes = src[start + 1..].bytes().take_while(|&c| c == b'#').count();
    let open = start + 2 + hashes;
    let close = format!("\"{}", "#".repeat(hashes));
    let end = src[open..].find(&close).map_or(src.len(), |n| open + n);
    (src[open..end].to_string(), end + close.len())
}

/// `name` when the text before ends in `name=` (a view attribute or a component prop);
/// `json-field` when it ends in `j.<getter>(`: the name of a JSON field a reader reads
/// (`src/json.rs`), never shown.
fn attribute_before(before: &str) -> Option<String> {
    if let Some(call) = before.strip_suffix('(') {
        let getter = call
            .trim_end_matches(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if getter.ends_with("j.") && getter.len() < call.len() {
            return Some("json-field".into());
        }
    }
    let before = before.trim_end().strip_suffix('=')?;
    let name: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':'))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let name = name.strip_prefix("attr:").unwrap_or(&name).to_string();
    (!name.is_empty()).then_some(name)
}

/// `{n} keys` → `{0} keys`: `format!` arguments as catalogue placeholders, in order.
fn numbered(text: &str) -> String {
    let mut out = String::new();
    let mut n = 0;
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        match rest[open..].find('}') {
            Some(close)
                if rest[open + 1..open + close]
                    .chars()
                    .all(|c| c.is_alphanumeric() || "_.:?".contains(c)) =>
            {
                out.push_str(&format!("{{{n}}}"));
                n += 1;
                rest = &rest[open + close + 1..];
            }
            _ => {
                out.push('{');
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether a literal reads as words a person is meant to read (see the file's comment).
fn reads_as_words(text: &str) -> bool {
    let mut words = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => {
                depth -= 1;
                words.push(' ');
            }
            c if depth == 0 => words.push(c),
            _ => {}
        }
    }
    let tokens: Vec<&str> = words.split_whitespace().collect();
    let lower = |t: &str| {
        let t = t.trim_end_matches(['.', ',', ';', ':', '!', '?', '…']);
        !t.is_empty() && t.chars().all(|c| c.is_ascii_lowercase())
    };
    let capitalised = tokens.iter().any(|t| {
        let mut c = t.chars();
        matches!((c.next(), c.next()), (Some(a), Some(b)) if a.is_ascii_uppercase() && b.is_ascii_lowercase())
    });
    let lower_words = tokens.iter().filter(|t| lower(t)).count();
    capitalised
        || lower_words >= 2
        || (tokens.len() == 1 && lower(tokens[0]) && tokens[0].len() >= 3)
}

/// Texts the console builds in Rust (and attribute texts), as catalogue keys.
fn rust_texts(src: &str) -> BTreeSet<String> {
    literals(src)
        .into_iter()
        .filter(|l| {
            l.attribute
                .as_deref()
                .is_none_or(|a| !NOT_TEXT_ATTRIBUTES.contains(&a))
        })
        .filter(|l| reads_as_words(&l.text))
        .map(|l| numbered(l.text.trim()))
        .collect()
}

fn placeholders(s: &str) -> BTreeSet<String> {
    (0..10)
        .map(|i| format!("{{{i}}}"))
        .filter(|p| s.contains(p.as_str()))
        .collect()
}

/// Text nodes written in views as `>"Text"<` (or `>"Text"{`), trimmed.
fn view_texts(src: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in src.match_indices(">\"") {
        let rest = &src[i + 2..];
        let Some(end) = rest.find('"') else { continue };
        let after = rest[end + 1..].trim_start();
        if after.starts_with('<') || after.starts_with('{') {
            let text = rest[..end].trim();
            if text.chars().any(char::is_alphabetic) && !text.contains('\n') {
                out.insert(text.to_string());
            }
        }
    }
    out
}

#[test]
fn entries_are_translated_with_the_same_placeholders() {
    let cat = catalogue();
    assert!(cat.len() > 100, "{} entries", cat.len());
    for (en, zh) in &cat {
        assert!(!zh.trim().is_empty(), "{en:?} has no translation");
        assert_eq!(
            placeholders(en),
            placeholders(zh),
            "placeholders differ in {en:?} → {zh:?}"
        );
    }
}

#[test]
fn every_rendered_text_has_a_translation() {
    let cat = catalogue();
    let src = sources();
    let missing: Vec<String> = view_texts(&src)
        .into_iter()
        .chain(rust_texts(&src))
        .filter(|t| {
            !cat.contains_key(t)
                && !UNTRANSLATED.contains(&t.as_str())
                && !NOT_TEXT.contains(&t.as_str())
        })
        .collect();
    assert!(
        missing.is_empty(),
        "texts without a 简体中文 entry: {missing:#?}"
    );
}

#[test]
fn every_entry_is_still_used() {
    // Each entry is exactly a text of the console's sources, or a wire word of dcs-api's
    // (statuses, scan and key types) that the console shows as it comes.
    let mut texts: BTreeSet<String> = BTreeSet::new();
    for src in sources_in("src")
        .iter()
        .chain(&sources_in("crates/dcs-api/src"))
    {
        texts.extend(literals(src).into_iter().map(|l| numbered(l.text.trim())));
        texts.extend(view_texts(src));
    }
    let unused: Vec<String> = catalogue()
        .into_keys()
        .filter(|en| !texts.contains(en))
        .collect();
    assert!(
        unused.is_empty(),
        "entries no longer in the sources: {unused:#?}"
    );
}

/// The allow-lists name only what the sources still have.
#[test]
fn allow_lists_are_current() {
    let src = sources();
    let texts: BTreeSet<String> = rust_texts(&src)
        .into_iter()
        .chain(view_texts(&src))
        .collect();
    let stale: Vec<&&str> = UNTRANSLATED
        .iter()
        .chain(NOT_TEXT)
        .filter(|t| !texts.contains(**t) && **t != "简体中文")
        .collect();
    assert!(stale.is_empty(), "listed but not in the sources: {stale:?}");
}

#[test]
fn built_texts_are_found_and_others_left_alone() {
    let src = r##"
        // "A comment" is no text.
        let a = format!("Saved {n} of {total} keys");
        let b = if x { "Not available" } else { "show more" };
        let c = '"';
        view! { <a class="badge badge-ok" href="/x" title="Open it">{"unavailable"}</a> }
        let d = ("hotkey-chart", "size", r#"Raw "quoted" Text"#);
        let e = "db0";
    "##;
    assert_eq!(
        rust_texts(src),
        BTreeSet::from(
            [
                "Saved {0} of {1} keys",
                "Not available",
                "show more",
                "Open it",
                "unavailable",
                "size",
                "Raw \"quoted\" Text",
            ]
            .map(String::from)
        )
    );
}

#[test]
fn view_texts_are_found() {
    let found = view_texts(
        r##"<h2>"Sign in"</h2> <p>"There is nothing. " <a href="/">"Back"</a></p> <td>{x}</td> <b>"#"</b>"##,
    );
    assert_eq!(
        found,
        BTreeSet::from([
            "Sign in".to_string(),
            "There is nothing.".to_string(),
            "Back".to_string()
        ])
    );
}
