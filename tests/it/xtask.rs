//! The README's main command, exactly as a newcomer types it, on a clean clone: `cargo xtask
//! dist` ships crossdock for this machine and lists the matrix targets it cannot build here
//! (Windows MSVC, macOS, and whatever `rustup target add` cannot fetch) instead of failing.

use crate::support::*;

#[test]
#[ignore = "tier: self-build, a release build of crossdock itself"]
fn readme_command_on_a_clean_clone_ships_crossdock() {
    // Slow: a release build of crossdock itself. It builds in the target dir of this test
    // build (where the tests' binary is): the registry dependencies of the dev-profile xtask
    // are the ones `cargo test` compiled, with the same lock, features and profile, so only
    // the release build is cold; the clone's own crates (crossdock, xtask) are other units
    // (cargo keys a path package by its path), compiled from the clone's files, so a file
    // missing from git still fails the build. The clone lies outside that target dir (dist
    // takes no `include` file from its own target dir), at a fixed path per target dir so
    // that a rerun reuses the release build (its rustflags name the clone's path).
    let root = repo_root();
    let target = test_target_dir();
    let clone = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        target.hash(&mut h);
        std::env::temp_dir().join(format!("crossdock-readme-clone-{:016x}", h.finish()))
    };
    let _ = std::fs::remove_dir_all(&clone);
    std::fs::create_dir_all(clone.parent().unwrap()).unwrap();
    tool(
        &root,
        "git",
        &[
            "clone",
            "--quiet",
            root.to_str().unwrap(),
            clone.to_str().unwrap(),
        ],
    );
    let bin = tempfile::tempdir().unwrap();
    let path = offline_rustup(bin.path());
    let started = std::time::Instant::now();
    let o = cargo_in(&clone, &["xtask", "dist"])
        .env("PATH", &path)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    let r = finish(o).ok();
    eprintln!(
        "cargo xtask dist on a clean clone took {:?}",
        started.elapsed()
    );

    let host = host();
    let version = env!("CARGO_PKG_VERSION");
    let dist = clone.join("dist");
    tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
    let top = format!("crossdock-{version}-{host}");
    let x = tempfile::tempdir().unwrap();
    extract(&dist.join(format!("{top}.tar.gz")), x.path());
    assert_eq!(
        list_files(x.path()),
        [
            format!("{top}/LICENSE"),
            format!("{top}/README.md"),
            format!("{top}/cargo-crossdock")
        ]
    );
    // The archived binary names the commit it was built from, and that commit's date (UTC).
    let v = tool(
        x.path(),
        &format!("./{top}/cargo-crossdock"),
        &["--version"],
    );
    let sha = tool(&clone, "git", &["rev-parse", "--short=7", "HEAD"]);
    let o = std::process::Command::new("git")
        .args(["log", "-1", "--date=format-local:%Y-%m-%d", "--format=%cd"])
        .current_dir(&clone)
        .env("TZ", "UTC")
        .output()
        .unwrap();
    let date = String::from_utf8(o.stdout).unwrap();
    assert_eq!(
        v.trim(),
        format!(
            "crossdock {version} ({} {}, {host})",
            sha.trim(),
            date.trim()
        )
    );

    // Every matrix target that did not ship is listed with its reason and fix.
    let m = read_manifest(&dist);
    let skipped: Vec<&str> = m["skipped"]
        .as_array()
        .map(|a| a.iter().map(|s| s["target"].as_str().unwrap()).collect())
        .unwrap_or_default();
    assert!(skipped.contains(&"x86_64-pc-windows-msvc"), "{skipped:?}");
    for s in m["skipped"].as_array().unwrap() {
        assert!(!s["fix"].as_str().unwrap_or("").is_empty(), "{s}");
    }
    assert!(r.stderr.contains("(skipped)"), "{}", r.stderr);
    let _ = std::fs::remove_dir_all(&clone);
}

/// The target dir of this test build: `cargo-crossdock` lies in its `debug/`.
fn test_target_dir() -> std::path::PathBuf {
    let bin = crossdock_bin();
    bin.parent().unwrap().parent().unwrap().to_path_buf()
}
