//! Issue 22 §1 on cross targets: the `c-lib` fixture's library per target, judged by outside
//! tools. aarch64 glibc: a C program linked with aarch64-linux-gnu-gcc runs under qemu
//! against the shipped `.so`; windows-gnu: a PE DLL exporting the function, with its import
//! library, called from a mingw program under wine; macOS: `.dylib`s for both CPUs and the
//! universal one holding both slices (llvm-lipo-14 -info). Each skips (or fails under
//! CROSSDOCK_REQUIRE_CROSS=1) without the route `.ci/install-cross.sh` installs.

use std::path::Path;

use crate::clib::{c_lib, compile_c, entry, shipped, unpack};
use crate::cross::*;
use crate::support::*;

#[test]
fn aarch64_gnu_shared_library_runs_from_c_under_qemu() {
    if !require_debian_aarch64() {
        return;
    }
    let t = "aarch64-unknown-linux-gnu";
    let fx = c_lib(&format!(
        "[[target]]\ntriple = \"{t}\"\nlinker = \"aarch64-linux-gnu-gcc\"\nrunner = [\"qemu-aarch64\", \"-L\", \"/usr/aarch64-linux-gnu\"]\n"
    ));
    let (m, stderr) = dist_json(&fx, &["--cargo", "/usr/bin/cargo", "--rustc", DEBIAN_RUSTC]);
    assert!(
        stderr.contains("Ran clib-cli --version: clib-cli 0.5.0 (aarch64 linux)"),
        "{stderr}"
    );
    let archive = format!("c-lib-0.5.0-{t}.tar.gz");
    let files = shipped(entry(&m, &archive));
    assert_eq!(files[0].2, "ELF 64-bit aarch64 shared library");
    assert_eq!(files[1].2, "ar archive of ELF 64-bit aarch64 objects");
    tool(&fx.dist_dir(), "sha256sum", &["-c", "SHA256SUMS"]);

    let (_x, top) = unpack(&fx, &archive);
    let so = top.join("lib/libc_lib.so");
    let header = tool(
        Path::new("/"),
        "llvm-readelf-14",
        &["-h", so.to_str().unwrap()],
    );
    assert!(
        header.contains("AArch64") && header.contains("DYN (Shared object file)"),
        "{header}"
    );
    let dynsym = tool(
        Path::new("/"),
        "llvm-nm-14",
        &["-D", "--defined-only", so.to_str().unwrap()],
    );
    assert!(dynsym.contains("T clib_add"), "{dynsym}");
    let lib = top.join("lib");
    let dynamic = top.join("use-dynamic");
    compile_c(
        "aarch64-linux-gnu-gcc",
        &top,
        &dynamic,
        &["-L", lib.to_str().unwrap(), "-lc_lib"],
    );
    let ld_path = format!("LD_LIBRARY_PATH={}", lib.display());
    let out = tool(
        &top,
        "qemu-aarch64",
        &[
            "-L",
            "/usr/aarch64-linux-gnu",
            "-E",
            &ld_path,
            dynamic.to_str().unwrap(),
        ],
    );
    assert_eq!(out, "clib 0.5.0: 40 + 2 = 42\n");
    let fixed = top.join("use-static");
    compile_c(
        "aarch64-linux-gnu-gcc",
        &top,
        &fixed,
        &[
            lib.join("libc_lib.a").to_str().unwrap(),
            "-lgcc_s",
            "-lpthread",
            "-lm",
            "-ldl",
        ],
    );
    let out = tool(
        &top,
        "qemu-aarch64",
        &["-L", "/usr/aarch64-linux-gnu", fixed.to_str().unwrap()],
    );
    assert_eq!(out, "clib 0.5.0: 40 + 2 = 42\n");
}

