//! Which installers a run writes, and everything they say about each package that is
//! known before building: the release tag, the download URL, the package's description,
//! its binaries and the command that tests them. The archives' names and hashes are added
//! at the end of the run (`exec::pack::finish`), by `dist` and `merge` alike, so this part
//! is also recorded in the manifest, where `merge` finds it.

use serde::{Deserialize, Serialize};

use anyhow::Result;

use crate::read::config::Config;

use crate::model::installer::Installer;
use crate::model::installer::{is_winget_segment, winget_file_names};
use crate::model::triple::Triple;
use crate::read::installers::{fill_release, github_download_url, github_owner, maintainer};
use crate::read::select::tag_name;
use crate::read::workspace::Package;

/// One installer file a run writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct InstallerFile {
    pub kind: Installer,
    /// `{package}-installer.sh`, `{package}-installer.ps1`, `{package}.rb`, `{package}.json`.
    pub file_name: String,
}

/// What the installers of one package know before the archives exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct InstallerRelease {
    pub package: String,
    pub version: String,
    /// The release tag the archives are uploaded under (`v1.2.3` or `{package}-v1.2.3`).
    pub tag: String,
    /// Where an archive is downloaded from, with `{file}` standing for its name; empty
    /// when no installer downloads (only `.deb`/`.rpm`) and none is known (issue 23 §6).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub download_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub homepage: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// The cargo `[[bin]]` names the installers put on PATH.
    pub binaries: Vec<String>,
    /// Each binary's smoke arguments (those with the smoke run on), for Homebrew's `test do`.
    pub smoke: Vec<(String, Vec<String>)>,
    pub files: Vec<InstallerFile>,
    /// `deb`/`rpm`: one package per Linux archive of this package, built from the archive.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub native: Vec<Installer>,
    /// `Name <email>` for the native packages (`[dist] maintainer`, else an author).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maintainer: Option<String>,
    /// `winget`: the publisher, first part of the PackageIdentifier `{publisher}.{package}`
    /// (`[dist] winget-publisher`, else the GitHub owner of `repository`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winget_publisher: Option<String>,
}

impl InstallerRelease {
    /// The winget PackageIdentifier, `Publisher.Name`, when winget is asked for.
    pub fn winget_identifier(&self) -> Option<String> {
        let publisher = self.winget_publisher.as_deref()?;
        Some(format!("{publisher}.{}", self.package))
    }
}

/// The installers of `packages` (this run's) as targets.toml asks for them. `shipped` are
/// every package the matrix ships: they decide the tag as `release` does (one shared
/// version: `v{version}`; else `{package}-v{version}`).
pub fn installer_releases(
    config: &Config,
    packages: &[&Package],
    shipped: &[&Package],
) -> Result<Vec<InstallerRelease>> {
    if config.installers.is_empty() {
        return Ok(Vec::new());
    }
    check_platforms(config)?;
    let native: Vec<Installer> = config
        .installers
        .iter()
        .copied()
        .filter(|i| matches!(i, Installer::Deb | Installer::Rpm))
        .collect();
    let shared = shipped.windows(2).all(|w| w[0].version == w[1].version);
    let smoke_target = config
        .targets
        .iter()
        .find(|t| {
            let t = &t.triple;
            t.is_apple() || t.is_linux()
        })
        .or(config.targets.first());
    let mut out = Vec::new();
    // Installers put binaries on PATH: a package that ships only a library has none.
    for p in packages.iter().filter(|p| !p.bins.is_empty()) {
        let tag = tag_name((!shared).then_some(p.name.as_str()), &p.version);
        let template = match &config.download_url {
            Some((url, _)) => url.clone(),
            None => match p.repository.as_deref().and_then(github_download_url) {
                Some(url) => url,
                // `.deb`/`.rpm` alone carry their files: no URL needed (issue 23 §6).
                None if !config.installers.iter().any(|i| i.downloads()) => String::new(),
                None => {
                    let why = match &p.repository {
                        Some(r) => format!("its `repository` ({r}) is not a GitHub URL"),
                        None => "it has no `repository`".to_string(),
                    };
                    return Err(config.error(
                        config.installers_span,
                        format!(
                            "key `installers`: the installers of `{}` need the URL its archives are downloaded from, and {why} in {}; set `download-url = \"https://…/{{tag}}/{{file}}\"` in [dist], or `repository = \"https://github.com/OWNER/REPO\"` in that Cargo.toml",
                            p.name,
                            p.manifest_dir.join("Cargo.toml").display()
                        ),
                    ));
                }
            },
        };
        let smoke = p
            .bins
            .iter()
            .filter_map(|b| {
                let args = smoke_target?.smoke.args(b)?;
                Some((b.clone(), args.to_vec()))
            })
            .collect();
        let winget_publisher = if config.installers.contains(&Installer::Winget) {
            Some(winget_publisher(config, p)?)
        } else {
            None
        };
        let files = config
            .installers
            .iter()
            .flat_map(|&kind| {
                let names: Vec<String> = match (kind, &winget_publisher) {
                    (Installer::Winget, Some(publisher)) => {
                        winget_file_names(&format!("{publisher}.{}", p.name)).into()
                    }
                    _ => kind.file_name(&p.name).into_iter().collect(),
                };
                names
                    .into_iter()
                    .map(move |file_name| InstallerFile { kind, file_name })
            })
            .collect();
        let maintainer = if native.is_empty() {
            None
        } else {
            Some(
                maintainer(&p.name, config.maintainer.as_deref(), &p.authors).map_err(|e| {
                    config.error(config.installers_span, format!("key `installers`: {e:#}"))
                })?,
            )
        };
        out.push(InstallerRelease {
            native: native.clone(),
            maintainer,
            download_url: fill_release(&template, &tag, &p.version, &p.name),
            package: p.name.clone(),
            version: p.version.clone(),
            tag,
            description: p.description.as_ref().map(|d| one_line(d)),
            homepage: p.homepage.clone().or_else(|| p.repository.clone()),
            license: p.license.clone(),
            binaries: p.bins.clone(),
            smoke,
            files,
            winget_publisher,
        });
    }
    Ok(out)
}

