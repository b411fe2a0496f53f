//! Which cargo and rustc build a target, and what they can do: version, host, sysroot,
//! the triples rustc knows, whether a target's std or `rust-src` is installed, and a
//! target's cfg values (which `[target.'cfg(…)']` tables of the user's cargo config apply).
//! A rustup toolchain is recognised by its sysroot, so `rustup target add` is offered only
//! there; any other toolchain (Debian's `/usr/bin/rustc`, a custom build) is used as it is.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};

use crate::model::triple::Triple;
pub use crate::read::select::ToolchainSpec;
use crate::sys::cache::{Cache, Key};
use crate::sys::process::{which, Cmd};

#[derive(Debug, Clone)]
pub struct Toolchain {
    pub spec: ToolchainSpec,
    /// `rustc 1.95.0 (…)`
    pub version: String,
    pub host: Triple,
    pub sysroot: PathBuf,
    /// The rustup toolchain name (`stable-x86_64-unknown-linux-gnu`) when rustup manages it.
    pub rustup_toolchain: Option<String>,
    pub target_list: BTreeSet<String>,
    /// Triples whose std is in the sysroot (`lib/rustlib/<triple>/lib`), read when probed.
    pub installed_std: BTreeSet<String>,
    /// `rust-src` is in the sysroot (needed by `-Zbuild-std`).
    pub rust_src: bool,
    /// `rust-objcopy` is in the sysroot (rustc strips Mach-O with it).
    pub rust_objcopy: bool,
}

impl Toolchain {
    pub fn probe(spec: &ToolchainSpec) -> Result<Toolchain> {
        Toolchain::probe_cached(spec, None)
    }

    /// [`Toolchain::probe`], answered from `cache_dir` when neither the rustc binary, its
    /// sysroot's rustc nor rustup's choice of toolchain changed since it was stored there.
    /// The std and tool checks read the sysroot each time (no process: cheap).
    pub fn probe_cached(spec: &ToolchainSpec, cache_dir: Option<&Path>) -> Result<Toolchain> {
        let rustc = spec.rustc_program();
        let cache = cache_dir.map(|d| {
            let name = Key::new(&rustc).hex();
            Cache::new(d, &format!("rustc-{}", &name[..16]))
        });
        let key = rustc_key(&rustc);
        let cached = cache
            .as_ref()
            .and_then(|c| c.get(&key, sysroot_check))
            .and_then(|v| {
                v.split_once('\0')
                    .map(|(a, b)| (a.to_string(), b.to_string()))
            });
        let (vv, prints) = match cached {
            Some(answer) => answer,
            None => {
                let (vv, prints) = run_probe(&rustc)?;
                if let Some(c) = &cache {
                    let value = format!("{vv}\0{prints}");
                    c.put(&key, sysroot_check(&value), &value);
                }
                (vv, prints)
            }
        };
        let version = vv.lines().next().unwrap_or_default().trim().to_string();
        let host = Triple::from(parse_host(&vv).unwrap_or_default());
        let mut lines = prints.lines().map(str::trim).filter(|l| !l.is_empty());
        let sysroot = PathBuf::from(lines.next().unwrap_or_default());
        let target_list = lines.map(str::to_string).collect();
        let rustup_toolchain = sysroot
            .parent()
            .filter(|p| p.file_name().is_some_and(|n| n == "toolchains"))
            .and_then(|_| sysroot.file_name())
            .map(|n| n.to_string_lossy().into_owned());
        let rustlib = sysroot.join("lib/rustlib");
        let installed_std = std::fs::read_dir(&rustlib)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().join("lib").is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|t| t != "src")
            .collect();
        let rust_src = rustlib.join("src/rust/library/std/Cargo.toml").is_file();
        let rust_objcopy = rustlib.join(&host).join("bin/rust-objcopy").exists();
        Ok(Toolchain {
            spec: spec.clone(),
            version,
            host,
            sysroot,
            rustup_toolchain,
            target_list,
            installed_std,
            rust_src,
            rust_objcopy,
        })
    }

    /// Is the standard library for `triple` in this toolchain's sysroot (when probed)?
    pub fn has_std(&self, triple: &str) -> bool {
        self.installed_std.contains(triple)
    }
}

