//! Facts about the workspace being shipped, read once from `cargo metadata` and the root
//! manifest (for the profiles it defines). Nothing here decides anything: the planner does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};

use super::toolchain_pin;

use crate::model::artifact::ArtifactKind;
use crate::sys::cache::{self, Cache, Key};
use crate::sys::process::{which, Cmd};

fn run_metadata(cargo: &str, manifest_path: Option<&Path>) -> Result<String> {
    let mut cmd = Cmd::new(cargo).args(["metadata", "--format-version", "1", "--no-deps"]);
    if let Some(p) = manifest_path {
        cmd = cmd.arg("--manifest-path").arg(p);
    }
    const HINT: &str = "cannot read the workspace with `cargo metadata`: run crossdock inside a Cargo workspace, or pass --manifest-path PATH/Cargo.toml";
    let out = cmd
        .output(Some(std::time::Duration::from_secs(300)))
        .context(HINT)?;
    if !out.success() {
        // rustup's proxy fails before cargo reads anything when the pinned toolchain is
        // missing: that is the cause to name, not the workspace.
        let cwd = std::env::current_dir().unwrap_or_default();
        let env = std::env::var("RUSTUP_TOOLCHAIN").ok();
        let pins = toolchain_pin::find(&cwd, env.as_deref());
        if let Some(why) = toolchain_pin::explain(&out.stderr, &pins) {
            bail!("{why}");
        }
        // A broken cargo config stops cargo before it looks for a workspace.
        if out.stderr.contains("could not load Cargo configuration") {
            bail!(
                "cargo cannot read its configuration, so `{}` failed: fix or remove the config file it names:\n{}",
                cmd.display(),
                out.stderr.trim_end()
            );
        }
        return Err(anyhow!(
            "`{}` failed ({}):\n{}",
            cmd.display(),
            out.status,
            out.combined()
        ))
        .context(HINT);
    }
    Ok(out.stdout)
}

/// The manifest cargo starts from (`--manifest-path`, else the nearest `Cargo.toml` from the
/// current directory up) and the target dir cargo will most likely report: `CARGO_TARGET_DIR`
/// (or `CARGO_BUILD_TARGET_DIR`), else `target/` beside the nearest manifest above or at the
/// start that has a `[workspace]` table, else beside the start. Only a guess: the cached
/// answer is used only when it names this same target dir.
fn guess_target_dir(manifest_path: Option<&Path>) -> Option<(PathBuf, PathBuf)> {
    let cwd = std::env::current_dir().ok()?;
    let start = match manifest_path {
        Some(p) => cwd.join(p),
        None => cwd
            .ancestors()
            .map(|d| d.join("Cargo.toml"))
            .find(|m| m.is_file())?,
    };
    for var in ["CARGO_TARGET_DIR", "CARGO_BUILD_TARGET_DIR"] {
        if let Some(d) = std::env::var_os(var).filter(|d| !d.is_empty()) {
            return Some((start, cwd.join(d)));
        }
    }
    let root = start
        .parent()?
        .ancestors()
        .find(|d| {
            std::fs::read_to_string(d.join("Cargo.toml"))
                .is_ok_and(|t| t.lines().any(|l| l.trim_start().starts_with("[workspace")))
        })
        .or(start.parent())?
        .to_path_buf();
    Some((start, root.join("target")))
}

/// Where probe answers are cached for the workspace at `manifest_path` (or the current
/// directory): `target/crossdock/facts` in the target dir [`guess_target_dir`] finds, when
/// that dir exists (crossdock never creates a target dir cargo would not).
pub fn facts_cache_dir(manifest_path: Option<&Path>) -> Option<PathBuf> {
    let (_, target_dir) = guess_target_dir(manifest_path)?;
    target_dir.is_dir().then(|| cache::dir(&target_dir))
}

