//! `[dist] formats`, `archive-name` and `unversioned-copy` end to end: tar.xz and tar.zst
//! archives judged by the system's `tar` (with xz and zstd), `sha256sum -c`, two runs
//! compared byte for byte, and `merge` of per-target tar.xz dirs against a single `dist`.

use std::path::Path;

use crate::cross::{cross_path, require_debian_aarch64, tiny};
use crate::support::*;

/// xz and zstd on PATH (GNU tar calls them for -J and --zstd).
fn require_xz_zstd() -> bool {
    require(
        "xz and zstd (apt-get install xz-utils zstd)",
        have("xz") && have("zstd"),
    )
}

/// Every file of `dir` (but its lock file) with its bytes.
fn contents(dir: &Path) -> Vec<(String, Vec<u8>)> {
    list_files(dir)
        .into_iter()
        .map(|n| {
            let bytes = std::fs::read(dir.join(&n)).unwrap();
            (n, bytes)
        })
        .collect()
}

#[test]
fn xz_and_zstd_archives_extract_with_system_tar_and_are_reproducible() {
    if !require_xz_zstd() {
        return;
    }
    let host = host();
    let fx = Fixture::new("hello-ws");
    fx.write(
        "targets.toml",
        &format!("[dist]\ninclude = [\"README*\", \"LICENSE*\"]\nformats = [\"tar.xz\", \"tar.zst\"]\n\n[[target]]\ntriple = \"{host}\"\n"),
    );
    let epoch = [("SOURCE_DATE_EPOCH", "1700000000")];
    fx.run_env(&["dist"], &epoch).ok();
    let dist = fx.dist_dir();
    let mut expected = vec!["SHA256SUMS".to_string(), "dist-manifest.json".to_string()];
    for p in ["alpha-0.3.1", "beta-1.0.0-rc.1"] {
        for ext in ["tar.xz", "tar.zst"] {
            expected.push(format!("{p}-{host}.{ext}"));
            expected.push(format!("{p}-{host}.{ext}.sha256"));
        }
    }
    expected.sort();
    assert_eq!(list_files(&dist), expected);

    let out = tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
    assert_eq!(out.matches(": OK").count(), 4, "{out}");
    let manifest = read_manifest(&dist);
    let kinds: Vec<&str> = manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "archive")
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.len(), 4, "{kinds:?}");

    // The system tar (through xz and zstd) extracts each to the same files, and they run.
    let top = format!("alpha-0.3.1-{host}");
    for (flag, ext) in [("-xJf", "tar.xz"), ("--zstd", "tar.zst")] {
        let x = tempfile::tempdir().unwrap();
        let archive = dist.join(format!("{top}.{ext}"));
        let mut args = vec![flag];
        if flag == "--zstd" {
            args.push("-xf");
        }
        args.push(archive.to_str().unwrap());
        tool(x.path(), "tar", &args);
        assert_eq!(
            list_files(x.path()),
            ["LICENSE", "README.md", "alpha", "alpha-admin"].map(|f| format!("{top}/{f}")),
            "{ext}"
        );
        let v = tool(x.path(), &format!("./{top}/alpha"), &["--version"]);
        assert_eq!(
            v.trim(),
            format!("alpha 0.3.1 ({})", std::env::consts::ARCH)
        );
        let listing = tool(
            &dist,
            "tar",
            &[
                if flag == "--zstd" { "--zstd" } else { "-J" },
                "-tvf",
                archive.to_str().unwrap(),
            ],
        );
        for line in listing.lines() {
            assert!(
                line.contains(" 0/0 ") && line.contains("2023-11-14"),
                "{ext}: {line}"
            );
        }
    }
    // The compressors' own integrity checks.
    tool(&dist, "xz", &["-t", &format!("{top}.tar.xz")]);
    tool(&dist, "zstd", &["-t", "-q", &format!("{top}.tar.zst")]);

    // A second run, written afresh into another dir: the same bytes, manifest included.
    let again = fx.path().join("again");
    fx.run_env(&["dist", "--out-dir", again.to_str().unwrap()], &epoch)
        .ok();
    assert!(contents(&again) == contents(&dist), "two runs differ");
}

