//! The plan: every step of a release, as data. [`plan`] is a pure function of the checked
//! config, the facts gathered about the machine ([`Facts`]) and the command-line
//! [`Options`]; it never starts a process or touches the file system. `--dry-run` prints
//! it, the GitHub matrix is derived from it, and unit tests check it without cargo.
//!
//! Config errors (a triple rustc does not know, a package that is not in the workspace)
//! fail planning with the line in targets.toml. Problems of the machine (a missing std, a
//! missing tool) are collected in [`Plan::problems`] so that a run reports all of them at
//! once before it starts the first long build.

mod parallel;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use anyhow::{bail, Result};
use serde::Serialize;

use crate::facts::toolchain::{Toolchain, ToolchainSpec};
pub use crate::facts::{EpochSource, Facts};
use crate::model::archive::ArchiveFormat;
use crate::model::builder::Builder;
use crate::model::strip::Strip;
use crate::model::triple::Triple;
use crate::read::config::{Config, LipoTool, Target};
use crate::read::include::IncludeFile;
pub use crate::read::select::Options;
use crate::read::select::{packages_for_run, selected_packages, selected_targets, toolchain_spec};
use crate::read::words::nearest;
use parallel::decide_parallel;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum StdSource {
    /// Already in the toolchain's sysroot.
    Installed,
    /// Missing from a rustup toolchain: `rustup target add` before building.
    RustupAdd { toolchain: String },
    /// Built from `rust-src` with `-Zbuild-std`.
    BuildStd,
    /// Missing, and this toolchain cannot get it.
    Missing,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct BuildStep {
    pub target: Triple,
    pub builder: Builder,
    pub toolchain: ToolchainSpec,
    pub rustc_version: String,
    pub std: StdSource,
    pub packages: Vec<String>,
    /// The cargo invocation that builds this target.
    #[serde(flatten)]
    pub cargo: CargoInvocation,
    pub linker: Option<String>,
    /// The C compiler and archiver for build scripts, when crossdock sets them
    /// (`CC_<triple>`/`AR_<triple>` in the command's env).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub c: Option<CToolchain>,
    pub runner: Option<Vec<String>>,
    /// `debuginfo = "separate"`: how each binary's debug info is split off into
    /// `{archive stem}-debuginfo.tar.gz`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split_debuginfo: Option<DebuginfoSplit>,
    /// The glibc floor the build links against and the binary check enforces.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub glibc: Option<String>,
    /// What the build strips, and so what the binary check refuses.
    pub strip: Strip,
    /// Profile settings crossdock changes for this build (`profile.dist.strip=true`):
    /// shown by `--dry-run` and recorded in the manifest, never silent.
    pub profile_overrides: Vec<String>,
    /// When crossdock strips: the same build with stripping off for the shipped packages
    /// (`profile.dist.package.<pkg>.strip=false`; their dependencies stay as built), run
    /// only when a binary changed, to record its size before stripping.
    /// Serialized as its command line (its environment is the build's).
    #[serde(serialize_with = "command::serialize_argv")]
    pub unstripped: Option<CargoInvocation>,
    /// The smoke run of each binary this step builds, by cargo `[[bin]]` name: its
    /// arguments, or `None` when targets.toml turns it off for that binary. Empty when no
    /// binary of this target can run here.
    pub smoke: BTreeMap<String, Option<Vec<String>>>,
    /// Why there is no smoke run at all for this target, when there is none.
    pub smoke_skipped: Option<String>,
}

/// A build step, by its place in [`Plan::builds`]: how artifacts name the build they take
/// their binaries from (never by matching triples). [`Plan::without`] keeps them pointing
/// at the same steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BuildIdx(pub usize);

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PlannedBinary {
    /// The cargo `[[bin]]` name.
    pub name: String,
    /// The file name on the target (`app.exe` on Windows).
    pub file_name: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Artifact {
    /// `{top_dir}.{extension}`
    pub file_name: String,
    /// `archive-name` rendered (default `{name}-{version}-{triple}`): the single top folder
    /// inside the archive.
    pub top_dir: String,
    /// With `unversioned-copy`: `{name}-{triple}.{extension}`, the same bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unversioned: Option<String>,
    pub package: String,
    pub version: String,
    /// The package's Cargo.toml, to match cargo's artifact messages.
    pub manifest_path: PathBuf,
    pub target: Triple,
    /// The build step whose binaries (of this package) the archive holds.
    #[serde(skip)]
    pub build: BuildIdx,
    pub format: ArchiveFormat,
    pub binaries: Vec<PlannedBinary>,
    pub includes: Vec<IncludeFile>,
    /// `{top_dir}-debuginfo.tar.gz` with `debuginfo = "separate"`: each binary's `.debug`
    /// file (ELF, windows-gnu) or `.dSYM` bundle (Mach-O).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debuginfo_file: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct UniversalArtifact {
    pub file_name: String,
    pub top_dir: String,
    /// With `unversioned-copy`: `{name}-{group}.{extension}`, the same bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unversioned: Option<String>,
    /// The first member's formats, one archive each.
    pub format: ArchiveFormat,
    pub package: String,
    pub version: String,
    /// The group name, used in the target slot of the file name.
    pub name: String,
    pub manifest_path: PathBuf,
    pub members: Vec<Triple>,
    /// The build step of each member, in `members` order: the slices' sources.
    #[serde(skip)]
    pub member_builds: Vec<BuildIdx>,
    pub tool: LipoTool,
    /// What joins the slices, decided here from `tool` and the tools on PATH.
    pub lipo: Lipo,
    pub binaries: Vec<PlannedBinary>,
    pub includes: Vec<IncludeFile>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Plan {
    pub workspace_root: PathBuf,
    pub target_dir: PathBuf,
    pub out_dir: PathBuf,
    pub profile: String,
    pub source_date_epoch: u64,
    /// Where `source_date_epoch` came from.
    pub epoch_source: EpochSource,
    pub commit: Option<String>,
    /// The git tree has uncommitted changes to tracked files.
    pub dirty: bool,
    pub jobs: usize,
    /// Why cargo gets fewer jobs than it would take (memory), when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jobs_reason: Option<String>,
    /// How many targets build at once (`parallel-targets`); each build then has its own
    /// share of `jobs` and its own target dir (see `plan/parallel.rs`).
    #[serde(skip_serializing_if = "is_one")]
    pub parallel_targets: usize,
    /// Why fewer targets build at once than asked, when that happens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallel_reason: Option<String>,
    pub builds: Vec<BuildStep>,
    pub artifacts: Vec<Artifact>,
    pub universals: Vec<UniversalArtifact>,
    /// The installers of each package, written at the end of the run for every archive
    /// the out dir then holds (`exec::pack::finish`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub installers: Vec<InstallerRelease>,
    /// Machine problems found while planning; a run stops before building when any exist.
    pub problems: Vec<Problem>,
    /// Targets (and universal groups) left out because this machine cannot build them:
    /// only without `--target`/`--all-targets`, see [`Plan::without`].
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
    /// `--force`: overwrite files in the out dir that crossdock did not write.
    pub force: bool,
    /// `--target` or `-p`: this run builds part of the matrix, so the other targets'
    /// archives already in the out dir are kept (see `exec::kept`).
    pub partial: bool,
    /// `--keep-going`: a failing target is recorded ([`Failed`]) and the run goes on.
    pub keep_going: bool,
    /// `size-warn` of `[dist]` in percent (default 10): the growth `dist --compare` warns about.
    pub size_warn: f64,
    /// The compiler cache the builds go through (`cache` in [dist]).
    pub cache: CacheChoice,
}

/// A target or universal group that this run leaves out, with the reason and the fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Skipped {
    pub target: String,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// What failed for a target in a `--keep-going` run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailedStep {
    /// Installing the target's std (`rustup target add`).
    Std,
    /// The cargo build.
    Build,
    /// The binary check (format, CPU, strip).
    BinaryCheck,
    /// A binary's smoke run.
    SmokeRun,
    /// A member of a universal group failed.
    Member,
}

impl FailedStep {
    pub fn name(self) -> &'static str {
        match self {
            FailedStep::Std => "std",
            FailedStep::Build => "build",
            FailedStep::BinaryCheck => "binary check",
            FailedStep::SmokeRun => "smoke run",
            FailedStep::Member => "member",
        }
    }
}

/// A target (or universal group) that failed in a `--keep-going` run: what failed, and the
/// first lines of the error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Failed {
    pub target: String,
    pub step: FailedStep,
    pub error: String,
}

