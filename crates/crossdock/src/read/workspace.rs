//! Facts about the workspace being shipped, read once from `cargo metadata` and the root
//! manifest (for the profiles it defines). Nothing here decides anything: the planner does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::sys::process::Cmd;

#[derive(Debug, Clone, Default)]
pub struct Package {
    pub name: String,
    pub version: String,
    pub manifest_dir: PathBuf,
    /// Names of the `[[bin]]` targets, sorted.
    pub bins: Vec<String>,
    /// False for `publish = false`: such a package ships only when targets.toml lists it.
    pub publish: bool,
    /// Cargo.toml's `description`, `repository`, `homepage`, `license` and `authors`: what
    /// installers and native packages say about the package.
    pub description: Option<String>,
    pub repository: Option<String>,
    pub homepage: Option<String>,
    pub license: Option<String>,
    pub authors: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Workspace {
    pub root: PathBuf,
    pub target_dir: PathBuf,
    /// Workspace members, sorted by name.
    pub members: Vec<Package>,
    /// Custom profiles declared in the root manifest (`[profile.dist]` …).
    pub profiles: BTreeSet<String>,
    /// Each profile of the root manifest that says something about debug info: its
    /// `inherits` and whether its `debug` keeps any (see [`Workspace::profile_has_debuginfo`]).
    pub profile_debug: BTreeMap<String, (Option<String>, Option<bool>)>,
    pub has_lockfile: bool,
}

impl Workspace {
    /// Runs `cargo metadata --no-deps` for the manifest at `manifest_path`.
    pub fn load(cargo: &str, manifest_path: Option<&Path>) -> Result<Workspace> {
        let mut cmd = Cmd::new(cargo).args(["metadata", "--format-version", "1", "--no-deps"]);
        if let Some(p) = manifest_path {
            cmd = cmd.arg("--manifest-path").arg(p);
        }
        let out = cmd
            .run_checked(Some(std::time::Duration::from_secs(300)))
            .context("cannot read the workspace with `cargo metadata`: run crossdock inside a Cargo workspace, or pass --manifest-path PATH/Cargo.toml")?;
        let meta: cargo_metadata::Metadata = serde_json::from_str(&out.stdout)
            .context("cannot parse the output of `cargo metadata`")?;
        Workspace::from_metadata(meta)
    }

    pub fn from_metadata(meta: cargo_metadata::Metadata) -> Result<Workspace> {
        let root = meta.workspace_root.clone().into_std_path_buf();
        let members: BTreeSet<_> = meta.workspace_members.iter().collect();
        let mut packages: Vec<Package> = meta
            .packages
            .iter()
            .filter(|p| members.contains(&p.id))
            .map(|p| {
                let mut bins: Vec<String> = p
                    .targets
                    .iter()
                    .filter(|t| t.is_bin())
                    .map(|t| t.name.clone())
                    .collect();
                bins.sort();
                Package {
                    name: p.name.to_string(),
                    version: p.version.to_string(),
                    manifest_dir: p
                        .manifest_path
                        .parent()
                        .map(|d| d.as_std_path().to_path_buf())
                        .unwrap_or_else(|| root.clone()),
                    bins,
                    publish: p.publish.as_ref().is_none_or(|r| !r.is_empty()),
                    description: p.description.clone(),
                    repository: p.repository.clone(),
                    homepage: p.homepage.clone(),
                    license: p.license.clone(),
                    authors: p.authors.clone(),
                }
            })
            .collect();
        packages.sort_by(|a, b| a.name.cmp(&b.name));
        let root_manifest = root.join("Cargo.toml");
        let profile_tables = std::fs::read_to_string(&root_manifest)
            .ok()
            .and_then(|s| s.parse::<toml::Table>().ok())
            .and_then(|t| t.get("profile").and_then(|p| p.as_table()).cloned())
            .unwrap_or_default();
        let profiles = profile_tables.keys().cloned().collect();
        let profile_debug = profile_tables
            .iter()
            .filter_map(|(name, t)| {
                let t = t.as_table()?;
                let inherits = t.get("inherits").and_then(|v| v.as_str()).map(String::from);
                // debug = 0 | false | "none" keeps none; any other value keeps some.
                let debug = t.get("debug").map(|v| {
                    !matches!(v, toml::Value::Boolean(false) | toml::Value::Integer(0))
                        && v.as_str() != Some("none")
                });
                Some((name.clone(), (inherits, debug)))
            })
            .collect();
        Ok(Workspace {
            has_lockfile: root.join("Cargo.lock").exists(),
            target_dir: meta.target_directory.into_std_path_buf(),
            root,
            members: packages,
            profiles,
            profile_debug,
        })
    }

    /// Does `profile` build with debug info, following `inherits` (cargo's built-in `dev`
    /// and `test` do, `release` and `bench` do not)?
    pub fn profile_has_debuginfo(&self, profile: &str) -> bool {
        let mut name = profile.to_string();
        for _ in 0..16 {
            let (inherits, debug) = self.profile_debug.get(&name).cloned().unwrap_or_default();
            if let Some(d) = debug {
                return d;
            }
            match inherits {
                Some(parent) => name = parent,
                None => return matches!(name.as_str(), "dev" | "test"),
            }
        }
        false
    }

    pub fn package(&self, name: &str) -> Option<&Package> {
        self.members.iter().find(|p| p.name == name)
    }
}
