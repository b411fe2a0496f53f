//! Gathers the [`Facts`] the planner needs: the workspace (`cargo metadata`), the config,
//! each toolchain the matrix uses, each target's cfg values, include files, the user's
//! rustflags settings (judged with those cfg values, as cargo does), tools on PATH and the
//! release timestamp. The independent probes run in parallel: this is most of crossdock's
//! own start-up time.

pub mod deps;
pub mod target_var;
pub mod toolchain;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::facts::toolchain::{Toolchain, ToolchainSpec};
use crate::model::build_tool::BuildTool;
use crate::model::builder::Builder;
use crate::model::triple::Triple;
use crate::read::cargo_config::CargoConfig;
use crate::read::config::Config;
use crate::read::include::{self, IncludeFile};
use crate::read::select::{self, Options};
use crate::read::workspace::{Package, Workspace};
use crate::sys::process::{which, Cmd};
use crate::sys::shell;

/// Everything the planner needs to know about the machine, gathered beforehand.
#[derive(Debug, Clone)]
pub struct Facts {
    pub workspace: Workspace,
    /// The probe of each toolchain the matrix uses (an error text when it failed).
    pub toolchains: BTreeMap<ToolchainSpec, std::result::Result<Toolchain, String>>,
    /// Resolved `include` files per package.
    pub includes: BTreeMap<String, Vec<IncludeFile>>,
    /// Each shipped cdylib package whose folder holds a napi-rs `package.json`: it ships as
    /// a Node module (npm packages beside its archives).
    pub napi: BTreeMap<String, crate::model::node::NapiPackage>,
    /// `$CARGO` (set when run under cargo) or `cargo`.
    pub default_cargo: String,
    pub cargo_home: PathBuf,
    /// `RUSTFLAGS` and `CARGO_ENCODED_RUSTFLAGS` from the environment.
    pub env_rustflags: Option<String>,
    pub env_encoded_rustflags: Option<String>,
    /// `$RUSTC`: cargo's rustc when a target sets none (named in the plan's errors).
    pub env_rustc: Option<String>,
    /// Triples for which the user's cargo config sets target-level rustflags.
    pub target_rustflags_in_config: BTreeSet<Triple>,
    /// The user's cargo config (or `CARGO_BUILD_RUSTFLAGS`) sets `build.rustflags`.
    pub build_rustflags_in_config: bool,
    /// Triples whose linker the user's cargo config or environment sets
    /// (`target.<triple>.linker`, `CARGO_TARGET_<TRIPLE>_LINKER`): the plan picks none.
    pub target_linker_elsewhere: BTreeSet<Triple>,
    /// The user's cargo config files (doctor names the one that set a linker).
    pub cargo_config: CargoConfig,
    /// Programs found on PATH among those a plan may need (`cargo-zigbuild`, `cross`, `lipo`…).
    pub tools: BTreeSet<String>,
    pub host: Triple,
    pub source_date_epoch: u64,
    /// Where `source_date_epoch` came from.
    pub epoch_source: EpochSource,
    pub commit: Option<String>,
    /// Memory available to this run (None when the system does not say).
    pub memory: Option<Memory>,
    /// CPUs this process may use.
    pub cpus: usize,
    /// `git status --porcelain` lists changes to tracked files (false outside git).
    pub dirty: bool,
    /// The `cc` crate's variables (`CC_<triple>`, `TARGET_CC`, `AR_…`) the user set, in the
    /// environment or a cargo config `[env]` table: crossdock never derives one of these.
    pub c_env: BTreeSet<String>,
    /// Cargo.lock lists the `cc` crate: some build script compiles C.
    pub uses_cc: bool,
    /// Programs that crates of Cargo.lock run in build scripts (`cmake`).
    pub build_tools: Vec<&'static BuildTool>,
    /// Archivers derived from the matrix's linkers that exist here (see [`c_driver`]).
    pub found_archivers: BTreeSet<String>,
    /// A file of the workspace that reads `CROSSDOCK_TARGET` (`facts/target_var.rs`): its
    /// targets keep a cargo invocation each. Looked for only with `parallel-targets`.
    pub target_var_reader: Option<PathBuf>,
    /// The rustc wrapper the user set (env or cargo config): `cache = "auto"` leaves it be.
    pub user_rustc_wrapper: Option<crate::read::cargo_config::Setting>,
    /// The resolved dependency graph of each target (and its features) whose binaries get
    /// an SBOM (`sbom = true`) or carry their dependency list (`auditable = true`), or why
    /// cargo could not say.
    pub dependency_graphs:
        BTreeMap<deps::DepsKey, std::result::Result<crate::model::deps::DepGraph, String>>,
}

