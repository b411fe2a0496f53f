use std::io::Read;

use super::*;
use crate::model::triple::Triple;

fn fixture() -> NapiPackage {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/node-ws/hello-node");
    crate::read::napi::read(&dir).unwrap().unwrap()
}

fn platform(t: &str) -> NodePlatform {
    NodePlatform::of(&Triple::new(t)).unwrap()
}

fn module(dir: &Path, t: &str, content: &[u8]) -> BuiltModule {
    let file = dir.join(format!("{t}.node"));
    std::fs::write(&file, content).unwrap();
    BuiltModule {
        platform: platform(t),
        target: t.to_string(),
        file,
    }
}

/// (name, mode, mtime, content) of every entry of a written tarball.
fn entries(path: &Path) -> Vec<(String, u32, u64, Vec<u8>)> {
    let mut a = archive::open_tar(path).unwrap();
    a.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let mut content = Vec::new();
            e.read_to_end(&mut content).unwrap();
            let h = e.header();
            let name = e.path().unwrap().to_string_lossy().into_owned();
            (name, h.mode().unwrap(), h.mtime().unwrap(), content)
        })
        .collect()
}

#[test]
fn platform_package_json_is_what_napi_rs_writes() {
    let json = platform_package_json(&fixture(), &platform("x86_64-unknown-linux-gnu"));
    assert_eq!(
        json.to_pretty(),
        r#"{
  "name": "hello-node-linux-x64-gnu",
  "version": "1.4.2",
  "cpu": [
    "x64"
  ],
  "main": "hello.linux-x64-gnu.node",
  "files": [
    "hello.linux-x64-gnu.node"
  ],
  "description": "crossdock's fixture: a napi-rs module beside a CLI",
  "license": "MIT",
  "engines": {
    "node": ">= 16"
  },
  "repository": {
    "type": "git",
    "url": "https://example.invalid/crossdock/node-ws"
  },
  "os": [
    "linux"
  ],
  "libc": [
    "glibc"
  ]
}
"#
    );
    let musl = platform_package_json(&fixture(), &platform("x86_64-unknown-linux-musl"));
    assert_eq!(musl.get("libc"), Some(&Json::strings(["musl"])));
    let mac = platform_package_json(&fixture(), &NodePlatform::darwin_universal());
    assert_eq!(mac.get("cpu"), None);
    assert_eq!(mac.get("libc"), None);
    assert_eq!(mac.get("os"), Some(&Json::strings(["darwin"])));
}

#[test]
fn root_package_keeps_the_users_file_and_pins_every_platform_package() {
    let napi = fixture();
    let (gnu, musl) = (
        platform("x86_64-unknown-linux-gnu"),
        platform("x86_64-unknown-linux-musl"),
    );
    let json = root_package_json(&napi, &[&gnu, &musl]);
    let keys: Vec<&str> = json.keys().collect();
    let users: Vec<&str> = napi.json.keys().collect();
    assert_eq!(keys[..users.len()], users[..]);
    assert_eq!(keys.last(), Some(&"optionalDependencies"));
    let deps = json.get("optionalDependencies").unwrap();
    assert_eq!(
        serde_json::to_string(deps).unwrap(),
        r#"{"hello-node-linux-x64-gnu":"1.4.2","hello-node-linux-x64-musl":"1.4.2"}"#
    );
}

#[test]
fn tarball_names_are_npm_packs() {
    assert_eq!(tarball_name("hello-node", "1.4.2"), "hello-node-1.4.2.tgz");
    assert_eq!(
        tarball_name("@acme/fast-linux-x64-gnu", "2.0.0"),
        "acme-fast-linux-x64-gnu-2.0.0.tgz"
    );
}

