//! `release`: cut a tagged release. Checks that the git tree is clean, that the tag names the
//! version in Cargo.toml (`v{version}` for one package or a shared workspace version,
//! `{package}-v{version}` otherwise), that Cargo.lock agrees, and that CHANGELOG.md has a
//! section for the version; then creates an annotated tag whose message carries that
//! section (the release notes) and, when asked, pushes it.
//!
//! The changelog parser, the tag naming and the version checks are pure functions (unit
//! tested below); git runs through [`crate::sys::process::Cmd`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::read::config::{self, Config};
use crate::read::workspace::Workspace;
use crate::sys::process::Cmd;

/// The changelog read by default: in the released package's directory, else at the
/// workspace root.
pub const CHANGELOG: &str = "CHANGELOG.md";

// ---------------------------------------------------------------------------------------
// Tags and versions (pure); the changelog parser is in release/changelog.rs

/// A workspace member as release sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    pub version: String,
    /// Where its version is set, for messages: its Cargo.toml, or the root Cargo.toml's
    /// `[workspace.package]` for `version.workspace = true`.
    pub version_at: String,
    pub dir: PathBuf,
}

/// What one tag releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// The packages released under the tag (several for a shared workspace version).
    pub packages: Vec<String>,
    pub version: String,
    pub tag: String,
    /// `Some(name)` for a `{name}-v{version}` tag.
    pub package_tag: Option<String>,
}

impl Subject {
    /// `tiny 0.2.0`, `alpha, beta 0.3.1`.
    pub fn title(&self) -> String {
        format!("{} {}", self.packages.join(", "), self.version)
    }
}

/// `v1.2.3`, or `{package}-v1.2.3` for one package of a workspace without a shared version.
pub use crate::read::select::tag_name;

/// A release tag taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedTag {
    pub package: Option<String>,
    pub version: String,
}

/// Parses `v{version}` or `{package}-v{version}` (the package must be one of `names`; the
/// longest matching name wins, so `my-v-app-v1.0.0` works).
pub fn parse_tag(tag: &str, names: &[&str]) -> Result<ParsedTag> {
    let expected =
        "expected v{VERSION} (one package or a shared workspace version) or {PACKAGE}-v{VERSION}";
    let (package, version) = if let Some(v) = tag
        .strip_prefix('v')
        .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()))
    {
        (None, v)
    } else {
        let mut sorted = names.to_vec();
        sorted.sort_by_key(|n| std::cmp::Reverse(n.len()));
        let found = sorted.iter().find_map(|n| {
            tag.strip_prefix(n)
                .and_then(|r| r.strip_prefix("-v"))
                .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()))
                .map(|v| (Some(n.to_string()), v))
        });
        match found {
            Some(f) => f,
            None => {
                if let Some(i) = tag
                    .find("-v")
                    .filter(|i| tag[i + 2..].starts_with(|c: char| c.is_ascii_digit()))
                {
                    let name = &tag[..i];
                    let hint = crate::read::words::nearest(name, names)
                        .map(|n| format!(" Did you mean `{n}`?"))
                        .unwrap_or_default();
                    bail!(
                        "tag `{tag}` names package `{name}`, which is not a member of the workspace (members: {}).{hint}",
                        names.join(", ")
                    );
                }
                bail!("`{tag}` is not a release tag: {expected}");
            }
        }
    };
    if let Err(e) = cargo_metadata::semver::Version::parse(version) {
        bail!("`{version}` in tag `{tag}` is not a semantic version ({e}): {expected}");
    }
    Ok(ParsedTag {
        package,
        version: version.to_string(),
    })
}

fn list(members: &[&Member]) -> String {
    members
        .iter()
        .map(|m| format!("{} {}", m.name, m.version))
        .collect::<Vec<_>>()
        .join(", ")
}

fn find_member<'m>(members: &'m [Member], name: &str) -> Result<&'m Member> {
    members.iter().find(|m| m.name == name).ok_or_else(|| {
        let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
        let hint = crate::read::words::nearest(name, &names)
            .map(|n| format!(" Did you mean `{n}`?"))
            .unwrap_or_default();
        anyhow::anyhow!(
            "package `{name}` is not a member of the workspace (members: {}).{hint}",
            names.join(", ")
        )
    })
}

