//! What the user's own cargo configuration says, read (never written) for two reasons:
//! to add our `--remap-path-prefix` flags where cargo will merge them with the user's
//! rustflags instead of replacing them, and to name the file that set a linker when a
//! probe link fails (`doctor`). Files are read as cargo finds them when crossdock runs it,
//! in the workspace root: `.cargo/config` (else `.cargo/config.toml`) from there upward,
//! then `$CARGO_HOME`'s; one that is not TOML is an error naming it, as in cargo. A config
//! file that only a cargo started in the current directory would read is warned about.
//!
//! A `[target.'cfg(…)']` table applies only when its expression holds for the target, as
//! cargo decides it: with `cargo-platform` (cargo's own parser) against the target's
//! `rustc --print cfg` values, gathered as a fact. Treating `cfg(windows)` as applying to
//! Linux would make us set target-level rustflags, and cargo would then drop the user's
//! `[build] rustflags` (it uses one or the other, never both).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use cargo_platform::{Cfg, Platform};

use crate::model::triple::Triple;

/// One `linker` or `rustflags` setting and where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// The config file, or `env CARGO_TARGET_…` for the environment.
    pub origin: String,
    /// The key, e.g. `target.x86_64-unknown-linux-gnu.linker`.
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Default)]
pub struct CargoConfig {
    pub files: Vec<(PathBuf, toml::Table)>,
    /// Each target's `rustc --print cfg` values (filled in by facts). A triple that is
    /// missing here (rustc could not print them) counts every `cfg(…)` table as applying.
    pub target_cfg: BTreeMap<Triple, Vec<Cfg>>,
}

/// Parses `rustc --print cfg` output (`unix`, `target_os="linux"`, one a line).
pub fn parse_cfg(stdout: &str) -> Result<Vec<Cfg>, String> {
    stdout
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.parse::<Cfg>().map_err(|e| format!("`{l}`: {e}")))
        .collect()
}

pub fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from("/root/.cargo"))
}

/// The files a cargo command reads before it resolves anything, for the memo keys of its
/// stored answers (`read::workspace`, `facts::deps`): in each of `dirs` (the folders cargo
/// searches, from where it runs up) `Cargo.toml`, `Cargo.lock` and `.cargo/config[.toml]`,
/// then `$CARGO_HOME`'s config. Both config names are listed whether or not they exist, so
/// a config file created later changes the key.
pub fn files_cargo_reads<'a>(dirs: impl IntoIterator<Item = &'a Path>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for d in dirs {
        for f in [
            "Cargo.toml",
            "Cargo.lock",
            ".cargo/config",
            ".cargo/config.toml",
        ] {
            out.push(d.join(f));
        }
    }
    let home = cargo_home();
    out.extend([home.join("config"), home.join("config.toml")]);
    out
}

/// The config file of each folder from `dir` up, then of `$CARGO_HOME`, once each:
/// `config` when it exists, else `config.toml`, as cargo picks them.
fn search_path(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::new();
    let dirs = dir
        .ancestors()
        .map(|d| d.join(".cargo"))
        .chain(std::iter::once(cargo_home()));
    for d in dirs {
        let bare = d.join("config");
        let p = if bare.is_file() {
            bare
        } else {
            d.join("config.toml")
        };
        if !out.contains(&p) {
            out.push(p);
        }
    }
    out
}

/// `CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_` for a triple.
pub fn env_prefix(triple: &str) -> String {
    format!(
        "CARGO_TARGET_{}_",
        triple.to_ascii_uppercase().replace(['-', '.'], "_")
    )
}