/// `aarch64-linux-gnu-gcc` → (itself, `aarch64-linux-gnu-ar`); `…-clang` → (itself,
/// `llvm-ar`); a `zig cc` wrapper (a name with `zig` in it) → (itself, none: cc's default
/// archiver handles its objects). Any other linker may not compile C: nothing.
pub fn c_driver(linker: &str) -> Option<(String, Option<String>)> {
    // The file name after the last separator of either kind; the directory part is kept
    // as written, so the archiver's path reads like the linker's on every OS.
    let name = linker.rsplit(['/', '\\']).next()?;
    let dir = &linker[..linker.len() - name.len()];
    let stem = name.strip_suffix(".exe").unwrap_or(name);
    for driver in ["-gcc", "-cc"] {
        if let Some(prefix) = stem.strip_suffix(driver).filter(|p| !p.is_empty()) {
            let exe = if name.ends_with(".exe") { ".exe" } else { "" };
            return Some((linker.to_string(), Some(format!("{dir}{prefix}-ar{exe}"))));
        }
    }
    if stem.ends_with("-clang") || stem == "clang" {
        return Some((linker.to_string(), Some("llvm-ar".to_string())));
    }
    if stem.contains("zig") {
        return Some((linker.to_string(), None));
    }
    None
}

/// The archivers derived from the matrix's linkers ([`c_driver`]) that are on this machine.
fn found_archivers(config: &Config) -> BTreeSet<String> {
    let gnu = crate::model::cross::GnuGcc::all().iter().map(|g| g.ar());
    config
        .targets
        .iter()
        .filter_map(|t| c_driver(t.linker.as_deref()?)?.1)
        .chain(gnu)
        .filter(|ar| which(ar).is_some())
        .collect()
}

/// Is `key` one of the `cc` crate's per-target compiler or archiver variables?
fn is_c_env(key: &str) -> bool {
    ["CC_", "AR_", "CFLAGS_"].iter().any(|p| key.starts_with(p))
        || matches!(key, "TARGET_CC" | "TARGET_AR" | "HOST_CC" | "HOST_AR")
}

/// The `cc` crate's variables set in the environment or in a cargo config `[env]` table.
fn c_env(cargo_config: &CargoConfig) -> BTreeSet<String> {
    let from_config = cargo_config
        .files
        .iter()
        .filter_map(|(_, t)| t.get("env").and_then(|e| e.as_table()))
        .flat_map(|e| e.keys().cloned());
    std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .chain(from_config)
        .filter(|k| is_c_env(k))
        .collect()
}

/// The package names of the workspace's lock file (`name = "…"` lines); `None` without one.
pub fn lock_packages(root: &Path) -> Option<BTreeSet<String>> {
    let text = std::fs::read_to_string(root.join("Cargo.lock")).ok()?;
    Some(
        text.lines()
            .filter_map(|l| l.trim().strip_prefix("name = \""))
            .filter_map(|r| r.strip_suffix('"'))
            .map(str::to_string)
            .collect(),
    )
}

/// Where the archives' mtime comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EpochSource {
    /// The `SOURCE_DATE_EPOCH` environment variable.
    Env,
    /// The HEAD commit's time.
    Commit,
    /// Neither: 1980-01-01 ([`FALLBACK_EPOCH`]).
    Fallback,
}

impl EpochSource {
    /// How `--dry-run` names it.
    pub fn describe(self) -> &'static str {
        match self {
            EpochSource::Env => "SOURCE_DATE_EPOCH",
            EpochSource::Commit => "the HEAD commit's time",
            EpochSource::Fallback => "no SOURCE_DATE_EPOCH and no git history: 1980-01-01",
        }
    }
}

/// Where the workspace and config are (the CLI's `--manifest-path` / `--config`).
#[derive(Debug, Clone, Default)]
pub struct Location {
    pub manifest_path: Option<PathBuf>,
    pub config_path: Option<PathBuf>,
}

/// Tools a plan may ask for besides the builders' programs (`Builder::program`); only
/// their presence is recorded.
const TOOLS: &[&str] = &[
    "lipo",
    "llvm-lipo",
    "llvm-lipo-14",
    "zig",
    "rustup",
    // The compiler cache (`cache` in [dist]).
    "sccache",
];

