//! Libraries that cannot come out of their target's main build. On a `*-linux-musl`
//! target rustc links statically (`crt-static`) and then cannot make a `cdylib` at all
//! (cargo drops the crate type with a warning). The fix users find by hand,
//! `-C target-feature=-crt-static`, must reach that package only: the same run's CLI
//! binaries stay static. So such a package gets its own build: `-p PKG --lib`, the
//! target's rustflags (the user's, kept) plus `-C target-feature=-crt-static` and
//! `-C relocation-model=pic` (a shared library is position-independent, whatever the
//! binaries use), in its own target dir, so that neither build invalidates the other's
//! artifacts on every run. Pure, like the rest of the plan.

use super::*;

/// A library built apart from its target's main build.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct LibraryBuild {
    pub package: String,
    /// The package's Cargo.toml, to find its files among the build's outputs.
    pub manifest_path: PathBuf,
    /// Why it is built apart (shown by `--dry-run`).
    pub why: String,
    #[serde(flatten)]
    pub cargo: CargoInvocation,
}

/// The rustflags a musl `cdylib` builds with, after the target's own.
pub const MUSL_CDYLIB_FLAGS: [&str; 4] = [
    "-C",
    "target-feature=-crt-static",
    "-C",
    "relocation-model=pic",
];

/// A static library is not fused into a universal archive, so a group that drops its thin
/// archives (`keep-thin = false`) would ship none: refused, naming the fix. Checked for every
/// group of targets.toml, so that per-target runs and their `merge` refuse it too.
pub(super) fn check_keep_thin(
    config: &Config,
    shipped: &[&Package],
    ship_libs: bool,
) -> Result<(), PlanError> {
    let with_static = shipped.iter().find(|p| {
        ship_libs
            && p.lib
                .as_ref()
                .is_some_and(|l| l.kinds.contains(&ArtifactKind::Staticlib))
    });
    if let (Some(p), Some(u)) = (with_static, config.universals.iter().find(|u| !u.keep_thin)) {
        return Err(PlanError::Config(config.located(
            u.span,
            format!(
                "key `keep-thin`: universal `{}` drops its thin archives, but package `{}` ships a staticlib, which is not fused into a universal archive and would not ship at all; set keep-thin = true",
                u.name, p.name
            ),
        )));
    }
    Ok(())
}

/// Does `p`'s library need a build of its own on `target` (see the module doc)?
pub(super) fn builds_apart(p: &Package, target: &Target, ship_libs: bool) -> bool {
    ship_libs
        && Triple::new(&target.triple).is_musl()
        && p.lib
            .as_ref()
            .is_some_and(|l| l.kinds.contains(&ArtifactKind::Cdylib))
}

