//! The files a pack step writes: archives (thin, universal, debuginfo, unversioned copies),
//! a thin or debuginfo archive skipped when its inputs are unchanged, then checksums,
//! installers and the manifest (`finish`), and the stale-output cleanup.

use super::*;
use crate::package::dsym;

/// Writes checksum files and the manifest for finished archives, and removes what the
/// previous run wrote that this one did not.
/// `manifest` comes with its header (commit, epoch, packages, skipped and failed targets,
/// what the installers say); the archives, checksum files and installers are added here.
pub(super) fn finish(
    out_dir: &Path,
    record: &ownership::Record,
    previous: Option<&Manifest>,
    signer: Option<&crate::exec::sign::Signer>,
    mut manifest: Manifest,
    archives: Vec<ArtifactEntry>,
    done: &mut Vec<ArtifactEntry>,
) -> Result<Manifest> {
    let mut sums = Vec::new();
    for a in &archives {
        let name = format!("{}.sha256", a.name);
        let text = checksum::line(&a.sha256, &a.name);
        checksum::write_text(&out_dir.join(&name), &text)?;
        sums.push((a.name.clone(), a.sha256.clone()));
        let entry = ArtifactEntry {
            package: a.package.clone(),
            version: a.version.clone(),
            target: a.target.clone(),
            ..ArtifactEntry::file(
                name,
                ArtifactKind::Checksum,
                text.len() as u64,
                archive::sha256_hex(text.as_bytes()),
            )
        };
        done.push(entry.clone());
        manifest.artifacts.push(entry);
    }
    let installers = crate::exec::installers::write(
        out_dir,
        &manifest.installers,
        &archives,
        manifest.source_date_epoch,
        crate::exec::installers::Previous {
            manifest: previous,
            record,
        },
    )?;
    done.extend(installers.iter().cloned());
    sums.extend(
        installers
            .iter()
            .map(|i| (i.name.clone(), i.sha256.clone())),
    );
    let sums_text = checksum::sums(&sums);
    checksum::write_text(&out_dir.join(checksum::SUMS_FILE), &sums_text)?;
    let sums_entry = ArtifactEntry::file(
        checksum::SUMS_FILE,
        ArtifactKind::Checksums,
        sums_text.len() as u64,
        archive::sha256_hex(sums_text.as_bytes()),
    );
    done.push(sums_entry.clone());
    if let Some(signer) = signer {
        let name = signer.sign.file_name();
        let sig = signer.sign(sums_text.as_bytes(), manifest.source_date_epoch)?;
        checksum::write_text(&out_dir.join(name), &sig)?;
        let entry = ArtifactEntry::file(
            name,
            ArtifactKind::Signature,
            sig.len() as u64,
            archive::sha256_hex(sig.as_bytes()),
        );
        done.push(entry.clone());
        manifest.artifacts.push(entry);
    }
    manifest.artifacts.extend(archives);
    manifest.artifacts.extend(installers);
    manifest.artifacts.push(sums_entry);
    manifest.normalize();
    let manifest_text = manifest.to_json();
    let manifest_name = crate::package::manifest::FILE_NAME;
    checksum::write_text(&out_dir.join(manifest_name), &manifest_text)?;
    done.push(ArtifactEntry::file(
        manifest_name,
        ArtifactKind::Checksums,
        manifest_text.len() as u64,
        archive::sha256_hex(manifest_text.as_bytes()),
    ));
    // What crossdock wrote before and this run did not: removed, when the record (kept
    // outside the out dir) proves it crossdock's and the file is still what was recorded.
    // Nothing a file in the out dir says makes another file crossdock's.
    let now: BTreeSet<&str> = manifest.files.iter().map(String::as_str).collect();
    for stale in record
        .names()
        .filter(|f| !now.contains(f) && *f != manifest_name)
    {
        if !record.owned(out_dir, stale) {
            continue;
        }
        let p = out_dir.join(stale);
        std::fs::remove_file(&p).with_context(|| format!("cannot remove stale {}", p.display()))?;
        shell::note(
            "Removed",
            format!("{stale} (from the previous run, not produced now)"),
        );
    }
    Ok(manifest)
}

