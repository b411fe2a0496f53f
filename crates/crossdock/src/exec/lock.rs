//! One `dist` at a time per workspace: an advisory lock on a file in the target dir, and
//! one run per out dir: a lock kept in crossdock's state dir. A second run waits (saying
//! which process holds it) instead of racing the first for the same build outputs and out
//! dir. The OS drops the lock when the process dies.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::path::Path;

use anyhow::{Context, Result};

use crate::sys::shell;

pub struct DistLock {
    _file: File,
}

/// The target dir's lock: one build at a time per target dir.
pub fn acquire(target_dir: &Path) -> Result<DistLock> {
    let path = target_dir.join("crossdock.lock");
    acquire_at(&path, &path)
}

/// The lock file older versions kept in the out dir itself.
const OUT_DIR_LOCK: &str = ".crossdock.lock";

/// The out dir's lock: one run writes an out dir at a time, `dist` and `merge` alike, and
/// only the holder cleans up what an interrupted run left there. It lives in crossdock's
/// state dir beside the out dir's record (`package::ownership::state_file`), so nothing of
/// it stays in the out dir after a run (issue 23 §8; a machine without a state dir keeps
/// it in the out dir as `.crossdock.lock`, and so does one whose state dir cannot be
/// written). A lock an older version left there goes once no run holds it.
pub fn acquire_out_dir(out_dir: &Path) -> Result<DistLock> {
    crate::sys::fs::create_out_dir(out_dir)?;
    let in_out_dir = out_dir.join(OUT_DIR_LOCK);
    let state = crate::sys::fs::state_dir().and_then(|state| {
        let canonical = std::fs::canonicalize(out_dir).ok()?;
        let path = crate::package::ownership::state_file(&state, &canonical, "lock");
        let writable = path
            .parent()
            .is_some_and(|d| std::fs::create_dir_all(d).is_ok());
        writable.then_some(path)
    });
    let Some(path) = state else {
        return acquire_at(&in_out_dir, &in_out_dir);
    };
    let lock = acquire_at(&path, out_dir)?;
    remove_old_lock(&in_out_dir);
    Ok(lock)
}

/// Removes an older version's lock file from the out dir: a small regular file that no
/// run holds (one that runs keeps it, and its lock).
fn remove_old_lock(path: &Path) {
    let small_file = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() <= 64);
    if !small_file {
        return;
    }
    let Ok(file) = OpenOptions::new().read(true).write(true).open(path) else {
        return;
    };
    if file.try_lock().is_ok() {
        let _ = std::fs::remove_file(path);
    }
}

/// Locks the file at `path`, waiting (with a note naming `what`) while another run holds it.
fn acquire_at(path: &Path, what: &Path) -> Result<DistLock> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .with_context(|| format!("cannot open lock file {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            shell::note(
                "Blocking",
                format!(
                    "waiting for another crossdock run (pid {}) to finish with {}",
                    holder.split_whitespace().next().unwrap_or("unknown"),
                    what.display()
                ),
            );
            file.lock()
                .with_context(|| format!("cannot lock {}", path.display()))?;
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(e).with_context(|| format!("cannot lock {}", path.display()));
        }
    }
    file.set_len(0)?;
    file.rewind()?;
    writeln!(file, "{}", std::process::id())?;
    file.flush()?;
    Ok(DistLock { _file: file })
}
