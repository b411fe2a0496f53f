//! Reads a built binary's headers (with `object`) and checks it against its target triple:
//! container format, CPU, bitness, and OS hints (a musl binary is static, a Windows one is
//! a console PE). A file that does not match is refused with what it is and what the triple
//! needs, so a wrong-architecture binary can never reach an archive. Pure over bytes.

use std::path::Path;

use anyhow::{bail, Context, Result};
use object::{BinaryFormat, Object, ObjectSection};

use super::library::{self, arch_name, Holds};
use crate::model::artifact::ArtifactKind;
use crate::model::strip::Strip;
use crate::model::triple::Triple;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Inspection {
    pub format: String,
    pub arch: String,
    pub bits: u8,
    /// A program, a shared library, or an `ar` archive of objects.
    pub holds: Holds,
    /// ELF programs only: no `PT_INTERP` (statically linked).
    pub static_elf: Option<bool>,
    /// PE only: `console` or `gui`.
    pub subsystem: Option<String>,
    /// Debug info still present: DWARF that is not loaded at run time (ELF `.debug_*` /
    /// `.zdebug_*` sections without `SHF_ALLOC`, Mach-O sections of the `__DWARF` segment,
    /// PE sections named `.debug_*`). Allocated sections such as rustc's 34-byte
    /// `.debug_gdb_scripts` are part of the program image, not debug info.
    pub debug_info: Vec<String>,
    /// A symbol table is present (ELF `.symtab`, a PE COFF symbol table); `.dynsym` and
    /// Mach-O's symbol table are needed at run time and never count.
    pub symbol_table: bool,
    /// ELF only: the highest `GLIBC_x.y` symbol version the binary needs
    /// (`.gnu.version_r`), as `x.y`: the oldest glibc it runs on. `None` when it needs none.
    pub glibc: Option<String>,
}

impl std::fmt::Display for Inspection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.holds == Holds::Archive {
            let objects = if self.format == "PE" {
                "COFF"
            } else {
                &self.format
            };
            return write!(
                f,
                "ar archive of {objects} {}-bit {} objects",
                self.bits, self.arch
            );
        }
        write!(f, "{} {}-bit {}", self.format, self.bits, self.arch)?;
        if self.holds == Holds::SharedLibrary {
            write!(f, " shared library")?;
        }
        if let Some(s) = self.static_elf {
            write!(f, ", {}", if s { "static" } else { "dynamically linked" })?;
        }
        if let Some(s) = &self.subsystem {
            write!(f, ", {s} subsystem")?;
        }
        Ok(())
    }
}

