//! Which files in an out dir are crossdock's: the only ones it may replace or remove.
//! Nothing inside the out dir proves it: a `dist-manifest.json` there is a file anyone can
//! write, or one copied in with a downloaded release, so it may list a user's files with
//! their true sizes and hashes. The proof is a [`Record`] kept outside the out dir, in
//! crossdock's own state dir (`sys::fs::state_dir`): a file is crossdock's when it is a
//! plain file directly in the out dir, its name has the shape of something crossdock
//! writes (an archive, a `.deb`/`.rpm`, a checksum file, an installer, the manifest), and
//! its size and SHA-256 are what the record says crossdock wrote under that name. A file
//! the user changed, or one crossdock never wrote, fails one of these and is left alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::package::archive;
use crate::package::checksum::SUMS_FILE;
use crate::package::manifest::FILE_NAME;
use crate::package::native;

/// Archives, and `.tgz`: the npm packages of a Node module.
const ARCHIVE_SUFFIXES: &[&str] = &[".tar.gz", ".zip", ".tar.xz", ".tar.zst", ".tgz"];
/// Installers: `{name}-installer.sh`, `{name}-installer.ps1`, `{name}.rb`, `{name}.json`.
const INSTALLER_SUFFIXES: &[&str] = &["-installer.sh", "-installer.ps1", ".rb", ".json"];

/// A name crossdock could have written in an out dir: one plain path component shaped
/// like an archive, its `.sha256`, an installer, `SHA256SUMS`, its signature or the manifest.
pub fn is_output_name(name: &str) -> bool {
    if name.is_empty()
        || name.starts_with('.')
        || name.contains(['/', '\\'])
        || name.contains("..")
        || Path::new(name).is_absolute()
    {
        return false;
    }
    if name == SUMS_FILE
        || name == FILE_NAME
        || crate::model::sign::Sign::ALL
            .iter()
            .any(|s| s.file_name() == name)
    {
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

/// A record larger than this is not one crossdock wrote (it lists one line per file).
const RECORD_LIMIT: u64 = 16 << 20;

/// What crossdock wrote into one out dir, kept outside it. Each name maps to the
/// (size, SHA-256) pairs crossdock wrote under it: one after a finished run, two while a
/// run that failed part-way may have left either the old bytes or the new ones, so that
/// the next run replaces either without `--force`.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The out dir this record is about (a record found for another dir is ignored).
    out_dir: PathBuf,
    files: BTreeMap<String, BTreeSet<(u64, String)>>,
    /// For each file of a finished run: its [`Stamp`] when crossdock recorded it, with the
    /// (size, SHA-256) it had then. A file whose stamp is unchanged is not read again to
    /// prove it (a no-op run hashed every previous archive: issue 25 §5).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    stamps: BTreeMap<String, (Stamp, u64, String)>,
    /// Where it is kept: `None` when the machine has no state dir (nothing is then
    /// provably crossdock's, and nothing is recorded).
    #[serde(skip)]
    path: Option<PathBuf>,
}

/// What tells one version of a file from another without reading it: device, inode, size,
/// and the modification and status-change times to the nanosecond. Any write or rename
/// changes the change time, which no system call sets back, so a file whose stamp is
/// unchanged holds the bytes it held when stamped. Unix only: elsewhere files are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stamp {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl Stamp {
    #[cfg(unix)]
    pub fn of(meta: &std::fs::Metadata) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        Some(Stamp {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.size(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
        })
    }

    #[cfg(not(unix))]
    pub fn of(_meta: &std::fs::Metadata) -> Option<Stamp> {
        None
    }
}

/// The file of `out_dir` (canonical) in the state dir with extension `ext`: its record
/// (`json`), its lock (`lock`, `exec::lock`). Named by a hash of the out dir's path.
pub fn state_file(state_dir: &Path, out_dir: &Path, ext: &str) -> PathBuf {
    let key = archive::sha256_hex(out_dir.to_string_lossy().as_bytes());
    state_dir
        .join("out-dirs")
        .join(format!("{}.{ext}", &key[..16]))
}

impl Record {
    /// The record of `out_dir` in `state_dir` (empty when there is none yet, or it is
    /// unreadable: an unreadable record proves nothing).
    pub fn load(state_dir: Option<&Path>, out_dir: &Path) -> Record {
        let out_dir = std::fs::canonicalize(out_dir).unwrap_or_else(|_| out_dir.to_path_buf());
        let path = state_dir.map(|d| state_file(d, &out_dir, "json"));
        let read = path.as_deref().and_then(|p| {
            let meta = std::fs::symlink_metadata(p).ok()?;
            if !meta.is_file() || meta.len() > RECORD_LIMIT {
                return None;
            }
            serde_json::from_slice::<Record>(&std::fs::read(p).ok()?).ok()
        });
        let (files, stamps) = read
            .filter(|r| r.out_dir == out_dir)
            .map(|r| (r.files, r.stamps))
            .unwrap_or_default();
        Record {
            out_dir,
            files,
            stamps,
            path,
        }
    }

