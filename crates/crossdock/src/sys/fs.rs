//! File-system helpers every stage shares: the one atomic write, and file modes where the
//! OS has them (Unix); on Windows a mode is not set and "executable" means an `.exe`-like
//! name. Archives record their own modes (0755/0644) whatever the OS, so the bytes of a
//! release do not depend on where it was made.

use std::fs::File;
use std::path::Path;

use anyhow::{Context, Result};

/// Suffix of the temporary files outputs are written to before the rename.
pub const TMP_SUFFIX: &str = ".crossdock-tmp";

/// Writes `dest` atomically: `write` fills a temporary file in the same directory, which
/// gets `mode` and is renamed over `dest` only when it succeeded. A failure or
/// interruption leaves no `dest`.
pub fn write_atomic<T>(
    dest: &Path,
    mode: u32,
    write: impl FnOnce(&mut File) -> Result<T>,
) -> Result<T> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(TMP_SUFFIX)
        .tempfile_in(dir)
        .with_context(|| {
            format!(
                "cannot create a file in {}: is the directory writable?",
                dir.display()
            )
        })?;
    let value = write(tmp.as_file_mut()).with_context(|| format!("writing {}", dest.display()))?;
    set_mode(tmp.path(), mode)?;
    tmp.persist(dest)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot move the finished file to {}", dest.display()))?;
    Ok(value)
}

/// Sets a Unix mode; nothing to do on other systems.
pub fn set_mode(path: &Path, mode: u32) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("chmod {}", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}

/// The permission bits of a file (Unix); `None` elsewhere or when it cannot be read.
pub fn mode(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .ok()
            .map(|m| m.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Is this a file a user could run: an executable bit on Unix, an `.exe`/`.bat`/`.cmd`/
/// `.com` name on Windows.
pub fn is_executable(path: &Path) -> bool {
    if !path.is_file() {
        return false;
    }
    #[cfg(unix)]
    {
        mode(path).is_some_and(|m| m & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            ["exe", "bat", "cmd", "com"].contains(&e.to_ascii_lowercase().as_str())
        })
    }
}

/// Creates the directory `dir` (an out dir) with its parents, or says plainly why it cannot:
/// a symlink whose target is missing gets its own message instead of `File exists`.
pub fn create_out_dir(dir: &Path) -> anyhow::Result<()> {
    use anyhow::Context;
    if let Ok(meta) = std::fs::symlink_metadata(dir) {
        if meta.file_type().is_symlink() && std::fs::metadata(dir).is_err() {
            let to = std::fs::read_link(dir).unwrap_or_default();
            anyhow::bail!(
                "the out dir {} is a symlink to {}, which does not exist; create that directory, or choose another with --out-dir",
                dir.display(),
                to.display()
            );
        }
        if !meta.file_type().is_symlink() && !meta.is_dir() {
            anyhow::bail!(
                "the out dir {} is a file, not a directory; choose another with --out-dir",
                dir.display()
            );
        }
    }
    std::fs::create_dir_all(dir).with_context(|| {
        format!(
            "cannot create the out dir {}; choose another with --out-dir",
            dir.display()
        )
    })
}
