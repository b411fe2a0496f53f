//! `debuginfo = "separate"`: cargo builds with debug info (crossdock passes `strip=false`
//! and, when the profile has none, `debug=1`), then each binary is split as the plan chose
//! (`plan/debuginfo.rs`) into the shipped binary, stripped as `strip` says, and its debug
//! info for `{archive stem}-debuginfo.tar.gz`:
//! - ELF, windows-gnu: objcopy writes `{file}.debug` and the binary with a `.gnu_debuglink`
//!   naming that file and its CRC; extracted beside the binary, gdb, lldb and
//!   llvm-symbolizer find it through the link.
//! - Mach-O: `{file}.dSYM`, rustc's own (it runs dsymutil after linking with its default
//!   `split-debuginfo=packed`, and then deletes the object files) when its DWARF carries the
//!   binary's UUID, else dsymutil run on the binary (the debug map points at object files
//!   that are still in target/ right after the build). Debuggers find a bundle beside the
//!   binary and match it by UUID; crossdock replaces the linker's (a hash that includes the
//!   object files' paths) with one derived from the stripped binary, in both.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::model::strip::Strip;
use crate::package::archive::MODE_FILE;
use crate::package::dsym;
use crate::plan::DebuginfoSplit;
use crate::sys::process::Cmd;

/// The stripped binary and its debug file or bundle, both in `dir` (created when missing).
pub struct Split {
    pub binary: PathBuf,
    /// `{file}.debug`, or the `{file}.dSYM` directory.
    pub debug: PathBuf,
}

const TIMEOUT: Option<Duration> = Some(Duration::from_secs(600));

/// Splits `binary` into `dir/{file_name}` and its debug info beside it.
pub fn split(
    how: &DebuginfoSplit,
    binary: &Path,
    dir: &Path,
    file_name: &str,
    strip: Strip,
) -> Result<Split> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let debug = dir.join(how.debug_name(file_name));
    let out = dir.join(file_name);
    match how {
        DebuginfoSplit::DebugLink { objcopy } => {
            Cmd::new(objcopy)
                .arg("--only-keep-debug")
                .arg(binary)
                .arg(&debug)
                .run_checked(TIMEOUT)
                .with_context(|| {
                    format!("cannot split the debug info out of {}", binary.display())
                })?;
            // From `dir`, so the link records the bare file name (what debuggers look up
            // beside the binary).
            let link = format!("--add-gnu-debuglink={}", how.debug_name(file_name));
            strip_into(objcopy, binary, &out, strip, Some(&link), dir)?;
        }
        DebuginfoSplit::Dsym { dsymutil, objcopy } => {
            make_dsym(dsymutil, binary, &debug, file_name)?;
            let uuid = strip_with_content_uuid(objcopy, binary, &out, strip, dir)?;
            let dwarf = debug.join("Contents/Resources/DWARF").join(file_name);
            let mut data = std::fs::read(&dwarf)
                .with_context(|| format!("cannot read {}", dwarf.display()))?;
            if !dsym::set_uuid(&mut data, uuid) {
                bail!("{}: no LC_UUID to update", dwarf.display());
            }
            crate::sys::fs::write_atomic(&dwarf, MODE_FILE, |f| {
                std::io::Write::write_all(f, &data).map_err(Into::into)
            })?;
        }
    }
    Ok(Split { binary: out, debug })
}

/// `objcopy --strip-all` (or `--strip-debug` with `strip = "debuginfo"`), as rustc strips
/// Mach-O; LLVM's objcopy re-computes an arm64 binary's ad-hoc signature, which the binary
/// check then verifies.
fn strip_into(
    objcopy: &str,
    binary: &Path,
    out: &Path,
    strip: Strip,
    link: Option<&str>,
    cwd: &Path,
) -> Result<()> {
    let mut cmd = Cmd::new(objcopy).arg(strip.objcopy_flag());
    if let Some(l) = link {
        cmd = cmd.arg(l);
    }
    cmd.arg(binary)
        .arg(out)
        .cwd(cwd)
        .run_checked(TIMEOUT)
        .with_context(|| {
            format!(
                "cannot strip {} after splitting its debug info",
                binary.display()
            )
        })?;
    Ok(())
}

