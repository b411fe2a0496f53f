//! The build command of a target: cargo (or zigbuild/cross) arguments, the environment
//! crossdock adds (linker, runner, build-std, toolchain), and our rustflags placed where
//! cargo merges them with the user's own. Also whether the smoke run can happen here.

use std::collections::BTreeMap;

use super::*;

fn toml_array(items: &[String]) -> String {
    let quoted: Vec<String> = items
        .iter()
        .map(|s| serde_json::to_string(s).expect("string serializes"))
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// One cargo (or cross) invocation, as data: what `--dry-run` and `-v` show, what the
/// executor runs, and what doctor's probe borrows (`config`, `build_std`, env) without
/// picking a flat argument list apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CargoInvocation {
    /// `cargo` (or the target's cargo), or `cross`.
    pub program: String,
    /// `build --profile … --target … -p … --locked …`
    pub args: Vec<String>,
    /// `--config` values: profile overrides, then rustflags.
    pub config: Vec<String>,
    /// `-Zbuild-std=…` when std is built from source.
    pub build_std: Option<String>,
    /// Environment crossdock sets for the build.
    pub env: BTreeMap<String, String>,
    /// Environment crossdock removes for the build.
    pub env_remove: Vec<String>,
}

impl CargoInvocation {
    /// The whole command line, program first.
    pub fn argv(&self) -> Vec<String> {
        let mut v = vec![self.program.clone()];
        v.extend(self.args.iter().cloned());
        for c in &self.config {
            v.extend(["--config".to_string(), c.clone()]);
        }
        v.extend(self.build_std.iter().cloned());
        v
    }

    /// `K=V … program args…` as a human reads it.
    pub fn render(&self) -> String {
        let env: Vec<String> = self
            .env
            .iter()
            .filter(|(k, _)| !is_build_info(k))
            .map(|(k, v)| format!("{k}={}", v.replace('\x1f', " ")))
            .collect();
        let mut s = env.join(" ");
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(&self.argv().join(" "));
        s
    }
}

/// Serialized as the plan's JSON always had it: `command` (argv), `env`, `env-remove`.
impl Serialize for CargoInvocation {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = ser.serialize_map(Some(3))?;
        m.serialize_entry("command", &self.argv())?;
        m.serialize_entry("env", &self.env)?;
        m.serialize_entry("env-remove", &self.env_remove)?;
        m.end()
    }
}

/// An optional invocation as its command line only (`unstripped` in the plan's JSON).
pub(super) fn serialize_argv<S: serde::Serializer>(
    c: &Option<CargoInvocation>,
    ser: S,
) -> Result<S::Ok, S::Error> {
    c.as_ref().map(CargoInvocation::argv).serialize(ser)
}

/// What a build invocation is for: the build that ships, or the one that measures the
/// shipped binaries before stripping ([`unstripped_wanted`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flavor {
    Ship,
    /// Stripping off for the shipped packages only (a package override, so the
    /// dependencies are shared with the real build and only the packages' own crates
    /// compile again), cargo's diagnostics as JSON (already shown by the real build) and its
    /// status lines quiet.
    Unstripped,
}

/// Everything a target's build invocation is made of, decided before it is made.
pub(super) struct BuildInputs<'a> {
    pub target: &'a Target,
    pub spec: &'a ToolchainSpec,
    pub profile: &'a str,
    pub packages: &'a [String],
    pub jobs: Option<usize>,
    /// `--target-dir`, when not the workspace's ([`target_dir_for`]).
    pub target_dir: Option<PathBuf>,
    /// `RUSTC_WRAPPER` (the compiler cache), when crossdock sets it.
    pub wrapper: Option<&'a str>,
}

