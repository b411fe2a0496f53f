//! A `.dSYM` bundle (`{file}.dSYM/Contents/Info.plist` and
//! `Contents/Resources/DWARF/{file}`), the Mach-O form of split debug info: which DWARF file
//! inside belongs to a binary (debuggers match them by the `LC_UUID` both carry, never by
//! name), and the bundle's files in the order an archive lists them. Reads files, runs
//! nothing.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use object::Object;

/// The `LC_UUID` of a thin Mach-O file; none for other formats or without one.
pub fn uuid(data: &[u8]) -> Option<[u8; 16]> {
    object::File::parse(data).ok()?.mach_uuid().ok().flatten()
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
