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

pub(super) fn build_command(
    config: &Config,
    facts: &Facts,
    target: &Target,
    spec: &ToolchainSpec,
    profile: &str,
    packages: &[String],
    jobs: Option<usize>,
) -> CargoInvocation {
    let _ = config;
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
    // cross builds in its own container, whose toolchain shares nothing with the host's.
    if !target.builder.in_container() {
        if let Some(dir) = build_env_target_dir(&facts.workspace.target_dir, target) {
            cmd.extend(["--target-dir".to_string(), dir.display().to_string()]);
        }
    }
    for p in packages {
        cmd.extend(["-p".into(), p.clone()]);
    }
    if facts.workspace.has_lockfile {
        cmd.push("--locked".into());
    }
    cmd.push("--message-format=json-render-diagnostics".into());
    if let Some(j) = jobs {
        cmd.extend(["--jobs".into(), j.to_string()]);
    }
    if !target.features.is_empty() {
        cmd.extend(["--features".into(), target.features.join(",")]);
    }
    if target.no_default_features {
        cmd.push("--no-default-features".into());
    }
    // Shipped binaries carry no symbols or debug info (checked after the build), unless the
    // user chose otherwise with `strip`.
    configs.extend(profile_overrides(
        target,
        profile,
        facts.workspace.profile_has_debuginfo(profile),
    ));

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
    let mut build_std = None;
    if target.build_std {
        build_std = Some("-Zbuild-std=std,panic_abort".to_string());
        env.insert("RUSTC_BOOTSTRAP".into(), "1".into());
    }
    if let Some(rustc) = &spec.rustc {
        env.insert("RUSTC".into(), rustc.clone());
    }
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
    CargoInvocation {
        program,
        args: cmd,
        config: configs,
        build_std,
        env,
        env_remove,
    }
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

/// The build that measures the shipped binaries before stripping: `cargo` with stripping
/// turned off for the shipped packages only (a package override, so the dependencies are
/// shared with the real build and only the packages' own crates compile again), cargo's
/// diagnostics as JSON (already shown by the real build) and its status lines quiet. `None`
/// when crossdock does not strip (`strip = false`): the binary is shipped as built; and with
/// `debuginfo = "separate"`, where cargo builds unstripped and crossdock strips afterwards,
/// so the size before stripping is that of cargo's own file.
pub(super) fn unstripped_command(
    target: &Target,
    cargo: &CargoInvocation,
    profile: &str,
    packages: &[String],
) -> Option<CargoInvocation> {
    if target.strip == Strip::None || target.separate_debuginfo {
        return None;
    }
    let mut c = cargo.clone();
    for a in &mut c.args {
        if a.starts_with("--message-format=") {
            *a = "--message-format=json".into();
        }
    }
    c.args.push("--quiet".into());
    let at = c
        .config
        .iter()
        .position(|v| v.starts_with(&format!("profile.{profile}.strip=")))
        .map_or(0, |i| i + 1);
    for (i, p) in packages.iter().enumerate() {
        c.config
            .insert(at + i, format!("profile.{profile}.package.{p}.strip=false"));
    }
    Some(c)
}

/// The smoke run of each binary of a target, and why there is none when there is none.
pub(super) fn smoke_plan(
    target: &Target,
    host: &Triple,
    bins: &BTreeSet<&str>,
) -> (BTreeMap<String, Option<Vec<String>>>, Option<String>) {
    let runs: BTreeMap<String, Option<Vec<String>>> = bins
        .iter()
        .map(|b| (b.to_string(), target.smoke.args(b).map(<[String]>::to_vec)))
        .collect();
    if !runs.is_empty() && runs.values().all(Option::is_none) {
        return (
            BTreeMap::new(),
            Some("smoke = false in targets.toml".into()),
        );
    }
    match cannot_run_here(
        &target.triple,
        target.runner.is_some(),
        host,
        "smoke-test it",
    ) {
        None => (runs, None),
        Some(why) => (BTreeMap::new(), Some(why)),
    }
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
