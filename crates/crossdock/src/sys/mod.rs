//! Shared by every stage: the one process runner, cargo-style shell output, the atomic
//! write, the cache of probe answers and calendar dates.

pub mod cache;
pub mod fs;
pub mod process;
pub mod shell;
pub mod time;
