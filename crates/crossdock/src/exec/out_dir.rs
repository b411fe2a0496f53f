//! The out dir's rules, one set for `dist` and `merge` (issue 20 §2, §3, §5):
//! - it is a folder of its own: never the workspace root, a folder that contains the
//!   workspace or the current directory (`--out-dir ..`, `--out-dir .`), a package, or a
//!   package's sources; such a run stops before it builds or writes anything;
//! - a file the run would write there is replaced only when it is crossdock's by the record
//!   kept outside the out dir ([`Record`]), else the run stops before any work, naming the
//!   files and the fix (`--force`).

use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Result};

use crate::package::ownership::Record;

/// The user's sources an out dir must stay out of.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// The workspace root, when the run knows its workspace (`merge` may not).
    pub workspace_root: Option<PathBuf>,
    /// Each package's name and its directory (where its `Cargo.toml` is).
    pub packages: Vec<(String, PathBuf)>,
    /// Where crossdock was started.
    pub current_dir: Option<PathBuf>,
}

/// Refuses an out dir where crossdock's outputs would mix with the user's sources.
pub fn check_place(out_dir: &Path, sources: &Sources) -> Result<()> {
    let out = normalize(out_dir);
    let fix = "choose a dedicated folder with --out-dir (the default is <workspace root>/dist)";
    if let Some(root) = &sources.workspace_root {
        let root = normalize(root);
        if out == root {
            bail!("the out dir {} is the workspace root: {fix}", out.display());
        }
        if root.starts_with(&out) {
            bail!(
                "the out dir {} contains the workspace {}: {fix}",
                out.display(),
                root.display()
            );
        }
    }
    if let Some(cwd) = &sources.current_dir {
        if normalize(cwd).starts_with(&out) {
            bail!(
                "the out dir {} contains the current directory {}: {fix}",
                out.display(),
                cwd.display()
            );
        }
    }
    if out.join("Cargo.toml").exists() {
        bail!(
            "the out dir {} holds a Cargo.toml (it is a package or workspace): {fix}",
            out.display()
        );
    }
    for (name, dir) in &sources.packages {
        let dir = normalize(dir);
        if out == dir || out.starts_with(dir.join("src")) {
            bail!(
                "the out dir {} is inside the sources of package `{name}`: {fix}",
                out.display()
            );
        }
    }
    Ok(())
}

/// Stops before any work when a file this run would write (`names`) exists in the out dir
/// and is not provably crossdock's (`force`: overwrite them anyway).
pub fn check_overwrites(
    out_dir: &Path,
    names: &[String],
    record: &Record,
    force: bool,
) -> Result<()> {
    if force {
        return Ok(());
    }
    let mut foreign: Vec<&String> = names
        .iter()
        .filter(|n| std::fs::symlink_metadata(out_dir.join(n)).is_ok() && !record.owned(out_dir, n))
        .collect();
    foreign.sort();
    foreign.dedup();
    if !foreign.is_empty() {
        let list: Vec<String> = foreign.iter().map(|n| format!("  {n}")).collect();
        bail!(
            "{} file(s) in {} that this run would write were not written by crossdock (or were changed since):\n{}\nmove them away, choose another --out-dir, or pass --force to overwrite them",
            foreign.len(),
            out_dir.display(),
            list.join("\n")
        );
    }
    Ok(())
}

/// Every name a run writes into the out dir, from the files it writes itself (archives, npm
/// tarballs): each with its `.sha256`, then the installers' files, `SHA256SUMS` and the
/// manifest. `dist` lists its files from the plan, `merge` from its steps.
pub fn names_written(
    files: impl IntoIterator<Item = String>,
    installers: &[crate::plan::InstallerRelease],
) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for f in files {
        names.push(format!("{f}.sha256"));
        names.push(f);
    }
    names.extend(
        installers
            .iter()
            .flat_map(|r| r.files.iter().map(|f| f.file_name.clone())),
    );
    names.push(crate::package::checksum::SUMS_FILE.to_string());
    names.push(crate::package::manifest::FILE_NAME.to_string());
    names
}

/// `a/./b/../c` → `a/c`, without touching the file system.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources() -> Sources {
        Sources {
            workspace_root: Some("/w".into()),
            packages: vec![("app".into(), "/w/app".into())],
            current_dir: Some("/w".into()),
        }
    }

    #[test]
    fn the_workspace_its_parents_packages_and_sources_are_refused() {
        for (out, says) in [
            ("/w", "is the workspace root"),
            ("/w/./x/..", "is the workspace root"),
            ("/", "contains the workspace"),
            ("/w/..", "contains the workspace"),
            ("/w/app", "inside the sources of package `app`"),
            ("/w/app/src/out", "inside the sources of package `app`"),
        ] {
            let e = check_place(Path::new(out), &sources())
                .unwrap_err()
                .to_string();
            assert!(e.contains(says) && e.contains("--out-dir"), "{out}: {e}");
        }
        check_place(Path::new("/w/dist"), &sources()).unwrap();
        check_place(Path::new("/w/app/dist"), &sources()).unwrap();
        check_place(Path::new("/elsewhere/dist"), &sources()).unwrap();
    }

    #[test]
    fn without_a_workspace_the_current_directory_is_refused() {
        let s = Sources {
            current_dir: Some("/home/me/project".into()),
            ..Sources::default()
        };
        for out in ["/home/me/project", "/home/me"] {
            let e = check_place(Path::new(out), &s).unwrap_err().to_string();
            assert!(e.contains("contains the current directory"), "{out}: {e}");
        }
        check_place(Path::new("/home/me/project/dist"), &s).unwrap();
    }
}
