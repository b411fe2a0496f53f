//! Targets that build in one cargo invocation when several build at once
//! (`parallel-targets`). cargo builds several `--target`s in one run under one jobserver and
//! builds the host's crates (build scripts, proc macros and their dependencies) once for all
//! of them; a cargo per target in a target dir of its own (`plan/parallel.rs`) compiles them
//! once per target, so building at once cost more CPU than building one after the other.
//!
//! Two builds share an invocation when they are the same invocation but for what cargo
//! scopes to one target: `--target`, `--config target.<triple>.*` values and variables
//! named after the triple (`CARGO_TARGET_<TRIPLE>_LINKER`/`_RUNNER`, `CC_<triple>`,
//! `AR_<triple>`). So builder (plain cargo only: zigbuild and cross take one target each),
//! toolchain, profile settings, packages, features, target dir, build-std, rustflags given
//! to every target (`build.rustflags`, the environment's) and every other variable must be
//! equal; anything else keeps its own invocation. A target's own rustflags (its `rustflags`,
//! the link arguments that make its binaries reproducible) go to `build.rustflags` in a
//! build of its own; in a group they go to `target.<triple>.rustflags`, which cargo gives
//! that target's units alone. With `--target` neither reaches host units, so the compiler
//! sees the same flags either way; only when the user sets `build.rustflags` do they stay
//! there (a target-level value would make cargo drop the user's), and such targets group
//! only when their flags are equal. `CROSSDOCK_TARGET` (build info) is the
//! one variable that differs by nature: a grouped invocation leaves it unset, so a workspace
//! that reads it (`facts/target_var.rs`) never groups. Its bytes are those of a serial run:
//! nothing the compiler sees for a target differs.

use std::collections::BTreeMap;

use super::*;

/// Targets built by one cargo invocation.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct BuildGroup {
    /// The builds, in plan order (two or more).
    #[serde(skip)]
    pub builds: Vec<BuildIdx>,
    pub targets: Vec<Triple>,
    /// `cargo build --target A --target B …`: what runs instead of each build's own `cargo`.
    #[serde(flatten)]
    pub cargo: CargoInvocation,
}

/// What of a build's invocation is the same for every member of its group.
#[derive(PartialEq, Eq)]
struct Shared {
    program: String,
    /// The arguments without `--target T`, and where `--target` stood.
    args: Vec<String>,
    target_at: usize,
    config: Vec<String>,
    build_std: Option<String>,
    env: BTreeMap<String, String>,
    env_remove: Vec<String>,
}

/// What of a build's invocation is scoped to its target.
struct Own {
    config: Vec<String>,
    env: BTreeMap<String, String>,
}

/// Whether `name` (a `--config` key or a variable) is cargo's (or the cc crate's) for
/// `triple` only.
fn scoped_to(name: &str, triple: &str) -> bool {
    if let Some(rest) = name.strip_prefix("target.") {
        return rest.starts_with(&format!("{triple}."));
    }
    let underscored = triple.replace(['-', '.'], "_").to_ascii_lowercase();
    name.to_ascii_lowercase().contains(&underscored)
}

/// `step`'s invocation split into what a group shares and what is the target's own; none
/// when it cannot share one (another builder, or the triple is not cargo's `--target`).
/// `build_rustflags_kept`: the user sets `build.rustflags`, so ours stay there.
fn split(
    step: &BuildStep,
    target_var_read: bool,
    build_rustflags_kept: bool,
) -> Option<(Shared, Own)> {
    if step.builder != Builder::Cargo {
        return None;
    }
    let c = &step.cargo;
    let triple = step.target.as_str();
    let target_at = c
        .args
        .windows(2)
        .position(|w| w[0] == "--target" && w[1] == triple)?;
    let mut args = c.args.clone();
    args.drain(target_at..target_at + 2);
    let (own_config, config) = c
        .config
        .iter()
        .map(|k| match k.strip_prefix("build.rustflags=") {
            Some(flags) if !build_rustflags_kept => format!("target.{triple}.rustflags={flags}"),
            _ => k.clone(),
        })
        .partition(|k| {
            let key = k.split('=').next().unwrap_or(k);
            scoped_to(key, triple)
        });
    let mut env = BTreeMap::new();
    let mut own_env = BTreeMap::new();
    for (k, v) in &c.env {
        if k == crate::facts::target_var::VAR && !target_var_read {
            continue;
        }
        if scoped_to(k, triple) {
            own_env.insert(k.clone(), v.clone());
        } else {
            env.insert(k.clone(), v.clone());
        }
    }
    Some((
        Shared {
            program: c.program.clone(),
            args,
            target_at,
            config,
            build_std: c.build_std.clone(),
            env,
            env_remove: c.env_remove.clone(),
        },
        Own {
            config: own_config,
            env: own_env,
        },
    ))
}

