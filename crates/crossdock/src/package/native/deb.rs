//! The `.deb` writer: an `ar` archive of `debian-binary`, `control.tar.gz` (`control`,
//! `md5sums`) and `data.tar.gz`, laid out as `dpkg-deb --root-owner-group` does (GNU tar,
//! `./`-prefixed names, directories first, owner `root:root`), plus the two files Debian
//! policy asks of every package and lintian checks: `/usr/share/doc/{pkg}/copyright`
//! (machine-readable, from the license) and `changelog.gz` (one entry for this release).
//! The version carries no Debian revision (`1.0.0~rc.1`, a "native" package): the upstream
//! author is the packager. Reproducible: members sorted, mtime SOURCE_DATE_EPOCH, gzip
//! without name or time.

use std::collections::BTreeMap;
use std::io::Write;

use anyhow::{bail, Context, Result};
use md5::{Digest, Md5};

use super::{civil_utc, depends, doc_dir, linux, tilde_version, NativePackage};
use crate::package::archive::{hex, tar_header, GZIP_LEVEL, MODE_EXECUTABLE, MODE_FILE};

pub const EXTENSION: &str = ".deb";

/// A Debian package name: lower case, `_` (which Cargo allows and Debian does not) as `-`.
pub fn package_name(cargo_name: &str) -> String {
    cargo_name.to_ascii_lowercase().replace('_', "-")
}

/// The Debian architecture of a Linux triple (`dpkg-architecture -L` names).
pub fn architecture(triple: &str) -> Result<&'static str> {
    let t = linux(triple, EXTENSION)?;
    Ok(match t.cpu() {
        Some(("x86_64", 64)) => "amd64",
        Some(("aarch64", 64)) => "arm64",
        Some(("arm", 32)) if t.is_arm_hard_float() => "armhf",
        Some(("arm", 32)) => "armel",
        Some(("x86", 32)) => "i386",
        Some(("riscv64", 64)) => "riscv64",
        _ => bail!(
            "target {triple}: crossdock writes .deb packages for amd64, arm64, armhf, armel, i386 and riscv64 only; leave the .deb out for this target"
        ),
    })
}

/// `{name}_{version}_{arch}.deb`, as `dpkg-name` would call it.
pub fn file_name(p: &NativePackage) -> Result<String> {
    Ok(format!(
        "{}_{}_{}{EXTENSION}",
        package_name(&p.name),
        tilde_version(&p.version)?,
        architecture(&p.target)?
    ))
}

/// The whole `.deb`, in memory.
pub fn deb(p: &NativePackage) -> Result<Vec<u8>> {
    let what = || format!("the .deb of {} for {}", p.name, p.target);
    let arch = architecture(&p.target)?;
    let version = tilde_version(&p.version).with_context(what)?;
    let name = package_name(&p.name);

    let doc = doc_dir(&p.name);
    let mut files: BTreeMap<String, (u32, Vec<u8>)> = BTreeMap::new();
    let generated = [
        (format!("{doc}/copyright"), copyright(p).into_bytes()),
        (
            format!("{doc}/changelog.gz"),
            gzip(changelog(p, &name, &version).as_bytes())?,
        ),
    ];
    for (path, data) in p
        .files
        .iter()
        .map(|f| (f.path.clone(), (f.mode, f.data.clone())))
        .chain(generated.into_iter().map(|(p, d)| (p, (MODE_FILE, d))))
    {
        if !path.starts_with('/') || path.ends_with('/') || path.split('/').any(|c| c == "..") {
            bail!("{}: `{path}` is not an absolute file path", what());
        }
        if files.insert(path.clone(), data).is_some() {
            bail!("{}: two files would be installed at {path}; rename one of them (crossdock writes `copyright` and `changelog.gz` in {doc}/ itself)", what());
        }
    }

    let mut dirs = std::collections::BTreeSet::new();
    for path in files.keys() {
        let mut at = 0;
        while let Some(i) = path[at + 1..].find('/') {
            at += i + 1;
            dirs.insert(format!(".{}/", &path[..at]));
        }
    }
    let mut members: Vec<Member> = vec![Member::dir("./".into())];
    members.extend(dirs.into_iter().map(Member::dir));
    members.extend(files.iter().map(|(path, (mode, data))| Member {
        name: format!(".{path}"),
        dir: false,
        mode: *mode,
        data,
    }));
    members.sort_by(|a, b| a.name.cmp(&b.name));
    let installed_kib: u64 = members
        .iter()
        .map(|m| {
            if m.dir {
                1
            } else {
                (m.data.len() as u64).div_ceil(1024)
            }
        })
        .sum();

    let md5sums: String = files
        .iter()
        .map(|(path, (_, data))| format!("{}  {}\n", hex(&Md5::digest(data)), &path[1..]))
        .collect();
    let mut control = format!(
        "Package: {name}\nVersion: {version}\nArchitecture: {arch}\nMaintainer: {}\nInstalled-Size: {installed_kib}\n",
        one_line(&p.maintainer)
    );
    let depends = depends::deb_depends(p).with_context(what)?;
    if !depends.is_empty() {
        control += &format!("Depends: {}\n", depends.join(", "));
    }
    control += "Section: utils\nPriority: optional\n";
    if let Some(h) = &p.homepage {
        control += &format!("Homepage: {}\n", one_line(h));
    }
    control += &format!("Description: {}\n", synopsis(&p.description));
    control += &long_description(p);
    let control_tar = tar_gz(
        &[
            Member::dir("./".into()),
            Member::file("./control", control.as_bytes()),
            Member::file("./md5sums", md5sums.as_bytes()),
        ],
        p.source_date_epoch,
    )?;
    let data_tar = tar_gz(&members, p.source_date_epoch)?;

    check_epoch(p.source_date_epoch)?;
    let mut out = b"!<arch>\n".to_vec();
    for (member, data) in [
        ("debian-binary", &b"2.0\n"[..]),
        ("control.tar.gz", &control_tar),
        ("data.tar.gz", &data_tar),
    ] {
        ar_member(&mut out, member, data, p.source_date_epoch);
    }
    Ok(out)
}

