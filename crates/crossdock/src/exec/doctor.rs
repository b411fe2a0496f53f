//! `doctor`, and `dist`'s preflight: can each target of the plan be built on this machine?
//! Checked for every target at once, without building the project: the toolchain, the
//! target's std (or `rust-src` for build-std), the linker — present AND able to link a tiny
//! probe program for that target, whose output must have the target's architecture — the
//! runner, the builder tool, and a lipo for universal groups. Each failing row carries its
//! fix. When the probe fails, the row names the cargo config file and key that chose the
//! linker (a stray `linker = "sh"` in `.cargo/config.toml` breaks every build script).
//!
//! Probe results are cached in the target dir, keyed by everything that decides them, so
//! `dist`'s preflight costs nothing on a machine that already passed.

use anyhow::Result;
use serde::Serialize;

use crate::model::build_tool::BuildTool;
use crate::model::cross::{self, GnuGcc};
use crate::model::triple::Triple;
use crate::package::{binary, library};
use crate::plan::{
    install_hint, BuildStep, Facts, LinkProbe, Lipo, Plan, Problem, Skipped, StdSource,
};
use crate::read::cargo_config::CargoConfig;
use crate::read::config::LipoTool;
use crate::sys::process::{which, Cmd};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

/// What a row checks. Serialized (and shown) as its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Check {
    #[serde(rename = "toolchain")]
    Toolchain,
    #[serde(rename = "std")]
    Std,
    #[serde(rename = "builder")]
    Builder,
    #[serde(rename = "runner")]
    Runner,
    #[serde(rename = "strip")]
    Strip,
    /// The C compiler and archiver build scripts get.
    #[serde(rename = "c")]
    C,
    /// The target's linker: present, and able to link a probe for the target.
    #[serde(rename = "linker")]
    Linker,
    /// A program build scripts run, which a crate of Cargo.lock needs (`cmake`).
    #[serde(rename = "build tool")]
    BuildTool,
    /// The host's linker, which every build script and proc-macro links with.
    #[serde(rename = "host linker")]
    HostLinker,
    #[serde(rename = "lipo")]
    Lipo,
}

impl Check {
    pub fn name(self) -> &'static str {
        match self {
            Check::Toolchain => "toolchain",
            Check::Std => "std",
            Check::Builder => "builder",
            Check::Runner => "runner",
            Check::Strip => "strip",
            Check::C => "c",
            Check::BuildTool => "build tool",
            Check::Linker => "linker",
            Check::HostLinker => "host linker",
            Check::Lipo => "lipo",
        }
    }
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    pub target: String,
    pub check: Check,
    pub status: Status,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub rows: Vec<Row>,
}

impl Report {
    fn push(
        &mut self,
        target: &str,
        check: Check,
        status: Status,
        detail: impl Into<String>,
        fix: Option<String>,
    ) {
        self.rows.push(Row {
            target: target.to_string(),
            check,
            status,
            detail: detail.into(),
            fix,
        });
    }

    /// What a non-strict run leaves out: each planned target (or universal group) with a
    /// failing row, with the first failure as the reason. A failure of anything else, or of
    /// the host's linker (every build script and proc-macro links with it), is not here.
    pub fn skips(&self, plan: &Plan, host: &str) -> Vec<Skipped> {
        let planned = |t: &str| {
            plan.builds.iter().any(|b| b.target == t)
                || plan.universals.iter().any(|u| u.name == t)
                || plan.problems.iter().any(|p| p.subject() == t)
        };
        let mut out: Vec<Skipped> = Vec::new();
        let host_broken = self
            .failures()
            .iter()
            .any(|r| r.target == host && matches!(r.check, Check::Linker | Check::HostLinker));
        for r in self.failures() {
            if host_broken && r.target == host {
                continue;
            }
            if planned(&r.target) && !out.iter().any(|s| s.target == r.target) {
                out.push(Skipped {
                    target: r.target.clone(),
                    reason: format!("{}: {}", r.check, r.detail.lines().next().unwrap_or("")),
                    fix: r.fix.clone(),
                });
            }
        }
        for p in &plan.problems {
            if !out.iter().any(|s| s.target == p.subject()) {
                out.push(Skipped {
                    target: p.subject().to_string(),
                    reason: p.what(),
                    fix: Some(p.fix()),
                });
            }
        }
        out
    }

