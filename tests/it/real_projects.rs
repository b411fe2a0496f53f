//! The real-project tier: unmodified crates.io CLIs at pinned versions, shipped for the host
//! and judged by outside tools. Sources are fetched by cargo from the registry once and kept,
//! with one cargo target dir per project, in `target/real-projects/` (excluded from this
//! repository's workspace), so reruns are fast. Slow, so ignored by default: `.ci/run` runs
//! them as the `real-projects` tier (`.ci/test-tier.sh real-projects`).
//!
//! Together they cover: a release profile with `debug = 1` (ripgrep); one with `lto = true`,
//! `codegen-units = 1` and `panic = "abort"` (kibi); binaries named unlike their package
//! (ripgrep → `rg`, rm-improved → `rip`); C compiled by a build script through `cc`
//! (mimalloc under lolcrab, also for aarch64 under qemu; libbacktrace under rm-improved); a
//! workspace of two binary packages with a non-default feature selected in targets.toml
//! (lolcrab + hexyl); `.cargo/config.toml` rustflags (`[target.'cfg(…)']` in the workspace,
//! `[build]` next to a `cfg(windows)` table with kibi); a published napi-rs module with
//! `napi.packageName`, its own loader, and C built through `cmake` in a cdylib
//! (oxc-resolver); three vendored C libraries cross-compiled for aarch64 with nothing set by
//! hand, run under qemu (bat); a project set up by `init` and shipped by its own xtask for
//! the host and windows-gnu, run under wine (hyperfine).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use crate::support::*;

const EPOCH: &str = "1700000000";

/// One real build at a time: the machine is small, and the printed times stay meaningful.
static BUILDS: Mutex<()> = Mutex::new(());

fn cache() -> PathBuf {
    let dir = repo_root().join("target/real-projects");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var("HOME").unwrap()).join(".cargo"))
}

/// The unmodified sources of `krate` `version` from crates.io, fetched once by cargo (through
/// a throwaway project that depends on exactly that version) and copied into the cache.
fn source(krate: &str, version: &str) -> PathBuf {
    let dest = cache().join("src").join(format!("{krate}-{version}"));
    if dest.join("Cargo.toml").is_file() {
        return dest;
    }
    let tmp = tempfile::Builder::new()
        .prefix(&format!("fetch-{krate}-"))
        .tempdir_in(cache())
        .unwrap();
    let fetcher = tmp.path().join("fetcher");
    std::fs::create_dir_all(fetcher.join("src")).unwrap();
    std::fs::write(fetcher.join("src/lib.rs"), "").unwrap();
    std::fs::write(
        fetcher.join("Cargo.toml"),
        format!(
            "[package]\nname = \"fetch-{krate}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[dependencies]\n{krate} = \"={version}\"\n\n[workspace]\n"
        ),
    )
    .unwrap();
    let r = finish(cargo_in(&fetcher, &["fetch", "--quiet"]).output().unwrap());
    assert_eq!(r.code, 0, "cargo fetch {krate} {version}:\n{}", r.stderr);
    let registry = cargo_home().join("registry/src");
    let from = std::fs::read_dir(&registry)
        .unwrap()
        .map(|e| e.unwrap().path().join(format!("{krate}-{version}")))
        .find(|p| p.join("Cargo.toml").is_file())
        .unwrap_or_else(|| panic!("{krate}-{version} not in {}", registry.display()));
    let staged = tmp.path().join("copy");
    copy_tree(&from, &staged);
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    // Another test may have won the race; its copy is the same.
    let _ = std::fs::rename(&staged, &dest);
    assert!(
        dest.join("Cargo.lock").is_file(),
        "{krate} ships no Cargo.lock"
    );
    dest
}

/// `dist` of the workspace at `manifest` with this targets.toml (kept outside the project),
/// run from elsewhere, with the project's cached target dir. Returns the out dir's manifest.
fn dist(
    manifest: &Path,
    targets_toml: &str,
    target_dir: &Path,
    work: &Path,
    out: &str,
) -> serde_json::Value {
    let config = work.join(format!("{out}.targets.toml"));
    std::fs::write(&config, targets_toml).unwrap();
    let out_dir = work.join(out);
    let _one_at_a_time = BUILDS.lock().unwrap_or_else(|p| p.into_inner());
    let start = Instant::now();
    let r = run_in(
        work,
        &[
            "dist",
            "--manifest-path",
            manifest.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "--out-dir",
            out_dir.to_str().unwrap(),
        ],
        &[
            ("CARGO_TARGET_DIR", target_dir.to_str().unwrap()),
            ("SOURCE_DATE_EPOCH", EPOCH),
            // `zig` for cargo-zigbuild (glibc floors), objcopy for split debug info.
            ("PATH", &crate::cross::cross_path()),
            // Build scripts (ripgrep, kibi) ask git for a revision: this repository's
            // HEAD must not leak into the binaries.
            ("GIT_CEILING_DIRECTORIES", cache().to_str().unwrap()),
        ],
    );
    eprintln!(
        "{} (target dir {}): dist {out} took {:.1}s",
        manifest.parent().unwrap().display(),
        target_dir.display(),
        start.elapsed().as_secs_f64()
    );
    let r = r.ok();
    assert!(r.stderr.contains("Finished"), "{}", r.stderr);
    read_manifest(&out_dir)
}

fn target_dir(project: &str) -> PathBuf {
    cache().join("target").join(project)
}

/// What one archive must hold and print.
struct Expect<'a> {
    package: &'a str,
    version: &'a str,
    binaries: &'a [&'a str],
    /// The first line `--version` of the first binary prints (colours removed).
    version_line: &'a str,
}

