//! Link probes: a tiny Rust crate built with the target's toolchain and environment (or, for
//! build-std targets, a C program linked with the target's linker), whose output must have
//! the target's architecture. Results are cached by a fingerprint of everything that
//! decides them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;
use crate::plan::CToolchain;

fn probe_dir(plan: &Plan) -> PathBuf {
    plan.target_dir.join("crossdock").join("probe")
}

const PROBE_MAIN: &str = "fn main() { println!(\"crossdock probe\"); }\n";
const PROBE_BUILD: &str = "fn main() { println!(\"cargo:rerun-if-changed=build.rs\"); }\n";

/// Writes a probe file only when its text changed, atomically: doctor probes targets in
/// parallel and an interrupted run must not leave a half-written file that a later probe
/// (or its cached stamp) would trust.
fn write_if_changed(path: &Path, text: &str) -> anyhow::Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        let dir = path.parent().unwrap_or(Path::new("."));
        anyhow::Context::with_context(std::fs::create_dir_all(dir), || {
            format!("cannot create {}", dir.display())
        })?;
        crate::sys::fs::write_atomic(path, 0o644, |f| {
            std::io::Write::write_all(f, text.as_bytes()).map_err(Into::into)
        })?;
    }
    Ok(())
}

/// Builds a tiny crate (with a build script, so the host linker is exercised too) for the
/// step's target with the step's toolchain, environment and `--config` flags, from the
/// workspace root so the user's `.cargo/config.toml` applies; checks the output's arch.
pub(super) fn probe_link(
    plan: &Plan,
    cargo_config: &CargoConfig,
    probe: &LinkProbe,
    r: &mut Report,
    check: Check,
    host: &str,
) {
    let t = &probe.target;
    let dir = probe_dir(plan).join("crate");
    let setup = (|| -> anyhow::Result<()> {
        write_if_changed(&dir.join("Cargo.toml"), "[package]\nname = \"crossdock-probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\nbuild = \"build.rs\"\n\n[workspace]\n")?;
        write_if_changed(&dir.join("src/main.rs"), PROBE_MAIN)?;
        write_if_changed(&dir.join("build.rs"), PROBE_BUILD)
    })();
    if let Err(e) = setup {
        r.push(
            t,
            check,
            Status::Fail,
            format!("cannot write the probe crate in {}: {e:#}", dir.display()),
            None,
        );
        return;
    }
    // The target's own toolchain, rustflags and build-std, not its profile settings.
    let mut cmd = Cmd::new(&probe.program)
        .cwd(&plan.workspace_root)
        .args([
            "build",
            "--release",
            "--target",
            t.as_str(),
            "--message-format=json-render-diagnostics",
        ])
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(probe_dir(plan).join("target"));
    for c in &probe.config {
        cmd = cmd.arg("--config").arg(c);
    }
    if let Some(b) = &probe.build_std {
        cmd = cmd.arg(b);
    }
    for (k, v) in &probe.env {
        cmd = cmd.env(k, v);
    }
    for k in &probe.env_remove {
        cmd = cmd.env_remove(k);
    }
    let key = fingerprint(&cmd, cargo_config);
    let stamp = probe_dir(plan).join(format!("{t}.ok"));
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(key.as_str()) {
        r.push(t, check, Status::Ok, "links (cached probe)", None);
        return;
    }
    let out = match cmd.output(Some(Duration::from_secs(600))) {
        Ok(o) => o,
        Err(e) => {
            r.push(t, check, Status::Fail, format!("{e:#}"), None);
            return;
        }
    };
    if !out.success() {
        let tail = tail(&out.stderr, 12);
        let mut origins: Vec<String> = Vec::new();
        for triple in [t.as_str(), host] {
            for s in cargo_config.target_settings(triple, "linker") {
                let line = format!("{} sets {} = \"{}\"", s.origin, s.key, s.value);
                if !origins.contains(&line) {
                    origins.push(line);
                }
            }
        }
        let detail = format!("the probe program does not link for {t}:\n{tail}");
        let linker_file = probe.sources.file("linker");
        let fix = if origins.is_empty() {
            format!(
                "install a working linker for {t} ({}) or set `linker` for {t} in {linker_file}",
                install_hint(
                    &effective_linker(t, probe.linker.as_deref(), linker_file, cargo_config)
                        .program
                )
            )
        } else {
            format!("{}\nfix or remove that key (build scripts and proc-macros link with the host's linker), or set `linker` for {t} in {linker_file}", origins.join("\n"))
        };
        r.push(t, check, Status::Fail, detail, Some(fix));
        return;
    }
    let exe = out
        .stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<cargo_metadata::Message>(l).ok())
        .find_map(|m| match m {
            cargo_metadata::Message::CompilerArtifact(a) if a.target.name == "crossdock-probe" => {
                a.executable
            }
            _ => None,
        });
    match exe.map(|e| e.into_std_path_buf()) {
        Some(exe) => match arch_matches(&exe, t) {
            Ok(desc) => {
                let _ = write_if_changed(&stamp, &key);
                r.push(t, check, Status::Ok, format!("links a {desc} probe"), None);
            }
            Err(e) => r.push(t, check, Status::Fail, e, Some(format!("the linker for {t} makes binaries for another target: set `linker` for {t} in {}", probe.sources.file("linker")))),
        },
        None => r.push(t, check, Status::Fail, "cargo reported no probe executable", None),
    }
}