/// Strips the Mach-O `binary` into `out` under a UUID derived from the stripped bytes, and
/// returns it. The linker's UUID hashes the whole linked file, debug map included: the
/// object files' absolute paths (and zig's mtimes), so it changes with the target dir and on
/// every relink, and so would the shipped binary. Stripping with a zero UUID, hashing that,
/// and stripping again with the hash makes the UUID (and the ad-hoc signature objcopy
/// computes over it) a function of the shipped bytes, the way ld64's `-oso_prefix` would.
fn strip_with_content_uuid(
    objcopy: &str,
    binary: &Path,
    out: &Path,
    strip: Strip,
    dir: &Path,
) -> Result<[u8; 16]> {
    let mut data =
        std::fs::read(binary).with_context(|| format!("cannot read {}", binary.display()))?;
    let staged = dir.join(format!(
        ".{}.uuid",
        out.file_name().unwrap_or_default().to_string_lossy()
    ));
    let mut strip_as = |uuid: [u8; 16]| -> Result<Vec<u8>> {
        if !dsym::set_uuid(&mut data, uuid) {
            bail!("{}: no LC_UUID to update", binary.display());
        }
        std::fs::write(&staged, &data)
            .with_context(|| format!("cannot write {}", staged.display()))?;
        strip_into(objcopy, &staged, out, strip, None, dir)?;
        std::fs::read(out).with_context(|| format!("cannot read {}", out.display()))
    };
    let uuid = dsym::content_uuid(&strip_as([0; 16])?);
    let shipped = strip_as(uuid)?;
    let _ = std::fs::remove_file(&staged);
    if dsym::uuid(&shipped) != Some(uuid) {
        bail!(
            "{}: `{objcopy}` did not keep the LC_UUID crossdock set; use LLVM's objcopy (llvm-objcopy or rust-objcopy)",
            out.display()
        );
    }
    Ok(uuid)
}

/// Writes `dest` (`{file}.dSYM`, replaced when there) for `binary`: a copy of rustc's bundle
/// when it matches, else dsymutil's. The DWARF file inside is named `file_name` either way
/// (rustc's is named after cargo's hashed `deps/` file).
fn make_dsym(dsymutil: &str, binary: &Path, dest: &Path, file_name: &str) -> Result<()> {
    let data =
        std::fs::read(binary).with_context(|| format!("cannot read {}", binary.display()))?;
    let uuid = dsym::uuid(&data).with_context(|| {
        format!(
            "{}: no LC_UUID load command, so no .dSYM can be matched to it (the linker was told not to write one, e.g. -Wl,-no_uuid); remove that flag or set debuginfo = \"off\" for this target",
            binary.display()
        )
    })?;
    if dest.exists() {
        std::fs::remove_dir_all(dest)
            .with_context(|| format!("cannot remove the old {}", dest.display()))?;
    }
    let dwarf_dir = dest.join("Contents/Resources/DWARF");
    let mut bundle_name = binary.file_name().unwrap_or_default().to_os_string();
    bundle_name.push(".dSYM");
    let rustc_bundle = binary.with_file_name(bundle_name);
    if let Some(dwarf) = dsym::matching_dwarf(&rustc_bundle, uuid) {
        for (rel, file) in dsym::files(&rustc_bundle)? {
            let to = if file == dwarf {
                dwarf_dir.join(file_name)
            } else if rel.starts_with("Contents/Resources/DWARF/") {
                continue; // a stale slice of an earlier build
            } else {
                dest.join(&rel)
            };
            std::fs::create_dir_all(to.parent().unwrap_or(dest))
                .with_context(|| format!("cannot create {}", dest.display()))?;
            std::fs::copy(&file, &to)
                .with_context(|| format!("cannot copy {} to {}", file.display(), to.display()))?;
        }
    } else {
        Cmd::new(dsymutil)
            .arg(binary)
            .arg("-o")
            .arg(dest)
            .run_checked(TIMEOUT)
            .with_context(|| format!("cannot make a .dSYM for {}", binary.display()))?;
        let made = dsym::matching_dwarf(dest, uuid);
        let Some(made) = made else {
            bail!(
                "{}: `{dsymutil}` wrote no DWARF for it into {}: its debug map points at object files that are gone (rustc deletes them when it ran dsymutil itself and its .dSYM is missing); build again from a clean target dir, or set debuginfo = \"off\" for this target",
                binary.display(),
                dest.display()
            );
        };
        if made != dwarf_dir.join(file_name) {
            std::fs::rename(&made, dwarf_dir.join(file_name))
                .with_context(|| format!("cannot rename {}", made.display()))?;
        }
    }
    Ok(())
}