/// Which tag releases what. `candidates` are the packages a plain `v{version}` tag stands
/// for (the shipped ones); `members` every workspace member; `package` the `--package` flag.
/// All candidates sharing one version (or `package` having theirs) gives `v{version}`;
/// `package` with a version of its own gives `{package}-v{version}`.
pub fn resolve(
    candidates: &[Member],
    members: &[Member],
    package: Option<&str>,
) -> Result<Subject> {
    if let Some(name) = package {
        let m = find_member(members, name)?;
        let shared = candidates.iter().all(|c| c.version == m.version);
        return Ok(if shared {
            let mut packages: Vec<String> = candidates.iter().map(|c| c.name.clone()).collect();
            if !packages.contains(&m.name) {
                packages = vec![m.name.clone()];
            }
            Subject {
                packages,
                version: m.version.clone(),
                tag: tag_name(None, &m.version),
                package_tag: None,
            }
        } else {
            Subject {
                packages: vec![m.name.clone()],
                version: m.version.clone(),
                tag: tag_name(Some(&m.name), &m.version),
                package_tag: Some(m.name.clone()),
            }
        });
    }
    let Some(first) = candidates.first() else {
        bail!("the workspace has no package to release");
    };
    if candidates.iter().any(|c| c.version != first.version) {
        let refs: Vec<&Member> = candidates.iter().collect();
        bail!(
            "the packages to release have different versions ({}), so there is no single `v{{version}}` tag: \
             pass --package NAME to release one of them (tagged NAME-v{{version}}), or give them one version \
             (`[workspace.package] version` with `version.workspace = true`)",
            list(&refs)
        );
    }
    Ok(Subject {
        packages: candidates.iter().map(|c| c.name.clone()).collect(),
        version: first.version.clone(),
        tag: tag_name(None, &first.version),
        package_tag: None,
    })
}

/// Checks that `tag` names the version in Cargo.toml; returns what it releases.
pub fn check_tag(tag: &str, candidates: &[Member], members: &[Member]) -> Result<Subject> {
    let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
    let parsed = parse_tag(tag, &names)?;
    let fix = |expected: &str, manifests: String| {
        format!(
            "Fix: set the version to {} in {manifests} and commit, then tag again; or, if the \
             tag is the mistake, delete it (`git tag -d {tag}`, and `git push --delete origin {tag}` \
             if it was pushed) and tag {expected}",
            parsed.version
        )
    };
    match &parsed.package {
        None => {
            let subject = resolve(candidates, members, None)
                .with_context(|| format!("tag `{tag}` names a shared version"))?;
            if subject.version != parsed.version {
                let mut manifests: Vec<String> =
                    candidates.iter().map(|c| c.version_at.clone()).collect();
                manifests.dedup();
                bail!(
                    "tag `{tag}` does not match the version in Cargo.toml: {} is {} (expected tag `{}`).\n{}",
                    subject.packages.join(", "),
                    subject.version,
                    subject.tag,
                    fix(&subject.tag, manifests.join(", "))
                );
            }
            Ok(subject)
        }
        Some(name) => {
            let m = find_member(members, name)?;
            if m.version != parsed.version {
                let expected = tag_name(Some(name), &m.version);
                bail!(
                    "tag `{tag}` does not match the version in Cargo.toml: {name} is {} (expected tag `{expected}`).\n{}",
                    m.version,
                    fix(&expected, m.version_at.clone())
                );
            }
            Ok(Subject {
                packages: vec![name.clone()],
                version: m.version.clone(),
                tag: tag.to_string(),
                package_tag: Some(name.clone()),
            })
        }
    }
}

/// The version Cargo.lock records for the workspace package `name` (the entry without a
/// `source`), if the lock file lists it.
pub fn lockfile_version(lock: &str, name: &str) -> Option<String> {
    let table: toml::Table = lock.parse().ok()?;
    table
        .get("package")?
        .as_array()?
        .iter()
        .filter_map(|p| p.as_table())
        .find(|p| p.get("name").and_then(|n| n.as_str()) == Some(name) && p.get("source").is_none())
        .and_then(|p| p.get("version")?.as_str().map(str::to_string))
}

// ---------------------------------------------------------------------------------------
// The workspace and git (impure)

/// `version.workspace = true` in a package manifest.
fn inherits_version(manifest: &Path) -> bool {
    std::fs::read_to_string(manifest)
        .ok()
        .and_then(|t| t.parse::<toml::Table>().ok())
        .and_then(|t| {
            t.get("package")?
                .get("version")?
                .get("workspace")?
                .as_bool()
        })
        .unwrap_or(false)
}

