//! Where two archives differ (`verify`): the first member whose name, kind, mode, mtime or
//! content differs, and the byte offset inside it, besides the first differing byte of the
//! files themselves. Archives are read whole into memory, one at a time each: release
//! archives are small next to the machine that rebuilt them.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};
use serde::Serialize;

use crate::model::archive::ArchiveFormat;
use crate::package::archive;

/// How two files differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// The first byte at which the files differ (the shorter file's length when one is a
    /// prefix of the other).
    pub file_offset: u64,
    /// The first member that differs, when both are archives crossdock reads back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member: Option<MemberDifference>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberDifference {
    /// The member's name in the release's archive.
    pub name: String,
    /// What differs: `content` (then `offset` is the first differing byte of the member),
    /// `name`, `mode`, `mtime`, `kind`, `missing` (one archive has fewer members), or
    /// `none` (every member is the same: the compression differs).
    pub what: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
}

#[derive(Debug)]
struct Member {
    name: String,
    kind: &'static str,
    mode: u32,
    mtime: u64,
    data: Vec<u8>,
}

/// Where `rebuilt` differs from `release` (`None`: the same bytes).
pub fn compare(release: &Path, rebuilt: &Path) -> Result<Option<Difference>> {
    let read = |p: &Path| std::fs::read(p).with_context(|| format!("cannot read {}", p.display()));
    let (a, b) = (read(release)?, read(rebuilt)?);
    let Some(file_offset) = first_difference(&a, &b) else {
        return Ok(None);
    };
    drop((a, b));
    // A member list crossdock cannot read (a corrupted archive, a .deb) leaves the file offset.
    let member = match (members(release), members(rebuilt)) {
        (Ok(Some(x)), Ok(Some(y))) => Some(first_member_difference(&x, &y)),
        _ => None,
    };
    Ok(Some(Difference {
        file_offset,
        member,
    }))
}

fn first_difference(a: &[u8], b: &[u8]) -> Option<u64> {
    if a == b {
        return None;
    }
    let same = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    Some(same as u64)
}

fn first_member_difference(release: &[Member], rebuilt: &[Member]) -> MemberDifference {
    for (i, x) in release.iter().enumerate() {
        let Some(y) = rebuilt.get(i) else {
            return MemberDifference {
                name: x.name.clone(),
                what: "missing".into(),
                offset: None,
            };
        };
        let what = if x.name != y.name {
            "name"
        } else if x.kind != y.kind {
            "kind"
        } else if x.data != y.data {
            return MemberDifference {
                name: x.name.clone(),
                what: "content".into(),
                offset: first_difference(&x.data, &y.data),
            };
        } else if x.mode != y.mode {
            "mode"
        } else if x.mtime != y.mtime {
            "mtime"
        } else {
            continue;
        };
        return MemberDifference {
            name: x.name.clone(),
            what: what.into(),
            offset: None,
        };
    }
    match rebuilt.get(release.len()) {
        Some(y) => MemberDifference {
            name: y.name.clone(),
            what: "missing".into(),
            offset: None,
        },
        None => MemberDifference {
            name: String::new(),
            what: "none".into(),
            offset: None,
        },
    }
}

/// The members of a tar or zip archive in order; `None` for another kind of file.
fn members(path: &Path) -> Result<Option<Vec<Member>>> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some((format, _)) = ArchiveFormat::of_file_name(&name) else {
        return Ok(None);
    };
    let mut out = Vec::new();
    if format == ArchiveFormat::Zip {
        let f = std::fs::File::open(path)?;
        let mut z = zip::ZipArchive::new(f)?;
        for i in 0..z.len() {
            let mut e = z.by_index(i)?;
            let mut data = Vec::new();
            e.read_to_end(&mut data)?;
            let mtime = e
                .last_modified()
                .map(|d| {
                    u64::from(d.year()) << 40
                        | u64::from(d.month()) << 32
                        | u64::from(d.day()) << 24
                        | u64::from(d.hour()) << 16
                        | u64::from(d.minute()) << 8
                        | u64::from(d.second())
                })
                .unwrap_or(0);
            out.push(Member {
                name: e.name().to_string(),
                kind: if e.is_dir() { "dir" } else { "file" },
                mode: e.unix_mode().unwrap_or(0),
                mtime,
                data,
            });
        }
        return Ok(Some(out));
    }
    let mut t = archive::open_tar(path)?;
    for e in t.entries()? {
        let mut e = e?;
        let h = e.header();
        let kind = match h.entry_type() {
            k if k.is_file() => "file",
            k if k.is_dir() => "dir",
            k if k.is_symlink() => "symlink",
            _ => "other",
        };
        let (mode, mtime) = (h.mode().unwrap_or(0), h.mtime().unwrap_or(0));
        let name = String::from_utf8_lossy(&e.path_bytes()).into_owned();
        let mut data = Vec::new();
        e.read_to_end(&mut data)?;
        if let Some(link) = e.link_name_bytes() {
            data.extend_from_slice(&link);
        }
        out.push(Member {
            name,
            kind,
            mode,
            mtime,
            data,
        });
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::package::archive::{Entry, Source};

    /// `dir/sub/a-1.EXT` holding `files` under the top folder `a-1`.
    fn write(
        dir: &Path,
        sub: &str,
        ext: &str,
        files: &[(&str, &[u8])],
        epoch: u64,
    ) -> std::path::PathBuf {
        let dir = dir.join(sub);
        std::fs::create_dir_all(&dir).unwrap();
        let mut entries = Vec::new();
        for (n, data) in files {
            let src = dir.join(format!("src-{n}"));
            std::fs::write(&src, data).unwrap();
            entries.push(Entry {
                name: n.to_string(),
                source: Source::File(src),
                mode: 0o644,
            });
        }
        let name = format!("a-1.{ext}");
        let path = dir.join(&name);
        let (format, _) = ArchiveFormat::of_file_name(&name).unwrap();
        archive::write(&path, format, "a-1", entries, epoch).unwrap();
        path
    }

    /// A changed byte is found in its member at its offset, in every format; the same
    /// members under another mtime are named as such; equal files are equal.
    #[test]
    fn names_the_first_differing_member_and_offset() {
        let d = tempfile::tempdir().unwrap();
        let files: &[(&str, &[u8])] = &[("x", b"same"), ("y", b"0123456789")];
        let changed: &[(&str, &[u8])] = &[("x", b"same"), ("y", b"0123456X89")];
        for ext in ["tar.gz", "tar.xz", "tar.zst", "zip"] {
            let a = write(d.path(), &format!("{ext}-a"), ext, files, 1_700_000_000);
            let same = write(d.path(), &format!("{ext}-b"), ext, files, 1_700_000_000);
            assert_eq!(compare(&a, &same).unwrap(), None, "{ext}");
            let b = write(d.path(), &format!("{ext}-c"), ext, changed, 1_700_000_000);
            let diff = compare(&a, &b).unwrap().unwrap();
            let m = diff.member.unwrap();
            assert_eq!(
                (m.name.as_str(), m.what.as_str(), m.offset),
                ("a-1/y", "content", Some(7)),
                "{ext}"
            );
            let c = write(d.path(), &format!("{ext}-d"), ext, files, 1_800_000_000);
            let diff = compare(&a, &c).unwrap().unwrap();
            assert_eq!(diff.member.unwrap().what, "mtime", "{ext}");
        }
    }
}
