//! merge's npm packages. Each runner's out dir holds the platform packages of its targets
//! (a run of part of the matrix writes no root package: `plan::node::NodePackage::root`).
//! merge unpacks the module of every platform package, fuses the `darwin-universal` module
//! of a configured universal group from its members' modules, and hands all of them to the
//! step that packs a single `dist`'s npm packages ([`PackStep::Npm`]), in the plan's
//! platform order (targets.toml's targets, then its universal groups): the platform
//! packages come out as the runners wrote them, and the root package names every one.
//!
//! The root package is the user's package.json and loader, which no input carries whole:
//! merge reads them from the workspace (`Rules::napi`), and refuses inputs built from
//! another name or version than that package.json says.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use super::entries::{check_entries_under, unpack};
use super::{verify_file, Rules};
use crate::exec::pack::{self, ModuleSource, NpmModule, PackStep};
use crate::model::node::{tarball_name, NodePlatform};
use crate::model::triple::Triple;
use crate::package::manifest::{ArtifactEntry, ArtifactKind, Manifest};

/// The largest module merge extracts from a platform package (its manifest entry records
/// the tarball's size, not the module's).
const MAX_MODULE: u64 = 1 << 30;

/// One npm tarball found in an input dir.
pub(super) struct NpmFound {
    dir: PathBuf,
    entry: ArtifactEntry,
}

/// Adds the npm tarballs of one input's manifest to `found`, each verified against its
/// manifest entry; a name two inputs hold must have the same bytes in both.
pub(super) fn collect(
    dir: &Path,
    m: &Manifest,
    found: &mut BTreeMap<String, NpmFound>,
) -> Result<()> {
    for a in m
        .artifacts
        .iter()
        .filter(|a| a.kind == ArtifactKind::NpmPackage)
    {
        if !crate::package::ownership::is_output_name(&a.name) {
            bail!(
                "{}: npm package {:?} is not a plain file name; refusing to merge it (was this input made by `dist`?)",
                dir.display(),
                a.name
            );
        }
        verify_file(&dir.join(&a.name), a)?;
        if let Some(prev) = found.get(&a.name) {
            if prev.entry.sha256 != a.sha256 {
                bail!(
                    "{} is in {} and {} with different contents: build every target from the same commit",
                    a.name,
                    prev.dir.display(),
                    dir.display()
                );
            }
            continue;
        }
        found.insert(
            a.name.clone(),
            NpmFound {
                dir: dir.to_path_buf(),
                entry: a.clone(),
            },
        );
    }
    Ok(())
}

/// One [`PackStep::Npm`] per Node module of the inputs (or a warning when the workspace's
/// package.json is not at hand), its modules unpacked into `scratch`.
pub(super) fn steps(
    found: &BTreeMap<String, NpmFound>,
    rules: &Rules,
    scratch: &Path,
) -> Result<Vec<PackStep>> {
    let mut by_package: BTreeMap<&str, Vec<&NpmFound>> = BTreeMap::new();
    for f in found.values() {
        // A root package of an input is not carried: merge writes the one naming every
        // platform package.
        if f.entry.target.is_some() {
            let package = f.entry.package.as_deref().unwrap_or_default();
            by_package.entry(package).or_default().push(f);
        }
    }
    let mut steps = Vec::new();
    for (package, platforms) in by_package {
        let Some(napi) = rules.napi.get(package) else {
            let names: Vec<&str> = platforms.iter().map(|f| f.entry.name.as_str()).collect();
            steps.push(PackStep::Warn(format!(
                "package `{package}` is a Node module, and its npm packages are written from its package.json, which this merge has not found (no workspace, or the package is not listed in targets.toml); left out: {}. Run merge in the workspace (or pass --manifest-path)",
                names.join(", ")
            )));
            continue;
        };
        let mut modules = Vec::new();
        for f in platforms {
            modules.push(module(f, package, napi, rules, scratch)?);
        }
        modules.extend(universal_modules(&modules, rules));
        let rank = |target: &str| {
            let thin = rules.targets.iter().position(|t| t.as_str() == target);
            let group = || rules.groups.iter().position(|g| g.name == target);
            thin.or_else(|| group().map(|i| rules.targets.len() + i))
                .unwrap_or(usize::MAX)
        };
        modules.sort_by(|a, b| (rank(&a.target), &a.target).cmp(&(rank(&b.target), &b.target)));
        steps.push(PackStep::Npm(pack::Npm::of_modules(
            package, napi, modules, true,
        )));
    }
    Ok(steps)
}