impl Failed {
    /// At most this many lines of an error are kept.
    pub const LINES: usize = 6;

    pub fn new(target: &str, step: FailedStep, error: &str) -> Failed {
        let lines: Vec<&str> = error.lines().take(Self::LINES).collect();
        Failed {
            target: target.to_string(),
            step,
            error: lines.join("\n"),
        }
    }
}

impl Plan {
    /// The build step an artifact takes its binaries from.
    pub fn build(&self, i: BuildIdx) -> &BuildStep {
        &self.builds[i.0]
    }

    /// What is left to package once the targets in `failed` failed (`--keep-going`): their
    /// archives go, and so does every universal group with a failed member, which is added
    /// to the failures. Pure, like [`Plan::without`].
    pub fn without_failed(mut self, failed: Vec<Failed>) -> (Plan, Vec<Failed>) {
        let mut failed = failed;
        let gone = |failed: &[Failed], t: &str| failed.iter().any(|f| f.target == t);
        for u in &self.universals {
            if gone(&failed, &u.name) {
                continue;
            }
            if let Some(m) = u.members.iter().find(|m| gone(&failed, m)) {
                failed.push(Failed::new(
                    &u.name,
                    FailedStep::Member,
                    &format!("member {m} failed"),
                ));
            }
        }
        self.artifacts.retain(|a| !gone(&failed, &a.target));
        self.universals.retain(|u| !gone(&failed, &u.name));
        (self, failed)
    }

