//! The GitHub release path as a maintainer meets it: package tags select their package,
//! a prerelease is never marked latest, an older release never takes "latest" from a newer
//! one. The publish step's own script runs here against a stand-in `gh` that records what
//! it was asked to do.

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

/// Runs the publish script with `gh` answering `release list` with `published` tags and
/// recording `release create`'s arguments; returns those arguments.
fn publish(tag: &str, version: &str, prerelease: bool, published: &[&str]) -> String {
    let workflow =
        std::fs::read_to_string(repo_root().join(".github/workflows/release.yml")).unwrap();
    let script = step_script(&workflow, "Create the GitHub release");
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("gh.log");
    let gh = dir.path().join("gh");
    std::fs::write(
        &gh,
        format!(
            "#!/bin/sh\nif [ \"$1 $2\" = \"release list\" ]; then printf '%s\\n' {}; exit 0; fi\necho \"$@\" >> {}\n",
            published
                .iter()
                .map(|t| format!("'{t}'"))
                .collect::<Vec<_>>()
                .join(" "),
            log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&gh, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    std::fs::create_dir_all(dir.path().join("dist")).unwrap();
    std::fs::write(dir.path().join("dist/SHA256SUMS"), "").unwrap();
    std::fs::write(dir.path().join("notes.md"), "notes").unwrap();
    let o = std::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(dir.path())
        .env(
            "PATH",
            format!(
                "{}:{}",
                dir.path().display(),
                std::env::var("PATH").unwrap()
            ),
        )
        .env("TAG", tag)
        .env("VERSION", version)
        .env("PRERELEASE", prerelease.to_string())
        .output()
        .unwrap();
    let r = finish(o);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    std::fs::read_to_string(&log).unwrap()
}

#[test]
fn prereleases_are_never_latest_and_older_releases_do_not_take_latest() {
    let rc = publish("v1.0.0-rc.1", "1.0.0-rc.1", true, &["v0.9.0"]);
    assert!(rc.contains("--prerelease --latest=false"), "{rc}");
    let newest = publish("v1.0.0", "1.0.0", false, &["v0.9.0", "v0.10.0"]);
    assert!(newest.contains(" --latest "), "{newest}");
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
    assert!(beta.contains(" --latest "), "{beta}");
    assert!(beta.contains("release create beta-v0.2.0"), "{beta}");
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
