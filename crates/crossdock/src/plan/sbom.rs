//! `sbom = true`: each package's binaries for each target get `NAME-VERSION-TARGET.cdx.json`,
//! a CycloneDX SBOM of the crates they are made from. The plan picks, from the graph the
//! facts resolved for that target and its features, the crates the package reaches
//! (`model::deps`); the executor only renders and writes them (`package/sbom.rs`).

use serde::Serialize;

use super::{Artifact, PlanError, Problem};
use crate::facts::deps::DepsKey;
use crate::facts::Facts;
use crate::model::deps::Shipped;
use crate::model::triple::Triple;
use crate::read::config::Target;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct PlannedSbom {
    /// `{package}-{version}-{target}.cdx.json`
    pub file_name: String,
    pub package: String,
    pub version: String,
    pub target: Triple,
    /// The build's `--features` and `--no-default-features`, recorded in the SBOM.
    pub features: Vec<String>,
    pub no_default_features: bool,
    /// The crates, the package first; in `--dry-run --json` as `NAME VERSION` (with
    /// ` (host)` for one compiled for the host only).
    #[serde(rename = "crates", serialize_with = "crate_names")]
    pub shipped: Shipped,
}

fn crate_names<S: serde::Serializer>(shipped: &Shipped, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(shipped.crates.iter().map(|(c, u)| match u {
        crate::model::deps::Use::Target => format!("{} {}", c.name, c.version),
        crate::model::deps::Use::Host => format!("{} {} (host)", c.name, c.version),
    }))
}

impl PlannedSbom {
    /// How many crates it lists, the package's own included: in the binary, and compiled
    /// for the host only.
    pub fn counts(&self) -> (usize, usize) {
        let host = self
            .shipped
            .crates
            .iter()
            .filter(|(_, u)| *u == crate::model::deps::Use::Host)
            .count();
        (self.shipped.crates.len() - host, host)
    }
}

/// One SBOM per package and target among `artifacts` (a target with several formats has
/// one), for the targets with `sbom = true`.
pub fn plan_sboms(
    targets: &[&Target],
    artifacts: &[Artifact],
    facts: &Facts,
    problems: &mut Vec<Problem>,
) -> Result<Vec<PlannedSbom>, PlanError> {
    let mut out: Vec<PlannedSbom> = Vec::new();
    for a in artifacts {
        let Some(t) = targets.iter().find(|t| t.triple == a.target && t.sbom) else {
            continue;
        };
        let file_name = format!("{}-{}-{}.cdx.json", a.package, a.version, a.target);
        if out.iter().any(|s| s.file_name == file_name) {
            continue;
        }
        let Some(graph) = graph_of(t, facts, problems)? else {
            continue;
        };
        let shipped = graph.shipped_by(&a.package).ok_or_else(|| {
            PlanError::Sbom(format!(
                "{file_name}: cargo's dependency graph for {} has no workspace package {}; run `cargo metadata --filter-platform {}` to see why",
                a.target, a.package, a.target
            ))
        })?;
        out.push(PlannedSbom {
            file_name,
            package: a.package.clone(),
            version: a.version.clone(),
            target: a.target.clone(),
            features: t.features.clone(),
            no_default_features: t.no_default_features,
            shipped,
        });
    }
    Ok(out)
}

/// `target`'s resolved graph; when cargo could not resolve it, none, and a problem for the
/// target (once), so that a run without `--target` skips it like any target that cannot
/// build here.
pub(super) fn graph_of<'f>(
    target: &Target,
    facts: &'f Facts,
    problems: &mut Vec<Problem>,
) -> Result<Option<&'f crate::model::deps::DepGraph>, PlanError> {
    match facts.dependency_graphs.get(&DepsKey::of(target)) {
        Some(Ok(g)) => Ok(Some(g)),
        Some(Err(why)) => {
            let known = problems.iter().any(
                |p| matches!(p, Problem::DependencyGraph { target: t, .. } if *t == target.triple),
            );
            if !known {
                problems.push(Problem::DependencyGraph {
                    target: target.triple.clone(),
                    error: why.clone(),
                    config: target.sources.shared.clone(),
                });
            }
            Ok(None)
        }
        None => Err(PlanError::Sbom(format!(
            "internal: no dependency graph was resolved for {}",
            target.triple
        ))),
    }
}
