//! File-system helpers every stage shares: the one atomic write, and file modes where the
//! OS has them (Unix); on Windows a mode is not set and "executable" means an `.exe`-like
//! name. Archives record their own modes (0755/0644) whatever the OS, so the bytes of a
//! release do not depend on where it was made.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

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
    let pending = Transaction::before_replacing(dest)?;
    tmp.persist(dest)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot move the finished file to {}", dest.display()))?;
    if let Some(p) = pending {
        p.replaced();
    }
    Ok(value)
}

/// Reads a file crossdock takes as input (targets.toml, a manifest, package.json, a
/// `--compare` file): a regular file (after symlinks) of at most `limit` bytes, read
/// through that limit, so that a device (`/dev/zero`) or a file whose size changes while it
/// is read cannot exhaust memory (issue 20 §9). The error says which rule failed; callers
/// name the file.
pub fn read_input(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, ErrorKind, Read};
    let file = File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "not a regular file (a device, a FIFO or a directory is never an input)",
        ));
    }
    let too_large = || {
        Error::new(
            ErrorKind::InvalidInput,
            format!(
                "larger than {} bytes, more than such a file ever holds",
                limit
            ),
        )
    };
    if meta.len() > limit {
        return Err(too_large());
    }
    let mut data = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut data)?;
    if data.len() as u64 > limit {
        return Err(too_large());
    }
    Ok(data)
}

/// Writes into one directory that become visible together or not at all (issue 20 §4):
/// while a transaction is open for a directory, each [`write_atomic`] there first keeps the
/// file it replaces (a hard link under a temporary name); when the transaction is dropped
/// without [`Transaction::commit`] — a run that failed part-way — every file it wrote is
/// removed again and every file it replaced is put back, so the directory holds the previous
/// run's files, whose checksums still hold. A run killed outright leaves each final name
/// either old or new (never partial), and its backups are removed by the next run.
pub struct Transaction {
    dir: PathBuf,
    state: Arc<Written>,
    committed: bool,
}

/// Each file a transaction wrote, with the backup of the file it replaced.
type Written = Mutex<Vec<(PathBuf, Option<PathBuf>)>>;
type Open = Vec<(PathBuf, Weak<Written>)>;
static OPEN: Mutex<Open> = Mutex::new(Vec::new());

impl Transaction {
    pub fn begin(dir: &Path) -> Transaction {
        let state = Arc::new(Mutex::new(Vec::new()));
        let mut open = OPEN.lock().unwrap_or_else(|e| e.into_inner());
        open.retain(|(_, w)| w.strong_count() > 0);
        open.push((dir.to_path_buf(), Arc::downgrade(&state)));
        Transaction {
            dir: dir.to_path_buf(),
            state,
            committed: false,
        }
    }

    /// Keeps the run's files: the replaced ones' backups go.
    pub fn commit(mut self) {
        self.committed = true;
        for (_, backup) in self.take() {
            if let Some(b) = backup {
                let _ = std::fs::remove_file(b);
            }
        }
    }

