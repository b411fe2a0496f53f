//! `verify`'s decisions, pure: from a downloaded release (its manifest, `SHA256SUMS` and
//! the hashes of its files) and what this repository knows, the files to rebuild and
//! compare, or why the release cannot be rebuilt; then, from what the rebuild wrote, the
//! report: each file identical or where it differs, and which recorded input (rustc,
//! builder, profile) differs from the rebuild's.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::package::archive_diff::Difference;
use crate::package::manifest::{ArtifactKind, BuildRecord, Manifest};

/// The downloaded release, as read.
#[derive(Debug)]
pub struct Release {
    pub manifest: Manifest,
    /// `SHA256SUMS`: file name → SHA-256.
    pub sums: BTreeMap<String, String>,
    /// The SHA-256 of each file of the manifest that is in the release's folder.
    pub present: BTreeMap<String, String>,
}

/// What this machine's repository knows.
#[derive(Debug)]
pub struct Here {
    /// The release's commit is in this repository.
    pub commit_known: bool,
}

/// What `verify` rebuilds and which files it compares.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyPlan {
    pub commit: String,
    pub source_date_epoch: u64,
    /// The targets rebuilt, in the manifest's order.
    pub targets: Vec<String>,
    pub files: Vec<FileCheck>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileCheck {
    pub name: String,
    pub target: String,
    pub kind: ArtifactKind,
    /// The release's file is in its folder, and its hash is the one `SHA256SUMS` gives.
    pub present: bool,
    pub matches_sums: bool,
    #[serde(skip)]
    pub recorded: Option<BuildRecord>,
}

/// Why a release cannot be verified here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NoCommit,
    Dirty { commit: String },
    UnknownCommit { commit: String },
    UnknownTarget { target: String, known: Vec<String> },
    NothingToCheck,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::NoCommit => write!(f, "the release's dist-manifest.json records no commit (it was built outside a git checkout), so there is nothing to rebuild it from; release from a git checkout (`cargo crossdock release` tags one)"),
            Refusal::Dirty { commit } => write!(f, "the release was built from a tree with uncommitted changes (`dirty: true` in dist-manifest.json): commit {commit} does not hold the sources it was built from, so no rebuild can reproduce it; build releases from a clean tree (`cargo crossdock release` refuses a dirty one)"),
            Refusal::UnknownCommit { commit } => write!(f, "the release's commit {commit} is not in this repository; fetch it (`git fetch origin <tag>`, or `git fetch origin {commit}`) or run verify in a clone of the project that made the release"),
            Refusal::UnknownTarget { target, known } => write!(f, "--target {target}: the release has no archive for it (it has: {}); drop it or pick one of those", known.join(", ")),
            Refusal::NothingToCheck => write!(f, "the release has no archive verify can rebuild (thin archives and what is made from them: .deb, .rpm, debuginfo, npm platform packages; universal archives are checked through their member targets)"),
        }
    }
}

impl std::error::Error for Refusal {}

/// The files `verify` rebuilds: those made from one target's build.
fn rebuildable(kind: ArtifactKind) -> bool {
    matches!(
        kind,
        ArtifactKind::Archive
            | ArtifactKind::Debuginfo
            | ArtifactKind::UnversionedCopy
            | ArtifactKind::Deb
            | ArtifactKind::Rpm
            | ArtifactKind::NpmPackage
    )
}

/// The files to compare for `targets` (all of the release's when empty).
pub fn plan(release: &Release, here: &Here, targets: &[String]) -> Result<VerifyPlan, Refusal> {
    let m = &release.manifest;
    let Some(commit) = m.commit.clone() else {
        return Err(Refusal::NoCommit);
    };
    if m.dirty {
        return Err(Refusal::Dirty { commit });
    }
    if !here.commit_known {
        return Err(Refusal::UnknownCommit { commit });
    }
    let candidates: Vec<_> = m
        .artifacts
        .iter()
        .filter(|a| rebuildable(a.kind))
        .filter_map(|a| a.target.clone().map(|t| (a, t)))
        .collect();
    let mut known: Vec<String> = Vec::new();
    for (_, t) in &candidates {
        if !known.contains(t) {
            known.push(t.clone());
        }
    }
    if let Some(t) = targets.iter().find(|t| !known.contains(t)) {
        return Err(Refusal::UnknownTarget {
            target: t.clone(),
            known,
        });
    }
    let chosen: Vec<String> = known
        .into_iter()
        .filter(|t| targets.is_empty() || targets.contains(t))
        .collect();
    // Files made from a target's build carry no build record of their own: its archive's.
    let record_of = |target: &str| {
        m.artifacts
            .iter()
            .filter(|a| a.target.as_deref() == Some(target))
            .find_map(|a| a.build.clone())
    };
    let files: Vec<FileCheck> = candidates
        .iter()
        .filter(|(_, t)| chosen.contains(t))
        .map(|(a, t)| {
            let present = release.present.get(&a.name);
            FileCheck {
                name: a.name.clone(),
                target: t.clone(),
                kind: a.kind,
                present: present.is_some(),
                matches_sums: present.is_some() && present == release.sums.get(&a.name),
                recorded: a.build.clone().or_else(|| record_of(t)),
            }
        })
        .collect();
    if files.is_empty() {
        return Err(Refusal::NothingToCheck);
    }
    Ok(VerifyPlan {
        commit,
        source_date_epoch: m.source_date_epoch,
        targets: chosen,
        files,
    })
}

