//! The proxy's module graph, read from its sources, against docs/ARCHITECTURE.md ("Modules of
//! the proxy"): every module has a row there, uses only what its row allows, and no two modules
//! depend on each other, however indirectly. Handlers in `api/` do not use each other.
//!
//! The tool is this test: it reads every `crate::name` a module's files mention (imports and
//! paths alike) and needs nothing installed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

fn src_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Each top-level module of the library (a file, or a folder with its files) and the other
/// top-level modules its code names. `lib.rs` (the root, which wires every module) and the
/// binary's `main.rs` and `demo.rs` are not modules of the library.
fn graph() -> (Graph, BTreeMap<String, String>) {
    let mut graph = Graph::new();
    let mut code = BTreeMap::new();
    let root = src_dir();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .to_string();
            if !rel.ends_with(".rs") || ["lib.rs", "main.rs", "demo.rs"].contains(&rel.as_str()) {
                continue;
            }
            let module = rel
                .split('/')
                .next()
                .unwrap()
                .trim_end_matches(".rs")
                .to_string();
            let text = std::fs::read_to_string(&path).unwrap();
            let uses = graph.entry(module.clone()).or_default();
            for (i, _) in text.match_indices("crate::") {
                let name: String = text[i + 7..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    uses.insert(name);
                }
            }
            code.insert(rel, text);
        }
    }
    (graph, code)
}

/// The "may use" column of each module's row, by module.
fn allowed() -> BTreeMap<String, BTreeSet<String>> {
    let doc = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/ARCHITECTURE.md"),
    )
    .unwrap();
    let section = doc
        .split("### Modules of the proxy")
        .nth(1)
        .expect("docs/ARCHITECTURE.md has a \"Modules of the proxy\" section");
    let ticked = |cell: &str| -> Vec<String> {
        cell.split('`')
            .skip(1)
            .step_by(2)
            .map(|name| name.trim_end_matches("/*").to_string())
            .collect()
    };
    let mut rows = BTreeMap::new();
    for line in section.lines().skip_while(|l| !l.starts_with('|')) {
        if !line.starts_with('|') {
            break;
        }
        let cells: Vec<&str> = line.split('|').collect();
        if cells.len() < 4 {
            continue;
        }
        let may_use: BTreeSet<String> = ticked(cells[3]).into_iter().collect();
        for module in ticked(cells[1]) {
            rows.insert(module, may_use.clone());
        }
    }
    rows
}

/// A cycle of `graph`, if it has one.
fn cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn modules_use_only_what_the_architecture_allows() {
    let (graph, _) = graph();
    let allowed = allowed();
    let mut wrong = Vec::new();
    for (module, uses) in &graph {
        let Some(may) = allowed.get(module) else {
            wrong.push(format!("{module} has no row in docs/ARCHITECTURE.md"));
            continue;
        };
        for used in uses.difference(may) {
            wrong.push(format!(
                "{module} uses {used}, which its row does not allow"
            ));
        }
    }
    for module in allowed.keys() {
        if !graph.contains_key(module) && !["main.rs", "lib.rs", "demo"].contains(&module.as_str())
        {
            wrong.push(format!(
                "docs/ARCHITECTURE.md lists {module}, which does not exist"
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn no_module_depends_on_itself_through_others() {
    let (graph, _) = graph();
    assert_eq!(cycle(&graph), None);
}

#[test]
fn handlers_do_not_use_each_other() {
    let (_, code) = graph();
    for (file, text) in code
        .iter()
        .filter(|(f, _)| f.starts_with("api/") && !f.ends_with("mod.rs"))
    {
        assert!(
            !text.contains("crate::api::") && !text.contains("super::"),
            "{file} uses another handler; shared work belongs in services/"
        );
    }
}

#[test]
fn the_checks_can_fail() {
    let g = |edges: &[(&str, &str)]| {
        let mut g = Graph::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
            g.entry(b.to_string()).or_default();
        }
        g
    };
    assert_eq!(cycle(&g(&[("a", "b"), ("b", "c")])), None);
    assert_eq!(
        cycle(&g(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    let rows = allowed();
    assert!(rows["runner"].contains("store"), "{rows:?}");
    assert!(!rows["store"].contains("runner"), "{rows:?}");
}