/// A fingerprint of an archive's inputs: what decides its bytes.
pub(super) fn inputs_fingerprint(
    format: ArchiveFormat,
    top_dir: &str,
    mtime: u64,
    entries: &[Entry],
    known: &BTreeMap<String, String>,
) -> Result<String> {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(format!(
        "crossdock-archive-v1\0{}\0{top_dir}\0{mtime}\0",
        format.extension()
    ));
    let mut sorted: Vec<&Entry> = entries.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for e in sorted {
        let sha = match (known.get(&e.name), &e.source) {
            (Some(s), _) => s.clone(),
            (None, Source::File(p)) => archive::hash_file(p)?.1,
            (None, Source::Bytes(b)) => archive::sha256_hex(b),
        };
        h.update(format!("{}\0{:o}\0{sha}\0", e.name, e.mode));
    }
    Ok(archive::hex(&h.finalize()))
}

/// `{top_dir}-debuginfo.tar.gz`: each binary's split debug info as `{top_dir}/{file}.debug`
/// (ELF, windows-gnu) or the tree of `{top_dir}/{file}.dSYM/` (Mach-O), so that extracting
/// it over the binary's archive puts the debug info where debuggers look for it: the file
/// the binary's `.gnu_debuglink` names, the bundle beside the binary.
pub(super) fn write_debuginfo_archive(
    out: &Out,
    a: &Artifact,
    name: &str,
    bins: &[ReadyBinary],
) -> Result<ArtifactEntry> {
    let mut entries = Vec::new();
    // Libraries ship stripped, with no debug info of their own.
    for b in bins.iter().filter(|b| b.planned.kind.is_binary()) {
        let debug = b.debug.as_ref().with_context(|| {
            format!(
                "{}: no split debug info for {}",
                a.target, b.planned.file_name
            )
        })?;
        let name = debug
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if debug.is_dir() {
            // A Mach-O `.dSYM` bundle: its whole tree.
            for (rel, file) in dsym::files(debug)? {
                entries.push(Entry {
                    name: format!("{name}/{rel}"),
                    source: Source::File(file),
                    mode: MODE_FILE,
                });
            }
        } else {
            entries.push(Entry {
                name,
                source: Source::File(debug.clone()),
                mode: MODE_FILE,
            });
        }
    }
    let inputs = inputs_fingerprint(
        ArchiveFormat::TarGz,
        &a.top_dir,
        out.epoch,
        &entries,
        &BTreeMap::new(),
    )?;
    let files: Vec<String> = entries
        .iter()
        .map(|e| format!("{}/{}", a.top_dir, e.name))
        .collect();
    if let Some(fresh) = out
        .previous
        .and_then(|m| m.fresh(name, &inputs, || out.record.owned_as(out.dir, name)))
    {
        shell::note("Fresh", name);
        return Ok(fresh);
    }
    let written = archive::write(
        &out.dir.join(name),
        ArchiveFormat::TarGz,
        &a.top_dir,
        entries,
        out.epoch,
    )?;
    Ok(ArtifactEntry {
        inputs,
        name: name.to_string(),
        kind: ArtifactKind::Debuginfo,
        package: Some(a.package.clone()),
        version: Some(a.version.clone()),
        target: Some(a.target.to_string()),
        members: Vec::new(),
        size: written.size,
        sha256: written.sha256,
        binaries: Vec::new(),
        files,
        profile_overrides: Vec::new(),
        build: None,
    })
}

