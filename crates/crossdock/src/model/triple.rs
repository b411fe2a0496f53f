//! One type that knows what a target triple means: CPU family and bitness, OS, C library,
//! binary format, executable suffix and default archive. Parsed with `target-lexicon`, so
//! every triple rustc knows is understood the same way everywhere; no other module looks
//! inside a triple's text.

use std::fmt;
use std::str::FromStr;

use target_lexicon::{
    Architecture, BinaryFormat, Environment, OperatingSystem, PointerWidth, Triple as Lexicon,
};

/// The container format of a target's executables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Elf,
    MachO,
    Pe,
}

impl Format {
    /// As `binary::inspect` names it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Elf => "ELF",
            Format::MachO => "Mach-O",
            Format::Pe => "PE",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Triple {
    text: String,
    parsed: Option<Lexicon>,
}

impl Triple {
    pub fn new(text: &str) -> Triple {
        Triple {
            text: text.to_string(),
            parsed: Lexicon::from_str(text).ok(),
        }
    }

    fn os(&self) -> Option<OperatingSystem> {
        self.parsed.as_ref().map(|t| t.operating_system)
    }

    fn env(&self) -> Option<Environment> {
        self.parsed.as_ref().map(|t| t.environment)
    }

    pub fn is_windows(&self) -> bool {
        matches!(self.os(), Some(OperatingSystem::Windows))
    }

    pub fn is_apple(&self) -> bool {
        matches!(
            self.os(),
            Some(
                OperatingSystem::Darwin(_)
                    | OperatingSystem::MacOSX(_)
                    | OperatingSystem::IOS(_)
                    | OperatingSystem::TvOS(_)
                    | OperatingSystem::WatchOS(_)
                    | OperatingSystem::VisionOS(_)
            )
        )
    }

    pub fn is_linux(&self) -> bool {
        matches!(self.os(), Some(OperatingSystem::Linux))
    }

    pub fn is_musl(&self) -> bool {
        matches!(
            self.env(),
            Some(Environment::Musl | Environment::Musleabi | Environment::Musleabihf)
        )
    }

    /// 32-bit ARM with the hard-float ABI (`…-gnueabihf`, `…-musleabihf`): Debian's `armhf`
    /// rather than `armel`.
    pub fn is_arm_hard_float(&self) -> bool {
        matches!(self.cpu(), Some(("arm", 32)))
            && matches!(
                self.env(),
                Some(Environment::Gnueabihf | Environment::Musleabihf)
            )
    }

    pub fn is_msvc(&self) -> bool {
        matches!(self.env(), Some(Environment::Msvc))
    }

    pub fn is_windows_gnu(&self) -> bool {
        self.is_windows() && matches!(self.env(), Some(Environment::Gnu | Environment::GnuLlvm))
    }

    /// The environment (ABI) as target-lexicon names it (`gnu`, `musl`, `gnueabihf`, `msvc`,
    /// `gnullvm`, `android`, `androideabi`); `None` when the triple has none or is unknown.
    pub fn abi_name(&self) -> Option<String> {
        self.env()
            .filter(|e| *e != Environment::Unknown)
            .map(|e| e.to_string())
    }

    /// The OS as archive names spell it: `linux`, `macos`, `windows`, else target-lexicon's
    /// name (`freebsd`, `ios`), else the triple's third component.
    pub fn os_name(&self) -> String {
        match self.os() {
            Some(OperatingSystem::Linux) => "linux".into(),
            Some(OperatingSystem::Darwin(_) | OperatingSystem::MacOSX(_)) => "macos".into(),
            Some(OperatingSystem::Windows) => "windows".into(),
            Some(os) => os.to_string(),
            None => self.text.split('-').nth(2).unwrap_or("unknown").to_string(),
        }
    }

    /// The first component, as written (`aarch64`, `armv7`, `x86_64`).
    pub fn arch_text(&self) -> &str {
        self.text.split('-').next().unwrap_or("")
    }

    /// CPU family and pointer width as the binary check names them; `None` for an
    /// architecture crossdock cannot check (the check then says so instead of guessing).
    pub fn cpu(&self) -> Option<(&'static str, u8)> {
        let arch = self.parsed.as_ref()?.architecture;
        let family = match arch {
            Architecture::X86_64 | Architecture::X86_64h => "x86_64",
            Architecture::Aarch64(_) => "aarch64",
            Architecture::X86_32(_) => "x86",
            Architecture::Arm(_) => "arm",
            Architecture::Riscv64(_) => "riscv64",
            Architecture::Riscv32(_) => "riscv32",
            Architecture::Powerpc64 | Architecture::Powerpc64le => "powerpc64",
            Architecture::Powerpc => "powerpc",
            Architecture::S390x => "s390x",
            Architecture::LoongArch64 => "loongarch64",
            _ => return None,
        };
        let bits = match arch.pointer_width().ok()? {
            PointerWidth::U16 => 16,
            PointerWidth::U32 => 32,
            PointerWidth::U64 => 64,
        };
        Some((family, bits))
    }

    pub fn format(&self) -> Format {
        if self.is_apple() {
            return Format::MachO;
        }
        if self.is_windows() {
            return Format::Pe;
        }
        match self.parsed.as_ref().map(|t| t.binary_format) {
            Some(BinaryFormat::Macho) => Format::MachO,
            Some(BinaryFormat::Coff) => Format::Pe,
            _ => Format::Elf,
        }
    }

