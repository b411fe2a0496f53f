//! The binary check's half for libraries: what kind of object a file is (a program, a
//! shared library, an `ar` archive of objects), and the CPU of a static or import
//! library's members. A `cdylib` must be a shared library for its triple: an ELF shared
//! object (`ET_DYN` without `PT_INTERP` and not a PIE), a Mach-O `MH_DYLIB` or `MH_BUNDLE`,
//! a PE DLL; a `staticlib` an archive whose objects are all for the triple's CPU. Pure over
//! bytes, like `binary.rs`.

use anyhow::{bail, Result};
use object::{Architecture, Object, ObjectKind};

/// What an object file holds, beside its format and CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Holds {
    /// A program: ELF `ET_EXEC`, or `ET_DYN` with an interpreter or the PIE flag (a
    /// static-pie musl program has no interpreter); Mach-O `MH_EXECUTE`; a PE without
    /// `IMAGE_FILE_DLL`.
    Program,
    /// A shared library: ELF `ET_DYN` without `PT_INTERP` and without `DF_1_PIE`, Mach-O
    /// `MH_DYLIB` or `MH_BUNDLE`, a PE DLL.
    SharedLibrary,
    /// An `ar` archive of objects: a static or import library.
    Archive,
    /// Anything else (a relocatable object, a core file).
    Other,
}

impl Holds {
    pub fn name(self) -> &'static str {
        match self {
            Holds::Program => "a program",
            Holds::SharedLibrary => "a shared library",
            Holds::Archive => "an `ar` archive of objects",
            Holds::Other => "an object that is neither a program nor a shared library",
        }
    }
}

const MH_DYLIB: u32 = 6;
const MH_BUNDLE: u32 = 8;

/// Which of [`Holds`] a parsed file is; `interp`: it has an ELF `PT_INTERP`.
pub fn holds(file: &object::File<'_>, data: &[u8], interp: bool) -> Holds {
    match file {
        object::File::MachO32(_) | object::File::MachO64(_) => {
            // filetype, at the same offset in both header sizes; object calls a bundle
            // Unknown, so the header is read here.
            let filetype = data.get(12..16).map(|b| {
                let le = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                if file.is_little_endian() {
                    le
                } else {
                    le.swap_bytes()
                }
            });
            match filetype {
                Some(MH_DYLIB | MH_BUNDLE) => Holds::SharedLibrary,
                _ if file.kind() == ObjectKind::Executable => Holds::Program,
                _ => Holds::Other,
            }
        }
        object::File::Elf32(_) | object::File::Elf64(_) => match file.kind() {
            ObjectKind::Executable => Holds::Program,
            ObjectKind::Dynamic if interp || elf_is_pie(file) => Holds::Program,
            ObjectKind::Dynamic => Holds::SharedLibrary,
            _ => Holds::Other,
        },
        _ => match file.kind() {
            ObjectKind::Dynamic => Holds::SharedLibrary,
            ObjectKind::Executable => Holds::Program,
            _ => Holds::Other,
        },
    }
}

/// ELF: `DF_1_PIE` in the dynamic section's `DT_FLAGS_1` (a position-independent program).
fn elf_is_pie(file: &object::File<'_>) -> bool {
    fn check<'data, Elf, R>(elf: &object::read::elf::ElfFile<'data, Elf, R>) -> bool
    where
        Elf: object::read::elf::FileHeader,
        R: object::ReadRef<'data>,
    {
        use object::read::elf::Dyn;
        let endian = elf.endian();
        let Ok(Some((entries, _))) = elf.elf_section_table().dynamic(endian, elf.data()) else {
            return false;
        };
        entries.iter().any(|d| {
            d.tag32(endian) == Some(object::elf::DT_FLAGS_1)
                && d.val32(endian)
                    .is_some_and(|v| v & object::elf::DF_1_PIE != 0)
        })
    }
    match file {
        object::File::Elf64(elf) => check(elf),
        object::File::Elf32(elf) => check(elf),
        _ => false,
    }
}

