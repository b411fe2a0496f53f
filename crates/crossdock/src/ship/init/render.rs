//! Rendering (pure): the starter targets.toml, the xtask files and the release workflow,
//! from the templates and targets.toml.

use super::*;

/// Replaces every `@@KEY@@` of `template`.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (k, v) in values {
        out = out.replace(&format!("@@{k}@@"), v);
    }
    debug_assert!(!out.contains("@@"), "unfilled placeholder in:\n{out}");
    out
}

/// A starter targets.toml: `host` active, the common triples commented out, `packages`
/// listed (so the xtask, which has a binary too, is not shipped).
#[cfg(test)]
pub fn render_targets(host: &str, packages: &[String]) -> String {
    render_matrix(host, packages, &NodeMatrix::default())
}

/// What a napi-rs package asks of the starter matrix: its targets (active beside the host),
/// the universal macOS module, the targets crossdock cannot ship as Node modules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeMatrix {
    /// The package.json it comes from, shown in the comments.
    pub from: String,
    pub targets: Vec<String>,
    pub universal: bool,
    pub unsupported: Vec<String>,
}

/// The starter targets.toml (`host` active, the common triples commented out, `packages`
/// listed), with a napi-rs package's targets active (and its universal group).
pub fn render_matrix(host: &str, packages: &[String], node: &NodeMatrix) -> String {
    let packages = if packages.is_empty() {
        "# packages = [\"my-app\"]          # default: every member with a binary target"
            .to_string()
    } else {
        let quoted: Vec<String> = packages.iter().map(|p| format!("\"{p}\"")).collect();
        format!("packages = [{}]", quoted.join(", "))
    };
    let mut others = String::new();
    let active: Vec<&String> = node.targets.iter().filter(|t| *t != host).collect();
    if !node.from.is_empty() {
        others.push_str(&format!(
            "\n# The Node module's targets ({} `napi.targets`, or napi-rs's defaults):\n",
            node.from
        ));
        for t in &active {
            others.push_str(&format!(
                "[[target]]\ntriple = \"{t}\"\n{}\n",
                starter_keys(t)
            ));
        }
        if !node.unsupported.is_empty() {
            others.push_str(&format!(
                "# Not shipped as Node modules (Node or crossdock has no platform for them): {}\n",
                node.unsupported.join(", ")
            ));
        }
        if node.universal {
            others.push_str(
                "# One macOS module for both CPUs (napi-rs's darwin-universal):\n\
                 [[universal]]\n\
                 name = \"universal-apple-darwin\"\n\
                 targets = [\"x86_64-apple-darwin\", \"aarch64-apple-darwin\"]\n",
            );
        }
        others.push_str("\n# Other common targets:\n");
    }
    for triple in COMMON_TARGETS
        .iter()
        .filter(|t| **t != host && !active.iter().any(|a| a == *t))
    {
        others.push_str(&format!("\n# [[target]]\n# triple = \"{triple}\"\n"));
        for line in starter_keys(triple).lines() {
            others.push_str(&format!("# {line}\n"));
        }
    }
    if !node.universal {
        others.push_str(
            "\n# One macOS binary for both CPUs (needs both apple targets above):\n\
             # [[universal]]\n\
             # name = \"universal-apple-darwin\"\n\
             # targets = [\"x86_64-apple-darwin\", \"aarch64-apple-darwin\"]",
        );
    }
    let mut out = fill(
        TARGETS_TEMPLATE,
        &[
            ("PACKAGES", &packages),
            ("HOST", host),
            ("OTHER_TARGETS", others.trim_start_matches('\n')),
        ],
    );
    if !node.from.is_empty() {
        out = out.replacen(
            "\ninclude = ",
            "\n# npm-publish = true               # the release workflow publishes the npm packages (secret NPM_TOKEN)\ninclude = ",
            1,
        );
    }
    out
}

/// A rendered targets.toml with `headers = ["include/*.h"]` after its `packages` line: a
/// library package's C headers ship in its archives' `include/`.
pub fn with_headers(targets: &str) -> String {
    let mut out = String::new();
    for line in targets.lines() {
        out.push_str(line);
        out.push('\n');
        if line.starts_with("packages = ") {
            out.push_str("headers = [\"include/*.h\"]           # C headers shipped with each library package\n");
        }
    }
    out
}