/// For build-std targets there is no prebuilt std to link a Rust probe against (building it
/// takes a minute), so the linker links a C probe; its output must be for the target.
pub(super) fn probe_c_link(plan: &Plan, step: &BuildStep, linker: &Linker, r: &mut Report) {
    let t = &step.target;
    let dir = probe_dir(plan);
    let src = dir.join("probe.c");
    if let Err(e) = write_if_changed(&src, "int main(void) { return 0; }\n") {
        r.push(
            t,
            Check::Linker,
            Status::Fail,
            format!("cannot write {}: {e:#}", src.display()),
            None,
        );
        return;
    }
    // gcc for Windows names its output `*.exe` whatever `-o` says.
    let exe = t.exe_suffix();
    let out = dir.join(format!("c-probe-{t}{exe}"));
    // `-x none` after the source: wrappers may append objects of their own.
    let mut cmd = Cmd::new(&linker.program)
        .args(["-x", "c"])
        .arg(&src)
        .args(["-x", "none", "-o"])
        .arg(&out);
    for (k, v) in &step.cargo.env {
        cmd = cmd.env(k, v);
    }
    match cmd.output(Some(Duration::from_secs(300))) {
        Ok(o) if o.success() => match arch_matches(&out, t) {
            Ok(desc) => r.push(
                t,
                Check::Linker,
                Status::Ok,
                format!(
                    "{} links a {desc} C probe ({})",
                    linker.program, linker.origin
                ),
                None,
            ),
            Err(e) => r.push(
                t,
                Check::Linker,
                Status::Fail,
                e,
                Some(format!(
                    "`{}` ({}) does not make {t} binaries: set `linker` for {t} in {}",
                    linker.program,
                    linker.origin,
                    step.sources.file("linker")
                )),
            ),
        },
        Ok(o) => r.push(
            t,
            Check::Linker,
            Status::Fail,
            format!(
                "`{}` cannot link a C probe for {t}:\n{}",
                cmd.display(),
                tail(&o.combined(), 12)
            ),
            Some(format!(
                "{} or set `linker` for {t} in {}",
                install_hint(&linker.program),
                step.sources.file("linker")
            )),
        ),
        Err(e) => r.push(
            t,
            Check::Linker,
            Status::Fail,
            format!("{e:#}"),
            Some(install_hint(&linker.program)),
        ),
    }
}

