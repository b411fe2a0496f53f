//! Executes one [`BuildStep`]: makes sure the target's std is there, runs cargo (or
//! zigbuild/cross) with the planned command, and takes the paths of the built executables
//! from cargo's JSON messages — never by guessing `target/<triple>/<profile>/<name>` —
//! while cargo's own diagnostics still reach the user's terminal.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::facts::toolchain;
use crate::plan::{BuildStep, CargoInvocation, Plan, StdSource};
use crate::sys::process::Cmd;
use crate::sys::shell;

/// How long `rustup target add` may take before it is taken to be hanging (offline).
pub fn rustup_timeout() -> Duration {
    std::env::var("CROSSDOCK_RUSTUP_TIMEOUT")
        .ok()
        .and_then(|s| s.parse().ok())
        .map(Duration::from_secs)
        .unwrap_or(Duration::from_secs(120))
}

pub fn ensure_std(step: &BuildStep) -> Result<()> {
    match &step.std {
        StdSource::Installed | StdSource::BuildStd => Ok(()),
        StdSource::RustupAdd { toolchain } => {
            shell::status(
                "Installing",
                format!("std for {} (rustup target add)", step.target),
            );
            toolchain::rustup_target_add(
                toolchain,
                &step.target,
                step.sources.file("rustc"),
                rustup_timeout(),
            )
        }
        StdSource::Missing => bail!(
            "{}: the standard library is missing (see the plan's problems)",
            step.target
        ),
    }
}

/// The variables `cargo run` sets for the program it starts to describe that program's
/// package (a project's xtask, `cargo xtask dist`), which a `cargo crossdock dist` or a
/// user's shell does not have: `CARGO_PKG_*`, `CARGO_MANIFEST_DIR`, `OUT_DIR`, …
const RUN_PACKAGE_VARS: &[&str] = &[
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_MANIFEST_LINKS",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_RUSTC_CURRENT_DIR",
    "CARGO_TARGET_TMPDIR",
    "OUT_DIR",
];

/// [`RUN_PACKAGE_VARS`] and every `CARGO_PKG_*` of `env`. They mean nothing to the builds,
/// yet cargo fingerprints a build script's `rerun-if-env-changed` from its own environment
/// (bat's build script names `CARGO_PKG_VERSION`), so with them a `cargo xtask dist --target
/// T` and a `cargo crossdock dist` reran each other's build scripts and recompiled the
/// packages above them, to the same bytes (issue 23 §9). Every cargo crossdock starts runs
/// without them, whichever way crossdock was started.
fn run_package_vars(env: impl Iterator<Item = String>) -> Vec<String> {
    let mut vars: Vec<String> = RUN_PACKAGE_VARS.iter().map(|v| v.to_string()).collect();
    vars.extend(env.filter(|k| k.starts_with("CARGO_PKG_")));
    vars
}

/// A cargo invocation, ready to run.
pub(crate) fn invocation_command(cargo: &CargoInvocation, workspace_root: &Path) -> Cmd {
    let argv = cargo.argv();
    let mut cmd = Cmd::new(&argv[0]).args(&argv[1..]).cwd(workspace_root);
    for k in run_package_vars(std::env::vars_os().filter_map(|(k, _)| k.into_string().ok())) {
        cmd = cmd.env_remove(k);
    }
    for (k, v) in &cargo.env {
        cmd = cmd.env(k, v);
    }
    for k in &cargo.env_remove {
        cmd = cmd.env_remove(k);
    }
    cmd
}

/// Built files of one step: (manifest path, key) → file, the key being a binary's
/// `[[bin]]` name or a library file's archive path (`lib/libc_lib.so`, see
/// `PlannedBinary::key`).
pub type Executables = BTreeMap<(PathBuf, String), PathBuf>;

/// What one `compiler-artifact` message adds to [`Executables`]: the executable of a
/// `bin` target; every file of a target whose kind names `cdylib` or `staticlib`, under
/// `lib/{file name}` (cargo names each file it wrote: `.so`/`.dylib`/`.dll`, `.dll.a`,
/// `.a`/`.lib`; nothing is guessed).
pub fn artifact_files(a: &cargo_metadata::Artifact) -> Vec<(String, PathBuf)> {
    if a.target.is_bin() {
        return a
            .executable
            .iter()
            .map(|exe| (a.target.name.clone(), exe.clone().into_std_path_buf()))
            .collect();
    }
    if crate::read::workspace::library_of(&a.target).is_none() {
        return Vec::new();
    }
    a.filenames
        .iter()
        .filter_map(|f| {
            Some((
                format!("lib/{}", f.file_name()?),
                f.clone().into_std_path_buf(),
            ))
        })
        .collect()
}

/// Where cargo's own messages (its stderr) go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CargoOutput {
    /// Straight to the user's terminal, as they come (one target at a time).
    Terminal,
    /// Captured and printed as one block when the build ends, so that the output of
    /// targets building at once never interleaves.
    Block,
}