/// `rustc -vV`, and `rustc --print sysroot --print target-list`: two processes in parallel
/// (`-vV` exits before printing anything else).
fn run_probe(rustc: &str) -> Result<(String, String)> {
    let t = Some(Duration::from_secs(60));
    let (vv, prints) = std::thread::scope(|s| {
        let vv = s.spawn(crate::sys::shell::carry(|| {
            Cmd::new(rustc).arg("-vV").run_checked(t).with_context(|| {
                format!("cannot run rustc `{rustc}`: install Rust (https://rustup.rs) or pass --rustc PATH")
            })
        }));
        let prints = Cmd::new(rustc)
            .args(["--print", "sysroot", "--print", "target-list"])
            .run_checked(t);
        (vv.join().expect("probe thread"), prints)
    });
    Ok((vv?.stdout, prints?.stdout))
}

/// What decides which rustc `rustc` is and what it answers: the program found on PATH (a
/// rustup proxy or a real rustc), rustup's settings and overrides (`RUSTUP_TOOLCHAIN`,
/// `settings.toml`, `rust-toolchain[.toml]` in the current directory and above).
pub fn rustc_key(rustc: &str) -> Key {
    let mut k = Key::new("rustc -vV, sysroot, target-list");
    k.text(rustc);
    match which(rustc) {
        Some(p) => k.file(&p),
        None => k.text("not on PATH"),
    };
    for var in ["RUSTUP_TOOLCHAIN", "RUSTUP_HOME", "CARGO_HOME", "PATH"] {
        k.env(var);
    }
    let rustup_home = std::env::var_os("RUSTUP_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".rustup")));
    if let Some(h) = rustup_home {
        k.file(&h.join("settings.toml"));
    }
    if let Ok(cwd) = std::env::current_dir() {
        k.text(&cwd.to_string_lossy());
        for dir in cwd.ancestors() {
            k.file(&dir.join("rust-toolchain"));
            k.file(&dir.join("rust-toolchain.toml"));
        }
    }
    k
}

/// The stamp of the rustc in the sysroot a stored answer names: a `rustup update` (or a
/// reinstalled toolchain) replaces it.
fn sysroot_check(value: &str) -> Key {
    let sysroot = value
        .split_once('\0')
        .and_then(|(_, prints)| prints.lines().next())
        .unwrap_or_default()
        .trim();
    let mut k = Key::new("sysroot rustc");
    let bin = Path::new(sysroot).join("bin");
    k.file(&bin.join("rustc")).file(&bin.join("rustc.exe"));
    k
}

/// `rustc --print cfg --target <triple>`: the values cargo matches `[target.'cfg(…)']`
/// tables against. Works without the target's std installed. Cargo's own probe also gets
/// the user's rustflags, so a table keyed on a `--cfg` or target feature that rustflags
/// set is judged here without it (rare).
pub fn target_cfg(spec: &ToolchainSpec, triple: &str) -> Result<Vec<cargo_platform::Cfg>> {
    let out = Cmd::new(spec.rustc_program())
        .args(["--print", "cfg", "--target", triple])
        .run_checked(Some(Duration::from_secs(60)))?;
    crate::read::cargo_config::parse_cfg(&out.stdout).map_err(|e| anyhow::anyhow!("{e}"))
}

/// The `host:` line of `rustc -vV`: the one place that reads it.
pub fn parse_host(vv: &str) -> Option<String> {
    vv.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(|h| h.trim().to_string())
}

/// Installs a target's std with rustup, bounded by `timeout`: offline, rustup retries for
/// minutes, so the caller turns a timeout into advice instead of a hang.
/// `config` is the file that sets the target's `rustc` (or where it would go).
pub fn rustup_target_add(
    toolchain: &str,
    triple: &str,
    config: &str,
    timeout: Duration,
) -> Result<()> {
    let cmd = Cmd::new("rustup").args(["target", "add", "--toolchain", toolchain, triple]);
    let fix = format!(
        "the standard library for `{triple}` is missing from toolchain `{toolchain}` and could not be installed.\n\
         Fix one of:\n  - run `rustup target add {triple}` on a machine with network access\n  \
         - point crossdock at a toolchain that has it: `--rustc PATH --cargo PATH`, or `rustc = \"…\"` for this target in {config}\n  \
         - build std from source: `build-std = true` for this target (needs `rustup component add rust-src`)"
    );
    match cmd.run_checked(Some(timeout)) {
        Ok(_) => Ok(()),
        Err(e) => Err(e.context(fix)),
    }
}
