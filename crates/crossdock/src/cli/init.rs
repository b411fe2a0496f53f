//! `init`: write targets.toml, the xtask, the alias, `[profile.dist]` and the release
//! workflow; `init --check` fails while the workflow is out of date with targets.toml.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;

use crate::ship::init::{self, Kind, Options};
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
    /// Depend on this crossdock checkout (`path = …`) instead of crates.io (`version = …`).
    #[arg(long, value_name = "PATH")]
    pub crossdock_path: Option<PathBuf>,
    /// Echo every command crossdock runs.
    #[arg(short, long)]
    pub verbose: bool,
}

pub fn run(a: InitArgs) -> Result<i32> {
    super::set_verbosity(a.verbose, false);
    let opts = Options {
        manifest_path: a
            .manifest_path
            .as_deref()
            .map(facts::absolute)
            .transpose()?,
        crossdock_path: a.crossdock_path.clone(),
        cargo: facts::default_cargo(),
    };
    if a.check {
        let problems = init::check(&opts)?;
        if problems.is_empty() {
            shell::status(
                "Checked",
                format!("{} is up to date with targets.toml", init::WORKFLOW),
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
    init::write(&plan, a.force)?;
    for f in &plan.files {
        let (word, detail) = match (&f.kind, f.changes(), f.old.is_some()) {
            (_, true, false) => ("Created", String::new()),
            (Kind::Generated, true, true) => ("Replaced", String::new()),
            (_, true, true) => ("Updated", format!(" ({})", f.what.join(", "))),
            (Kind::Input, false, _) => (
                "Kept",
                " (your matrix; the workflow is rendered from it)".to_string(),
            ),
            (_, false, _) => ("Unchanged", String::new()),
        };
        shell::status(word, format!("{}{detail}", f.rel));
    }
    let targets: Vec<&str> = plan
        .config
        .targets
        .iter()
        .map(|t| t.triple.as_str())
        .collect();
    shell::note(
        "Next",
        format!(
            "`cargo xtask dist` builds {}; commit these files, add a `## [VERSION]` section to CHANGELOG.md, \
             then `cargo crossdock release --push` starts the release workflow",
            targets.join(", ")
        ),
    );
    Ok(0)
}
