//! Installers rendered from values: snapshots of each file, and the structure the
//! package managers rely on. Running them for real is `tests/it/installers.rs`.

use super::*;
use crate::package::manifest::BinaryEntry;
use crate::plan::installers::InstallerFile;

pub(crate) fn info() -> InstallerRelease {
    InstallerRelease {
        package: "hello-tool".into(),
        version: "1.2.0".into(),
        tag: "v1.2.0".into(),
        download_url: "https://github.com/o/hello/releases/download/v1.2.0/{file}".into(),
        description: Some("Says \"hello\" #{politely}".into()),
        homepage: Some("https://github.com/o/hello".into()),
        license: Some("MIT OR Apache-2.0".into()),
        binaries: vec!["hello".into(), "hello-admin".into()],
        smoke: vec![("hello".into(), vec!["--version".into()])],
        files: [
            Installer::Shell,
            Installer::Powershell,
            Installer::Homebrew,
            Installer::Scoop,
        ]
        .into_iter()
        .map(|kind| InstallerFile {
            kind,
            file_name: kind.file_name("hello-tool").unwrap(),
        })
        .collect(),
        native: Vec::new(),
        maintainer: None,
        winget_publisher: None,
    }
}

fn archive(target: &str, members: &[&str]) -> ArtifactEntry {
    let exe = Triple::new(target).exe_suffix();
    let ext = if exe.is_empty() { "tar.gz" } else { "zip" };
    let top = format!("hello-tool-1.2.0-{target}");
    let sha: String = format!("{:x}", target.len()).repeat(64)[..64].to_string();
    ArtifactEntry {
        name: format!("{top}.{ext}"),
        kind: if members.is_empty() {
            ArtifactKind::Archive
        } else {
            ArtifactKind::Universal
        },
        package: Some("hello-tool".into()),
        version: Some("1.2.0".into()),
        target: Some(target.into()),
        members: members.iter().map(|m| m.to_string()).collect(),
        size: 1,
        sha256: sha,
        binaries: ["hello", "hello-admin"]
            .iter()
            .map(|b| BinaryEntry {
                name: b.to_string(),
                kind: Default::default(),
                path: format!("{top}/{b}{exe}"),
                size: 1,
                unstripped_size: None,
                sha256: "0".repeat(64),
                format: String::new(),
                glibc: None,
            })
            .collect(),
        files: Vec::new(),
        inputs: String::new(),
        profile_overrides: Vec::new(),
        build: None,
    }
}

pub(crate) fn artifacts() -> Vec<ArtifactEntry> {
    vec![
        archive("x86_64-unknown-linux-gnu", &[]),
        archive("x86_64-unknown-linux-musl", &[]),
        archive("aarch64-unknown-linux-musl", &[]),
        archive("x86_64-apple-darwin", &[]),
        archive("aarch64-apple-darwin", &[]),
        archive(
            "universal-apple-darwin",
            &["x86_64-apple-darwin", "aarch64-apple-darwin"],
        ),
        archive("x86_64-pc-windows-gnu", &[]),
        archive("x86_64-pc-windows-msvc", &[]),
        archive("aarch64-pc-windows-msvc", &[]),
        archive("wasm32-wasip1", &[]),
    ]
}

#[test]
fn platforms_of_every_target_kind() {
    let info = info();
    let r = Release::new(&info, &artifacts());
    let keys: Vec<Option<String>> = r
        .archives
        .iter()
        .map(|a| a.platform().and_then(|p| p.shell_key()))
        .collect();
    let names: Vec<&str> = r.archives.iter().map(|a| a.target.as_str()).collect();
    let pairs: Vec<(&str, Option<&str>)> = names
        .iter()
        .copied()
        .zip(keys.iter().map(|k| k.as_deref()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("aarch64-apple-darwin", Some("macos-aarch64")),
            ("aarch64-pc-windows-msvc", None),
            ("aarch64-unknown-linux-musl", Some("linux-aarch64-musl")),
            ("universal-apple-darwin", Some("macos-universal")),
            ("wasm32-wasip1", None),
            ("x86_64-apple-darwin", Some("macos-x86_64")),
            ("x86_64-pc-windows-gnu", None),
            ("x86_64-pc-windows-msvc", None),
            ("x86_64-unknown-linux-gnu", Some("linux-x86_64-gnu")),
            ("x86_64-unknown-linux-musl", Some("linux-x86_64-musl")),
        ]
    );
    // Another package's or version's archives are not this release's.
    let mut other = artifacts();
    other[0].version = Some("1.1.0".into());
    other[1].package = Some("other".into());
    assert_eq!(Release::new(&info, &other).archives.len(), 8);
}