/// The groups of two or more `builds` that one cargo invocation builds, in plan order.
/// `target_var_read`: the workspace reads `CROSSDOCK_TARGET`; `build_rustflags_kept`: the
/// user's cargo config sets `build.rustflags`.
pub fn group_builds(
    builds: &[BuildStep],
    target_var_read: bool,
    build_rustflags_kept: bool,
) -> Vec<BuildGroup> {
    let mut groups: Vec<(Shared, Vec<(BuildIdx, Own)>)> = Vec::new();
    for (i, step) in builds.iter().enumerate() {
        let Some((shared, own)) = split(step, target_var_read, build_rustflags_kept) else {
            continue;
        };
        match groups.iter_mut().find(|(s, _)| *s == shared) {
            Some((_, members)) => members.push((BuildIdx(i), own)),
            None => groups.push((shared, vec![(BuildIdx(i), own)])),
        }
    }
    groups
        .into_iter()
        .filter(|(_, m)| m.len() > 1)
        .map(|(shared, members)| {
            let targets: Vec<Triple> = members
                .iter()
                .map(|(i, _)| builds[i.0].target.clone())
                .collect();
            let mut args = shared.args;
            let target_args = targets
                .iter()
                .flat_map(|t| ["--target".to_string(), t.to_string()]);
            args.splice(shared.target_at..shared.target_at, target_args);
            let mut config = shared.config;
            let mut env = shared.env;
            for (_, own) in &members {
                config.extend(own.config.iter().cloned());
                env.extend(own.env.clone());
            }
            BuildGroup {
                builds: members.iter().map(|(i, _)| *i).collect(),
                targets,
                cargo: CargoInvocation {
                    program: shared.program,
                    args,
                    config,
                    build_std: shared.build_std,
                    env,
                    env_remove: shared.env_remove,
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{config, facts, HOST};
    use super::*;

    const ARM: &str = "aarch64-unknown-linux-gnu";
    const MUSL: &str = "x86_64-unknown-linux-musl";

    fn matrix(dist: &str, more: &str) -> Config {
        config(&format!(
            "[dist]\njobs = 4\n{dist}\n[[target]]\ntriple = \"{HOST}\"\n[[target]]\ntriple = \"{ARM}\"\nlinker = \"aarch64-linux-gnu-gcc\"\nrunner = [\"qemu-aarch64\"]\n[[target]]\ntriple = \"{MUSL}\"\n{more}"
        ))
    }

    fn plan_with(c: &Config, cpus: usize, reader: bool) -> Plan {
        let opts = Options::default();
        let mut f = facts(c, &opts, true, &[HOST, ARM, MUSL]);
        f.cpus = cpus;
        f.tools.insert("cargo-zigbuild".into());
        if reader {
            f.target_var_reader = Some("/ws/src/main.rs".into());
        }
        plan(c, &f, &opts).unwrap()
    }

    fn target_dir(argv: &[String]) -> Option<&str> {
        argv.windows(2)
            .find(|w| w[0] == "--target-dir")
            .map(|w| w[1].as_str())
    }

    #[test]
    fn plain_cargo_targets_of_one_toolchain_build_in_one_invocation() {
        let p = plan_with(&matrix("parallel-targets = 4", ""), 4, false);
        assert_eq!(p.build_groups.len(), 1);
        let g = &p.build_groups[0];
        assert_eq!(g.targets, [HOST, ARM, MUSL]);
        assert_eq!(g.builds, [BuildIdx(0), BuildIdx(1), BuildIdx(2)]);
        let argv = g.cargo.argv();
        let at = argv.iter().position(|a| a == "--target").unwrap();
        assert_eq!(
            argv[at..at + 6],
            ["--target", HOST, "--target", ARM, "--target", MUSL]
        );
        // One cargo, the run's jobs, the workspace's target dir (host crates shared).
        assert_eq!(p.parallel_targets, 1);
        assert!(argv.windows(2).any(|w| w == ["--jobs", "4"]), "{argv:?}");
        assert_eq!(target_dir(&argv), None, "{argv:?}");
        // The arm target's linker and runner as cargo scopes them; no target in the
        // build info (one environment for all); everything else as each target's own.
        let prefix = "CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_";
        assert_eq!(
            g.cargo.env[&format!("{prefix}LINKER")],
            "aarch64-linux-gnu-gcc"
        );
        assert!(g.cargo.env.contains_key(&format!("{prefix}RUNNER")));
        assert!(!g.cargo.env.contains_key("CROSSDOCK_TARGET"));
        for b in &p.builds {
            assert_eq!(b.group, Some(0));
            // Its config, with its rustflags scoped to its triple.
            let t = b.target.as_str();
            for k in &b.cargo.config {
                let scoped = match k.strip_prefix("build.rustflags=") {
                    Some(flags) => format!("target.{t}.rustflags={flags}"),
                    None => k.clone(),
                };
                assert!(g.cargo.config.contains(&scoped), "{scoped} of {t}");
            }
            for (k, v) in &b.cargo.env {
                if k != "CROSSDOCK_TARGET" {
                    assert_eq!(g.cargo.env.get(k), Some(v), "{k} of {}", b.target);
                }
            }
            // Its own invocation (the unstripped build) in the same target dir.
            assert_eq!(target_dir(&b.cargo.argv()), None);
        }
        let shown = p.render();
        assert!(
            shown.contains(&format!(
                "parallel:  {HOST}, {ARM}, {MUSL} in one cargo build"
            )),
            "{shown}"
        );
        assert!(shown.contains(&format!("--target {HOST} --target {ARM} --target {MUSL}")));
        assert!(shown.contains("run:     with its group, in one cargo build"));
    }

    #[test]
    fn own_rustflags_join_a_group_scoped_to_their_target_but_another_builder_or_env_keeps_apart() {
        let more = "[[target]]\ntriple = \"x86_64-pc-windows-gnu\"\nbuilder = \"zigbuild\"\n";
        let c = config(&format!(
            "[dist]\njobs = 4\nparallel-targets = 4\n[[target]]\ntriple = \"{HOST}\"\n[[target]]\ntriple = \"{ARM}\"\nlinker = \"aarch64-linux-gnu-gcc\"\nrustflags = [\"-Ctarget-cpu=neoverse-n1\"]\n[[target]]\ntriple = \"{MUSL}\"\nenv = {{ FOO = \"1\" }}\n{more}"
        ));
        let opts = Options::default();
        let mut f = facts(&c, &opts, true, &[HOST, ARM, MUSL, "x86_64-pc-windows-gnu"]);
        f.cpus = 4;
        f.tools.insert("cargo-zigbuild".into());
        let p = plan(&c, &f, &opts).unwrap();
        // The arm target's own rustflags go to target.<arm>.rustflags: it shares the host's
        // cargo. FOO is not scoped to musl and zigbuild takes one target: those build alone.
        assert_eq!(p.build_groups.len(), 1, "{:?}", p.build_groups);
        assert_eq!(p.build_groups[0].targets, [HOST, ARM]);
        let config = &p.build_groups[0].cargo.config;
        assert!(
            !config.iter().any(|k| k.starts_with("build.rustflags")),
            "{config:?}"
        );
        let own = |t: &str| {
            let b = p.builds.iter().find(|b| b.target == t).unwrap();
            let serial = b
                .cargo
                .config
                .iter()
                .find(|k| k.starts_with("build.rustflags="));
            let flags = serial.unwrap().strip_prefix("build.rustflags=").unwrap();
            format!("target.{t}.rustflags={flags}")
        };
        // Each member's flags are those of its own build, scoped to its triple.
        for t in [HOST, ARM] {
            assert!(config.contains(&own(t)), "{t}: {config:?}");
        }
        assert!(own(ARM).contains("-Ctarget-cpu=neoverse-n1"));
        assert!(!own(HOST).contains("neoverse"));
        for b in p.builds.iter().filter(|b| b.group.is_none()) {
            assert!(target_dir(&b.cargo.argv())
                .unwrap()
                .contains("crossdock/parallel"));
        }

        // The user's config sets build.rustflags: a target-level value would make cargo
        // drop it, so ours stay in build.rustflags and flags that differ keep apart.
        f.build_rustflags_in_config = true;
        let p = plan(&c, &f, &opts).unwrap();
        assert!(p.build_groups.is_empty(), "{:?}", p.build_groups);
        assert_eq!(p.parallel_targets, 4);
        // Equal flags still share a build.rustflags of the group's own.
        let c = matrix("parallel-targets = 4", "");
        let mut f = facts(&c, &opts, true, &[HOST, ARM, MUSL]);
        f.cpus = 4;
        f.build_rustflags_in_config = true;
        let p = plan(&c, &f, &opts).unwrap();
        assert_eq!(p.build_groups.len(), 1);
        assert!(p.build_groups[0]
            .cargo
            .config
            .iter()
            .any(|k| k.starts_with("build.rustflags=")));
    }

    #[test]
    fn groups_count_as_one_build_beside_targets_of_their_own() {
        let more = "[[target]]\ntriple = \"x86_64-pc-windows-gnu\"\nbuilder = \"zigbuild\"\n";
        let c = matrix("parallel-targets = 4", more);
        let opts = Options::default();
        let mut f = facts(&c, &opts, true, &[HOST, ARM, MUSL, "x86_64-pc-windows-gnu"]);
        f.cpus = 4;
        f.tools.insert("cargo-zigbuild".into());
        let p = plan(&c, &f, &opts).unwrap();
        assert_eq!(p.build_groups.len(), 1);
        assert_eq!(p.build_groups[0].targets, [HOST, ARM, MUSL]);
        // The group and the zigbuild target: two builds, two jobs each.
        assert_eq!(p.parallel_targets, 2);
        assert!(p.build_groups[0]
            .cargo
            .argv()
            .windows(2)
            .any(|w| w == ["--jobs", "2"]));
        let zig = &p.builds[3];
        assert_eq!(zig.group, None);
        assert!(target_dir(&zig.cargo.argv())
            .unwrap()
            .contains("crossdock/parallel"));
        // A group that loses a member (doctor skips it) goes; the rest build alone.
        let p = p.without(vec![Skipped {
            target: MUSL.into(),
            reason: "no std".into(),
            fix: None,
        }]);
        assert!(p.build_groups.is_empty());
        assert!(p.builds.iter().all(|b| b.group.is_none()));
    }

    #[test]
    fn a_workspace_that_reads_the_target_never_groups() {
        let p = plan_with(&matrix("parallel-targets = 3", ""), 4, true);
        assert!(p.build_groups.is_empty());
        assert_eq!(p.parallel_targets, 3);
    }

    #[test]
    fn auto_groups_on_two_cpus_is_serial_without_groups_and_says_why() {
        // 2 CPUs: the group's one cargo (no more CPU than serial, less wall time), never two
        // cargos at once.
        let p = plan_with(&matrix("parallel-targets = \"auto\"", ""), 2, false);
        assert_eq!(p.parallel_targets, 1);
        assert_eq!(p.build_groups.len(), 1);
        assert!(p.render().contains(
            "x86_64-unknown-linux-musl in one cargo build (the host's crates built once)"
        ));
        let p = plan_with(&matrix("parallel-targets = \"auto\"", ""), 4, true);
        assert_eq!(p.parallel_targets, 1);
        assert!(p
            .render()
            .contains("no two targets can share a cargo build"));
        // With cores to spare and something to share: the group.
        let p = plan_with(&matrix("parallel-targets = \"auto\"", ""), 4, false);
        assert_eq!(p.build_groups.len(), 1);
    }
}
