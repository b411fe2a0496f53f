//! The winget manifests as text, and every rule of winget's schema 1.6 that they must
//! meet: the required fields of each manifest type, the identifier's pattern, one
//! identifier and version across the three, an uppercase SHA-256 per installer.

use crate::model::installer::{winget_file_names, Installer};
use crate::package::installer::tests::{artifacts, info};
use crate::package::installer::{render_file, Release};
use crate::plan::installers::InstallerFile;
use crate::plan::InstallerRelease;

pub(crate) fn winget_info() -> InstallerRelease {
    let mut i = info();
    i.winget_publisher = Some("o".into());
    i.files = winget_file_names("o.hello-tool")
        .into_iter()
        .map(|file_name| InstallerFile {
            kind: Installer::Winget,
            file_name,
        })
        .collect();
    i
}

/// The three manifests in winget's order: version, installer, defaultLocale.
fn manifests(
    info: &InstallerRelease,
    archives: &[crate::package::manifest::ArtifactEntry],
) -> Vec<Option<String>> {
    let release = Release::new(info, archives);
    info.files
        .iter()
        .map(|f| render_file(f, &release))
        .collect()
}

/// The top-level `Key: value` pairs of a manifest, values decoded (quoted ones as the
/// JSON strings they are written as, which YAML reads alike).
pub(crate) fn fields(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter(|l| !l.starts_with([' ', '-', '#']) && !l.is_empty())
        .map(|l| {
            let (k, v) = l
                .split_once(':')
                .unwrap_or_else(|| panic!("not a field: {l:?}"));
            let v = v.trim();
            let v = if v.starts_with('"') {
                serde_json::from_str::<String>(v).unwrap()
            } else {
                v.to_string()
            };
            (k.to_string(), v)
        })
        .collect()
}

pub(crate) fn field<'a>(fields: &'a [(String, String)], key: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// winget's PackageIdentifier pattern:
/// `^[^\.\s\\/:\*\?"<>\|\x01-\x1f]{1,32}(\.[^\.\s\\/:\*\?"<>\|\x01-\x1f]{1,32}){1,7}$`.
fn is_identifier(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    (2..=8).contains(&parts.len())
        && s.len() <= 128
        && parts.iter().all(|p| {
            (1..=32).contains(&p.chars().count())
                && !p.chars().any(|c| {
                    c.is_whitespace()
                        || ('\u{1}'..='\u{1f}').contains(&c)
                        || "\\/:*?\"<>|".contains(c)
                })
        })
}

#[test]
fn the_three_manifests_meet_the_schema_rules() {
    let info = winget_info();
    let texts: Vec<String> = manifests(&info, &artifacts())
        .into_iter()
        .map(Option::unwrap)
        .collect();
    let required: [(&str, &[&str]); 3] = [
        (
            "version",
            &[
                "PackageIdentifier",
                "PackageVersion",
                "DefaultLocale",
                "ManifestType",
                "ManifestVersion",
            ],
        ),
        (
            "installer",
            &[
                "PackageIdentifier",
                "PackageVersion",
                "InstallerType",
                "NestedInstallerType",
                "Installers",
                "ManifestType",
                "ManifestVersion",
            ],
        ),
        (
            "defaultLocale",
            &[
                "PackageIdentifier",
                "PackageVersion",
                "PackageLocale",
                "Publisher",
                "PackageName",
                "License",
                "ShortDescription",
                "ManifestType",
                "ManifestVersion",
            ],
        ),
    ];
    for (text, (manifest_type, keys)) in texts.iter().zip(required) {
        let f = fields(text);
        assert!(
            text.starts_with(&format!("# yaml-language-server: $schema=https://aka.ms/winget-manifest.{manifest_type}.1.6.0.schema.json\n")),
            "{text}"
        );
        for k in keys {
            assert!(field(&f, k).is_some(), "{manifest_type}: no {k}\n{text}");
        }
        // No key twice, and each manifest of the same package and version.
        let mut names: Vec<&str> = f.iter().map(|(k, _)| k.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), f.len(), "{text}");
        assert_eq!(field(&f, "ManifestType"), Some(manifest_type));
        assert_eq!(field(&f, "ManifestVersion"), Some("1.6.0"));
        assert_eq!(field(&f, "PackageIdentifier"), Some("o.hello-tool"));
        assert!(is_identifier(field(&f, "PackageIdentifier").unwrap()));
        assert_eq!(field(&f, "PackageVersion"), Some("1.2.0"));
    }
    let locale = fields(&texts[2]);
    assert_eq!(field(&locale, "PackageLocale"), Some("en-US"));
    assert_eq!(field(&fields(&texts[0]), "DefaultLocale"), Some("en-US"));
    assert_eq!(field(&locale, "Publisher"), Some("o"));
    assert_eq!(field(&locale, "PackageName"), Some("hello-tool"));
    assert_eq!(field(&locale, "License"), Some("MIT OR Apache-2.0"));
    // The description's quotes and `#` survive as text.
    assert_eq!(
        field(&locale, "ShortDescription"),
        Some("Says \"hello\" #{politely}")
    );
    assert_eq!(
        field(&locale, "PackageUrl"),
        Some("https://github.com/o/hello")
    );
}