    /// Failing rows that are not a planned target's (they stop every build).
    pub fn fatal(&self, plan: &Plan, host: &str) -> Vec<&Row> {
        let skips = self.skips(plan, host);
        self.failures()
            .into_iter()
            .filter(|r| !skips.iter().any(|s| s.target == r.target))
            .collect()
    }

    pub fn failures(&self) -> Vec<&Row> {
        self.rows
            .iter()
            .filter(|r| r.status == Status::Fail)
            .collect()
    }

    /// One table, a fix under each row that needs one.
    pub fn render(&self) -> String {
        let w0 = self
            .rows
            .iter()
            .map(|r| r.target.len())
            .max()
            .unwrap_or(6)
            .max(6);
        let w1 = self
            .rows
            .iter()
            .map(|r| r.check.name().len())
            .max()
            .unwrap_or(5)
            .max(5);
        let mut s = format!(
            "{:<w0$}  {:<w1$}  {:<4}  {}\n",
            "target", "check", "", "detail"
        );
        for r in &self.rows {
            let mark = match r.status {
                Status::Ok => "ok",
                Status::Warn => "warn",
                Status::Fail => "FAIL",
            };
            let clip = |l: &str| -> String {
                if l.chars().count() > 160 {
                    format!("{}…", l.chars().take(159).collect::<String>())
                } else {
                    l.to_string()
                }
            };
            let mut lines = r.detail.lines().map(clip);
            s.push_str(&format!(
                "{:<w0$}  {:<w1$}  {mark:<4}  {}\n",
                r.target,
                r.check.name(),
                lines.next().unwrap_or_default()
            ));
            for l in lines {
                s.push_str(&format!("{:<w0$}  {:<w1$}        {l}\n", "", ""));
            }
            if let Some(fix) = &r.fix {
                for (i, l) in fix.lines().enumerate() {
                    let head = if i == 0 { "fix: " } else { "     " };
                    s.push_str(&format!("{:<w0$}  {:<w1$}        {head}{l}\n", "", ""));
                }
            }
        }
        s
    }
}

/// Checks every build step of the plan. `probe` links a test program per target.
pub fn check(plan: &Plan, facts: &Facts, probe: bool) -> Report {
    let cargo_config = &facts.cargo_config;
    let mut report = Report::default();
    // A target whose toolchain could not be probed has no build step: its problem is its row.
    for p in &plan.problems {
        if let Problem::ToolchainBroken { target, .. } = p {
            report.push(
                target,
                Check::Toolchain,
                Status::Fail,
                p.what(),
                Some(p.fix()),
            );
        }
    }
    let results: Vec<Report> = crate::exec::jobs::parallel(&plan.builds, 2, |step| {
        check_step(plan, facts, cargo_config, step, probe)
    });
    for r in results {
        report.rows.extend(r.rows);
    }
    // Build scripts and proc-macros always link for the host.
    if let Some(host) = plan.host_link_probe(&facts.host).filter(|_| probe) {
        let mut r = Report::default();
        probe_link(
            plan,
            cargo_config,
            &host,
            &mut r,
            Check::HostLinker,
            &facts.host,
        );
        report.rows.extend(r.rows);
    }
    for u in &plan.universals {
        // The plan decided which lipo joins the slices; doctor only shows it.
        let missing = plan
            .problems
            .iter()
            .find(|p| matches!(p, Problem::LipoMissing { universal, .. } if *universal == u.name));
        let (status, detail, fix) = match (missing, &u.lipo) {
            (Some(p), _) => (
                Status::Fail,
                p.what(),
                Some(format!("{} in [[universal]] `{}`", p.fix(), u.name)),
            ),
            (None, Lipo::External(program)) => (Status::Ok, format!("`{program}` on PATH"), None),
            (None, Lipo::Builtin) if u.tool == LipoTool::Auto => (
                Status::Ok,
                "no `lipo` on PATH: the built-in writer is used (same bytes as llvm-lipo)"
                    .to_string(),
                None,
            ),
            (None, Lipo::Builtin) => (Status::Ok, "built-in fat Mach-O writer".to_string(), None),
        };
        if !report.rows.iter().any(|r| r.target == u.name) {
            report.push(&u.name, Check::Lipo, status, detail, fix);
        }
    }
    report
}

