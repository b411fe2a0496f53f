//! Runs a build step's stages (`plan/stages.rs`) on each binary its build made: split the
//! debug info, check the binary, smoke-run it, in the plan's order; an error says which
//! stage failed ([`FailedStep`]) for `--keep-going`. The build itself ([`Stage::Build`])
//! runs once per step before this, in `exec/dist.rs`.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::exec::backend::Backend;
use crate::exec::pack::ReadyBinary;
use crate::package::archive;
use crate::package::binary::{self, Inspection};
use crate::plan::stages::{Smoke, Split, Verify};
use crate::plan::{BuildStep, FailedStep, Plan, PlannedBinary, Stage};
use crate::sys::shell;

/// A stage's failure: which step of the target failed, and why.
pub type StageError = (FailedStep, anyhow::Error);

/// One binary on its way through the stages.
pub struct InFlight {
    pub planned: PlannedBinary,
    /// The package (its name) whose binary this is.
    pub package: String,
    /// Where it is now: cargo's file, then the split one.
    pub path: PathBuf,
    /// With the debug info split off, cargo's file is the binary before stripping: its size.
    pub unstripped_size: Option<u64>,
    /// Its debug file or bundle, once split.
    pub debug: Option<PathBuf>,
    /// What the check found, once checked.
    pub checked: Option<Checked>,
}

/// A checked binary: its size, hash and what it is.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Checked {
    pub size: u64,
    pub sha256: String,
    pub info: Inspection,
}

impl InFlight {
    pub fn new(planned: &PlannedBinary, package: &str, path: &Path) -> InFlight {
        InFlight {
            planned: planned.clone(),
            package: package.to_string(),
            path: path.to_path_buf(),
            unstripped_size: None,
            debug: None,
            checked: None,
        }
    }

    /// The binary as packaging takes it; only a checked binary is ready.
    pub fn ready(self, step: &BuildStep) -> Result<ReadyBinary, StageError> {
        let Some(c) = self.checked else {
            return Err((
                FailedStep::BinaryCheck,
                anyhow::anyhow!(
                    "internal: the plan has no binary check for {} of {}",
                    self.planned.file_name,
                    step.target
                ),
            ));
        };
        Ok(ReadyBinary {
            planned: self.planned,
            path: self.path,
            size: c.size,
            unstripped_size: self.unstripped_size,
            sha256: c.sha256,
            format: c.info.to_string(),
            glibc: c.info.glibc.clone(),
            debug: self.debug,
        })
    }
}

/// Runs every stage of `step` after the build on `bin`, in plan order.
pub fn run_on_binary(
    plan: &Plan,
    backend: &dyn Backend,
    step: &BuildStep,
    bin: &mut InFlight,
) -> Result<(), StageError> {
    for stage in &step.stages {
        match stage {
            // Once per step, before the binaries exist.
            Stage::Build => {}
            // Only programs get their debug info split off; libraries ship stripped.
            Stage::Split(s) if bin.planned.kind.is_binary() => split(plan, backend, step, s, bin)?,
            Stage::Split(_) => {}
            // Programs carry their list; a library's file ships as built.
            Stage::Embed(e) if bin.planned.kind.is_binary() => embed(plan, backend, step, e, bin)?,
            Stage::Embed(_) => {}
            Stage::Verify(v) => verify(plan, v, &step.sources, bin)?,
            Stage::Smoke(s) => smoke(plan, backend, step, s, bin)?,
        }
    }
    Ok(())
}

fn split(
    plan: &Plan,
    backend: &dyn Backend,
    step: &BuildStep,
    s: &Split,
    bin: &mut InFlight,
) -> Result<(), StageError> {
    // The binary cargo built is the one before stripping: its size needs no measuring
    // build (the plan has no `unstripped` one).
    bin.unstripped_size = std::fs::metadata(&bin.path).ok().map(|m| m.len());
    let dir = plan
        .target_dir
        .join("crossdock/debuginfo")
        .join(&step.target)
        .join(&bin.package);
    let split = backend
        .split_debuginfo(&s.how, &bin.path, &dir, &bin.planned.file_name, s.strip)
        .map_err(|e| (FailedStep::BinaryCheck, e))?;
    bin.path = split.binary;
    bin.debug = Some(split.debug);
    Ok(())
}

/// `auditable = true`: the binary as it ships is a copy with its package's dependency list
/// in `.dep-v0`, in `target/crossdock/auditable/TARGET/PACKAGE/`.
fn embed(
    plan: &Plan,
    backend: &dyn Backend,
    step: &BuildStep,
    e: &crate::plan::stages::Embed,
    bin: &mut InFlight,
) -> Result<(), StageError> {
    let Some(list) = e.lists.get(&bin.package) else {
        return Err((
            FailedStep::BinaryCheck,
            anyhow::anyhow!(
                "internal: the plan has no dependency list for package {} of {}",
                bin.package,
                step.target
            ),
        ));
    };
    let out = plan
        .target_dir
        .join("crossdock/auditable")
        .join(&step.target)
        .join(&bin.package)
        .join(&bin.planned.file_name);
    backend
        .embed_dependencies(&e.objcopy, &bin.path, list, &out)
        .map_err(|e| (FailedStep::BinaryCheck, e))?;
    bin.path = out;
    Ok(())
}

