//! Issue 14 §4: a rehearsal of the release workflow on this machine. `init` renders the
//! workflow for the hello-ws fixture (host target only), and the plan, build and merge jobs
//! run **as the workflow writes them**, in order, with the matrix the plan job computed
//! (tests/it/actions.rs reads the YAML back and runs each step). The publish job runs too,
//! against a stand-in `gh`: what it uploads must be exactly the merged dist/, and the `gh`
//! commands it runs are a snapshot. What only GitHub can prove (runners, tokens, the
//! attestation itself, the artifact service) is listed in docs/release-workflow.md.

use std::path::Path;

use crate::actions::{have_publish_tools, Context, Runner};
use crate::support::*;

const GIT_ENV: &[(&str, &str)] = &[
    ("GIT_AUTHOR_NAME", "Crossdock Test"),
    ("GIT_AUTHOR_EMAIL", "test@crossdock.invalid"),
    ("GIT_COMMITTER_NAME", "Crossdock Test"),
    ("GIT_COMMITTER_EMAIL", "test@crossdock.invalid"),
    ("GIT_CONFIG_GLOBAL", "/dev/null"),
    ("GIT_CONFIG_NOSYSTEM", "1"),
];

#[track_caller]
fn git(dir: &Path, args: &[&str]) -> String {
    let o = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .envs(GIT_ENV.iter().copied())
        .output()
        .unwrap();
    let r = finish(o);
    assert_eq!(r.code, 0, "git {args:?}:\n{}", r.stderr);
    r.stdout
}

/// hello-ws shipping the host target, as a git repository on `main` (the origin the
/// workflow checks out), with the release workflow `init` renders for it.
fn origin() -> Fixture {
    origin_with("", "")
}

/// [`origin`] with more keys in its `[dist]` and `[[target]]` tables.
fn origin_with(dist_keys: &str, target_keys: &str) -> Fixture {
    let fx = Fixture::new("hello-ws");
    fx.write(
        "targets.toml",
        &format!(
            "[dist]\ninclude = [\"README*\", \"LICENSE*\"]\n{dist_keys}\n[[target]]\ntriple = \"{}\"\n{target_keys}",
            host()
        ),
    );
    fx.write(
        "CHANGELOG.md",
        "# Changelog\n\n## [0.3.1] - 2026-11-26\n\n- alpha says hello.\n",
    );
    fx.write(".gitignore", "/target\n/dist\n");
    // The workflow as init renders it for this project (in a scratch copy: init also adds
    // the xtask, which the rehearsal replaces with the built binary).
    let scratch = tempfile::tempdir().unwrap();
    copy_tree(fx.path(), scratch.path());
    let r = run_in(
        scratch.path(),
        &["init", "--crossdock-path", repo_root().to_str().unwrap()],
        &[],
    )
    .ok();
    assert!(r.stderr.contains("release.yml"), "{}", r.stderr);
    let workflow = ".github/workflows/release.yml";
    fx.write(
        workflow,
        &std::fs::read_to_string(scratch.path().join(workflow)).unwrap(),
    );
    git(fx.path(), &["init", "-q", "-b", "main"]);
    git(fx.path(), &["add", "-A"]);
    git(fx.path(), &["commit", "-q", "-m", "hello-ws 0.3.1"]);
    fx
}

