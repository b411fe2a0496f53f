//! `.deb` and `.rpm` (issue 15) made from a real `dist` of hello-ws, exactly as `merge`
//! would make them (from the archives and the manifest only), and judged by the real tools:
//! dpkg-deb, lintian, dpkg installing into a throwaway root, rpm's query, checksum check and
//! install into a throwaway root; the installed binary must run.

use std::path::Path;

use crossdock::native::{self, NativePackage, PackageMeta};

use crate::support::*;

const EPOCH: &str = "1700000000";

/// One `dist` of hello-ws at a fixed SOURCE_DATE_EPOCH: the fixture and its manifest.
fn dist_hello() -> (Fixture, crossdock::Manifest) {
    let fx = Fixture::new("hello-ws");
    fx.run_env(&["dist"], &[("SOURCE_DATE_EPOCH", EPOCH)]).ok();
    let text = std::fs::read_to_string(fx.dist_dir().join("dist-manifest.json")).unwrap();
    (fx, serde_json::from_str(&text).unwrap())
}

fn meta() -> PackageMeta {
    PackageMeta {
        maintainer: "Crossdock Tests <tests@example.org>".into(),
        description: "Says hello from the hello-ws fixture.".into(),
        long_description:
            "A tiny program crossdock's tests build, package and install.\n\nIt prints its version."
                .into(),
        homepage: Some("https://github.com/crossdock/hello-ws".into()),
        license: Some("MIT".into()),
        source_date_epoch: EPOCH.parse().unwrap(),
        ..PackageMeta::default()
    }
}

/// The package input for `package`'s host archive, made from the archive alone.
fn package(fx: &Fixture, manifest: &crossdock::Manifest, package: &str) -> NativePackage {
    let host = host();
    let entry = manifest
        .artifacts
        .iter()
        .find(|a| a.package.as_deref() == Some(package) && a.target.as_deref() == Some(&host))
        .unwrap_or_else(|| panic!("no {package} archive for {host} in {manifest:#?}"));
    native::from_archive(&fx.dist_dir().join(&entry.name), entry, &meta()).unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn deb_passes_dpkg_and_lintian_and_installs_a_running_binary() {
    if !require("dpkg-deb", have("dpkg-deb")) || !require("lintian", have("lintian")) {
        return;
    }
    let (fx, manifest) = dist_hello();
    let out = tempfile::tempdir().unwrap();
    let alpha = package(&fx, &manifest, "alpha");
    let started = std::time::Instant::now();
    let bytes = native::deb::deb(&alpha).unwrap();
    let took = started.elapsed();
    let name = native::deb::file_name(&alpha).unwrap();
    let arch = native::deb::architecture(&host()).unwrap();
    assert_eq!(name, format!("alpha_0.3.1_{arch}.deb"));
    let deb = write(out.path(), &name, &bytes);
    eprintln!("{name}: {} bytes in {took:?}", bytes.len());

    // Two runs from the archive: the same bytes.
    assert_eq!(
        native::deb::deb(&package(&fx, &manifest, "alpha")).unwrap(),
        bytes
    );

    let info = tool(out.path(), "dpkg-deb", &["--info", &deb]);
    let floor = manifest
        .artifacts
        .iter()
        .find(|a| a.package.as_deref() == Some("alpha"))
        .and_then(|a| a.glibc_floor())
        .expect("a glibc host build records its glibc floor")
        .to_string();
    for field in [
        "Package: alpha".to_string(),
        "Version: 0.3.1".into(),
        format!("Architecture: {arch}"),
        "Maintainer: Crossdock Tests <tests@example.org>".into(),
        format!("Depends: libc6 (>= {floor})"),
        "Homepage: https://github.com/crossdock/hello-ws".into(),
        "Description: Says hello from the hello-ws fixture\n  A tiny program".into(),
    ] {
        assert!(
            info.contains(&field),
            "dpkg-deb --info lacks {field:?}:\n{info}"
        );
    }
    let contents = tool(out.path(), "dpkg-deb", &["--contents", &deb]);
    for (mode, path) in [
        ("-rwxr-xr-x root/root", "./usr/bin/alpha"),
        ("-rwxr-xr-x root/root", "./usr/bin/alpha-admin"),
        ("-rw-r--r-- root/root", "./usr/share/doc/alpha/README.md"),
        ("-rw-r--r-- root/root", "./usr/share/doc/alpha/LICENSE"),
        ("-rw-r--r-- root/root", "./usr/share/doc/alpha/copyright"),
        ("-rw-r--r-- root/root", "./usr/share/doc/alpha/changelog.gz"),
    ] {
        assert!(
            contents.lines().any(|l| l.starts_with(mode)
                && l.ends_with(path)
                && l.contains("2023-11-14 22:13")),
            "dpkg-deb --contents lacks {mode} … {path}:\n{contents}"
        );
    }

    // lintian: no error (warnings are allowed and printed).
    let r = finish(
        std::process::Command::new("lintian")
            .args(["--allow-root", "--no-cfg", "--display-info", &deb])
            .output()
            .unwrap(),
    );
    eprintln!("lintian:\n{}{}", r.stdout, r.stderr);
    let errors: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with("E:")).collect();
    assert!(errors.is_empty(), "lintian errors:\n{}", errors.join("\n"));
    assert!(
        r.code == 0 || r.code == 2,
        "lintian failed to run: {}",
        r.stderr
    );

    // dpkg installs it into a throwaway root; the installed binary runs.
    let root = tempfile::tempdir().unwrap();
    let admin = root.path().join("var/lib/dpkg");
    std::fs::create_dir_all(admin.join("updates")).unwrap();
    std::fs::create_dir_all(admin.join("info")).unwrap();
    std::fs::write(admin.join("status"), "").unwrap();
    let root_arg = format!("--root={}", root.path().display());
    tool(
        out.path(),
        "dpkg",
        &[
            &root_arg,
            "--force-not-root",
            "--force-depends",
            "--log=/dev/null",
            "--install",
            &deb,
        ],
    );
    let status = tool(out.path(), "dpkg", &[&root_arg, "--status", "alpha"]);
    assert!(status.contains("Status: install ok installed"), "{status}");
    let v = tool(root.path(), "./usr/bin/alpha", &["--version"]);
    assert_eq!(
        v.trim(),
        format!("alpha 0.3.1 ({})", std::env::consts::ARCH)
    );

    // A prerelease: `~` in the version, and dpkg orders it before the release.
    let beta = package(&fx, &manifest, "beta");
    let beta_name = native::deb::file_name(&beta).unwrap();
    assert_eq!(beta_name, format!("beta_1.0.0~rc.1_{arch}.deb"));
    let beta_deb = write(out.path(), &beta_name, &native::deb::deb(&beta).unwrap());
    let info = tool(out.path(), "dpkg-deb", &["--field", &beta_deb, "Version"]);
    assert_eq!(info.trim(), "1.0.0~rc.1");
    tool(
        out.path(),
        "dpkg",
        &["--compare-versions", "1.0.0~rc.1", "lt", "1.0.0"],
    );

    // A non-Linux target is refused, naming it.
    let mut mac = alpha.clone();
    mac.target = "aarch64-apple-darwin".into();
    let e = native::deb::deb(&mac).unwrap_err().to_string();
    assert!(
        e.contains("target aarch64-apple-darwin is not Linux"),
        "{e}"
    );
}

