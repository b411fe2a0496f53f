//! Issue 22 §1: a package whose lib target is a `cdylib` + `staticlib` ships its library
//! beside the workspace's CLI. Judged as a user of the release would: extract the archive,
//! compile a C program against the shipped header with `cc`, link it once to the shared
//! and once to the static library, run both; `sha256sum -c`; the exported symbol survives
//! stripping (`llvm-nm-14 -D`) while the symbol table is gone.

use std::path::{Path, PathBuf};

use crate::support::*;

/// The `c-lib` fixture with `targets` (its `[[target]]` tables), listing both packages and the
/// header.
pub fn c_lib(targets: &str) -> Fixture {
    let fx = Fixture::new("c-lib");
    fx.write(
        "targets.toml",
        &format!("[dist]\npackages = [\"clib-cli\", \"c-lib\"]\nheaders = [\"include/*.h\"]\n\n{targets}"),
    );
    fx
}

/// The archive entry of `name` in a manifest.
pub fn entry<'a>(m: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    m["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in the manifest"))
}

/// (kind, path inside the archive, format) of each file an archive's manifest entry lists.
pub fn shipped(entry: &serde_json::Value) -> Vec<(String, String, String)> {
    entry["binaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["kind"].as_str().unwrap_or("binary").to_string(),
                b["path"].as_str().unwrap().to_string(),
                b["format"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Extracts `archive` of the fixture's out dir; its top folder.
pub fn unpack(fx: &Fixture, archive: &str) -> (tempfile::TempDir, PathBuf) {
    let x = tempfile::tempdir().unwrap();
    extract(&fx.dist_dir().join(archive), x.path());
    let top = archive
        .trim_end_matches(".tar.gz")
        .trim_end_matches(".zip")
        .to_string();
    let dir = x.path().join(top);
    (x, dir)
}

/// The C program of the fixture, compiled by `cc` (a C compiler for the target) against
/// the shipped header and linked with `link` (the library, as a user links it).
pub fn compile_c(cc: &str, top: &Path, out: &Path, link: &[&str]) {
    let fx_c = fixture_src("c-lib").join("c/use_clib.c");
    let include = top.join("include");
    let mut args = vec![
        "-o",
        out.to_str().unwrap(),
        "-I",
        include.to_str().unwrap(),
        fx_c.to_str().unwrap(),
    ];
    args.extend_from_slice(link);
    tool(top, cc, &args);
}

#[test]
fn host_c_library_links_from_c_both_ways_and_keeps_its_exports() {
    let host = host();
    let fx = c_lib(&format!("[[target]]\ntriple = \"{host}\"\n"));
    let r = fx.run(&["dist"]).ok();
    let lib_archive = format!("c-lib-0.5.0-{host}.tar.gz");
    let cli_archive = format!("clib-cli-0.5.0-{host}.tar.gz");
    assert!(r.stderr.contains(&lib_archive), "{}", r.stderr);
    let m = read_manifest(&fx.dist_dir());
    assert_eq!(
        shipped(entry(&m, &lib_archive)),
        [
            (
                "cdylib".to_string(),
                format!("c-lib-0.5.0-{host}/lib/libc_lib.so"),
                "ELF 64-bit x86_64 shared library".to_string()
            ),
            (
                "staticlib".to_string(),
                format!("c-lib-0.5.0-{host}/lib/libc_lib.a"),
                "ar archive of ELF 64-bit x86_64 objects".to_string()
            ),
        ]
    );
    assert_eq!(
        entry(&m, &lib_archive)["files"],
        serde_json::json!([format!("c-lib-0.5.0-{host}/include/clib.h")])
    );
    assert_eq!(shipped(entry(&m, &cli_archive))[0].0, "binary");
    // A binary's entry reads as before: no `kind` key.
    assert!(entry(&m, &cli_archive)["binaries"][0].get("kind").is_none());
    tool(&fx.dist_dir(), "sha256sum", &["-c", "SHA256SUMS"]);

    let (_x, top) = unpack(&fx, &lib_archive);
    assert_eq!(
        list_files(&top),
        ["include/clib.h", "lib/libc_lib.a", "lib/libc_lib.so"]
    );
    let so = top.join("lib/libc_lib.so");
    let f = tool(Path::new("/"), "file", &["-b", so.to_str().unwrap()]);
    assert!(
        f.contains("ELF 64-bit LSB shared object") && f.contains(", stripped"),
        "{f}"
    );
    // Stripped of its symbol table, but the dynamic one keeps the C functions.
    let dynsym = tool(
        Path::new("/"),
        "llvm-nm-14",
        &["-D", "--defined-only", so.to_str().unwrap()],
    );
    for sym in ["T clib_add", "T clib_version"] {
        assert!(dynsym.lines().any(|l| l.ends_with(sym)), "{sym}:\n{dynsym}");
    }
    let symtab = std::process::Command::new("llvm-nm-14")
        .arg(&so)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&symtab.stderr).contains("no symbols"),
        "the .symtab is stripped: {symtab:?}"
    );

    let dynamic = top.join("use-dynamic");
    let lib = top.join("lib");
    compile_c(
        "cc",
        &top,
        &dynamic,
        &["-L", lib.to_str().unwrap(), "-lc_lib"],
    );
    let out = std::process::Command::new(&dynamic)
        .env("LD_LIBRARY_PATH", &lib)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "clib 0.5.0: 40 + 2 = 42\n"
    );

    // The static archive: the program needs no library at run time.
    let fixed = top.join("use-static");
    let a = lib.join("libc_lib.a");
    compile_c(
        "cc",
        &top,
        &fixed,
        &[a.to_str().unwrap(), "-lgcc_s", "-lpthread", "-lm", "-ldl"],
    );
    std::fs::remove_file(&so).unwrap();
    let out = tool(&top, fixed.to_str().unwrap(), &[]);
    assert_eq!(out, "clib 0.5.0: 40 + 2 = 42\n");

    // The CLI of the same run ships as always.
    let (_y, cli) = unpack(&fx, &cli_archive);
    let out = tool(&cli, cli.join("clib-cli").to_str().unwrap(), &["--version"]);
    assert!(out.starts_with("clib-cli 0.5.0"), "{out}");
}

#[test]
fn a_package_with_neither_binary_nor_c_library_is_still_refused() {
    let fx = c_lib("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n");
    fx.write(
        "clib/Cargo.toml",
        "[package]\nname = \"c-lib\"\nversion.workspace = true\nedition.workspace = true\n",
    );
    fx.run(&["dist", "--dry-run"]).fails_with(&[
        "targets.toml:2:",
        "package `c-lib` has no binary target and its lib target builds no C library",
        "crate-type = [\"cdylib\"]",
    ]);
}
