//! Installers: the scripts and package-manager manifests that turn a release's archives
//! into a command on the user's machine (`{name}-installer.sh`, `{name}-installer.ps1`,
//! a Homebrew formula, a Scoop manifest). Each renderer is a pure function of a
//! [`Release`]: what the plan knew about the package ([`InstallerRelease`]) plus every
//! archive of it in the finished out dir, with its URL and SHA-256. Script bodies are
//! templates under `crates/crossdock/templates/installer/`, filled by [`fill`].

use crate::model::installer::Installer;
use crate::model::triple::Triple;
use crate::package::manifest::{ArtifactEntry, ArtifactKind};
use crate::plan::installers::InstallerFile;
use crate::plan::InstallerRelease;

mod homebrew;
mod powershell;
mod scoop;
mod shell;
pub mod winget;

/// One package's release, as its installers see it.
#[derive(Debug, Clone)]
pub struct Release<'a> {
    pub info: &'a InstallerRelease,
    /// Sorted by file name.
    pub archives: Vec<ReleaseArchive>,
}

/// One archive of the release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseArchive {
    /// The triple, or the universal group's name.
    pub target: String,
    /// The member triples of a universal archive.
    pub members: Vec<String>,
    pub file_name: String,
    pub url: String,
    pub sha256: String,
    /// The binaries' paths inside the archive (`{top}/app`, `{top}/app.exe`).
    pub binaries: Vec<String>,
}

/// The operating system and CPU an archive runs on, as the installers tell them apart.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Platform {
    /// `cpu` as [`Triple::cpu`] names it; `musl`: statically linked, runs on any libc.
    Linux {
        cpu: String,
        musl: bool,
    },
    MacOs {
        cpu: String,
    },
    /// A fat Mach-O archive: every Mac.
    MacOsUniversal,
    Windows {
        cpu: String,
        msvc: bool,
    },
}

impl Platform {
    /// The key the shell installer's table uses (`linux-x86_64-gnu`, `macos-universal`).
    pub fn shell_key(&self) -> Option<String> {
        match self {
            Platform::Linux { cpu, musl } => Some(format!(
                "linux-{cpu}-{}",
                if *musl { "musl" } else { "gnu" }
            )),
            Platform::MacOs { cpu } => Some(format!("macos-{cpu}")),
            Platform::MacOsUniversal => Some("macos-universal".into()),
            Platform::Windows { .. } => None,
        }
    }
}

impl ReleaseArchive {
    pub fn platform(&self) -> Option<Platform> {
        if !self.members.is_empty() {
            let apple = self.members.iter().all(|m| Triple::new(m).is_apple());
            return apple.then_some(Platform::MacOsUniversal);
        }
        let t = Triple::new(&self.target);
        let cpu = t.cpu()?.0.to_string();
        if t.is_linux() {
            Some(Platform::Linux {
                cpu,
                musl: t.is_musl(),
            })
        } else if t.is_apple() && !t.is_ios() {
            Some(Platform::MacOs { cpu })
        } else if t.is_windows() {
            Some(Platform::Windows {
                cpu,
                msvc: t.is_msvc(),
            })
        } else {
            None
        }
    }
}

