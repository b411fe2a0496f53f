//! `parallel-targets`: targets built at once give the same release as one at a time (the
//! same bytes, the same summary), each target's cargo output comes as one block, and the
//! builds really overlap (each in its own target dir: cargo's build-dir lock would
//! otherwise run them one after the other).

use std::path::Path;

use crate::cross::{cross_path, require_debian_aarch64};
use crate::support::*;

/// The files of an out dir with their bytes.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    list_files(dir)
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

/// The summary table printed after `Finished`.
fn summary(stderr: &str) -> String {
    let at = stderr
        .find("artifact ")
        .unwrap_or_else(|| panic!("no summary:\n{stderr}"));
    stderr[at..].to_string()
}

#[test]
fn two_targets_at_once_ship_the_bytes_and_summary_of_a_serial_run() {
    if !require_debian_aarch64() {
        return;
    }
    let host = host();
    // Debian's cargo and rustc for both targets: the one with an aarch64 std here.
    let config = |parallel: &str| {
        format!("[dist]\ninclude = [\"README*\", \"LICENSE*\"]\ncargo = \"/usr/bin/cargo\"\nrustc = \"/usr/bin/rustc\"\n{parallel}\n[[target]]\ntriple = \"{host}\"\n\n[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\nlinker = \"aarch64-linux-gnu-gcc\"\nrunner = [\"qemu-aarch64\", \"-L\", \"/usr/aarch64-linux-gnu\"]\n")
    };
    let fx = Fixture::new("hello-ws");
    let path = cross_path();
    let env = [("PATH", path.as_str())];
    fx.write("targets.toml", &config(""));
    let serial_dir = fx.path().join("serial");
    let serial = fx
        .run_env(&["dist", "--out-dir", serial_dir.to_str().unwrap()], &env)
        .ok();
    assert!(!serial.stderr.contains("Parallel"), "{}", serial.stderr);

    fx.write("targets.toml", &config("parallel-targets = 2\n"));
    let plan = fx.run_env(&["dist", "--dry-run"], &env).ok().stdout;
    assert!(plan.contains("parallel:  2 targets at once"), "{plan}");
    for t in [host.as_str(), "aarch64-unknown-linux-gnu"] {
        let dir = fx.path().join("target/crossdock/parallel").join(t);
        assert!(
            plan.contains(&format!("--target-dir {}", dir.display())),
            "{t} builds in its own target dir:\n{plan}"
        );
    }
    let parallel_dir = fx.path().join("parallel");
    let parallel = fx
        .run_env(&["dist", "--out-dir", parallel_dir.to_str().unwrap()], &env)
        .ok();
    let err = &parallel.stderr;
    assert!(err.contains("Parallel 2 targets at once"), "{err}");

    // The same release, byte for byte, and the same summary.
    let (s, p) = (contents(&serial_dir), contents(&parallel_dir));
    assert_eq!(
        s.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        p.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    for ((name, a), (_, b)) in s.iter().zip(&p) {
        assert!(
            a == b,
            "{name} differs between the serial and the parallel run"
        );
    }
    assert_eq!(summary(&serial.stderr), summary(err));
    // Every binary of both targets was smoke-run (or, byte-identical to the serial run's,
    // known to pass).
    let smoked = err
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("Ran ") || l.starts_with("Fresh "))
        .count();
    assert_eq!(
        smoked, 6,
        "alpha, alpha-admin and beta for both targets:\n{err}"
    );

    // The builds overlap: both started before the first one finished.
    let lines: Vec<&str> = err.lines().map(str::trim_start).collect();
    let at = |pred: &dyn Fn(&str) -> bool| lines.iter().position(|l| pred(l));
    let first_finished = at(&|l| l.starts_with("Finished `dist` profile")).expect(err);
    for t in [host.as_str(), "aarch64-unknown-linux-gnu"] {
        let building = at(&|l| l.starts_with("Building") && l.ends_with(t)).expect(err);
        assert!(building < first_finished, "{t} started late:\n{err}");
    }
    // Each cargo's lines come as one block: `Compiling alpha`, `Compiling beta` (in
    // either order) and its `Finished` line, nothing else in between. (The builds again
    // after measuring print a lone `Finished`.)
    let mut blocks: Vec<Vec<&str>> = Vec::new();
    let mut open: Vec<&str> = Vec::new();
    for l in &lines {
        if l.starts_with("Compiling ") {
            open.push(l);
        } else if l.starts_with("Finished `dist`") {
            open.push(l);
            blocks.push(std::mem::take(&mut open));
        } else if !open.is_empty() {
            panic!("`{l}` inside a block of cargo output:\n{err}");
        }
    }
    blocks.retain(|b| b.len() > 1);
    assert_eq!(blocks.len(), 2, "two blocks of cargo output:\n{err}");
    for b in &blocks {
        let mut names: Vec<&str> = b
            .iter()
            .filter_map(|l| l.strip_prefix("Compiling "))
            .map(|l| l.split(' ').next().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["alpha", "beta"], "one build's lines only:\n{err}");
        assert!(b.last().unwrap().starts_with("Finished"), "{err}");
    }
}
