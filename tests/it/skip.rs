//! `dist` without `--target` ships what this machine can build and lists the rest (the
//! README's `cargo xtask dist` on a fresh Linux machine, whose matrix has Windows and macOS
//! targets); `--target` and `--all-targets` stay strict.

use crate::support::*;

fn fixture() -> Fixture {
    let fx = Fixture::new("hello-ws");
    fx.write(
        "targets.toml",
        &format!(
            "[dist]\ninclude = [\"README*\", \"LICENSE*\"]\n\n[[target]]\ntriple = \"{}\"\n\n\
             [[target]]\ntriple = \"x86_64-pc-windows-msvc\"\n\n\
             [[target]]\ntriple = \"aarch64-apple-darwin\"\n",
            host()
        ),
    );
    fx
}

#[test]
fn dist_ships_what_builds_here_and_lists_the_rest() {
    let fx = fixture();
    let bin = tempfile::tempdir().unwrap();
    let path = offline_rustup(bin.path());
    // The stand-in also records each call: no std is fetched for a target that cannot
    // build here anyway (no linker for it).
    let calls = bin.path().join("calls");
    let script = std::fs::read_to_string(bin.path().join("rustup")).unwrap();
    std::fs::write(
        bin.path().join("rustup"),
        script.replacen("\n", &format!("\necho \"$@\" >> {}\n", calls.display()), 1),
    )
    .unwrap();
    let r = fx.run_env(&["dist"], &[("PATH", &path)]).ok();
    let asked = std::fs::read_to_string(&calls).unwrap_or_default();
    assert!(
        !asked.contains("windows-msvc") && !asked.contains("apple"),
        "{asked}"
    );
    let host = host();
    let dist = fx.dist_dir();
    assert!(dist.join(format!("alpha-0.3.1-{host}.tar.gz")).is_file());
    tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
    let m = read_manifest(&dist);
    let skipped = m["skipped"]
        .as_array()
        .expect("manifest lists skipped targets");
    let targets: Vec<&str> = skipped
        .iter()
        .map(|s| s["target"].as_str().unwrap())
        .collect();
    assert_eq!(targets, ["x86_64-pc-windows-msvc", "aarch64-apple-darwin"]);
    for s in skipped {
        assert!(!s["reason"].as_str().unwrap().is_empty(), "{s}");
        assert!(!s["fix"].as_str().unwrap().is_empty(), "{s}");
    }
    assert!(
        !m["files"].to_string().contains("windows") && !m["files"].to_string().contains("apple"),
        "{}",
        m["files"]
    );
    // The summary names each skipped target with its fix.
    assert!(r.stderr.contains("(skipped)"), "{}", r.stderr);
    assert!(r.stderr.contains("x86_64-pc-windows-msvc"), "{}", r.stderr);
    assert!(r.stderr.contains("fix: "), "{}", r.stderr);
}

#[test]
fn target_and_all_targets_stay_strict() {
    let fx = fixture();
    let bin = tempfile::tempdir().unwrap();
    let path = offline_rustup(bin.path());
    fx.run_env(
        &["dist", "--target", "x86_64-pc-windows-msvc"],
        &[("PATH", &path)],
    )
    .fails_with(&["x86_64-pc-windows-msvc"]);
    fx.run_env(&["dist", "--all-targets"], &[("PATH", &path)])
        .fails_with(&["x86_64-pc-windows-msvc"]);
    assert!(!fx.dist_dir().join("dist-manifest.json").exists());
}
