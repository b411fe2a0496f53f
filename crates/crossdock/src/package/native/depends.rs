//! What the packaged binaries need from the system, read from their ELF dynamic section:
//! `DT_NEEDED` libraries and the `.gnu.version_r` symbol versions. The `.deb` turns them into
//! `Depends` (glibc's libraries → `libc6 (>= FLOOR)`, FLOOR being the highest `GLIBC_x.y`
//! needed, as `package/binary.rs` computes it); the `.rpm` into the same `Requires` rpmbuild's
//! elfdeps would generate (`libc.so.6()(64bit)`, `libc.so.6(GLIBC_2.34)(64bit)`), which every
//! RPM distribution resolves without a name table. A static binary (musl) needs nothing.

use std::collections::BTreeSet;

use anyhow::{bail, Context, Result};
use object::read::elf::{Dyn, ElfFile, FileHeader};

use super::{NativePackage, PackageFile};
use crate::package::binary;

/// The dynamic needs of one ELF file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ElfNeeds {
    /// `DT_NEEDED` sonames, in file order.
    pub libraries: Vec<String>,
    /// `(soname, version)` pairs from `.gnu.version_r`, e.g. `("libc.so.6", "GLIBC_2.34")`.
    pub versions: Vec<(String, String)>,
    pub is_64: bool,
    /// The highest `GLIBC_x.y` version needed (`x.y`), from [`binary::inspect`].
    pub glibc: Option<String>,
}

/// Reads the needs of `data`; `None` when it is not an ELF file (a README, a script).
pub fn elf_needs(data: &[u8]) -> Result<Option<ElfNeeds>> {
    if !data.starts_with(b"\x7fELF") {
        return Ok(None);
    }
    let file = object::File::parse(data).context("a corrupt ELF file")?;
    let (libraries, versions) = match &file {
        object::File::Elf64(elf) => read_needs(elf)?,
        object::File::Elf32(elf) => read_needs(elf)?,
        _ => return Ok(None),
    };
    Ok(Some(ElfNeeds {
        libraries,
        versions,
        is_64: object::Object::is_64(&file),
        glibc: binary::inspect(data)?.glibc,
    }))
}

type Needs = (Vec<String>, Vec<(String, String)>);

fn read_needs<'data, Elf: FileHeader>(elf: &ElfFile<'data, Elf, &'data [u8]>) -> Result<Needs> {
    let endian = elf.endian();
    let data = elf.data();
    let table = elf.elf_section_table();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    let mut libraries = Vec::new();
    if let Some((dyns, link)) = table.dynamic(endian, data)? {
        let strings = table.strings(endian, data, link)?;
        for d in dyns {
            if d.tag32(endian) == Some(object::elf::DT_NEEDED) {
                libraries.push(text(d.string(endian, strings)?));
            }
        }
    }
    let mut versions = Vec::new();
    if let Some((mut needs, link)) = table.gnu_verneed(endian, data)? {
        let strings = table.strings(endian, data, link)?;
        while let Some((need, mut aux)) = needs.next()? {
            let file = text(need.file(endian, strings)?);
            while let Some(a) = aux.next()? {
                versions.push((file.clone(), text(a.name(endian, strings)?)));
            }
        }
    }
    Ok((libraries, versions))
}

/// glibc's own libraries: all come with Debian's `libc6`.
fn is_glibc_library(soname: &str) -> bool {
    const GLIBC: &[&str] = &[
        "libc.so.6",
        "libm.so.6",
        "libpthread.so.0",
        "libdl.so.2",
        "librt.so.1",
        "libutil.so.1",
        "libresolv.so.2",
        "libanl.so.1",
        "libmvec.so.1",
    ];
    GLIBC.contains(&soname) || soname.starts_with("ld-linux")
}

/// Libraries outside glibc that Debian ships under one stable package name.
fn debian_package_of(soname: &str) -> Option<&'static str> {
    Some(match soname {
        "libgcc_s.so.1" => "libgcc-s1",
        "libstdc++.so.6" => "libstdc++6",
        "libz.so.1" => "zlib1g",
        _ => return None,
    })
}

/// The executables of a package (mode with an x bit) that are ELF files, with their needs.
fn packaged_elves(p: &NativePackage) -> Result<Vec<(&PackageFile, ElfNeeds)>> {
    let mut out = Vec::new();
    for f in p.files.iter().filter(|f| f.mode & 0o111 != 0) {
        if let Some(n) = elf_needs(&f.data)
            .with_context(|| format!("{} in the package of {}", f.path, p.name))?
        {
            out.push((f, n));
        }
    }
    Ok(out)
}

