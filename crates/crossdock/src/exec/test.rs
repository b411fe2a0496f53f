//! `test`: runs each target's planned `cargo test` (see `plan::test_steps`) one after the
//! other, streaming cargo's own output, and records per target whether the tests passed,
//! failed, or cannot run on this machine (and why), for the one-line-per-target summary.

use anyhow::Result;

use crate::exec::{build, lock, pipeline};
use crate::facts::Location;
use crate::model::triple::Triple;
use crate::plan::{test_steps, Options, Plan, TestStep};
use crate::sys::shell;

/// How one target's tests ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    /// cargo's exit status (a test failed, or the tests did not build).
    Failed(String),
    /// Why the tests were not run here.
    CannotRun(String),
}

#[derive(Debug, Clone)]
pub struct TestResult {
    pub target: Triple,
    pub outcome: Outcome,
}

/// The test plan: the build plan it was made from and one step per target left in it.
pub struct TestRun {
    pub plan: Plan,
    pub steps: Vec<TestStep>,
}

/// The planned steps, after the same checks and skips as `dist` when `probe` (a real run:
/// targets this machine cannot build are left out without `--target`, and stop the run
/// with it). `--dry-run` gets them without the checks.
pub fn prepare(
    loc: &Location,
    opts: &Options,
    packages: &[String],
    harness_args: &[String],
    probe: bool,
) -> Result<TestRun> {
    let p = pipeline::prepare(loc, opts, probe)?;
    let steps = test_steps(&p.plan, &p.facts, packages, harness_args);
    Ok(TestRun {
        plan: p.plan,
        steps,
    })
}

/// Runs the tests of every selected target; a failing target does not stop the others.
/// Targets the checks left out come first, as `CannotRun` with their reason and fix.
pub fn run(
    loc: &Location,
    opts: &Options,
    packages: &[String],
    harness_args: &[String],
) -> Result<Vec<TestResult>> {
    let _in = opts.shell.enter();
    let t = prepare(loc, opts, packages, harness_args, true)?;
    let mut results: Vec<TestResult> = t
        .plan
        .skipped
        .iter()
        .map(|s| TestResult {
            target: Triple::new(&s.target),
            outcome: Outcome::CannotRun(match &s.fix {
                Some(f) => format!("{} (fix: {f})", s.reason),
                None => s.reason.clone(),
            }),
        })
        .collect();
    let _lock = lock::acquire(&t.plan.target_dir)?;
    for step in &t.steps {
        let outcome = match &step.cannot_run {
            Some(why) => Outcome::CannotRun(why.clone()),
            None => run_step(step, &t.plan)?,
        };
        results.push(TestResult {
            target: step.target.clone(),
            outcome,
        });
    }
    Ok(results)
}

fn run_step(step: &TestStep, plan: &Plan) -> Result<Outcome> {
    if let Err(e) = build::ensure_std(plan.build(step.build)) {
        return Ok(Outcome::Failed(format!("std: {e:#}")));
    }
    shell::status("Testing", &step.target);
    let cmd = build::invocation_command(&step.cargo, &plan.workspace_root);
    let cmd = if step.harness_args.is_empty() {
        cmd
    } else {
        cmd.arg("--").args(&step.harness_args)
    };
    let status = cmd.stream_stdout(|line| println!("{line}"))?;
    Ok(if status.success() {
        Outcome::Passed
    } else {
        Outcome::Failed(status.to_string())
    })
}

/// One line per target: `passed`, `failed (exit status: 101)`, `cannot run here: why`.
pub fn summary(results: &[TestResult]) -> String {
    let width = results.iter().map(|r| r.target.len()).max().unwrap_or(0);
    let mut s = String::from("test summary:\n");
    for r in results {
        let what = match &r.outcome {
            Outcome::Passed => "passed".to_string(),
            Outcome::Failed(status) => format!("failed ({status})"),
            Outcome::CannotRun(why) => format!("cannot run here: {why}"),
        };
        s.push_str(&format!("  {:width$}  {what}\n", r.target));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_has_one_aligned_line_per_target() {
        let r = |t: &str, o| TestResult {
            target: t.into(),
            outcome: o,
        };
        let s = summary(&[
            r("x86_64-unknown-linux-gnu", Outcome::Passed),
            r(
                "aarch64-unknown-linux-gnu",
                Outcome::Failed("exit status: 101".into()),
            ),
            r(
                "x86_64-apple-darwin",
                Outcome::CannotRun("no runner".into()),
            ),
        ]);
        assert_eq!(
            s,
            "test summary:\n  x86_64-unknown-linux-gnu   passed\n  aarch64-unknown-linux-gnu  failed (exit status: 101)\n  x86_64-apple-darwin        cannot run here: no runner\n"
        );
    }
}
