//! `release` in a temporary git repository (a copy of the tiny fixture, version 0.2.0):
//! every refusal names what is wrong and the fix; the happy path creates an annotated tag
//! carrying the changelog section, `--dry-run` creates nothing, `--push` pushes the tag.

use std::path::Path;
use std::process::Command;

use crate::support::*;

/// A hermetic git: an identity, and neither the user's nor the system's config (which may
/// sign tags or use another default branch).
const GIT_ENV: &[(&str, &str)] = &[
    ("GIT_AUTHOR_NAME", "Crossdock Test"),
    ("GIT_AUTHOR_EMAIL", "test@crossdock.invalid"),
    ("GIT_COMMITTER_NAME", "Crossdock Test"),
    ("GIT_COMMITTER_EMAIL", "test@crossdock.invalid"),
    ("GIT_CONFIG_GLOBAL", "/dev/null"),
    ("GIT_CONFIG_NOSYSTEM", "1"),
];

const CHANGELOG: &str = "# Changelog\n\
\n\
## [Unreleased]\n\
\n\
## [0.2.0] - 2026-11-25\n\
\n\
### Added\n\
\n\
- The tiny binary says hello.\n\
\n\
## [0.1.0] - 2026-01-01\n\
\n\
- First release.\n\
\n\
[0.2.0]: https://example.invalid/compare/v0.1.0...v0.2.0\n";

const NOTES: &str = "### Added\n\n- The tiny binary says hello.";

#[track_caller]
fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .envs(GIT_ENV.iter().copied())
        .output()
        .expect("git");
    let r = finish(o);
    assert_eq!(
        r.code,
        0,
        "`git {}` failed:\n{}{}",
        args.join(" "),
        r.stdout,
        r.stderr
    );
    r.stdout
}

/// The tiny fixture as a git repository with one commit (and `changelog`, if any).
fn repo(changelog: Option<&str>) -> Fixture {
    let fx = Fixture::new("tiny");
    if let Some(c) = changelog {
        fx.write("CHANGELOG.md", c);
    }
    fx.write(".gitignore", "/target\n/dist\n");
    git(fx.path(), &["init", "-q"]);
    git(fx.path(), &["add", "-A"]);
    git(fx.path(), &["commit", "-q", "-m", "tiny 0.2.0"]);
    fx
}

fn release(fx: &Fixture, args: &[&str]) -> Run {
    let mut all = vec!["release"];
    all.extend_from_slice(args);
    fx.run_env(&all, GIT_ENV)
}

fn tags(fx: &Fixture) -> String {
    git(fx.path(), &["tag", "--list"])
}