/// What the rebuild made of one file.
#[derive(Debug, Clone)]
pub enum Rebuilt {
    Same,
    Differs(Difference),
    /// The rebuild wrote no file of that name.
    NotMade,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Identical,
    Differs,
    /// The release's folder lacks the file.
    Missing,
    /// The rebuild made no such file (another targets.toml, archive name or format).
    NotRebuilt,
}

impl Status {
    /// The status word of its line, as cargo prints one.
    pub fn word(self) -> &'static str {
        match self {
            Status::Identical => "Identical",
            Status::Differs => "Differs",
            Status::Missing => "Missing",
            Status::NotRebuilt => "Not rebuilt",
        }
    }
}

/// A recorded input of the release that the rebuild did not share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InputDiff {
    pub target: String,
    /// `rustc`, `builder` or `profile`; `build record` when the release records none.
    pub input: String,
    pub release: String,
    pub here: String,
}

impl fmt::Display for InputDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} differs for {}: the release's is `{}`, this rebuild's `{}`",
            self.input, self.target, self.release, self.here
        )
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub name: String,
    pub target: String,
    pub status: Status,
    /// The release's file has the hash `SHA256SUMS` gives.
    pub matches_sums: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference: Option<Difference>,
}

impl FileReport {
    /// The rest of its line after the status word.
    pub fn detail(&self) -> String {
        let mut s = self.name.clone();
        if let Some(d) = &self.difference {
            match &d.member {
                Some(m) if m.what == "content" => s.push_str(&format!(
                    ": member `{}` differs at byte {} (file byte {})",
                    m.name,
                    m.offset.unwrap_or(0),
                    d.file_offset
                )),
                Some(m) if m.what == "none" => s.push_str(&format!(
                    ": every member is the same, the compressed bytes differ at byte {}",
                    d.file_offset
                )),
                Some(m) if m.what == "missing" => s.push_str(&format!(
                    ": member `{}` is in only one of the two (file byte {})",
                    m.name, d.file_offset
                )),
                Some(m) => s.push_str(&format!(
                    ": member `{}`: its {} differs (file byte {})",
                    m.name, m.what, d.file_offset
                )),
                None => s.push_str(&format!(": differs at byte {}", d.file_offset)),
            }
        }
        if self.status == Status::NotRebuilt {
            s.push_str(": the rebuild made no file of this name");
        }
        if self.status != Status::Missing && !self.matches_sums {
            s.push_str(" (and the release's file does not match its SHA256SUMS line)");
        }
        s
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub commit: String,
    pub source_date_epoch: u64,
    pub files: Vec<FileReport>,
    /// Recorded inputs the rebuild did not share: why a file may differ.
    pub inputs: Vec<InputDiff>,
    pub identical: usize,
    pub not_identical: usize,
}

impl Report {
    /// Every checked file is identical (and there was one).
    pub fn ok(&self) -> bool {
        self.not_identical == 0 && self.identical > 0
    }
}

/// The report of a rebuild (`rebuilt`: the rebuild's manifest; `outcomes`: each planned
/// file's comparison, by name).
pub fn judge(
    plan: &VerifyPlan,
    rebuilt: &Manifest,
    outcomes: &BTreeMap<String, Rebuilt>,
) -> Report {
    let files: Vec<FileReport> = plan
        .files
        .iter()
        .map(|f| {
            let (status, difference) = match (f.present, outcomes.get(&f.name)) {
                (false, _) => (Status::Missing, None),
                (true, Some(Rebuilt::Same)) => (Status::Identical, None),
                (true, Some(Rebuilt::Differs(d))) => (Status::Differs, Some(d.clone())),
                (true, Some(Rebuilt::NotMade) | None) => (Status::NotRebuilt, None),
            };
            FileReport {
                name: f.name.clone(),
                target: f.target.clone(),
                status,
                matches_sums: f.matches_sums,
                difference,
            }
        })
        .collect();
    let mut inputs = Vec::new();
    for t in &plan.targets {
        let here = rebuilt
            .artifacts
            .iter()
            .filter(|a| a.target.as_deref() == Some(t.as_str()))
            .find_map(|a| a.build.clone());
        let release = plan
            .files
            .iter()
            .filter(|f| f.target == *t)
            .find_map(|f| f.recorded.clone());
        match (release, here) {
            (Some(r), Some(h)) => {
                for (input, a, b) in [
                    ("rustc", &r.rustc, &h.rustc),
                    ("builder", &r.builder, &h.builder),
                    ("profile", &r.profile, &h.profile),
                ] {
                    if a != b {
                        inputs.push(InputDiff {
                            target: t.clone(),
                            input: input.into(),
                            release: a.clone(),
                            here: b.clone(),
                        });
                    }
                }
            }
            (None, Some(h)) => inputs.push(InputDiff {
                target: t.clone(),
                input: "build record".into(),
                release: "not recorded (an older crossdock made the release)".into(),
                here: format!("{}, {}, profile {}", h.rustc, h.builder, h.profile),
            }),
            _ => {}
        }
    }
    let identical = files
        .iter()
        .filter(|f| f.status == Status::Identical)
        .count();
    Report {
        commit: plan.commit.clone(),
        source_date_epoch: plan.source_date_epoch,
        not_identical: files.len() - identical,
        files,
        inputs,
        identical,
    }
}

#[cfg(test)]
mod tests;
