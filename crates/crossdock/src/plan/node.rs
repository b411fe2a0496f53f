//! Which shipped packages are Node modules, and for which platforms: a cdylib package whose
//! folder holds a napi-rs `package.json` (read into the facts) ships, beside its archives,
//! one npm package per target of its matrix row (napi-rs's platform names) and the root
//! package. targets.toml stays the matrix: where `napi.targets` says otherwise, a note
//! names both files. Pure.

use std::path::PathBuf;

use anyhow::{bail, Result};
use serde::Serialize;

use super::{Artifact, UniversalArtifact};
use crate::model::node::NapiPackage;
use crate::model::node::NodePlatform;
use crate::model::triple::Triple;
use crate::read::napi;

/// napi-rs's name for the universal macOS target (`napi universalize`).
const NAPI_UNIVERSAL: &str = "universal-apple-darwin";

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct NodePackage {
    /// The cargo package.
    pub package: String,
    pub manifest_path: PathBuf,
    /// The root npm package's name and version, from package.json (`name`, `version`).
    pub npm_name: String,
    /// The platform packages' prefix: `napi.packageName`, else `name`.
    pub npm_platform_prefix: String,
    pub npm_version: String,
    pub binary_name: String,
    /// Each target (or universal group) that builds the module, with its napi-rs platform,
    /// in plan order: thin targets, then universal groups.
    pub platforms: Vec<(String, NodePlatform)>,
    /// When `napi.targets` and targets.toml disagree: both sides, naming both files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Whether this run writes the root package. It names every platform package, so only
    /// a run of the whole matrix writes it; a run of part of it (`dist --target T`, one CI
    /// runner's) writes its platform packages only and leaves the root to `merge`, whose
    /// root package (all platforms) is the one released.
    pub root: bool,
    #[serde(skip)]
    pub napi: NapiPackage,
}

impl NodePackage {
    /// The Node package of `napi` (cargo package `package`) for `platforms`: its npm names,
    /// version and module name are package.json's, copied here only.
    pub fn new(
        package: &str,
        manifest_path: PathBuf,
        napi: &NapiPackage,
        platforms: Vec<(String, NodePlatform)>,
        root: bool,
    ) -> NodePackage {
        NodePackage {
            package: package.to_string(),
            manifest_path,
            npm_name: napi.name.clone(),
            npm_platform_prefix: napi.package_name.clone(),
            npm_version: napi.version.clone(),
            binary_name: napi.binary_name.clone(),
            platforms,
            note: None,
            napi: napi.clone(),
            root,
        }
    }

    pub fn platform(&self, target: &str) -> Option<&NodePlatform> {
        self.platforms
            .iter()
            .find(|(t, _)| t == target)
            .map(|(_, p)| p)
    }

    /// The npm tarballs this package writes: one per platform, then the root (when
    /// [`NodePackage::root`]).
    pub fn tarballs(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .platforms
            .iter()
            .map(|(_, p)| {
                napi::tarball_name(
                    &format!("{}-{}", self.npm_platform_prefix, p.name),
                    &self.npm_version,
                )
            })
            .collect();
        if self.root {
            out.push(napi::tarball_name(&self.npm_name, &self.npm_version));
        }
        out
    }

    /// Why the root package is not written, for the run's notes.
    pub fn root_note(&self) -> Option<String> {
        (!self.root).then(|| {
            format!(
                "npm package {}: this run builds part of the matrix (--target), so it writes the platform packages only; `merge` of every target's out dir writes the root package {} that names them all",
                self.npm_name,
                napi::tarball_name(&self.npm_name, &self.npm_version)
            )
        })
    }
}

/// The Node packages of the plan, from the napi packages the facts found; `whole_matrix`:
/// the run covers every target of targets.toml (it writes the root packages).
pub fn node_packages(
    napi: &std::collections::BTreeMap<String, NapiPackage>,
    workspace_root: &std::path::Path,
    targets_toml: &std::path::Path,
    artifacts: &[Artifact],
    universals: &[UniversalArtifact],
    whole_matrix: bool,
) -> Result<Vec<NodePackage>> {
    let mut out = Vec::new();
    for (package, n) in napi {
        let mut platforms: Vec<(String, NodePlatform)> = Vec::new();
        let mut manifest_path = None;
        let mut matrix: Vec<String> = Vec::new();
        for a in artifacts.iter().filter(|a| &a.package == package) {
            let target = a.target.to_string();
            let platform = NodePlatform::of(&a.target).map_err(|e| {
                anyhow::anyhow!(
                    "{e}; package `{package}` is a napi-rs module, built for every target of \
                     {config}: remove the target from {config} or the package from its \
                     `[dist] packages`, or ship the package as a plain cdylib (no `napi` \
                     object in {})",
                    n.path
                        .strip_prefix(workspace_root)
                        .unwrap_or(&n.path)
                        .display(),
                    config = crate::read::config::Sources::name_of(targets_toml),
                )
            })?;
            platforms.push((target.clone(), platform));
            manifest_path = Some(a.manifest_path.clone());
            if !matrix.contains(&target) {
                matrix.push(target);
            }
        }
        for u in universals.iter().filter(|u| &u.package == package) {
            let apple = u.members.iter().all(Triple::is_apple);
            if !apple {
                bail!(
                    "universal group `{}`: package `{package}` is a Node module, and only macOS modules have a universal form (darwin-universal)",
                    u.name
                );
            }
            platforms.push((u.name.clone(), NodePlatform::darwin_universal()));
            manifest_path = Some(u.manifest_path.clone());
            let members = u.members.iter().map(ToString::to_string);
            for m in members.chain([NAPI_UNIVERSAL.to_string()]) {
                if !matrix.contains(&m) {
                    matrix.push(m);
                }
            }
        }
        for (i, (t, p)) in platforms.iter().enumerate() {
            if let Some((other, _)) = platforms[..i].iter().find(|(_, q)| q.name == p.name) {
                bail!(
                    "targets {other} and {t} both give the Node platform {}: package `{package}` can ship only one module per platform; keep one of them for it",
                    p.name
                );
            }
        }
        let Some(manifest_path) = manifest_path else {
            continue;
        };
        // Both files named as the user knows them: from the workspace root.
        let shown = |p: &std::path::Path| p.strip_prefix(workspace_root).unwrap_or(p).to_path_buf();
        let mut shown_napi = n.clone();
        shown_napi.path = shown(&n.path);
        out.push(NodePackage {
            note: napi::targets_note(&shown_napi, &shown(targets_toml), &matrix),
            ..NodePackage::new(package, manifest_path, n, platforms, whole_matrix)
        });
    }
    Ok(out)
}
