//! One entry per [`TaskKind`]: check a target can be analysed, then run the analysis on the
//! masters that check returned. Callers that refuse a task up front (the proxy) check once and
//! hand the masters on, so nothing is probed twice; the CLI and tests may use each analysis's
//! own `analyze`.

use crate::bigkeys::{self, BigkeyReport};
use crate::conn::Node;
use crate::control::Control;
use crate::error::Result;
use crate::expired::{self, ExpiredReport};
use crate::hotkeys::{self, HotkeyReport};
use crate::options::ScanOptions;
use crate::scan::on_every_node;
use crate::target::Target;
use dcs_api::task::AnalyzedNode;
use dcs_api::TaskKind;

/// What an analysis of each kind found.
#[derive(Clone, Debug, PartialEq)]
pub enum Report {
    Hotkey(HotkeyReport),
    Bigkey(BigkeyReport),
    Expire(ExpiredReport),
    Keyspace(Box<dcs_api::keyspace::KeyspaceReport>),
}

impl Report {
    pub fn scanned_keys(&self) -> u64 {
        match self {
            Report::Hotkey(r) => r.scanned_keys,
            Report::Bigkey(r) => r.scanned_keys,
            Report::Expire(r) => r.scanned_keys,
            Report::Keyspace(r) => r.total_num,
        }
    }
}

/// The nodes to analyse for `kind`: the masters of `target` — or, for big keys, a healthy replica
/// of each where `opts.analyze_on` allows —, each reached (and signed in to) and checked for
/// `kind` (hot keys: LFU counters, Redis ≥ 4.0); the first that cannot be analysed fails the
/// whole, with the reason.
pub async fn prepare(kind: TaskKind, target: &Target, opts: &ScanOptions) -> Result<Vec<Node>> {
    opts.check()?;
    match kind {
        TaskKind::Hotkey => hotkeys::precheck(target, opts).await,
        // The node is the caller's choice (`nodes::logical`); here every master is reachable.
        TaskKind::Keyspace => target.masters(opts).await,
        TaskKind::Bigkey | TaskKind::Expire => {
            let masters = target.masters(opts).await?;
            // Big keys only read: a replica will do. Expired keys are reclaimed by masters.
            let masters = match kind {
                TaskKind::Bigkey => crate::replicas::readers(masters, opts.analyze_on, opts).await,
                _ => masters,
            };
            on_every_node(&masters, |_, node| {
                let opts = opts.clone();
                async move {
                    let mut conn = node.connect(0, &opts).await?;
                    // Not `PING`: a master whose last save failed refuses it (MISCONF, as it
                    // refuses writes) — just when a full disk has operators look for big keys.
                    let echo = redis::cmd("ECHO").arg("dcs-analyzer").clone();
                    conn.query::<String>(&echo).await.map(drop)
                }
            })
            .await?;
            Ok(masters)
        }
    }
}

/// Where each shard was read, for the task record.
pub fn analyzed_on(nodes: &[Node]) -> Vec<AnalyzedNode> {
    nodes
        .iter()
        .map(|n| AnalyzedNode {
            shard: n.shard.clone(),
            node: n.addr.clone(),
            role: if n.is_replica() { "replica" } else { "master" }.into(),
            backup_id: None,
            source: None,
        })
        .collect()
}

/// [`analyzed_on`] after the run: with how each node was read where the report knows (hot, big
/// and expired keys).
pub fn analyzed_on_after(nodes: &[Node], report: &Report) -> Vec<AnalyzedNode> {
    let mut on = analyzed_on(nodes);
    let sources = match report {
        Report::Hotkey(r) => &r.sources,
        Report::Bigkey(r) => &r.sources,
        Report::Expire(r) => &r.sources,
        Report::Keyspace(_) => return on,
    };
    for (n, s) in on.iter_mut().zip(sources) {
        n.source = Some(s.as_str().to_string());
    }
    on
}

/// Runs the analysis of `kind` on masters [`prepare`] returned.
pub async fn run(
    kind: TaskKind,
    masters: &[Node],
    opts: &ScanOptions,
    ctl: &Control,
) -> Result<Report> {
    opts.check()?;
    Ok(match kind {
        TaskKind::Hotkey => Report::Hotkey(hotkeys::run_on(masters, opts, ctl).await?),
        TaskKind::Bigkey => Report::Bigkey(bigkeys::run_on(masters, opts, ctl).await?),
        TaskKind::Expire => Report::Expire(expired::run_on(masters, opts, ctl).await?),
        TaskKind::Keyspace => {
            let keyspace = crate::keyspace::KeyspaceOptions {
                now_ms: crate::keyspace::now_ms(),
                ..Default::default()
            };
            Report::Keyspace(Box::new(
                crate::snapshot::run_on(masters, opts, keyspace, ctl).await?,
            ))
        }
    })
}
