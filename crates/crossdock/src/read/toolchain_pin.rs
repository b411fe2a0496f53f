//! The toolchain a project pins for rustup (`rust-toolchain.toml`, `rust-toolchain`, or
//! `RUSTUP_TOOLCHAIN`), read only to explain a failure: when that toolchain is not
//! installed, every cargo command fails in rustup's proxy before cargo reads anything, and
//! `cargo metadata`'s failure would otherwise read as "not a Cargo workspace". rustup says
//! `toolchain '1.98.0-x86_64-unknown-linux-gnu' is not installed` (1.28 and later, which no
//! longer install it on their own), or fails to download it (earlier ones, offline).

use std::path::{Path, PathBuf};

/// A toolchain pin: the file that names it (or the variable), and the channel as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// `/proj/rust-toolchain.toml`, or `None` for `RUSTUP_TOOLCHAIN`.
    pub file: Option<PathBuf>,
    /// `1.98.0`, `nightly-2026-01-01`; empty when a file names a `path` toolchain.
    pub channel: String,
}

impl Pin {
    fn source(&self) -> String {
        match &self.file {
            Some(f) => f.display().to_string(),
            None => "RUSTUP_TOOLCHAIN".to_string(),
        }
    }
}

/// The channel a toolchain file names: TOML's `[toolchain] channel`, or the legacy
/// one-line `rust-toolchain` (a bare channel name).
fn channel_of(text: &str) -> Option<String> {
    if let Ok(t) = text.parse::<toml::Table>() {
        let tc = t.get("toolchain")?.as_table()?;
        return Some(
            tc.get("channel")
                .and_then(|c| c.as_str())
                .unwrap_or_default()
                .to_string(),
        );
    }
    let line = text.trim();
    (!line.is_empty() && !line.contains(char::is_whitespace)).then(|| line.to_string())
}

/// The pins rustup may read for a cargo started in `dir`, in its order: `RUSTUP_TOOLCHAIN`
/// (`env`; rustup sets it for the programs it starts), then the first folder from `dir` up
/// holding `rust-toolchain` or `rust-toolchain.toml` (rustup prefers the first when both
/// are there).
pub fn find(dir: &Path, env: Option<&str>) -> Vec<Pin> {
    let mut pins = Vec::new();
    if let Some(name) = env.filter(|n| !n.is_empty()) {
        pins.push(Pin {
            file: None,
            channel: name.to_string(),
        });
    }
    'up: for d in dir.ancestors() {
        for name in ["rust-toolchain", "rust-toolchain.toml"] {
            let file = d.join(name);
            if let Ok(text) = std::fs::read_to_string(&file) {
                pins.push(Pin {
                    channel: channel_of(&text).unwrap_or_default(),
                    file: Some(file),
                });
                break 'up;
            }
        }
    }
    pins
}

/// The pin that names rustup's `name` (`1.98.0` for `1.98.0-x86_64-unknown-linux-gnu`).
fn naming<'a>(pins: &'a [Pin], name: &str) -> Option<&'a Pin> {
    pins.iter().find(|p| {
        !p.channel.is_empty()
            && (name == p.channel
                || name
                    .strip_prefix(p.channel.as_str())
                    .is_some_and(|r| r.starts_with('-')))
    })
}

/// `X` of rustup's `toolchain 'X' is not installed`.
fn not_installed(stderr: &str) -> Option<&str> {
    stderr.lines().find_map(|l| {
        let (_, rest) = l.split_once("toolchain '")?;
        let (name, tail) = rest.split_once('\'')?;
        tail.trim_start()
            .starts_with("is not installed")
            .then_some(name)
    })
}

/// The first `error:` line of rustup's output.
fn first_error(stderr: &str) -> &str {
    stderr
        .lines()
        .find(|l| l.trim_start().starts_with("error:"))
        .map(str::trim)
        .unwrap_or("")
}

