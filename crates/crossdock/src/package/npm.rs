//! The npm packages of a Node module, as napi-rs lays them out (`napi create-npm-dirs` +
//! `napi artifacts` + `napi pre-publish`): one package per platform, `NAME-PLATFORM`,
//! holding `BINARY.PLATFORM.node` with npm's `os` / `cpu` / `libc` saying where it installs,
//! and the root package `NAME`, the user's package.json plus `optionalDependencies` on
//! every platform package at the exact version, so npm installs the one that fits.
//!
//! Each is written as the tarball `npm pack` would name (`NAME-VERSION.tgz`, `@scope/x` as
//! `scope-x`), every entry under `package/`, through the archive writer: sorted entries,
//! the run's SOURCE_DATE_EPOCH as mtime, fixed modes (0644, as `npm pack`) and owners, so the same module gives
//! the same bytes on every machine. Pure over files: composing is a function of values,
//! writing streams the files.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::model::archive::ArchiveFormat;
use crate::model::json::{Json, Object};
use crate::model::node::NapiPackage;
use crate::model::node::NodePlatform;
use crate::package::archive::{self, Entry, Source, Written, MODE_FILE};

/// Every npm tarball's entries live below this folder (npm's convention).
const TOP: &str = "package";

/// The fields napi-rs copies from the root package.json into each platform package, in its
/// order (`create-npm-dirs`).
const COPIED_FIELDS: &[&str] = &[
    "description",
    "keywords",
    "author",
    "authors",
    "homepage",
    "license",
    "engines",
    "repository",
    "bugs",
];

/// A module built for one platform: what goes into its platform package.
#[derive(Debug, Clone)]
pub struct BuiltModule {
    pub platform: NodePlatform,
    /// The triple (or universal group) it was built for, named in its README.
    pub target: String,
    /// The checked module file.
    pub file: PathBuf,
}

/// One npm package, ready to write.
#[derive(Debug, Clone)]
pub struct Tarball {
    /// The npm package name.
    pub name: String,
    pub version: String,
    /// `NAME-VERSION.tgz`, as `npm pack` names it.
    pub file_name: String,
    /// The platform it carries; `None` for the root package.
    pub platform: Option<String>,
    /// Entries below `package/`, package.json first.
    pub entries: Vec<Entry>,
}

pub use crate::model::node::tarball_name;

/// The platform packages (in `modules` order) and then the root package.
pub fn compose(napi: &NapiPackage, modules: &[BuiltModule]) -> Vec<Tarball> {
    let mut out: Vec<Tarball> = modules.iter().map(|m| platform_package(napi, m)).collect();
    out.push(root_package(napi, modules));
    out
}

fn bytes(name: &str, text: String, mode: u32) -> Entry {
    Entry {
        name: name.to_string(),
        source: Source::Bytes(text.into_bytes()),
        mode,
    }
}

/// `package.json` of the platform package, field for field what napi-rs 3 writes.
pub fn platform_package_json(napi: &NapiPackage, platform: &NodePlatform) -> Object {
    let file = platform.module_file(&napi.binary_name);
    let mut o = Object::default();
    o.set(
        "name",
        Json::str(format!("{}-{}", napi.package_name, platform.name)),
    );
    o.set("version", Json::str(&napi.version));
    if !platform.cpu.is_empty() {
        o.set("cpu", Json::strings(platform.cpu.iter().cloned()));
    }
    o.set("main", Json::str(&file));
    o.set("files", Json::strings([file]));
    for key in COPIED_FIELDS {
        if let Some(v) = napi.json.get(key) {
            o.set(key, v.clone());
        }
    }
    if let Some(Json::Object(publish)) = napi.json.get("publishConfig") {
        let mut p = Object::default();
        for key in ["registry", "access"] {
            if let Some(v) = publish.get(key) {
                p.set(key, v.clone());
            }
        }
        o.set("publishConfig", Json::Object(p));
    }
    o.set("os", Json::strings([platform.os.clone()]));
    if let Some(libc) = &platform.libc {
        o.set("libc", Json::strings([libc.clone()]));
    }
    o
}

