//! `source-archive = true`: the commit's tracked files as `NAME-VERSION-src.tar.gz`,
//! checked against `git ls-files` and `sha256sum -c`, reproducible across runs, carried
//! by `merge`.

use crate::support::*;

#[test]
fn source_archive_holds_the_commits_tracked_files_and_is_reproducible() {
    let fx = Fixture::new("tiny");
    let config = std::fs::read_to_string(fx.path().join("targets.toml")).unwrap();
    fx.write(
        "targets.toml",
        &config.replace("[dist]\n", "[dist]\nsource-archive = true\n"),
    );
    // Outside a git checkout it is refused before anything builds, naming the fix.
    fx.run(&["dist", "--dry-run"]).fails_with(&[
        "targets.toml",
        "source-archive",
        "not in a git checkout",
        "git init",
    ]);

    let git = |args: &[&str]| {
        let mut all = vec!["-c", "user.name=t", "-c", "user.email=t@example.com"];
        all.extend(args);
        tool(fx.path(), "git", &all)
    };
    fx.write(".gitignore", "/target\n/dist\n");
    fx.write("scripts/run.sh", "#!/bin/sh\necho run\n");
    std::fs::set_permissions(
        fx.path().join("scripts/run.sh"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "first"]);
    // Neither an untracked file nor an uncommitted edit reaches the archive.
    fx.write("untracked.txt", "not committed\n");
    let readme = std::fs::read_to_string(fx.path().join("README.md")).unwrap();
    fx.write("README.md", "edited after the commit\n");

    let dry = fx.run(&["dist", "--dry-run"]).ok();
    assert!(
        dry.stdout.contains("tiny-0.2.0-src.tar.gz  (source: "),
        "{}",
        dry.stdout
    );
    fx.run(&["dist"]).ok();
    let dist = fx.dist_dir();
    let file = dist.join("tiny-0.2.0-src.tar.gz");
    let first = std::fs::read(&file).unwrap();

    let tracked: Vec<String> = git(&["ls-files"])
        .lines()
        .map(|l| format!("tiny-0.2.0-src/{l}"))
        .collect();
    let mut tracked = tracked;
    tracked.sort();
    let out = tempfile::tempdir().unwrap();
    extract(&file, out.path());
    assert_eq!(list_files(out.path()), tracked);
    let top = out.path().join("tiny-0.2.0-src");
    assert_eq!(
        std::fs::read_to_string(top.join("README.md")).unwrap(),
        readme
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &str| std::fs::metadata(top.join(p)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode("scripts/run.sh"), 0o755);
    assert_eq!(mode("Cargo.toml"), 0o644);

    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    assert!(sums.contains("  tiny-0.2.0-src.tar.gz\n"), "{sums}");
    tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
    tool(&dist, "sha256sum", &["-c", "tiny-0.2.0-src.tar.gz.sha256"]);
    let m = read_manifest(&dist);
    let entry = m["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "tiny-0.2.0-src.tar.gz")
        .unwrap_or_else(|| panic!("{m}"));
    assert_eq!(entry["kind"], "source");
    assert_eq!(entry["version"], "0.2.0");

    // Another run (after touching every file) writes the same bytes.
    fx.write("README.md", &readme);
    fx.run(&["dist"]).ok();
    assert_eq!(std::fs::read(&file).unwrap(), first);

    // merge (the release workflow's last step) carries it into the release unchanged.
    let merged = tempfile::tempdir().unwrap();
    let out = merged.path().join("dist");
    run_in(
        fx.path(),
        &[
            "merge",
            dist.to_str().unwrap(),
            "--out-dir",
            out.to_str().unwrap(),
        ],
        &[],
    )
    .ok();
    assert_eq!(
        std::fs::read(out.join("tiny-0.2.0-src.tar.gz")).unwrap(),
        first
    );
    assert_eq!(
        std::fs::read_to_string(out.join("SHA256SUMS")).unwrap(),
        std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap()
    );
    tool(&out, "sha256sum", &["-c", "SHA256SUMS"]);
}
