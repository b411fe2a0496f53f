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

type CommandParts = (Vec<String>, BTreeMap<String, String>, Vec<String>);

pub(super) fn build_command(
    config: &Config,
    facts: &Facts,
    target: &Target,
    spec: &ToolchainSpec,
    profile: &str,
    packages: &[String],
    jobs: Option<usize>,
) -> CommandParts {
    let _ = config;
    let triple = &target.triple;
    let mut cmd: Vec<String> = match target.builder {
        Builder::Cargo => vec![spec.cargo.clone(), "build".into()],
        Builder::Zigbuild => vec![spec.cargo.clone(), "zigbuild".into()],
        Builder::Cross => vec!["cross".into(), "build".into()],
    };
    cmd.extend([
        "--profile".into(),
        profile.to_string(),
        "--target".into(),
        triple.clone(),
    ]);
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
    for o in profile_overrides(target, profile) {
        cmd.extend(["--config".into(), o]);
    }

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
    let mut env = BTreeMap::new();
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
        cmd.extend([
            "--config".into(),
            format!("target.{triple}.rustflags={}", toml_array(&flags)),
        ]);
    } else {
        cmd.extend([
            "--config".into(),
            format!("build.rustflags={}", toml_array(&flags)),
        ]);
    }
    if target.build_std {
        cmd.push("-Zbuild-std=std,panic_abort".into());
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
        env.insert(format!("{prefix}RUNNER"), r.join(" "));
    }
    for (k, v) in &target.env {
        env.insert(k.clone(), v.clone());
    }
    (cmd, env, env_remove)
}

/// The profile settings crossdock passes for a target (as `--config` values).
pub(super) fn profile_overrides(target: &Target, profile: &str) -> Vec<String> {
    match target.strip {
        Strip::None => Vec::new(),
        s => vec![format!("profile.{profile}.strip={}", s.profile_value())],
    }
}

pub(super) fn smoke_plan(target: &Target, host: &str) -> (Option<Vec<String>>, Option<String>) {
    let Some(args) = &target.smoke else {
        return (None, Some("smoke = false in targets.toml".into()));
    };
    let runs_here = target.runner.is_some()
        || crate::read::triple::Triple::new(&target.triple)
            .runs_on(&crate::read::triple::Triple::new(host));
    if runs_here {
        (Some(args.clone()), None)
    } else {
        (
            None,
            Some(format!(
                "a {} binary cannot run on this {host} machine; set `runner` for this target to smoke-test it",
                target.triple
            )),
        )
    }
}
