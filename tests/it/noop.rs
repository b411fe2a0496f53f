//! Runs that have nothing to do must do nothing: a second identical multi-target `dist`
//! starts no rustc and reruns no build script, even when its targets use different rustc
//! binaries and build-std, which once made them rebuild each other's host crates.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Instant, SystemTime};

use crate::cross::{cross_home, cross_path, require_debian_aarch64, tiny};
use crate::support::*;

/// The outputs of `after` that are new or differ from `before`: what cargo rebuilt or reran.
fn changed_outputs<'a>(
    before: &BTreeMap<String, (SystemTime, u64)>,
    after: &'a BTreeMap<String, (SystemTime, u64)>,
) -> Vec<&'a String> {
    after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(v))
        .map(|(k, _)| k)
        .collect()
}

/// Every compiled artifact, fingerprint and build-script output in the target dir, with
/// its modification time and size: what cargo rewrites when it runs rustc or a build script.
fn cargo_outputs(target: &Path) -> BTreeMap<String, (SystemTime, u64)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![target.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            let m = std::fs::symlink_metadata(&p).unwrap();
            if m.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(target)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let cargo_made = ["/.fingerprint/", "/deps/", "/build/"]
                .iter()
                .any(|d| format!("/{rel}").contains(d));
            // crossdock's own caches (probe, smoke, debuginfo) are not cargo's work.
            if cargo_made && !rel.starts_with("crossdock/probe") {
                out.insert(rel, (m.modified().unwrap(), m.len()));
            }
        }
    }
    out
}

#[test]
#[ignore = "tier: std-builds, builds std for musl (minutes on 2 cores)"]
fn second_identical_multi_target_dist_compiles_nothing() {
    let musl_cc = cross_home().join("bin/x86_64-linux-musl-cc");
    if !require_debian_aarch64()
        || !require(
            "rust-src (rust-web-src), musl-tools and the musl linker wrapper",
            Path::new("/usr/lib/rustlib/src/rust/library/std/Cargo.toml").is_file()
                && musl_cc.exists()
                && have("musl-gcc"),
        )
    {
        return;
    }
    // Three targets, two rustc binaries, one of them with build-std (RUSTC_BOOTSTRAP=1), and
    // a host build dependency whose build script reruns when RUSTC_BOOTSTRAP changes, as
    // proc-macro2's and anyhow's do.
    let host = host();
    let fx = tiny(&format!(
        "[[target]]\ntriple = \"{host}\"\n\n\
         [[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\nrustc = \"/usr/bin/rustc\"\n\
         linker = \"aarch64-linux-gnu-gcc\"\nrunner = [\"qemu-aarch64\", \"-L\", \"/usr/aarch64-linux-gnu\"]\n\n\
         [[target]]\ntriple = \"x86_64-unknown-linux-musl\"\nrustc = \"/usr/bin/rustc\"\nbuild-std = true\n\
         linker = \"$CH/bin/x86_64-linux-musl-cc\"\n\
         rustflags = [\"-C\", \"link-self-contained=no\", \"-C\", \"relocation-model=static\", \"-L\", \"/usr/lib/llvm-14/lib\"]\n"
    ));
    let manifest = std::fs::read_to_string(fx.path().join("Cargo.toml")).unwrap();
    fx.write(
        "Cargo.toml",
        &manifest.replace(
            "[workspace]",
            "[build-dependencies]\nhostprobe = { path = \"hostprobe\" }\n\n[workspace]",
        ),
    );
    // Reruns only when itself changes (without the line: whenever dist/ is written).
    fx.write(
        "build.rs",
        "fn main() { println!(\"cargo:rerun-if-changed=build.rs\"); hostprobe::probe(); }\n",
    );
    fx.write(
        "hostprobe/Cargo.toml",
        "[package]\nname = \"hostprobe\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n",
    );
    fx.write(
        "hostprobe/build.rs",
        "fn main() { println!(\"cargo:rerun-if-env-changed=RUSTC_BOOTSTRAP\"); }\n",
    );
    fx.write("hostprobe/src/lib.rs", "pub fn probe() {}\n");
    std::fs::remove_file(fx.path().join("Cargo.lock")).unwrap();
    let path = cross_path();
    fx.run_env(&["dist"], &[("PATH", &path)]).ok();
    let target = fx.path().join("target");
    let before = cargo_outputs(&target);
    assert!(!before.is_empty());
    let t0 = Instant::now();
    let r = fx.run_env(&["dist"], &[("PATH", &path)]).ok();
    let took = t0.elapsed();
    let after = cargo_outputs(&target);
    let changed = changed_outputs(&before, &after);
    assert!(
        changed.is_empty(),
        "the second run rebuilt or reran: {changed:#?}\n{}",
        r.stderr
    );
    // Well under a second per target on an idle machine; the bound leaves room for a busy one.
    assert!(
        took.as_secs_f64() < 6.0,
        "second run took {took:?}\n{}",
        r.stderr
    );
    eprintln!("second identical 3-target dist: {took:?}");
}