/// Describes a file; an error when it is no executable object at all.
pub fn inspect(data: &[u8]) -> Result<Inspection> {
    if data.len() >= 4
        && matches!(
            &data[..4],
            [0xca, 0xfe, 0xba, 0xbe] | [0xca, 0xfe, 0xba, 0xbf]
        )
    {
        bail!("a universal (fat) Mach-O file, not a single-architecture binary");
    }
    if library::is_ar(data) {
        let (format, arch, bits) = library::archive_objects(data)?;
        return Ok(Inspection {
            format,
            arch,
            bits,
            holds: Holds::Archive,
            static_elf: None,
            subsystem: None,
            debug_info: Vec::new(),
            symbol_table: false,
            glibc: None,
        });
    }
    let file = object::File::parse(data)
        .map_err(|e| anyhow::anyhow!("not an ELF, PE or Mach-O executable ({e})"))?;
    let format = match file.format() {
        BinaryFormat::Elf => "ELF",
        BinaryFormat::MachO => "Mach-O",
        BinaryFormat::Pe => "PE",
        BinaryFormat::Coff => "COFF object",
        _ => "unknown object",
    }
    .to_string();
    let debug_info = file
        .sections()
        .filter(is_debug_info)
        .filter_map(|s| s.name().ok().map(str::to_string))
        .collect();
    let symbol_table = match &file {
        object::File::Elf64(_) | object::File::Elf32(_) => {
            file.section_by_name(".symtab").is_some()
        }
        object::File::Pe64(_) | object::File::Pe32(_) => pe_has_coff_symbols(data),
        _ => false,
    };
    let glibc = match &file {
        object::File::Elf64(elf) => glibc_floor(elf),
        object::File::Elf32(elf) => glibc_floor(elf),
        _ => None,
    };
    let interp = has_interp(data);
    let holds = library::holds(&file, data, interp);
    let static_elf = match &file {
        object::File::Elf64(_) | object::File::Elf32(_) if holds != Holds::SharedLibrary => {
            Some(!interp)
        }
        _ => None,
    };
    let subsystem = match &file {
        object::File::Pe64(pe) => Some(
            pe.nt_headers()
                .optional_header
                .subsystem
                .get(object::LittleEndian),
        ),
        object::File::Pe32(pe) => Some(
            pe.nt_headers()
                .optional_header
                .subsystem
                .get(object::LittleEndian),
        ),
        _ => None,
    }
    .map(|s| match s {
        object::pe::IMAGE_SUBSYSTEM_WINDOWS_CUI => "console".to_string(),
        object::pe::IMAGE_SUBSYSTEM_WINDOWS_GUI => "gui".to_string(),
        other => format!("subsystem {other}"),
    });
    Ok(Inspection {
        format,
        arch: arch_name(file.architecture()),
        bits: if file.is_64() { 64 } else { 32 },
        holds,
        static_elf,
        subsystem,
        debug_info,
        symbol_table,
        glibc,
    })
}

/// Is glibc version `a` newer than `b` (`"2.34"` > `"2.17"`, compared as numbers)?
pub fn glibc_newer(a: &str, b: &str) -> bool {
    let key = |v: &str| -> Vec<u32> { v.split('.').filter_map(|n| n.parse().ok()).collect() };
    key(a) > key(b)
}

/// The highest `GLIBC_x.y` version among the versions the binary needs from any library
/// (libc, libm, libpthread… all use glibc's version names), compared as numbers, so
/// `2.9 < 2.17`. `GLIBC_PRIVATE` and other non-numeric names are ignored.
fn glibc_floor<'data, Elf, R>(elf: &object::read::elf::ElfFile<'data, Elf, R>) -> Option<String>
where
    Elf: object::read::elf::FileHeader,
    R: object::ReadRef<'data>,
{
    let endian = elf.endian();
    let table = elf.elf_section_table();
    let (mut needs, link) = table.gnu_verneed(endian, elf.data()).ok()??;
    let strings = table.strings(endian, elf.data(), link).ok()?;
    let mut best: Option<(Vec<u32>, String)> = None;
    while let Ok(Some((_, mut aux))) = needs.next() {
        while let Ok(Some(a)) = aux.next() {
            let Ok(name) = a.name(endian, strings) else {
                continue;
            };
            let Some(v) = std::str::from_utf8(name)
                .ok()
                .and_then(|n| n.strip_prefix("GLIBC_"))
            else {
                continue;
            };
            let Ok(key) = v
                .split('.')
                .map(str::parse)
                .collect::<Result<Vec<u32>, _>>()
            else {
                continue;
            };
            if best.as_ref().is_none_or(|(k, _)| key > *k) {
                best = Some((key, v.to_string()));
            }
        }
    }
    best.map(|(_, v)| v)
}

/// Whether a section is debug info: decided by its flags or segment, never by name alone.
fn is_debug_info(section: &object::Section<'_, '_>) -> bool {
    let name = section.name().unwrap_or("");
    let dwarf_name = name.starts_with(".debug_") || name.starts_with(".zdebug_");
    match section.flags() {
        object::SectionFlags::Elf { sh_flags } => {
            dwarf_name && sh_flags & u64::from(object::elf::SHF_ALLOC) == 0
        }
        object::SectionFlags::MachO { .. } => {
            section.segment_name().ok().flatten() == Some("__DWARF")
        }
        // PE has no notion of an unloaded section; mingw keeps DWARF in `.debug_*` sections
        // (marked discardable), which no Windows tool reads at run time.
        object::SectionFlags::Coff { .. } => dwarf_name,
        _ => dwarf_name,
    }
}

