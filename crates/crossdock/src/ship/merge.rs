//! `merge`: joins the out dirs of per-target runs (`dist --target T --out-dir DIR`, one per
//! CI runner) into one release: every archive is checked against its dir's manifest (size
//! and SHA-256) and scanned for unsafe entries before anything is extracted, universal
//! archives are built from the thin archives' binaries, and one `SHA256SUMS` and one
//! manifest are written. The result is byte-identical to a single `dist` of the matrix.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::package::archive::{self, Entry, Source, MODE_FILE};
use crate::package::binary;
use crate::package::manifest::{ArtifactEntry, ArtifactKind, Manifest, PackageEntry};
use crate::plan::{
    resolve_lipo, InstallerRelease, Lipo, PlannedBinary, Problem, UniversalArtifact,
};
use crate::read::config::{Config, LipoTool, Strip};
use crate::{exec::dist, sys::shell};

/// A universal group to build when its members are present.
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub members: Vec<String>,
    pub keep_thin: bool,
    pub tool: LipoTool,
    /// Resolved like `dist` does ([`crate::plan::resolve_lipo`]).
    pub lipo: Lipo,
}

/// The universal groups of the config, each with the lipo that joins it here (`tools`: the
/// programs on PATH, a fact).
pub fn groups(config: &Config, tools: &BTreeSet<String>) -> Result<Vec<Group>> {
    config
        .universals
        .iter()
        .map(|u| {
            let lipo = resolve_lipo(u.tool, tools).ok_or_else(|| {
                let p = Problem::LipoMissing {
                    universal: u.name.clone(),
                    tool: u.tool,
                };
                anyhow::anyhow!("{p}")
            })?;
            Ok(Group {
                name: u.name.clone(),
                members: u.targets.iter().map(|(t, _)| t.clone()).collect(),
                keep_thin: u.keep_thin,
                tool: u.tool,
                lipo,
            })
        })
        .collect()
}

/// Names from an input manifest become paths (the copy in the out dir, the scratch dir of
/// a universal build), and the inputs come from build jobs that ran dependency code: each
/// is checked before anything is written. An archive is `{package}-{version}-{target}.ext`,
/// each part one plain word (a version may carry `+build`), the whole one path component.
fn check_input_names(manifest: &Path, a: &ArtifactEntry) -> Result<()> {
    let plain = crate::read::config::is_plain_word;
    let refuse = |why: String| {
        anyhow::anyhow!(
            "{}: artifact {:?} {why}; refusing to merge it (was this input made by `dist`?)",
            manifest.display(),
            a.name
        )
    };
    if !crate::package::ownership::is_output_name(&a.name) {
        return Err(refuse("is not a plain archive file name".into()));
    }
    let (Some(p), Some(v), Some(t)) = (&a.package, &a.version, &a.target) else {
        return Err(refuse("lacks its package, version or target".into()));
    };
    if !plain(p, &[]) || !plain(v, &['+']) || !plain(t, &[]) {
        return Err(refuse(format!(
            "has package {p:?}, version {v:?} or target {t:?} that is not a plain word"
        )));
    }
    if !v.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(refuse(format!(
            "has version {v:?}, which is not a semver version"
        )));
    }
    let stem = match a.kind {
        ArtifactKind::Debuginfo => format!("{p}-{v}-{t}-debuginfo."),
        _ => format!("{p}-{v}-{t}."),
    };
    if !a.name.starts_with(&stem) {
        return Err(refuse(format!("is not named {p}-{v}-{t}.<ext>")));
    }
    Ok(())
}

/// An input's installer description becomes file names and script text: every name must
/// be the one `dist` gives, every word plain, the URL one `download-url` would accept.
fn check_installer_release(manifest: &Path, r: &InstallerRelease) -> Result<()> {
    let plain = crate::read::config::is_plain_word;
    let refuse = |why: String| {
        anyhow::anyhow!(
            "{}: the installers of {:?} {why}; refusing to merge (was this input made by `dist`?)",
            manifest.display(),
            r.package
        )
    };
    if !plain(&r.package, &[]) || !plain(&r.version, &['+']) || !plain(&r.tag, &['+']) {
        return Err(refuse(
            "have a package, version or tag that is not a plain word".into(),
        ));
    }
    if let Some(b) = r
        .binaries
        .iter()
        .chain(r.smoke.iter().map(|(b, _)| b))
        .find(|b| !plain(b, &[]))
    {
        return Err(refuse(format!(
            "name binary {b:?}, which is not a plain word"
        )));
    }
    if let Err(why) = crate::read::installers::check_download_url(&r.download_url) {
        return Err(refuse(format!("have a download URL that {why}")));
    }
    for f in &r.files {
        if f.kind.file_name(&r.package).as_deref() != Some(f.file_name.as_str()) {
            return Err(refuse(format!(
                "name the {} installer {:?}",
                f.kind.name(),
                f.file_name
            )));
        }
    }
    Ok(())
}

