//! Work on artifacts in parallel: a small scoped thread pool, results in input order.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Runs `work` over `items` on up to `jobs` threads, results in input order.
pub fn parallel<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs.clamp(1, items.len().max(1)) {
            // Each worker prints through the caller's shell (its run's verbosity).
            s.spawn(crate::sys::shell::carry(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= items.len() {
                    break;
                }
                let r = work(&items[i]);
                results.lock().expect("results lock")[i] = Some(r);
            }));
        }
    });
    results
        .into_inner()
        .expect("results lock")
        .into_iter()
        .map(|r| r.expect("every item ran"))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::sys::shell::{self, Shell, Verbosity};

    /// The workers print through the caller's shell, not another run's or the default.
    #[test]
    fn workers_print_through_the_callers_shell() {
        let quiet = Shell::capturing(Verbosity::Quiet);
        let normal = Shell::capturing(Verbosity::Normal);
        let items: Vec<usize> = (0..20).collect();
        let run = |sh: &Shell| {
            let _in = sh.enter();
            super::parallel(&items, 4, |i| shell::status("Packaging", i))
        };
        std::thread::scope(|s| {
            s.spawn(|| run(&quiet));
            s.spawn(|| run(&normal));
        });
        assert_eq!(quiet.captured(), "");
        let mut lines: Vec<String> = normal.captured().lines().map(String::from).collect();
        lines.sort();
        let mut expected: Vec<String> = items
            .iter()
            .map(|i| format!("{:>12} {i}", "Packaging"))
            .collect();
        expected.sort();
        assert_eq!(lines, expected);
    }
}