/// PE: a COFF symbol table (what `strip` removes from a mingw binary).
fn pe_has_coff_symbols(data: &[u8]) -> bool {
    use object::read::pe::ImageNtHeaders;
    fn check<H: ImageNtHeaders>(data: &[u8]) -> bool {
        let Ok(dos) = object::pe::ImageDosHeader::parse(data) else {
            return false;
        };
        let mut offset = dos.nt_headers_offset().into();
        let Ok((nt, _)) = H::parse(data, &mut offset) else {
            return false;
        };
        let fh = nt.file_header();
        fh.pointer_to_symbol_table.get(object::LittleEndian) != 0
            && fh.number_of_symbols.get(object::LittleEndian) != 0
    }
    check::<object::pe::ImageNtHeaders64>(data) || check::<object::pe::ImageNtHeaders32>(data)
}

fn has_interp(data: &[u8]) -> bool {
    use object::read::elf::{FileHeader, ProgramHeader};
    const PT_INTERP: u32 = 3;
    if let Ok(h) = object::elf::FileHeader64::<object::Endianness>::parse(data) {
        if let (Ok(e), Ok(phs)) = (
            h.endian(),
            h.program_headers(h.endian().unwrap_or(object::Endianness::Little), data),
        ) {
            return phs.iter().any(|p| p.p_type(e) == PT_INTERP);
        }
    }
    if let Ok(h) = object::elf::FileHeader32::<object::Endianness>::parse(data) {
        if let (Ok(e), Ok(phs)) = (
            h.endian(),
            h.program_headers(h.endian().unwrap_or(object::Endianness::Little), data),
        ) {
            return phs.iter().any(|p| p.p_type(e) == PT_INTERP);
        }
    }
    false
}

/// What a triple needs: (format, arch, bits); bits is 0 for an architecture crossdock
/// cannot check (never guessed).
pub fn expected(triple: &str) -> (&'static str, String, u8) {
    let t = Triple::new(triple);
    let (arch, bits) = match t.cpu() {
        Some((a, b)) => (a.to_string(), b),
        None => (t.arch_text().to_string(), 0),
    };
    (t.format().name(), arch, bits)
}

/// Checks a binary (or a library file, by `kind`) against its triple and the strip setting
/// it was built with; the error says what it is and what is needed.
pub fn verify(
    path: &Path,
    data: &[u8],
    triple: &str,
    strip: Strip,
    kind: ArtifactKind,
) -> Result<Inspection> {
    verify_set_in(path, data, triple, strip, kind, &|_| "targets.toml")
}

/// Which file sets a target's key (`file_of("linker")`), for the fixes that name one.
pub type FileOf<'a> = &'a dyn Fn(&str) -> &'a str;

/// `the target's `linker` and `cargo`/`rustc` in FILE`, or each key with its file when two
/// files set them: `keys` are (shown name, key) pairs.
fn keys_in(file_of: FileOf, keys: &[(&str, &str)]) -> String {
    let files: Vec<&str> = keys.iter().map(|(_, k)| file_of(k)).collect();
    if files.windows(2).all(|w| w[0] == w[1]) {
        let names: Vec<&str> = keys.iter().map(|(n, _)| *n).collect();
        return format!("{} in {}", names.join(" and "), files[0]);
    }
    let each: Vec<String> = keys
        .iter()
        .zip(&files)
        .map(|((n, _), f)| format!("{n} in {f}"))
        .collect();
    each.join(" and ")
}

