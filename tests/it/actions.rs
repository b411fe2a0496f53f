//! A small GitHub Actions runner for the release workflow `init` renders, so the workflow
//! can be rehearsed here: it reads the jobs and steps back from the YAML, evaluates the
//! `${{ … }}` expressions and `if:` conditions it meets, expands the build job over the
//! matrix the plan job printed, and runs every `run:` script with bash as Actions does
//! (`-eo pipefail`, `GITHUB_OUTPUT`, `GITHUB_PATH`, `RUNNER_TEMP`). The actions a step
//! `uses:` are stood in for by what they do to files: checkout is a `git clone` of the
//! origin repository, upload/download-artifact copy to and from an artifact store, the cache,
//! sccache and attest actions are recorded. An expression, condition or action it does not know
//! fails the test, so a workflow change the rehearsal does not cover cannot pass unnoticed.
//!
//! `cargo xtask …` runs the built `cargo-crossdock …` (a `cargo` shim first on PATH), and
//! `cargo build --package xtask --quiet` copies it to target/debug/xtask, so the fixture needs
//! no xtask crate; a file uploaded alone comes back without its modes, as from GitHub. `gh`
//! is [`FakeGh`], which keeps releases in a directory.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

mod gh;
mod yaml;
pub use gh::FakeGh;
pub use yaml::{parse, Job};

/// The tools the publish job's script uses besides `gh` (present on GitHub's runners): a
/// test that runs it skips with the reason when they are missing here, or fails under
/// CROSSDOCK_REQUIRE_CROSS=1.
pub fn have_publish_tools() -> bool {
    require(
        "jq and sha256sum, which the publish job runs (apt-get install jq coreutils)",
        have("jq") && have("sha256sum"),
    )
}

/// A bash script as an Actions `run:` step runs it, in `dir`, with `env` and `path_first`
/// before PATH.
pub fn run_script(
    script: &str,
    dir: &Path,
    env: &[(String, String)],
    path_first: &[PathBuf],
) -> Run {
    let mut path: Vec<PathBuf> = path_first.to_vec();
    path.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap()));
    let mut c = Command::new("bash");
    c.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", std::env::join_paths(path).unwrap());
    for k in [
        "RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "SOURCE_DATE_EPOCH",
    ] {
        c.env_remove(k);
    }
    // As support::command_in: no sccache server shared by parallel tests.
    c.env("RUSTC_WRAPPER", "");
    c.envs(env.iter().map(|(k, v)| (k, v)));
    finish(c.output().unwrap())
}

/// Expression values by name (`github.ref_name`, `matrix.target`, `needs.plan.outputs.x`).
pub type Context = BTreeMap<String, String>;

fn truthy(v: &str) -> bool {
    !matches!(v, "" | "false" | "0")
}

/// One expression, as far as the release workflow uses them: `a || b`, `a && b`,
/// `a == 'x'`, `a != 'x'`, `'x'`, `name.path`, `matrix['key']`, `hashFiles(…)`, `fromJSON(…)`.
pub fn eval(expr: &str, cx: &Context) -> String {
    let e = expr.trim();
    if let Some((a, b)) = e.split_once("||") {
        let a = eval(a, cx);
        return if truthy(&a) { a } else { eval(b, cx) };
    }
    if let Some((a, b)) = e.split_once("&&") {
        let a = eval(a, cx);
        return if truthy(&a) { eval(b, cx) } else { a };
    }
    for (op, want) in [("==", true), ("!=", false)] {
        if let Some((a, b)) = e.split_once(op) {
            return ((eval(a, cx) == eval(b, cx)) == want).to_string();
        }
    }
    if let Some(s) = e.strip_prefix('\'') {
        return s.trim_end_matches('\'').to_string();
    }
    if e.starts_with("hashFiles(") {
        return "0123abcd".to_string();
    }
    if let Some(inner) = e
        .strip_prefix("fromJSON(")
        .and_then(|s| s.strip_suffix(')'))
    {
        return eval(inner, cx);
    }
    let name = match e.split_once("['") {
        Some((obj, key)) => format!("{obj}.{}", key.trim_end_matches("']")),
        None => e.to_string(),
    };
    match cx.get(&name) {
        Some(v) => v.clone(),
        // An unset step output is empty on GitHub too.
        None if name.starts_with("steps.") => String::new(),
        None => panic!("expression `{e}`: `{name}` is not known to the rehearsal"),
    }
}