/// The objcopy programs that split debug info out of ELF and PE binaries and strip Mach-O,
/// of any architecture (`debuginfo = "separate"`), in order of preference (LLVM's only: see
/// `plan/debuginfo.rs`); looked for on PATH like [`TOOLS`].
pub const OBJCOPY: &[&str] = &[
    "rust-objcopy",
    "llvm-objcopy",
    "llvm-objcopy-19",
    "llvm-objcopy-18",
    "llvm-objcopy-17",
    "llvm-objcopy-16",
    "llvm-objcopy-15",
    "llvm-objcopy-14",
];

/// The programs that gather a Mach-O binary's DWARF into a `.dSYM` bundle
/// (`debuginfo = "separate"` on Apple targets), in order of preference; plain `dsymutil` is
/// also the one rustc runs itself.
pub const DSYMUTIL: &[&str] = &[
    "dsymutil",
    "llvm-dsymutil",
    "dsymutil-19",
    "dsymutil-18",
    "dsymutil-17",
    "dsymutil-16",
    "dsymutil-15",
    "dsymutil-14",
];

/// Memory this run may use, as the kernel reports it: `MemAvailable` from /proc/meminfo,
/// capped by the cgroup v2 `memory.max` when one is set. The paths can be pointed at test
/// files with `CROSSDOCK_MEMINFO` and `CROSSDOCK_CGROUP_MEMORY_MAX`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Memory {
    pub available: u64,
    /// Where the figure came from (`MemAvailable`, `cgroup memory.max`).
    pub source: String,
}

pub fn memory() -> Option<Memory> {
    let meminfo = std::env::var_os("CROSSDOCK_MEMINFO").unwrap_or_else(|| "/proc/meminfo".into());
    let cgroup = std::env::var_os("CROSSDOCK_CGROUP_MEMORY_MAX")
        .unwrap_or_else(|| "/sys/fs/cgroup/memory.max".into());
    let available = std::fs::read_to_string(&meminfo).ok().and_then(|t| {
        t.lines().find_map(|l| {
            let kb = l.strip_prefix("MemAvailable:")?.trim().strip_suffix("kB")?;
            kb.trim().parse::<u64>().ok().map(|k| k * 1024)
        })
    });
    let limit = std::fs::read_to_string(&cgroup)
        .ok()
        .and_then(|t| t.trim().parse::<u64>().ok()); // "max" means no limit
    match (available, limit) {
        (Some(a), Some(l)) if l < a => Some(Memory {
            available: l,
            source: "cgroup memory.max".into(),
        }),
        (Some(a), _) => Some(Memory {
            available: a,
            source: "MemAvailable".into(),
        }),
        (None, Some(l)) => Some(Memory {
            available: l,
            source: "cgroup memory.max".into(),
        }),
        (None, None) => None,
    }
}

/// Which of the tools a plan may ask for are on PATH.
pub fn tools_on_path() -> BTreeSet<String> {
    let builders = Builder::ALL.into_iter().filter_map(Builder::program);
    TOOLS
        .iter()
        .copied()
        .chain(builders)
        .chain(OBJCOPY.iter().copied())
        .chain(DSYMUTIL.iter().copied())
        .map(str::to_string)
        // The GNU cross gccs: the linker the plan picks for a Linux glibc target without one.
        .chain(crate::model::cross::GnuGcc::all().iter().map(|g| g.gcc()))
        .filter(|t| which(t).is_some())
        .collect()
}

/// 1980-01-01: the earliest time a zip entry can carry; used when there is no git history.
pub const FALLBACK_EPOCH: u64 = 315_532_800;

pub fn default_cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

/// Reads workspace and config (no toolchain probes): enough for `matrix` and `init --check`.
pub fn load_config(loc: &Location, cargo: &str) -> Result<(Workspace, Config)> {
    let ws = Workspace::load_cached(cargo, loc.manifest_path.as_deref())?;
    let path = loc
        .config_path
        .clone()
        .unwrap_or_else(|| ws.root.join(crate::read::config::FILE_NAME));
    let config = Config::load(&path)?;
    Ok((ws, config))
}