#[test]
fn rpm_passes_rpm_checks_and_installs_a_running_binary() {
    if !require("rpm", have("rpm")) {
        return;
    }
    let (fx, manifest) = dist_hello();
    let out = tempfile::tempdir().unwrap();
    let alpha = package(&fx, &manifest, "alpha");
    let started = std::time::Instant::now();
    let bytes = native::rpm::rpm(&alpha).unwrap();
    let took = started.elapsed();
    let arch = native::rpm::architecture(&host()).unwrap();
    let name = native::rpm::file_name(&alpha).unwrap();
    assert_eq!(name, format!("alpha-0.3.1-1.{arch}.rpm"));
    let rpm = write(out.path(), &name, &bytes);
    eprintln!("{name}: {} bytes in {took:?}", bytes.len());
    assert_eq!(
        native::rpm::rpm(&package(&fx, &manifest, "alpha")).unwrap(),
        bytes
    );

    let info = tool(out.path(), "rpm", &["-qip", &rpm]);
    for field in [
        "Name        : alpha",
        "Version     : 0.3.1",
        "Release     : 1",
        "License     : MIT",
        "Summary     : Says hello from the hello-ws fixture.",
        "URL         : https://github.com/crossdock/hello-ws",
        "Packager    : Crossdock Tests <tests@example.org>",
    ] {
        assert!(info.contains(field), "rpm -qip lacks {field:?}:\n{info}");
    }
    assert!(info.contains(&format!("Architecture: {arch}")), "{info}");
    let list = tool(out.path(), "rpm", &["-qlp", &rpm]);
    assert_eq!(
        list.lines().collect::<Vec<_>>(),
        [
            "/usr/bin/alpha",
            "/usr/bin/alpha-admin",
            "/usr/share/doc/alpha/LICENSE",
            "/usr/share/doc/alpha/README.md",
        ]
    );
    let requires = tool(out.path(), "rpm", &["-qp", "--requires", &rpm]);
    assert!(requires.contains("libc.so.6()(64bit)"), "{requires}");
    let k = tool(out.path(), "rpm", &["-K", &rpm]);
    assert!(k.trim_end().ends_with("digests OK"), "rpm -K: {k}");

    // Installed into a throwaway root (its own rpm database), the binary runs.
    let root = tempfile::tempdir().unwrap();
    let root_arg = root.path().to_str().unwrap();
    tool(out.path(), "rpm", &["--root", root_arg, "--initdb"]);
    tool(
        out.path(),
        "rpm",
        &["--root", root_arg, "-i", "--nodeps", "--noscripts", &rpm],
    );
    let q = tool(out.path(), "rpm", &["--root", root_arg, "-q", "alpha"]);
    assert_eq!(q.trim(), format!("alpha-0.3.1-1.{arch}"));
    let v = tool(root.path(), "./usr/bin/alpha", &["--version"]);
    assert_eq!(
        v.trim(),
        format!("alpha 0.3.1 ({})", std::env::consts::ARCH)
    );

    // The prerelease maps to `~`, which rpm sorts before the release.
    let beta = package(&fx, &manifest, "beta");
    let beta_name = native::rpm::file_name(&beta).unwrap();
    assert_eq!(beta_name, format!("beta-1.0.0~rc.1-1.{arch}.rpm"));
    let beta_rpm = write(out.path(), &beta_name, &native::rpm::rpm(&beta).unwrap());
    let v = tool(
        out.path(),
        "rpm",
        &["-qp", "--qf", "%{VERSION}-%{RELEASE}", &beta_rpm],
    );
    assert_eq!(v, "1.0.0~rc.1-1");
    let cmp = tool(
        out.path(),
        "rpm",
        &[
            "--eval",
            "%{lua: print(rpm.vercmp('1.0.0~rc.1-1', '1.0.0-1'))}",
        ],
    );
    assert_eq!(cmp.trim(), "-1", "rpm orders 1.0.0~rc.1 before 1.0.0");

    let mut win = alpha.clone();
    win.target = "x86_64-pc-windows-msvc".into();
    let e = native::rpm::rpm(&win).unwrap_err().to_string();
    assert!(
        e.contains("target x86_64-pc-windows-msvc is not Linux"),
        "{e}"
    );
}

