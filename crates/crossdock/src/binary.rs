//! Reads a built binary's headers (with `object`) and checks it against its target triple:
//! container format, CPU, bitness, and OS hints (a musl binary is static, a Windows one is
//! a console PE). A file that does not match is refused with what it is and what the triple
//! needs, so a wrong-architecture binary can never reach an archive. Pure over bytes.

use std::path::Path;

use anyhow::{bail, Context, Result};
use object::{Architecture, BinaryFormat, Object, ObjectSection};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Inspection {
    pub format: String,
    pub arch: String,
    pub bits: u8,
    /// ELF only: no `PT_INTERP` (statically linked).
    pub static_elf: Option<bool>,
    /// PE only: `console` or `gui`.
    pub subsystem: Option<String>,
    /// Debug sections still present.
    pub debug_sections: Vec<String>,
}

impl std::fmt::Display for Inspection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}-bit {}", self.format, self.bits, self.arch)?;
        if let Some(s) = self.static_elf {
            write!(f, ", {}", if s { "static" } else { "dynamically linked" })?;
        }
        if let Some(s) = &self.subsystem {
            write!(f, ", {s} subsystem")?;
        }
        Ok(())
    }
}

fn arch_name(a: Architecture) -> String {
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
    let debug_sections = file
        .sections()
        .filter_map(|s| s.name().ok().map(str::to_string))
        .filter(|n| {
            n.starts_with(".debug_") || n.starts_with("__debug_") || n.starts_with(".zdebug_")
        })
        .collect();
    let static_elf = match &file {
        object::File::Elf64(_) | object::File::Elf32(_) => Some(!has_interp(data)),
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
        static_elf,
        subsystem,
        debug_sections,
    })
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

/// What a triple needs: (format, arch, bits).
pub fn expected(triple: &str) -> (&'static str, String, u8) {
    let arch = triple.split('-').next().unwrap_or("");
    let (arch, bits) = match arch {
        "x86_64" | "x86_64h" => ("x86_64", 64),
        "aarch64" | "arm64" | "arm64e" => ("aarch64", 64),
        a if a.starts_with("i") && a.ends_with("86") => ("x86", 32),
        a if a.starts_with("arm") || a.starts_with("thumb") => ("arm", 32),
        a if a.starts_with("riscv64") => ("riscv64", 64),
        "powerpc64" | "powerpc64le" => ("powerpc64", 64),
        "s390x" => ("s390x", 64),
        other => (other, 64),
    };
    let format = if triple.contains("-apple-") {
        "Mach-O"
    } else if triple.contains("-windows") {
        "PE"
    } else {
        "ELF"
    };
    (format, arch.to_string(), bits)
}

/// Checks a binary against its triple; the error says what it is and what is needed.
pub fn verify(path: &Path, data: &[u8], triple: &str) -> Result<Inspection> {
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
    if got.format != format || got.arch != arch || got.bits != bits {
        bail!(
            "{}: is a {got} binary, but target {triple} needs {}; refusing to archive it (check the target's `linker` and `cargo`/`rustc` in targets.toml)",
            path.display(),
            describe_expected(triple)
        );
    }
    if triple.contains("-musl") && got.static_elf == Some(false) {
        bail!(
            "{}: is dynamically linked (has an ELF interpreter), but a {triple} binary is shipped static; build with `-C relocation-model=static` or `crt-static` (rustflags for this target)",
            path.display()
        );
    }
    if triple.contains("-windows")
        && got.subsystem.as_deref() != Some("console")
        && got.subsystem.as_deref() != Some("gui")
    {
        bail!(
            "{}: PE file with {:?} is not a Windows executable",
            path.display(),
            got.subsystem
        );
    }
    if !got.debug_sections.is_empty() {
        bail!(
            "{}: still has debug sections ({}) after stripping; crossdock ships stripped binaries (the build passes profile strip=true; check that no later step re-adds debug info)",
            path.display(),
            got.debug_sections.join(", ")
        );
    }
    Ok(got)
}

fn describe_expected(triple: &str) -> String {
    let (f, a, b) = expected(triple);
    format!("{f} {b}-bit {a}")
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn host_binary_is_elf_x86_64_and_refused_for_aarch64() {
        let exe = std::env::current_exe().unwrap();
        let data = std::fs::read(&exe).unwrap();
        let i = inspect(&data).unwrap();
        assert_eq!(
            (i.format.as_str(), i.arch.as_str(), i.bits),
            ("ELF", std::env::consts::ARCH, 64)
        );
        let e = verify(&exe, &data, "aarch64-unknown-linux-gnu")
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
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("not an ELF, PE or Mach-O"), "{e}");
    }

    #[test]
    fn fat_file_is_refused() {
        let e = inspect(&[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2])
            .unwrap_err()
            .to_string();
        assert!(e.contains("universal"), "{e}");
    }
}
