//! The source archive (`source-archive = true`, see `plan/source.rs`): the tracked files of
//! the release's commit, as git has them in that commit (not as the working tree has them),
//! written by the archive writer that writes every other archive, so it is reproducible by
//! the same rules (SOURCE_DATE_EPOCH mtimes, sorted entries, owner 0, modes 0644/0755).

use std::io::Read;
use std::path::Path;

use anyhow::{bail, Context, Result};

use crate::model::archive::ArchiveFormat;
use crate::package::archive::{self, Entry, Source, MODE_EXECUTABLE, MODE_FILE};
use crate::package::manifest::{ArtifactEntry, ArtifactKind};
use crate::plan::SourceArchive;
use crate::sys::process::Cmd;

/// Writes `src` into the out dir from the files of its commit below the workspace `root`
/// (`git archive` of `COMMIT:./` in `root`, read back and written again by our writer).
pub(super) fn write_source_archive(
    out_dir: &Path,
    epoch: u64,
    src: &SourceArchive,
    root: &Path,
    scratch: &Path,
) -> Result<ArtifactEntry> {
    let tar = scratch.join("source.tar");
    Cmd::new("git")
        .args(["archive", "--format=tar", "-o"])
        .arg(&tar)
        .arg(format!("{}:./", src.commit))
        .cwd(root)
        .env("GIT_TERMINAL_PROMPT", "0")
        .run_checked(Some(std::time::Duration::from_secs(600)))
        .with_context(|| {
            format!(
                "{}: cannot read the tracked files of commit {} in {}",
                src.file_name,
                src.commit,
                root.display()
            )
        })?;
    let entries = tracked_entries(&tar)
        .with_context(|| format!("{}: cannot read git's archive of the commit", src.file_name))?;
    let _ = std::fs::remove_file(&tar);
    let dest = out_dir.join(&src.file_name);
    let w = archive::write(&dest, ArchiveFormat::TarGz, &src.top_dir, entries, epoch)?;
    Ok(ArtifactEntry {
        package: Some(src.package.clone()),
        version: Some(src.version.clone()),
        ..ArtifactEntry::file(&src.file_name, ArtifactKind::Source, w.size, w.sha256)
    })
}

/// The regular files of a tar `git archive` wrote, executable ones 0755; directories are
/// implied by the files' paths. A symlink is refused: crossdock's archives hold regular files.
fn tracked_entries(tar: &Path) -> Result<Vec<Entry>> {
    let file =
        std::fs::File::open(tar).with_context(|| format!("cannot read {}", tar.display()))?;
    let mut entries = Vec::new();
    for e in tar::Archive::new(file).entries()? {
        let mut e = e?;
        let kind = e.header().entry_type();
        let name = e.path()?.to_string_lossy().into_owned();
        match kind {
            tar::EntryType::Directory | tar::EntryType::XGlobalHeader => continue,
            tar::EntryType::Regular | tar::EntryType::Continuous => {}
            _ => bail!(
                "{name} is a {kind:?} in the commit, and the source archive holds regular files only; commit the file itself instead of a link or submodule, or remove `source-archive`"
            ),
        }
        let mode = if e.header().mode()? & 0o111 != 0 {
            MODE_EXECUTABLE
        } else {
            MODE_FILE
        };
        let mut data = Vec::with_capacity(e.size() as usize);
        e.read_to_end(&mut data)
            .with_context(|| format!("cannot read {name} from git's archive"))?;
        entries.push(Entry {
            name: name.trim_start_matches("./").to_string(),
            source: Source::Bytes(data),
            mode,
        });
    }
    Ok(entries)
}
