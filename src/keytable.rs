//! The key table's logic: one row shape for hot and big keys and a key-space report's largest
//! keys, sorting, filtering, CSV.

use dcs_api::{KeyType, KeyUnit};
use std::cmp::Ordering;

/// A row of the key table.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyRow {
    pub name: String,
    pub key_type: KeyType,
    pub shard: String,
    pub db: u32,
    pub size: u64,
    pub unit: KeyUnit,
    /// Hot keys only.
    pub freq: Option<u32>,
    /// Key-space reports only: estimated bytes in memory.
    pub memory: Option<u64>,
}

impl KeyRow {
    /// A key-space report's largest key, read on `node`; `None` for a type the table does not
    /// show (a module's value).
    pub fn from_largest(k: &dcs_api::keyspace::LargestKey, node: &str) -> Option<KeyRow> {
        let key_type: KeyType = k.key_type.parse().ok()?;
        Some(KeyRow {
            name: k.key.clone(),
            key_type,
            shard: node.to_string(),
            db: k.db,
            size: k.num_of_elem,
            unit: key_type.unit(),
            freq: None,
            memory: Some(k.bytes),
        })
    }
}

/// Sortable columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Column {
    Name,
    Type,
    Size,
    Freq,
    Memory,
    Db,
    Shard,
}

impl Column {
    pub fn label(self) -> &'static str {
        match self {
            Column::Name => "Name",
            Column::Type => "Type",
            Column::Size => "Size",
            Column::Freq => "Freq",
            Column::Memory => "Memory",
            Column::Db => "DB",
            Column::Shard => "Shard",
        }
    }
}

/// Rows whose name contains `needle` (case-insensitive) and whose type is `key_type` (if any),
/// sorted by `column` (ties by name, so the order is stable).
pub fn view(
    rows: &[KeyRow],
    needle: &str,
    key_type: Option<KeyType>,
    column: Column,
    descending: bool,
) -> Vec<KeyRow> {
    // ASCII case folding: Unicode tables would cost the bundle more than they help here.
    let needle = needle.to_ascii_lowercase();
    let mut out: Vec<KeyRow> = rows
        .iter()
        .filter(|r| needle.is_empty() || r.name.to_ascii_lowercase().contains(&needle))
        .filter(|r| key_type.is_none_or(|t| r.key_type == t))
        .cloned()
        .collect();
    // Unstable is fine: the comparison is total (ties fall back to the name).
    out.sort_unstable_by(|a, b| {
        let o = match column {
            Column::Name => a.name.cmp(&b.name),
            Column::Type => a.key_type.cmp(&b.key_type),
            // Bytes and element counts are not one scale: strings first, then collections,
            // each by size.
            Column::Size => a.unit.cmp(&b.unit).then(a.size.cmp(&b.size)),
            Column::Freq => a.freq.cmp(&b.freq),
            Column::Memory => a.memory.cmp(&b.memory),
            Column::Db => a.db.cmp(&b.db),
            Column::Shard => a.shard.cmp(&b.shard),
        };
        let o = if descending { o.reverse() } else { o };
        if o == Ordering::Equal {
            a.name.cmp(&b.name)
        } else {
            o
        }
    });
    out
}

