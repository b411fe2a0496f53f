//! End-to-end tests: the built `cargo-crossdock` on fixture workspaces, with real builds,
//! real archives and outside tools (`tar`, `sha256sum`, `file`, qemu, wine) as judges.

// Tests run those outside tools directly; the engine may only use crossdock::sys::process::Cmd.
#![allow(clippy::disallowed_methods)]

mod support;

mod actions;
mod apple;
mod bad_input;
mod cargo_config;
mod cross;
mod debuginfo;
mod dist;
mod doctor;
mod formats;
mod github_release;
mod init;
mod installers;
mod jobs;
mod keep_going;
mod lipo;
mod local_overlay;
mod merge;
mod native;
mod ownership;
mod real_projects;
mod rehearsal;
mod release;
mod size;
mod skip;
mod xtask;