pub(super) fn write_thin_archive(out: &Out, thin: &Thin) -> Result<ArtifactEntry> {
    let (a, bins) = (&thin.artifact, &thin.binaries);
    let mut entries: Vec<Entry> = bins
        .iter()
        .map(|b| Entry {
            name: b.planned.archive_path(),
            source: Source::File(b.path.clone()),
            mode: mode_of(b.planned.kind),
        })
        .collect();
    entries.extend(a.includes.iter().map(|i| Entry {
        name: i.dest.clone(),
        source: Source::File(i.source.clone()),
        mode: MODE_FILE,
    }));
    let known = bins
        .iter()
        .map(|b| (b.planned.archive_path(), b.sha256.clone()))
        .collect();
    let inputs = inputs_fingerprint(a.format, &a.top_dir, out.epoch, &entries, &known)?;
    let profile_overrides = thin.profile_overrides.clone();
    let binaries: Vec<BinaryEntry> = bins
        .iter()
        .map(|b| BinaryEntry {
            name: b.planned.name.clone(),
            kind: b.planned.kind,
            path: format!("{}/{}", a.top_dir, b.planned.archive_path()),
            size: b.size,
            unstripped_size: b.unstripped_size,
            sha256: b.sha256.clone(),
            format: b.format.clone(),
            glibc: b.glibc.clone(),
        })
        .collect();
    if let Some(fresh) = out.previous.and_then(|m| {
        m.fresh(&a.file_name, &inputs, || {
            out.record.owned_as(out.dir, &a.file_name)
        })
    }) {
        shell::note("Fresh", &a.file_name);
        // The same binaries (their hashes are part of `inputs`); described by this version.
        return Ok(ArtifactEntry {
            profile_overrides,
            binaries,
            build: thin.build.clone(),
            ..fresh
        });
    }
    let written = archive::write(
        &out.dir.join(&a.file_name),
        a.format,
        &a.top_dir,
        entries,
        out.epoch,
    )?;
    Ok(ArtifactEntry {
        inputs,
        name: a.file_name.clone(),
        kind: ArtifactKind::Archive,
        package: Some(a.package.clone()),
        version: Some(a.version.clone()),
        target: Some(a.target.to_string()),
        members: Vec::new(),
        size: written.size,
        sha256: written.sha256,
        binaries,
        files: a
            .includes
            .iter()
            .map(|i| format!("{}/{}", a.top_dir, i.dest))
            .collect(),
        profile_overrides,
        build: thin.build.clone(),
    })
}

/// Fuses each binary's slices (one per member target, in member order) and writes the
/// universal archive. `stripped`: what stripping removed from each binary's slices
/// ([`crate::package::manifest::stripped_away`]); its unstripped size is the fat size plus that.
pub(super) fn write_universal_archive(
    out_dir: &Path,
    epoch: u64,
    u: &UniversalArtifact,
    slices: &BTreeMap<String, Vec<PathBuf>>,
    stripped: &BTreeMap<String, u64>,
    includes: Vec<Entry>,
    scratch: &Path,
) -> Result<ArtifactEntry> {
    let mut entries = Vec::new();
    let mut binaries = Vec::new();
    for b in &u.binaries {
        let key = b.archive_path();
        let inputs = slices
            .get(&key)
            .with_context(|| format!("universal `{}`: no slices of `{key}`", u.name))?;
        let fat = scratch.join(format!("{}-{}", u.package, b.file_name));
        let _ = std::fs::remove_file(&fat);
        fuse(&u.lipo, inputs, &fat)
            .with_context(|| format!("universal `{}`: cannot join {}", u.name, b.name))?;
        let data = std::fs::read(&fat)?;
        let archs = universal::archs(&data)?;
        let (size, sha256) = archive::hash_file(&fat)?;
        binaries.push(BinaryEntry {
            name: b.name.clone(),
            kind: b.kind,
            path: format!("{}/{}", u.top_dir, key),
            size,
            unstripped_size: stripped.get(&key).map(|s| size + s),
            sha256,
            format: format!("Mach-O universal ({})", archs.join(", ")),
            glibc: None,
        });
        entries.push(Entry {
            name: key,
            source: Source::File(fat),
            mode: mode_of(b.kind),
        });
    }
    let files: Vec<String> = includes
        .iter()
        .map(|i| format!("{}/{}", u.top_dir, i.name))
        .collect();
    entries.extend(includes);
    let written = archive::write(
        &out_dir.join(&u.file_name),
        u.format,
        &u.top_dir,
        entries,
        epoch,
    )?;
    shell::status(
        "Fused",
        format!(
            "{} ({})",
            u.file_name,
            crate::model::triple::join(&u.members, " + ")
        ),
    );
    Ok(ArtifactEntry {
        inputs: String::new(),
        name: u.file_name.clone(),
        kind: ArtifactKind::Universal,
        package: Some(u.package.clone()),
        version: Some(u.version.clone()),
        target: Some(u.name.clone()),
        members: u.members.iter().map(|m| m.to_string()).collect(),
        size: written.size,
        sha256: written.sha256,
        binaries,
        files,
        profile_overrides: Vec::new(),
        build: None,
    })
}

