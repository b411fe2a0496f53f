//! Where the xtask gets crossdock from, and whether cargo can resolve it: `--crossdock-path`
//! (a checkout: the repository root or the crate directory), `--crossdock-git URL [--rev R]`,
//! or crates.io. After writing, [`resolve`] runs `cargo metadata` on the project, which also
//! brings its `Cargo.lock` up to date (the lock `dist --locked` needs), and [`lock_change`]
//! says what that changed.

use std::collections::BTreeSet;

use super::*;

/// The crate directory of crossdock given `--crossdock-path P`: `P` itself when its
/// Cargo.toml is the `crossdock` package, else the workspace member named `crossdock`
/// when `P` is a workspace root (crossdock's repository root: `crates/crossdock`).
pub fn crossdock_crate_dir(given: &Path) -> Result<PathBuf> {
    let shown = given.display();
    let dir = crate::facts::absolute(given)?;
    if !dir.exists() {
        bail!("--crossdock-path {shown}: no such directory; pass a checkout of crossdock (its repository root or crates/crossdock in it)");
    }
    if !dir.is_dir() {
        bail!("--crossdock-path {shown}: not a directory; pass a checkout of crossdock (its repository root or crates/crossdock in it)");
    }
    let dir = dir.canonicalize().unwrap_or(dir);
    let manifest = dir.join("Cargo.toml");
    let Some(text) = read_optional(&manifest)? else {
        bail!("--crossdock-path {shown}: no Cargo.toml there, so no crossdock package; pass a checkout of crossdock (its repository root or crates/crossdock in it)");
    };
    let table: toml::Table = text.parse().with_context(|| {
        format!(
            "--crossdock-path {shown}: cannot parse {}",
            manifest.display()
        )
    })?;
    let name = |t: &toml::Table| {
        t.get("package")
            .and_then(|p| p.get("name"))
            .and_then(|n| n.as_str())
            .map(str::to_string)
    };
    if name(&table).as_deref() == Some("crossdock") {
        return Ok(dir);
    }
    // A workspace root: the member named crossdock.
    let members: Vec<String> = table
        .get("workspace")
        .and_then(|w| w.get("members"))
        .and_then(|m| m.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut candidates: Vec<PathBuf> = vec![dir.join("crates/crossdock")];
    for m in &members {
        let pattern = dir.join(m).to_string_lossy().into_owned();
        match glob::glob(&pattern) {
            Ok(paths) => candidates.extend(paths.flatten()),
            Err(_) => candidates.push(dir.join(m)),
        }
    }
    for c in &candidates {
        if let Ok(Some(t)) = read_optional(&c.join("Cargo.toml")) {
            if t.parse::<toml::Table>()
                .ok()
                .and_then(|t| name(&t))
                .as_deref()
                == Some("crossdock")
            {
                return Ok(c.canonicalize().unwrap_or_else(|_| c.clone()));
            }
        }
    }
    match name(&table) {
        Some(other) => bail!(
            "--crossdock-path {shown}: {} is the package `{other}`, not crossdock; pass a checkout of crossdock (its repository root or crates/crossdock in it)",
            manifest.display()
        ),
        None => bail!(
            "--crossdock-path {shown}: the workspace there has no crossdock package{}; pass a checkout of crossdock (its repository root or crates/crossdock in it)",
            if members.is_empty() {
                String::new()
            } else {
                format!(" (members: {})", members.join(", "))
            }
        ),
    }
}

/// The `crossdock` dependency of an xtask manifest (`xtask/Cargo.toml` as init wrote it,
/// maybe edited since), as its TOML value on one line; `None` when it has none.
pub fn existing_dependency(xtask_manifest: &str) -> Option<String> {
    let doc: toml_edit::DocumentMut = xtask_manifest.parse().ok()?;
    let item = doc.get("dependencies")?.get("crossdock")?.clone();
    let mut value = item.into_value().ok()?;
    value.decor_mut().clear();
    if let Some(t) = value.as_inline_table_mut() {
        t.fmt();
    }
    Some(value.to_string().trim().to_string())
}

/// The repository `root` (the workspace root) is in: the nearest directory holding `.git`
/// (a directory, or a file in a submodule or worktree), else `root` itself.
pub fn repository_root(root: &Path) -> PathBuf {
    root.ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(root)
        .to_path_buf()
}

/// `to` relative to the directory `from` (both absolute), with `/`: `../vendor/crossdock`.
pub fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); from.len() - common];
    parts.extend(
        to[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        parts.push(".".to_string());
    }
    PathBuf::from(parts.join("/"))
}

