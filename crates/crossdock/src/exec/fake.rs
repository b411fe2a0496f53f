//! A fake [`Backend`] for tests: records every step the executor asks of it, in order, and
//! "builds" by copying a real prebuilt binary per target (the Mach-O fixtures) to where cargo
//! would put it, so that the executor's packaging runs for real without cargo.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context, Result};

use crate::exec::backend::Backend;
use crate::exec::build::Executables;
use crate::exec::debuginfo::Split;
use crate::model::strip::Strip;
use crate::plan::tests::{config, facts};
use crate::plan::{plan, BuildIdx, BuildStep, CargoInvocation, DebuginfoSplit, Options, Plan};
use crate::read::config::Config;

/// One thing the executor asked the backend to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    Std {
        target: String,
    },
    Build {
        target: String,
        unstripped: bool,
    },
    /// One cargo for a build group's targets.
    BuildGroup {
        targets: Vec<String>,
    },
    Smoke {
        target: String,
        binary: String,
    },
    Split {
        binary: String,
    },
    Embed {
        binary: String,
    },
}

pub struct Fake {
    /// The binary each target's builds produce (every bin of every package gets a copy).
    pub binaries: BTreeMap<String, PathBuf>,
    pub calls: Mutex<Vec<Call>>,
    /// A target whose builds fail, as a cargo error would.
    pub failing: Option<String>,
}

impl Fake {
    pub fn new(binaries: &[(&str, PathBuf)]) -> Fake {
        Fake {
            binaries: binaries
                .iter()
                .map(|(t, p)| (t.to_string(), p.clone()))
                .collect(),
            calls: Mutex::default(),
            failing: None,
        }
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().expect("calls lock").clone()
    }

    fn record(&self, c: Call) {
        self.calls.lock().expect("calls lock").push(c);
    }
}

impl Fake {
    /// "Builds" step `build`: a copy of the target's binary for every binary it builds.
    fn outputs(&self, plan: &Plan, build: BuildIdx) -> Result<Executables> {
        let step = plan.build(build);
        if self.failing.as_deref() == Some(step.target.as_str()) {
            anyhow::bail!("building target {} failed (the fake's error)", step.target);
        }
        let source = self
            .binaries
            .get(step.target.as_str())
            .with_context(|| format!("the fake has no binary for {}", step.target))?;
        // Every binary of every package this step builds, as cargo's messages name them.
        let wanted = plan
            .artifacts
            .iter()
            .filter(|a| a.build == build)
            .map(|a| (&a.manifest_path, &a.binaries))
            .chain(
                plan.universals
                    .iter()
                    .filter(|u| u.member_builds.contains(&build))
                    .map(|u| (&u.manifest_path, &u.binaries)),
            );
        let dir = plan.target_dir.join(&step.target).join(&plan.profile);
        std::fs::create_dir_all(&dir)?;
        let mut exes = Executables::new();
        for (manifest, bins) in wanted {
            for b in bins {
                let to = dir.join(&b.file_name);
                std::fs::copy(source, &to)
                    .with_context(|| format!("cannot copy {}", source.display()))?;
                exes.insert((manifest.clone(), b.key()), to);
            }
        }
        Ok(exes)
    }
}

impl Backend for Fake {
    fn ensure_std(&self, step: &BuildStep) -> Result<()> {
        self.record(Call::Std {
            target: step.target.to_string(),
        });
        Ok(())
    }

    fn build(&self, plan: &Plan, build: BuildIdx, cargo: &CargoInvocation) -> Result<Executables> {
        let step = plan.build(build);
        self.record(Call::Build {
            target: step.target.to_string(),
            unstripped: *cargo != step.cargo,
        });
        self.outputs(plan, build)
    }

    fn build_group(&self, plan: &Plan, group: usize) -> Result<Vec<Executables>> {
        let g = &plan.build_groups[group];
        self.record(Call::BuildGroup {
            targets: g.targets.iter().map(|t| t.to_string()).collect(),
        });
        g.builds.iter().map(|&b| self.outputs(plan, b)).collect()
    }
    fn smoke(&self, step: &BuildStep, binary: &Path, _args: &[String]) -> Result<String> {
        self.record(Call::Smoke {
            target: step.target.to_string(),
            binary: binary.file_name().unwrap().to_string_lossy().into_owned(),
        });
        Ok("hello from the fake".into())
    }

