//! Stage 1: the shared vocabulary — the types every later stage speaks and none of them
//! owns: a target `Triple`, archive formats, `strip`, builders, installers, artifact kinds,
//! calendar time. Pure values with their knowledge as methods; nothing here reads a file or
//! starts a process, and everything after `sys` may import it.

pub mod archive;
pub mod artifact;
pub mod build_tool;
pub mod builder;
pub mod cross;
pub mod deps;
pub mod installer;
pub mod json;
pub mod node;
pub mod sign;
pub mod strip;
pub mod time;
pub mod triple;
