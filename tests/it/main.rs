//! End-to-end tests: the built `cargo-crossdock` on fixture workspaces, with real builds,
//! real archives and outside tools (`tar`, `sha256sum`, `file`, qemu, wine) as judges.

mod support;

mod apple;
mod bad_input;
mod cross;
mod dist;
mod doctor;
mod init;
mod lipo;
mod merge;
mod release;
mod xtask;