/// The target dir a target builds in, when not the workspace's: its own with
/// `parallel-targets` (see `plan/parallel.rs`), else that of its build environment
/// ([`build_env_target_dir`]; not for `cross`, which builds in its own container).
pub(super) fn target_dir_for(
    target_dir: &std::path::Path,
    target: &Target,
    parallel: bool,
) -> Option<PathBuf> {
    if parallel {
        return Some(super::parallel::target_dir_of(target_dir, &target.triple));
    }
    // cross builds in its own container, whose toolchain shares nothing with the host's.
    if target.builder.in_container() {
        return None;
    }
    build_env_target_dir(target_dir, target)
}

/// The whole invocation of one of a target's builds, made once and never edited after.
pub(super) fn build_command(facts: &Facts, b: &BuildInputs, flavor: Flavor) -> CargoInvocation {
    let target = b.target;
    let (spec, profile) = (b.spec, b.profile);
    let triple = &target.triple;
    let (program, sub) = target.builder.command(&spec.cargo);
    let mut cmd: Vec<String> = vec![sub.to_string()];
    let mut configs: Vec<String> = Vec::new();
    // cargo-zigbuild takes the glibc floor as a triple suffix and builds into target/<triple>.
    let target_arg = match &target.glibc {
        Some(v) => format!("{triple}.{v}"),
        None => triple.to_string(),
    };
    cmd.extend([
        "--profile".into(),
        profile.to_string(),
        "--target".into(),
        target_arg,
    ]);
    if let Some(dir) = &b.target_dir {
        cmd.extend(["--target-dir".to_string(), dir.display().to_string()]);
    }
    for p in b.packages {
        cmd.extend(["-p".into(), p.clone()]);
    }
    if facts.workspace.has_lockfile {
        cmd.push("--locked".into());
    }
    cmd.push(match flavor {
        Flavor::Ship => "--message-format=json-render-diagnostics".into(),
        Flavor::Unstripped => "--message-format=json".into(),
    });
    if let Some(j) = b.jobs {
        cmd.extend(["--jobs".into(), j.to_string()]);
    }
    if !target.features.is_empty() {
        cmd.extend(["--features".into(), target.features.join(",")]);
    }
    if target.no_default_features {
        cmd.push("--no-default-features".into());
    }
    if flavor == Flavor::Unstripped {
        cmd.push("--quiet".into());
    }
    // Shipped binaries carry no symbols or debug info (checked after the build), unless the
    // user chose otherwise with `strip`.
    configs.extend(profile_overrides(
        target,
        profile,
        facts.workspace.profile_has_debuginfo(profile),
    ));
    if flavor == Flavor::Unstripped {
        configs.extend(
            b.packages
                .iter()
                .map(|p| format!("profile.{profile}.package.{p}.strip=false")),
        );
    }
    let (rustflags, mut env, env_remove) = rustflags_and_env(facts, target, profile);
    configs.extend(rustflags);
    let mut build_std = None;
    if target.build_std {
        build_std = Some("-Zbuild-std=std,panic_abort".to_string());
        env.insert("RUSTC_BOOTSTRAP".into(), "1".into());
    }
    if let Some(rustc) = &spec.rustc {
        env.insert("RUSTC".into(), rustc.clone());
    }
    env.extend(target_env(facts, target));
    if let Some(w) = b.wrapper {
        env.insert("RUSTC_WRAPPER".into(), w.to_string());
    }
    CargoInvocation {
        program,
        args: cmd,
        config: configs,
        build_std,
        env,
        env_remove,
    }
}

