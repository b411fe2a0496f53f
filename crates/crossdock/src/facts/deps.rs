//! The dependency graph each SBOM is made from (`sbom = true`), gathered before planning:
//! `cargo metadata --filter-platform TRIPLE` with the target's features, as the build will
//! resolve them, so that a crate only another target compiles (`[target.'cfg(windows)'.
//! dependencies]` on Linux) is not listed; Cargo.lock gives each registry crate's checksum.
//!
//! The answers are kept in `target/crossdock/facts/` under the stamps of what cargo reads
//! (`sys/cache.rs`), so a no-op run asks cargo nothing.
//!
//! cargo metadata takes no `-p`: it resolves the features of the whole workspace at once,
//! so an optional dependency that another member of the workspace enables is listed too
//! (docs/sbom.md says so).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{anyhow, Context, Result};

use crate::model::deps::{Crate, CrateSource, Dep, DepGraph};
use crate::model::triple::Triple;
use crate::read::select::ToolchainSpec;
use crate::sys::cache::{Cache, Key};
use crate::sys::process::{which, Cmd};

/// What a graph is resolved for: a target and the build's feature flags.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct DepsKey {
    pub triple: Triple,
    pub features: Vec<String>,
    pub no_default_features: bool,
}

impl DepsKey {
    /// The graph `target`'s build resolves (its triple and feature flags).
    pub fn of(target: &crate::read::config::Target) -> DepsKey {
        DepsKey {
            triple: target.triple.clone(),
            features: target.features.clone(),
            no_default_features: target.no_default_features,
        }
    }
}

/// Each key's graph, resolved in parallel, or the error text naming the command and fix.
pub fn gather(
    root: &Path,
    locked: bool,
    wanted: Vec<(DepsKey, ToolchainSpec)>,
    cache_dir: Option<&Path>,
) -> BTreeMap<DepsKey, Result<DepGraph, String>> {
    let checksums = lock_checksums(root);
    std::thread::scope(|s| {
        let handles: Vec<_> = wanted
            .into_iter()
            .map(|(key, spec)| {
                let checksums = &checksums;
                let k = key.clone();
                let h = s.spawn(crate::sys::shell::carry(move || {
                    resolve(root, locked, &k, &spec, checksums, cache_dir)
                        .map_err(|e| format!("{e:#}"))
                }));
                (key, h)
            })
            .collect();
        handles
            .into_iter()
            .map(|(k, h)| (k, h.join().expect("metadata thread")))
            .collect()
    })
}

fn resolve(
    root: &Path,
    locked: bool,
    key: &DepsKey,
    spec: &ToolchainSpec,
    checksums: &BTreeMap<(String, String, String), String>,
    cache_dir: Option<&Path>,
) -> Result<DepGraph> {
    // One slot per target and feature set: they are resolved at once, each keeps its own.
    let features = Key::new("features")
        .text(&format!("{:?} {}", key.features, key.no_default_features))
        .hex();
    let slot = format!("cargo-metadata-{}-{}", key.triple, &features[..12]);
    let cache = cache_dir.map(|d| Cache::new(d, &slot));
    let cache_key = cache
        .as_ref()
        .map(|_| metadata_key(root, locked, key, spec));
    if let (Some(c), Some(k)) = (&cache, &cache_key) {
        if let Some(text) = c.get(k, path_manifests) {
            if let Ok(meta) = serde_json::from_str::<cargo_metadata::Metadata>(&text) {
                return Ok(graph(&meta, checksums));
            }
        }
    }
    let mut cmd = Cmd::new(&spec.cargo)
        .args(["metadata", "--format-version", "1", "--filter-platform"])
        .arg(key.triple.as_str())
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .cwd(root);
    if !key.features.is_empty() {
        cmd = cmd.arg("--features").arg(key.features.join(","));
    }
    if key.no_default_features {
        cmd = cmd.arg("--no-default-features");
    }
    if locked {
        cmd = cmd.arg("--locked");
    }
    if let Some(rustc) = &spec.rustc {
        cmd = cmd.env("RUSTC", rustc);
    }
    let out = cmd
        .output(Some(std::time::Duration::from_secs(300)))
        .with_context(|| format!("cannot run `{}`", cmd.display()))?;
    if !out.success() {
        return Err(anyhow!(
            "`{}` failed ({}), so there is no dependency graph for {}{}",
            cmd.display(),
            out.status,
            key.triple,
            match out.combined().trim_end() {
                "" => String::new(),
                said => format!(":\n{said}"),
            }
        ));
    }
    let meta: cargo_metadata::Metadata = serde_json::from_str(&out.stdout)
        .with_context(|| format!("cannot parse the output of `{}`", cmd.display()))?;
    if let (Some(c), Some(k)) = (&cache, &cache_key) {
        c.put(k, path_manifests(&out.stdout), &out.stdout);
    }
    Ok(graph(&meta, checksums))
}

