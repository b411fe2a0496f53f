//! Walks a [`Plan`]: build each target, verify and smoke-run every binary, then hand the
//! verified binaries to `exec::pack` as steps (thin archives in parallel, universal
//! binaries fused, checksums and the manifest).
//! Nothing is written under a final name until it is complete, and only files the record
//! kept outside the out dir proves crossdock's are ever replaced or removed
//! (`package::ownership`, `exec::out_dir`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};

use crate::exec::backend::{Backend, Cargo};
use crate::exec::lock;
use crate::exec::out_dir;
use crate::exec::pack::{self, PackStep};
use crate::exec::stages::{self, InFlight, StageError};
use crate::model::artifact::ArtifactKind;
use crate::package::archive::{Entry, Source, MODE_FILE};
use crate::package::manifest::{Manifest, NpmName, PackageEntry};
use crate::package::ownership::Record;
use crate::plan::{BuildIdx, Failed, FailedStep, Plan};
use crate::sys::shell;

pub use crate::exec::pack::Ready;

/// Fails with every problem of the plan at once.
pub fn check_problems(plan: &Plan) -> Result<()> {
    if plan.problems.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = plan.problems.iter().map(|p| format!("  - {p}")).collect();
    bail!(
        "cannot start: {} problem(s) found before building (run `cargo crossdock doctor` for details):\n{}",
        plan.problems.len(),
        list.join("\n")
    )
}

/// The user's sources the out dir must stay out of (`exec::out_dir`).
fn sources(plan: &Plan) -> out_dir::Sources {
    let mut packages: Vec<(String, PathBuf)> = plan
        .artifacts
        .iter()
        .filter_map(|a| Some((a.package.clone(), a.manifest_path.parent()?.to_path_buf())))
        .collect();
    packages.dedup();
    out_dir::Sources {
        workspace_root: Some(plan.workspace_root.clone()),
        packages,
        current_dir: None,
    }
}

/// Every file name this run may write into the out dir, known before building.
fn names_written(plan: &Plan) -> Vec<String> {
    let archives = plan
        .artifacts
        .iter()
        .flat_map(|a| std::iter::once(&a.file_name).chain(&a.unversioned))
        .chain(
            plan.universals
                .iter()
                .flat_map(|u| std::iter::once(&u.file_name).chain(&u.unversioned)),
        )
        .cloned();
    let tarballs = plan.node_packages.iter().flat_map(|n| n.tarballs());
    let source = plan.source_archive.iter().map(|s| s.file_name.clone());
    let mut names =
        out_dir::names_written(archives.chain(tarballs).chain(source), &plan.installers);
    names.extend(plan.sign.map(|s| s.file_name().to_string()));
    names
}

pub fn execute(plan: &Plan) -> Result<Manifest> {
    execute_with(plan, &Cargo)
}