impl CargoOutput {
    pub fn of(plan: &Plan) -> CargoOutput {
        if plan.parallel_targets > 1 {
            CargoOutput::Block
        } else {
            CargoOutput::Terminal
        }
    }
}

/// Runs one cargo invocation of `target`'s build (the step's own, or its `unstripped`).
pub fn run_invocation(
    cargo: &CargoInvocation,
    target: &str,
    workspace_root: &Path,
    output: CargoOutput,
) -> Result<Executables> {
    let mut found = Executables::new();
    run_cargo(
        cargo,
        target,
        workspace_root,
        output,
        |manifest, key, file| {
            found.insert((manifest, key), file);
        },
    )?;
    Ok(found)
}

/// Runs the one cargo invocation of a build group (`plan/group.rs`): what it built for each
/// of `targets`, in their order. cargo names every file it wrote, and each lies under the
/// target dir's `<triple>/` folder (`--target` builds never write to the host layout):
/// that folder says whose it is.
pub fn run_group_invocation(
    cargo: &CargoInvocation,
    targets: &[&str],
    workspace_root: &Path,
    output: CargoOutput,
) -> Result<Vec<Executables>> {
    let mut found = vec![Executables::new(); targets.len()];
    run_cargo(
        cargo,
        &targets.join(", "),
        workspace_root,
        output,
        |manifest, key, file| {
            if let Some(i) = owner(&file, targets) {
                found[i].insert((manifest, key), file);
            }
        },
    )?;
    Ok(found)
}

/// Which of `targets` built `file`: the one whose triple is a folder of its path.
fn owner(file: &Path, targets: &[&str]) -> Option<usize> {
    targets
        .iter()
        .position(|t| file.components().any(|c| c.as_os_str() == *t))
}

/// Runs a build invocation, handing each built file (manifest path, key, file) to `on_file`
/// while cargo's own diagnostics reach the user; `what` names the target(s) in errors.
fn run_cargo(
    cargo: &CargoInvocation,
    what: &str,
    workspace_root: &Path,
    output: CargoOutput,
    mut on_file: impl FnMut(PathBuf, String, PathBuf),
) -> Result<()> {
    let cmd = invocation_command(cargo, workspace_root);
    let mut parse_error = None;
    let on_line = |line: &str| {
        if !line.starts_with('{') {
            return;
        }
        match serde_json::from_str::<cargo_metadata::Message>(line) {
            Ok(cargo_metadata::Message::CompilerArtifact(a)) => {
                for (key, file) in artifact_files(&a) {
                    on_file(a.manifest_path.clone().into_std_path_buf(), key, file);
                }
            }
            Ok(_) => {}
            Err(e) => parse_error = Some(e),
        }
    };
    let status = match output {
        CargoOutput::Terminal => cmd.stream_stdout(on_line)?,
        CargoOutput::Block => {
            let (status, stderr) = cmd.stream_stdout_capturing_stderr(on_line)?;
            shell::block(&stderr);
            status
        }
    };
    if !status.success() {
        bail!(
            "building target {} failed ({status}); cargo's errors are above.\nThe command was:\n  {}",
            what,
            cmd.display()
        );
    }
    if let Some(e) = parse_error {
        return Err(e).context("cannot parse a JSON message from cargo");
    }
    Ok(())
}

/// Runs a built binary with its smoke arguments (through the target's runner when it has
/// one); a failure shows what it printed.
pub fn smoke(step: &BuildStep, binary: &Path, args: &[String]) -> Result<String> {
    let cmd = match &step.runner {
        Some(r) => Cmd::new(&r[0]).args(&r[1..]).arg(binary),
        None => Cmd::new(binary),
    }
    .args(args);
    let out = cmd
        .output(Some(Duration::from_secs(120)))
        .with_context(|| {
            format!(
                "smoke run of {} for target {} could not start",
                binary.display(),
                step.target
            )
        })?;
    if !out.success() {
        bail!(
            "smoke run failed for target {}: `{}` exited with {}; it printed:\n{}\n(fix the binary, or set `smoke = [...]` / `smoke = false` for this target in {}, or `smoke = {{ {} = false }}` for this binary only)",
            step.target,
            step.sources.shared,
            cmd.display(),
            out.status,
            out.combined(),
            binary
                .file_stem()
                .map(|s| s.to_string_lossy())
                .unwrap_or_default()
        );
    }
    Ok(out.stdout.trim().replace('\r', ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_s_files_go_to_the_target_whose_folder_holds_them() {
        let targets = ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"];
        let file = |t: &str| PathBuf::from(format!("/ws/target/{t}/dist/alpha"));
        assert_eq!(owner(&file(targets[0]), &targets), Some(0));
        assert_eq!(owner(&file(targets[1]), &targets), Some(1));
        // Not `x86_64-unknown-linux-gnux32` by its prefix, nor the host layout.
        assert_eq!(owner(&file("x86_64-unknown-linux-gnux32"), &targets), None);
        assert_eq!(owner(Path::new("/ws/target/dist/alpha"), &targets), None);
    }
}
