//! What the executor needs from the world outside crossdock: cargo's builds, the targets'
//! std, smoke runs and objcopy. [`Cargo`] does these for real; the fake one in `fake.rs`
//! (tests) records what it was asked and writes placeholder binaries where cargo would, so
//! that everything after the build — binary checks, universal binaries, archives,
//! checksums, manifest, installers — is tested without cargo.

use std::path::Path;

use anyhow::Result;

use crate::exec::build::{self, Executables};
use crate::exec::debuginfo::{self, Split};
use crate::model::strip::Strip;
use crate::plan::{BuildIdx, BuildStep, CargoInvocation, DebuginfoSplit, Plan};

pub trait Backend: Sync {
    /// The target's std, before its build (`rustup target add` when the plan says so).
    fn ensure_std(&self, step: &BuildStep) -> Result<()>;
    /// Runs `cargo` for the plan's build step `build` (its own invocation, or its
    /// `unstripped` one); the executables it reported.
    fn build(&self, plan: &Plan, build: BuildIdx, cargo: &CargoInvocation) -> Result<Executables>;
    /// Runs the one cargo invocation of the plan's build group `group`; the executables it
    /// reported for each member, in the group's order.
    fn build_group(&self, plan: &Plan, group: usize) -> Result<Vec<Executables>>;
    /// Runs a built binary with its smoke arguments; what it printed.
    fn smoke(&self, step: &BuildStep, binary: &Path, args: &[String]) -> Result<String>;
    /// Splits `binary`'s debug info into `dir` (`debuginfo = "separate"`).
    fn split_debuginfo(
        &self,
        how: &DebuginfoSplit,
        binary: &Path,
        dir: &Path,
        file_name: &str,
        strip: Strip,
    ) -> Result<Split>;
    /// Writes `out`: `binary` with its dependency list `list` in a `.dep-v0` section
    /// (`auditable = true`), added by `objcopy`.
    fn embed_dependencies(
        &self,
        objcopy: &str,
        binary: &Path,
        list: &str,
        out: &Path,
    ) -> Result<()>;
}

/// The real thing: cargo (or zigbuild/cross), rustup, the binaries themselves, objcopy.
pub struct Cargo;

impl Backend for Cargo {
    fn ensure_std(&self, step: &BuildStep) -> Result<()> {
        build::ensure_std(step)
    }
    fn build(&self, plan: &Plan, build: BuildIdx, cargo: &CargoInvocation) -> Result<Executables> {
        build::run_invocation(
            cargo,
            &plan.build(build).target,
            &plan.workspace_root,
            build::CargoOutput::of(plan),
        )
    }
    fn build_group(&self, plan: &Plan, group: usize) -> Result<Vec<Executables>> {
        let g = &plan.build_groups[group];
        let targets: Vec<&str> = g.targets.iter().map(|t| t.as_str()).collect();
        build::run_group_invocation(
            &g.cargo,
            &targets,
            &plan.workspace_root,
            build::CargoOutput::of(plan),
        )
    }
    fn smoke(&self, step: &BuildStep, binary: &Path, args: &[String]) -> Result<String> {
        build::smoke(step, binary, args)
    }
    fn split_debuginfo(
        &self,
        how: &DebuginfoSplit,
        binary: &Path,
        dir: &Path,
        file_name: &str,
        strip: Strip,
    ) -> Result<Split> {
        debuginfo::split(how, binary, dir, file_name, strip)
    }
    fn embed_dependencies(
        &self,
        objcopy: &str,
        binary: &Path,
        list: &str,
        out: &Path,
    ) -> Result<()> {
        crate::exec::auditable::embed(objcopy, binary, list, out)
    }
}