    fn split_debuginfo(
        &self,
        how: &DebuginfoSplit,
        binary: &Path,
        dir: &Path,
        file_name: &str,
        _strip: Strip,
    ) -> Result<Split> {
        self.record(Call::Split {
            binary: file_name.to_string(),
        });
        std::fs::create_dir_all(dir)?;
        let out = dir.join(file_name);
        std::fs::copy(binary, &out)?;
        let debug = dir.join(how.debug_name(file_name));
        std::fs::write(&debug, b"fake debug info")?;
        Ok(Split { binary: out, debug })
    }
    fn embed_dependencies(
        &self,
        _objcopy: &str,
        binary: &Path,
        _list: &str,
        out: &Path,
    ) -> Result<()> {
        self.record(Call::Embed {
            binary: binary.file_name().unwrap().to_string_lossy().into_owned(),
        });
        std::fs::create_dir_all(out.parent().unwrap())?;
        std::fs::copy(binary, out)?;
        Ok(())
    }
}

/// The Mach-O fixtures the fake's builds copy.
pub(crate) const MACHO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/macho/");
pub(crate) const X86: &str = "x86_64-apple-darwin";
pub(crate) const ARM: &str = "aarch64-apple-darwin";

/// Two targets, two packages (alpha: two binaries, beta: one), a universal group.
pub(crate) const APPLE_MATRIX: &str = r#"
[dist]
packages = ["alpha", "beta"]

[[target]]
triple = "x86_64-apple-darwin"

[[target]]
triple = "aarch64-apple-darwin"

[[universal]]
name = "universal-apple-darwin"
targets = ["x86_64-apple-darwin", "aarch64-apple-darwin"]
"#;

/// [`APPLE_MATRIX`] with `dist_keys` (lines of `[dist]`) added.
pub(crate) fn apple_config_with(dist_keys: &str) -> Config {
    config(&APPLE_MATRIX.replacen("[dist]\n", &format!("[dist]\n{dist_keys}"), 1))
}

/// The plan of [`APPLE_MATRIX`] for `opts`, writing under `root` (`ws/`, `target/`, `dist/`).
pub(crate) fn two_target_plan(root: &Path, opts: &Options) -> Plan {
    two_target_plan_with(root, opts, "")
}

/// [`two_target_plan`] with `dist_keys` added to `[dist]`; objcopy and dsymutil are on the
/// fake's PATH.
pub(crate) fn two_target_plan_with(root: &Path, opts: &Options, dist_keys: &str) -> Plan {
    plan_of(root, opts, &apple_config_with(dist_keys))
}

/// The plan of `c` (two Apple targets) for `opts`, writing under `root`.
pub(crate) fn plan_of(root: &Path, opts: &Options, c: &Config) -> Plan {
    let c = c.clone();
    let mut f = facts(&c, opts, false, &[X86, ARM]);
    f.tools
        .extend(["llvm-objcopy".to_string(), "dsymutil".to_string()]);
    let mut p = plan(&c, &f, opts).unwrap();
    assert!(p.problems.is_empty(), "{:?}", p.problems);
    p.workspace_root = root.join("ws");
    p.target_dir = root.join("target");
    p.out_dir = root.join("dist");
    p
}