/// Reads the workspace and targets.toml (with this machine's `targets.local.toml`), then
/// probes every toolchain the selected targets use, their `cfg` where a cargo config table
/// needs it, git and the tools on PATH. The config is loaded here, not by the caller, so
/// that the default toolchain's probe runs while cargo reads the workspace.
pub fn gather(loc: &Location, opts: &Options) -> Result<(Config, Facts)> {
    let default_cargo = default_cargo();
    let cache_dir = crate::read::workspace::facts_cache_dir(loc.manifest_path.as_deref());
    let cache_dir = cache_dir.as_deref();
    let (ws, config, early) = load_while_probing(loc, opts, &default_cargo, cache_dir)?;
    let targets = select::selected_targets(&config, opts)?;
    let target_specs: Vec<(Triple, ToolchainSpec)> = targets
        .iter()
        .map(|t| {
            let spec = select::toolchain_spec(&config, t, opts, &default_cargo);
            (t.triple.clone(), spec)
        })
        .collect();
    // crossdock runs cargo in the workspace root (where rustup and cargo find the project's
    // settings); a config file only a cargo started here would read does not reach it.
    let mut cargo_config = CargoConfig::load(&ws.root)?;
    if let Ok(cwd) = std::env::current_dir() {
        for p in CargoConfig::not_read_from(&cwd, &ws.root) {
            shell::warn(format!(
                "{} is not used: crossdock runs cargo in the workspace root {}, where cargo does not read it; move its settings to {} (or {})",
                p.display(),
                ws.root.display(),
                ws.root.join(".cargo/config.toml").display(),
                crate::read::config::Sources::name_of(&config.path)
            ));
        }
    }
    let own = never_committed(
        loc.config_path
            .as_deref()
            .unwrap_or(&ws.root.join(crate::read::config::FILE_NAME)),
        opts.out_dir.as_deref().unwrap_or(&ws.root.join("dist")),
        &ws.target_dir,
    );
    let probed = probe(
        &ws.root,
        &own,
        &target_specs,
        cargo_config.has_cfg_tables(),
        early,
        cache_dir,
    );
    let includes = includes(&config, &ws, opts)?;
    let napi = napi_packages(&config, &ws, opts)?;
    cargo_config.target_cfg = probed.target_cfg;
    let target_rustflags_in_config = targets
        .iter()
        .filter(|t| cargo_config.has_target_rustflags(&t.triple))
        .map(|t| t.triple.clone())
        .collect();
    let target_linker_elsewhere = targets
        .iter()
        .filter(|t| {
            !cargo_config
                .target_settings(t.triple.as_str(), "linker")
                .is_empty()
        })
        .map(|t| t.triple.clone())
        .collect();
    let host = probed
        .toolchains
        .values()
        .find_map(|t| t.as_ref().ok().map(|t| t.host.clone()))
        .unwrap_or_else(crate::model::triple::build_host);
    let lock = lock_packages(&ws.root);
    let dependency_graphs = deps::gather(
        &ws.root,
        ws.has_lockfile,
        targets
            .iter()
            .zip(&target_specs)
            .filter(|(t, _)| t.sbom || t.auditable)
            .map(|(t, (_, spec))| (deps::DepsKey::of(t), spec.clone()))
            .collect(),
        cache_dir,
    );
    let target_var_reader = config
        .parallel_targets
        .filter(|p| *p != crate::read::config::ParallelTargets::Count(1))
        .and_then(|_| target_var::reader(&ws.root, &ws.target_dir));
    let facts = Facts {
        target_var_reader,
        dependency_graphs,
        user_rustc_wrapper: cargo_config.rustc_wrapper(),
        c_env: c_env(&cargo_config),
        // No lock file: any build script may compile C; no program is demanded.
        uses_cc: lock.as_ref().is_none_or(|l| l.contains("cc")),
        build_tools: BuildTool::needed_by(lock.iter().flatten().map(String::as_str)),
        found_archivers: found_archivers(&config),
        workspace: ws,
        toolchains: probed.toolchains,
        includes,
        napi,
        default_cargo,
        cargo_home: crate::read::cargo_config::cargo_home(),
        env_rustflags: std::env::var("RUSTFLAGS")
            .ok()
            .filter(|s| !s.trim().is_empty()),
        env_encoded_rustflags: std::env::var("CARGO_ENCODED_RUSTFLAGS")
            .ok()
            .filter(|s| !s.is_empty()),
        env_rustc: std::env::var("RUSTC").ok(),
        target_rustflags_in_config,
        build_rustflags_in_config: cargo_config.has_build_rustflags(),
        target_linker_elsewhere,
        cargo_config,
        tools: tools_on_path(),
        memory: memory(),
        cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
        host,
        // `verify` rebuilds with the release's recorded epoch, whatever the environment says.
        source_date_epoch: opts.source_date_epoch.unwrap_or(probed.epoch),
        epoch_source: match opts.source_date_epoch {
            Some(_) => EpochSource::Env,
            None => probed.epoch_source,
        },
        commit: probed.commit,
        dirty: probed.dirty,
    };
    Ok((config, facts))
}

