//! `parallel-targets`: targets built at once give the same release as one at a time (the
//! same bytes, the same summary). Targets that can share a cargo invocation build with one
//! cargo (`--target A --target B`, the host's crates once); the others each in a target dir
//! of their own, their cargo output as one block each, and those builds really overlap
//! (cargo's build-dir lock would otherwise run them one after the other).

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

/// Both out dirs hold the same files, byte for byte.
fn assert_same_release(a: &Path, b: &Path) {
    let (s, p) = (contents(a), contents(b));
    assert_eq!(
        s.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        p.iter().map(|(n, _)| n).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in s.iter().zip(&p) {
        assert!(
            x == y,
            "{name} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
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
    // Debian's cargo and rustc for both targets: the one with an aarch64 std here. The
    // aarch64 target has rustflags of its own, which a grouped cargo scopes to it.
    let config = |parallel: &str| {
        format!("[dist]\ninclude = [\"README*\", \"LICENSE*\"]\ncargo = \"/usr/bin/cargo\"\nrustc = \"/usr/bin/rustc\"\n{parallel}\n[[target]]\ntriple = \"{host}\"\n\n[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\nlinker = \"aarch64-linux-gnu-gcc\"\nrunner = [\"qemu-aarch64\", \"-L\", \"/usr/aarch64-linux-gnu\"]\nrustflags = [\"-Cforce-frame-pointers=yes\"]\n")
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
    let both = format!("--target {host} --target aarch64-unknown-linux-gnu");

    // One toolchain, plain cargo, the same settings: one cargo builds both, cold, in a
    // target dir of its own here (so that it compiles everything again).
    let grouped_target = fx.path().join("target-grouped");
    let genv = [
        ("PATH", path.as_str()),
        ("CARGO_TARGET_DIR", grouped_target.to_str().unwrap()),
    ];
    let plan = fx.run_env(&["dist", "--dry-run"], &genv).ok().stdout;
    assert!(
        plan.contains(&format!(
            "parallel:  {host}, aarch64-unknown-linux-gnu in one cargo build"
        )),
        "{plan}"
    );
    assert_eq!(plan.matches(&both).count(), 1, "{plan}");
    // The aarch64 target's own rustflags, scoped to it; the host's without them.
    let flags = |t: &str| format!("target.{t}.rustflags=[");
    for t in [host.as_str(), "aarch64-unknown-linux-gnu"] {
        assert_eq!(plan.matches(&flags(t)).count(), 1, "{t}:\n{plan}");
    }
    assert_eq!(
        plan.matches("-Cforce-frame-pointers=yes").count(),
        1,
        "{plan}"
    );
    assert!(!plan.contains("build.rustflags"), "{plan}");
    let grouped_dir = fx.path().join("grouped");
    let grouped = fx
        .run_env(
            &["dist", "-v", "--out-dir", grouped_dir.to_str().unwrap()],
            &genv,
        )
        .ok();
    let err = &grouped.stderr;
    // ONE cargo compiled both targets: every `Compiling` line comes between its `Running`
    // line and the next command (the unstripped measure is --quiet, the build after it
    // fresh).
    let lines: Vec<&str> = err.lines().map(str::trim_start).collect();
    let group_runs: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("Running") && lines[i].contains(&both))
        .collect();
    assert_eq!(group_runs.len(), 1, "one cargo for both targets:\n{err}");
    let next_run = (group_runs[0] + 1..lines.len())
        .find(|&i| lines[i].starts_with("Running"))
        .unwrap_or(lines.len());
    let compiling: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].starts_with("Compiling "))
        .collect();
    // (cargo names a package once however many targets it compiles it for.)
    assert_eq!(compiling.len(), 2, "alpha and beta:\n{err}");
    assert!(
        compiling.iter().all(|&i| i > group_runs[0] && i < next_run),
        "something compiled outside the group's cargo:\n{err}"
    );
    assert!(
        !lines.iter().any(|l| l.contains("crossdock/parallel")),
        "{err}"
    );
    assert_same_release(&serial_dir, &grouped_dir);
    assert_eq!(summary(&serial.stderr), summary(err));

    // A workspace that reads CROSSDOCK_TARGET (one value per target) keeps a cargo per
    // target, each in its own target dir, at once.
    fx.write(
        "alpha/notes.rs",
        "// option_env!(\"CROSSDOCK_TARGET\") would differ per target\n",
    );
    let plan = fx.run_env(&["dist", "--dry-run"], &env).ok().stdout;
    assert!(plan.contains("parallel:  2 targets at once"), "{plan}");
    assert!(!plan.contains(&both), "{plan}");
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
    assert_same_release(&serial_dir, &parallel_dir);
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
