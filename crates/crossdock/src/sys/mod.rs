//! Shared by every stage: the one process runner and cargo-style shell output.

pub mod fs;
pub mod process;
pub mod shell;
