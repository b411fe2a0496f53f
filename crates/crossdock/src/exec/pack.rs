//! What a run writes into its out dir, as steps with their files already resolved, and the
//! one runner that writes them. `dist` makes its steps from the binaries it built and
//! verified, `merge` from the thin archives it checked and unpacked; both end here, so the
//! archives, fat binaries, unversioned copies, checksums, installers and manifest of a
//! merge are written by the very code that writes a single `dist` of the matrix.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::model::archive::ArchiveFormat;
use crate::package::archive::{self, Entry, Source, MODE_EXECUTABLE, MODE_FILE};
use crate::package::checksum;
use crate::package::manifest::{ArtifactEntry, ArtifactKind, BinaryEntry, Manifest};
use crate::package::ownership;
use crate::package::universal;
use crate::plan::{Artifact, BuildIdx, Lipo, PlannedBinary, UniversalArtifact};
use crate::sys::process::Cmd;
use crate::sys::shell;

/// The verified binaries of each build step, per package (its Cargo.toml): what archives
/// and universal slices read, found by the plan's [`BuildIdx`].
pub type Ready = BTreeMap<(BuildIdx, PathBuf), Vec<ReadyBinary>>;

/// A verified binary, ready to be archived.
#[derive(Debug, Clone)]
pub struct ReadyBinary {
    pub planned: PlannedBinary,
    pub path: PathBuf,
    pub size: u64,
    /// Its size before stripping (see `exec::size`), when measured.
    pub unstripped_size: Option<u64>,
    pub sha256: String,
    pub format: String,
    /// The oldest glibc the binary runs on (`x.y`), for a glibc-linked ELF binary.
    pub glibc: Option<String>,
    /// Its split debug info (`debuginfo = "separate"`).
    pub debug: Option<PathBuf>,
}

