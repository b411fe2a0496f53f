//! The file as written. Field names are the file's keys (kebab-case).
use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct File {
    #[serde(default)]
    pub dist: Dist,
    #[serde(default)]
    pub target: Vec<Target>,
    #[serde(default)]
    pub universal: Vec<Universal>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Dist {
    pub packages: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    pub include: Vec<Spanned<String>>,
    /// C headers of a library package (globs like `include`), shipped under `include/`.
    #[serde(default)]
    pub headers: Vec<Spanned<String>>,
    pub profile: Option<String>,
    /// Default toolchain for every target (a `--cargo`/`--rustc` flag wins).
    pub cargo: Option<String>,
    pub rustc: Option<String>,
    /// `true` (default), `false` or `"debuginfo"`; a target's own setting wins.
    pub strip: Option<Spanned<Strip>>,
    /// Parallel jobs for cargo (default: as many as cores and memory allow).
    pub jobs: Option<Spanned<usize>>,
    /// `"separate"`: ship the debug info beside the binaries, in its own archive.
    pub debuginfo: Option<Spanned<String>>,
    /// The smoke run of every target: `false`, `true`, arguments, or a table by binary.
    pub smoke: Option<Spanned<Smoke>>,
    /// `["shell", "powershell", "homebrew", "scoop", "deb", "rpm", "winget"]`.
    pub installers: Option<Spanned<Vec<Spanned<String>>>>,
    /// Where the installers download archives from: `…{tag}…{file}…`.
    pub download_url: Option<Spanned<String>>,
    /// `Name <mail>` for the native packages (default: Cargo.toml's `authors`).
    pub maintainer: Option<String>,
    /// The archive formats of every target without its own `archive` (Windows: zip).
    pub formats: Option<Spanned<Vec<Spanned<String>>>>,
    /// The template of archive names, e.g. "{name}-{version}-{target}".
    pub archive_name: Option<Spanned<String>>,
    /// Also write each archive as `{name}-{target}.ext`, for stable download links.
    pub unversioned_copy: Option<bool>,
    /// `dist --compare` warns when a binary or archive grew by more: `"10%"`.
    pub size_warn: Option<Spanned<toml::Value>>,
    /// `false`: do not measure binaries before stripping (no second link per package).
    pub unstripped_size: Option<bool>,
    /// How many targets build at once: a number, or `"auto"` (memory and cores).
    pub parallel_targets: Option<Spanned<toml::Value>>,
    /// `"auto"` (default), `"sccache"` or `"none"`: the compiler cache builds go through.
    pub cache: Option<Spanned<String>>,
    /// `true`: the release workflow publishes the Node modules' npm packages.
    pub npm_publish: Option<bool>,
    /// `true`: each build job of the release workflow runs `test --target T` before `dist`
    /// (every target without its own `test`).
    pub test: Option<bool>,
    /// `"OWNER/homebrew-tap"`: the release workflow pushes the Homebrew formulas there.
    pub homebrew_tap: Option<Spanned<String>>,
    /// The publisher of the winget manifests: `{publisher}.{package}` is the identifier.
    pub winget_publisher: Option<Spanned<String>>,
    /// `true`: also write `NAME-VERSION-src.tar.gz`, the commit's tracked files.
    pub source_archive: Option<bool>,
    /// `true`: the release workflow rebuilds one target on a second runner and compares it
    /// with the merged release (`verify`) before publishing.
    pub verify: Option<bool>,
    /// `"minisign"` or `"gpg"`: sign SHA256SUMS with the key in the environment.
    pub sign: Option<Spanned<String>>,
    /// `true`: a CycloneDX SBOM per package and target (`NAME-VERSION-TARGET.cdx.json`);
    /// a target's own setting wins.
    pub sbom: Option<bool>,
    /// `true`: each binary carries its dependency list as cargo-auditable does (`.dep-v0`);
    /// a target's own setting wins.
    pub auditable: Option<bool>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(untagged)]
pub enum Strip {
    Enabled(bool),
    Mode(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Target {
    pub triple: Spanned<String>,
    #[serde(default)]
    pub features: Vec<String>,
    #[serde(default)]
    pub no_default_features: bool,
    pub linker: Option<String>,
    pub runner: Option<Vec<String>>,
    pub archive: Option<Spanned<String>>,
    pub cargo: Option<String>,
    pub rustc: Option<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    pub smoke: Option<Spanned<Smoke>>,
    #[serde(default)]
    pub build_std: bool,
    pub builder: Option<Spanned<String>>,
    #[serde(default)]
    pub rustflags: Vec<String>,
    pub github_runner: Option<String>,
    pub strip: Option<Spanned<Strip>>,
    /// The C compiler and archiver for this target's C code (the `cc` crate's
    /// `CC_<triple>`/`AR_<triple>`); derived from `linker` when unset.
    pub cc: Option<String>,
    pub ar: Option<String>,
    /// The oldest glibc the binaries must run on (`"2.17"`): built with cargo-zigbuild
    /// against that version. Also written as a triple suffix (`….2.17`).
    pub glibc: Option<Spanned<String>>,
    pub debuginfo: Option<Spanned<String>>,
    pub sbom: Option<bool>,
    pub auditable: Option<bool>,
    /// `true`: this target's build job runs its tests before `dist` (`[dist]`'s otherwise).
    pub test: Option<bool>,
}

/// `smoke = false`, `smoke = ["--help"]`, or `smoke = { admin = false, other = ["--help"] }`.
#[derive(Debug, Deserialize, Clone)]
#[serde(untagged)]
pub enum Smoke {
    Args(Vec<String>),
    Enabled(bool),
    PerBinary(BTreeMap<String, SmokeRun>),
}

/// One binary's entry of a `smoke` table: `false`, `true` or its arguments.
#[derive(Debug, Deserialize, Clone)]
#[serde(untagged)]
pub enum SmokeRun {
    Args(Vec<String>),
    Enabled(bool),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Universal {
    pub name: Spanned<String>,
    pub targets: Vec<Spanned<String>>,
    pub keep_thin: Option<bool>,
    pub tool: Option<Spanned<String>>,
}