/// What Actions sets for a run on `git_ref` (a tag or a branch).
fn context(git_ref: &str, ref_type: &str, event: &str, dry_run: &str) -> Context {
    [
        ("github.ref", format!("refs/{ref_type}s/{git_ref}")),
        ("github.ref_name", git_ref.to_string()),
        ("github.ref_type", ref_type.to_string()),
        ("github.event_name", event.to_string()),
        ("github.event.repository.default_branch", "main".to_string()),
        ("github.repository", "owner/hello-ws".to_string()),
        ("github.token", "stand-in-token".to_string()),
        ("inputs.dry-run", dry_run.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn workflow(fx: &Fixture) -> String {
    std::fs::read_to_string(fx.path().join(".github/workflows/release.yml")).unwrap()
}

/// A pushed package tag: plan, build, merge, attest and publish as written; the release
/// holds exactly the merged dist/, whose checksums hold.
#[test]
fn a_tag_push_rehearsed_publishes_exactly_the_merged_dist() {
    if !have_publish_tools() {
        return;
    }
    let started = std::time::Instant::now();
    let fx = origin();
    git(fx.path(), &["tag", "alpha-v0.3.1"]);
    let root = tempfile::tempdir().unwrap();
    let runner = Runner::new(
        root.path(),
        fx.path(),
        "alpha-v0.3.1",
        context("alpha-v0.3.1", "tag", "push", ""),
    );
    let out = runner.run(&workflow(&fx)).unwrap();
    let host = host();
    assert_eq!(
        out.ran,
        [
            "plan".to_string(),
            format!("build {host}"),
            "merge".into(),
            "attest".into(),
            "publish".into()
        ]
    );
    // Issue 25 §1: the xtask is compiled by the plan job alone; build and merge run the
    // binary it kept as an artifact.
    assert_eq!(runner.cargo_xtask_jobs(), ["plan"]);
    assert_eq!(out.job_outputs["plan.package"], "alpha");
    assert_eq!(out.job_outputs["plan.version"], "0.3.1");
    assert_eq!(out.job_outputs["plan.prerelease"], "false");
    assert_eq!(out.job_outputs["plan.dry-run"], "false");

    // The merged dist/ (the merge job's artifact) is what the release holds, byte for byte.
    let dist = runner.artifacts().join("dist");
    let released = runner.gh.assets("alpha-v0.3.1");
    assert_eq!(list_files(&released), list_files(&dist));
    for f in list_files(&dist) {
        assert_eq!(
            std::fs::read(dist.join(&f)).unwrap(),
            std::fs::read(released.join(&f)).unwrap(),
            "{f}"
        );
    }
    assert!(
        list_files(&dist).contains(&format!("alpha-0.3.1-{host}.tar.gz")),
        "{:?}",
        list_files(&dist)
    );
    assert!(
        !list_files(&dist).iter().any(|f| f.starts_with("beta-")),
        "a package tag ships its package only: {:?}",
        list_files(&dist)
    );
    tool(&released, "sha256sum", &["-c", "SHA256SUMS"]);
    assert_eq!(runner.gh.is_draft("alpha-v0.3.1"), Some(false));
    let notes = std::fs::read_to_string(runner.artifacts().join("release-notes/notes.md")).unwrap();
    assert_eq!(notes.trim(), "- alpha says hello.");

    let recorded = out.recorded.join("\n").replace(&host, "[host]");
    let gh = runner.gh.log().replace(&host, "[host]");
    insta::assert_snapshot!(
        "tag_push",
        format!("# cache and attest steps\n{recorded}\n\n# gh, as the publish job ran it\n{gh}")
    );
    eprintln!("rehearsal of a tag push: {:?}", started.elapsed());
}

/// A dry run dispatched on the default branch: every package built and merged, dist/ kept
/// as an artifact, the cache saved, and no attest, no publish, no `gh` at all.
#[test]
fn a_dry_run_dispatch_builds_and_merges_but_releases_nothing() {
    let fx = origin();
    let root = tempfile::tempdir().unwrap();
    let runner = Runner::new(
        root.path(),
        fx.path(),
        "main",
        context("main", "branch", "workflow_dispatch", "true"),
    );
    let out = runner.run(&workflow(&fx)).unwrap();
    assert_eq!(out.skipped, ["attest", "publish"]);
    assert_eq!(runner.gh.log(), "");
    let dist = runner.artifacts().join("dist");
    let files = list_files(&dist);
    let host = host();
    for f in [
        format!("alpha-0.3.1-{host}.tar.gz"),
        format!("beta-1.0.0-rc.1-{host}.tar.gz"),
    ] {
        assert!(files.contains(&f), "{files:?}");
    }
    tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
    let saved: Vec<&String> = out
        .recorded
        .iter()
        .filter(|r| r.contains("actions/cache/save"))
        .collect();
    // Merge compiles nothing (issue 25 §1): it neither restores nor saves a cargo cache.
    assert_eq!(saved.len(), 2, "plan and build save: {:?}", out.recorded);
    assert!(
        !out.recorded
            .iter()
            .any(|r| r.starts_with("merge:") && r.contains("actions/cache")),
        "{:?}",
        out.recorded
    );
    // The shared compiler cache is written by dry runs (read-only on a tag: tag_push.snap).
    assert!(
        out.recorded.iter().any(|r| r.ends_with(
            "Build, check and archive: SCCACHE_GHA_ENABLED=true SCCACHE_GHA_RW_MODE=READ_WRITE"
        )),
        "{:?}",
        out.recorded
    );
}

/// Issue 25 §1: a build job on another runner than the plan job's cannot run the binary the
/// plan job kept, so it does not download it: its `xtask` is a wrapper of `cargo xtask`, which
/// compiles the xtask there. The merge job (on ubuntu-latest) still runs the plan job's.
#[test]
fn a_build_job_on_another_runner_compiles_its_own_xtask() {
    let fx = origin_with("", "github-runner = \"ubuntu-22.04\"\n");
    let root = tempfile::tempdir().unwrap();
    let runner = Runner::new(
        root.path(),
        fx.path(),
        "main",
        context("main", "branch", "workflow_dispatch", "true"),
    );
    let out = runner.run(&workflow(&fx)).unwrap();
    let host = host();
    assert_eq!(
        out.ran,
        ["plan".to_string(), format!("build {host}"), "merge".into()]
    );
    assert_eq!(
        runner.cargo_xtask_jobs(),
        ["plan".to_string(), format!("build-{host}")]
    );
    let wrapper = root
        .path()
        .join(format!("jobs/build-{host}/temp/xtask/xtask"));
    assert_eq!(
        std::fs::read_to_string(&wrapper).unwrap(),
        "#!/bin/sh\nexec cargo xtask \"$@\"\n"
    );
    let dist = runner.artifacts().join("dist");
    assert!(
        list_files(&dist).contains(&format!("alpha-0.3.1-{host}.tar.gz")),
        "{:?}",
        list_files(&dist)
    );
    tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
}

/// Issue 12 item 16: a tag on a commit that is not on the default branch stops in the plan
/// job with the fix; nothing is built and `gh` is never called.
#[test]
fn a_tag_off_the_default_branch_does_not_publish() {
    let fx = origin();
    git(fx.path(), &["checkout", "-q", "-b", "side"]);
    fx.write("alpha/side.txt", "not reviewed\n");
    git(fx.path(), &["add", "-A"]);
    git(fx.path(), &["commit", "-q", "-m", "on a side branch"]);
    git(fx.path(), &["tag", "alpha-v0.3.1"]);
    git(fx.path(), &["checkout", "-q", "main"]);
    let root = tempfile::tempdir().unwrap();
    let runner = Runner::new(
        root.path(),
        fx.path(),
        "alpha-v0.3.1",
        context("alpha-v0.3.1", "tag", "push", ""),
    );
    let e = runner.run(&workflow(&fx)).unwrap_err();
    assert_eq!(e.job, "plan");
    for needle in [
        "::error::tag alpha-v0.3.1 points at",
        "which is not on the default branch main",
        "git push --delete origin alpha-v0.3.1",
    ] {
        assert!(e.run.stdout.contains(needle), "{needle:?} not in {e:?}");
    }
    assert_eq!(runner.gh.log(), "");
    assert!(!runner.artifacts().join("release-notes").exists());

    // A dispatch that asks to publish from a branch stops too.
    let runner = Runner::new(
        &root.path().join("again"),
        fx.path(),
        "main",
        context("main", "branch", "workflow_dispatch", "false"),
    );
    let e = runner.run(&workflow(&fx)).unwrap_err();
    assert!(e.run.stdout.contains("is a branch"), "{e:?}");
}

/// Issue 22 §2: with `npm-publish = true` in the napi fixture (node-ws), a package tag push
/// rehearsed runs the `npm` job after the GitHub release, as the workflow writes it: its
/// `publish-npm` puts the merged dist/'s npm packages into a registry on 127.0.0.1
/// (verdaccio, the runner's `NPM_CONFIG_REGISTRY`; the token from the job's secret), the
/// platform package first, and `npm install` of the module from that registry loads it in
/// Node. Provenance needs GitHub's OIDC token, which nothing here can issue: the rehearsal
/// drops `--provenance`, the one change to the workflow.
#[test]
#[ignore = "tier: npm, builds the napi fixture from a fresh checkout, starts verdaccio (about 3 min)"]
fn a_tag_push_rehearsed_publishes_the_npm_packages_to_a_registry() {
    if !have_publish_tools() || !crate::node::node_and_npm() {
        return;
    }
    let fx = Fixture::new("node-ws");
    fx.write(
        "targets.toml",
        &format!(
            "[dist]\npackages = [\"hello-cli\", \"hello-node\"]\nnpm-publish = true\n\n[[target]]\ntriple = \"{}\"\n",
            host()
        ),
    );
    fx.write(
        "CHANGELOG.md",
        "# Changelog\n\n## [0.1.0] - 2026-12-07\n\n- Rust, called from Node.\n",
    );
    fx.write(".gitignore", "/target\n/dist\n");
    let scratch = tempfile::tempdir().unwrap();
    copy_tree(fx.path(), scratch.path());
    run_in(
        scratch.path(),
        &["init", "--crossdock-path", repo_root().to_str().unwrap()],
        &[],
    )
    .ok();
    let path = ".github/workflows/release.yml";
    let text = std::fs::read_to_string(scratch.path().join(path)).unwrap();
    assert_eq!(text.matches("publish-npm dist --provenance").count(), 1);
    fx.write(path, &text);
    let _ = std::fs::remove_dir_all(fx.path().join("target"));
    git(fx.path(), &["init", "-q", "-b", "main"]);
    git(fx.path(), &["add", "-A"]);
    git(fx.path(), &["commit", "-q", "-m", "node-ws 0.1.0"]);
    git(fx.path(), &["tag", "hello-node-v0.1.0"]);

    let registry = crate::node::Registry::start();
    let root = tempfile::tempdir().unwrap();
    let mut cx = context("hello-node-v0.1.0", "tag", "push", "");
    cx.insert("secrets.NPM_TOKEN".into(), "anonymous".into());
    let mut runner = Runner::new(root.path(), fx.path(), "hello-node-v0.1.0", cx);
    runner.env = vec![("NPM_CONFIG_REGISTRY".into(), registry.url.clone())];
    let workflow = text.replace("publish-npm dist --provenance", "publish-npm dist");
    let out = runner.run(&workflow).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(
        out.ran.last().map(String::as_str),
        Some("npm"),
        "{:?}",
        out.ran
    );
    // The npm job runs the plan job's xtask too (issue 25 §1).
    assert_eq!(runner.cargo_xtask_jobs(), ["plan"]);

    // What the registry holds installs, and Node calls the Rust function.
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("package.json"),
        r#"{"name": "scratch", "version": "1.0.0", "private": true}"#,
    )
    .unwrap();
    let o = std::process::Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--registry",
            &registry.url,
        ])
        .arg("--cache")
        .arg(project.path().join(".npm-cache"))
        .arg("hello-node@1.4.2")
        .current_dir(project.path())
        .output()
        .unwrap();
    let o = finish(o);
    assert_eq!(o.code, 0, "npm install from the registry:\n{}", o.stderr);
    let r = tool(
        project.path(),
        "node",
        &["-e", "console.log(require('hello-node').sum(40, 2))"],
    );
    assert_eq!(r.trim(), "42");
}

