//! The prefix tree of a key-space report as the page shows it: which rows are visible (a node's
//! children only while it is open), and the first level regrouped by other delimiters.

use dcs_api::keyspace::PrefixNode;
use std::collections::BTreeSet;

/// The rows to show, in order: the first level by memory (the report's order), each open node
/// followed by its children, recursively.
pub fn visible(tree: &[PrefixNode], open: &BTreeSet<String>) -> Vec<PrefixNode> {
    let mut out = Vec::new();
    walk(tree, None, open, &mut out);
    out
}

fn walk(
    tree: &[PrefixNode],
    parent: Option<&PrefixNode>,
    open: &BTreeSet<String>,
    out: &mut Vec<PrefixNode>,
) {
    let depth = parent.map_or(1, |p| p.depth + 1);
    for n in tree
        .iter()
        .filter(|n| n.depth == depth && parent.is_none_or(|p| n.prefix.starts_with(&p.prefix)))
    {
        out.push(n.clone());
        if open.contains(&n.prefix) {
            walk(tree, Some(n), open, out);
        }
    }
}

/// Whether `node` has children in the tree (it can be opened).
pub fn has_children(tree: &[PrefixNode], node: &PrefixNode) -> bool {
    tree.iter()
        .any(|n| n.depth == node.depth + 1 && n.prefix.starts_with(&node.prefix))
}

/// The first level regrouped at the first of `delimiters` in each first-level prefix (the
/// analysis split at `:`), merged and ordered by memory. Exact when `delimiters` holds `:`;
/// otherwise a prefix without any of them stays as the analysis grouped it.
pub fn regroup(tree: &[PrefixNode], delimiters: &str) -> Vec<PrefixNode> {
    let mut out: Vec<PrefixNode> = Vec::new();
    for n in tree.iter().filter(|n| n.depth == 1) {
        let cut = n
            .prefix
            .char_indices()
            .find(|(_, c)| delimiters.contains(*c))
            .map_or(n.prefix.as_str(), |(i, c)| &n.prefix[..i + c.len_utf8()]);
        match out.iter_mut().find(|o| o.prefix == cut) {
            Some(o) => (o.num, o.bytes) = (o.num + n.num, o.bytes + n.bytes),
            None => out.push(PrefixNode {
                prefix: cut.to_string(),
                depth: 1,
                num: n.num,
                bytes: n.bytes,
            }),
        }
    }
    out.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.prefix.cmp(&b.prefix)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(prefix: &str, depth: u32, bytes: u64) -> PrefixNode {
        PrefixNode {
            prefix: prefix.into(),
            depth,
            num: 1,
            bytes,
        }
    }

    fn tree() -> Vec<PrefixNode> {
        vec![
            node("user:", 1, 300),
            node("cache/eu:", 1, 200),
            node("cache/us:", 1, 100),
            node("user:1:", 2, 200),
            node("user:2:", 2, 100),
            node("cache/eu:x:", 2, 200),
        ]
    }

    fn names(v: Vec<PrefixNode>) -> Vec<String> {
        v.into_iter().map(|n| n.prefix).collect()
    }

    #[test]
    fn only_open_nodes_show_their_children() {
        let t = tree();
        assert_eq!(
            names(visible(&t, &BTreeSet::new())),
            ["user:", "cache/eu:", "cache/us:"]
        );
        let open = BTreeSet::from(["user:".to_string()]);
        assert_eq!(
            names(visible(&t, &open)),
            ["user:", "user:1:", "user:2:", "cache/eu:", "cache/us:"]
        );
        assert!(has_children(&t, &t[0]) && !has_children(&t, &t[2]));
    }

    #[test]
    fn the_first_level_regroups_by_other_delimiters() {
        let t = tree();
        let r = regroup(&t, ":/");
        assert_eq!(
            r.iter()
                .map(|n| (n.prefix.as_str(), n.bytes, n.num))
                .collect::<Vec<_>>(),
            [("cache/", 300, 2), ("user:", 300, 1)]
        );
        assert_eq!(names(regroup(&t, ":")), ["user:", "cache/eu:", "cache/us:"]);
    }
}
