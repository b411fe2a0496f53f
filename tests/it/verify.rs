//! `verify DIR` (issue 24 §1): a release made by `dist` rebuilds identical from its commit
//! in a clean worktree at another path (also when the checkout has uncommitted edits);
//! a tampered archive, another rustc, a release from a dirty tree and a commit this
//! repository lacks each get their own diagnosis.

use std::io::{Read, Write};
use std::path::Path;

use crate::support::*;

fn git(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["-c", "user.name=t", "-c", "user.email=t@example.com"];
    all.extend(args);
    tool(dir, "git", &all)
}

/// A copy of the release in `dist` (what a user downloads), with `edit` applied to its manifest.
fn download(dist: &Path, edit: impl Fn(&mut serde_json::Value)) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    copy_tree(dist, d.path());
    let mut m = read_manifest(d.path());
    edit(&mut m);
    std::fs::write(
        d.path().join("dist-manifest.json"),
        serde_json::to_string_pretty(&m).unwrap(),
    )
    .unwrap();
    d
}

/// Every archive entry's `build.rustc` set to `rustc`.
fn set_rustc(m: &mut serde_json::Value, rustc: &str) {
    for a in m["artifacts"].as_array_mut().unwrap() {
        if a.get("build").is_some() {
            a["build"]["rustc"] = rustc.into();
        }
    }
}

#[test]
fn a_release_rebuilds_identical_and_each_difference_is_diagnosed() {
    let fx = Fixture::new("tiny");
    fx.write(".gitignore", "/target\n/dist\n");
    git(fx.path(), &["init", "-q"]);
    git(fx.path(), &["add", "-A"]);
    git(fx.path(), &["commit", "-qm", "first"]);
    fx.run(&["dist"]).ok();
    let host = host();
    let m = read_manifest(&fx.dist_dir());
    let archive = m["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "archive")
        .unwrap()
        .clone();
    let name = archive["name"].as_str().unwrap().to_string();
    let rustc_here = archive["build"]["rustc"].as_str().unwrap().to_string();
    assert!(rustc_here.starts_with("rustc "), "{archive}");
    assert_eq!(archive["build"]["builder"], "cargo");
    assert_eq!(archive["build"]["profile"], "dist");
    // The checkout gets an uncommitted edit: the rebuild is of the commit, not of this tree.
    fx.write(
        "src/main.rs",
        "fn main() { println!(\"not what was released\"); }\n",
    );

    // Identical, rebuilt in a worktree at another path; the worktree is gone afterwards.
    let release = download(&fx.dist_dir(), |_| {});
    let rel = release.path().to_str().unwrap();
    let r = fx.run(&["verify", rel]).ok();
    assert!(
        r.stderr.contains(&format!("Identical {name}")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("Verified 1 identical, 0 not identical"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("differs for"), "{}", r.stderr);
    let worktrees = git(fx.path(), &["worktree", "list"]);
    assert_eq!(worktrees.lines().count(), 1, "{worktrees}");
    let r = fx.run(&["verify", rel, "--json", "--target", &host]).ok();
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["files"][0]["status"], "identical", "{report}");
    assert_eq!(report["identical"], 1);
    fx.run(&["verify", rel, "--target", "aarch64-unknown-linux-gnu"])
        .fails_with(&[
            "--target aarch64-unknown-linux-gnu",
            "no archive for it",
            &host,
        ]);

    // A tampered archive: README.md's sixth byte changed inside a valid tar.gz.
    let tampered = download(&fx.dist_dir(), |_| {});
    let path = tampered.path().join(&name);
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap())
        .read_to_end(&mut tar)
        .unwrap();
    let readme = std::fs::read(fx.path().join("README.md")).unwrap();
    let at = tar
        .windows(readme.len())
        .position(|w| w == readme.as_slice())
        .expect("README.md in the archive");
    tar[at + 5] ^= 0x20;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).unwrap();
    std::fs::write(&path, gz.finish().unwrap()).unwrap();
    let top = name.strip_suffix(".tar.gz").unwrap();
    let r = fx
        .run(&["verify", tampered.path().to_str().unwrap()])
        .fails_with(&[
            &format!("Differs {name}: member `{top}/README.md` differs at byte 5"),
            "does not match its SHA256SUMS",
            "0 identical, 1 not identical",
        ]);
    assert!(!r.stderr.contains("differs for"), "{}", r.stderr);

    // Another rustc recorded: verify runs, the archive is this machine's, the input is named.
    let other = download(&fx.dist_dir(), |m| {
        set_rustc(m, "rustc 1.0.0 (a59807616 2015-05-15)")
    });
    let r = fx.run(&["verify", other.path().to_str().unwrap()]).ok();
    assert!(
        r.stderr.contains(&format!(
            "rustc differs for {host}: the release's is `rustc 1.0.0 (a59807616 2015-05-15)`, this rebuild's `{rustc_here}`"
        )),
        "{}",
        r.stderr
    );
    // Another default toolchain (rustup's nightly): verify rebuilds with the installed rustup
    // toolchain of the recorded version instead, and the archive is identical.
    let version = rustc_here.split(' ').nth(1).unwrap().to_string();
    let installed = |t: &str| {
        std::process::Command::new("rustup")
            .args(["which", "--toolchain", t, "rustc"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if installed("nightly") && installed(&version) {
        let r = fx
            .run_env(&["verify", rel], &[("RUSTUP_TOOLCHAIN", "nightly")])
            .ok();
        assert!(r.stderr.contains("Toolchain"), "{}", r.stderr);
        assert!(
            r.stderr.contains(&format!("Identical {name}")),
            "{}",
            r.stderr
        );
    } else {
        eprintln!("note: rustup toolchains nightly and {version} are not both installed: the recorded toolchain's selection is not rehearsed");
    }
    // Another rustc for real (Debian's, another version): the binary differs, and why.
    let debian = "/usr/bin/rustc";
    let debian_version = Path::new(debian).exists().then(|| {
        tool(Path::new("/"), debian, &["--version"])
            .trim()
            .to_string()
    });
    if let Some(v) = debian_version.filter(|v| *v != rustc_here) {
        fx.run(&["verify", rel, "--rustc", debian]).fails_with(&[
            &format!("Differs {name}: member `{top}/tiny` differs at byte"),
            &format!(
                "rustc differs for {host}: the release's is `{rustc_here}`, this rebuild's `{v}`"
            ),
        ]);
    }

    // A release built from a dirty tree, and a commit this repository does not have.
    let dirty = download(&fx.dist_dir(), |m| m["dirty"] = true.into());
    fx.run(&["verify", dirty.path().to_str().unwrap()])
        .fails_with(&["uncommitted changes", "dirty: true", "clean tree"]);
    let gone = "0123456789abcdef0123456789abcdef01234567";
    let missing = download(&fx.dist_dir(), |m| m["commit"] = gone.into());
    fx.run(&["verify", missing.path().to_str().unwrap()])
        .fails_with(&[
            &format!("commit {gone} is not in this repository"),
            "git fetch",
        ]);
}
