//! `auditable = true` as the plan chose it (`plan/auditable.rs`): the binary's dependency
//! list, zlib-compressed, added as the `.dep-v0` section of a copy of the binary by LLVM's
//! objcopy. The copy ships; cargo's file is left as cargo made it.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::plan::auditable::SECTION;
use crate::sys::process::Cmd;

const TIMEOUT: Option<std::time::Duration> = Some(std::time::Duration::from_secs(300));

/// Writes `out`: `binary` with `list` (cargo-auditable's JSON) compressed into `.dep-v0`;
/// nothing when `out` is what the last call with the same inputs wrote (its memo says so).
pub fn embed(objcopy: &str, binary: &Path, list: &str, out: &Path) -> Result<()> {
    let memo = beside(out, "dep-v0.memo");
    let inputs = memo_text(objcopy, binary, list, out);
    if inputs.is_some() && std::fs::read_to_string(&memo).ok() == inputs {
        return Ok(());
    }
    write(objcopy, binary, list, out)?;
    // Only a speed-up: without a memo the section is added again next time.
    match memo_text(objcopy, binary, list, out) {
        Some(text) => {
            let _ = std::fs::write(&memo, text);
        }
        None => {
            let _ = std::fs::remove_file(&memo);
        }
    }
    Ok(())
}

/// What `out` was made from, and `out` as it is: the stamps (device, inode, size, mtime,
/// ctime: any write changes them) of both files, the list's hash, the objcopy and
/// crossdock's version. `None` where files have no stamp.
fn memo_text(objcopy: &str, binary: &Path, list: &str, out: &Path) -> Option<String> {
    use crate::package::ownership::Stamp;
    let stamp = |p: &Path| Stamp::of(&std::fs::symlink_metadata(p).ok()?);
    serde_json::to_string(&(
        env!("CARGO_PKG_VERSION"),
        objcopy,
        binary,
        stamp(binary)?,
        crate::package::archive::sha256_hex(list.as_bytes()),
        stamp(out)?,
    ))
    .ok()
}

fn write(objcopy: &str, binary: &Path, list: &str, out: &Path) -> Result<()> {
    let dir = out
        .parent()
        .with_context(|| format!("{} has no folder", out.display()))?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let data = beside(out, "dep-v0");
    std::fs::write(&data, compress(list.as_bytes())?)
        .with_context(|| format!("cannot write {}", data.display()))?;
    let _ = std::fs::remove_file(out);
    let result = Cmd::new(objcopy)
        .arg("--add-section")
        .arg(format!("{SECTION}={}", data.display()))
        .arg(binary)
        .arg(out)
        .run_checked(TIMEOUT)
        .with_context(|| {
            format!(
                "cannot add the dependency list ({SECTION}, auditable = true) to {}",
                binary.display()
            )
        });
    let _ = std::fs::remove_file(&data);
    result.map(|_| ())
}

/// `FILE.suffix` next to `out` (a dot in a binary's name is kept).
fn beside(out: &Path, suffix: &str) -> std::path::PathBuf {
    let name = out.file_name().unwrap_or_default().to_string_lossy();
    out.with_file_name(format!("{name}.{suffix}"))
}

/// zlib at the best level: the same bytes for the same list, on every machine.
fn compress(data: &[u8]) -> Result<Vec<u8>> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data)?;
    Ok(z.finish()?)
}
