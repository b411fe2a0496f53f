//! Cross toolchains on Debian and Ubuntu, in one table: for a target built on another
//! machine, the GNU C compiler that also links for it and the apt packages that bring it,
//! the packages of the runners (qemu-user, wine), and rustc's own default linker. doctor's
//! fixes, the plan's install hints and the Actions matrix's `apt` read it here, so the three
//! cannot drift apart.

use crate::model::triple::Triple;

/// A GNU cross gcc for Linux with glibc: `{prefix}-gcc`, from `apt`.
#[derive(Debug, PartialEq, Eq)]
pub struct GnuGcc {
    /// The CPU family it builds for (`Triple::cpu`).
    pub cpu: &'static str,
    pub prefix: &'static str,
    pub apt: &'static str,
}

const LINUX_GNU: [GnuGcc; 7] = [
    GnuGcc {
        cpu: "aarch64",
        prefix: "aarch64-linux-gnu",
        apt: "gcc-aarch64-linux-gnu libc6-dev-arm64-cross",
    },
    GnuGcc {
        cpu: "arm",
        prefix: "arm-linux-gnueabihf",
        apt: "gcc-arm-linux-gnueabihf libc6-dev-armhf-cross",
    },
    GnuGcc {
        cpu: "x86",
        prefix: "i686-linux-gnu",
        apt: "gcc-i686-linux-gnu libc6-dev-i386-cross",
    },
    GnuGcc {
        cpu: "riscv64",
        prefix: "riscv64-linux-gnu",
        apt: "gcc-riscv64-linux-gnu libc6-dev-riscv64-cross",
    },
    GnuGcc {
        cpu: "powerpc64",
        prefix: "powerpc64le-linux-gnu",
        apt: "gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross",
    },
    GnuGcc {
        cpu: "s390x",
        prefix: "s390x-linux-gnu",
        apt: "gcc-s390x-linux-gnu libc6-dev-s390x-cross",
    },
    GnuGcc {
        cpu: "x86_64",
        prefix: "x86_64-linux-gnu",
        apt: "gcc-x86-64-linux-gnu libc6-dev-amd64-cross",
    },
];

impl GnuGcc {
    /// The cross gcc for a Linux glibc target; `None` for any other target or CPU.
    pub fn for_target(t: &Triple) -> Option<&'static GnuGcc> {
        if !t.is_linux() || t.is_musl() {
            return None;
        }
        let (cpu, _) = t.cpu()?;
        LINUX_GNU.iter().find(|g| g.cpu == cpu)
    }

    /// Every one in the table.
    pub fn all() -> &'static [GnuGcc] {
        &LINUX_GNU
    }

    /// Its archiver: `aarch64-linux-gnu-ar`.
    pub fn ar(&self) -> String {
        format!("{}-ar", self.prefix)
    }

    /// The one of a CPU family (`aarch64`).
    pub fn for_cpu(cpu: &str) -> Option<&'static GnuGcc> {
        LINUX_GNU.iter().find(|g| g.cpu == cpu)
    }

    /// Its program name, also the linker to set: `aarch64-linux-gnu-gcc`.
    pub fn gcc(&self) -> String {
        format!("{}-gcc", self.prefix)
    }
}

/// mingw-w64 for x86_64: `x86_64-w64-mingw32-gcc` links windows-gnu binaries.
pub const MINGW_X86_64_PREFIX: &str = "x86_64-w64-mingw32";
pub const MINGW_X86_64_APT: &str = "gcc-mingw-w64-x86-64";
/// `musl-gcc`, the C compiler and linker wrapper of musl targets.
pub const MUSL_GCC: &str = "musl-gcc";
pub const MUSL_APT: &str = "musl-tools";
/// `qemu-<cpu>` runners.
pub const QEMU_APT: &str = "qemu-user";
/// `wine`, `wine64`: the runner of Windows binaries.
pub const WINE_APT: &str = "wine64";

/// Is `program` a qemu-user runner (`qemu-aarch64`)?
pub fn is_qemu(program: &str) -> bool {
    program.starts_with("qemu-")
}

/// The linker rustc uses for `t` when nobody chose one: `{arch}-w64-mingw32-gcc` for
/// windows-gnu, `link.exe` for MSVC, else the host's `cc`.
pub fn default_linker(t: &Triple) -> String {
    if t.is_windows_gnu() {
        format!("{}-w64-mingw32-gcc", t.arch_text())
    } else if t.is_msvc() {
        "link.exe".to_string()
    } else {
        "cc".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linux_gnu_targets_get_their_gcc_and_nothing_else_does() {
        let gcc = |s: &str| GnuGcc::for_target(&Triple::new(s)).map(GnuGcc::gcc);
        assert_eq!(
            gcc("aarch64-unknown-linux-gnu").as_deref(),
            Some("aarch64-linux-gnu-gcc")
        );
        assert_eq!(
            gcc("armv7-unknown-linux-gnueabihf").as_deref(),
            Some("arm-linux-gnueabihf-gcc")
        );
        assert_eq!(gcc("aarch64-unknown-linux-musl"), None);
        assert_eq!(gcc("aarch64-apple-darwin"), None);
        assert_eq!(
            default_linker(&Triple::new("i686-pc-windows-gnu")),
            "i686-w64-mingw32-gcc"
        );
        assert_eq!(
            default_linker(&Triple::new("x86_64-pc-windows-msvc")),
            "link.exe"
        );
    }
}
