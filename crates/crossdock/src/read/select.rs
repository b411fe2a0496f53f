//! Which targets, packages and toolchains a run covers: one rule, shared by `dist`, the
//! GitHub matrix, `doctor` and `release`, so that they never disagree about what ships.
//! Pure over the config and the workspace.

use std::path::PathBuf;

use anyhow::{bail, Result};

use crate::read::config::{Config, Target};
use crate::read::words::nearest;
use crate::read::workspace::{Package, Workspace};
use crate::sys::shell::Shell;

/// The programs chosen for a target: `--cargo/--rustc`, else the target's keys, else
/// `[dist]`, else `$CARGO`/`$RUSTC`, else `cargo`/`rustc` on PATH.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct ToolchainSpec {
    pub cargo: String,
    /// `None`: cargo's own choice (`$RUSTC` or `rustc` on PATH).
    pub rustc: Option<String>,
}

impl ToolchainSpec {
    /// The rustc this spec ends up running (reads `$RUSTC`: for facts, not the plan).
    pub fn rustc_program(&self) -> String {
        self.rustc_program_given(std::env::var("RUSTC").ok().as_deref())
    }

    /// The rustc this spec ends up running when `$RUSTC` is `env_rustc` (the plan's
    /// facts' `env_rustc`).
    pub fn rustc_program_given(&self, env_rustc: Option<&str>) -> String {
        self.rustc
            .clone()
            .or_else(|| env_rustc.map(String::from))
            .unwrap_or_else(|| "rustc".to_string())
    }
}

/// What the command line asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--target`: a subset of the matrix (empty: all of it).
    pub targets: Vec<String>,
    pub out_dir: Option<PathBuf>,
    pub cargo: Option<String>,
    pub rustc: Option<String>,
    pub jobs: Option<usize>,
    /// `--all-targets`: every target must build (as with `--target`); without either, a
    /// target this machine cannot build is skipped and listed.
    pub all_targets: bool,
    /// `--force`: overwrite files in the out dir that crossdock did not write.
    pub force: bool,
    /// `-p/--package`: only these of the shipped packages (a package tag's release job).
    pub packages: Vec<String>,
    /// `--keep-going`: a target whose build, binary check or smoke run fails is recorded and
    /// the run goes on with the others; the run still fails at the end.
    pub keep_going: bool,
    /// The `SOURCE_DATE_EPOCH` to use instead of the environment's or the commit's (`verify`
    /// rebuilds a release with the one its manifest records).
    pub source_date_epoch: Option<u64>,
    /// Where this run's messages go and how many (`-v`, `--json`): each run its own, so
    /// two runs in one process do not change each other's output.
    pub shell: Shell,
}

impl Options {
    /// Must every selected target build? (`--target` or `--all-targets`.)
    pub fn strict(&self) -> bool {
        self.all_targets || !self.targets.is_empty()
    }
}

/// The toolchain a target builds with.
pub fn toolchain_spec(
    config: &Config,
    target: &Target,
    opts: &Options,
    default_cargo: &str,
) -> ToolchainSpec {
    ToolchainSpec {
        cargo: opts
            .cargo
            .clone()
            .or_else(|| target.cargo.clone())
            .or_else(|| config.cargo.clone())
            .unwrap_or_else(|| default_cargo.to_string()),
        rustc: opts
            .rustc
            .clone()
            .or_else(|| target.rustc.clone())
            .or_else(|| config.rustc.clone()),
    }
}

/// The targets selected by `--target` (all when empty), in matrix order.
pub fn selected_targets<'c>(config: &'c Config, opts: &Options) -> Result<Vec<&'c Target>> {
    for t in &opts.targets {
        if config.target(t).is_none() {
            let known: Vec<&str> = config.targets.iter().map(|t| t.triple.as_str()).collect();
            let hint = nearest(t, &known)
                .map(|n| format!(" Did you mean `{n}`?"))
                .unwrap_or_default();
            bail!(
                "--target {t} is not in the matrix of {} (it has: {}).{hint} Add a [[target]] with triple = \"{t}\" to build it.",
                config.path.display(),
                known.join(", ")
            );
        }
    }
    Ok(config
        .targets
        .iter()
        .filter(|t| opts.targets.is_empty() || opts.targets.iter().any(|o| *o == t.triple))
        .collect())
}

