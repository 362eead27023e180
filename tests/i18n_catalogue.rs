//! The 简体中文 catalogue (`i18n/zh-CN.json`, applied by `i18n/translate.js`) against the
//! console's sources: every fixed text the views render has a translation, every entry is still
//! used, and placeholders agree.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Rendered texts that stay as they are in every language.
const UNTRANSLATED: &[&str] = &[
    "English",
    "简体中文",
    "maxmemory-policy",
    "api_base",
    "project_id",
    "#",
    "…",
    "◆",
];

fn catalogue() -> BTreeMap<String, String> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("i18n/zh-CN.json"))
            .unwrap();
    serde_json::from_str(&text).expect("zh-CN.json is an object of strings")
}

fn sources() -> String {
    fn walk(dir: &Path, out: &mut String) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut all = String::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut all);
    all
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
    let missing: Vec<String> = view_texts(&sources())
        .into_iter()
        .filter(|t| !cat.contains_key(t) && !UNTRANSLATED.contains(&t.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "texts without a 简体中文 entry: {missing:#?}"
    );
}

#[test]
fn every_entry_is_still_used() {
    // Statuses and other wire words come from dcs-api.
    let src = sources()
        + &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/dcs-api/src/kinds.rs"),
        )
        .unwrap();
    let cat = catalogue();
    let unused: Vec<&String> = cat
        .keys()
        .filter(|en| {
            // Every fixed piece around the placeholders must still be in the sources.
            !en.split(['{', '}'])
                .filter(|p| p.parse::<u8>().is_err())
                .all(|p| p.trim().is_empty() || src.contains(p.trim()))
        })
        .collect();
    assert!(
        unused.is_empty(),
        "entries no longer in the sources: {unused:#?}"
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
