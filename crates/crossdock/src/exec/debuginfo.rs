//! `debuginfo = "separate"`: cargo builds with debug info (crossdock passes `strip=false`
//! and, when the profile has none, `debug=1`), then each binary is split with objcopy into
//! the shipped binary (stripped as `strip` says, with a `.gnu_debuglink` naming its debug
//! file and that file's CRC) and `{file}.debug`, which goes into
//! `{archive stem}-debuginfo.tar.gz`. Extracted beside the binary, gdb and other debuggers
//! find the debug file through the link; crash addresses resolve with it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use crate::read::config::Strip;
use crate::sys::process::Cmd;

/// The stripped binary and its debug file, both in `dir` (created when missing).
pub struct Split {
    pub binary: PathBuf,
    pub debug: PathBuf,
}

/// Splits `binary` into `dir/{file_name}` and `dir/{file_name}.debug` with `objcopy`.
pub fn split(
    objcopy: &str,
    binary: &Path,
    dir: &Path,
    file_name: &str,
    strip: Strip,
) -> Result<Split> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let debug_name = format!("{file_name}.debug");
    let debug = dir.join(&debug_name);
    let out = dir.join(file_name);
    let timeout = Some(Duration::from_secs(600));
    Cmd::new(objcopy)
        .arg("--only-keep-debug")
        .arg(binary)
        .arg(&debug)
        .run_checked(timeout)
        .with_context(|| format!("cannot split the debug info out of {}", binary.display()))?;
    let strip_flag = match strip {
        Strip::Debuginfo => "--strip-debug",
        Strip::Symbols | Strip::None => "--strip-all",
    };
    // From `dir`, so the link records the bare file name (what debuggers look up beside
    // the binary).
    Cmd::new(objcopy)
        .arg(strip_flag)
        .arg(format!("--add-gnu-debuglink={debug_name}"))
        .arg(binary)
        .arg(&out)
        .cwd(dir)
        .run_checked(timeout)
        .with_context(|| {
            format!(
                "cannot strip {} after splitting its debug info",
                binary.display()
            )
        })?;
    Ok(Split { binary: out, debug })
}
