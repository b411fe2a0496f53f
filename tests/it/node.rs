//! Issue 22 §2/§3: a napi-rs module ships as npm packages beside the workspace's CLI, and
//! is judged as its users would: `npm install --offline` of the packed tarballs into a
//! scratch project, then `node -e` calling the Rust function; `sha256sum -c`; a cross
//! module's format and exported `napi_register_module_v1` read by `file` and `llvm-nm`.

use std::path::{Path, PathBuf};

use crate::cross::{cross_path, debian_std, DEBIAN_RUSTC};
use crate::support::*;

const NPM_VERSION: &str = "1.4.2";

/// The `node-ws` fixture with these `[[target]]` tables, listing both packages.
fn node_ws(targets: &str) -> Fixture {
    let fx = Fixture::new("node-ws");
    fx.write(
        "targets.toml",
        &format!("[dist]\npackages = [\"hello-cli\", \"hello-node\"]\n\n{targets}"),
    );
    fx
}

/// [`Fixture::share_target_dir`] key of the tests that build node-ws for the host with the
/// default rustc, and for aarch64-unknown-linux-gnu with Debian's, nothing else changed: the
/// napi crates (and their proc macros) compile once for all of them.
const NODE_WS: &str = "node-ws-host-aarch64";

pub fn node_and_npm() -> bool {
    require("node and npm (nodejs)", have("node") && have("npm"))
}

/// napi-rs's platform name of a Linux host.
fn host_platform() -> &'static str {
    match host().as_str() {
        "x86_64-unknown-linux-gnu" => "linux-x64-gnu",
        "aarch64-unknown-linux-gnu" => "linux-arm64-gnu",
        other => panic!("no napi platform name for host {other} in this test"),
    }
}

fn tarball(fx: &Fixture, platform: Option<&str>) -> PathBuf {
    let name = match platform {
        Some(p) => format!("hello-node-{p}-{NPM_VERSION}.tgz"),
        None => format!("hello-node-{NPM_VERSION}.tgz"),
    };
    fx.dist_dir().join(name)
}

/// A scratch npm project with `tarballs` installed offline; its folder.
pub fn npm_install(tarballs: &[PathBuf]) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix("crossdock-npm-")
        .tempdir()
        .unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name": "scratch", "version": "1.0.0", "private": true}"#,
    )
    .unwrap();
    let mut args = vec!["install", "--offline", "--no-audit", "--no-fund"];
    let paths: Vec<&str> = tarballs.iter().map(|t| t.to_str().unwrap()).collect();
    args.extend(paths);
    tool(dir.path(), "npm", &args);
    dir
}

