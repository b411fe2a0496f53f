//! Stage 4: the executor walks the plan: preflight checks, builds, binary checks and smoke
//! runs, then hands the binaries to `package`. The lock keeps two runs apart.

pub mod auditable;
pub mod backend;
pub mod build;
pub mod cache;
pub mod debuginfo;
pub mod dist;
pub mod doctor;
#[cfg(test)]
pub mod fake;
pub mod installers;
pub mod jobs;
pub mod kept;
pub mod lock;
pub mod out_dir;
pub mod pack;
pub mod pipeline;
pub mod sign;
pub mod size;
pub mod stages;
pub mod test;