/// The latest mtime an `ar` header's 12 decimal digits hold.
pub const LAST_EPOCH: u64 = 999_999_999_999;

/// A `.deb` cannot record a later SOURCE_DATE_EPOCH than [`LAST_EPOCH`] (issue 20 §7):
/// refused, naming the format, instead of a header dpkg-deb cannot read.
pub fn check_epoch(epoch: u64) -> Result<()> {
    if epoch > LAST_EPOCH {
        anyhow::bail!(
            "SOURCE_DATE_EPOCH {epoch} does not fit a .deb (its ar header holds at most {LAST_EPOCH}); set an earlier SOURCE_DATE_EPOCH, or drop \"deb\" from `installers`"
        );
    }
    Ok(())
}

/// One `ar` member: a 60-byte header (name, mtime, uid, gid, mode, size) and the data padded
/// to an even length, as dpkg-deb writes it.
fn ar_member(out: &mut Vec<u8>, name: &str, data: &[u8], mtime: u64) {
    let header = format!(
        "{name:<16}{mtime:<12}{:<6}{:<6}{:<8}{:<10}`\n",
        0,
        0,
        "100644",
        data.len()
    );
    debug_assert_eq!(header.len(), 60);
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(b'\n');
    }
}

struct Member<'a> {
    /// `./usr/bin/app`, or `./usr/bin/` for a directory.
    name: String,
    dir: bool,
    mode: u32,
    data: &'a [u8],
}

impl<'a> Member<'a> {
    fn dir(name: String) -> Member<'a> {
        Member {
            name,
            dir: true,
            mode: MODE_EXECUTABLE,
            data: &[],
        }
    }
    fn file(name: &str, data: &'a [u8]) -> Member<'a> {
        Member {
            name: name.into(),
            dir: false,
            mode: MODE_FILE,
            data,
        }
    }
}

