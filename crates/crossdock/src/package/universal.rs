//! Universal ("fat") Mach-O files: the builtin `lipo`.
//!
//! macOS ships one executable for Intel and Apple silicon Macs by gluing the thin Mach-O files
//! of each architecture into one universal binary: a big-endian `fat_header`, one `fat_arch`
//! record per slice, then each slice at an aligned offset. crossdock builds those on Linux CI,
//! where Apple's `lipo` does not exist and `llvm-lipo` may not be installed, so this module
//! writes them itself. It is pure over bytes (it never starts a process) and produces output
//! **byte-identical to `llvm-lipo-14 -create`**, which itself copies cctools `lipo`: same slice
//! order, alignments, offsets and padding. Identical bytes mean identical checksums whichever
//! tool a release was made with, so switching between the builtin and llvm-lipo is invisible.
//!
//! The rules below are taken from LLVM 14's `llvm/lib/Object/MachOUniversalWriter.cpp`
//! (`calculateAlignment`, `calculateFileAlignment`, `buildFatArchList`,
//! `writeUniversalBinaryToStream`), `llvm/include/llvm/Object/MachOUniversalWriter.h`
//! (`Slice::operator<`) and `llvm/tools/llvm-lipo/llvm-lipo.cpp` (`createUniversalBinary`:
//! `checkArchDuplicates`, then `llvm::stable_sort`). One deliberate extension: where llvm-lipo 14
//! refuses a file whose offsets pass 4 GiB, we switch to `FAT_MAGIC_64`/`fat_arch_64` (the
//! layout newer llvm-lipo and cctools write with `-fat64`).

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use anyhow::{bail, ensure, Context, Result};

const FAT_MAGIC: u32 = 0xcafe_babe;
const FAT_MAGIC_64: u32 = 0xcafe_babf;
const FAT_HEADER_SIZE: u64 = 8;
const FAT_ARCH_SIZE: u64 = 20;
const FAT_ARCH_64_SIZE: u64 = 32;
const CPU_SUBTYPE_MASK: u32 = 0xff00_0000;
const CPU_TYPE_X86: u32 = 7;
const CPU_TYPE_X86_64: u32 = 0x0100_0007;
const CPU_TYPE_ARM: u32 = 12;
const CPU_TYPE_ARM64: u32 = 0x0100_000c;
const CPU_TYPE_ARM64_32: u32 = 0x0200_000c;
const CPU_TYPE_POWERPC: u32 = 18;
const CPU_TYPE_POWERPC64: u32 = 0x0100_0012;
const MH_OBJECT: u32 = 1;
const LC_SEGMENT: u32 = 0x1;
const LC_SEGMENT_64: u32 = 0x19;
/// `MachOUniversalBinary::MaxSectionAlignment`: 2^15.
const MAX_SECTION_ALIGNMENT: u32 = 15;

/// Joins thin Mach-O files into one fat file at `output` (atomically via
/// [`crate::package::archive::write_atomic`]; the slices are streamed, never held in memory).
pub fn create_file(inputs: &[&Path], output: &Path) -> Result<()> {
    let mut files = Vec::with_capacity(inputs.len());
    let mut metas = Vec::with_capacity(inputs.len());
    let mut names = Vec::with_capacity(inputs.len());
    let mut executable = false;
    for path in inputs {
        let name = path.display().to_string();
        let mut file = File::open(path).with_context(|| format!("cannot read {name}"))?;
        let meta = file
            .metadata()
            .with_context(|| format!("cannot stat {name}"))?;
        executable |= crate::sys::fs::is_executable(path);
        let head =
            read_head(&mut file, meta.len()).with_context(|| format!("cannot read {name}"))?;
        metas.push(parse_thin(&name, &head, meta.len())?);
        files.push(file);
        names.push(name);
    }
    check_duplicates(&metas, &names)?;
    let layout = layout(&metas)?;
    // llvm-lipo makes the output executable when any input is.
    let mode = if executable { 0o755 } else { 0o644 };
    crate::sys::fs::write_atomic(output, mode, |out| {
        out.write_all(&layout.header())?;
        let mut pos = layout.header_len();
        for (arch, &i) in layout.archs.iter().zip(&layout.order) {
            write_zeros(out, arch.offset - pos)?;
            let mut src = &files[i];
            src.seek(SeekFrom::Start(0))?;
            let mut src = src.take(arch.size);
            let copied =
                io::copy(&mut src, out).with_context(|| format!("copying {}", names[i]))?;
            ensure!(
                copied == arch.size,
                "{} changed while it was being copied ({copied} of {} bytes)",
                names[i],
                arch.size
            );
            pos = arch.offset + arch.size;
        }
        Ok(())
    })?;
    Ok(())
}

