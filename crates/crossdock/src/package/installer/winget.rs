//! The three winget manifests of a package (schema 1.6, winget's multi-file layout):
//! `{id}.yaml` (version), `{id}.installer.yaml` (one installer per Windows zip: type zip
//! with the portable binaries inside, their URL and uppercase SHA-256) and
//! `{id}.locale.en-US.yaml` (Publisher, License, ShortDescription), where `{id}` is the
//! PackageIdentifier `Publisher.Name`. Every value is written as a JSON string, which
//! YAML reads as the same double-quoted scalar, so no value can break the structure.

use super::{Platform, Release, ReleaseArchive};

/// The schema version the manifests declare (`ManifestVersion`).
pub const MANIFEST_VERSION: &str = "1.6.0";

fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

/// The manifest's header line and the fields every one of the three starts with.
fn head(kind: &str, identifier: &str, version: &str) -> String {
    format!(
        "# yaml-language-server: $schema=https://aka.ms/winget-manifest.{kind}.{MANIFEST_VERSION}.schema.json\n\nPackageIdentifier: {}\nPackageVersion: {}\n",
        quote(identifier),
        quote(version)
    )
}

fn tail(manifest_type: &str) -> String {
    format!("ManifestType: {manifest_type}\nManifestVersion: {MANIFEST_VERSION}\n")
}

/// The Windows zip archive per winget Architecture (MSVC before GNU, as Scoop picks).
fn installers<'r>(release: &'r Release) -> Vec<(&'static str, &'r ReleaseArchive)> {
    let zip = |cpu: &'static str, msvc: bool| {
        release.find(move |p| matches!(p, Platform::Windows { cpu: c, msvc: m } if c == cpu && *m == msvc))
            .filter(|a| a.file_name.ends_with(".zip"))
    };
    let mut out = Vec::new();
    for (arch, cpu) in [("x64", "x86_64"), ("arm64", "aarch64"), ("x86", "x86")] {
        let a = zip(cpu, true).or_else(|| zip(cpu, false)).or_else(|| {
            // Any zip of that CPU (a tar archive of the same target may sort first).
            release
                .archives
                .iter()
                .filter(|a| a.file_name.ends_with(".zip"))
                .find(
                    |a| matches!(a.platform(), Some(Platform::Windows { cpu: c, .. }) if c == cpu),
                )
        });
        if let Some(a) = a {
            out.push((arch, a));
        }
    }
    out
}

/// The text of the winget manifest `file_name` (one of `winget_file_names`); `None` when
/// the release has no Windows zip archive (nothing for winget to install) or the
/// manifests were not asked for.
pub fn render(release: &Release, file_name: &str) -> Option<String> {
    let info = release.info;
    let id = info.winget_identifier()?;
    let installers = installers(release);
    if installers.is_empty() {
        return None;
    }
    let version = &info.version;
    let text = if file_name.ends_with(".installer.yaml") {
        let mut s = head("installer", &id, version);
        s.push_str("InstallerType: zip\nNestedInstallerType: portable\nInstallers:\n");
        for (arch, a) in installers {
            s.push_str(&format!(
                "- Architecture: {arch}\n  InstallerUrl: {}\n  InstallerSha256: {}\n  NestedInstallerFiles:\n",
                quote(&a.url),
                // Quoted: a hash of digits and one `E` would read as a YAML number.
                quote(&a.sha256.to_ascii_uppercase())
            ));
            for b in &a.binaries {
                // Relative to the archive's root, with Windows separators.
                let alias = b.rsplit('/').next().unwrap_or(b);
                let alias = alias.strip_suffix(".exe").unwrap_or(alias);
                s.push_str(&format!(
                    "  - RelativeFilePath: {}\n    PortableCommandAlias: {}\n",
                    quote(&b.replace('/', "\\")),
                    quote(alias)
                ));
            }
        }
        s + &tail("installer")
    } else if file_name.ends_with(".locale.en-US.yaml") {
        let mut s = head("defaultLocale", &id, version);
        s.push_str("PackageLocale: en-US\n");
        s.push_str(&format!(
            "Publisher: {}\n",
            quote(info.winget_publisher.as_deref()?)
        ));
        s.push_str(&format!("PackageName: {}\n", quote(&info.package)));
        if let Some(h) = info.homepage.as_deref().filter(|h| h.starts_with("http")) {
            s.push_str(&format!("PackageUrl: {}\n", quote(h)));
        }
        s.push_str(&format!(
            "License: {}\n",
            quote(info.license.as_deref().unwrap_or_default())
        ));
        s.push_str(&format!(
            "ShortDescription: {}\n",
            quote(info.description.as_deref().unwrap_or_default())
        ));
        s + &tail("defaultLocale")
    } else {
        let mut s = head("version", &id, version);
        s.push_str("DefaultLocale: en-US\n");
        s + &tail("version")
    };
    Some(text)
}

#[cfg(test)]
pub(crate) mod tests;
