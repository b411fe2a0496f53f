//! `dist-manifest.json`: what a run produced, for machines (release jobs, installers,
//! `merge`). It lists every file crossdock wrote in the out dir, which is also how the next
//! run knows which files it may replace: files it did not write are never touched.
//! Deterministic: no timestamps or host facts, so a merged manifest equals a single run's.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};

use crate::sys::shell;
use serde::{Deserialize, Serialize};

pub const FILE_NAME: &str = "dist-manifest.json";
pub const SCHEMA_VERSION: u32 = 1;

/// The largest manifest crossdock reads (a release of thousands of files is far smaller).
pub const LIMIT: u64 = 64 << 20;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub schema_version: u32,
    pub crossdock_version: String,
    pub commit: Option<String>,
    /// Built from a tree with uncommitted changes (a tracked file, or an untracked one git does not ignore).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub dirty: bool,
    pub source_date_epoch: u64,
    pub packages: Vec<PackageEntry>,
    pub artifacts: Vec<ArtifactEntry>,
    /// Every file crossdock wrote in the out dir (besides this manifest), sorted.
    pub files: Vec<String>,
    /// Targets of the matrix this run left out because the machine cannot build them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<crate::plan::Skipped>,
    /// Targets (and universal groups) that failed in a `--keep-going` run: what failed and
    /// the first lines of the error. Their archives are not here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<crate::plan::Failed>,
    /// What the installers say about each package besides its archives (from targets.toml
    /// and Cargo.toml): recorded so that `merge` writes the same installers as `dist`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub installers: Vec<crate::plan::InstallerRelease>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct PackageEntry {
    pub name: String,
    pub version: String,
    /// A Node module's npm name and version (package.json's, which napi-rs projects keep
    /// apart from Cargo.toml's): what its npm packages are published as.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub npm: Option<NpmName>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct NpmName {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    Archive,
    Universal,
    /// `{archive stem}-debuginfo.tar.gz`: the split debug info of an archive's binaries.
    Debuginfo,
    /// `unversioned-copy`: an archive's bytes under `{name}-{target}.ext`.
    UnversionedCopy,
    Checksum,
    Checksums,
    /// `{name}-installer.sh`
    ShellInstaller,
    /// `{name}-installer.ps1`
    PowershellInstaller,
    /// `{name}.rb`
    HomebrewFormula,
    /// `{name}.json`
    ScoopManifest,
    /// `{Publisher.Name}.yaml`, `.installer.yaml`, `.locale.en-US.yaml`: winget's manifests.
    WingetManifest,
    /// A Debian package built from a Linux archive.
    Deb,
    /// An RPM package built from a Linux archive.
    Rpm,
    /// An npm package tarball of a Node module (`NAME-VERSION.tgz`): a platform package
    /// (its `target` set) or the root package.
    NpmPackage,
    /// `source-archive = true`: `NAME-VERSION-src.tar.gz`, the commit's tracked files.
    Source,
    /// `sbom = true`: `NAME-VERSION-TARGET.cdx.json`, a CycloneDX SBOM of a package's
    /// binaries for one target.
    Sbom,
    /// `sign`: the signature of SHA256SUMS (`SHA256SUMS.minisig`, `SHA256SUMS.asc`).
    Signature,
}

