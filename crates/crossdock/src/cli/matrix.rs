//! `matrix`: the GitHub Actions `strategy.matrix` JSON for targets.toml (JSON is the default).

use anyhow::Result;
use clap::Args;

use super::WorkspaceArgs;
use crate::model::build_tool::BuildTool;
use crate::read::select::{self, Options};
use crate::{facts, ship::github};

#[derive(Debug, Args)]
pub struct MatrixArgs {
    #[command(flatten)]
    pub ws: WorkspaceArgs,
    /// Pretty-print instead of one line (one line is what `$GITHUB_OUTPUT` wants).
    #[arg(long)]
    pub pretty: bool,
}

pub fn run(a: MatrixArgs) -> Result<i32> {
    let shell = super::shell_for(a.ws.verbose, true);
    let _in = shell.enter();
    let (ws, config) = facts::load_config(&a.ws.location(), &facts::default_cargo())?;
    select::selected_targets(
        &config,
        &Options {
            targets: a.ws.targets.clone(),
            ..Default::default()
        },
    )?;
    for p in crate::read::local::absolute_paths(&config) {
        crate::sys::shell::warn(format!(
            "{}: {p} is a path on this machine; the GitHub runners will not have it: move it to {} (untracked) or .cargo/config.toml",
            config.path.display(),
            crate::read::local::path_for(&config.path).display()
        ));
    }
    // The programs the lock's crates run in build scripts (`cmake`) go onto the runners.
    let lock = facts::lock_packages(&ws.root).unwrap_or_default();
    let tools = BuildTool::needed_by(lock.iter().map(String::as_str));
    let m = github::matrix_for(&config, &a.ws.targets, &tools);
    if a.pretty {
        println!("{}", serde_json::to_string_pretty(&m)?);
    } else {
        println!("{}", serde_json::to_string(&m)?);
    }
    Ok(0)
}
