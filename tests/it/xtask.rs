//! The README's main command, exactly as a newcomer types it, on a clean clone: `cargo xtask
//! dist` ships crossdock for this machine and lists the matrix targets it cannot build here
//! (Windows MSVC, macOS, and whatever `rustup target add` cannot fetch) instead of failing.

use crate::support::*;

#[test]
#[ignore = "tier: self-build, a release build of crossdock itself"]
fn readme_command_on_a_clean_clone_ships_crossdock() {
    // Slow: a release build of crossdock itself. The clone sits at a fixed path under
    // target/ so that a rerun reuses that build.
    let root = repo_root();
    let clone = root.join("target/readme-clone/crossdock");
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
        .env("CARGO_TARGET_DIR", root.join("target/readme-clone/target"))
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