/// [`verify`], for a target whose settings are in `config` (the file the fixes name:
/// `targets.toml`, the `--config` file, or the local overlay for the keys it set).
pub fn verify_set_in(
    path: &Path,
    data: &[u8],
    triple: &str,
    strip: Strip,
    kind: ArtifactKind,
    file_of: FileOf,
) -> Result<Inspection> {
    let got = inspect(data)
        .with_context(|| format!("{} is {}", path.display(), "not a binary for any target"))
        .map_err(|e| {
            anyhow::anyhow!(
                "{}: {:#}; target {triple} needs {}",
                path.display(),
                e.root_cause(),
                describe_expected(triple)
            )
        })?;
    let (format, arch, bits) = expected(triple);
    if bits == 0 {
        bail!(
            "{}: crossdock cannot check binaries for the architecture of {triple} (`{arch}`); this one is a {got}",
            path.display()
        );
    }
    if got.format != format || got.arch != arch || got.bits != bits {
        bail!(
            "{}: is a {got} binary, but target {triple} needs {}; refusing to archive it (check the target's {})",
            path.display(),
            describe_expected(triple),
            keys_in(file_of, &[("`linker`", "linker"), ("`cargo`/`rustc`", "rustc")])
        );
    }
    let t = Triple::new(triple);
    check_holds(path, triple, kind, &got, file_of)?;
    if got.holds == Holds::Archive {
        // Objects of a static library keep their symbols and the debug info of the std
        // they come from: a linker needs the one and strips the other.
        return Ok(got);
    }
    if t.is_musl() && kind.is_binary() && got.static_elf == Some(false) {
        bail!(
            "{}: is dynamically linked (has an ELF interpreter), but a {triple} binary is shipped static; build with `-C relocation-model=static` or `crt-static` (rustflags for this target)",
            path.display()
        );
    }
    if t.is_windows()
        && got.subsystem.as_deref() != Some("console")
        && got.subsystem.as_deref() != Some("gui")
    {
        bail!(
            "{}: PE file with {:?} is not a Windows executable",
            path.display(),
            got.subsystem
        );
    }
    if t.is_apple() {
        check_code_signature(path, data, &got)?;
    }
    if strip != Strip::None && !got.debug_info.is_empty() {
        bail!(
            "{}: still has debug info ({}) after stripping; crossdock ships it without (the build passes profile strip={}; check that no later step re-adds debug info, or set `strip = false` in {} to ship it as built)",
            path.display(),
            got.debug_info.join(", "),
            strip.profile_value(),
            file_of("strip")
        );
    }
    if strip == Strip::Symbols && got.symbol_table {
        bail!(
            "{}: still has a symbol table after stripping; crossdock ships it without (the build passes profile strip=true; set `strip = \"debuginfo\"` in {} to keep symbols)",
            path.display(),
            file_of("strip")
        );
    }
    Ok(got)
}

/// arm64 macOS runs only signed code (ad hoc is enough), so an arm64 binary must carry a
/// signature that matches its bytes; any other Mach-O may be unsigned, but a broken
/// signature is refused on every architecture (macOS kills the process when a page does not
/// match).
fn check_code_signature(path: &Path, data: &[u8], got: &Inspection) -> Result<()> {
    use super::codesign::{check, Signature};
    match check(data) {
        Signature::Valid { .. } => Ok(()),
        Signature::Unsigned if got.arch != "aarch64" => Ok(()),
        Signature::Unsigned => bail!(
            "{}: arm64 Mach-O without a code signature; Apple Silicon refuses to run it. Link with a linker that signs ad hoc (Apple's ld64 and zig do), or sign it after the build: `codesign -s - FILE` on macOS, `rcodesign sign FILE` elsewhere",
            path.display()
        ),
        Signature::Broken(why) => bail!(
            "{}: its code signature is broken ({why}); macOS kills it at launch. Something changed the file after it was signed (a strip or patch step that does not re-sign): sign it again with `codesign -s - FILE` on macOS or `rcodesign sign FILE` elsewhere, or link with a linker that signs ad hoc (ld64/zig do)",
            path.display()
        ),
    }
}