/// The files in `archive` of the dist dir.
fn archived(fx: &Fixture, archive: &str) -> Vec<String> {
    let x = tempfile::tempdir().unwrap();
    extract(&fx.dist_dir().join(archive), x.path());
    list_files(&x.path().join(archive.trim_end_matches(".tar.gz")))
}

/// The cached `cargo metadata` answer must not outlive the files it came from: a version
/// edited between two runs (same file size, so only the modification time tells) is the one
/// the second run ships; a new `src/bin/*.rs` and a `[[bin]]` added to Cargo.toml alone are
/// new binaries in the archive.
#[test]
fn a_manifest_edited_between_runs_is_read_again() {
    let fx = Fixture::new("tiny");
    fx.write(
        "targets.toml",
        &format!("[[target]]\ntriple = \"{}\"\n", host()),
    );
    fx.run(&["dist"]).ok();
    // The second run is the one answered from the cache.
    fx.run(&["dist"]).ok();
    assert!(fx
        .path()
        .join("target/crossdock/facts/cargo-metadata.json")
        .is_file());
    let manifest = fx.path().join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    assert!(text.contains("version = \"0.2.0\""));
    std::fs::write(&manifest, text.replace("\"0.2.0\"", "\"0.2.1\"")).unwrap();
    // As a user would: dist builds with --locked.
    let up = cargo_in(fx.path(), &["update", "--offline", "--workspace"])
        .output()
        .unwrap();
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    fx.run(&["dist"]).ok();
    let archive = format!("tiny-0.2.1-{}.tar.gz", host());
    let names = list_files(&fx.dist_dir());
    assert!(names.contains(&archive), "{names:?}");
    fx.write("src/bin/tiny-extra.rs", "fn main() {}\n");
    fx.run(&["dist"]).ok();
    assert!(archived(&fx, &archive).contains(&"tiny-extra".to_string()));
    fx.write("src/two.rs", "fn main() {}\n");
    fx.run(&["dist"]).ok();
    // Only Cargo.toml changes now.
    let text = std::fs::read_to_string(&manifest).unwrap();
    let with_bin = text.replacen(
        "[workspace]",
        "[[bin]]\nname = \"tiny\"\npath = \"src/main.rs\"\n\n[[bin]]\nname = \"tiny-two\"\npath = \"src/two.rs\"\n\n[workspace]",
        1,
    );
    std::fs::write(&manifest, with_bin).unwrap();
    fx.run(&["dist"]).ok();
    let files = archived(&fx, &archive);
    assert!(files.contains(&"tiny-two".to_string()), "{files:?}");
}

/// Issue 25 §5: an unchanged binary's check is remembered by the file's stamp, so a no-op
/// run neither reads nor hashes it again; a binary changed in place after the build (cargo
/// sees nothing to do: the output is newer than its sources) is checked and shipped anew,
/// never answered from the memo.
#[test]
fn a_binary_changed_after_its_check_is_checked_again() {
    let fx = Fixture::new("tiny");
    fx.write(
        "targets.toml",
        &format!("[[target]]\ntriple = \"{}\"\n", host()),
    );
    fx.run(&["dist"]).ok();
    let memo = fx.path().join("target/crossdock/verified");
    assert_eq!(
        std::fs::read_dir(&memo).unwrap().count(),
        1,
        "one binary, one memo"
    );
    let archive = format!("tiny-0.2.0-{}.tar.gz", host());
    let first = std::fs::read(fx.dist_dir().join(&archive)).unwrap();
    fx.run(&["dist"]).ok();
    assert_eq!(std::fs::read(fx.dist_dir().join(&archive)).unwrap(), first);

    // The same program with a byte appended (ELF ignores trailing bytes): same path, same
    // mtime second, other size and ctime.
    let built = fx.path().join(format!("target/{}/dist/tiny", host()));
    let mut bytes = std::fs::read(&built).unwrap();
    bytes.push(0);
    std::fs::write(&built, &bytes).unwrap();
    fx.run(&["dist"]).ok();
    let x = tempfile::tempdir().unwrap();
    extract(&fx.dist_dir().join(&archive), x.path());
    let shipped = std::fs::read(
        x.path()
            .join(archive.trim_end_matches(".tar.gz"))
            .join("tiny"),
    )
    .unwrap();
    assert_eq!(shipped, bytes, "the changed binary is the one shipped");
    let sums = tool(&fx.dist_dir(), "sha256sum", &["-c", "SHA256SUMS"]);
    assert!(sums.contains(&format!("{archive}: OK")), "{sums}");
}

