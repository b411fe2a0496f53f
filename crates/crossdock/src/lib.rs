//! crossdock: build, verify, archive and checksum a Rust workspace's binaries for every
//! target in `targets.toml`. See ARCHITECTURE.md for the map of this crate.
//!
//! The folders are the pipeline's stages, in order: `read` the user's files, gather
//! `facts` about the machine, `plan` (pure), `exec`ute the plan, `package` the binaries,
//! `ship` the release; `sys` holds what every stage shares (the one process runner, the
//! shell output) and `model` the vocabulary they all speak (`Triple`, archive formats,
//! builders, installers). They are private: a caller (another project's xtask, a test) uses the
//! functions and types below.

pub(crate) mod exec;
pub(crate) mod facts;
pub(crate) mod model;
pub(crate) mod package;
pub(crate) mod plan;
pub(crate) mod read;
pub(crate) mod ship;
pub(crate) mod sys;

#[cfg(feature = "cli")]
pub mod cli;

#[cfg(test)]
mod architecture_tests;

pub use exec::doctor::Report;
pub use exec::lock::{acquire as lock_target_dir, DistLock};
pub use exec::pipeline::{doctor, prepare, run as dist, Prepared};
pub use facts::Location;
pub use package::manifest::Manifest;
/// The `.deb` and `.rpm` writers (issue 15): `native::from_archive` turns a finished archive
/// and its manifest entry into a `NativePackage`, `native::deb::deb` / `native::rpm::rpm` into
/// bytes. Public so that an xtask (and the end-to-end tests) can make them from any dist dir.
pub use package::native;
pub use plan::{Failed, FailedStep, Options, Plan, Problem, Skipped};
pub use ship::merge::{groups as universal_groups, merge, Group, Rules as MergeRules};
/// What one call prints (`Options::shell`, `MergeRules::shell`): each call its own, so an
/// xtask can run two at different verbosity, or capture one's output (`Shell::capturing`).
pub use sys::shell::{Shell, Verbosity};
