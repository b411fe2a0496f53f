//! Each selected target's build step (toolchain, std, invocation, stages) and the thin
//! archives it feeds, with the machine problems found on the way.

use super::*;
use crate::read::workspace::Package;

/// The run's choices that every target's planning shares, made once by [`plan`].
pub(super) struct Run<'a> {
    pub config: &'a Config,
    pub facts: &'a Facts,
    pub opts: &'a Options,
    /// The packages this run ships (`-p` applied).
    pub packages: Vec<&'a Package>,
    pub profile: String,
    /// A listed package's library ships (targets.toml lists `packages`).
    pub ship_libs: bool,
    pub parallel: parallel::ParallelChoice,
    /// Targets that build in a group's one invocation (`plan/group.rs`): in the shared
    /// target dir, never a parallel one of their own.
    pub grouped: BTreeSet<Triple>,
    pub cache: CacheChoice,
}

impl Run<'_> {
    /// Every binary of the run's packages, by cargo name.
    fn bins(&self) -> BTreeSet<&str> {
        self.packages
            .iter()
            .flat_map(|p| p.bins.iter().map(String::as_str))
            .collect()
    }
}

/// The build steps of `targets` in order, and their thin archives. A target whose
/// toolchain could not be probed gets a problem instead of a step.
pub(super) fn plan_builds(
    run: &Run,
    targets: &[&Target],
    problems: &mut Vec<Problem>,
) -> Result<(Vec<BuildStep>, Vec<Artifact>), PlanError> {
    let mut builds = Vec::new();
    let mut artifacts = Vec::new();
    for target in targets {
        let Some(step) = build_step(run, target, problems)? else {
            continue;
        };
        artifacts.extend(thin_artifacts(run, target, BuildIdx(builds.len())));
        builds.push(step);
    }
    Ok((builds, artifacts))
}

/// The toolchain `target` builds with, refused when it does not know the triple; `None`
/// (and a problem) when it could not be probed.
fn toolchain_of<'f>(
    run: &Run<'f>,
    target: &Target,
    spec: &ToolchainSpec,
    problems: &mut Vec<Problem>,
) -> Result<Option<&'f Toolchain>, PlanError> {
    let toolchain = match run.facts.toolchains.get(spec) {
        Some(Ok(t)) => t,
        Some(Err(e)) => {
            problems.push(Problem::ToolchainBroken {
                target: target.triple.clone(),
                error: e.clone(),
            });
            return Ok(None);
        }
        None => return Err(PlanError::ToolchainNotProbed(spec.clone())),
    };
    if toolchain.target_list.contains(target.triple.as_str()) {
        return Ok(Some(toolchain));
    }
    let known: Vec<&str> = toolchain.target_list.iter().map(String::as_str).collect();
    let hint = nearest(&target.triple, &known)
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_default();
    Err(PlanError::Config(run.config.located(
        target.span,
        format!(
            "key `triple`: `{}` is not a target that {} knows{hint} (see `{} --print target-list`)",
            target.triple,
            toolchain.version,
            spec.rustc_program_given(run.facts.env_rustc.as_deref())
        ),
    )))
}