/// What `cargo metadata --no-deps` reads before it knows the members: cargo itself, the
/// arguments, the variables that move the target dir, every `Cargo.toml` from the start up,
/// the lock files and cargo config files on the way, and the user's global cargo config.
fn metadata_key(cargo: &str, manifest_path: Option<&Path>, start: &Path) -> Key {
    let mut k = Key::new("cargo metadata --no-deps");
    k.text(cargo);
    match which(cargo) {
        Some(p) => k.file(&p),
        None => k.text("not on PATH"),
    };
    k.text(
        &manifest_path
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default(),
    );
    for var in [
        "RUSTUP_TOOLCHAIN",
        "CARGO_HOME",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET_DIR",
    ] {
        k.env(var);
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    k.text(&cwd.to_string_lossy());
    let dirs = start.parent().into_iter().flat_map(Path::ancestors);
    for f in crate::read::cargo_config::files_cargo_reads(dirs.chain(cwd.ancestors())) {
        k.file(&f);
    }
    k
}

/// The stamps of what a stored answer names: each member's manifest and the folders whose
/// entries decide its targets (`src`, `src/bin`, the member folder and the one holding it,
/// where a glob in `members` may find a new member), the root manifest and lock file.
fn members_check(text: &str) -> Key {
    let mut k = Key::new("members");
    let Ok(meta) = serde_json::from_str::<serde_json::Value>(text) else {
        return k;
    };
    let root = meta["workspace_root"].as_str().unwrap_or_default();
    k.file(&Path::new(root).join("Cargo.toml"));
    k.file(&Path::new(root).join("Cargo.lock"));
    let members: BTreeSet<&str> = meta["workspace_members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m.as_str())
        .collect();
    for p in meta["packages"].as_array().into_iter().flatten() {
        if !p["id"].as_str().is_some_and(|id| members.contains(id)) {
            continue;
        }
        let manifest = Path::new(p["manifest_path"].as_str().unwrap_or_default());
        k.file(manifest);
        if let Some(dir) = manifest.parent() {
            for sub in ["", "src", "src/bin", "examples", "benches", "tests"] {
                k.file(&dir.join(sub));
            }
            if let Some(up) = dir.parent() {
                k.file(up);
            }
        }
    }
    k
}

#[derive(Debug, Clone, Default)]
pub struct Package {
    pub name: String,
    pub version: String,
    pub manifest_dir: PathBuf,
    /// Names of the `[[bin]]` targets, sorted.
    pub bins: Vec<String>,
    /// The lib target, when its `crate-type` makes a C library (`cdylib`, `staticlib`).
    pub lib: Option<Library>,
    /// False for `publish = false`: such a package ships only when targets.toml lists it.
    pub publish: bool,
    /// Cargo.toml's `description`, `repository`, `homepage`, `license` and `authors`: what
    /// installers and native packages say about the package.
    pub description: Option<String>,
    pub repository: Option<String>,
    pub homepage: Option<String>,
    pub license: Option<String>,
    pub authors: Vec<String>,
    /// Cargo.toml's `rust-version`: the oldest rustc that builds it (cargo fills in a
    /// missing patch: `1.97` is `1.97.0`).
    pub rust_version: Option<cargo_metadata::semver::Version>,
}

/// A package's lib target as cargo reports it, when it builds a library for C callers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Library {
    /// The lib target's name (`c_lib` for package `c-lib`): the stem of its files.
    pub name: String,
    /// `Cdylib` and/or `Staticlib`, in that order.
    pub kinds: Vec<ArtifactKind>,
}

/// The C library a target builds, if any: its `kind` (cargo's crate types) names `cdylib`
/// and/or `staticlib`. A plain `lib`/`rlib` builds none: it is for Rust callers. The same
/// rule reads cargo's `compiler-artifact` messages (`exec/build.rs`).
pub fn library_of(target: &cargo_metadata::Target) -> Option<Library> {
    let kinds: Vec<ArtifactKind> = [
        (target.is_cdylib(), ArtifactKind::Cdylib),
        (target.is_staticlib(), ArtifactKind::Staticlib),
    ]
    .into_iter()
    .filter_map(|(has, kind)| has.then_some(kind))
    .collect();
    (!kinds.is_empty()).then(|| Library {
        name: target.name.clone(),
        kinds,
    })
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
        let text = run_metadata(cargo, manifest_path)?;
        let meta: cargo_metadata::Metadata =
            serde_json::from_str(&text).context("cannot parse the output of `cargo metadata`")?;
        Workspace::from_metadata(meta)
    }

    /// [`Workspace::load`], answered from `target/crossdock/facts/` when no file that
    /// `cargo metadata` reads changed since it was stored: the manifests, the lock file,
    /// cargo config files, the member folders (a new `src/bin/*.rs` is a new binary), cargo
    /// itself and the variables that move the target dir. The cache sits in the target dir
    /// the answer names, found again before asking cargo (`CARGO_TARGET_DIR`, else
    /// `<workspace root>/target`); a target dir set in a cargo config is not guessed, and
    /// such a workspace runs `cargo metadata` each time.
    pub fn load_cached(cargo: &str, manifest_path: Option<&Path>) -> Result<Workspace> {
        let Some((start, target_dir)) = guess_target_dir(manifest_path) else {
            return Workspace::load(cargo, manifest_path);
        };
        let cache = Cache::new(&cache::dir(&target_dir), "cargo-metadata");
        let key = metadata_key(cargo, manifest_path, &start);
        if let Some(text) = cache.get(&key, members_check) {
            if let Ok(meta) = serde_json::from_str::<cargo_metadata::Metadata>(&text) {
                if meta.target_directory.as_std_path() == target_dir {
                    return Workspace::from_metadata(meta);
                }
            }
        }
        let text = run_metadata(cargo, manifest_path)?;
        let meta: cargo_metadata::Metadata =
            serde_json::from_str(&text).context("cannot parse the output of `cargo metadata`")?;
        if meta.target_directory.as_std_path() == target_dir {
            cache.put(&key, members_check(&text), &text);
        }
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
                let lib = p.targets.iter().find_map(library_of);
                Package {
                    name: p.name.to_string(),
                    version: p.version.to_string(),
                    manifest_dir: p
                        .manifest_path
                        .parent()
                        .map(|d| d.as_std_path().to_path_buf())
                        .unwrap_or_else(|| root.clone()),
                    bins,
                    lib,
                    publish: p.publish.as_ref().is_none_or(|r| !r.is_empty()),
                    description: p.description.clone(),
                    repository: p.repository.clone(),
                    homepage: p.homepage.clone(),
                    license: p.license.clone(),
                    authors: p.authors.clone(),
                    rust_version: p.rust_version.clone(),
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