    /// The plan without the targets in `skip` (a triple or a universal group's name):
    /// their builds, archives and problems go; a universal group goes with any of its
    /// members. Pure: the caller decides what cannot build (doctor's checks).
    pub fn without(mut self, skip: Vec<Skipped>) -> Plan {
        let mut skip = skip;
        let gone = |skip: &[Skipped], t: &str| skip.iter().any(|s| s.target == t);
        for u in &self.universals {
            if gone(&skip, &u.name) {
                continue;
            }
            if let Some(m) = u.members.iter().find(|m| gone(&skip, m)) {
                skip.push(Skipped {
                    target: u.name.clone(),
                    reason: format!("member {m} is skipped"),
                    fix: Some(format!(
                        "fix {m} (its own row says how), or build each member on its own runner and join them with `merge`"
                    )),
                });
            }
        }
        // Each kept step's new place; the artifacts of a step that goes, go with it.
        let mut kept = 0;
        let moved: Vec<Option<BuildIdx>> = self
            .builds
            .iter()
            .map(|b| {
                (!gone(&skip, &b.target)).then(|| {
                    kept += 1;
                    BuildIdx(kept - 1)
                })
            })
            .collect();
        self.builds.retain(|b| !gone(&skip, &b.target));
        self.artifacts.retain_mut(|a| match moved[a.build.0] {
            Some(to) => {
                a.build = to;
                true
            }
            None => false,
        });
        self.universals.retain(|u| !gone(&skip, &u.name));
        for u in &mut self.universals {
            for b in &mut u.member_builds {
                *b = moved[b.0].expect("a kept universal's members are kept");
            }
        }
        self.problems.retain(|p| !gone(&skip, p.subject()));
        skip.dedup_by(|a, b| a.target == b.target);
        self.skipped.extend(skip);
        self
    }
}