    /// Is `dir/name` crossdock's by the rule of this module?
    pub fn owned(&self, dir: &Path, name: &str) -> bool {
        self.owned_as(dir, name).is_some()
    }

    /// [`Record::owned`], with the file's (size, SHA-256) when it is.
    pub fn owned_as(&self, dir: &Path, name: &str) -> Option<(u64, String)> {
        if !is_output_name(name) {
            return None;
        }
        let recorded = self.files.get(name)?;
        let meta = std::fs::symlink_metadata(dir.join(name)).ok()?;
        if !meta.is_file() || !recorded.iter().any(|(size, _)| *size == meta.len()) {
            return None;
        }
        if let Some((stamp, size, sha)) = self.stamps.get(name) {
            let pair = (*size, sha.clone());
            if Stamp::of(&meta) == Some(*stamp) && recorded.contains(&pair) {
                return Some(pair);
            }
        }
        let (size, sha) = archive::hash_file(&dir.join(name)).ok()?;
        recorded
            .contains(&(size, sha.clone()))
            .then_some((size, sha))
    }

    /// The names crossdock wrote into the out dir and has not removed since.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// Records that crossdock wrote `name` with these bytes (beside what it wrote before
    /// under that name, until [`Record::keep_only`]).
    pub fn add(&mut self, name: &str, size: u64, sha256: &str) {
        self.stamps.remove(name);
        self.files
            .entry(name.to_string())
            .or_default()
            .insert((size, sha256.to_string()));
    }

    /// After a finished run: the out dir holds exactly these files of crossdock's.
    pub fn keep_only<'a>(&mut self, files: impl IntoIterator<Item = (&'a str, u64, &'a str)>) {
        self.files.clear();
        self.stamps.clear();
        for (name, size, sha) in files {
            self.add(name, size, sha);
            // Stamped as it is now, just written or proven by this run.
            let stamp = std::fs::symlink_metadata(self.out_dir.join(name))
                .ok()
                .filter(|m| m.is_file() && m.len() == size)
                .and_then(|m| Stamp::of(&m));
            if let Some(stamp) = stamp {
                self.stamps
                    .insert(name.to_string(), (stamp, size, sha.to_string()));
            }
        }
    }

    /// Writes the record (atomically) where it is kept.
    pub fn save(&self) -> Result<()> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create crossdock's state dir {}", dir.display()))?;
        let text = serde_json::to_string_pretty(self).context("serializing the out-dir record")?;
        crate::sys::fs::write_atomic(path, 0o644, |f| {
            use std::io::Write;
            f.write_all(text.as_bytes())?;
            Ok(())
        })
        .with_context(|| {
            format!(
                "cannot record what crossdock wrote into {} (in {})",
                self.out_dir.display(),
                path.display()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 25 §5: a file stamped by the record is proven without being read (the record
    /// says a hash no read would give, and is believed), and any write to it, even one
    /// that keeps its size and sets its mtime back, makes crossdock read it again.
    #[cfg(unix)]
    #[test]
    fn a_stamped_file_is_not_read_again_until_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        let out = std::fs::canonicalize(dir.path()).unwrap();
        let name = "app-1.0.0-x86_64-unknown-linux-gnu.tar.gz";
        std::fs::write(out.join(name), b"archive bytes").unwrap();
        let (size, real) = archive::hash_file(&out.join(name)).unwrap();
        let told = "ab".repeat(32);
        let mut r = Record::load(None, &out);
        r.keep_only([(name, size, told.as_str())]);
        assert_eq!(r.owned_as(&out, name), Some((size, told.clone())));

        let mtime = std::fs::metadata(out.join(name))
            .unwrap()
            .modified()
            .unwrap();
        std::fs::write(out.join(name), b"ARCHIVE BYTES").unwrap();
        let f = std::fs::File::options()
            .write(true)
            .open(out.join(name))
            .unwrap();
        f.set_modified(mtime).unwrap();
        drop(f);
        assert_eq!(r.owned_as(&out, name), None, "read again: the bytes differ");

        // Unstamped (a record of an older crossdock), the file is read and proven.
        std::fs::write(out.join(name), b"archive bytes").unwrap();
        let mut old = Record::load(None, &out);
        old.add(name, size, &real);
        assert_eq!(old.owned_as(&out, name), Some((size, real)));
    }

    #[test]
    fn only_output_shaped_plain_names() {
        for ok in [
            "app-1.0.0-x86_64-unknown-linux-gnu.tar.gz",
            "app-1.0.0-x86_64-pc-windows-gnu.zip.sha256",
            "hello-node-linux-x64-gnu-1.4.2.tgz",
            "app_1.0.0~rc.1_amd64.deb",
            "app-1.0.0~rc.1-1.x86_64.rpm.sha256",
            "app_v1.0.0_linux-aarch64.tar.xz",
            "app-aarch64-unknown-linux-gnu.tar.zst.sha256",
            "SHA256SUMS",
            "SHA256SUMS.minisig",
            "SHA256SUMS.asc",
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
