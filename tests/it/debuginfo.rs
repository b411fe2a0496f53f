//! Release profiles that keep debug info (`debug = 1`, `"line-tables-only"`, as many real
//! CLIs set) ship, and `strip` in targets.toml decides what the shipped binary keeps. Judged
//! by `file` and `readelf`, not by crossdock's own reading of the binary.

use std::path::{Path, PathBuf};

use crate::support::*;

/// Ships `tiny` with the given profile lines and `[dist]` lines; returns the extracted binary.
fn ship(profile: &str, dist: &str) -> (Fixture, PathBuf, serde_json::Value) {
    let host = host();
    let fx = Fixture::new("tiny");
    fx.write(
        "Cargo.toml",
        &format!(
            "[package]\nname = \"tiny\"\nversion = \"0.2.0\"\nedition = \"2021\"\npublish = false\n\n\
             [workspace]\n\n[profile.release]\n{profile}\n"
        ),
    );
    fx.write(
        "targets.toml",
        &format!("[dist]\n{dist}\n\n[[target]]\ntriple = \"{host}\"\n"),
    );
    fx.run(&["dist"]).ok();
    let dist = fx.dist_dir();
    let out = fx.path().join("x");
    extract(&dist.join(format!("tiny-0.2.0-{host}.tar.gz")), &out);
    let bin = out.join(format!("tiny-0.2.0-{host}/tiny"));
    let version = tool(&out, bin.to_str().unwrap(), &["--version"]);
    assert!(version.starts_with("tiny 0.2.0"), "{version}");
    let manifest = read_manifest(&dist);
    (fx, bin, manifest)
}

fn sections(bin: &Path) -> String {
    tool(
        Path::new("."),
        "readelf",
        &["-S", "-W", bin.to_str().unwrap()],
    )
}

