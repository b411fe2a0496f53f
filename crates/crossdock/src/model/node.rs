//! napi-rs's name for a target (`linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`, its
//! `platformArchABI`) and the npm `os` / `cpu` / `libc` values of the package that carries
//! the module for it. The names are napi-rs's convention, so a project moving from
//! `napi build --platform` + `napi create-npm-dirs` keeps its file and package names, and
//! its `index.js` loader (which `require`s `BINARY.PLATFORM.node` or `NAME-PLATFORM`)
//! finds them. Derived from the `Triple`'s parsed parts, never from its text. Also the
//! napi package as `read/napi.rs` read it, and npm's tarball names: what `plan/` and
//! `package/` both speak.

use std::path::PathBuf;

use anyhow::{bail, Result};

use crate::model::json::{Json, Object};
use crate::model::triple::Triple;

/// Where a Node module runs, as npm and napi-rs name it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NodePlatform {
    /// napi-rs's `platformArchABI`: the file is `BINARY.{name}.node`, the npm package
    /// `PACKAGE-{name}`.
    pub name: String,
    /// npm's `os` (Node's `process.platform`).
    pub os: String,
    /// npm's `cpu` (Node's `process.arch`); empty for `darwin-universal`, as napi-rs writes it.
    pub cpu: Vec<String>,
    /// npm's `libc` for Linux: `glibc` or `musl`.
    pub libc: Option<String>,
}

/// The name of the universal macOS module (`lipo` of the x64 and arm64 slices).
pub const DARWIN_UNIVERSAL: &str = "darwin-universal";

impl NodePlatform {
    /// The platform of a module built for `triple`; an error naming the target when Node or
    /// napi-rs has no name for it (the caller, which knows the config file, adds the fix).
    pub fn of(triple: &Triple) -> Result<NodePlatform> {
        let unknown = |what: &str| -> Result<NodePlatform> {
            bail!("target {triple}: Node has no {what} for it, so it cannot carry a Node module")
        };
        let cpu = match triple.cpu() {
            Some(("x86_64", 64)) => "x64",
            Some(("aarch64", 64)) => "arm64",
            Some(("x86", 32)) => "ia32",
            Some(("arm", 32)) => "arm",
            Some(("riscv64", 64)) => "riscv64",
            Some(("powerpc64", 64)) => "ppc64",
            Some(("s390x", 64)) => "s390x",
            Some(("loongarch64", 64)) => "loong64",
            _ => return unknown("CPU name (process.arch)"),
        };
        let abi = triple.abi_name();
        let (os, abi, libc) = if triple.is_apple() && triple.os_name() == "macos" {
            ("darwin", None, None)
        } else if triple.is_windows() {
            ("win32", abi, None)
        } else if triple.is_linux() {
            match abi.as_deref() {
                Some("android") => ("android", None, None),
                Some("androideabi") => ("android", Some("eabi".to_string()), None),
                Some("ohos") => ("openharmony", None, None),
                Some(a) if a.starts_with("musl") => ("linux", abi.clone(), Some("musl")),
                Some(a) if a.starts_with("gnu") => ("linux", abi.clone(), Some("glibc")),
                _ => return unknown("C library (glibc or musl)"),
            }
        } else if triple.os_name() == "freebsd" {
            ("freebsd", None, None)
        } else {
            return unknown("platform name (process.platform)");
        };
        let name = match &abi {
            Some(abi) => format!("{os}-{cpu}-{abi}"),
            None => format!("{os}-{cpu}"),
        };
        Ok(NodePlatform {
            name,
            os: os.to_string(),
            cpu: vec![cpu.to_string()],
            libc: libc.map(str::to_string),
        })
    }

    /// The universal macOS module: one `.node` holding both slices, for both CPUs.
    pub fn darwin_universal() -> NodePlatform {
        NodePlatform {
            name: DARWIN_UNIVERSAL.to_string(),
            os: "darwin".to_string(),
            cpu: Vec::new(),
            libc: None,
        }
    }