/// A library file must be what its kind builds: a `cdylib` a shared library, a
/// `staticlib` or import library an archive of objects; a binary is not an archive.
fn check_holds(
    path: &Path,
    triple: &str,
    kind: ArtifactKind,
    got: &Inspection,
    file_of: FileOf,
) -> Result<()> {
    let want = match kind {
        ArtifactKind::Binary if got.holds == Holds::Archive => Holds::Program,
        ArtifactKind::Binary => return Ok(()),
        ArtifactKind::Cdylib | ArtifactKind::NodeModule => Holds::SharedLibrary,
        ArtifactKind::Staticlib | ArtifactKind::ImportLibrary => Holds::Archive,
    };
    if got.holds != want {
        let shared = match Triple::new(triple).format() {
            crate::model::triple::Format::Elf => "an ELF shared object (ET_DYN, no PT_INTERP)",
            crate::model::triple::Format::MachO => "a Mach-O MH_DYLIB or MH_BUNDLE",
            crate::model::triple::Format::Pe => "a PE DLL",
        };
        let needs = match want {
            Holds::SharedLibrary => shared.to_string(),
            Holds::Archive => format!("an `ar` archive of {} objects", describe_expected(triple)),
            _ => format!("a {} program", describe_expected(triple)),
        };
        bail!(
            "{}: is {} ({got}), but a {} for {triple} must be {needs}; refusing to archive it (check `crate-type` in the package's [lib] and the target's {})",
            path.display(),
            got.holds.name(),
            kind.name(),
            keys_in(file_of, &[("`linker`", "linker"), ("`rustflags`", "rustflags")])
        );
    }
    Ok(())
}