/// Our rustflags, placed where cargo merges them with the user's own (a `--config` value,
/// or the environment's variable when the user set one), and the build-info env.
fn rustflags_and_env(
    facts: &Facts,
    target: &Target,
    profile: &str,
) -> (Vec<String>, BTreeMap<String, String>, Vec<String>) {
    let triple = &target.triple;
    // Reproducible across checkouts: the absolute workspace and CARGO_HOME paths must not
    // reach the binary. Added so that the user's own rustflags still apply.
    let mut flags = target.rustflags.clone();
    flags.push(format!(
        "--remap-path-prefix={}=.",
        facts.workspace.root.display()
    ));
    flags.push(format!(
        "--remap-path-prefix={}=/cargo",
        facts.cargo_home.display()
    ));
    flags.extend(reproducible_link_args(target));
    let mut configs = Vec::new();
    let mut env = build_info(facts, triple, profile);
    let mut env_remove = Vec::new();
    if let Some(encoded) = &facts.env_encoded_rustflags {
        let mut all: Vec<String> = encoded
            .split('\x1f')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        all.extend(flags);
        env.insert("CARGO_ENCODED_RUSTFLAGS".into(), all.join("\x1f"));
    } else if let Some(rf) = &facts.env_rustflags {
        // RUSTFLAGS replaces every config-file rustflags; keep it and add ours.
        let mut all: Vec<String> = rf.split_whitespace().map(String::from).collect();
        all.extend(flags);
        env.insert("CARGO_ENCODED_RUSTFLAGS".into(), all.join("\x1f"));
        env_remove.push("RUSTFLAGS".into());
    } else if facts.target_rustflags_in_config.contains(triple) {
        configs.push(format!("target.{triple}.rustflags={}", toml_array(&flags)));
    } else {
        configs.push(format!("build.rustflags={}", toml_array(&flags)));
    }
    (configs, env, env_remove)
}

/// The target's linker, runner, C toolchain and own `env` table, as cargo reads them.
fn target_env(facts: &Facts, target: &Target) -> BTreeMap<String, String> {
    let triple = &target.triple;
    let mut env = BTreeMap::new();
    let prefix = crate::read::cargo_config::env_prefix(triple);
    if let Some(l) = &target.linker {
        env.insert(format!("{prefix}LINKER"), l.clone());
    }
    if let Some(r) = &target.runner {
        env.insert(
            format!("{prefix}RUNNER"),
            super::runner::runner_for_cargo(r).join(" "),
        );
    }
    if let Some(c) =
        super::c_toolchain::c_toolchain(target, &facts.host, &facts.c_env, &facts.found_archivers)
    {
        env.extend(c.env(triple));
    }
    for (k, v) in &target.env {
        env.insert(k.clone(), v.clone());
    }
    env
}