/// The `.deb`'s `Depends` entries, sorted: `libc6 (>= 2.34)`, `libgcc-s1`…; empty for
/// static binaries. A library crossdock cannot name a package for is an error unless
/// `deb_library_packages` maps it.
pub fn deb_depends(p: &NativePackage) -> Result<Vec<String>> {
    let mut out = BTreeSet::new();
    let mut floor: Option<(Vec<u32>, String)> = None;
    let mut needs_libc = false;
    for (file, needs) in packaged_elves(p)? {
        for lib in &needs.libraries {
            if is_glibc_library(lib) {
                needs_libc = true;
            } else if let Some(pkg) = p.deb_library_packages.get(lib) {
                out.insert(pkg.clone());
            } else if let Some(pkg) = debian_package_of(lib) {
                out.insert(pkg.to_string());
            } else {
                bail!(
                    "{}: {} needs the shared library {lib}, and crossdock does not know which Debian package provides it (it knows glibc's libraries, libgcc_s, libstdc++ and libz); link it statically (often a `vendored`/`static` feature of the -sys crate), or name its package (`dpkg -S {lib}` on Debian) in the package's library map",
                    p.name,
                    file.path
                );
            }
        }
        if let Some(v) = &needs.glibc {
            let key: Vec<u32> = v.split('.').filter_map(|n| n.parse().ok()).collect();
            if floor.as_ref().is_none_or(|(k, _)| key > *k) {
                floor = Some((key, v.clone()));
            }
        }
    }
    if needs_libc {
        out.insert(match floor {
            Some((_, v)) => format!("libc6 (>= {v})"),
            None => "libc6".to_string(),
        });
    }
    Ok(out.into_iter().collect())
}