/// In-memory version of [`create_file`]; inputs are named "input #1", "input #2", ... in errors.
/// Only the tests join slices in memory; the product streams files.
#[cfg(test)]
pub fn create(inputs: &[&[u8]]) -> Result<Vec<u8>> {
    let names: Vec<String> = (1..=inputs.len()).map(|n| format!("input #{n}")).collect();
    let metas = inputs
        .iter()
        .zip(&names)
        .map(|(data, name)| parse_thin(name, data, data.len() as u64))
        .collect::<Result<Vec<_>>>()?;
    check_duplicates(&metas, &names)?;
    let layout = layout(&metas)?;
    let total =
        usize::try_from(layout.total_size).context("universal binary too large for memory")?;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&layout.header());
    for (arch, &i) in layout.archs.iter().zip(&layout.order) {
        out.resize(arch.offset as usize, 0);
        out.extend_from_slice(inputs[i]);
    }
    Ok(out)
}

/// Architecture names of each slice in file order, like `lipo -archs` ("x86_64", "arm64",
/// "arm64e", "i386", "armv7", ...). A thin Mach-O gives one name.
pub fn archs(data: &[u8]) -> Result<Vec<String>> {
    if is_fat(data) {
        return Ok(parse_fat(data)?
            .iter()
            .map(|a| arch_name(a.cputype, a.cpusubtype))
            .collect());
    }
    let thin = parse_thin("input", data, data.len() as u64)?;
    Ok(vec![arch_name(thin.cputype, thin.cpusubtype)])
}

/// `lipo -info`-style one-line description, e.g. "Architectures in the fat file: F are: x86_64
/// arm64" / "Non-fat file: F is architecture: x86_64" (without lipo's trailing space).
pub fn info(data: &[u8], name: &str) -> Result<String> {
    let archs = archs(data)
        .with_context(|| format!("cannot read {name}"))?
        .join(" ");
    Ok(if is_fat(data) {
        format!("Architectures in the fat file: {name} are: {archs}")
    } else {
        format!("Non-fat file: {name} is architecture: {archs}")
    })
}

/// Extracts the slice for `arch` (like `lipo -thin`): the exact bytes of the original thin file.
/// The tests' judge that a fat file holds its inputs unchanged.
#[cfg(test)]
pub fn thin(data: &[u8], arch: &str) -> Result<Vec<u8>> {
    ensure!(
        is_fat(data),
        "the input must be a universal (fat) file to take `{arch}` out of it"
    );
    let fat = parse_fat(data)?;
    let found = fat.iter().find(|a| {
        arch_name(a.cputype, a.cpusubtype) == arch
            || arch_flag(a.cputype, a.cpusubtype) == Some(arch)
    });
    let Some(a) = found else {
        let have: Vec<String> = fat
            .iter()
            .map(|a| arch_name(a.cputype, a.cpusubtype))
            .collect();
        bail!(
            "the universal file has no `{arch}` slice (it has: {})",
            have.join(" ")
        );
    };
    Ok(data[a.offset as usize..(a.offset + a.size) as usize].to_vec())
}

/// True for a fat Mach-O (FAT_MAGIC / FAT_MAGIC_64). Like llvm's `identify_magic`, a `cafebabe`
/// file whose 8th byte is 43 or more is a Java class file, not a universal binary.
pub fn is_fat(data: &[u8]) -> bool {
    data.len() >= 8 && matches!(be32(data, 0), Some(FAT_MAGIC | FAT_MAGIC_64)) && data[7] < 43
}

