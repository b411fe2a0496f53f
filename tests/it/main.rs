//! End-to-end tests: the built `cargo-crossdock` on fixture workspaces, with real builds,
//! real archives and outside tools (`tar`, `sha256sum`, `file`, qemu, wine) as judges.

// Tests run those outside tools directly; the engine may only use crossdock::sys::process::Cmd.
#![allow(clippy::disallowed_methods)]
// The judges are Unix tools (sh, tar, sha256sum, file, dpkg, qemu…) and the fixtures use Unix
// modes and symlinks: on Windows and macOS runners CI runs the engine's unit tests and a real
// `dist` instead (ci.yml `portable`, .ci/foreign-targets.sh).
#![cfg(unix)]

mod support;

mod actions;
mod apple;
mod bad_input;
mod cache;
mod cargo_config;
mod ci_tools;
mod clib;
mod clib_cross;
mod cross;
mod cross_test;
mod debuginfo;
mod dist;
mod docs;
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
mod node;
mod noop;
mod ownership;
mod parallel;
mod real_projects;
mod rehearsal;
mod release;
mod sbom;
mod shared_cache;
mod sign;
mod size;
mod skip;
mod source_archive;
mod tiers;
mod verify;
mod xtask;