/// Issue 24 §6: with `test = true` each build job runs the target's tests before `dist`. A
/// failing test stops that build job at the test step, with the target and the test named,
/// and nothing is merged, attested or published; with the test fixed, the same tag publishes.
#[test]
fn a_failing_test_stops_its_target_and_the_release() {
    if !have_publish_tools() {
        return;
    }
    let started = std::time::Instant::now();
    let fx = origin_with("", "test = true\n");
    fx.write(
        "alpha/tests/gate.rs",
        "#[test]\nfn the_release_gate() {\n    assert_eq!(1 + 1, 3, \"the release gate\");\n}\n",
    );
    git(fx.path(), &["add", "-A"]);
    git(fx.path(), &["commit", "-q", "-m", "a failing test"]);
    git(fx.path(), &["tag", "alpha-v0.3.1"]);
    let root = tempfile::tempdir().unwrap();
    let runner = Runner::new(
        root.path(),
        fx.path(),
        "alpha-v0.3.1",
        context("alpha-v0.3.1", "tag", "push", ""),
    );
    let host = host();
    let e = runner.run(&workflow(&fx)).unwrap_err();
    assert_eq!(e.job, format!("build {host}"), "{e:?}");
    assert_eq!(e.step, "Test (test = true in targets.toml)", "{e:?}");
    let said = format!("{}{}", e.run.stdout, e.run.stderr);
    for needle in [
        "the_release_gate",
        "the release gate",
        &format!("  {host}  failed"),
    ] {
        assert!(said.contains(needle), "{needle:?} not in {e:?}");
    }
    assert!(!runner.artifacts().join(format!("dist-{host}")).exists());
    assert!(!runner.artifacts().join("dist").exists());
    assert_eq!(runner.gh.log(), "");

    // Fixed: the tests pass, then the target builds and the release is published.
    fx.write(
        "alpha/tests/gate.rs",
        "#[test]\nfn the_release_gate() {\n    assert_eq!(1 + 1, 2);\n}\n",
    );
    git(fx.path(), &["commit", "-q", "-am", "the test fixed"]);
    git(fx.path(), &["tag", "-f", "alpha-v0.3.1"]);
    let runner = Runner::new(
        &root.path().join("fixed"),
        fx.path(),
        "alpha-v0.3.1",
        context("alpha-v0.3.1", "tag", "push", ""),
    );
    let out = runner.run(&workflow(&fx)).unwrap();
    assert!(out.ran.contains(&"publish".to_string()), "{:?}", out.ran);
    let released = runner.gh.assets("alpha-v0.3.1");
    assert!(
        list_files(&released).contains(&format!("alpha-0.3.1-{host}.tar.gz")),
        "{:?}",
        list_files(&released)
    );
    eprintln!(
        "rehearsal of a failing and a passing test gate: {:?}",
        started.elapsed()
    );
}