/// What the layout needs to know about one thin input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct SliceMeta {
    cputype: u32,
    cpusubtype: u32,
    size: u64,
    /// log2 of the slice alignment, as llvm-lipo's `calculateAlignment` chooses it.
    align: u32,
}

/// One `fat_arch` / `fat_arch_64` record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FatArch {
    cputype: u32,
    cpusubtype: u32,
    offset: u64,
    size: u64,
    align: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Layout {
    fat64: bool,
    /// Input index of each slice, in file order.
    order: Vec<usize>,
    archs: Vec<FatArch>,
    total_size: u64,
}

impl Layout {
    fn header_len(&self) -> u64 {
        FAT_HEADER_SIZE + self.archs.len() as u64 * entry_size(self.fat64)
    }

    /// The big-endian `fat_header` and `fat_arch` records (llvm writes nothing between them and
    /// the zero padding before the first slice).
    fn header(&self) -> Vec<u8> {
        let mut h = Vec::with_capacity(self.header_len() as usize);
        h.extend_from_slice(&(if self.fat64 { FAT_MAGIC_64 } else { FAT_MAGIC }).to_be_bytes());
        h.extend_from_slice(&(self.archs.len() as u32).to_be_bytes());
        for a in &self.archs {
            h.extend_from_slice(&a.cputype.to_be_bytes());
            h.extend_from_slice(&a.cpusubtype.to_be_bytes());
            if self.fat64 {
                h.extend_from_slice(&a.offset.to_be_bytes());
                h.extend_from_slice(&a.size.to_be_bytes());
                h.extend_from_slice(&a.align.to_be_bytes());
                h.extend_from_slice(&0u32.to_be_bytes()); // reserved
            } else {
                h.extend_from_slice(&(a.offset as u32).to_be_bytes());
                h.extend_from_slice(&(a.size as u32).to_be_bytes());
                h.extend_from_slice(&a.align.to_be_bytes());
            }
        }
        h
    }
}

/// Orders the slices and places them as llvm-lipo does: `llvm::stable_sort` by `Slice::operator<`,
/// then `buildFatArchList`: the first offset is the header size rounded up to the slice's
/// alignment, each next one the end of the previous slice rounded up to its own alignment.
/// `fat_arch_64` is used only when some offset or size does not fit 32 bits.
fn layout(slices: &[SliceMeta]) -> Result<Layout> {
    ensure!(
        !slices.is_empty(),
        "a universal binary needs at least one input"
    );
    ensure!(u32::try_from(slices.len()).is_ok(), "too many slices");
    let mut order: Vec<usize> = (0..slices.len()).collect();
    libstdcxx_stable_sort(&mut order, &|&a: &usize, &b: &usize| {
        slice_less(&slices[a], &slices[b])
    });
    let narrow = place(slices, order.clone(), false)?;
    let limit = u64::from(u32::MAX);
    if narrow
        .archs
        .iter()
        .all(|a| a.offset <= limit && a.size <= limit)
    {
        return Ok(narrow);
    }
    place(slices, order, true)
}

fn place(slices: &[SliceMeta], order: Vec<usize>, fat64: bool) -> Result<Layout> {
    let entry = entry_size(fat64);
    let too_big = || anyhow::anyhow!("the universal binary would be larger than 2^64 bytes");
    let mut offset = FAT_HEADER_SIZE + slices.len() as u64 * entry;
    let mut archs = Vec::with_capacity(slices.len());
    for &i in &order {
        let s = slices[i];
        ensure!(
            s.align <= MAX_SECTION_ALIGNMENT,
            "slice alignment 2^{} is above 2^15",
            s.align
        );
        let mask = (1u64 << s.align) - 1;
        offset = offset.checked_add(mask).ok_or_else(too_big)? & !mask;
        archs.push(FatArch {
            cputype: s.cputype,
            cpusubtype: s.cpusubtype,
            offset,
            size: s.size,
            align: s.align,
        });
        offset = offset.checked_add(s.size).ok_or_else(too_big)?;
    }
    Ok(Layout {
        fat64,
        order,
        archs,
        total_size: offset,
    })
}

fn entry_size(fat64: bool) -> u64 {
    if fat64 {
        FAT_ARCH_64_SIZE
    } else {
        FAT_ARCH_SIZE
    }
}

