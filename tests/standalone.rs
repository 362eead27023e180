//! The repository stands alone: no file names a path outside it, so a fresh clone in an empty
//! folder builds and tests. (A path that climbs out of the repository from its root, or from a
//! crate two levels down, is what a reference to a sibling folder looks like.)

use std::path::{Path, PathBuf};

/// Folders that are built or installed, not written.
const SKIP: &[&str] = &[".git", "target", "tools", "dist", "node_modules", "data"];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if !SKIP.contains(&name.as_str()) {
                files(&path, out);
            }
        } else {
            out.push(path);
        }
    }
}

#[test]
fn no_file_names_a_path_outside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    files(root, &mut all);
    // Built from parts so that this file does not match itself.
    let sibling = format!("../{}", "shared");
    let mut offenders = Vec::new();
    for path in &all {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue; // not text
        };
        let rel = path.strip_prefix(root).unwrap();
        let depth = rel.components().count() - 1;
        for (n, line) in text.lines().enumerate() {
            // From a file `depth` folders down, `depth + 1` times `../` leaves the repository.
            let escape = "../".repeat(depth + 1);
            let climbs_out = depth > 0 && line.contains(&format!("\"{escape}"));
            if line.contains(&sibling) || climbs_out {
                offenders.push(format!("{}:{}: {}", rel.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        all.len() > 50,
        "walked only {} files from {}",
        all.len(),
        root.display()
    );
    assert!(offenders.is_empty(), "{}", offenders.join("\n"));
}
