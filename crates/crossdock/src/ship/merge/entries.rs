//! Scanning and unpacking merge's input archives. They come from build jobs that ran
//! dependency code, so every entry is checked before anything is extracted (absolute
//! names, `..`, links out of the archive, special files, duplicates, entries outside the
//! top folder the name promises), whatever the format, and extraction writes files only
//! under names merge chooses.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::package::archive;
use crate::read::config::ArchiveFormat;

fn unsafe_name(name: &str) -> bool {
    let p = Path::new(name);
    p.is_absolute()
        || p.components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
}

fn link_escapes(entry_name: &str, target: &Path) -> bool {
    if target.is_absolute() {
        return true;
    }
    let mut depth: i64 = Path::new(entry_name).components().count() as i64 - 1;
    for c in target.components() {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            _ => return true,
        }
        if depth < 1 {
            return true; // out of the archive's top folder
        }
    }
    false
}

/// Refuses absolute names, `..`, and links that lead out of the archive — before anything
/// is extracted from it.
pub(super) fn check_entries(path: &Path) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let refuse = |entry: &str, why: &str| {
        anyhow::anyhow!(
            "{}: entry `{entry}` {why}; refusing to extract this archive",
            path.display()
        )
    };
    // Every entry lies in the one top folder the archive's name promises (a debuginfo
    // archive's is its binaries' archive's, so that the debug files land beside them).
    let stem = ArchiveFormat::of_file_name(&name).map_or(name.as_str(), |(_, stem)| stem);
    let top = stem.strip_suffix("-debuginfo").unwrap_or(stem).to_string();
    let in_top = |entry: &str| {
        let e = entry.trim_start_matches("./");
        e == top || e == format!("{top}/") || e.starts_with(&format!("{top}/"))
    };
    if name.ends_with(".zip") {
        let f = std::fs::File::open(path)?;
        let mut z = zip::ZipArchive::new(f)
            .with_context(|| format!("{} is not a zip archive", path.display()))?;
        let mut seen = std::collections::BTreeSet::new();
        for i in 0..z.len() {
            let e = z.by_index(i)?;
            let n = e.name().to_string();
            if n.contains('\\') {
                return Err(refuse(&n, "has a backslash (a Windows path separator)"));
            }
            if unsafe_name(&n) || e.enclosed_name().is_none() {
                return Err(refuse(&n, "has an absolute path or `..`"));
            }
            if !in_top(&n) {
                return Err(refuse(&n, &format!("is outside the top folder `{top}/`")));
            }
            if !seen.insert(n.trim_end_matches('/').to_string()) {
                return Err(refuse(
                    &n,
                    "appears twice (the second would win on extraction)",
                ));
            }
            if e.unix_mode().is_some_and(|m| m & 0o170000 == 0o120000) {
                let mut target = String::new();
                let mut e = e;
                e.read_to_string(&mut target)?;
                if link_escapes(&n, Path::new(&target)) {
                    return Err(refuse(
                        &n,
                        &format!("is a symlink to `{target}` outside the archive"),
                    ));
                }
            }
        }
        return Ok(());
    }
    let mut t = archive::open_tar(path)?;
    let mut seen = std::collections::BTreeSet::new();
    for e in t
        .entries()
        .with_context(|| format!("{} is not a tar archive", path.display()))?
    {
        let e = e.with_context(|| format!("{}: corrupt archive", path.display()))?;
        let raw = String::from_utf8_lossy(&e.path_bytes()).into_owned();
        if unsafe_name(&raw) {
            return Err(refuse(&raw, "has an absolute path or `..`"));
        }
        let kind = e.header().entry_type();
        if !(kind.is_file() || kind.is_dir() || kind.is_symlink() || kind.is_hard_link()) {
            return Err(refuse(
                &raw,
                "is not a file, directory or link (a device, FIFO or other special entry)",
            ));
        }
        if !in_top(&raw) {
            return Err(refuse(&raw, &format!("is outside the top folder `{top}/`")));
        }
        let normalized = raw
            .trim_start_matches("./")
            .trim_end_matches('/')
            .to_string();
        if !seen.insert(normalized) {
            return Err(refuse(
                &raw,
                "appears twice (the second would win on extraction)",
            ));
        }
        if kind.is_symlink() || kind.is_hard_link() {
            let target = e.link_name()?.map(|p| p.into_owned()).unwrap_or_default();
            if link_escapes(&raw, &target) {
                let what = if kind.is_symlink() {
                    "a symlink"
                } else {
                    "a hard link"
                };
                return Err(refuse(
                    &raw,
                    &format!("is {what} to `{}` outside the archive", target.display()),
                ));
            }
        }
    }
    Ok(())
}

/// Extracts the regular files of a tar archive (already scanned by [`check_entries`]) into
/// `into`; returns path-below-top → file. Entry names are only map keys: every file is
/// written as `into/<index>`, so no name can place a file anywhere else.
/// The largest included file (README, LICENSE…) merge extracts: the manifest records no
/// size for those, and an input must not fill the disk with a crafted entry.
pub(super) const MAX_INCLUDED_FILE: u64 = 64 << 20;

