//! `dcs-analyze keyspace`: where the memory goes, from a node's snapshot (streamed by
//! replication) or an RDB file — types, the largest prefixes as an indented tree, the largest
//! keys, the TTL bands and the findings; `--json` prints the report with DCS's field names.

use crate::{table, Args};
use dcs_analyzer::keyspace::{from_file, KeyspaceOptions};
use dcs_analyzer::{keyspace_online, AnalyzerError, Control, ScanOptions, Target};
use dcs_api::keyspace::KeyspaceReport;

/// Rows of each section in the text report (`--json` has all).
const SHOWN: usize = 20;

pub(crate) async fn run(
    args: &Args,
    target: &Target,
    opts: &ScanOptions,
    ctl: &Control,
) -> Result<String, AnalyzerError> {
    let options = KeyspaceOptions {
        top: args.top.unwrap_or(500) as usize,
        delimiters: args.delimiters.chars().collect(),
        depth: args.depth,
        now_ms: dcs_analyzer::keyspace::now_ms(),
    };
    if options.delimiters.is_empty() {
        return Err(AnalyzerError::InvalidOption(
            "--delimiters needs at least one character".into(),
        ));
    }
    let online = |why: Option<String>| {
        let options = options.clone();
        async move {
            let mut r = keyspace_online::analyze(target, opts, options, args.sample, ctl).await?;
            if let Some(why) = why {
                r.findings
                    .insert(0, dcs_api::keyspace::findings::online(&why));
            }
            Ok::<_, AnalyzerError>(r)
        }
    };
    let report = match &args.rdb {
        Some(path) => {
            let path = path.clone();
            let ctl = ctl.clone();
            tokio::task::spawn_blocking(move || from_file(&path, options, &ctl))
                .await
                .map_err(|e| AnalyzerError::InvalidOption(e.to_string()))??
        }
        None if args.online => online(None).await?,
        None => match dcs_analyzer::snapshot::analyze(target, opts, options.clone(), ctl).await {
            // Replication refused (ACL, managed service), or the server should not be asked for
            // a snapshot (it would keep the file): the live key space instead, said so.
            Err(e @ (AnalyzerError::Denied { .. } | AnalyzerError::Unsupported { .. })) => {
                online(Some(e.to_string())).await?
            }
            other => other?,
        },
    };
    Ok(if args.json {
        serde_json::to_string(&report).unwrap_or_default()
    } else {
        text(&report)
    })
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_048_576.0)
}

fn text(r: &KeyspaceReport) -> String {
    let mut out = format!(
        "{} keys, {} estimated, from the {} of {}\n\nTYPES\n",
        r.total_num,
        mb(r.total_bytes),
        r.source,
        r.nodes.join(", ")
    );
    let types = r
        .type_num
        .iter()
        .zip(&r.type_bytes)
        .map(|(n, b)| vec![n.key_type.clone(), n.num.to_string(), mb(b.bytes)]);
    out += &table(&["TYPE", "KEYS", "MEMORY"], types);
    out += "\n\nPREFIXES\n";
    let tree = r.prefix_tree.iter().take(SHOWN * 3).map(|p| {
        vec![
            format!("{}{}", "  ".repeat(p.depth as usize - 1), p.prefix),
            p.num.to_string(),
            mb(p.bytes),
        ]
    });
    out += &table(&["PREFIX", "KEYS", "MEMORY"], tree);
    out += "\n\nLARGEST KEYS\n";
    let keys = r.largest_keys.iter().take(SHOWN).map(|k| {
        vec![
            k.key.clone(),
            k.key_type.clone(),
            k.num_of_elem.to_string(),
            mb(k.bytes),
            k.db.to_string(),
        ]
    });
    out += &table(&["KEY", "TYPE", "ELEMENTS", "MEMORY", "DB"], keys);
    out += "\n\nTTL\n";
    let ttl = r
        .ttl
        .iter()
        .map(|b| vec![b.ttl.clone(), b.num.to_string(), mb(b.bytes)]);
    out += &table(&["TTL", "KEYS", "MEMORY"], ttl);
    if !r.findings.is_empty() {
        out += "\n\nFINDINGS\n";
        for f in &r.findings {
            out += &format!("- {f}\n");
        }
    }
    out.trim_end().to_string()
}
