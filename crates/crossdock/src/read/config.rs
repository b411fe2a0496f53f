//! `targets.toml`: the release matrix, read strictly.
//!
//! Two layers: [`raw`] mirrors the file (serde, kebab-case, `deny_unknown_fields`, spans
//! kept for the values later checks complain about), and [`Config`] is the checked form
//! the planner consumes. Every error names the file, line and key, and suggests the
//! nearest known key for a typo. Facts that need the outside world (is this triple known
//! to rustc? is this package in the workspace?) are checked by the planner, which still
//! reports them with the line they came from, using [`Config::locate`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::model::archive::ArchiveFormat;
use crate::model::builder::Builder;
use crate::model::installer::Installer;
use crate::model::strip::Strip;
use crate::model::triple::Triple;
pub use crate::read::archive_name::{ArchiveName, Naming};
use crate::read::words::{is_plain_word, nearest};

/// The archive formats, as an error message lists them.
const FORMATS_EXPECTED: &str = "\"tar.gz\", \"tar.xz\", \"tar.zst\" or \"zip\"";

/// The file name looked up at the workspace root when `--config` is not given.
pub const FILE_NAME: &str = "targets.toml";

/// A minimal file, shown when none exists.
pub const MINIMAL_EXAMPLE: &str = r#"[dist]
packages = ["my-app"]          # default: every member with a binary target

[[target]]
triple = "x86_64-unknown-linux-gnu"
"#;

mod check;
pub mod raw;

/// `cache` in [dist]: the compiler cache that wraps rustc (`RUSTC_WRAPPER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cache {
    /// sccache when it is on PATH and the user set no rustc wrapper of their own.
    Auto,
    /// sccache, always: a missing sccache is a problem of the plan.
    Sccache,
    /// No cache, whatever is installed.
    None,
}

impl Cache {
    pub fn name(self) -> &'static str {
        match self {
            Cache::Auto => "auto",
            Cache::Sccache => "sccache",
            Cache::None => "none",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LipoTool {
    Auto,
    Builtin,
    Lipo,
    LlvmLipo,
}

/// Where a value came from in the file, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl From<std::ops::Range<usize>> for Span {
    fn from(r: std::ops::Range<usize>) -> Self {
        Span {
            start: r.start,
            end: r.end,
        }
    }
}

/// The smoke run of a target's binaries, as targets.toml sets it: `default` for every binary
/// (`None`: off), and per binary name (from a `smoke = { name = … }` table) the arguments
/// or `None` (off), with where the name was written so the planner can point at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smoke {
    pub default: Option<Vec<String>>,
    pub binaries: BTreeMap<String, (Option<Vec<String>>, Span)>,
}

impl Default for Smoke {
    fn default() -> Smoke {
        Smoke {
            default: Some(vec!["--version".to_string()]),
            binaries: BTreeMap::new(),
        }
    }
}

impl Smoke {
    /// The arguments of `binary`'s smoke run; `None` when it is off.
    pub fn args(&self, binary: &str) -> Option<&[String]> {
        match self.binaries.get(binary) {
            Some((args, _)) => args.as_deref(),
            None => self.default.as_deref(),
        }
    }

    /// A target's setting over `[dist]`'s: a table adds to (and overrides, binary by binary)
    /// `[dist]`'s, `false`/`true`/arguments replace it.
    fn over(self, dist: &Smoke, is_table: bool) -> Smoke {
        if !is_table {
            return self;
        }
        let mut binaries = dist.binaries.clone();
        binaries.extend(self.binaries);
        Smoke {
            default: dist.default.clone(),
            binaries,
        }
    }
}

/// Which file a target's key came from, for the messages that tell the user to change it:
/// the shared config (`targets.toml`, or the file `--config` names) or this machine's
/// overlay (`targets.local.toml`) for the keys that set them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sources {
    /// The shared config's file name.
    pub shared: String,
    /// The overlay's file name and the keys it set for this target (`[dist]` `cargo`/`rustc`
    /// count as the target's own).
    pub local: Option<(String, std::collections::BTreeSet<String>)>,
}

