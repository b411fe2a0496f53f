//! Resolves `[dist] include` globs into the files that go into every archive of a package.
//! A pattern is tried relative to the package first, then to the workspace root. Nothing
//! outside the workspace is ever packed: absolute patterns, `..`, and symlinks that lead
//! out are refused, and archive entry names are always relative and normalized. A file
//! whose name is not UTF-8 fails the run, named (the glob crate would skip it silently, and
//! archive entry names, zip and `dist-manifest.json` all need UTF-8).

use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::read::config::{Config, Span};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct IncludeFile {
    pub source: PathBuf,
    /// Path inside the archive's top folder, with `/` separators.
    pub dest: String,
}

/// Checks a pattern without touching the file system.
pub fn check_pattern(config: &Config, pattern: &str, span: Span) -> Result<()> {
    let p = Path::new(pattern);
    if p.is_absolute()
        || p.components()
            .any(|c| matches!(c, Component::ParentDir | Component::Prefix(_)))
    {
        return Err(config.error(
            span,
            format!("key `include`: pattern `{pattern}` reaches outside the workspace; patterns are relative to the package or the workspace root and may not use `..` or absolute paths"),
        ));
    }
    glob::Pattern::new(pattern).map_err(|e| {
        config.error(
            span,
            format!("key `include`: `{pattern}` is not a valid glob: {e}"),
        )
    })?;
    Ok(())
}

/// Files matching `patterns` for a package, and the patterns that matched nothing. Files
/// under `exclude` (the out dir and the target dir: crossdock's own outputs) never match,
/// else every run would pack the previous one's archives.
pub fn resolve(
    config: &Config,
    workspace_root: &Path,
    package_dir: &Path,
    patterns: &[(String, Span)],
    exclude: &[PathBuf],
) -> Result<(Vec<IncludeFile>, Vec<String>)> {
    let exclude: Vec<PathBuf> = exclude
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    let root = workspace_root
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", workspace_root.display()))?;
    let mut files: Vec<IncludeFile> = Vec::new();
    let mut unmatched = Vec::new();
    for (pattern, span) in patterns {
        check_pattern(config, pattern, *span)?;
        let mut found = false;
        for base in [package_dir, workspace_root] {
            for path in matching(base, pattern)
                .map_err(|e| config.error(*span, format!("key `include`: `{pattern}`: {e}")))?
            {
                let meta = std::fs::metadata(&path).with_context(|| {
                    format!("include `{pattern}`: cannot read {}", path.display())
                })?;
                if !meta.is_file() {
                    continue;
                }
                let real = path.canonicalize()?;
                if exclude.iter().any(|x| real.starts_with(x)) {
                    continue;
                }
                if !real.starts_with(&root) {
                    bail!(
                        "include `{pattern}` matched {}, a symlink to {} outside the workspace {}; crossdock never packs files from outside the workspace: copy the file in or narrow the pattern",
                        path.display(),
                        real.display(),
                        root.display()
                    );
                }
                let rel = path.strip_prefix(base).unwrap_or(&path);
                let dest = normalize(rel);
                if !files.iter().any(|f| f.dest == dest) {
                    files.push(IncludeFile {
                        source: path.clone(),
                        dest,
                    });
                }
                found = true;
            }
            if found {
                break;
            }
        }
        if !found {
            unmatched.push(pattern.clone());
        }
    }
    files.sort();
    Ok((files, unmatched))
}

