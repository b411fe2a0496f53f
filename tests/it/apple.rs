//! macOS targets from Linux (build-std + `zig cc`) and the universal binary joined from
//! them, checked against llvm-objdump, llvm-lipo and `file`. One build of both targets
//! serves every assertion, including `merge` of per-target outputs.

use std::path::Path;

use crate::cross::*;
use crate::support::*;

const CONFIG: &str = "[dist]\ninclude = [\"README.md\"]\nrustc = \"/usr/bin/rustc\"\n
[[target]]\ntriple = \"x86_64-apple-darwin\"\nbuild-std = true\nlinker = \"$CH/bin/x86_64-macos-cc\"\n
[[target]]\ntriple = \"aarch64-apple-darwin\"\nbuild-std = true\nlinker = \"$CH/bin/aarch64-macos-cc\"\n
[[universal]]\nname = \"universal-apple-darwin\"\ntargets = [\"x86_64-apple-darwin\", \"aarch64-apple-darwin\"]\ntool = \"builtin\"\n";

#[test]
#[ignore = "tier: std-builds, builds std for two Apple targets"]
fn apple_thin_and_universal_archives() {
    let ch = cross_home();
    let present = Path::new("/usr/lib/rustlib/src/rust/library/std/Cargo.toml").is_file()
        && ch.join("bin/x86_64-macos-cc").exists()
        && ch.join("bin/aarch64-macos-cc").exists()
        && ch.join("bin/rust-objcopy").exists()
        && have("llvm-lipo-14");
    if !require(
        "rust-src, zig cc wrappers, rust-objcopy and llvm-lipo-14",
        present,
    ) {
        return;
    }
    let fx = tiny(CONFIG).share_target_dir(STD_APPLE);
    let (m, stderr) = dist_json(&fx, &[]);
    assert!(
        stderr.contains("Skipping smoke run for x86_64-apple-darwin"),
        "{stderr}"
    );
    let arts = m["artifacts"].as_array().unwrap();
    let find = |name: &str| {
        arts.iter()
            .find(|a| a["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    assert_eq!(
        find("tiny-0.2.0-x86_64-apple-darwin.tar.gz")["binaries"][0]["format"],
        "Mach-O 64-bit x86_64"
    );
    assert_eq!(
        find("tiny-0.2.0-aarch64-apple-darwin.tar.gz")["binaries"][0]["format"],
        "Mach-O 64-bit aarch64"
    );
    let uni = find("tiny-0.2.0-universal-apple-darwin.tar.gz");
    assert_eq!(uni["kind"], "universal");
    assert_eq!(
        uni["members"],
        serde_json::json!(["x86_64-apple-darwin", "aarch64-apple-darwin"])
    );
    tool(&fx.dist_dir(), "sha256sum", &["-c", "SHA256SUMS"]);

    let x = tempfile::tempdir().unwrap();
    for a in [
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "universal-apple-darwin",
    ] {
        extract(
            &fx.dist_dir().join(format!("tiny-0.2.0-{a}.tar.gz")),
            x.path(),
        );
    }
    let thin_x86 = x.path().join("tiny-0.2.0-x86_64-apple-darwin/tiny");
    let thin_arm = x.path().join("tiny-0.2.0-aarch64-apple-darwin/tiny");
    let fat = x.path().join("tiny-0.2.0-universal-apple-darwin/tiny");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let file_x86 = tool(Path::new("/"), "file", &["-b", &s(&thin_x86)]);
    assert!(
        file_x86.contains("Mach-O 64-bit x86_64 executable"),
        "{file_x86}"
    );
    let file_arm = tool(Path::new("/"), "file", &["-b", &s(&thin_arm)]);
    assert!(
        file_arm.contains("Mach-O 64-bit arm64 executable"),
        "{file_arm}"
    );
    // (`llvm-objdump-14 -f` stops at zig's arm64 load commands; the Mach header reads fine.)
    for (bin, cpu) in [(&thin_x86, "X86_64"), (&thin_arm, "ARM64")] {
        let od = tool(
            Path::new("/"),
            "llvm-objdump-14",
            &["--macho", "--private-header", &s(bin)],
        );
        let header = od
            .lines()
            .find(|l| l.contains("MH_MAGIC_64"))
            .unwrap_or_default()
            .to_string();
        assert!(
            header.split_whitespace().nth(1) == Some(cpu),
            "{}: {od}",
            bin.display()
        );
    }
    let check = ch.join("bin/macho-check");
    tool(
        Path::new("/"),
        "python3",
        &[&s(&check), &s(&thin_arm), "arm64"],
    );
    tool(
        Path::new("/"),
        "python3",
        &[&s(&check), &s(&fat), "x86_64", "arm64"],
    );

    // The universal binary: what llvm-lipo says of it, and its bytes are llvm-lipo's own.
    let archs = tool(Path::new("/"), "llvm-lipo-14", &["-archs", &s(&fat)]);
    assert_eq!(archs.trim(), "x86_64 arm64");
    tool(
        Path::new("/"),
        "llvm-lipo-14",
        &[&s(&fat), "-verify_arch", "x86_64", "arm64"],
    );
    let reference = x.path().join("reference");
    tool(
        Path::new("/"),
        "llvm-lipo-14",
        &[
            "-create",
            "-output",
            &s(&reference),
            &s(&thin_x86),
            &s(&thin_arm),
        ],
    );
    assert!(
        std::fs::read(&fat).unwrap() == std::fs::read(&reference).unwrap(),
        "our fat binary differs from llvm-lipo's"
    );
    for (arch, thin) in [("x86_64", &thin_x86), ("arm64", &thin_arm)] {
        let out = x.path().join(format!("thin-{arch}"));
        tool(
            Path::new("/"),
            "llvm-lipo-14",
            &[&s(&fat), "-thin", arch, "-output", &s(&out)],
        );
        assert!(
            std::fs::read(&out).unwrap() == std::fs::read(thin).unwrap(),
            "{arch} slice differs from the thin binary"
        );
    }
    let info = run_in(fx.path(), &["lipo", "info", &s(&fat)], &[]).ok();
    assert!(info.stdout.contains("are: x86_64 arm64"), "{}", info.stdout);

    // The CI path: one dir per target (as on separate runners), then `merge`, gives the
    // same bytes as the single run above — archives, SHA256SUMS and manifest.
    let d1 = fx.path().join("d-x86_64");
    let d2 = fx.path().join("d-aarch64");
    dist_json(
        &fx,
        &["--target", "x86_64-apple-darwin", "--out-dir", &s(&d1)],
    );
    dist_json(
        &fx,
        &["--target", "aarch64-apple-darwin", "--out-dir", &s(&d2)],
    );
    assert!(
        !d1.join("tiny-0.2.0-universal-apple-darwin.tar.gz").exists(),
        "a single target builds no universal"
    );
    let merged = fx.path().join("merged");
    fx.run_env(
        &["merge", &s(&d1), &s(&d2), "--out-dir", &s(&merged)],
        &[("PATH", &cross_path())],
    )
    .ok();
    let single = list_files(&fx.dist_dir());
    assert_eq!(list_files(&merged), single);
    for f in &single {
        assert!(
            std::fs::read(merged.join(f)).unwrap() == std::fs::read(fx.dist_dir().join(f)).unwrap(),
            "{f} differs between merge and a single dist"
        );
    }
}