/// Issue 23 §9: a per-target run from the release job's `cargo xtask dist --target T`, then a
/// full `cargo crossdock dist`, compiles nothing for T. `cargo run` (the xtask alias) gives
/// the xtask its package's `CARGO_PKG_*`, `CARGO_MANIFEST_DIR`, …, and cargo fingerprints a
/// build script's `rerun-if-env-changed` from its own environment: bat's build script names
/// `CARGO_PKG_VERSION`, so its aarch64 build script reran and bat recompiled (1 min 12 s, to
/// the same bytes). The first run here has the variables `cargo run` sets for an xtask, the
/// second none.
#[test]
fn a_full_dist_after_a_per_target_xtask_run_compiles_nothing_for_that_target() {
    if !require_debian_aarch64() {
        return;
    }
    let host = host();
    let t = "aarch64-unknown-linux-gnu";
    let fx = tiny(&format!(
        "[[target]]\ntriple = \"{host}\"\n\n\
         [[target]]\ntriple = \"{t}\"\nrustc = \"/usr/bin/rustc\"\n\
         runner = [\"qemu-aarch64\", \"-L\", \"/usr/aarch64-linux-gnu\"]\n"
    ));
    fx.write(
        "build.rs",
        "fn main() {\n    println!(\"cargo:rerun-if-changed=build.rs\");\n    println!(\"cargo:rerun-if-env-changed=CARGO_PKG_VERSION\");\n}\n",
    );
    let path = cross_path();
    let xtask = fx.path().join("xtask");
    let xtask_manifest = xtask.join("Cargo.toml");
    let run_env = [
        ("PATH", path.as_str()),
        ("CARGO_PKG_NAME", "xtask"),
        ("CARGO_PKG_VERSION", "9.8.7"),
        ("CARGO_PKG_VERSION_MAJOR", "9"),
        ("CARGO_CRATE_NAME", "xtask"),
        ("CARGO_BIN_NAME", "xtask"),
        ("CARGO_MANIFEST_DIR", xtask.to_str().unwrap()),
        ("CARGO_MANIFEST_PATH", xtask_manifest.to_str().unwrap()),
        ("CARGO_PRIMARY_PACKAGE", "1"),
    ];
    fx.run_env(&["dist", "--target", t], &run_env).ok();
    let target = fx.path().join("target");
    let ours = |all: BTreeMap<String, (SystemTime, u64)>| -> BTreeMap<String, (SystemTime, u64)> {
        all.into_iter()
            .filter(|(k, _)| k.starts_with(&format!("{t}/")))
            .collect()
    };
    let before = ours(cargo_outputs(&target));
    assert!(!before.is_empty());
    // From a shell that has none of them (this test's own process has cargo test's).
    let mut c = command_in(fx.path(), &["crossdock", "dist"]);
    c.env("PATH", &path);
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("CARGO_PKG_")) {
        c.env_remove(k);
    }
    for (k, _) in &run_env[1..] {
        c.env_remove(k);
    }
    let r = finish(c.output().unwrap()).ok();
    let after = ours(cargo_outputs(&target));
    let changed = changed_outputs(&before, &after);
    assert!(
        changed.is_empty(),
        "the full run rebuilt or reran {t}'s: {changed:#?}\n{}",
        r.stderr
    );
    assert_eq!(
        r.stderr.matches("Compiling tiny").count(),
        1,
        "only the host target compiles:\n{}",
        r.stderr
    );
}

/// Issue 25 §5: a build script that prints no `rerun-if-changed` reruns whenever the newest
/// file of its package changes, and `dist/` is in the package here (one package, no git:
/// cargo walks the whole directory). The release files carry `SOURCE_DATE_EPOCH` as their
/// mtime, so a second `dist` runs no build script; the first one's files are on record.
#[test]
fn a_build_script_without_rerun_if_changed_does_not_rerun_on_the_second_dist() {
    let fx = Fixture::new("tiny");
    fx.write(
        "targets.toml",
        &format!("[[target]]\ntriple = \"{}\"\n", host()),
    );
    // Each run of the build script leaves a different stamp in its OUT_DIR.
    fx.write(
        "build.rs",
        "fn main() {\n    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();\n    let out = std::path::PathBuf::from(std::env::var(\"OUT_DIR\").unwrap());\n    std::fs::write(out.join(\"stamp\"), t.to_string()).unwrap();\n}\n",
    );
    let stamps = || {
        let build = fx.path().join(format!("target/{}/dist/build", host()));
        let mut all: Vec<String> = std::fs::read_dir(&build)
            .unwrap()
            .flatten()
            .filter_map(|e| std::fs::read_to_string(e.path().join("out/stamp")).ok())
            .collect();
        all.sort();
        all
    };
    fx.run_env(&["dist"], &[("SOURCE_DATE_EPOCH", "1700000000")])
        .ok();
    // (One build dir per flavor of the build: the shipped one, the one measuring sizes.)
    let first = stamps();
    assert!(!first.is_empty());
    let manifest = fx.dist_dir().join("dist-manifest.json");
    let mtime = std::fs::metadata(&manifest).unwrap().modified().unwrap();
    assert_eq!(
        mtime,
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000)
    );
    fx.run_env(&["dist"], &[("SOURCE_DATE_EPOCH", "1700000000")])
        .ok();
    assert_eq!(stamps(), first, "the build script ran again");
}