    /// `.exe` on Windows, else nothing.
    pub fn exe_suffix(&self) -> &'static str {
        if self.is_windows() {
            ".exe"
        } else {
            ""
        }
    }

    /// The files rustc writes for a lib target `name` of `kind` on this target, as cargo's
    /// `compiler-artifact` messages name them: `libNAME.so` / `libNAME.dylib` / `NAME.dll`
    /// (+ `libNAME.dll.a` windows-gnu, `NAME.dll.lib` msvc import libraries) for a
    /// `cdylib`, `libNAME.a` (`NAME.lib` on msvc) for a `staticlib`.
    pub fn library_file(&self, name: &str, kind: LibraryFile) -> Option<String> {
        let msvc = self.is_msvc();
        Some(match kind {
            LibraryFile::Shared if self.is_windows() => format!("{name}.dll"),
            LibraryFile::Shared if self.is_apple() => format!("lib{name}.dylib"),
            LibraryFile::Shared => format!("lib{name}.so"),
            LibraryFile::Import if self.is_windows_gnu() => format!("lib{name}.dll.a"),
            LibraryFile::Import if msvc => format!("{name}.dll.lib"),
            LibraryFile::Import => return None,
            LibraryFile::Static if msvc => format!("{name}.lib"),
            LibraryFile::Static => format!("lib{name}.a"),
        })
    }

    /// Can a binary for this target run on a `host` machine without a runner? The same
    /// triple, or the same CPU on Linux (a musl binary runs on a glibc host).
    pub fn runs_on(&self, host: &Triple) -> bool {
        self == host || (self.is_linux() && host.is_linux() && self.cpu() == host.cpu())
    }
}

impl fmt::Display for Triple {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Which of a lib target's files [`Triple::library_file`] names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibraryFile {
    /// The shared library a `cdylib` builds.
    Shared,
    /// The import library Windows linkers link a DLL through (none elsewhere).
    Import,
    /// The archive a `staticlib` builds.
    Static,
}

/// The host triple of the machine crossdock itself was built for: used only when no
/// toolchain could be asked (`rustc -vV`'s `host:` is the fact otherwise).
pub fn build_host() -> String {
    Lexicon::host().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_library_files_as_rustc_writes_them() {
        use LibraryFile::*;
        let f = |t: &str, k| Triple::new(t).library_file("c_lib", k);
        let linux = "x86_64-unknown-linux-gnu";
        assert_eq!(f(linux, Shared).as_deref(), Some("libc_lib.so"));
        assert_eq!(f(linux, Static).as_deref(), Some("libc_lib.a"));
        assert_eq!(f(linux, Import), None);
        assert_eq!(
            f("x86_64-unknown-linux-musl", Shared).as_deref(),
            Some("libc_lib.so")
        );
        assert_eq!(
            f("aarch64-apple-darwin", Shared).as_deref(),
            Some("libc_lib.dylib")
        );
        assert_eq!(
            f("aarch64-apple-darwin", Static).as_deref(),
            Some("libc_lib.a")
        );
        let gnu = "x86_64-pc-windows-gnu";
        assert_eq!(f(gnu, Shared).as_deref(), Some("c_lib.dll"));
        assert_eq!(f(gnu, Import).as_deref(), Some("libc_lib.dll.a"));
        assert_eq!(f(gnu, Static).as_deref(), Some("libc_lib.a"));
        let msvc = "x86_64-pc-windows-msvc";
        assert_eq!(f(msvc, Shared).as_deref(), Some("c_lib.dll"));
        assert_eq!(f(msvc, Import).as_deref(), Some("c_lib.dll.lib"));
        assert_eq!(f(msvc, Static).as_deref(), Some("c_lib.lib"));
    }

    #[test]
    fn knows_the_matrix_triples() {
        let t = |s| Triple::new(s);
        assert_eq!(t("aarch64-apple-darwin").format(), Format::MachO);
        assert_eq!(t("aarch64-apple-darwin").cpu(), Some(("aarch64", 64)));
        assert_eq!(t("x86_64-pc-windows-gnu").format(), Format::Pe);
        assert_eq!(t("x86_64-pc-windows-msvc").exe_suffix(), ".exe");
        assert!(t("x86_64-pc-windows-msvc").is_msvc());
        assert!(t("x86_64-pc-windows-gnu").is_windows_gnu());
        assert_eq!(t("i686-unknown-linux-gnu").cpu(), Some(("x86", 32)));
        assert_eq!(t("armv7-unknown-linux-gnueabihf").cpu(), Some(("arm", 32)));
        assert_eq!(
            t("riscv64gc-unknown-linux-gnu").cpu(),
            Some(("riscv64", 64))
        );
        assert!(t("x86_64-unknown-linux-musl").is_musl());
        assert_eq!(t("x86_64-unknown-linux-musl").format(), Format::Elf);
        // No guessing: an architecture without a known width is not checked as 64-bit.
        assert_eq!(t("nonsense-unknown-linux-gnu").cpu(), None);
    }

    #[test]
    fn musl_runs_on_a_glibc_host_of_the_same_cpu() {
        let host = Triple::new("x86_64-unknown-linux-gnu");
        assert!(Triple::new("x86_64-unknown-linux-musl").runs_on(&host));
        assert!(!Triple::new("aarch64-unknown-linux-gnu").runs_on(&host));
        assert!(!Triple::new("x86_64-apple-darwin").runs_on(&host));
    }
}
