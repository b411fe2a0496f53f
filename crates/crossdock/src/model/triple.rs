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

/// A target triple as the user wrote it, parsed once. Compared, ordered, hashed, printed
/// and serialized as its text (so JSON and snapshots show the string they always showed).
#[derive(Clone)]
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

    /// The triple as written (`--target` values, file names, `CARGO_TARGET_<T>_…` keys).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The triple a GitHub-hosted runner label builds natively (`macos-*` → Apple silicon,
    /// `windows-*` → MSVC, an `*arm*` label → aarch64 Linux, else x86_64 Linux).
    pub fn of_github_runner(label: &str) -> Triple {
        Triple::new(if label.starts_with("macos") {
            "aarch64-apple-darwin"
        } else if label.starts_with("windows") {
            "x86_64-pc-windows-msvc"
        } else if label.contains("arm") {
            "aarch64-unknown-linux-gnu"
        } else {
            "x86_64-unknown-linux-gnu"
        })
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

    /// Linux with glibc, the `*-linux-gnu*` triples (`…-gnueabihf`, `…-gnux32` too): the
    /// targets a glibc floor applies to. Read from the text, so a triple target-lexicon
    /// does not know yet is judged as the user wrote it.
    pub fn is_linux_gnu(&self) -> bool {
        self.text.contains("-linux-gnu")
    }

    /// iOS (and its simulator, Mac Catalyst): Apple, but not a Mac.
    pub fn is_ios(&self) -> bool {
        matches!(self.os(), Some(OperatingSystem::IOS(_)))
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

/// As the text, honouring width and alignment (`{:<28}` in tables) as a `str` does.
impl fmt::Display for Triple {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.text)
    }
}

/// As the string: debug output and snapshots read as they did when triples were strings.
impl fmt::Debug for Triple {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.text, f)
    }
}

// Equality, order and hash are the text's (the parse is a function of it).
impl PartialEq for Triple {
    fn eq(&self, other: &Triple) -> bool {
        self.text == other.text
    }
}

impl Eq for Triple {}

impl PartialOrd for Triple {
    fn partial_cmp(&self, other: &Triple) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Triple {
    fn cmp(&self, other: &Triple) -> std::cmp::Ordering {
        self.text.cmp(&other.text)
    }
}

impl std::hash::Hash for Triple {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state)
    }
}

impl PartialEq<str> for Triple {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl PartialEq<&str> for Triple {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

impl PartialEq<String> for Triple {
    fn eq(&self, other: &String) -> bool {
        &self.text == other
    }
}

impl PartialEq<Triple> for String {
    fn eq(&self, other: &Triple) -> bool {
        *self == other.text
    }
}

impl PartialEq<Triple> for str {
    fn eq(&self, other: &Triple) -> bool {
        self == other.text
    }
}

/// The text, where a `&str` is taken (`--target`, file names, messages). Reading the text
/// to learn what the target is stays in this file (`architecture_tests` checks it).
impl std::ops::Deref for Triple {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

/// Lets a set or map of triples be asked with a `&str` (the hash and order are the text's).
impl std::borrow::Borrow<str> for Triple {
    fn borrow(&self) -> &str {
        &self.text
    }
}

impl AsRef<str> for Triple {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl AsRef<std::path::Path> for Triple {
    fn as_ref(&self) -> &std::path::Path {
        self.text.as_ref()
    }
}

impl AsRef<std::ffi::OsStr> for Triple {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.text.as_ref()
    }
}

impl From<&str> for Triple {
    fn from(text: &str) -> Triple {
        Triple::new(text)
    }
}

impl From<String> for Triple {
    fn from(text: String) -> Triple {
        Triple::new(&text)
    }
}

impl serde::Serialize for Triple {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> serde::Deserialize<'de> for Triple {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Triple, D::Error> {
        String::deserialize(d).map(Triple::from)
    }
}

/// Triples joined by `sep`, as `[String]::join` would.
pub fn join(triples: &[Triple], sep: &str) -> String {
    let texts: Vec<&str> = triples.iter().map(Triple::as_str).collect();
    texts.join(sep)
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
pub fn build_host() -> Triple {
    Triple::from(Lexicon::host().to_string())
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
    fn prints_compares_and_serializes_as_its_text() {
        let t = Triple::new("x86_64-unknown-linux-gnu");
        assert_eq!(format!("[{t:<26}]"), "[x86_64-unknown-linux-gnu  ]");
        assert_eq!(format!("{t:?}"), "\"x86_64-unknown-linux-gnu\"");
        assert_eq!(t, "x86_64-unknown-linux-gnu");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"x86_64-unknown-linux-gnu\"");
        assert_eq!(serde_json::from_str::<Triple>(&json).unwrap(), t);
        assert!(Triple::new("armv7-unknown-linux-gnueabihf").is_linux_gnu());
        assert!(!Triple::new("x86_64-unknown-linux-musl").is_linux_gnu());
        assert!(Triple::new("aarch64-apple-ios").is_ios());
        assert!(!Triple::new("aarch64-apple-darwin").is_ios());
    }

    #[test]
    fn musl_runs_on_a_glibc_host_of_the_same_cpu() {
        let host = Triple::new("x86_64-unknown-linux-gnu");
        assert!(Triple::new("x86_64-unknown-linux-musl").runs_on(&host));
        assert!(!Triple::new("aarch64-unknown-linux-gnu").runs_on(&host));
        assert!(!Triple::new("x86_64-apple-darwin").runs_on(&host));
    }
}