/// `node -e` in `dir`: the module's `sum(40, 2)` and the target it was built for.
fn call_rust(dir: &Path) -> String {
    tool(
        dir,
        "node",
        &[
            "-e",
            "const m = require('hello-node'); console.log(m.sum(40, 2), m.target())",
        ],
    )
    .trim()
    .to_string()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn host_node_module_installs_with_npm_and_node_calls_the_rust_function() {
    if !node_and_npm() {
        return;
    }
    let fx = node_ws(&format!("[[target]]\ntriple = \"{}\"\n", host())).share_target_dir(NODE_WS);
    let r = fx.run(&["dist"]).ok();
    // napi.targets names targets this matrix lacks: a note naming both files, no error.
    assert!(
        r.stderr.contains("hello-node/package.json `napi.targets` lists aarch64-unknown-linux-gnu, x86_64-unknown-linux-musl that targets.toml does not build"),
        "{}",
        r.stderr
    );
    let platform = host_platform();
    let (root, plat) = (tarball(&fx, None), tarball(&fx, Some(platform)));
    assert!(
        root.is_file() && plat.is_file(),
        "{:?}",
        list_files(&fx.dist_dir())
    );
    tool(
        &fx.dist_dir(),
        "sha256sum",
        &["-c", "--strict", "SHA256SUMS"],
    );

    // The manifest records both versions and lists the npm packages.
    let m = read_manifest(&fx.dist_dir());
    let pkg = m["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "hello-node")
        .unwrap();
    assert_eq!(pkg["version"], "0.1.0");
    assert_eq!(pkg["npm"]["name"], "hello-node");
    assert_eq!(pkg["npm"]["version"], NPM_VERSION);
    let npm: Vec<(&str, &str)> = m["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "npm-package")
        .map(|a| {
            (
                a["name"].as_str().unwrap(),
                a["target"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(npm.len(), 2, "{npm:?}");
    assert!(npm.contains(&(plat.file_name().unwrap().to_str().unwrap(), host().as_str())));

    // npm's own layout: everything under package/.
    let listing = tool(Path::new("/"), "tar", &["-tzf", root.to_str().unwrap()]);
    for f in [
        "package/package.json",
        "package/index.js",
        "package/README.md",
    ] {
        assert!(listing.lines().any(|l| l == f), "{f} not in:\n{listing}");
    }

    let project = npm_install(&[root.clone(), plat.clone()]);
    assert_eq!(call_rust(project.path()), format!("42 {}", host()));
    let installed = project.path().join("node_modules");
    let p = json(&installed.join(format!("hello-node-{platform}/package.json")));
    assert_eq!(p["version"], NPM_VERSION);
    assert_eq!(p["os"], serde_json::json!(["linux"]));
    assert_eq!(p["libc"], serde_json::json!(["glibc"]));
    assert_eq!(p["main"], format!("hello.{platform}.node"));
    let r = json(&installed.join("hello-node/package.json"));
    assert_eq!(
        r["optionalDependencies"][format!("hello-node-{platform}")],
        NPM_VERSION
    );
    // The user's fields are kept.
    assert_eq!(r["engines"]["node"], ">= 16");
}

#[test]
fn aarch64_module_is_an_aarch64_elf_exporting_the_napi_entry() {
    let t = "aarch64-unknown-linux-gnu";
    if !node_and_npm()
        || !require(
            "Debian's rustc with aarch64 std and gcc-aarch64-linux-gnu",
            debian_std(t) && have("aarch64-linux-gnu-gcc") && have("llvm-nm-14") && have("file"),
        )
    {
        return;
    }
    let fx = node_ws(&format!(
        "[[target]]\ntriple = \"{}\"\n\n[[target]]\ntriple = \"{t}\"\nlinker = \"aarch64-linux-gnu-gcc\"\nrustc = \"{DEBIAN_RUSTC}\"\nrunner = [\"qemu-aarch64\", \"-L\", \"/usr/aarch64-linux-gnu\"]\n",
        host()
    ))
    .share_target_dir(NODE_WS);
    let r = fx.run_env(&["dist"], &[("PATH", &cross_path())]).ok();
    assert!(
        r.stderr
            .contains("x86_64-unknown-linux-musl that targets.toml does not build"),
        "{}",
        r.stderr
    );
    tool(
        &fx.dist_dir(),
        "sha256sum",
        &["-c", "--strict", "SHA256SUMS"],
    );

    let x = tempfile::tempdir().unwrap();
    extract(&tarball(&fx, Some("linux-arm64-gnu")), x.path());
    let module = x.path().join("package/hello.linux-arm64-gnu.node");
    let f = tool(Path::new("/"), "file", &["-b", module.to_str().unwrap()]);
    assert!(
        f.contains("ELF 64-bit") && f.contains("shared object") && f.contains("aarch64"),
        "{f}"
    );
    let nm = tool(
        Path::new("/"),
        "llvm-nm-14",
        &["-D", "--defined-only", module.to_str().unwrap()],
    );
    assert!(
        nm.lines().any(|l| l.ends_with(" napi_register_module_v1")),
        "{nm}"
    );
    let p = json(&x.path().join("package/package.json"));
    assert_eq!(p["cpu"], serde_json::json!(["arm64"]));
    assert_eq!(p["libc"], serde_json::json!(["glibc"]));

    // The root package names both platform packages; npm on this host takes its own and
    // skips the other (not in any registry here: an optional dependency may be missing).
    let root = tarball(&fx, None);
    let project = npm_install(&[root, tarball(&fx, Some(host_platform()))]);
    let installed = json(&project.path().join("node_modules/hello-node/package.json"));
    let deps = installed["optionalDependencies"].as_object().unwrap();
    // (serde_json sorts the keys it reads; the file keeps the platforms in matrix order.)
    let names: Vec<&str> = deps.keys().map(String::as_str).collect();
    let host_package = format!("hello-node-{}", host_platform());
    let mut want = vec![host_package.as_str(), "hello-node-linux-arm64-gnu"];
    want.sort();
    assert_eq!(names, want);
    assert_eq!(call_rust(project.path()), format!("42 {}", host()));
}

/// Every file of an out dir, by name, with its bytes (the lock file aside).
fn files(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    list_files(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

/// Issue 22 §2: per-runner out dirs (`dist --target T`, as the release workflow makes them)
/// hold their platform packages and no root package (it would name one platform);
/// `merge` of them writes the npm packages of one `dist` of the matrix, byte for byte,
/// the root naming both platforms, and npm installs it.
#[test]
#[ignore = "tier: npm, three dists of two targets (about 4 min on 2 cores)"]
fn merge_of_per_target_runs_writes_the_npm_packages_of_one_dist() {
    let t = "aarch64-unknown-linux-gnu";
    if !node_and_npm()
        || !require(
            "Debian's rustc with aarch64 std and gcc-aarch64-linux-gnu",
            debian_std(t) && have("aarch64-linux-gnu-gcc"),
        )
    {
        return;
    }
    let fx = node_ws(&format!(
        "[[target]]\ntriple = \"{}\"\n\n[[target]]\ntriple = \"{t}\"\nlinker = \"aarch64-linux-gnu-gcc\"\nrustc = \"{DEBIAN_RUSTC}\"\nrunner = [\"qemu-aarch64\", \"-L\", \"/usr/aarch64-linux-gnu\"]\n",
        host()
    ))
    .share_target_dir(NODE_WS);
    let path = cross_path();
    let env = [("PATH", path.as_str())];
    fx.run_env(&["dist"], &env).ok();
    let mut inputs = Vec::new();
    for target in [host(), t.to_string()] {
        let out = format!("dist-{target}");
        let r = fx
            .run_env(&["dist", "--target", &target, "--out-dir", &out], &env)
            .ok();
        assert!(
            r.stderr.contains("writes the platform packages only")
                && r.stderr.contains("hello-node-1.4.2.tgz"),
            "{}",
            r.stderr
        );
        let written = list_files(&fx.path().join(&out));
        assert!(
            !written.iter().any(|f| f == "hello-node-1.4.2.tgz"),
            "a partial run writes no root package: {written:?}"
        );
        inputs.push(out);
    }
    let mut args = vec!["merge"];
    args.extend(inputs.iter().map(String::as_str));
    args.extend(["--out-dir", "merged"]);
    let r = fx.run_env(&args, &env).ok();
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);

    let (single, merged) = (files(&fx.dist_dir()), files(&fx.path().join("merged")));
    assert_eq!(
        merged.keys().collect::<Vec<_>>(),
        single.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &single {
        assert!(merged[name] == *bytes, "{name} differs from one dist's");
    }
    assert!(merged.contains_key("hello-node-1.4.2.tgz"));
    assert!(merged.contains_key("hello-node-linux-arm64-gnu-1.4.2.tgz"));
    let merged_dir = fx.path().join("merged");
    tool(&merged_dir, "sha256sum", &["-c", "--strict", "SHA256SUMS"]);
    let project = npm_install(&[
        merged_dir.join("hello-node-1.4.2.tgz"),
        merged_dir.join(format!("hello-node-{}-1.4.2.tgz", host_platform())),
    ]);
    assert_eq!(call_rust(project.path()), format!("42 {}", host()));
}

/// Issue 22 §3: the musl module of the same run as a static musl CLI. The module is a
/// shared object (crt-static off for its package only, `clib`'s route) that needs musl's
/// libc and exports the napi entry; its platform package says `libc: ["musl"]`; the CLI
/// beside it stays static and runs.
#[test]
#[ignore = "tier: std-builds, builds std for musl twice (the static CLI, the module with crt-static off), about 8 min on 2 cores"]
fn musl_module_is_a_shared_object_while_the_musl_cli_is_static() {
    let ch = crate::cross::cross_home();
    let t = "x86_64-unknown-linux-musl";
    let ok = Path::new("/usr/lib/rustlib/src/rust/library/std/Cargo.toml").is_file()
        && ch.join("bin/x86_64-linux-musl-cc").exists()
        && ch.join("musl/lib/libgcc_s.so").exists()
        && have("musl-gcc")
        && have("file")
        && have("llvm-nm-14")
        && have("readelf");
    if !require(
        "rust-src (rust-web-src), musl-tools, the musl linker wrapper and musl/lib/libgcc_s.so (.ci/install-cross.sh musl)",
        ok,
    ) {
        return;
    }
    let fx = node_ws(&format!(
        "[[target]]\ntriple = \"{t}\"\nrustc = \"{DEBIAN_RUSTC}\"\nbuild-std = true\nlinker = \"{ch}/bin/x86_64-linux-musl-cc\"\nrustflags = [\"-C\", \"link-self-contained=no\", \"-C\", \"relocation-model=static\", \"-L\", \"/usr/lib/llvm-14/lib\", \"-L\", \"{ch}/musl/lib\"]\n",
        ch = ch.display()
    ))
    .share_target_dir(crate::cross::STD_MUSL);
    let r = fx.run_env(&["dist"], &[("PATH", &cross_path())]).ok();
    assert!(
        r.stderr
            .contains("Ran hello --version: hello from the CLI half"),
        "{}",
        r.stderr
    );
    tool(
        &fx.dist_dir(),
        "sha256sum",
        &["-c", "--strict", "SHA256SUMS"],
    );

    let x = tempfile::tempdir().unwrap();
    extract(
        &fx.dist_dir().join(format!("hello-cli-0.1.0-{t}.tar.gz")),
        x.path(),
    );
    let cli = x.path().join(format!("hello-cli-0.1.0-{t}/hello"));
    let f = tool(Path::new("/"), "file", &["-b", cli.to_str().unwrap()]);
    assert!(f.contains("statically linked"), "the CLI stays static: {f}");

    let y = tempfile::tempdir().unwrap();
    extract(&tarball(&fx, Some("linux-x64-musl")), y.path());
    let module = y.path().join("package/hello.linux-x64-musl.node");
    let f = tool(Path::new("/"), "file", &["-b", module.to_str().unwrap()]);
    assert!(f.contains("shared object") && f.contains("x86-64"), "{f}");
    let dynamic = tool(Path::new("/"), "readelf", &["-d", module.to_str().unwrap()]);
    assert!(
        dynamic.contains("Shared library: [libc.so]"),
        "musl's libc:\n{dynamic}"
    );
    let nm = tool(
        Path::new("/"),
        "llvm-nm-14",
        &["-D", "--defined-only", module.to_str().unwrap()],
    );
    assert!(
        nm.lines().any(|l| l.ends_with(" napi_register_module_v1")),
        "{nm}"
    );
    let p = json(&y.path().join("package/package.json"));
    assert_eq!(p["libc"], serde_json::json!(["musl"]));
    assert_eq!(p["cpu"], serde_json::json!(["x64"]));
}

/// One file's `llvm-nm-14 -g --defined-only` (Mach-O and PE exports included).
fn exported(file: &Path) -> String {
    tool(
        Path::new("/"),
        "llvm-nm-14",
        &["-g", "--defined-only", file.to_str().unwrap()],
    )
}

/// Issue 22 §3: macOS modules through zig (napi-build's `-undefined dynamic_lookup`), each a
/// Mach-O shared library of its CPU exporting the napi entry, and `darwin-universal`: one
/// fat `.node` holding both slices (llvm-lipo), in a package without `cpu`.
#[test]
#[ignore = "tier: std-builds, builds std for two Apple targets"]
fn apple_modules_and_the_universal_module_hold_their_slices() {
    let ch = crate::cross::cross_home();
    if !require(
        "rust-src, zig cc wrappers, rust-objcopy, llvm-lipo-14 and llvm-nm-14",
        Path::new("/usr/lib/rustlib/src/rust/library/std/Cargo.toml").is_file()
            && ch.join("bin/x86_64-macos-cc").exists()
            && ch.join("bin/aarch64-macos-cc").exists()
            && ch.join("bin/rust-objcopy").exists()
            && have("llvm-lipo-14")
            && have("llvm-nm-14")
            && have("llvm-objdump-14"),
    ) {
        return;
    }
    // The libc crate (a napi dependency) links `-liconv`, which zig's macOS SDK stubs lack:
    // an empty archive stands in (nothing calls iconv).
    let stubs = tempfile::tempdir().unwrap();
    std::fs::write(stubs.path().join("libiconv.a"), b"!<arch>\n").unwrap();
    let fx = node_ws(&format!(
        "[[target]]\ntriple = \"x86_64-apple-darwin\"\nrustc = \"{DEBIAN_RUSTC}\"\nbuild-std = true\nlinker = \"{ch}/bin/x86_64-macos-cc\"\nrustflags = [\"-L\", \"{stubs}\"]\n\n[[target]]\ntriple = \"aarch64-apple-darwin\"\nrustc = \"{DEBIAN_RUSTC}\"\nbuild-std = true\nlinker = \"{ch}/bin/aarch64-macos-cc\"\nrustflags = [\"-L\", \"{stubs}\"]\n\n[[universal]]\nname = \"universal-apple-darwin\"\ntargets = [\"x86_64-apple-darwin\", \"aarch64-apple-darwin\"]\ntool = \"builtin\"\n",
        ch = ch.display(),
        stubs = stubs.path().display()
    ));
    fx.run_env(&["dist"], &[("PATH", &cross_path())]).ok();
    tool(
        &fx.dist_dir(),
        "sha256sum",
        &["-c", "--strict", "SHA256SUMS"],
    );
    for (platform, cpu, arch) in [
        ("darwin-x64", "x64", "x86_64"),
        ("darwin-arm64", "arm64", "arm64"),
    ] {
        let x = tempfile::tempdir().unwrap();
        extract(&tarball(&fx, Some(platform)), x.path());
        let module = x.path().join(format!("package/hello.{platform}.node"));
        let header = tool(
            Path::new("/"),
            "llvm-objdump-14",
            &["--macho", "--private-header", module.to_str().unwrap()],
        );
        assert!(
            header.contains("DYLIB") || header.contains("BUNDLE"),
            "{header}"
        );
        let info = tool(
            Path::new("/"),
            "llvm-lipo-14",
            &["-info", module.to_str().unwrap()],
        );
        assert!(info.contains(&format!("architecture: {arch}")), "{info}");
        assert!(
            exported(&module).contains(" _napi_register_module_v1"),
            "{platform}"
        );
        let p = json(&x.path().join("package/package.json"));
        assert_eq!(p["cpu"], serde_json::json!([cpu]));
        assert_eq!(p["os"], serde_json::json!(["darwin"]));
        assert!(p.get("libc").is_none());
    }
    let x = tempfile::tempdir().unwrap();
    extract(&tarball(&fx, Some("darwin-universal")), x.path());
    let fat = x.path().join("package/hello.darwin-universal.node");
    let info = tool(
        Path::new("/"),
        "llvm-lipo-14",
        &["-info", fat.to_str().unwrap()],
    );
    assert!(info.contains("x86_64") && info.contains("arm64"), "{info}");
    let p = json(&x.path().join("package/package.json"));
    assert!(p.get("cpu").is_none(), "{p}");
    let root = tempfile::tempdir().unwrap();
    extract(&tarball(&fx, None), root.path());
    let r = json(&root.path().join("package/package.json"));
    let deps = r["optionalDependencies"].as_object().unwrap();
    assert_eq!(deps.len(), 3, "{deps:?}");
    assert_eq!(deps["hello-node-darwin-universal"], NPM_VERSION);
}

/// napi-rs links a windows-gnu module against the mingw-built Node's `libnode.dll`
/// (napi-build's `setup_gnu` looks for it on `LIBNODE_PATH`); no Node for Windows is
/// installed here, so the link gets an import library of the napi functions made by
/// `dlltool` from napi-sys's list, and an empty `libnode.dll` for napi-build to find.
fn stub_libnode(dir: &Path) {
    let registry = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(std::env::var("HOME").unwrap()).join(".cargo"))
        .join("registry/src");
    let mut names = std::collections::BTreeSet::new();
    for index in std::fs::read_dir(&registry).unwrap() {
        let sys = index
            .unwrap()
            .path()
            .join("napi-sys-3.4.1/src/functions.rs");
        let Ok(text) = std::fs::read_to_string(&sys) else {
            continue;
        };
        for w in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if w.starts_with("napi_") && w.chars().any(|c| c.is_ascii_lowercase()) {
                names.insert(w.to_string());
            }
        }
    }
    assert!(
        names.contains("napi_create_int32"),
        "napi-sys 3.4.1 not in {registry:?}"
    );
    let def = dir.join("libnode.def");
    let exports: Vec<String> = names.into_iter().collect();
    std::fs::write(
        &def,
        format!("LIBRARY libnode.dll\nEXPORTS\n{}\n", exports.join("\n")),
    )
    .unwrap();
    tool(
        dir,
        "x86_64-w64-mingw32-dlltool",
        &[
            "-d",
            "libnode.def",
            "-D",
            "libnode.dll",
            "-l",
            "libnode.dll.a",
        ],
    );
    std::fs::write(dir.join("libnode.dll"), b"").unwrap();
}

/// Issue 22 §3: the windows-gnu module is a PE DLL for x86-64 exporting the napi entry and
/// importing from no Node binary.
#[test]
#[ignore = "tier: std-builds, builds std for windows-gnu"]
fn windows_gnu_module_is_a_dll_exporting_the_napi_entry() {
    let t = "x86_64-pc-windows-gnu";
    if !require(
        "rust-src, mingw-w64 (gcc, dlltool), llvm-objdump-14",
        Path::new("/usr/lib/rustlib/src/rust/library/std/Cargo.toml").is_file()
            && have("x86_64-w64-mingw32-gcc")
            && have("x86_64-w64-mingw32-dlltool")
            && have("llvm-objdump-14")
            && have("file"),
    ) {
        return;
    }
    let fx = node_ws(&format!(
        "[[target]]\ntriple = \"{t}\"\nrustc = \"{DEBIAN_RUSTC}\"\nbuild-std = true\nlinker = \"x86_64-w64-mingw32-gcc\"\nsmoke = false\n"
    ))
    .share_target_dir(crate::cross::STD_WINDOWS_GNU);
    let libnode = tempfile::tempdir().unwrap();
    stub_libnode(libnode.path());
    fx.run_env(
        &["dist"],
        &[
            ("PATH", &cross_path()),
            ("LIBNODE_PATH", libnode.path().to_str().unwrap()),
        ],
    )
    .ok();
    tool(
        &fx.dist_dir(),
        "sha256sum",
        &["-c", "--strict", "SHA256SUMS"],
    );
    let x = tempfile::tempdir().unwrap();
    extract(&tarball(&fx, Some("win32-x64-gnu")), x.path());
    let module = x.path().join("package/hello.win32-x64-gnu.node");
    let f = tool(Path::new("/"), "file", &["-b", module.to_str().unwrap()]);
    assert!(f.contains("(DLL)") && f.contains("x86-64"), "{f}");
    let pe = tool(
        Path::new("/"),
        "llvm-objdump-14",
        &["-p", module.to_str().unwrap()],
    );
    assert!(
        pe.contains("Export Table") && pe.contains("napi_register_module_v1"),
        "{pe}"
    );
    // napi resolves the napi functions at run time (its dyn-symbols): the link against
    // libnode.dll that napi-build asks for leaves no import behind.
    assert!(!pe.contains("DLL Name: libnode.dll"), "{pe}");
    assert!(!pe.to_ascii_lowercase().contains("node.exe"), "{pe}");
    let p = json(&x.path().join("package/package.json"));
    assert_eq!(p["os"], serde_json::json!(["win32"]));
    assert_eq!(p["cpu"], serde_json::json!(["x64"]));
}

/// verdaccio 6 from npm, installed once into target/verdaccio (kept between runs); its
/// entry script.
fn verdaccio() -> PathBuf {
    let dir = repo_root().join("target/verdaccio");
    let bin = dir.join("node_modules/verdaccio/bin/verdaccio");
    if !bin.is_file() {
        std::fs::create_dir_all(&dir).unwrap();
        tool(
            &dir,
            "npm",
            &[
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                dir.to_str().unwrap(),
                "verdaccio@6",
            ],
        );
    }
    bin
}

/// A verdaccio registry on 127.0.0.1 that lets anyone publish and knows no other registry
/// (no uplinks: what is installed from it was published to it); stopped when dropped.
pub struct Registry {
    child: std::process::Child,
    pub url: String,
    /// An npm user config with a token for it (npm asks for one before it publishes;
    /// verdaccio takes any from an anonymous publisher).
    npmrc: PathBuf,
    _dir: tempfile::TempDir,
}

impl Registry {
    pub fn start() -> Registry {
        let bin = verdaccio();
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        std::fs::write(
            dir.path().join("config.yaml"),
            "storage: ./storage\nuplinks: {}\npackages:\n  '**':\n    access: $anonymous\n    publish: $anonymous\nlog: { type: stdout, format: pretty, level: warn }\n",
        )
        .unwrap();
        let child = std::process::Command::new("node")
            .arg(&bin)
            .args(["--config", "config.yaml", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .current_dir(dir.path())
            .stdout(std::fs::File::create(dir.path().join("log")).unwrap())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let url = format!("http://127.0.0.1:{port}/");
        let npmrc = dir.path().join("npmrc");
        std::fs::write(
            &npmrc,
            format!("//127.0.0.1:{port}/:_authToken=anonymous\n"),
        )
        .unwrap();
        let r = Registry {
            child,
            url,
            npmrc,
            _dir: dir,
        };
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(60),
                "verdaccio did not listen on {port} within 60 s"
            );
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        r
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Issue 22 §2: `publish-npm` (the release workflow's npm job runs it) publishes the
/// platform package before the root that names it, to a registry on 127.0.0.1; `npm
/// install hello-node` from that registry in a scratch project picks the host's platform
/// package, and Node calls the Rust function. A second run skips what is there.
#[test]
#[ignore = "tier: npm, a dist, verdaccio from npm (installed once into target/verdaccio), npm install (about 80 s)"]
fn publish_npm_publishes_platform_packages_then_the_root_and_npm_installs_it() {
    if !node_and_npm() {
        return;
    }
    let fx = node_ws(&format!("[[target]]\ntriple = \"{}\"\n", host())).share_target_dir(NODE_WS);
    fx.run(&["dist"]).ok();
    let registry = Registry::start();
    let npmrc = registry.npmrc.to_str().unwrap().to_string();
    // The token as the release workflow passes it (verdaccio takes any from an anonymous
    // publisher; npm wants one before it publishes).
    let env = [("NODE_AUTH_TOKEN", "anonymous")];
    let publish = ["publish-npm", "dist", "--registry", &registry.url];
    let r = fx.run_env(&publish, &env).ok();
    let platform = format!("Published hello-node-{}@{NPM_VERSION}", host_platform());
    let root = format!("Published hello-node@{NPM_VERSION}");
    let (p, q) = (r.stderr.find(&platform), r.stderr.find(&root));
    assert!(
        p.is_some() && q.is_some() && p < q,
        "the platform package, then the root:\n{}",
        r.stderr
    );
    let again = fx.run_env(&publish, &env).ok();
    assert!(
        again
            .stderr
            .contains("0 npm package(s) published, 2 already in the registry"),
        "{}",
        again.stderr
    );

    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("package.json"),
        r#"{"name": "scratch", "version": "1.0.0", "private": true}"#,
    )
    .unwrap();
    let cache = project.path().join(".npm-cache");
    let o = std::process::Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--registry",
            &registry.url,
        ])
        .arg("--cache")
        .arg(&cache)
        .arg(format!("hello-node@{NPM_VERSION}"))
        .env("NPM_CONFIG_USERCONFIG", &npmrc)
        .current_dir(project.path())
        .output()
        .unwrap();
    let o = finish(o);
    assert_eq!(o.code, 0, "npm install from the registry:\n{}", o.stderr);
    assert!(project
        .path()
        .join(format!("node_modules/hello-node-{}", host_platform()))
        .is_dir());
    assert_eq!(call_rust(project.path()), format!("42 {}", host()));
}