#[test]
fn shell_installer() {
    let info = info();
    let text = render(Installer::Shell, &Release::new(&info, &artifacts())).unwrap();
    insta::assert_snapshot!(text);
}

#[test]
fn powershell_installer_lists_windows_archives_msvc_first() {
    let info = info();
    let text = render(Installer::Powershell, &Release::new(&info, &artifacts())).unwrap();
    insta::assert_snapshot!(text);
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("@{ Cpu"))
        .collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(rows[0].contains("Cpu = 'aarch64'") && rows[0].contains("aarch64-pc-windows-msvc.zip"));
    assert!(rows[1].contains("Cpu = 'x86_64'") && rows[1].contains("x86_64-pc-windows-msvc.zip"));
    assert!(rows[2].contains("x86_64-pc-windows-gnu.zip"));
    assert!(rows[1].contains("Binaries = @('hello-tool-1.2.0-x86_64-pc-windows-msvc/hello.exe', 'hello-tool-1.2.0-x86_64-pc-windows-msvc/hello-admin.exe')"));
    // Balanced blocks: a cheap stand-in for a parser, which this machine does not have.
    for (open, close) in [('{', '}'), ('(', ')')] {
        assert_eq!(
            text.matches(open).count(),
            text.matches(close).count(),
            "{open}{close}"
        );
    }
    for required in [
        "Get-FileHash -Algorithm SHA256",
        "[switch]$AddToPath",
        "LOCALAPPDATA",
        "CARGO_HOME",
    ] {
        assert!(text.contains(required), "{required}");
    }
}

#[test]
fn homebrew_formula() {
    let info = info();
    let text = render(Installer::Homebrew, &Release::new(&info, &artifacts())).unwrap();
    insta::assert_snapshot!(text);
    assert!(text.starts_with("# Homebrew formula for hello-tool"));
    assert!(text.contains("class HelloTool < Formula"));
    // Ruby interpolation in the description is escaped.
    assert!(
        text.contains(r#"desc "Says \"hello\" \#{politely}""#),
        "{text}"
    );
}

#[test]
fn homebrew_uses_the_universal_archive_without_thin_ones_and_glibc_before_musl() {
    let info = info();
    let arts: Vec<ArtifactEntry> = artifacts()
        .into_iter()
        .filter(|a| {
            !matches!(
                a.target.as_deref(),
                Some("x86_64-apple-darwin" | "aarch64-apple-darwin")
            )
        })
        .collect();
    let text = render(Installer::Homebrew, &Release::new(&info, &arts)).unwrap();
    let mac = &text[text.find("on_macos do").unwrap()..text.find("on_linux do").unwrap()];
    assert!(!mac.contains("on_arm"), "{mac}");
    assert_eq!(
        mac.matches("universal-apple-darwin.tar.gz").count(),
        1,
        "{mac}"
    );
    let linux = &text[text.find("on_linux do").unwrap()..];
    assert!(linux.contains("x86_64-unknown-linux-gnu.tar.gz"), "{linux}");
    assert!(!linux.contains("x86_64-unknown-linux-musl"), "{linux}");
    assert!(
        linux.contains("aarch64-unknown-linux-musl.tar.gz"),
        "{linux}"
    );
}

#[test]
fn scoop_manifest() {
    let info = info();
    let text = render(Installer::Scoop, &Release::new(&info, &artifacts())).unwrap();
    insta::assert_snapshot!(text);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["version"], "1.2.0");
    assert_eq!(
        v["bin"],
        serde_json::json!(["hello.exe", "hello-admin.exe"])
    );
    let x64 = &v["architecture"]["64bit"];
    assert_eq!(
        x64["url"],
        "https://github.com/o/hello/releases/download/v1.2.0/hello-tool-1.2.0-x86_64-pc-windows-msvc.zip"
    );
    assert_eq!(x64["hash"].as_str().unwrap().len(), 64);
    assert_eq!(
        x64["extract_dir"],
        "hello-tool-1.2.0-x86_64-pc-windows-msvc"
    );
    assert!(v["architecture"]["arm64"]["url"]
        .as_str()
        .unwrap()
        .ends_with("aarch64-pc-windows-msvc.zip"));
    assert!(v["architecture"].get("32bit").is_none());
}