    /// `BINARY.PLATFORM.node`, the file napi-rs's `build --platform` writes.
    pub fn module_file(&self, binary_name: &str) -> String {
        format!("{binary_name}.{}.node", self.name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NapiPackage {
    /// The `package.json` it was read from.
    pub path: PathBuf,
    /// `name`: the root npm package, the one users install.
    pub name: String,
    /// The prefix of the platform packages: `napi.packageName`, else `name`. Platform
    /// packages are `{package_name}-{platform}`.
    pub package_name: String,
    /// `version`: what every npm package of this module is published as.
    pub version: String,
    /// `napi.binaryName` (napi-rs 2: `napi.name`), else `index`: the module file is
    /// `{binary_name}.{platform}.node`.
    pub binary_name: String,
    /// `napi.targets` (napi-rs 2: `napi.triples`), as written.
    pub targets: Vec<String>,
    /// The whole file, in its own key order.
    pub json: Object,
    /// The files of the root npm package besides package.json, as (name in the package,
    /// file): the user's loader and type declarations (`main`, `types`) when present, and
    /// the README, LICENSE and CHANGELOG files npm always packs. Sorted by name.
    pub root_files: Vec<(String, PathBuf)>,
}

impl NapiPackage {
    /// The user's own loader: `main` (else `index.js`) when that file is beside
    /// package.json; crossdock writes one only when there is none.
    pub fn loader(&self) -> (String, Option<PathBuf>) {
        let main = self
            .json
            .get("main")
            .and_then(Json::as_str)
            .unwrap_or("index.js")
            .trim_start_matches("./")
            .to_string();
        let file = self.path.with_file_name(&main);
        let exists = safe_relative(&main) && file.is_file();
        (main, exists.then_some(file))
    }
}

/// The tarball file name `npm pack` gives `name`@`version` (`@scope/x` → `scope-x-1.0.0.tgz`).
pub fn tarball_name(name: &str, version: &str) -> String {
    let flat = name.trim_start_matches('@').replace('/', "-");
    format!("{flat}-{version}.tgz")
}

/// A path below the package folder: relative, `/`-separated, no `..`.
pub fn safe_relative(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('/')
        && !s.contains(['\\', '\0'])
        && s.split('/').all(|p| !p.is_empty() && p != "." && p != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(t: &str) -> NodePlatform {
        NodePlatform::of(&Triple::new(t)).unwrap()
    }

    /// The names napi-rs 3's `parseTriple` gives its targets (cli/src/utils/target.ts).
    #[test]
    fn names_match_napi_rs() {
        for (triple, name) in [
            ("x86_64-unknown-linux-gnu", "linux-x64-gnu"),
            ("aarch64-unknown-linux-gnu", "linux-arm64-gnu"),
            ("x86_64-unknown-linux-musl", "linux-x64-musl"),
            ("aarch64-unknown-linux-musl", "linux-arm64-musl"),
            ("armv7-unknown-linux-gnueabihf", "linux-arm-gnueabihf"),
            ("armv7-unknown-linux-musleabihf", "linux-arm-musleabihf"),
            ("riscv64gc-unknown-linux-gnu", "linux-riscv64-gnu"),
            ("powerpc64le-unknown-linux-gnu", "linux-ppc64-gnu"),
            ("s390x-unknown-linux-gnu", "linux-s390x-gnu"),
            ("loongarch64-unknown-linux-gnu", "linux-loong64-gnu"),
            ("x86_64-apple-darwin", "darwin-x64"),
            ("aarch64-apple-darwin", "darwin-arm64"),
            ("x86_64-pc-windows-msvc", "win32-x64-msvc"),
            ("aarch64-pc-windows-msvc", "win32-arm64-msvc"),
            ("i686-pc-windows-msvc", "win32-ia32-msvc"),
            ("x86_64-pc-windows-gnu", "win32-x64-gnu"),
            ("x86_64-unknown-freebsd", "freebsd-x64"),
            ("aarch64-linux-android", "android-arm64"),
            ("armv7-linux-androideabi", "android-arm-eabi"),
        ] {
            assert_eq!(of(triple).name, name, "{triple}");
        }
        assert_eq!(NodePlatform::darwin_universal().name, "darwin-universal");
    }

    #[test]
    fn npm_fields_say_where_the_module_runs() {
        let gnu = of("aarch64-unknown-linux-gnu");
        assert_eq!(
            (gnu.os.as_str(), gnu.cpu.clone()),
            ("linux", vec!["arm64".into()])
        );
        assert_eq!(gnu.libc.as_deref(), Some("glibc"));
        assert_eq!(
            of("x86_64-unknown-linux-musl").libc.as_deref(),
            Some("musl")
        );
        let win = of("x86_64-pc-windows-gnu");
        assert_eq!((win.os.as_str(), win.libc), ("win32", None));
        assert_eq!(of("aarch64-apple-darwin").os, "darwin");
        assert!(NodePlatform::darwin_universal().cpu.is_empty());
        assert_eq!(
            of("x86_64-apple-darwin").module_file("hello"),
            "hello.darwin-x64.node"
        );
    }

    #[test]
    fn a_target_node_cannot_run_on_is_refused_naming_it() {
        for t in [
            "wasm32-unknown-unknown",
            "aarch64-apple-ios",
            "mips-unknown-linux-gnu",
        ] {
            let err = NodePlatform::of(&Triple::new(t)).unwrap_err().to_string();
            assert!(err.contains(t), "{err}");
        }
    }
}
