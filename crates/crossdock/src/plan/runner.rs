//! The runner crossdock hands to cargo (`CARGO_TARGET_<T>_RUNNER`, so `test`) and to its
//! own smoke runs: the user's `runner`, plus one fix for qemu-user with a cross sysroot.
//!
//! Why: `qemu-aarch64 -L /usr/aarch64-linux-gnu` loads the ELF interpreter from the prefix
//! (Debian's `libc6-arm64-cross`), but qemu falls back to the host's file for any path the
//! prefix lacks, and that loader searches `/lib/aarch64-linux-gnu` first. When the machine
//! also has the multiarch `libc6:arm64` (which Debian's `libstd-rust-*-dev:arm64` pulls in),
//! `libc.so.6` comes from there while `ld-linux-aarch64.so.1` comes from the cross package.
//! The two glibc builds share no private ABI (on Debian 12: 2.36-8cross1 vs 2.36-9+deb12u14,
//! `_rtld_global` is 4512 vs 4520 bytes), so the first `pthread_create` spins forever: every
//! libtest binary and every program with a thread hangs, while `app --version` runs. Pointing
//! `LD_LIBRARY_PATH` at the prefix's `lib` keeps loader and libc from one build; it changes
//! nothing where they already match. Pure, like the rest of the plan.

/// `runner` with `-E LD_LIBRARY_PATH=<prefix>/lib` after the `-L <prefix>` of a `qemu-*`
/// program (also behind a wrapper such as `timeout 120 qemu-aarch64 …`), unless the runner
/// already sets `LD_LIBRARY_PATH` or the prefix is `/`. Any other runner is returned as is.
pub fn runner_for_cargo(runner: &[String]) -> Vec<String> {
    let Some(qemu) = runner.iter().position(|a| is_qemu_user(a)) else {
        return runner.to_vec();
    };
    let opts = &runner[qemu + 1..];
    if opts.iter().any(|a| a.starts_with("LD_LIBRARY_PATH=")) {
        return runner.to_vec();
    }
    let Some(l) = opts.iter().position(|a| a == "-L") else {
        return runner.to_vec();
    };
    let Some(prefix) = opts.get(l + 1).map(|p| p.trim_end_matches('/')) else {
        return runner.to_vec();
    };
    if prefix.is_empty() {
        return runner.to_vec();
    }
    let at = qemu + 1 + l + 2;
    let mut out = runner[..at].to_vec();
    out.extend(["-E".to_string(), format!("LD_LIBRARY_PATH={prefix}/lib")]);
    out.extend(runner[at..].iter().cloned());
    out
}

/// `qemu-aarch64`, `/usr/bin/qemu-riscv64-static`: a qemu user-mode emulator (not
/// `qemu-system-*` or `qemu-img`).
fn is_qemu_user(arg: &str) -> bool {
    let name = arg.rsplit('/').next().unwrap_or(arg);
    name.strip_prefix("qemu-")
        .is_some_and(|rest| !rest.is_empty() && !rest.starts_with("system") && rest != "img")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(runner: &[&str]) -> Vec<String> {
        runner_for_cargo(&runner.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn a_qemu_prefix_also_gives_the_loader_its_own_libc() {
        assert_eq!(
            fixed(&["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"]),
            [
                "qemu-aarch64",
                "-L",
                "/usr/aarch64-linux-gnu",
                "-E",
                "LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib"
            ]
        );
        // Behind a wrapper, with a trailing slash and options after the prefix.
        assert_eq!(
            fixed(&[
                "timeout",
                "120",
                "/usr/bin/qemu-riscv64-static",
                "-L",
                "/usr/riscv64-linux-gnu/",
                "-cpu",
                "max"
            ]),
            [
                "timeout",
                "120",
                "/usr/bin/qemu-riscv64-static",
                "-L",
                "/usr/riscv64-linux-gnu/",
                "-E",
                "LD_LIBRARY_PATH=/usr/riscv64-linux-gnu/lib",
                "-cpu",
                "max"
            ]
        );
    }

    #[test]
    fn other_runners_and_the_users_own_library_path_stay_as_written() {
        for r in [
            &["qemu-aarch64"][..],
            &["qemu-aarch64", "-L", "/"],
            &["qemu-aarch64", "-L"],
            &["qemu-aarch64", "-L", "/p", "-E", "LD_LIBRARY_PATH=/mine"],
            &["wine"],
            &["sh", "-L", "/p"],
            &["qemu-system-aarch64", "-L", "/p"],
        ] {
            assert_eq!(fixed(r), r, "{r:?}");
        }
    }
}
