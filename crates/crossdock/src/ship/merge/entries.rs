//! Scanning and unpacking merge's input archives. They come from build jobs that ran
//! dependency code, so every entry is checked before anything is extracted (absolute
//! names, `..`, links out of the archive, special files, duplicates, entries outside the
//! top folder the name promises), whatever the format, and extraction writes files only
//! under names merge chooses.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::tree::{EntryKind, EntryTree};
use crate::model::archive::ArchiveFormat;
use crate::package::archive;

/// The regular files of an input archive: entry name (without a leading `./`, as
/// [`unpack`] looks it up) → size and SHA-256 of its content, which the manifest entry's
/// `binaries` and `files` must match (issue 20 §11).
pub(super) type Contents = BTreeMap<String, (u64, String)>;

/// Refuses, before anything is extracted, any entry that is not a regular file, a
/// directory or a symlink that stays inside, or whose name is not UTF-8, not unique, not
/// normalized-safe or outside the top folder ([`EntryTree`] replays them in order).
/// Returns the regular files with their size and hash, read while scanning.
pub(super) fn check_entries(path: &Path) -> Result<Contents> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Every entry lies in the one top folder the archive's name promises (a debuginfo
    // archive's is its binaries' archive's, so that the debug files land beside them).
    let stem = ArchiveFormat::of_file_name(&name).map_or(name.as_str(), |(_, stem)| stem);
    let top = stem.strip_suffix("-debuginfo").unwrap_or(stem);
    check_entries_under(path, top)
}