impl Sources {
    /// A file's name as messages show it (`targets.toml`, `crossdock.toml`).
    pub fn name_of(path: &Path) -> String {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string())
    }

    /// The file that set `key` for the target, or (not set anywhere) the shared one, where
    /// a new setting goes.
    pub fn file(&self, key: &str) -> &str {
        match &self.local {
            Some((name, keys)) if keys.contains(key) => name,
            _ => &self.shared,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Target {
    pub triple: Triple,
    /// Which file set which of its keys.
    pub sources: Sources,
    pub span: Span,
    pub features: Vec<String>,
    pub no_default_features: bool,
    pub linker: Option<String>,
    pub runner: Option<Vec<String>>,
    /// One archive per format, in this order: the target's `archive`, else Windows' zip,
    /// else `[dist] formats` (default tar.gz).
    pub formats: Vec<ArchiveFormat>,
    pub cargo: Option<String>,
    pub rustc: Option<String>,
    pub env: BTreeMap<String, String>,
    /// The smoke run of each binary (`[dist] smoke` with this target's `smoke` over it).
    pub smoke: Smoke,
    pub build_std: bool,
    pub builder: Builder,
    pub rustflags: Vec<String>,
    pub github_runner: Option<String>,
    pub strip: Strip,
    /// `cc`/`ar` from targets.toml: the C toolchain for build scripts (see `plan::c_toolchain`).
    pub cc: Option<String>,
    pub ar: Option<String>,
    /// `glibc = "2.17"` (or the triple suffix `.2.17`): the glibc floor the binaries are
    /// built against (cargo-zigbuild) and checked for.
    pub glibc: Option<String>,
    /// `debuginfo = "separate"`: the build keeps debug info, which is split into
    /// `{archive stem}-debuginfo.tar.gz`; the shipped binary is stripped as `strip` says.
    pub separate_debuginfo: bool,
    /// `sbom = true` (or `[dist]`'s): a CycloneDX SBOM of each package's binaries for this
    /// target, from the dependency graph resolved for it and its features.
    pub sbom: bool,
    /// `auditable = true` (or `[dist]`'s): each binary carries its dependency list in a
    /// `.dep-v0` section, as cargo-auditable writes it (ELF targets).
    pub auditable: bool,
    /// `test = true` (its own, else `[dist]`'s): the release workflow's build job runs this
    /// target's tests (`test --target T`) before `dist`, and a failure stops the target.
    pub test: bool,
}

#[derive(Debug, Clone)]
pub struct Universal {
    pub name: String,
    pub span: Span,
    pub targets: Vec<(Triple, Span)>,
    pub keep_thin: bool,
    pub tool: LipoTool,
}

/// `parallel-targets` in [dist]: how many targets may build at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParallelTargets {
    Count(usize),
    /// As many as memory (about 1.5 GiB per job) and cores allow.
    Auto,
}

/// The checked configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub path: PathBuf,
    pub source: String,
    pub packages: Option<Vec<(String, Span)>>,
    pub include: Vec<(String, Span)>,
    /// `headers` in [dist]: the C headers a package that ships a library ships beside it.
    pub headers: Vec<(String, Span)>,
    pub profile: Option<String>,
    /// `jobs` in [dist].
    pub jobs: Option<usize>,
    /// `size-warn` in [dist], in percent: the growth `dist --compare` warns about.
    pub size_warn: Option<f64>,
    /// `unstripped-size` in [dist] (default true): measure each binary before stripping.
    pub unstripped_size: bool,
    /// `parallel-targets` in [dist]; none: one target at a time.
    pub parallel_targets: Option<ParallelTargets>,
    /// `cache` in [dist]: which compiler cache wraps rustc.
    pub cache: Cache,
    /// `npm-publish` in [dist] (default false): the release workflow `init` writes gets a job
    /// that publishes the npm packages of dist/ (`publish-npm`).
    pub npm_publish: bool,
    /// `homebrew-tap = "OWNER/REPO"`: the release workflow's `homebrew` job pushes the
    /// formulas of dist/ to that repository's `Formula/`.
    pub homebrew_tap: Option<String>,
    /// `winget-publisher` in [dist]: the first part of the winget PackageIdentifier
    /// (`{publisher}.{package}`) and the manifests' Publisher; checked as one part.
    pub winget_publisher: Option<String>,
    /// `source-archive` in [dist] (default false): `dist` also writes
    /// `NAME-VERSION-src.tar.gz`, the tracked files of the commit it builds.
    pub source_archive: bool,
    /// `verify` in [dist] (default false): the release workflow `init` writes gets a job
    /// that rebuilds a target native to its runner from the tagged commit on another runner
    /// and compares it with the merged dist/ (`verify`); publishing waits for it.
    pub verify: bool,
    /// `sign` in [dist]: how SHA256SUMS of a whole release is signed (`dist` of the whole
    /// matrix, `merge`).
    pub sign: Option<crate::model::sign::Sign>,
    pub cargo: Option<String>,
    pub rustc: Option<String>,
    pub targets: Vec<Target>,
    pub universals: Vec<Universal>,
    /// `archive-name` and `unversioned-copy` in [dist].
    pub naming: Naming,
    /// Where `archive-name` is written (for the planner's collision error).
    pub archive_name_span: Option<Span>,
    /// Every binary name of a `smoke` table: the target's triple (`None`: `[dist]`), the
    /// name, where it is written. The planner checks them against the workspace.
    pub smoke_tables: Vec<(Option<String>, String, Span)>,
    /// `installers` in [dist], in the order written, without repeats; the span is the list's.
    pub installers: Vec<Installer>,
    pub installers_span: Span,
    /// `download-url` in [dist], checked: a URL with `{file}` and known placeholders only.
    pub download_url: Option<(String, Span)>,
    pub maintainer: Option<String>,
}