/// "Builds" each target of [`APPLE_MATRIX`] from the Mach-O fixtures.
pub(crate) fn fake() -> Fake {
    Fake::new(&[
        (X86, PathBuf::from(MACHO).join("hello-x86_64")),
        (ARM, PathBuf::from(MACHO).join("hello-arm64")),
    ])
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::{fake, plan_of, two_target_plan, Call, Fake, APPLE_MATRIX, ARM, MACHO, X86};
    use crate::package::archive;
    use crate::package::manifest::Manifest;
    use crate::plan::tests::config;
    use crate::plan::Options;
    use crate::plan::{FailedStep, Stage};
    use crate::sys::shell::{Shell, Verbosity};

    /// Each failure the manifest records: (target, failed step).
    /// `p` executed through `backend`, and what the user saw.
    fn execute(p: &crate::plan::Plan, backend: &Fake, verbosity: Verbosity) -> (Manifest, String) {
        let shell = Shell::capturing(verbosity);
        let manifest = {
            let _in = shell.enter();
            super::super::dist::execute_with(p, backend).unwrap()
        };
        (manifest, shell.captured())
    }

    fn failed_steps(m: &Manifest) -> Vec<(&str, &str)> {
        m.failed
            .iter()
            .map(|f| (f.target.as_str(), f.step.name()))
            .collect()
    }

    #[test]
    fn a_two_target_plan_packages_through_the_fake_backend() {
        let tmp = tempfile::tempdir().unwrap();
        let p = two_target_plan(tmp.path(), &Options::default());
        let backend = fake();
        let (manifest, out) = execute(&p, &backend, Verbosity::Normal);
        // What the user sees, in plan order.
        let at = |line: &str| {
            out.find(line)
                .unwrap_or_else(|| panic!("{line:?} not in:\n{out}"))
        };
        assert!(
            at("    Building alpha, beta for x86_64-apple-darwin\n")
                < at("    Building alpha, beta for aarch64-apple-darwin\n")
        );
        assert!(
            at("   Packaging 6 archive(s)")
                < at("       Fused alpha-0.3.1-universal-apple-darwin.tar.gz")
        );

        // The build steps in plan order (one target at a time), each std checked first;
        // each build measured once before stripping (its `unstripped` build, then the real
        // one again). No smoke run: a macOS binary cannot run on this host (the plan says so).
        let build = |target: &str, unstripped| Call::Build {
            target: target.into(),
            unstripped,
        };
        let std = |target: &str| Call::Std {
            target: target.into(),
        };
        assert_eq!(p.builds[0].target, X86);
        assert_eq!(
            backend.calls(),
            [
                std(X86),
                std(ARM),
                build(X86, false),
                build(X86, true),
                build(X86, false),
                build(ARM, false),
                build(ARM, true),
                build(ARM, false),
            ]
        );

        // Every planned archive, and only those, with its checksum, in the manifest.
        let mut planned: Vec<&str> = p
            .artifacts
            .iter()
            .map(|a| a.file_name.as_str())
            .chain(p.universals.iter().map(|u| u.file_name.as_str()))
            .collect();
        planned.sort();
        assert_eq!(planned.len(), 6, "{planned:?}");
        let mut files: Vec<String> = planned
            .iter()
            .flat_map(|n| [n.to_string(), format!("{n}.sha256")])
            .chain(["SHA256SUMS".to_string()])
            .collect();
        files.sort();
        assert_eq!(manifest.files, files);
        let mut listed: Vec<&str> = manifest.artifacts.iter().map(|f| f.name.as_str()).collect();
        listed.sort();
        assert_eq!(listed, files);
        let sums = std::fs::read_to_string(p.out_dir.join("SHA256SUMS")).unwrap();
        assert_eq!(sums.lines().count(), planned.len(), "{sums}");
        for f in &manifest.artifacts {
            let (_, sha) = archive::hash_file(&p.out_dir.join(&f.name)).unwrap();
            assert_eq!(f.sha256, sha, "{}", f.name);
            if planned.contains(&f.name.as_str()) {
                assert!(sums.contains(&format!("{sha}  {}\n", f.name)), "{sums}");
            }
        }
        let written = Manifest::read(&p.out_dir.join("dist-manifest.json")).unwrap();
        assert_eq!(written.artifacts, manifest.artifacts);

        // The universal archive holds llvm-lipo's bytes for the two slices.
        let fat = std::fs::read(PathBuf::from(MACHO).join("hello-universal.llvm-lipo")).unwrap();
        let u = manifest
            .artifacts
            .iter()
            .find(|f| f.name == "alpha-0.3.1-universal-apple-darwin.tar.gz")
            .unwrap();
        // In a block: Windows cannot replace a file that is still open, and the second run
        // below writes this archive again.
        {
            let file = std::fs::File::open(p.out_dir.join(&u.name)).unwrap();
            let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
            let mut names = Vec::new();
            for e in tar.entries().unwrap() {
                let mut e = e.unwrap();
                let name = e.path().unwrap().display().to_string();
                if e.header().entry_type().is_file() {
                    let mut bytes = Vec::new();
                    std::io::Read::read_to_end(&mut e, &mut bytes).unwrap();
                    assert!(bytes == fat, "{name} is not the fat binary");
                }
                names.push(name);
            }
            assert!(
                names.contains(&"alpha-0.3.1-universal-apple-darwin/alpha-admin".to_string()),
                "{names:?}"
            );
        }

        // A second run builds again (cargo would find nothing to do) but measures nothing
        // (the sizes before stripping are remembered) and writes the same archives.
        let backend = fake();
        let (again, _) = execute(&p, &backend, Verbosity::Quiet);
        assert_eq!(
            backend.calls(),
            [std(X86), std(ARM), build(X86, false), build(ARM, false)]
        );
        assert_eq!(again.artifacts, manifest.artifacts);
    }

    /// `--keep-going`: a target whose build fails is recorded with its universal group; the
    /// other target's archives still ship.
    #[test]
    fn a_failed_build_is_recorded_and_the_other_target_ships() {
        let tmp = tempfile::tempdir().unwrap();
        let opts = Options {
            keep_going: true,
            ..Options::default()
        };
        let p = two_target_plan(tmp.path(), &opts);
        let mut backend = fake();
        backend.failing = Some(ARM.into());
        let (manifest, out) = execute(&p, &backend, Verbosity::Normal);
        assert!(out.contains(
            "warning: aarch64-apple-darwin: build failed, going on with the other targets (--keep-going): building target aarch64-apple-darwin failed (the fake's error)\n"
        ));
        assert_eq!(
            failed_steps(&manifest),
            [(ARM, "build"), ("universal-apple-darwin", "member")]
        );
        let archives: Vec<&str> = manifest
            .artifacts
            .iter()
            .map(|a| a.name.as_str())
            .filter(|n| n.ends_with(".tar.gz"))
            .collect();
        assert_eq!(
            archives,
            [
                "alpha-0.3.1-x86_64-apple-darwin.tar.gz",
                "beta-1.0.0-x86_64-apple-darwin.tar.gz"
            ]
        );
        assert!(!p
            .out_dir
            .join("beta-1.0.0-aarch64-apple-darwin.tar.gz")
            .exists());
        let builds = backend
            .calls()
            .into_iter()
            .filter(|c| {
                matches!(
                    c,
                    Call::Build {
                        unstripped: false,
                        ..
                    }
                )
            })
            .count();
        // x86_64: built, measured, built again; aarch64: the one failed build.
        assert_eq!(builds, 3);
    }

    /// With `parallel-targets`, the two Apple targets (one toolchain, plain cargo) build
    /// with one cargo; each target's files reach its own archives, as in a serial run.
    #[test]
    fn a_build_group_builds_once_and_ships_what_a_serial_run_ships() {
        let serial_dir = tempfile::tempdir().unwrap();
        let serial = two_target_plan(serial_dir.path(), &Options::default());
        let (serial_manifest, _) = execute(&serial, &fake(), Verbosity::Normal);
        let tmp = tempfile::tempdir().unwrap();
        let p =
            super::two_target_plan_with(tmp.path(), &Options::default(), "parallel-targets = 2\n");
        assert_eq!(p.build_groups.len(), 1);
        let backend = fake();
        let (manifest, out) = execute(&p, &backend, Verbosity::Normal);
        assert!(
            out.contains(&format!(
                "    Building alpha, beta for {X86}, {ARM} (one cargo)\n"
            )),
            "{out}"
        );
        let build = |target: &str, unstripped| Call::Build {
            target: target.into(),
            unstripped,
        };
        let std = |target: &str| Call::Std {
            target: target.into(),
        };
        assert_eq!(
            backend.calls(),
            [
                std(X86),
                std(ARM),
                Call::BuildGroup {
                    targets: vec![X86.into(), ARM.into()]
                },
                build(X86, true),
                build(X86, false),
                build(ARM, true),
                build(ARM, false),
            ]
        );
        let sums = |m: &crate::package::manifest::Manifest| -> Vec<(String, String)> {
            m.artifacts
                .iter()
                .map(|a| (a.name.clone(), a.sha256.clone()))
                .collect()
        };
        assert_eq!(sums(&manifest), sums(&serial_manifest));
    }

    /// A group's cargo fails: with --keep-going each target builds alone, the failing one is
    /// recorded and the other ships.
    #[test]
    fn a_failed_group_build_finds_the_failing_target_with_keep_going() {
        let tmp = tempfile::tempdir().unwrap();
        let opts = Options {
            keep_going: true,
            ..Options::default()
        };
        let p = super::two_target_plan_with(tmp.path(), &opts, "parallel-targets = 2\n");
        let mut backend = fake();
        backend.failing = Some(ARM.into());
        let (manifest, _) = execute(&p, &backend, Verbosity::Normal);
        assert_eq!(
            failed_steps(&manifest),
            [(ARM, "build"), ("universal-apple-darwin", "member")]
        );
        assert!(manifest
            .artifacts
            .iter()
            .any(|a| a.name == "alpha-0.3.1-x86_64-apple-darwin.tar.gz"));
    }

    /// The plan's stages run on each binary in their order (split, check, smoke run), and a
    /// binary that fails its check is recorded as such and never smoke-run.
    #[test]
    fn each_binary_goes_through_the_planned_stages_and_a_failed_check_stops_it() {
        let tmp = tempfile::tempdir().unwrap();
        let opts = Options {
            keep_going: true,
            ..Options::default()
        };
        let text = APPLE_MATRIX
            .replacen("[dist]\n", "[dist]\ndebuginfo = \"separate\"\n", 1)
            .replace(
                "triple = \"x86_64-apple-darwin\"\n",
                "triple = \"x86_64-apple-darwin\"\nrunner = [\"true\"]\n",
            )
            .replace(
                "triple = \"aarch64-apple-darwin\"\n",
                "triple = \"aarch64-apple-darwin\"\nrunner = [\"true\"]\n",
            );
        let p = plan_of(tmp.path(), &opts, &config(&text));
        let kinds: Vec<&str> = p.builds[0]
            .stages
            .iter()
            .map(|s| match s {
                Stage::Build => "build",
                Stage::Split(_) => "split",
                Stage::Embed(_) => "embed",
                Stage::Verify(_) => "verify",
                Stage::Smoke(_) => "smoke",
            })
            .collect();
        assert_eq!(kinds, ["build", "split", "verify", "smoke"]);
        let text = p.render();
        assert!(
            text.contains("  verify:  format and CPU of aarch64-apple-darwin, no symbols or debug info\n  smoke:   true BIN --version\n"),
            "{text}"
        );

        // aarch64 "builds" an x86_64 binary: its check fails after the split.
        let backend = Fake::new(&[
            (X86, PathBuf::from(MACHO).join("hello-x86_64")),
            (ARM, PathBuf::from(MACHO).join("hello-x86_64")),
        ]);
        let (manifest, _) = execute(&p, &backend, Verbosity::Quiet);
        let split = |b: &str| Call::Split { binary: b.into() };
        let smoke = |t: &str, b: &str| Call::Smoke {
            target: t.into(),
            binary: b.into(),
        };
        let after_builds: Vec<Call> = backend
            .calls()
            .into_iter()
            .filter(|c| !matches!(c, Call::Std { .. } | Call::Build { .. }))
            .collect();
        assert_eq!(
            after_builds,
            [
                // x86_64: alpha's two binaries, then beta's, each split then run; the
                // fake copies one file for all three, so after the first run the other
                // two are the bytes that passed this smoke run already (fresh).
                split("alpha"),
                smoke(X86, "alpha"),
                split("alpha-admin"),
                split("beta"),
                // aarch64: the first binary is split, fails its check, and nothing runs.
                split("alpha"),
            ]
        );
        let failed: Vec<(&str, FailedStep)> = manifest
            .failed
            .iter()
            .map(|f| (f.target.as_str(), f.step))
            .collect();
        assert_eq!(
            failed,
            [
                (ARM, FailedStep::BinaryCheck),
                ("universal-apple-darwin", FailedStep::Member)
            ]
        );
        assert!(
            manifest.failed[0].error.contains("aarch64"),
            "{:?}",
            manifest.failed[0]
        );
    }
}