/// An installer for platforms the matrix does not build would install nothing anywhere.
fn check_platforms(config: &Config) -> Result<()> {
    let triples: Vec<Triple> = config.targets.iter().map(|t| t.triple.clone()).collect();
    for &i in &config.installers {
        let (fits, needs) = match i {
            Installer::Shell | Installer::Homebrew => (
                triples.iter().any(|t| t.is_linux() || t.is_apple()),
                "a Linux or macOS target",
            ),
            Installer::Powershell | Installer::Scoop | Installer::Winget => {
                (triples.iter().any(|t| t.is_windows()), "a Windows target")
            }
            Installer::Deb | Installer::Rpm => {
                (triples.iter().any(|t| t.is_linux()), "a Linux target")
            }
        };
        if !fits {
            return Err(config.error(
                config.installers_span,
                format!(
                    "key `installers`: `{}` needs {needs} in the matrix, and there is none; add one as a [[target]] or remove `{}`",
                    i.name(),
                    i.name()
                ),
            ));
        }
    }
    Ok(())
}

/// The winget publisher of `p`, checked with everything else winget requires of it
/// (a License and a ShortDescription of 3 to 256 characters, a name that is one
/// identifier part); each error names the key to set.
fn winget_publisher(config: &Config, p: &Package) -> Result<String> {
    let cargo_toml = p.manifest_dir.join("Cargo.toml");
    let fail = |what: String| {
        Err(config.error(
            config.installers_span,
            format!(
                "key `installers`: the winget manifests of `{}` {what}",
                p.name
            ),
        ))
    };
    let publisher = match (
        &config.winget_publisher,
        p.repository.as_deref().and_then(github_owner),
    ) {
        (Some(publisher), _) => publisher.clone(),
        (None, Some(owner)) if is_winget_segment(&owner) => owner,
        (None, _) => {
            let why = match &p.repository {
                Some(r) => format!("its `repository` ({r}) is not a GitHub URL"),
                None => "it has no `repository`".to_string(),
            };
            return fail(format!(
                "need a publisher (their PackageIdentifier is `PUBLISHER.{}`), and {why} in {}; set `winget-publisher = \"YourName\"` in [dist], or `repository = \"https://github.com/OWNER/REPO\"` in that Cargo.toml",
                p.name,
                cargo_toml.display()
            ));
        }
    };
    if !is_winget_segment(&p.name) {
        return fail(format!(
            "need the package name as the second part of their PackageIdentifier, and `{}` is longer than winget's 32 characters",
            p.name
        ));
    }
    if p.license
        .as_deref()
        .is_none_or(|l| l.trim().chars().count() < 3)
    {
        return fail(format!(
            "need a License of at least 3 characters, and {} has {}; set `license = \"MIT\"` (an SPDX expression) in it",
            cargo_toml.display(),
            match &p.license {
                Some(l) => format!("`license = {l:?}`"),
                None => "no `license`".to_string(),
            }
        ));
    }
    let description = p.description.as_deref().map(one_line).unwrap_or_default();
    if !(3..=256).contains(&description.chars().count()) {
        return fail(format!(
            "need a ShortDescription of 3 to 256 characters, and the `description` of {} has {}; set `description = \"…\"` in it to one sentence",
            cargo_toml.display(),
            description.chars().count()
        ));
    }
    Ok(publisher)
}

/// Cargo.toml descriptions may span lines; installers show one.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