/// How the xtask depends on crossdock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dependency {
    /// `version = "0.1"` (crates.io).
    Version(String),
    /// `path = "…"` (a checkout of crossdock: the crate directory).
    Path(PathBuf),
    /// `git = "…"`, with `rev = "…"` when given.
    Git { url: String, rev: Option<String> },
    /// The dependency the xtask init wrote before has (its TOML value, as written there):
    /// `init --force` without a source flag keeps it.
    Kept(String),
}

impl Dependency {
    /// The crates.io requirement matching this build: `0.1` for 0.1.x, `1` for 1.x.
    pub fn current() -> Dependency {
        let v = env!("CARGO_PKG_VERSION");
        let mut parts = v.split('.');
        let major = parts.next().unwrap_or("0");
        let minor = parts.next().unwrap_or("0");
        Dependency::Version(if major == "0" {
            format!("0.{minor}")
        } else {
            major.to_string()
        })
    }
}

pub(crate) fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn render_xtask_manifest(dep: &Dependency) -> String {
    let source = match dep {
        Dependency::Version(v) => format!("version = {}", toml_string(v)),
        Dependency::Path(p) => format!("path = {}", toml_string(&p.to_string_lossy())),
        Dependency::Git { url, rev } => match rev {
            Some(r) => format!("git = {}, rev = {}", toml_string(url), toml_string(r)),
            None => format!("git = {}", toml_string(url)),
        },
        Dependency::Kept(value) => {
            return fill(
                XTASK_MANIFEST_TEMPLATE,
                &[("CROSSDOCK_DEPENDENCY", &format!("crossdock = {value}"))],
            )
        }
    };
    fill(
        XTASK_MANIFEST_TEMPLATE,
        &[(
            "CROSSDOCK_DEPENDENCY",
            &format!("crossdock = {{ {source}, default-features = false, features = [\"cli\"] }}"),
        )],
    )
}

pub fn render_xtask_main() -> String {
    fill(XTASK_MAIN_TEMPLATE, &[])
}

/// The release workflow for `config` read from the default `targets.toml`.
#[cfg(test)]
pub fn render_workflow(config: &Config) -> String {
    render_workflow_for(config, crate::read::config::FILE_NAME)
}