/// `Slice::operator<` (MachOUniversalWriter.h): same CPU type → by subtype; arm64 after
/// everything else (cctools compatibility); otherwise by alignment. Not a strict weak order,
/// which is why the exact sorting algorithm below matters.
fn slice_less(l: &SliceMeta, r: &SliceMeta) -> bool {
    if l.cputype == r.cputype {
        return l.cpusubtype < r.cpusubtype;
    }
    if l.cputype == CPU_TYPE_ARM64 {
        return false;
    }
    if r.cputype == CPU_TYPE_ARM64 {
        return true;
    }
    l.align < r.align
}

/// Two inputs for one architecture cannot share a universal binary (`checkArchDuplicates`;
/// like cctools, capability bits of the subtype are ignored).
fn check_duplicates(metas: &[SliceMeta], names: &[String]) -> Result<()> {
    for (j, b) in metas.iter().enumerate() {
        let key = |m: &SliceMeta| (m.cputype, m.cpusubtype & !CPU_SUBTYPE_MASK);
        if let Some(i) = metas[..j].iter().position(|a| key(a) == key(b)) {
            bail!(
                "{} and {} have the same architecture {} and therefore cannot be in the same universal binary",
                names[i],
                names[j],
                arch_name(b.cputype, b.cpusubtype)
            );
        }
    }
    Ok(())
}

/// Reads the Mach-O header and load commands (as far as the file has them) from the start of
/// `file`, which is `len` bytes long.
fn read_head(file: &mut File, len: u64) -> io::Result<Vec<u8>> {
    let mut head = Vec::new();
    file.take(32.min(len)).read_to_end(&mut head)?;
    if let Some(want) = macho_header_size(&head)
        .and_then(|h| Some(h + u64::from(read_u32(&head, 20, big_endian(&head))?)))
    {
        if want <= len {
            file.take(want - head.len() as u64).read_to_end(&mut head)?;
        }
    }
    Ok(head)
}

