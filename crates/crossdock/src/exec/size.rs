//! Each shipped binary's size before stripping, for the summary and the manifest.
//!
//! cargo strips while linking (the profile's `strip`), so the unstripped binary never
//! exists on the way to the shipped one. It is measured with the plan's `unstripped`
//! build: stripping off for the shipped packages only, so the dependencies are shared and
//! only the packages' own crates compile again (cargo keeps both builds side by side, under
//! different hashes). That build runs only when a binary changed: the size is remembered
//! per stripped binary (by hash) in the target dir, so a run with nothing new costs nothing.
//! Afterwards the real build runs again (fresh, nothing compiles) so that the files cargo
//! puts in `target/<triple>/<profile>/`, which the archives read, are the stripped ones.
//! A size that cannot be measured is a warning, never a failed run.

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use crate::exec::backend::Backend;
use crate::exec::pack::Ready;
use crate::package::archive;
use crate::plan::{BuildIdx, BuildStep, Plan};
use crate::sys::shell;

/// Where the unstripped size of the binary hashed `sha256` is remembered.
fn stamp(plan: &Plan, step: &BuildStep, sha256: &str) -> Option<PathBuf> {
    use sha2::Digest;
    let cmd = step.unstripped.as_ref()?;
    let mut h = sha2::Sha256::new();
    h.update(sha256);
    for part in cmd.argv() {
        h.update([0]);
        h.update(part);
    }
    Some(
        plan.target_dir
            .join("crossdock/unstripped")
            .join(archive::hex(&h.finalize())),
    )
}

/// Fills in `unstripped_size` of every binary `step` built (in `ready`); measures with the
/// `unstripped` build what is not remembered. Fails only when the stripped binaries cannot
/// be put back afterwards.
pub fn record_unstripped(
    plan: &Plan,
    backend: &dyn Backend,
    build: BuildIdx,
    ready: &mut Ready,
) -> Result<()> {
    let step = plan.build(build);
    let Some(cmd) = &step.unstripped else {
        return Ok(());
    };
    // A library built apart (plan/library.rs) is not in the `unstripped` build: no size
    // before stripping is recorded for it.
    let measured_here = |manifest: &PathBuf, b: &crate::exec::pack::ReadyBinary| {
        b.planned.kind.is_binary()
            || !step
                .library_builds
                .iter()
                .any(|l| &l.manifest_path == manifest)
    };
    let mut unknown = false;
    for ((_, manifest), list) in ready.iter_mut().filter(|((b, _), _)| *b == build) {
        for b in list.iter_mut().filter(|b| measured_here(manifest, b)) {
            let known = stamp(plan, step, &b.sha256)
                .and_then(|p| std::fs::read_to_string(p).ok())
                .and_then(|s| s.trim().parse().ok());
            b.unstripped_size = known;
            unknown |= known.is_none();
        }
    }
    if !unknown {
        return Ok(());
    }
    shell::status(
        "Measuring",
        format!(
            "{} for {} before stripping",
            step.packages.join(", "),
            step.target
        ),
    );
    let measured = backend.build(plan, build, cmd);
    match &measured {
        Ok(exes) => {
            for ((_, manifest), list) in ready.iter_mut().filter(|((b, _), _)| *b == build)
            {
                for b in list.iter_mut().filter(|b| measured_here(manifest, b)) {
                    let size = exes
                        .get(&(manifest.clone(), b.planned.key()))
                        .and_then(|p| std::fs::metadata(p).ok())
                        .map(|m| m.len());
                    b.unstripped_size = size;
                    if let (Some(n), Some(p)) = (size, stamp(plan, step, &b.sha256)) {
                        // Best effort: without it the next run measures again.
                        let _ = std::fs::create_dir_all(p.parent().unwrap_or(Path::new(".")));
                        let _ = std::fs::write(p, n.to_string());
                    }
                }
            }
        }
        Err(e) => shell::warn(format!(
            "{}: cannot measure the binaries before stripping, the summary and manifest leave that size out: {e:#}",
            step.target
        )),
    }
    // Put the stripped binaries back where the archives read them.
    backend.build(plan, build, &step.cargo)?;
    for ((_, _), list) in ready.iter().filter(|((b, _), _)| *b == build) {
        for b in list {
            let now = std::fs::metadata(&b.path).map(|m| m.len()).ok();
            if now != Some(b.size) {
                bail!(
                    "{}: {} is not the stripped binary built before the size measurement (size {now:?}, expected {}); run dist again",
                    step.target,
                    b.path.display(),
                    b.size
                );
            }
        }
    }
    Ok(())
}
