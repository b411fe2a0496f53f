//! Which files in an out dir are crossdock's: the only ones it may replace or remove. A
//! manifest alone proves nothing (it is a file anyone can write, or an old release's): a
//! file is crossdock's when it is a plain file directly in the out dir, its name has the
//! shape of something crossdock writes (an archive, a `.deb`/`.rpm`, a checksum file, the
//! manifest), and its SHA-256 equals the hash the previous manifest recorded for it. A file
//! the user changed, or one crossdock never wrote, fails one of these and is left alone.

use std::path::Path;

use crate::package::archive;
use crate::package::checksum::SUMS_FILE;
use crate::package::manifest::{Manifest, FILE_NAME};
use crate::package::native;

const ARCHIVE_SUFFIXES: &[&str] = &[".tar.gz", ".zip", ".tar.xz", ".tar.zst"];
/// Installers: `{name}-installer.sh`, `{name}-installer.ps1`, `{name}.rb`, `{name}.json`.
const INSTALLER_SUFFIXES: &[&str] = &["-installer.sh", "-installer.ps1", ".rb", ".json"];

/// A name crossdock could have written in an out dir: one plain path component shaped
/// like an archive, its `.sha256`, an installer, `SHA256SUMS` or the manifest.
pub fn is_output_name(name: &str) -> bool {
    if name.is_empty()
        || name.starts_with('.')
        || name.contains(['/', '\\'])
        || name.contains("..")
        || Path::new(name).is_absolute()
    {
        return false;
    }
    if name == SUMS_FILE || name == FILE_NAME {
        return true;
    }
    if INSTALLER_SUFFIXES
        .iter()
        .any(|s| name.len() > s.len() && name.ends_with(s))
    {
        return true;
    }
    let stem = name.strip_suffix(".sha256").unwrap_or(name);
    ARCHIVE_SUFFIXES.iter().any(|s| stem.ends_with(s))
        || [native::deb::EXTENSION, native::rpm::EXTENSION]
            .iter()
            .any(|s| stem.ends_with(s))
}

/// Is `dir/name` crossdock's by the rule above, given the previous run's manifest?
pub fn owned(previous: Option<&Manifest>, dir: &Path, name: &str) -> bool {
    if !is_output_name(name) {
        return false;
    }
    let path = dir.join(name);
    let Ok(meta) = std::fs::symlink_metadata(&path) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    if name == FILE_NAME {
        // The manifest records no hash of itself: it is ours when it reads as one.
        return Manifest::read(&path).is_ok();
    }
    let Some(recorded) = previous.and_then(|m| m.artifacts.iter().find(|a| a.name == name)) else {
        return false;
    };
    if meta.len() != recorded.size {
        return false;
    }
    archive::hash_file(&path).is_ok_and(|(_, sha)| sha == recorded.sha256)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_output_shaped_plain_names() {
        for ok in [
            "app-1.0.0-x86_64-unknown-linux-gnu.tar.gz",
            "app-1.0.0-x86_64-pc-windows-gnu.zip.sha256",
            "app_1.0.0~rc.1_amd64.deb",
            "app-1.0.0~rc.1-1.x86_64.rpm.sha256",
            "app_v1.0.0_linux-aarch64.tar.xz",
            "app-aarch64-unknown-linux-gnu.tar.zst.sha256",
            "SHA256SUMS",
            "dist-manifest.json",
            "app-installer.sh",
            "app-installer.ps1",
            "app.rb",
            "app.json",
        ] {
            assert!(is_output_name(ok), "{ok}");
        }
        for bad in [
            "Cargo.toml",
            "README.md",
            "../payload.tar.gz",
            "/etc/x.tar.gz",
            "sub/app.tar.gz",
            ".hidden.tar.gz",
            "targets.toml",
            ".rb",
            "-installer.sh",
            "../app.rb",
            "app.tar.bz2",
            "app.tar.zst.asc",
        ] {
            assert!(!is_output_name(bad), "{bad}");
        }
    }
}
