//! One `dist` at a time per workspace: an advisory lock on a file in the target dir. A
//! second run waits (saying which process holds it) instead of racing the first for the
//! same build outputs and out dir. The OS drops the lock when the process dies.

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
    acquire_at(target_dir, "crossdock.lock")
}

/// The out dir's lock (`.crossdock.lock`, hidden: never uploaded or published): one run
/// writes an out dir at a time, `dist` and `merge` alike, and only the holder cleans up
/// what an interrupted run left there.
pub fn acquire_out_dir(out_dir: &Path) -> Result<DistLock> {
    crate::sys::fs::create_out_dir(out_dir)?;
    acquire_at(out_dir, ".crossdock.lock")
}

fn acquire_at(dir: &Path, name: &str) -> Result<DistLock> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join(name);
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
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
                    path.display()
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
