//! `builder` in targets.toml: the program that builds a target, how it is installed and
//! what it supports. Everything crossdock knows about a builder is here, as methods, so
//! that the planner, doctor, the test runner and the Actions matrix ask instead of
//! matching on it (a new builder is a new variant and its answers).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Builder {
    /// `cargo build`, with the target's linker.
    Cargo,
    /// `cargo zigbuild`: zig links (also against a glibc floor).
    Zigbuild,
    /// `cross build`: cargo in a container that brings its own toolchain.
    Cross,
}

impl Builder {
    pub const ALL: [Builder; 3] = [Builder::Cargo, Builder::Zigbuild, Builder::Cross];

    /// The values of `builder` an error message lists.
    pub const EXPECTED: &'static str = "\"cargo\", \"zigbuild\" or \"cross\"";

    /// As targets.toml and the Actions matrix spell it.
    pub fn name(self) -> &'static str {
        match self {
            Builder::Cargo => "cargo",
            Builder::Zigbuild => "zigbuild",
            Builder::Cross => "cross",
        }
    }

    /// A value of `builder` in targets.toml (`cargo-zigbuild` also names zigbuild).
    pub fn from_key(value: &str) -> Option<Builder> {
        match value {
            "cargo" => Some(Builder::Cargo),
            "zigbuild" | "cargo-zigbuild" => Some(Builder::Zigbuild),
            "cross" => Some(Builder::Cross),
            _ => None,
        }
    }

    /// The program it needs on PATH besides the toolchain's cargo; `None` for cargo.
    pub fn program(self) -> Option<&'static str> {
        match self {
            Builder::Cargo => None,
            Builder::Zigbuild => Some("cargo-zigbuild"),
            Builder::Cross => Some("cross"),
        }
    }

    /// How to install [`Builder::program`].
    pub fn install_hint(self) -> Option<&'static str> {
        match self {
            Builder::Cargo => None,
            Builder::Zigbuild => {
                Some("`cargo install cargo-zigbuild --locked` and `pip install ziglang`")
            }
            Builder::Cross => {
                Some("`cargo install cross --locked` (it also needs docker or podman running)")
            }
        }
    }

    /// The program the build runs (`cargo` is the toolchain's, given) and its subcommand.
    pub fn command(self, cargo: &str) -> (String, &'static str) {
        match self {
            Builder::Cargo => (cargo.to_string(), "build"),
            Builder::Zigbuild => (cargo.to_string(), "zigbuild"),
            Builder::Cross => ("cross".to_string(), "build"),
        }
    }

    /// Builds in its own container, whose toolchain and tools share nothing with the host's
    /// (no host target dir of crossdock's choosing, no host compiler cache).
    pub fn in_container(self) -> bool {
        self == Builder::Cross
    }

    /// Links with the linker the target's configuration names (rustc's default when none),
    /// so that linker is what doctor checks and probes.
    pub fn links_with_target_linker(self) -> bool {
        self == Builder::Cargo
    }

    /// Takes the linker's own flags for a reproducible PE header (`--no-insert-timestamp`,
    /// `/Brepro`); `zig cc` refuses them.
    pub fn takes_linker_flags(self) -> bool {
        self != Builder::Zigbuild
    }

    /// Builds against a glibc floor (`glibc` in targets.toml): zig links against that
    /// glibc version.
    pub fn builds_for_glibc_floor(self) -> bool {
        self == Builder::Zigbuild
    }

    /// crossdock can run `cargo test` through it.
    pub fn can_test(self) -> bool {
        self != Builder::Zigbuild
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_names_round_trip() {
        for b in Builder::ALL {
            assert_eq!(Builder::from_key(b.name()), Some(b));
            assert_eq!(b.program().is_some(), b.install_hint().is_some());
        }
        assert_eq!(Builder::from_key("cargo-zigbuild"), Some(Builder::Zigbuild));
        assert_eq!(Builder::from_key("docker"), None);
    }
}
