//! The GitHub Actions release matrix, derived from targets.toml: one runner per target
//! (linux triples on ubuntu, apple on macos, windows on windows, or the target's
//! `github-runner`), plus what that runner's build job must install. Pure.

use serde::Serialize;

use crate::read::config::{Config, Target};

use crate::model::build_tool::BuildTool;
use crate::model::cross::{self, GnuGcc};
use crate::model::triple::Triple;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub struct MatrixEntry {
    pub target: Triple,
    pub runner: String,
    pub builder: String,
    /// `rustup target add` is needed on the runner (not its native target).
    pub rustup_target: bool,
    pub build_std: bool,
    /// apt packages the build job installs first (cross linkers, runners).
    pub apt: String,
    pub archive: String,
    /// `test = true`: the build job runs the target's tests before `dist`.
    pub test: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Matrix {
    pub include: Vec<MatrixEntry>,
}

pub fn default_runner(t: &Triple) -> &'static str {
    if t.is_apple() {
        "macos-latest"
    } else if t.is_windows() {
        "windows-latest"
    } else {
        "ubuntu-latest"
    }
}

/// The triple a runner label builds natively.
fn native(runner: &str) -> Triple {
    Triple::of_github_runner(runner)
}

fn apt_packages(t: &Target, runner: &str, tools: &[&BuildTool]) -> String {
    if !runner.starts_with("ubuntu") {
        return String::new();
    }
    let mut p: Vec<&str> = Vec::new();
    let triple = &t.triple;
    // Of the GNU cross gccs, the matrix installs aarch64's (on an x86_64 runner) so far.
    let gcc = GnuGcc::for_target(triple).filter(|g| g.cpu == "aarch64");
    match gcc {
        Some(g) if native(runner) != t.triple => p.push(g.apt),
        _ if triple.is_musl() => p.push(cross::MUSL_APT),
        _ if triple.is_windows_gnu() => p.push(cross::MINGW_X86_64_APT),
        _ => {}
    }
    if t.runner.as_ref().is_some_and(|r| cross::is_qemu(&r[0])) {
        p.push(cross::QEMU_APT);
    }
    if t.runner.as_ref().is_some_and(|r| r[0].contains("wine")) {
        p.push(cross::WINE_APT);
    }
    p.extend(tools.iter().map(|tool| tool.apt));
    p.join(" ")
}

pub fn matrix(config: &Config, only: &[String]) -> Matrix {
    matrix_for(config, only, &[])
}

/// The matrix, whose Ubuntu build jobs also install the programs build scripts need
/// (`tools`: those the crates of Cargo.lock run, see `model/build_tool.rs`).
pub fn matrix_for(config: &Config, only: &[String], tools: &[&BuildTool]) -> Matrix {
    let include = config
        .targets
        .iter()
        .filter(|t| only.is_empty() || only.iter().any(|o| *o == t.triple))
        .map(|t| {
            let runner = t
                .github_runner
                .clone()
                .unwrap_or_else(|| default_runner(&t.triple).to_string());
            MatrixEntry {
                target: t.triple.clone(),
                rustup_target: !t.build_std && native(&runner) != t.triple,
                build_std: t.build_std,
                builder: t.builder.name().to_string(),
                apt: apt_packages(t, &runner, tools),
                // The first format: the one a target had before `formats` (a contract of the JSON).
                archive: t.formats[0].extension().to_string(),
                test: t.test,
                runner,
            }
        })
        .collect();
    Matrix { include }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)] // snapshots hold Unix paths
    #[test]
    fn fixture_matrices() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
        for name in ["targets.toml", "tests/fixtures/hello-ws/targets.toml"] {
            let path = std::path::Path::new(root).join(name);
            let c = Config::load(&path).unwrap();
            let m = matrix(&c, &[]);
            insta::assert_json_snapshot!(name.replace('/', "_"), m);
        }
    }

    #[test]
    fn runner_override_and_subset() {
        let c = Config::parse(
            std::path::Path::new("targets.toml"),
            "[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\ngithub-runner = \"ubuntu-24.04-arm\"\n[[target]]\ntriple = \"x86_64-pc-windows-gnu\"\n",
        )
        .unwrap();
        let m = matrix(&c, &[]);
        assert_eq!(m.include[0].runner, "ubuntu-24.04-arm");
        assert!(!m.include[0].rustup_target, "native on an arm runner");
        assert_eq!(m.include[0].apt, "");
        assert_eq!(m.include[1].runner, "windows-latest");
        assert!(m.include[1].rustup_target);
        assert_eq!(m.include[1].archive, "zip");
        assert_eq!(
            matrix(&c, &["x86_64-pc-windows-gnu".into()]).include.len(),
            1
        );
    }

    #[test]
    fn ubuntu_jobs_install_the_build_tools_of_the_lock_file() {
        let c = Config::parse(
            std::path::Path::new("targets.toml"),
            "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\n[[target]]\ntriple = \"aarch64-apple-darwin\"\n",
        )
        .unwrap();
        let cmake: Vec<&BuildTool> = crate::model::build_tool::BUILD_TOOLS
            .iter()
            .filter(|t| t.krate == "cmake")
            .collect();
        let m = matrix_for(&c, &[], &cmake);
        let apt: Vec<&str> = m.include.iter().map(|e| e.apt.as_str()).collect();
        assert_eq!(
            apt,
            [
                "cmake",
                "gcc-aarch64-linux-gnu libc6-dev-arm64-cross cmake",
                ""
            ]
        );
        assert_eq!(matrix(&c, &[]).include[0].apt, "");
    }
}