/// What to say when a cargo command failed with `stderr` because a pinned toolchain is
/// missing (`None` when the failure is something else): which toolchain, who pins it
/// (among `pins`, see [`find`]), and the command that installs it.
pub fn explain(stderr: &str, pins: &[Pin]) -> Option<String> {
    if let Some(name) = not_installed(stderr) {
        let pin = naming(pins, name);
        let by = pin
            .map(|p| format!(", which {} pins,", p.source()))
            .unwrap_or_default();
        let channel = pin.map_or(name, |p| p.channel.as_str());
        return Some(format!(
            "the Rust toolchain `{name}`{by} is not installed: install it with `rustup toolchain install {channel}` (or change the pin)"
        ));
    }
    // An older rustup installs a pinned toolchain itself; offline, that fails.
    let pin = pins.iter().find(|p| {
        !p.channel.is_empty()
            && (stderr.contains(&format!("'{}", p.channel))
                || stderr.contains(&format!("-{}.toml", p.channel)))
    })?;
    let installing =
        stderr.contains("syncing channel updates") || stderr.contains("could not download");
    installing.then(|| {
        format!(
            "the Rust toolchain `{}`, which {} pins, is not installed, and rustup could not install it ({}): run `rustup toolchain install {}` where it can reach its server (or change the pin)",
            pin.channel,
            pin.source(),
            first_error(stderr),
            pin.channel
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUSTUP_1_29: &str = "error: toolchain '1.98.0-x86_64-unknown-linux-gnu' is not installed\nhelp: run `rustup toolchain install` to install it\n";

    #[test]
    fn a_missing_pinned_toolchain_is_named_with_its_file_and_the_command() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("crates/app");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(
            dir.path().join("rust-toolchain.toml"),
            "[toolchain]\nchannel = \"1.98.0\"\ncomponents = [\"rustfmt\"]\n",
        )
        .unwrap();
        let pins = find(&sub, None);
        let pin = &pins[0];
        assert_eq!(pin.channel, "1.98.0");
        assert_eq!(
            pin.file.as_deref(),
            Some(dir.path().join("rust-toolchain.toml").as_path())
        );
        let said = explain(RUSTUP_1_29, &pins).unwrap();
        assert_eq!(
            said,
            format!("the Rust toolchain `1.98.0-x86_64-unknown-linux-gnu`, which {} pins, is not installed: install it with `rustup toolchain install 1.98.0` (or change the pin)", dir.path().join("rust-toolchain.toml").display())
        );
        // rustup's own name when no pin names it; the variable when it pins that one.
        assert!(explain(RUSTUP_1_29, &[]).unwrap().contains(
            "is not installed: install it with `rustup toolchain install 1.98.0-x86_64-unknown-linux-gnu`"
        ));
        let env = find(&sub, Some("stable-x86_64-unknown-linux-gnu"));
        assert_eq!(env.len(), 2);
        assert_eq!(explain(RUSTUP_1_29, &env).unwrap(), said);
        let env = find(&sub, Some("1.98.0-x86_64-unknown-linux-gnu"));
        assert!(explain(RUSTUP_1_29, &env)
            .unwrap()
            .contains("which RUSTUP_TOOLCHAIN pins"));
        // An older rustup, offline, fails to install it.
        let offline = "info: syncing channel updates for '1.98.0-x86_64-unknown-linux-gnu'\nerror: could not download file from 'https://static.rust-lang.org/dist/channel-rust-1.98.0.toml.sha256'\n";
        let said = explain(offline, &pins).unwrap();
        assert!(
            said.contains("is not installed, and rustup could not install it (error: could not download file")
                && said.ends_with("run `rustup toolchain install 1.98.0` where it can reach its server (or change the pin)"),
            "{said}"
        );
        // Anything else is not this.
        assert_eq!(
            explain(
                "error: could not find `Cargo.toml` in `/x` or any parent directory\n",
                &pins
            ),
            None
        );
    }

    #[test]
    fn the_legacy_file_is_a_bare_channel_and_wins_over_the_toml_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("rust-toolchain"), "nightly-2026-01-01\n").unwrap();
        std::fs::write(
            dir.path().join("rust-toolchain.toml"),
            "[toolchain]\nchannel = \"1.0.0\"\n",
        )
        .unwrap();
        let pins = find(dir.path(), None);
        assert_eq!(pins.len(), 1);
        assert_eq!(pins[0].channel, "nightly-2026-01-01");
        assert_eq!(
            pins[0].file.as_deref(),
            Some(dir.path().join("rust-toolchain").as_path())
        );
    }
}