#[test]
fn archive_name_template_names_files_and_top_folder_and_refuses_collisions() {
    let host = host();
    let fx = Fixture::new("hello-ws");
    // Two Linux targets of one CPU: `{os}-{arch}` gives both one name; nothing is built.
    fx.write(
        "targets.toml",
        "[dist]\narchive-name = \"{name}-{os}-{arch}\"\n\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n\n[[target]]\ntriple = \"x86_64-unknown-linux-musl\"\n",
    );
    fx.run(&["dist", "--dry-run"]).fails_with(&[
        "targets.toml:2:16: key `archive-name`: \"{name}-{os}-{arch}\" gives package alpha for x86_64-unknown-linux-gnu and package alpha for x86_64-unknown-linux-musl one name, `alpha-linux-x86_64.tar.gz`",
    ]);
    fx.write(
        "targets.toml",
        "[dist]\narchive-name = \"{name}-{vers}-{target}\"\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
    );
    fx.run(&["dist", "--dry-run"]).fails_with(&[
        "targets.toml:2:16: key `archive-name`: \"{name}-{vers}-{target}\" has an unknown placeholder `{vers}`; known: {name} {version} {target} {os} {arch}",
    ]);

    fx.write(
        "targets.toml",
        &format!("[dist]\narchive-name = \"{{name}}_v{{version}}_{{os}}-{{arch}}\"\nunversioned-copy = true\n\n[[target]]\ntriple = \"{host}\"\n"),
    );
    let plan = fx.run(&["dist", "--dry-run"]).ok();
    let arch = std::env::consts::ARCH;
    let name = format!("alpha_v0.3.1_linux-{arch}");
    let copy = format!("alpha-{host}.tar.gz");
    assert!(
        plan.stdout.contains(&format!("{name}.tar.gz")),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains(&format!("{copy}  (unversioned copy)")),
        "{}",
        plan.stdout
    );
    fx.run(&["dist"]).ok();
    let dist = fx.dist_dir();
    let mut expected = vec!["SHA256SUMS".to_string(), "dist-manifest.json".to_string()];
    for f in [
        format!("{name}.tar.gz"),
        copy.clone(),
        format!("beta_v1.0.0-rc.1_linux-{arch}.tar.gz"),
        format!("beta-{host}.tar.gz"),
    ] {
        expected.push(format!("{f}.sha256"));
        expected.push(f);
    }
    expected.sort();
    assert_eq!(list_files(&dist), expected);
    // The copy is the archive byte for byte; both are in SHA256SUMS and verify.
    assert!(
        std::fs::read(dist.join(&copy)).unwrap()
            == std::fs::read(dist.join(format!("{name}.tar.gz"))).unwrap()
    );
    let out = tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
    assert_eq!(out.matches(": OK").count(), 4, "{out}");
    let m = read_manifest(&dist);
    let entry = |n: &str| {
        m["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == n)
            .unwrap_or_else(|| panic!("{n} not in the manifest"))
            .clone()
    };
    assert_eq!(entry(&copy)["kind"], "unversioned-copy");
    assert_eq!(
        entry(&copy)["sha256"],
        entry(&format!("{name}.tar.gz"))["sha256"]
    );
    // The top folder follows the name.
    let x = tempfile::tempdir().unwrap();
    extract(&dist.join(&copy), x.path());
    let v = tool(x.path(), &format!("./{name}/alpha"), &["--version"]);
    assert_eq!(v.trim(), format!("alpha 0.3.1 ({arch})"));

    // merge (reading the same targets.toml) takes these names and writes the same files.
    let merged = fx.path().join("merged");
    fx.run(&[
        "merge",
        dist.to_str().unwrap(),
        "--out-dir",
        merged.to_str().unwrap(),
    ])
    .ok();
    assert!(
        contents(&merged) == contents(&dist),
        "merge differs from dist"
    );
    // Without the template, merge refuses the names instead of guessing.
    let other = fx.path().join("other");
    fx.write(
        "targets.toml",
        &format!("[[target]]\ntriple = \"{host}\"\n"),
    );
    fx.run(&[
        "merge",
        dist.to_str().unwrap(),
        "--out-dir",
        other.to_str().unwrap(),
    ])
    .fails_with(&[
        &format!("{name}.tar.gz"),
        "is not named alpha-0.3.1-",
        "refusing to merge it",
    ]);
    assert!(!other.exists());
    // The refusal names the config merge read: the one given with --config (issue 23 §15).
    std::fs::rename(
        fx.path().join("targets.toml"),
        fx.path().join("release.toml"),
    )
    .unwrap();
    fx.run(&[
        "merge",
        dist.to_str().unwrap(),
        "--out-dir",
        other.to_str().unwrap(),
        "--config",
        "release.toml",
    ])
    .fails_with(&["is not named alpha-0.3.1-", "of release.toml names it"]);
    assert!(!other.exists());
}

#[test]
fn merge_of_per_target_tar_xz_dirs_equals_a_single_dist() {
    if !require_xz_zstd() || !require_debian_aarch64() {
        return;
    }
    let host = host();
    // Debian's cargo and rustc for both targets: the one with an aarch64 std here.
    let fx = tiny(&format!("[dist]\ninclude = [\"README.md\"]\nformats = [\"tar.xz\"]\ncargo = \"/usr/bin/cargo\"\nrustc = \"/usr/bin/rustc\"\n\n[[target]]\ntriple = \"{host}\"\n\n[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\nlinker = \"aarch64-linux-gnu-gcc\"\nrunner = [\"qemu-aarch64\", \"-L\", \"/usr/aarch64-linux-gnu\"]\n"));
    let env = [("PATH", cross_path())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    fx.run_env(&["dist"], &env).ok();
    let d1 = fx.path().join("d-host");
    let d2 = fx.path().join("d-aarch64");
    for (t, d) in [(host.as_str(), &d1), ("aarch64-unknown-linux-gnu", &d2)] {
        fx.run_env(
            &["dist", "--target", t, "--out-dir", d.to_str().unwrap()],
            &env,
        )
        .ok();
    }
    let merged = fx.path().join("merged");
    fx.run_env(
        &[
            "merge",
            d1.to_str().unwrap(),
            d2.to_str().unwrap(),
            "--out-dir",
            merged.to_str().unwrap(),
        ],
        &env,
    )
    .ok();
    let single = contents(&fx.dist_dir());
    assert_eq!(
        single
            .iter()
            .filter(|(n, _)| n.ends_with(".tar.xz"))
            .count(),
        2
    );
    assert!(
        contents(&merged) == single,
        "merge differs from a single dist"
    );
    tool(&merged, "sha256sum", &["-c", "SHA256SUMS"]);
    let x = tempfile::tempdir().unwrap();
    extract(
        &merged.join("tiny-0.2.0-aarch64-unknown-linux-gnu.tar.xz"),
        x.path(),
    );
    assert!(x
        .path()
        .join("tiny-0.2.0-aarch64-unknown-linux-gnu/tiny")
        .is_file());
}

/// `installers = ["deb"]` with tar.zst and tar.xz archives only: one `.deb` per package and
/// target (not one per format), built from those archives, and byte-identical to the one
/// a tar.gz release gives (the package holds the files, not the archive).
#[test]
fn a_deb_comes_once_per_target_from_xz_or_zstd_archives() {
    if !require_xz_zstd() || !require("dpkg-deb", have("dpkg-deb")) {
        return;
    }
    let host = host();
    let fx = Fixture::new("hello-ws");
    let config = |formats: &str| {
        format!("[dist]\ninclude = [\"README*\", \"LICENSE*\"]\nformats = {formats}\ninstallers = [\"deb\"]\nmaintainer = \"Crossdock Tests <tests@example.org>\"\ndownload-url = \"https://example.org/{{tag}}/{{file}}\"\n\n[[target]]\ntriple = \"{host}\"\n")
    };
    let epoch = [("SOURCE_DATE_EPOCH", "1700000000")];
    fx.write("targets.toml", &config("[\"tar.zst\", \"tar.xz\"]"));
    fx.run_env(&["dist"], &epoch).ok();
    let dist = fx.dist_dir();
    let debs: Vec<String> = list_files(&dist)
        .into_iter()
        .filter(|f| f.ends_with(".deb"))
        .collect();
    assert_eq!(debs.len(), 2, "one per package: {debs:?}");
    let alpha = debs.iter().find(|d| d.starts_with("alpha_")).unwrap();
    let contents = tool(&dist, "dpkg-deb", &["--contents", alpha]);
    assert!(contents.contains("./usr/bin/alpha\n"), "{contents}");

    fx.write("targets.toml", &config("[\"tar.gz\"]"));
    let gz = fx.path().join("gz");
    fx.run_env(&["dist", "--out-dir", gz.to_str().unwrap()], &epoch)
        .ok();
    assert!(
        std::fs::read(gz.join(alpha)).unwrap() == std::fs::read(dist.join(alpha)).unwrap(),
        "{alpha} differs between a tar.gz and a tar.zst/tar.xz release"
    );
}
