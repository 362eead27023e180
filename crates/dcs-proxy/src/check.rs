//! `dcs-proxy check --config FILE`: everything `serve` would refuse, found without starting —
//! for a deployment script or a systemd `ExecStartPre`. Reads only; creates and binds nothing.

use crate::config::{Config, ConsoleSource};
use std::path::Path;

/// What the configuration in `file` will do, one line each; `Err` for what would stop `serve`.
/// Lines starting `warning:` are served anyway but probably not meant.
pub fn summary(config: &Config, file: &Path) -> Result<Vec<String>, String> {
    let mut lines = vec![format!("listen: {}", config.listen)];
    match &config.cloud {
        Some(c) => lines.push(format!("mode: cloud, forwarding to {}", c.endpoint)),
        None => {
            let ids: Vec<&str> = config.instances.iter().map(|i| i.id.as_str()).collect();
            lines.push(match ids.len() {
                0 => "warning: mode: local, but no [[instances]] are configured".into(),
                n => format!("mode: local, {n} instance(s): {}", ids.join(", ")),
            });
        }
    }
    usable_dir(&config.data_dir).map_err(|e| format!("data_dir {e}"))?;
    lines.push(format!("data_dir: {}", config.data_dir.display()));
    if config.data_dir.is_dir() && !crate::files::writable(&config.data_dir) {
        lines.push(format!(
            "warning: data_dir {} is read-only: its history is served, no task can be started",
            config.data_dir.display()
        ));
    }
    lines.push(console_line(&config.console)?);
    lines.push(match config.allowed_origins.as_slice() {
        [] => "allowed_origins: none (the API answers pages of its own origin only)".into(),
        o => format!("allowed_origins: {}", o.join(", ")),
    });
    if let Some(f) = &config.token_file {
        if !f.is_file() {
            return Err(format!("token_file {}: no such file", f.display()));
        }
    }
    let token = crate::token::token_path(&config.data_dir);
    let secrets = [
        Some(file),
        config.token_file.as_deref(),
        Some(token.as_path()),
        Some(config.data_dir.as_path()),
    ];
    for path in secrets.into_iter().flatten() {
        if readable_by_everyone(path) {
            lines.push(format!(
                "warning: {} is readable by every user of this machine (chmod o-rwx)",
                path.display()
            ));
        }
    }
    Ok(lines)
}

/// An existing file or folder whose "others" permission bits allow reading.
fn readable_by_everyone(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o004 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// A folder that exists, or that `serve` can create (its nearest existing ancestor is a folder).
fn usable_dir(dir: &Path) -> Result<(), String> {
    match dir.ancestors().find(|a| a.exists()) {
        Some(a) if a.is_dir() => Ok(()),
        Some(a) => Err(format!(
            "{}: {} is not a folder",
            dir.display(),
            a.display()
        )),
        None => Err(format!("{}: no such folder", dir.display())),
    }
}

fn console_line(console: &ConsoleSource) -> Result<String, String> {
    Ok(match console {
        ConsoleSource::Dir(dir) if dir.join("index.html").is_file() => {
            format!("console: {}", dir.display())
        }
        ConsoleSource::Dir(dir) => format!(
            "warning: console_dir {} has no index.html: the proxy serves the API but no console \
             (fine when the console is on static hosting)",
            dir.display()
        ),
        #[cfg(feature = "embed-console")]
        ConsoleSource::Embedded if crate::console::embedded::has_console() => format!(
            "console: built in ({} files)",
            crate::console::embedded::file_count()
        ),
        ConsoleSource::Embedded => {
            return Err(
                "this binary has no console built in (dist/ was empty when it was \
                        built): run `make release`, or set console_dir"
                    .into(),
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: &Path, extra: &str) -> Config {
        let text = format!("project_id = \"p\"\n{extra}");
        Config::parse(&text, "t.toml", dir, &|_| None).unwrap()
    }

    #[test]
    fn reports_and_refuses() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("web")).unwrap();
        std::fs::write(dir.path().join("web/index.html"), "<!doctype html>").unwrap();
        let file = dir.path().join("t.toml");
        std::fs::write(&file, "").unwrap();
        set_mode(&file, 0o600);
        let ok = summary(
            &config(
                dir.path(),
                "console_dir = \"web\"\nallowed_origins = [\"https://c.example.com\"]\n",
            ),
            &file,
        )
        .unwrap();
        assert!(ok
            .iter()
            .any(|l| l.starts_with("console: ") && l.ends_with("web")));
        assert!(ok.contains(&"allowed_origins: https://c.example.com".to_string()));
        assert!(ok.contains(&"warning: mode: local, but no [[instances]] are configured".into()));

        let no_console =
            summary(&config(dir.path(), "console_dir = \"nothing\"\n"), &file).unwrap();
        assert!(no_console
            .iter()
            .any(|l| l.starts_with("warning: console_dir")));

        std::fs::write(dir.path().join("file"), "").unwrap();
        let bad_data =
            summary(&config(dir.path(), "data_dir = \"file/data\"\n"), &file).unwrap_err();
        assert!(bad_data.contains("is not a folder"), "{bad_data}");

        let no_token = summary(
            &config(dir.path(), "[auth]\ntoken_file = \"nope\"\n"),
            &file,
        )
        .unwrap_err();
        assert!(no_token.starts_with("token_file ") && no_token.ends_with("no such file"));

        assert!(
            !ok.iter().any(|l| l.contains("readable by every user")),
            "{ok:?}"
        );
        set_mode(&file, 0o644);
        let exposed = summary(&config(dir.path(), "console_dir = \"web\"\n"), &file).unwrap();
        assert!(
            exposed.contains(&format!(
                "warning: {} is readable by every user of this machine (chmod o-rwx)",
                file.display()
            )),
            "{exposed:?}"
        );
    }

    fn set_mode(path: &Path, mode: u32) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    }
}
