//! `targets.local.toml`: this machine's settings reach `dist`/`doctor`, never `matrix`; and
//! `matrix` warns about machine paths left in the shared targets.toml.

use crate::cross::DEBIAN_RUSTC;
use crate::support::*;

#[test]
fn overlay_applies_to_doctor_not_to_matrix() {
    let fx = Fixture::new("tiny");
    let host = host();
    fx.write(
        "targets.toml",
        &format!("[[target]]\ntriple = \"{host}\"\nrunner = [\"/opt/somewhere/qemu\"]\n"),
    );
    fx.write(
        "targets.local.toml",
        &format!("[[target]]\ntriple = \"{host}\"\nlinker = \"crossdock-local-only-gcc\"\n"),
    );
    let r = fx.run(&["doctor", "--no-probe"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    // Issue 23 §15: the key came from the overlay, and the fix says so.
    assert!(
        r.stdout
            .contains("`crossdock-local-only-gcc` (targets.local.toml `linker`) is not on PATH"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("or set `linker` for {host} in targets.local.toml")),
        "{}",
        r.stdout
    );
    // The runner the shared file set is named in it.
    assert!(
        r.stdout
            .contains(&format!("or change `runner` for {host} in targets.toml")),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("targets.local.toml"), "{}", r.stderr);
    let m = fx.run(&["matrix"]).ok();
    assert!(
        !m.stdout.contains("crossdock-local-only-gcc"),
        "{}",
        m.stdout
    );
    assert!(
        m.stderr
            .contains("runner = \"/opt/somewhere/qemu\" is a path on this machine"),
        "{}",
        m.stderr
    );
}

/// Issue 23 §15: with `--config`, fixes name that file (and its overlay), not targets.toml.
#[test]
fn fixes_name_the_config_file_given_with_config_and_its_overlay() {
    let fx = Fixture::new("tiny");
    let host = host();
    std::fs::remove_file(fx.path().join("targets.toml")).unwrap();
    fx.write(
        "release.toml",
        &format!("[[target]]\ntriple = \"{host}\"\nrunner = [\"crossdock-no-such-runner\"]\nlinker = \"crossdock-no-such-gcc\"\n"),
    );
    fx.write(
        "release.local.toml",
        &format!("[[target]]\ntriple = \"{host}\"\ncc = \"crossdock-no-such-cc\"\n"),
    );
    let r = fx.run(&["doctor", "--no-probe", "--config", "release.toml"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    for needle in [
        format!("or change `runner` for {host} in release.toml"),
        "`crossdock-no-such-gcc` (release.toml `linker`) is not on PATH".to_string(),
        format!("or set `linker` for {host} in release.toml"),
    ] {
        assert!(
            r.stdout.contains(&needle),
            "lacks {needle:?}:\n{}",
            r.stdout
        );
    }
    assert!(!r.stdout.contains("targets.toml"), "{}", r.stdout);
}

/// Issue 23 §15, the rest: every fix that names a setting names the file it is in: the
/// `--config` file (a zip archive past 2107, a binary's smoke run turned off) or its overlay
/// (the `rustc` whose std is missing), never targets.toml.
#[test]
fn every_settings_fix_names_the_config_file_or_overlay_it_came_from() {
    let fx = Fixture::new("tiny");
    let host = host();
    std::fs::remove_file(fx.path().join("targets.toml")).unwrap();
    fx.write("src/bin/tiny-extra.rs", "fn main() {}\n");
    fx.write(
        "release.toml",
        &format!(
            "[[target]]\ntriple = \"{host}\"\narchive = \"zip\"\nsmoke = {{ tiny-extra = false }}\n\n\
             [[target]]\ntriple = \"x86_64-pc-windows-gnu\"\n"
        ),
    );
    // Debian's rustc has no windows-gnu std, and rustup does not manage it: nothing adds it.
    fx.write(
        "release.local.toml",
        &format!("[[target]]\ntriple = \"x86_64-pc-windows-gnu\"\nrustc = \"{DEBIAN_RUSTC}\"\n"),
    );
    let args = ["--config", "release.toml", "--target", host.as_str()];
    let plan = fx.run(&[&["dist", "--dry-run"][..], &args].concat()).ok();
    assert!(
        plan.stdout.contains("tiny-extra: off in release.toml"),
        "{}",
        plan.stdout
    );
    let late = fx.run_env(
        &[&["dist", "--dry-run"][..], &args].concat(),
        &[("SOURCE_DATE_EPOCH", "4400000000")],
    );
    assert!(
        late.stderr.contains(&format!(
            "or archive = \"tar.gz\" for {host} in release.toml"
        )),
        "{}",
        late.stderr
    );
    if !require(
        "Debian's rustc (rustc-web) at /usr/bin/rustc",
        std::path::Path::new(DEBIAN_RUSTC).is_file(),
    ) {
        return;
    }
    let d = fx.run(&[
        "doctor",
        "--no-probe",
        "--config",
        "release.toml",
        "--target",
        "x86_64-pc-windows-gnu",
    ]);
    assert!(
        d.stdout
            .contains("(or `rustc`/`cargo` for this target in release.local.toml)"),
        "{}\n{}",
        d.stdout,
        d.stderr
    );
    assert!(!d.stdout.contains("targets.toml"), "{}", d.stdout);
}