fn platform_package(napi: &NapiPackage, m: &BuiltModule) -> Tarball {
    let json = platform_package_json(napi, &m.platform);
    let name = format!("{}-{}", napi.package_name, m.platform.name);
    let readme = format!(
        "# `{name}`\n\nThis is the **{}** binary for `{}`\n",
        m.target, napi.package_name
    );
    Tarball {
        file_name: tarball_name(&name, &napi.version),
        version: napi.version.clone(),
        platform: Some(m.platform.name.clone()),
        entries: vec![
            bytes("package.json", json.to_pretty(), MODE_FILE),
            bytes("README.md", readme, MODE_FILE),
            // 0644 as `npm pack` writes it: Node reads a module, it never executes it.
            Entry {
                name: m.platform.module_file(&napi.binary_name),
                source: Source::File(m.file.clone()),
                mode: MODE_FILE,
            },
        ],
        name,
    }
}

/// The user's package.json with `optionalDependencies` naming every platform package at
/// the exact version (other optional dependencies kept), as `napi pre-publish` leaves it.
pub fn root_package_json(napi: &NapiPackage, platforms: &[&NodePlatform]) -> Object {
    let mut o = napi.json.clone();
    let mut deps = match o.get("optionalDependencies") {
        Some(Json::Object(d)) => d.clone(),
        _ => Object::default(),
    };
    for p in platforms {
        deps.set(
            &format!("{}-{}", napi.package_name, p.name),
            Json::str(&napi.version),
        );
    }
    o.set("optionalDependencies", Json::Object(deps));
    o
}

/// The loader crossdock writes when the package has none: tries each platform that
/// matches this process (os, cpu, and glibc or musl found at run time).
pub fn loader(napi: &NapiPackage, platforms: &[&NodePlatform]) -> String {
    let table: Vec<Json> = platforms
        .iter()
        .map(|p| {
            let mut o = Object::default();
            o.set("name", Json::str(&p.name));
            o.set("os", Json::str(&p.os));
            o.set("cpu", Json::strings(p.cpu.iter().cloned()));
            o.set("libc", p.libc.as_ref().map_or(Json::Null, Json::str));
            Json::Object(o)
        })
        .collect();
    let table = serde_json::to_string(&table).expect("JSON of strings always serializes");
    crate::package::installer::fill(
        include_str!("../../templates/node/index.js"),
        &[
            ("PLATFORMS", &table),
            ("PACKAGE", &napi.package_name),
            ("BINARY", &napi.binary_name),
        ],
    )
}

fn root_package(napi: &NapiPackage, modules: &[BuiltModule]) -> Tarball {
    let mut platforms: Vec<&NodePlatform> = modules.iter().map(|m| &m.platform).collect();
    let mut entries = vec![bytes(
        "package.json",
        root_package_json(napi, &platforms).to_pretty(),
        MODE_FILE,
    )];
    let (main, users) = napi.loader();
    if users.is_none() {
        // A universal module is tried first on macOS: it runs on both CPUs.
        platforms.sort_by_key(|p| !p.cpu.is_empty());
        entries.push(bytes(&main, loader(napi, &platforms), MODE_FILE));
    }
    for (name, file) in &napi.root_files {
        entries.push(Entry {
            name: name.clone(),
            source: Source::File(file.clone()),
            mode: MODE_FILE,
        });
    }
    Tarball {
        name: napi.name.clone(),
        version: napi.version.clone(),
        file_name: tarball_name(&napi.name, &napi.version),
        platform: None,
        entries,
    }
}

/// Writes `tarball` into `out_dir`, its entries at `mtime`.
pub fn write(out_dir: &Path, tarball: &Tarball, mtime: u64) -> Result<Written> {
    archive::write(
        &out_dir.join(&tarball.file_name),
        ArchiveFormat::TarGz,
        TOP,
        tarball.entries.clone(),
        mtime,
    )
}

#[cfg(test)]
mod tests;