/// `text` with every `${{ … }}` replaced by its value.
pub fn expand(text: &str, cx: &Context) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("${{") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find("}}").expect("a closing }}") + at;
        out.push_str(&eval(&rest[at + 3..end], cx));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// A condition: `${{ … }}` or a bare expression.
fn holds(cond: &Option<String>, cx: &Context) -> bool {
    match cond {
        None => true,
        Some(c) => {
            let c = c.trim();
            let inner = c
                .strip_prefix("${{")
                .and_then(|c| c.strip_suffix("}}"))
                .unwrap_or(c);
            truthy(&eval(inner, cx))
        }
    }
}

/// `from` into `to` without hidden files (names starting with `.`), as upload-artifact does.
fn copy_visible(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if e.file_type().unwrap().is_dir() {
            copy_visible(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// What a run did: the jobs that ran (with matrix target), the skipped ones, the artifact
/// store, the recorded cache and attest steps.
#[derive(Debug, Default)]
pub struct Outcome {
    pub ran: Vec<String>,
    pub skipped: Vec<String>,
    pub recorded: Vec<String>,
    pub job_outputs: Context,
}

/// A step that failed: which, and its output.
pub struct Failure {
    pub job: String,
    pub step: String,
    pub run: Run,
}

impl std::fmt::Debug for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "job {:?}, step {:?} exited {}:\n{}\n{}",
            self.job, self.step, self.run.code, self.run.stdout, self.run.stderr
        )
    }
}

/// One workflow run: `origin` is the repository (checked out at `git_ref`), `event` the
/// `github.*` and `inputs.*` values.
pub struct Runner {
    pub root: PathBuf,
    pub origin: PathBuf,
    pub git_ref: String,
    pub context: Context,
    pub gh: FakeGh,
    shim: PathBuf,
    /// Set for every `run:` step, as a runner's own environment (a registry to publish to).
    pub env: Vec<(String, String)>,
}