impl ArtifactKind {
    /// An archive file: a thin or universal archive, a debuginfo archive, or an unversioned
    /// copy of one (what a partial run keeps and `merge` takes from its inputs).
    pub fn is_archive(self) -> bool {
        matches!(
            self,
            ArtifactKind::Archive
                | ArtifactKind::Universal
                | ArtifactKind::Debuginfo
                | ArtifactKind::UnversionedCopy
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ArtifactEntry {
    pub name: String,
    pub kind: ArtifactKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The triple, or the universal group's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Member triples of a universal archive.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    pub size: u64,
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub binaries: Vec<BinaryEntry>,
    /// Included extra files, as paths inside the archive.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<String>,
    /// Fingerprint of everything that goes into the archive (entry names, modes, content
    /// hashes, mtime): an archive whose inputs are unchanged is not written again.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub inputs: String,
    /// Profile settings crossdock changed for the build of these binaries
    /// (`profile.dist.strip=true`); empty when the user's profile was used as it is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub profile_overrides: Vec<String>,
    /// What built a thin archive's binaries, so that `verify` can say which input of a
    /// rebuild differs from the release's (absent in manifests written before it was
    /// recorded, and for universal archives: see their members').
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildRecord>,
}

/// The inputs of a build that are not in the commit: the compiler, the builder and the
/// cargo profile (the commit, `SOURCE_DATE_EPOCH` and `dirty` are the manifest's own).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct BuildRecord {
    /// `rustc --version` of the toolchain that built it (`rustc 1.89.0 (29483883e 2025-08-04)`).
    pub rustc: String,
    /// `cargo`, `zigbuild` or `cross`.
    pub builder: String,
    /// The cargo profile (`dist`, `release`).
    pub profile: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct BinaryEntry {
    /// The `[[bin]]` name, or the lib target's name for a library file.
    pub name: String,
    /// `cdylib`, `staticlib` or `import-library` for a library's files; absent for a binary
    /// (the manifests of binaries read as before).
    #[serde(
        default,
        skip_serializing_if = "crate::model::artifact::ArtifactKind::is_binary"
    )]
    pub kind: crate::model::artifact::ArtifactKind,
    /// Path inside the archive.
    pub path: String,
    /// The shipped (stripped) size.
    pub size: u64,
    /// The size before stripping: the same build with `strip = false` for its package.
    /// For a universal binary, `size` plus what stripping removed from its slices (the fat
    /// header and slice alignment counted once, as shipped). Absent when crossdock does not
    /// strip (`strip = false`) or could not measure it (a warning said why).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unstripped_size: Option<u64>,
    pub sha256: String,
    /// `ELF 64-bit x86_64, dynamically linked` or the slices of a universal binary.
    pub format: String,
    /// A glibc-linked ELF binary: the highest `GLIBC_x.y` symbol version it needs (`x.y`),
    /// i.e. the oldest glibc it runs on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub glibc: Option<String>,
}

impl ArtifactEntry {
    /// A file that stands on its own: no package, target, binaries, included files, members
    /// or inputs fingerprint (set those that apply with struct update syntax). Checksums,
    /// installers, copies.
    pub fn file(name: impl Into<String>, kind: ArtifactKind, size: u64, sha256: String) -> Self {
        ArtifactEntry {
            name: name.into(),
            kind,
            package: None,
            version: None,
            target: None,
            members: Vec::new(),
            size,
            sha256,
            binaries: Vec::new(),
            files: Vec::new(),
            inputs: String::new(),
            profile_overrides: Vec::new(),
            build: None,
        }
    }

    /// The highest glibc any of its binaries needs, compared as version numbers.
    pub fn glibc_floor(&self) -> Option<&str> {
        let key = |v: &str| -> Vec<u32> { v.split('.').filter_map(|n| n.parse().ok()).collect() };
        self.binaries
            .iter()
            .filter_map(|b| b.glibc.as_deref())
            .max_by_key(|v| key(v))
    }
}

impl Manifest {
    /// The table printed after a run.
    pub fn summary(&self) -> String {
        let rows: Vec<&ArtifactEntry> = self
            .artifacts
            .iter()
            .filter(|a| {
                matches!(
                    a.kind,
                    ArtifactKind::Archive | ArtifactKind::Universal | ArtifactKind::NpmPackage
                )
            })
            .collect();
        let w0 = rows.iter().map(|a| a.name.len()).max().unwrap_or(8).max(8);
        let w1 = rows
            .iter()
            .map(|a| a.target.as_deref().unwrap_or("").len())
            .max()
            .unwrap_or(6)
            .max(6);
        let mut s = format!(
            "{:<w0$}  {:<w1$}  {:>10}  {}\n",
            "artifact", "target", "size", "sha256"
        );
        for a in &rows {
            // The oldest glibc a Linux binary runs on, where it needs one.
            let glibc = a
                .glibc_floor()
                .map(|v| format!("  glibc >= {v}"))
                .unwrap_or_default();
            s.push_str(&format!(
                "{:<w0$}  {:<w1$}  {:>10}  {}…{glibc}\n",
                a.name,
                a.target.as_deref().unwrap_or(""),
                shell::human_size(a.size),
                &a.sha256[..12]
            ));
        }
        for k in &self.skipped {
            s.push_str(&format!(
                "{:<w0$}  {:<w1$}  {:>10}  {}\n",
                "(skipped)", k.target, "", k.reason
            ));
            if let Some(fix) = &k.fix {
                s.push_str(&format!(
                    "{:<w0$}  {:<w1$}  {:>10}  fix: {fix}\n",
                    "", "", ""
                ));
            }
        }
        for f in &self.failed {
            s.push_str(&format!(
                "{:<w0$}  {:<w1$}  {:>10}  {} failed: {}\n",
                "(failed)",
                f.target,
                "",
                f.step.name(),
                f.error.lines().next().unwrap_or("")
            ));
        }
        s.push_str(&self.binary_sizes(&rows));
        s
    }

