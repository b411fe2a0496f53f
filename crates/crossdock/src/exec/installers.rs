//! Writes the installers at the end of a run (`dist` and `merge` alike, through
//! `pack::finish`): each covers every archive of its package that the out dir holds then,
//! so a run that builds part of the matrix, or `merge`, gives installers for exactly the
//! archives that ship next to them.

use std::path::Path;

use anyhow::{Context, Result};

use crate::model::archive::ArchiveFormat;
use crate::model::installer::Installer;
use crate::package::archive::{self, MODE_EXECUTABLE, MODE_FILE};
use crate::package::installer::{self, Release};
use crate::package::manifest::{ArtifactEntry, ArtifactKind, Manifest};
use crate::package::native;
use crate::package::ownership::Record;
use crate::plan::InstallerRelease;
use crate::sys::{fs::write_atomic, shell};

fn kind(i: Installer) -> Option<ArtifactKind> {
    match i {
        Installer::Shell => Some(ArtifactKind::ShellInstaller),
        Installer::Powershell => Some(ArtifactKind::PowershellInstaller),
        Installer::Homebrew => Some(ArtifactKind::HomebrewFormula),
        Installer::Scoop => Some(ArtifactKind::ScoopManifest),
        Installer::Winget => Some(ArtifactKind::WingetManifest),
        Installer::Deb | Installer::Rpm => None,
    }
}

/// Refuses, before anything is built or written, a SOURCE_DATE_EPOCH that a native package
/// this run writes cannot hold (`.deb`: 12 decimal digits, `.rpm`: 32 bits), naming the
/// package and format.
pub fn check_epoch(releases: &[InstallerRelease], epoch: u64) -> Result<()> {
    for r in releases {
        for native in &r.native {
            let fits = match native {
                Installer::Deb => native::deb::check_epoch(epoch),
                Installer::Rpm => native::rpm::check_epoch(epoch),
                _ => Ok(()),
            };
            fits.with_context(|| format!("package `{}`", r.package))?;
        }
    }
    Ok(())
}

/// What the installers of a run may take over from the previous one: its manifest, and the
/// record that proves a file in the out dir crossdock's (`dist`; `merge` has none).
#[derive(Clone, Copy)]
pub struct Previous<'a> {
    pub manifest: Option<&'a Manifest>,
    pub record: &'a Record,
}

/// Writes each release's installer files into `out_dir` (atomically, fixed modes) and
/// returns their manifest entries. `archives`: every archive entry of the finished run.
/// A `.deb`/`.rpm` whose inputs are unchanged since `previous` is kept as it is (`Fresh`).
pub fn write(
    out_dir: &Path,
    releases: &[InstallerRelease],
    archives: &[ArtifactEntry],
    source_date_epoch: u64,
    previous: Previous,
) -> Result<Vec<ArtifactEntry>> {
    let mut out = Vec::new();
    for info in releases {
        let release = Release::new(info, archives);
        if release.archives.is_empty() {
            continue; // this run shipped nothing of the package
        }
        for &kind in &info.native {
            out.extend(write_native(
                out_dir,
                info,
                kind,
                archives,
                source_date_epoch,
                previous,
            )?);
        }
        for f in &info.files {
            let Some(kind) = kind(f.kind) else {
                continue;
            };
            let Some(text) = installer::render_file(f, &release) else {
                // Issue 23 §17: no archive it could install (its targets were skipped or
                // not built in this run): an empty installer would install nothing.
                shell::note(
                    "Skipped",
                    format!(
                        "{} ({}): this run has no {} archive of {} {} for it",
                        f.file_name,
                        f.kind.name(),
                        f.kind.platforms(),
                        info.package,
                        info.version
                    ),
                );
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
                package: Some(info.package.clone()),
                version: Some(info.version.clone()),
                ..ArtifactEntry::file(
                    f.file_name.clone(),
                    kind,
                    text.len() as u64,
                    archive::sha256_hex(text.as_bytes()),
                )
            });
        }
    }
    Ok(out)
}

