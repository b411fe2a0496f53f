//! `merge DIR... --out-dir OUT`: one release from per-target out dirs.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::sys::shell::Verbosity;
use crate::{facts, ship::merge};

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Out dirs of `dist --target T --out-dir DIR` runs.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Where the merged release goes: archives, universal archives, SHA256SUMS, manifest.
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// Cargo.toml of the workspace whose targets.toml names the universal groups.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// The target matrix (default: targets.toml at the workspace root).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Overwrite files in the out dir that crossdock did not write (or that changed since).
    #[arg(long)]
    pub force: bool,
    /// Print only the merged manifest (JSON) on stdout.
    #[arg(long)]
    pub json: bool,
    /// Echo every command crossdock runs.
    #[arg(short, long)]
    pub verbose: bool,
}

pub fn run(a: MergeArgs) -> Result<i32> {
    let shell = super::shell_for(a.verbose, a.json);
    let _in = shell.enter();
    let loc = facts::Location {
        manifest_path: a.manifest_path.clone(),
        config_path: a.config.clone(),
    };
    let mut sources = crate::exec::out_dir::Sources {
        current_dir: std::env::current_dir().ok(),
        ..Default::default()
    };
    let mut rules = match facts::load_config(&loc, &facts::default_cargo()) {
        Ok((ws, config)) => {
            sources.workspace_root = Some(ws.root.clone());
            sources.packages = ws
                .members
                .iter()
                .map(|p| (p.name.clone(), p.manifest_dir.clone()))
                .collect();
            let mut rules = merge::Rules::new(&config, &facts::tools_on_path())?;
            rules.napi = facts::napi_packages(&config, &ws, &Default::default())?;
            rules
        }
        Err(e) if a.config.is_none() && a.manifest_path.is_none() => {
            shell.warn(format!(
                "no targets.toml found ({e:#}); merging without universal binaries, with the default archive names"
            ));
            merge::Rules::default()
        }
        Err(e) => return Err(e),
    };
    rules.shell = shell.clone();
    rules.sources = sources;
    rules.force = a.force;
    let out = facts::absolute(&a.out_dir)?;
    let manifest = merge::merge(&a.inputs, &out, &rules)?;
    if a.json {
        print!("{}", manifest.to_json());
    } else if shell.verbosity() >= Verbosity::Normal {
        eprint!("{}", manifest.summary());
    }
    Ok(0)
}
