//! Stage 1: the user's files, read strictly and never written: `targets.toml`, the
//! workspace (`cargo metadata`), the user's cargo configuration, `include` globs.

pub mod archive_name;
pub mod cargo_config;
pub mod config;
pub mod include;
pub mod installers;
pub mod local;
pub mod napi;
pub mod percent;
pub mod select;
pub mod toolchain_pin;
pub mod words;
pub mod workspace;
