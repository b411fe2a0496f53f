//! What the user's own cargo configuration says, read (never written) for two reasons:
//! to add our `--remap-path-prefix` flags where cargo will merge them with the user's
//! rustflags instead of replacing them, and to name the file that set a linker when a
//! probe link fails (`doctor`). Files are read in cargo's order: `.cargo/config.toml` from
//! the workspace root upward, then `$CARGO_HOME/config.toml`.

use std::path::{Path, PathBuf};

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
}

pub fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from("/root/.cargo"))
}

/// `CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_` for a triple.
pub fn env_prefix(triple: &str) -> String {
    format!(
        "CARGO_TARGET_{}_",
        triple.to_ascii_uppercase().replace(['-', '.'], "_")
    )
}

impl CargoConfig {
    pub fn load(workspace_root: &Path) -> CargoConfig {
        let mut files = Vec::new();
        let mut seen = Vec::new();
        let mut dirs: Vec<PathBuf> = workspace_root
            .ancestors()
            .map(|d| d.join(".cargo"))
            .collect();
        dirs.push(cargo_home());
        for dir in dirs {
            for name in ["config.toml", "config"] {
                let p = dir.join(name);
                if seen.contains(&p) {
                    continue;
                }
                seen.push(p.clone());
                if let Some(t) = std::fs::read_to_string(&p)
                    .ok()
                    .and_then(|s| s.parse::<toml::Table>().ok())
                {
                    files.push((p, t));
                    break;
                }
            }
        }
        CargoConfig { files }
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

    /// `target.<triple>.<key>` or `target.'cfg(…)'.<key>` settings that may apply to
    /// `triple`, plus `CARGO_TARGET_<TRIPLE>_<KEY>` from the environment.
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
            if name != triple && !name.starts_with("cfg(") {
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