/// `config`: the shared config file, where the glibc floor is set.
fn verify(
    plan: &Plan,
    v: &Verify,
    sources: &crate::read::config::Sources,
    bin: &mut InFlight,
) -> Result<(), StageError> {
    let config = &sources.shared;
    let path = &bin.path;
    let memo = verified_memo(plan, v, bin);
    let checked = match memo.as_deref().and_then(read_verified) {
        Some(c) => c,
        None => {
            let data = std::fs::read(path)
                .with_context(|| format!("cannot read {}", path.display()))
                .map_err(|e| (FailedStep::BinaryCheck, e))?;
            let info =
                binary::verify_set_in(path, &data, &v.target, v.strip, bin.planned.kind, &|k| {
                    sources.file(k)
                })
                .map_err(|e| (FailedStep::BinaryCheck, e))?;
            let c = Checked {
                size: data.len() as u64,
                sha256: archive::sha256_hex(&data),
                info,
            };
            if let Some(m) = &memo {
                // Only a speed-up: a memo that cannot be written is checked again next time.
                let _ = write_verified(m, &c);
            }
            c
        }
    };
    let info = &checked.info;
    if let (Some(floor), Some(needs)) = (&v.glibc, &info.glibc) {
        if binary::glibc_newer(needs, floor) {
            return Err((
                FailedStep::BinaryCheck,
                anyhow::anyhow!(
                    "{}: needs glibc {needs}, above the floor {floor} set for {} in {config}; a dependency links a newer glibc symbol (find it with `objdump -T {} | grep GLIBC_{needs}`) or raise `glibc`",
                    path.display(),
                    v.target,
                    path.display()
                ),
            ));
        }
    }
    bin.checked = Some(checked);
    Ok(())
}

/// Where the check of this binary file, as it is now, is remembered: keyed by the file's
/// path and stamp (device, inode, size, mtime, ctime: any write changes it,
/// `ownership::Stamp`), what the check asks, and crossdock's version. An unchanged binary
/// is then neither read nor hashed again (an 80 MB binary cost a no-op run 0.3 s: issue 25
/// §5). `None` where files have no stamp.
fn verified_memo(plan: &Plan, v: &Verify, bin: &InFlight) -> Option<PathBuf> {
    use sha2::Digest;
    let meta = std::fs::symlink_metadata(&bin.path).ok()?;
    let stamp = crate::package::ownership::Stamp::of(&meta)?;
    let key = serde_json::to_string(&(
        env!("CARGO_PKG_VERSION"),
        &bin.path,
        stamp,
        v,
        bin.planned.kind,
    ))
    .ok()?;
    Some(
        plan.target_dir
            .join("crossdock/verified")
            .join(archive::hex(&sha2::Sha256::digest(key.as_bytes()))),
    )
}

fn read_verified(memo: &Path) -> Option<Checked> {
    let meta = std::fs::symlink_metadata(memo).ok()?;
    if !meta.is_file() || meta.len() > 1 << 20 {
        return None;
    }
    serde_json::from_slice(&std::fs::read(memo).ok()?).ok()
}

fn write_verified(memo: &Path, c: &Checked) -> anyhow::Result<()> {
    let text = serde_json::to_vec(c)?;
    std::fs::create_dir_all(memo.parent().unwrap_or(Path::new(".")))?;
    crate::sys::fs::write_atomic(memo, 0o644, |f| {
        use std::io::Write;
        f.write_all(&text)?;
        Ok(())
    })?;
    Ok(())
}

fn smoke(
    plan: &Plan,
    backend: &dyn Backend,
    step: &BuildStep,
    s: &Smoke,
    bin: &mut InFlight,
) -> Result<(), StageError> {
    let name = &bin.planned.file_name;
    let Some(args) = s.runs.get(&bin.planned.name).and_then(Option::as_deref) else {
        // A library has no smoke run to skip.
        if s.skipped.is_none() && bin.planned.kind.is_binary() {
            shell::note(
                "Skipping",
                format!(
                    "smoke run of {name} for {}: off in {}",
                    step.target, step.sources.shared
                ),
            );
        }
        return Ok(());
    };
    // A passed run is remembered by the binary's hash (so it runs after the check).
    let stamp = bin
        .checked
        .as_ref()
        .map(|c| smoke_stamp(plan, step, args, &c.sha256));
    if stamp.as_ref().is_some_and(|p| p.exists()) {
        shell::note(
            "Fresh",
            format!(
                "{name} for {} (this binary passed this smoke run before)",
                step.target
            ),
        );
        return Ok(());
    }
    let out = backend
        .smoke(step, &bin.path, args)
        .map_err(|e| (FailedStep::SmokeRun, e))?;
    if let Some(p) = &stamp {
        // Best effort: without the stamp the next run smoke-tests again.
        let _ = std::fs::create_dir_all(p.parent().unwrap_or(Path::new(".")));
        let _ = std::fs::write(p, &out);
    }
    shell::status(
        "Ran",
        format!(
            "{name} {}: {}",
            args.join(" "),
            shell::printable(out.lines().next().unwrap_or(""))
        ),
    );
    Ok(())
}

/// Where a passed smoke run of this binary (by hash) with this runner and these arguments is
/// recorded, so an unchanged binary is not run again.
fn smoke_stamp(plan: &Plan, step: &BuildStep, args: &[String], binary_sha: &str) -> PathBuf {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(binary_sha);
    for part in step.runner.iter().flatten().chain(args) {
        h.update([0]);
        h.update(part);
    }
    plan.target_dir
        .join("crossdock/smoke")
        .join(archive::hex(&h.finalize()))
}