#[test]
fn class_names_follow_homebrew() {
    assert_eq!(homebrew::class_name("ripgrep"), "Ripgrep");
    assert_eq!(homebrew::class_name("hello-tool"), "HelloTool");
    assert_eq!(homebrew::class_name("a_b.c"), "ABC");
    assert_eq!(homebrew::class_name("foo+bar"), "Fooxbar");
}

#[test]
fn fill_replaces_once_and_refuses_drift() {
    assert_eq!(
        fill("a {{X}} {{Y}}", &[("X", "{{Y}}"), ("Y", "b")]),
        "a {{Y}} b"
    );
    assert_eq!(fill("${x} @{ a }", &[]), "${x} @{ a }");
    // A placeholder right after a brace fills: a shell variable named by a value.
    assert_eq!(
        fill("${{{V}}:-} ${{{V}}}", &[("V", "A_DIR")]),
        "${A_DIR:-} ${A_DIR}"
    );
    assert_eq!(fill("${{ matrix.x }}", &[]), "${{ matrix.x }}");
    assert!(std::panic::catch_unwind(|| fill("{{X}}", &[])).is_err());
    assert!(std::panic::catch_unwind(|| fill("x", &[("X", "1")])).is_err());
}

/// Issue 23 §17: an installer with no archive for its platforms is not rendered (a Scoop
/// manifest with `"architecture": {}` was written when the Windows target was skipped).
#[test]
fn an_installer_without_an_archive_for_its_platforms_is_not_rendered() {
    let info = info();
    let linux = vec![archive("x86_64-unknown-linux-gnu", &[])];
    let r = Release::new(&info, &linux);
    assert!(render(Installer::Shell, &r).is_some());
    assert!(render(Installer::Homebrew, &r).is_some());
    assert_eq!(render(Installer::Scoop, &r), None);
    assert_eq!(render(Installer::Powershell, &r), None);
    let windows = vec![archive("x86_64-pc-windows-msvc", &[])];
    let r = Release::new(&info, &windows);
    assert!(render(Installer::Scoop, &r).is_some());
    assert!(render(Installer::Powershell, &r).is_some());
    assert_eq!(render(Installer::Shell, &r), None);
    assert_eq!(render(Installer::Homebrew, &r), None);
    // Homebrew offers aarch64 and x86_64 only.
    let riscv = vec![archive("riscv64gc-unknown-linux-gnu", &[])];
    assert_eq!(
        render(Installer::Homebrew, &Release::new(&info, &riscv)),
        None
    );
}

/// Issue 23 §18: the install dir variable is named after the app.
#[test]
fn install_dir_variable_is_named_after_the_package() {
    assert_eq!(install_dir_variable("hyperfine"), "HYPERFINE_INSTALL_DIR");
    assert_eq!(install_dir_variable("hello-tool"), "HELLO_TOOL_INSTALL_DIR");
    assert_eq!(install_dir_variable("x.y_z"), "X_Y_Z_INSTALL_DIR");
    assert_eq!(install_dir_variable("9lives"), "_9LIVES_INSTALL_DIR");
    assert_eq!(
        no_modify_path_variable("hello-tool"),
        "HELLO_TOOL_NO_MODIFY_PATH"
    );
}