/// Issue 24 §5: with `homebrew-tap = "owner/homebrew-tap"`, a tag push rehearsed runs the
/// `homebrew` job after the release is published: it pushes the release's formula to the
/// tap's `Formula/` (here a local bare repository that github.com/owner/homebrew-tap is sent
/// to), with the tap token, which no other job sees; a second run finds the tap up to date.
#[test]
fn a_tag_push_rehearsed_pushes_the_formula_to_the_homebrew_tap() {
    if !have_publish_tools() {
        return;
    }
    let fx = origin_with(
        "installers = [\"homebrew\"]\nhomebrew-tap = \"owner/homebrew-tap\"\n\
         download-url = \"https://dl.example.invalid/{tag}/{file}\"\n",
        "",
    );
    git(fx.path(), &["tag", "alpha-v0.3.1"]);
    let w = workflow(&fx);
    assert_eq!(w.matches("secrets.HOMEBREW_TAP_TOKEN").count(), 1, "{w}");
    let job = &w[w.find("\n  homebrew:\n").expect("a homebrew job")..];
    assert!(job.contains("secrets.HOMEBREW_TAP_TOKEN"), "{job}");

    // The tap: a bare repository with a README, where git sends github.com/owner/homebrew-tap.
    let root = tempfile::tempdir().unwrap();
    let tap = root.path().join("homebrew-tap.git");
    git(
        root.path(),
        &[
            "init",
            "-q",
            "--bare",
            "--initial-branch=main",
            tap.to_str().unwrap(),
        ],
    );
    let seed = root.path().join("seed");
    git(
        root.path(),
        &["clone", "-q", tap.to_str().unwrap(), seed.to_str().unwrap()],
    );
    std::fs::write(seed.join("README.md"), "# owner's tap\n").unwrap();
    git(&seed, &["add", "-A"]);
    git(&seed, &["commit", "-q", "-m", "a tap"]);
    git(&seed, &["push", "-q", "origin", "HEAD:main"]);
    let gitconfig = root.path().join("gitconfig");
    std::fs::write(
        &gitconfig,
        format!(
            "[url \"file://{}\"]\n\tinsteadOf = https://github.com/owner/homebrew-tap.git\n",
            tap.display()
        ),
    )
    .unwrap();
    let run = |dir: &str| {
        let mut runner = Runner::new(
            &root.path().join(dir),
            fx.path(),
            "alpha-v0.3.1",
            context("alpha-v0.3.1", "tag", "push", ""),
        );
        runner.context.insert(
            "secrets.HOMEBREW_TAP_TOKEN".into(),
            "stand-in-tap-token".into(),
        );
        runner.env.extend([
            (
                "GIT_CONFIG_GLOBAL".to_string(),
                gitconfig.display().to_string(),
            ),
            ("GIT_CONFIG_NOSYSTEM".to_string(), "1".to_string()),
        ]);
        let out = runner.run(&workflow(&fx)).unwrap();
        assert_eq!(
            out.ran.last().map(String::as_str),
            Some("homebrew"),
            "{:?}",
            out.ran
        );
        runner
    };
    let runner = run("first");
    let formula = std::fs::read_to_string(runner.artifacts().join("dist/alpha.rb")).unwrap();
    assert!(formula.contains("class Alpha < Formula"), "{formula}");
    assert_eq!(git(&tap, &["show", "main:Formula/alpha.rb"]), formula);
    assert_eq!(git(&tap, &["show", "main:README.md"]), "# owner's tap\n");
    assert_eq!(
        git(&tap, &["log", "-1", "--format=%s%n%an"]),
        "alpha-v0.3.1: alpha.rb\ngithub-actions[bot]\n"
    );
    // A re-run (of the job, or of the whole workflow) pushes nothing new.
    let before = git(&tap, &["rev-parse", "main"]);
    run("again");
    assert_eq!(git(&tap, &["rev-parse", "main"]), before);
}