    /// The summary's second table: each shipped binary's size, and before stripping.
    fn binary_sizes(&self, archives: &[&ArtifactEntry]) -> String {
        let rows: Vec<(&str, &str, &BinaryEntry)> = archives
            .iter()
            .flat_map(|a| {
                let target = a.target.as_deref().unwrap_or("");
                // A library's files share its name: each is named by its file.
                a.binaries.iter().map(move |b| match b.kind {
                    crate::model::artifact::ArtifactKind::Binary => (b.name.as_str(), target, b),
                    _ => (b.path.rsplit('/').next().unwrap_or(&b.path), target, b),
                })
            })
            .collect();
        if rows.is_empty() {
            return String::new();
        }
        let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(6).max(6);
        let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(6).max(6);
        let mut s = format!(
            "\n{:<w0$}  {:<w1$}  {:>10}  {:>10}\n",
            "binary", "target", "size", "unstripped"
        );
        for (name, target, b) in rows {
            let before = match b.unstripped_size {
                Some(n) if n > 0 => format!(
                    "{:>10}  (stripping saved {:.0}%)",
                    shell::human_size(n),
                    100.0 * n.saturating_sub(b.size) as f64 / n as f64
                ),
                _ => format!("{:>10}", "-"),
            };
            s.push_str(&format!(
                "{name:<w0$}  {target:<w1$}  {:>10}  {before}\n",
                shell::human_size(b.size)
            ));
        }
        s
    }

    pub fn new(commit: Option<String>, source_date_epoch: u64) -> Manifest {
        Manifest {
            schema_version: SCHEMA_VERSION,
            crossdock_version: env!("CARGO_PKG_VERSION").to_string(),
            commit,
            dirty: false,
            source_date_epoch,
            packages: Vec::new(),
            artifacts: Vec::new(),
            files: Vec::new(),
            skipped: Vec::new(),
            failed: Vec::new(),
            installers: Vec::new(),
        }
    }

    /// Sorts everything so equal contents serialize to equal bytes.
    pub fn normalize(&mut self) {
        self.packages.sort();
        self.packages.dedup();
        self.installers.sort_by(|a, b| a.package.cmp(&b.package));
        self.installers.dedup();
        self.artifacts.sort_by(|a, b| a.name.cmp(&b.name));
        self.artifacts.dedup_by(|a, b| a.name == b.name);
        self.files = self.artifacts.iter().map(|a| a.name.clone()).collect();
        self.files
            .push(crate::package::checksum::SUMS_FILE.to_string());
        self.files.sort();
        self.files.dedup();
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("manifest serializes");
        s.push('\n');
        s
    }

    pub fn read(path: &Path) -> Result<Manifest> {
        let data = crate::sys::fs::read_input(path, LIMIT)
            .with_context(|| format!("cannot read {}", path.display()))?;
        serde_json::from_slice(&data)
            .with_context(|| format!("{} is not a crossdock manifest", path.display()))
    }

    /// The entry for `name` when it was made from the same `inputs` and its file is still
    /// exactly what this manifest recorded. `file` gives the file's (size, SHA-256) when it
    /// is provably crossdock's (`ownership::Record::owned_as`, which reads and hashes it
    /// once); it is asked only when the manifest has such an entry.
    pub fn fresh(
        &self,
        name: &str,
        inputs: &str,
        file: impl FnOnce() -> Option<(u64, String)>,
    ) -> Option<ArtifactEntry> {
        let a = self
            .artifacts
            .iter()
            .find(|a| a.name == name && a.inputs == inputs && !inputs.is_empty())?;
        let (size, sha) = file()?;
        (size == a.size && sha == a.sha256).then(|| a.clone())
    }