/// The workspace members and the packages a plain `v{version}` tag stands for: targets.toml's
/// `[dist] packages` when it lists them, else the members with a binary target (not `xtask`),
/// else every member.
pub fn members(ws: &Workspace) -> Result<(Vec<Member>, Vec<Member>)> {
    let all: Vec<Member> = ws
        .members
        .iter()
        .map(|p| {
            let manifest = p.manifest_dir.join("Cargo.toml");
            Member {
                name: p.name.clone(),
                version: p.version.clone(),
                version_at: if inherits_version(&manifest) {
                    format!(
                        "{} ([workspace.package] version)",
                        ws.root.join("Cargo.toml").display()
                    )
                } else {
                    manifest.display().to_string()
                },
                dir: p.manifest_dir.clone(),
            }
        })
        .collect();
    let config_path = ws.root.join(config::FILE_NAME);
    let listed: Option<Vec<String>> = if config_path.exists() {
        match Config::load(&config_path) {
            Ok(config) => config
                .packages
                .map(|p| p.into_iter().map(|(name, _)| name).collect()),
            // Another tool's targets.toml (crossdock's matrix is elsewhere, --config): it
            // lists no package of ours.
            Err(e) if e.downcast_ref::<config::ForeignConfig>().is_some() => None,
            Err(e) => return Err(e.context("release reads the shipped packages from targets.toml")),
        }
    } else {
        None
    };
    let candidates: Vec<Member> = match listed {
        Some(names) => {
            let mut out = Vec::new();
            for n in names {
                out.push(
                    find_member(&all, &n)
                        .with_context(|| format!("{}: `[dist] packages`", config_path.display()))?
                        .clone(),
                );
            }
            out
        }
        None => {
            // The rule `dist` ships by; a workspace with no such package (a library) can
            // still be released.
            let shipped = crate::read::select::default_packages(ws);
            let with_bins: Vec<Member> = all
                .iter()
                .filter(|m| shipped.iter().any(|p| p.name == m.name))
                .cloned()
                .collect();
            if with_bins.is_empty() {
                all.clone()
            } else {
                with_bins
            }
        }
    };
    Ok((candidates, all))
}

/// The changelog of a subject: `explicit`, else CHANGELOG.md in the package's directory
/// (for a package tag, or when one package is released), else at the workspace root.
pub fn changelog_path(
    root: &Path,
    members: &[Member],
    subject: &Subject,
    explicit: Option<&Path>,
) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    let package_dir = match subject.packages.as_slice() {
        [one] => members
            .iter()
            .find(|m| &m.name == one)
            .map(|m| m.dir.join(CHANGELOG)),
        _ => None,
    };
    let at_root = root.join(CHANGELOG);
    let order = if subject.package_tag.is_some() {
        [package_dir.clone(), Some(at_root.clone())]
    } else {
        [Some(at_root.clone()), package_dir]
    };
    order
        .into_iter()
        .flatten()
        .find(|p| p.is_file())
        .unwrap_or(at_root)
}

/// Reads the release notes for `version` from `path`, failing with what to add.
pub fn read_notes(path: &Path, version: &str) -> Result<String> {
    let version = strip_v(version);
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "{} not found: the release notes come from its section for {version}.\n\
             Create it with a heading `## [{version}] - YYYY-MM-DD` followed by what changed \
             (or pass --changelog PATH)",
            path.display()
        ),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    match section(&text, version) {
        Some(notes) if !notes.trim().is_empty() => Ok(notes),
        Some(_) => bail!(
            "{}: the section for {version} is empty; write what changed under its heading (it becomes the release notes)",
            path.display()
        ),
        None => {
            let found: Vec<String> = headings(&text).into_iter().map(|h| h.version).collect();
            let hint = if found.iter().any(|v| v.eq_ignore_ascii_case("unreleased")) {
                format!(" (or rename `## [Unreleased]` to `## [{version}] - YYYY-MM-DD`)")
            } else {
                String::new()
            };
            bail!(
                "{} has no section for {version} (it has: {}): add a heading `## [{version}] - YYYY-MM-DD` \
                 with the release notes{hint}, and commit it",
                path.display(),
                if found.is_empty() {
                    "no version headings".to_string()
                } else {
                    found.join(", ")
                }
            )
        }
    }
}

fn git(root: &Path) -> Cmd {
    Cmd::new("git").cwd(root).env("GIT_TERMINAL_PROMPT", "0")
}

const GIT_TIMEOUT: Option<Duration> = Some(Duration::from_secs(120));
const NETWORK_TIMEOUT: Option<Duration> = Some(Duration::from_secs(300));

