//! The plan: every step of a release, as data. [`plan`] is a pure function of the checked
//! config, the facts gathered about the machine ([`Facts`]) and the command-line
//! [`Options`]; it never starts a process or touches the file system. `--dry-run` prints
//! it, the GitHub matrix is derived from it, and unit tests check it without cargo.
//!
//! Config errors (a triple rustc does not know, a package that is not in the workspace)
//! fail planning with the line in targets.toml. Problems of the machine (a missing std, a
//! missing tool) are collected in [`Plan::problems`] so that a run reports all of them at
//! once before it starts the first long build.

mod build;
pub mod group;
mod parallel;
mod universal;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Serialize;

use crate::facts::toolchain::{Toolchain, ToolchainSpec};
pub use crate::facts::{EpochSource, Facts};
use crate::model::archive::ArchiveFormat;
use crate::model::artifact::ArtifactKind;
use crate::model::builder::Builder;
use crate::model::strip::Strip;
use crate::model::triple::{LibraryFile, Triple};
use crate::read::config::{Config, LipoTool, Target};
use crate::read::include::IncludeFile;
pub use crate::read::select::Options;
use crate::read::select::{packages_for_run, selected_packages, selected_targets, toolchain_spec};
use crate::read::words::nearest;
use crate::read::workspace::{Package, Workspace};
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
    /// Libraries built apart, after `cargo` (a musl `cdylib`, see `plan/library.rs`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub library_builds: Vec<LibraryBuild>,
    pub linker: Option<String>,
    /// The plan chose `linker` (targets.toml sets none: the GNU cross gcc, `plan/linker.rs`).
    #[serde(skip)]
    pub linker_chosen: bool,
    /// Which config file set which key of the target (messages name the right one).
    #[serde(skip)]
    pub sources: crate::read::config::Sources,
    /// The C compiler and archiver for build scripts, when crossdock sets them
    /// (`CC_<triple>`/`AR_<triple>` in the command's env).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub c: Option<CToolchain>,
    pub runner: Option<Vec<String>>,
    /// Profile settings crossdock changes for this build (`profile.dist.strip=true`):
    /// shown by `--dry-run` and recorded in the manifest, never silent.
    pub profile_overrides: Vec<String>,
    /// When crossdock strips: the same build with stripping off for the shipped packages
    /// (`profile.dist.package.<pkg>.strip=false`; their dependencies stay as built), run
    /// only when a binary changed, to record its size before stripping.
    /// Serialized as its command line (its environment is the build's).
    #[serde(serialize_with = "command::serialize_argv")]
    pub unstripped: Option<CargoInvocation>,
    /// What happens after cargo: the stages in the order they run (`plan/stages.rs`).
    pub stages: Vec<Stage>,
    /// The group (in [`Plan::build_groups`]) whose one cargo invocation builds this target
    /// instead of `cargo`, when several targets build at once (`plan/group.rs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<usize>,
}

/// A build step, by its place in [`Plan::builds`]: how artifacts name the build they take
/// their binaries from (never by matching triples). [`Plan::without`] keeps them pointing
/// at the same steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BuildIdx(pub usize);

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PlannedBinary {
    /// The cargo `[[bin]]` name, or the lib target's name for a library file.
    pub name: String,
    /// The file name on the target (`app.exe` on Windows, `libc_lib.so`), as cargo's
    /// messages name it.
    pub file_name: String,
    /// A binary, or one of a library's files.
    #[serde(skip_serializing_if = "ArtifactKind::is_binary")]
    pub kind: ArtifactKind,
}

impl PlannedBinary {
    /// Where it lands inside the archive's top folder: a binary at the top, a library
    /// file under `lib/`.
    pub fn archive_path(&self) -> String {
        if self.kind.is_binary() {
            self.file_name.clone()
        } else {
            format!("lib/{}", self.file_name)
        }
    }