/// Extracts from a member archive only the entries its manifest entry lists (`wanted`: path
/// in the archive → the size the manifest declares, `None` for included files, which may
/// hold up to [`MAX_INCLUDED_FILE`]), each under a numbered name in `into`; returns
/// path-below-top → file. An entry larger than declared is refused before anything of it
/// is written, so a small archive cannot unpack into a huge scratch file.
pub(super) fn unpack(
    archive_path: &Path,
    into: &Path,
    wanted: &BTreeMap<String, Option<u64>>,
) -> Result<BTreeMap<String, PathBuf>> {
    std::fs::create_dir_all(into)?;
    if archive_path.to_string_lossy().ends_with(".zip") {
        bail!(
            "{}: a universal binary is built from tar archives of its members; give the apple targets a tar format (archive = \"tar.gz\")",
            archive_path.display()
        );
    }
    let mut t = archive::open_tar(archive_path)?;
    let mut out = BTreeMap::new();
    for (i, e) in t.entries()?.enumerate() {
        let mut e = e?;
        if !e.header().entry_type().is_file() {
            continue;
        }
        let raw = String::from_utf8_lossy(&e.path_bytes()).into_owned();
        let Some(declared) = wanted.get(raw.trim_start_matches("./")) else {
            continue; // not needed for the universal archive
        };
        let limit = declared.unwrap_or(MAX_INCLUDED_FILE);
        let size = e.header().size()?;
        if size > limit {
            bail!(
                "{}: entry `{raw}` holds {size} bytes, more than its manifest declares ({limit}); refusing to extract it",
                archive_path.display()
            );
        }
        let rel = raw
            .split_once('/')
            .map(|(_, r)| r.to_string())
            .unwrap_or(raw.clone());
        let dest = into.join(format!("{i}"));
        let mut w = std::fs::File::create(&dest)?;
        std::io::copy(&mut (&mut e).take(limit), &mut w)?;
        out.insert(rel, dest);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_links() {
        assert!(unsafe_name("/etc/passwd"));
        assert!(unsafe_name("a/../../b"));
        assert!(!unsafe_name("top/bin"));
        assert!(link_escapes("top/x", Path::new("../../etc/passwd")));
        assert!(link_escapes("top/x", Path::new("/etc/passwd")));
        assert!(!link_escapes("top/x", Path::new("y")));
        assert!(!link_escapes("top/sub/x", Path::new("../y")));
        assert!(link_escapes("top/x", Path::new("..")));
    }

    /// A tar stream with `names` as regular one-byte files, names written raw (the tar
    /// crate's own path checks would refuse `..`), compressed as `format`.
    fn crafted(format: ArchiveFormat, names: &[&str]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for n in names {
            let mut h = tar::Header::new_gnu();
            h.as_gnu_mut().unwrap().name[..n.len()].copy_from_slice(n.as_bytes());
            h.set_size(1);
            h.set_mode(0o644);
            h.set_cksum();
            b.append(&h, &b"x"[..]).unwrap();
        }
        let tar = b.into_inner().unwrap();
        match format {
            ArchiveFormat::TarXz => {
                use std::io::Write;
                let opts = lzma_rust2::XzOptions::with_preset(1);
                let mut w = lzma_rust2::XzWriter::new(Vec::new(), opts).unwrap();
                w.write_all(&tar).unwrap();
                w.finish().unwrap()
            }
            ArchiveFormat::TarZst => zstd::encode_all(&tar[..], 1).unwrap(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn xz_and_zstd_archives_get_every_entry_check() {
        let dir = tempfile::tempdir().unwrap();
        for format in [ArchiveFormat::TarXz, ArchiveFormat::TarZst] {
            let path = dir.path().join(format!("top.{}", format.extension()));
            std::fs::write(&path, crafted(format, &["top/app"])).unwrap();
            check_entries(&path).unwrap();
            let wanted = BTreeMap::from([("top/app".to_string(), Some(1))]);
            let files = unpack(&path, &dir.path().join("out"), &wanted).unwrap();
            assert_eq!(std::fs::read(&files["app"]).unwrap(), b"x");
            // Issue 12, item 9: more than the manifest declares is refused, unlisted
            // entries are not extracted at all.
            let small = BTreeMap::from([("top/app".to_string(), Some(0))]);
            let e = format!(
                "{:#}",
                unpack(&path, &dir.path().join("o2"), &small).unwrap_err()
            );
            assert!(
                e.contains("holds 1 bytes, more than its manifest declares (0)"),
                "{e}"
            );
            let none = unpack(&path, &dir.path().join("o3"), &BTreeMap::new()).unwrap();
            assert!(none.is_empty());
            for (names, why) in [
                (
                    &["top/app", "../evil"][..],
                    "`../evil` has an absolute path or `..`",
                ),
                (&["/etc/evil"][..], "`/etc/evil` has an absolute path"),
                (&["elsewhere/app"][..], "is outside the top folder `top/`"),
                (&["top/app", "top/app"][..], "appears twice"),
            ] {
                std::fs::write(&path, crafted(format, names)).unwrap();
                let e = format!("{:#}", check_entries(&path).unwrap_err());
                assert!(
                    e.contains(why) && e.contains("refusing to extract"),
                    "{format:?} {names:?}: {e}"
                );
            }
            // Not the format its name says: refused, not misread.
            std::fs::write(&path, b"not compressed").unwrap();
            assert!(check_entries(&path).is_err());
        }
    }
}