/// The uncommitted changes (`git status --porcelain` lines) by the rule `dist` follows
/// too ([`crate::facts::uncommitted`]): untracked files count, but not this machine's
/// `targets.local.toml`, the default out dir or the target dir.
pub fn uncommitted(ws: &crate::read::workspace::Workspace) -> Result<Vec<String>> {
    let own = crate::facts::never_committed(
        &ws.root.join(config::FILE_NAME),
        &ws.root.join("dist"),
        &ws.target_dir,
    );
    crate::facts::uncommitted(&ws.root, &own)
        .context("release needs a git repository: `git init` and commit first")
}

/// The commit a local tag points to, if the tag exists.
pub fn local_tag(root: &Path, tag: &str) -> Result<Option<String>> {
    let out = git(root)
        .args([
            "rev-parse",
            "-q",
            "--verify",
            &format!("refs/tags/{tag}^{{commit}}"),
        ])
        .output(GIT_TIMEOUT)?;
    Ok(out
        .success()
        .then(|| out.stdout.trim().chars().take(12).collect()))
}

/// What `release` will do, after every check passed.
#[derive(Debug, Clone)]
pub struct Release {
    pub subject: Subject,
    pub root: PathBuf,
    pub changelog: PathBuf,
    pub notes: String,
    /// HEAD, abbreviated, and its subject line.
    pub head: String,
    pub head_summary: String,
    /// `Some(remote)` with `--push`.
    pub push: Option<String>,
}

