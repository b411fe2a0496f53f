//! Shared by every stage: the one process runner, cargo-style shell output, the atomic
//! write and the cache of probe answers.

pub mod cache;
pub mod fs;
pub mod process;
pub mod shell;
