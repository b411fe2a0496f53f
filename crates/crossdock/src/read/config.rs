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
use crate::model::triple::{Format, Triple};
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

#[derive(Debug, Clone)]
pub struct Target {
    pub triple: Triple,
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
        let source = match std::fs::read(path) {
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
            profile: None,
            jobs: None,
            size_warn: None,
            unstripped_size: true,
            parallel_targets: None,
            cache: Cache::Auto,
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

    fn check(mut self, file: raw::File) -> Result<Config> {
        let d = file.dist;
        self.packages = d
            .packages
            .map(|ps| ps.into_iter().map(spanned).collect::<Vec<_>>());
        self.include = d.include.into_iter().map(spanned).collect();
        self.profile = d.profile;
        if let Some(j) = &d.jobs {
            if *j.get_ref() == 0 {
                return Err(self.error(
                    Span::from(j.span()),
                    "key `jobs`: must be at least 1 (leave it out for as many as CPUs and memory allow)".into(),
                ));
            }
        }
        self.jobs = d.jobs.map(|j| j.into_inner());
        self.unstripped_size = d.unstripped_size.unwrap_or(true);
        if let Some(v) = d.parallel_targets {
            let parsed = match v.get_ref() {
                toml::Value::Integer(n) if *n >= 1 => Some(ParallelTargets::Count(
                    usize::try_from(*n).unwrap_or(usize::MAX),
                )),
                toml::Value::String(s) if s == "auto" => Some(ParallelTargets::Auto),
                _ => None,
            };
            self.parallel_targets = Some(parsed.ok_or_else(|| {
                self.error(
                    Span::from(v.span()),
                    "key `parallel-targets`: must be a number of targets built at once (at least 1) or \"auto\" (as many as memory and cores allow); leave it out to build one target at a time".into(),
                )
            })?);
        }
        if let Some(c) = d.cache {
            let span = Span::from(c.span());
            self.cache = match c.get_ref().as_str() {
                "auto" => Cache::Auto,
                "sccache" => Cache::Sccache,
                "none" => Cache::None,
                other => return Err(self.error(
                    span,
                    format!("key `cache`: unknown `{other}`; expected \"auto\" (sccache when it is on PATH), \"sccache\" or \"none\""),
                )),
            };
        }
        if let Some(v) = d.size_warn {
            let percent = v.get_ref().as_str().and_then(super::percent::parse);
            self.size_warn = Some(percent.ok_or_else(|| {
                self.error(
                    Span::from(v.span()),
                    format!(
                        "key `size-warn`: `{}` is not a percentage; write it as a string such as \"10%\" (warn when a binary or archive grew by more than that)",
                        self.source.get(v.span()).unwrap_or("?")
                    ),
                )
            })?);
        }
        self.cargo = d.cargo;
        self.rustc = d.rustc;
        if let Some(list) = d.installers {
            self.installers_span = Span::from(list.span());
            for item in list.into_inner() {
                let span = Span::from(item.span());
                let Some(i) = Installer::parse(item.get_ref()) else {
                    return Err(self.error(
                        span,
                        format!(
                            "key `installers`: unknown installer `{}`; the valid ones are {}",
                            item.get_ref(),
                            Installer::valid_list()
                        ),
                    ));
                };
                if !self.installers.contains(&i) {
                    self.installers.push(i);
                }
            }
        }
        if let Some(url) = d.download_url {
            let span = Span::from(url.span());
            if let Err(why) = crate::read::installers::check_download_url(url.get_ref()) {
                return Err(self.error(span, format!("key `download-url`: {why}")));
            }
            self.download_url = Some((url.into_inner(), span));
        }
        self.maintainer = d.maintainer;
        let default_strip = match d.strip {
            Some(s) => self.strip(s)?,
            None => Strip::Symbols,
        };
        let default_debuginfo = match d.debuginfo {
            Some(v) => self.debuginfo(v)?,
            None => false,
        };
        let default_smoke = match d.smoke {
            Some(s) => self.smoke(s).0,
            None => Smoke::default(),
        };
        self.smoke_tables.extend(
            default_smoke
                .binaries
                .iter()
                .map(|(name, (_, span))| (None, name.clone(), *span)),
        );
        let default_formats = match d.formats {
            None => vec![ArchiveFormat::TarGz],
            Some(list) => self.formats(list)?,
        };
        if let Some(t) = d.archive_name {
            let span = Span::from(t.span());
            self.naming.template = ArchiveName::parse(t.get_ref()).map_err(|why| {
                self.error(
                    span,
                    format!("key `archive-name`: \"{}\" {why}", t.get_ref()),
                )
            })?;
            self.archive_name_span = Some(span);
        }
        self.naming.unversioned_copy = d.unversioned_copy.unwrap_or(false);
        if self.naming.unversioned_copy && !self.naming.template.has_version() {
            return Err(self.error(
                self.archive_name_span.unwrap_or_default(),
                format!("key `unversioned-copy`: archive-name \"{}\" has no {{version}}, so the archives' names are unversioned already; drop `unversioned-copy` or add {{version}} to `archive-name`", self.naming.template),
            ));
        }
        if file.target.is_empty() {
            bail!(
                "{}: no [[target]] tables: list at least one triple, e.g.\n\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"",
                self.path.display()
            );
        }
        for t in file.target {
            let (written, span) = spanned(t.triple);
            // cargo-zigbuild's `x86_64-unknown-linux-gnu.2.17`: the triple and a glibc floor.
            let (triple, suffix) = match written.split_once('.') {
                Some((t, v)) => (t.to_string(), Some((v.to_string(), span))),
                None => (written.clone(), None),
            };
            let glibc_key = t.glibc.map(|g| {
                let sp = Span::from(g.span());
                (g.into_inner(), sp)
            });
            if suffix.is_some() && glibc_key.is_some() {
                return Err(self.error(
                    span,
                    format!("target `{written}`: the glibc floor is given twice (triple suffix and key `glibc`); keep `triple = \"{triple}\"` and `glibc`"),
                ));
            }
            let glibc = match suffix.or(glibc_key) {
                None => None,
                Some((v, sp)) => {
                    let numeric = v.split('.').count() == 2
                        && v.split('.')
                            .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
                    if !numeric {
                        return Err(self.error(
                            sp,
                            format!("target `{written}`: glibc floor `{v}` is not a version like \"2.17\""),
                        ));
                    }
                    if !Triple::new(&triple).is_linux_gnu() {
                        return Err(self.error(
                            sp,
                            format!("target `{written}`: a glibc floor applies to `*-linux-gnu*` targets only (musl binaries are static, other systems have no glibc)"),
                        ));
                    }
                    Some(v)
                }
            };
            if let Some(prev) = self.targets.iter().find(|p| p.triple == triple) {
                let (line, _) = line_col(&self.source, prev.span.start);
                return Err(self.error(
                    span,
                    format!("target `{triple}` is listed twice (first at line {line}): keep one [[target]] per triple"),
                ));
            }
            let formats = match t.archive {
                None if Triple::new(&triple).is_windows() => {
                    vec![ArchiveFormat::Zip]
                }
                None => default_formats.clone(),
                Some(a) => vec![{
                    let sp = Span::from(a.span());
                    let value = a.into_inner();
                    ArchiveFormat::from_key(&value).ok_or_else(|| {
                        self.error(
                            sp,
                            format!(
                                "key `archive`: unknown format `{value}`; expected {}",
                                FORMATS_EXPECTED
                            ),
                        )
                    })?
                }],
            };
            let builder = match t.builder {
                None if glibc.is_some() => Builder::Zigbuild,
                None => Builder::Cargo,
                Some(b) => {
                    let sp = Span::from(b.span());
                    let value = b.into_inner();
                    Builder::from_key(&value).ok_or_else(|| {
                        self.error(
                            sp,
                            format!(
                                "key `builder`: unknown builder `{value}`; expected {}",
                                Builder::EXPECTED
                            ),
                        )
                    })?
                }
            };
            let separate_debuginfo = match t.debuginfo {
                Some(v) => self.debuginfo(v)?,
                None => default_debuginfo,
            };
            if glibc.is_some() && !builder.builds_for_glibc_floor() {
                return Err(self.error(
                    span,
                    format!("target `{triple}`: a glibc floor is built with cargo-zigbuild (zig links against that glibc version); remove `builder` or set builder = \"zigbuild\""),
                ));
            }
            let smoke = match t.smoke {
                None => default_smoke.clone(),
                Some(s) => {
                    let (own, is_table) = self.smoke(s);
                    self.smoke_tables.extend(
                        own.binaries
                            .iter()
                            .map(|(name, (_, span))| (Some(triple.clone()), name.clone(), *span)),
                    );
                    own.over(&default_smoke, is_table)
                }
            };
            if let Some(r) = &t.runner {
                if r.is_empty() {
                    return Err(self.error(
                        span,
                        format!("target `{triple}`: key `runner` is empty; give the program and its arguments, e.g. [\"qemu-aarch64\", \"-L\", \"/usr/aarch64-linux-gnu\"]"),
                    ));
                }
            }
            let strip = match t.strip {
                Some(s) => self.strip(s)?,
                None => default_strip,
            };
            if separate_debuginfo && strip == Strip::None {
                return Err(self.error(
                    span,
                    format!("target `{triple}`: debuginfo = \"separate\" splits the debug info out of the shipped binary, but strip = false ships it inside; set strip = true or \"debuginfo\", or debuginfo = \"off\""),
                ));
            }
            let parsed = Triple::new(&triple);
            if separate_debuginfo && parsed.format() == Format::Pe && !parsed.is_windows_gnu() {
                return Err(self.error(
                    span,
                    format!("target `{triple}`: debuginfo = \"separate\" is supported for ELF (Linux, BSD), Mach-O (.dSYM) and windows-gnu targets; MSVC's linker writes its debug info to a .pdb, which crossdock does not package yet: set debuginfo = \"off\" for this target"),
                ));
            }
            for key in t.env.keys() {
                if key.is_empty() || key.contains(['=', '\0']) {
                    return Err(self.error(
                        span,
                        format!("target `{triple}`: key `env`: {key:?} is not an environment variable name (empty, or with `=` or NUL); use e.g. env = {{ CC = \"clang\" }}"),
                    ));
                }
            }
            if let Some(r) = t
                .github_runner
                .as_deref()
                .filter(|r| !is_plain_word(r, &[]))
            {
                return Err(self.error(
                    span,
                    format!("target `{triple}`: key `github-runner` = {r:?} is not a runner label (letters, digits, `.`, `_`, `-`), e.g. \"ubuntu-24.04-arm\""),
                ));
            }
            self.targets.push(Target {
                strip,
                triple: Triple::from(triple),
                span,
                features: t.features,
                no_default_features: t.no_default_features,
                linker: t.linker,
                runner: t.runner,
                formats,
                cargo: t.cargo,
                rustc: t.rustc,
                env: t.env,
                smoke,
                build_std: t.build_std,
                builder,
                rustflags: t.rustflags,
                github_runner: t.github_runner,
                cc: t.cc,
                ar: t.ar,
                glibc,
                separate_debuginfo,
            });
        }
        for u in file.universal {
            let (name, span) = spanned(u.name);
            // The name becomes a file name and a YAML value: one plain word.
            if !is_plain_word(&name, &[]) {
                return Err(self.error(
                    span,
                    format!("universal `{name}`: key `name` may hold only letters, digits, `.`, `_` and `-` (it names the archive), e.g. \"universal-apple-darwin\""),
                ));
            }
            if self.targets.iter().any(|t| t.triple == name) {
                return Err(self.error(
                    span,
                    format!("universal `{name}`: key `name` is a target's triple, so the fat archive would replace that target's own; use e.g. \"universal-apple-darwin\""),
                ));
            }
            let tool = match u.tool {
                None => LipoTool::Auto,
                Some(t) => {
                    let sp = Span::from(t.span());
                    match t.into_inner().as_str() {
                        "auto" => LipoTool::Auto,
                        "builtin" => LipoTool::Builtin,
                        "lipo" => LipoTool::Lipo,
                        "llvm-lipo" => LipoTool::LlvmLipo,
                        other => return Err(self.error(
                            sp,
                            format!("key `tool`: unknown `{other}`; expected \"auto\", \"builtin\", \"lipo\" or \"llvm-lipo\""),
                        )),
                    }
                }
            };
            let targets: Vec<(Triple, Span)> = u
                .targets
                .into_iter()
                .map(spanned)
                .map(|(t, s)| (Triple::from(t), s))
                .collect();
            for (t, sp) in &targets {
                let Some(target) = self.targets.iter().find(|x| &x.triple == t) else {
                    return Err(self.error(
                        *sp,
                        format!("universal `{name}`: target `{t}` is not in the matrix; add a [[target]] with triple = \"{t}\""),
                    ));
                };
                if !target.triple.is_apple() {
                    return Err(self.error(
                        *sp,
                        format!("universal `{name}`: target `{t}` does not build Mach-O; a universal binary joins apple targets such as x86_64-apple-darwin and aarch64-apple-darwin"),
                    ));
                }
            }
            if targets.len() < 2 {
                return Err(self.error(
                    span,
                    format!("universal `{name}`: key `targets` needs at least two apple targets"),
                ));
            }
            self.universals.push(Universal {
                name,
                span,
                targets,
                keep_thin: u.keep_thin.unwrap_or(true),
                tool,
            });
        }
        Ok(self)
    }

    /// A `smoke` value, checked; and whether it was a table (which merges with `[dist]`'s).
    fn smoke(&self, value: toml::Spanned<raw::Smoke>) -> (Smoke, bool) {
        let span = Span::from(value.span());
        let run = |r: raw::SmokeRun| match r {
            raw::SmokeRun::Enabled(true) => Some(vec!["--version".to_string()]),
            raw::SmokeRun::Enabled(false) => None,
            raw::SmokeRun::Args(a) => Some(a),
        };
        match value.into_inner() {
            raw::Smoke::Enabled(on) => (
                Smoke {
                    default: run(raw::SmokeRun::Enabled(on)),
                    binaries: BTreeMap::new(),
                },
                false,
            ),
            raw::Smoke::Args(a) => (
                Smoke {
                    default: Some(a),
                    binaries: BTreeMap::new(),
                },
                false,
            ),
            raw::Smoke::PerBinary(table) => {
                let binaries = table
                    .into_iter()
                    .map(|(name, r)| {
                        let at = self.key_span(span, &name);
                        (name, (run(r), at))
                    })
                    .collect();
                (
                    Smoke {
                        default: Smoke::default().default,
                        binaries,
                    },
                    true,
                )
            }
        }
    }

    /// Where `key` is written inside the value at `span` (a table's key), else the value.
    fn key_span(&self, span: Span, key: &str) -> Span {
        let text = self.source.get(span.start..span.end).unwrap_or("");
        let bare = text.match_indices(key).find(|(i, _)| {
            let before = text[..*i].chars().next_back();
            let after = text[i + key.len()..].chars().next();
            let edge =
                |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
            edge(before) && edge(after)
        });
        match bare {
            Some((i, _)) => Span {
                start: span.start + i,
                end: span.start + i + key.len(),
            },
            None => span,
        }
    }

    /// `[dist] formats`: known formats, each once, at least one.
    fn formats(
        &self,
        list: toml::Spanned<Vec<toml::Spanned<String>>>,
    ) -> Result<Vec<ArchiveFormat>> {
        let span = Span::from(list.span());
        let mut out = Vec::new();
        for f in list.into_inner() {
            let sp = Span::from(f.span());
            let Some(format) = ArchiveFormat::from_key(f.get_ref()) else {
                return Err(self.error(
                    sp,
                    format!(
                        "key `formats`: unknown format `{}`; expected {FORMATS_EXPECTED}",
                        f.get_ref()
                    ),
                ));
            };
            if out.contains(&format) {
                return Err(self.error(
                    sp,
                    format!("key `formats`: `{}` is listed twice", format.extension()),
                ));
            }
            out.push(format);
        }
        if out.is_empty() {
            return Err(self.error(
                span,
                format!("key `formats`: the list is empty; give at least one of {FORMATS_EXPECTED} (or leave it out for tar.gz)"),
            ));
        }
        Ok(out)
    }

    fn strip(&self, value: toml::Spanned<raw::Strip>) -> Result<Strip> {
        let span = Span::from(value.span());
        match value.into_inner() {
            raw::Strip::Enabled(true) => Ok(Strip::Symbols),
            raw::Strip::Enabled(false) => Ok(Strip::None),
            raw::Strip::Mode(m) if m == "debuginfo" => Ok(Strip::Debuginfo),
            raw::Strip::Mode(m) if m == "symbols" => Ok(Strip::Symbols),
            raw::Strip::Mode(m) if m == "none" => Ok(Strip::None),
            raw::Strip::Mode(other) => Err(self.error(
                span,
                format!(
                    "key `strip`: unknown value `{other}`; expected true, false or \"debuginfo\""
                ),
            )),
        }
    }

    /// `debuginfo = "separate"` (true) or `"off"` (false, the default).
    fn debuginfo(&self, value: toml::Spanned<String>) -> Result<bool> {
        let span = Span::from(value.span());
        match value.into_inner().as_str() {
            "separate" => Ok(true),
            "off" => Ok(false),
            other => Err(self.error(
                span,
                format!("key `debuginfo`: unknown value `{other}`; expected \"separate\" (debug info in its own archive) or \"off\""),
            )),
        }
    }

    /// An error pointing at `span` in this file.
    pub fn error(&self, span: Span, message: String) -> anyhow::Error {
        locate_at(&self.path, &self.source, span, message).into()
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

#[cfg(test)]
mod tests;