/// The out dir has exactly these archives, checksums that `sha256sum -c` accepts, and each
/// archive extracts to binaries that run, print their version and are stripped.
fn check_out_dir(out: &Path, expect: &[Expect]) {
    let host = host();
    let mut files = vec!["SHA256SUMS".to_string(), "dist-manifest.json".to_string()];
    for e in expect {
        let archive = format!("{}-{}-{host}.tar.gz", e.package, e.version);
        files.push(format!("{archive}.sha256"));
        files.push(archive);
    }
    files.sort();
    assert_eq!(list_files(out), files);
    let sums = tool(out, "sha256sum", &["-c", "SHA256SUMS"]);
    assert_eq!(sums.matches(": OK").count(), expect.len(), "{sums}");

    let manifest = read_manifest(out);
    for e in expect {
        let top = format!("{}-{}-{host}", e.package, e.version);
        let x = tempfile::tempdir().unwrap();
        extract(&out.join(format!("{top}.tar.gz")), x.path());
        let dir = x.path().join(&top);
        for b in e.binaries {
            assert!(
                dir.join(b).is_file(),
                "{top} lacks {b}: {:?}",
                list_files(x.path())
            );
            let f = tool(x.path(), "file", &["-b", dir.join(b).to_str().unwrap()]);
            assert!(
                f.contains("ELF")
                    && f.contains("stripped")
                    && !f.contains("not stripped")
                    && !f.contains("debug_info"),
                "{b}: {f}"
            );
        }
        let v = strip_ansi(&tool(&dir, &format!("./{}", e.binaries[0]), &["--version"]));
        assert!(
            v.lines().next() == Some(e.version_line),
            "{} --version printed {v:?}, expected {:?}",
            e.binaries[0],
            e.version_line
        );
        let art = manifest["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == format!("{top}.tar.gz"))
            .unwrap_or_else(|| panic!("{top}.tar.gz not in the manifest"));
        let names: Vec<&str> = art["binaries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, e.binaries, "{top}");
    }
}

/// Every archive and SHA256SUMS of two out dirs are byte-identical.
fn same_bytes(a: &Path, b: &Path) {
    let files = list_files(a);
    assert_eq!(files, list_files(b));
    for f in files.iter().filter(|f| *f != "dist-manifest.json") {
        assert!(
            std::fs::read(a.join(f)).unwrap() == std::fs::read(b.join(f)).unwrap(),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

fn host_target(extra: &str) -> String {
    format!("[[target]]\ntriple = \"{}\"\n{extra}", host())
}

/// ripgrep: `[profile.release] debug = 1` (line tables that dist must strip, and
/// `.debug_gdb_scripts`, an allocated section that stays), package `ripgrep`, binary `rg`.
#[test]
#[ignore = "tier: real-projects, a real crates.io project"]
fn ripgrep_with_debug_1_ships_rg() {
    let src = source("ripgrep", "15.2.0");
    let profile = std::fs::read_to_string(src.join("Cargo.toml")).unwrap();
    assert!(
        profile.contains("[profile.release]\ndebug = 1\n"),
        "ripgrep's release profile changed"
    );
    let work = tempfile::tempdir().unwrap();
    let config = format!(
        "[dist]\ninclude = [\"README.md\", \"COPYING\", \"LICENSE-MIT\", \"UNLICENSE\"]\n\n{}",
        host_target("")
    );
    let manifest = src.join("Cargo.toml");
    let m = dist(
        &manifest,
        &config,
        &target_dir("ripgrep"),
        work.path(),
        "one",
    );
    assert_eq!(m["packages"][0]["name"], "ripgrep");
    let expect = [Expect {
        package: "ripgrep",
        version: "15.2.0",
        binaries: &["rg"],
        version_line: "ripgrep 15.2.0",
    }];
    check_out_dir(&work.path().join("one"), &expect);
    let x = tempfile::tempdir().unwrap();
    extract(
        &work
            .path()
            .join(format!("one/ripgrep-15.2.0-{}.tar.gz", host())),
        x.path(),
    );
    let top = format!("ripgrep-15.2.0-{}", host());
    assert_eq!(
        list_files(x.path()),
        ["COPYING", "LICENSE-MIT", "README.md", "UNLICENSE", "rg"].map(|f| format!("{top}/{f}"))
    );
    // It searches: its own README for its own name.
    let hit = tool(
        &x.path().join(&top),
        "./rg",
        &["--count", "ripgrep", "README.md"],
    );
    assert!(hit.trim().parse::<u32>().unwrap() > 0, "{hit}");

    dist(
        &manifest,
        &config,
        &target_dir("ripgrep"),
        work.path(),
        "two",
    );
    same_bytes(&work.path().join("one"), &work.path().join("two"));
}

/// ripgrep again, shipped the way a distribution-minded maintainer would: its debug info
/// (`debug = 1`) split into `…-debuginfo.tar.gz`, and a shell installer, a `.deb` and an
/// `.rpm` next to the archive (maintainer from ripgrep's `authors`, download URL from its
/// GitHub `repository`). The shipped `rg` has no DWARF, yet llvm-symbolizer resolves an
/// address of it to ripgrep's source through the debug file; lintian finds no error in the
/// `.deb`, `dpkg --root` installs a working `rg`, rpm verifies the `.rpm`.
#[test]
#[ignore = "tier: real-projects, a real crates.io project"]
fn ripgrep_with_separate_debuginfo_and_native_packages() {
    for t in [
        "llvm-nm-14",
        "llvm-symbolizer-14",
        "dpkg-deb",
        "lintian",
        "rpm",
        "shellcheck",
    ] {
        if !require(t, have(t)) {
            return;
        }
    }
    let src = source("ripgrep", "15.2.0");
    let work = tempfile::tempdir().unwrap();
    let config = format!(
        "[dist]\ninclude = [\"README.md\", \"COPYING\", \"LICENSE-MIT\", \"UNLICENSE\"]\n\
         debuginfo = \"separate\"\ninstallers = [\"shell\", \"deb\", \"rpm\"]\n\n{}",
        host_target("")
    );
    let m = dist(
        &src.join("Cargo.toml"),
        &config,
        &target_dir("ripgrep-packages"),
        work.path(),
        "out",
    );
    let out = work.path().join("out");
    tool(&out, "sha256sum", &["-c", "SHA256SUMS"]);
    let files = m["files"].to_string();
    let host = host();
    let stem = format!("ripgrep-15.2.0-{host}");
    let deb = format!(
        "ripgrep_15.2.0_{}.deb",
        crossdock::native::deb::architecture(&host).unwrap()
    );
    let rpm = format!(
        "ripgrep-15.2.0-1.{}.rpm",
        crossdock::native::rpm::architecture(&host).unwrap()
    );
    for f in [
        format!("{stem}-debuginfo.tar.gz"),
        "ripgrep-installer.sh".into(),
        deb.clone(),
        rpm.clone(),
    ] {
        assert!(files.contains(&f), "{f} not in {files}");
    }

    // The debug info resolves the shipped binary's addresses, and only it does.
    let x = work.path().join("x");
    extract(&out.join(format!("{stem}.tar.gz")), &x);
    extract(&out.join(format!("{stem}-debuginfo.tar.gz")), &x);
    let rg = x.join(&stem).join("rg");
    let debug = x.join(&stem).join("rg.debug");
    let nm = tool(&x, "llvm-nm-14", &[debug.to_str().unwrap()]);
    let addr = nm
        .lines()
        .find(|l| l.contains("2rg4main") && l.contains(" t "))
        .or_else(|| nm.lines().find(|l| l.contains("2rg4main")))
        .and_then(|l| l.split_whitespace().next())
        .expect("rg::main in the debug file")
        .to_string();
    let resolved = tool(
        &x,
        "llvm-symbolizer-14",
        &["--obj", rg.to_str().unwrap(), &format!("0x{addr}")],
    );
    assert!(
        resolved.contains("rg::main") && resolved.contains(".rs:"),
        "{resolved}"
    );
    assert!(!tool(&x, "readelf", &["-S", "-W", rg.to_str().unwrap()]).contains(".debug_info"));

    // .deb: lintian's errors, then a real install into a throwaway root.
    let lint = std::process::Command::new("lintian")
        .args(["--no-tag-display-limit", out.join(&deb).to_str().unwrap()])
        .output()
        .unwrap();
    let lint = String::from_utf8_lossy(&lint.stdout).into_owned();
    assert!(!lint.lines().any(|l| l.starts_with("E:")), "{lint}");
    let root = work.path().join("root");
    std::fs::create_dir_all(root.join("var/lib/dpkg/updates")).unwrap();
    std::fs::create_dir_all(root.join("var/lib/dpkg/info")).unwrap();
    std::fs::write(root.join("var/lib/dpkg/status"), "").unwrap();
    tool(
        work.path(),
        "dpkg",
        &[
            "--force-not-root",
            "--force-depends",
            "--force-script-chrootless",
            &format!("--root={}", root.display()),
            "-i",
            out.join(&deb).to_str().unwrap(),
        ],
    );
    let v = tool(
        &root,
        root.join("usr/bin/rg").to_str().unwrap(),
        &["--version"],
    );
    assert!(v.starts_with("ripgrep 15.2.0"), "{v}");
    let k = tool(&out, "rpm", &["-K", "--nosignature", &rpm]);
    assert!(k.contains("digests OK") || k.contains("OK"), "{k}");
    tool(&out, "shellcheck", &["ripgrep-installer.sh"]);
}

/// kibi with `glibc = "2.17"`: built through cargo-zigbuild against glibc 2.17 (a plain
/// build here needs 2.34), the manifest records the floor, the binary runs.
#[test]
#[ignore = "tier: real-projects, a real crates.io project"]
fn kibi_with_a_glibc_floor_of_2_17() {
    if !require(
        "cargo-zigbuild and zig",
        have("cargo-zigbuild") && crate::cross::cross_home().join("bin/zig").exists(),
    ) {
        return;
    }
    let src = source("kibi", "0.3.1");
    let work = tempfile::tempdir().unwrap();
    let config = host_target("glibc = \"2.17\"\n");
    let m = dist(
        &src.join("Cargo.toml"),
        &config,
        &target_dir("kibi-glibc"),
        work.path(),
        "out",
    );
    let glibc = m["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "archive")
        .map(|a| a["binaries"][0]["glibc"].as_str().unwrap().to_string())
        .unwrap();
    let minor: u32 = glibc.strip_prefix("2.").unwrap().parse().unwrap();
    assert!(minor <= 17, "kibi needs glibc {glibc}");
    check_out_dir(
        &work.path().join("out"),
        &[Expect {
            package: "kibi",
            version: "0.3.1",
            binaries: &["kibi"],
            version_line: "kibi 0.3.1",
        }],
    );
}

/// kibi: `[profile.release] lto = true, codegen-units = 1, panic = "abort", strip =
/// "symbols"`. Small enough to also rebuild from scratch at another checkout path, which must
/// give the same bytes.
#[test]
#[ignore = "tier: real-projects, a real crates.io project"]
fn kibi_with_lto_and_panic_abort_is_reproducible_from_a_clean_target() {
    let src = source("kibi", "0.3.1");
    let toml = std::fs::read_to_string(src.join("Cargo.toml")).unwrap();
    assert!(
        toml.contains(
            "[profile.release]\nlto = true\ncodegen-units = 1\npanic = \"abort\"\nstrip = \"symbols\"\n"
        ),
        "kibi's release profile changed"
    );
    let work = tempfile::tempdir().unwrap();
    let config = format!(
        "[dist]\ninclude = [\"LICENSE-*\", \"COPYRIGHT\"]\n\n{}",
        host_target("")
    );
    let expect = [Expect {
        package: "kibi",
        version: "0.3.1",
        binaries: &["kibi"],
        version_line: "kibi 0.3.1",
    }];
    dist(
        &src.join("Cargo.toml"),
        &config,
        &target_dir("kibi"),
        work.path(),
        "one",
    );
    check_out_dir(&work.path().join("one"), &expect);

    // Another checkout path, a fresh target dir: same bytes.
    let other = tempfile::Builder::new()
        .prefix("crossdock-kibi-elsewhere-")
        .tempdir()
        .unwrap();
    let moved = other.path().join("some/deeper/kibi");
    copy_tree(&src, &moved);
    dist(
        &moved.join("Cargo.toml"),
        &config,
        &other.path().join("target"),
        work.path(),
        "two",
    );
    same_bytes(&work.path().join("one"), &work.path().join("two"));
}

/// rm-improved: a 2020 crate with a 2020 Cargo.lock, package `rm-improved`, binary `rip`,
/// `opt-level = "s"`, and backtrace-sys compiling libbacktrace's C through `cc` 1.0.50.
#[test]
#[ignore = "tier: real-projects, a real crates.io project"]
fn rm_improved_from_2020_ships_rip() {
    let src = source("rm-improved", "0.13.1");
    let work = tempfile::tempdir().unwrap();
    let config = host_target("");
    let manifest = src.join("Cargo.toml");
    let target = target_dir("rm-improved");
    dist(&manifest, &config, &target, work.path(), "one");
    let one = work.path().join("one");
    check_out_dir(
        &one,
        &[Expect {
            package: "rm-improved",
            version: "0.13.1",
            binaries: &["rip"],
            version_line: "rip 0.13.1",
        }],
    );
    let built_c = std::fs::read_dir(target.join(format!("{}/release/build", host())))
        .unwrap()
        .map(|e| e.unwrap().path())
        .any(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("backtrace-sys-")
                && p.join("out/libbacktrace.a").is_file()
        });
    assert!(built_c, "backtrace-sys built no libbacktrace.a");
    // It works: a file goes to the graveyard instead of being unlinked.
    let x = tempfile::tempdir().unwrap();
    extract(
        &one.join(format!("rm-improved-0.13.1-{}.tar.gz", host())),
        x.path(),
    );
    let rip = x.path().join(format!("rm-improved-0.13.1-{}/rip", host()));
    std::fs::write(x.path().join("doomed.txt"), "bye").unwrap();
    let grave = x.path().join("graveyard");
    tool(
        x.path(),
        rip.to_str().unwrap(),
        &["--graveyard", grave.to_str().unwrap(), "doomed.txt"],
    );
    assert!(!x.path().join("doomed.txt").exists());
    let buried: Vec<String> = list_files(&grave);
    assert!(
        buried.iter().any(|f| f.ends_with("doomed.txt")),
        "{buried:?}"
    );

    dist(&manifest, &config, &target, work.path(), "two");
    same_bytes(&one, &work.path().join("two"));
}

/// A workspace made here around unmodified registry crates (`members` only, no profile of
/// its own), with `files` written into it. Its Cargo.lock starts as the union of the
/// members' own locks, and cargo settles it once (keeping their pinned versions where they
/// agree), so `dist` can build it `--locked`.
fn wrapper(name: &str, crates: &[(&str, &str)], files: &[(&str, &str)]) -> PathBuf {
    let dir = cache().join("workspaces").join(name);
    if !dir.join("Cargo.lock").is_file() {
        let tmp = tempfile::Builder::new()
            .prefix(&format!("ws-{name}-"))
            .tempdir_in(cache())
            .unwrap();
        let staged = tmp.path().join("ws");
        let mut members = Vec::new();
        let mut header = String::new();
        let mut blocks: Vec<String> = Vec::new();
        for (krate, version) in crates {
            let member = format!("{krate}-{version}");
            let src = source(krate, version);
            copy_tree(&src, &staged.join(&member));
            members.push(format!("\"{member}\""));
            let lock = std::fs::read_to_string(src.join("Cargo.lock")).unwrap();
            let mut parts = lock.split("\n[[package]]\n");
            let head = parts.next().unwrap();
            if head > header.as_str() {
                header = head.to_string();
            }
            for b in parts {
                let key: Vec<&str> = b.lines().take(3).collect();
                if !blocks
                    .iter()
                    .any(|o| o.lines().take(3).eq(key.iter().copied()))
                {
                    blocks.push(b.trim_end().to_string());
                }
            }
        }
        std::fs::write(
            staged.join("Cargo.toml"),
            format!(
                "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
                members.join(", ")
            ),
        )
        .unwrap();
        let mut lock = header;
        for b in &blocks {
            lock.push_str("\n[[package]]\n");
            lock.push_str(b);
            lock.push('\n');
        }
        std::fs::write(staged.join("Cargo.lock"), lock).unwrap();
        let r = finish(
            cargo_in(&staged, &["metadata", "--format-version", "1"])
                .output()
                .unwrap(),
        );
        assert_eq!(r.code, 0, "settling the lock of {name}:\n{}", r.stderr);
        std::fs::create_dir_all(dir.parent().unwrap()).unwrap();
        let _ = std::fs::rename(&staged, &dir);
    }
    for (rel, text) in files {
        // Only when it changed: another test may be building this workspace right now.
        let p = dir.join(rel);
        if std::fs::read_to_string(&p).ok().as_deref() != Some(*text) {
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }
    dir
}

/// The version cargo locked for `krate` in a workspace's Cargo.lock.
fn locked_version(dir: &Path, krate: &str) -> String {
    let lock = std::fs::read_to_string(dir.join("Cargo.lock")).unwrap();
    let at = lock
        .find(&format!("\nname = \"{krate}\"\nversion = \""))
        .unwrap_or_else(|| panic!("{krate} not in {}/Cargo.lock", dir.display()));
    lock[at..]
        .lines()
        .nth(2)
        .unwrap()
        .trim_start_matches("version = \"")
        .trim_end_matches('"')
        .to_string()
}

/// lolcrab + hexyl in one workspace: two binary packages in one dist, lolcrab's optional
/// `mimalloc` (C compiled by libmimalloc-sys's build script through `cc`) selected in
/// targets.toml as `lolcrab/mimalloc`, and a `.cargo/config.toml` whose
/// `[target.'cfg(target_os = "linux")'] rustflags` must still reach the link next to
/// crossdock's own flags.
#[test]
#[ignore = "tier: real-projects, a real crates.io project"]
fn workspace_of_lolcrab_and_hexyl_with_a_feature_c_code_and_cfg_rustflags() {
    let ws = wrapper(
        "lolcrab-hexyl",
        &[("lolcrab", "0.4.1"), ("hexyl", "0.17.0")],
        &[(
            ".cargo/config.toml",
            "[target.'cfg(target_os = \"linux\")']\nrustflags = [\"-C\", \"link-arg=-Wl,--build-id=none\"]\n",
        )],
    );
    assert_eq!(locked_version(&ws, "libmimalloc-sys"), "0.1.42");
    let work = tempfile::tempdir().unwrap();
    let config = format!(
        "[dist]\ninclude = [\"LICENSE*\", \"README.md\"]\n\n{}",
        host_target("features = [\"lolcrab/mimalloc\"]\n")
    );
    let manifest = ws.join("Cargo.toml");
    let m = dist(
        &manifest,
        &config,
        &target_dir("lolcrab-hexyl"),
        work.path(),
        "one",
    );
    let mut packages: Vec<&str> = m["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    packages.sort();
    assert_eq!(packages, ["hexyl", "lolcrab"]);
    let one = work.path().join("one");
    check_out_dir(
        &one,
        &[
            Expect {
                package: "hexyl",
                version: "0.17.0",
                binaries: &["hexyl"],
                version_line: "hexyl 0.17.0",
            },
            Expect {
                package: "lolcrab",
                version: "0.4.1",
                binaries: &["lolcrab"],
                version_line: "lolcrab 0.4.1",
            },
        ],
    );
    let host = host();
    let x = tempfile::tempdir().unwrap();
    extract(&one.join(format!("lolcrab-0.4.1-{host}.tar.gz")), x.path());
    let lolcrab = x.path().join(format!("lolcrab-0.4.1-{host}/lolcrab"));
    // The feature took: mimalloc's C code is linked in.
    let bytes = std::fs::read(&lolcrab).unwrap();
    assert!(
        contains(&bytes, b"mimalloc"),
        "lolcrab was built without its mimalloc feature"
    );
    // The user's cfg rustflags took (no build id), and so did crossdock's path remapping.
    let f = tool(x.path(), "file", &["-b", lolcrab.to_str().unwrap()]);
    assert!(
        !f.contains("BuildID"),
        "the .cargo/config.toml rustflags were lost: {f}"
    );
    for leak in [ws.to_str().unwrap(), cargo_home().to_str().unwrap()] {
        assert!(
            !contains(&bytes, leak.as_bytes()),
            "lolcrab contains {leak}"
        );
    }
    // It runs, through the C allocator: colours its README.
    let out = tool(
        &x.path().join(format!("lolcrab-0.4.1-{host}")),
        "./lolcrab",
        &["--seed", "7", "README.md"],
    );
    assert!(
        out.contains("\u{1b}[38;") && strip_ansi(&out).contains("lolcrab"),
        "{out:?}"
    );

    dist(
        &manifest,
        &config,
        &target_dir("lolcrab-hexyl"),
        work.path(),
        "two",
    );
    same_bytes(&one, &work.path().join("two"));
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Text without its ANSI colour sequences (`ESC [ … m`).
fn strip_ansi(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// kibi with a `.cargo/config.toml` as many projects have one: `[build] rustflags` for every
/// target, plus a `[target.'cfg(windows)']` table that does not apply to this host. The
/// build-level flags must still reach the link.
#[test]
#[ignore = "tier: real-projects, a real crates.io project"]
fn kibi_keeps_build_rustflags_next_to_a_cfg_table_for_another_os() {
    let src = source("kibi", "0.3.1");
    let project = cache().join("projects/kibi-build-rustflags");
    if !project.join("Cargo.toml").is_file() {
        copy_tree(&src, &project);
    }
    std::fs::create_dir_all(project.join(".cargo")).unwrap();
    std::fs::write(
        project.join(".cargo/config.toml"),
        "[build]\nrustflags = [\"-C\", \"link-arg=-Wl,--build-id=none\"]\n\n[target.'cfg(windows)']\nrustflags = [\"-C\", \"target-feature=+crt-static\"]\n",
    )
    .unwrap();
    let work = tempfile::tempdir().unwrap();
    dist(
        &project.join("Cargo.toml"),
        &host_target(""),
        &target_dir("kibi-build-rustflags"),
        work.path(),
        "one",
    );
    let out = work.path().join("one");
    check_out_dir(
        &out,
        &[Expect {
            package: "kibi",
            version: "0.3.1",
            binaries: &["kibi"],
            version_line: "kibi 0.3.1",
        }],
    );
    let x = tempfile::tempdir().unwrap();
    extract(&out.join(format!("kibi-0.3.1-{}.tar.gz", host())), x.path());
    let f = tool(
        x.path(),
        "file",
        &["-b", &format!("kibi-0.3.1-{}/kibi", host())],
    );
    assert!(
        !f.contains("BuildID"),
        "[build] rustflags of .cargo/config.toml were dropped: {f}"
    );
}

/// The C-code project for aarch64 Linux with Debian's rustc and gcc cross linker, run under
/// qemu: lolcrab's mimalloc C code is compiled by `cc`, which finds `aarch64-linux-gnu-gcc`
/// by itself (no `CC_aarch64_unknown_linux_gnu` is set).
#[test]
#[ignore = "tier: real-projects, a real crates.io project"]
fn lolcrab_with_c_code_ships_for_aarch64_and_runs_under_qemu() {
    let t = "aarch64-unknown-linux-gnu";
    if !require(
        "Debian rustc with aarch64 std, aarch64-linux-gnu-gcc, qemu-aarch64",
        Path::new("/usr/lib/rustlib").join(t).join("lib").is_dir()
            && Path::new(crate::cross::DEBIAN_RUSTC).exists()
            && have("aarch64-linux-gnu-gcc")
            && have("qemu-aarch64"),
    ) {
        return;
    }
    let ws = wrapper(
        "lolcrab-hexyl",
        &[("lolcrab", "0.4.1"), ("hexyl", "0.17.0")],
        &[(
            ".cargo/config.toml",
            "[target.'cfg(target_os = \"linux\")']\nrustflags = [\"-C\", \"link-arg=-Wl,--build-id=none\"]\n",
        )],
    );
    let work = tempfile::tempdir().unwrap();
    let config = format!(
        "[dist]\npackages = [\"lolcrab\"]\ninclude = [\"LICENSE*\", \"README.md\"]\n\n\
         [[target]]\ntriple = \"{t}\"\nfeatures = [\"lolcrab/mimalloc\"]\nrustc = \"{}\"\n\
         linker = \"aarch64-linux-gnu-gcc\"\nrunner = [\"qemu-aarch64\", \"-L\", \"/usr/aarch64-linux-gnu\"]\n",
        crate::cross::DEBIAN_RUSTC
    );
    dist(
        &ws.join("Cargo.toml"),
        &config,
        &target_dir("lolcrab-hexyl-aarch64"),
        work.path(),
        "one",
    );
    let out = work.path().join("one");
    let top = format!("lolcrab-0.4.1-{t}");
    let mut files = vec![
        format!("{top}.tar.gz"),
        format!("{top}.tar.gz.sha256"),
        "SHA256SUMS".to_string(),
        "dist-manifest.json".to_string(),
    ];
    files.sort();
    assert_eq!(list_files(&out), files);
    tool(&out, "sha256sum", &["-c", "SHA256SUMS"]);
    let x = tempfile::tempdir().unwrap();
    extract(&out.join(format!("{top}.tar.gz")), x.path());
    let bin = x.path().join(&top).join("lolcrab");
    let f = tool(x.path(), "file", &["-b", bin.to_str().unwrap()]);
    assert!(
        f.contains("ARM aarch64") && f.contains(", stripped") && !f.contains("BuildID"),
        "{f}"
    );
    assert!(contains(&std::fs::read(&bin).unwrap(), b"mimalloc"));
    let v = tool(
        x.path(),
        "qemu-aarch64",
        &[
            "-L",
            "/usr/aarch64-linux-gnu",
            bin.to_str().unwrap(),
            "--version",
        ],
    );
    assert!(strip_ansi(&v).starts_with("lolcrab 0.4.1"), "{v:?}");
}

/// The npm package `name@version` as published (its root package: package.json with the
/// `napi` object, the project's own loader and type declarations), unpacked once into the
/// cache; its `package/` folder.
fn npm_package(name: &str, version: &str) -> PathBuf {
    let dest = cache().join("npm").join(format!("{name}-{version}"));
    if dest.join("package/package.json").is_file() {
        return dest.join("package");
    }
    let tmp = tempfile::Builder::new()
        .prefix(&format!("npm-{name}-"))
        .tempdir_in(cache())
        .unwrap();
    let packed = tool(
        tmp.path(),
        "npm",
        &["pack", "--silent", &format!("{name}@{version}")],
    );
    let tgz = tmp.path().join(packed.trim());
    let staged = tmp.path().join("unpacked");
    std::fs::create_dir_all(&staged).unwrap();
    extract(&tgz, &staged);
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    let _ = std::fs::rename(&staged, &dest);
    dest.join("package")
}

/// Issue 22 §3: a real, published napi-rs project, oxc-resolver 11.24.2 (crate
/// `oxc_resolver_napi` from crates.io with its own Cargo.lock and build.rs, beside the
/// package.json, loader and types the project published to npm), with the `allocator`
/// feature its own release build turns on (mimalloc: C through `cc`, in a cdylib). Its
/// package.json has `napi.packageName` (platform packages `@oxc-resolver/binding-*`, root
/// `oxc-resolver`), a `napi.targets` of 19 targets and a `wasm` key. Judged by npm and node:
/// the tarballs install offline and the project's own loader resolves a file with the module.
#[test]
#[ignore = "tier: real-projects, a real crates.io project"]
fn oxc_resolver_napi_module_ships_npm_packages_node_loads() {
    if !crate::node::node_and_npm() || !require("cmake (mimalloc's build script)", have("cmake")) {
        return;
    }
    const VERSION: &str = "11.24.2";
    let published = npm_package("oxc-resolver", VERSION);
    let project = cache()
        .join("workspaces")
        .join(format!("oxc-resolver-{VERSION}"));
    if !project.join("package.json").is_file() {
        let tmp = tempfile::Builder::new()
            .prefix("ws-oxc-")
            .tempdir_in(cache())
            .unwrap();
        let staged = tmp.path().join("ws");
        copy_tree(&source("oxc_resolver_napi", VERSION), &staged);
        for f in [
            "package.json",
            "index.js",
            "index.d.ts",
            "README.md",
            "LICENSE",
        ] {
            std::fs::copy(published.join(f), staged.join(f)).unwrap();
        }
        std::fs::create_dir_all(project.parent().unwrap()).unwrap();
        let _ = std::fs::rename(&staged, &project);
    }
    let work = tempfile::tempdir().unwrap();
    let toml = format!(
        "[dist]\npackages = [\"oxc_resolver_napi\"]\n\n{}features = [\"allocator\"]\n",
        host_target("")
    );
    let m = dist(
        &project.join("Cargo.toml"),
        &toml,
        &target_dir("oxc-resolver"),
        work.path(),
        "out",
    );
    let out = work.path().join("out");
    let platform = match host().as_str() {
        "x86_64-unknown-linux-gnu" => "linux-x64-gnu",
        "aarch64-unknown-linux-gnu" => "linux-arm64-gnu",
        other => panic!("no napi platform for host {other} in this test"),
    };
    let root = format!("oxc-resolver-{VERSION}.tgz");
    let plat = format!("oxc-resolver-binding-{platform}-{VERSION}.tgz");
    let sums = tool(&out, "sha256sum", &["-c", "SHA256SUMS"]);
    for f in [&root, &plat] {
        assert!(
            sums.contains(&format!("{f}: OK")),
            "{f} not checked: {sums}"
        );
    }
    // Both versions recorded: the crate's and the npm packages'.
    let pkg = m["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "oxc_resolver_napi")
        .unwrap();
    assert_eq!(pkg["npm"]["name"], "oxc-resolver", "{pkg}");

    // The platform package is napi-rs's: its name, the module file, os/cpu/libc.
    let x = tempfile::tempdir().unwrap();
    extract(&out.join(&plat), x.path());
    let pj: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(x.path().join("package/package.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(pj["name"], format!("@oxc-resolver/binding-{platform}"));
    assert_eq!(pj["version"], VERSION);
    assert_eq!(pj["main"], format!("resolver.{platform}.node"));
    let module = x.path().join(format!("package/resolver.{platform}.node"));
    let nm = tool(
        x.path(),
        "llvm-nm-14",
        &["-D", "--defined-only", module.to_str().unwrap()],
    );
    assert!(nm.contains("napi_register_module_v1"), "{nm}");

    // What users do: install the two tarballs, and the project's own loader finds the module.
    let scratch = crate::node::npm_install(&[out.join(&plat), out.join(&root)]);
    std::fs::write(scratch.path().join("target.js"), "module.exports = 1;\n").unwrap();
    let resolved = tool(
        scratch.path(),
        "node",
        &[
            "-e",
            "const {ResolverFactory} = require('oxc-resolver'); \
             console.log(new ResolverFactory({}).sync(process.cwd(), './target.js').path)",
        ],
    );
    assert_eq!(
        Path::new(resolved.trim()),
        scratch.path().join("target.js"),
        "{resolved}"
    );
}

/// bat: three C libraries built by build scripts through `cc` (oniguruma, libgit2 and zlib,
/// vendored: pkg-config is off for a cross target) for aarch64 with no `linker`, `cc` or
/// `CC_*` set by hand (crossdock picks the GNU cross gcc on PATH, issue 23 §5), release
/// profile with `lto = true` and `codegen-units = 1`. The shipped `bat` highlights nothing
/// with `--plain` and prints a file as it is, under qemu with the runner crossdock uses
/// (threads start: `-E LD_LIBRARY_PATH`, issue 23 §14). `unstripped-size = false`: measuring
/// would compile and link bat with LTO a second time, for a number this test does not check.
#[test]
#[ignore = "tier: real-projects, a real crates.io project"]
fn bat_with_its_c_libraries_ships_for_aarch64_and_prints_a_file_under_qemu() {
    let t = "aarch64-unknown-linux-gnu";
    if !crate::cross::require_debian_aarch64() {
        return;
    }
    let src = source("bat", "0.26.1");
    let work = tempfile::tempdir().unwrap();
    let config = format!(
        "[dist]\ninclude = [\"LICENSE-MIT\", \"LICENSE-APACHE\", \"README.md\"]\n\
         unstripped-size = false\n\n\
         [[target]]\ntriple = \"{t}\"\nrustc = \"{}\"\n\
         runner = [\"qemu-aarch64\", \"-L\", \"/usr/aarch64-linux-gnu\"]\n",
        crate::cross::DEBIAN_RUSTC
    );
    let m = dist(
        &src.join("Cargo.toml"),
        &config,
        &target_dir("bat-aarch64"),
        work.path(),
        "out",
    );
    let out = work.path().join("out");
    tool(&out, "sha256sum", &["-c", "SHA256SUMS"]);
    let top = format!("bat-0.26.1-{t}");
    assert_eq!(
        m["artifacts"].to_string().matches(".tar.gz\"").count(),
        1,
        "{m}"
    );
    let x = tempfile::tempdir().unwrap();
    extract(&out.join(format!("{top}.tar.gz")), x.path());
    let bin = x.path().join(&top).join("bat");
    let f = tool(x.path(), "file", &["-b", bin.to_str().unwrap()]);
    assert!(f.contains("ARM aarch64") && f.contains(", stripped"), "{f}");
    // The C libraries are in the binary, not asked of the system at run time.
    let needed = tool(x.path(), "readelf", &["-d", bin.to_str().unwrap()]);
    for lib in ["libgit2", "libonig", "libz."] {
        assert!(!needed.contains(lib), "links {lib} dynamically:\n{needed}");
    }
    let qemu = |args: &[&str]| {
        let mut all = vec![
            "-L",
            "/usr/aarch64-linux-gnu",
            "-E",
            "LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib",
            bin.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        tool(x.path(), "qemu-aarch64", &all)
    };
    let v = qemu(&["--version"]);
    assert!(v.starts_with("bat 0.26.1"), "{v:?}");
    let text = "fn main() {\n    println!(\"hello from bat under qemu\");\n}\n";
    std::fs::write(x.path().join("hello.rs"), text).unwrap();
    let shown = qemu(&["--plain", "--paging=never", "--color=never", "hello.rs"]);
    assert_eq!(shown, text);
    // Highlighting runs oniguruma's regexes (bat's default `regex-onig`): colours, same text.
    let coloured = qemu(&["--plain", "--paging=never", "--color=always", "hello.rs"]);
    assert!(coloured.contains("\x1b["), "{coloured:?}");
    assert_eq!(strip_ansi(&coloured), text);
}

/// hyperfine set up as a new maintainer would: `cargo crossdock init` (the xtask, its cargo
/// alias, the release workflow, `[profile.dist]` that keeps hyperfine's `lto = true`), then
/// `cargo xtask dist` for the host and x86_64-pc-windows-gnu (Debian's rustc with build-std
/// and mingw, as CI has them). `init` puts `cc` into the lock through the xtask, which once
/// made doctor refuse windows-gnu (issue 23 §1). The host binary times a command; the
/// Windows one prints its version under wine. `unstripped-size = false`, as for bat.
#[test]
#[ignore = "tier: real-projects, a real crates.io project"]
fn hyperfine_through_init_and_the_xtask_ships_for_windows_gnu_under_wine() {
    let t = "x86_64-pc-windows-gnu";
    let wine_run = crate::cross::cross_home().join("bin/wine-run");
    if !require(
        "rust-src (rust-web-src), mingw-w64 and the wine-run wrapper",
        Path::new("/usr/lib/rustlib/src/rust/library/std/Cargo.toml").is_file()
            && Path::new(crate::cross::DEBIAN_RUSTC).exists()
            && have("x86_64-w64-mingw32-gcc")
            && wine_run.exists(),
    ) {
        return;
    }
    let src = source("hyperfine", "1.20.0");
    // One place for the project, so the xtask and hyperfine's dependencies stay compiled in
    // the cached target dir between runs; a fresh copy every time, as init changes it.
    let proj = cache().join("work/hyperfine-1.20.0");
    if proj.exists() {
        std::fs::remove_dir_all(&proj).unwrap();
    }
    copy_tree(&src, &proj);
    for args in [
        &["init", "-q"][..],
        &["add", "-A"],
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-qm",
            "hyperfine 1.20.0",
        ],
    ] {
        tool(&proj, "git", args);
    }
    let _one_at_a_time = BUILDS.lock().unwrap_or_else(|p| p.into_inner());
    let start = Instant::now();
    let repo = repo_root();
    let r = run_in(
        &proj,
        &["init", "--crossdock-path", repo.to_str().unwrap()],
        &[],
    )
    .ok();
    assert!(
        r.stderr.contains("Created xtask/Cargo.toml"),
        "{}",
        r.stderr
    );
    let profile = std::fs::read_to_string(proj.join("Cargo.toml")).unwrap();
    assert!(
        profile.contains("[profile.dist]") && !profile.contains("lto = \"thin\""),
        "{profile}"
    );
    let lock = std::fs::read_to_string(proj.join("Cargo.lock")).unwrap();
    assert!(lock.contains("name = \"cc\""), "the xtask brings cc");
    std::fs::write(
        proj.join("targets.toml"),
        format!(
            "[dist]\ninclude = [\"LICENSE-MIT\", \"LICENSE-APACHE\", \"README.md\"]\n\
             unstripped-size = false\n\n\
             [[target]]\ntriple = \"{}\"\n\n\
             [[target]]\ntriple = \"{t}\"\nrustc = \"{}\"\nbuild-std = true\n\
             linker = \"x86_64-w64-mingw32-gcc\"\nrunner = [\"{}\"]\n",
            host(),
            crate::cross::DEBIAN_RUSTC,
            wine_run.display()
        ),
    )
    .unwrap();
    let mut c = cargo_in(&proj, &["xtask", "dist"]);
    c.env("CARGO_TARGET_DIR", target_dir("hyperfine"))
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("PATH", crate::cross::cross_path());
    let r = finish(c.output().unwrap());
    eprintln!(
        "hyperfine: init + cargo xtask dist took {:.1}s",
        start.elapsed().as_secs_f64()
    );
    let r = r.ok();
    assert!(!r.stderr.contains("Skipped"), "{}", r.stderr);
    let out = proj.join("dist");
    tool(&out, "sha256sum", &["-c", "SHA256SUMS"]);
    let host_top = format!("hyperfine-1.20.0-{}", host());
    let win_top = format!("hyperfine-1.20.0-{t}");
    let files = list_files(&out);
    for f in [format!("{host_top}.tar.gz"), format!("{win_top}.zip")] {
        assert!(files.contains(&f), "{f} not in {files:?}");
    }
    assert!(
        !files.iter().any(|f| f.starts_with("xtask")),
        "the xtask is not shipped: {files:?}"
    );

    let x = tempfile::tempdir().unwrap();
    extract(&out.join(format!("{host_top}.tar.gz")), x.path());
    let dir = x.path().join(&host_top);
    let timed = tool(
        &dir,
        "./hyperfine",
        &["--runs", "2", "--shell=none", "--style", "basic", "true"],
    );
    assert!(timed.contains("Time (mean"), "{timed}");
    extract(&out.join(format!("{win_top}.zip")), x.path());
    let exe = x.path().join(&win_top).join("hyperfine.exe");
    let f = tool(x.path(), "file", &["-b", exe.to_str().unwrap()]);
    assert!(f.contains("PE32+") && f.contains("x86-64"), "{f}");
    let v = tool(
        x.path(),
        wine_run.to_str().unwrap(),
        &[exe.to_str().unwrap(), "--version"],
    );
    assert!(v.trim_end().ends_with("hyperfine 1.20.0"), "{v:?}");
}