/// The workspace and targets.toml (with this machine's `targets.local.toml` applied), read
/// while the toolchain most matrices use (`--cargo`/`--rustc` or the defaults) is probed:
/// that probe, for [`probe`] to reuse.
fn load_while_probing(
    loc: &Location,
    opts: &Options,
    default_cargo: &str,
    cache_dir: Option<&Path>,
) -> Result<(Workspace, Config, Early)> {
    let cargo_for_metadata = opts
        .cargo
        .clone()
        .unwrap_or_else(|| default_cargo.to_string());
    // Most matrices use the default toolchain: probe it while cargo reads the workspace.
    let speculative = ToolchainSpec {
        cargo: cargo_for_metadata.clone(),
        rustc: opts.rustc.clone(),
    };
    let (loaded, early) = std::thread::scope(|s| {
        let early = s.spawn(shell::carry(|| {
            Toolchain::probe_cached(&speculative, cache_dir)
        }));
        (
            load_config(loc, &cargo_for_metadata),
            early.join().expect("probe thread"),
        )
    });
    let (ws, mut config) = loaded?;
    source_date_epoch_from_env()?;
    // This machine's settings (untracked targets.local.toml) apply to builds, not to the
    // shared matrix that `matrix` and `init` read.
    if let Some(p) = crate::read::local::apply(&mut config)? {
        shell::note(
            "Using",
            format!("this machine's settings from {}", p.display()),
        );
    }
    Ok((ws, config, (speculative, early)))
}

/// The default toolchain's probe, started before the config is read.
type Early = (ToolchainSpec, Result<Toolchain>);

/// What [`probe`] found, all at once.
struct Probed {
    toolchains: BTreeMap<ToolchainSpec, std::result::Result<Toolchain, String>>,
    target_cfg: BTreeMap<Triple, Vec<cargo_platform::Cfg>>,
    epoch: u64,
    epoch_source: EpochSource,
    commit: Option<String>,
    dirty: bool,
}

/// Probes in parallel: each toolchain of `target_specs` (reusing the `early` probe of the
/// default one), each target's `rustc --print cfg` when `want_cfg` (a `cfg(…)` table can
/// use the answer), and git at `root` (commit, its date, a tree unclean but for `own`).
fn probe(
    root: &Path,
    own: &[PathBuf],
    target_specs: &[(Triple, ToolchainSpec)],
    want_cfg: bool,
    early: Early,
    cache_dir: Option<&Path>,
) -> Probed {
    let specs: BTreeSet<ToolchainSpec> = target_specs.iter().map(|(_, s)| s.clone()).collect();
    let early = Some(early);
    let (toolchains, target_cfg, (epoch, epoch_source, commit), dirty) = std::thread::scope(|s| {
        let mut early = early;
        let probes: Vec<_> = specs
            .iter()
            .map(|spec| {
                let reuse = early.take_if(|(e, _)| e == spec).map(|(_, r)| r);
                let handle = match reuse {
                    Some(r) => s.spawn(move || r),
                    None => s.spawn(shell::carry(move || {
                        Toolchain::probe_cached(spec, cache_dir)
                    })),
                };
                (spec.clone(), handle)
            })
            .collect();
        // One `rustc --print cfg` per target, with the rustc that builds it.
        let cfgs: Vec<_> = target_specs
            .iter()
            .filter(|_| want_cfg)
            .map(|(triple, spec)| {
                (
                    triple,
                    s.spawn(shell::carry(move || toolchain::target_cfg(spec, triple))),
                )
            })
            .collect();
        // Outside a git checkout both answers are known without starting git.
        let in_git = in_git_checkout(root);
        let git = s.spawn(shell::carry(move || match in_git {
            true => git_facts(root),
            false => epoch_without_commit(),
        }));
        let status = s.spawn(shell::carry(move || {
            in_git && uncommitted(root, own).is_ok_and(|c| !c.is_empty())
        }));
        let toolchains: BTreeMap<_, _> = probes
            .into_iter()
            .map(|(spec, h)| {
                let r = h
                    .join()
                    .expect("probe thread")
                    .map_err(|e| format!("{e:#}"));
                (spec, r)
            })
            .collect();
        // A target whose cfg rustc cannot print (unknown triple, broken toolchain: both
        // reported by the plan) is left out, and every `cfg(…)` table counts as applying
        // to it: the conservative behaviour from before cfg values were known.
        let target_cfg: BTreeMap<_, _> = cfgs
            .into_iter()
            .filter_map(|(triple, h)| {
                let cfg = h.join().expect("cfg thread").ok()?;
                Some((triple.clone(), cfg))
            })
            .collect();
        (
            toolchains,
            target_cfg,
            git.join().expect("git thread"),
            status.join().expect("git status thread"),
        )
    });
    Probed {
        toolchains,
        target_cfg,
        epoch,
        epoch_source,
        commit,
        dirty,
    }
}