fn describe_expected(triple: &str) -> String {
    let (f, a, b) = expected(triple);
    format!("{f} {b}-bit {a}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use object::Architecture;

    #[test]
    fn expected_formats() {
        assert_eq!(
            expected("aarch64-apple-darwin"),
            ("Mach-O", "aarch64".into(), 64)
        );
        assert_eq!(
            expected("x86_64-pc-windows-gnu"),
            ("PE", "x86_64".into(), 64)
        );
        assert_eq!(
            expected("i686-unknown-linux-gnu"),
            ("ELF", "x86".into(), 32)
        );
    }

    #[cfg(all(target_os = "linux", target_arch = "x86_64"))] // judges the test binary itself
    #[test]
    fn host_binary_is_elf_x86_64_and_refused_for_aarch64() {
        let exe = std::env::current_exe().unwrap();
        let data = std::fs::read(&exe).unwrap();
        let i = inspect(&data).unwrap();
        assert_eq!(
            (i.format.as_str(), i.arch.as_str(), i.bits),
            ("ELF", std::env::consts::ARCH, 64)
        );
        let e = verify(
            &exe,
            &data,
            "aarch64-unknown-linux-gnu",
            Strip::None,
            ArtifactKind::Binary,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("needs ELF 64-bit aarch64"), "{e}");
    }

    #[test]
    fn text_file_is_refused() {
        let e = verify(
            Path::new("x"),
            b"#!/bin/sh\necho hi\n",
            "x86_64-unknown-linux-gnu",
            Strip::Symbols,
            ArtifactKind::Binary,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("not an ELF, PE or Mach-O"), "{e}");
    }

    /// A real object file of `format` with the given (segment, name, kind, flags) sections.
    fn object_with(
        format: BinaryFormat,
        sections: &[(&str, &str, object::SectionKind, Option<u64>)],
    ) -> Vec<u8> {
        use object::write::Object as Writer;
        let mut w = Writer::new(format, Architecture::X86_64, object::Endianness::Little);
        for (segment, name, kind, elf_flags) in sections {
            let id = w.add_section(segment.as_bytes().to_vec(), name.as_bytes().to_vec(), *kind);
            w.append_section_data(id, b"\x01gdb_load_rust_pretty_printers.py\0", 1);
            if let Some(f) = elf_flags {
                w.section_mut(id).flags = object::SectionFlags::Elf { sh_flags: *f };
            }
        }
        w.write().unwrap()
    }

    #[test]
    fn elf_allocated_debug_gdb_scripts_is_not_debug_info() {
        let alloc = u64::from(object::elf::SHF_ALLOC);
        let data = object_with(
            BinaryFormat::Elf,
            &[(
                "",
                ".debug_gdb_scripts",
                object::SectionKind::ReadOnlyData,
                Some(alloc),
            )],
        );
        assert_eq!(inspect(&data).unwrap().debug_info, Vec::<String>::new());

        let data = object_with(
            BinaryFormat::Elf,
            &[
                (
                    "",
                    ".debug_gdb_scripts",
                    object::SectionKind::ReadOnlyData,
                    Some(alloc),
                ),
                ("", ".debug_info", object::SectionKind::Debug, Some(0)),
                ("", ".zdebug_line", object::SectionKind::Debug, Some(0)),
            ],
        );
        assert_eq!(
            inspect(&data).unwrap().debug_info,
            vec![".debug_info".to_string(), ".zdebug_line".to_string()]
        );
    }

    #[test]
    fn elf_symbol_table_is_seen() {
        use object::write::{Object as Writer, Symbol, SymbolSection};
        let mut w = Writer::new(
            BinaryFormat::Elf,
            Architecture::X86_64,
            object::Endianness::Little,
        );
        let text = w.section_id(object::write::StandardSection::Text);
        w.add_symbol(Symbol {
            name: b"main".to_vec(),
            value: 0,
            size: 0,
            kind: object::SymbolKind::Text,
            scope: object::SymbolScope::Linkage,
            weak: false,
            section: SymbolSection::Section(text),
            flags: object::SymbolFlags::None,
        });
        let i = inspect(&w.write().unwrap()).unwrap();
        assert!(i.symbol_table);
    }

    #[test]
    fn macho_debug_info_is_the_dwarf_segment() {
        let data = object_with(
            BinaryFormat::MachO,
            &[
                ("__TEXT", "__text", object::SectionKind::Text, None),
                // A name that looks like DWARF outside __DWARF is program data.
                ("__DATA", "__debug_line", object::SectionKind::Data, None),
            ],
        );
        assert!(inspect(&data).unwrap().debug_info.is_empty());
        let data = object_with(
            BinaryFormat::MachO,
            &[
                ("__TEXT", "__text", object::SectionKind::Text, None),
                ("__DWARF", "__debug_info", object::SectionKind::Debug, None),
            ],
        );
        assert_eq!(inspect(&data).unwrap().debug_info, vec!["__debug_info"]);
    }

    #[test]
    fn coff_dwarf_sections_are_debug_info() {
        let data = object_with(
            BinaryFormat::Coff,
            &[
                ("", ".text", object::SectionKind::Text, None),
                ("", ".debug_info", object::SectionKind::Debug, None),
            ],
        );
        assert_eq!(inspect(&data).unwrap().debug_info, vec![".debug_info"]);
    }

    #[test]
    fn strip_setting_decides_what_is_refused() {
        let data = object_with(
            BinaryFormat::Elf,
            &[("", ".debug_info", object::SectionKind::Debug, Some(0))],
        );
        let host = "x86_64-unknown-linux-gnu";
        let p = Path::new("app");
        let e = verify(p, &data, host, Strip::Symbols, ArtifactKind::Binary)
            .unwrap_err()
            .to_string();
        assert!(e.contains("still has debug info (.debug_info)"), "{e}");
        assert!(e.contains("strip = false"), "{e}");
        let e = verify(p, &data, host, Strip::Debuginfo, ArtifactKind::Binary)
            .unwrap_err()
            .to_string();
        assert!(e.contains("strip=\"debuginfo\""), "{e}");
        // As built: the user chose to ship debug info.
        verify(p, &data, host, Strip::None, ArtifactKind::Binary).unwrap();
    }

    #[test]
    fn fat_file_is_refused() {
        let e = inspect(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2])
            .unwrap_err()
            .to_string();
        assert!(e.contains("universal"), "{e}");
    }

    fn macho_fixture(name: &str) -> Vec<u8> {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/fixtures/macho")
                .join(name),
        )
        .unwrap()
    }

    #[test]
    fn arm64_macho_needs_a_valid_code_signature() {
        let t = "aarch64-apple-darwin";
        let p = Path::new("hello");
        let good = macho_fixture("hello-arm64");
        verify(p, &good, t, Strip::None, ArtifactKind::Binary).unwrap();

        let mut flipped = good.clone();
        let text = {
            let f = object::File::parse(&*good).unwrap();
            f.section_by_name("__text").unwrap().file_range().unwrap().0 as usize
        };
        flipped[text] ^= 0x80;
        let e = verify(p, &flipped, t, Strip::None, ArtifactKind::Binary)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("code signature is broken (page 0 ") && e.contains("codesign -s -"),
            "{e}"
        );

        let sig_start = good.len() - 248;
        let e = verify(
            p,
            &good[..sig_start + 8],
            t,
            Strip::None,
            ArtifactKind::Binary,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("truncated"), "{e}");

        // No LC_CODE_SIGNATURE at all: rename the command (to LC_NOTE-like 0x31 would need a
        // payload; an unknown command id is skipped by readers) and drop the blob.
        let mut unsigned = good[..sig_start].to_vec();
        let at = (32..unsigned.len() - 4)
            .step_by(4)
            .find(|&o| unsigned[o..o + 8] == [0x1d, 0, 0, 0, 16, 0, 0, 0])
            .unwrap();
        unsigned[at] = 0x7f;
        let e = verify(p, &unsigned, t, Strip::None, ArtifactKind::Binary)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("arm64 Mach-O without a code signature")
                && e.contains("rcodesign sign")
                && e.contains("signs ad hoc"),
            "{e}"
        );
    }

    #[test]
    fn x86_64_macho_may_be_unsigned() {
        let data = macho_fixture("hello-x86_64");
        verify(
            Path::new("hello"),
            &data,
            "x86_64-apple-darwin",
            Strip::None,
            ArtifactKind::Binary,
        )
        .unwrap();
    }

    #[test]
    #[allow(clippy::disallowed_methods)] // runs objdump itself, as an outside judge
    fn glibc_floor_of_the_test_binary_matches_objdump() {
        let exe = std::env::current_exe().unwrap();
        let got = inspect(&std::fs::read(&exe).unwrap()).unwrap().glibc;
        if !cfg!(all(target_os = "linux", target_env = "gnu")) {
            assert_eq!(got, None);
            return;
        }
        // The outside judge: objdump's dynamic symbols, highest GLIBC_ version.
        let Ok(out) = std::process::Command::new("objdump")
            .arg("-T")
            .arg(&exe)
            .output()
        else {
            eprintln!("SKIPPED: objdump is not installed");
            return;
        };
        let text = String::from_utf8_lossy(&out.stdout);
        let mut versions: Vec<Vec<u32>> = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .filter_map(|w| w.strip_prefix("GLIBC_"))
            .filter_map(|v| v.split('.').map(|n| n.parse().ok()).collect())
            .collect();
        versions.sort();
        let want = versions
            .last()
            .map(|v| v.iter().map(u32::to_string).collect::<Vec<_>>().join("."));
        assert!(
            want.is_some(),
            "objdump -T shows no GLIBC_ version:\n{text}"
        );
        assert_eq!(got, want);
    }

    #[test]
    fn non_elf_has_no_glibc() {
        assert_eq!(inspect(&macho_fixture("hello-arm64")).unwrap().glibc, None);
    }
}
