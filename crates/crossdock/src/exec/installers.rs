//! Writes the installers at the end of a run (`dist` and `merge` alike, through
//! `dist::finish`): each covers every archive of its package that the out dir holds then,
//! so a run that builds part of the matrix, or `merge`, gives installers for exactly the
//! archives that ship next to them.

use std::path::Path;

use anyhow::{Context, Result};

use crate::package::archive::{self, MODE_EXECUTABLE, MODE_FILE};
use crate::package::installer::{self, Release};
use crate::package::manifest::{ArtifactEntry, ArtifactKind};
use crate::plan::InstallerRelease;
use crate::read::config::Installer;
use crate::sys::{fs::write_atomic, shell};

fn kind(i: Installer) -> Option<ArtifactKind> {
    match i {
        Installer::Shell => Some(ArtifactKind::ShellInstaller),
        Installer::Powershell => Some(ArtifactKind::PowershellInstaller),
        Installer::Homebrew => Some(ArtifactKind::HomebrewFormula),
        Installer::Scoop => Some(ArtifactKind::ScoopManifest),
        Installer::Deb | Installer::Rpm => None,
    }
}

/// Writes each release's installer files into `out_dir` (atomically, fixed modes) and
/// returns their manifest entries. `archives`: every archive entry of the finished run.
pub fn write(
    out_dir: &Path,
    releases: &[InstallerRelease],
    archives: &[ArtifactEntry],
) -> Result<Vec<ArtifactEntry>> {
    let mut out = Vec::new();
    for info in releases {
        let release = Release::new(info, archives);
        if release.archives.is_empty() {
            continue; // this run shipped nothing of the package
        }
        for f in &info.files {
            let (Some(text), Some(kind)) = (installer::render(f.kind, &release), kind(f.kind))
            else {
                continue;
            };
            let mode = if installer::is_executable(f.kind) {
                MODE_EXECUTABLE
            } else {
                MODE_FILE
            };
            let dest = out_dir.join(&f.file_name);
            write_atomic(&dest, mode, |w| {
                use std::io::Write;
                w.write_all(text.as_bytes())?;
                Ok(())
            })
            .with_context(|| format!("cannot write the {} installer", f.kind.name()))?;
            shell::status("Wrote", format!("{} ({})", f.file_name, f.kind.name()));
            out.push(ArtifactEntry {
                name: f.file_name.clone(),
                kind,
                package: Some(info.package.clone()),
                version: Some(info.version.clone()),
                target: None,
                members: Vec::new(),
                size: text.len() as u64,
                sha256: archive::sha256_hex(text.as_bytes()),
                binaries: Vec::new(),
                files: Vec::new(),
                inputs: String::new(),
                profile_overrides: Vec::new(),
            });
        }
    }
    Ok(out)
}