/// An error located in targets.toml. Printed as `path:line:col: message`.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.path.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

impl std::error::Error for ConfigError {}

/// A file that is valid TOML but another tool's (cross-rs's `[target.TRIPLE]` tables, say):
/// none of crossdock's keys, and keys crossdock does not know at the top.
#[derive(Debug)]
pub struct ForeignConfig {
    pub path: PathBuf,
    /// The keys that tell (`[target.x86_64-unknown-linux-gnu]`, `[build]`, `` `image` ``).
    pub keys: Vec<String>,
}

impl fmt::Display for ForeignConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown: Vec<&str> = self.keys.iter().take(3).map(String::as_str).collect();
        let more = match self.keys.len().saturating_sub(3) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        write!(
            f,
            "{} does not look like a crossdock matrix: it has {}{more} and none of crossdock's \
             [dist], [[target]] or [[universal]], so it probably belongs to another tool \
             (cross-rs reads [target.TRIPLE] tables from its own file). Leave it as it is: put \
             crossdock's matrix in another file and pass --config PATH to dist, doctor and matrix \
             (`cargo crossdock init --config crossdock.toml` writes a starter one there)",
            self.path.display(),
            shown.join(", "),
        )
    }
}

impl std::error::Error for ForeignConfig {}

/// When `source` is TOML with none of crossdock's top-level keys in crossdock's shape
/// (`[dist]` a table, `[[target]]` and `[[universal]]` arrays of tables) but other keys
/// (or `target` as a table of triples, as cross-rs writes it), those keys.
pub fn foreign_keys(source: &str) -> Option<Vec<String>> {
    let t: toml::Table = source.parse().ok()?;
    let ours = t.get("dist").is_some_and(toml::Value::is_table)
        || t.get("target").is_some_and(toml::Value::is_array)
        || t.get("universal").is_some_and(toml::Value::is_array);
    if ours {
        return None;
    }
    let mut keys = Vec::new();
    for (k, v) in &t {
        match (k.as_str(), v) {
            ("target", toml::Value::Table(triples)) => {
                keys.extend(triples.keys().map(|tr| format!("[target.{tr}]")))
            }
            ("dist" | "target" | "universal", _) => {}
            (k, toml::Value::Table(_)) => keys.push(format!("[{k}]")),
            (k, _) => keys.push(format!("`{k}`")),
        }
    }
    (!keys.is_empty()).then_some(keys)
}