/// A word as a shell reads it: bare when it is plain, else single-quoted.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._/-+@=:,".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// The release workflow for `config`, read from `config_rel` (relative to the workspace
/// root; every crossdock command of the workflow gets `--config` when it is not the default
/// `targets.toml`): the template with the matrix (targets, runners, what each build job
/// installs) and the universal binaries the merge job joins.
pub fn render_workflow_for(config: &Config, config_rel: &str) -> String {
    let m = github::matrix(config, &[]);
    // Fixed widths: adding a target adds a line and changes no other.
    let (width, runner_width) = (29, 14);
    let config_arg = if config_rel == crate::read::config::FILE_NAME {
        String::new()
    } else {
        format!(" --config {}", shell_word(config_rel))
    };
    let mut comment = format!(
        "# Targets ({config_rel}; one build job each, from `cargo xtask matrix{config_arg}`):\n"
    );
    if m.include.is_empty() {
        comment.push_str("#   none\n");
    }
    for e in &m.include {
        let mut extra = Vec::new();
        if e.builder != "cargo" {
            extra.push(format!("builder {}", e.builder));
        }
        if e.rustup_target {
            extra.push("rustup target add".to_string());
        }
        if e.build_std {
            extra.push("build-std".to_string());
        }
        if !e.apt.is_empty() {
            extra.push(format!("apt: {}", e.apt));
        }
        if e.test {
            extra.push("tests first".to_string());
        }
        let line = format!(
            "#   {:width$}  {:runner_width$}  {:6}  {}",
            e.target,
            e.runner,
            e.archive,
            extra.join(", ")
        );
        comment.push_str(line.trim_end());
        comment.push('\n');
    }
    comment.push_str("# Universal binaries (joined by the merge job):");
    if config.universals.is_empty() {
        comment.push_str(" none");
    }
    for u in &config.universals {
        let members: Vec<&str> = u.targets.iter().map(|(t, _)| t.as_str()).collect();
        comment.push_str(&format!("\n#   {} = {}", u.name, members.join(" + ")));
    }
    let merge_step = if config.universals.is_empty() {
        "Merge into dist/ (SHA256SUMS, dist-manifest.json)".to_string()
    } else {
        let names: Vec<&str> = config.universals.iter().map(|u| u.name.as_str()).collect();
        format!(
            "Merge into dist/ (SHA256SUMS, dist-manifest.json, {})",
            names.join(", ")
        )
    };
    // `sign`: the signing key reaches the one step that signs (merge), nothing else.
    let merge_env = match config.sign {
        Some(sign) => {
            let (key, pw) = (sign.key_var(), sign.password_var());
            format!("\n        env:\n          {key}: ${{{{ secrets.{key} }}}}\n          {pw}: ${{{{ secrets.{pw} }}}}")
        }
        None => String::new(),
    };
    // `cache` other than "none": the build jobs compile through sccache and share what they
    // compile in the Actions cache. The verify job stays without it: a rebuild that took the
    // build job's compiled crates from the cache would prove nothing.
    let (cache_step, cache_env) = cache_step(config.cache, config_rel);
    // `test = true`: the target's tests run before its `dist`; a failure fails this step,
    // named after the target, so that target ships nothing and the release is not published.
    // Without it the workflow is byte-identical to one written before `test` existed.
    let test_step = if config.targets.iter().any(|t| t.test) {
        format!(
            "\n      - name: Test (test = true in {config_rel})\n        if: matrix.test\n        env:\n          TARGET: ${{{{ matrix.target }}}}\n          PACKAGE: ${{{{ needs.plan.outputs.package }}}}{cache_env}\n        run: xtask test{config_arg} --target \"$TARGET\" ${{PACKAGE:+--package \"$PACKAGE\"}}"
        )
    } else {
        String::new()
    };
    // `homebrew-tap`: the job that pushes the formulas (the tap's name is checked as a plain
    // OWNER/REPO when targets.toml is read, so it cannot add YAML or shell).
    let homebrew_job = match &config.homebrew_tap {
        Some(tap) => fill(HOMEBREW_JOB_TEMPLATE, &[("HOMEBREW_TAP", tap)]),
        None => String::new(),
    };
    // `verify`: the first target native to its runner is rebuilt on another one. The xtask
    // is the engine of that rebuild only, so on the plan job's runner it is the plan job's.
    let verify_job = match (config.verify, verify_entry(&m)) {
        (true, Some(e)) => {
            let (steps, xtask) = if e.runner == PLAN_RUNNER {
                (XTASK_DOWNLOAD_STEPS, "xtask")
            } else {
                ("", "cargo xtask")
            };
            fill(
                VERIFY_JOB_TEMPLATE,
                &[
                    ("VERIFY_TARGET", e.target.as_str()),
                    ("VERIFY_RUNNER", &e.runner),
                    ("VERIFY_XTASK_STEPS", steps),
                    ("VERIFY_XTASK", xtask),
                    ("CONFIG_ARG", &config_arg),
                ],
            )
        }
        _ => String::new(),
    };
    let verify_needs = if verify_job.is_empty() {
        ""
    } else {
        ", verify"
    };
    fill(
        WORKFLOW_TEMPLATE,
        &[
            ("CACHE_STEP", &cache_step),
            ("CACHE_ENV", &cache_env),
            ("TEST_STEP", &test_step),
            ("HOMEBREW_JOB", &homebrew_job),
            ("MATRIX_COMMENT", &comment),
            ("MERGE_STEP", &merge_step),
            ("MERGE_ENV", &merge_env),
            ("VERIFY_JOB", &verify_job),
            ("VERIFY_NEEDS", verify_needs),
            (
                "NPM_JOB",
                if config.npm_publish {
                    NPM_JOB_TEMPLATE
                } else {
                    ""
                },
            ),
            ("CONFIG", config_rel),
            ("CONFIG_ARG", &config_arg),
        ],
    )
}