/// The packages that ship, checked against the workspace.
pub fn selected_packages<'w>(config: &Config, ws: &'w Workspace) -> Result<Vec<&'w Package>> {
    match &config.packages {
        None => {
            let shipped = default_packages(ws);
            if shipped.is_empty() {
                bail!(
                    "no workspace member of {} has a binary target and may be published, so there is nothing to ship; add a [[bin]] (or src/main.rs) to a package, or list a `publish = false` package in `[dist] packages` of {}",
                    ws.root.display(),
                    super::config::Sources::name_of(&config.path)
                );
            }
            Ok(shipped)
        }
        Some(names) => {
            let mut out = Vec::new();
            for (name, span) in names {
                let Some(p) = ws.package(name) else {
                    let known: Vec<&str> = ws.members.iter().map(|p| p.name.as_str()).collect();
                    let hint = nearest(name, &known)
                        .map(|n| format!(" Did you mean `{n}`?"))
                        .unwrap_or_default();
                    return Err(config.error(
                        *span,
                        format!("key `packages`: `{name}` is not a member of the workspace at {} (members: {}).{hint}", ws.root.display(), known.join(", ")),
                    ));
                };
                if p.bins.is_empty() && p.lib.is_none() {
                    return Err(config.error(
                        *span,
                        format!("key `packages`: package `{name}` has no binary target and its lib target builds no C library, so it has nothing to ship; remove it from `packages`, add a [[bin]], or set `crate-type = [\"cdylib\"]` (or \"staticlib\") in its [lib]"),
                    ));
                }
                out.push(p);
            }
            Ok(out)
        }
    }
}

/// The shipped packages, narrowed to `only` (`dist -p`) when it is not empty; each name
/// must be one of the shipped packages.
pub fn packages_for_run<'w>(
    config: &Config,
    ws: &'w Workspace,
    only: &[String],
) -> Result<Vec<&'w Package>> {
    let shipped = selected_packages(config, ws)?;
    if only.is_empty() {
        return Ok(shipped);
    }
    for name in only {
        if !shipped.iter().any(|p| &p.name == name) {
            let names: Vec<&str> = shipped.iter().map(|p| p.name.as_str()).collect();
            bail!(
                "-p {name}: not a package this workspace ships (it ships: {}); list it in `[dist] packages` of {} to ship it",
                names.join(", "),
                config.path.display()
            );
        }
    }
    Ok(shipped
        .into_iter()
        .filter(|p| only.contains(&p.name))
        .collect())
}

/// The packages that ship when targets.toml lists none: every member with a binary target,
/// except `publish = false` ones (an `xtask`, test helpers), which ship only when listed.
/// When every binary member is `publish = false` (an application not on crates.io), they
/// all ship, but a package named `xtask` never does unless listed.
pub fn default_packages(ws: &Workspace) -> Vec<&Package> {
    let with_bins = || ws.members.iter().filter(|p| !p.bins.is_empty());
    let published: Vec<&Package> = with_bins().filter(|p| p.publish).collect();
    if !published.is_empty() {
        return published;
    }
    with_bins().filter(|p| p.name != "xtask").collect()
}

/// The release tag: `v1.2.3`, or `{package}-v1.2.3` for one package of a workspace whose
/// shipped packages do not share a version. `release` tags by this rule and installers
/// download from it.
pub fn tag_name(package: Option<&str>, version: &str) -> String {
    match package {
        Some(p) => format!("{p}-v{version}"),
        None => format!("v{version}"),
    }
}
