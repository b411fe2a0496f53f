//! `verify DIR`: rebuild a downloaded release from its commit and compare it file by file.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::ship::verify::{self, plan::Status, VerifyOptions};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The downloaded release: its SHA256SUMS, dist-manifest.json and archives.
    pub dir: PathBuf,
    /// Only this target's files (repeatable; default: every target of the release).
    #[arg(long = "target", value_name = "TRIPLE")]
    pub targets: Vec<String>,
    /// Cargo.toml of the workspace, in a clone of the project that made the release
    /// (default: found from the current directory).
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Rebuild with this cargo instead of the one on PATH / $CARGO.
    #[arg(long, value_name = "PATH")]
    pub cargo: Option<String>,
    /// Rebuild with this rustc (the release's manifest records the one it was built with).
    #[arg(long, value_name = "PATH")]
    pub rustc: Option<String>,
    /// Parallel jobs for cargo and for packaging (at least 1).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub jobs: Option<u16>,
    /// Print only the report (JSON) on stdout.
    #[arg(long)]
    pub json: bool,
    /// Echo every command crossdock runs.
    #[arg(short, long)]
    pub verbose: bool,
}

pub fn run(a: VerifyArgs) -> Result<i32> {
    let shell = super::shell_for(a.verbose, a.json);
    let _in = shell.enter();
    let report = verify::verify(&VerifyOptions {
        dir: a.dir.clone(),
        targets: a.targets.clone(),
        manifest_path: a.manifest_path.clone(),
        cargo: a.cargo.clone(),
        rustc: a.rustc.clone(),
        jobs: a.jobs.map(usize::from),
        shell: shell.clone(),
    })?;
    for d in &report.inputs {
        shell.warn(d);
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for f in &report.files {
            match f.status {
                Status::Identical => shell.status(f.status.word(), f.detail()),
                _ => shell.failure(f.status.word(), f.detail()),
            }
        }
        let summary = format!(
            "{} identical, {} not identical, rebuilt from commit {}",
            report.identical, report.not_identical, report.commit
        );
        if report.ok() {
            shell.status("Verified", summary);
        } else {
            eprintln!("error: {summary}");
        }
    }
    Ok(if report.ok() { 0 } else { 1 })
}
