//! `parallel-targets`: how many targets build at once, and the share of cargo's jobs each
//! build gets, so that N concurrent builds together run no more jobs than one serial build
//! would (the count [`super::decide_jobs`] already fitted to memory and cores).
//!
//! Concurrent builds get a target dir each (`<target dir>/crossdock/parallel/<triple>`):
//! cargo holds the build-dir lock of the host layout (`<target dir>/<profile>`, where build
//! scripts and proc macros go) for a whole build, so two cargo processes on one target dir
//! run one after the other ("Blocking waiting for file lock on artifact directory").
//! Targets that can share one cargo invocation do (`plan/group.rs`): one cargo builds them
//! all in the workspace's target dir, the host's crates once. A group counts as one build
//! here. "auto" builds the groups and never two cargos at once on 2 CPUs, and one target
//! at a time when no two targets can share an invocation: concurrent cargos compile the
//! host's crates once per target and cost more CPU than they save wall time (measured: +22%
//! CPU, and slower, on 2 cores), while one cargo for several targets costs no more CPU than
//! a serial run and less wall time, even on 2 cores (hyperfine, 3 targets: -2% CPU, -13%
//! wall; benches/parallel-targets.sh).

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
/// jobs; "auto" takes as many targets as there are jobs (then [`fit_to_groups`] decides once
/// the builds are grouped).
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

/// `choice` once the builds are grouped (`plan/group.rs`): `units` builds are left (a
/// group counts as one), `grouped` of them groups. "auto" with no group builds one target
/// at a time, and on 2 CPUs one build (a group's one cargo, or a target) at a time with all
/// the jobs; otherwise no more builds at once than there are, each with its share of jobs.
pub fn fit_to_groups(
    choice: ParallelChoice,
    asked: Option<ParallelTargets>,
    jobs: Option<usize>,
    cpus: usize,
    units: usize,
    grouped: usize,
) -> ParallelChoice {
    if asked == Some(ParallelTargets::Auto) && grouped == 0 {
        return ParallelChoice {
            targets: 1,
            jobs_each: jobs,
            reason: Some(
                "parallel-targets = \"auto\": no two targets can share a cargo build (another builder, toolchain or build settings), and a cargo each would compile the host's crates once per target: one target at a time".into(),
            ),
        };
    }
    if asked == Some(ParallelTargets::Auto) && cpus <= 2 && units > 1 {
        return ParallelChoice {
            targets: 1,
            jobs_each: jobs,
            reason: Some(format!(
                "parallel-targets = \"auto\": on {cpus} CPU(s) the targets that share a cargo build build together, and the builds run one at a time: two cargos at once do not pay here"
            )),
        };
    }
    let at_once = choice.targets.min(units).max(1);
    if at_once == choice.targets {
        return choice;
    }
    let total = jobs.unwrap_or(cpus).max(1);
    ParallelChoice {
        targets: at_once,
        jobs_each: if at_once == 1 {
            jobs
        } else {
            Some(total / at_once)
        },
        reason: choice.reason,
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
        // 4 CPUs: four targets, one job each.
        assert_eq!(decide_parallel(Some(Auto), None, 4, 5), choice(4, Some(1)));
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
    fn auto_on_two_cpus_builds_the_groups_and_one_cargo_at_a_time_and_says_why() {
        let auto = decide_parallel(Some(Auto), None, 2, 5);
        // Five targets, two of them one group: four builds, one at a time, all the jobs.
        let c = fit_to_groups(auto.clone(), Some(Auto), None, 2, 4, 1);
        assert_eq!((c.targets, c.jobs_each), (1, None));
        let why = c.reason.unwrap();
        assert!(why.contains("on 2 CPU(s) the targets that share a cargo build build together, and the builds run one at a time"), "{why}");
        // All five in one group: that one cargo, nothing to limit.
        assert_eq!(fit_to_groups(auto, Some(Auto), None, 2, 1, 1).targets, 1);
        // Asked for a number, the user gets it.
        assert_eq!(
            decide_parallel(Some(Count(2)), None, 2, 5),
            choice(2, Some(1))
        );
    }

    #[test]
    fn groups_count_as_one_build_and_auto_without_groups_is_serial() {
        let four = decide_parallel(Some(Count(4)), Some(8), 8, 4);
        // Two groups of two: two builds at once, half the jobs each.
        assert_eq!(
            fit_to_groups(four.clone(), Some(Count(4)), Some(8), 8, 2, 2),
            choice(2, Some(4))
        );
        // One group of all four: one cargo with the run's jobs.
        assert_eq!(
            fit_to_groups(four.clone(), Some(Count(4)), Some(8), 8, 1, 1),
            choice(1, Some(8))
        );
        // Nothing shared: as asked.
        assert_eq!(
            fit_to_groups(four.clone(), Some(Count(4)), Some(8), 8, 4, 0),
            four
        );
        let auto = decide_parallel(Some(Auto), None, 8, 3);
        let c = fit_to_groups(auto.clone(), Some(Auto), None, 8, 3, 0);
        assert_eq!((c.targets, c.jobs_each), (1, None));
        assert!(c
            .reason
            .unwrap()
            .contains("no two targets can share a cargo build"));
        assert_eq!(
            fit_to_groups(auto, Some(Auto), None, 8, 2, 1),
            choice(2, Some(4))
        );
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