/// The target dir of a target whose build environment differs from a plain build's in a way
/// that reaches host artifacts (build scripts, proc-macros and their dependencies, shared by
/// every `--target` in one target dir): `RUSTC_BOOTSTRAP=1` for build-std and the target's own
/// `env` table. Build scripts such as proc-macro2's and anyhow's say
/// `rerun-if-env-changed=RUSTC_BOOTSTRAP` (and enable nightly code under it), so two targets
/// that disagree would rebuild each other's host crates, and everything above them, on every
/// run. Each such environment gets its own dir under `target/crossdock/build-env/`; the
/// rest keep the workspace's target dir (a no-op `dist` stays a no-op `cargo build`). The
/// toolchain needs no dir of its own: cargo puts the rustc version in every artifact's hash.
pub(super) fn build_env_target_dir(
    target_dir: &std::path::Path,
    target: &Target,
) -> Option<PathBuf> {
    if !target.build_std && target.env.is_empty() {
        return None;
    }
    let name = if target.env.is_empty() {
        "build-std".to_string()
    } else {
        use sha2::Digest;
        let mut h = sha2::Sha256::new();
        for (k, v) in &target.env {
            h.update(k);
            h.update([0]);
            h.update(v);
            h.update([0]);
        }
        let hash: String = h.finalize()[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let prefix = if target.build_std { "build-std-" } else { "" };
        format!("{prefix}env-{hash}")
    };
    Some(target_dir.join("crossdock/build-env").join(name))
}

/// Linker arguments that keep the link time out of the binary. A PE header records when it
/// was linked (`TimeDateStamp`, and the checksum over it), so without these every rebuild of
/// a Windows binary differs. GNU ld (mingw, also through `cross`) takes
/// `--no-insert-timestamp`; MSVC's link.exe and lld-link take `/Brepro`. Not for zigbuild:
/// `zig cc` refuses `--no-insert-timestamp` ("unsupported linker arg").
pub(super) fn reproducible_link_args(target: &Target) -> Vec<String> {
    let t = &target.triple;
    let arg = if !target.builder.takes_linker_flags() {
        return Vec::new();
    } else if t.is_windows_gnu() {
        "link-arg=-Wl,--no-insert-timestamp"
    } else if t.is_msvc() {
        "link-arg=/Brepro"
    } else {
        return Vec::new();
    };
    vec!["-C".into(), arg.into()]
}

/// The build-info variables (shown on their own line by `--dry-run`, kept out of probes).
pub fn is_build_info(key: &str) -> bool {
    key.starts_with("CROSSDOCK_")
}

/// What a build may embed about itself (`option_env!("CROSSDOCK_GIT_SHA")` …): the commit,
/// whether the tree was dirty, the target, the profile, and the date of SOURCE_DATE_EPOCH or
/// of the commit — never the wall clock, so two builds of one commit stay byte-identical.
pub(super) fn build_info(facts: &Facts, triple: &str, profile: &str) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    if let Some(sha) = &facts.commit {
        env.insert("CROSSDOCK_GIT_SHA".into(), sha.clone());
        env.insert(
            "CROSSDOCK_GIT_SHORT_SHA".into(),
            sha.chars().take(7).collect::<String>(),
        );
        env.insert("CROSSDOCK_GIT_DIRTY".into(), facts.dirty.to_string());
    }
    env.insert("CROSSDOCK_TARGET".into(), triple.to_string());
    env.insert("CROSSDOCK_PROFILE".into(), profile.to_string());
    env.insert(
        "CROSSDOCK_BUILD_DATE".into(),
        civil_date(facts.source_date_epoch),
    );
    env
}

/// `YYYY-MM-DD` (UTC) of a Unix time (Howard Hinnant's days-to-civil).
pub(super) fn civil_date(epoch: u64) -> String {
    let (y, m, d, ..) = crate::model::time::civil_utc(epoch);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The profile settings crossdock passes for a target (as `--config` values).
/// With `debuginfo = "separate"` cargo must keep the debug info (crossdock strips after
/// splitting it out): `strip=false`, and `debug=1` when the profile has none.
pub(super) fn profile_overrides(
    target: &Target,
    profile: &str,
    has_debuginfo: bool,
) -> Vec<String> {
    if target.separate_debuginfo {
        let mut v = vec![format!("profile.{profile}.strip=false")];
        if !has_debuginfo {
            v.push(format!("profile.{profile}.debug=1"));
        }
        return v;
    }
    match target.strip {
        Strip::None => Vec::new(),
        s => vec![format!("profile.{profile}.strip={}", s.profile_value())],
    }
}

/// Whether a target gets the build that measures its shipped binaries before stripping
/// ([`Flavor::Unstripped`]): not when crossdock does not strip (`strip = false`: the
/// binary is shipped as built), nor with `debuginfo = "separate"`, where cargo builds
/// unstripped and crossdock strips afterwards, so the size before stripping is that of
/// cargo's own file.
pub(super) fn unstripped_wanted(target: &Target) -> bool {
    target.strip != Strip::None && !target.separate_debuginfo
}

/// Why a `triple` binary cannot run on this `host` (no runner, foreign OS or CPU), for the
/// smoke run and for `test`; `purpose` ends the fix ("smoke-test it").
pub(super) fn cannot_run_here(
    triple: &Triple,
    has_runner: bool,
    host: &Triple,
    purpose: &str,
) -> Option<String> {
    let runs_here = has_runner || triple.runs_on(host);
    (!runs_here).then(|| {
        format!("a {triple} binary cannot run on this {host} machine; set `runner` for this target to {purpose}")
    })
}