/// [`execute`] with the builds, smoke runs and debug-info splits done by `backend`.
pub fn execute_with(plan: &Plan, backend: &dyn Backend) -> Result<Manifest> {
    check_problems(plan)?;
    // The signing key before anything is built: a missing one fails at once.
    let signer = crate::exec::sign::load(plan.sign)?;
    // sccache's counters are read while the locks are taken and std is checked; waited
    // for before the first build, so they hold nothing of this run.
    let cache_before = crate::exec::cache::start(plan);
    out_dir::check_place(&plan.out_dir, &sources(plan))?;
    crate::exec::installers::check_epoch(&plan.installers, plan.source_date_epoch)?;
    // Both locks before anything in the out dir is touched (interrupted-run cleanup too).
    let _out_lock = lock::acquire_out_dir(&plan.out_dir)?;
    let _lock = lock::acquire(&plan.target_dir)?;
    pack::prepare_out_dir(&plan.out_dir)?;
    let previous = Manifest::previous(&plan.out_dir);
    let record = Record::load(crate::sys::fs::state_dir().as_deref(), &plan.out_dir);
    out_dir::check_overwrites(&plan.out_dir, &names_written(plan), &record, plan.force)?;

    // Every target's std before the first long build, so a missing one fails fast.
    let mut failed: Vec<(BuildIdx, Failed)> = Vec::new();
    for (i, step) in plan.builds.iter().enumerate() {
        if let Err(e) = backend.ensure_std(step) {
            keep_going(plan, BuildIdx(i), FailedStep::Std, e, &mut failed)?;
        }
    }
    let mut ready = Ready::new();
    if let Some(why) = &plan.jobs_reason {
        shell::note("Limiting", format!("cargo to -j {}: {why}", plan.jobs));
    }
    let cache_before = cache_before.wait();
    build_all(plan, backend, &mut ready, &mut failed)?;
    // Read while the archives are written: every build has ended.
    let cache_after = crate::exec::cache::start(plan);
    // With --keep-going: package what worked.
    let failed = failed.into_iter().map(|(_, f)| f).collect();
    let (plan, failed) = plan.clone().without_failed(failed);
    let plan = &plan;

    let jobs = if plan.jobs > 0 {
        plan.jobs
    } else {
        std::thread::available_parallelism().map_or(2, |n| n.get())
    };
    shell::status(
        "Packaging",
        format!(
            "{} archive(s) in {}",
            plan.artifacts.len() + plan.universals.len(),
            plan.out_dir.display()
        ),
    );
    let mut steps = pack_steps(plan, &ready);
    let packages = plan
        .artifacts
        .iter()
        .map(|a| (a.package.clone(), a.version.clone()))
        .chain(
            plan.universals
                .iter()
                .map(|u| (u.package.clone(), u.version.clone())),
        )
        .map(|(name, version)| PackageEntry {
            npm: plan
                .node_packages
                .iter()
                .find(|n| n.package == name && !n.platforms.is_empty())
                .map(|n| NpmName {
                    name: n.npm_name.clone(),
                    version: n.npm_version.clone(),
                }),
            name,
            version,
        })
        .collect::<Vec<_>>();
    let kept = crate::exec::kept::previous_archives(plan, previous.as_ref(), &record);
    if !kept.is_empty() {
        let names: Vec<&str> = kept.iter().map(|a| a.name.as_str()).collect();
        steps.push(PackStep::Note {
            label: "Kept",
            text: format!(
                "{} archive(s) of targets this run does not build: {}",
                kept.len(),
                names.join(", ")
            ),
        });
    }
    let packages = packages
        .into_iter()
        .chain(kept.iter().filter_map(|a| {
            Some(PackageEntry {
                name: a.package.clone()?,
                version: a.version.clone()?,
                npm: None,
            })
        }))
        .collect();
    steps.extend(kept.into_iter().map(PackStep::Keep));
    let mut manifest = Manifest::new(plan.commit.clone(), plan.source_date_epoch);
    manifest.packages = packages;
    manifest.skipped = plan.skipped.clone();
    manifest.failed = failed;
    manifest.dirty = plan.dirty;
    manifest.installers = plan.installers.clone();
    let out = pack::Out {
        dir: &plan.out_dir,
        epoch: plan.source_date_epoch,
        previous: previous.as_ref(),
        record,
        jobs,
        scratch_in: &plan.target_dir,
        signer: signer.as_ref(),
    };
    let manifest = pack::run(&steps, &out, manifest)?;
    crate::exec::cache::report(plan, cache_before, cache_after);
    Ok(manifest)
}

