//! A run that builds part of the matrix (`--target T`, `-p PKG`, or a target this machine
//! skips) must not lose the rest of a release already in the out dir: adding or rebuilding
//! one target keeps every other target's archive, and its entry in the manifest and in
//! `SHA256SUMS`. Only what is provably crossdock's is kept (see [`Record::owned`]: the
//! file's hash is what crossdock recorded, outside the out dir, that it wrote) and still
//! what the old manifest entry says, so a kept entry never lies.

use std::collections::BTreeSet;

use crate::package::manifest::{ArtifactEntry, Manifest};
use crate::package::ownership::Record;
use crate::plan::Plan;

/// The previous run's archives that this run keeps as they are: those of a package and
/// target this run does not produce, when this run covers only part of the matrix (or
/// skips that target), at the version this run ships of that package (another version is
/// an older release, which a new one replaces), still byte-for-byte what was recorded.
pub fn previous_archives(
    plan: &Plan,
    previous: Option<&Manifest>,
    record: &Record,
) -> Vec<ArtifactEntry> {
    let Some(previous) = previous else {
        return Vec::new();
    };
    let produced: BTreeSet<(&str, &str)> = plan
        .artifacts
        .iter()
        .map(|a| (a.package.as_str(), a.target.as_str()))
        .chain(
            plan.universals
                .iter()
                .map(|u| (u.package.as_str(), u.name.as_str())),
        )
        .collect();
    let skipped: BTreeSet<&str> = plan.skipped.iter().map(|s| s.target.as_str()).collect();
    let version_now = |package: &str| {
        plan.artifacts
            .iter()
            .map(|a| (&a.package, &a.version))
            .chain(plan.universals.iter().map(|u| (&u.package, &u.version)))
            .find(|(p, _)| p.as_str() == package)
            .map(|(_, v)| v.as_str())
    };
    // An npm package carries package.json's version, not the crate's.
    let npm_version_now = |package: &str| {
        plan.node_packages
            .iter()
            .find(|n| n.package == package)
            .map(|n| n.npm_version.as_str())
    };
    previous
        .artifacts
        .iter()
        // A Node module's platform package is kept like an archive (the root has no
        // target: every run writes it anew, naming the platforms it built).
        // So is an SBOM of a package and target this run does not build.
        .filter(|a| {
            use crate::package::manifest::ArtifactKind as K;
            a.kind.is_archive() || matches!(a.kind, K::NpmPackage | K::Sbom)
        })
        .filter(|a| {
            let (Some(package), Some(target)) = (a.package.as_deref(), a.target.as_deref()) else {
                return false;
            };
            !produced.contains(&(package, target))
                && (plan.partial || skipped.contains(target))
                && match a.kind {
                    crate::package::manifest::ArtifactKind::NpmPackage => {
                        npm_version_now(package).is_none_or(|v| Some(v) == a.version.as_deref())
                    }
                    _ => version_now(package).is_none_or(|v| Some(v) == a.version.as_deref()),
                }
                && record
                    .owned_as(&plan.out_dir, &a.name)
                    .is_some_and(|(size, sha)| size == a.size && sha == a.sha256)
        })
        .cloned()
        .collect()
}