    /// How a build's outputs (`exec::build::Executables`) name it: a binary by its
    /// `[[bin]]` name, a library file by its archive path (no `[[bin]]` name has a `/`).
    pub fn key(&self) -> String {
        if self.kind.is_binary() {
            self.name.clone()
        } else {
            self.archive_path()
        }
    }
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
    /// The git tree has uncommitted changes (`facts::uncommitted`: tracked, or untracked and not ignored).
    pub dirty: bool,
    pub jobs: usize,
    /// Why cargo gets fewer jobs than it would take (memory), when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jobs_reason: Option<String>,
    /// How many builds run at once (`parallel-targets`; a group of targets sharing one
    /// cargo invocation counts as one); each then has its own share of `jobs`, and each
    /// build of one target its own target dir (see `plan/parallel.rs`).
    #[serde(skip_serializing_if = "is_one")]
    pub parallel_targets: usize,
    /// Why fewer targets build at once than asked, when that happens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parallel_reason: Option<String>,
    /// Targets that one cargo invocation builds together (`plan/group.rs`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub build_groups: Vec<group::BuildGroup>,
    pub builds: Vec<BuildStep>,
    pub artifacts: Vec<Artifact>,
    pub universals: Vec<UniversalArtifact>,
    /// The packages that ship as Node modules (napi-rs): their npm packages, written after
    /// the archives from the same verified cdylibs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub node_packages: Vec<node::NodePackage>,
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
    /// `source-archive = true`: the commit's tracked files as `NAME-VERSION-src.tar.gz`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_archive: Option<SourceArchive>,
    /// `sbom = true`: a CycloneDX SBOM per package and target.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sboms: Vec<PlannedSbom>,
    /// `sign` in [dist], for a run of the whole matrix only: a run of part of it (`--target`,
    /// `-p`: a build job of the release workflow) writes no release's SHA256SUMS, `merge` does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sign: Option<crate::model::sign::Sign>,
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

