//! The `[[universal]]` groups whose members all build in this run: one fat archive per
//! package and format, its slices taken from the members' build steps, the lipo chosen.

use super::build::Run;
use super::*;

/// Each group's archives; the members' thin archives go from `artifacts` with
/// `keep-thin = false`. A group with a member this run does not build is left to `merge`.
pub(super) fn plan_universals(
    run: &Run,
    targets: &[&Target],
    builds: &[BuildStep],
    artifacts: &mut Vec<Artifact>,
    problems: &mut Vec<Problem>,
) -> Vec<UniversalArtifact> {
    let selected: BTreeSet<&str> = targets.iter().map(|t| t.triple.as_str()).collect();
    // The one place a triple leads to its build step.
    let build_of: BTreeMap<&str, BuildIdx> = builds
        .iter()
        .enumerate()
        .map(|(i, b): (usize, &BuildStep)| (b.target.as_str(), BuildIdx(i)))
        .collect();
    let mut universals = Vec::new();
    for u in &run.config.universals {
        if !u.targets.iter().all(|(t, _)| selected.contains(t.as_str())) {
            continue; // built later by `merge` from the per-target outputs
        }
        let lipo = resolve_lipo(u.tool, &run.facts.tools);
        if lipo.is_none() {
            problems.push(Problem::LipoMissing {
                universal: u.name.clone(),
                tool: u.tool,
                config: crate::read::config::Sources::name_of(&run.config.path),
            });
        }
        let lipo = lipo.unwrap_or(Lipo::Builtin);
        for (p, format) in run.packages.iter().flat_map(|p| {
            universal_formats(run.config, u)
                .iter()
                .map(move |f| (p, *f))
        }) {
            let names = ArtifactNames::new(
                &run.config.naming,
                &p.name,
                &p.version,
                &u.name,
                true,
                format,
            );
            universals.push(UniversalArtifact {
                file_name: names.file_name,
                top_dir: names.top_dir,
                unversioned: names.unversioned,
                format,
                package: p.name.clone(),
                version: p.version.clone(),
                name: u.name.clone(),
                manifest_path: p.manifest_dir.join("Cargo.toml"),
                members: u.targets.iter().map(|(t, _)| t.clone()).collect(),
                // A member without a build step (its toolchain is broken) has a problem
                // that stops the run, or is skipped with the group.
                member_builds: u
                    .targets
                    .iter()
                    .filter_map(|(t, _)| build_of.get(t.as_str()).copied())
                    .collect(),
                tool: u.tool,
                lipo: lipo.clone(),
                // Static archives are not fused: they ship in the thin archives.
                binaries: shipped_files(p, &u.targets[0].0, run.ship_libs)
                    .into_iter()
                    .filter(|b| b.kind.is_loadable() && b.kind != ArtifactKind::ImportLibrary)
                    .collect(),
                includes: run.facts.includes.get(&p.name).cloned().unwrap_or_default(),
            });
            if !u.keep_thin {
                artifacts.retain(|a| {
                    !(a.package == p.name && u.targets.iter().any(|(t, _)| *t == a.target))
                });
            }
        }
    }
    universals
}