/// What the resolve reads besides the crates' own manifests: the arguments, cargo and
/// rustc (which answers `cfg(…)` for the triple), the variables that change either, the
/// root manifest and lock file, and the cargo config files cargo reads from the root up.
fn metadata_key(root: &Path, locked: bool, key: &DepsKey, spec: &ToolchainSpec) -> Key {
    let mut k = Key::new("cargo metadata --filter-platform");
    k.text(key.triple.as_str())
        .text(&key.features.join(","))
        .text(&format!("{} {locked}", key.no_default_features))
        .text(&spec.cargo)
        .text(spec.rustc.as_deref().unwrap_or("\0default"));
    for program in std::iter::once(spec.cargo.as_str()).chain(spec.rustc.as_deref()) {
        match which(program) {
            Some(p) => k.file(&p),
            None => k.text("not on PATH"),
        };
    }
    for var in [
        "RUSTUP_TOOLCHAIN",
        "CARGO_HOME",
        "RUSTC",
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
    ] {
        k.env(var);
    }
    // cargo runs in the root: it reads the config files from there up (a `[patch]` in a
    // parent folder's `.cargo/config.toml` changes the resolve).
    for f in crate::read::cargo_config::files_cargo_reads(root.ancestors()) {
        k.file(&f);
    }
    k
}

/// The stamps of every path crate's manifest a stored answer names (a registry or git
/// crate at a locked version never changes).
fn path_manifests(text: &str) -> Key {
    let mut k = Key::new("path manifests");
    let Ok(meta) = serde_json::from_str::<serde_json::Value>(text) else {
        return k;
    };
    for p in meta["packages"].as_array().into_iter().flatten() {
        if p["source"].is_null() {
            k.file(Path::new(p["manifest_path"].as_str().unwrap_or_default()));
        }
    }
    k
}

/// The resolve of `meta` as a [`DepGraph`]: normal and build edges (dev ones dropped).
fn graph(
    meta: &cargo_metadata::Metadata,
    checksums: &BTreeMap<(String, String, String), String>,
) -> DepGraph {
    let Some(resolve) = &meta.resolve else {
        return DepGraph::default();
    };
    let packages: BTreeMap<_, _> = meta.packages.iter().map(|p| (&p.id, p)).collect();
    let index: BTreeMap<_, _> = resolve
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (&n.id, i))
        .collect();
    let crates = resolve
        .nodes
        .iter()
        .map(|n| {
            let p = packages[&n.id];
            let source = p.source.as_ref().map(|s| s.repr.clone());
            let checksum = source.as_ref().and_then(|s| {
                checksums
                    .get(&(p.name.to_string(), p.version.to_string(), s.clone()))
                    .cloned()
            });
            use cargo_metadata::DependencyKind as K;
            let deps = n
                .deps
                .iter()
                .filter_map(|d| {
                    let kinds = d.dep_kinds.iter().map(|k| k.kind);
                    let normal = kinds.clone().any(|k| k == K::Normal);
                    let build = kinds.clone().any(|k| k == K::Build);
                    (normal || build).then(|| Dep {
                        to: index[&d.pkg],
                        build: !normal,
                    })
                })
                .collect();
            Crate {
                name: p.name.to_string(),
                version: p.version.to_string(),
                source: CrateSource::from_cargo(source.as_deref()),
                license: p.license.clone(),
                checksum,
                proc_macro: p.targets.iter().any(|t| t.is_proc_macro()),
                deps,
            }
        })
        .collect();
    DepGraph { crates }
}

/// Cargo.lock's `checksum` of each (name, version, source); empty without a lock file.
fn lock_checksums(root: &Path) -> BTreeMap<(String, String, String), String> {
    #[derive(serde::Deserialize)]
    struct Lock {
        #[serde(default)]
        package: Vec<Locked>,
    }
    #[derive(serde::Deserialize)]
    struct Locked {
        name: String,
        version: String,
        source: Option<String>,
        checksum: Option<String>,
    }
    let Ok(bytes) = crate::sys::fs::read_input(&root.join("Cargo.lock"), 64 << 20) else {
        return BTreeMap::new();
    };
    let Ok(lock) = toml::from_str::<Lock>(&String::from_utf8_lossy(&bytes)) else {
        return BTreeMap::new();
    };
    lock.package
        .into_iter()
        .filter_map(|p| Some(((p.name, p.version, p.source?), p.checksum?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// cargo runs in the workspace root and reads `.cargo/config.toml` from there up: a
    /// config file written in a parent folder (a `[patch]` there changes the resolve) must
    /// change the key of the stored resolve, as one in the root does.
    #[test]
    fn a_cargo_config_in_the_root_or_a_parent_folder_changes_the_resolve_key() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("ws");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("Cargo.toml"), "[package]\nname = \"a\"\n").unwrap();
        let key = DepsKey {
            triple: Triple::new("x86_64-unknown-linux-gnu"),
            features: Vec::new(),
            no_default_features: false,
        };
        let spec = ToolchainSpec {
            cargo: "cargo".into(),
            rustc: None,
        };
        let hex = || metadata_key(&root, true, &key, &spec).hex();
        let before = hex();
        assert_eq!(hex(), before, "the key is stable while nothing changes");
        for dir in [tmp.path(), root.as_path()] {
            let was = hex();
            std::fs::create_dir_all(dir.join(".cargo")).unwrap();
            std::fs::write(dir.join(".cargo/config.toml"), "[patch.crates-io]\n").unwrap();
            assert_ne!(
                hex(),
                was,
                "{}'s .cargo/config.toml is not in the key",
                dir.display()
            );
        }
    }
}
