//! Why there is no plan: targets.toml asks for something the workspace, a toolchain or the
//! run's `SOURCE_DATE_EPOCH` contradicts. Typed, like [`super::Problem`] (which is about
//! the machine and is collected in the plan instead); the text is rendered here only.

use std::fmt;
use std::path::PathBuf;

use crate::read::config::ConfigError;
use crate::read::select::ToolchainSpec;

#[derive(Debug)]
pub enum PlanError {
    /// A key of targets.toml that the workspace or a toolchain refutes, at its line.
    Config(ConfigError),
    /// `profile` names a profile the workspace does not define.
    UnknownProfile {
        config: PathBuf,
        workspace: PathBuf,
        profile: String,
    },
    /// `SOURCE_DATE_EPOCH` is past the last time a zip entry can hold, and `file` is a zip.
    EpochPastZip {
        epoch: u64,
        file: String,
        target: crate::model::triple::Triple,
        /// The config file that sets the target's `archive`.
        config: String,
    },
    /// The facts hold no probe of a toolchain the matrix uses (a bug in gathering them).
    ToolchainNotProbed(ToolchainSpec),
    /// What choosing the run's targets and packages refused (`read/select.rs`).
    Selection(anyhow::Error),
    /// A Node module's matrix row names a target Node has no platform for, or two targets
    /// of one platform (`plan/node.rs`).
    NodeModule(anyhow::Error),
    /// `source-archive = true`, and the workspace is not in a git checkout with a commit.
    SourceArchiveWithoutGit { config: PathBuf, workspace: PathBuf },
    /// `sbom = true`, and a target's dependency graph could not be resolved (the text names
    /// the command, the target and the fix).
    Sbom(String),
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::Config(e) => e.fmt(f),
            PlanError::UnknownProfile {
                config,
                workspace,
                profile: p,
            } => write!(
                f,
                "{}: key `profile`: the workspace at {} defines no profile `{p}`; add [profile.{p}] (inherits = \"release\") to its Cargo.toml or use \"release\"",
                config.display(),
                workspace.display()
            ),
            PlanError::EpochPastZip {
                epoch,
                file,
                target,
                config,
            } => write!(
                f,
                "SOURCE_DATE_EPOCH {epoch} is after 2107, the last year a zip entry can hold, and {file} is a zip; set an earlier SOURCE_DATE_EPOCH, or archive = \"tar.gz\" for {target} in {config}"
            ),
            PlanError::Sbom(why) => write!(f, "{why}"),
            PlanError::SourceArchiveWithoutGit { config, workspace } => write!(
                f,
                "{}: key `source-archive`: the source archive holds the tracked files of the commit a release is built from, and {} is not in a git checkout with a commit; commit the workspace (`git init && git add -A && git commit`) or remove `source-archive`",
                config.display(),
                workspace.display()
            ),
            PlanError::ToolchainNotProbed(spec) => {
                write!(f, "internal: toolchain {spec:?} was not probed")
            }
            PlanError::Selection(e) | PlanError::NodeModule(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for PlanError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // Transparent: the selection error's own causes follow it.
            PlanError::Selection(e) => e.source(),
            _ => None,
        }
    }
}

/// A located targets.toml error stays one; anything else a helper refused is a selection error.
impl From<anyhow::Error> for PlanError {
    fn from(e: anyhow::Error) -> PlanError {
        if e.chain().count() == 1 && e.is::<ConfigError>() {
            return PlanError::Config(e.downcast().expect("checked with is()"));
        }
        PlanError::Selection(e)
    }
}