impl Release {
    /// The annotated tag's message: a title line, a blank line, the notes.
    pub fn message(&self) -> String {
        format!("{}\n\n{}\n", self.subject.title(), self.notes)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ReleaseOptions {
    pub manifest_path: Option<PathBuf>,
    pub package: Option<String>,
    /// The tag the maintainer expects; refused unless it names the version in Cargo.toml.
    pub tag: Option<String>,
    pub changelog: Option<PathBuf>,
    /// `Some(remote)`: push the tag there.
    pub push: Option<String>,
    pub cargo: String,
}

/// Runs every check and returns what would be tagged. Creates nothing.
pub fn prepare(opts: &ReleaseOptions) -> Result<Release> {
    let ws = Workspace::load(&opts.cargo, opts.manifest_path.as_deref())?;
    let root = ws.root.clone();
    let (candidates, all) = members(&ws)?;
    let subject = match &opts.tag {
        Some(tag) => {
            let s = check_tag(tag, &candidates, &all)?;
            if let Some(p) = &opts.package {
                if s.package_tag.as_deref().is_some_and(|t| t != p) || !s.packages.contains(p) {
                    bail!(
                        "--tag `{tag}` does not release package `{p}` (it releases {})",
                        s.packages.join(", ")
                    );
                }
            }
            s
        }
        None => resolve(&candidates, &all, opts.package.as_deref())?,
    };

    // The tree: a git work tree, clean, with a commit to tag.
    let dirty = uncommitted(&ws)?;
    if !dirty.is_empty() {
        const SHOWN: usize = 10;
        let mut shown: Vec<String> = dirty.iter().take(SHOWN).map(|l| format!("  {l}")).collect();
        if dirty.len() > SHOWN {
            shown.push(format!("  … and {} more", dirty.len() - SHOWN));
        }
        bail!(
            "the git tree at {} is not clean ({} uncommitted change(s)), so the tag would not name what you built:\n{}\n\
             Commit them, stash them (`git stash -u`), or add generated files to .gitignore; then run release again",
            root.display(),
            dirty.len(),
            shown.join("\n")
        );
    }
    let head = git(&root)
        .args(["rev-parse", "-q", "--verify", "HEAD^{commit}"])
        .output(GIT_TIMEOUT)?;
    if !head.success() {
        bail!(
            "the git repository at {} has no commit yet: commit the release first",
            root.display()
        );
    }
    let head = head.stdout.trim().chars().take(12).collect::<String>();
    let head_summary = git(&root)
        .args(["log", "-1", "--format=%s", "HEAD"])
        .read()?;

    // The version: Cargo.lock must agree with Cargo.toml, or `--locked` builds fail.
    let lock_path = root.join("Cargo.lock");
    if let Ok(lock) = std::fs::read_to_string(&lock_path) {
        for name in &subject.packages {
            if let Some(locked) = lockfile_version(&lock, name) {
                if locked != subject.version {
                    bail!(
                        "{} records {name} {locked} but Cargo.toml says {}: run `cargo update --workspace --offline` \
                         (or any cargo build) and commit Cargo.lock",
                        lock_path.display(),
                        subject.version
                    );
                }
            }
        }
    }

    if let Some(at) = local_tag(&root, &subject.tag)? {
        bail!(
            "tag `{}` already exists (on commit {at}): {} was already released. Bump `version` in Cargo.toml \
             for a new release, or delete the tag with `git tag -d {}` if it was a mistake",
            subject.tag,
            subject.title(),
            subject.tag
        );
    }

    let changelog = changelog_path(&root, &all, &subject, opts.changelog.as_deref());
    let notes = read_notes(&changelog, &subject.version)?;

    if let Some(remote) = &opts.push {
        git(&root)
            .args(["remote", "get-url", remote])
            .run_checked(GIT_TIMEOUT)
            .with_context(|| {
                format!("--push: git has no remote `{remote}`; add it (`git remote add {remote} URL`) or pass --remote NAME")
            })?;
        let on_remote = git(&root)
            .args([
                "ls-remote",
                "--tags",
                remote,
                &format!("refs/tags/{}", subject.tag),
            ])
            .run_checked(NETWORK_TIMEOUT)
            .with_context(|| format!("cannot list the tags of remote `{remote}`"))?;
        if !on_remote.stdout.trim().is_empty() {
            bail!(
                "tag `{}` already exists on remote `{remote}`: {} was already released there; bump `version` in Cargo.toml",
                subject.tag,
                subject.title()
            );
        }
    }

    Ok(Release {
        subject,
        root,
        changelog,
        notes,
        head,
        head_summary,
        push: opts.push.clone(),
    })
}

/// Creates the annotated tag on HEAD.
pub fn create_tag(r: &Release) -> Result<()> {
    let mut file = tempfile::NamedTempFile::new()
        .context("cannot create a temporary file for the tag message")?;
    std::io::Write::write_all(&mut file, r.message().as_bytes())
        .context("cannot write the tag message")?;
    git(&r.root)
        .args(["tag", "--annotate", "--cleanup=whitespace", "--file"])
        .arg(file.path())
        .arg(&r.subject.tag)
        .arg("HEAD")
        .run_checked(GIT_TIMEOUT)
        .with_context(|| {
            format!(
                "cannot create tag `{}` (git needs a tagger identity: `git config user.name …` and `git config user.email …`)",
                r.subject.tag
            )
        })?;
    Ok(())
}

/// Pushes the tag (only the tag) to the remote.
pub fn push_tag(r: &Release) -> Result<()> {
    let Some(remote) = &r.push else {
        return Ok(());
    };
    let refspec = format!("refs/tags/{0}:refs/tags/{0}", r.subject.tag);
    git(&r.root)
        .args(["push", remote, &refspec])
        .run_checked(NETWORK_TIMEOUT)
        .with_context(|| {
            format!(
                "tag `{0}` was created locally but pushing it to `{remote}` failed; retry with `git push {remote} {0}`",
                r.subject.tag
            )
        })?;
    Ok(())
}

/// `release notes VERSION`: the section of the changelog. VERSION may be `1.2.3`, `v1.2.3`
/// or a package tag `{package}-v1.2.3`. Without `changelog`, the workspace locates it.
pub fn notes(
    cargo: &str,
    manifest_path: Option<&Path>,
    version: &str,
    changelog: Option<&Path>,
) -> Result<(PathBuf, String)> {
    let plain = strip_v(version);
    if let Some(path) = changelog {
        if !plain.starts_with(|c: char| c.is_ascii_digit()) {
            // A package tag with an explicit file: only the version part matters.
            let (_, v) = plain
                .rsplit_once("-v")
                .with_context(|| format!("`{version}` is neither a version nor a release tag"))?;
            return Ok((path.to_path_buf(), read_notes(path, v)?));
        }
        return Ok((path.to_path_buf(), read_notes(path, plain)?));
    }
    let ws = Workspace::load(cargo, manifest_path)?;
    let (candidates, all) = members(&ws)?;
    let names: Vec<&str> = all.iter().map(|m| m.name.as_str()).collect();
    let subject = if plain.starts_with(|c: char| c.is_ascii_digit()) {
        Subject {
            packages: candidates.iter().map(|c| c.name.clone()).collect(),
            version: plain.to_string(),
            tag: tag_name(None, plain),
            package_tag: None,
        }
    } else {
        let parsed = parse_tag(version, &names)?;
        Subject {
            packages: parsed.package.iter().cloned().collect(),
            version: parsed.version.clone(),
            tag: version.to_string(),
            package_tag: parsed.package,
        }
    };
    let path = changelog_path(&ws.root, &all, &subject, None);
    let text = read_notes(&path, &subject.version)?;
    Ok((path, text))
}

mod changelog;
pub use changelog::*;

#[cfg(test)]
mod tests;