/// `installers = ["deb", "rpm"]` through the pipeline: `dist` writes one of each per Linux
/// archive, lists them in SHA256SUMS and the manifest, and `merge` of per-package out dirs
/// writes byte-identical packages (it has only the archives). The dpkg and rpm queries
/// read the maintainer from targets.toml and the version from Cargo.toml.
#[test]
fn dist_and_merge_write_the_same_native_packages() {
    if !require("dpkg-deb", have("dpkg-deb")) || !require("rpm", have("rpm")) {
        return;
    }
    let fx = Fixture::new("hello-ws");
    fx.write(
        "targets.toml",
        &format!(
            // No `download-url` and no `repository`: `.deb`/`.rpm` alone download nothing
            // and need none (issue 23 §6; dist refused the config before).
            "[dist]\ninclude = [\"README*\", \"LICENSE*\"]\ninstallers = [\"deb\", \"rpm\"]\n\
             maintainer = \"Crossdock Tests <tests@example.org>\"\n\n[[target]]\ntriple = \"{}\"\n",
            host()
        ),
    );
    let env = [("SOURCE_DATE_EPOCH", EPOCH)];
    let plan = fx.run_env(&["dist", "--dry-run"], &env).ok().stdout;
    assert!(
        plan.contains("one .deb of alpha per Linux archive"),
        "{plan}"
    );
    fx.run_env(&["dist"], &env).ok();
    let dist = fx.dist_dir();
    let arch = native::deb::architecture(&host()).unwrap();
    let deb = format!("alpha_0.3.1_{arch}.deb");
    let rpm = format!(
        "alpha-0.3.1-1.{}.rpm",
        native::rpm::architecture(&host()).unwrap()
    );
    let beta_deb = format!("beta_1.0.0~rc.1_{arch}.deb");
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    for f in [&deb, &rpm, &beta_deb] {
        assert!(sums.contains(f.as_str()), "{f} not in\n{sums}");
    }
    tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
    let fields = tool(
        &dist,
        "dpkg-deb",
        &["-f", &deb, "Package", "Version", "Maintainer"],
    );
    assert_eq!(
        fields,
        "Package: alpha\nVersion: 0.3.1\nMaintainer: Crossdock Tests <tests@example.org>\n"
    );
    let q = tool(
        &dist,
        "rpm",
        &["-qp", "--qf", "%{NAME} %{VERSION} %{PACKAGER}\\n", &rpm],
    );
    assert!(q.trim().starts_with("alpha 0.3.1"), "{q}");

    let (a, b, merged) = (
        fx.path().join("a"),
        fx.path().join("b"),
        fx.path().join("m"),
    );
    for (p, dir) in [("alpha", &a), ("beta", &b)] {
        fx.run_env(&["dist", "-p", p, "--out-dir", dir.to_str().unwrap()], &env)
            .ok();
    }
    fx.run(&[
        "merge",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out-dir",
        merged.to_str().unwrap(),
    ])
    .ok();
    for f in [&deb, &rpm, &beta_deb] {
        assert_eq!(
            std::fs::read(dist.join(f)).unwrap(),
            std::fs::read(merged.join(f)).unwrap(),
            "{f} differs between merge and dist"
        );
    }
    // The packages' manifest entries too (with the inputs that make them Fresh).
    for f in ["SHA256SUMS", "dist-manifest.json"] {
        assert_eq!(
            std::fs::read_to_string(dist.join(f)).unwrap(),
            std::fs::read_to_string(merged.join(f)).unwrap(),
            "{f} differs between merge and dist"
        );
    }
}

