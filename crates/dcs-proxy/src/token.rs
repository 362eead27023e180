//! The console token: configured, read from a file, or generated at first start and stored
//! with mode 0600 in the data folder.

use crate::config::Config;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where a generated token lives.
pub fn token_path(data_dir: &Path) -> PathBuf {
    data_dir.join("console-token")
}

/// The token, and whether it was just generated (then the start-up line shows it once).
pub fn load_or_create(config: &Config) -> Result<(String, bool), String> {
    if let Some(t) = &config.token {
        return Ok((t.clone(), false));
    }
    let path = config
        .token_file
        .clone()
        .unwrap_or_else(|| token_path(&config.data_dir));
    match std::fs::read_to_string(&path) {
        Ok(t) => {
            return match crate::config::weak_secret("the token", &t) {
                Some(why) => Err(format!("{}: {why}", path.display())),
                None => Ok((t.trim().to_string(), false)),
            }
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(format!("{}: {e}", path.display()))
        }
        Err(_) if config.token_file.is_some() => {
            return Err(format!("{}: no such token file", path.display()))
        }
        Err(_) => {}
    }
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| format!("cannot generate a token: {e}"))?;
    let token = hex::encode(bytes);
    write_private(&path, &token).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok((token, true))
}

/// Writes a file only its owner can read (created fresh; never widened).
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(path)?;
    f.write_all(text.as_bytes())?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: &Path) -> Config {
        Config::parse("project_id = \"p\"\n", "t.toml", dir, &|_| None).unwrap()
    }

    #[test]
    fn generated_once_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let c = config(dir.path());
        let (first, generated) = load_or_create(&c).unwrap();
        assert!(generated && first.len() == 48);
        let path = token_path(&c.data_dir);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        assert_eq!(
            load_or_create(&c).unwrap(),
            (first, false),
            "the same token on the next start"
        );
    }

    #[test]
    fn configured_token_wins_and_missing_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut c = config(dir.path());
        c.token = Some("given-token-0123456789".into());
        assert_eq!(
            load_or_create(&c).unwrap(),
            ("given-token-0123456789".into(), false)
        );
        c.token = None;
        c.token_file = Some(dir.path().join("absent"));
        assert!(load_or_create(&c)
            .unwrap_err()
            .contains("no such token file"));
        let short = dir.path().join("short");
        std::fs::write(&short, "abc\n").unwrap();
        c.token_file = Some(short);
        let e = load_or_create(&c).unwrap_err();
        assert!(
            e.ends_with(
                "the token has 3 characters; use at least 16 (e.g. `openssl rand -hex 24`)"
            ),
            "{e}"
        );
    }
}
