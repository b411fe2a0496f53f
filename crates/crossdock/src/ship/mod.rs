//! Stage 6: what surrounds a release: the GitHub matrix, `merge` of per-runner out dirs,
//! `init` of another project, `release` (tags and notes), `publish-npm`, and `verify`
//! (rebuild a downloaded release and compare).

pub mod github;
pub mod init;
pub mod merge;
pub mod npm_publish;
pub mod release;
pub mod verify;