    fn take(&self) -> Vec<(PathBuf, Option<PathBuf>)> {
        std::mem::take(&mut *self.state.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Called before `dest` is replaced: inside an open transaction, keeps the file it
    /// replaces (once per name and transaction); [`Pending::replaced`] then records it.
    fn before_replacing(dest: &Path) -> Result<Option<Pending>> {
        let Some(dir) = dest.parent() else {
            return Ok(None);
        };
        let state = {
            let open = OPEN.lock().unwrap_or_else(|e| e.into_inner());
            open.iter()
                .rev()
                .find(|(d, w)| d == dir && w.strong_count() > 0)
                .and_then(|(_, w)| w.upgrade())
        };
        let Some(state) = state else {
            return Ok(None);
        };
        let written = state.lock().unwrap_or_else(|e| e.into_inner());
        if written.iter().any(|(d, _)| d == dest) {
            return Ok(None);
        }
        let backup = match std::fs::symlink_metadata(dest) {
            Ok(meta) if meta.is_file() => {
                let name = dest.file_name().unwrap_or_default().to_string_lossy();
                static NEXT: std::sync::atomic::AtomicUsize =
                    std::sync::atomic::AtomicUsize::new(0);
                let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let backup = dir.join(format!(
                    ".{name}.{}-{n}.backup{TMP_SUFFIX}",
                    std::process::id()
                ));
                let _ = std::fs::remove_file(&backup);
                std::fs::hard_link(dest, &backup)
                    .or_else(|_| std::fs::copy(dest, &backup).map(drop))
                    .with_context(|| {
                        format!(
                            "cannot keep {} before replacing it (is {} writable?)",
                            dest.display(),
                            dir.display()
                        )
                    })?;
                Some(backup)
            }
            _ => None,
        };
        drop(written);
        Ok(Some(Pending {
            state,
            dest: dest.to_path_buf(),
            backup,
        }))
    }
}

/// A file about to be replaced inside a transaction, with the backup of what it replaces;
/// dropped without [`Pending::replaced`] (the rename failed), the backup goes.
struct Pending {
    state: Arc<Written>,
    dest: PathBuf,
    backup: Option<PathBuf>,
}

impl Pending {
    fn replaced(mut self) {
        let entry = (std::mem::take(&mut self.dest), self.backup.take());
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(entry);
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(b) = &self.backup {
            let _ = std::fs::remove_file(b);
        }
    }
}

impl Drop for Transaction {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        let written = self.take();
        if written.is_empty() {
            return;
        }
        for (dest, backup) in written.into_iter().rev() {
            let _ = match backup {
                Some(b) => std::fs::rename(&b, &dest),
                None => std::fs::remove_file(&dest),
            };
        }
        crate::sys::shell::note(
            "Restored",
            format!("{} as the previous run left it", self.dir.display()),
        );
    }
}

/// crossdock's own state, outside every out dir (the record of what it wrote into each,
/// `package::ownership::Record`): `$CROSSDOCK_STATE_DIR`, else `$XDG_STATE_HOME/crossdock`,
/// else `$HOME/.local/state/crossdock`, else `%LOCALAPPDATA%\crossdock`; only absolute
/// paths count. `None` when the machine has none of them.
pub fn state_dir() -> Option<PathBuf> {
    #[cfg(test)]
    if std::env::var_os("CROSSDOCK_STATE_DIR").is_none() {
        // The engine's own unit tests keep their records in the workspace's target dir,
        // not in the developer's home.
        return Some(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/crossdock-test-state"),
        );
    }
    let absolute = |v: std::ffi::OsString| Some(PathBuf::from(v)).filter(|p| p.is_absolute());
    let var = |k: &str| std::env::var_os(k).and_then(absolute);
    var("CROSSDOCK_STATE_DIR")
        .or_else(|| var("XDG_STATE_HOME").map(|d| d.join("crossdock")))
        .or_else(|| var("HOME").map(|d| d.join(".local/state/crossdock")))
        .or_else(|| var("LOCALAPPDATA").map(|d| d.join("crossdock")))
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

/// Sets a file's modification time to `secs` after the epoch (the run's
/// `SOURCE_DATE_EPOCH`). Why: cargo reruns a build script that prints no `rerun-if-changed`
/// whenever the newest file of its package changes, and a default out dir (`dist/`) is in
/// the package of a one-package workspace; files no newer than the commit never become the
/// newest (issue 25 §5).
pub fn set_mtime(path: &Path, secs: u64) -> Result<()> {
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs);
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(time))
        .with_context(|| format!("cannot set the modification time of {}", path.display()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) -> Result<()> {
        write_atomic(path, 0o644, |f| {
            use std::io::Write;
            f.write_all(text.as_bytes())?;
            Ok(())
        })
    }

    fn listing(dir: &Path) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                (e.file_name().to_string_lossy().into_owned(), text)
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_dropped_transaction_puts_the_directory_back_and_a_committed_one_keeps_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let (old, new) = (dir.path().join("old.txt"), dir.path().join("new.txt"));
        write(&old, "before").unwrap();
        let before = listing(dir.path());

        let tx = Transaction::begin(dir.path());
        write(&old, "after").unwrap();
        write(&new, "fresh").unwrap();
        write(&old, "after twice").unwrap();
        drop(tx);
        assert_eq!(listing(dir.path()), before);

        let tx = Transaction::begin(dir.path());
        write(&old, "after").unwrap();
        write(&new, "fresh").unwrap();
        tx.commit();
        assert_eq!(
            listing(dir.path()),
            [
                ("new.txt".into(), "fresh".into()),
                ("old.txt".into(), "after".into())
            ]
        );
        // Outside a transaction nothing is kept or taken back.
        write(&old, "later").unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
