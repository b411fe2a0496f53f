//! `doctor`: can every target of the matrix be built here? One table, a fix per failing row.

use anyhow::Result;
use clap::Args;

use super::WorkspaceArgs;
use crate::exec::pipeline;

#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub ws: WorkspaceArgs,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Skip the link probes (only look for the tools).
    #[arg(long)]
    pub no_probe: bool,
}

pub fn run(a: DoctorArgs) -> Result<i32> {
    let shell = super::shell_for(a.ws.verbose, a.json);
    let _in = shell.enter();
    let opts = a.ws.options(&shell);
    let report = pipeline::doctor(&a.ws.location(), &opts, !a.no_probe)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.render());
    }
    let failed = report.failures().len();
    if failed > 0 {
        eprintln!(
            "error: {failed} check(s) failed: these targets cannot be built here until fixed"
        );
        return Ok(1);
    }
    Ok(0)
}