/// One target's build step; the machine problems it has go to `problems`.
fn build_step(
    run: &Run,
    target: &Target,
    problems: &mut Vec<Problem>,
) -> Result<Option<BuildStep>, PlanError> {
    let (config, facts, profile) = (run.config, run.facts, &run.profile);
    let spec = toolchain_spec(config, target, run.opts, &facts.default_cargo);
    let Some(toolchain) = toolchain_of(run, target, &spec, problems)? else {
        return Ok(None);
    };
    let std = std_source(target, toolchain, problems);
    if let Some(tool) = builder_program(target.builder) {
        if !facts.tools.contains(tool) {
            problems.push(Problem::BuilderMissing {
                target: target.triple.clone(),
                builder: target.builder,
                tool: tool.to_string(),
            });
        }
    }
    let split_debuginfo = debuginfo_split(target, facts, problems);
    let pkgs: Vec<String> = run.packages.iter().map(|p| p.name.clone()).collect();
    let wrapper = run.cache.wrapper_for(target.builder);
    if wrapper.is_some() && run.cache.missing {
        problems.push(Problem::CacheMissing {
            target: target.triple.clone(),
            config: target.sources.shared.clone(),
        });
    }
    let ws = &facts.workspace;
    // Libraries built apart (musl cdylibs); the main build leaves out a package that has
    // nothing else to build.
    let apart: Vec<&Package> = run
        .packages
        .iter()
        .copied()
        .filter(|p| library::builds_apart(p, target, run.ship_libs))
        .collect();
    let mut library_builds: Vec<LibraryBuild> = apart
        .iter()
        .map(|p| {
            library::library_build(
                facts,
                target,
                &spec,
                profile,
                p,
                run.parallel.jobs_each,
                wrapper,
            )
        })
        .collect();
    let main_pkgs: Vec<String> = run
        .packages
        .iter()
        .filter(|p| !(p.bins.is_empty() && apart.iter().any(|a| a.name == p.name)))
        .map(|p| p.name.clone())
        .collect();
    let with_bins: Vec<&str> = run
        .packages
        .iter()
        .filter(|p| !p.bins.is_empty())
        .map(|p| p.name.as_str())
        .collect();
    let embed = super::auditable::embed(target, facts, &with_bins, problems)?;
    let inputs = command::BuildInputs {
        target,
        spec: &spec,
        profile,
        packages: &main_pkgs,
        jobs: run.parallel.jobs_each,
        target_dir: command::target_dir_for(
            &ws.target_dir,
            target,
            run.parallel.targets > 1 && !run.grouped.contains(&target.triple),
        ),
        wrapper,
    };
    let (cargo, unstripped) = if main_pkgs.is_empty() && !library_builds.is_empty() {
        // Nothing but libraries built apart: the first is the step's build.
        (library_builds.remove(0).cargo, None)
    } else {
        (
            build_command(facts, &inputs, command::Flavor::Ship),
            (config.unstripped_size && unstripped_wanted(target))
                .then(|| build_command(facts, &inputs, command::Flavor::Unstripped)),
        )
    };
    Ok(Some(BuildStep {
        target: target.triple.clone(),
        builder: target.builder,
        toolchain: spec,
        rustc_version: toolchain.version.clone(),
        std,
        packages: pkgs,
        cargo,
        library_builds,
        linker: target.linker.clone(),
        linker_chosen: target.linker.is_some()
            && config
                .target(target.triple.as_str())
                .is_some_and(|t| t.linker.is_none()),
        sources: target.sources.clone(),
        c: c_toolchain(target, &facts.host, &facts.c_env, &facts.found_archivers),
        runner: target.runner.as_deref().map(runner::runner_for_cargo),
        profile_overrides: profile_overrides(target, profile, ws.profile_has_debuginfo(profile)),
        unstripped,
        stages: stages::stages(target, split_debuginfo, embed, &facts.host, &run.bins()),
        group: None,
    }))
}

/// The archives of `target` (built by `build`): one per package and format.
fn thin_artifacts(run: &Run, target: &Target, build: BuildIdx) -> Vec<Artifact> {
    let mut artifacts = Vec::new();
    for (p, format) in run
        .packages
        .iter()
        .flat_map(|p| target.formats.iter().map(move |f| (p, *f)))
    {
        let names = ArtifactNames::new(
            &run.config.naming,
            &p.name,
            &p.version,
            &target.triple,
            false,
            format,
        );
        // One debuginfo archive per package and target, beside the first format's.
        let debuginfo_file = (target.separate_debuginfo && format == target.formats[0])
            .then(|| format!("{}-debuginfo.tar.gz", names.top_dir));
        artifacts.push(Artifact {
            debuginfo_file,
            file_name: names.file_name,
            top_dir: names.top_dir,
            unversioned: names.unversioned,
            package: p.name.clone(),
            version: p.version.clone(),
            manifest_path: p.manifest_dir.join("Cargo.toml"),
            target: target.triple.clone(),
            build,
            format,
            binaries: shipped_files(p, &target.triple, run.ship_libs),
            includes: run.facts.includes.get(&p.name).cloned().unwrap_or_default(),
        });
    }
    artifacts
}