/// The build job's step that installs sccache (pinned: the action by commit, sccache by
/// version, the one .ci/ tests with) and the variables of the steps that build, which point
/// sccache at the Actions cache, written by dry runs only (read-only on a tag). Nothing for `cache = "none"`; nothing on a `cross` job, whose
/// builds run in a container without the runner's sccache. sccache's own variables for
/// another backend (S3, Redis, GCS…; see docs/output.md) take precedence over this
/// one and are left as they are.
fn cache_step(cache: crate::read::config::Cache, config_rel: &str) -> (String, String) {
    if cache == crate::read::config::Cache::None {
        return (String::new(), String::new());
    }
    let step = format!(
        "\n      # cache = \"{cache}\" in {config_rel} (\"none\" removes this): the builds go through sccache, and\n      \
         # every runner hits what any runner compiled, kept in the Actions cache. Like the cargo\n      \
         # caches above, only dry runs write to it (a tag's entries would serve that tag alone)\n      \
         # and tag runs read what a dry run on the default branch wrote (zizmor's cache-poisoning\n      \
         # finding: the trust a restored target/ already has).\n      \
         - name: Install sccache (the compiler cache the runners share)\n        \
         if: matrix.builder != 'cross'\n        \
         uses: mozilla-actions/sccache-action@9e7fa8a12102821edf02ca5dbea1acd0f89a2696 # v0.0.10 # zizmor: ignore[cache-poisoning]\n        \
         with:\n          \
         version: v{SCCACHE_VERSION}",
        cache = cache.name(),
    );
    let env = "\n          SCCACHE_GHA_ENABLED: \"true\"\n          \
         SCCACHE_GHA_RW_MODE: ${{ needs.plan.outputs.dry-run == 'true' && 'READ_WRITE' || 'READ_ONLY' }}";
    (step, env.to_string())
}

/// The sccache the release workflow installs (.ci/run installs the same one for the tests).
pub const SCCACHE_VERSION: &str = "0.16.0";

/// The runner of the plan job, which compiles the xtask and keeps it as the `xtask`
/// artifact: a job on the same runner label can run that binary.
const PLAN_RUNNER: &str = "ubuntu-latest";

/// The steps that put the plan job's xtask on `PATH` (an artifact keeps no file modes), as
/// the merge job has them; they follow a step of the job, each line indented as a step.
const XTASK_DOWNLOAD_STEPS: &str = "
      - name: Download the xtask the plan job built
        uses: actions/download-artifact@d3f86a106a0bac45b974a628896c90dbdf5c8093 # v4.3.0
        with:
          name: xtask
          path: ${{ runner.temp }}/xtask
      - name: Put the xtask on PATH
        run: |
          chmod +x \"$RUNNER_TEMP/xtask/xtask\"
          echo \"$RUNNER_TEMP/xtask\" >> \"$GITHUB_PATH\"";

/// The matrix entry the `verify` job rebuilds: the first that builds with plain cargo for
/// its runner's own target (no `rustup target add`, build-std or apt packages), so the job
/// needs nothing the runner lacks. `None`: the matrix has none (`init` refuses
/// `verify = true` then).
pub fn verify_entry(m: &crate::ship::github::Matrix) -> Option<&crate::ship::github::MatrixEntry> {
    m.include
        .iter()
        .find(|e| !e.rustup_target && !e.build_std && e.apt.is_empty() && e.builder == "cargo")
}

/// `verify = true` with no target the `verify` job can rebuild: the error, with the fix.
pub fn check_verify(config: &Config) -> anyhow::Result<()> {
    if config.verify && verify_entry(&crate::ship::github::matrix(config, &[])).is_none() {
        anyhow::bail!(
            "{}: verify = true rebuilds a target native to its runner (x86_64-unknown-linux-gnu on ubuntu-latest, aarch64-apple-darwin on macos-latest, x86_64-pc-windows-msvc on windows-latest, with builder cargo), and the matrix has none; add one, or drop `verify`",
            config.path.display()
        );
    }
    Ok(())
}

