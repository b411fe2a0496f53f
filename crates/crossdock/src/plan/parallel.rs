//! `parallel-targets`: how many targets build at once, and the share of cargo's jobs each
//! build gets, so that N concurrent builds together run no more jobs than one serial build
//! would (the count [`super::decide_jobs`] already fitted to memory and cores).
//!
//! Concurrent builds get a target dir each (`<target dir>/crossdock/parallel/<triple>`):
//! cargo holds the build-dir lock of the host layout (`<target dir>/<profile>`, where build
//! scripts and proc macros go) for a whole build, so two cargo processes on one target dir
//! run one after the other ("Blocking waiting for file lock on artifact directory").

use std::path::{Path, PathBuf};

use crate::read::config::ParallelTargets;

/// How many targets build at once and the `-j` each cargo gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParallelChoice {
    pub targets: usize,
    /// Each build's `--jobs` (none: cargo's default, as in a serial run).
    pub jobs_each: Option<usize>,
    /// Why fewer targets build at once than `parallel-targets` asked, when that happens.
    pub reason: Option<String>,
}

/// `jobs` is the run's cargo `-j` (none: one per CPU), `builds` the number of targets.
/// Each concurrent build needs at least one job, so the targets at once never exceed the
/// jobs; "auto" takes as many targets as there are jobs.
pub fn decide_parallel(
    asked: Option<ParallelTargets>,
    jobs: Option<usize>,
    cpus: usize,
    builds: usize,
) -> ParallelChoice {
    let total = jobs.unwrap_or(cpus).max(1);
    let wanted = match asked {
        None => 1,
        Some(ParallelTargets::Count(n)) => n,
        Some(ParallelTargets::Auto) => total,
    };
    let mut targets = wanted.min(builds).max(1);
    let mut reason = None;
    if targets > total {
        reason = Some(format!(
            "parallel-targets = {wanted} lowered to {total}: the run has {total} cargo job(s) to share (one per CPU, fewer when memory is short; see `jobs`) and each build needs one"
        ));
        targets = total;
    }
    if targets == 1 {
        return ParallelChoice {
            targets,
            jobs_each: jobs,
            reason,
        };
    }
    ParallelChoice {
        targets,
        jobs_each: Some(total / targets),
        reason,
    }
}

/// The target dir of `triple`'s build when several targets build at once.
pub fn target_dir_of(target_dir: &Path, triple: &str) -> PathBuf {
    target_dir.join("crossdock/parallel").join(triple)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ParallelTargets::{Auto, Count};

    fn choice(targets: usize, jobs_each: Option<usize>) -> ParallelChoice {
        ParallelChoice {
            targets,
            jobs_each,
            reason: None,
        }
    }

    #[test]
    fn by_default_one_target_at_a_time_with_the_runs_jobs() {
        assert_eq!(decide_parallel(None, None, 8, 3), choice(1, None));
        assert_eq!(decide_parallel(None, Some(2), 8, 3), choice(1, Some(2)));
        assert_eq!(decide_parallel(Some(Count(1)), None, 8, 3), choice(1, None));
    }

    #[test]
    fn concurrent_builds_split_the_jobs_between_them() {
        assert_eq!(
            decide_parallel(Some(Count(2)), None, 8, 3),
            choice(2, Some(4))
        );
        assert_eq!(
            decide_parallel(Some(Count(3)), Some(7), 8, 3),
            choice(3, Some(2))
        );
        // Never more at once than there are targets.
        assert_eq!(
            decide_parallel(Some(Count(4)), None, 8, 2),
            choice(2, Some(4))
        );
        // A lone target keeps the run's jobs.
        assert_eq!(decide_parallel(Some(Count(4)), None, 8, 1), choice(1, None));
    }

    #[test]
    fn auto_takes_as_many_targets_as_memory_and_cores_give_jobs() {
        // 2 CPUs: two targets, one job each.
        assert_eq!(decide_parallel(Some(Auto), None, 2, 5), choice(2, Some(1)));
        // 16 CPUs but memory for 3 jobs (decide_jobs said -j 3): three targets.
        assert_eq!(
            decide_parallel(Some(Auto), Some(3), 16, 5),
            choice(3, Some(1))
        );
        // Memory for one job only: one target at a time, never zero.
        assert_eq!(
            decide_parallel(Some(Auto), Some(1), 16, 5),
            choice(1, Some(1))
        );
        assert_eq!(decide_parallel(Some(Auto), None, 4, 0), choice(1, None));
    }

    #[test]
    fn more_targets_than_jobs_is_lowered_and_says_why() {
        let c = decide_parallel(Some(Count(4)), Some(2), 16, 6);
        assert_eq!((c.targets, c.jobs_each), (2, Some(1)));
        let why = c.reason.unwrap();
        assert!(
            why.starts_with("parallel-targets = 4 lowered to 2: the run has 2 cargo job(s)"),
            "{why}"
        );
    }
}