impl CargoConfig {
    /// The files cargo reads when it runs in `dir` (crossdock runs cargo in the workspace
    /// root): `.cargo/config` or else `.cargo/config.toml` (cargo takes the one without
    /// extension when both are there) in `dir` and each folder above it, then
    /// `$CARGO_HOME`'s, each once. A file that is not TOML stops cargo, so it is an error
    /// here too, naming it.
    pub fn load(dir: &Path) -> anyhow::Result<CargoConfig> {
        let mut files = Vec::new();
        for p in search_path(dir) {
            let text = match std::fs::read_to_string(&p) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => anyhow::bail!(
                    "cannot read the cargo config {}: {e}; cargo reads it too: fix its permissions or remove it",
                    p.display()
                ),
            };
            let table = text.parse::<toml::Table>().map_err(|e| {
                anyhow::anyhow!(
                    "the cargo config {} is not valid TOML, and cargo refuses it as well:\n{}\nfix or remove it",
                    p.display(),
                    e.to_string().trim_end()
                )
            })?;
            files.push((p, table));
        }
        Ok(CargoConfig {
            files,
            target_cfg: BTreeMap::new(),
        })
    }

    /// Cargo config files that a `cargo` typed in `cwd` would read but crossdock's runs in
    /// `dir` do not (a `.cargo/config.toml` in a member folder, or beside the checkout):
    /// worth a warning, since their settings do not reach the builds.
    pub fn not_read_from(cwd: &Path, dir: &Path) -> Vec<PathBuf> {
        let read = search_path(dir);
        search_path(cwd)
            .into_iter()
            .filter(|p| !read.contains(p) && p.is_file())
            .collect()
    }

    /// Does any file have a `[target.'cfg(…)']` table? Only then do the targets' cfg
    /// values matter (and are worth a `rustc --print cfg` each).
    pub fn has_cfg_tables(&self) -> bool {
        self.target_tables()
            .any(|(_, name, _)| name.starts_with("cfg("))
    }

    /// Does the table `[target.<name>]` apply to `triple`?
    fn applies(&self, name: &str, triple: &str) -> bool {
        if name == triple {
            return true;
        }
        if !name.starts_with("cfg(") {
            return false;
        }
        match (self.target_cfg.get(triple), name.parse::<Platform>()) {
            (Some(cfg), Ok(platform)) => platform.matches(triple, cfg),
            // Without the target's cfg values (rustc failed to print them), or with an
            // expression cargo-platform rejects (cargo will report it), keep the old
            // conservative answer: the table may apply. For rustflags, ours then go to the
            // target level: right if it does apply (cargo joins them with the user's), and
            // if it does not, cargo drops `[build] rustflags`, the bug this check avoids
            // whenever rustc can tell us the target's cfg.
            _ => true,
        }
    }

    fn target_tables(&self) -> impl Iterator<Item = (&PathBuf, &String, &toml::Table)> {
        self.files.iter().flat_map(|(p, t)| {
            t.get("target")
                .and_then(|v| v.as_table())
                .into_iter()
                .flat_map(move |targets| {
                    targets
                        .iter()
                        .filter_map(move |(k, v)| v.as_table().map(|tt| (p, k, tt)))
                })
        })
    }

    /// `target.<triple>.<key>` and `target.'cfg(…)'.<key>` settings that apply to `triple`
    /// (see [`CargoConfig::target_cfg`]), plus `CARGO_TARGET_<TRIPLE>_<KEY>` from the environment.
    pub fn target_settings(&self, triple: &str, key: &str) -> Vec<Setting> {
        let mut out = Vec::new();
        let env_key = format!("{}{}", env_prefix(triple), key.to_ascii_uppercase());
        if let Ok(v) = std::env::var(&env_key) {
            out.push(Setting {
                origin: format!("environment variable {env_key}"),
                key: env_key.clone(),
                value: v,
            });
        }
        for (path, name, table) in self.target_tables() {
            if !self.applies(name, triple) {
                continue;
            }
            if let Some(v) = table.get(key) {
                out.push(Setting {
                    origin: path.display().to_string(),
                    key: format!("target.{}.{key}", quote_key(name)),
                    value: match v {
                        toml::Value::String(s) => s.clone(),
                        other => format!("{other:?}"),
                    },
                });
            }
        }
        out
    }

    /// The rustc wrapper the user chose, if any: `RUSTC_WRAPPER` or
    /// `CARGO_BUILD_RUSTC_WRAPPER` in the environment (even empty: that is cargo's way to
    /// turn a configured wrapper off), else `build.rustc-wrapper` in a config file, first
    /// found in cargo's order. crossdock's compiler cache never replaces it.
    pub fn rustc_wrapper(&self) -> Option<Setting> {
        for key in ["RUSTC_WRAPPER", "CARGO_BUILD_RUSTC_WRAPPER"] {
            if let Ok(v) = std::env::var(key) {
                return Some(Setting {
                    origin: format!("environment variable {key}"),
                    key: key.into(),
                    value: v,
                });
            }
        }
        self.files.iter().find_map(|(path, t)| {
            let v = t.get("build")?.as_table()?.get("rustc-wrapper")?;
            Some(Setting {
                origin: path.display().to_string(),
                key: "build.rustc-wrapper".into(),
                value: v.as_str().map_or_else(|| format!("{v:?}"), str::to_string),
            })
        })
    }

    /// Does the user set `build.rustflags` (a config file or `CARGO_BUILD_RUSTFLAGS`)? Then
    /// our flags must stay in `build.rustflags` to be joined with theirs: a
    /// `target.<triple>.rustflags` of ours would make cargo ignore them.
    pub fn has_build_rustflags(&self) -> bool {
        std::env::var_os("CARGO_BUILD_RUSTFLAGS").is_some()
            || self.files.iter().any(|(_, t)| {
                t.get("build")
                    .and_then(|b| b.as_table())
                    .is_some_and(|b| b.contains_key("rustflags"))
            })
    }

    /// Does any target-level rustflags apply? Then cargo ignores `build.rustflags`, so our
    /// flags must go to `target.<triple>.rustflags` to be joined with the user's.
    pub fn has_target_rustflags(&self, triple: &str) -> bool {
        !self.target_settings(triple, "rustflags").is_empty()
    }
}

