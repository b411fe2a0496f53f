//! `cargo crossdock test` on the `with-tests` fixture (a lib with a unit test, an
//! integration test that prints the CPU it runs on, and an aarch64-only test that fails when
//! built with CROSSDOCK_TEST_FAIL_AARCH64=1): each target's tests run with its toolchain,
//! linker and runner, one summary line per target, and the exit code says whether all passed.

use crate::cross::{require_debian_aarch64, DEBIAN_RUSTC};
use crate::support::*;

const A64: &str = "aarch64-unknown-linux-gnu";

/// `with-tests` with the host target and aarch64 (Debian's rustc and std, the gcc cross
/// linker) with `runner` (None: no runner, so its tests cannot run here).
fn fixture(runner: Option<&str>) -> Fixture {
    let fx = Fixture::new("with-tests");
    let runner = runner
        .map(|r| format!("runner = {r}\n"))
        .unwrap_or_default();
    fx.write(
        "targets.toml",
        &format!(
            "[[target]]\ntriple = \"{}\"\n\n[[target]]\ntriple = \"{A64}\"\nrustc = \"{DEBIAN_RUSTC}\"\nlinker = \"aarch64-linux-gnu-gcc\"\n{runner}",
            host()
        ),
    );
    fx
}

/// The summary line of `target` in stderr.
fn summary_line<'a>(stderr: &'a str, target: &str) -> &'a str {
    let summary = stderr
        .split("test summary:\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no summary:\n{stderr}"));
    summary
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{target} ")))
        .unwrap_or_else(|| panic!("no summary line for {target}:\n{stderr}"))
}

#[test]
fn host_tests_run_and_a_target_without_runner_is_listed_as_cannot_run_here() {
    if !require_debian_aarch64() {
        return;
    }
    let fx = fixture(None);
    let r = fx.run(&["test", "--", "--nocapture"]).ok();
    // The harness arguments reached the test binaries, which really ran on this CPU.
    let arch = std::env::consts::ARCH;
    assert!(
        r.stdout
            .contains(&format!("with-tests test ran on arch={arch}")),
        "{}",
        r.stdout
    );
    assert!(
        summary_line(&r.stderr, &host()).ends_with("passed"),
        "{}",
        r.stderr
    );
    let a64 = summary_line(&r.stderr, A64);
    assert!(
        a64.contains("cannot run here:") && a64.contains("set `runner`"),
        "{a64}"
    );
    // Asked for by name, a target that cannot run here fails the command.
    let r = fx
        .run(&["test", "--target", A64])
        .fails_with(&[A64, "could not run"]);
    assert!(
        summary_line(&r.stderr, A64).contains("cannot run here:"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_failing_test_run_fails_the_command_and_names_its_target() {
    // The runner is the target's: here one that fails whatever it is given (a script: the
    // runner reaches cargo as one space-separated variable).
    let fx = Fixture::new("with-tests");
    fx.write("fail.sh", "exit 7\n");
    fx.write(
        "targets.toml",
        &format!(
            "[[target]]\ntriple = \"{}\"\nrunner = [\"sh\", \"{}\"]\n",
            host(),
            fx.path().join("fail.sh").display()
        ),
    );
    let r = fx
        .run(&["test"])
        .fails_with(&["tests of 1 target(s) failed", &host()]);
    assert!(
        summary_line(&r.stderr, &host()).contains("failed (exit status: 7)"),
        "{}",
        r.stderr
    );
}

#[test]
fn dry_run_prints_each_targets_cargo_test_command_and_runs_nothing() {
    let fx = Fixture::new("with-tests");
    let r = fx
        .run(&["test", "--dry-run", "-p", "with-tests", "--", "--nocapture"])
        .ok();
    let h = host();
    assert!(
        r.stdout.contains(&format!("test {h}\n"))
            && r.stdout
                .contains(&format!("cargo test --target {h} --locked -p with-tests")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.trim_end().ends_with("-- --nocapture"),
        "{}",
        r.stdout
    );
    assert!(
        !fx.path().join("target").exists(),
        "--dry-run built something"
    );
}

/// qemu runs the aarch64 tests: they pass, and with CROSSDOCK_TEST_FAIL_AARCH64=1 at build
/// time the aarch64-only test fails the command, which names the target, while the host's
/// tests pass in the same run. The runner is the recipe of docs/cross-linux.md behind a `timeout`: without
/// the `LD_LIBRARY_PATH` crossdock adds to it (plan/runner.rs), a machine with both Debian's
/// libc6-arm64-cross and libc6:arm64 (like this one) mixes two glibc builds and every test
/// binary spins at its first thread until the timeout.
#[test]
fn aarch64_tests_run_under_qemu_and_an_aarch64_only_failure_names_the_target() {
    if !require_debian_aarch64() {
        return;
    }
    let fx = fixture(Some(
        "[\"timeout\", \"120\", \"qemu-aarch64\", \"-L\", \"/usr/aarch64-linux-gnu\"]",
    ));
    let r = fx
        .run_env(&["test", "--", "--nocapture"], &[("RUST_BACKTRACE", "0")])
        .ok();
    assert!(
        r.stdout.contains("with-tests test ran on arch=aarch64"),
        "{}",
        r.stdout
    );
    assert!(
        summary_line(&r.stderr, A64).ends_with("passed"),
        "{}",
        r.stderr
    );
    let r = fx
        .run_env(
            &["test"],
            &[
                ("CROSSDOCK_TEST_FAIL_AARCH64", "1"),
                ("RUST_BACKTRACE", "0"),
            ],
        )
        .fails_with(&["tests of 1 target(s) failed", A64]);
    assert!(
        summary_line(&r.stderr, A64).contains("failed"),
        "{}",
        r.stderr
    );
    // It failed because the aarch64-only test ran and failed (not a build or doctest error).
    assert!(
        r.stdout.contains("test tests::aarch64_only ... FAILED"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    assert!(
        summary_line(&r.stderr, &host()).ends_with("passed"),
        "{}",
        r.stderr
    );
}