/// The module of one platform package, checked to be the package the workspace's
/// package.json names, unpacked.
fn module(
    f: &NpmFound,
    package: &str,
    napi: &crate::model::node::NapiPackage,
    rules: &Rules,
    scratch: &Path,
) -> Result<NpmModule> {
    let target = f.entry.target.clone().unwrap_or_default();
    if !crate::read::words::is_plain_word(&target, &[]) {
        bail!(
            "{}: npm package {} names target {target:?}, which is not a plain word; refusing to merge it",
            f.dir.display(),
            f.entry.name
        );
    }
    let platform = if rules.groups.iter().any(|g| g.name == target) {
        NodePlatform::darwin_universal()
    } else {
        NodePlatform::of(&Triple::new(&target)).map_err(|e| {
            anyhow::anyhow!(
                "{}: npm package {}: {e}; refusing to merge it",
                f.dir.display(),
                f.entry.name
            )
        })?
    };
    let expected = tarball_name(
        &format!("{}-{}", napi.package_name, platform.name),
        &napi.version,
    );
    if f.entry.name != expected {
        bail!(
            "{}: npm package {} of `{package}` for {target} should be {expected}, as {} names it: the inputs were built from another package.json (name or version); merge the outputs of the commit the workspace has checked out",
            f.dir.display(),
            f.entry.name,
            napi.path.display()
        );
    }
    let path = f.dir.join(&f.entry.name);
    check_entries_under(&path, "package")?;
    let file = platform.module_file(&napi.binary_name);
    let wanted = BTreeMap::from([(format!("package/{file}"), Some(MAX_MODULE))]);
    let into = scratch.join("npm").join(package).join(&target);
    let mut files = unpack(&path, &into, &wanted)?;
    let Some(module) = files.remove(&file) else {
        bail!(
            "{}: npm package {} holds no package/{file}; rebuild {target}",
            f.dir.display(),
            f.entry.name
        );
    };
    Ok(NpmModule {
        target,
        platform,
        source: ModuleSource::File(module),
    })
}

/// The `darwin-universal` module of each universal group (of macOS targets) whose members'
/// modules are all here and whose own is not: fused by the group's lipo, as `dist` fuses it.
fn universal_modules(modules: &[NpmModule], rules: &Rules) -> Vec<NpmModule> {
    let mut out = Vec::new();
    for g in &rules.groups {
        if modules.iter().any(|m| m.target == g.name) || !g.members.iter().all(Triple::is_apple) {
            continue;
        }
        let slices: Option<Vec<PathBuf>> = g
            .members
            .iter()
            .map(|t| {
                modules
                    .iter()
                    .find(|m| m.target == t.as_str())
                    .and_then(|m| match &m.source {
                        ModuleSource::File(p) => Some(p.clone()),
                        ModuleSource::Fat { .. } => None,
                    })
            })
            .collect();
        if let Some(slices) = slices {
            out.push(NpmModule {
                target: g.name.clone(),
                platform: NodePlatform::darwin_universal(),
                source: ModuleSource::Fat {
                    lipo: g.lipo.clone(),
                    slices,
                },
            });
        }
    }
    out
}

/// A platform package merge wrote with other bytes than the runner that built it: the
/// workspace's package.json differs from the one the runners read (another field than the
/// name and version, which are checked before): a warning naming both.
pub(super) fn warn_repacked(found: &BTreeMap<String, NpmFound>, merged: &Manifest) {
    for f in found.values().filter(|f| f.entry.target.is_some()) {
        let Some(m) = merged.artifacts.iter().find(|a| a.name == f.entry.name) else {
            continue;
        };
        if m.sha256 != f.entry.sha256 {
            crate::sys::shell::warn(format!(
                "{} differs from the one in {}: the workspace's package.json is not the one that run read (merge the outputs of the commit checked out here)",
                f.entry.name,
                f.dir.display()
            ));
        }
    }
}
