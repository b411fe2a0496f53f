//! The user's cargo configuration survives crossdock's own rustflags. The `cfg-flag`
//! fixture sets `[build] rustflags = ["--cfg", "fixture_flag"]` and its binary prints
//! whether that flag arrived. Cargo uses target-level rustflags or `[build] rustflags`,
//! never both, so an unrelated `[target.'cfg(windows)']` table must not make crossdock put
//! its flags at the target level on Linux. Judged by running the binary extracted from the
//! shipped archive (under qemu for aarch64), not by reading crossdock's plan.

use crate::cross::{cross_path, DEBIAN_RUSTC};
use crate::support::*;

const SET: &str = "cfgflag: fixture_flag set";

/// A `[target.'cfg(…)']` table that applies to no Linux target.
const WINDOWS_TABLE: &str =
    "\n[target.'cfg(windows)']\nrustflags = [\"-Ctarget-feature=+crt-static\"]\n";

/// A copy of `cfg-flag` shipping one target (`target` holds its targets.toml keys), with
/// `extra` appended to the fixture's `.cargo/config.toml`.
fn fixture(target: &str, extra: &str) -> Fixture {
    let fx = Fixture::new("cfg-flag");
    fx.write("targets.toml", &format!("[[target]]\n{target}"));
    let config = std::fs::read_to_string(fx.path().join(".cargo/config.toml")).unwrap();
    fx.write(".cargo/config.toml", &format!("{config}{extra}"));
    fx
}

/// Runs `dist -v <args>`, extracts the archive and runs the shipped binary (through
/// `runner` when given). Returns its output and dist's stderr (the cargo command line).
fn ship_and_run(fx: &Fixture, triple: &str, args: &[&str], runner: &[&str]) -> (String, String) {
    let mut all = vec!["dist", "-v"];
    all.extend_from_slice(args);
    let dist = fx.run_env(&all, &[("PATH", &cross_path())]).ok();
    let x = fx.path().join("x");
    extract(
        &fx.dist_dir().join(format!("cfgflag-0.1.0-{triple}.tar.gz")),
        &x,
    );
    let bin = x.join(format!("cfgflag-0.1.0-{triple}/cfgflag"));
    let bin = bin.to_str().unwrap();
    let out = match runner.split_first() {
        Some((program, rest)) => {
            let mut a = rest.to_vec();
            a.push(bin);
            tool(&x, program, &a)
        }
        None => tool(&x, bin, &[]),
    };
    (out, dist.stderr)
}

fn host_target() -> (String, String) {
    let host = host();
    let keys = format!("triple = \"{host}\"\n");
    (host, keys)
}

#[test]
fn build_rustflags_reach_the_host_binary() {
    let (host, keys) = host_target();
    let (out, stderr) = ship_and_run(&fixture(&keys, ""), &host, &[], &[]);
    assert_eq!(out.trim(), SET, "{stderr}");
    assert!(stderr.contains("build.rustflags=["), "{stderr}");
}

#[test]
fn a_cfg_windows_table_does_not_drop_build_rustflags_on_the_host() {
    let (host, keys) = host_target();
    let (out, stderr) = ship_and_run(&fixture(&keys, WINDOWS_TABLE), &host, &[], &[]);
    assert_eq!(out.trim(), SET, "{stderr}");
    assert!(stderr.contains("build.rustflags=["), "{stderr}");
    assert!(
        !stderr.contains(&format!("target.{host}.rustflags")),
        "{stderr}"
    );
}

#[test]
fn a_cfg_table_that_applies_gets_our_flags_next_to_it() {
    // Here cargo uses the target-level rustflags: ours must join them there, and the
    // user's `--cfg fixture_flag` (now in the `cfg(unix)` table) still arrives.
    let (host, keys) = host_target();
    let unix = "\n[target.'cfg(unix)']\nrustflags = [\"--cfg\", \"fixture_flag\"]\n";
    let fx = fixture(&keys, "");
    fx.write(".cargo/config.toml", unix);
    let (out, stderr) = ship_and_run(&fx, &host, &[], &[]);
    assert_eq!(out.trim(), SET, "{stderr}");
    assert!(
        stderr.contains(&format!("target.{host}.rustflags=[")),
        "{stderr}"
    );
}

#[test]
fn build_rustflags_reach_the_aarch64_binary_under_qemu() {
    let t = "aarch64-unknown-linux-gnu";
    if !crate::cross::require_debian_aarch64() {
        return;
    }
    let keys = format!(
        "triple = \"{t}\"\nlinker = \"aarch64-linux-gnu-gcc\"\n\
         runner = [\"qemu-aarch64\", \"-L\", \"/usr/aarch64-linux-gnu\"]\n"
    );
    let args = ["--cargo", "/usr/bin/cargo", "--rustc", DEBIAN_RUSTC];
    let qemu = ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"];
    for extra in ["", WINDOWS_TABLE] {
        let (out, stderr) = ship_and_run(&fixture(&keys, extra), t, &args, &qemu);
        assert_eq!(out.trim(), SET, "with {extra:?}:\n{stderr}");
        assert!(stderr.contains("build.rustflags=["), "{stderr}");
    }
}

/// Issue 23 §19: a `.cargo/config.toml` that is not TOML stops cargo; crossdock skipped it
/// without a word (run from outside the workspace, where `cargo metadata` does not read
/// it) or blamed the workspace (run inside). Now both name the file; and a config in a
/// member folder, which a cargo started there would read but crossdock's runs in the
/// workspace root do not, is warned about.
#[test]
fn a_broken_cargo_config_is_an_error_naming_it() {
    let fx = Fixture::new("tiny");
    fx.write(
        ".cargo/config.toml",
        "[build\nrustflags = [\"-Cdebuginfo=0\"]\n",
    );
    let file = fx.path().join(".cargo/config.toml");
    let outside = tempfile::tempdir().unwrap();
    let manifest = fx.path().join("Cargo.toml");
    let manifest = manifest.to_str().unwrap();
    for args in [
        &["doctor", "--no-probe", "--manifest-path", manifest][..],
        &["dist", "--manifest-path", manifest],
    ] {
        let r = run_in(outside.path(), args, &[]);
        assert_ne!(r.code, 0, "{args:?}: {}", r.stdout);
        assert!(
            r.stderr.contains(&format!(
                "the cargo config {} is not valid TOML",
                file.display()
            )) && r.stderr.contains("fix or remove it"),
            "{args:?}:\n{}",
            r.stderr
        );
    }
    let r = fx.run(&["doctor", "--no-probe"]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("cargo cannot read its configuration")
            && r.stderr.contains(&file.display().to_string())
            && !r.stderr.contains("Cargo workspace"),
        "{}",
        r.stderr
    );
    std::fs::remove_file(&file).unwrap();
    fx.write("src/.cargo/config.toml", "[build]\njobs = 1\n");
    let r = run_in(&fx.path().join("src"), &["doctor", "--no-probe"], &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "{} is not used: crossdock runs cargo in the workspace root",
            fx.path().join("src/.cargo/config.toml").display()
        )),
        "{}",
        r.stderr
    );
}