fn normalize(rel: &Path) -> String {
    rel.components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The paths under `base` that `pattern` (relative, `/`-separated, `**` for any depth)
/// matches, walked here rather than by `glob::glob`: the base is a path, never a pattern
/// (a checkout in `we[ird]/` or a non-UTF-8 one still matches), and a name that is not
/// UTF-8 but matches once read lossily is an error naming it, not a silent skip.
fn matching(base: &Path, pattern: &str) -> Result<Vec<PathBuf>> {
    let parts: Vec<&str> = pattern
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let mut out = Vec::new();
    walk(base, base, &parts, &mut out)?;
    Ok(out)
}

fn walk(base: &Path, dir: &Path, parts: &[&str], out: &mut Vec<PathBuf>) -> Result<()> {
    let Some((part, rest)) = parts.split_first() else {
        out.push(dir.to_path_buf());
        return Ok(());
    };
    if !part.contains(['*', '?', '[']) {
        let next = dir.join(part);
        if next.symlink_metadata().is_ok() {
            walk(base, &next, rest, out)?;
        }
        return Ok(());
    }
    if !dir.is_dir() {
        return Ok(());
    }
    let mut children: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .with_context(|| format!("cannot list {}", dir.display()))?;
    children.sort();
    let not_utf8 = |path: &Path| {
        anyhow::anyhow!(
            "matches {:?}, whose name is not UTF-8; archive entry names and dist-manifest.json hold UTF-8 only: rename the file or narrow the pattern",
            path.strip_prefix(base).unwrap_or(path)
        )
    };
    if *part == "**" {
        walk(base, dir, rest, out)?; // zero directories
        for child in children {
            if rest.is_empty() && child.is_file() {
                if child.file_name().and_then(|n| n.to_str()).is_none() {
                    return Err(not_utf8(&child));
                }
                out.push(child);
            } else if child.is_dir() && !child.is_symlink() {
                if child.file_name().and_then(|n| n.to_str()).is_none() {
                    return Err(not_utf8(&child));
                }
                walk(base, &child, parts, out)?;
            }
        }
        return Ok(());
    }
    let glob = glob::Pattern::new(part)?;
    for child in children {
        let name = child.file_name().unwrap_or_default();
        match name.to_str() {
            Some(name) if glob.matches(name) => walk(base, &child, rest, out)?,
            Some(_) => {}
            None if glob.matches(&name.to_string_lossy()) => return Err(not_utf8(&child)),
            None => {}
        }
    }
    Ok(())
}

/// Unix only: Windows names are UTF-16, and this one could not be created there.
#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_name_that_is_not_utf8_fails_the_run_named_never_dropped() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("we[ird]");
        std::fs::create_dir_all(root.join("docs/deep")).unwrap();
        std::fs::write(root.join("targets.toml"), "").unwrap();
        std::fs::write(root.join("README.md"), "r").unwrap();
        std::fs::write(root.join("docs/deep/a.md"), "a").unwrap();
        let toml = "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n";
        let config = Config::parse(&root.join("targets.toml"), toml).unwrap();
        let span = Span::default();
        let resolve = |pats: &[&str]| {
            let pats: Vec<(String, Span)> = pats.iter().map(|p| (p.to_string(), span)).collect();
            resolve(&config, &root, &root, &pats, &[])
        };
        let (files, unmatched) = resolve(&["README*", "docs/**/*.md", "nothing*"]).unwrap();
        let dests: Vec<&str> = files.iter().map(|f| f.dest.as_str()).collect();
        assert_eq!(dests, ["README.md", "docs/deep/a.md"]);
        assert_eq!(unmatched, ["nothing*"]);
        // Issue 12, item 11: glob skipped this file silently; now the run fails naming it.
        let odd = std::ffi::OsStr::from_bytes(b"docs/deep/caf\xe9.md");
        std::fs::write(root.join(odd), "c").unwrap();
        for pattern in ["docs/deep/*.md", "docs/**/*.md", "docs/**"] {
            let e = format!("{:#}", resolve(&[pattern]).unwrap_err());
            assert!(
                e.contains(r#"matches "docs/deep/caf\xE9.md", whose name is not UTF-8"#),
                "{pattern}: {e}"
            );
        }
        // A pattern that would not match the name lossily still does not see it.
        let (files, _) = resolve(&["docs/deep/a*"]).unwrap();
        assert_eq!(files.len(), 1);
    }
}
