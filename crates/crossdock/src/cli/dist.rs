//! `dist`: plan, then (unless `--dry-run`) execute.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;

use super::WorkspaceArgs;
use crate::exec::pipeline;
use crate::facts;
use crate::package::manifest::{self, Manifest};
use crate::package::size_compare;
use crate::plan::Options;
use crate::sys::shell::Verbosity;

#[derive(Debug, Args)]
pub struct DistArgs {
    #[command(flatten)]
    pub ws: WorkspaceArgs,
    /// Where archives, checksums and the manifest go (default: <workspace root>/dist).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// Print the plan and run nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print only JSON on stdout: the plan with --dry-run, else the manifest.
    #[arg(long)]
    pub json: bool,
    /// Parallel jobs for cargo and for packaging (at least 1).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Every target of the matrix must build (as with --target); without it, targets this
    /// machine cannot build are skipped and listed.
    #[arg(long)]
    pub all_targets: bool,
    /// Overwrite files in the out dir that crossdock did not write (or that were changed since).
    #[arg(long)]
    pub force: bool,
    /// Only this package of the shipped ones (repeatable; a package tag's release job).
    #[arg(long = "package", short = 'p', value_name = "PKG")]
    pub packages: Vec<String>,
    /// When a target's build, binary check or smoke run fails, ship the other targets and
    /// list the failure (in the summary and the manifest's `failed`); the exit code is still 1.
    #[arg(long)]
    pub keep_going: bool,
    /// A previous release's dist-manifest.json (or its folder): print how much each binary
    /// and archive grew or shrank, and warn above `size-warn` ([dist], default "10%").
    #[arg(long, value_name = "OLD_MANIFEST")]
    pub compare: Option<PathBuf>,
}

/// The manifest `--compare` names, read before any build so a wrong path fails at once.
fn read_old_manifest(path: &Path) -> Result<Manifest> {
    let file = if path.is_dir() {
        path.join(manifest::FILE_NAME)
    } else {
        path.to_path_buf()
    };
    Manifest::read(&file).with_context(|| {
        format!(
            "--compare {}: give the dist-manifest.json of a previous release (a local file, or the folder holding it)",
            path.display()
        )
    })
}

pub fn run(a: DistArgs) -> Result<i32> {
    let shell = super::shell_for(a.ws.verbose, a.json);
    let _in = shell.enter();
    if a.dry_run && a.compare.is_some() {
        bail!("--compare compares the binaries and archives of a real run, which --dry-run does not make: drop one of the two");
    }
    let old = a
        .compare
        .as_deref()
        .map(|p| read_old_manifest(p).map(|m| (p.display().to_string(), m)))
        .transpose()?;
    let opts = Options {
        out_dir: a.out_dir.as_deref().map(facts::absolute).transpose()?,
        jobs: a.jobs.map(usize::from),
        all_targets: a.all_targets,
        force: a.force,
        packages: a.packages.clone(),
        keep_going: a.keep_going,
        ..a.ws.options(&shell)
    };
    if a.dry_run {
        let plan = pipeline::prepare(&a.ws.location(), &opts, false)?.plan;
        if a.json {
            println!("{}", serde_json::to_string_pretty(&plan)?);
        } else {
            print!("{}", plan.render());
        }
        return Ok(if plan.problems.is_empty() { 0 } else { 1 });
    }
    let (plan, manifest) = pipeline::run(&a.ws.location(), &opts)?;
    let comparison = old
        .as_ref()
        .map(|(path, old)| size_compare::compare(path, old, &manifest, plan.size_warn));
    if a.json {
        match &comparison {
            // The manifest's own keys, plus the comparison.
            Some(c) => {
                let mut v = serde_json::to_value(&manifest)?;
                v["size_comparison"] = serde_json::to_value(c)?;
                println!("{}", serde_json::to_string_pretty(&v)?);
            }
            None => print!("{}", manifest.to_json()),
        }
    } else {
        shell.status(
            "Finished",
            format!(
                "{} file(s) in {}",
                manifest.files.len() + 1,
                plan.out_dir.display()
            ),
        );
        if shell.verbosity() >= Verbosity::Normal {
            eprint!("{}", manifest.summary());
            if let Some(c) = &comparison {
                eprint!("{}", c.render());
            }
        }
    }
    for w in comparison.iter().flat_map(|c| c.warnings()) {
        shell.warn(w);
    }
    if !manifest.failed.is_empty() {
        let list: Vec<String> = manifest
            .failed
            .iter()
            .map(|f| format!("{} ({})", f.target, f.step.name()))
            .collect();
        eprintln!(
            "error: {} target(s) failed: {}; the others are in {}",
            manifest.failed.len(),
            list.join(", "),
            plan.out_dir.display()
        );
        return Ok(1);
    }
    Ok(0)
}