/// Each shipped cdylib package whose folder holds a napi-rs `package.json`: a Node module.
pub fn napi_packages(
    config: &Config,
    ws: &Workspace,
    opts: &Options,
) -> Result<BTreeMap<String, crate::model::node::NapiPackage>> {
    let mut napi = BTreeMap::new();
    if config.packages.is_none() {
        return Ok(napi);
    }
    for p in select::packages_for_run(config, ws, &opts.packages)? {
        let cdylib = p.lib.as_ref().is_some_and(|l| {
            l.kinds
                .contains(&crate::model::artifact::ArtifactKind::Cdylib)
        });
        if cdylib {
            if let Some(n) = crate::read::napi::read(&p.manifest_dir)? {
                napi.insert(p.name.clone(), n);
            }
        }
    }
    Ok(napi)
}

/// Each shipped package's `include` files, resolved; a pattern that matches nothing is a
/// warning naming where it looked.
fn includes(
    config: &Config,
    ws: &Workspace,
    opts: &Options,
) -> Result<BTreeMap<String, Vec<IncludeFile>>> {
    let packages = select::packages_for_run(config, ws, &opts.packages)?;
    let mut includes = BTreeMap::new();
    let own_outputs = [
        ws.target_dir.clone(),
        opts.out_dir.clone().unwrap_or_else(|| ws.root.join("dist")),
    ];
    for p in &packages {
        let mut files = resolve_warning(config, ws, p, "include", &config.include, &own_outputs)?;
        files.extend(headers(config, ws, p, &own_outputs)?);
        includes.insert(p.name.clone(), files);
    }
    Ok(includes)
}

/// `SOURCE_DATE_EPOCH` when set; an error when it is set but not a number of seconds (a
/// silently ignored value would ship archives with another date than the one asked for).
fn source_date_epoch_from_env() -> Result<Option<u64>> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(s) if !s.trim().is_empty() => s.trim().parse::<u64>().map(Some).map_err(|_| {
            anyhow::anyhow!(
                "SOURCE_DATE_EPOCH={s:?} is not a number of seconds since 1970; unset it (the commit's time is used) or set it to one, e.g. $(git log -1 --format=%ct)"
            )
        }),
        _ => Ok(None),
    }
}

/// Could git find a repository for `root`: a `.git` in it or above, or `GIT_DIR` set?
fn in_git_checkout(root: &Path) -> bool {
    std::env::var_os("GIT_DIR").is_some() || root.ancestors().any(|d| d.join(".git").exists())
}

/// [`git_facts`] where there is no commit: SOURCE_DATE_EPOCH, else the fallback.
fn epoch_without_commit() -> (u64, EpochSource, Option<String>) {
    match source_date_epoch_from_env().ok().flatten() {
        Some(e) => (e, EpochSource::Env, None),
        None => (FALLBACK_EPOCH, EpochSource::Fallback, None),
    }
}