    /// The previous run's manifest in `dir`, if any and readable.
    pub fn previous(dir: &Path) -> Option<Manifest> {
        Manifest::read(&dir.join(FILE_NAME)).ok()
    }
}

/// What stripping removed from each universal binary: per binary name, the sum over its
/// slices of (unstripped − stripped size), from `(name, removed from one slice)`; a binary
/// with any slice not measured is left out. Shared by `dist` and `merge`, which must agree: the
/// manifest records the fat binary's size plus this as its unstripped size.
pub fn stripped_away(slices: Vec<(String, Option<u64>)>) -> BTreeMap<String, u64> {
    let mut sums: BTreeMap<String, Option<u64>> = BTreeMap::new();
    for (name, removed) in slices {
        let sum = sums.entry(name).or_insert(Some(0));
        *sum = sum.zip(removed).map(|(a, b)| a + b);
    }
    sums.into_iter()
        .filter_map(|(name, sum)| Some((name, sum?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binary(name: &str, glibc: Option<&str>) -> BinaryEntry {
        BinaryEntry {
            name: name.into(),
            kind: Default::default(),
            path: format!("top/{name}"),
            size: 1,
            unstripped_size: None,
            sha256: "0".repeat(64),
            format: "ELF 64-bit x86_64, dynamically linked".into(),
            glibc: glibc.map(String::from),
        }
    }

    fn archive(name: &str, binaries: Vec<BinaryEntry>) -> ArtifactEntry {
        ArtifactEntry {
            name: name.into(),
            kind: ArtifactKind::Archive,
            package: None,
            version: None,
            target: Some("x86_64-unknown-linux-gnu".into()),
            members: Vec::new(),
            size: 2048,
            sha256: "ab".repeat(32),
            binaries,
            files: Vec::new(),
            inputs: String::new(),
            profile_overrides: Vec::new(),
            build: None,
        }
    }

    #[test]
    fn glibc_floor_is_the_highest_version_shown_in_the_summary_and_omitted_when_none() {
        let mut m = Manifest::new(None, 0);
        m.artifacts.push(archive(
            "a.tar.gz",
            vec![
                binary("a", Some("2.9")),
                binary("b", Some("2.17")),
                binary("c", None),
            ],
        ));
        m.artifacts
            .push(archive("b.tar.gz", vec![binary("d", None)]));
        assert_eq!(m.artifacts[0].glibc_floor(), Some("2.17"));
        let s = m.summary();
        let lines: Vec<&str> = s.lines().collect();
        assert!(
            lines[1].starts_with("a.tar.gz") && lines[1].ends_with("…  glibc >= 2.17"),
            "{s}"
        );
        assert!(lines[2].ends_with('…'), "{s}");
        let json = m.to_json();
        assert_eq!(json.matches("\"glibc\"").count(), 2, "{json}");
        let back: Manifest = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn binary_sizes_before_and_after_stripping_are_listed_and_old_manifests_still_parse() {
        let mut m = Manifest::new(None, 0);
        let mut a = binary("app", None);
        a.size = 1024 * 1024;
        a.unstripped_size = Some(4 * 1024 * 1024);
        let mut b = binary("tool", None);
        b.size = 2048;
        m.artifacts
            .push(archive("app.tar.gz", vec![a.clone(), b.clone()]));
        m.artifacts.push(archive("app.zip", Vec::new()));
        let s = m.summary();
        let table: Vec<&str> = s
            .lines()
            .skip_while(|l| !l.starts_with("binary "))
            .collect();
        assert_eq!(table.len(), 3, "{s}");
        assert!(table[0].ends_with("  size  unstripped"), "{s}");
        assert!(
            table[1].starts_with("app     x86_64-unknown-linux-gnu")
                && table[1].ends_with("  1.0 MiB     4.0 MiB  (stripping saved 75%)"),
            "{s}"
        );
        assert!(
            table[2].starts_with("tool") && table[2].ends_with("2.0 KiB           -"),
            "{s}"
        );
        let json = m.to_json();
        assert_eq!(
            json.matches("\"unstripped_size\": 4194304").count(),
            1,
            "{json}"
        );
        let back: Manifest = serde_json::from_str(&json).unwrap();
        assert_eq!(back, m);
        // A manifest written before the field existed reads as "not measured".
        let old = json.replace(",\n          \"unstripped_size\": 4194304", "");
        assert_ne!(old, json);
        let back: Manifest = serde_json::from_str(&old).unwrap();
        assert_eq!(back.artifacts[0].binaries[0].unstripped_size, None);
    }

    #[test]
    fn universal_stripped_bytes_are_summed_per_binary_and_unknown_when_a_slice_is() {
        let got = stripped_away(vec![
            ("app".into(), Some(100)),
            ("tool".into(), Some(7)),
            ("app".into(), Some(50)),
            ("tool".into(), None),
        ]);
        assert_eq!(got, BTreeMap::from([("app".to_string(), 150)]));
    }
}
