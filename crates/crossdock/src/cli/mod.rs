//! The command line: `cargo crossdock <cmd>` / `cargo-crossdock <cmd>`, and the same
//! commands under another project's `cargo xtask`. One file per subcommand; this one only
//! parses and dispatches. The engine never depends on this module.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::sys::shell::{Shell, Verbosity};

mod archive;
mod dist;
mod doctor;
mod init;
mod lipo;
mod matrix;
mod merge;
mod publish_npm;
mod release;
mod test;
mod verify;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "Build, verify, archive and checksum Rust binaries for every target in targets.toml"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build every target of the matrix and write archives, checksums and a manifest.
    Dist(dist::DistArgs),
    /// Check that every target of the matrix can be built on this machine.
    Doctor(doctor::DoctorArgs),
    /// Print the GitHub Actions release matrix (JSON) for targets.toml.
    Matrix(matrix::MatrixArgs),
    /// Set up crossdock in another project: targets.toml, xtask, release workflow.
    Init(init::InitArgs),
    /// Cut a tagged release: check tree, version and changelog, then tag.
    Release(release::ReleaseArgs),
    /// Run the workspace's tests for each target (its toolchain, linker, env and runner).
    Test(test::TestArgs),
    /// Join per-target out dirs into one release (universal binaries, one SHA256SUMS).
    Merge(merge::MergeArgs),
    /// Publish the npm packages of an out dir: platform packages first, then the root.
    PublishNpm(publish_npm::PublishNpmArgs),
    /// Rebuild a downloaded release from its commit and compare it file by file.
    Verify(verify::VerifyArgs),
    /// Write one reproducible archive of the given files.
    Archive(archive::ArchiveArgs),
    /// Join and inspect universal (fat) Mach-O binaries.
    #[command(subcommand)]
    Lipo(lipo::LipoCommand),
}

/// Options shared by the commands that read a workspace.
#[derive(Debug, Clone, Args)]
pub struct WorkspaceArgs {
    /// Cargo.toml of the workspace to ship (default: found from the current directory).
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// The target matrix (default: targets.toml at the workspace root).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Only this target of the matrix (repeatable).
    #[arg(long = "target", value_name = "TRIPLE")]
    pub targets: Vec<String>,
    /// Use this cargo instead of the one on PATH / $CARGO.
    #[arg(long, value_name = "PATH")]
    pub cargo: Option<String>,
    /// Use this rustc instead of rustup's (sets RUSTC for cargo).
    #[arg(long, value_name = "PATH")]
    pub rustc: Option<String>,
    /// Echo every command crossdock runs.
    #[arg(short, long)]
    pub verbose: bool,
}

impl WorkspaceArgs {
    pub fn location(&self) -> crate::facts::Location {
        crate::facts::Location {
            manifest_path: self.manifest_path.clone(),
            config_path: self.config.clone(),
        }
    }

    /// The options every workspace command shares (`--target`, `--cargo`, `--rustc`) and
    /// the run's shell; a command sets its own on top.
    pub fn options(&self, shell: &Shell) -> crate::plan::Options {
        crate::plan::Options {
            targets: self.targets.clone(),
            cargo: self.cargo.clone(),
            rustc: self.rustc.clone(),
            shell: shell.clone(),
            ..crate::plan::Options::default()
        }
    }
}

/// Entry point of `cargo-crossdock`: accepts both `cargo crossdock …` and `cargo-crossdock …`.
pub fn main() -> ! {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "crossdock") {
        args.remove(1);
    }
    std::process::exit(run(args))
}

/// `0.1.0 (1a2b3c4 2026-11-20, x86_64-unknown-linux-gnu)` when built by crossdock (which
/// passes CROSSDOCK_GIT_SHORT_SHA and friends), else just the version (a plain cargo build).
fn version_line() -> &'static str {
    let v = env!("CARGO_PKG_VERSION");
    match (
        option_env!("CROSSDOCK_GIT_SHORT_SHA"),
        option_env!("CROSSDOCK_BUILD_DATE"),
        option_env!("CROSSDOCK_TARGET"),
    ) {
        (Some(sha), Some(date), Some(target)) => {
            let dirty = if option_env!("CROSSDOCK_GIT_DIRTY") == Some("true") {
                "-dirty"
            } else {
                ""
            };
            Box::leak(format!("{v} ({sha}{dirty} {date}, {target})").into_boxed_str())
        }
        _ => v,
    }
}

/// Entry point for a project's `cargo xtask`: `xtask dist …` runs `dist`, and so on.
pub fn xtask_main() -> ! {
    std::process::exit(run(std::env::args_os().collect()))
}

/// Parses `args` (the first is the program name) and runs the command; returns the exit code.
pub fn run(args: Vec<OsString>) -> i32 {
    use clap::{CommandFactory, FromArgMatches};
    let parsed = Cli::command()
        .version(version_line())
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let result = match cli.command {
        Command::Dist(a) => dist::run(a),
        Command::Lipo(c) => lipo::run(c),
        Command::Archive(a) => archive::run(a),
        Command::Doctor(a) => doctor::run(a),
        Command::Matrix(a) => matrix::run(a),
        Command::Merge(a) => merge::run(a),
        Command::PublishNpm(a) => publish_npm::run(a),
        Command::Init(a) => init::run(a),
        Command::Release(a) => release::run(a),
        Command::Test(a) => test::run(a),
        Command::Verify(a) => verify::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            report(&e);
            1
        }
    }
}

/// The shell a command's flags ask for: `--json` quiet (stdout is the JSON), `-v` verbose.
pub(crate) fn shell_for(verbose: bool, json: bool) -> Shell {
    Shell::new(if json {
        Verbosity::Quiet
    } else if verbose {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    })
}

fn report(e: &anyhow::Error) {
    let mut chain = e.chain();
    if let Some(top) = chain.next() {
        eprintln!("error: {top}");
    }
    for cause in chain {
        eprintln!(
            "\nCaused by:\n  {}",
            cause.to_string().replace('\n', "\n  ")
        );
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// `--help` shows a description for every argument and subcommand.
    #[test]
    fn every_argument_and_subcommand_has_a_description() {
        fn walk(c: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in c.get_arguments() {
                let id = a.get_id().as_str();
                if a.get_help().is_none() && !["help", "version"].contains(&id) {
                    missing.push(format!("{path}: argument `{id}`"));
                }
            }
            for sub in c.get_subcommands() {
                let sub_path = format!("{path} {}", sub.get_name());
                if sub.get_about().is_none() && sub.get_name() != "help" {
                    missing.push(format!("{sub_path}: no description"));
                }
                walk(sub, &sub_path, missing);
            }
        }
        let mut missing = Vec::new();
        walk(&super::Cli::command(), "cargo-crossdock", &mut missing);
        assert!(missing.is_empty(), "no --help text: {missing:#?}");
    }
}