fn quote_key(k: &str) -> String {
    if k.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        k.to_string()
    } else {
        format!("'{k}'")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINUX: &str = "x86_64-unknown-linux-gnu";
    const WINDOWS: &str = "x86_64-pc-windows-gnu";
    const ARM: &str = "aarch64-unknown-linux-gnu";

    /// `rustc --print cfg --target …` as the facts stage reads it (abridged).
    fn print_cfg(arch: &str, family: &str, os: &str) -> Vec<Cfg> {
        let text = format!(
            "debug_assertions\npanic=\"unwind\"\ntarget_abi=\"\"\ntarget_arch=\"{arch}\"\n\
             target_env=\"gnu\"\ntarget_family=\"{family}\"\ntarget_os=\"{os}\"\n\
             target_pointer_width=\"64\"\n{family}\n"
        );
        parse_cfg(&text).unwrap()
    }

    fn config(toml: &str, known: &[&str]) -> CargoConfig {
        let mut c = CargoConfig {
            files: vec![(
                PathBuf::from("/ws/.cargo/config.toml"),
                toml.parse().unwrap(),
            )],
            target_cfg: BTreeMap::new(),
        };
        for t in known {
            let cfg = match *t {
                WINDOWS => print_cfg("x86_64", "windows", "windows"),
                ARM => print_cfg("aarch64", "unix", "linux"),
                _ => print_cfg("x86_64", "unix", "linux"),
            };
            c.target_cfg.insert(Triple::new(t), cfg);
        }
        c
    }

    const WINDOWS_ONLY: &str = "[build]\nrustflags = [\"--cfg\", \"fixture_flag\"]\n\n\
        [target.'cfg(windows)']\nrustflags = [\"-Ctarget-feature=+crt-static\"]\n";

    #[test]
    fn a_cfg_table_for_another_os_leaves_build_rustflags_alone() {
        let c = config(WINDOWS_ONLY, &[LINUX, WINDOWS]);
        assert!(!c.has_target_rustflags(LINUX));
        assert!(c.has_target_rustflags(WINDOWS));
        let s = c.target_settings(WINDOWS, "rustflags");
        assert_eq!(s[0].key, "target.'cfg(windows)'.rustflags");
        assert_eq!(s[0].origin, "/ws/.cargo/config.toml");
    }

    #[test]
    fn build_rustflags_are_seen_in_any_file_but_target_tables_are_not_them() {
        // (CARGO_BUILD_RUSTFLAGS is not set in the test environment.)
        assert!(config(WINDOWS_ONLY, &[LINUX]).has_build_rustflags());
        let target_only = "[target.x86_64-unknown-linux-gnu]\nrustflags = [\"-Cpanic=abort\"]\n";
        assert!(!config(target_only, &[LINUX]).has_build_rustflags());
        assert!(!config("[build]\njobs = 2\n", &[LINUX]).has_build_rustflags());
    }

    #[test]
    fn without_cfg_values_every_cfg_table_may_apply() {
        // rustc could not print the target's cfg: the old, conservative answer.
        let c = config(WINDOWS_ONLY, &[]);
        assert!(c.has_target_rustflags(LINUX));
    }

    #[test]
    fn expressions_are_evaluated_as_cargo_does() {
        let toml = "[target.'cfg(all(unix, target_arch = \"aarch64\"))']\nlinker = \"aarch64-linux-gnu-gcc\"\n\n\
                    [target.'cfg(not(target_os = \"linux\"))']\nrustflags = [\"-Cpanic=abort\"]\n";
        let c = config(toml, &[LINUX, ARM, WINDOWS]);
        assert_eq!(
            c.target_settings(ARM, "linker")[0].value,
            "aarch64-linux-gnu-gcc"
        );
        assert!(c.target_settings(LINUX, "linker").is_empty());
        assert!(!c.has_target_rustflags(ARM));
        assert!(c.has_target_rustflags(WINDOWS));
    }

    #[test]
    fn a_triple_table_applies_to_that_triple_only() {
        let toml =
            "[target.aarch64-unknown-linux-gnu]\nrustflags = [\"-Ctarget-cpu=neoverse-n1\"]\n";
        let c = config(toml, &[LINUX, ARM]);
        assert!(c.has_target_rustflags(ARM));
        assert!(!c.has_target_rustflags(LINUX));
        // Known or not, the triple decides.
        assert!(!config(toml, &[]).has_target_rustflags(LINUX));
    }

    #[test]
    fn a_configured_rustc_wrapper_is_found_with_its_file() {
        let c = config("[build]\nrustc-wrapper = \"/usr/bin/ccache-rs\"\n", &[]);
        // The environment may set one too (it wins, as in cargo): only check the file when not.
        if std::env::var_os("RUSTC_WRAPPER").is_none()
            && std::env::var_os("CARGO_BUILD_RUSTC_WRAPPER").is_none()
        {
            let w = c.rustc_wrapper().unwrap();
            assert_eq!(w.key, "build.rustc-wrapper");
            assert_eq!(w.value, "/usr/bin/ccache-rs");
            assert_eq!(w.origin, "/ws/.cargo/config.toml");
            assert!(config("[build]\njobs = 2\n", &[]).rustc_wrapper().is_none());
        }
    }

    /// Issue 23 §19: cargo's search, as crossdock runs it in `root`.
    #[test]
    fn files_are_found_as_cargo_finds_them_and_a_broken_one_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ws");
        let member = root.join("crates/app");
        for d in [
            root.join(".cargo"),
            dir.path().join(".cargo"),
            member.join(".cargo"),
        ] {
            std::fs::create_dir_all(d).unwrap();
        }
        // Both in one folder: cargo reads `config`, without extension.
        std::fs::write(root.join(".cargo/config"), "[build]\njobs = 1\n").unwrap();
        std::fs::write(root.join(".cargo/config.toml"), "[build]\njobs = 2\n").unwrap();
        std::fs::write(dir.path().join(".cargo/config.toml"), "[build]\njobs = 3\n").unwrap();
        std::fs::write(member.join(".cargo/config.toml"), "[build]\njobs = 4\n").unwrap();
        let c = CargoConfig::load(&root).unwrap();
        let ours: Vec<&PathBuf> = c
            .files
            .iter()
            .map(|(p, _)| p)
            .filter(|p| p.starts_with(dir.path()))
            .collect();
        assert_eq!(
            ours,
            [
                &root.join(".cargo/config"),
                &dir.path().join(".cargo/config.toml")
            ]
        );
        // A cargo typed in the member folder would read its file; crossdock's does not.
        assert_eq!(
            CargoConfig::not_read_from(&member, &root),
            [member.join(".cargo/config.toml")]
        );
        assert!(CargoConfig::not_read_from(&root, &root).is_empty());
        // Not TOML: an error naming the file, never skipped.
        std::fs::write(root.join(".cargo/config"), "[build\njobs = 1\n").unwrap();
        let e = format!("{:#}", CargoConfig::load(&root).unwrap_err());
        assert!(
            e.contains(&format!(
                "the cargo config {} is not valid TOML",
                root.join(".cargo").join("config").display()
            )) && e.contains("fix or remove it"),
            "{e}"
        );
    }

    #[test]
    fn unreadable_cfg_output_is_an_error() {
        assert!(parse_cfg("unix\ntarget_os=\"linux\"\n").is_ok());
        assert!(parse_cfg("target_os=linux").is_err());
    }
}
