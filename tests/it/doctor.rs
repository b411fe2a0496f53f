//! `doctor` and `dist`'s preflight: every problem at once, each with its fix.

use crate::support::*;

#[test]
fn linker_set_to_sh_in_cargo_config_is_named_with_the_probe_error() {
    // Field case: `.cargo/config.toml` set `linker = "sh"` for the host, so every build
    // script and proc-macro failed with "sh: 0: Illegal option -6".
    let fx = Fixture::new("tiny");
    fx.write(
        ".cargo/config.toml",
        "[target.x86_64-unknown-linux-gnu]\nlinker = \"sh\"\n",
    );
    let r = fx.run(&["doctor"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let config = fx.path().join(".cargo/config.toml");
    for needle in [
        "linker     FAIL",
        "Illegal option",
        &format!(
            "{} sets target.x86_64-unknown-linux-gnu.linker = \"sh\"",
            config.display()
        ),
        "fix or remove that key",
    ] {
        assert!(
            r.stdout.contains(needle),
            "doctor output lacks {needle:?}:\n{}",
            r.stdout
        );
    }
    // dist runs the same checks before building and stops with the same explanation.
    let d = fx.run(&["dist"]).fails_with(&[
        "cannot start",
        "Illegal option",
        "target.x86_64-unknown-linux-gnu.linker = \"sh\"",
    ]);
    assert!(!d.stderr.contains("Building tiny"), "{}", d.stderr);
    // Fixed config: doctor passes, and the probe result is cached.
    std::fs::remove_file(&config).unwrap();
    let ok = fx.run(&["doctor"]).ok();
    assert!(
        ok.stdout.contains("links a ELF 64-bit x86_64"),
        "{}",
        ok.stdout
    );
    let again = fx.run(&["doctor"]).ok();
    assert!(
        again.stdout.contains("links (cached probe)"),
        "{}",
        again.stdout
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let fx = Fixture::new("tiny");
    fx.write(
        "targets.toml",
        "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\nlinker = \"crossdock-no-such-gcc\"\nrunner = [\"crossdock-no-such-runner\"]\n\n[[target]]\ntriple = \"aarch64-apple-darwin\"\nbuilder = \"cross\"\nrustc = \"/nonexistent/rustc\"\n",
    );
    let r = fx.run(&["doctor", "--no-probe"]);
    assert_eq!(r.code, 1);
    for needle in [
        "`crossdock-no-such-gcc` (targets.toml `linker`) is not on PATH",
        "`crossdock-no-such-runner` is not on PATH",
        "cannot run rustc `/nonexistent/rustc`",
    ] {
        assert!(r.stdout.contains(needle), "lacks {needle:?}:\n{}", r.stdout);
    }
    let d = fx.run(&["dist"]).fails_with(&[
        "crossdock-no-such-gcc",
        "crossdock-no-such-runner",
        "/nonexistent/rustc",
    ]);
    assert!(!d.stderr.contains("Building"), "{}", d.stderr);
}

#[test]
fn cross_builder_without_docker_is_explained() {
    let fx = Fixture::new("tiny");
    fx.write(
        "targets.toml",
        "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\nbuilder = \"cross\"\n",
    );
    let r = fx.run(&["doctor", "--no-probe"]);
    if have("cross") {
        eprintln!("SKIPPED: `cross` is installed here");
        return;
    }
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("builder    FAIL  `cross` is not on PATH"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("cargo install cross --locked"),
        "{}",
        r.stdout
    );
    // The command line it would run is in the plan.
    let p = fx.run(&["dist", "--dry-run", "--json"]);
    let plan: serde_json::Value = serde_json::from_str(&p.stdout).unwrap();
    assert_eq!(plan["builds"][0]["command"][0], "cross");
    assert_eq!(plan["builds"][0]["command"][1], "build");
}

/// Issue 23 §1: the C compiler of windows-gnu (`cc` in Cargo.lock) is judged by the object
/// `gcc -c` writes, a COFF object with no PE header: mingw's real output passes, and a
/// compiler for another machine still fails naming what it made and what was needed.
#[test]
fn mingw_c_compiler_passes_with_its_coff_object() {
    let rust_src = std::path::Path::new("/usr/lib/rustlib/src/rust/library/std/Cargo.toml");
    if !require(
        "rust-src, mingw-w64",
        rust_src.is_file() && have("x86_64-w64-mingw32-gcc"),
    ) {
        return;
    }
    let fx = Fixture::new("c-code");
    let target = "[[target]]\ntriple = \"x86_64-pc-windows-gnu\"\nrustc = \"/usr/bin/rustc\"\nbuild-std = true\nlinker = \"x86_64-w64-mingw32-gcc\"\n";
    fx.write("targets.toml", target);
    let r = fx.run(&["doctor"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("x86_64-w64-mingw32-gcc (derived from `linker`) compiles C to COFF 64-bit x86_64 object"),
        "{}",
        r.stdout
    );
    // The host's compiler makes an ELF object: refused, both named.
    fx.write("targets.toml", &format!("{target}cc = \"cc\"\n"));
    let r = fx.run(&["doctor"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(
            "is an ELF 64-bit x86_64 object, but x86_64-pc-windows-gnu needs a COFF 64-bit x86_64 object"
        ),
        "{}",
        r.stdout
    );
}

/// Issue 23 §13: a toolchain older than the package's `rust-version` is no `toolchain ok`:
/// doctor names both versions and how to get the newer one, and `dist` stops before cargo.
#[test]
fn a_toolchain_older_than_rust_version_fails_naming_both_and_the_fix() {
    let fx = Fixture::new("tiny");
    let manifest = std::fs::read_to_string(fx.path().join("Cargo.toml")).unwrap();
    fx.write(
        "Cargo.toml",
        &manifest.replace(
            "edition = \"2021\"\n",
            "edition = \"2021\"\nrust-version = \"1.999\"\n",
        ),
    );
    let r = fx.run(&["doctor", "--no-probe"]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let rustc = host_rustc_release();
    for needle in [
        "toolchain  FAIL  tiny needs Rust 1.999.0 (`rust-version` in its Cargo.toml), but this target builds with rustc ".to_string(),
        format!("rustc {rustc} ("),
        "fix: `rustup toolchain install 1.999` and pin it in rust-toolchain.toml".to_string(),
    ] {
        assert!(r.stdout.contains(&needle), "lacks {needle:?}:\n{}", r.stdout);
    }
    let d = fx.run(&["dist"]).fails_with(&[
        "cannot start",
        "tiny needs Rust 1.999.0",
        "rustup toolchain install 1.999",
    ]);
    assert!(!d.stderr.contains("Compiling tiny"), "{}", d.stderr);
    fx.run(&["dist", "--target", &host()])
        .fails_with(&["cannot start", "tiny needs Rust 1.999.0"]);
    // A rust-version the toolchain meets: ok.
    fx.write(
        "Cargo.toml",
        &manifest.replace(
            "edition = \"2021\"\n",
            &format!("edition = \"2021\"\nrust-version = \"{rustc}\"\n"),
        ),
    );
    let r = fx.run(&["doctor", "--no-probe"]).ok();
    assert!(r.stdout.contains("toolchain  ok"), "{}", r.stdout);
}

/// `1.95.0` of the rustc on PATH.
fn host_rustc_release() -> String {
    let out = std::process::Command::new("rustc")
        .arg("-V")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let v = text.split_whitespace().nth(1).unwrap();
    v.split('-').next().unwrap().to_string()
}

/// Issue 23 §20: a `rust-toolchain.toml` that pins a toolchain rustup does not have makes
/// every cargo command fail in rustup's proxy; crossdock names that toolchain, the file and
/// the command, not "run crossdock inside a Cargo workspace". A stand-in `cargo` says what
/// rustup 1.29 says (no network involved).
#[test]
fn a_pinned_toolchain_that_is_not_installed_is_named_with_its_file_and_command() {
    let fx = Fixture::new("tiny");
    fx.write("rust-toolchain.toml", "[toolchain]\nchannel = \"1.98.0\"\n");
    let bin = tempfile::tempdir().unwrap();
    let cargo = bin.path().join("cargo");
    std::fs::write(
        &cargo,
        "#!/bin/sh\necho \"error: toolchain '1.98.0-x86_64-unknown-linux-gnu' is not installed\" >&2\necho 'help: run `rustup toolchain install` to install it' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&cargo, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let pinned = format!(
        "the Rust toolchain `1.98.0-x86_64-unknown-linux-gnu`, which {} pins, is not installed: install it with `rustup toolchain install 1.98.0`",
        fx.path().join("rust-toolchain.toml").display()
    );
    for args in [&["doctor"][..], &["dist"], &["release", "notes", "0.2.0"]] {
        let mut c = command_in(fx.path(), args);
        c.env("PATH", &path).env_remove("CARGO");
        let r = finish(c.output().unwrap());
        assert_ne!(r.code, 0, "{args:?}");
        assert!(r.stderr.contains(&pinned), "{args:?}:\n{}", r.stderr);
        assert!(
            !r.stderr.contains("Cargo workspace"),
            "{args:?}:\n{}",
            r.stderr
        );
    }
}

/// Issue 23 §21: the `cmake` crate in Cargo.lock runs `cmake` in a build script; without it
/// on PATH doctor fails naming the program, the crate and the package, `dist` stops before
/// cargo, and the release matrix installs it on the Ubuntu runners.
#[test]
fn the_cmake_crate_in_the_lock_needs_cmake_on_path() {
    let fx = Fixture::new("tiny");
    let lock = std::fs::read_to_string(fx.path().join("Cargo.lock")).unwrap();
    fx.write(
        "Cargo.lock",
        &format!("{lock}\n[[package]]\nname = \"cmake\"\nversion = \"0.1.54\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n"),
    );
    // A PATH with cargo, rustc and the C compiler, and no cmake.
    let bin = tempfile::tempdir().unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| found("cargo"));
    for (name, at) in [
        ("cargo", cargo),
        ("rustc", found("rustc")),
        ("cc", found("cc")),
    ] {
        std::os::unix::fs::symlink(at, bin.path().join(name)).unwrap();
    }
    let run = |args: &[&str], path: &str| {
        let mut c = command_in(fx.path(), args);
        c.env("PATH", path);
        finish(c.output().unwrap())
    };
    let path = bin.path().display().to_string();
    let r = run(&["doctor", "--no-probe"], &path);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    for needle in [
        "build tool  FAIL  `cmake` is not on PATH, and a build script runs it (the `cmake` crate is in Cargo.lock)",
        "fix: install cmake (`apt-get install cmake` on Debian/Ubuntu, `brew install cmake` on macOS)",
    ] {
        assert!(r.stdout.contains(needle), "lacks {needle:?}:\n{}", r.stdout);
    }
    let d = run(&["dist"], &path);
    assert_ne!(d.code, 0);
    assert!(
        d.stderr.contains("cannot start") && d.stderr.contains("`cmake` is not on PATH"),
        "{}",
        d.stderr
    );
    assert!(!d.stderr.contains("Compiling tiny"), "{}", d.stderr);
    // A cmake on PATH: the row is ok.
    let cmake = bin.path().join("cmake");
    std::fs::write(&cmake, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&cmake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let r = run(&["doctor", "--no-probe"], &path);
    assert!(
        r.stdout.contains(&format!(
            "build tool  ok    {} (for the `cmake` crate)",
            cmake.display()
        )),
        "{}",
        r.stdout
    );
    // The release matrix installs it where the build runs on Ubuntu.
    let m = fx.run(&["matrix"]).ok();
    let m: serde_json::Value = serde_json::from_str(&m.stdout).unwrap();
    assert_eq!(m["include"][0]["apt"], "cmake", "{m}");
}

/// Where `program` is on this machine's PATH.
fn found(program: &str) -> String {
    let out = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}
