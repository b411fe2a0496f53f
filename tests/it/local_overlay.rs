//! `targets.local.toml`: this machine's settings reach `dist`/`doctor`, never `matrix`; and
//! `matrix` warns about machine paths left in the shared targets.toml.

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
