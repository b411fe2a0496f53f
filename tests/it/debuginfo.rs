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