/// One thin archive found in an input dir.
struct Found {
    dir: PathBuf,
    entry: ArtifactEntry,
}

pub fn merge(inputs: &[PathBuf], out_dir: &Path, groups: &[Group]) -> Result<Manifest> {
    if inputs.is_empty() {
        bail!("merge needs at least one input dir (each made by `dist --target T --out-dir DIR`)");
    }
    let mut commit: Option<(Option<String>, PathBuf)> = None;
    let mut epoch: Option<u64> = None;
    let mut packages: Vec<PackageEntry> = Vec::new();
    // A dirty input makes the release dirty; a failure in one input stays listed.
    let mut dirty = false;
    let mut failed = Vec::new();
    let mut found: BTreeMap<String, Found> = BTreeMap::new();
    let mut installers: Vec<(InstallerRelease, PathBuf)> = Vec::new();
    for dir in inputs {
        let mpath = dir.join(crate::package::manifest::FILE_NAME);
        if !mpath.is_file() {
            bail!(
                "{}: no {} here; each input must be the out dir of `dist --target T --out-dir DIR`",
                dir.display(),
                crate::package::manifest::FILE_NAME
            );
        }
        let m = Manifest::read(&mpath)?;
        match &commit {
            None => commit = Some((m.commit.clone(), dir.clone())),
            Some((c, first)) if *c != m.commit => bail!(
                "{} was built from commit {:?} but {} from {:?}: merge outputs of one commit only",
                dir.display(),
                m.commit,
                first.display(),
                c
            ),
            _ => {}
        }
        if *epoch.get_or_insert(m.source_date_epoch) != m.source_date_epoch {
            bail!("{}: SOURCE_DATE_EPOCH {} differs from the other inputs ({}); build every target with the same one", dir.display(), m.source_date_epoch, epoch.unwrap_or_default());
        }
        packages.extend(m.packages.iter().cloned());
        for r in &m.installers {
            check_installer_release(&mpath, r)?;
            match installers.iter().find(|(k, _): &&(InstallerRelease, PathBuf)| k.package == r.package) {
                Some((known, from)) if known != r => bail!(
                    "{} and {} describe the installers of `{}` differently (download URL, tag, binaries or installer list): build every target from the same commit and targets.toml",
                    from.display(),
                    mpath.display(),
                    r.package
                ),
                Some(_) => {}
                None => installers.push((r.clone(), mpath.clone())),
            }
        }
        dirty |= m.dirty;
        failed.extend(m.failed.iter().cloned());
        for a in m.artifacts.iter().filter(|a| {
            matches!(
                a.kind,
                ArtifactKind::Archive | ArtifactKind::Universal | ArtifactKind::Debuginfo
            )
        }) {
            check_input_names(&mpath, a)?;
            if let Some(other) = found.values().find(|f| {
                f.entry.package == a.package
                    && f.entry.target == a.target
                    && f.entry.version != a.version
            }) {
                bail!(
                    "{} ({}) and {} ({}) ship package {} for {} at two versions: merge the outputs of one release only",
                    a.name,
                    dir.display(),
                    other.entry.name,
                    other.dir.display(),
                    a.package.as_deref().unwrap_or_default(),
                    a.target.as_deref().unwrap_or_default()
                );
            }
            let path = dir.join(&a.name);
            verify_file(&path, a)?;
            check_entries(&path)?;
            if let Some(prev) = found.get(&a.name) {
                if prev.entry.sha256 != a.sha256 {
                    bail!(
                        "{} is in {} and {} with different contents",
                        a.name,
                        prev.dir.display(),
                        dir.display()
                    );
                }
                continue;
            }
            found.insert(
                a.name.clone(),
                Found {
                    dir: dir.clone(),
                    entry: a.clone(),
                },
            );
        }
    }
    let _out_lock = crate::exec::lock::acquire_out_dir(out_dir)?;
    dist::prepare_out_dir(out_dir)?;
    let epoch = epoch.unwrap_or_default();
    let mut entries: Vec<ArtifactEntry> = Vec::new();

    // Universal archives from the thin ones, for every group whose members are all here.
    let scratch = tempfile::Builder::new()
        .prefix(".crossdock-merge")
        .tempdir_in(out_dir)
        .context("cannot create a scratch dir in the out dir")?;
    let mut dropped: Vec<String> = Vec::new();
    for g in groups {
        let mut by_package: BTreeMap<(String, String), Vec<&Found>> = BTreeMap::new();
        for f in found
            .values()
            .filter(|f| f.entry.kind == ArtifactKind::Archive)
        {
            if let (Some(p), Some(v), Some(t)) =
                (&f.entry.package, &f.entry.version, &f.entry.target)
            {
                if g.members.contains(t) {
                    by_package
                        .entry((p.clone(), v.clone()))
                        .or_default()
                        .push(f);
                }
            }
        }
        for ((package, version), members) in by_package {
            let present: std::collections::BTreeSet<&str> = members
                .iter()
                .filter_map(|f| f.entry.target.as_deref())
                .collect();
            if members.len() != present.len() {
                bail!(
                    "universal `{}` of {package} {version}: the inputs hold more than one archive of one member target ({}); merge one archive per target",
                    g.name,
                    members.iter().map(|f| f.entry.name.as_str()).collect::<Vec<_>>().join(", ")
                );
            }
            if present.len() != g.members.len() {
                shell::warn(format!("universal `{}` of {package}: only {} of {} member targets are in the inputs; not built", g.name, members.len(), g.members.len()));
                continue;
            }
            let top_dir = format!("{package}-{version}-{}", g.name);
            let work = scratch.path().join(&top_dir);
            let mut slices: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
            let mut stripped: Vec<(String, Option<u64>)> = Vec::new();
            let mut includes: Vec<Entry> = Vec::new();
            let mut binaries: Vec<PlannedBinary> = Vec::new();
            for (i, target) in g.members.iter().enumerate() {
                let f = members
                    .iter()
                    .find(|f| f.entry.target.as_deref() == Some(target))
                    .with_context(|| {
                        format!("universal `{}` of {package}: no archive of member {target} in the inputs", g.name)
                    })?;
                let files = unpack(&f.dir.join(&f.entry.name), &work.join(target))?;
                let top = f.entry.name.trim_end_matches(".tar.gz");
                for b in &f.entry.binaries {
                    let rel = b
                        .path
                        .strip_prefix(&format!("{top}/"))
                        .unwrap_or(&b.path)
                        .to_string();
                    let path = files.get(&rel).with_context(|| {
                        format!(
                            "{}: lists binary {} but the archive has no {rel}",
                            f.entry.name, b.name
                        )
                    })?;
                    // The same check `dist` makes, on every slice that goes into a fat
                    // binary: the right Mach-O CPU and, for arm64, a valid signature.
                    let data = std::fs::read(path)
                        .with_context(|| format!("cannot read {}", path.display()))?;
                    binary::verify(path, &data, target, Strip::None).with_context(|| {
                        format!(
                            "{}: binary {} is not fit for {}",
                            f.entry.name, b.name, g.name
                        )
                    })?;
                    slices.entry(b.name.clone()).or_default().push(path.clone());
                    stripped.push((
                        b.name.clone(),
                        b.unstripped_size.map(|n| n.saturating_sub(b.size)),
                    ));
                    if i == 0 {
                        binaries.push(PlannedBinary {
                            name: b.name.clone(),
                            file_name: rel.clone(),
                        });
                    }
                }
                if i == 0 {
                    for inc in &f.entry.files {
                        let rel = inc
                            .strip_prefix(&format!("{top}/"))
                            .unwrap_or(inc)
                            .to_string();
                        let path = files.get(&rel).with_context(|| {
                            format!("{}: lists {inc} but the archive lacks it", f.entry.name)
                        })?;
                        includes.push(Entry {
                            name: rel,
                            source: Source::File(path.clone()),
                            mode: MODE_FILE,
                        });
                    }
                }
                if !g.keep_thin {
                    dropped.push(f.entry.name.clone());
                }
            }
            let u = UniversalArtifact {
                file_name: format!("{top_dir}.tar.gz"),
                top_dir,
                package: package.clone(),
                version: version.clone(),
                name: g.name.clone(),
                manifest_path: PathBuf::new(),
                members: g.members.clone(),
                tool: g.tool,
                lipo: g.lipo.clone(),
                binaries,
                includes: Vec::new(),
            };
            entries.push(dist::write_universal_archive(
                out_dir,
                epoch,
                &u,
                &slices,
                &crate::exec::size::stripped_away(stripped),
                includes,
                scratch.path(),
            )?);
        }
    }

    for f in found.values() {
        if dropped.contains(&f.entry.name) || entries.iter().any(|e| e.name == f.entry.name) {
            continue;
        }
        let src = f.dir.join(&f.entry.name);
        let dest = out_dir.join(&f.entry.name);
        if src.canonicalize().ok() != dest.canonicalize().ok() {
            archive::write_atomic(&dest, MODE_FILE, |out| {
                let mut input = std::fs::File::open(&src)
                    .with_context(|| format!("cannot read {}", src.display()))?;
                std::io::copy(&mut input, out)?;
                Ok(())
            })?;
        }
        entries.push(f.entry.clone());
    }
    drop(scratch);
    let (commit, _) = commit.unwrap_or_default();
    let mut header = Manifest::new(commit, epoch);
    header.packages = packages;
    header.dirty = dirty;
    header.failed = failed;
    header.installers = installers.into_iter().map(|(r, _)| r).collect();
    let manifest = dist::finish(out_dir, header, entries)?;
    shell::status(
        "Merged",
        format!("{} input dir(s) into {}", inputs.len(), out_dir.display()),
    );
    Ok(manifest)
}

