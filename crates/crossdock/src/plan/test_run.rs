//! `test`: the workspace's tests for each target, planned from that target's build step so
//! that tests compile with exactly what ships (toolchain, build-std, linker, rustflags, env,
//! C toolchain) and run through the target's runner (cargo reads it from
//! `CARGO_TARGET_<T>_RUNNER`, already in the build's env). Doctests too: when crossdock
//! points `RUSTC` at a toolchain that is not cargo's own (Debian's rustc with its aarch64
//! std), `RUSTDOC` goes to the same toolchain's rustdoc, else cargo's rustdoc compiles the
//! doctests against another std (or none: "can't find crate for `std`"). Pure, like the
//! rest of the plan: `test --dry-run` prints these steps, the executor runs them.

use super::*;

/// One target's test run, or why it cannot run here.
#[derive(Debug, Clone)]
pub struct TestStep {
    pub target: Triple,
    /// The build step this is planned from (its std is installed before the tests).
    pub build: BuildIdx,
    /// `cargo test --target … --workspace …`: the build's invocation with `test` for `build`.
    pub cargo: CargoInvocation,
    /// Passed to the test binaries, after `--`.
    pub harness_args: Vec<String>,
    /// Why this target's tests cannot run on this machine (no runner, foreign OS/CPU).
    pub cannot_run: Option<String>,
}

impl TestStep {
    /// The whole command line, program first, harness arguments last.
    pub fn argv(&self) -> Vec<String> {
        let mut v = self.cargo.argv();
        if !self.harness_args.is_empty() {
            v.push("--".into());
            v.extend(self.harness_args.iter().cloned());
        }
        v
    }

    /// `K=V … cargo test … -- ARGS` as a human reads it.
    pub fn render(&self) -> String {
        let mut s = self.cargo.render();
        for a in &self.argv()[self.cargo.argv().len()..] {
            s.push(' ');
            s.push_str(a);
        }
        s
    }
}

/// The test step of every target left in `plan` (after [`Plan::without`]). `packages` are
/// the user's `-p` (any workspace member, not only the shipped ones); empty means
/// `--workspace`.
pub fn test_steps(
    plan: &Plan,
    facts: &Facts,
    packages: &[String],
    harness_args: &[String],
) -> Vec<TestStep> {
    plan.builds
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let mut cargo = test_invocation(b, packages);
            if let Some(rustdoc) = rustdoc_beside_rustc(b, facts) {
                cargo.env.insert("RUSTDOC".into(), rustdoc);
            }
            TestStep {
                target: b.target.clone(),
                build: BuildIdx(i),
                cargo,
                harness_args: harness_args.to_vec(),
                cannot_run: cannot_test_here(b, &facts.host),
            }
        })
        .collect()
}

/// The rustdoc of the toolchain whose rustc crossdock sets (`<sysroot>/bin/rustdoc`), unless
/// the target's env names one already; `None` when cargo keeps its own rustc.
fn rustdoc_beside_rustc(b: &BuildStep, facts: &Facts) -> Option<String> {
    b.toolchain.rustc.as_ref()?;
    if b.cargo.env.contains_key("RUSTDOC") {
        return None;
    }
    let toolchain = facts.toolchains.get(&b.toolchain)?.as_ref().ok()?;
    Some(
        toolchain
            .sysroot
            .join("bin")
            .join("rustdoc")
            .display()
            .to_string(),
    )
}

fn cannot_test_here(b: &BuildStep, host: &Triple) -> Option<String> {
    if !b.builder.can_test() {
        return Some(format!(
            "{} builds with cargo-zigbuild, which crossdock does not test through yet; test it with builder = \"cargo\" and a `linker`",
            b.target
        ));
    }
    cannot_run_here(&b.target, b.runner.is_some(), host, "test it")
}

