//! crossdock: build, verify, archive and checksum a Rust workspace's binaries for every
//! target in `targets.toml`. See ARCHITECTURE.md for the map of this crate.
//!
//! The folders are the pipeline's stages, in order: [`read`] the user's files, gather
//! [`facts`] about the machine, [`plan`] (pure), [`exec`]ute the plan, [`package`] the
//! binaries, [`ship`] the release. [`sys`] holds what every stage shares: the one process
//! runner and the shell output.

pub mod exec;
pub mod facts;
pub mod package;
pub mod plan;
pub mod read;
pub mod ship;
pub mod sys;

#[cfg(feature = "cli")]
pub mod cli;
