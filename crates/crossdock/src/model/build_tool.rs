//! Programs that build scripts run besides a C compiler, known by the crate that runs them:
//! the `cmake` crate runs `cmake` (mimalloc, libgit2 and zstd builds through napi-rs and
//! others). A lock file that lists such a crate needs the program on the machine that
//! builds, so doctor checks it, its fix names the package, and the Actions matrix installs
//! it on Ubuntu runners (GitHub's macOS and Windows images ship CMake). One table, read by
//! all three.

/// A program a crate of the lock file runs in a build script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuildTool {
    /// The crate in Cargo.lock that runs it.
    pub krate: &'static str,
    /// The program it runs, looked for on PATH.
    pub program: &'static str,
    /// Debian/Ubuntu's package.
    pub apt: &'static str,
    /// Homebrew's formula.
    pub brew: &'static str,
}

pub const BUILD_TOOLS: &[BuildTool] = &[BuildTool {
    krate: "cmake",
    program: "cmake",
    apt: "cmake",
    brew: "cmake",
}];

impl BuildTool {
    /// The tools the crates named by `packages` (a lock file's package names) run.
    pub fn needed_by<'a>(packages: impl IntoIterator<Item = &'a str>) -> Vec<&'static BuildTool> {
        let packages: Vec<&str> = packages.into_iter().collect();
        BUILD_TOOLS
            .iter()
            .filter(|t| packages.contains(&t.krate))
            .collect()
    }

    /// How to install it.
    pub fn install_hint(&self) -> String {
        format!(
            "install {} (`apt-get install {}` on Debian/Ubuntu, `brew install {}` on macOS) and put `{}` on PATH",
            self.program, self.apt, self.brew, self.program
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cmake_crate_needs_the_cmake_program() {
        assert_eq!(
            BuildTool::needed_by(["cc", "cmake", "libmimalloc-sys2"])
                .iter()
                .map(|t| t.program)
                .collect::<Vec<_>>(),
            ["cmake"]
        );
        assert!(BuildTool::needed_by(["cc", "cmake-parser"]).is_empty());
    }
}
