//! `init`: set crossdock up in another project. Writes a starter `targets.toml` (this
//! machine's target active, common ones commented out), the thin `xtask` crate, the
//! `cargo xtask` alias, `[profile.dist]`, and `.github/workflows/release.yml` rendered from
//! the templates in `packaging/templates/` with what targets.toml says (the matrix, the
//! universal binaries). `init --check` re-renders the workflow and fails while the file on
//! disk differs, so a CI job notices a targets.toml edit that the workflow lacks.
//!
//! Never overwrites a file without `force`; edits the user's `Cargo.toml` and
//! `.cargo/config.toml` as text (keeping their formatting and comments) and re-parses the
//! result to be sure the edit did what it says. Renders and edits are pure functions.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde::Deserialize;
use toml::Spanned;

use crate::config::Config;
use crate::github;
use crate::process::Cmd;
use crate::toolchain::ToolchainSpec;
use crate::workspace::Workspace;

pub const TARGETS_TEMPLATE: &str = include_str!("../templates/targets.toml");
pub const XTASK_MANIFEST_TEMPLATE: &str = include_str!("../templates/xtask/Cargo.toml.tmpl");
pub const XTASK_MAIN_TEMPLATE: &str = include_str!("../templates/xtask/main.rs.tmpl");
pub const CARGO_CONFIG_TEMPLATE: &str = include_str!("../templates/cargo-config.toml");
pub const WORKFLOW_TEMPLATE: &str = include_str!("../templates/release.yml");

/// Where the rendered workflow goes, relative to the workspace root.
pub const WORKFLOW: &str = ".github/workflows/release.yml";
pub const XTASK_ALIAS: &str = "run --package xtask --quiet --";

/// Common triples offered, commented out, in a new targets.toml, with the keys they need
/// on a Debian/Ubuntu machine.
const COMMON_TARGETS: &[(&str, &str)] = &[
    ("x86_64-unknown-linux-gnu", ""),
    ("x86_64-unknown-linux-musl", ""),
    (
        "aarch64-unknown-linux-gnu",
        "linker = \"aarch64-linux-gnu-gcc\"\nrunner = [\"qemu-aarch64\", \"-L\", \"/usr/aarch64-linux-gnu\"]\n",
    ),
    ("x86_64-apple-darwin", ""),
    ("aarch64-apple-darwin", ""),
    ("x86_64-pc-windows-msvc", ""),
];

// ---------------------------------------------------------------------------------------
// Rendering (pure)

/// Replaces every `@@KEY@@` of `template`.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in values {
        out = out.replace(&format!("@@{k}@@"), v);
    }
    debug_assert!(!out.contains("@@"), "unfilled placeholder in:\n{out}");
    out
}

/// A starter targets.toml: `host` active, the common triples commented out, `packages`
/// listed (so the xtask, which has a binary too, is not shipped).
pub fn render_targets(host: &str, packages: &[String]) -> String {
    let packages = if packages.is_empty() {
        "# packages = [\"my-app\"]          # default: every member with a binary target"
            .to_string()
    } else {
        let quoted: Vec<String> = packages.iter().map(|p| format!("\"{p}\"")).collect();
        format!("packages = [{}]", quoted.join(", "))
    };
    let mut others = String::new();
    for (triple, extra) in COMMON_TARGETS.iter().filter(|(t, _)| *t != host) {
        others.push_str(&format!("\n# [[target]]\n# triple = \"{triple}\"\n"));
        for line in extra.lines() {
            others.push_str(&format!("# {line}\n"));
        }
    }
    others.push_str(
        "\n# One macOS binary for both CPUs (needs both apple targets above):\n\
         # [[universal]]\n\
         # name = \"universal-apple-darwin\"\n\
         # targets = [\"x86_64-apple-darwin\", \"aarch64-apple-darwin\"]",
    );
    fill(
        TARGETS_TEMPLATE,
        &[
            ("PACKAGES", &packages),
            ("HOST", host),
            ("OTHER_TARGETS", others.trim_start_matches('\n')),
        ],
    )
}

