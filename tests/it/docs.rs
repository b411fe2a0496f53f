//! Every command of the documentation works as written (issue 24 §7): each `$ command` line of
//! every ```` ```console ```` block of README.md, CONTRIBUTING.md and docs/*.md runs, in order,
//! in a copy of a fixture workspace (hello-ws unless a `<!-- docs-test: … -->` comment before
//! the block names another), with the built `cargo-crossdock` as `cargo crossdock` and
//! `cargo xtask`, and must succeed. The few commands a test cannot run (they need crates.io,
//! GitHub, or are CI itself) are in `NOT_RUN`, each with its reason and a check that its
//! program, subcommand and flags parse; an entry that matches no command is an error, and so
//! is a ```` ```sh ```` block (commands a user types go in console blocks, where they are run).
//!
//! The stand-ins, so that the commands run offline and leave the developer's setup alone: a
//! git `insteadOf` sends `https://github.com/crossdock/crossdock` (init's `--crossdock-git`)
//! to this checkout, in a `CARGO_HOME` of the session's own that shares the registry cache;
//! `origin` is a local bare repository (`release --push`); the fixture is a git repository
//! with `/target` ignored and a CHANGELOG.md section for its version, as the README asks; a
//! `GNUPGHOME` of the session's own holds the keys docs/verify.md's gpg commands make (the
//! agent gpg starts for it is stopped when the session ends).

use std::path::{Path, PathBuf};

use crate::support::*;

/// Commands the test does not run: (the command's first words, why, how it is checked).
const NOT_RUN: &[(&str, &str, Check)] = &[
    (
        "cargo install ",
        "downloads and compiles crossdock from GitHub",
        Check::Help(&["cargo", "install"]),
    ),
    (
        "cargo test ",
        "the test suite itself (CI runs it)",
        Check::CargoTest,
    ),
    (
        ".ci/run",
        "CI itself: installs toolchains as root and runs every test",
        Check::BashSyntax,
    ),
    (
        ".ci/test-times.sh",
        "the test suite itself, timed (CI runs it)",
        Check::BashSyntax,
    ),
    (
        ".ci/test-tier.sh ",
        "runs the slow tiers, minutes each",
        Check::Tier,
    ),
    (
        "gh attestation verify ",
        "needs a published GitHub release, its OIDC attestation, and gh 2.49+ (not in Debian)",
        Check::AttestationShape,
    ),
];

#[derive(Clone, Copy)]
enum Check {
    /// Every `--flag` of the command appears in `PROGRAM SUBCOMMAND --help`.
    Help(&'static [&'static str]),
    /// Flags before `--` are cargo test's, each test filter names a module or test of
    /// tests/it, and `cargo test --workspace` is the command `.ci/run` runs.
    CargoTest,
    /// The script exists and `bash -n` parses it.
    BashSyntax,
    /// One archive file name and `--repo OWNER/REPO`: what `gh attestation verify` takes.
    AttestationShape,
    /// The script parses, and its arguments are its flags or tiers of `.ci/tiers`.
    Tier,
}

/// One console block: where it is, the fixture its commands run in, its commands.
struct Block {
    file: String,
    line: usize,
    setup: Setup,
    commands: Vec<Command>,
}

/// A `$ command` line (its line number) and the output lines the block shows after it, which
/// its stdout must contain.
struct Command {
    line: usize,
    text: String,
    output: Vec<String>,
}

#[derive(Clone, PartialEq, Debug)]
struct Setup {
    fixture: String,
    /// Files of the fixture removed before the first command (`remove=targets.toml`).
    remove: Vec<String>,
    /// Files of the fixture copied to another name first (`copy=c/use_clib.c:app.c`).
    copy: Vec<(String, String)>,
}