    /// Control characters (a tool's colours, a carriage return) are dropped: the manifest
    /// carries the text, and `merge` refuses an input whose text has them.
    pub fn new(target: &str, step: FailedStep, error: &str) -> Failed {
        let lines: Vec<String> = error
            .lines()
            .take(Self::LINES)
            .map(|l| {
                l.chars()
                    .filter(|c| *c == '\t' || !c.is_control())
                    .collect()
            })
            .collect();
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
        self.sboms.retain(|s| !gone(&failed, s.target.as_str()));
        self.universals.retain(|u| !gone(&failed, &u.name));
        for n in &mut self.node_packages {
            n.platforms.retain(|(t, _)| !gone(&failed, t));
        }
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
        // A group that loses a member goes: the others build with their own invocation.
        self.build_groups
            .retain(|g| g.targets.iter().all(|t| !gone(&skip, t)));
        for b in &mut self.builds {
            b.group = None;
        }
        for (gi, g) in self.build_groups.iter_mut().enumerate() {
            for b in &mut g.builds {
                *b = moved[b.0].expect("a kept group's members are kept");
                self.builds[b.0].group = Some(gi);
            }
        }
        self.artifacts.retain_mut(|a| match moved[a.build.0] {
            Some(to) => {
                a.build = to;
                true
            }
            None => false,
        });
        self.universals.retain(|u| !gone(&skip, &u.name));
        self.sboms.retain(|s| !gone(&skip, s.target.as_str()));
        for n in &mut self.node_packages {
            n.platforms.retain(|(t, _)| !gone(&skip, t));
        }
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

pub fn plan(config: &Config, facts: &Facts, opts: &Options) -> Result<Plan, PlanError> {
    let ws = &facts.workspace;
    // Each target with the linker it builds with (a default one for a cross glibc target).
    let resolved: Vec<Target> = selected_targets(config, opts)?
        .into_iter()
        .map(|t| linker::with_default_linker(t, facts))
        .collect();
    let targets: Vec<&Target> = resolved.iter().collect();
    let packages = packages_for_run(config, ws, &opts.packages)?;
    let profile = decide_profile(config, ws)?;
    let installers = check_names(config, ws, &packages)?;
    // A package's library ships when targets.toml lists the package: a workspace that lists
    // none ships binaries only, as it always did.
    let ship_libs = config.packages.is_some();
    library::check_keep_thin(config, &selected_packages(config, ws)?, ship_libs)?;
    let (jobs, jobs_reason) = decide_jobs(opts.jobs.or(config.jobs), facts);
    let asked = config.parallel_targets;
    let mut run = build::Run {
        config,
        facts,
        opts,
        packages,
        profile,
        ship_libs,
        parallel: decide_parallel(asked, jobs, facts.cpus, targets.len()),
        grouped: BTreeSet::new(),
        cache: decide_cache(
            config.cache,
            facts.tools.contains(cache::SCCACHE),
            facts.user_rustc_wrapper.as_ref(),
        ),
    };
    let target_var_read = facts.target_var_reader.is_some();
    if run.parallel.targets > 1 {
        // The builds as a serial run makes them (one target dir): which can share a cargo.
        let choice = std::mem::replace(
            &mut run.parallel,
            parallel::ParallelChoice {
                targets: 1,
                jobs_each: jobs,
                reason: None,
            },
        );
        let (serial, _) = build::plan_builds(&run, &targets, &mut Vec::new())?;
        let groups = group::group_builds(&serial, target_var_read, facts.build_rustflags_in_config);
        let members: usize = groups.iter().map(|g| g.builds.len()).sum();
        let units = serial.len() - members + groups.len();
        run.parallel =
            parallel::fit_to_groups(choice, asked, jobs, facts.cpus, units, groups.len());
        run.grouped = groups.into_iter().flat_map(|g| g.targets).collect();
    }
    let mut problems = Vec::new();
    let (mut builds, mut artifacts) = build::plan_builds(&run, &targets, &mut problems)?;
    let build_groups = if run.grouped.is_empty() {
        Vec::new()
    } else {
        group::group_builds(&builds, target_var_read, facts.build_rustflags_in_config)
    };
    for (gi, g) in build_groups.iter().enumerate() {
        for b in &g.builds {
            builds[b.0].group = Some(gi);
        }
    }
    // Before the universal groups: a member without a thin archive of its own
    // (`keep-thin = false`) still gets its SBOM.
    let sboms = sbom::plan_sboms(&targets, &artifacts, facts, &mut problems)?;
    let universals =
        universal::plan_universals(&run, &targets, &builds, &mut artifacts, &mut problems);
    check_zip_epoch(config, facts, &artifacts)?;
    let source_archive = source::source_archive(
        config,
        &selected_packages(config, ws)?,
        facts.commit.as_deref(),
        &ws.root,
    )?;
    let partial = !opts.targets.is_empty() || !opts.packages.is_empty();
    Ok(Plan {
        sboms,
        sign: config.sign.filter(|_| !partial),
        source_archive,
        workspace_root: ws.root.clone(),
        target_dir: ws.target_dir.clone(),
        out_dir: opts.out_dir.clone().unwrap_or_else(|| ws.root.join("dist")),
        profile: run.profile,
        source_date_epoch: facts.source_date_epoch,
        epoch_source: facts.epoch_source,
        commit: facts.commit.clone(),
        dirty: facts.dirty,
        jobs: jobs.unwrap_or(0),
        jobs_reason,
        parallel_targets: run.parallel.targets,
        parallel_reason: run.parallel.reason,
        build_groups,
        node_packages: node::node_packages(
            &facts.napi,
            &ws.root,
            &config.path,
            &artifacts,
            &universals,
            config
                .targets
                .iter()
                .all(|t| opts.targets.is_empty() || opts.targets.iter().any(|o| *o == t.triple)),
        )
        .map_err(PlanError::NodeModule)?,
        builds,
        artifacts,
        universals,
        installers,
        problems,
        skipped: Vec::new(),
        force: opts.force,
        partial,
        keep_going: opts.keep_going,
        size_warn: config.size_warn.unwrap_or(DEFAULT_SIZE_WARN),
        cache: run.cache,
    })
}

/// The profile the builds use: `profile` in targets.toml (one the workspace defines),
/// else `dist` when the workspace has it, else `release`.
fn decide_profile(config: &Config, ws: &Workspace) -> Result<String, PlanError> {
    match &config.profile {
        Some(p) if !["release", "dev"].contains(&p.as_str()) && !ws.profiles.contains(p) => {
            Err(PlanError::UnknownProfile {
                config: config.path.clone(),
                workspace: ws.root.clone(),
                profile: p.clone(),
            })
        }
        Some(p) => Ok(p.clone()),
        None if ws.profiles.contains("dist") => Ok("dist".to_string()),
        None => Ok("release".to_string()),
    }
}

/// The names targets.toml gives that the workspace must have (smoke tables, installers,
/// archive names); the installers of `packages`, checked.
fn check_names(
    config: &Config,
    ws: &Workspace,
    packages: &[&Package],
) -> Result<Vec<InstallerRelease>, PlanError> {
    let selected = selected_packages(config, ws)?;
    // Names are checked against every shipped binary, so that `-p` does not reject a table
    // entry of another package.
    let shipped: BTreeSet<&str> = selected
        .iter()
        .flat_map(|p| p.bins.iter().map(String::as_str))
        .collect();
    check_smoke_names(config, &shipped)?;
    let installers = installer_releases(config, packages, &selected)?;
    check_archive_names(config, &selected)?;
    Ok(installers)
}

/// A zip entry cannot hold a time after 2107: a `SOURCE_DATE_EPOCH` past it refuses a
/// matrix with a zip.
fn check_zip_epoch(
    config: &Config,
    facts: &Facts,
    artifacts: &[Artifact],
) -> Result<(), PlanError> {
    if facts.source_date_epoch < crate::model::archive::ZIP_END_OF_TIME {
        return Ok(());
    }
    match artifacts.iter().find(|a| a.format == ArchiveFormat::Zip) {
        Some(a) => Err(PlanError::EpochPastZip {
            epoch: facts.source_date_epoch,
            file: a.file_name.clone(),
            target: a.target.clone(),
            config: crate::read::config::Sources::name_of(&config.path),
        }),
        None => Ok(()),
    }
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
fn check_smoke_names(config: &Config, bins: &BTreeSet<&str>) -> Result<(), PlanError> {
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
        return Err(PlanError::Config(config.located(
            *span,
            format!(
                "key `smoke`: {table} names `{name}`, which is not a binary that ships; the binaries are: {}.{hint}",
                known.join(", ")
            ),
        )));
    }
    Ok(())
}

/// What a package ships for `triple`: its binaries, then (with `libs`) its library's
/// files: the shared library and its import library, then the static archive.
fn shipped_files(p: &Package, triple: &Triple, libs: bool) -> Vec<PlannedBinary> {
    let t = triple;
    let exe = t.exe_suffix();
    let mut out: Vec<PlannedBinary> = p
        .bins
        .iter()
        .map(|b| PlannedBinary {
            name: b.clone(),
            file_name: format!("{b}{exe}"),
            kind: ArtifactKind::Binary,
        })
        .collect();
    let Some(lib) = p.lib.as_ref().filter(|_| libs) else {
        return out;
    };
    let files = lib.kinds.iter().flat_map(|k| match k {
        ArtifactKind::Cdylib => vec![
            (LibraryFile::Shared, ArtifactKind::Cdylib),
            (LibraryFile::Import, ArtifactKind::ImportLibrary),
        ],
        _ => vec![(LibraryFile::Static, ArtifactKind::Staticlib)],
    });
    for (file, kind) in files {
        if let Some(file_name) = t.library_file(&lib.name, file) {
            out.push(PlannedBinary {
                name: lib.name.clone(),
                file_name,
                kind,
            });
        }
    }
    out
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
                config: target.sources.file("rustc").to_string(),
            });
            StdSource::Missing
        }
    }
}