/// The path dependency on the crossdock crate at `dir` (canonical) for the xtask of the
/// workspace at `root`: relative to `xtask/` when `dir` is inside the repository (the
/// release workflow's checkout has it there too), else absolute, with the warning that the
/// workflow cannot build it.
pub fn path_dependency(root: &Path, dir: &Path) -> (Dependency, Option<String>) {
    let repo = repository_root(root);
    let repo = repo.canonicalize().unwrap_or(repo);
    if dir.starts_with(&repo) {
        let xtask = root
            .canonicalize()
            .unwrap_or(root.to_path_buf())
            .join("xtask");
        return (Dependency::Path(relative_path(&xtask, dir)), None);
    }
    let warning = format!(
        "--crossdock-path {}: outside the repository {}, so xtask/Cargo.toml depends on it by \
         its absolute path, which the release workflow's checkout does not have (its jobs fail \
         at `cargo xtask`); put crossdock inside the repository (e.g. a git submodule) and run \
         `cargo crossdock init --force --crossdock-path` with that path, or use \
         `--crossdock-git URL --rev R`",
        dir.display(),
        repo.display()
    );
    (Dependency::Path(dir.to_path_buf()), Some(warning))
}

/// The dependency the options ask for, for the workspace at `root`, and a warning about it.
/// Without a source flag, the one the xtask has (`existing`: its manifest) is kept, so
/// `init --force` never turns a path or git dependency back into crates.io's.
pub fn dependency(
    opts: &InitOptions,
    root: &Path,
    existing: Option<&str>,
) -> Result<(Dependency, Option<String>)> {
    if let Some(p) = &opts.crossdock_path {
        if opts.crossdock_git.is_none() {
            return Ok(path_dependency(root, &crossdock_crate_dir(p)?));
        }
    }
    let dep = source_dependency(opts, existing)?;
    Ok((dep, None))
}

fn source_dependency(opts: &InitOptions, existing: Option<&str>) -> Result<Dependency> {
    if opts.crossdock_path.is_none() && opts.crossdock_git.is_none() {
        if let Some(kept) = existing.and_then(existing_dependency) {
            if opts.crossdock_rev.is_some() {
                bail!("--rev needs --crossdock-git URL");
            }
            return Ok(Dependency::Kept(kept));
        }
    }
    match (&opts.crossdock_path, &opts.crossdock_git) {
        (Some(_), Some(_)) => bail!("--crossdock-path and --crossdock-git exclude each other"),
        (Some(p), None) => Ok(Dependency::Path(crossdock_crate_dir(p)?)),
        (None, Some(url)) => Ok(Dependency::Git {
            url: url.clone(),
            rev: opts.crossdock_rev.clone(),
        }),
        (None, None) => {
            if opts.crossdock_rev.is_some() {
                bail!("--rev needs --crossdock-git URL");
            }
            Ok(Dependency::current())
        }
    }
}

/// How long `cargo metadata` may take (it may fetch the registry index or a git repository).
pub const RESOLVE_TIMEOUT: Duration = Duration::from_secs(300);

/// Runs `cargo metadata` on the project (not `--locked`: it adds the xtask's dependencies
/// to Cargo.lock and changes no other entry). `Err` carries cargo's own words.
pub fn resolve(cargo: &str, root: &Path) -> Result<()> {
    let cmd = Cmd::new(cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .cwd(root);
    let out = cmd.output(Some(RESOLVE_TIMEOUT))?;
    if !out.success() {
        // From cargo's first `error:` on (its progress lines say nothing here).
        let lines: Vec<&str> = out
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        let first = lines
            .iter()
            .position(|l| l.starts_with("error"))
            .unwrap_or(0);
        let words = &lines[first..];
        bail!("{}", words.join("\n"));
    }
    Ok(())
}

/// The `name version` pairs of a Cargo.lock.
fn locked_packages(lock: &str) -> BTreeSet<(String, String)> {
    let Ok(t) = lock.parse::<toml::Table>() else {
        return BTreeSet::new();
    };
    t.get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .filter_map(|p| {
            Some((
                p.get("name")?.as_str()?.to_string(),
                p.get("version")?.as_str()?.to_string(),
            ))
        })
        .collect()
}

/// How one Cargo.lock differs from another, by package name: versions that came, went, or
/// were replaced (`bumpalo 3.19.0 → 3.20.4`: one version of a name gone, another come).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct LockDiff {
    pub added: Vec<(String, String)>,
    pub removed: Vec<(String, String)>,
    /// (name, old version, new version).
    pub changed: Vec<(String, String, String)>,
}

pub fn lock_diff(old: Option<&str>, new: &str) -> LockDiff {
    let before = old.map(locked_packages).unwrap_or_default();
    let after = locked_packages(new);
    let mut d = LockDiff::default();
    let names: BTreeSet<&String> = before.iter().chain(&after).map(|(n, _)| n).collect();
    for name in names {
        let versions = |set: &BTreeSet<(String, String)>, other: &BTreeSet<(String, String)>| {
            let mut v: Vec<String> = set
                .iter()
                .filter(|(n, v)| n == name && !other.contains(&(n.clone(), v.clone())))
                .map(|(_, v)| v.clone())
                .collect();
            v.sort_by(|a, b| version_order(a, b));
            v
        };
        let gone = versions(&before, &after);
        let came = versions(&after, &before);
        let pairs = gone.len().min(came.len());
        for (o, n) in gone.iter().zip(&came) {
            d.changed.push((name.clone(), o.clone(), n.clone()));
        }
        d.removed
            .extend(gone[pairs..].iter().map(|v| (name.clone(), v.clone())));
        d.added
            .extend(came[pairs..].iter().map(|v| (name.clone(), v.clone())));
    }
    d
}

fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    use cargo_metadata::semver::Version;
    match (Version::parse(a), Version::parse(b)) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// What changed in Cargo.lock, for init's report: `None` when nothing did.
pub fn lock_change(old: Option<&str>, new: Option<&str>) -> Option<String> {
    let new = new?;
    if old == Some(new) {
        return None;
    }
    let d = lock_diff(old, new);
    let list = |mut v: Vec<String>| {
        v.dedup();
        let n = v.len();
        if n > 4 {
            format!("{} and {} more", v[..3].join(", "), n - 3)
        } else {
            v.join(", ")
        }
    };
    let mut what = Vec::new();
    if !d.added.is_empty() {
        // The xtask and crossdock first: they are what the reader looks for.
        let mut added = d.added;
        added.sort_by_key(|(n, _)| (n != "xtask", n != "crossdock", n.clone()));
        what.push(format!(
            "added {}",
            list(added.into_iter().map(|(n, _)| n).collect())
        ));
    }
    let (up, down): (Vec<_>, Vec<_>) = d
        .changed
        .iter()
        .partition(|(_, o, n)| version_order(o, n).is_lt());
    for (word, set) in [("upgraded", up), ("downgraded", down)] {
        if !set.is_empty() {
            let shown = set
                .iter()
                .map(|(n, o, v)| format!("{n} {o} → {v}"))
                .collect();
            what.push(format!("{word} {}", list(shown)));
        }
    }
    if !d.removed.is_empty() {
        what.push(format!(
            "removed {}",
            list(d.removed.into_iter().map(|(n, _)| n).collect())
        ));
    }
    if what.is_empty() {
        what.push("sources or checksums".to_string());
    }
    Some(what.join("; "))
}

/// After [`resolve`]: every package of the project's own lock (`old`) that cargo moved to
/// another version is asked back to it (`cargo update -p NAME@NEW --precise OLD`), so the
/// xtask changes nothing in the user's graph it does not need; cargo refuses where a new
/// dependency requires the newer version, and that change stays. Returns the packages kept
/// at their versions.
pub fn keep_locked_versions(cargo: &str, root: &Path, old: &str) -> Result<Vec<String>> {
    let lock = root.join("Cargo.lock");
    let now = std::fs::read_to_string(&lock)
        .with_context(|| format!("cannot read {}", lock.display()))?;
    let mut kept = Vec::new();
    for (name, was, is) in lock_diff(Some(old), &now).changed {
        let back = Cmd::new(cargo)
            .args(["update", "--quiet", "--manifest-path"])
            .arg(root.join("Cargo.toml"))
            .args(["-p", &format!("{name}@{is}"), "--precise", &was])
            .cwd(root)
            .output(Some(RESOLVE_TIMEOUT))?;
        if back.success() {
            kept.push(format!("{name} {was}"));
        }
    }
    Ok(kept)
}

/// The error init ends with when the xtask it wrote does not resolve: cargo's words, the
/// files it wrote (kept), and the ready alternatives.
pub fn unresolved_message(dep: &Dependency, cargo_said: &str, written: &[String]) -> String {
    let what = match dep {
        Dependency::Version(v) => format!("crossdock {v} from crates.io"),
        Dependency::Path(p) => format!("crossdock at {}", p.display()),
        Dependency::Git { url, rev: Some(r) } => format!("crossdock from {url} at rev {r}"),
        Dependency::Git { url, rev: None } => format!("crossdock from {url}"),
        Dependency::Kept(value) => format!("crossdock = {value} (kept from xtask/Cargo.toml)"),
    };
    let cargo_said: Vec<String> = cargo_said.lines().map(|l| format!("    {l}")).collect();
    let kept = if written.is_empty() {
        "init changed no file".to_string()
    } else {
        format!(
            "init wrote {} and keeps {}",
            written.join(", "),
            if written.len() == 1 { "it" } else { "them" }
        )
    };
    format!(
        "the xtask does not resolve: cargo cannot get {what}; `cargo metadata` said:\n{}\n\
         {kept}; `cargo xtask dist` fails until one of these is done:\n  \
         - depend on a checkout of crossdock: `cargo crossdock init --force --crossdock-path DIR` \
         (DIR: its repository root or crates/crossdock in it)\n  \
         - depend on its git repository: `cargo crossdock init --force --crossdock-git URL [--rev R]`\n  \
         - use no xtask: the standalone `cargo crossdock dist` needs none (remove xtask/ and \
         \"xtask\" from [workspace] members in Cargo.toml first: the workspace does not resolve \
         while it is a member)",
        cargo_said.join("\n")
    )
}