/// The library build of `p` on `target`: the target's build command for that package's
/// lib target alone, with the musl `cdylib` flags, in `target/crossdock/cdylib` (beside a
/// build-env dir the target has: its environment reaches host crates the same way).
pub(super) fn library_build(
    facts: &Facts,
    target: &Target,
    spec: &ToolchainSpec,
    profile: &str,
    p: &Package,
    jobs: Option<usize>,
    wrapper: Option<&str>,
) -> LibraryBuild {
    let mut t = target.clone();
    t.rustflags
        .extend(MUSL_CDYLIB_FLAGS.iter().map(|f| f.to_string()));
    let base = command::build_env_target_dir(&facts.workspace.target_dir, target)
        .unwrap_or_else(|| facts.workspace.target_dir.join("crossdock"));
    let inputs = command::BuildInputs {
        target: &t,
        spec,
        profile,
        packages: std::slice::from_ref(&p.name),
        jobs,
        target_dir: Some(base.join("cdylib")),
        wrapper,
    };
    let mut cargo = build_command(facts, &inputs, command::Flavor::Ship);
    let at = cargo
        .args
        .iter()
        .position(|a| a == "-p")
        .map_or(cargo.args.len(), |i| i + 2);
    cargo.args.insert(at, "--lib".into());
    LibraryBuild {
        package: p.name.clone(),
        manifest_path: p.manifest_dir.join("Cargo.toml"),
        why: format!(
            "a cdylib on {} links against the C library dynamically ({}); the target's binaries stay static",
            target.triple,
            MUSL_CDYLIB_FLAGS.join(" ")
        ),
        cargo,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{config, facts};
    use super::*;

    const MATRIX: &str = r#"
[dist]
packages = ["alpha", "clib"]

[[target]]
triple = "x86_64-unknown-linux-gnu"

[[target]]
triple = "x86_64-unknown-linux-musl"
rustflags = ["-C", "relocation-model=static"]

[[target]]
triple = "x86_64-pc-windows-gnu"

[[target]]
triple = "x86_64-pc-windows-msvc"

[[target]]
triple = "aarch64-apple-darwin"
"#;

    fn files(plan: &Plan, package: &str, target: &str) -> Vec<(String, ArtifactKind)> {
        let a = plan
            .artifacts
            .iter()
            .find(|a| a.package == package && a.target == target)
            .unwrap_or_else(|| panic!("no archive of {package} for {target}"));
        a.binaries
            .iter()
            .map(|b| (b.archive_path(), b.kind))
            .collect()
    }

    #[test]
    fn a_listed_library_package_ships_its_files_per_target() {
        use ArtifactKind::*;
        let c = config(MATRIX);
        let opts = Options::default();
        let plan = plan(&c, &facts(&c, &opts, true, &[]), &opts).unwrap();
        let f = |t| files(&plan, "clib", t);
        let owned = |v: &[(&str, ArtifactKind)]| -> Vec<(String, ArtifactKind)> {
            v.iter().map(|(p, k)| (p.to_string(), *k)).collect()
        };
        assert_eq!(
            f("x86_64-unknown-linux-gnu"),
            owned(&[("lib/libclib.so", Cdylib), ("lib/libclib.a", Staticlib)])
        );
        assert_eq!(
            f("x86_64-pc-windows-gnu"),
            owned(&[
                ("lib/clib.dll", Cdylib),
                ("lib/libclib.dll.a", ImportLibrary),
                ("lib/libclib.a", Staticlib)
            ])
        );
        assert_eq!(
            f("x86_64-pc-windows-msvc"),
            owned(&[
                ("lib/clib.dll", Cdylib),
                ("lib/clib.dll.lib", ImportLibrary),
                ("lib/clib.lib", Staticlib)
            ])
        );
        assert_eq!(
            f("aarch64-apple-darwin"),
            owned(&[("lib/libclib.dylib", Cdylib), ("lib/libclib.a", Staticlib)])
        );
        // The CLI of the same package list ships its binaries as before.
        assert_eq!(
            files(&plan, "alpha", "x86_64-unknown-linux-gnu"),
            owned(&[("alpha", Binary), ("alpha-admin", Binary)])
        );
    }

    #[test]
    fn a_musl_cdylib_builds_apart_with_crt_static_off_and_the_binaries_stay_static() {
        let c = config(MATRIX);
        let opts = Options::default();
        let plan = plan(&c, &facts(&c, &opts, true, &[]), &opts).unwrap();
        let musl = plan
            .builds
            .iter()
            .find(|b| b.target == "x86_64-unknown-linux-musl")
            .unwrap();
        let main = musl.cargo.argv().join(" ");
        assert!(
            main.contains(" -p alpha ") && !main.contains("-p clib"),
            "{main}"
        );
        assert!(
            !main.contains("crt-static"),
            "the binaries stay static: {main}"
        );
        let [lib] = musl.library_builds.as_slice() else {
            panic!("{:?}", musl.library_builds)
        };
        let argv = lib.cargo.argv().join(" ");
        assert!(argv.contains(" -p clib --lib "), "{argv}");
        let dir = std::path::Path::new("/ws/target")
            .join("crossdock")
            .join("cdylib");
        assert!(
            argv.contains(&format!("--target-dir {}", dir.display())),
            "{argv}"
        );
        // The user's flags kept, ours after them.
        assert!(
            argv.contains(
                r#"build.rustflags=["-C", "relocation-model=static", "-C", "target-feature=-crt-static", "-C", "relocation-model=pic", "--remap-path-prefix"#
            ),
            "{argv}"
        );
        let shown = plan.render();
        assert!(
            shown.contains("library: clib built apart: a cdylib on x86_64-unknown-linux-musl"),
            "{shown}"
        );
        // On glibc the library comes out of the one build.
        let gnu = plan.build(BuildIdx(0));
        assert!(gnu.library_builds.is_empty());
        assert!(gnu.cargo.argv().join(" ").contains("-p alpha -p clib"));
    }

    #[test]
    fn a_universal_group_without_thin_archives_is_refused_for_a_staticlib() {
        let c = config(&format!(
            "{MATRIX}\n[[target]]\ntriple = \"x86_64-apple-darwin\"\n\n[[universal]]\nname = \"universal-apple-darwin\"\ntargets = [\"x86_64-apple-darwin\", \"aarch64-apple-darwin\"]\nkeep-thin = false\n"
        ));
        let opts = Options::default();
        let e = plan(&c, &facts(&c, &opts, true, &[]), &opts)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("universal `universal-apple-darwin` drops its thin archives, but package `clib` ships a staticlib")
                && e.contains("set keep-thin = true"),
            "{e}"
        );
    }

    #[test]
    fn without_a_packages_list_no_library_ships() {
        let c = config("[[target]]\ntriple = \"x86_64-unknown-linux-musl\"\n");
        let opts = Options::default();
        let plan = plan(&c, &facts(&c, &opts, true, &[]), &opts).unwrap();
        assert!(plan.artifacts.iter().all(|a| a.package != "clib"));
        assert!(plan.builds[0].library_builds.is_empty());
    }
}
