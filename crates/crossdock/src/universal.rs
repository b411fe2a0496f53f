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
use std::os::unix::fs::PermissionsExt;
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
/// [`crate::archive::write_atomic`]; the slices are streamed, never held in memory).
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
        executable |= meta.permissions().mode() & 0o111 != 0;
        let head =
            read_head(&mut file, meta.len()).with_context(|| format!("cannot read {name}"))?;
        metas.push(parse_thin(&name, &head, meta.len())?);
        files.push(file);
        names.push(name);
    }
    check_duplicates(&metas, &names)?;
    let layout = layout(&metas)?;
    crate::archive::write_atomic(output, |out| {
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
    if executable {
        // llvm-lipo makes the output executable when any input is.
        std::fs::set_permissions(output, std::fs::Permissions::from_mode(0o755))
            .with_context(|| format!("chmod {}", output.display()))?;
    }
    Ok(())
}

/// In-memory version of [`create_file`]; inputs are named "input #1", "input #2", ... in errors.
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

/// `std::stable_sort` step for step as libstdc++ runs it (read from GCC 12's `bits/stl_algo.h`;
/// Debian's llvm-lipo-14 links libstdc++, and older GCCs take the same steps): sort each half with
/// insertion-sorted chunks of 7 and buffered merge passes, then merge the halves (forwards if the
/// first half is not longer, else backwards). With a comparator that is not a strict weak
/// order, a different stable sort could give a different slice order.
fn libstdcxx_stable_sort<T: Copy>(v: &mut [T], less: &impl Fn(&T, &T) -> bool) {
    if v.is_empty() {
        return;
    }
    let mid = v.len().div_ceil(2);
    merge_sort_with_buffer(&mut v[..mid], less);
    merge_sort_with_buffer(&mut v[mid..], less);
    if mid <= v.len() - mid {
        let buf = v[..mid].to_vec();
        let (mut i, mut j) = (0, mid);
        for k in 0..v.len() {
            if i == buf.len() {
                break;
            }
            if j < v.len() && less(&v[j], &buf[i]) {
                v[k] = v[j];
                j += 1;
            } else {
                v[k] = buf[i];
                i += 1;
            }
        }
    } else if mid < v.len() {
        let buf = v[mid..].to_vec();
        let (mut l1, mut l2, mut r) = (mid - 1, buf.len() - 1, v.len());
        loop {
            r -= 1;
            if less(&buf[l2], &v[l1]) {
                v[r] = v[l1];
                if l1 == 0 {
                    v[r - l2 - 1..r].copy_from_slice(&buf[..=l2]);
                    return;
                }
                l1 -= 1;
            } else {
                v[r] = buf[l2];
                if l2 == 0 {
                    return;
                }
                l2 -= 1;
            }
        }
    }
}

fn merge_sort_with_buffer<T: Copy>(v: &mut [T], less: &impl Fn(&T, &T) -> bool) {
    const CHUNK: usize = 7;
    for chunk in v.chunks_mut(CHUNK) {
        for i in 1..chunk.len() {
            let val = chunk[i];
            if less(&val, &chunk[0]) {
                chunk.copy_within(0..i, 1);
                chunk[0] = val;
            } else {
                let mut j = i;
                while less(&val, &chunk[j - 1]) {
                    chunk[j] = chunk[j - 1];
                    j -= 1;
                }
                chunk[j] = val;
            }
        }
    }
    let mut buf = v.to_vec();
    let mut step = CHUNK;
    while step < v.len() {
        merge_sort_loop(v, &mut buf, step, less);
        step *= 2;
        merge_sort_loop(&buf, v, step, less);
        step *= 2;
    }
}

fn merge_sort_loop<T: Copy>(src: &[T], dst: &mut [T], step: usize, less: &impl Fn(&T, &T) -> bool) {
    let mut start = 0;
    while src.len() - start >= 2 * step {
        let end = start + 2 * step;
        move_merge(
            &src[start..start + step],
            &src[start + step..end],
            &mut dst[start..end],
            less,
        );
        start = end;
    }
    let split = start + step.min(src.len() - start);
    move_merge(&src[start..split], &src[split..], &mut dst[start..], less);
}

fn move_merge<T: Copy>(a: &[T], b: &[T], out: &mut [T], less: &impl Fn(&T, &T) -> bool) {
    let (mut i, mut j) = (0, 0);
    for slot in out.iter_mut().take(a.len() + b.len()) {
        if j < b.len() && (i == a.len() || less(&b[j], &a[i])) {
            *slot = b[j];
            j += 1;
        } else {
            *slot = a[i];
            i += 1;
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/macho/");
    const X86: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/macho/hello-x86_64"
    );
    const ARM: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/macho/hello-arm64"
    );
    const FAT: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/fixtures/macho/hello-universal.llvm-lipo"
    );
    const GIB: u64 = 1 << 30;

    fn read(path: &str) -> Vec<u8> {
        std::fs::read(path)
            .unwrap_or_else(|e| panic!("fixture {path}: {e} (see {DIR}make-fixtures.sh)"))
    }

    /// Byte equality that reports where two large files first differ instead of dumping them.
    #[track_caller]
    fn assert_same(ours: &[u8], want: &[u8], what: &str) {
        if ours != want {
            let at = ours.iter().zip(want).position(|(a, b)| a != b);
            let (lo, lw) = (ours.len(), want.len());
            panic!("{what}: bytes differ (first at {at:?}; lengths {lo} vs {lw})");
        }
    }

    fn meta(cputype: u32, size: u64, align: u32) -> SliceMeta {
        SliceMeta {
            cputype,
            cpusubtype: 0,
            size,
            align,
        }
    }

    /// A synthetic thin Mach-O of `size` bytes: one segment per `(vmaddr, section aligns)`, the
    /// first covering the whole file. 64-bit for 64-bit CPU types; big-endian if `be`.
    fn synth(cputype: u32, sub: u32, filetype: u32, segs: &[(u64, &[u32])], be: bool) -> Vec<u8> {
        let is64 = cputype & 0x0100_0000 != 0;
        let (u32b, u64b) = (
            |v: u32| if be { v.to_be_bytes() } else { v.to_le_bytes() },
            |v: u64| if be { v.to_be_bytes() } else { v.to_le_bytes() },
        );
        let mut cmds = Vec::new();
        for (n, (vmaddr, aligns)) in segs.iter().enumerate() {
            let (fileoff, filesize) = if n == 0 { (0, 512) } else { (0, 0) };
            let size = if is64 {
                72 + 80 * aligns.len()
            } else {
                56 + 68 * aligns.len()
            } as u32;
            cmds.extend(u32b(if is64 { LC_SEGMENT_64 } else { LC_SEGMENT }));
            cmds.extend(u32b(size));
            cmds.extend(*b"__SEG\0\0\0\0\0\0\0\0\0\0\0");
            for v in [*vmaddr, 0x1000, fileoff, filesize] {
                cmds.extend(if is64 {
                    u64b(v).to_vec()
                } else {
                    u32b(v as u32).to_vec()
                });
            }
            for v in [5, 5, aligns.len() as u32, 0] {
                cmds.extend(u32b(v));
            }
            for &a in *aligns {
                let mut sect = vec![0u8; if is64 { 80 } else { 68 }];
                let at = if is64 { 52 } else { 44 };
                sect[at..at + 4].copy_from_slice(&u32b(a));
                cmds.extend(sect);
            }
        }
        let magic = if is64 { 0xfeed_facf } else { 0xfeed_face };
        let mut out = Vec::new();
        for v in [
            magic,
            cputype,
            sub,
            filetype,
            segs.len() as u32,
            cmds.len() as u32,
            0,
        ] {
            out.extend(u32b(v));
        }
        if is64 {
            out.extend([0; 4]);
        }
        out.extend(cmds);
        out.resize(512, 0xab);
        out
    }

    fn exe(cputype: u32, sub: u32) -> Vec<u8> {
        synth(cputype, sub, 2, &[(0x1000, &[])], false)
    }

    fn align_of(data: &[u8]) -> u32 {
        parse_thin("t", data, data.len() as u64).unwrap().align
    }

    /// Whether a live tool can be run; a missing one skips, or fails under CROSSDOCK_REQUIRE_CROSS=1.
    fn have(tool: &str) -> bool {
        let ok = Command::new(tool).arg("--version").output().is_ok();
        if !ok {
            let required = std::env::var("CROSSDOCK_REQUIRE_CROSS").as_deref() == Ok("1");
            assert!(
                !required,
                "{tool} is not on PATH and CROSSDOCK_REQUIRE_CROSS=1"
            );
            eprintln!("skipping live check: {tool} is not on PATH");
        }
        ok
    }

    fn run(args: &[&str]) -> (bool, String) {
        let out = Command::new(args[0]).args(&args[1..]).output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        (
            out.status.success(),
            text + &String::from_utf8_lossy(&out.stderr),
        )
    }

    fn err_of(inputs: &[&Path]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let e = create_file(inputs, &dir.path().join("out")).unwrap_err();
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(
            left.is_empty(),
            "output left behind after an error: {left:?}"
        );
        format!("{e:#}")
    }

    #[test]
    fn matches_checked_in_llvm_lipo_output_in_both_orders() {
        let (x86, arm, want) = (read(X86), read(ARM), read(FAT));
        assert_same(
            &create(&[&x86, &arm]).unwrap(),
            &want,
            "create(x86_64, arm64)",
        );
        assert_same(
            &create(&[&arm, &x86]).unwrap(),
            &want,
            "create(arm64, x86_64)",
        );
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("hello");
        for inputs in [[X86, ARM], [ARM, X86]] {
            create_file(&inputs.map(Path::new), &out).unwrap();
            let what = format!("create_file({inputs:?})");
            assert_same(&std::fs::read(&out).unwrap(), &want, &what);
        }
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o755,
            "executable inputs make an executable output"
        );
    }

    #[test]
    fn fixture_header_offsets_and_padding() {
        let (x86, arm, fat) = (read(X86), read(ARM), read(FAT));
        assert_eq!(
            (x86.len(), arm.len()),
            (16685, 49752),
            "fixtures were rebuilt: update this test"
        );
        assert_eq!(fat[..8], [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]);
        let want = [
            FatArch {
                cputype: CPU_TYPE_X86_64,
                cpusubtype: 3,
                offset: 4096,
                size: 16685,
                align: 12,
            },
            FatArch {
                cputype: CPU_TYPE_ARM64,
                cpusubtype: 0,
                offset: 32768,
                size: 49752,
                align: 14,
            },
        ];
        assert_eq!(parse_fat(&fat).unwrap(), want);
        assert!(
            fat[48..4096].iter().all(|&b| b == 0),
            "zeros after the header"
        );
        assert!(
            fat[4096 + 16685..32768].iter().all(|&b| b == 0),
            "zeros between slices"
        );
        assert_eq!(fat.len(), 32768 + 49752);
        assert!(is_fat(&fat) && !is_fat(&x86) && !is_fat(b"\xca\xfe\xba\xbe\0\0\0\x34"));
    }

    #[test]
    fn archs_info_and_thin_round_trip() {
        let (x86, arm, fat) = (read(X86), read(ARM), read(FAT));
        assert_eq!(archs(&fat).unwrap(), ["x86_64", "arm64"]);
        assert_eq!(archs(&arm).unwrap(), ["arm64"]);
        assert_eq!(
            info(&fat, "F").unwrap(),
            "Architectures in the fat file: F are: x86_64 arm64"
        );
        assert_eq!(
            info(&x86, "F").unwrap(),
            "Non-fat file: F is architecture: x86_64"
        );
        assert_same(&thin(&fat, "x86_64").unwrap(), &x86, "thin x86_64");
        assert_same(&thin(&fat, "arm64").unwrap(), &arm, "thin arm64");
        let e = thin(&fat, "i386").unwrap_err().to_string();
        assert!(
            e.contains("no `i386` slice") && e.contains("x86_64 arm64"),
            "{e}"
        );
        assert!(thin(&x86, "x86_64")
            .unwrap_err()
            .to_string()
            .contains("must be a universal"));
        assert!(archs(b"\x7fELF\x02\x01\x01").is_err());
        assert!(parse_fat(&fat[..30]).is_err() && parse_fat(&fat[..40000]).is_err());
    }

    #[test]
    fn names_follow_llvm_get_arch_triple() {
        assert_eq!(arch_name(CPU_TYPE_X86_64, 0x8000_0003), "x86_64");
        assert_eq!(arch_name(CPU_TYPE_X86_64, 8), "x86_64h");
        assert_eq!(arch_name(CPU_TYPE_ARM64, 0x8000_0002), "arm64e");
        assert_eq!(arch_name(CPU_TYPE_ARM64_32, 1), "arm64_32");
        assert_eq!(arch_name(CPU_TYPE_ARM, 16), "thumbv7em");
        assert_eq!(arch_name(CPU_TYPE_X86, 3), "i386");
        assert_eq!(arch_name(0x99, 0x8000_0004), "unknown(153,4)");
    }

    #[test]
    fn layout_first_offset_padding_and_alignment_field() {
        let l = layout(&[meta(CPU_TYPE_X86_64, 100, 12)]).unwrap();
        assert_eq!(
            (l.archs[0].offset, l.archs[0].align, l.total_size),
            (4096, 12, 4196)
        );
        assert_eq!(
            layout(&[meta(CPU_TYPE_ARM64, 1, 14)]).unwrap().archs[0].offset,
            16384
        );
        // Two 2^2-aligned slices: header 8 + 2 * 20 = 48, then 48 + 5 rounded up to 4.
        let l = layout(&[meta(0x99, 5, 2), meta(0x98, 7, 2)]).unwrap();
        let offsets: Vec<u64> = l.archs.iter().map(|a| a.offset).collect();
        assert_eq!((offsets, l.total_size, l.fat64), (vec![48, 56], 63, false));
        let h = l.header();
        assert_eq!(h.len(), 48);
        assert_eq!(h[..12], [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2, 0, 0, 0, 0x99]);
        assert_eq!(h[16..28], [0, 0, 0, 48, 0, 0, 0, 5, 0, 0, 0, 2]); // offset, size, align
    }

    #[test]
    fn layout_orders_like_llvm_lipo() {
        let x86 = SliceMeta {
            cpusubtype: 3,
            ..meta(CPU_TYPE_X86_64, 10, 12)
        };
        let x86h = SliceMeta {
            cpusubtype: 8,
            ..x86
        };
        let i386 = SliceMeta {
            cpusubtype: 3,
            ..meta(CPU_TYPE_X86, 10, 12)
        };
        let (arm64, odd) = (meta(CPU_TYPE_ARM64, 10, 14), meta(0x99, 10, 3));
        let arm64e = SliceMeta {
            cpusubtype: 0x8000_0002,
            ..arm64
        };
        let order = |s: &[SliceMeta]| layout(s).unwrap().order;
        // arm64 family last (by subtype); the rest by alignment.
        assert_eq!(order(&[arm64e, arm64, x86, odd]), [3, 2, 1, 0]);
        // Not a strict weak order: x86_64 < x86_64h, yet both tie with i386. llvm-lipo-14 keeps
        // this input order (checked live below); a plain insertion sort would not.
        assert_eq!(order(&[x86h, i386, x86]), [0, 1, 2]);
        assert_eq!(order(&[i386, x86h, x86]), [0, 2, 1]);
        assert_eq!(order(&[x86h, i386, x86, arm64]), [2, 0, 1, 3]);
    }

    #[test]
    fn libstdcxx_sort_is_a_stable_sort_for_strict_orders() {
        for n in [0, 1, 2, 3, 7, 8, 15, 29, 64, 100] {
            let mut v: Vec<(u32, usize)> = (0..n).map(|i| ((i as u32 * 7919) % 5, i)).collect();
            let mut want = v.clone();
            want.sort_by_key(|p| p.0);
            libstdcxx_stable_sort(&mut v, &|a: &(u32, usize), b: &(u32, usize)| a.0 < b.0);
            assert_eq!(v, want, "n = {n}");
        }
    }

    #[test]
    fn layout_switches_to_fat_arch_64_past_4_gib() {
        let l = layout(&[
            meta(CPU_TYPE_ARM64, 1024, 14),
            meta(CPU_TYPE_X86_64, 5 * GIB, 12),
        ])
        .unwrap();
        assert!(l.fat64);
        assert_eq!(l.order, [1, 0]);
        assert_eq!(l.header_len(), 8 + 2 * 32);
        assert_eq!(
            (l.archs[0].offset, l.archs[1].offset),
            (4096, 5 * GIB + 16384)
        );
        assert_eq!(l.total_size, 5 * GIB + 16384 + 1024);
        let h = l.header();
        assert_eq!(
            (h.len(), &h[..8]),
            (72, &[0xca, 0xfe, 0xba, 0xbf, 0, 0, 0, 2][..])
        );
        assert_eq!(
            h[8 + 8..8 + 32],
            [0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 1, 0x40, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 0]
        );
        // Offset boundary: 2^32 - 4 still fits fat_arch, 2^32 does not.
        let two = |first: u64| layout(&[meta(0x99, first, 2), meta(0x98, 1, 2)]).unwrap();
        let fits = two((1 << 32) - 4 - 48);
        assert_eq!((fits.fat64, fits.archs[1].offset), (false, (1 << 32) - 4));
        let wide = two((1 << 32) - 48);
        assert_eq!(
            (wide.fat64, wide.archs[0].offset, wide.archs[1].offset),
            (true, 72, (1 << 32) + 24)
        );
        // Size boundary: a u32::MAX-byte slice fits, one byte more does not.
        assert!(!layout(&[meta(0x99, u32::MAX.into(), 2)]).unwrap().fat64);
        assert!(layout(&[meta(0x99, 1 << 32, 2)]).unwrap().fat64);
        assert!(layout(&[meta(0x99, u64::MAX, 2), meta(0x98, 1, 2)]).is_err());
        assert!(layout(&[]).is_err());
    }

    #[test]
    fn alignment_rules_of_calculate_alignment() {
        assert_eq!(align_of(&exe(CPU_TYPE_X86_64, 3)), 12);
        assert_eq!(
            align_of(&synth(CPU_TYPE_X86, 3, 2, &[(0x10, &[])], false)),
            12
        );
        assert_eq!(align_of(&exe(CPU_TYPE_ARM, 9)), 14);
        assert_eq!(align_of(&exe(CPU_TYPE_ARM64_32, 1)), 14);
        assert_eq!(
            align_of(&synth(CPU_TYPE_POWERPC, 0, 2, &[(0x10, &[])], true)),
            12
        );
        // Other CPUs: the minimum over segments of trailing zeros of vmaddr (0 = no limit) ...
        let exe_at = |segs: &[(u64, &[u32])]| align_of(&synth(0x0100_0099, 0, 2, segs, false));
        assert_eq!(exe_at(&[(0, &[]), (0x4000, &[]), (0x1100, &[])]), 8);
        assert_eq!(exe_at(&[(0, &[])]), 15);
        assert_eq!(exe_at(&[(1 << 40, &[])]), 15);
        assert_eq!(exe_at(&[(0x2, &[])]), 2);
        assert_eq!(
            align_of(&synth(0x99, 0, 2, &[(0x2000_0000, &[])], false)),
            15
        );
        assert_eq!(align_of(&synth(0x99, 0, 2, &[(0x20, &[])], true)), 5);
        // ... and for object files the largest section alignment, at least 2^2.
        let obj = |segs: &[(u64, &[u32])]| align_of(&synth(0x0100_0099, 0, MH_OBJECT, segs, false));
        assert_eq!(obj(&[(0, &[3, 5, 1])]), 5);
        assert_eq!(obj(&[(0, &[0])]), 2);
        assert_eq!(obj(&[(0, &[])]), 15);
        assert_eq!(obj(&[(0, &[9]), (0, &[4])]), 4);
    }

    #[test]
    fn bad_inputs_are_refused_without_leaving_output() {
        let dir = tempfile::tempdir().unwrap();
        let put = |name: &str, data: &[u8]| {
            let p = dir.path().join(name);
            std::fs::write(&p, data).unwrap();
            p
        };
        let x86 = read(X86);
        let elf = std::fs::read("/bin/true").unwrap_or_else(|_| b"\x7fELF\x02\x01\x01\0".repeat(8));
        let elf = put("tool.elf", &elf);
        let e = err_of(&[Path::new(X86), &elf]);
        assert!(
            e.contains("tool.elf is an ELF file, not a thin Mach-O"),
            "{e}"
        );
        let e = err_of(&[Path::new(FAT), Path::new(ARM)]);
        assert!(
            e.contains("hello-universal.llvm-lipo is already a universal binary"),
            "{e}"
        );
        let copy = put("copy-of-x86_64", &x86);
        let e = err_of(&[Path::new(X86), Path::new(ARM), &copy]);
        assert!(
            e.contains("hello-x86_64 and ")
                && e.contains("copy-of-x86_64 have the same architecture x86_64"),
            "{e}"
        );
        for cut in [8000, 100, 20] {
            let short = put("short", &x86[..cut]);
            let e = err_of(&[&short, Path::new(ARM)]);
            assert!(e.contains("short is truncated"), "cut at {cut}: {e}");
        }
        let e = err_of(&[Path::new(ARM), &dir.path().join("missing")]);
        assert!(e.contains("cannot read") && e.contains("missing"), "{e}");
        let e = err_of(&[&put("text", b"#!/bin/sh\n")]);
        assert!(e.contains("text is not a Mach-O file"), "{e}");
        let e = format!(
            "{:#}",
            create(&[&x86, b"\x7fELF\x02\x01\x01\0"]).unwrap_err()
        );
        assert!(e.contains("input #2 is an ELF file"), "{e}");
        let e = format!("{:#}", create(&[&x86, &x86]).unwrap_err());
        assert!(
            e.contains("input #1 and input #2 have the same architecture x86_64"),
            "{e}"
        );
        assert!(create(&[&x86[..x86.len() - 1]])
            .unwrap_err()
            .to_string()
            .contains("truncated"));
        assert!(create(&[]).is_err());
    }

    #[test]
    fn live_llvm_lipo_agrees() {
        if !have("llvm-lipo-14") || !have("llvm-objdump-14") {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("ours");
        let out_s = out.to_str().unwrap();
        create_file(&[Path::new(ARM), Path::new(X86)], &out).unwrap();
        let ours = std::fs::read(&out).unwrap();
        let (ok, text) = run(&["llvm-lipo-14", "-info", out_s]);
        assert!(
            ok && text.trim_end() == info(&ours, out_s).unwrap(),
            "{text}"
        );
        assert!(run(&["llvm-lipo-14", out_s, "-verify_arch", "x86_64", "arm64"]).0);
        assert!(!run(&["llvm-lipo-14", out_s, "-verify_arch", "x86_64", "i386"]).0);
        let (ok, dump) = run(&["llvm-objdump-14", "--macho", "--universal-headers", out_s]);
        let fields: Vec<&str> = dump
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("offset") || l.starts_with("align"))
            .collect();
        assert!(
            ok && dump.contains("fat_magic FAT_MAGIC\nnfat_arch 2"),
            "{dump}"
        );
        assert_eq!(
            fields,
            [
                "offset 4096",
                "align 2^12 (4096)",
                "offset 32768",
                "align 2^14 (16384)"
            ]
        );
        let theirs = dir.path().join("theirs");
        run(&[
            "llvm-lipo-14",
            out_s,
            "-thin",
            "arm64",
            "-output",
            theirs.to_str().unwrap(),
        ]);
        assert_same(
            &std::fs::read(&theirs).unwrap(),
            &read(ARM),
            "llvm-lipo-14 -thin arm64",
        );
        // The checked-in expectation is still what this llvm-lipo writes.
        run(&[
            "llvm-lipo-14",
            "-create",
            "-output",
            theirs.to_str().unwrap(),
            X86,
            ARM,
        ]);
        assert_same(
            &std::fs::read(&theirs).unwrap(),
            &read(FAT),
            "live llvm-lipo-14 vs fixture",
        );
    }

    #[test]
    fn live_llvm_lipo_same_bytes_for_many_inputs() {
        if !have("llvm-lipo-14") {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let arm64e = synth(CPU_TYPE_ARM64, 0x8000_0002, 2, &[(0x1000, &[])], false);
        let sets: Vec<Vec<(&str, Vec<u8>)>> = vec![
            vec![("x86_64", read(X86)), ("arm64", read(ARM))],
            vec![
                ("x86_64h", exe(CPU_TYPE_X86_64, 8)),
                ("i386", exe(CPU_TYPE_X86, 3)),
                ("x86_64", exe(CPU_TYPE_X86_64, 3)),
                ("arm64", exe(CPU_TYPE_ARM64, 0)),
            ],
            vec![
                ("armv7", exe(CPU_TYPE_ARM, 9)),
                ("armv7s", exe(CPU_TYPE_ARM, 11)),
                ("arm64_32", exe(CPU_TYPE_ARM64_32, 1)),
                ("arm64e", arm64e),
                ("arm64", exe(CPU_TYPE_ARM64, 0)),
            ],
            vec![
                ("odd256", synth(0x99, 0, 2, &[(0x100, &[])], false)),
                (
                    "odd16k",
                    synth(0x0100_0098, 0, 2, &[(0, &[]), (0x4000, &[])], false),
                ),
                (
                    "obj",
                    synth(0x0100_0097, 0, MH_OBJECT, &[(0, &[3, 4])], false),
                ),
                ("ppc", synth(CPU_TYPE_POWERPC, 0, 2, &[(0x1000, &[])], true)),
                ("i386", exe(CPU_TYPE_X86, 3)),
            ],
        ];
        let mut runs = 0;
        for set in &sets {
            let paths: Vec<_> = set
                .iter()
                .map(|(name, data)| {
                    let p = dir.path().join(name);
                    std::fs::write(&p, data).unwrap();
                    p
                })
                .collect();
            let n = paths.len();
            // Every rotation of the input order, forwards and backwards.
            for rot in 0..n {
                for rev in [false, true] {
                    let mut order: Vec<&Path> =
                        (0..n).map(|i| paths[(i + rot) % n].as_path()).collect();
                    if rev {
                        order.reverse();
                    }
                    let (ours, theirs) = (dir.path().join("ours"), dir.path().join("theirs"));
                    create_file(&order, &ours).unwrap();
                    let mut args = vec![
                        "llvm-lipo-14",
                        "-create",
                        "-output",
                        theirs.to_str().unwrap(),
                    ];
                    args.extend(order.iter().map(|p| p.to_str().unwrap()));
                    let (ok, text) = run(&args);
                    assert!(ok, "llvm-lipo-14 failed: {text}");
                    let (ours, theirs) = (
                        std::fs::read(&ours).unwrap(),
                        std::fs::read(&theirs).unwrap(),
                    );
                    let what = format!(
                        "inputs {order:?}: ours {:?}, llvm-lipo-14 {:?}",
                        archs(&ours),
                        archs(&theirs)
                    );
                    assert_same(&ours, &theirs, &what);
                    runs += 1;
                }
            }
        }
        assert_eq!(runs, 2 * (2 + 4 + 5 + 5));
    }
}
