//! `test`: the workspace's tests for each target of the matrix, with that target's
//! toolchain, build-std, linker, env, rustflags and runner; one summary line per target.

use anyhow::Result;
use clap::Args;

use super::WorkspaceArgs;
use crate::exec::test::{self, Outcome};

#[derive(Debug, Args)]
pub struct TestArgs {
    #[command(flatten)]
    pub ws: WorkspaceArgs,
    /// Only this workspace package's tests (repeatable; default: the whole workspace).
    #[arg(long = "package", short = 'p', value_name = "PKG")]
    pub packages: Vec<String>,
    /// Print the cargo test command of each target and run nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Arguments for the test binaries (after `--`, as with `cargo test -- ARGS`).
    #[arg(last = true, value_name = "ARGS")]
    pub harness_args: Vec<String>,
}

pub fn run(a: TestArgs) -> Result<i32> {
    let shell = super::shell_for(a.ws.verbose, false);
    let _in = shell.enter();
    let opts = a.ws.options(&shell);
    let loc = a.ws.location();
    if a.dry_run {
        let t = test::prepare(&loc, &opts, &a.packages, &a.harness_args, false)?;
        for s in &t.steps {
            match &s.cannot_run {
                Some(why) => println!("test {}: cannot run here: {why}", s.target),
                None => println!("test {}\n  run:     {}", s.target, s.render()),
            }
        }
        return Ok(0);
    }
    let results = test::run(&loc, &opts, &a.packages, &a.harness_args)?;
    eprint!("{}", test::summary(&results));
    // Without --target a target that cannot run here is listed, not a failure.
    let bad: Vec<&str> = results
        .iter()
        .filter(|r| match r.outcome {
            Outcome::Passed => false,
            Outcome::Failed(_) => true,
            Outcome::CannotRun(_) => opts.strict(),
        })
        .map(|r| r.target.as_str())
        .collect();
    if bad.is_empty() {
        return Ok(0);
    }
    eprintln!(
        "error: the tests of {} target(s) failed or could not run: {}",
        bad.len(),
        bad.join(", ")
    );
    Ok(1)
}