impl Runner {
    pub fn new(root: &Path, origin: &Path, git_ref: &str, context: Context) -> Runner {
        let shim = root.join("shim");
        std::fs::create_dir_all(&shim).unwrap();
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let script = format!(
            "#!/bin/sh\nif [ \"${{1:-}}\" = xtask ]; then\n\
             echo \"$PWD\" >> '{log}'; shift; exec '{bin}' \"$@\"\nfi\n\
             if [ \"$*\" = 'build --package xtask --quiet' ]; then\n\
             mkdir -p target/debug && cp '{bin}' target/debug/xtask && exit 0\nfi\n\
             exec '{cargo}' \"$@\"\n",
            bin = crossdock_bin().display(),
            log = shim.join("cargo-xtask.log").display()
        );
        std::fs::write(shim.join("cargo"), script).unwrap();
        std::fs::set_permissions(
            shim.join("cargo"),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        Runner {
            root: root.to_path_buf(),
            origin: origin.to_path_buf(),
            git_ref: git_ref.to_string(),
            context,
            gh: FakeGh::new(root),
            shim,
            env: Vec::new(),
        }
    }

    /// The jobs (directory names: `build-{target}`) that ran `cargo xtask`, that is,
    /// compiled the xtask (or would have, with a real cargo), in order, each once.
    pub fn cargo_xtask_jobs(&self) -> Vec<String> {
        let log = std::fs::read_to_string(self.shim.join("cargo-xtask.log")).unwrap_or_default();
        let mut jobs: Vec<String> = Vec::new();
        for dir in log.lines() {
            let job = Path::new(dir).strip_prefix(self.root.join("jobs")).unwrap();
            let job = job
                .components()
                .next()
                .unwrap()
                .as_os_str()
                .to_str()
                .unwrap();
            if !jobs.iter().any(|j| j == job) {
                jobs.push(job.to_string());
            }
        }
        jobs
    }

    pub fn artifacts(&self) -> PathBuf {
        self.root.join("artifacts")
    }

    /// Runs every job in file order (the release workflow's `needs` are that order), the
    /// matrix job once per entry, skipping a job whose `if:` is false or one of whose
    /// `needs` was skipped.
    pub fn run(&self, workflow: &str) -> Result<Outcome, Failure> {
        let mut out = Outcome::default();
        let mut cx = self.context.clone();
        for job in parse(workflow) {
            if !holds(&job.if_, &cx) {
                out.skipped.push(job.id.clone());
                continue;
            }
            let entries: Vec<Context> = match &job.matrix {
                None => vec![Context::new()],
                Some(m) => {
                    let json: serde_json::Value = serde_json::from_str(&expand(m, &cx)).unwrap();
                    json["include"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| {
                            e.as_object()
                                .unwrap()
                                .iter()
                                .map(|(k, v)| {
                                    let v = v.as_str().map(str::to_string).unwrap_or(v.to_string());
                                    (format!("matrix.{k}"), v)
                                })
                                .collect()
                        })
                        .collect()
                }
            };
            for entry in entries {
                let mut jcx = cx.clone();
                jcx.extend(entry.clone());
                let label = match entry.get("matrix.target") {
                    Some(t) => format!("{} {t}", job.id),
                    None => job.id.clone(),
                };
                self.run_job(&job, &label, &mut jcx, &mut out)?;
                for (k, v) in &job.outputs {
                    let v = expand(v, &jcx);
                    cx.insert(format!("needs.{}.outputs.{k}", job.id), v.clone());
                    out.job_outputs.insert(format!("{}.{k}", job.id), v);
                }
                out.ran.push(label);
            }
        }
        Ok(out)
    }

    fn run_job(
        &self,
        job: &Job,
        label: &str,
        cx: &mut Context,
        out: &mut Outcome,
    ) -> Result<(), Failure> {
        let dir = self.root.join("jobs").join(label.replace(' ', "-"));
        let ws = dir.join("workspace");
        let temp = dir.join("temp");
        std::fs::create_dir_all(&ws).unwrap();
        std::fs::create_dir_all(&temp).unwrap();
        let mut path_first = vec![self.shim.clone(), self.gh.bin()];
        cx.insert("runner.temp".into(), temp.display().to_string());
        for step in &job.steps {
            if !holds(&step.if_, cx) {
                continue;
            }
            let with: Vec<(String, String)> = step
                .with
                .iter()
                .map(|(k, v)| (k.clone(), expand(v, cx)))
                .collect();
            let arg = |k: &str| with.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            if let Some(uses) = &step.uses {
                let action = uses.split('@').next().unwrap();
                match action {
                    "actions/checkout" => {
                        let mut clone = vec!["clone", "-q"];
                        let origin = format!("file://{}", self.origin.display());
                        if arg("fetch-depth").as_deref() != Some("0") {
                            clone.extend(["--depth", "1", "--branch", &self.git_ref]);
                        }
                        clone.extend([origin.as_str(), "."]);
                        tool(&ws, "git", &clone);
                        tool(
                            &ws,
                            "git",
                            &[
                                "-c",
                                "advice.detachedHead=false",
                                "checkout",
                                "-q",
                                &self.git_ref,
                            ],
                        );
                    }
                    "actions/upload-artifact" => {
                        let name = arg("name").unwrap();
                        let from = ws.join(arg("path").unwrap());
                        let to = self.artifacts().join(&name);
                        assert!(
                            from.exists() || arg("if-no-files-found").as_deref() != Some("error"),
                            "{label}: upload-artifact {name}: {} does not exist",
                            from.display()
                        );
                        // upload-artifact leaves hidden files out (include-hidden-files: false).
                        assert_ne!(arg("include-hidden-files").as_deref(), Some("true"));
                        if from.is_dir() {
                            copy_visible(&from, &to);
                        } else {
                            std::fs::create_dir_all(&to).unwrap();
                            let kept = to.join(from.file_name().unwrap());
                            std::fs::copy(&from, &kept).unwrap();
                            // An artifact keeps no file modes: a binary comes back not
                            // executable, so the workflow must `chmod +x` it.
                            std::fs::set_permissions(
                                &kept,
                                std::os::unix::fs::PermissionsExt::from_mode(0o644),
                            )
                            .unwrap();
                        }
                    }
                    "actions/download-artifact" => {
                        let into = ws.join(arg("path").unwrap_or_default());
                        match (arg("name"), arg("pattern")) {
                            (Some(name), None) => copy_tree(&self.artifacts().join(name), &into),
                            (None, Some(pattern)) => {
                                let prefix =
                                    pattern.strip_suffix('*').expect("a `prefix*` pattern");
                                for e in std::fs::read_dir(self.artifacts()).unwrap() {
                                    let name = e.unwrap().file_name().into_string().unwrap();
                                    if name.starts_with(prefix) {
                                        copy_tree(&self.artifacts().join(&name), &into.join(&name));
                                    }
                                }
                            }
                            other => panic!("{label}: download-artifact with {other:?}"),
                        }
                    }
                    "actions/cache/restore" | "actions/cache/save" => {
                        out.recorded
                            .push(format!("{label}: {action} key={}", arg("key").unwrap()));
                        if let Some(id) = &step.id {
                            cx.insert(format!("steps.{id}.outputs.cache-hit"), "false".into());
                        }
                    }
                    // Installs sccache and hands it the Actions cache's address: recorded
                    // only. The rehearsal's builds keep RUSTC_WRAPPER="" (no shared server
                    // between parallel tests), as a runner without sccache builds with
                    // `cache = "auto"`; tests/it/shared_cache.rs shares a real cache.
                    "mozilla-actions/sccache-action" => {
                        out.recorded.push(format!(
                            "{label}: {action} version={}",
                            arg("version").expect("a pinned sccache version")
                        ));
                    }
                    "actions/attest-build-provenance" => {
                        let sums = arg("subject-checksums").expect("subject-checksums");
                        let sums_path = ws.join(&sums);
                        let text = std::fs::read_to_string(&sums_path)
                            .unwrap_or_else(|e| panic!("{label}: attest: {sums}: {e}"));
                        out.recorded.push(format!(
                            "{label}: attest {} subjects from {sums}",
                            text.lines().count()
                        ));
                    }
                    other => panic!("{label}: action {other} is not known to the rehearsal"),
                }
                continue;
            }
            let script = step.run.as_ref().expect("a step runs or uses");
            let output = temp.join("github-output");
            let gh_path = temp.join("github-path");
            std::fs::write(&output, "").unwrap();
            std::fs::write(&gh_path, "").unwrap();
            let mut env: Vec<(String, String)> = vec![
                ("CARGO_TERM_COLOR".into(), "never".into()),
                ("GITHUB_OUTPUT".into(), output.display().to_string()),
                ("GITHUB_PATH".into(), gh_path.display().to_string()),
                ("RUNNER_TEMP".into(), temp.display().to_string()),
            ];
            env.extend(self.env.iter().cloned());
            env.extend(step.env.iter().map(|(k, v)| (k.clone(), expand(v, cx))));
            // How a step points sccache at the Actions cache (read-only on a tag): recorded.
            let sccache: Vec<String> = env
                .iter()
                .filter(|(k, _)| k.starts_with("SCCACHE_"))
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            if !sccache.is_empty() {
                out.recorded
                    .push(format!("{label}: {}: {}", step.name, sccache.join(" ")));
            }
            assert!(
                !script.contains("${{"),
                "{label}: an expression inside a script"
            );
            let r = run_script(script, &ws, &env, &path_first);
            if r.code != 0 {
                return Err(Failure {
                    job: label.to_string(),
                    step: step.name.clone(),
                    run: r,
                });
            }
            if let Some(id) = &step.id {
                for line in std::fs::read_to_string(&output).unwrap().lines() {
                    let (k, v) = line.split_once('=').expect("name=value in GITHUB_OUTPUT");
                    cx.insert(format!("steps.{id}.outputs.{k}"), v.to_string());
                }
            }
            for line in std::fs::read_to_string(&gh_path).unwrap().lines() {
                path_first.insert(0, PathBuf::from(line));
            }
        }
        Ok(())
    }
}
