//! `installers` in targets.toml: the ways a user installs a release, and the file each
//! script installer writes. Shared by the config reader, the planner and `package/installer`.

use serde::{Deserialize, Serialize};

/// One way a user installs the release (`installers` in targets.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Installer {
    /// `{name}-installer.sh`: `curl … | sh` on Linux and macOS.
    Shell,
    /// `{name}-installer.ps1`: `irm … | iex` on Windows.
    Powershell,
    /// `{name}.rb`: a Homebrew formula.
    Homebrew,
    /// `{name}.json`: a Scoop manifest.
    Scoop,
    /// A `.deb` per Linux archive (`package/native`).
    Deb,
    /// An `.rpm` per Linux archive (`package/native`).
    Rpm,
    /// The three winget manifests of a package (see [`winget_file_names`]).
    Winget,
}

impl Installer {
    pub const ALL: [Installer; 7] = [
        Installer::Shell,
        Installer::Powershell,
        Installer::Homebrew,
        Installer::Scoop,
        Installer::Deb,
        Installer::Rpm,
        Installer::Winget,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Installer::Shell => "shell",
            Installer::Powershell => "powershell",
            Installer::Homebrew => "homebrew",
            Installer::Scoop => "scoop",
            Installer::Deb => "deb",
            Installer::Rpm => "rpm",
            Installer::Winget => "winget",
        }
    }

    pub fn parse(s: &str) -> Option<Installer> {
        Installer::ALL.into_iter().find(|i| i.name() == s)
    }

    /// The one file a script installer writes for `package`; `None` for the native
    /// packages, which are one file per target, and for winget, whose three files are
    /// named after its PackageIdentifier ([`winget_file_names`]).
    pub fn file_name(self, package: &str) -> Option<String> {
        match self {
            Installer::Shell => Some(format!("{package}-installer.sh")),
            Installer::Powershell => Some(format!("{package}-installer.ps1")),
            Installer::Homebrew => Some(format!("{package}.rb")),
            Installer::Scoop => Some(format!("{package}.json")),
            Installer::Deb | Installer::Rpm | Installer::Winget => None,
        }
    }

    /// The platforms whose archives this installer offers, for messages.
    pub fn platforms(self) -> &'static str {
        match self {
            Installer::Shell | Installer::Homebrew => "Linux or macOS",
            Installer::Powershell | Installer::Scoop | Installer::Winget => "Windows",
            Installer::Deb | Installer::Rpm => "Linux",
        }
    }

    /// Does this installer download archives from the release (and so need its URL)?
    /// The native packages carry their files; the scripts, formula and manifest fetch them.
    pub fn downloads(self) -> bool {
        match self {
            Installer::Shell
            | Installer::Powershell
            | Installer::Homebrew
            | Installer::Scoop
            | Installer::Winget => true,
            Installer::Deb | Installer::Rpm => false,
        }
    }

    /// The comma-separated list of valid values, for messages.
    pub fn valid_list() -> String {
        let names: Vec<String> = Installer::ALL
            .iter()
            .map(|i| format!("\"{}\"", i.name()))
            .collect();
        names.join(", ")
    }
}

/// The three winget manifests of the package `identifier` (`Publisher.Name`), in winget's
/// own layout: the version manifest, the installer manifest, the default locale's (en-US).
pub fn winget_file_names(identifier: &str) -> [String; 3] {
    [
        format!("{identifier}.yaml"),
        format!("{identifier}.installer.yaml"),
        format!("{identifier}.locale.en-US.yaml"),
    ]
}

/// Whether `s` may be one dot-separated part of a winget PackageIdentifier (1 to 32
/// characters, none of `.`, white space, control characters or `\ / : * ? " < > |`).
pub fn is_winget_segment(s: &str) -> bool {
    (1..=32).contains(&s.chars().count())
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || ".\\/:*?\"<>|".contains(c))
}
