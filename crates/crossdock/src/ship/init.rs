//! `init`: set crossdock up in another project. Writes a starter `targets.toml` (this
//! machine's target active, common ones commented out), the thin `xtask` crate, the
//! `cargo xtask` alias, `[profile.dist]`, and `.github/workflows/release.yml` rendered from
//! the templates in `crates/crossdock/templates/` with what targets.toml says (the matrix, the
//! universal binaries). `init --check` re-renders the workflow and fails while the file on
//! disk differs, so a CI job notices a targets.toml edit that the workflow lacks. Both leave
//! the workflow's marked region of the maintainers' own jobs as it is.
//!
//! Never overwrites a file without `force`; edits the user's `Cargo.toml` and
//! `.cargo/config.toml` with `toml_edit` (keeping their formatting and comments byte for
//! byte around the added lines) and re-parses the result to be sure the edit did what it
//! says. Renders and edits are pure functions.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::facts::toolchain::ToolchainSpec;
use crate::read::config::Config;
use crate::read::workspace::{Package, Workspace};
use crate::ship::github;
use crate::sys::process::Cmd;

pub const TARGETS_TEMPLATE: &str = include_str!("../../templates/targets.toml");
pub const XTASK_MANIFEST_TEMPLATE: &str = include_str!("../../templates/xtask/Cargo.toml.tmpl");
pub const XTASK_MAIN_TEMPLATE: &str = include_str!("../../templates/xtask/main.rs.tmpl");
pub const CARGO_CONFIG_TEMPLATE: &str = include_str!("../../templates/cargo-config.toml");
pub const WORKFLOW_TEMPLATE: &str = include_str!("../../templates/release.yml");
/// The workflow's `npm` job, rendered with `npm-publish = true`.
pub const NPM_JOB_TEMPLATE: &str = include_str!("../../templates/release-npm.yml");
pub const HOMEBREW_JOB_TEMPLATE: &str = include_str!("../../templates/release-homebrew.yml");
/// The workflow's `verify` job, rendered with `verify = true`.
pub const VERIFY_JOB_TEMPLATE: &str = include_str!("../../templates/release-verify.yml");

/// Where the rendered workflow goes, relative to the workspace root.
pub const WORKFLOW: &str = ".github/workflows/release.yml";
pub const XTASK_ALIAS: &str = "run --package xtask --quiet --";

/// Common triples offered, commented out, in a new targets.toml (see [`starter_keys`]).
const COMMON_TARGETS: &[&str] = &[
    "x86_64-unknown-linux-gnu",
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

/// The keys a common triple needs on a Debian/Ubuntu machine, one per line: aarch64's GNU
/// gcc, and its qemu-user runner as crossdock runs it (with the `-E LD_LIBRARY_PATH=…` that
/// `plan/runner.rs` adds, so the line also works as it is in a cargo config of the user's).
fn starter_keys(triple: &str) -> String {
    // Of the GNU cross gccs, the release matrix installs aarch64's (`ship/github.rs`).
    let triple = crate::model::triple::Triple::new(triple);
    let Some(gcc) = crate::model::cross::GnuGcc::for_target(&triple).filter(|g| g.cpu == "aarch64")
    else {
        return String::new();
    };
    let runner = crate::plan::runner::runner_for_cargo(&[
        "qemu-aarch64".to_string(),
        "-L".to_string(),
        format!("/usr/{}", gcc.prefix),
    ]);
    let quoted: Vec<String> = runner.iter().map(|a| toml_string(a)).collect();
    format!(
        "linker = {}\nrunner = [{}]\n",
        toml_string(&gcc.gcc()),
        quoted.join(", ")
    )
}

// ---------------------------------------------------------------------------------------
// Planning and writing (impure)

/// What init does to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// Written by init; an existing file is replaced only with `force`.
    Generated,
    /// The user's input (targets.toml): created when missing, never replaced.
    Input,
    /// The user's file, edited in place (Cargo.toml, .cargo/config.toml).
    Edited,
}

#[derive(Debug, Clone)]
pub struct File {
    /// Relative to the workspace root, with `/`.
    pub rel: String,
    pub path: PathBuf,
    pub kind: FileKind,
    pub old: Option<String>,
    /// `None`: leave the file as it is.
    pub new: Option<String>,
    /// What the edit does, for the report (`added "xtask" to [workspace] members`).
    pub what: Vec<String>,
}

