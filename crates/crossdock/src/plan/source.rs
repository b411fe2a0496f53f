//! `source-archive = true`: the release also holds `NAME-VERSION-src.tar.gz`, the tracked
//! files of the commit it is built from, so that a user can rebuild from the very source a
//! release came from without trusting a forge's on-the-fly `git archive`. The plan names
//! it (after the first package that ships, as the workspace's release is named) and
//! refuses it outside a git checkout; the executor asks git for the files.

use serde::Serialize;

use super::PlanError;
use crate::read::config::Config;
use crate::read::workspace::Package;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct SourceArchive {
    /// `{top_dir}.tar.gz`
    pub file_name: String,
    /// `{name}-{version}-src`: the single top folder inside the archive.
    pub top_dir: String,
    pub package: String,
    pub version: String,
    /// The commit whose tracked files it holds.
    pub commit: String,
}

/// The source archive `config` asks for, named after the first of the packages that ship
/// (`[dist] packages` in order, else the workspace's shipped packages); an error when there
/// is no commit to take the files from.
pub fn source_archive(
    config: &Config,
    shipped: &[&Package],
    commit: Option<&str>,
    root: &std::path::Path,
) -> Result<Option<SourceArchive>, PlanError> {
    if !config.source_archive {
        return Ok(None);
    }
    let Some(commit) = commit else {
        return Err(PlanError::SourceArchiveWithoutGit {
            config: config.path.clone(),
            workspace: root.to_path_buf(),
        });
    };
    let Some(p) = shipped.first() else {
        return Ok(None);
    };
    let top_dir = format!("{}-{}-src", p.name, p.version);
    Ok(Some(SourceArchive {
        file_name: format!("{top_dir}.tar.gz"),
        top_dir,
        package: p.name.clone(),
        version: p.version.to_string(),
        commit: commit.to_string(),
    }))
}
