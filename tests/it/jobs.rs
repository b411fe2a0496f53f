//! Memory-aware jobs, driven through fake /proc/meminfo and cgroup files (not this machine's).

use crate::support::*;

#[test]
fn low_memory_lowers_cargo_jobs_and_says_why() {
    let fx = Fixture::new("tiny");
    fx.write(
        "targets.toml",
        &format!("[[target]]\ntriple = \"{}\"\n", host()),
    );
    let fake = tempfile::tempdir().unwrap();
    let meminfo = fake.path().join("meminfo");
    std::fs::write(
        &meminfo,
        "MemTotal: 33554432 kB\nMemAvailable: 16777216 kB\n",
    )
    .unwrap();
    let cgroup = fake.path().join("memory.max");
    std::fs::write(&cgroup, format!("{}\n", 1u64 << 30)).unwrap(); // a 1 GiB container
    let env = [
        ("CROSSDOCK_MEMINFO", meminfo.to_str().unwrap()),
        ("CROSSDOCK_CGROUP_MEMORY_MAX", cgroup.to_str().unwrap()),
    ];
    let r = fx.run_env(&["dist", "--dry-run"], &env).ok();
    if !r.stdout.contains("jobs:") {
        // One CPU: one job is what cargo would run anyway.
        assert_eq!(
            std::thread::available_parallelism().unwrap().get(),
            1,
            "{}",
            r.stdout
        );
        return;
    }
    assert!(
        r.stdout
            .contains("jobs:      1 (1.0 GiB available (cgroup memory.max)"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("--jobs 1"), "{}", r.stdout);
    // The real run says it once, and builds.
    let r = fx.run_env(&["dist"], &env).ok();
    assert!(r.stderr.contains("Limiting cargo to -j 1"), "{}", r.stderr);
    // `max` (no limit) and plenty of MemAvailable: cargo's default.
    std::fs::write(&cgroup, "max\n").unwrap();
    let r = fx.run_env(&["dist", "--dry-run"], &env).ok();
    assert!(!r.stdout.contains("--jobs"), "{}", r.stdout);
}