#[test]
#[ignore = "tier: std-builds, builds std for windows-gnu"]
fn windows_gnu_dll_exports_and_runs_under_wine() {
    let t = "x86_64-pc-windows-gnu";
    let wine = cross_home().join("bin/wine-run");
    if !require(
        "rust-src, mingw-w64 and wine (wine-run)",
        Path::new("/usr/lib/rustlib/src/rust/library/std/Cargo.toml").is_file()
            && wine.exists()
            && have("x86_64-w64-mingw32-gcc"),
    ) {
        return;
    }
    let fx = c_lib(&format!(
        "[[target]]\ntriple = \"{t}\"\nrustc = \"/usr/bin/rustc\"\nbuild-std = true\nlinker = \"x86_64-w64-mingw32-gcc\"\nrunner = [\"{}\"]\n",
        wine.display()
    ))
    .share_target_dir(crate::cross::STD_WINDOWS_GNU);
    let (m, _) = dist_json(&fx, &[]);
    let archive = format!("c-lib-0.5.0-{t}.zip");
    let files = shipped(entry(&m, &archive));
    let kinds: Vec<(&str, &str)> = files
        .iter()
        .map(|(k, p, _)| (k.as_str(), p.rsplit('/').next().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("cdylib", "c_lib.dll"),
            ("import-library", "libc_lib.dll.a"),
            ("staticlib", "libc_lib.a")
        ]
    );
    assert!(
        files[0].2.starts_with("PE 64-bit x86_64 shared library"),
        "{files:?}"
    );
    assert_eq!(files[1].2, "ar archive of COFF 64-bit x86_64 objects");
    tool(&fx.dist_dir(), "sha256sum", &["-c", "SHA256SUMS"]);

    let (_x, top) = unpack(&fx, &archive);
    let dll = top.join("lib/c_lib.dll");
    let f = tool(Path::new("/"), "file", &["-b", dll.to_str().unwrap()]);
    assert!(f.contains("(DLL)") && f.contains("x86-64"), "{f}");
    let exports = tool(
        Path::new("/"),
        "llvm-objdump-14",
        &["-p", dll.to_str().unwrap()],
    );
    assert!(
        exports.contains("Export Table") && exports.contains("clib_add"),
        "{exports}"
    );
    // A mingw program linked through the import library, the DLL beside it.
    let exe = top.join("lib/use-dll.exe");
    compile_c(
        "x86_64-w64-mingw32-gcc",
        &top,
        &exe,
        &[top.join("lib/libc_lib.dll.a").to_str().unwrap()],
    );
    let out = tool(&top, wine.to_str().unwrap(), &[exe.to_str().unwrap()]);
    assert_eq!(out.replace('\r', ""), "clib 0.5.0: 40 + 2 = 42\n");
}

#[test]
#[ignore = "tier: std-builds, builds std for two Apple targets"]
fn apple_dylibs_and_the_universal_one_hold_their_slices() {
    let ch = cross_home();
    if !require(
        "rust-src, zig cc wrappers, rust-objcopy and llvm-lipo-14",
        Path::new("/usr/lib/rustlib/src/rust/library/std/Cargo.toml").is_file()
            && ch.join("bin/x86_64-macos-cc").exists()
            && ch.join("bin/aarch64-macos-cc").exists()
            && ch.join("bin/rust-objcopy").exists()
            && have("llvm-lipo-14"),
    ) {
        return;
    }
    let fx = c_lib(&format!(
        "[[target]]\ntriple = \"x86_64-apple-darwin\"\nrustc = \"/usr/bin/rustc\"\nbuild-std = true\nlinker = \"{ch}/bin/x86_64-macos-cc\"\n\n[[target]]\ntriple = \"aarch64-apple-darwin\"\nrustc = \"/usr/bin/rustc\"\nbuild-std = true\nlinker = \"{ch}/bin/aarch64-macos-cc\"\n\n[[universal]]\nname = \"universal-apple-darwin\"\ntargets = [\"x86_64-apple-darwin\", \"aarch64-apple-darwin\"]\ntool = \"builtin\"\n",
        ch = ch.display()
    ))
    .share_target_dir(crate::cross::STD_APPLE);
    let (m, _) = dist_json(&fx, &[]);
    for (t, cpu) in [
        ("x86_64-apple-darwin", "x86_64"),
        ("aarch64-apple-darwin", "aarch64"),
    ] {
        let archive = format!("c-lib-0.5.0-{t}.tar.gz");
        let files = shipped(entry(&m, &archive));
        assert_eq!(files[0].2, format!("Mach-O 64-bit {cpu} shared library"));
        assert_eq!(
            files[1].2,
            format!("ar archive of Mach-O 64-bit {cpu} objects")
        );
        let (_x, top) = unpack(&fx, &archive);
        let dylib = top.join("lib/libc_lib.dylib");
        let header = tool(
            Path::new("/"),
            "llvm-objdump-14",
            &["--macho", "--private-header", dylib.to_str().unwrap()],
        );
        assert!(header.contains("DYLIB"), "{header}");
        let exports = tool(
            Path::new("/"),
            "llvm-nm-14",
            &["-g", "--defined-only", dylib.to_str().unwrap()],
        );
        assert!(exports.contains("T _clib_add"), "{exports}");
    }
    let uni = "c-lib-0.5.0-universal-apple-darwin.tar.gz";
    let files = shipped(entry(&m, uni));
    assert_eq!(
        files.len(),
        1,
        "static archives stay in the thin ones: {files:?}"
    );
    assert_eq!(
        files[0].1,
        "c-lib-0.5.0-universal-apple-darwin/lib/libc_lib.dylib"
    );
    let (_x, top) = unpack(&fx, uni);
    let fat = top.join("lib/libc_lib.dylib");
    let info = tool(
        Path::new("/"),
        "llvm-lipo-14",
        &["-info", fat.to_str().unwrap()],
    );
    assert!(info.contains("x86_64 arm64"), "{info}");
    assert!(top.join("include/clib.h").is_file());
    tool(&fx.dist_dir(), "sha256sum", &["-c", "SHA256SUMS"]);
}