/// `unversioned-copy`: the archive `of` again, byte for byte, as `name` (for links such as
/// `releases/latest/download/app-x86_64-unknown-linux-gnu.tar.gz`).
pub(super) fn write_unversioned_copy(
    out_dir: &Path,
    of: &ArtifactEntry,
    name: &str,
) -> Result<ArtifactEntry> {
    let src = out_dir.join(&of.name);
    let (size, sha256) = archive::write_atomic(&out_dir.join(name), MODE_FILE, |out| {
        let mut input =
            std::fs::File::open(&src).with_context(|| format!("cannot read {}", src.display()))?;
        let mut hashing = archive::HashingWriter::new(out);
        std::io::copy(&mut input, &mut hashing)?;
        let (_, size, sha) = hashing.finish();
        if sha != of.sha256 {
            bail!("{name}: the copy of {} does not have its bytes (it changed while being copied); run again", of.name);
        }
        Ok((size, sha))
    })?;
    Ok(ArtifactEntry {
        package: of.package.clone(),
        version: of.version.clone(),
        target: of.target.clone(),
        ..ArtifactEntry::file(name, ArtifactKind::UnversionedCopy, size, sha256)
    })
}

/// Joins thin Mach-O files with the configured tool.
fn fuse(lipo: &Lipo, inputs: &[PathBuf], output: &Path) -> Result<()> {
    match lipo {
        Lipo::External(program) => {
            Cmd::new(program)
                .arg("-create")
                .arg("-output")
                .arg(output)
                .args(inputs)
                .run_checked(Some(std::time::Duration::from_secs(300)))?;
            Ok(())
        }
        Lipo::Builtin => {
            let refs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
            universal::create_file(&refs, output)
        }
    }
}

/// A Node module's npm packages: each module checked as Node will load it (a universal one
/// fused first, by the writer universal archives use), then the tarballs, each listed like
/// an archive (checksum, SHA256SUMS, manifest).
pub(super) fn write_npm_packages(out: &Out, n: &Npm, scratch: &Path) -> Result<Vec<ArtifactEntry>> {
    use crate::package::{node_module, npm};
    let mut built = Vec::new();
    for m in &n.modules {
        let file = match &m.source {
            ModuleSource::File(p) => p.clone(),
            ModuleSource::Fat { lipo, slices } => {
                let fat = scratch.join(format!(
                    "{}-{}",
                    n.node.package,
                    m.platform.module_file(&n.node.binary_name)
                ));
                let _ = std::fs::remove_file(&fat);
                fuse(lipo, slices, &fat).with_context(|| {
                    format!("universal `{}`: cannot join the Node module", m.target)
                })?;
                fat
            }
        };
        let data =
            std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
        node_module::check(
            &format!(
                "{} ({} for {})",
                file.display(),
                m.platform.module_file(&n.node.binary_name),
                m.target
            ),
            &data,
        )?;
        built.push(npm::BuiltModule {
            platform: m.platform.clone(),
            target: m.target.clone(),
            file,
        });
    }
    let mut entries = Vec::new();
    let tarballs = npm::compose(&n.node.napi, &built);
    for t in tarballs
        .iter()
        .filter(|t| t.platform.is_some() || n.node.root)
    {
        let written = npm::write(out.dir, t, out.epoch)?;
        shell::status(
            "Packed",
            format!("npm {}@{} ({})", t.name, t.version, t.file_name),
        );
        let target = t
            .platform
            .as_ref()
            .and_then(|p| built.iter().find(|b| &b.platform.name == p))
            .map(|b| b.target.clone());
        entries.push(ArtifactEntry {
            package: Some(n.node.package.clone()),
            version: Some(t.version.clone()),
            target,
            ..ArtifactEntry::file(
                t.file_name.clone(),
                ArtifactKind::NpmPackage,
                written.size,
                written.sha256,
            )
        });
    }
    Ok(entries)
}

/// A program or shared library is executable (as linkers write them); a static or import
/// library is a plain file.
fn mode_of(kind: crate::model::artifact::ArtifactKind) -> u32 {
    if kind.is_loadable() {
        MODE_EXECUTABLE
    } else {
        MODE_FILE
    }
}