fn overrides(manifest: &serde_json::Value) -> Vec<String> {
    manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "archive")
        .unwrap()["profile_overrides"]
        .as_array()
        .map(|v| v.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn debug_profiles_ship_stripped() {
    if !require("readelf and file", have("readelf") && have("file")) {
        return;
    }
    for profile in ["debug = 1", "debug = \"line-tables-only\"", "debug = true"] {
        let (_fx, bin, manifest) = ship(profile, "");
        let file = tool(Path::new("."), "file", &[bin.to_str().unwrap()]);
        assert!(file.contains(", stripped"), "{profile}: {file}");
        let s = sections(&bin);
        assert!(!s.contains(".debug_info"), "{profile}: {s}");
        assert_eq!(overrides(&manifest), ["profile.release.strip=true"]);
    }
}

#[test]
fn strip_debuginfo_keeps_symbols_and_false_ships_as_built() {
    if !require("readelf and file", have("readelf") && have("file")) {
        return;
    }
    let (_fx, bin, manifest) = ship("debug = 1", "strip = \"debuginfo\"");
    let s = sections(&bin);
    assert!(s.contains(".symtab") && !s.contains(".debug_info"), "{s}");
    assert_eq!(
        overrides(&manifest),
        ["profile.release.strip=\"debuginfo\""]
    );

    let (_fx, bin, manifest) = ship("debug = 1", "strip = false");
    let file = tool(Path::new("."), "file", &[bin.to_str().unwrap()]);
    assert!(file.contains("with debug_info, not stripped"), "{file}");
    assert!(overrides(&manifest).is_empty());
}

#[test]
fn unknown_strip_value_is_an_error_with_the_line() {
    let fx = Fixture::new("tiny");
    fx.write(
        "targets.toml",
        "[dist]\nstrip = \"all\"\n\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
    );
    fx.run(&["dist", "--dry-run"]).fails_with(&[
        "targets.toml:2:",
        "key `strip`: unknown value `all`",
        "\"debuginfo\"",
    ]);
}

/// Issue 10 §1: `debuginfo = "separate"` ships a stripped binary and its debug info in
/// `{archive stem}-debuginfo.tar.gz`. Extracted over the binary's archive, the debug file
/// sits where the binary's `.gnu_debuglink` points, and llvm-symbolizer resolves an address
/// of the shipped binary to `tiny::main` in src/main.rs through it (and to nothing without
/// it). Both archives are in SHA256SUMS; a second run leaves them untouched; merge carries
/// the debuginfo archive.
#[test]
fn separate_debuginfo_ships_beside_the_binary() {
    if !require(
        "llvm-14 (llvm-objcopy-14, llvm-nm-14, llvm-symbolizer-14)",
        have("llvm-objcopy-14") && have("llvm-nm-14") && have("llvm-symbolizer-14"),
    ) {
        return;
    }
    let host = host();
    let fx = Fixture::new("tiny");
    fx.write(
        "targets.toml",
        &format!("[dist]\ndebuginfo = \"separate\"\n\n[[target]]\ntriple = \"{host}\"\n"),
    );
    let plan = fx.run(&["dist", "--dry-run"]).ok().stdout;
    assert!(
        plan.contains("profile.dist.strip=false") && plan.contains("profile.dist.debug=1"),
        "{plan}"
    );
    let first = fx.run(&["dist"]).ok();
    let dist = fx.dist_dir();
    // The size before stripping is cargo's own (unsplit) file: no measuring build.
    assert!(!first.stderr.contains("Measuring"), "{}", first.stderr);
    let manifest = read_manifest(&dist);
    let b = &manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "archive")
        .unwrap()["binaries"][0];
    assert!(
        b["unstripped_size"].as_u64().unwrap() > b["size"].as_u64().unwrap(),
        "{b:#}"
    );
    let stem = format!("tiny-0.2.0-{host}");
    let debug_archive = format!("{stem}-debuginfo.tar.gz");
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    assert!(sums.contains(&debug_archive), "{sums}");
    tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);

    let out = fx.path().join("x");
    extract(&dist.join(format!("{stem}.tar.gz")), &out);
    let bin = out.join(&stem).join("tiny");
    let version = tool(&out, bin.to_str().unwrap(), &["--version"]);
    assert!(version.starts_with("tiny 0.2.0"), "{version}");
    let s = sections(&bin);
    assert!(!s.contains(".debug_info") && !s.contains(".symtab"), "{s}");
    assert!(s.contains(".gnu_debuglink"), "{s}");

    // The address of tiny::main, from the debug file's symbol table.
    extract(&dist.join(&debug_archive), &out);
    let debug = out.join(&stem).join("tiny.debug");
    let nm = tool(&out, "llvm-nm-14", &[debug.to_str().unwrap()]);
    let addr = nm
        .lines()
        .find(|l| l.contains("4tiny4main"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_else(|| panic!("no tiny::main in\n{nm}"))
        .to_string();
    let symbolize = || {
        tool(
            &out,
            "llvm-symbolizer-14",
            &["--obj", bin.to_str().unwrap(), &format!("0x{addr}")],
        )
    };
    let resolved = symbolize();
    assert!(
        resolved.contains("tiny::main") && resolved.contains("main.rs"),
        "{resolved}"
    );
    std::fs::remove_file(&debug).unwrap();
    assert!(
        !symbolize().contains("tiny::main"),
        "resolved without the debug file"
    );

    // Unchanged inputs: nothing is rewritten.
    let again = fx.run(&["dist"]).ok();
    assert!(
        again
            .stderr
            .lines()
            .any(|l| l.contains("Fresh") && l.trim_end().ends_with(&debug_archive)),
        "{}",
        again.stderr
    );

    // merge carries it.
    let merged = fx.path().join("merged");
    fx.run(&[
        "merge",
        "--out-dir",
        merged.to_str().unwrap(),
        dist.to_str().unwrap(),
    ])
    .ok();
    assert_eq!(
        std::fs::read(merged.join(&debug_archive)).unwrap(),
        std::fs::read(dist.join(&debug_archive)).unwrap()
    );
    tool(&merged, "sha256sum", &["-c", "SHA256SUMS"]);
}