/// The file must be exactly what its manifest recorded.
fn verify_file(path: &Path, a: &ArtifactEntry) -> Result<()> {
    let (size, sha) = archive::hash_file(path).with_context(|| {
        format!(
            "{} is listed in its dir's manifest but missing",
            path.display()
        )
    })?;
    if size != a.size || sha != a.sha256 {
        bail!(
            "{}: does not match its manifest (size {size}, sha256 {sha}; manifest: size {}, sha256 {}): the archive is corrupted or was modified; rebuild that target",
            path.display(),
            a.size,
            a.sha256
        );
    }
    Ok(())
}

fn unsafe_name(name: &str) -> bool {
    let p = Path::new(name);
    p.is_absolute()
        || p.components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
}

fn link_escapes(entry_name: &str, target: &Path) -> bool {
    if target.is_absolute() {
        return true;
    }
    let mut depth: i64 = Path::new(entry_name).components().count() as i64 - 1;
    for c in target.components() {
        match c {
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            _ => return true,
        }
        if depth < 1 {
            return true; // out of the archive's top folder
        }
    }
    false
}

/// Refuses absolute names, `..`, and links that lead out of the archive — before anything
/// is extracted from it.
pub fn check_entries(path: &Path) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let refuse = |entry: &str, why: &str| {
        anyhow::anyhow!(
            "{}: entry `{entry}` {why}; refusing to extract this archive",
            path.display()
        )
    };
    // Every entry lies in the one top folder the archive's name promises (a debuginfo
    // archive's is its binaries' archive's, so that the debug files land beside them).
    let stem = name
        .strip_suffix(".tar.gz")
        .or_else(|| name.strip_suffix(".zip"))
        .unwrap_or(&name);
    let top = stem.strip_suffix("-debuginfo").unwrap_or(stem).to_string();
    let in_top = |entry: &str| {
        let e = entry.trim_start_matches("./");
        e == top || e == format!("{top}/") || e.starts_with(&format!("{top}/"))
    };
    if name.ends_with(".zip") {
        let f = std::fs::File::open(path)?;
        let mut z = zip::ZipArchive::new(f)
            .with_context(|| format!("{} is not a zip archive", path.display()))?;
        let mut seen = std::collections::BTreeSet::new();
        for i in 0..z.len() {
            let e = z.by_index(i)?;
            let n = e.name().to_string();
            if n.contains('\\') {
                return Err(refuse(&n, "has a backslash (a Windows path separator)"));
            }
            if unsafe_name(&n) || e.enclosed_name().is_none() {
                return Err(refuse(&n, "has an absolute path or `..`"));
            }
            if !in_top(&n) {
                return Err(refuse(&n, &format!("is outside the top folder `{top}/`")));
            }
            if !seen.insert(n.trim_end_matches('/').to_string()) {
                return Err(refuse(
                    &n,
                    "appears twice (the second would win on extraction)",
                ));
            }
            if e.unix_mode().is_some_and(|m| m & 0o170000 == 0o120000) {
                let mut target = String::new();
                let mut e = e;
                e.read_to_string(&mut target)?;
                if link_escapes(&n, Path::new(&target)) {
                    return Err(refuse(
                        &n,
                        &format!("is a symlink to `{target}` outside the archive"),
                    ));
                }
            }
        }
        return Ok(());
    }
    let f = std::fs::File::open(path)?;
    let mut t = tar::Archive::new(flate2::read::GzDecoder::new(f));
    let mut seen = std::collections::BTreeSet::new();
    for e in t
        .entries()
        .with_context(|| format!("{} is not a tar.gz archive", path.display()))?
    {
        let e = e.with_context(|| format!("{}: corrupt archive", path.display()))?;
        let raw = String::from_utf8_lossy(&e.path_bytes()).into_owned();
        if unsafe_name(&raw) {
            return Err(refuse(&raw, "has an absolute path or `..`"));
        }
        let kind = e.header().entry_type();
        if !(kind.is_file() || kind.is_dir() || kind.is_symlink() || kind.is_hard_link()) {
            return Err(refuse(
                &raw,
                "is not a file, directory or link (a device, FIFO or other special entry)",
            ));
        }
        if !in_top(&raw) {
            return Err(refuse(&raw, &format!("is outside the top folder `{top}/`")));
        }
        let normalized = raw
            .trim_start_matches("./")
            .trim_end_matches('/')
            .to_string();
        if !seen.insert(normalized) {
            return Err(refuse(
                &raw,
                "appears twice (the second would win on extraction)",
            ));
        }
        if kind.is_symlink() || kind.is_hard_link() {
            let target = e.link_name()?.map(|p| p.into_owned()).unwrap_or_default();
            if link_escapes(&raw, &target) {
                let what = if kind.is_symlink() {
                    "a symlink"
                } else {
                    "a hard link"
                };
                return Err(refuse(
                    &raw,
                    &format!("is {what} to `{}` outside the archive", target.display()),
                ));
            }
        }
    }
    Ok(())
}