impl File {
    pub fn changes(&self) -> bool {
        self.new.is_some() && self.new != self.old
    }
}

#[derive(Debug, Clone)]
pub struct InitOptions {
    pub manifest_path: Option<PathBuf>,
    /// A checkout of crossdock: its repository root or the crate directory.
    pub crossdock_path: Option<PathBuf>,
    /// A git repository holding crossdock, and the commit to use.
    pub crossdock_git: Option<String>,
    pub crossdock_rev: Option<String>,
    /// Where the matrix is (absolute; default `targets.toml` at the workspace root).
    pub config: Option<PathBuf>,
    pub cargo: String,
}

#[derive(Debug)]
pub struct InitPlan {
    pub root: PathBuf,
    /// What the xtask depends on.
    pub dependency: Dependency,
    /// What the user should know before relying on the result (a dependency the release
    /// workflow cannot build).
    pub warnings: Vec<String>,
    pub files: Vec<File>,
    /// Where the matrix is, relative to the root (`targets.toml` unless --config).
    pub config_rel: String,
}

/// The matrix's path and its name relative to the workspace root (the release workflow
/// passes that name to `--config`, so the file must be inside the workspace).
fn config_location(root: &Path, opts: &InitOptions) -> Result<(PathBuf, String)> {
    let Some(given) = &opts.config else {
        let rel = crate::read::config::FILE_NAME;
        return Ok((root.join(rel), rel.to_string()));
    };
    // Compare canonical directories (the root is canonical; /tmp may be a link).
    let path = match (given.parent(), given.file_name()) {
        (Some(dir), Some(name)) => dir
            .canonicalize()
            .map(|d| d.join(name))
            .unwrap_or_else(|_| given.clone()),
        _ => given.clone(),
    };
    match path.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => {
            let rel = rel.to_string_lossy().replace('\\', "/");
            Ok((path.clone(), rel))
        }
        _ => bail!(
            "--config {}: not inside the workspace {}; the release workflow reads the matrix from the checkout, so keep it there (e.g. --config crossdock.toml)",
            given.display(),
            root.display()
        ),
    }
}