/// Issue 24 §1: with `verify = true` the verify job rebuilds the host target from the merged
/// dist/ on a runner of its own and finds it identical; a build that does not reproduce (a
/// build script stamping the time into the binary) stops a tag's workflow at verify, naming
/// the member that differs, before attest and publish.
#[test]
fn the_verify_job_rebuilds_the_host_target_and_stops_a_release_that_does_not_reproduce() {
    let fx = origin_with("verify = true\n", "");
    let host = host();
    let root = tempfile::tempdir().unwrap();
    let runner = Runner::new(
        root.path(),
        fx.path(),
        "main",
        context("main", "branch", "workflow_dispatch", "true"),
    );
    let out = runner.run(&workflow(&fx)).unwrap();
    assert_eq!(
        out.ran,
        [
            "plan".to_string(),
            format!("build {host}"),
            "merge".into(),
            "verify".into()
        ]
    );
    assert_eq!(out.skipped, ["attest", "publish"]);
    // Issue 25 §1: verify (on ubuntu-latest) rebuilds with the plan job's xtask.
    assert_eq!(runner.cargo_xtask_jobs(), ["plan"]);

    // alpha's binary now carries the time its build script ran.
    fx.write(
        "alpha/build.rs",
        "fn main() {\n    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();\n    println!(\"cargo:rustc-env=ALPHA_BUILT={t}\");\n}\n",
    );
    let main = std::fs::read_to_string(fx.path().join("alpha/src/main.rs")).unwrap();
    fx.write(
        "alpha/src/main.rs",
        &main.replace(
            "Some(\"--fail\") => {",
            "Some(\"--built\") => println!(\"{}\", env!(\"ALPHA_BUILT\")),\n        Some(\"--fail\") => {",
        ),
    );
    git(fx.path(), &["add", "-A"]);
    git(
        fx.path(),
        &["commit", "-q", "-m", "alpha stamps its build time"],
    );
    git(fx.path(), &["tag", "alpha-v0.3.1"]);
    let runner = Runner::new(
        &root.path().join("tag"),
        fx.path(),
        "alpha-v0.3.1",
        context("alpha-v0.3.1", "tag", "push", ""),
    );
    let e = runner.run(&workflow(&fx)).unwrap_err();
    assert_eq!(e.job, "verify", "{e:?}");
    let said = format!("{}{}", e.run.stdout, e.run.stderr);
    let name = format!("alpha-0.3.1-{host}");
    assert!(
        said.contains(&format!(
            "Differs {name}.tar.gz: member `{name}/alpha` differs at byte"
        )),
        "{said}"
    );
    assert_eq!(runner.gh.log(), "");
}
