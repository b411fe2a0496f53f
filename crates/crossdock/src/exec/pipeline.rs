//! The whole `dist` sequence in one place, so that the CLI, another project's xtask and
//! tests run the same thing: gather facts → plan (pure) → check the plan on this machine
//! (doctor's checks) → leave out what cannot build here, or stop when every target must
//! build → execute.

use anyhow::{bail, Result};

use crate::exec::{build, dist, doctor};
use crate::facts::{self, Location};
use crate::package::manifest::Manifest;
use crate::plan::{self, Facts, Options, Plan, Skipped, StdSource};
use crate::read::config::Config;
use crate::sys::shell;

/// A plan ready to run, with what it was made from.
pub struct Prepared {
    pub config: Config,
    pub facts: Facts,
    pub plan: Plan,
}

/// Gathers, plans and, for a real run (`probe`), checks. `--dry-run` gets the plan as the
/// config and facts make it, problems included, with no checks that run anything.
///
/// With `--target`/`--all-targets` ([`Options::strict`]) every target must pass the
/// checks, else the run stops here with all failures at once. Without, a target this
/// machine cannot build is left out of the plan and listed in [`Plan::skipped`]; the run
/// stops only when nothing is left.
pub fn prepare(loc: &Location, opts: &Options, probe: bool) -> Result<Prepared> {
    let _in = opts.shell.enter();
    let (config, facts) = facts::gather(loc, opts)?;
    let mut plan = plan::plan(&config, &facts, opts)?;
    if probe && plan.dirty {
        shell::warn("the git tree has uncommitted changes (see `git status`): the archives may not match the commit; the manifest records `dirty: true`");
    }
    if probe && plan.cache.missing {
        // Asked for by name in targets.toml: every target needs it, so no target is left
        // out for it; the run stops with the fix.
        if let Some(p) = plan
            .problems
            .iter()
            .find(|p| matches!(p, crate::plan::Problem::CacheMissing { .. }))
        {
            bail!("cannot start: {p}");
        }
    }
    if !probe {
        return Ok(Prepared {
            config,
            facts,
            plan,
        });
    }
    if !opts.strict() {
        // First what needs no download or build (linker, builder, runner on PATH): a target
        // that cannot build here anyway is left out before `rustup target add` fetches its
        // std. Then missing std is added, so that the checks below can probe the linker; a
        // target whose std cannot be added is left out instead of failing the run.
        let quick = doctor::check(&plan, &facts, false);
        let hopeless: Vec<String> = quick
            .skips(&plan, &facts.host)
            .into_iter()
            .map(|s| s.target)
            .collect();
        plan = add_std_or_skip(plan, &hopeless);
    }
    if opts.strict() {
        doctor::preflight(&plan, &facts)?;
    } else {
        let report = doctor::check(&plan, &facts, true);
        if !report.fatal(&plan, &facts.host).is_empty() {
            let only = doctor::Report {
                rows: report.failures().into_iter().cloned().collect(),
            };
            bail!(
                "cannot start: {} problem(s) found before building (same checks as `cargo crossdock doctor`):\n{}",
                only.rows.len(),
                only.render()
            );
        }
        let skips = report.skips(&plan, &facts.host);
        plan = plan.without(skips);
        if plan.builds.is_empty() && !plan.skipped.is_empty() {
            bail!(
                "cannot start: no target of the matrix can be built on this machine (same checks as `cargo crossdock doctor`):\n{}",
                report.render()
            );
        }
        for k in &plan.skipped {
            shell::warn(format!(
                "skipping {}: {}{}",
                k.target,
                k.reason,
                k.fix
                    .as_ref()
                    .map(|f| format!(" (fix: {f})"))
                    .unwrap_or_default()
            ));
        }
    }
    Ok(Prepared {
        config,
        facts,
        plan,
    })
}

/// Adds the missing std of each target, except those in `hopeless` (the checks below will
/// leave them out anyway, with their own reason).
fn add_std_or_skip(mut plan: Plan, hopeless: &[String]) -> Plan {
    let mut skip = Vec::new();
    for step in &mut plan.builds {
        if hopeless.iter().any(|h| *h == step.target) {
            continue;
        }
        if let StdSource::RustupAdd { .. } = step.std {
            match build::ensure_std(step) {
                Ok(()) => step.std = StdSource::Installed,
                Err(e) => skip.push(Skipped {
                    target: step.target.to_string(),
                    reason: format!(
                        "std: not installed, and `rustup target add {}` failed: {}",
                        step.target,
                        e.root_cause().to_string().lines().next().unwrap_or("")
                    ),
                    fix: Some(format!(
                        "run `rustup target add {}` where it can reach its server, or set `build-std = true` or another `rustc` for this target",
                        step.target
                    )),
                }),
            }
        }
    }
    plan.without(skip)
}

/// `dist`: prepare, then execute; the manifest of what was written.
pub fn run(loc: &Location, opts: &Options) -> Result<(Plan, Manifest)> {
    let _in = opts.shell.enter();
    let p = prepare(loc, opts, true)?;
    let manifest = dist::execute(&p.plan)?;
    Ok((p.plan, manifest))
}

/// `doctor`: gather, plan and check every target, without building anything.
/// What `dist` (without `--target`) would build on this machine and what it would leave
/// out, with why and the fix: doctor's checks, link probes included, as `dist` applies them
/// (a std `rustup target add` can add is not added here; doctor's row says so).
pub fn buildable_here(loc: &Location, opts: &Options) -> Result<(Vec<String>, Vec<Skipped>)> {
    let _in = opts.shell.enter();
    let (config, facts) = facts::gather(loc, opts)?;
    let plan = plan::plan(&config, &facts, opts)?;
    let skips = doctor::check(&plan, &facts, true).skips(&plan, &facts.host);
    let builds = plan
        .builds
        .iter()
        .map(|b| b.target.to_string())
        .chain(plan.universals.iter().map(|u| u.name.clone()))
        .filter(|t| !skips.iter().any(|s| s.target == *t))
        .collect();
    Ok((builds, skips))
}

pub fn doctor(loc: &Location, opts: &Options, probe: bool) -> Result<doctor::Report> {
    let _in = opts.shell.enter();
    let (config, facts) = facts::gather(loc, opts)?;
    let plan = plan::plan(&config, &facts, opts)?;
    Ok(doctor::check(&plan, &facts, probe))
}
