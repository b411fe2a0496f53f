//! Stage 6: what surrounds a release: the GitHub matrix, `merge` of per-runner out dirs,
//! `init` of another project, and `release` (tags and notes).

pub mod github;
pub mod init;
pub mod merge;
pub mod release;