/// A GNU tar.gz of `members` with their names written as given (the tar crate would drop
/// dpkg's `./` prefix), a GNU long-name entry for names over 100 bytes.
fn tar_gz(members: &[Member], mtime: u64) -> Result<Vec<u8>> {
    let gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::new(GZIP_LEVEL));
    let mut tar = tar::Builder::new(gz);
    let header = |name: &[u8], kind: tar::EntryType, mode: u32, size: u64, mtime: u64| {
        let mut h = tar_header(kind, mode, size, mtime);
        let field = &mut h.as_gnu_mut().expect("a GNU header").name;
        let n = name.len().min(field.len());
        field[..n].copy_from_slice(&name[..n]);
        // Infallible for these short ASCII names.
        let _ = h.set_username("root");
        let _ = h.set_groupname("root");
        h.set_cksum();
        h
    };
    for m in members {
        let name = m.name.as_bytes();
        if name.len() > 100 {
            let mut long = name.to_vec();
            long.push(0);
            let h = header(
                b"././@LongLink",
                tar::EntryType::GNULongName,
                MODE_FILE,
                long.len() as u64,
                0,
            );
            tar.append(&h, &long[..])?;
        }
        let (kind, size) = if m.dir {
            (tar::EntryType::Directory, 0)
        } else {
            (tar::EntryType::Regular, m.data.len() as u64)
        };
        tar.append(&header(name, kind, m.mode, size, mtime), m.data)
            .with_context(|| format!("adding {} to the .deb", m.name))?;
    }
    Ok(tar.into_inner()?.finish()?)
}

fn gzip(data: &[u8]) -> Result<Vec<u8>> {
    let mut gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::new(GZIP_LEVEL));
    gz.write_all(data)?;
    Ok(gz.finish()?)
}

use super::one_line;

/// The first line of the description, without a final full stop (Debian's synopsis style).
fn synopsis(description: &str) -> String {
    let first = one_line(description.lines().next().unwrap_or(""));
    let first = first.strip_suffix('.').unwrap_or(&first).to_string();
    if first.is_empty() {
        "command-line tool".to_string()
    } else {
        first
    }
}

/// The extended description as control-file continuation lines (` text`, ` .` for a blank
/// line); when Cargo.toml has none, one line naming the installed commands.
fn long_description(p: &NativePackage) -> String {
    let text = if p.long_description.trim().is_empty() {
        let commands: Vec<&str> = p
            .files
            .iter()
            .filter_map(|f| f.path.strip_prefix("/usr/bin/"))
            .collect();
        format!(
            "This package installs the command{} {} (version {}).",
            if commands.len() == 1 { "" } else { "s" },
            commands.join(", "),
            p.version
        )
    } else {
        p.long_description.trim().to_string()
    };
    text.lines()
        .map(|l| {
            // No control character reaches the control file (a lone CR, ESC, NUL…).
            let l: String = l.chars().filter(|c| !c.is_control()).collect();
            let l = l.trim_end();
            if l.is_empty() {
                " .\n".to_string()
            } else {
                format!(" {l}\n")
            }
        })
        .collect()
}

/// An SPDX expression in DEP-5 spelling: `MIT OR Apache-2.0` → `Expat or Apache-2.0`.
fn dep5_license(spdx: &str) -> String {
    let spaced = spdx
        .replace('/', " OR ")
        .replace('(', "( ")
        .replace(')', " )");
    let words: Vec<String> = spaced
        .split_whitespace()
        .map(|w| match w {
            "OR" => "or".into(),
            "AND" => "and".into(),
            "WITH" => "with".into(),
            "MIT" => "Expat".into(),
            other => {
                for (family, short) in [("AGPL", "AGPL"), ("LGPL", "LGPL"), ("GPL", "GPL")] {
                    if let Some(v) = other.strip_prefix(&format!("{family}-")) {
                        let (num, plus) = if let Some(n) = v.strip_suffix("-or-later") {
                            (n, "+")
                        } else if let Some(n) = v.strip_suffix('+') {
                            (n, "+")
                        } else {
                            (v.strip_suffix("-only").unwrap_or(v), "")
                        };
                        let num = num.strip_suffix(".0").unwrap_or(num);
                        return format!("{short}-{num}{plus}");
                    }
                }
                other.to_string()
            }
        })
        .collect();
    words.join(" ").replace("( ", "(").replace(" )", ")")
}

/// Licenses whose text Debian ships in `/usr/share/common-licenses`.
const COMMON_LICENSES: &[&str] = &[
    "Apache-2.0",
    "Artistic",
    "BSD",
    "CC0-1.0",
    "GFDL-1.2",
    "GFDL-1.3",
    "GPL-1",
    "GPL-2",
    "GPL-3",
    "LGPL-2",
    "LGPL-2.1",
    "LGPL-3",
    "MPL-1.1",
    "MPL-2.0",
];