/// The dependency graph compiles C (the `cc` crate) and crossdock set this target's C
/// compiler and archiver (`step.c`): both must be on PATH, and with `probe` the compiler
/// must make an object file for the target.
pub(super) fn check_c(plan: &Plan, step: &BuildStep, c: &CToolchain, probe: bool, r: &mut Report) {
    let t = &step.target;
    let cc_file = step.sources.file("cc");
    let origin = match c.origin {
        "linker" => "derived from `linker`".to_string(),
        _ => format!("from {cc_file}"),
    };
    let fix = |program: &str| {
        format!(
            "{} or set `cc`/`ar` for {t} in {cc_file} (or CC_{}/AR_{} in the environment)",
            install_hint(program),
            t.replace('-', "_"),
            t.replace('-', "_")
        )
    };
    for (what, program) in [("C compiler", &c.cc), ("archiver", &c.ar)] {
        let Some(program) = program.as_deref().map(first_word) else {
            continue;
        };
        if which(&program).is_none() {
            r.push(
                t,
                Check::C,
                Status::Fail,
                format!("the {what} `{program}` ({origin}) is not on PATH, and a build script compiles C (the `cc` crate is in Cargo.lock)"),
                Some(fix(&program)),
            );
            return;
        }
    }
    let Some(cc) = &c.cc else {
        r.push(
            t,
            Check::C,
            Status::Ok,
            format!("archiver {} ({origin})", c.ar.as_deref().unwrap_or("")),
            None,
        );
        return;
    };
    if !probe {
        r.push(t, Check::C, Status::Ok, format!("{cc} ({origin})"), None);
        return;
    }
    let dir = probe_dir(plan);
    let src = dir.join("probe-c-compile.c");
    let obj = dir.join(format!("c-compile-{t}.o"));
    if let Err(e) = write_if_changed(&src, "int crossdock_probe(int x) { return x + 1; }\n") {
        r.push(
            t,
            Check::C,
            Status::Fail,
            format!("cannot write {}: {e:#}", src.display()),
            None,
        );
        return;
    }
    let mut words = cc.split_whitespace();
    let mut cmd = Cmd::new(words.next().unwrap_or_default()).args(words);
    cmd = cmd.arg("-c").arg(&src).arg("-o").arg(&obj);
    match cmd.output(Some(Duration::from_secs(120))) {
        Ok(o) if o.success() => match object_matches(&obj, t) {
            Ok(desc) => r.push(
                t,
                Check::C,
                Status::Ok,
                format!("{cc} ({origin}) compiles C to {desc}"),
                None,
            ),
            Err(e) => r.push(
                t,
                Check::C,
                Status::Fail,
                e,
                Some(format!(
                    "`{cc}` does not compile for {t}: set `cc` for {t} in {cc_file}"
                )),
            ),
        },
        Ok(o) => r.push(
            t,
            Check::C,
            Status::Fail,
            format!(
                "`{}` cannot compile a C probe for {t}:\n{}",
                cmd.display(),
                tail(&o.combined(), 12)
            ),
            Some(fix(&first_word(cc))),
        ),
        Err(e) => r.push(
            t,
            Check::C,
            Status::Fail,
            format!("{e:#}"),
            Some(fix(&first_word(cc))),
        ),
    }
}

/// The program of a command line (`clang --target=…` → `clang`).
fn first_word(s: &str) -> String {
    s.split_whitespace().next().unwrap_or("").to_string()
}

/// The last `n` non-empty lines of a tool's output.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn arch_matches(exe: &Path, triple: &str) -> std::result::Result<String, String> {
    let data = std::fs::read(exe).map_err(|e| format!("cannot read {}: {e}", exe.display()))?;
    let got = binary::inspect(&data).map_err(|e| format!("{}: {e:#}", exe.display()))?;
    let (format, arch, bits) = binary::expected(triple);
    if got.format == format && got.arch == arch && got.bits == bits {
        Ok(got.to_string())
    } else {
        Err(format!(
            "the probe is a {got} binary, but {triple} needs {format} {bits}-bit {arch}"
        ))
    }
}

/// `cc -c` writes an object, not a program: judged as one (`library::object_for`).
fn object_matches(obj: &Path, triple: &str) -> std::result::Result<String, String> {
    let data = std::fs::read(obj).map_err(|e| format!("cannot read {}: {e}", obj.display()))?;
    library::object_for(&data, triple)
        .map(|o| o.to_string())
        .map_err(|e| format!("the C compiler's probe object {e:#}"))
}

fn fingerprint(cmd: &Cmd, cargo_config: &CargoConfig) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(cmd.display());
    h.update(std::env::var("PATH").unwrap_or_default());
    for (p, _) in &cargo_config.files {
        h.update(p.display().to_string());
        h.update(std::fs::read(p).unwrap_or_default());
    }
    crate::package::archive::hex(&h.finalize())
}