/// The build's invocation turned into `cargo test`: same program, env, rustflags and
/// build-std (plus `test`, which the harness links); no `--profile` (tests use cargo's test
/// profile, so the profile overrides for shipped binaries go too), no JSON messages (cargo's
/// own output is streamed), no glibc suffix on the triple (a zigbuild-only spelling).
fn test_invocation(b: &BuildStep, packages: &[String]) -> CargoInvocation {
    let mut c = b.cargo.clone();
    let mut args = vec!["test".to_string()];
    let mut it = b.cargo.args.iter().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--profile" | "-p" => {
                it.next();
            }
            "--target" => {
                it.next();
                args.extend(["--target".into(), b.target.to_string()]);
            }
            s if s.starts_with("--message-format") => {}
            _ => args.push(a.clone()),
        }
    }
    if packages.is_empty() {
        args.push("--workspace".into());
    }
    for p in packages {
        args.extend(["-p".into(), p.clone()]);
    }
    c.args = args;
    c.config.retain(|v| !v.starts_with("profile."));
    if let Some(bs) = &mut c.build_std {
        if !bs.split([',', '=']).any(|k| k == "test") {
            bs.push_str(",test");
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::super::tests::{config, facts, HOST, MATRIX};
    use super::*;

    fn steps(args: &[String]) -> Vec<TestStep> {
        let c = config(MATRIX);
        let opts = Options::default();
        let f = facts(&c, &opts, true, &[HOST]);
        let p = plan(&c, &f, &opts).unwrap();
        test_steps(&p, &f, &[], args)
    }

    #[test]
    fn test_steps_are_the_builds_with_test_for_build_and_the_runner_in_the_env() {
        let s = steps(&["--nocapture".to_string()]);
        let a64 = s
            .iter()
            .find(|t| t.target == "aarch64-unknown-linux-gnu")
            .unwrap();
        assert_eq!(a64.cannot_run, None);
        let argv = a64.argv();
        assert_eq!(
            argv[..4],
            ["cargo", "test", "--target", "aarch64-unknown-linux-gnu"]
        );
        assert!(argv.contains(&"--workspace".to_string()), "{argv:?}");
        assert_eq!(argv[argv.len() - 2..], ["--", "--nocapture"]);
        for gone in [
            "--profile",
            "-p",
            "--message-format=json-render-diagnostics",
        ] {
            assert!(!argv.iter().any(|a| a == gone), "{gone} in {argv:?}");
        }
        assert!(!argv.iter().any(|a| a.starts_with("profile.")), "{argv:?}");
        // Same rustflags, linker, runner and rustc as the build; the qemu runner with its
        // prefix's libc (plan/runner.rs: else every test binary hangs at its first thread).
        assert!(
            argv.iter().any(|a| a.contains("--remap-path-prefix")),
            "{argv:?}"
        );
        let env = &a64.cargo.env;
        assert_eq!(
            env["CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER"],
            "qemu-aarch64 -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib"
        );
        assert_eq!(
            env["CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER"],
            "aarch64-linux-gnu-gcc"
        );
        assert_eq!(env["RUSTC"], "/usr/bin/rustc");
        // Doctests with the rustdoc of that rustc's toolchain, not cargo's; a target on
        // cargo's own toolchain keeps cargo's rustdoc.
        let rustdoc = std::path::Path::new("/sysroot").join("bin").join("rustdoc");
        assert_eq!(env["RUSTDOC"], rustdoc.display().to_string());
        assert!(
            !s[0].cargo.env.contains_key("RUSTDOC"),
            "{:?}",
            s[0].cargo.env
        );
        // build-std adds the test harness's crate.
        let win = s
            .iter()
            .find(|t| t.target == "x86_64-pc-windows-gnu")
            .unwrap();
        assert_eq!(
            win.cargo.build_std.as_deref(),
            Some("-Zbuild-std=std,panic_abort,test")
        );
        assert!(win.argv().contains(&"fast".to_string()), "features kept");
    }

    #[test]
    fn a_target_that_cannot_run_here_says_why_and_how_to_fix_it() {
        let s = steps(&[]);
        let why = |t: &str| s.iter().find(|x| x.target == t).unwrap().cannot_run.clone();
        assert_eq!(why("x86_64-unknown-linux-gnu"), None);
        let win = why("x86_64-pc-windows-gnu").unwrap();
        assert!(
            win.contains("cannot run on this x86_64-unknown-linux-gnu machine")
                && win.contains("set `runner`"),
            "{win}"
        );
        assert!(why("x86_64-apple-darwin")
            .unwrap()
            .contains("cargo-zigbuild"));
        assert!(why("aarch64-apple-darwin").is_some());
        assert!(!steps(&[])[0].argv().contains(&"--".to_string()));
    }

    #[test]
    fn a_rustdoc_in_the_targets_env_is_kept() {
        let c = config(&MATRIX.replace(
            "rustc = \"/usr/bin/rustc\"",
            "rustc = \"/usr/bin/rustc\"\nenv = { RUSTDOC = \"/opt/rustdoc\" }",
        ));
        let opts = Options::default();
        let f = facts(&c, &opts, true, &[HOST]);
        let p = plan(&c, &f, &opts).unwrap();
        let s = test_steps(&p, &f, &[], &[]);
        let a64 = s
            .iter()
            .find(|t| t.target == "aarch64-unknown-linux-gnu")
            .unwrap();
        assert_eq!(a64.cargo.env["RUSTDOC"], "/opt/rustdoc");
    }

    #[test]
    fn user_packages_replace_the_workspace() {
        let c = config(MATRIX);
        let opts = Options::default();
        let f = facts(&c, &opts, true, &[HOST]);
        let p = plan(&c, &f, &opts).unwrap();
        let s = test_steps(&p, &f, &["lib-only".to_string()], &[]);
        let argv = s[0].argv();
        assert!(argv.windows(2).any(|w| w == ["-p", "lib-only"]), "{argv:?}");
        assert!(!argv.contains(&"--workspace".to_string()));
    }
}
