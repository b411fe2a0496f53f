//! Native Linux packages (`.deb`, `.rpm`) made from a finished crossdock archive, so that
//! `dist` (which has the binaries) and `merge` (which has only the archives) write the same
//! bytes: the package's input is the archive's content plus metadata from Cargo.toml, never
//! a file of the build tree.
//!
//! Both writers are pure functions from a [`NativePackage`] to bytes: every member gets the
//! package's `source_date_epoch` as mtime, uid/gid 0 (`root`), a fixed mode, and a sorted
//! place, so two runs (or a `dist` and a `merge`) are byte-identical. What the binaries
//! need from the system is read from their ELF headers (`depends.rs`), never guessed from
//! the triple. Nothing here starts a process or touches a file but the archive it reads.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::model::triple::Triple;
use crate::package::archive::{MODE_EXECUTABLE, MODE_FILE};
use crate::package::manifest::ArtifactEntry;

pub mod deb;
pub mod depends;
pub mod rpm;

/// Everything a native package holds; the same value makes the `.deb` and the `.rpm`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NativePackage {
    /// The Cargo package name (the `.deb` lower-cases it and turns `_` into `-`).
    pub name: String,
    /// Semver, as in Cargo.toml (`1.0.0-rc.1`); each format maps it to its own rules.
    pub version: String,
    /// The Rust target triple the binaries were built for; must be Linux.
    pub target: String,
    /// `Name <email>`.
    pub maintainer: String,
    /// One line: the Debian synopsis and the RPM summary.
    pub description: String,
    /// Paragraphs after the synopsis; may be empty (a generated line is used then).
    pub long_description: String,
    pub homepage: Option<String>,
    /// An SPDX expression (`MIT OR Apache-2.0`); the `.deb`'s `copyright` and RPM `License`.
    pub license: Option<String>,
    /// The license's full text when the release ships one (a `LICENSE*` file), quoted in the
    /// `.deb`'s `copyright`.
    pub license_text: Option<String>,
    /// The installed files, at absolute paths (`/usr/bin/app`).
    pub files: Vec<PackageFile>,
    /// mtime of every member and the build time recorded in the package.
    pub source_date_epoch: u64,
    /// Shared libraries crossdock does not know, mapped to the Debian package that provides
    /// them (`libssl.so.3` → `libssl3t64`): without an entry such a library is an error.
    pub deb_library_packages: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFile {
    /// Absolute path in the installed system.
    pub path: String,
    pub mode: u32,
    pub data: Vec<u8>,
}

/// What a native package needs beyond the archive: Cargo.toml's metadata and the run's
/// SOURCE_DATE_EPOCH (the manifest's `source_date_epoch`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageMeta {
    pub maintainer: String,
    pub description: String,
    pub long_description: String,
    pub homepage: Option<String>,
    pub license: Option<String>,
    pub source_date_epoch: u64,
    pub deb_library_packages: BTreeMap<String, String>,
}

/// The synopsis and long description of a package from Cargo.toml's `description`, in the
/// shape Debian wants (lintian): the synopsis is the first sentence without the package's
/// name in front ("ripgrep is a line-oriented search tool…" → "line-oriented search
/// tool…"), at most 80 characters, never repeated as the long description.
pub fn describe(name: &str, description: Option<&str>, binaries: &[String]) -> (String, String) {
    let full = description
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let first = full
        .split_once(". ")
        .map_or(full.as_str(), |(a, _)| a)
        .trim_end_matches('.');
    let mut synopsis = first;
    let lower = synopsis.to_ascii_lowercase();
    if lower.starts_with(&format!("{} ", name.to_ascii_lowercase())) {
        synopsis = synopsis[name.len()..].trim_start();
        for lead in ["is ", "a ", "an ", "the "] {
            if synopsis.to_ascii_lowercase().starts_with(lead) {
                synopsis = &synopsis[lead.len()..];
            }
        }
    }
    let mut synopsis = synopsis.to_string();
    if synopsis.is_empty() {
        synopsis = format!("command-line tool ({})", binaries.join(", "));
    }
    if synopsis.chars().count() > 80 {
        let mut cut = String::new();
        for word in synopsis.split(' ') {
            if cut.chars().count() + word.chars().count() + 1 > 80 {
                break;
            }
            if !cut.is_empty() {
                cut.push(' ');
            }
            cut.push_str(word);
        }
        synopsis = cut.trim_end_matches([',', ';', ':']).to_string();
    }
    let long = if full.is_empty() || full.trim_end_matches('.') == synopsis {
        format!(
            "{name} provides the command-line program(s) {}.",
            binaries.join(", ")
        )
    } else {
        full
    };
    (synopsis, long)
}