fn check_step(
    plan: &Plan,
    facts: &Facts,
    cargo_config: &CargoConfig,
    step: &BuildStep,
    probe: bool,
) -> Report {
    let mut r = Report::default();
    toolchain_row(facts, step, &mut r);
    std_row(plan, step, &mut r);
    tool_rows(facts, step, &mut r);
    if facts.uses_cc {
        if let Some(c) = &step.c {
            check_c(plan, step, c, probe, &mut r);
        }
        if let Some(fix) = musl_c_needs_libgcc(step) {
            r.push(&step.target, Check::C, Status::Warn, "C code on musl linked with link-self-contained=no: C compilers call libgcc helpers (`__popcountdi2`…) that rustc does not link then", Some(fix));
        }
    }
    for tool in &facts.build_tools {
        build_tool_row(step, tool, &mut r);
    }
    linker_rows(plan, facts, cargo_config, step, probe, &mut r);
    r
}

/// A program a crate of the lock file runs in a build script (on this machine, whatever
/// the target): on PATH, or the row names the package that brings it.
fn build_tool_row(step: &BuildStep, tool: &BuildTool, r: &mut Report) {
    let t = &step.target;
    match which(tool.program) {
        Some(p) => r.push(
            t,
            Check::BuildTool,
            Status::Ok,
            format!("{} (for the `{}` crate)", p.display(), tool.krate),
            None,
        ),
        None => r.push(
            t,
            Check::BuildTool,
            Status::Fail,
            format!(
                "`{}` is not on PATH, and a build script runs it (the `{}` crate is in Cargo.lock)",
                tool.program, tool.krate
            ),
            Some(tool.install_hint()),
        ),
    }
}

/// The step's toolchain, as facts probed it, and old enough for no package it builds.
fn toolchain_row(facts: &Facts, step: &BuildStep, r: &mut Report) {
    let t = &step.target;
    match facts.toolchains.get(&step.toolchain) {
        Some(Ok(tc)) => {
            if let Some((detail, fix)) = msrv::too_old_for(facts, step, tc) {
                r.push(t, Check::Toolchain, Status::Fail, detail, Some(fix));
                return;
            }
            r.push(
                t,
                Check::Toolchain,
                Status::Ok,
                format!("{} via {}", tc.version, step.toolchain.cargo),
                None,
            );
        }
        Some(Err(e)) => r.push(
            t,
            Check::Toolchain,
            Status::Fail,
            e.clone(),
            Some("install Rust (https://rustup.rs) or set --cargo/--rustc".into()),
        ),
        None => {}
    }
}

/// The step's std, as the plan found it (its problem when it is missing).
fn std_row(plan: &Plan, step: &BuildStep, r: &mut Report) {
    let t = &step.target;
    match &step.std {
        StdSource::Installed => r.push(t, Check::Std, Status::Ok, "installed", None),
        StdSource::BuildStd => {
            match plan
                .problems
                .iter()
                .find(|p| matches!(p, Problem::RustSrcMissing { target, .. } if target == t))
            {
                Some(p) => r.push(t, Check::Std, Status::Fail, p.what(), Some(p.fix())),
                None => r.push(
                    t,
                    Check::Std,
                    Status::Ok,
                    "built from rust-src (-Zbuild-std)",
                    None,
                ),
            }
        }
        StdSource::RustupAdd { toolchain } => {
            r.push(
                t,
                Check::Std,
                Status::Warn,
                format!("not installed in {toolchain}; dist runs `rustup target add` first"),
                Some(format!("rustup target add --toolchain {toolchain} {t}")),
            );
        }
        StdSource::Missing => {
            let fix = plan
                .problems
                .iter()
                .find(|p| matches!(p, Problem::StdMissing { target, .. } if target == t))
                .map(|p| format!("{}; {}", p.what(), p.fix()));
            r.push(
                t,
                Check::Std,
                Status::Fail,
                "missing from the toolchain",
                fix,
            );
        }
    }
}