#[test]
fn installer_manifest_lists_one_zip_per_architecture_msvc_first() {
    let info = winget_info();
    let x64 = "x86_64-pc-windows-msvc";
    let mut archives = artifacts();
    for a in &mut archives {
        if a.target.as_deref() == Some(x64) {
            a.sha256 = "abcdef0123456789".repeat(4);
        }
    }
    let text = manifests(&info, &archives)[1].clone().unwrap();
    let sha = |target: &str| match target == x64 {
        true => "ABCDEF0123456789".repeat(4),
        false => format!("{:x}", target.len()).repeat(64)[..64].to_string(),
    };
    let arm = "aarch64-pc-windows-msvc";
    let want = format!(
        r#"# yaml-language-server: $schema=https://aka.ms/winget-manifest.installer.1.6.0.schema.json

PackageIdentifier: "o.hello-tool"
PackageVersion: "1.2.0"
InstallerType: zip
NestedInstallerType: portable
Installers:
- Architecture: x64
  InstallerUrl: "https://github.com/o/hello/releases/download/v1.2.0/hello-tool-1.2.0-{x64}.zip"
  InstallerSha256: "{}"
  NestedInstallerFiles:
  - RelativeFilePath: "hello-tool-1.2.0-{x64}\\hello.exe"
    PortableCommandAlias: "hello"
  - RelativeFilePath: "hello-tool-1.2.0-{x64}\\hello-admin.exe"
    PortableCommandAlias: "hello-admin"
- Architecture: arm64
  InstallerUrl: "https://github.com/o/hello/releases/download/v1.2.0/hello-tool-1.2.0-{arm}.zip"
  InstallerSha256: "{}"
  NestedInstallerFiles:
  - RelativeFilePath: "hello-tool-1.2.0-{arm}\\hello.exe"
    PortableCommandAlias: "hello"
  - RelativeFilePath: "hello-tool-1.2.0-{arm}\\hello-admin.exe"
    PortableCommandAlias: "hello-admin"
ManifestType: installer
ManifestVersion: 1.6.0
"#,
        sha(x64),
        sha(arm),
    );
    assert_eq!(text, want);
    // The schema's patterns: ^[A-Fa-f0-9]{64}$ (written uppercase) and an http(s) URL.
    for l in text.lines() {
        if let Some(h) = l.strip_prefix("  InstallerSha256: ") {
            let h: String = serde_json::from_str(h).unwrap();
            assert!(
                h.len() == 64
                    && h.chars()
                        .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c)),
                "{h}"
            );
        }
    }
}

#[test]
fn gnu_zip_serves_when_there_is_no_msvc_one_and_no_zip_writes_nothing() {
    let info = winget_info();
    let gnu: Vec<_> = artifacts()
        .into_iter()
        .filter(|a| a.target.as_deref() == Some("x86_64-pc-windows-gnu"))
        .collect();
    let text = manifests(&info, &gnu)[1].clone().unwrap();
    assert!(text.contains("- Architecture: x64\n  InstallerUrl: \"https://github.com/o/hello/releases/download/v1.2.0/hello-tool-1.2.0-x86_64-pc-windows-gnu.zip\""), "{text}");
    assert_eq!(text.matches("- Architecture:").count(), 1, "{text}");
    // A 32-bit zip is winget's x86, listed after x64.
    let mut x86 = gnu[0].clone();
    x86.target = Some("i686-pc-windows-gnu".into());
    x86.name = x86.name.replace("x86_64", "i686");
    let both = [gnu[0].clone(), x86];
    let text = manifests(&info, &both)[1].clone().unwrap();
    let archs: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("- Architecture: "))
        .collect();
    assert_eq!(archs, ["x64", "x86"], "{text}");
    // Linux and macOS only: no manifest at all (the executor notes the skip).
    let unix: Vec<_> = artifacts()
        .into_iter()
        .filter(|a| !a.target.as_deref().unwrap_or_default().contains("windows"))
        .collect();
    assert_eq!(manifests(&info, &unix), [None, None, None]);
    // A Windows archive that is not a zip is not winget's.
    let mut tar = gnu.clone();
    tar[0].name = tar[0].name.replace(".zip", ".tar.gz");
    assert_eq!(manifests(&info, &tar), [None, None, None]);
}

#[test]
fn file_names_follow_wingets_layout() {
    assert_eq!(
        winget_file_names("o.hello-tool"),
        [
            "o.hello-tool.yaml",
            "o.hello-tool.installer.yaml",
            "o.hello-tool.locale.en-US.yaml"
        ]
    );
    assert!(is_identifier("o.hello-tool"));
    assert!(!is_identifier("hello-tool"));
    assert!(!is_identifier("my org.tool"));
}

/// No Cargo.toml value adds a field or an entry: a description with newlines, `: `, `#`,
/// quotes and a YAML document marker stays one ShortDescription, read back as written.
#[test]
fn hostile_metadata_cannot_add_fields_to_the_manifests() {
    let mut info = winget_info();
    let hostile = "x\nLicense: evil\n---\n- Architecture: x86 # \"'\\ \u{7}";
    info.description = Some(hostile.into());
    info.license = Some("MIT\nPublisher: evil".into());
    let texts: Vec<String> = manifests(&info, &artifacts())
        .into_iter()
        .map(Option::unwrap)
        .collect();
    let locale = fields(&texts[2]);
    assert_eq!(field(&locale, "ShortDescription"), Some(hostile));
    assert_eq!(field(&locale, "License"), Some("MIT\nPublisher: evil"));
    assert_eq!(field(&locale, "Publisher"), Some("o"));
    for t in &texts {
        assert_eq!(
            t.lines().filter(|l| l.starts_with("ManifestType:")).count(),
            1
        );
        assert!(!t.contains("\n---"), "{t}");
    }
    assert_eq!(locale.len(), 10, "{locale:?}");
}