fn read_optional(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// This machine's target triple, from `rustc -vV`.
pub fn host_triple(cargo: &str) -> Result<String> {
    let rustc = ToolchainSpec {
        cargo: cargo.to_string(),
        rustc: None,
    }
    .rustc_program();
    let out = Cmd::new(&rustc)
        .arg("-vV")
        .run_checked(Some(Duration::from_secs(60)))
        .with_context(|| format!("cannot run `{rustc} -vV` to learn this machine's target: install Rust (https://rustup.rs)"))?;
    crate::facts::toolchain::parse_host(&out.stdout)
        .with_context(|| format!("`{rustc} -vV` printed no `host:` line"))
}

fn load_workspace(opts: &InitOptions) -> Result<Workspace> {
    Workspace::load(&opts.cargo, opts.manifest_path.as_deref())
        .context("init sets crossdock up in a Cargo project: run it in one (or `cargo init` first), or pass --manifest-path")
}

/// napi-rs's default targets (`napi.targets` absent), as napi-rs 3 builds them.
const NAPI_DEFAULT_TARGETS: &[&str] = &[
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
    "x86_64-unknown-linux-gnu",
];

/// The matrix a napi-rs package asks for: the first shipped `cdylib` package whose folder
/// holds a package.json with a `napi` object; its `napi.targets` that Node has a platform
/// for (or napi-rs's defaults), `universal-apple-darwin` as the universal group.
fn node_matrix(ws: &Workspace, shipped: &[&Package]) -> Result<render::NodeMatrix> {
    for p in shipped {
        let cdylib = p.lib.as_ref().is_some_and(|l| {
            l.kinds
                .contains(&crate::model::artifact::ArtifactKind::Cdylib)
        });
        if !cdylib {
            continue;
        }
        let Some(napi) = crate::read::napi::read(&p.manifest_dir)? else {
            continue;
        };
        let listed: Vec<String> = if napi.targets.is_empty() {
            NAPI_DEFAULT_TARGETS.iter().map(|t| t.to_string()).collect()
        } else {
            napi.targets.clone()
        };
        let mut m = render::NodeMatrix {
            from: napi
                .path
                .strip_prefix(&ws.root)
                .unwrap_or(&napi.path)
                .to_string_lossy()
                .replace('\\', "/"),
            ..Default::default()
        };
        for t in listed {
            if t == "universal-apple-darwin" {
                m.universal = true;
            } else if crate::read::words::is_plain_word(&t, &[])
                && crate::model::node::NodePlatform::of(&crate::model::triple::Triple::new(&t))
                    .is_ok()
            {
                if !m.targets.contains(&t) {
                    m.targets.push(t);
                }
            } else {
                m.unsupported.push(t);
            }
        }
        if m.universal {
            for t in ["x86_64-apple-darwin", "aarch64-apple-darwin"] {
                if !m.targets.iter().any(|x| x == t) {
                    m.targets.push(t.to_string());
                }
            }
        }
        return Ok(m);
    }
    Ok(render::NodeMatrix::default())
}

/// A new targets.toml: this machine's target, the packages that ship (binaries and C
/// libraries, not the xtask), their C headers when a library has some in `include/`.
fn starter_targets(ws: &Workspace, opts: &InitOptions) -> Result<String> {
    let host = host_triple(&opts.cargo)?;
    let shipped: Vec<&Package> = ws
        .members
        .iter()
        .filter(|p| (!p.bins.is_empty() || p.lib.is_some()) && p.name != "xtask")
        .collect();
    let packages: Vec<String> = shipped.iter().map(|p| p.name.clone()).collect();
    let node = node_matrix(ws, &shipped)?;
    let rendered = render::render_matrix(&host, &packages, &node);
    let headers = shipped.iter().any(|p| {
        p.lib.is_some()
            && std::fs::read_dir(p.manifest_dir.join("include")).is_ok_and(|d| {
                d.flatten()
                    .any(|e| e.path().extension().is_some_and(|x| x == "h"))
            })
    });
    Ok(if headers {
        render::with_headers(&rendered)
    } else {
        rendered
    })
}

/// The cargo alias: .cargo/config.toml (or the legacy .cargo/config when only it exists).
fn alias_file(root: &Path) -> Result<File> {
    let file = |rel: &str| root.join(rel);
    let legacy = file(".cargo/config");
    let rel = if !file(".cargo/config.toml").exists() && legacy.is_file() {
        ".cargo/config"
    } else {
        ".cargo/config.toml"
    };
    let old = read_optional(&file(rel))?;
    let new = add_xtask_alias(&file(rel).display().to_string(), old.as_deref())?;
    Ok(File {
        rel: rel.to_string(),
        path: file(rel),
        kind: FileKind::Edited,
        what: if new.is_some() {
            vec!["added the `cargo xtask` alias".to_string()]
        } else {
            vec![]
        },
        old,
        new,
    })
}

/// `.gitignore` with the out dir and this machine's settings beside the matrix ignored.
fn ignore_file(root: &Path, config_rel: &str) -> Result<File> {
    let path = root.join(".gitignore");
    let old = read_optional(&path)?;
    let local = crate::read::local::path_for(Path::new(config_rel));
    let (new, added) = add_ignores(old.as_deref(), &local.to_string_lossy()).unzip();
    Ok(File {
        rel: ".gitignore".to_string(),
        path,
        kind: FileKind::Edited,
        what: added
            .map(|a| vec![format!("ignored {}", a.join(", "))])
            .unwrap_or_default(),
        old,
        new,
    })
}

/// Everything init would write, computed without writing.
pub fn plan(opts: &InitOptions) -> Result<InitPlan> {
    let ws = load_workspace(opts)?;
    let root = ws.root.clone();
    let file = |rel: &str| root.join(rel);

    if let Some(x) = ws.package("xtask") {
        if x.manifest_dir != root.join("xtask") {
            bail!(
                "the workspace already has a package named `xtask` at {}: add crossdock to it by hand \
                 (depend on crossdock with features = [\"cli\"] and call crossdock::cli::xtask_main(); see docs/library-api.md in crossdock's repository)",
                x.manifest_dir.display()
            );
        }
    }

    let mut files = Vec::new();

    // targets.toml (or --config): the input of everything else. Another tool's file of that
    // name is refused here (naming --config), before anything is written.
    let (targets_path, config_rel) = config_location(&root, opts)?;
    let targets_old = read_optional(&targets_path)?;
    let targets_new = match &targets_old {
        Some(_) => None,
        None => Some(starter_targets(&ws, opts)?),
    };
    let config_text = targets_new
        .clone()
        .or_else(|| targets_old.clone())
        .unwrap_or_default();
    let config = Config::parse(&targets_path, &config_text)?;
    files.push(File {
        rel: config_rel.clone(),
        path: targets_path,
        kind: FileKind::Input,
        old: targets_old,
        new: targets_new,
        what: vec![],
    });

    // The xtask crate, its dependency checked first (a wrong --crossdock-path fails here,
    // before anything is written).
    let xtask_old = read_optional(&file("xtask/Cargo.toml"))?;
    let (dep, warning) = dependency(opts, &root, xtask_old.as_deref())?;
    for (rel, old, text) in [
        ("xtask/Cargo.toml", xtask_old, render_xtask_manifest(&dep)),
        (
            "xtask/src/main.rs",
            read_optional(&file("xtask/src/main.rs"))?,
            render_xtask_main(),
        ),
    ] {
        files.push(File {
            rel: rel.to_string(),
            path: file(rel),
            kind: FileKind::Generated,
            old,
            new: Some(text),
            what: vec![],
        });
    }

    // The root manifest: the xtask member, the dist profile.
    let manifest_path = root.join("Cargo.toml");
    let manifest_old = read_optional(&manifest_path)?
        .with_context(|| format!("{} not found", manifest_path.display()))?;
    let shown = manifest_path.display().to_string();
    let mut manifest = manifest_old.clone();
    let mut what = Vec::new();
    if ws.package("xtask").is_none() {
        if let Some(m) = add_workspace_member(&shown, &manifest, "xtask")? {
            manifest = m;
            what.push("added \"xtask\" to [workspace] members".to_string());
        }
    }
    if let Some((text, crates)) = add_fast_dev_packages(&shown, &manifest)? {
        what.push(format!(
            "added opt-level = 3 in the dev profile for {} (the xtask's compressors and hashes)",
            crates.join(", ")
        ));
        manifest = text;
    }
    if let Some(profile) = add_dist_profile(&shown, &manifest)? {
        what.push(profile.what());
        manifest = profile.text;
    }
    // Several shipped packages: cargo-binstall cannot guess their tags and names.
    let shipped = crate::read::select::selected_packages(&config, &ws).unwrap_or_default();
    let mut package_files = Vec::new();
    if shipped.len() > 1 {
        let shared = shipped.windows(2).all(|w| w[0].version == w[1].version);
        for p in &shipped {
            let Some(table) = binstall::binstall_table(&config, shared) else {
                continue;
            };
            let path = p.manifest_dir.join("Cargo.toml");
            let note = format!("added [package.metadata.binstall] for {}", p.name);
            if path == manifest_path {
                if let Some(m) = add_binstall(&shown, &manifest, table)? {
                    manifest = m;
                    what.push(note);
                }
                continue;
            }
            let old = read_optional(&path)?;
            let new = match &old {
                Some(text) => add_binstall(&path.display().to_string(), text, table)?,
                None => None,
            };
            let rel = path
                .strip_prefix(&root)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_else(|_| path.display().to_string());
            package_files.push(File {
                rel,
                path,
                kind: FileKind::Edited,
                what: if new.is_some() { vec![note] } else { vec![] },
                old,
                new,
            });
        }
    }
    files.push(File {
        rel: "Cargo.toml".to_string(),
        path: manifest_path,
        kind: FileKind::Edited,
        new: (manifest != manifest_old).then_some(manifest),
        old: Some(manifest_old),
        what,
    });
    files.extend(package_files);

    files.push(alias_file(&root)?);
    files.push(ignore_file(&root, &config_rel)?);

    // The release workflow, keeping the maintainers' own jobs of the one on disk.
    let old = read_optional(&file(WORKFLOW))?;
    render::check_verify(&config)?;
    let mut new = render_workflow_for(&config, &config_rel);
    if let Some(old) = &old {
        new = keep_user_region(&new, old, &file(WORKFLOW).display().to_string())?;
    }
    files.push(File {
        rel: WORKFLOW.to_string(),
        path: file(WORKFLOW),
        kind: FileKind::Generated,
        old,
        new: Some(new),
        what: vec![],
    });

    Ok(InitPlan {
        root,
        dependency: dep,
        warnings: warning.into_iter().collect(),
        files,
        config_rel,
    })
}

/// The files `force` would be needed for: generated files that exist already.
pub fn conflicts(plan: &InitPlan) -> Vec<&File> {
    plan.files
        .iter()
        .filter(|f| f.kind == FileKind::Generated && f.old.is_some())
        .collect()
}

/// Writes the plan. Without `force`, refuses (writing nothing) when a generated file exists.
pub fn write(plan: &InitPlan, force: bool) -> Result<()> {
    let conflicting = conflicts(plan);
    if !force && !conflicting.is_empty() {
        let list: Vec<String> = conflicting
            .iter()
            .map(|f| format!("  {}", f.path.display()))
            .collect();
        bail!(
            "init did not write anything: {} already exist(s) and init never overwrites a file:\n{}\n\
             Rerun with `cargo crossdock init --force` to replace {} (targets.toml is kept), or \
             `cargo crossdock init --check` to see whether the workflow is up to date",
            if conflicting.len() == 1 { "this file" } else { "these files" },
            list.join("\n"),
            if conflicting.len() == 1 { "it" } else { "them" },
        );
    }
    for f in plan.files.iter().filter(|f| f.changes()) {
        write_atomically(&f.path, f.new.as_deref().unwrap_or_default())?;
    }
    Ok(())
}

/// Temp file in the same directory, then rename: never a half-written Cargo.toml. Keeps the
/// mode of the file it replaces (else 0644).
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let dir = path.parent().context("a file without a directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mode = crate::sys::fs::mode(path).unwrap_or(0o644);
    crate::sys::fs::write_atomic(path, mode, |f| {
        std::io::Write::write_all(f, text.as_bytes())?;
        Ok(())
    })
}

/// `init --check`: what is out of date or missing (empty when all is well). The workflow
/// must equal its rendering from targets.toml; the xtask and its alias must exist.
pub fn check(opts: &InitOptions) -> Result<Vec<String>> {
    let ws = load_workspace(opts)?;
    let root = &ws.root;
    let (targets, config_rel) = config_location(root, opts)?;
    let config_arg = if opts.config.is_some() {
        format!(" --config {config_rel}")
    } else {
        String::new()
    };
    if !targets.is_file() {
        return Ok(vec![format!(
            "{} is missing: run `cargo crossdock init{config_arg}` to write it (and the release workflow)",
            targets.display()
        )]);
    }
    let config = Config::load(&targets)?;
    let mut problems = Vec::new();
    let workflow = root.join(WORKFLOW);
    let on_disk = read_optional(&workflow)?;
    render::check_verify(&config)?;
    let mut rendered = render_workflow_for(&config, &config_rel);
    if let Some(old) = &on_disk {
        rendered = keep_user_region(&rendered, old, &workflow.display().to_string())?;
    }
    match on_disk {
        None => problems.push(format!(
            "{} is missing: run `cargo crossdock init` to write it",
            workflow.display()
        )),
        Some(on_disk) if on_disk != rendered => {
            let was = listed_targets(&on_disk);
            let now = listed_targets(&rendered);
            let mut what = Vec::new();
            let added: Vec<&str> = now
                .iter()
                .filter(|t| !was.contains(t))
                .map(|t| t.as_str())
                .collect();
            let removed: Vec<&str> = was
                .iter()
                .filter(|t| !now.contains(t))
                .map(|t| t.as_str())
                .collect();
            if !added.is_empty() {
                what.push(format!("{config_rel} adds {}", added.join(", ")));
            }
            if !removed.is_empty() {
                what.push(format!("{config_rel} no longer has {}", removed.join(", ")));
            }
            what.push(format!(
                "first difference at {}",
                first_difference(&rendered, &on_disk)
            ));
            problems.push(format!(
                "{} is out of date with {} ({}): regenerate it with `cargo crossdock init --force{config_arg}`",
                workflow.display(),
                targets.display(),
                what.join("; ")
            ))
        }
        Some(_) => {}
    }
    if ws.package("xtask").is_none() {
        problems.push(format!(
            "the workspace at {} has no `xtask` package, which the release workflow runs (`cargo xtask …`): run `cargo crossdock init`",
            root.display()
        ));
    }
    let has_alias = [".cargo/config.toml", ".cargo/config"].iter().any(|rel| {
        read_optional(&root.join(rel))
            .ok()
            .flatten()
            .is_some_and(|t| alias_of(&t).is_some())
    });
    if !has_alias {
        problems.push(format!(
            "{} has no `xtask` alias, which the release workflow runs: run `cargo crossdock init`",
            root.join(".cargo/config.toml").display()
        ));
    }
    Ok(problems)
}

mod binstall;
mod edit;
mod render;
mod source;
pub use edit::*;
pub use render::*;
pub use source::*;

#[cfg(test)]
mod tests;
