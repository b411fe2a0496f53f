//! `targets.local.toml`: this machine's settings over the shared matrix. Paths such as
//! `rustc = "/usr/bin/rustc"` or a linker wrapper exist on one machine only; in
//! targets.toml they would reach the GitHub matrix, where they do not exist. The overlay
//! sits beside targets.toml (untracked), takes the machine-local keys only, and is read by
//! `dist` and `doctor`, never by `matrix` or `init`. Errors name the overlay's own lines.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;
use toml::Spanned;

use crate::read::config::{explain_toml_error, locate_at, Config, Sources, Span};

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct File {
    #[serde(default)]
    dist: Dist,
    #[serde(default)]
    target: Vec<Target>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Dist {
    cargo: Option<String>,
    rustc: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Target {
    triple: Spanned<String>,
    cargo: Option<String>,
    rustc: Option<String>,
    linker: Option<String>,
    cc: Option<String>,
    ar: Option<String>,
    runner: Option<Vec<String>>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    build_std: Option<bool>,
}

/// `targets.local.toml` beside `targets.toml` (`crossdock.toml` → `crossdock.local.toml`).
pub fn path_for(config: &Path) -> PathBuf {
    let stem = config
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "targets".into());
    config.with_file_name(format!("{stem}.local.toml"))
}

/// Applies the overlay next to `config.path`, when there is one; returns its path.
pub fn apply(config: &mut Config) -> Result<Option<PathBuf>> {
    let path = path_for(&config.path);
    let source = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    apply_text(config, &path, &source)?;
    Ok(Some(path))
}

fn apply_text(config: &mut Config, path: &Path, source: &str) -> Result<()> {
    let file: File = toml::from_str(source).map_err(|e| {
        let span = e.span().map(Span::from).unwrap_or_default();
        let message = format!(
            "{} (targets.local.toml takes only this machine's settings: [dist] cargo, rustc; per [[target]]: triple, cargo, rustc, linker, cc, ar, runner, env, build-std)",
            explain_toml_error(e.message())
        );
        locate_at(path, source, span, message)
    })?;
    let name = Sources::name_of(path);
    // `[dist]` cargo/rustc reach every target that does not set its own.
    let mut dist_keys = Vec::new();
    if file.dist.cargo.is_some() {
        config.cargo = file.dist.cargo;
        dist_keys.push("cargo");
    }
    if file.dist.rustc.is_some() {
        config.rustc = file.dist.rustc;
        dist_keys.push("rustc");
    }
    for target in &mut config.targets {
        let keys = dist_keys
            .iter()
            .filter(|k| match **k {
                "cargo" => target.cargo.is_none(),
                _ => target.rustc.is_none(),
            })
            .map(|k| k.to_string())
            .collect();
        target.sources.local = Some((name.clone(), keys));
    }
    for t in file.target {
        let span = Span::from(t.triple.span());
        let triple = t.triple.into_inner();
        let Some(target) = config.targets.iter_mut().find(|x| x.triple == triple) else {
            return Err(locate_at(
                path,
                source,
                span,
                format!(
                    "target `{triple}` is not in {}: the overlay only adjusts targets the shared matrix lists; add it there first",
                    config.path.display()
                ),
            )
            .into());
        };
        let set: Vec<&str> = [
            ("cargo", t.cargo.is_some()),
            ("rustc", t.rustc.is_some()),
            ("linker", t.linker.is_some()),
            ("cc", t.cc.is_some()),
            ("ar", t.ar.is_some()),
            ("runner", t.runner.is_some()),
            ("build-std", t.build_std.is_some()),
            ("env", !t.env.is_empty()),
        ]
        .into_iter()
        .filter_map(|(k, on)| on.then_some(k))
        .collect();
        if let Some((_, keys)) = &mut target.sources.local {
            keys.extend(set.into_iter().map(str::to_string));
        }
        if t.cargo.is_some() {
            target.cargo = t.cargo;
        }
        if t.rustc.is_some() {
            target.rustc = t.rustc;
        }
        if t.linker.is_some() {
            target.linker = t.linker;
        }
        if t.cc.is_some() {
            target.cc = t.cc;
        }
        if t.ar.is_some() {
            target.ar = t.ar;
        }
        if t.runner.is_some() {
            target.runner = t.runner;
        }
        if let Some(b) = t.build_std {
            target.build_std = b;
        }
        target.env.extend(t.env);
    }
    Ok(())
}

/// Settings in the shared matrix that look machine-local (absolute paths): they would reach
/// the GitHub matrix, where they do not exist. One line each, for `matrix` to warn with.
pub fn absolute_paths(config: &Config) -> Vec<String> {
    // `/usr/bin/rustc` is machine-local on every OS (Windows does not call it absolute).
    fn abs(v: &Option<String>) -> Option<&str> {
        v.as_deref()
            .filter(|p| p.starts_with('/') || Path::new(p).is_absolute())
    }
    let mut out = Vec::new();
    for (key, v) in [("cargo", &config.cargo), ("rustc", &config.rustc)] {
        if let Some(p) = abs(v) {
            out.push(format!("[dist] {key} = \"{p}\""));
        }
    }
    for t in &config.targets {
        let runner = t.runner.as_ref().and_then(|r| r.first()).cloned();
        for (key, v) in [
            ("cargo", &t.cargo),
            ("rustc", &t.rustc),
            ("linker", &t.linker),
            ("cc", &t.cc),
            ("ar", &t.ar),
            ("runner", &runner),
        ] {
            if let Some(p) = abs(v) {
                out.push(format!("target {}: {key} = \"{p}\"", t.triple));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n\n[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\nlinker = \"aarch64-linux-gnu-gcc\"\n";

    fn base() -> Config {
        Config::parse(Path::new("targets.toml"), BASE).unwrap()
    }

    #[test]
    fn overlay_sets_machine_keys_per_target() {
        let mut c = base();
        apply_text(
            &mut c,
            Path::new("targets.local.toml"),
            "[dist]\nrustc = \"/usr/bin/rustc\"\n\n[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\nlinker = \"/opt/x/aarch64-cc\"\nenv = { CC = \"/opt/x/aarch64-cc\" }\n",
        )
        .unwrap();
        assert_eq!(c.rustc.as_deref(), Some("/usr/bin/rustc"));
        let t = c.target("aarch64-unknown-linux-gnu").unwrap();
        assert_eq!(t.linker.as_deref(), Some("/opt/x/aarch64-cc"));
        assert_eq!(t.env["CC"], "/opt/x/aarch64-cc");
        // Untouched: the other target and what the overlay did not set.
        assert!(c
            .target("x86_64-unknown-linux-gnu")
            .unwrap()
            .linker
            .is_none());
        // Messages name the file each key came from (issue 23 §15).
        let t = c.target("aarch64-unknown-linux-gnu").unwrap();
        for (key, file) in [
            ("linker", "targets.local.toml"),
            ("env", "targets.local.toml"),
            ("rustc", "targets.local.toml"),
            ("cargo", "targets.toml"),
            ("cc", "targets.toml"),
        ] {
            assert_eq!(t.sources.file(key), file, "{key}");
        }
        let x86 = c.target("x86_64-unknown-linux-gnu").unwrap();
        assert_eq!(x86.sources.file("linker"), "targets.toml");
        assert_eq!(x86.sources.file("rustc"), "targets.local.toml");
    }

    #[test]
    fn overlay_errors_name_its_own_line() {
        let mut c = base();
        let e = apply_text(
            &mut c,
            Path::new("targets.local.toml"),
            "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\nfeatures = [\"x\"]\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("targets.local.toml:3:"), "{e}");
        assert!(e.contains("unknown key `features`"), "{e}");
        let e = apply_text(
            &mut c,
            Path::new("targets.local.toml"),
            "[[target]]\ntriple = \"riscv64gc-unknown-linux-gnu\"\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("targets.local.toml:2:"), "{e}");
        assert!(e.contains("not in targets.toml"), "{e}");
    }

    #[test]
    fn absolute_paths_in_the_shared_matrix_are_found() {
        let c = Config::parse(
            Path::new("targets.toml"),
            "[dist]\nrustc = \"/usr/bin/rustc\"\n\n[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\nlinker = \"aarch64-linux-gnu-gcc\"\nrunner = [\"/opt/qemu/qemu-aarch64\"]\n",
        )
        .unwrap();
        assert_eq!(
            absolute_paths(&c),
            [
                "[dist] rustc = \"/usr/bin/rustc\"",
                "target aarch64-unknown-linux-gnu: runner = \"/opt/qemu/qemu-aarch64\""
            ]
        );
    }
}