/// How the xtask depends on crossdock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dependency {
    /// `version = "0.1"` (crates.io).
    Version(String),
    /// `path = "…"` (a checkout of crossdock).
    Path(PathBuf),
}

impl Dependency {
    /// The crates.io requirement matching this build: `0.1` for 0.1.x, `1` for 1.x.
    pub fn current() -> Dependency {
        let v = env!("CARGO_PKG_VERSION");
        let mut parts = v.split('.');
        let major = parts.next().unwrap_or("0");
        let minor = parts.next().unwrap_or("0");
        Dependency::Version(if major == "0" {
            format!("0.{minor}")
        } else {
            major.to_string()
        })
    }
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn render_xtask_manifest(dep: &Dependency) -> String {
    let source = match dep {
        Dependency::Version(v) => format!("version = {}", toml_string(v)),
        Dependency::Path(p) => format!("path = {}", toml_string(&p.to_string_lossy())),
    };
    fill(
        XTASK_MANIFEST_TEMPLATE,
        &[(
            "CROSSDOCK_DEPENDENCY",
            &format!("crossdock = {{ {source}, default-features = false, features = [\"cli\"] }}"),
        )],
    )
}

pub fn render_xtask_main() -> String {
    fill(XTASK_MAIN_TEMPLATE, &[])
}

/// The release workflow for `config`: the template with the matrix (targets, runners,
/// what each build job installs) and the universal binaries the merge job joins.
pub fn render_workflow(config: &Config) -> String {
    let m = github::matrix(config, &[]);
    // Fixed widths: adding a target adds a line and changes no other.
    let (width, runner_width) = (29, 14);
    let mut comment =
        String::from("# Targets (targets.toml; one build job each, from `cargo xtask matrix`):\n");
    if m.include.is_empty() {
        comment.push_str("#   none\n");
    }
    for e in &m.include {
        let mut extra = Vec::new();
        if e.builder != "cargo" {
            extra.push(format!("builder {}", e.builder));
        }
        if e.rustup_target {
            extra.push("rustup target add".to_string());
        }
        if e.build_std {
            extra.push("build-std".to_string());
        }
        if !e.apt.is_empty() {
            extra.push(format!("apt: {}", e.apt));
        }
        let line = format!(
            "#   {:width$}  {:runner_width$}  {:6}  {}",
            e.target,
            e.runner,
            e.archive,
            extra.join(", ")
        );
        comment.push_str(line.trim_end());
        comment.push('\n');
    }
    comment.push_str("# Universal binaries (joined by the merge job):");
    if config.universals.is_empty() {
        comment.push_str(" none");
    }
    for u in &config.universals {
        let members: Vec<&str> = u.targets.iter().map(|(t, _)| t.as_str()).collect();
        comment.push_str(&format!("\n#   {} = {}", u.name, members.join(" + ")));
    }
    let merge_step = if config.universals.is_empty() {
        "Merge into dist/ (SHA256SUMS, dist-manifest.json)".to_string()
    } else {
        let names: Vec<&str> = config.universals.iter().map(|u| u.name.as_str()).collect();
        format!(
            "Merge into dist/ (SHA256SUMS, dist-manifest.json, {})",
            names.join(", ")
        )
    };
    fill(
        WORKFLOW_TEMPLATE,
        &[("MATRIX_COMMENT", &comment), ("MERGE_STEP", &merge_step)],
    )
}

/// The targets a rendered workflow lists in its header comment.
pub fn listed_targets(workflow: &str) -> Vec<String> {
    workflow
        .lines()
        .skip_while(|l| !l.starts_with("# Targets"))
        .skip(1)
        .take_while(|l| l.starts_with("#   "))
        .filter_map(|l| l[4..].split_whitespace().next())
        .filter(|t| *t != "none")
        .map(str::to_string)
        .collect()
}

/// Where `rendered` first differs from `on_disk`: `line N: expected …, found …`.
pub fn first_difference(rendered: &str, on_disk: &str) -> String {
    let mut a = rendered.lines();
    let mut b = on_disk.lines();
    let mut n = 1;
    loop {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) if x == y => n += 1,
            (None, None) => return "line endings or trailing newline".to_string(),
            (x, y) => {
                return format!(
                    "line {n}: expected {:?}, found {:?}",
                    x.unwrap_or("<end of file>"),
                    y.unwrap_or("<end of file>")
                )
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Editing the user's TOML as text (pure)

#[derive(Deserialize)]
struct RootManifest {
    workspace: Option<WorkspaceTable>,
    profile: Option<toml::Table>,
}

#[derive(Deserialize)]
struct WorkspaceTable {
    members: Option<Spanned<Vec<Spanned<String>>>>,
}

fn parse_manifest(path: &str, text: &str) -> Result<RootManifest> {
    toml::from_str(text).with_context(|| format!("cannot parse {path}"))
}

fn member_covers(pattern: &str, member: &str) -> bool {
    let pattern = pattern.trim_end_matches('/');
    pattern == member
        || glob::Pattern::new(pattern)
            .map(|p| p.matches(member))
            .unwrap_or(false)
}

/// The line (without its newline) that `offset` is on, and where it starts.
fn line_at(text: &str, offset: usize) -> (usize, &str) {
    let start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let end = text[offset..]
        .find('\n')
        .map(|i| offset + i)
        .unwrap_or(text.len());
    (start, &text[start..end])
}

/// Adds `member` to `[workspace] members` of a root Cargo.toml, keeping the rest of the
/// text as it is. `None` when it is a member already. Handles a `members` array (on one
/// line or many), a `[workspace]` without `members`, and a single package without
/// `[workspace]`.
pub fn add_workspace_member(path: &str, text: &str, member: &str) -> Result<Option<String>> {
    let manual = || {
        format!("add \"{member}\" to the `members` of the [workspace] table in {path} by hand, then run init again")
    };
    let parsed = parse_manifest(path, text)?;
    let quoted = toml_string(member);
    let edited = match parsed.workspace.as_ref().map(|w| &w.members) {
        Some(Some(members)) => {
            if members
                .get_ref()
                .iter()
                .any(|m| member_covers(m.get_ref(), member))
            {
                return Ok(None);
            }
            let array = members.span();
            match members.get_ref().last() {
                None => {
                    let mut s = text.to_string();
                    s.replace_range(array, &format!("[{quoted}]"));
                    s
                }
                Some(last) => {
                    let mut end = last.span().end;
                    if text[..end].ends_with(['"', '\'']) || !text[end..].starts_with(['"', '\'']) {
                        // span already includes the closing quote
                    } else {
                        end += 1;
                    }
                    let array_text = &text[array.clone()];
                    let after = &text[end..array.end];
                    let comma = after.trim_start().starts_with(',');
                    let mut s = text.to_string();
                    if array_text.contains('\n') {
                        let (line_start, line) = line_at(text, last.span().start);
                        let indent: String =
                            line.chars().take_while(|c| c.is_whitespace()).collect();
                        let line_end = line_start + line.len();
                        if line_end >= array.end - 1 {
                            // `members = ["a", "b"` + newline-less `]` on the same line: one-line style.
                            s.insert_str(end, &format!(", {quoted}"));
                        } else {
                            s.insert_str(line_end, &format!("\n{indent}{quoted},"));
                            if !comma {
                                s.insert(end, ',');
                            }
                        }
                    } else if comma {
                        let c = end + after.find(',').unwrap_or(0) + 1;
                        s.insert_str(c, &format!(" {quoted}"));
                    } else {
                        s.insert_str(end, &format!(", {quoted}"));
                    }
                    s
                }
            }
        }
        Some(None) => {
            let mut offset = 0;
            let mut header_end = None;
            for line in text.split_inclusive('\n') {
                let t = line.trim();
                if t == "[workspace]"
                    || (t.starts_with("[workspace]") && t[11..].trim_start().starts_with('#'))
                {
                    header_end = Some(offset + line.len());
                    break;
                }
                offset += line.len();
            }
            let Some(at) = header_end else {
                bail!(
                    "{path} defines [workspace] in a form init does not edit: {}",
                    manual()
                );
            };
            let mut s = text.to_string();
            if !s[..at].ends_with('\n') {
                s.insert(at, '\n');
                s.insert_str(at + 1, &format!("members = [{quoted}]\n"));
            } else {
                s.insert_str(at, &format!("members = [{quoted}]\n"));
            }
            s
        }
        None => {
            let mut s = text.to_string();
            if !s.ends_with('\n') {
                s.push('\n');
            }
            s.push_str(&format!("\n[workspace]\nmembers = [{quoted}]\n"));
            s
        }
    };
    let check = parse_manifest(path, &edited)
        .ok()
        .and_then(|m| m.workspace?.members);
    if !check.is_some_and(|m| m.get_ref().iter().any(|x| x.get_ref() == member)) {
        bail!(
            "cannot add \"{member}\" to the workspace members of {path} safely: {}",
            manual()
        );
    }
    Ok(Some(edited))
}

/// Appends `[profile.dist]` (`inherits = "release"`) when the manifest has none.
pub fn add_dist_profile(path: &str, text: &str) -> Result<Option<String>> {
    let parsed = parse_manifest(path, text)?;
    if parsed
        .profile
        .as_ref()
        .is_some_and(|p| p.contains_key("dist"))
    {
        return Ok(None);
    }
    let mut s = text.to_string();
    if !s.ends_with('\n') {
        s.push('\n');
    }
    s.push_str(
        "\n# The profile crossdock builds releases with.\n[profile.dist]\ninherits = \"release\"\n",
    );
    let ok = parse_manifest(path, &s)
        .ok()
        .and_then(|m| m.profile)
        .is_some_and(|p| p.contains_key("dist"));
    if !ok {
        bail!("cannot add [profile.dist] to {path} safely: add `[profile.dist]` with `inherits = \"release\"` by hand");
    }
    Ok(Some(s))
}

/// `.gitignore` with crossdock's default out dir ignored (else `release` would find the
/// archives of the last `cargo xtask dist` and refuse an unclean tree). `None` when it is
/// ignored already.
pub fn add_dist_ignore(existing: Option<&str>) -> Option<String> {
    let text = existing.unwrap_or("");
    let ignored = text.lines().any(|l| {
        matches!(
            l.trim(),
            "dist" | "/dist" | "dist/" | "/dist/" | "dist/*" | "/dist/*"
        )
    });
    if ignored {
        return None;
    }
    let mut s = text.to_string();
    if !s.is_empty() && !s.ends_with('\n') {
        s.push('\n');
    }
    s.push_str("# crossdock's output (`cargo xtask dist`)\n/dist\n");
    Some(s)
}

fn alias_of(text: &str) -> Option<String> {
    let t: toml::Table = text.parse().ok()?;
    let v = t.get("alias")?.as_table()?.get("xtask")?;
    Some(match v {
        toml::Value::String(s) => s.clone(),
        // `xtask = ["run", "--package", "xtask", "--"]`
        toml::Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().unwrap_or("?"))
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    })
}

/// The cargo config with the `xtask` alias: the template for a new file, else the existing
/// text with the alias added. `None` when an `xtask` alias exists (whatever it runs).
pub fn add_xtask_alias(path: &str, existing: Option<&str>) -> Result<Option<String>> {
    let Some(text) = existing else {
        return Ok(Some(CARGO_CONFIG_TEMPLATE.to_string()));
    };
    text.parse::<toml::Table>()
        .with_context(|| format!("cannot parse {path}"))?;
    if alias_of(text).is_some() {
        return Ok(None);
    }
    let line = format!("xtask = {}\n", toml_string(XTASK_ALIAS));
    let mut offset = 0;
    let mut header_end = None;
    for l in text.split_inclusive('\n') {
        let t = l.trim();
        if t == "[alias]" || (t.starts_with("[alias]") && t[7..].trim_start().starts_with('#')) {
            header_end = Some(offset + l.len());
            break;
        }
        offset += l.len();
    }
    let mut s = text.to_string();
    match header_end {
        Some(at) if s[..at].ends_with('\n') => s.insert_str(at, &line),
        _ => {
            if !s.is_empty() && !s.ends_with('\n') {
                s.push('\n');
            }
            if !s.is_empty() {
                s.push('\n');
            }
            s.push_str("[alias]\n");
            s.push_str(&line);
        }
    }
    if alias_of(&s).as_deref() != Some(XTASK_ALIAS) {
        bail!("cannot add the xtask alias to {path} safely: add `xtask = \"{XTASK_ALIAS}\"` under [alias] by hand");
    }
    Ok(Some(s))
}

// ---------------------------------------------------------------------------------------
// Planning and writing (impure)

/// What init does to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
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
    pub kind: Kind,
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
pub struct Options {
    pub manifest_path: Option<PathBuf>,
    pub crossdock_path: Option<PathBuf>,
    pub cargo: String,
}

#[derive(Debug)]
pub struct Plan {
    pub root: PathBuf,
    pub files: Vec<File>,
    /// targets.toml as it will be (the one on disk, or the new one).
    pub config: Config,
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
    out.stdout
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(|h| h.trim().to_string())
        .with_context(|| format!("`{rustc} -vV` printed no `host:` line"))
}

fn load_workspace(opts: &Options) -> Result<Workspace> {
    Workspace::load(&opts.cargo, opts.manifest_path.as_deref())
        .context("init sets crossdock up in a Cargo project: run it in one (or `cargo init` first), or pass --manifest-path")
}

/// Everything init would write, computed without writing.
pub fn plan(opts: &Options) -> Result<Plan> {
    let ws = load_workspace(opts)?;
    let root = ws.root.clone();
    let file = |rel: &str| root.join(rel);

    if let Some(x) = ws.package("xtask") {
        if x.manifest_dir != root.join("xtask") {
            bail!(
                "the workspace already has a package named `xtask` at {}: add crossdock to it by hand \
                 (depend on crossdock with features = [\"cli\"] and call crossdock::cli::xtask_main(); see crossdock's README)",
                x.manifest_dir.display()
            );
        }
    }

    let mut files = Vec::new();

    // targets.toml: the input of everything else.
    let targets_path = file(crate::config::FILE_NAME);
    let targets_old = read_optional(&targets_path)?;
    let targets_new = match &targets_old {
        Some(_) => None,
        None => {
            let host = host_triple(&opts.cargo)?;
            let packages: Vec<String> = ws
                .members
                .iter()
                .filter(|p| !p.bins.is_empty() && p.name != "xtask")
                .map(|p| p.name.clone())
                .collect();
            Some(render_targets(&host, &packages))
        }
    };
    let config_text = targets_new
        .clone()
        .or_else(|| targets_old.clone())
        .unwrap_or_default();
    let config = Config::parse(&targets_path, &config_text)?;
    files.push(File {
        rel: crate::config::FILE_NAME.to_string(),
        path: targets_path,
        kind: Kind::Input,
        old: targets_old,
        new: targets_new,
        what: vec![],
    });

    // The xtask crate.
    let dep = match &opts.crossdock_path {
        Some(p) => {
            let p = crate::facts::absolute(p)?;
            if !p.join("Cargo.toml").is_file() {
                bail!(
                    "--crossdock-path {}: no Cargo.toml there; pass the directory of the crossdock crate (crates/crossdock in its repository)",
                    p.display()
                );
            }
            Dependency::Path(p.canonicalize().unwrap_or(p))
        }
        None => Dependency::current(),
    };
    for (rel, text) in [
        ("xtask/Cargo.toml", render_xtask_manifest(&dep)),
        ("xtask/src/main.rs", render_xtask_main()),
    ] {
        files.push(File {
            rel: rel.to_string(),
            path: file(rel),
            kind: Kind::Generated,
            old: read_optional(&file(rel))?,
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
    if let Some(m) = add_dist_profile(&shown, &manifest)? {
        manifest = m;
        what.push("added [profile.dist]".to_string());
    }
    files.push(File {
        rel: "Cargo.toml".to_string(),
        path: manifest_path,
        kind: Kind::Edited,
        new: (manifest != manifest_old).then_some(manifest),
        old: Some(manifest_old),
        what,
    });

    // The cargo alias: .cargo/config.toml (or the legacy .cargo/config when only it exists).
    let legacy = file(".cargo/config");
    let rel = if !file(".cargo/config.toml").exists() && legacy.is_file() {
        ".cargo/config"
    } else {
        ".cargo/config.toml"
    };
    let old = read_optional(&file(rel))?;
    let new = add_xtask_alias(&file(rel).display().to_string(), old.as_deref())?;
    files.push(File {
        rel: rel.to_string(),
        path: file(rel),
        kind: Kind::Edited,
        what: if new.is_some() {
            vec!["added the `cargo xtask` alias".to_string()]
        } else {
            vec![]
        },
        old,
        new,
    });

    // The out dir, ignored by git.
    let old = read_optional(&file(".gitignore"))?;
    let new = add_dist_ignore(old.as_deref());
    files.push(File {
        rel: ".gitignore".to_string(),
        path: file(".gitignore"),
        kind: Kind::Edited,
        what: if new.is_some() {
            vec!["ignored /dist".to_string()]
        } else {
            vec![]
        },
        old,
        new,
    });

    // The release workflow.
    files.push(File {
        rel: WORKFLOW.to_string(),
        path: file(WORKFLOW),
        kind: Kind::Generated,
        old: read_optional(&file(WORKFLOW))?,
        new: Some(render_workflow(&config)),
        what: vec![],
    });

    Ok(Plan {
        root,
        files,
        config,
    })
}

/// The files `force` would be needed for: generated files that exist already.
pub fn conflicts(plan: &Plan) -> Vec<&File> {
    plan.files
        .iter()
        .filter(|f| f.kind == Kind::Generated && f.old.is_some())
        .collect()
}

/// Writes the plan. Without `force`, refuses (writing nothing) when a generated file exists.
pub fn write(plan: &Plan, force: bool) -> Result<()> {
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
    use std::os::unix::fs::PermissionsExt;
    let dir = path.parent().context("a file without a directory")?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mode = std::fs::metadata(path)
        .map(|m| m.permissions().mode() & 0o7777)
        .unwrap_or(0o644);
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    std::io::Write::write_all(&mut tmp, text.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("cannot set the mode of {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// `init --check`: what is out of date or missing (empty when all is well). The workflow
/// must equal its rendering from targets.toml; the xtask and its alias must exist.
pub fn check(opts: &Options) -> Result<Vec<String>> {
    let ws = load_workspace(opts)?;
    let root = &ws.root;
    let targets = root.join(crate::config::FILE_NAME);
    if !targets.is_file() {
        return Ok(vec![format!(
            "{} is missing: run `cargo crossdock init` to write it (and the release workflow)",
            targets.display()
        )]);
    }
    let config = Config::load(&targets)?;
    let mut problems = Vec::new();
    let workflow = root.join(WORKFLOW);
    let rendered = render_workflow(&config);
    match read_optional(&workflow)? {
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
                what.push(format!("targets.toml adds {}", added.join(", ")));
            }
            if !removed.is_empty() {
                what.push(format!("targets.toml no longer has {}", removed.join(", ")));
            }
            what.push(format!(
                "first difference at {}",
                first_difference(&rendered, &on_disk)
            ));
            problems.push(format!(
                "{} is out of date with {} ({}): regenerate it with `cargo crossdock init --force`",
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

#[cfg(test)]
mod tests;
