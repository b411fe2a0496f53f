//! The binary check's half for libraries: what kind of object a file is (a program, a
//! shared library, an `ar` archive of objects), and the CPU of a static or import
//! library's members. A `cdylib` must be a shared library for its triple: an ELF shared
//! object (`ET_DYN` without `PT_INTERP` and not a PIE), a Mach-O `MH_DYLIB` or `MH_BUNDLE`,
//! a PE DLL; a `staticlib` an archive whose objects are all for the triple's CPU. Pure over
//! bytes, like `binary.rs`.

use anyhow::{bail, Result};
use object::{Object, ObjectKind};

/// What an object file holds, beside its format and CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
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
            Holds::Program => "program",
            Holds::SharedLibrary => "shared library",
            Holds::Archive => "archive of objects",
            Holds::Other => "object that is neither a program nor a shared library",
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
        let format = match file.format() {
            object::BinaryFormat::Elf => "ELF",
            object::BinaryFormat::MachO => "Mach-O",
            object::BinaryFormat::Coff | object::BinaryFormat::Pe => "PE",
            _ => continue,
        };
        let bits = match file.architecture().address_size() {
            Some(object::AddressSize::U64) => 64,
            Some(object::AddressSize::U32) => 32,
            _ => 0,
        };
        let this = (
            format.to_string(),
            super::binary::arch_name(file.architecture()),
            bits,
        );
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
