//! `dist --compare OLD/dist-manifest.json`: how much each binary and each archive grew or
//! shrank since a previous release, from the two manifests alone (pure).
//!
//! File names carry the version, so entries are matched by what they are: a binary by
//! package, target and binary name; an archive by package, target and kind (its file name
//! after `{package}-{version}-{target}`: `.tar.gz`, `.zip`, …). Checksum files are left
//! out. Sizes are the shipped (stripped) bytes. A growth above `size-warn` is a warning:
//! the run still succeeds.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::package::manifest::{ArtifactEntry, ArtifactKind, Manifest};
use crate::sys::shell;

/// What a compared entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    Binary,
    Archive,
}

/// One binary or archive, in the old release, the new one, or both.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizeChange {
    pub kind: EntryKind,
    pub package: String,
    /// The triple, or the universal group's name.
    pub target: String,
    /// The binary's name, or the archive's kind (`.tar.gz`).
    pub name: String,
    /// `None`: new in this release.
    pub old: Option<u64>,
    /// `None`: no longer shipped.
    pub new: Option<u64>,
    /// New minus old, in bytes, when both exist.
    pub change: Option<i64>,
    /// The change in percent of the old size, when both exist and the old is not empty.
    pub percent: Option<f64>,
    /// Grew by more than `size-warn`.
    pub warn: bool,
}

/// The whole comparison, as `--json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizeComparison {
    /// The old manifest's file, as given.
    pub old_manifest: String,
    pub old_version: Vec<String>,
    pub size_warn_percent: f64,
    /// Sorted by kind, package, target, name.
    pub entries: Vec<SizeChange>,
}

type Key = (EntryKind, String, String, String);

/// The entries of a manifest, by what they are. The first entry of a key wins (a binary
/// shipped in two archive formats is the same binary).
fn sizes(m: &Manifest) -> BTreeMap<Key, u64> {
    let mut out = BTreeMap::new();
    for a in m
        .artifacts
        .iter()
        .filter(|a| !matches!(a.kind, ArtifactKind::Checksum | ArtifactKind::Checksums))
    {
        let (Some(package), Some(target)) = (&a.package, &a.target) else {
            continue;
        };
        out.entry((
            EntryKind::Archive,
            package.clone(),
            target.clone(),
            archive_kind(a),
        ))
        .or_insert(a.size);
        for b in &a.binaries {
            out.entry((
                EntryKind::Binary,
                package.clone(),
                target.clone(),
                b.name.clone(),
            ))
            .or_insert(b.size);
        }
    }
    out
}

/// `.tar.gz` for `app-1.2.3-x86_64-unknown-linux-gnu.tar.gz`: what the file name holds
/// besides the package, version and target. A name of another shape (`app_1.2.3_amd64.deb`)
/// is kept with its version written `{version}`, so that it still matches across releases.
fn archive_kind(a: &ArtifactEntry) -> String {
    let stem = format!(
        "{}-{}-{}",
        a.package.as_deref().unwrap_or(""),
        a.version.as_deref().unwrap_or(""),
        a.target.as_deref().unwrap_or("")
    );
    match (a.name.strip_prefix(&stem), a.version.as_deref()) {
        (Some(rest), _) if !rest.is_empty() => rest.to_string(),
        (_, Some(v)) if !v.is_empty() => a.name.replace(v, "{version}"),
        _ => a.name.clone(),
    }
}