/// SOURCE_DATE_EPOCH, else the HEAD commit's time, and which; and the HEAD commit.
fn git_facts(root: &Path) -> (u64, EpochSource, Option<String>) {
    let out = Cmd::new("git")
        .args(["log", "-1", "--format=%H %ct"])
        .cwd(root)
        .output(Some(std::time::Duration::from_secs(30)))
        .ok()
        .filter(|o| o.success());
    let (commit, time) = match out.as_ref().and_then(|o| {
        o.stdout
            .trim()
            .split_once(' ')
            .map(|(a, b)| (a.to_string(), b.to_string()))
    }) {
        Some((c, t)) => (Some(c), t.parse::<u64>().ok()),
        None => (None, None),
    };
    // Checked by `gather` before: a value that is set parses.
    let env = source_date_epoch_from_env().ok().flatten();
    let (epoch, source) = match (env, time) {
        (Some(e), _) => (e, EpochSource::Env),
        (None, Some(t)) => (t, EpochSource::Commit),
        (None, None) => (FALLBACK_EPOCH, EpochSource::Fallback),
    };
    (epoch, source, commit)
}

/// The changes that make the git tree at `root` unclean, as `git status --porcelain` lines:
/// one rule for `dist` (the manifest's `dirty`) and `release` (which refuses to tag). A
/// change to a tracked file counts, and so does an untracked file git does not ignore (a
/// new source file not yet added); files that are never committed do not (`own`: this
/// machine's `targets.local.toml`, the out dir, cargo's target dir, when inside `root`).
pub fn uncommitted(root: &Path, own: &[PathBuf]) -> Result<Vec<String>> {
    let mut cmd = Cmd::new("git")
        .args([
            "status",
            "--porcelain",
            "--untracked-files=normal",
            "--",
            ":/",
        ])
        .cwd(root)
        .env("GIT_TERMINAL_PROMPT", "0");
    for p in own {
        if let Some(rel) = p.strip_prefix(root).ok().and_then(|r| r.to_str()) {
            if !rel.is_empty() {
                cmd = cmd.arg(format!(":(exclude,literal){}", rel.replace('\\', "/")));
            }
        }
    }
    let out = cmd
        .run_checked(Some(std::time::Duration::from_secs(120)))
        .with_context(|| format!("cannot read the git status of {}", root.display()))?;
    Ok(out
        .stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect())
}

/// The files of a run at `root` that are never committed (see [`uncommitted`]): the local
/// settings beside the matrix at `config`, the out dir, the target dir.
pub fn never_committed(config: &Path, out_dir: &Path, target_dir: &Path) -> Vec<PathBuf> {
    vec![
        crate::read::local::path_for(config),
        out_dir.to_path_buf(),
        target_dir.to_path_buf(),
    ]
}

/// Resolves `--out-dir` relative to the current directory.
pub fn absolute(p: &Path) -> Result<PathBuf> {
    if p.is_absolute() {
        Ok(p.to_path_buf())
    } else {
        Ok(std::env::current_dir()
            .context("current directory")?
            .join(p))
    }
}

/// `patterns` (the `key` of [dist]) resolved for package `p`; a pattern that matches
/// nothing is a warning naming where it looked.
fn resolve_warning(
    config: &Config,
    ws: &Workspace,
    p: &Package,
    key: &str,
    patterns: &[(String, crate::read::config::Span)],
    own_outputs: &[PathBuf],
) -> Result<Vec<IncludeFile>> {
    let (files, unmatched) =
        include::resolve(config, &ws.root, &p.manifest_dir, patterns, own_outputs)?;
    for u in unmatched {
        shell::warn(format!(
            "{}: {key} pattern `{u}` matches no file for package `{}` (looked in {} and {})",
            config.path.display(),
            p.name,
            p.manifest_dir.display(),
            ws.root.display()
        ));
    }
    Ok(files)
}

/// The C headers a package ships with its library (`headers` in [dist], for a listed
/// package whose lib target builds a C library), under `include/` in the archive: a header
/// found in the package's `include/` keeps its path below it, any other its file name.
fn headers(
    config: &Config,
    ws: &Workspace,
    p: &Package,
    own_outputs: &[PathBuf],
) -> Result<Vec<IncludeFile>> {
    if config.headers.is_empty() || p.lib.is_none() || config.packages.is_none() {
        return Ok(Vec::new());
    }
    let files = resolve_warning(config, ws, p, "headers", &config.headers, own_outputs)?;
    Ok(files
        .into_iter()
        .map(|f| {
            let rel = f
                .dest
                .strip_prefix("include/")
                .unwrap_or_else(|| f.dest.rsplit('/').next().unwrap_or(&f.dest));
            IncludeFile {
                dest: format!("include/{rel}"),
                source: f.source,
            }
        })
        .collect())
}