fn doc_files() -> Vec<PathBuf> {
    let root = repo_root();
    let mut files = vec![root.join("README.md"), root.join("CONTRIBUTING.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// The console blocks of `text`, refusing shell blocks.
fn blocks(file: &str, text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut setup = Setup {
        fixture: "hello-ws".into(),
        remove: Vec::new(),
        copy: Vec::new(),
    };
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        if let Some(d) = line
            .strip_prefix("<!-- docs-test:")
            .and_then(|d| d.strip_suffix("-->"))
        {
            setup = Setup {
                fixture: String::new(),
                remove: Vec::new(),
                copy: Vec::new(),
            };
            for word in d.split_whitespace() {
                match word.split_once('=') {
                    Some(("fixture", f)) => setup.fixture = f.into(),
                    Some(("remove", f)) => setup.remove.push(f.into()),
                    Some(("copy", f)) => {
                        let (from, to) = f.split_once(':').expect("copy=FROM:TO");
                        setup.copy.push((from.into(), to.into()))
                    }
                    _ => panic!("{file}:{}: unknown docs-test word {word:?}", i + 1),
                }
            }
            assert!(
                fixture_src(&setup.fixture).is_dir(),
                "{file}:{}: no fixture {:?}",
                i + 1,
                setup.fixture
            );
            continue;
        }
        let Some(lang) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        let indent = line.len() - line.trim_start().len();
        assert!(
            !matches!(lang, "sh" | "bash" | "shell" | "zsh" | "powershell"),
            "{file}:{}: a ```{lang} block: commands a user types go in a ```console block \
             as `$ command` lines, where this test runs them",
            i + 1
        );
        let mut commands: Vec<Command> = Vec::new();
        let mut pending: Option<(usize, String)> = None;
        for (j, l) in lines.by_ref() {
            let l = l.get(indent..).unwrap_or(l.trim_start());
            if l.starts_with("```") {
                break;
            }
            if lang != "console" {
                continue;
            }
            if let Some((_, cmd)) = &mut pending {
                cmd.push_str(l.trim_start());
            } else if let Some(cmd) = l.strip_prefix("$ ") {
                pending = Some((j + 1, cmd.to_string()));
            } else {
                let last = commands.last_mut().unwrap_or_else(|| {
                    panic!(
                        "{file}:{}: output before the block's first `$ ` command",
                        j + 1
                    )
                });
                last.output.push(l.to_string());
            }
            // A `\` at the end of a line continues the command on the next one.
            if let Some((n, cmd)) = pending.take() {
                match cmd.strip_suffix('\\') {
                    Some(head) => pending = Some((n, head.to_string())),
                    None => commands.push(Command {
                        line: n,
                        text: cmd,
                        output: Vec::new(),
                    }),
                }
            }
        }
        if lang == "console" {
            assert!(
                !commands.is_empty(),
                "{file}:{}: a console block without a `$ ` command",
                i + 1
            );
            out.push(Block {
                file: file.to_string(),
                line: i + 1,
                setup: setup.clone(),
                commands,
            });
        }
    }
    out
}

fn all_blocks() -> Vec<Block> {
    let root = repo_root();
    doc_files()
        .iter()
        .flat_map(|p| {
            let name = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            blocks(&name, &std::fs::read_to_string(p).unwrap())
        })
        .collect()
}

fn not_run(cmd: &str) -> Option<&'static (&'static str, &'static str, Check)> {
    NOT_RUN
        .iter()
        .find(|(prefix, ..)| cmd == prefix.trim_end() || cmd.starts_with(prefix))
}

/// A copy of a fixture as a user's repository: git, an `origin`, `/target` ignored, a
/// changelog section for its version; stand-ins for GitHub's crossdock. Commands run one
/// after the other in one shell each, in the directory the previous one ended in (`cd`).
///
/// The session lives at a fixed path, `target/tmp/it-shared/KEY/` ([`SharedDir`]), and keeps
/// its workspace's `target/` from the run before: a user's commands on a warm target dir,
/// so the dependencies compile once, not on every run of the test (the rustflags crossdock
/// passes name the workspace root and the cargo home, so both paths are fixed). Everything
/// else (the workspace, `origin`, the cargo home, crossdock's memos) starts anew.
struct Session {
    root: SharedDir,
    /// `GNUPGHOME`: a short temp path, as the agent's socket path must be.
    gnupg: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl Session {
    fn new(key: &str, setup: &Setup) -> Session {
        let root = SharedDir::take(key, &["ws/target"]);
        let ws = root.path().join("ws");
        reset_crossdock_memos(&ws.join("target"));
        copy_tree(&fixture_src(&setup.fixture), &ws);
        for f in &setup.remove {
            std::fs::remove_file(ws.join(f)).unwrap();
        }
        for (from, to) in &setup.copy {
            std::fs::copy(ws.join(from), ws.join(to)).unwrap();
        }
        let bin = root.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let path = offline_rustup(&bin);
        let real_cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let shim = bin.join("cargo");
        std::fs::write(
            &shim,
            format!(
                "#!/bin/sh\ncase \"$1\" in crossdock|xtask) shift; exec '{}' \"$@\";; esac\nexec '{real_cargo}' \"$@\"\n",
                crossdock_bin().display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&shim, std::os::unix::fs::PermissionsExt::from_mode(0o755))
            .unwrap();
        // A cargo home of its own (init's git dependency lands there), sharing the registry.
        let cargo_home = root.path().join("cargo-home");
        std::fs::create_dir_all(&cargo_home).unwrap();
        let real_home = std::env::var("CARGO_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap()).join(".cargo"));
        if real_home.join("registry").is_dir() {
            std::os::unix::fs::symlink(real_home.join("registry"), cargo_home.join("registry"))
                .unwrap();
        }
        let gitconfig = root.path().join("gitconfig");
        std::fs::write(
            &gitconfig,
            format!(
                "[url \"file://{}\"]\n\tinsteadOf = https://github.com/crossdock/crossdock\n\
                 [user]\n\tname = Docs Test\n\temail = docs@example.com\n\
                 [init]\n\tdefaultBranch = main\n",
                repo_root().display()
            ),
        )
        .unwrap();
        std::fs::write(root.path().join("cwd"), ws.to_str().unwrap()).unwrap();
        let gnupg = tempfile::Builder::new()
            .prefix("crossdock-docs-gnupg-")
            .tempdir()
            .unwrap();
        std::fs::set_permissions(
            gnupg.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .unwrap();
        let env = [
            ("PATH", path),
            ("GNUPGHOME", gnupg.path().display().to_string()),
            ("CARGO_HOME", cargo_home.display().to_string()),
            ("GIT_CONFIG_GLOBAL", gitconfig.display().to_string()),
            ("GIT_CONFIG_NOSYSTEM", "1".into()),
            ("CARGO_NET_GIT_FETCH_WITH_CLI", "true".into()),
            // The session lies under this repository's target dir: git must not take this
            // checkout for a directory of the session that is not in the fixture's repository.
            ("GIT_CEILING_DIRECTORIES", root.path().display().to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let s = Session { root, gnupg, env };
        let meta: serde_json::Value =
            serde_json::from_str(&s.setup("cargo metadata --format-version 1 --no-deps --offline"))
                .unwrap();
        let version = meta["packages"][0]["version"].as_str().unwrap();
        std::fs::write(ws.join(".gitignore"), "/target\n").unwrap();
        std::fs::write(
            ws.join("CHANGELOG.md"),
            format!("# Changelog\n\n## [{version}]\n\n- First release.\n"),
        )
        .unwrap();
        s.setup(
            "git init --quiet && git add -A && git commit --quiet -m fixture && \
             git init --quiet --bare ../origin.git && git remote add origin ../origin.git && \
             git push --quiet origin main",
        );
        s
    }

    /// `sh -c CMD` in the directory the last command ended in, with the scrubbed environment
    /// of the other end-to-end tests and the session's stand-ins.
    fn run(&self, cmd: &str) -> Run {
        let cwd_file = self.root.path().join("cwd");
        let cwd = std::fs::read_to_string(&cwd_file)
            .unwrap()
            .trim_end()
            .to_string();
        let script = format!(
            "{cmd}\nstatus=$?\npwd > '{}'\nexit $status\n",
            cwd_file.display()
        );
        let scrubbed = cargo_in(Path::new(&cwd), &[]);
        let mut sh = std::process::Command::new("sh");
        sh.args(["-c", &script]).current_dir(&cwd);
        for (k, v) in scrubbed.get_envs() {
            match v {
                Some(v) => sh.env(k, v),
                None => sh.env_remove(k),
            };
        }
        for (k, v) in &self.env {
            sh.env(k, v);
        }
        finish(sh.output().unwrap())
    }

    /// Runs a setup command; its stdout, or a panic with its output when it fails.
    fn setup(&self, cmd: &str) -> String {
        let r = self.run(cmd);
        assert_eq!(
            r.code, 0,
            "setup `{cmd}` failed:\n{}\n{}",
            r.stdout, r.stderr
        );
        r.stdout
    }
}

impl Drop for Session {
    /// Stops the gpg agent a command started for the session's `GNUPGHOME`: it would outlive
    /// the test, holding the removed folder.
    fn drop(&mut self) {
        let gnupg = self.gnupg.path();
        if std::fs::read_dir(gnupg).is_ok_and(|mut d| d.next().is_some()) && have("gpgconf") {
            let _ = std::process::Command::new("gpgconf")
                .args(["--kill", "all"])
                .env("GNUPGHOME", gnupg)
                .status();
        }
    }
}

/// Runs the console blocks of `file` (`README.md`, `docs/commands.md`…): a fresh session
/// whenever a block names another fixture setup than the one before.
fn run_file(file: &str) {
    let blocks: Vec<Block> = all_blocks()
        .into_iter()
        .filter(|b| b.file == file)
        .collect();
    assert!(!blocks.is_empty(), "{file} has no console block");
    let mut session: Option<(Setup, Session)> = None;
    let mut sessions = 0;
    for b in &blocks {
        for c in &b.commands {
            let (line, cmd) = (c.line, c.text.as_str());
            if let Some((_, why, check)) = not_run(cmd) {
                eprintln!("{file}:{line}: `{cmd}` is not run ({why}); its words are checked");
                check_not_run(*check, cmd, &format!("{file}:{line}"));
                continue;
            }
            // A program of support::TOOLS the command runs (npm, node, cc…) that this machine
            // lacks: the rest of the file is skipped with the reason, or fails under
            // CROSSDOCK_REQUIRE_CROSS=1 (CI installs them all).
            for word in cmd.split_whitespace() {
                if TOOLS.iter().any(|(p, _)| *p == word)
                    && !require(&format!("{word} (for {file}:{line})"), have(word))
                {
                    return;
                }
            }
            if session.as_ref().is_none_or(|(s, _)| *s != b.setup) {
                // The session before releases its dir first.
                drop(session.take());
                let key: String = format!("docs-{file}-{sessions}")
                    .to_ascii_lowercase()
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                    .collect();
                sessions += 1;
                session = Some((b.setup.clone(), Session::new(&key, &b.setup)));
            }
            let s = &session.as_ref().unwrap().1;
            eprintln!("{file}:{line}: $ {cmd}");
            let r = s.run(cmd);
            assert_eq!(
                r.code, 0,
                "{file}:{line}: `{cmd}` failed (block of line {}, {:?})\nstdout:\n{}\nstderr:\n{}",
                b.line, b.setup, r.stdout, r.stderr
            );
            for want in &c.output {
                assert!(
                    r.stdout.contains(want.as_str()),
                    "{file}:{line}: `{cmd}` does not print {want:?}, which the block shows:\n{}",
                    r.stdout
                );
            }
        }
    }
}

fn flags(words: &[&str]) -> Vec<String> {
    words
        .iter()
        .take_while(|w| **w != "--")
        .filter(|w| w.starts_with('-'))
        .map(|w| w.split('=').next().unwrap().to_string())
        .collect()
}

fn check_not_run(check: Check, cmd: &str, at: &str) {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    match check {
        Check::Help(program) => {
            let help = tool(
                &repo_root(),
                program[0],
                &[&program[1..], &["--help"]].concat(),
            );
            for f in flags(&words) {
                assert!(
                    help.contains(&f),
                    "{at}: `{cmd}`: {f} is not a flag of `{}`:\n{help}",
                    program.join(" ")
                );
            }
        }
        Check::CargoTest => {
            let help = tool(&repo_root(), "cargo", &["test", "--help"]);
            for f in flags(&words) {
                assert!(
                    help.contains(&f),
                    "{at}: `{cmd}`: {f} is not a flag of cargo test"
                );
            }
            let sep = words.iter().position(|w| *w == "--").unwrap_or(words.len());
            for w in &words[sep.min(words.len())..] {
                assert!(
                    matches!(
                        *w,
                        "--" | "--include-ignored" | "--ignored" | "--nocapture" | "--exact"
                    ),
                    "{at}: `{cmd}`: {w} is not a libtest flag this test knows"
                );
            }
            // The test filters after `--test it`: each names a module or test there.
            let mut rest = words[..sep].iter().skip(2);
            let mut filters = Vec::new();
            while let Some(w) = rest.next() {
                if matches!(*w, "-p" | "--package" | "--test") {
                    rest.next();
                } else if !w.starts_with('-') {
                    filters.push(*w);
                }
            }
            let sources: String = std::fs::read_dir(repo_root().join("tests/it"))
                .unwrap()
                .filter_map(|e| std::fs::read_to_string(e.unwrap().path()).ok())
                .collect();
            for f in filters {
                assert!(
                    sources.contains(&format!("mod {f};")) || sources.contains(&format!("fn {f}")),
                    "{at}: `{cmd}`: no test module or test named {f} in tests/it"
                );
            }
            if words[2..] == ["--workspace"] {
                let ci = std::fs::read_to_string(repo_root().join(".ci/run")).unwrap();
                assert!(
                    ci.lines().map(str::trim_start).any(|l| {
                        // A command line (not a comment or a `step` title) that runs it,
                        // maybe piped or with variables before it.
                        !l.starts_with('#')
                            && !l.starts_with("step ")
                            && l.match_indices(cmd).any(|(at, _)| {
                                l[at + cmd.len()..]
                                    .chars()
                                    .next()
                                    .is_none_or(char::is_whitespace)
                            })
                    }),
                    "{at}: `{cmd}` is the test command, but .ci/run does not run it"
                );
            }
        }
        Check::BashSyntax => {
            let script = repo_root().join(words[0]);
            assert!(script.is_file(), "{at}: no {}", script.display());
            tool(&repo_root(), "bash", &["-n", script.to_str().unwrap()]);
        }
        Check::Tier => {
            tool(&repo_root(), "bash", &["-n", words[0]]);
            let names = tool(&repo_root(), "bash", &[words[0], "--names"]);
            for w in &words[1..] {
                assert!(
                    matches!(*w, "--list" | "--names" | "--all")
                        || names.split_whitespace().any(|n| n == *w),
                    "{at}: `{cmd}`: {w} is not a tier of .ci/tiers ({names})"
                );
            }
        }
        Check::AttestationShape => {
            let rest = &words[3..];
            assert!(
                rest.len() == 3
                    && [".tar.gz", ".tar.xz", ".tar.zst", ".zip"]
                        .iter()
                        .any(|e| rest[0].ends_with(e))
                    && rest[1] == "--repo"
                    && rest[2].split('/').count() == 2,
                "{at}: `{cmd}`: expected `gh attestation verify ARCHIVE --repo OWNER/REPO`"
            );
        }
    }
}

/// Each file's blocks are parsed and every `NOT_RUN` entry matches a command (none is stale).
#[test]
fn every_console_block_parses_and_every_not_run_entry_is_used() {
    let blocks = all_blocks();
    let commands: Vec<&str> = blocks
        .iter()
        .flat_map(|b| b.commands.iter().map(|c| c.text.as_str()))
        .collect();
    for (prefix, ..) in NOT_RUN {
        assert!(
            commands
                .iter()
                .any(|c| *c == prefix.trim_end() || c.starts_with(prefix)),
            "NOT_RUN lists `{prefix}`, which no console block has: remove it"
        );
    }
    // README's test command is CI's.
    assert!(
        blocks.iter().any(|b| b.file == "README.md"
            && b.commands
                .iter()
                .any(|c| c.text == "cargo test --workspace")),
        "README.md lost its test command `cargo test --workspace`, which .ci/run runs"
    );
}

/// The files run by a test of their own below; every other file with console blocks (a new
/// page of docs/) is run by `other_docs_commands_run`.
const OWN_TEST: &[&str] = &[
    "README.md",
    "CONTRIBUTING.md",
    "docs/commands.md",
    "docs/libraries.md",
];

#[test]
fn readme_commands_run() {
    run_file("README.md");
}

#[test]
fn contributing_commands_run() {
    run_file("CONTRIBUTING.md");
}

#[test]
fn docs_commands_md_commands_run() {
    run_file("docs/commands.md");
}

#[test]
fn docs_libraries_md_commands_run() {
    run_file("docs/libraries.md");
}

#[test]
fn other_docs_commands_run() {
    let mut files: Vec<String> = all_blocks().into_iter().map(|b| b.file).collect();
    files.dedup();
    for f in files.iter().filter(|f| !OWN_TEST.contains(&f.as_str())) {
        run_file(f);
    }
}