/// The `.rpm`'s `Requires`, as rpmbuild's ELF dependency generator writes them: each
/// `DT_NEEDED` soname, and each symbol version needed from it, with `(64bit)` on 64-bit
/// binaries. Sorted, no duplicates; empty for static binaries.
pub fn rpm_requires(p: &NativePackage) -> Result<Vec<String>> {
    let mut out = BTreeSet::new();
    for (_, needs) in packaged_elves(p)? {
        let mark = if needs.is_64 { "(64bit)" } else { "" };
        for lib in &needs.libraries {
            out.insert(format!("{lib}(){mark}"));
        }
        for (lib, version) in &needs.versions {
            out.insert(format!("{lib}({version}){mark}"));
        }
    }
    Ok(out.into_iter().collect())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use object::write::elf::{FileHeader as WriteHeader, Vernaux, Verneed, Writer};

    /// A real ELF shared object (64-bit x86_64) whose dynamic section needs `libraries` and
    /// whose `.gnu.version_r` needs `versions` (soname, [version names]).
    pub(crate) fn elf_needing(libraries: &[&str], versions: &[(&str, &[&str])]) -> Vec<u8> {
        let mut buf = Vec::new();
        let mut w = Writer::new(object::Endianness::Little, true, &mut buf);
        let needed: Vec<_> = libraries
            .iter()
            .map(|l| w.add_dynamic_string(l.as_bytes()))
            .collect();
        let needs: Vec<_> = versions
            .iter()
            .map(|(lib, vs)| {
                let file = w.add_dynamic_string(lib.as_bytes());
                let names: Vec<_> = vs
                    .iter()
                    .map(|v| w.add_dynamic_string(v.as_bytes()))
                    .collect();
                (file, names)
            })
            .collect();
        let aux_count = needs.iter().map(|(_, v)| v.len()).sum();
        w.reserve_file_header();
        w.reserve_null_section_index();
        w.reserve_dynstr_section_index();
        w.reserve_dynamic_section_index();
        if !needs.is_empty() {
            w.reserve_gnu_verneed_section_index();
        }
        w.reserve_shstrtab_section_index();
        w.reserve_dynstr();
        w.reserve_dynamic(needed.len() + 1);
        w.reserve_gnu_verneed(needs.len(), aux_count);
        w.reserve_shstrtab();
        w.reserve_section_headers();

        w.write_file_header(&WriteHeader {
            os_abi: 0,
            abi_version: 0,
            e_type: object::elf::ET_DYN,
            e_machine: object::elf::EM_X86_64,
            e_entry: 0,
            e_flags: 0,
        })
        .unwrap();
        w.write_dynstr();
        w.write_align_dynamic();
        for id in needed {
            w.write_dynamic_string(object::elf::DT_NEEDED, id);
        }
        w.write_dynamic(object::elf::DT_NULL, 0);
        w.write_align_gnu_verneed();
        let mut index = 2;
        for (file, names) in &needs {
            w.write_gnu_verneed(&Verneed {
                version: 1,
                aux_count: names.len() as u16,
                file: *file,
            });
            for name in names {
                w.write_gnu_vernaux(&Vernaux {
                    flags: 0,
                    index,
                    name: *name,
                });
                index += 1;
            }
        }
        w.write_shstrtab();
        w.write_null_section_header();
        w.write_dynstr_section_header(0);
        w.write_dynamic_section_header(0);
        w.write_gnu_verneed_section_header(0);
        w.write_shstrtab_section_header();
        buf
    }

    pub(crate) fn package_with(files: Vec<PackageFile>) -> NativePackage {
        NativePackage {
            name: "app".into(),
            version: "1.2.3".into(),
            target: "x86_64-unknown-linux-gnu".into(),
            maintainer: "Jane Doe <jane@example.org>".into(),
            description: "does things".into(),
            long_description: String::new(),
            homepage: None,
            license: Some("MIT".into()),
            license_text: None,
            files,
            source_date_epoch: 1_700_000_000,
            deb_library_packages: Default::default(),
        }
    }

    fn bin(data: Vec<u8>) -> PackageFile {
        PackageFile {
            path: "/usr/bin/app".into(),
            mode: 0o755,
            data,
        }
    }

    #[test]
    fn glibc_binary_depends_on_libc6_at_its_floor() {
        let elf = elf_needing(
            &["libgcc_s.so.1", "libm.so.6", "libc.so.6"],
            &[
                ("libgcc_s.so.1", &["GCC_3.0"]),
                ("libc.so.6", &["GLIBC_2.2.5", "GLIBC_2.34", "GLIBC_2.9"]),
                ("libm.so.6", &["GLIBC_2.29"]),
            ],
        );
        let needs = elf_needs(&elf).unwrap().unwrap();
        assert_eq!(needs.libraries, ["libgcc_s.so.1", "libm.so.6", "libc.so.6"]);
        assert_eq!(needs.glibc.as_deref(), Some("2.34"));
        let p = package_with(vec![bin(elf)]);
        assert_eq!(deb_depends(&p).unwrap(), ["libc6 (>= 2.34)", "libgcc-s1"]);
        assert_eq!(
            rpm_requires(&p).unwrap(),
            [
                "libc.so.6()(64bit)",
                "libc.so.6(GLIBC_2.2.5)(64bit)",
                "libc.so.6(GLIBC_2.34)(64bit)",
                "libc.so.6(GLIBC_2.9)(64bit)",
                "libgcc_s.so.1()(64bit)",
                "libgcc_s.so.1(GCC_3.0)(64bit)",
                "libm.so.6()(64bit)",
                "libm.so.6(GLIBC_2.29)(64bit)",
            ]
        );
    }

    #[test]
    fn static_binary_and_documents_need_nothing() {
        let p = package_with(vec![
            bin(elf_needing(&[], &[])),
            PackageFile {
                path: "/usr/share/doc/app/README.md".into(),
                mode: 0o644,
                data: b"# app".to_vec(),
            },
        ]);
        assert_eq!(deb_depends(&p).unwrap(), Vec::<String>::new());
        assert_eq!(rpm_requires(&p).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn unknown_library_is_an_error_unless_mapped() {
        let elf = elf_needing(&["libssl.so.3", "libc.so.6"], &[]);
        let mut p = package_with(vec![bin(elf)]);
        let e = deb_depends(&p).unwrap_err().to_string();
        assert!(
            e.contains("/usr/bin/app needs the shared library libssl.so.3")
                && e.contains("dpkg -S libssl.so.3"),
            "{e}"
        );
        p.deb_library_packages
            .insert("libssl.so.3".into(), "libssl3t64".into());
        // No version needs: libc6 without a floor.
        assert_eq!(deb_depends(&p).unwrap(), ["libc6", "libssl3t64"]);
        assert_eq!(
            rpm_requires(&p).unwrap(),
            ["libc.so.6()(64bit)", "libssl.so.3()(64bit)"]
        );
    }

    #[cfg(target_os = "linux")] // the test binary is an ELF file here only
    #[test]
    #[allow(clippy::disallowed_methods)] // runs readelf itself, as an outside judge
    fn needs_of_the_test_binary_match_readelf() {
        let exe = std::env::current_exe().unwrap();
        let needs = elf_needs(&std::fs::read(&exe).unwrap()).unwrap().unwrap();
        let Ok(out) = std::process::Command::new("readelf")
            .arg("-d")
            .arg(&exe)
            .output()
        else {
            eprintln!("SKIPPED: readelf is not installed");
            return;
        };
        let text = String::from_utf8_lossy(&out.stdout);
        let want: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("(NEEDED)"))
            .filter_map(|l| l.split('[').nth(1)?.split(']').next())
            .collect();
        assert!(!want.is_empty(), "readelf -d shows no NEEDED:\n{text}");
        assert_eq!(needs.libraries, want);
    }
}