/// The version without semver's prerelease hyphen, for formats where `~` sorts a
/// prerelease before its release (dpkg, rpm ≥ 4.10): `1.0.0-rc.1` → `1.0.0~rc.1`. Further
/// hyphens inside the prerelease become `.` (neither format allows them here); build
/// metadata (`+build.5`) stays, both accept `+`.
pub fn tilde_version(semver: &str) -> Result<String> {
    let (core, build) = match semver.split_once('+') {
        Some((c, b)) => (c, Some(b)),
        None => (semver, None),
    };
    let (release, pre) = match core.split_once('-') {
        Some((r, p)) => (r, Some(p)),
        None => (core, None),
    };
    let ok = |s: &str, extra: &[char]| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || extra.contains(&c))
    };
    if !ok(release, &[]) || !release.starts_with(|c: char| c.is_ascii_digit()) {
        bail!("version `{semver}` is not semver (`MAJOR.MINOR.PATCH[-PRE][+BUILD]`); fix `version` in Cargo.toml");
    }
    let mut out = release.to_string();
    if let Some(p) = pre {
        if !ok(p, &['-']) {
            bail!("version `{semver}` has a prerelease part a package version cannot hold; use letters, digits, `.` and `-` (Cargo.toml `version`)");
        }
        out.push('~');
        out.push_str(&p.replace('-', "."));
    }
    if let Some(b) = build {
        if !ok(b, &['-']) {
            bail!("version `{semver}` has build metadata a package version cannot hold; use letters, digits and `.` (Cargo.toml `version`)");
        }
        out.push('+');
        out.push_str(&b.replace('-', "."));
    }
    Ok(out)
}

/// Refuses a triple whose binaries do not run on Linux, before any format-specific mapping.
fn linux(triple: &str, format: &str) -> Result<Triple> {
    let t = Triple::new(triple);
    if !t.is_linux() {
        bail!("target {triple} is not Linux: a {format} installs Linux binaries only; make it from a Linux target's archive (x86_64-unknown-linux-gnu, aarch64-unknown-linux-musl, …)");
    }
    Ok(t)
}

/// The directory docs go to, the same in both formats (Debian's rules for the name).
pub fn doc_dir(name: &str) -> String {
    format!("/usr/share/doc/{}", deb::package_name(name))
}

