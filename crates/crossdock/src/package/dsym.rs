//! A `.dSYM` bundle (`{file}.dSYM/Contents/Info.plist` and
//! `Contents/Resources/DWARF/{file}`), the Mach-O form of split debug info: which DWARF file
//! inside belongs to a binary (debuggers match them by the `LC_UUID` both carry, never by
//! name), the UUID itself (read, derived from content, replaced), and the bundle's files in
//! the order an archive lists them. Reads files, runs nothing.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use object::Object;

/// The `LC_UUID` of a thin Mach-O file; none for other formats or without one.
pub fn uuid(data: &[u8]) -> Option<[u8; 16]> {
    object::File::parse(data).ok()?.mach_uuid().ok().flatten()
}

/// Replaces the `LC_UUID` of a thin 64-bit little-endian Mach-O file in place; false when
/// there is none (or the bytes are not such a file).
pub fn set_uuid(data: &mut [u8], uuid: [u8; 16]) -> bool {
    let le32 = |d: &[u8], o: usize| -> Option<u32> {
        Some(u32::from_le_bytes(
            d.get(o..o.checked_add(4)?)?.try_into().ok()?,
        ))
    };
    if le32(data, 0) != Some(0xfeed_facf) {
        return false;
    }
    let Some(ncmds) = le32(data, 16) else {
        return false;
    };
    let mut off = 32usize;
    for _ in 0..ncmds {
        let (Some(cmd), Some(size)) = (le32(data, off), le32(data, off + 4)) else {
            return false;
        };
        if cmd == 0x1b && size >= 24 {
            return match data.get_mut(off + 8..off + 24) {
                Some(slot) => {
                    slot.copy_from_slice(&uuid);
                    true
                }
                None => false,
            };
        }
        if size < 8 {
            return false;
        }
        off += size as usize;
    }
    false
}

/// A UUID that is a function of `data` (the stripped binary, written with a zero UUID): the
/// first 16 bytes of its SHA-256 with the name-based (version 3) UUID bits set, as ld64
/// marks the content hash it writes.
pub fn content_uuid(data: &[u8]) -> [u8; 16] {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(data);
    let mut u: [u8; 16] = digest[..16].try_into().expect("SHA-256 has 32 bytes");
    u[6] = (u[6] & 0x0f) | 0x30;
    u[8] = (u[8] & 0x3f) | 0x80;
    u
}

/// The file of `dsym`'s `Contents/Resources/DWARF/` that carries `uuid` and DWARF (a
/// `__DWARF` segment with sections in it); none when the bundle is missing, stale (another
/// build's UUID) or empty.
pub fn matching_dwarf(dsym: &Path, uuid: [u8; 16]) -> Option<PathBuf> {
    let dir = dsym.join("Contents/Resources/DWARF");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    files.into_iter().find(|p| {
        std::fs::read(p).is_ok_and(|data| {
            self::uuid(&data) == Some(uuid)
                && super::binary::inspect(&data).is_ok_and(|i| !i.debug_info.is_empty())
        })
    })
}

/// Every file below `dsym` as (`/`-separated path relative to it, file), sorted by path.
/// Symbolic links are followed (cargo links the bundle it uplifts).
pub fn files(dsym: &Path) -> Result<Vec<(String, PathBuf)>> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) -> Result<()> {
        let entries =
            std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))?;
        for e in entries {
            let e = e.with_context(|| format!("cannot read {}", dir.display()))?;
            let name = e.file_name().to_string_lossy().into_owned();
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            let path = e.path();
            if std::fs::metadata(&path)
                .with_context(|| format!("cannot read {}", path.display()))?
                .is_dir()
            {
                walk(&path, &rel, out)?;
            } else {
                out.push((rel, path));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dsym, "", &mut out)?;
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../tests/fixtures/macho")
                .join(name),
        )
        .unwrap()
    }

    /// `hello-x86_64`'s UUID as `llvm-objdump --macho --private-headers` prints it.
    const HELLO_X86_64: [u8; 16] = [
        0x02, 0x7f, 0x4e, 0xd1, 0xc2, 0x37, 0x3d, 0x68, 0x88, 0xda, 0xa2, 0x66, 0xac, 0x56, 0x1f,
        0xbf,
    ];

    #[test]
    fn uuid_is_read_from_real_macho_and_absent_elsewhere() {
        assert_eq!(uuid(&fixture("hello-x86_64")), Some(HELLO_X86_64));
        assert_eq!(uuid(b"not a binary"), None);
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        assert_eq!(uuid(&exe), None, "ELF has no LC_UUID");
    }

    #[test]
    fn the_uuid_is_replaced_in_place_and_only_there() {
        let original = fixture("hello-arm64");
        let mut data = original.clone();
        let new = content_uuid(b"stripped bytes");
        assert_eq!(new, content_uuid(b"stripped bytes"));
        assert_ne!(new, content_uuid(b"other bytes"));
        assert_eq!(
            (new[6] >> 4, new[8] >> 6),
            (3, 2),
            "version 3, RFC 4122 variant"
        );
        assert!(set_uuid(&mut data, new));
        assert_eq!(uuid(&data), Some(new));
        let changed = original.iter().zip(&data).filter(|(a, b)| a != b).count();
        assert!(changed <= 16, "{changed} bytes changed");
        let mut elf = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        assert!(!set_uuid(&mut elf, new));
        assert!(!set_uuid(&mut fixture("hello-universal.llvm-lipo"), new));
    }

    #[test]
    fn a_bundle_matches_only_with_the_uuid_and_dwarf() {
        let dir = tempfile::tempdir().unwrap();
        let dsym = dir.path().join("hello.dSYM");
        let dwarf = dsym.join("Contents/Resources/DWARF");
        std::fs::create_dir_all(&dwarf).unwrap();
        std::fs::write(dsym.join("Contents/Info.plist"), "<plist/>").unwrap();
        // The binary itself: its UUID, but no __DWARF segment.
        std::fs::write(dwarf.join("hello-1234"), fixture("hello-x86_64")).unwrap();
        assert_eq!(matching_dwarf(&dsym, HELLO_X86_64), None);
        assert_eq!(matching_dwarf(&dsym, [0; 16]), None);
        assert_eq!(
            matching_dwarf(&dir.path().join("none.dSYM"), HELLO_X86_64),
            None
        );
        let names: Vec<String> = files(&dsym).unwrap().into_iter().map(|f| f.0).collect();
        assert_eq!(
            names,
            ["Contents/Info.plist", "Contents/Resources/DWARF/hello-1234"]
        );
    }
}