/// [`check_entries`] for an archive whose entries all lie in `top` (an npm tarball's are in
/// `package/`).
pub(super) fn check_entries_under(path: &Path, top: &str) -> Result<Contents> {
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
    let mut tree = EntryTree::new(top);
    let mut contents = Contents::new();
    let mut hash = |name: &str, data: &mut dyn Read| -> Result<()> {
        let mut w = archive::HashingWriter::new(std::io::sink());
        std::io::copy(data, &mut w)
            .with_context(|| format!("{}: corrupt archive at `{name}`", path.display()))?;
        let (_, size, sha) = w.finish();
        contents.insert(name.trim_start_matches("./").to_string(), (size, sha));
        Ok(())
    };
    if name.ends_with(".zip") {
        let f = std::fs::File::open(path)?;
        let mut z = zip::ZipArchive::new(f)
            .with_context(|| format!("{} is not a zip archive", path.display()))?;
        for i in 0..z.len() {
            let mut e = z.by_index(i)?;
            let n = e.name().to_string();
            if std::str::from_utf8(e.name_raw()).is_err() {
                return Err(refuse(
                    &e.name_raw().escape_ascii().to_string(),
                    "has a name that is not UTF-8 (crossdock writes only UTF-8 names)",
                ));
            }
            if e.enclosed_name().is_none() {
                return Err(refuse(&n, "has an absolute path or `..`"));
            }
            let kind = if e.unix_mode().is_some_and(|m| m & 0o170000 == 0o120000) {
                let mut target = String::new();
                e.read_to_string(&mut target)
                    .map_err(|_| refuse(&n, "is a symlink whose target is not UTF-8"))?;
                EntryKind::Symlink(target)
            } else if e.is_dir() {
                EntryKind::Dir
            } else {
                EntryKind::File
            };
            tree.add(&n, kind.clone()).map_err(|why| refuse(&n, &why))?;
            if kind == EntryKind::File {
                hash(&n, &mut e)?;
            }
        }
        return Ok(contents);
    }
    let mut t = archive::open_tar(path)?;
    for e in t
        .entries()
        .with_context(|| format!("{} is not a tar archive", path.display()))?
    {
        let mut e = e.with_context(|| format!("{}: corrupt archive", path.display()))?;
        let bytes = e.path_bytes().into_owned();
        // Issue 12, item 11: a lossy name could pass for another entry's; crossdock never
        // writes one, so it is refused, shown escaped.
        let Ok(raw) = std::str::from_utf8(&bytes) else {
            return Err(refuse(
                &bytes.escape_ascii().to_string(),
                "has a name that is not UTF-8 (crossdock writes only UTF-8 names)",
            ));
        };
        let kind = e.header().entry_type();
        let kind = if kind.is_file() {
            EntryKind::File
        } else if kind.is_dir() {
            EntryKind::Dir
        } else if kind.is_symlink() {
            let target = e.link_name_bytes().unwrap_or_default();
            let Ok(target) = std::str::from_utf8(&target) else {
                return Err(refuse(raw, "is a symlink whose target is not UTF-8"));
            };
            EntryKind::Symlink(target.to_string())
        } else if kind.is_hard_link() {
            return Err(refuse(
                raw,
                "is a hard link (crossdock archives hold only files, directories and symlinks)",
            ));
        } else {
            return Err(refuse(
                raw,
                "is not a file, directory or link (a device, FIFO or other special entry)",
            ));
        };
        tree.add(raw, kind.clone())
            .map_err(|why| refuse(raw, &why))?;
        if kind == EntryKind::File {
            hash(raw, &mut e)?;
        }
    }
    Ok(contents)
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
    let mut out = BTreeMap::new();
    if archive_path.to_string_lossy().ends_with(".zip") {
        let file = std::fs::File::open(archive_path)
            .with_context(|| format!("cannot read {}", archive_path.display()))?;
        let mut zip = zip::ZipArchive::new(file)
            .with_context(|| format!("{} is not a zip archive", archive_path.display()))?;
        for i in 0..zip.len() {
            let mut e = zip.by_index(i)?;
            if !e.is_file() {
                continue;
            }
            let raw = e.name().to_string();
            let Some(declared) = wanted.get(raw.trim_start_matches("./")) else {
                continue;
            };
            let limit = declared.unwrap_or(MAX_INCLUDED_FILE);
            if e.size() > limit {
                bail!(
                    "{}: entry `{raw}` holds {} bytes, more than its manifest declares ({limit}); refusing to extract it",
                    archive_path.display(),
                    e.size()
                );
            }
            let rel = raw
                .split_once('/')
                .map_or(raw.clone(), |(_, r)| r.to_string());
            let dest = into.join(format!("{i}"));
            let mut w = std::fs::File::create(&dest)?;
            std::io::copy(&mut (&mut e).take(limit), &mut w)?;
            out.insert(rel, dest);
        }
        return Ok(out);
    }
    let mut t = archive::open_tar(archive_path)?;
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

    /// A tar stream with `names` as regular one-byte files (or, for `name -> target`,
    /// symlinks), names written raw (the tar crate's own path checks would refuse `..`),
    /// compressed as `format`.
    fn crafted(format: ArchiveFormat, names: &[&str]) -> Vec<u8> {
        let entries: Vec<(&[u8], tar::EntryType, &[u8])> = names
            .iter()
            .map(|n| match n.split_once(" -> ") {
                Some((n, to)) => (n.as_bytes(), tar::EntryType::Symlink, to.as_bytes()),
                None => (n.as_bytes(), tar::EntryType::Regular, &b""[..]),
            })
            .collect();
        crafted_raw(format, &entries)
    }

    /// A tar stream of (raw name, kind, raw link target) entries.
    fn crafted_raw(format: ArchiveFormat, entries: &[(&[u8], tar::EntryType, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (n, kind, to) in entries {
            let mut h = tar::Header::new_gnu();
            h.as_gnu_mut().unwrap().name[..n.len()].copy_from_slice(n);
            h.as_gnu_mut().unwrap().linkname[..to.len()].copy_from_slice(to);
            h.set_entry_type(*kind);
            let data: &[u8] = if kind.is_file() { b"x" } else { b"" };
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append(&h, data).unwrap();
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

    #[test]
    fn links_that_escape_together_and_names_that_are_not_utf8_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("top.tar.zst");
        let zst = ArchiveFormat::TarZst;
        // Issue 12, item 6: each link stays inside alone; together they lead out.
        std::fs::write(
            &path,
            crafted(
                zst,
                &["top/a/z -> ..", "top/w -> a/z/../..", "top/w/ESCAPED"],
            ),
        )
        .unwrap();
        let e = format!("{:#}", check_entries(&path).unwrap_err());
        assert!(
            e.contains("entry `top/w` is a symlink to `a/z/../..` outside the archive's top folder; refusing"),
            "{e}"
        );
        // Issue 12, item 11: a name that is not UTF-8 is named, escaped, not read lossily.
        let regular = tar::EntryType::Regular;
        std::fs::write(&path, crafted_raw(zst, &[(b"top/caf\xe9", regular, b"")])).unwrap();
        let e = format!("{:#}", check_entries(&path).unwrap_err());
        assert!(
            e.contains("entry `top/caf\\xe9` has a name that is not UTF-8"),
            "{e}"
        );
        // crossdock writes no hard links: refused rather than judged.
        let hard = tar::EntryType::Link;
        std::fs::write(
            &path,
            crafted_raw(zst, &[(b"top/a", regular, b""), (b"top/b", hard, b"top/a")]),
        )
        .unwrap();
        let e = format!("{:#}", check_entries(&path).unwrap_err());
        assert!(e.contains("entry `top/b` is a hard link"), "{e}");
        // A link that stays inside is still accepted.
        std::fs::write(&path, crafted(zst, &["top/bin/app", "top/app -> bin/app"])).unwrap();
        check_entries(&path).unwrap();
    }
}