/// The program `b` needs on PATH (kept for doctor; [`Builder::program`] knows it).
pub fn builder_program(b: Builder) -> Option<&'static str> {
    b.program()
}

pub mod auditable;
pub mod c_toolchain;
pub mod cache;
mod command;
mod debuginfo;
mod error;
pub mod installers;
mod library;
mod linker;
mod names;
pub mod node;
mod probe;
mod problem;
mod render;
pub mod runner;
pub mod sbom;
pub mod source;
pub mod stages;
mod test_run;

pub use c_toolchain::{c_toolchain, CToolchain};
pub use cache::{decide_cache, CacheChoice};
use command::{build_command, cannot_run_here, profile_overrides, unstripped_wanted};
pub use command::{is_build_info, CargoInvocation};
use debuginfo::debuginfo_split;
pub use debuginfo::DebuginfoSplit;
pub use error::PlanError;
use installers::installer_releases;
pub use installers::InstallerRelease;
pub use library::LibraryBuild;
use names::check_archive_names;
pub use names::{universal_formats, ArtifactNames};
pub use probe::LinkProbe;
pub use problem::{install_hint, Problem};
pub use sbom::PlannedSbom;
pub use source::SourceArchive;
pub use stages::Stage;
pub use test_run::{test_steps, TestStep};

#[cfg(test)]
pub(crate) mod tests;