/// The machine-readable `copyright` file (DEP-5): one `Files: *` paragraph and a license
/// paragraph per license named, with the shipped license text, or a pointer to Debian's
/// copy of it.
fn copyright(p: &NativePackage) -> String {
    let license = dep5_license(&one_line(p.license.as_deref().unwrap_or("UNKNOWN")));
    let maintainer = one_line(&p.maintainer);
    let holder = maintainer
        .split('<')
        .next()
        .map(str::trim)
        .unwrap_or_default();
    let (year, ..) = civil_utc(p.source_date_epoch);
    let mut out = format!(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\nUpstream-Name: {}\nUpstream-Contact: {}\n",
        p.name,
        one_line(&p.maintainer)
    );
    if let Some(h) = &p.homepage {
        out += &format!("Source: {}\n", one_line(h));
    }
    out += &format!("\nFiles: *\nCopyright: {year} {holder}\nLicense: {license}\n");
    let names: std::collections::BTreeSet<&str> = license
        .split(['(', ')', ' '])
        .filter(|w| !w.is_empty() && !["or", "and", "with"].contains(w))
        .collect();
    for name in &names {
        out += &format!("\nLicense: {name}\n");
        let body = match (&p.license_text, names.len()) {
            (Some(text), 1) => text.clone(),
            _ if COMMON_LICENSES.contains(&name.trim_end_matches('+')) => format!(
                "On Debian systems, the complete text of this license can be found in\n/usr/share/common-licenses/{}.",
                name.trim_end_matches('+')
            ),
            (Some(text), _) => format!("The license files shipped in /usr/share/doc/{}/ hold the text:\n\n{text}", package_name(&p.name)),
            (None, _) => format!(
                "The complete text of this license is part of the upstream release{}.",
                p.homepage
                    .as_deref()
                    .map(|h| format!(", {h}"))
                    .unwrap_or_default()
            ),
        };
        for l in body.lines() {
            let l = l.trim_end();
            out += &if l.is_empty() {
                " .\n".to_string()
            } else {
                format!(" {l}\n")
            };
        }
    }
    out
}

/// A one-entry Debian changelog for this release, dated SOURCE_DATE_EPOCH.
fn changelog(p: &NativePackage, name: &str, version: &str) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, mo, d, h, mi, s, wd) = civil_utc(p.source_date_epoch);
    format!(
        "{name} ({version}) unstable; urgency=medium\n\n  * Release {version}.\n\n -- {}  {}, {d:02} {} {y} {h:02}:{mi:02}:{s:02} +0000\n",
        one_line(&p.maintainer),
        DAYS[wd as usize],
        MONTHS[mo as usize - 1]
    )
}

#[cfg(test)]
mod tests {
    use super::super::depends::tests::{elf_needing, package_with};
    use super::super::PackageFile;
    use super::*;

    #[test]
    fn architectures_from_triples() {
        for (t, a) in [
            ("x86_64-unknown-linux-gnu", "amd64"),
            ("x86_64-unknown-linux-musl", "amd64"),
            ("aarch64-unknown-linux-gnu", "arm64"),
            ("armv7-unknown-linux-gnueabihf", "armhf"),
            ("arm-unknown-linux-musleabihf", "armhf"),
            ("arm-unknown-linux-gnueabi", "armel"),
            ("i686-unknown-linux-gnu", "i386"),
            ("riscv64gc-unknown-linux-gnu", "riscv64"),
        ] {
            assert_eq!(architecture(t).unwrap(), a, "{t}");
        }
        let e = architecture("aarch64-apple-darwin")
            .unwrap_err()
            .to_string();
        assert!(e.contains("aarch64-apple-darwin is not Linux"), "{e}");
        let e = architecture("s390x-unknown-linux-gnu")
            .unwrap_err()
            .to_string();
        assert!(e.contains("amd64, arm64"), "{e}");
    }

    #[test]
    fn names_and_versions() {
        let mut p = package_with(vec![]);
        p.name = "My_App".into();
        p.version = "1.0.0-rc.1".into();
        p.target = "aarch64-unknown-linux-musl".into();
        assert_eq!(file_name(&p).unwrap(), "my-app_1.0.0~rc.1_arm64.deb");
    }

