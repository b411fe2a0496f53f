//! The GitHub release path as a maintainer meets it: package tags select their package,
//! a prerelease is never marked latest, an older release never takes "latest" from a newer
//! one. The publish step's own script runs here against a stand-in `gh` that records what
//! it was asked to do.

use crate::actions::{have_publish_tools, run_script, FakeGh};
use crate::support::*;

/// The `run: |` block of the workflow step named `step`.
fn step_script(workflow: &str, step: &str) -> String {
    let start = workflow
        .find(&format!("- name: {step}"))
        .unwrap_or_else(|| panic!("no step {step:?}"));
    let rest = &workflow[start..];
    let run = rest.find("run: |").expect("a multi-line run block");
    let body = &rest[run + "run: |".len()..];
    let mut lines = body.lines().skip(1);
    let first = lines.clone().next().unwrap();
    let indent = first.len() - first.trim_start().len();
    let mut out = String::new();
    for l in lines.by_ref() {
        if !l.trim().is_empty() && l.len() - l.trim_start().len() < indent {
            break;
        }
        out.push_str(l.get(indent..).unwrap_or(""));
        out.push('\n');
    }
    out
}

/// A merged dist/ as the publish job downloads it: two archives, SHA256SUMS, the manifest.
fn write_dist(dir: &std::path::Path) {
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let files = [
        "app-1.0.0-x86_64-unknown-linux-gnu.tar.gz",
        "app-1.0.0-x86_64-pc-windows-msvc.zip",
    ];
    for f in files {
        std::fs::write(dist.join(f), format!("bytes of {f}")).unwrap();
    }
    std::fs::write(
        dist.join("dist-manifest.json"),
        serde_json::json!({ "files": ["SHA256SUMS", files[1], files[0]] }).to_string(),
    )
    .unwrap();
    tool(
        &dist,
        "sh",
        &["-c", "sha256sum *.tar.gz *.zip > SHA256SUMS"],
    );
    std::fs::write(dir.join("notes.md"), "notes").unwrap();
}

/// Runs the publish step's script (as the workflow writes it) against a stand-in `gh`
/// holding `published` releases (and whatever `seed` adds); returns the run and the gh.
fn publish_with(
    tag: &str,
    version: &str,
    prerelease: bool,
    published: &[&str],
    seed: impl FnOnce(&FakeGh),
) -> (Run, FakeGh, tempfile::TempDir) {
    let workflow =
        std::fs::read_to_string(repo_root().join(".github/workflows/release.yml")).unwrap();
    let script = step_script(&workflow, "Publish the GitHub release");
    let dir = tempfile::tempdir().unwrap();
    let gh = FakeGh::new(dir.path());
    gh.set_published(published);
    seed(&gh);
    let ws = dir.path().join("ws");
    write_dist(&ws);
    let env = [
        ("TAG", tag.to_string()),
        ("VERSION", version.to_string()),
        ("PRERELEASE", prerelease.to_string()),
    ]
    .map(|(k, v)| (k.to_string(), v));
    let r = run_script(&script, &ws, &env, &[gh.bin()]);
    (r, gh, dir)
}

/// The publish script's last command (the one that publishes), for a fresh release.
fn publish(tag: &str, version: &str, prerelease: bool, published: &[&str]) -> String {
    let (r, gh, _dir) = publish_with(tag, version, prerelease, published, |_| {});
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(gh.is_draft(tag), Some(false), "{}", gh.log());
    gh.log()
}

#[test]
fn prereleases_are_never_latest_and_older_releases_do_not_take_latest() {
    if !have_publish_tools() {
        return;
    }
    let rc = publish("v1.0.0-rc.1", "1.0.0-rc.1", true, &["v0.9.0"]);
    assert!(rc.contains("gh release create v1.0.0-rc.1 --draft --verify-tag --title v1.0.0-rc.1 --notes-file notes.md --prerelease\n"), "{rc}");
    assert!(
        rc.ends_with("gh release edit v1.0.0-rc.1 --draft=false --prerelease --latest=false\n"),
        "{rc}"
    );
    let newest = publish("v1.0.0", "1.0.0", false, &["v0.9.0", "v0.10.0"]);
    assert!(newest.ends_with("--draft=false --latest\n"), "{newest}");
    // A patch of an older line, published after 2.0.0: not latest.
    let patch = publish("v1.0.1", "1.0.1", false, &["v2.0.0", "v1.0.0"]);
    assert!(patch.contains("--latest=false"), "{patch}");
    // Package tags compare with their own package's releases only.
    let beta = publish(
        "beta-v0.2.0",
        "0.2.0",
        false,
        &["alpha-v3.0.0", "beta-v0.1.0"],
    );
    assert!(
        beta.ends_with("gh release edit beta-v0.2.0 --draft=false --latest\n"),
        "{beta}"
    );
    assert!(
        beta.contains("release create beta-v0.2.0 --draft"),
        "{beta}"
    );
}

