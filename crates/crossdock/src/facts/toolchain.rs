//! Which cargo and rustc build a target, and what they can do: version, host, sysroot,
//! the triples rustc knows, whether a target's std or `rust-src` is installed, and a
//! target's cfg values (which `[target.'cfg(…)']` tables of the user's cargo config apply).
//! A rustup toolchain is recognised by its sysroot, so `rustup target add` is offered only
//! there; any other toolchain (Debian's `/usr/bin/rustc`, a custom build) is used as it is.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};

pub use crate::read::select::ToolchainSpec;
use crate::sys::process::Cmd;

#[derive(Debug, Clone)]
pub struct Toolchain {
    pub spec: ToolchainSpec,
    /// `rustc 1.95.0 (…)`
    pub version: String,
    pub host: String,
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
        let rustc = spec.rustc_program();
        let t = Some(Duration::from_secs(60));
        // Two processes in parallel: `-vV` exits before printing anything else.
        let (vv, prints) = std::thread::scope(|s| {
            let vv = s.spawn(|| {
                Cmd::new(&rustc).arg("-vV").run_checked(t).with_context(|| {
                    format!("cannot run rustc `{rustc}`: install Rust (https://rustup.rs) or pass --rustc PATH")
                })
            });
            let prints = Cmd::new(&rustc)
                .args(["--print", "sysroot", "--print", "target-list"])
                .run_checked(t);
            (vv.join().expect("probe thread"), prints)
        });
        let vv = vv?.stdout;
        let prints = prints?.stdout;
        let version = vv.lines().next().unwrap_or_default().trim().to_string();
        let host = parse_host(&vv).unwrap_or_default();
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
pub fn rustup_target_add(toolchain: &str, triple: &str, timeout: Duration) -> Result<()> {
    let cmd = Cmd::new("rustup").args(["target", "add", "--toolchain", toolchain, triple]);
    let fix = format!(
        "the standard library for `{triple}` is missing from toolchain `{toolchain}` and could not be installed.\n\
         Fix one of:\n  - run `rustup target add {triple}` on a machine with network access\n  \
         - point crossdock at a toolchain that has it: `--rustc PATH --cargo PATH`, or `rustc = \"…\"` for this target in targets.toml\n  \
         - build std from source: `build-std = true` for this target (needs `rustup component add rust-src`)"
    );
    match cmd.run_checked(Some(timeout)) {
        Ok(_) => Ok(()),
        Err(e) => Err(e.context(fix)),
    }
}