/// The programs the step runs besides cargo: its builder, its runner, and (Mach-O) the
/// `rust-objcopy` rustc strips with.
fn tool_rows(facts: &Facts, step: &BuildStep, r: &mut Report) {
    let t = &step.target;
    if let Some(tool) = crate::plan::builder_program(step.builder) {
        match which(tool) {
            Some(p) => r.push(
                t,
                Check::Builder,
                Status::Ok,
                format!("{} ({})", step.builder.name(), p.display()),
                None,
            ),
            None => r.push(
                t,
                Check::Builder,
                Status::Fail,
                format!("`{tool}` is not on PATH"),
                Some(install_hint(tool)),
            ),
        }
    }
    if let Some(runner) = &step.runner {
        match which(&runner[0]) {
            Some(p) => r.push(t, Check::Runner, Status::Ok, p.display().to_string(), None),
            None => r.push(
                t,
                Check::Runner,
                Status::Fail,
                format!("`{}` is not on PATH", runner[0]),
                Some(format!(
                    "{} or change `runner` for {t} in {}",
                    install_hint(&runner[0]),
                    step.sources.file("runner")
                )),
            ),
        }
    }
    if t.is_apple() {
        // rustc strips Mach-O by running `rust-objcopy` from its sysroot, then PATH.
        let in_sysroot =
            matches!(facts.toolchains.get(&step.toolchain), Some(Ok(tc)) if tc.rust_objcopy);
        match (in_sysroot, which("rust-objcopy")) {
            (true, _) => r.push(t, Check::Strip, Status::Ok, "rust-objcopy in the toolchain", None),
            (false, Some(p)) => r.push(t, Check::Strip, Status::Ok, format!("rust-objcopy: {}", p.display()), None),
            (false, None) => r.push(
                t,
                Check::Strip,
                Status::Fail,
                "rustc strips Mach-O with `rust-objcopy`, which is neither in the toolchain nor on PATH",
                Some("`ln -s /usr/bin/llvm-objcopy-14 /usr/local/bin/rust-objcopy` (or .ci/install-cross.sh apple and /opt/crossdock-cross/bin on PATH)".into()),
            ),
        }
    }
}

/// The step's linker: set and found, and (with `probe`) able to link a program for the
/// target (a C program for build-std, whose std is not built yet).
fn linker_rows(
    plan: &Plan,
    facts: &Facts,
    cargo_config: &CargoConfig,
    step: &BuildStep,
    probe: bool,
    r: &mut Report,
) {
    let t = &step.target;
    let mut linker = effective_linker(
        &step.target,
        step.linker.as_deref(),
        step.sources.file("linker"),
        cargo_config,
    );
    if step.linker_chosen {
        linker.origin = format!(
            "the GNU cross gcc on PATH ({} sets no `linker`)",
            step.sources.file("linker")
        );
    }
    let triple = t;
    let foreign = !triple.runs_on(&facts.host) && !triple.is_windows();
    if linker.is_default && foreign && step.builder.links_with_target_linker() {
        // The host's `cc` cannot link for another CPU or OS: say which linker to use
        // instead of probing (or suggesting to install) the one that is already there.
        r.push(
            t,
            Check::Linker,
            Status::Fail,
            format!(
                "no `linker` is set, and rustc's default `{}` links for this {} machine, not for {t}",
                linker.program, facts.host
            ),
            Some(cross_linker_fix(triple, step.sources.file("linker"))),
        );
        return;
    }
    let linker_found = match which(&linker.program) {
        Some(p) => {
            if !probe || !step.builder.links_with_target_linker() {
                r.push(
                    t,
                    Check::Linker,
                    Status::Ok,
                    format!("{} ({})", p.display(), linker.origin),
                    None,
                );
            }
            true
        }
        None => {
            r.push(
                t,
                Check::Linker,
                Status::Fail,
                format!("`{}` ({}) is not on PATH", linker.program, linker.origin),
                Some(format!(
                    "{} or set `linker` for {t} in {}",
                    install_hint(&linker.program),
                    step.sources.file("linker")
                )),
            );
            false
        }
    };
    if probe && linker_found && step.builder.links_with_target_linker() {
        if step.std == StdSource::Installed {
            probe_link(
                plan,
                cargo_config,
                &step.link_probe(),
                r,
                Check::Linker,
                &facts.host,
            );
        } else if step.std == StdSource::BuildStd {
            probe_c_link(plan, step, &linker, r);
        }
    }
}