#[test]
fn release_creates_an_annotated_tag_with_the_changelog_section() {
    let fx = repo(Some(CHANGELOG));

    // The notes and the tag check the release workflow uses.
    let r = release(&fx, &["notes", "0.2.0"]).ok();
    assert_eq!(r.stdout, format!("{NOTES}\n"));
    assert_eq!(
        release(&fx, &["notes", "v0.2.0"]).ok().stdout,
        format!("{NOTES}\n")
    );
    assert_eq!(
        release(&fx, &["notes", "0.1.0", "--changelog", "CHANGELOG.md"])
            .ok()
            .stdout,
        "- First release.\n"
    );
    assert_eq!(
        release(&fx, &["check-tag", "v0.2.0"]).ok().stdout,
        "0.2.0\n"
    );

    // --dry-run checks everything, says what it would do, creates nothing.
    let r = release(&fx, &["--dry-run"]).ok();
    assert!(
        r.stdout
            .contains("release tiny 0.2.0 (dry run: nothing was created)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("tag:    v0.2.0 (annotated) on "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("- The tiny binary says hello."),
        "{}",
        r.stdout
    );
    assert_eq!(tags(&fx), "");

    let head = git(fx.path(), &["rev-parse", "HEAD"]);
    let r = release(&fx, &[]).ok();
    assert!(
        r.stderr.contains("Tagged v0.2.0 (tiny 0.2.0)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("git push origin v0.2.0"), "{}", r.stderr);
    assert_eq!(tags(&fx), "v0.2.0\n");
    assert_eq!(
        git(fx.path(), &["cat-file", "-t", "v0.2.0"]),
        "tag\n",
        "annotated, not lightweight"
    );
    assert_eq!(git(fx.path(), &["rev-parse", "v0.2.0^{commit}"]), head);
    let message = git(
        fx.path(),
        &["tag", "--list", "--format=%(contents)", "v0.2.0"],
    );
    assert_eq!(message.trim_end(), format!("tiny 0.2.0\n\n{NOTES}"));

    // Released once: the same version again is refused.
    release(&fx, &["--dry-run"]).fails_with(&[
        "tag `v0.2.0` already exists",
        "Bump `version` in Cargo.toml",
    ]);
}

#[test]
fn release_push_pushes_only_the_tag() {
    let fx = repo(Some(CHANGELOG));
    let remote = tempfile::tempdir().unwrap();
    git(remote.path(), &["init", "-q", "--bare"]);
    git(
        fx.path(),
        &["remote", "add", "origin", remote.path().to_str().unwrap()],
    );

    release(&fx, &["--push", "--remote", "upstream"]).fails_with(&[
        "git has no remote `upstream`",
        "git remote add upstream URL",
    ]);
    assert_eq!(tags(&fx), "", "a refused push creates no tag");

    let r = release(&fx, &["--push"]).ok();
    assert!(r.stderr.contains("Pushed v0.2.0 to origin"), "{}", r.stderr);
    let remote_refs = git(
        remote.path(),
        &["for-each-ref", "--format=%(refname) %(objecttype)"],
    );
    assert_eq!(remote_refs, "refs/tags/v0.2.0 tag\n");
}

#[test]
fn release_refuses_a_dirty_tree() {
    let fx = repo(Some(CHANGELOG));
    fx.write("src/main.rs", "fn main() { println!(\"changed\"); }\n");
    fx.write("notes.txt", "untracked\n");
    release(&fx, &[]).fails_with(&[
        "is not clean (2 uncommitted change(s))",
        "M src/main.rs",
        "?? notes.txt",
        "git stash -u",
    ]);
    assert_eq!(tags(&fx), "");
}

/// Issue 23 §12: one rule for `release`'s clean tree and `dist`'s `dirty`: an untracked
/// file git does not ignore counts for both; this machine's targets.local.toml, the out dir
/// and the target dir (never committed) count for neither, ignored or not.
#[test]
fn release_and_dist_judge_the_tree_by_one_rule() {
    let fx = repo(Some(CHANGELOG));
    fx.write(".gitignore", "# nothing ignored\n");
    git(fx.path(), &["commit", "-qam", "no ignores"]);
    fx.run(&["dist"]).ok();
    fx.write("targets.local.toml", "[dist]\n");
    let dirty = |fx: &Fixture| {
        let r = fx.run(&["dist", "--dry-run"]).ok();
        r.stdout.contains("tree:      dirty")
    };
    fx.write("notes.txt", "untracked\n");
    assert!(dirty(&fx), "an untracked file makes dist's tree dirty");
    release(&fx, &[]).fails_with(&["is not clean (1 uncommitted change(s))", "?? notes.txt"]);
    std::fs::remove_file(fx.path().join("notes.txt")).unwrap();
    assert!(
        !dirty(&fx),
        "targets.local.toml, dist/ and target/ do not count"
    );
    release(&fx, &[]).ok();
    assert_eq!(tags(&fx), "v0.2.0\n");
}

#[test]
fn release_refuses_a_version_that_does_not_match_cargo_toml() {
    let fx = repo(Some(CHANGELOG));
    release(&fx, &["--tag", "v0.3.0"]).fails_with(&[
        "tag `v0.3.0` does not match the version in Cargo.toml: tiny is 0.2.0 (expected tag `v0.2.0`)",
        "Cargo.toml",
    ]);
    release(&fx, &["check-tag", "v9.9.9"]).fails_with(&[
        "tag `v9.9.9` does not match the version in Cargo.toml: tiny is 0.2.0",
        "set the version to 9.9.9 in",
    ]);
    release(&fx, &["check-tag", "nightly"])
        .fails_with(&["`nightly` is not a release tag", "expected v{VERSION}"]);
    release(&fx, &["check-tag", "tiny-v0.2.0"]).ok();
    release(&fx, &["--package", "tinny"])
        .fails_with(&["package `tinny` is not a member", "Did you mean `tiny`?"]);

    // Cargo.toml bumped without Cargo.lock: `cargo build --locked` would fail on the tag.
    let manifest = std::fs::read_to_string(fx.path().join("Cargo.toml")).unwrap();
    fx.write(
        "Cargo.toml",
        &manifest.replace("version = \"0.2.0\"", "version = \"0.3.0\""),
    );
    fx.write(
        "CHANGELOG.md",
        &CHANGELOG.replace("## [Unreleased]", "## [0.3.0]\n\n- More."),
    );
    git(fx.path(), &["commit", "-q", "-am", "0.3.0"]);
    release(&fx, &[]).fails_with(&[
        "Cargo.lock records tiny 0.2.0 but Cargo.toml says 0.3.0",
        "commit Cargo.lock",
    ]);
    assert_eq!(tags(&fx), "");
}

#[test]
fn release_refuses_without_a_changelog_section() {
    let fx = repo(Some(
        "# Changelog\n\n## [Unreleased]\n\n- soon\n\n## [0.1.0]\n\n- First.\n",
    ));
    release(&fx, &[]).fails_with(&[
        "CHANGELOG.md has no section for 0.2.0 (it has: Unreleased, 0.1.0)",
        "add a heading `## [0.2.0] - YYYY-MM-DD`",
        "rename `## [Unreleased]`",
    ]);
    release(&fx, &["notes", "0.2.0"]).fails_with(&["has no section for 0.2.0"]);
    assert_eq!(tags(&fx), "");

    let fx = repo(Some("## [0.2.0]\n\n## [0.1.0]\n- First.\n"));
    release(&fx, &[]).fails_with(&["the section for 0.2.0 is empty"]);

    let fx = repo(None);
    release(&fx, &[]).fails_with(&["CHANGELOG.md not found", "--changelog PATH"]);
    assert_eq!(tags(&fx), "");
}

#[test]
fn release_outside_a_git_repository_says_so() {
    let fx = Fixture::new("tiny");
    fx.write("CHANGELOG.md", CHANGELOG);
    release(&fx, &["--dry-run"]).fails_with(&["release needs a git repository"]);
}