impl<'a> Release<'a> {
    /// The release of `info`'s package from the entries of the finished manifest: every
    /// archive (thin or universal) of that package and version.
    pub fn new(info: &'a InstallerRelease, artifacts: &[ArtifactEntry]) -> Release<'a> {
        let mut archives: Vec<ReleaseArchive> = artifacts
            .iter()
            .filter(|a| matches!(a.kind, ArtifactKind::Archive | ArtifactKind::Universal))
            .filter(|a| {
                a.package.as_deref() == Some(info.package.as_str())
                    && a.version.as_deref() == Some(info.version.as_str())
            })
            .map(|a| ReleaseArchive {
                target: a.target.clone().unwrap_or_default(),
                members: a.members.clone(),
                file_name: a.name.clone(),
                url: info.download_url.replace("{file}", &a.name),
                sha256: a.sha256.clone(),
                // Installers put programs on PATH; a library's files stay in the archive.
                binaries: a
                    .binaries
                    .iter()
                    .filter(|b| b.kind.is_binary())
                    .map(|b| b.path.clone())
                    .collect(),
            })
            .collect();
        archives.sort_by(|a, b| a.file_name.cmp(&b.file_name));
        Release { info, archives }
    }

    /// The archives an installer can tell apart, each with its platform, in platform order.
    fn platforms(&self) -> Vec<(Platform, &ReleaseArchive)> {
        let mut out: Vec<(Platform, &ReleaseArchive)> = self
            .archives
            .iter()
            .filter_map(|a| Some((a.platform()?, a)))
            .collect();
        out.sort_by(|(p, a), (q, b)| p.cmp(q).then(a.file_name.cmp(&b.file_name)));
        out
    }

    /// The first archive (by platform order, then name) on a platform `want` accepts.
    fn find(&self, want: impl Fn(&Platform) -> bool) -> Option<&ReleaseArchive> {
        self.platforms()
            .into_iter()
            .find(|(p, _)| want(p))
            .map(|(_, a)| a)
    }
}

/// The text of `kind`'s file for `release`; `None` when the release has no archive for the
/// platforms it installs on (a run whose Windows target was skipped writes no Scoop
/// manifest), and for the native packages, which are not scripts (`package/native`).
pub fn render(kind: Installer, release: &Release) -> Option<String> {
    match kind {
        Installer::Shell => shell::render(release),
        Installer::Powershell => powershell::render(release),
        Installer::Homebrew => homebrew::render(release),
        Installer::Scoop => scoop::render(release),
        Installer::Deb | Installer::Rpm | Installer::Winget => None,
    }
}

/// The text of the installer file `file` for `release`, as [`render`] (winget, which
/// writes three files, by the file's name).
pub fn render_file(file: &InstallerFile, release: &Release) -> Option<String> {
    match file.kind {
        Installer::Winget => winget::render(release, &file.file_name),
        kind => render(kind, release),
    }
}

/// The environment variable the script installers take their directory from, named after
/// the package (`hyperfine` → `HYPERFINE_INSTALL_DIR`: ASCII letters upper-cased, anything
/// else `_`); `CROSSDOCK_INSTALL_DIR` stays their fallback (issue 23 §18).
pub fn install_dir_variable(package: &str) -> String {
    app_variable(package, "_INSTALL_DIR")
}

/// The environment variable that, set to `1`, keeps the shell installer from adding the
/// install dir to a profile file (`hyperfine` → `HYPERFINE_NO_MODIFY_PATH`), as
/// `--no-modify-path` does.
pub fn no_modify_path_variable(package: &str) -> String {
    app_variable(package, "_NO_MODIFY_PATH")
}

/// `package` as a variable name (see `install_dir_variable`) followed by `suffix`.
fn app_variable(package: &str, suffix: &str) -> String {
    let mut v: String = package
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if !v.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        v.insert(0, '_');
    }
    v + suffix
}

/// Whether the file of `kind` is a script a user runs directly (mode 0755).
pub fn is_executable(kind: Installer) -> bool {
    kind == Installer::Shell
}

/// `template` with every `{{KEY}}` replaced by its value, in one pass (a value is never
/// searched for placeholders). The templates are part of crossdock: a placeholder without
/// a value, or a value without its placeholder, is a bug the unit tests catch.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut used = vec![false; values.len()];
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let key_and_more = &rest[open + 2..];
        let close = key_and_more.find("}}");
        let key = close.map(|c| &key_and_more[..c]);
        match key.filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        {
            Some(key) => {
                let i = values
                    .iter()
                    .position(|(k, _)| *k == key)
                    .unwrap_or_else(|| panic!("installer template: no value for {{{{{key}}}}}"));
                used[i] = true;
                out.push_str(&rest[..open]);
                out.push_str(values[i].1);
                rest = &key_and_more[key.len() + 2..];
            }
            // Not a placeholder: keep one brace and look again from the next, so that
            // `${{{KEY}}}` (a shell variable named by a value) fills.
            None => {
                out.push_str(&rest[..open + 1]);
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    if let Some(i) = used.iter().position(|u| !u) {
        panic!("installer template: {{{{{}}}}} is not used", values[i].0);
    }
    out
}

#[cfg(test)]
pub(crate) mod tests;