/// musl with `link-self-contained=no` links with `-nodefaultlibs`, so C code that calls
/// libgcc's helpers fails to link (`undefined reference to __popcountdi2`) unless libgcc is
/// named: the fix, when this target's rustflags need it.
fn musl_c_needs_libgcc(step: &BuildStep) -> Option<String> {
    let argv = step
        .cargo
        .argv()
        .into_iter()
        .chain(step.cargo.env.values().cloned())
        .collect::<Vec<_>>()
        .join(" ");
    let musl = step.target.is_musl();
    (musl && argv.contains("link-self-contained=no") && !argv.contains("-lgcc")).then(|| {
        format!(
            "add \"-C\", \"link-arg=-lgcc\" to `rustflags` of {} in {}",
            step.target, step.sources.shared
        )
    })
}

/// The linker a target will use and who chose it.
pub struct Linker {
    pub program: String,
    pub origin: String,
    /// Nobody chose it: rustc's default for the target.
    pub is_default: bool,
}

/// How to get a linker for a target the host's `cc` cannot link for.
fn cross_linker_fix(t: &Triple, file: &str) -> String {
    if t.is_apple() {
        return format!(
            "set `builder = \"zigbuild\"` for {t} in {file} ({}), or set `linker` to a Mach-O linker (osxcross, or a `zig cc -target` wrapper as .ci/install-cross.sh writes); or build it on a macOS runner",
            install_hint("cargo-zigbuild")
        );
    }
    if let Some(g) = GnuGcc::for_target(t) {
        return format!(
            "set `linker = \"{}\"` for {t} in {file} (on Debian/Ubuntu: `apt-get install {}`), or `builder = \"zigbuild\"`",
            g.gcc(),
            g.apt
        );
    }
    format!(
        "set `linker` for {t} in {file} to a linker for that target, or `builder = \"zigbuild\"` ({})",
        install_hint("cargo-zigbuild")
    )
}

/// The linker of `target` (`linker` its key in `file`, targets.toml or this machine's
/// overlay), and who chose it.
pub fn effective_linker(
    target: &str,
    linker: Option<&str>,
    file: &str,
    cargo_config: &CargoConfig,
) -> Linker {
    if let Some(l) = linker {
        return Linker {
            program: l.to_string(),
            origin: format!("{file} `linker`"),
            is_default: false,
        };
    }
    if let Some(s) = cargo_config
        .target_settings(target, "linker")
        .into_iter()
        .next()
    {
        return Linker {
            program: s.value.clone(),
            origin: format!("{} `{}`", s.origin, s.key),
            is_default: false,
        };
    }
    Linker {
        program: cross::default_linker(&Triple::new(target)),
        origin: "rustc's default".into(),
        is_default: true,
    }
}

/// `dist`'s preflight: every failing check at once, as one error.
pub fn preflight(plan: &Plan, facts: &Facts) -> Result<()> {
    let report = check(plan, facts, true);
    let failures = report.failures();
    if failures.is_empty() {
        return Ok(());
    }
    let only = Report {
        rows: failures.into_iter().cloned().collect(),
    };
    anyhow::bail!(
        "cannot start: {} problem(s) found before building (same checks as `cargo crossdock doctor`):\n{}",
        only.rows.len(),
        only.render()
    )
}

mod msrv;
mod probe;

use probe::{check_c, probe_c_link, probe_link};