/// Issue 20 §7: a SOURCE_DATE_EPOCH that a `.deb` (12-digit ar mtime) or an `.rpm` (32-bit
/// time) cannot hold is refused before building, naming the format, instead of writing a
/// package the tools cannot read, with exit 0.
#[test]
fn an_epoch_a_native_package_cannot_hold_is_refused_before_building() {
    let fx = Fixture::new("hello-ws");
    for (installer, epoch, says) in [
        ("deb", "1000000000000", "does not fit a .deb"),
        ("rpm", "4294967296", "32-bit time of the RPM format"),
    ] {
        fx.write(
            "targets.toml",
            &format!(
                "[dist]\ninstallers = [\"{installer}\"]\n\
                 maintainer = \"Crossdock Tests <tests@example.org>\"\n\
                 download-url = \"https://example.org/{{tag}}/{{file}}\"\n\n[[target]]\ntriple = \"{}\"\n",
                host()
            ),
        );
        let r = fx
            .run_env(&["dist"], &[("SOURCE_DATE_EPOCH", epoch)])
            .fails_with(&[says, epoch, "SOURCE_DATE_EPOCH", "package `alpha`"]);
        assert!(!r.stderr.contains("Compiling"), "{}", r.stderr);
        assert!(!fx.dist_dir().join("SHA256SUMS").exists());
    }
}

