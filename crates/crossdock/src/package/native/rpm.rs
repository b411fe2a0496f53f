//! The `.rpm` writer, on the `rpm` crate (pure Rust, RPM v4 format, gzip payload, no
//! signature). Reproducible because its `BuildConfig::source_date` fixes the build time and
//! every file's mtime, and no build host is recorded. The version uses `~` for a semver
//! prerelease (rpm ≥ 4.10 sorts `1.0.0~rc.1` before `1.0.0`), the release is always `1`.
//! `Requires` are written here from the binaries' ELF needs, in the form rpmbuild's own
//! dependency generator uses (`libc.so.6(GLIBC_2.34)(64bit)`), since no rpmbuild runs.

use anyhow::{bail, Context, Result};

use super::{depends, linux, tilde_version, NativePackage};

pub const EXTENSION: &str = ".rpm";
/// The package release: crossdock builds each version once.
pub const RELEASE: &str = "1";

/// The RPM architecture of a Linux triple.
pub fn architecture(triple: &str) -> Result<&'static str> {
    let t = linux(triple, EXTENSION)?;
    Ok(match t.cpu() {
        Some(("x86_64", 64)) => "x86_64",
        Some(("aarch64", 64)) => "aarch64",
        Some(("x86", 32)) => "i686",
        Some(("arm", 32)) if t.is_arm_hard_float() => "armv7hl",
        Some(("riscv64", 64)) => "riscv64",
        _ => bail!(
            "target {triple}: crossdock writes .rpm packages for x86_64, aarch64, i686, armv7hl and riscv64 only; leave the .rpm out for this target"
        ),
    })
}

/// `{name}-{version}-1.{arch}.rpm`, as rpmbuild names it.
pub fn file_name(p: &NativePackage) -> Result<String> {
    Ok(format!(
        "{}-{}-{RELEASE}.{}{EXTENSION}",
        p.name,
        tilde_version(&p.version)?,
        architecture(&p.target)?
    ))
}

/// An `.rpm` records times in 32 bits: a later SOURCE_DATE_EPOCH is refused, naming the
/// format (issue 20 §7).
pub fn check_epoch(epoch: u64) -> Result<()> {
    if u32::try_from(epoch).is_err() {
        anyhow::bail!(
            "SOURCE_DATE_EPOCH {epoch} does not fit the 32-bit time of the RPM format (at most {}); set an earlier SOURCE_DATE_EPOCH, or drop \"rpm\" from `installers`",
            u32::MAX
        );
    }
    Ok(())
}

/// The whole `.rpm`, in memory.
pub fn rpm(p: &NativePackage) -> Result<Vec<u8>> {
    let what = || format!("the .rpm of {} for {}", p.name, p.target);
    let arch = architecture(&p.target)?;
    let version = tilde_version(&p.version).with_context(what)?;
    let epoch = u32::try_from(p.source_date_epoch).with_context(|| {
        format!(
            "{}: SOURCE_DATE_EPOCH {} does not fit the 32-bit time of the RPM format",
            what(),
            p.source_date_epoch
        )
    })?;
    let config = ::rpm::BuildConfig::default()
        .compression(::rpm::CompressionType::Gzip)
        .source_date(epoch);
    // Header values that must stay one line (issue 20 §6): the first line of the
    // description, the license, packager and URL, whatever Cargo.toml holds.
    let summary = super::one_line(p.description.lines().next().unwrap_or(""));
    let summary = summary.as_str();
    let license = super::one_line(p.license.as_deref().unwrap_or("Unknown"));
    let mut b = ::rpm::PackageBuilder::new(&p.name, &version, &license, arch, summary);
    b.using_config(config)
        .release(RELEASE)
        .description(if p.long_description.trim().is_empty() {
            summary
        } else {
            p.long_description.trim()
        })
        .packager(super::one_line(&p.maintainer))
        .group("Applications/System");
    if let Some(h) = &p.homepage {
        b.url(super::one_line(h));
    }
    let mut files: Vec<_> = p.files.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    for f in files {
        let mode = u16::try_from(f.mode & 0o7777).unwrap_or(0o644);
        let mut opts = ::rpm::FileOptions::new(&f.path).permissions(mode);
        if f.path.starts_with("/usr/share/doc/") {
            opts = opts.doc();
        }
        b.with_file_contents(f.data.clone(), opts)
            .with_context(|| format!("{}: adding {}", what(), f.path))?;
    }
    for r in depends::rpm_requires(p).with_context(what)? {
        b.requires(::rpm::Dependency::any(r));
    }
    let package = b.build().with_context(what)?;
    let mut out = Vec::new();
    package.write(&mut out).with_context(what)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::depends::tests::{elf_needing, package_with};
    use super::super::PackageFile;
    use super::*;

    #[test]
    fn architectures_and_names() {
        for (t, a) in [
            ("x86_64-unknown-linux-gnu", "x86_64"),
            ("x86_64-unknown-linux-musl", "x86_64"),
            ("aarch64-unknown-linux-gnu", "aarch64"),
            ("i686-unknown-linux-gnu", "i686"),
            ("armv7-unknown-linux-gnueabihf", "armv7hl"),
        ] {
            assert_eq!(architecture(t).unwrap(), a, "{t}");
        }
        let e = architecture("x86_64-pc-windows-msvc")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not Linux"), "{e}");
        let mut p = package_with(vec![]);
        p.version = "1.0.0-rc.1".into();
        assert_eq!(file_name(&p).unwrap(), "app-1.0.0~rc.1-1.x86_64.rpm");
    }

    #[test]
    fn same_input_same_bytes_and_it_reads_back() {
        let p = package_with(vec![
            PackageFile {
                path: "/usr/bin/app".into(),
                mode: 0o755,
                data: elf_needing(&["libc.so.6"], &[("libc.so.6", &["GLIBC_2.17"])]),
            },
            PackageFile {
                path: "/usr/share/doc/app/README.md".into(),
                mode: 0o644,
                data: b"# app\n".to_vec(),
            },
        ]);
        let one = rpm(&p).unwrap();
        let mut reordered = p.clone();
        reordered.files.reverse();
        assert_eq!(one, rpm(&reordered).unwrap());

        let back = ::rpm::Package::parse(&mut &one[..]).unwrap();
        let m = &back.metadata;
        assert_eq!(m.get_name().unwrap(), "app");
        assert_eq!(m.get_release().unwrap(), "1");
        assert_eq!(m.get_build_time().unwrap(), 1_700_000_000);
        let requires: Vec<String> = m
            .get_requires()
            .unwrap()
            .into_iter()
            .map(|d| d.name)
            .filter(|n| !n.starts_with("rpmlib("))
            .collect();
        assert_eq!(
            requires,
            ["libc.so.6()(64bit)", "libc.so.6(GLIBC_2.17)(64bit)"]
        );
    }
}