/// One `.deb` or `.rpm` per Linux target of the package, built from its tar archive
/// itself (so `merge`, which has only the archives, writes the same bytes as `dist`).
fn write_native(
    out_dir: &Path,
    info: &InstallerRelease,
    kind: Installer,
    archives: &[ArtifactEntry],
    source_date_epoch: u64,
    previous: Previous,
) -> Result<Vec<ArtifactEntry>> {
    let mut out = Vec::new();
    let (description, long_description) =
        native::describe(&info.package, info.description.as_deref(), &info.binaries);
    let meta = native::PackageMeta {
        maintainer: info.maintainer.clone().unwrap_or_default(),
        description,
        long_description,
        homepage: info.homepage.clone(),
        license: info.license.clone(),
        source_date_epoch,
        deb_library_packages: Default::default(),
    };
    // One package per Linux target, from its first tar archive in the order tar.gz,
    // tar.xz, tar.zst (with several `formats`, every one holds the same files).
    let mut chosen: std::collections::BTreeMap<&str, (ArchiveFormat, &ArtifactEntry)> =
        Default::default();
    for a in archives.iter().filter(|a| {
        a.kind == ArtifactKind::Archive
            && a.package.as_deref() == Some(info.package.as_str())
            && a.target
                .as_deref()
                .is_some_and(|t| crate::model::triple::Triple::new(t).is_linux())
    }) {
        let (Some(target), Some((format, _))) =
            (a.target.as_deref(), ArchiveFormat::of_file_name(&a.name))
        else {
            continue;
        };
        if format != ArchiveFormat::Zip && chosen.get(target).is_none_or(|(f, _)| format < *f) {
            chosen.insert(target, (format, a));
        }
    }
    let kind_entry = match kind {
        Installer::Deb => ArtifactKind::Deb,
        _ => ArtifactKind::Rpm,
    };
    for (_, a) in chosen.into_values() {
        let inputs = native_inputs(kind, a, &meta);
        if let Some(fresh) = fresh(out_dir, previous, kind_entry, &inputs) {
            shell::note("Fresh", &fresh.name);
            out.push(fresh);
            continue;
        }
        let path = out_dir.join(&a.name);
        let pkg = native::from_archive(&path, a, &meta)?;
        let (file_name, bytes) = match kind {
            Installer::Deb => (native::deb::file_name(&pkg)?, native::deb::deb(&pkg)?),
            _ => (native::rpm::file_name(&pkg)?, native::rpm::rpm(&pkg)?),
        };
        write_atomic(&out_dir.join(&file_name), MODE_FILE, |w| {
            use std::io::Write;
            w.write_all(&bytes)?;
            Ok(())
        })
        .with_context(|| format!("cannot write {file_name}"))?;
        shell::status(
            "Wrote",
            format!("{file_name} ({}, from {})", kind.name(), a.name),
        );
        out.push(ArtifactEntry {
            package: a.package.clone(),
            version: a.version.clone(),
            target: a.target.clone(),
            inputs,
            ..ArtifactEntry::file(
                file_name,
                kind_entry,
                bytes.len() as u64,
                archive::sha256_hex(&bytes),
            )
        });
    }
    Ok(out)
}

/// Fingerprint of everything a native package is made from (issue 23 §7): the format and
/// crossdock's version, the archive (its name and bytes, by SHA-256), which of its files
/// are programs and which documents, and the metadata with SOURCE_DATE_EPOCH. Same
/// fingerprint, same package bytes.
fn native_inputs(kind: Installer, a: &ArtifactEntry, meta: &native::PackageMeta) -> String {
    let binaries: Vec<(&str, &str)> = a
        .binaries
        .iter()
        .map(|b| (b.path.as_str(), b.kind.name()))
        .collect();
    let text = format!(
        "crossdock-native-v1\0{}\0{}\0{}\0{}\0{binaries:?}\0{:?}\0{meta:?}",
        env!("CARGO_PKG_VERSION"),
        kind.name(),
        a.name,
        a.sha256,
        a.files
    );
    archive::sha256_hex(text.as_bytes())
}