/// Extracts the regular files of a tar.gz (already scanned by [`check_entries`]) into
/// `into`; returns path-below-top → file. Entry names are only map keys: every file is
/// written as `into/<index>`, so no name can place a file anywhere else.
fn unpack(archive_path: &Path, into: &Path) -> Result<BTreeMap<String, PathBuf>> {
    std::fs::create_dir_all(into)?;
    let f = std::fs::File::open(archive_path)?;
    let mut t = tar::Archive::new(flate2::read::GzDecoder::new(f));
    let mut out = BTreeMap::new();
    for (i, e) in t.entries()?.enumerate() {
        let mut e = e?;
        if !e.header().entry_type().is_file() {
            continue;
        }
        let raw = String::from_utf8_lossy(&e.path_bytes()).into_owned();
        let rel = raw
            .split_once('/')
            .map(|(_, r)| r.to_string())
            .unwrap_or(raw.clone());
        let dest = into.join(format!("{i}"));
        let mut w = std::fs::File::create(&dest)?;
        std::io::copy(&mut e, &mut w)?;
        out.insert(rel, dest);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_links() {
        assert!(unsafe_name("/etc/passwd"));
        assert!(unsafe_name("a/../../b"));
        assert!(!unsafe_name("top/bin"));
        assert!(link_escapes("top/x", Path::new("../../etc/passwd")));
        assert!(link_escapes("top/x", Path::new("/etc/passwd")));
        assert!(!link_escapes("top/x", Path::new("y")));
        assert!(!link_escapes("top/sub/x", Path::new("../y")));
        assert!(link_escapes("top/x", Path::new("..")));
    }
}