#[test]
fn tarballs_hold_package_entries_with_fixed_modes_and_mtimes_and_are_reproducible() {
    let napi = fixture();
    let dir = tempfile::tempdir().unwrap();
    let modules = [
        module(dir.path(), "x86_64-unknown-linux-gnu", b"\x7fELF gnu"),
        module(dir.path(), "aarch64-unknown-linux-gnu", b"\x7fELF arm"),
    ];
    let tarballs = compose(&napi, &modules);
    let names: Vec<&str> = tarballs.iter().map(|t| t.file_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "hello-node-linux-x64-gnu-1.4.2.tgz",
            "hello-node-linux-arm64-gnu-1.4.2.tgz",
            "hello-node-1.4.2.tgz"
        ]
    );
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        std::fs::create_dir(out).unwrap();
        for t in &tarballs {
            write(out, t, 1_700_000_000).unwrap();
        }
    }
    for n in &names {
        assert_eq!(
            std::fs::read(a.join(n)).unwrap(),
            std::fs::read(b.join(n)).unwrap(),
            "{n}"
        );
    }

    let platform = entries(&a.join(names[0]));
    let listed: Vec<(&str, u32)> = platform
        .iter()
        .map(|(n, m, _, _)| (n.as_str(), *m))
        .collect();
    assert_eq!(
        listed,
        [
            ("package/", 0o755),
            ("package/README.md", 0o644),
            ("package/hello.linux-x64-gnu.node", 0o644),
            ("package/package.json", 0o644),
        ]
    );
    assert!(platform.iter().all(|(_, _, t, _)| *t == 1_700_000_000));
    assert_eq!(platform[2].3, b"\x7fELF gnu");

    let root = entries(&a.join(names[2]));
    let listed: Vec<&str> = root.iter().map(|(n, _, _, _)| n.as_str()).collect();
    assert_eq!(
        listed,
        [
            "package/",
            "package/README.md",
            "package/index.js",
            "package/package.json"
        ]
    );
    let loader = String::from_utf8(root[2].3.clone()).unwrap();
    assert!(
        loader
            .contains(r#"{"name":"linux-arm64-gnu","os":"linux","cpu":["arm64"],"libc":"glibc"}"#),
        "{loader}"
    );
    assert!(loader.contains("'hello-node-' + p.name") && loader.contains("'hello.' + p.name"));
}

#[test]
fn the_users_loader_is_shipped_instead_of_crossdocks() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("package.json"),
        r#"{"name": "m", "version": "1.0.0", "napi": {"binaryName": "m"}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("index.js"),
        "module.exports = require('./own')\n",
    )
    .unwrap();
    let napi = crate::read::napi::read(dir.path()).unwrap().unwrap();
    let modules = [module(dir.path(), "x86_64-apple-darwin", b"macho")];
    let root = compose(&napi, &modules).pop().unwrap();
    let index = root.entries.iter().find(|e| e.name == "index.js").unwrap();
    assert!(matches!(&index.source, Source::File(p) if p == &dir.path().join("index.js")));
    assert_eq!(
        root.entries.iter().filter(|e| e.name == "index.js").count(),
        1
    );
}

/// napi-rs 3 with `napi.packageName` (oxc-resolver: root `oxc-resolver`, platform packages
/// `@oxc-resolver/binding-PLATFORM`): the root keeps package.json's `name` and depends on the
/// platform packages under the prefix.
#[test]
fn the_root_keeps_its_name_when_napi_package_name_prefixes_the_platforms() {
    let mut napi = fixture();
    napi.package_name = "@oxc-resolver/binding".to_string();
    let dir = tempfile::tempdir().unwrap();
    let tarballs = compose(
        &napi,
        &[module(dir.path(), "x86_64-unknown-linux-gnu", b"\x7fELF")],
    );
    let names: Vec<(&str, &str)> = tarballs
        .iter()
        .map(|t| (t.name.as_str(), t.file_name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (
                "@oxc-resolver/binding-linux-x64-gnu",
                "oxc-resolver-binding-linux-x64-gnu-1.4.2.tgz"
            ),
            ("hello-node", "hello-node-1.4.2.tgz"),
        ]
    );
    let root = root_package_json(&napi, &[&platform("x86_64-unknown-linux-gnu")]);
    assert_eq!(root.get("name"), Some(&Json::str("hello-node")));
    let Some(Json::Object(deps)) = root.get("optionalDependencies") else {
        panic!("no optionalDependencies")
    };
    assert_eq!(
        deps.get("@oxc-resolver/binding-linux-x64-gnu"),
        Some(&Json::str("1.4.2"))
    );
}