/// Builds the package input from a finished crossdock archive (tar.gz) and its manifest
/// entry: the entry's binaries go to `/usr/bin` (0755), its included files (README,
/// LICENSE…) to `/usr/share/doc/{name}/` (0644), keeping their path below the top folder.
/// A `LICENSE*`/`COPYING*` file also becomes the license text of the `.deb`'s `copyright`.
pub fn from_archive(
    archive: &Path,
    entry: &ArtifactEntry,
    meta: &PackageMeta,
) -> Result<NativePackage> {
    let what = || format!("{} (for its .deb/.rpm)", archive.display());
    let (Some(name), Some(version), Some(target)) = (&entry.package, &entry.version, &entry.target)
    else {
        bail!(
            "{}: the manifest entry `{}` names no package, version or target; only an archive of one package for one target becomes a .deb/.rpm",
            archive.display(),
            entry.name
        );
    };
    // Programs and their documents; a C library's files and headers (`headers` ships them
    // in `include/`) are for a -dev package, which crossdock does not make.
    let library_dir = |f: &str| {
        f.split_once('/')
            .is_some_and(|(_, rest)| rest.starts_with("include/"))
    };
    let wanted: BTreeMap<&str, bool> = entry
        .binaries
        .iter()
        .filter(|b| b.kind.is_binary())
        .map(|b| (b.path.as_str(), true))
        .chain(
            entry
                .files
                .iter()
                .filter(|f| !library_dir(f))
                .map(|f| (f.as_str(), false)),
        )
        .collect();
    // Any tar format crossdock writes (tar.gz, tar.xz, tar.zst), by the archive's name.
    let mut tar = crate::package::archive::open_tar(archive).with_context(what)?;
    let mut found: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for e in tar
        .entries()
        .with_context(|| format!("{} is not a tar archive", what()))?
    {
        let mut e = e.with_context(|| format!("{}: corrupt archive", what()))?;
        let path = String::from_utf8_lossy(&e.path_bytes()).into_owned();
        if e.header().entry_type().is_file() && wanted.contains_key(path.as_str()) {
            let mut data = Vec::new();
            e.read_to_end(&mut data)
                .with_context(|| format!("{}: reading {path}", what()))?;
            found.insert(path, data);
        }
    }
    let doc = doc_dir(name);
    let mut files = Vec::new();
    let mut license_text = None;
    for (path, is_binary) in wanted {
        let Some(data) = found.remove(path) else {
            bail!("{}: the manifest lists `{path}`, which the archive does not hold; the archive and dist-manifest.json are from different runs (run `dist` again)", archive.display());
        };
        let below_top = path.split_once('/').map_or(path, |(_, rest)| rest);
        let base = below_top.rsplit('/').next().unwrap_or(below_top);
        if is_binary {
            files.push(PackageFile {
                path: format!("/usr/bin/{base}"),
                mode: MODE_EXECUTABLE,
                data,
            });
        } else {
            let upper = base.to_ascii_uppercase();
            if license_text.is_none()
                && (upper.starts_with("LICENSE")
                    || upper.starts_with("LICENCE")
                    || upper.starts_with("COPYING"))
            {
                license_text = String::from_utf8(data.clone()).ok();
            }
            files.push(PackageFile {
                path: format!("{doc}/{below_top}"),
                mode: MODE_FILE,
                data,
            });
        }
    }
    Ok(NativePackage {
        name: name.clone(),
        version: version.clone(),
        target: target.clone(),
        maintainer: one_line(&meta.maintainer),
        description: one_line(&meta.description),
        long_description: meta.long_description.clone(),
        homepage: meta.homepage.as_deref().map(one_line),
        license: meta.license.as_deref().map(one_line),
        license_text,
        files,
        source_date_epoch: meta.source_date_epoch,
        deb_library_packages: meta.deb_library_packages.clone(),
    })
}

/// A value that must stay on one line of a control file or header (`Maintainer:`,
/// `Homepage:`, `License:`, the synopsis, RPM's Packager/URL/License): every run of
/// whitespace, newlines included, becomes one space and control characters go, so a
/// Cargo.toml value cannot add a paragraph or a field (issue 20 §6).
pub fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) use crate::model::time::civil_utc;

#[cfg(test)]
mod tests {
    #[test]
    fn descriptions_take_debians_shape() {
        let bins = ["rg".to_string()];
        let (syn, long) = describe("ripgrep", Some("ripgrep is a line-oriented search tool that recursively searches the current\ndirectory for a regex pattern while respecting gitignore rules. ripgrep has first\nclass support on Windows, macOS and Linux."), &bins);
        assert_eq!(
            syn,
            "line-oriented search tool that recursively searches the current directory for a"
        );
        assert!(syn.len() <= 80);
        assert!(long.starts_with("ripgrep is a line-oriented search tool that recursively searches the current directory"));
        let (syn, long) = describe(
            "kibi",
            Some("A text editor in less than 1024 lines of code."),
            &bins,
        );
        assert_eq!(
            (syn.as_str(), long.as_str()),
            (
                "A text editor in less than 1024 lines of code",
                "kibi provides the command-line program(s) rg."
            )
        );
        let (syn, _) = describe("x", None, &bins);
        assert_eq!(syn, "command-line tool (rg)");
    }

    use super::*;