/// The objects of an `ar` archive (a static library, an import library): their format
/// family (`ELF`, `Mach-O`, `PE` for COFF objects), CPU and width, which must be one for
/// all. Members that are no object (a symbol index, a short import entry) are skipped; an
/// archive with no object at all is refused.
pub fn archive_objects(data: &[u8]) -> Result<(String, String, u8)> {
    let ar = object::read::archive::ArchiveFile::parse(data)
        .map_err(|e| anyhow::anyhow!("not an `ar` archive of objects ({e})"))?;
    let mut found: Option<(String, String, u8)> = None;
    for member in ar.members() {
        let member = member.map_err(|e| anyhow::anyhow!("a broken `ar` archive ({e})"))?;
        let Ok(bytes) = member.data(data) else {
            continue;
        };
        // Members start at even offsets; object reads headers in place and needs them
        // aligned as the format says, so each is read from an aligned copy.
        let (copy, at) = aligned_copy(bytes);
        let Ok(file) = object::File::parse(&copy[at..at + bytes.len()]) else {
            continue;
        };
        let Some(this) = identity(&file) else {
            continue;
        };
        match &found {
            None => found = Some(this),
            Some(first) if *first != this => bail!(
                "an `ar` archive that mixes {} {}-bit {} objects with {} {}-bit {} ones (member {})",
                first.0,
                first.2,
                first.1,
                this.0,
                this.2,
                this.1,
                String::from_utf8_lossy(member.name())
            ),
            Some(_) => {}
        }
    }
    found.ok_or_else(|| anyhow::anyhow!("an `ar` archive without a single object file"))
}

/// An object's format family (`ELF`, `Mach-O`, `PE` for PE and COFF: the family a triple
/// names), CPU and width, the width from the CPU (a COFF header has no class of its own).
fn identity(file: &object::File<'_>) -> Option<(String, String, u8)> {
    let format = match file.format() {
        object::BinaryFormat::Elf => "ELF",
        object::BinaryFormat::MachO => "Mach-O",
        object::BinaryFormat::Coff | object::BinaryFormat::Pe => "PE",
        _ => return None,
    };
    let bits = match file.architecture().address_size() {
        Some(object::AddressSize::U64) => 64,
        Some(object::AddressSize::U32) => 32,
        _ => 0,
    };
    Some((format.to_string(), arch_name(file.architecture()), bits))
}

/// A relocatable object, what `cc -c` writes and a C compiler is judged by: an ELF
/// `ET_REL`, a Mach-O `MH_OBJECT` or a COFF object, with its format family, CPU and width
/// as [`identity`] names them (a COFF object's family is `PE`, like its triple's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relocatable {
    pub format: String,
    pub arch: String,
    pub bits: u8,
}

impl std::fmt::Display for Relocatable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let format = if self.format == "PE" {
            "COFF"
        } else {
            &self.format
        };
        write!(f, "{format} {}-bit {} object", self.bits, self.arch)
    }
}

impl Relocatable {
    /// The object with its article, as a sentence names it (`an ELF …`, `a COFF …`).
    fn with_article(&self) -> String {
        let an = if self.format == "ELF" { "an" } else { "a" };
        format!("{an} {self}")
    }
}

/// Reads `data` as a relocatable object; an error saying what it is otherwise (a program,
/// a shared library, an archive, no object at all).
pub fn relocatable(data: &[u8]) -> Result<Relocatable> {
    if is_ar(data) {
        bail!("an `ar` archive, not a relocatable object");
    }
    let (copy, at) = aligned_copy(data);
    let file = object::File::parse(&copy[at..at + data.len()])
        .map_err(|e| anyhow::anyhow!("not an ELF, Mach-O or COFF object ({e})"))?;
    let Some((format, arch, bits)) = identity(&file) else {
        bail!(
            "an object of format {:?}, not ELF, Mach-O or COFF",
            file.format()
        );
    };
    if file.kind() != ObjectKind::Relocatable {
        bail!(
            "a {format} {bits}-bit {arch} file that is {}, not a relocatable object",
            holds(&file, data, false).name()
        );
    }
    Ok(Relocatable { format, arch, bits })
}

/// `data` as a relocatable object for `triple`: the triple's format family (a COFF object
/// for a PE target, which has no PE header yet), CPU and width; the error says what it is
/// and what the triple needs.
pub fn object_for(data: &[u8], triple: &str) -> Result<Relocatable> {
    let got = relocatable(data)?;
    let (format, arch, bits) = super::binary::expected(triple);
    let want = Relocatable {
        format: format.to_string(),
        arch,
        bits,
    };
    if got != want {
        bail!(
            "is {}, but {triple} needs {}",
            got.with_article(),
            want.with_article()
        );
    }
    Ok(got)
}