/// What the run writes, from the verified binaries: each thin archive, then each universal
/// archive (its binaries' slices from the member builds, in member order).
fn pack_steps(plan: &Plan, ready: &Ready) -> Vec<PackStep> {
    let thin = plan.artifacts.iter().map(|a| {
        PackStep::Thin(pack::Thin {
            artifact: a.clone(),
            binaries: ready[&(a.build, a.manifest_path.clone())].clone(),
            profile_overrides: plan.build(a.build).profile_overrides.clone(),
            build: Some(crate::package::manifest::BuildRecord {
                rustc: plan.build(a.build).rustc_version.clone(),
                builder: plan.build(a.build).builder.name().to_string(),
                profile: plan.profile.clone(),
            }),
        })
    });
    let universal = plan.universals.iter().map(|u| {
        let mut slices: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
        let mut stripped: Vec<(String, Option<u64>)> = Vec::new();
        for build in &u.member_builds {
            for b in &ready[&(*build, u.manifest_path.clone())] {
                // A universal archive fuses binaries and shared libraries only.
                if !u.binaries.contains(&b.planned) {
                    continue;
                }
                slices
                    .entry(b.planned.archive_path())
                    .or_default()
                    .push(b.path.clone());
                stripped.push((
                    b.planned.archive_path(),
                    b.unstripped_size.map(|n| n.saturating_sub(b.size)),
                ));
            }
        }
        let includes: Vec<Entry> = u
            .includes
            .iter()
            .map(|i| Entry {
                name: i.dest.clone(),
                source: Source::File(i.source.clone()),
                mode: MODE_FILE,
            })
            .collect();
        PackStep::Fuse(pack::Fuse {
            universal: u.clone(),
            slices,
            stripped: crate::package::manifest::stripped_away(stripped),
            includes,
        })
    });
    let source = plan.source_archive.iter().map(|s| PackStep::Source {
        archive: s.clone(),
        root: plan.workspace_root.clone(),
    });
    let sboms = plan.sboms.iter().cloned().map(PackStep::Sbom);
    thin.chain(universal)
        .chain(node_steps(plan, ready))
        .chain(sboms)
        .chain(source)
        .collect()
}

/// The npm packages of each Node module, from the verified cdylib of each of its archives
/// (found by the archive's build step) and the slices of each universal group.
fn node_steps<'p>(plan: &'p Plan, ready: &'p Ready) -> impl Iterator<Item = PackStep> + 'p {
    let cdylib = move |build: BuildIdx, manifest: &PathBuf| -> Option<PathBuf> {
        ready
            .get(&(build, manifest.clone()))?
            .iter()
            .find(|b| b.planned.kind == crate::model::artifact::ArtifactKind::Cdylib)
            .map(|b| b.path.clone())
    };
    plan.node_packages.iter().flat_map(move |n| {
        let mut modules = Vec::new();
        for a in plan.artifacts.iter().filter(|a| a.package == n.package) {
            if let (Some(platform), Some(file)) =
                (n.platform(&a.target), cdylib(a.build, &a.manifest_path))
            {
                modules.push(pack::NpmModule {
                    target: a.target.to_string(),
                    platform: platform.clone(),
                    source: pack::ModuleSource::File(file),
                });
            }
        }
        for u in plan.universals.iter().filter(|u| u.package == n.package) {
            let slices: Option<Vec<PathBuf>> = u
                .member_builds
                .iter()
                .map(|b| cdylib(*b, &u.manifest_path))
                .collect();
            if let (Some(platform), Some(slices)) = (n.platform(&u.name), slices) {
                modules.push(pack::NpmModule {
                    target: u.name.clone(),
                    platform: platform.clone(),
                    source: pack::ModuleSource::Fat {
                        lipo: u.lipo.clone(),
                        slices,
                    },
                });
            }
        }
        let note = n
            .note
            .iter()
            .chain(&n.root_note())
            .map(|text| PackStep::Note {
                label: "Note",
                text: text.clone(),
            })
            .collect::<Vec<_>>();
        let npm = (!modules.is_empty()).then(|| {
            PackStep::Npm(pack::Npm {
                node: n.clone(),
                modules,
            })
        });
        note.into_iter().chain(npm)
    })
}