/// Validates a thin Mach-O and returns its CPU type, subtype and llvm-lipo alignment. `head` holds
/// the file's first bytes (at least its header and load commands when the file has them), the
/// whole file being `len` bytes long. Errors name the input as `name`.
fn parse_thin(name: &str, head: &[u8], len: u64) -> Result<SliceMeta> {
    let what = if len == 0 {
        Some("is empty")
    } else if head.starts_with(b"\x7fELF") {
        Some("is an ELF file, not a thin Mach-O")
    } else if head.starts_with(b"MZ") {
        Some("is a PE (Windows) file, not a thin Mach-O")
    } else if head.starts_with(b"!<arch>\n") {
        Some("is an ar archive (static library), not a thin Mach-O executable or library")
    } else if is_fat(head) {
        Some("is already a universal binary; give its thin slices instead")
    } else if macho_header_size(head).is_none() {
        Some("is not a Mach-O file (unknown magic number)")
    } else {
        None
    };
    if let Some(what) = what {
        bail!("{name} {what}");
    }
    let Some(hdr) = macho_header_size(head).filter(|&h| h <= len) else {
        bail!("{name} is truncated: {len} bytes is shorter than a Mach-O header");
    };
    let be = big_endian(head);
    let field = |off: usize| read_u32(head, off, be).unwrap_or(0);
    let (cputype, cpusubtype, filetype, ncmds, sizeofcmds) =
        (field(4), field(8), field(12), field(16), field(20));
    let end = hdr + u64::from(sizeofcmds);
    if end > len || (head.len() as u64) < end {
        bail!(
            "{name} is truncated: its load commands end at byte {end} but the file has {len} bytes"
        );
    }
    let is64 = hdr == 32;
    let mut min_align = MAX_SECTION_ALIGNMENT;
    let mut off = hdr;
    for n in 0..ncmds {
        let corrupt =
            |why: &str| anyhow::anyhow!("{name} is not a valid Mach-O: load command {n} {why}");
        let (cmd, cmdsize) = match (
            read_u32(head, off as usize, be),
            read_u32(head, off as usize + 4, be),
        ) {
            (Some(c), Some(s)) if off + 8 <= end => (c, u64::from(s)),
            _ => return Err(corrupt("lies past the end of the load commands")),
        };
        if cmdsize < 8 || off + cmdsize > end {
            return Err(corrupt("has a bad size"));
        }
        if cmd == if is64 { LC_SEGMENT_64 } else { LC_SEGMENT } {
            let seg = &head[off as usize..(off + cmdsize) as usize];
            let (seg_size, sect_size, align_at) = if is64 { (72, 80, 52) } else { (56, 68, 44) };
            let word = |o: usize| read_u32(seg, o, be).unwrap_or(0);
            let wide = |o: usize| {
                if is64 {
                    read_u64(seg, o, be).unwrap_or(0)
                } else {
                    u64::from(word(o))
                }
            };
            let (vmaddr, fileoff, filesize) = if is64 {
                (wide(24), wide(40), wide(48))
            } else {
                (wide(24), wide(32), wide(36))
            };
            let nsects = word(if is64 { 64 } else { 48 });
            if cmdsize < seg_size + u64::from(nsects) * sect_size {
                return Err(corrupt("is a segment too small for its sections"));
            }
            if fileoff.saturating_add(filesize) > len {
                bail!(
                    "{name} is truncated: a segment ends at byte {} but the file has {len} bytes",
                    fileoff.saturating_add(filesize)
                );
            }
            // calculateFileAlignment: object files take the largest section alignment of each
            // segment (at least 2^2); others the alignment of each segment's address (an
            // address of 0 counts as 2^64, i.e. no constraint). The file's is the minimum.
            let current = if filetype == MH_OBJECT {
                let sects = (0..nsects as usize)
                    .map(|s| word(seg_size as usize + s * sect_size as usize + align_at));
                if nsects == 0 {
                    min_align
                } else {
                    sects.fold(2, u32::max)
                }
            } else if is64 {
                vmaddr.trailing_zeros()
            } else {
                (vmaddr as u32).trailing_zeros()
            };
            min_align = min_align.min(current);
        }
        off += cmdsize;
    }
    // calculateAlignment: the page size for x86/PPC (4K) and Darwin ARM (16K), else from the file.
    let align = match cputype {
        CPU_TYPE_X86 | CPU_TYPE_X86_64 | CPU_TYPE_POWERPC | CPU_TYPE_POWERPC64 => 12,
        CPU_TYPE_ARM | CPU_TYPE_ARM64 | CPU_TYPE_ARM64_32 => 14,
        _ => min_align.clamp(2, MAX_SECTION_ALIGNMENT),
    };
    Ok(SliceMeta {
        cputype,
        cpusubtype,
        size: len,
        align,
    })
}

/// Size of the Mach-O header for a thin Mach-O magic (either byte order), if `head` has one.
fn macho_header_size(head: &[u8]) -> Option<u64> {
    match head.get(..4)? {
        [0xfe, 0xed, 0xfa, 0xce] | [0xce, 0xfa, 0xed, 0xfe] => Some(28),
        [0xfe, 0xed, 0xfa, 0xcf] | [0xcf, 0xfa, 0xed, 0xfe] => Some(32),
        _ => None,
    }
}

/// Whether a thin Mach-O is big-endian (PowerPC): its magic then reads `feedface` in file order.
fn big_endian(head: &[u8]) -> bool {
    head.first() == Some(&0xfe)
}

/// A field of a Mach-O structure, in the file's byte order.
fn read_u32(data: &[u8], off: usize, be: bool) -> Option<u32> {
    let b: [u8; 4] = data.get(off..off.checked_add(4)?)?.try_into().ok()?;
    Some(if be {
        u32::from_be_bytes(b)
    } else {
        u32::from_le_bytes(b)
    })
}

fn read_u64(data: &[u8], off: usize, be: bool) -> Option<u64> {
    let b: [u8; 8] = data.get(off..off.checked_add(8)?)?.try_into().ok()?;
    Some(if be {
        u64::from_be_bytes(b)
    } else {
        u64::from_le_bytes(b)
    })
}

fn be32(data: &[u8], off: usize) -> Option<u32> {
    read_u32(data, off, true)
}

fn be64(data: &[u8], off: usize) -> Option<u64> {
    read_u64(data, off, true)
}