/// The line that opens the maintainers' own region of the workflow (their jobs: signing,
/// `cargo publish`, notifying). `init --force` keeps what lies between it and
/// [`USER_REGION_END`], and `init --check` does not compare it.
pub const USER_REGION_BEGIN: &str =
    "  # >>> your jobs: init --check and init --force keep everything up to the closing marker as it is";
pub const USER_REGION_END: &str = "  # <<< your jobs";

/// Where the region's content starts and ends (byte offsets: after the opening marker's
/// line, at the closing marker's line). `None` when `workflow` has neither marker; an error
/// naming the fix when only one is there, or they are out of order.
fn user_region(workflow: &str, file: &str) -> Result<Option<(usize, usize)>> {
    let line_at = |marker: &str| {
        let mut at = 0;
        for line in workflow.split_inclusive('\n') {
            if line.trim_end_matches(['\r', '\n']) == marker {
                return Some((at, at + line.len()));
            }
            at += line.len();
        }
        None
    };
    match (line_at(USER_REGION_BEGIN), line_at(USER_REGION_END)) {
        (None, None) => Ok(None),
        (Some((_, start)), Some((end, _))) if start <= end => Ok(Some((start, end))),
        _ => bail!(
            "{file}: the region of your own jobs needs both marker lines, in this order and \
             exactly as init wrote them:\n{USER_REGION_BEGIN}\n{USER_REGION_END}\n\
             Put the missing one back (your jobs go between them), or remove both and move your jobs \
             to another workflow file, then run init again"
        ),
    }
}

/// `rendered` with the maintainers' region of `on_disk` (the workflow as it is now) in place
/// of its empty one: what `init --force` writes and what `init --check` compares with.
pub fn keep_user_region(rendered: &str, on_disk: &str, file: &str) -> Result<String> {
    let (Some((from, to)), Some((start, end))) = (
        user_region(on_disk, file)?,
        user_region(rendered, "the template")?,
    ) else {
        return Ok(rendered.to_string());
    };
    Ok(format!(
        "{}{}{}",
        &rendered[..start],
        &on_disk[from..to],
        &rendered[end..]
    ))
}

/// The targets a rendered workflow lists in its header comment.
pub fn listed_targets(workflow: &str) -> Vec<String> {
    workflow
        .lines()
        .skip_while(|l| !l.starts_with("# Targets"))
        .skip(1)
        .take_while(|l| l.starts_with("#   "))
        .filter_map(|l| l[4..].split_whitespace().next())
        .filter(|t| *t != "none")
        .map(str::to_string)
        .collect()
}

/// Where `rendered` first differs from `on_disk`: `line N: expected …, found …`.
pub fn first_difference(rendered: &str, on_disk: &str) -> String {
    let mut a = rendered.lines();
    let mut b = on_disk.lines();
    let mut n = 1;
    loop {
        match (a.next(), b.next()) {
            (Some(x), Some(y)) if x == y => n += 1,
            (None, None) => return "line endings or trailing newline".to_string(),
            (x, y) => {
                return format!(
                    "line {n}: expected {:?}, found {:?}",
                    x.unwrap_or("<end of file>"),
                    y.unwrap_or("<end of file>")
                )
            }
        }
    }
}

/// init's closing words on what `dist` builds here: the targets doctor passes, then each
/// one it would skip with why and the fix (`builds x86_64-unknown-linux-gnu here; skips
/// x86_64-pc-windows-gnu (linker: … ; fix: …)`).
pub fn next_builds(builds: &[String], skips: &[crate::plan::Skipped]) -> String {
    let mut s = if builds.is_empty() {
        "builds no target here yet".to_string()
    } else {
        format!("builds {} here", builds.join(", "))
    };
    if !skips.is_empty() {
        let each: Vec<String> = skips
            .iter()
            .map(|k| match &k.fix {
                Some(f) => format!("{} ({}; fix: {f})", k.target, k.reason),
                None => format!("{} ({})", k.target, k.reason),
            })
            .collect();
        s.push_str(&format!(
            " and skips {} (`cargo crossdock doctor` shows every check)",
            each.join(", ")
        ));
    }
    s
}