/// Issue 20 §6: newlines (and other control characters) in Cargo.toml's `authors`,
/// `license`, `homepage` and `description` never reach a control file or an RPM header as a
/// new field or paragraph: dpkg reads one Maintainer/Homepage and no injected Depends, the
/// `copyright` file keeps its paragraphs, lintian finds nothing wrong with the copyright
/// file, and rpm reads each header as one line.
#[test]
fn hostile_metadata_cannot_add_fields_to_deb_or_rpm() {
    if !require("dpkg-deb", have("dpkg-deb"))
        || !require("lintian", have("lintian"))
        || !require("rpm", have("rpm"))
    {
        return;
    }
    let (fx, manifest) = dist_hello();
    let entry = manifest
        .artifacts
        .iter()
        .find(|a| a.package.as_deref() == Some("alpha") && a.target.as_deref() == Some(&host()))
        .unwrap();
    let meta = PackageMeta {
        maintainer: "Evil\nDepends: evil\n\nFiles: * <evil@example.org>".into(),
        description: "Says hello\nDepends: evil".into(),
        homepage: Some("https://example.org/\nDepends: evil".into()),
        license: Some("MIT\n\nFiles: *\nLicense: evil".into()),
        ..meta()
    };
    let p = native::from_archive(&fx.dist_dir().join(&entry.name), entry, &meta).unwrap();
    let out = tempfile::tempdir().unwrap();
    let deb = write(
        out.path(),
        &native::deb::file_name(&p).unwrap(),
        &native::deb::deb(&p).unwrap(),
    );
    let control = tool(out.path(), "dpkg-deb", &["--field", &deb]);
    assert!(!control.contains("\nDepends: evil"), "{control}");
    assert_eq!(control.matches("Maintainer:").count(), 1, "{control}");
    assert!(
        control.contains("Maintainer: Evil Depends: evil Files: * <evil@example.org>"),
        "{control}"
    );
    let copyright = tool(
        out.path(),
        "sh",
        &[
            "-c",
            &format!("dpkg-deb --fsys-tarfile {deb} | tar -xOf - ./usr/share/doc/alpha/copyright"),
        ],
    );
    assert_eq!(
        copyright.matches("\nFiles:").count(),
        1,
        "an injected paragraph:\n{copyright}"
    );
    // The maintainer itself is refused before this point when it is not one clean
    // `Name <email>` (read::installers::maintainer); what lintian says of the rest:
    let report = std::process::Command::new("lintian")
        .arg(&deb)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&report.stdout);
    assert!(
        !report.contains("malformed-contact Uploaders") && !report.contains("copyright"),
        "{report}"
    );

    let rpm = write(
        out.path(),
        &native::rpm::file_name(&p).unwrap(),
        &native::rpm::rpm(&p).unwrap(),
    );
    let headers = tool(
        out.path(),
        "rpm",
        &[
            "-qp",
            "--qf",
            "%{LICENSE}|%{URL}|%{PACKAGER}|%{SUMMARY}",
            &rpm,
        ],
    );
    assert_eq!(headers.lines().count(), 1, "{headers}");
    assert_eq!(
        headers.trim(),
        "MIT Files: * License: evil|https://example.org/ Depends: evil|Evil Depends: evil Files: * <evil@example.org>|Says hello Depends: evil"
    );
}

/// Issue 23 §7: with `.deb`/`.rpm` on, a no-op `dist` rewrote both every time (most of a
/// no-op run's time) while the archives were Fresh. Now a package whose inputs (the
/// archive's bytes, the metadata, SOURCE_DATE_EPOCH) are unchanged is Fresh too: not
/// written again, the release byte-identical; a changed input makes it again.
#[test]
fn a_noop_dist_keeps_unchanged_deb_and_rpm_fresh() {
    use std::os::unix::fs::MetadataExt;
    let fx = Fixture::new("hello-ws");
    let config = |maintainer: &str| {
        format!(
            "[dist]\npackages = [\"alpha\"]\ninstallers = [\"deb\", \"rpm\"]\nmaintainer = \"{maintainer}\"\n\n[[target]]\ntriple = \"{}\"\n",
            host()
        )
    };
    fx.write(
        "targets.toml",
        &config("Crossdock Tests <tests@example.org>"),
    );
    let env = [("SOURCE_DATE_EPOCH", EPOCH)];
    fx.run_env(&["dist"], &env).ok();
    let dist = fx.dist_dir();
    let natives: Vec<String> = list_files(&dist)
        .into_iter()
        .filter(|f| f.ends_with(".deb") || f.ends_with(".rpm"))
        .collect();
    assert_eq!(natives.len(), 2, "{natives:?}");
    let stamp = |f: &str| {
        let m = std::fs::metadata(dist.join(f)).unwrap();
        (m.ino(), m.mtime(), m.mtime_nsec())
    };
    let before: Vec<_> = natives.iter().map(|f| stamp(f)).collect();
    let release = |f: &str| std::fs::read(dist.join(f)).unwrap();
    let (sums, manifest) = (release("SHA256SUMS"), release("dist-manifest.json"));
    let again = fx.run_env(&["dist"], &env).ok();
    for f in &natives {
        assert!(
            again.stderr.contains(&format!("Fresh {f}")),
            "{}",
            again.stderr
        );
    }
    let after: Vec<_> = natives.iter().map(|f| stamp(f)).collect();
    assert_eq!(before, after, "a Fresh package was written again");
    assert_eq!(release("SHA256SUMS"), sums);
    assert_eq!(release("dist-manifest.json"), manifest);
    tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
    // Another maintainer: both packages are made again, with it.
    fx.write("targets.toml", &config("Someone Else <else@example.org>"));
    let changed = fx.run_env(&["dist"], &env).ok();
    for f in &natives {
        assert!(
            !changed.stderr.contains(&format!("Fresh {f}")),
            "{}",
            changed.stderr
        );
    }
    assert_ne!(release("SHA256SUMS"), sums);
    tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
}
