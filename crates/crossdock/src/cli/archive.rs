//! `archive OUT --top-dir NAME FILE...`: crossdock's reproducible archiver on its own
//! (tar.gz, tar.xz, tar.zst or zip by OUT's extension), printing `<sha256>  <name>`. Also what the
//! benchmark times against `tar | gzip | sha256sum`.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;

use crate::model::archive::ArchiveFormat;
use crate::package::archive::{self, Entry, Source, MODE_EXECUTABLE, MODE_FILE};

#[derive(Debug, Args)]
pub struct ArchiveArgs {
    /// The archive to write (`.tar.gz`, `.tar.xz`, `.tar.zst` or `.zip`).
    pub output: PathBuf,
    /// Files to put in it (executables keep mode 0755, others get 0644).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The single top folder inside the archive (default: OUT's name without extension).
    #[arg(long)]
    pub top_dir: Option<String>,
    /// Entry mtime (default: SOURCE_DATE_EPOCH, else 1980-01-01).
    #[arg(long)]
    pub mtime: Option<u64>,
}

pub fn run(a: ArchiveArgs) -> Result<i32> {
    let name = a
        .output
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some((format, stem)) = ArchiveFormat::of_file_name(&name) else {
        bail!(
            "{}: the archive name must end in .tar.gz, .tar.xz, .tar.zst or .zip",
            a.output.display()
        );
    };
    let mut entries = Vec::new();
    let mut seen: std::collections::BTreeMap<String, PathBuf> = Default::default();
    for f in &a.files {
        let meta = std::fs::metadata(f)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", f.display()))?;
        // A device or a FIFO would never end (or change between hash and write).
        if !meta.is_file() {
            bail!(
                "{}: not a regular file; archive takes files (copy a device's or a pipe's output into one first)",
                f.display()
            );
        }
        let exec = crate::sys::fs::is_executable(f);
        // Issue 12, item 11: a lossy name would silently rename the file in the archive.
        let Some(entry_name) = f.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
            bail!(
                "{:?}: its name is not UTF-8; archive entry names must be (zip and dist-manifest.json cannot carry others): rename the file",
                f.file_name().unwrap_or_default()
            );
        };
        if let Some(prev_path) = seen.insert(entry_name.clone(), f.clone()) {
            bail!(
                "{} and {} would both be `{entry_name}` in the archive; rename one (entries are file names, without their directories)",
                prev_path.display(),
                f.display()
            );
        }
        entries.push(Entry {
            name: entry_name,
            source: Source::File(f.clone()),
            mode: if exec { MODE_EXECUTABLE } else { MODE_FILE },
        });
    }
    let mtime = match a.mtime {
        Some(m) => m,
        None => match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(s) if !s.trim().is_empty() => s.trim().parse().map_err(|_| {
                anyhow::anyhow!("SOURCE_DATE_EPOCH={s:?} is not a number of seconds since 1970; unset it or pass --mtime")
            })?,
            _ => crate::facts::FALLBACK_EPOCH,
        },
    };
    let top = a.top_dir.unwrap_or_else(|| stem.to_string());
    let w = archive::write(&a.output, format, &top, entries, mtime)?;
    print!("{}", crate::package::checksum::line(&w.sha256, &name));
    Ok(0)
}