    #[test]
    fn prerelease_maps_to_tilde() {
        assert_eq!(tilde_version("0.3.1").unwrap(), "0.3.1");
        assert_eq!(tilde_version("1.0.0-rc.1").unwrap(), "1.0.0~rc.1");
        assert_eq!(tilde_version("1.0.0-alpha-2").unwrap(), "1.0.0~alpha.2");
        assert_eq!(
            tilde_version("1.0.0-rc.1+g1a2b").unwrap(),
            "1.0.0~rc.1+g1a2b"
        );
        assert_eq!(tilde_version("2.0.0+build.5").unwrap(), "2.0.0+build.5");
        for bad in ["", "v1.0.0", "1.0.0-", "1.0.0-rc_1", "1.0 .0"] {
            assert!(tilde_version(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn non_linux_is_refused() {
        for t in [
            "x86_64-apple-darwin",
            "x86_64-pc-windows-msvc",
            "x86_64-unknown-freebsd",
        ] {
            let e = linux(t, ".deb").unwrap_err().to_string();
            assert!(e.contains(&format!("target {t} is not Linux")), "{e}");
        }
        linux("x86_64-unknown-linux-musl", ".rpm").unwrap();
    }

    #[test]
    fn from_archive_places_binaries_and_docs_and_notices_a_stale_manifest() {
        use crate::package::archive::{self, Entry, Source};
        use crate::package::manifest::{ArtifactKind, BinaryEntry};
        let dir = tempfile::tempdir().unwrap();
        let path = dir
            .path()
            .join("My_App-1.0.0-x86_64-unknown-linux-gnu.tar.gz");
        let top = "My_App-1.0.0-x86_64-unknown-linux-gnu";
        let entry = |name: &str, data: &[u8], mode| Entry {
            name: name.into(),
            source: Source::Bytes(data.to_vec()),
            mode,
        };
        let contents = vec![
            entry("app", b"\x7fELF-ish", MODE_EXECUTABLE),
            entry("LICENSE-MIT", b"MIT text\n", MODE_FILE),
            entry("doc/guide.md", b"guide", MODE_FILE),
        ];
        use crate::model::archive::ArchiveFormat;
        archive::write(
            &path,
            ArchiveFormat::TarGz,
            top,
            contents.clone(),
            1_700_000_000,
        )
        .unwrap();
        let mut artifact = ArtifactEntry {
            name: "x".into(),
            kind: ArtifactKind::Archive,
            package: Some("My_App".into()),
            version: Some("1.0.0".into()),
            target: Some("x86_64-unknown-linux-gnu".into()),
            members: vec![],
            size: 0,
            sha256: String::new(),
            binaries: vec![BinaryEntry {
                name: "app".into(),
                kind: Default::default(),
                path: format!("{top}/app"),
                size: 0,
                unstripped_size: None,
                sha256: String::new(),
                format: String::new(),
                glibc: None,
            }],
            files: vec![format!("{top}/LICENSE-MIT"), format!("{top}/doc/guide.md")],
            inputs: String::new(),
            profile_overrides: vec![],
            build: None,
        };
        let p = from_archive(&path, &artifact, &PackageMeta::default()).unwrap();
        let placed: Vec<(&str, u32)> = p.files.iter().map(|f| (f.path.as_str(), f.mode)).collect();
        assert_eq!(
            placed,
            [
                ("/usr/share/doc/my-app/LICENSE-MIT", 0o644),
                ("/usr/bin/app", 0o755),
                ("/usr/share/doc/my-app/doc/guide.md", 0o644),
            ]
        );
        assert_eq!(p.license_text.as_deref(), Some("MIT text\n"));
        assert_eq!((p.name.as_str(), p.version.as_str()), ("My_App", "1.0.0"));
        // The same package from a tar.zst and a tar.xz of the same files.
        for format in [ArchiveFormat::TarZst, ArchiveFormat::TarXz] {
            let other = dir.path().join(format!("{top}.{}", format.extension()));
            archive::write(&other, format, top, contents.clone(), 1_700_000_000).unwrap();
            let q = from_archive(&other, &artifact, &PackageMeta::default()).unwrap();
            assert_eq!(q.files, p.files, "{format:?}");
        }

        artifact.files.push(format!("{top}/README.md"));
        let e = from_archive(&path, &artifact, &PackageMeta::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("lists `My_App-1.0.0-x86_64-unknown-linux-gnu/README.md`, which the archive does not hold"), "{e}");
    }

    #[test]
    fn civil_time_and_weekday() {
        // 2023-11-14 22:13:20 UTC, a Tuesday.
        assert_eq!(civil_utc(1_700_000_000), (2023, 11, 14, 22, 13, 20, 2));
        assert_eq!(civil_utc(0), (1970, 1, 1, 0, 0, 0, 4));
    }
}