/// `bytes` in a buffer, and where in it they start 16-byte aligned.
fn aligned_copy(bytes: &[u8]) -> (Vec<u8>, usize) {
    const ALIGN: usize = 16;
    let mut buf = vec![0u8; bytes.len() + ALIGN];
    let at = (ALIGN - buf.as_ptr() as usize % ALIGN) % ALIGN;
    buf[at..at + bytes.len()].copy_from_slice(bytes);
    (buf, at)
}

/// Is this an `ar` archive (`!<arch>\n`)?
pub fn is_ar(data: &[u8]) -> bool {
    data.starts_with(b"!<arch>\n")
}

/// The CPU name crossdock prints and compares for an object's architecture.
pub(super) fn arch_name(a: Architecture) -> String {
    match a {
        Architecture::X86_64 => "x86_64".into(),
        Architecture::Aarch64 => "aarch64".into(),
        Architecture::I386 => "x86".into(),
        Architecture::Arm => "arm".into(),
        Architecture::Riscv64 => "riscv64".into(),
        Architecture::PowerPc64 => "powerpc64".into(),
        Architecture::S390x => "s390x".into(),
        other => format!("{other:?}").to_lowercase(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::binary::{inspect, verify};
    use super::*;
    use crate::model::artifact::ArtifactKind;
    use crate::model::strip::Strip;
    use object::{Architecture, BinaryFormat};
    use std::path::Path;

    fn macho_fixture(name: &str) -> Vec<u8> {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/fixtures/macho")
                .join(name),
        )
        .unwrap()
    }

    /// A relocatable object for `arch` (what a static library holds).
    fn object_file(format: BinaryFormat, arch: Architecture) -> Vec<u8> {
        let mut w = object::write::Object::new(format, arch, object::Endianness::Little);
        let text = w.section_id(object::write::StandardSection::Text);
        w.append_section_data(text, &[0xc3], 1);
        w.write().unwrap()
    }

    /// An `ar` archive of `members`, as `ar rc` writes one (odd sizes padded to even).
    fn ar(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut out = b"!<arch>\n".to_vec();
        for (name, data) in members {
            let header = format!(
                "{:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
                format!("{name}/"),
                0,
                0,
                0,
                644,
                data.len()
            );
            assert_eq!(header.len(), 60);
            out.extend_from_slice(header.as_bytes());
            out.extend_from_slice(data);
            if data.len() % 2 == 1 {
                out.push(b'\n');
            }
        }
        out
    }

    #[test]
    fn a_macho_dylib_or_bundle_is_a_shared_library_an_executable_is_not() {
        let exe = macho_fixture("hello-x86_64");
        assert_eq!(inspect(&exe).unwrap().holds, Holds::Program);
        let t = "x86_64-apple-darwin";
        let e = verify(
            Path::new("libx.dylib"),
            &exe,
            t,
            Strip::None,
            ArtifactKind::Cdylib,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("is a program (Mach-O 64-bit x86_64), but a cdylib for x86_64-apple-darwin must be a Mach-O MH_DYLIB or MH_BUNDLE"),
            "{e}"
        );
        for filetype in [MH_DYLIB, MH_BUNDLE] {
            let mut lib = exe.clone();
            lib[12..16].copy_from_slice(&filetype.to_le_bytes());
            let got = verify(
                Path::new("libx.dylib"),
                &lib,
                t,
                Strip::None,
                ArtifactKind::Cdylib,
            )
            .unwrap();
            assert_eq!(got.to_string(), "Mach-O 64-bit x86_64 shared library");
        }
    }

    #[cfg(all(target_os = "linux", target_arch = "x86_64"))] // judges the test binary itself
    #[test]
    fn a_pie_program_is_not_a_shared_object() {
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let i = inspect(&exe).unwrap();
        assert_eq!(i.holds, Holds::Program, "{i}");
        let e = verify(
            Path::new("libx.so"),
            &exe,
            "x86_64-unknown-linux-gnu",
            Strip::None,
            ArtifactKind::Cdylib,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("must be an ELF shared object (ET_DYN, no PT_INTERP)"),
            "{e}"
        );
    }

    #[test]
    fn a_c_compilers_object_is_judged_as_an_object_of_the_triples_machine() {
        use object::write::Object as W;
        // mingw's `gcc -c` writes a COFF object (machine AMD64, i386, ARM64), no PE.
        for (arch, triple, desc) in [
            (
                Architecture::X86_64,
                "x86_64-pc-windows-gnu",
                "COFF 64-bit x86_64 object",
            ),
            (
                Architecture::I386,
                "i686-pc-windows-gnu",
                "COFF 32-bit x86 object",
            ),
            (
                Architecture::Aarch64,
                "aarch64-pc-windows-gnullvm",
                "COFF 64-bit aarch64 object",
            ),
        ] {
            let coff = object_file(BinaryFormat::Coff, arch);
            assert_eq!(object_for(&coff, triple).unwrap().to_string(), desc);
        }
        let coff = object_file(BinaryFormat::Coff, Architecture::X86_64);
        let e = object_for(&coff, "i686-pc-windows-gnu")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "is a COFF 64-bit x86_64 object, but i686-pc-windows-gnu needs a COFF 32-bit x86 object"
        );
        let e = object_for(&coff, "x86_64-unknown-linux-gnu")
            .unwrap_err()
            .to_string();
        assert!(e.contains("needs an ELF 64-bit x86_64 object"), "{e}");
        // ELF ET_REL with the triple's e_machine.
        let elf = object_file(BinaryFormat::Elf, Architecture::Aarch64);
        assert_eq!(elf[16], object::elf::ET_REL as u8);
        assert_eq!(
            object_for(&elf, "aarch64-unknown-linux-gnu")
                .unwrap()
                .to_string(),
            "ELF 64-bit aarch64 object"
        );
        let e = object_for(&elf, "x86_64-unknown-linux-gnu")
            .unwrap_err()
            .to_string();
        assert!(e.contains("is an ELF 64-bit aarch64 object"), "{e}");
        // Mach-O MH_OBJECT with the triple's cputype.
        let mut w = W::new(
            BinaryFormat::MachO,
            Architecture::Aarch64,
            object::Endianness::Little,
        );
        let text = w.section_id(object::write::StandardSection::Text);
        w.append_section_data(text, &[0xc0, 0x03, 0x5f, 0xd6], 4);
        let macho = w.write().unwrap();
        assert_eq!(u32::from_le_bytes(macho[12..16].try_into().unwrap()), 1);
        assert_eq!(
            object_for(&macho, "aarch64-apple-darwin")
                .unwrap()
                .to_string(),
            "Mach-O 64-bit aarch64 object"
        );
        assert!(object_for(&macho, "x86_64-apple-darwin").is_err());
        // A program is not an object, nor is an archive of objects.
        let exe = macho_fixture("hello-x86_64");
        let e = object_for(&exe, "x86_64-apple-darwin")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("Mach-O 64-bit x86_64 file that is a program, not a relocatable object"),
            "{e}"
        );
        let lib = ar(&[("a.o", elf)]);
        assert!(object_for(&lib, "aarch64-unknown-linux-gnu").is_err());
    }

    #[test]
    fn a_static_library_is_judged_by_its_objects() {
        let x86 = object_file(BinaryFormat::Elf, Architecture::X86_64);
        let arm = object_file(BinaryFormat::Elf, Architecture::Aarch64);
        let lib = ar(&[("a.o", x86.clone()), ("b.o", x86.clone())]);
        let got = verify(
            Path::new("liba.a"),
            &lib,
            "x86_64-unknown-linux-gnu",
            Strip::Symbols,
            ArtifactKind::Staticlib,
        )
        .unwrap();
        assert_eq!(got.to_string(), "ar archive of ELF 64-bit x86_64 objects");
        let e = verify(
            Path::new("liba.a"),
            &lib,
            "aarch64-unknown-linux-gnu",
            Strip::None,
            ArtifactKind::Staticlib,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("needs ELF 64-bit aarch64"), "{e}");
        let mixed = ar(&[("a.o", x86.clone()), ("b.o", arm)]);
        let e = format!("{:#}", inspect(&mixed).unwrap_err());
        assert!(
            e.contains("mixes ELF 64-bit x86_64 objects with ELF 64-bit aarch64"),
            "{e}"
        );
        let e = format!(
            "{:#}",
            inspect(&ar(&[("x.txt", b"hi".to_vec())])).unwrap_err()
        );
        assert!(e.contains("without a single object file"), "{e}");
        // A shared library is no static archive, and the reverse.
        let e = verify(
            Path::new("liba.so"),
            &lib,
            "x86_64-unknown-linux-gnu",
            Strip::None,
            ArtifactKind::Cdylib,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("is an `ar` archive of objects"), "{e}");
        let coff = object_file(BinaryFormat::Coff, Architecture::X86_64);
        let got = inspect(&ar(&[("a.obj", coff)])).unwrap();
        assert_eq!(got.to_string(), "ar archive of COFF 64-bit x86_64 objects");
    }
}
