//! `init`: write targets.toml, the xtask, the alias, `[profile.dist]` and the release
//! workflow; `init --check` fails while the workflow is out of date with targets.toml.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;

use crate::ship::init::{self, FileKind, InitOptions};
use crate::{facts, sys::shell};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Cargo.toml of the project (default: found from the current directory; files go to
    /// its workspace root).
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Replace files init wrote before (the xtask, the workflow); targets.toml is kept.
    #[arg(long, conflicts_with = "check")]
    pub force: bool,
    /// Write nothing; fail when the release workflow is out of date with targets.toml (or
    /// the xtask is missing).
    #[arg(long)]
    pub check: bool,
    /// Depend on this crossdock checkout (`path = …`: its repository root or the crate
    /// directory) instead of crates.io (`version = …`).
    #[arg(long, value_name = "DIR", conflicts_with = "crossdock_git")]
    pub crossdock_path: Option<PathBuf>,
    /// Depend on crossdock from this git repository (`git = …`) instead of crates.io.
    #[arg(long, value_name = "URL")]
    pub crossdock_git: Option<String>,
    /// The commit (or tag) of --crossdock-git to use (`rev = …`).
    #[arg(long, value_name = "REV", requires = "crossdock_git")]
    pub rev: Option<String>,
    /// Where the matrix is (written when missing; default: targets.toml at the workspace
    /// root). For a project whose targets.toml belongs to another tool: every crossdock
    /// command of the release workflow then gets `--config` too.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Echo every command crossdock runs.
    #[arg(short, long)]
    pub verbose: bool,
}

pub fn run(a: InitArgs) -> Result<i32> {
    let shell = super::shell_for(a.verbose, false);
    let _in = shell.enter();
    let opts = InitOptions {
        manifest_path: a
            .manifest_path
            .as_deref()
            .map(facts::absolute)
            .transpose()?,
        crossdock_path: a.crossdock_path.clone(),
        crossdock_git: a.crossdock_git.clone(),
        crossdock_rev: a.rev.clone(),
        config: a.config.as_deref().map(facts::absolute).transpose()?,
        cargo: facts::default_cargo(),
    };
    if a.check {
        let problems = init::check(&opts)?;
        if problems.is_empty() {
            shell::status(
                "Checked",
                format!(
                    "{} is up to date with {}",
                    init::WORKFLOW,
                    a.config
                        .as_deref()
                        .map_or("targets.toml".into(), |c| c.display().to_string())
                ),
            );
            return Ok(0);
        }
        if problems.len() == 1 {
            bail!("{}", problems[0]);
        }
        bail!(
            "{} problems:\n{}",
            problems.len(),
            problems
                .iter()
                .map(|p| format!("  - {p}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    let plan = init::plan(&opts)?;
    let lock_path = plan.root.join("Cargo.lock");
    let lock_old = std::fs::read_to_string(&lock_path).ok();
    init::write(&plan, a.force)?;
    for w in &plan.warnings {
        shell::warn(w);
    }
    if let init::Dependency::Kept(value) = &plan.dependency {
        shell::status(
            "Kept",
            format!("crossdock = {value} in xtask/Cargo.toml (--crossdock-path or --crossdock-git replaces it)"),
        );
    }
    let mut written = Vec::new();
    for f in &plan.files {
        if f.changes() {
            written.push(f.rel.clone());
        }
        let (word, detail) = match (&f.kind, f.changes(), f.old.is_some()) {
            (_, true, false) => ("Created", String::new()),
            (FileKind::Generated, true, true) => ("Replaced", String::new()),
            (_, true, true) => ("Updated", format!(" ({})", f.what.join(", "))),
            (FileKind::Input, false, _) => (
                "Kept",
                " (your matrix; the workflow is rendered from it)".to_string(),
            ),
            (_, false, _) => ("Unchanged", String::new()),
        };
        shell::status(word, format!("{}{detail}", f.rel));
    }
    // The xtask must resolve now, not at the next `dist`; resolving also brings Cargo.lock up
    // to date, which `dist` (building with --locked) needs.
    if let Err(e) = init::resolve(&opts.cargo, &plan.root) {
        bail!(
            "{}",
            init::unresolved_message(&plan.dependency, &format!("{e:#}"), &written)
        );
    }
    // Cargo moves a locked package only when the xtask needs it; make sure of it.
    if let Some(old) = &lock_old {
        let kept = init::keep_locked_versions(&opts.cargo, &plan.root, old)?;
        if !kept.is_empty() {
            shell::note(
                "Kept",
                format!(
                    "{} in Cargo.lock (cargo had moved them; the xtask does not need it)",
                    kept.join(", ")
                ),
            );
        }
    }
    let lock_new = std::fs::read_to_string(&lock_path).ok();
    if let Some(what) = init::lock_change(lock_old.as_deref(), lock_new.as_deref()) {
        shell::status(
            if lock_old.is_some() {
                "Updated"
            } else {
                "Created"
            },
            format!("Cargo.lock ({what}; `dist` builds with --locked)"),
        );
    }
    // What doctor says this machine can build now, not the whole matrix.
    let loc = facts::Location {
        manifest_path: Some(plan.root.join("Cargo.toml")),
        config_path: opts.config.clone(),
    };
    let run_opts = crate::plan::Options {
        shell: shell.clone(),
        ..crate::plan::Options::default()
    };
    let builds = match crate::exec::pipeline::buildable_here(&loc, &run_opts) {
        Ok((builds, skips)) => init::next_builds(&builds, &skips),
        Err(e) => format!(
            "builds what `cargo crossdock doctor` passes (it could not check now: {})",
            format!("{e:#}").lines().next().unwrap_or("")
        ),
    };
    shell::note(
        "Next",
        format!(
            "`cargo xtask dist{}` {builds}; commit these files, add a `## [VERSION]` section to CHANGELOG.md, \
             then `cargo crossdock release --push` starts the release workflow (which builds every target)",
            if a.config.is_some() {
                format!(" --config {}", plan.config_rel)
            } else {
                String::new()
            },
        ),
    );
    Ok(0)
}
