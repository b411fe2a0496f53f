//! What a package ships for a target: executables, and the files of a C library (issue 22):
//! the shared library, its import library on Windows, the static archive. Node modules
//! (a cdylib renamed `.node`) come next.

use serde::{Deserialize, Serialize};

/// The kind of one shipped artifact, as targets.toml and the manifest spell it (kebab-case).
/// What was built, not which release file holds it (`package::manifest::ArtifactKind`:
/// archive, checksum, installer…).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ArtifactKind {
    /// An executable (`[[bin]]`).
    #[default]
    Binary,
    /// A C-ABI shared library (`crate-type = ["cdylib"]`): `.so`, `.dylib`, `.dll`.
    Cdylib,
    /// A C-ABI static library (`crate-type = ["staticlib"]`): `.a`, `.lib`.
    Staticlib,
    /// The import library a Windows linker links a `cdylib`'s DLL through: `.dll.a`
    /// (windows-gnu), `.dll.lib` (msvc).
    ImportLibrary,
    /// A Node.js native module: a cdylib renamed `.node`.
    #[allow(dead_code)] // issue 22 §2 builds it
    NodeModule,
}

impl ArtifactKind {
    pub fn is_binary(&self) -> bool {
        *self == ArtifactKind::Binary
    }

    /// A library file (shipped under `lib/` in an archive).
    pub fn is_library(&self) -> bool {
        !self.is_binary()
    }

    /// A file the dynamic loader maps: a program, a shared library, a Node module (linkers
    /// write them executable; what stripping changes).
    pub fn is_loadable(&self) -> bool {
        !matches!(self, ArtifactKind::Staticlib | ArtifactKind::ImportLibrary)
    }

    pub fn name(self) -> &'static str {
        match self {
            ArtifactKind::Binary => "binary",
            ArtifactKind::Cdylib => "cdylib",
            ArtifactKind::Staticlib => "staticlib",
            ArtifactKind::ImportLibrary => "import library",
            ArtifactKind::NodeModule => "Node module",
        }
    }
}