pub fn plan(config: &Config, facts: &Facts, opts: &Options) -> Result<Plan> {
    let ws = &facts.workspace;
    let targets = selected_targets(config, opts)?;
    let packages = packages_for_run(config, ws, &opts.packages)?;
    let profile = match &config.profile {
        Some(p) => {
            if !["release", "dev"].contains(&p.as_str()) && !ws.profiles.contains(p) {
                bail!(
                    "{}: key `profile`: the workspace at {} defines no profile `{p}`; add [profile.{p}] (inherits = \"release\") to its Cargo.toml or use \"release\"",
                    config.path.display(),
                    ws.root.display()
                );
            }
            p.clone()
        }
        None if ws.profiles.contains("dist") => "dist".to_string(),
        None => "release".to_string(),
    };
    let (jobs, jobs_reason) = decide_jobs(opts.jobs.or(config.jobs), facts);
    let parallel = decide_parallel(config.parallel_targets, jobs, facts.cpus, targets.len());
    let bins: BTreeSet<&str> = packages
        .iter()
        .flat_map(|p| p.bins.iter().map(String::as_str))
        .collect();
    // Names are checked against every shipped binary, so that `-p` does not reject a table
    // entry of another package.
    let shipped: BTreeSet<&str> = selected_packages(config, ws)?
        .into_iter()
        .flat_map(|p| p.bins.iter().map(String::as_str))
        .collect();
    check_smoke_names(config, &shipped)?;
    let installers = installer_releases(config, &packages, &selected_packages(config, ws)?)?;
    check_archive_names(config, &selected_packages(config, ws)?)?;
    let mut problems = Vec::new();
    let mut builds = Vec::new();
    let cache = decide_cache(
        config.cache,
        facts.tools.contains(cache::SCCACHE),
        facts.user_rustc_wrapper.as_ref(),
    );
    let mut artifacts = Vec::new();
    for target in &targets {
        let spec = toolchain_spec(config, target, opts, &facts.default_cargo);
        let toolchain = match facts.toolchains.get(&spec) {
            Some(Ok(t)) => t,
            Some(Err(e)) => {
                problems.push(Problem::ToolchainBroken {
                    target: target.triple.clone(),
                    error: e.clone(),
                });
                continue;
            }
            None => bail!("internal: toolchain {spec:?} was not probed"),
        };
        if !toolchain.target_list.contains(target.triple.as_str()) {
            let known: Vec<&str> = toolchain.target_list.iter().map(String::as_str).collect();
            let hint = nearest(&target.triple, &known)
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            return Err(config.error(
                target.span,
                format!(
                    "key `triple`: `{}` is not a target that {} knows{hint} (see `{} --print target-list`)",
                    target.triple,
                    toolchain.version,
                    spec.rustc_program()
                ),
            ));
        }
        let std = std_source(target, toolchain, &mut problems);
        if let Some(tool) = builder_program(target.builder) {
            if !facts.tools.contains(tool) {
                problems.push(Problem::BuilderMissing {
                    target: target.triple.clone(),
                    builder: target.builder,
                    tool: tool.to_string(),
                });
            }
        }
        let split_debuginfo = debuginfo_split(target, facts, &mut problems);
        let pkgs: Vec<String> = packages.iter().map(|p| p.name.clone()).collect();
        let mut cargo = build_command(
            config,
            facts,
            target,
            &spec,
            &profile,
            &pkgs,
            parallel.jobs_each,
        );
        if parallel.targets > 1 {
            let dir = parallel::target_dir_of(&ws.target_dir, &target.triple);
            cargo
                .args
                .extend(["--target-dir".into(), dir.display().to_string()]);
        }
        if let Some(w) = cache.wrapper_for(target.builder) {
            if cache.missing {
                problems.push(Problem::CacheMissing {
                    target: target.triple.clone(),
                });
            }
            cargo.env.insert("RUSTC_WRAPPER".into(), w.to_string());
        }
        let (smoke, smoke_skipped) = smoke_plan(target, &facts.host, &bins);
        let unstripped =
            unstripped_command(target, &cargo, &profile, &pkgs).filter(|_| config.unstripped_size);
        let build = BuildIdx(builds.len());
        builds.push(BuildStep {
            target: target.triple.clone(),
            builder: target.builder,
            toolchain: spec,
            rustc_version: toolchain.version.clone(),
            std,
            packages: pkgs,
            cargo,
            linker: target.linker.clone(),
            c: c_toolchain(target, &facts.host, &facts.c_env, &facts.found_archivers),
            runner: target.runner.as_deref().map(runner::runner_for_cargo),
            glibc: target.glibc.clone(),
            strip: target.strip,
            profile_overrides: profile_overrides(
                target,
                &profile,
                facts.workspace.profile_has_debuginfo(&profile),
            ),
            split_debuginfo,
            unstripped,
            smoke,
            smoke_skipped,
        });
        for (p, format) in packages
            .iter()
            .flat_map(|p| target.formats.iter().map(move |f| (p, *f)))
        {
            let names = ArtifactNames::new(
                &config.naming,
                &p.name,
                &p.version,
                &target.triple,
                false,
                format,
            );
            // One debuginfo archive per package and target, beside the first format's.
            let debuginfo_file = (target.separate_debuginfo && format == target.formats[0])
                .then(|| format!("{}-debuginfo.tar.gz", names.top_dir));
            artifacts.push(Artifact {
                debuginfo_file,
                file_name: names.file_name,
                top_dir: names.top_dir,
                unversioned: names.unversioned,
                package: p.name.clone(),
                version: p.version.clone(),
                manifest_path: p.manifest_dir.join("Cargo.toml"),
                target: target.triple.clone(),
                build,
                format,
                binaries: binaries(&p.bins, &target.triple),
                includes: facts.includes.get(&p.name).cloned().unwrap_or_default(),
            });
        }
    }
    let selected: BTreeSet<&str> = targets.iter().map(|t| t.triple.as_str()).collect();
    // The one place a triple leads to its build step.
    let build_of: BTreeMap<&str, BuildIdx> = builds
        .iter()
        .enumerate()
        .map(|(i, b): (usize, &BuildStep)| (b.target.as_str(), BuildIdx(i)))
        .collect();
    let mut universals = Vec::new();
    for u in &config.universals {
        if !u.targets.iter().all(|(t, _)| selected.contains(t.as_str())) {
            continue; // built later by `merge` from the per-target outputs
        }
        let lipo = resolve_lipo(u.tool, &facts.tools);
        if lipo.is_none() {
            problems.push(Problem::LipoMissing {
                universal: u.name.clone(),
                tool: u.tool,
            });
        }
        let lipo = lipo.unwrap_or(Lipo::Builtin);
        for (p, format) in packages
            .iter()
            .flat_map(|p| universal_formats(config, u).iter().map(move |f| (p, *f)))
        {
            let names =
                ArtifactNames::new(&config.naming, &p.name, &p.version, &u.name, true, format);
            universals.push(UniversalArtifact {
                file_name: names.file_name,
                top_dir: names.top_dir,
                unversioned: names.unversioned,
                format,
                package: p.name.clone(),
                version: p.version.clone(),
                name: u.name.clone(),
                manifest_path: p.manifest_dir.join("Cargo.toml"),
                members: u.targets.iter().map(|(t, _)| t.clone()).collect(),
                // A member without a build step (its toolchain is broken) has a problem
                // that stops the run, or is skipped with the group.
                member_builds: u
                    .targets
                    .iter()
                    .filter_map(|(t, _)| build_of.get(t.as_str()).copied())
                    .collect(),
                tool: u.tool,
                lipo: lipo.clone(),
                binaries: binaries(&p.bins, &u.targets[0].0),
                includes: facts.includes.get(&p.name).cloned().unwrap_or_default(),
            });
            if !u.keep_thin {
                artifacts.retain(|a| {
                    !(a.package == p.name && u.targets.iter().any(|(t, _)| *t == a.target))
                });
            }
        }
    }
    if facts.source_date_epoch >= crate::model::archive::ZIP_END_OF_TIME {
        if let Some(a) = artifacts.iter().find(|a| a.format == ArchiveFormat::Zip) {
            bail!(
                "SOURCE_DATE_EPOCH {} is after 2107, the last year a zip entry can hold, and {} is a zip; set an earlier SOURCE_DATE_EPOCH, or archive = \"tar.gz\" for {} in targets.toml",
                facts.source_date_epoch,
                a.file_name,
                a.target
            );
        }
    }
    Ok(Plan {
        workspace_root: ws.root.clone(),
        target_dir: ws.target_dir.clone(),
        out_dir: opts.out_dir.clone().unwrap_or_else(|| ws.root.join("dist")),
        profile,
        source_date_epoch: facts.source_date_epoch,
        epoch_source: facts.epoch_source,
        commit: facts.commit.clone(),
        dirty: facts.dirty,
        jobs: jobs.unwrap_or(0),
        jobs_reason,
        parallel_targets: parallel.targets,
        parallel_reason: parallel.reason,
        builds,
        artifacts,
        universals,
        installers,
        problems,
        skipped: Vec::new(),
        force: opts.force,
        partial: !opts.targets.is_empty() || !opts.packages.is_empty(),
        keep_going: opts.keep_going,
        size_warn: config.size_warn.unwrap_or(DEFAULT_SIZE_WARN),
        cache,
    })
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

/// The growth `dist --compare` warns about when `size-warn` is not set, in percent.
pub const DEFAULT_SIZE_WARN: f64 = 10.0;

/// Memory a rustc job may take at its peak (LTO and big crates take more, small ones less).
pub const BYTES_PER_JOB: u64 = 3 << 29; // 1.5 GiB

/// Cargo's `-j`: what the user asked for (`--jobs`, `jobs =`), else fewer than the cores
/// when memory would not hold one job per core (the OS kills builds that run out), else
/// cargo's own default. The reason is shown once, so a slow build is never a mystery.
pub fn decide_jobs(asked: Option<usize>, facts: &Facts) -> (Option<usize>, Option<String>) {
    if asked.is_some() {
        return (asked, None);
    }
    let Some(mem) = &facts.memory else {
        return (None, None);
    };
    let fit = (mem.available / BYTES_PER_JOB).max(1) as usize;
    if fit >= facts.cpus {
        return (None, None);
    }
    let gib = mem.available as f64 / (1u64 << 30) as f64;
    (
        Some(fit),
        Some(format!(
            "{gib:.1} GiB available ({}) holds {fit} job(s) of ~1.5 GiB, not {} (one per CPU); set --jobs or `jobs =` in [dist] to override",
            mem.source, facts.cpus
        )),
    )
}

/// The program that joins Mach-O slices.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "program")]
pub enum Lipo {
    /// crossdock's own writer (byte-identical to llvm-lipo).
    Builtin,
    /// `lipo` or `llvm-lipo` on PATH.
    External(String),
}

/// Which lipo a `[[universal]]` group uses here: `auto` prefers a `lipo` on PATH and falls
/// back to the built-in writer; `None` when the one asked for is not on PATH.
pub fn resolve_lipo(tool: LipoTool, tools: &BTreeSet<String>) -> Option<Lipo> {
    let on_path = |names: &[&str]| {
        names
            .iter()
            .find(|n| tools.contains(**n))
            .map(|n| Lipo::External(n.to_string()))
    };
    match tool {
        LipoTool::Builtin => Some(Lipo::Builtin),
        LipoTool::Auto => Some(on_path(&["lipo"]).unwrap_or(Lipo::Builtin)),
        LipoTool::Lipo => on_path(&["lipo"]),
        LipoTool::LlvmLipo => on_path(&["llvm-lipo", "llvm-lipo-14"]),
    }
}

/// Every binary named in a `smoke` table must be one that ships.
fn check_smoke_names(config: &Config, bins: &BTreeSet<&str>) -> Result<()> {
    for (target, name, span) in &config.smoke_tables {
        if bins.contains(name.as_str()) {
            continue;
        }
        let known: Vec<&str> = bins.iter().copied().collect();
        let hint = nearest(name, &known)
            .map(|n| format!(" Did you mean `{n}`?"))
            .unwrap_or_default();
        let table = match target {
            Some(t) => format!("the `smoke` table of target `{t}`"),
            None => "the `smoke` table of [dist]".to_string(),
        };
        return Err(config.error(
            *span,
            format!(
                "key `smoke`: {table} names `{name}`, which is not a binary that ships; the binaries are: {}.{hint}",
                known.join(", ")
            ),
        ));
    }
    Ok(())
}

fn binaries(bins: &[String], triple: &Triple) -> Vec<PlannedBinary> {
    let exe = triple.exe_suffix();
    bins.iter()
        .map(|b| PlannedBinary {
            name: b.clone(),
            file_name: format!("{b}{exe}"),
        })
        .collect()
}

fn std_source(target: &Target, toolchain: &Toolchain, problems: &mut Vec<Problem>) -> StdSource {
    let triple = &target.triple;
    if target.build_std {
        if !toolchain.rust_src {
            problems.push(Problem::RustSrcMissing {
                target: triple.clone(),
                rustup_toolchain: toolchain.rustup_toolchain.clone(),
                sysroot: toolchain.sysroot.clone(),
            });
        }
        return StdSource::BuildStd;
    }
    if toolchain.has_std(triple) {
        return StdSource::Installed;
    }
    match &toolchain.rustup_toolchain {
        Some(tc) => StdSource::RustupAdd {
            toolchain: tc.clone(),
        },
        None => {
            problems.push(Problem::StdMissing {
                target: triple.clone(),
                sysroot: toolchain.sysroot.clone(),
                version: toolchain.version.clone(),
            });
            StdSource::Missing
        }
    }
}

/// The program `b` needs on PATH (kept for doctor; [`Builder::program`] knows it).
pub fn builder_program(b: Builder) -> Option<&'static str> {
    b.program()
}

pub mod c_toolchain;
pub mod cache;
mod command;
mod debuginfo;
pub mod installers;
mod names;
mod problem;
mod render;
mod runner;
mod test_run;

pub use c_toolchain::{c_toolchain, CToolchain};
pub use cache::{decide_cache, CacheChoice};
use command::{build_command, cannot_run_here, profile_overrides, smoke_plan, unstripped_command};
pub use command::{is_build_info, CargoInvocation};
use debuginfo::debuginfo_split;
pub use debuginfo::DebuginfoSplit;
use installers::installer_releases;
pub use installers::InstallerRelease;
use names::check_archive_names;
pub use names::{universal_formats, ArtifactNames};
pub use problem::{install_hint, Problem};
pub use test_run::{test_steps, TestStep};

#[cfg(test)]
pub(crate) mod tests;
