//! The data folder: created private, probed for writes, its files the owner's alone.

/// Whether files can be created in `dir` (tried with a file removed at once; permissions alone do
/// not tell, and they do not bind root, while a read-only mount does).
pub fn writable(dir: &std::path::Path) -> bool {
    let probe = dir.join(".dcs-proxy-write-test");
    let ok = std::fs::write(&probe, b"").is_ok();
    let _ = std::fs::remove_file(&probe);
    ok
}

/// Creates `dir` (and its parents) with mode 0700; an existing one is left as the operator made
/// it (`dcs-proxy check` warns when others can read it).
pub fn private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

pub fn set_mode(path: &std::path::Path, mode: u32) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(())
    }
}