/// A name from a manifest as it may be printed: control characters (ESC, NUL, newlines)
/// escaped, so an old manifest cannot send terminal escapes or break the table.
fn printable(s: &str) -> String {
    s.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// Compares `new` with `old`; `size_warn`: the growth in percent that warns.
pub fn compare(old_path: &str, old: &Manifest, new: &Manifest, size_warn: f64) -> SizeComparison {
    let before = sizes(old);
    let after = sizes(new);
    let mut keys: Vec<&Key> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let entries = keys
        .into_iter()
        .map(|key| {
            let (o, n) = (before.get(key).copied(), after.get(key).copied());
            // Sizes from an old manifest are anything up to u64::MAX: the difference is
            // taken in i128 and saturates to what the report holds.
            let diff = o.zip(n).map(|(o, n)| i128::from(n) - i128::from(o));
            let change = diff.map(|d| d.clamp(i64::MIN.into(), i64::MAX.into()) as i64);
            let percent = o
                .zip(diff)
                .filter(|(o, _)| *o > 0)
                .map(|(o, d)| d as f64 * 100.0 / o as f64);
            // Growth from nothing (an empty file) always counts.
            let warn = match (o, percent) {
                (_, Some(p)) => p > size_warn,
                (Some(0), None) => n.unwrap_or(0) > 0,
                _ => false,
            };
            SizeChange {
                kind: key.0,
                package: printable(&key.1),
                target: printable(&key.2),
                name: printable(&key.3),
                old: o,
                new: n,
                change,
                percent,
                warn,
            }
        })
        .collect();
    SizeComparison {
        old_manifest: printable(old_path),
        old_version: old
            .packages
            .iter()
            .map(|p| printable(&format!("{} {}", p.name, p.version)))
            .collect(),
        size_warn_percent: size_warn,
        entries,
    }
}

impl SizeChange {
    /// `+1200 B (+12.5%)`, `unchanged`, `new`, `removed`.
    fn change_text(&self) -> String {
        match (self.change, self.percent) {
            (Some(0), _) => "unchanged".into(),
            (Some(c), Some(p)) => format!("{c:+} B ({p:+.1}%)"),
            (Some(c), None) => format!("{c:+} B"),
            (None, _) if self.old.is_none() => "new".into(),
            (None, _) => "removed".into(),
        }
    }

    /// One warning line's text (without `warning: `).
    pub fn warning(&self, size_warn: f64) -> String {
        format!(
            "{} {} ({}, {}) grew {} ({} → {}), above size-warn = \"{size_warn}%\"",
            match self.kind {
                EntryKind::Binary => "binary",
                EntryKind::Archive => "archive",
            },
            self.name,
            self.package,
            self.target,
            self.percent
                .map(|p| format!("{p:.1}%"))
                .unwrap_or_else(|| "from nothing".into()),
            shell::human_size(self.old.unwrap_or(0)),
            shell::human_size(self.new.unwrap_or(0)),
        )
    }
}

impl SizeComparison {
    /// The table printed after the summary.
    pub fn render(&self) -> String {
        let head = ["", "package", "target", "name", "old", "new", "change"];
        let mut rows: Vec<[String; 7]> = vec![head.map(String::from)];
        let size = |s: Option<u64>| s.map(shell::human_size).unwrap_or_else(|| "-".into());
        for e in &self.entries {
            rows.push([
                match e.kind {
                    EntryKind::Binary => "binary".into(),
                    EntryKind::Archive => "archive".into(),
                },
                e.package.clone(),
                e.target.clone(),
                e.name.clone(),
                size(e.old),
                size(e.new),
                e.change_text(),
            ]);
        }
        let widths: Vec<usize> = (0..7)
            .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
            .collect();
        let mut s = format!(
            "\nsize change since {} ({}):\n",
            self.old_manifest,
            if self.old_version.is_empty() {
                "no packages".to_string()
            } else {
                self.old_version.join(", ")
            }
        );
        for r in rows {
            let mut line = String::new();
            for (i, cell) in r.iter().enumerate() {
                let pad = widths[i] - cell.chars().count();
                if (4..6).contains(&i) {
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    if i < 6 {
                        line.push_str(&" ".repeat(pad));
                    }
                }
                if i < 6 {
                    line.push_str("  ");
                }
            }
            s.push_str(line.trim_end());
            s.push('\n');
        }
        s
    }

    /// The entries that grew above `size-warn`.
    pub fn warnings(&self) -> Vec<String> {
        self.entries
            .iter()
            .filter(|e| e.warn)
            .map(|e| e.warning(self.size_warn_percent))
            .collect()
    }
}

#[cfg(test)]
mod tests;
