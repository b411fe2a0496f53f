//! `auditable = true` as the plan chose it (`plan/auditable.rs`): the binary's dependency
//! list, zlib-compressed, added as the `.dep-v0` section of a copy of the binary by LLVM's
//! objcopy. The copy ships; cargo's file is left as cargo made it.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use crate::plan::auditable::SECTION;
use crate::sys::process::Cmd;

const TIMEOUT: Option<std::time::Duration> = Some(std::time::Duration::from_secs(300));

/// Writes `out`: `binary` with `list` (cargo-auditable's JSON) compressed into `.dep-v0`.
pub fn embed(objcopy: &str, binary: &Path, list: &str, out: &Path) -> Result<()> {
    let dir = out
        .parent()
        .with_context(|| format!("{} has no folder", out.display()))?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let data = out.with_extension("dep-v0");
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

/// zlib at the best level: the same bytes for the same list, on every machine.
fn compress(data: &[u8]) -> Result<Vec<u8>> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(data)?;
    Ok(z.finish()?)
}