/// One thing to write, in the order the runner walks them (thin archives excepted: they
/// are all written first, in parallel, and listed in their place).
#[derive(Debug, Clone)]
pub enum PackStep {
    /// A thin archive of one target's binaries, then its unversioned copy; with
    /// `debuginfo_file` set, also the debuginfo archive, by the same worker.
    Thin(Thin),
    /// A universal archive: each binary's slices fused into a fat Mach-O, then archived,
    /// then its unversioned copy.
    Fuse(Fuse),
    /// A finished archive copied into the out dir as it is (unless it is already there).
    Copy { from: PathBuf, entry: ArtifactEntry },
    /// An archive already in the out dir (a previous run's), listed again as it is.
    Keep(ArtifactEntry),
    /// `unversioned-copy`: the archive `of`, written by an earlier step, again as `name`.
    Unversioned { of: String, name: String },
    /// A warning, printed in its place among the steps.
    Warn(String),
    /// A status note (`label`, `text`), printed in its place among the steps.
    Note { label: &'static str, text: String },
    /// The npm packages of a Node module: each module checked (a universal one fused
    /// first), then one tarball per platform and the root package.
    Npm(Npm),
    /// The source archive: the tracked files of the commit, from git, below the workspace
    /// root `root`.
    Source {
        archive: crate::plan::SourceArchive,
        root: PathBuf,
    },
    /// A package's CycloneDX SBOM for one target (`sbom = true`), rendered from the plan.
    Sbom(crate::plan::PlannedSbom),
}

#[derive(Debug, Clone)]
pub struct Npm {
    pub node: crate::plan::node::NodePackage,
    /// The verified modules, in the plan's platform order.
    pub modules: Vec<NpmModule>,
}

impl Npm {
    /// The npm packages of `napi` from modules that exist already (merge's inputs): one
    /// platform per module, in their order.
    pub fn of_modules(
        package: &str,
        napi: &crate::model::node::NapiPackage,
        modules: Vec<NpmModule>,
        root: bool,
    ) -> Npm {
        let platforms = modules
            .iter()
            .map(|m| (m.target.clone(), m.platform.clone()))
            .collect();
        Npm {
            node: crate::plan::node::NodePackage::new(
                package,
                std::path::PathBuf::new(),
                napi,
                platforms,
                root,
            ),
            modules,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NpmModule {
    /// The triple, or the universal group's name.
    pub target: String,
    pub platform: crate::model::node::NodePlatform,
    pub source: ModuleSource,
}

#[derive(Debug, Clone)]
pub enum ModuleSource {
    /// The verified cdylib of a thin build.
    File(PathBuf),
    /// A universal module: these slices (member order) joined by `lipo`.
    Fat { lipo: Lipo, slices: Vec<PathBuf> },
}

#[derive(Debug, Clone)]
pub struct Thin {
    pub artifact: Artifact,
    /// The verified binaries, in the artifact's binary order.
    pub binaries: Vec<ReadyBinary>,
    /// Of the build step the binaries come from, recorded in the manifest.
    pub profile_overrides: Vec<String>,
    /// What built them (rustc, builder, profile), recorded in the manifest for `verify`.
    pub build: Option<crate::package::manifest::BuildRecord>,
}

#[derive(Debug, Clone)]
pub struct Fuse {
    pub universal: UniversalArtifact,
    /// Each binary's slices, one per member target in member order.
    pub slices: BTreeMap<String, Vec<PathBuf>>,
    /// What stripping removed from each binary's slices ([`crate::package::manifest::stripped_away`]).
    pub stripped: BTreeMap<String, u64>,
    pub includes: Vec<Entry>,
}

/// Where and how the steps write.
pub struct Out<'a> {
    pub dir: &'a Path,
    /// `SOURCE_DATE_EPOCH`: every entry's mtime.
    pub epoch: u64,
    /// The out dir's previous manifest: a thin or debuginfo archive whose inputs it records
    /// unchanged is not written again (when the record proves the file crossdock's).
    pub previous: Option<&'a Manifest>,
    /// What crossdock wrote into the out dir before ([`ownership::Record`]): the only files
    /// this run may replace, remove or keep. Updated with what this run writes, also when it
    /// fails part-way, so that a rerun needs no `--force`.
    pub record: ownership::Record,
    /// Thin archives written at once.
    pub jobs: usize,
    /// Where the fat binaries are made (in a temporary dir, removed after the run).
    pub scratch_in: &'a Path,
    /// `sign`: signs SHA256SUMS once it is written.
    pub signer: Option<&'a crate::exec::sign::Signer>,
}

/// Writes every step, then checksums, installers and the manifest ([`finish`], with
/// `header`: commit, epoch, packages, skipped and failed targets, installers). The entries
/// are listed in step order, each unversioned copy before the archive it copies. The record
/// then says what the out dir holds of crossdock's: exactly the manifest's files after a
/// finished run; after a failure (whose files are taken back, see
/// [`crate::sys::fs::Transaction`]), also every file written before it, in case taking back
/// failed too.
pub fn run(steps: &[PackStep], out: &Out, header: Manifest) -> Result<Manifest> {
    let mut written: Vec<ArtifactEntry> = Vec::new();
    // The run's files become visible together or not at all: on a failure part-way, what
    // was written is removed and what it replaced is put back.
    let transaction = crate::sys::fs::Transaction::begin(out.dir);
    let result = write_all(steps, out, header, &mut written).and_then(|manifest| {
        clamp_mtimes(out, &manifest)?;
        Ok(manifest)
    });
    if result.is_ok() {
        transaction.commit();
    } else {
        drop(transaction);
    }
    let mut record = out.record.clone();
    match &result {
        Ok(manifest) => record.keep_only(
            manifest
                .artifacts
                .iter()
                .chain(
                    written
                        .iter()
                        .filter(|e| e.name == crate::package::manifest::FILE_NAME),
                )
                .map(|e| (e.name.as_str(), e.size, e.sha256.as_str())),
        ),
        Err(_) => {
            for e in &written {
                record.add(&e.name, e.size, &e.sha256);
            }
        }
    }
    match (record.save(), result) {
        (Err(e), Ok(_)) => Err(e),
        (Err(e), Err(failed)) => {
            shell::warn(format!("{e:#}"));
            Err(failed)
        }
        (Ok(()), result) => result,
    }
}

/// Every file of the release gets `SOURCE_DATE_EPOCH` as its modification time, as
/// reproducible-build tools clamp them: a user build script without `rerun-if-changed`
/// reruns whenever the newest file of its package changes, and the default out dir is in
/// the package of a one-package workspace (cargo lists it unless git ignores it), so files
/// stamped with the time of writing made every `dist` rerun it (issue 25 §5).
fn clamp_mtimes(out: &Out, manifest: &Manifest) -> Result<()> {
    let names = manifest
        .artifacts
        .iter()
        .map(|e| e.name.as_str())
        .chain([crate::package::manifest::FILE_NAME]);
    for name in names {
        crate::sys::fs::set_mtime(&out.dir.join(name), out.epoch)?;
    }
    Ok(())
}

/// [`run`]'s writing; each file written under its final name is pushed to `done` as soon
/// as it is there.
fn write_all(
    steps: &[PackStep],
    out: &Out,
    header: Manifest,
    done: &mut Vec<ArtifactEntry>,
) -> Result<Manifest> {
    let thin: Vec<&Thin> = steps
        .iter()
        .filter_map(|s| match s {
            PackStep::Thin(t) => Some(t),
            _ => None,
        })
        .collect();
    let written_thin = if thin.is_empty() {
        Vec::new()
    } else {
        let progress = shell::Progress::new(thin.len());
        let results = crate::exec::jobs::parallel(&thin, out.jobs, |t| {
            let r = write_thin_archive(out, t).and_then(|entry| {
                let mut written = vec![entry];
                if let Some(name) = &t.artifact.debuginfo_file {
                    written.push(write_debuginfo_archive(
                        out,
                        &t.artifact,
                        name,
                        &t.binaries,
                    )?);
                }
                Ok(written)
            });
            progress.done(&t.artifact.file_name);
            r
        });
        progress.finish();
        results
    };
    // Every thin archive that was written is on record, even when another one failed.
    for w in written_thin.iter().flatten() {
        done.extend(w.iter().cloned());
    }
    let mut written_thin = written_thin.into_iter();
    let mut scratch: Option<tempfile::TempDir> = None;
    let mut entries: Vec<ArtifactEntry> = Vec::new();
    for step in steps {
        match step {
            PackStep::Thin(t) => {
                let written = written_thin.next().expect("one result per thin step")?;
                // The archive comes first, then its debuginfo archive.
                if let Some(copy) = &t.artifact.unversioned {
                    let copy = write_unversioned_copy(out.dir, &written[0], copy)?;
                    done.push(copy.clone());
                    entries.push(copy);
                }
                entries.extend(written);
            }
            PackStep::Fuse(f) => {
                let scratch = scratch_dir(&mut scratch, out)?;
                let written = write_universal_archive(
                    out.dir,
                    out.epoch,
                    &f.universal,
                    &f.slices,
                    &f.stripped,
                    f.includes.clone(),
                    scratch.path(),
                )?;
                done.push(written.clone());
                if let Some(copy) = &f.universal.unversioned {
                    let copy = write_unversioned_copy(out.dir, &written, copy)?;
                    done.push(copy.clone());
                    entries.push(copy);
                }
                entries.push(written);
            }
            PackStep::Copy { from, entry } => {
                let dest = out.dir.join(&entry.name);
                if from.canonicalize().ok() != dest.canonicalize().ok() {
                    archive::write_atomic(&dest, MODE_FILE, |w| {
                        let mut input = std::fs::File::open(from)
                            .with_context(|| format!("cannot read {}", from.display()))?;
                        let mut hashing = archive::HashingWriter::new(w);
                        std::io::copy(&mut input, &mut hashing)
                            .with_context(|| format!("cannot read {}", from.display()))?;
                        // Issue 20 §8: the manifest entry is the copy's header; a file
                        // changed since it was checked would disagree with it.
                        let (_, size, sha256) = hashing.finish();
                        if (size, sha256.as_str()) != (entry.size, entry.sha256.as_str()) {
                            bail!("{}: it changed while being copied (its manifest entry says {} bytes with SHA-256 {}, the copy has {size} bytes with {sha256}); run again once nothing writes to the input", from.display(), entry.size, entry.sha256);
                        }
                        Ok(())
                    })?;
                }
                done.push(entry.clone());
                entries.push(entry.clone());
            }
            PackStep::Keep(entry) => entries.push(entry.clone()),
            PackStep::Unversioned { of, name } => {
                let Some(of) = entries.iter().find(|e| e.name == *of) else {
                    bail!("{name}: the archive {of} it copies was not written before it");
                };
                let copy = write_unversioned_copy(out.dir, of, name)?;
                done.push(copy.clone());
                entries.push(copy);
            }
            PackStep::Npm(n) => {
                let scratch = scratch_dir(&mut scratch, out)?;
                entries.extend(write_npm_packages(out, n, scratch.path())?);
            }
            PackStep::Source { archive, root } => {
                let scratch = scratch_dir(&mut scratch, out)?;
                let written = source::write_source_archive(
                    out.dir,
                    out.epoch,
                    archive,
                    root,
                    scratch.path(),
                )?;
                done.push(written.clone());
                entries.push(written);
            }
            PackStep::Sbom(sbom) => {
                let written = write_sbom(out, sbom)?;
                done.push(written.clone());
                entries.push(written);
            }
            PackStep::Warn(why) => shell::warn(why),
            PackStep::Note { label, text } => shell::note(label, text),
        }
    }
    drop(scratch);
    finish(
        out.dir,
        &out.record,
        out.previous,
        out.signer,
        header,
        entries,
        done,
    )
}

/// `NAME-VERSION-TARGET.cdx.json` (written anew each run: rendering it costs nothing).
fn write_sbom(out: &Out, sbom: &crate::plan::PlannedSbom) -> Result<ArtifactEntry> {
    let bytes = crate::package::sbom::cyclonedx(sbom, out.epoch, env!("CARGO_PKG_VERSION"));
    archive::write_atomic(&out.dir.join(&sbom.file_name), MODE_FILE, |w| {
        use std::io::Write;
        w.write_all(&bytes)
            .with_context(|| format!("cannot write {}", sbom.file_name))
    })?;
    Ok(ArtifactEntry {
        package: Some(sbom.package.clone()),
        version: Some(sbom.version.clone()),
        target: Some(sbom.target.to_string()),
        ..ArtifactEntry::file(
            &sbom.file_name,
            ArtifactKind::Sbom,
            bytes.len() as u64,
            archive::sha256_hex(&bytes),
        )
    })
}

/// The run's scratch dir for fat files, made when first needed.
fn scratch_dir<'s>(
    scratch: &'s mut Option<tempfile::TempDir>,
    out: &Out,
) -> Result<&'s tempfile::TempDir> {
    if scratch.is_none() {
        *scratch = Some(
            tempfile::Builder::new()
                .prefix("crossdock-universal")
                .tempdir_in(out.scratch_in)
                .with_context(|| {
                    format!(
                        "cannot create a scratch dir in {}",
                        out.scratch_in.display()
                    )
                })?,
        );
    }
    Ok(scratch.as_ref().expect("just made"))
}

/// Creates the out dir and proves it is writable before any long build.
pub fn prepare_out_dir(out_dir: &Path) -> Result<()> {
    remove_interrupted(out_dir);
    crate::sys::fs::create_out_dir(out_dir)?;
    tempfile::Builder::new()
        .prefix(".crossdock-write-test")
        .tempfile_in(out_dir)
        .with_context(|| format!("the out dir {} is not writable; fix its permissions or choose another with --out-dir", out_dir.display()))?;
    Ok(())
}

/// Removes temporary files an interrupted run left (`.{name}.XXXXXX.crossdock-tmp`: only
/// crossdock makes files with that suffix).
fn remove_interrupted(out_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(out_dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && name.ends_with(archive::TMP_SUFFIX) && e.path().is_file() {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

mod source;
mod write;
use write::{
    finish, write_debuginfo_archive, write_npm_packages, write_thin_archive,
    write_universal_archive, write_unversioned_copy,
};
#[cfg(test)]
mod tests;
