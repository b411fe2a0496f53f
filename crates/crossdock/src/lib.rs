//! crossdock: build, verify, archive and checksum a Rust workspace's binaries for every
//! target in `targets.toml`. See ARCHITECTURE.md for the map of this crate.

pub mod archive;
pub mod binary;
pub mod build;
pub mod cargo_config;
pub mod checksum;
pub mod config;
pub mod dist;
pub mod doctor;
pub mod facts;
pub mod github;
pub mod include;
pub mod init;
pub mod jobs;
pub mod lock;
pub mod manifest;
pub mod merge;
pub mod plan;
pub mod process;
pub mod release;
pub mod shell;
pub mod toolchain;
pub mod universal;
pub mod workspace;

#[cfg(feature = "cli")]
pub mod cli;