/// The `fat_arch` records of a universal file, checked to lie within it.
fn parse_fat(data: &[u8]) -> Result<Vec<FatArch>> {
    let fat64 = be32(data, 0) == Some(FAT_MAGIC_64);
    let count = be32(data, 4).context("the universal header is truncated")? as usize;
    let entry = entry_size(fat64) as usize;
    let mut archs = Vec::new();
    for i in 0..count {
        let at = FAT_HEADER_SIZE as usize + i * entry;
        let cut = || anyhow::anyhow!("the universal header is truncated (fat_arch #{})", i + 1);
        let word = |o: usize| be32(data, at + o).ok_or_else(cut);
        let a = if fat64 {
            let wide = |o: usize| be64(data, at + o).ok_or_else(cut);
            FatArch {
                cputype: word(0)?,
                cpusubtype: word(4)?,
                offset: wide(8)?,
                size: wide(16)?,
                align: word(24)?,
            }
        } else {
            let (offset, size) = (u64::from(word(8)?), u64::from(word(12)?));
            FatArch {
                cputype: word(0)?,
                cpusubtype: word(4)?,
                offset,
                size,
                align: word(16)?,
            }
        };
        if a.offset
            .checked_add(a.size)
            .is_none_or(|end| end > data.len() as u64)
        {
            bail!(
                "the universal file is truncated: its {} slice lies past the end",
                arch_name(a.cputype, a.cpusubtype)
            );
        }
        archs.push(a);
    }
    Ok(archs)
}

/// The architecture name llvm-lipo prints: the arch part of `MachOObjectFile::getArchTriple`
/// (so "thumbv7em" for armv7em), or "unknown(cputype,subtype)".
fn arch_name(cputype: u32, cpusubtype: u32) -> String {
    let triple_arch = match arch_flag(cputype, cpusubtype) {
        Some("armv7em") => Some("thumbv7em"),
        Some("armv7m") => Some("thumbv7m"),
        other => other,
    };
    match triple_arch {
        Some(name) => name.to_string(),
        None => format!("unknown({cputype},{})", cpusubtype & !CPU_SUBTYPE_MASK),
    }
}

/// The `-arch` flag name of a CPU type/subtype (`getArchTriple`'s `ArchFlag`).
fn arch_flag(cputype: u32, cpusubtype: u32) -> Option<&'static str> {
    Some(match (cputype, cpusubtype & !CPU_SUBTYPE_MASK) {
        (CPU_TYPE_X86, 3) => "i386",
        (CPU_TYPE_X86_64, 3) => "x86_64",
        (CPU_TYPE_X86_64, 8) => "x86_64h",
        (CPU_TYPE_ARM, 5) => "armv4t",
        (CPU_TYPE_ARM, 6) => "armv6",
        (CPU_TYPE_ARM, 7) => "armv5e",
        (CPU_TYPE_ARM, 8) => "xscale",
        (CPU_TYPE_ARM, 9) => "armv7",
        (CPU_TYPE_ARM, 11) => "armv7s",
        (CPU_TYPE_ARM, 12) => "armv7k",
        (CPU_TYPE_ARM, 14) => "armv6m",
        (CPU_TYPE_ARM, 15) => "armv7m",
        (CPU_TYPE_ARM, 16) => "armv7em",
        (CPU_TYPE_ARM64, 0) => "arm64",
        (CPU_TYPE_ARM64, 2) => "arm64e",
        (CPU_TYPE_ARM64_32, 1) => "arm64_32",
        (CPU_TYPE_POWERPC, 0) => "ppc",
        (CPU_TYPE_POWERPC64, 0) => "ppc64",
        _ => return None,
    })
}

fn write_zeros(out: &mut File, mut n: u64) -> io::Result<()> {
    const ZEROS: [u8; 8192] = [0; 8192];
    while n > 0 {
        let chunk = n.min(ZEROS.len() as u64) as usize;
        out.write_all(&ZEROS[..chunk])?;
        n -= chunk as u64;
    }
    Ok(())
}

mod stable_sort;
use stable_sort::libstdcxx_stable_sort;

#[cfg(test)]
mod tests;