    #[test]
    fn licenses_in_dep5_spelling() {
        assert_eq!(dep5_license("MIT OR Apache-2.0"), "Expat or Apache-2.0");
        assert_eq!(dep5_license("MIT/Apache-2.0"), "Expat or Apache-2.0");
        assert_eq!(dep5_license("GPL-3.0-or-later"), "GPL-3+");
        assert_eq!(dep5_license("LGPL-2.1-only"), "LGPL-2.1");
        assert_eq!(
            dep5_license("(MIT AND BSD-3-Clause) OR GPL-2.0"),
            "(Expat and BSD-3-Clause) or GPL-2"
        );
    }

    #[test]
    fn control_and_layout_are_dpkg_shaped_and_reproducible() {
        let elf = elf_needing(&["libc.so.6"], &[("libc.so.6", &["GLIBC_2.17"])]);
        let mut p = package_with(vec![
            PackageFile {
                path: "/usr/bin/app".into(),
                mode: 0o755,
                data: elf,
            },
            PackageFile {
                path: "/usr/share/doc/app/README.md".into(),
                mode: 0o644,
                data: vec![b'x'; 3000],
            },
        ]);
        p.long_description = "First paragraph.\n\nSecond.".into();
        let one = deb(&p).unwrap();
        let mut reordered = p.clone();
        reordered.files.reverse();
        assert_eq!(one, deb(&reordered).unwrap());
        assert!(one.starts_with(
            b"!<arch>\ndebian-binary   1700000000  0     0     100644  4         `\n2.0\n"
        ));

        let control_tar = member(&one, "control.tar.gz");
        let control = String::from_utf8(read_tar(&control_tar)["./control"].clone()).unwrap();
        assert_eq!(
            control,
            "Package: app\nVersion: 1.2.3\nArchitecture: amd64\nMaintainer: Jane Doe <jane@example.org>\nInstalled-Size: 12\nDepends: libc6 (>= 2.17)\nSection: utils\nPriority: optional\nDescription: does things\n First paragraph.\n .\n Second.\n"
        );
        let data = read_tar(&member(&one, "data.tar.gz"));
        let names: Vec<&str> = data.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "./",
                "./usr/",
                "./usr/bin/",
                "./usr/bin/app",
                "./usr/share/",
                "./usr/share/doc/",
                "./usr/share/doc/app/",
                "./usr/share/doc/app/README.md",
                "./usr/share/doc/app/changelog.gz",
                "./usr/share/doc/app/copyright",
            ]
        );
        let copyright = String::from_utf8(data["./usr/share/doc/app/copyright"].clone()).unwrap();
        assert!(copyright.contains("\nFiles: *\nCopyright: 2023 Jane Doe\nLicense: Expat\n\nLicense: Expat\n The complete text"), "{copyright}");
    }

    #[test]
    fn long_names_survive() {
        let deep = format!("/usr/share/doc/app/{}/notes.txt", "d".repeat(120));
        let p = package_with(vec![PackageFile {
            path: deep.clone(),
            mode: 0o644,
            data: b"n".to_vec(),
        }]);
        let data = read_tar(&member(&deb(&p).unwrap(), "data.tar.gz"));
        assert_eq!(data[&format!(".{deep}")], b"n");
    }

    /// The data of an ar member.
    fn member(ar: &[u8], name: &str) -> Vec<u8> {
        let mut at = 8;
        while at < ar.len() {
            let h = std::str::from_utf8(&ar[at..at + 60]).unwrap();
            let size: usize = h[48..58].trim().parse().unwrap();
            if h[..16].trim() == name {
                return ar[at + 60..at + 60 + size].to_vec();
            }
            at += 60 + size + size % 2;
        }
        panic!("no {name}");
    }

    /// Entry name → content of a tar.gz, checking the owner and mtime of every entry.
    fn read_tar(tgz: &[u8]) -> BTreeMap<String, Vec<u8>> {
        use std::io::Read;
        let mut t = tar::Archive::new(flate2::read::GzDecoder::new(tgz));
        let mut out = BTreeMap::new();
        for e in t.entries().unwrap() {
            let mut e = e.unwrap();
            let h = e.header();
            assert_eq!(
                (h.uid().unwrap(), h.gid().unwrap(), h.mtime().unwrap()),
                (0, 0, 1_700_000_000)
            );
            assert_eq!(h.username().unwrap(), Some("root"));
            let name = String::from_utf8(e.path_bytes().to_vec()).unwrap();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            out.insert(name, data);
        }
        out
    }
}