/// The previous run's package of `kind` made from the same inputs, when its file is still
/// what was recorded and the record proves it crossdock's.
fn fresh(
    out_dir: &Path,
    previous: Previous,
    kind: ArtifactKind,
    inputs: &str,
) -> Option<ArtifactEntry> {
    let manifest = previous.manifest?;
    let old = manifest
        .artifacts
        .iter()
        .find(|p| p.kind == kind && p.inputs == inputs)?;
    manifest.fresh(&old.name, inputs, || {
        previous.record.owned_as(out_dir, &old.name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::installer::tests::{artifacts, info};
    use crate::sys::shell::{Shell, Verbosity};

    /// A first run's `write` into `dir` (no previous manifest, an empty record), and what
    /// it said.
    fn write_first(
        dir: &Path,
        releases: &[InstallerRelease],
        archives: &[ArtifactEntry],
    ) -> (Vec<ArtifactEntry>, String) {
        let sh = Shell::capturing(Verbosity::Normal);
        let written = {
            let _in = sh.enter();
            let record = Record::load(None, dir);
            let previous = Previous {
                manifest: None,
                record: &record,
            };
            write(dir, releases, archives, 0, previous).unwrap()
        };
        (written, sh.captured())
    }

    /// Issue 23 §17: a run with no Windows archive writes no Scoop manifest (and no
    /// PowerShell installer) and says so; the others are written.
    #[test]
    fn installers_without_an_archive_are_skipped_with_a_note() {
        let dir = tempfile::tempdir().unwrap();
        let linux: Vec<ArtifactEntry> = artifacts()
            .into_iter()
            .filter(|a| a.target.as_deref() == Some("x86_64-unknown-linux-gnu"))
            .collect();
        let (written, out) = write_first(dir.path(), &[info()], &linux);
        let names: Vec<&str> = written.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["hello-tool-installer.sh", "hello-tool.rb"]);
        let mut on_disk: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        assert_eq!(on_disk, ["hello-tool-installer.sh", "hello-tool.rb"]);
        assert!(
            out.contains("Skipped hello-tool.json (scoop): this run has no Windows archive of hello-tool 1.2.0 for it"),
            "{out}"
        );
        assert!(
            out.contains("Skipped hello-tool-installer.ps1 (powershell)"),
            "{out}"
        );
    }

    /// Issue 24 §5: winget's three manifests for a real windows-gnu zip: the installer
    /// manifest's hash is the file's (uppercase), each RelativeFilePath is an entry of the
    /// zip; a run without a Windows zip writes none of them and says so.
    #[test]
    fn winget_manifests_describe_the_zip_on_disk() {
        use crate::package::installer::winget::tests::{field, fields, winget_info};
        let dir = tempfile::tempdir().unwrap();
        let target = "x86_64-pc-windows-gnu";
        let mut entry = artifacts()
            .into_iter()
            .find(|a| a.target.as_deref() == Some(target))
            .unwrap();
        let top = entry.name.strip_suffix(".zip").unwrap().to_string();
        let files = ["hello.exe", "hello-admin.exe", "README.md"]
            .iter()
            .map(|n| archive::Entry {
                name: n.to_string(),
                source: archive::Source::Bytes(format!("{n} bytes").into_bytes()),
                mode: MODE_FILE,
            })
            .collect();
        let zip_path = dir.path().join(&entry.name);
        let written = archive::write(&zip_path, ArchiveFormat::Zip, &top, files, 0).unwrap();
        entry.sha256 = written.sha256.clone();
        let info = winget_info();
        let (out, _) = write_first(
            dir.path(),
            std::slice::from_ref(&info),
            std::slice::from_ref(&entry),
        );
        let names: Vec<&str> = out.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "o.hello-tool.yaml",
                "o.hello-tool.installer.yaml",
                "o.hello-tool.locale.en-US.yaml"
            ]
        );
        assert!(out.iter().all(|e| e.kind == ArtifactKind::WingetManifest));
        for e in &out {
            let bytes = std::fs::read(dir.path().join(&e.name)).unwrap();
            assert_eq!(archive::sha256_hex(&bytes), e.sha256, "{}", e.name);
        }
        let text = std::fs::read_to_string(dir.path().join("o.hello-tool.installer.yaml")).unwrap();
        let (_, on_disk) = archive::hash_file(&zip_path).unwrap();
        assert!(
            text.contains(&format!(
                "  InstallerSha256: \"{}\"\n",
                on_disk.to_uppercase()
            )),
            "{text}"
        );
        let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
        let paths: Vec<String> = text
            .lines()
            .filter_map(|l| l.strip_prefix("  - RelativeFilePath: "))
            .map(|v| serde_json::from_str::<String>(v).unwrap())
            .collect();
        assert_eq!(
            paths,
            [
                format!("{top}\\hello.exe"),
                format!("{top}\\hello-admin.exe")
            ]
        );
        for p in paths {
            let inside = p.replace('\\', "/");
            assert!(zip.by_name(&inside).is_ok(), "{inside} is not in the zip");
        }
        let locale =
            std::fs::read_to_string(dir.path().join("o.hello-tool.locale.en-US.yaml")).unwrap();
        assert_eq!(field(&fields(&locale), "Publisher"), Some("o"));

        // Linux archives only: no manifest, one note per file.
        let linux: Vec<ArtifactEntry> = artifacts()
            .into_iter()
            .filter(|a| a.target.as_deref() == Some("x86_64-unknown-linux-gnu"))
            .collect();
        let other = tempfile::tempdir().unwrap();
        let (out, said) = write_first(other.path(), &[info], &linux);
        assert!(out.is_empty(), "{out:?}");
        assert!(
            said.contains("Skipped o.hello-tool.installer.yaml (winget): this run has no Windows archive of hello-tool 1.2.0 for it"),
            "{said}"
        );
    }
}
