//! What a package ships for a target. Only executables are built today; the next issue adds
//! libraries and Node modules, which then need their own file names, checks and installers.

use serde::{Deserialize, Serialize};

/// The kind of one shipped artifact, as targets.toml and the manifest spell it (kebab-case).
/// What was built, not which release file holds it (`package::manifest::ArtifactKind`:
/// archive, checksum, installer…).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code)] // the next issue builds the library kinds; named here first
pub enum ArtifactKind {
    /// An executable (`[[bin]]`): what crossdock ships now.
    Binary,
    /// A C-ABI shared library (`crate-type = ["cdylib"]`): `.so`, `.dylib`, `.dll`.
    Cdylib,
    /// A C-ABI static library (`crate-type = ["staticlib"]`): `.a`, `.lib`.
    Staticlib,
    /// A Node.js native module: a cdylib renamed `.node`.
    NodeModule,
}