/// Builds, checks and smoke-runs every target not failed yet, `plan.parallel_targets`
/// builds at once (a build group's one cargo counting as one; each smoke run as soon as its
/// target is built). Without `--keep-going` the first failure (in plan order) is the run's
/// error and no further target starts; the failures are recorded in plan order whatever
/// order the builds finished in, so that the summary and the manifest of a parallel run are
/// those of a serial one.
fn build_all(
    plan: &Plan,
    backend: &dyn Backend,
    ready: &mut Ready,
    failed: &mut Vec<(BuildIdx, Failed)>,
) -> Result<()> {
    let todo: Vec<BuildIdx> = (0..plan.builds.len())
        .map(BuildIdx)
        .filter(|i| !failed.iter().any(|(f, _)| f == i))
        .collect();
    let units = units(plan, &todo);
    for g in &plan.build_groups {
        let targets: Vec<&str> = g.targets.iter().map(|t| t.as_str()).collect();
        shell::note(
            "Parallel",
            format!(
                "{} in one cargo build (the host's crates built once)",
                targets.join(", ")
            ),
        );
    }
    if plan.parallel_targets > 1 {
        let what = if plan.build_groups.is_empty() {
            "targets at once, each with its own target dir"
        } else {
            "builds at once, each target outside a group with its own target dir"
        };
        shell::note(
            "Parallel",
            format!(
                "{} {what} under {}",
                plan.parallel_targets.min(units.len()),
                plan.target_dir.join("crossdock/parallel").display()
            ),
        );
    }
    if let Some(why) = &plan.parallel_reason {
        shell::note("Limiting", why);
    }
    let first_new = failed.len();
    let failures = std::sync::Mutex::new(std::mem::take(failed));
    let stop = std::sync::atomic::AtomicBool::new(false);
    let fail = |i: BuildIdx, what: FailedStep, e: anyhow::Error| {
        let mut failures = failures.lock().expect("failures lock");
        let recorded = keep_going(plan, i, what, e, &mut failures);
        if recorded.is_err() {
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        recorded
    };
    let results =
        crate::exec::jobs::parallel(&units, plan.parallel_targets, |unit| -> Result<Ready> {
            let mut built = Ready::new();
            if stop.load(std::sync::atomic::Ordering::SeqCst) {
                return Ok(built);
            }
            let prebuilt = match build_group(plan, backend, unit) {
                Ok(p) => p,
                // One cargo for all: with --keep-going, each target builds again on its own, so
                // that the failing one is recorded and the others ship.
                Err(e) if plan.keep_going => {
                    shell::warn(format!(
                    "{}; building its targets one at a time to find the failing one (--keep-going)",
                    e.to_string().lines().next().unwrap_or("")
                ));
                    vec![None; unit.len()]
                }
                Err(e) => {
                    fail(unit[0], FailedStep::Build, e)?;
                    return Ok(built);
                }
            };
            for (&i, exes) in unit.iter().zip(prebuilt) {
                if stop.load(std::sync::atomic::Ordering::SeqCst) {
                    break;
                }
                let step = plan.build(i);
                match build_target(plan, backend, i, exes, &mut built) {
                    Ok(()) => {
                        if let Some(why) = step.smoke().and_then(|s| s.skipped.as_ref()) {
                            shell::note(
                                "Skipping",
                                format!("smoke run for {}: {why}", step.target),
                            );
                        }
                    }
                    Err((what, e)) => fail(i, what, e)?,
                }
            }
            Ok(built)
        });
    *failed = failures.into_inner().expect("failures lock");
    failed[first_new..].sort_by_key(|(i, _)| *i);
    for r in results {
        ready.extend(r?);
    }
    Ok(())
}

/// The builds of `todo` as they run at once: each build group whose members are all still to
/// build as one unit (its one cargo), every other build on its own (a group that lost a
/// member to a failed std builds its others with their own invocations, one by one).
fn units(plan: &Plan, todo: &[BuildIdx]) -> Vec<Vec<BuildIdx>> {
    let mut units: Vec<Vec<BuildIdx>> = Vec::new();
    for &i in todo {
        let whole = plan
            .build(i)
            .group
            .filter(|&g| plan.build_groups[g].builds.iter().all(|b| todo.contains(b)));
        match whole {
            Some(g) if plan.build_groups[g].builds[0] != i => {}
            Some(g) => units.push(plan.build_groups[g].builds.clone()),
            None => units.push(vec![i]),
        }
    }
    units
}

/// For a unit that is a whole build group: its one cargo, and what it built for each member;
/// otherwise nothing yet (each member builds on its own).
fn build_group(
    plan: &Plan,
    backend: &dyn Backend,
    unit: &[BuildIdx],
) -> Result<Vec<Option<crate::exec::build::Executables>>> {
    let group = (unit.len() > 1)
        .then(|| plan.build(unit[0]).group)
        .flatten();
    let Some(g) = group else {
        return Ok(vec![None; unit.len()]);
    };
    let targets: Vec<&str> = plan.build_groups[g]
        .targets
        .iter()
        .map(|t| t.as_str())
        .collect();
    shell::status(
        "Building",
        format!(
            "{} for {} (one cargo)",
            plan.build(unit[0]).packages.join(", "),
            targets.join(", ")
        ),
    );
    Ok(backend
        .build_group(plan, g)?
        .into_iter()
        .map(Some)
        .collect())
}

/// A failed step: the run's error, or with `--keep-going` a recorded failure.
fn keep_going(
    plan: &Plan,
    build: BuildIdx,
    what: FailedStep,
    e: anyhow::Error,
    failed: &mut Vec<(BuildIdx, Failed)>,
) -> Result<()> {
    if !plan.keep_going {
        return Err(e);
    }
    let f = Failed::new(&plan.build(build).target, what, &format!("{e:#}"));
    shell::warn(format!(
        "{}: {} failed, going on with the other targets (--keep-going): {}",
        f.target,
        what.name(),
        f.error.lines().next().unwrap_or("")
    ));
    failed.push((build, f));
    Ok(())
}

/// Builds one target (unless its group's cargo did: `prebuilt`), then runs the plan's stages
/// (split, check, smoke run) on each of its binaries into `ready`; an error says which of
/// these failed.
fn build_target(
    plan: &Plan,
    backend: &dyn Backend,
    build: BuildIdx,
    prebuilt: Option<crate::exec::build::Executables>,
    ready: &mut Ready,
) -> std::result::Result<(), StageError> {
    let step = plan.build(build);
    let mut exes = match prebuilt {
        Some(exes) => exes,
        None => {
            shell::status(
                "Building",
                format!("{} for {}", step.packages.join(", "), step.target),
            );
            backend
                .build(plan, build, &step.cargo)
                .map_err(|e| (FailedStep::Build, e))?
        }
    };
    for l in &step.library_builds {
        shell::status(
            "Building",
            format!("{} for {} apart: {}", l.package, step.target, l.why),
        );
        // Its files replace any the main build made of that package.
        exes.extend(
            backend
                .build(plan, build, &l.cargo)
                .map_err(|e| (FailedStep::Build, e))?,
        );
    }
    for (manifest_path, binaries, package) in plan
        .artifacts
        .iter()
        .filter(|a| a.build == build)
        .map(|a| (&a.manifest_path, &a.binaries, &a.package))
        .chain(
            plan.universals
                .iter()
                .filter(|u| u.member_builds.contains(&build))
                .map(|u| (&u.manifest_path, &u.binaries, &u.package)),
        )
    {
        let key = (build, manifest_path.clone());
        if ready.contains_key(&key) {
            continue;
        }
        let mut list = Vec::new();
        for b in binaries {
            let path = exes
                .get(&(manifest_path.clone(), b.key()))
                .with_context(|| match b.kind {
                    ArtifactKind::Binary => format!(
                        "cargo reported no executable `{}` of package `{package}` for {}",
                        b.name, step.target
                    ),
                    kind => format!(
                        "cargo reported no {} `{}` of package `{package}` for {} (is `{}` in the `crate-type` of its [lib]? cargo drops a crate type the target does not support, with a warning above)",
                        kind.name(), b.file_name, step.target, kind.name()
                    ),
                })
                .map_err(|e| (FailedStep::Build, e))?;
            let mut bin = InFlight::new(b, package, path);
            stages::run_on_binary(plan, backend, step, &mut bin)?;
            list.push(bin.ready(step)?);
        }
        ready.insert(key, list);
    }
    crate::exec::size::record_unstripped(plan, backend, build, ready)
        .map_err(|e| (FailedStep::Build, e))?;
    Ok(())
}
