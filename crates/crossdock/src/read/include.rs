//! Resolves `[dist] include` globs into the files that go into every archive of a package.
//! A pattern is tried relative to the package first, then to the workspace root. Nothing
//! outside the workspace is ever packed: absolute patterns, `..`, and symlinks that lead
//! out are refused, and archive entry names are always relative and normalized.

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
            // The base is a path, not a pattern: a checkout in `we[ird]/` must still match.
            let full = Path::new(&glob::Pattern::escape(&base.to_string_lossy())).join(pattern);
            let entries = glob::glob(&full.to_string_lossy())
                .map_err(|e| config.error(*span, format!("key `include`: `{pattern}`: {e}")))?;
            for entry in entries {
                let path = entry.with_context(|| format!("include `{pattern}`"))?;
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