impl Config {
    pub fn load(path: &Path) -> Result<Config> {
        // A targets.toml is a few kilobytes; 4 MiB is far past any real matrix.
        let source = match crate::sys::fs::read_input(path, 4 << 20) {
            Ok(bytes) => utf8_or_located(path, bytes)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
                "{} not found: crossdock reads the release matrix from it.\n\
                 Create it at the workspace root (or pass --config PATH); a minimal one:\n\n{}",
                path.display(),
                MINIMAL_EXAMPLE
            ),
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read {}", path.display()));
            }
        };
        Config::parse(path, &source)
    }

    pub fn parse(path: &Path, source: &str) -> Result<Config> {
        let file: raw::File = match toml::from_str(source) {
            Ok(f) => f,
            Err(e) => {
                if let Some(keys) = foreign_keys(source) {
                    return Err(ForeignConfig {
                        path: path.to_path_buf(),
                        keys,
                    }
                    .into());
                }
                let span = e.span().map(Span::from).unwrap_or_default();
                let message = explain_toml_error(e.message());
                return Err(locate_at(path, source, span, message).into());
            }
        };
        let cfg = Config {
            path: path.to_path_buf(),
            source: source.to_string(),
            packages: None,
            include: Vec::new(),
            headers: Vec::new(),
            profile: None,
            jobs: None,
            size_warn: None,
            unstripped_size: true,
            parallel_targets: None,
            cache: Cache::Auto,
            npm_publish: false,
            homebrew_tap: None,
            winget_publisher: None,
            source_archive: false,
            verify: false,
            sign: None,
            cargo: None,
            rustc: None,
            targets: Vec::new(),
            universals: Vec::new(),
            naming: Naming::default(),
            archive_name_span: None,
            smoke_tables: Vec::new(),
            installers: Vec::new(),
            installers_span: Span::default(),
            download_url: None,
            maintainer: None,
        };
        cfg.check(file)
    }

    /// An error pointing at `span` in this file.
    pub fn error(&self, span: Span, message: String) -> anyhow::Error {
        self.located(span, message).into()
    }

    /// [`Config::error`], typed.
    pub fn located(&self, span: Span, message: String) -> ConfigError {
        locate_at(&self.path, &self.source, span, message)
    }

    pub fn target(&self, triple: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.triple == triple)
    }
}

fn spanned(s: toml::Spanned<String>) -> (String, Span) {
    let span = Span::from(s.span());
    (s.into_inner(), span)
}

pub(crate) fn locate_at(path: &Path, source: &str, span: Span, message: String) -> ConfigError {
    let (line, column) = line_col(source, span.start);
    ConfigError {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

/// 1-based line and column of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

/// Rewrites serde's "unknown field `x`, expected one of `a`, `b`" into our words, with the
/// nearest known key.
pub(crate) fn explain_toml_error(message: &str) -> String {
    let message = message.trim();
    if let Some(rest) = message.strip_prefix("unknown field `") {
        if let Some((field, expected)) = rest.split_once('`') {
            let known: Vec<&str> = expected
                .split('`')
                .skip(1)
                .step_by(2)
                .filter(|s| !s.is_empty())
                .collect();
            let mut out = format!("unknown key `{field}`");
            if let Some(best) = nearest(field, &known) {
                out.push_str(&format!("; did you mean `{best}`?"));
            }
            if !known.is_empty() {
                out.push_str(&format!(" (known keys here: {})", known.join(", ")));
            }
            return out;
        }
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        if let Some((field, _)) = rest.split_once('`') {
            return format!("missing key `{field}`");
        }
    }
    if message.contains("untagged enum Smoke") {
        return "key `smoke`: expected true, false, a list of arguments, or a table of binary names (`{ admin = false, other = [\"--help\"] }`)".to_string();
    }
    if message.contains("untagged enum SmokeRun") {
        return "key `smoke`: a binary's entry is true, false or a list of arguments".to_string();
    }
    message.replace("invalid type", "wrong type")
}

/// The file as text, or an error at the line and column of its first byte that is not
/// UTF-8 (TOML files are UTF-8).
fn utf8_or_located(path: &Path, bytes: Vec<u8>) -> Result<String> {
    match String::from_utf8(bytes) {
        Ok(s) => Ok(s),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let before = &bytes[..at];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&before[line_start..])
                .chars()
                .count()
                + 1;
            bail!(
                "{}:{line}:{column}: byte 0x{:02x} is not UTF-8; TOML files are UTF-8: save it as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
                path.display(),
                bytes[at]
            )
        }
    }
}

#[cfg(all(test, unix))]
mod docs_tests;
#[cfg(test)]
mod tests;
