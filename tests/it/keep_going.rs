//! `dist --keep-going`: a target that fails to build does not stop the others; what worked
//! is archived, checksummed and listed, the failure is listed, and the run still fails.

use std::path::Path;

use crate::support::*;

/// A `rustup` first on PATH whose `target add` "succeeds" without installing anything: the
/// second target gets past the checks before building whether or not this machine has its
/// std, and its real build fails (no std, or the broken feature below).
fn rustup_that_installs_nothing(dir: &Path) -> String {
    let rustup = dir.join("rustup");
    std::fs::write(&rustup, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&rustup, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

const BROKEN: &str = "x86_64-unknown-linux-musl";

fn fixture() -> Fixture {
    let fx = Fixture::new("hello-ws");
    // A feature that does not compile, on for the second target only: the preflight's probe
    // crate does not have it, so only the real build fails.
    let manifest = std::fs::read_to_string(fx.path().join("alpha/Cargo.toml")).unwrap();
    fx.write(
        "alpha/Cargo.toml",
        &format!("{manifest}\n[features]\nbroken = []\n"),
    );
    let main = std::fs::read_to_string(fx.path().join("alpha/src/main.rs")).unwrap();
    fx.write(
        "alpha/src/main.rs",
        &format!("#[cfg(feature = \"broken\")]\ncompile_error!(\"alpha: the broken feature\");\n\n{main}"),
    );
    fx.write(
        "targets.toml",
        &format!(
            "[dist]\ninclude = [\"README*\", \"LICENSE*\"]\n\n[[target]]\ntriple = \"{}\"\n\n\
             [[target]]\ntriple = \"{BROKEN}\"\nfeatures = [\"alpha/broken\"]\n",
            host()
        ),
    );
    fx
}

#[test]
fn keep_going_ships_what_built_and_lists_the_failure() {
    let fx = fixture();
    let bin = tempfile::tempdir().unwrap();
    let path = rustup_that_installs_nothing(bin.path());
    let host = host();
    let dist = fx.dist_dir();

    // Without --keep-going the failing target stops the run, and nothing is written.
    fx.run_env(&["dist", "--all-targets"], &[("PATH", &path)])
        .fails_with(&[&format!("building target {BROKEN} failed")]);
    assert!(!dist.join("dist-manifest.json").exists());

    let r = fx.run_env(
        &["dist", "--all-targets", "--keep-going"],
        &[("PATH", &path)],
    );
    assert_ne!(r.code, 0, "{}", r.stderr);
    for name in [
        format!("alpha-0.3.1-{host}.tar.gz"),
        format!("beta-1.0.0-rc.1-{host}.tar.gz"),
    ] {
        assert!(dist.join(&name).is_file(), "{name}: {}", r.stderr);
    }
    tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
    let m = read_manifest(&dist);
    let failed = m["failed"]
        .as_array()
        .expect("manifest lists failed targets");
    assert_eq!(failed.len(), 1, "{m}");
    assert_eq!(failed[0]["target"], BROKEN);
    assert_eq!(failed[0]["step"], "build");
    assert!(
        failed[0]["error"]
            .as_str()
            .unwrap()
            .contains(&format!("building target {BROKEN} failed")),
        "{m}"
    );
    assert!(!m["files"].to_string().contains(BROKEN), "{}", m["files"]);
    // The warning when it failed, the summary row, the closing error.
    assert!(
        r.stderr
            .contains(&format!("warning: {BROKEN}: build failed, going on")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("(failed)"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("error: 1 target(s) failed: {BROKEN} (build)")),
        "{}",
        r.stderr
    );
}