#[test]
fn the_workflow_runs_on_package_tags_and_builds_only_that_package() {
    let workflow =
        std::fs::read_to_string(repo_root().join(".github/workflows/release.yml")).unwrap();
    assert!(
        workflow.contains("- \"v*\"\n      - \"*-v*\""),
        "{workflow}"
    );
    assert!(
        workflow.contains("${PACKAGE:+--package \"$PACKAGE\"}"),
        "{workflow}"
    );
}

#[test]
fn check_tag_names_the_package_and_the_prerelease() {
    let fx = Fixture::new("hello-ws");
    let print = |tag: &str, what: &str| {
        fx.run(&["release", "check-tag", "--print", what, tag])
            .ok()
            .stdout
            .trim()
            .to_string()
    };
    assert_eq!(print("beta-v1.0.0-rc.1", "version"), "1.0.0-rc.1");
    assert_eq!(print("beta-v1.0.0-rc.1", "package"), "beta");
    assert_eq!(print("beta-v1.0.0-rc.1", "prerelease"), "true");
    assert_eq!(print("alpha-v0.3.1", "prerelease"), "false");

    // dist -p: only that package ships.
    fx.write(
        "targets.toml",
        &format!("[[target]]\ntriple = \"{}\"\n", host()),
    );
    fx.run(&["dist", "-p", "beta"]).ok();
    let files = list_files(&fx.dist_dir());
    assert!(
        files.iter().any(|f| f.starts_with("beta-1.0.0-rc.1-")),
        "{files:?}"
    );
    assert!(!files.iter().any(|f| f.starts_with("alpha-")), "{files:?}");
    fx.run(&["dist", "-p", "gamma"]).fails_with(&[
        "-p gamma: not a package this workspace ships",
        "alpha, beta",
    ]);
}

/// Issue 14 §3: a re-run continues the draft an earlier run left (its stale and half-written
/// assets replaced or removed) and publishes it; a published release is never touched.
#[test]
fn a_rerun_continues_the_draft_and_a_published_release_is_never_modified() {
    if !have_publish_tools() {
        return;
    }
    let (r, gh, _dir) = publish_with("v1.0.0", "1.0.0", false, &[], |gh| {
        gh.seed(
            "v1.0.0",
            true,
            &[
                ("app-1.0.0-x86_64-unknown-linux-gnu.tar.gz", "half"),
                ("app-0.9.0-stale.tar.gz", "old"),
            ],
        )
    });
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("Continuing the draft release v1.0.0"),
        "{}",
        r.stdout
    );
    let log = gh.log();
    assert!(!log.contains("release create"), "{log}");
    assert!(
        log.contains("gh release delete-asset v1.0.0 app-0.9.0-stale.tar.gz --yes"),
        "{log}"
    );
    assert_eq!(gh.is_draft("v1.0.0"), Some(false));
    assert_eq!(
        list_files(&gh.assets("v1.0.0")),
        [
            "SHA256SUMS",
            "app-1.0.0-x86_64-pc-windows-msvc.zip",
            "app-1.0.0-x86_64-unknown-linux-gnu.tar.gz",
            "dist-manifest.json"
        ]
    );
    tool(&gh.assets("v1.0.0"), "sha256sum", &["-c", "SHA256SUMS"]);

    let (r, gh, _dir) = publish_with("v1.0.0", "1.0.0", false, &[], |gh| {
        gh.seed(
            "v1.0.0",
            false,
            &[(
                "app-1.0.0-x86_64-unknown-linux-gnu.tar.gz",
                "the published bytes",
            )],
        )
    });
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("::error::release v1.0.0 is already published, and crossdock never modifies a published release")
            && r.stdout.contains("gh release delete v1.0.0"),
        "{}",
        r.stdout
    );
    let log = gh.log();
    assert!(
        !log.contains("upload") && !log.contains("edit") && !log.contains("delete"),
        "{log}"
    );
    assert_eq!(
        std::fs::read_to_string(
            gh.assets("v1.0.0")
                .join("app-1.0.0-x86_64-unknown-linux-gnu.tar.gz")
        )
        .unwrap(),
        "the published bytes"
    );
}

/// Issue 14 §3: the draft is published only when what it holds is dist/, byte for byte.
#[test]
fn a_draft_that_does_not_hold_dist_is_not_published() {
    if !have_publish_tools() {
        return;
    }
    // A gh whose upload loses the last file (as a dropped connection would).
    let (r, gh, _dir) = publish_with("v1.0.0", "1.0.0", false, &[], |gh| {
        let bin = gh.bin().join("gh");
        let script = std::fs::read_to_string(&bin).unwrap().replace(
            "for a in \"$@\"; do [ \"$a\" = --clobber ] || cp",
            "set -- \"${@:1:$#-1}\"; for a in \"$@\"; do [ \"$a\" = --clobber ] || cp",
        );
        std::fs::write(&bin, script).unwrap();
    });
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("does not hold exactly the files of dist/"),
        "{}",
        r.stdout
    );
    assert_eq!(gh.is_draft("v1.0.0"), Some(true), "{}", gh.log());
}