/// One CSV field, quoted when it holds a comma, quote, or line break (RFC 4180). A field that a
/// spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return: a key name is anyone's text) gets a leading `'`, as OWASP recommends; nothing else
/// changes, so the export stays faithful.
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The rows as CSV, with a header; `freq` only for hot keys, `memory` only for key-space rows.
pub fn to_csv(rows: &[KeyRow], hot: bool) -> String {
    let memory = rows.iter().any(|r| r.memory.is_some());
    let mut out = String::from(if hot {
        "name,type,size,unit,freq,db,shard\n"
    } else if memory {
        "name,type,size,unit,memory,db,shard\n"
    } else {
        "name,type,size,unit,db,shard\n"
    });
    for r in rows {
        let mut fields = vec![
            r.name.clone(),
            r.key_type.to_string(),
            r.size.to_string(),
            r.unit.to_string(),
        ];
        if hot {
            fields.push(r.freq.map(|f| f.to_string()).unwrap_or_default());
        } else if memory {
            fields.push(r.memory.map(|m| m.to_string()).unwrap_or_default());
        }
        fields.push(r.db.to_string());
        fields.push(r.shard.clone());
        // Every column, not only the ones that hold text today.
        let fields: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, t: KeyType, size: u64, freq: u32) -> KeyRow {
        KeyRow {
            name: name.into(),
            key_type: t,
            shard: "10.0.0.1:6379".into(),
            db: 0,
            size,
            unit: t.unit(),
            freq: Some(freq),
            memory: None,
        }
    }

    #[test]
    fn sorting_and_filtering() {
        let rows = vec![
            row("b", KeyType::Hash, 10, 7),
            row("a", KeyType::String, 30, 7),
            row("C:x", KeyType::String, 20, 9),
        ];
        let names = |v: Vec<KeyRow>| v.into_iter().map(|r| r.name).collect::<Vec<_>>();
        assert_eq!(
            names(view(&rows, "", None, Column::Freq, true)),
            ["C:x", "a", "b"],
            "ties by name"
        );
        assert_eq!(
            names(view(&rows, "c:", None, Column::Name, false)),
            ["C:x"],
            "case-insensitive substring"
        );
        assert_eq!(
            names(view(&rows, "", Some(KeyType::String), Column::Name, false)),
            ["C:x", "a"]
        );
        assert!(view(&rows, "zzz", None, Column::Name, false).is_empty());
        // Size never mixes bytes and elements: a 30-byte string does not sit between collections.
        let mut mixed = rows.clone();
        mixed.push(row("l", KeyType::List, 25, 1));
        assert_eq!(
            names(view(&mixed, "", None, Column::Size, false)),
            ["C:x", "a", "b", "l"],
            "strings (bytes) by size, then collections (elements) by size"
        );
    }

    #[test]
    fn csv_escapes() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("line\nbreak"), "\"line\nbreak\"");
        let csv = to_csv(&[row("k,1", KeyType::String, 3, 9)], true);
        assert_eq!(
            csv,
            "name,type,size,unit,freq,db,shard\n\"k,1\",string,3,byte,9,0,10.0.0.1:6379\n"
        );
        assert!(to_csv(&[], false).starts_with("name,type,size,unit,db,shard\n"));
        let largest = dcs_api::keyspace::LargestKey {
            key: "cart:1".into(),
            key_type: "hash".into(),
            bytes: 4096,
            num_of_elem: 20,
            db: 2,
        };
        let largest_row = KeyRow::from_largest(&largest, "10.0.0.1:6379").unwrap();
        assert_eq!(
            to_csv(&[largest_row], false),
            "name,type,size,unit,memory,db,shard\ncart:1,hash,20,count,4096,2,10.0.0.1:6379\n"
        );
        let module = dcs_api::keyspace::LargestKey {
            key_type: "module".into(),
            ..largest
        };
        assert_eq!(KeyRow::from_largest(&module, "n"), None);
        // Formula injection: neutralised with a leading quote, quoted where CSV needs it.
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\")"),
            "\"'=HYPERLINK(\"\"http://x\"\")\""
        );
        assert_eq!(csv_field("+1+1"), "'+1+1");
        assert_eq!(csv_field("-2"), "'-2");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("\tcmd"), "'\tcmd");
        assert_eq!(csv_field("\rcmd"), "\"'\rcmd\"");
        assert_eq!(csv_field("a=b"), "a=b", "only a leading sign is a formula");
        let csv = to_csv(&[row("=cmd|' /C calc'!A0", KeyType::String, 3, 9)], true);
        assert!(csv.lines().nth(1).unwrap().starts_with("'=cmd|"), "{csv}");
    }
}
