//! `merge`: joins the out dirs of per-target runs (`dist --target T --out-dir DIR`, one per
//! CI runner) into one release: every archive is checked against its dir's manifest (size
//! and SHA-256) and scanned for unsafe entries before anything is extracted, universal
//! archives are built from the thin archives' binaries, and one `SHA256SUMS` and one
//! manifest are written. The result is byte-identical to a single `dist` of the matrix,
//! npm packages of Node modules included (`merge/npm.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::exec::pack::{self, PackStep};
use crate::model::archive::ArchiveFormat;
use crate::model::strip::Strip;
use crate::model::triple::Triple;
use crate::package::archive::{self, Entry, Source, MODE_FILE};
use crate::package::binary;
use crate::package::manifest::{ArtifactEntry, ArtifactKind, Manifest, PackageEntry};
use crate::package::ownership::Record;
use crate::plan::{
    resolve_lipo, universal_formats, ArtifactNames, InstallerRelease, Lipo, PlannedBinary, Problem,
    UniversalArtifact,
};
use crate::read::config::{Config, LipoTool, Naming};
use crate::sys::shell::{self, Shell};

/// A universal group to build when its members are present.
#[derive(Debug, Clone)]
pub struct Group {
    pub name: String,
    pub members: Vec<Triple>,
    pub keep_thin: bool,
    pub tool: LipoTool,
    /// Resolved like `dist` does ([`crate::plan::resolve_lipo`]).
    pub lipo: Lipo,
    /// One universal archive per format: the first member's formats, as `dist` writes them.
    pub formats: Vec<ArchiveFormat>,
}

/// What merge takes from targets.toml: the universal groups, and how archives are named.
/// `Rules::default()` merges without a targets.toml: no universal groups, default names.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub groups: Vec<Group>,
    pub naming: Naming,
    /// Where this merge's messages go (`-v`, `--json`).
    pub shell: Shell,
    /// The user's sources the out dir must stay out of (`exec::out_dir`, as for `dist`).
    pub sources: crate::exec::out_dir::Sources,
    /// `--force`: overwrite files in the out dir that crossdock did not write.
    pub force: bool,
    /// targets.toml's targets in its order: the order of a Node module's platforms.
    pub targets: Vec<Triple>,
    /// The napi-rs package.json of each Node module, read from the workspace
    /// (`facts::napi_packages`): merge writes the root npm package from it.
    pub napi: BTreeMap<String, crate::model::node::NapiPackage>,
    /// `sign` in [dist]: merge writes the release's SHA256SUMS, so it signs it.
    pub sign: Option<crate::model::sign::Sign>,
    /// The name of the config file these rules come from (none: merge found none).
    pub config: Option<String>,
}

impl Rules {
    pub fn new(config: &Config, tools: &BTreeSet<String>) -> Result<Rules> {
        Ok(Rules {
            groups: groups(config, tools)?,
            naming: config.naming.clone(),
            shell: Shell::default(),
            sources: Default::default(),
            force: false,
            targets: config.targets.iter().map(|t| t.triple.clone()).collect(),
            napi: BTreeMap::new(),
            sign: config.sign,
            config: Some(crate::read::config::Sources::name_of(&config.path)),
        })
    }
}

/// The files the steps write themselves; [`crate::exec::out_dir::names_written`] adds the rest.
fn names_written(steps: &[PackStep], installers: &[InstallerRelease]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for step in steps {
        match step {
            PackStep::Fuse(f) => {
                names.push(f.universal.file_name.clone());
                names.extend(f.universal.unversioned.iter().cloned());
            }
            PackStep::Copy { entry, .. } => names.push(entry.name.clone()),
            PackStep::Unversioned { name, .. } => names.push(name.clone()),
            PackStep::Thin(t) => names.push(t.artifact.file_name.clone()),
            PackStep::Npm(n) => names.extend(n.node.tarballs()),
            PackStep::Source { archive, .. } => names.push(archive.file_name.clone()),
            PackStep::Sbom(s) => names.push(s.file_name.clone()),
            PackStep::Keep(_) | PackStep::Warn(_) | PackStep::Note { .. } => {}
        }
    }
    crate::exec::out_dir::names_written(names, installers)
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
                    config: crate::read::config::Sources::name_of(&config.path),
                };
                anyhow::anyhow!("{p}")
            })?;
            Ok(Group {
                name: u.name.clone(),
                members: u.targets.iter().map(|(t, _)| t.clone()).collect(),
                keep_thin: u.keep_thin,
                tool: u.tool,
                lipo,
                formats: universal_formats(config, u).to_vec(),
            })
        })
        .collect()
}

/// Names from an input manifest become paths (the copy in the out dir, the scratch dir of
/// a universal build), and the inputs come from build jobs that ran dependency code: each
/// is checked before anything is written. An archive is named as targets.toml's
/// `archive-name` names it (default `{package}-{version}-{target}.ext`), each part one plain
/// word (a version may carry `+build`), the whole one path component; an unversioned copy
/// is `{package}-{target}.ext`.
fn check_input_names(
    manifest: &Path,
    a: &ArtifactEntry,
    naming: &Naming,
    config: Option<&str>,
) -> Result<()> {
    let plain = crate::read::words::is_plain_word;
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
    let Some((format, _)) = ArchiveFormat::of_file_name(&a.name) else {
        return Err(refuse("is not a plain archive file name".into()));
    };
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
    let universal = a.kind == ArtifactKind::Universal;
    let names = ArtifactNames::new(
        &Naming {
            unversioned_copy: true,
            ..naming.clone()
        },
        p,
        v,
        t,
        universal,
        format,
    );
    let expected = match a.kind {
        ArtifactKind::UnversionedCopy => names.unversioned.unwrap_or_default(),
        ArtifactKind::Debuginfo => format!("{}-debuginfo.tar.gz", names.top_dir),
        _ => names.file_name,
    };
    if a.name != expected {
        let rule = match config {
            Some(c) => format!(
                "as archive-name \"{}\" of {c} names it (merge must read the config the inputs were built with: pass theirs with --config)",
                naming.template
            ),
            None => format!(
                "as the default archive-name \"{}\" names it (merge found no targets.toml: pass the config the inputs were built with with --config)",
                naming.template
            ),
        };
        return Err(refuse(format!("is not named {expected}, {rule}")));
    }
    Ok(())
}

/// An input's installer description becomes file names and script text: every name must
/// be the one `dist` gives, every word plain, the URL one `download-url` would accept.
fn check_installer_release(manifest: &Path, r: &InstallerRelease) -> Result<()> {
    let plain = crate::read::words::is_plain_word;
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
    // Only `.deb`/`.rpm` (no installer file) may do without a URL.
    if !(r.download_url.is_empty() && r.files.is_empty()) {
        if let Err(why) = crate::read::installers::check_download_url(&r.download_url) {
            return Err(refuse(format!("have a download URL that {why}")));
        }
    }
    for f in &r.files {
        let named = match (f.kind, r.winget_identifier()) {
            (crate::model::installer::Installer::Winget, Some(id)) => {
                crate::model::installer::winget_file_names(&id).contains(&f.file_name)
                    && crate::model::installer::is_winget_segment(
                        r.winget_publisher.as_deref().unwrap_or_default(),
                    )
            }
            _ => f.kind.file_name(&r.package).as_deref() == Some(f.file_name.as_str()),
        };
        if !named {
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

pub fn merge(inputs: &[PathBuf], out_dir: &Path, rules: &Rules) -> Result<Manifest> {
    let _in = rules.shell.enter();
    if inputs.is_empty() {
        bail!("merge needs at least one input dir (each made by `dist --target T --out-dir DIR`)");
    }
    // The signing key before any input is read: a missing one fails at once.
    let signer = crate::exec::sign::load(rules.sign)?;
    let mut commit: Option<(Option<String>, PathBuf)> = None;
    let mut epoch: Option<u64> = None;
    let mut packages: Vec<PackageEntry> = Vec::new();
    // A dirty input makes the release dirty; a failure in one input stays listed.
    let mut dirty = false;
    let mut failed = Vec::new();
    let mut found: BTreeMap<String, Found> = BTreeMap::new();
    let mut npm_found = BTreeMap::new();
    // The source archive (`source-archive = true`): every input that has one has the same.
    let mut source: Option<(ArtifactEntry, PathBuf)> = None;
    // The SBOMs (`sbom = true`), one per package and target: copied as they are.
    let mut sboms: BTreeMap<String, (ArtifactEntry, PathBuf)> = BTreeMap::new();
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
        check::check_manifest(&mpath, &m)?;
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
        npm::collect(dir, &m, &mut npm_found)?;
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
        for a in m
            .artifacts
            .iter()
            .filter(|a| a.kind == ArtifactKind::Source)
        {
            check::check_artifact(&mpath, a)?;
            check::check_source(&mpath, a)?;
            let path = dir.join(&a.name);
            verify_file(&path, a)?;
            check_entries(&path)?;
            match &source {
                Some((prev, from)) if prev.sha256 != a.sha256 || prev.name != a.name => bail!(
                    "{} holds the source archive {} and {} holds {} with other contents: merge the outputs of one commit and targets.toml only",
                    from.display(),
                    prev.name,
                    dir.display(),
                    a.name
                ),
                Some(_) => {}
                None => source = Some((a.clone(), dir.clone())),
            }
        }
        for a in m.artifacts.iter().filter(|a| a.kind == ArtifactKind::Sbom) {
            check::check_artifact(&mpath, a)?;
            check::check_sbom(&mpath, a)?;
            verify_file(&dir.join(&a.name), a)?;
            match sboms.get(&a.name) {
                Some((prev, from)) if prev.sha256 != a.sha256 => bail!(
                    "{} and {} both hold {} with other contents: merge the outputs of one commit and targets.toml, each target from one run",
                    from.display(),
                    dir.display(),
                    a.name
                ),
                Some(_) => {}
                None => {
                    sboms.insert(a.name.clone(), (a.clone(), dir.clone()));
                }
            }
        }
        for a in m.artifacts.iter().filter(|a| a.kind.is_archive()) {
            check_input_names(&mpath, a, &rules.naming, rules.config.as_deref())?;
            check::check_artifact(&mpath, a)?;
            if a.kind == ArtifactKind::UnversionedCopy {
                continue; // written again below, from the archive it copies
            }
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
            let contents = check_entries(&path)?;
            check::check_contents(&mpath, a, &contents)?;
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
    crate::exec::out_dir::check_place(out_dir, &rules.sources)?;
    crate::exec::installers::check_epoch(
        &installers
            .iter()
            .map(|(r, _)| r.clone())
            .collect::<Vec<_>>(),
        epoch.unwrap_or_default(),
    )?;
    let _out_lock = crate::exec::lock::acquire_out_dir(out_dir)?;
    pack::prepare_out_dir(out_dir)?;
    let record = Record::load(crate::sys::fs::state_dir().as_deref(), out_dir);
    let epoch = epoch.unwrap_or_default();

    // Universal archives from the thin ones, for every group whose members are all here;
    // then the thin archives that ship as they are; then the unversioned copies of all.
    let scratch = tempfile::Builder::new()
        .prefix(".crossdock-merge")
        .tempdir_in(out_dir)
        .context("cannot create a scratch dir in the out dir")?;
    let mut steps: Vec<PackStep> = Vec::new();
    // (name, package, target) of each archive the steps write.
    let mut archives: Vec<(String, Option<String>, Option<String>)> = Vec::new();
    for step in plan::steps(&found, rules)? {
        match step {
            Step::Incomplete(why) => steps.push(PackStep::Warn(why)),
            Step::Fuse(f) => {
                for fuse in fuse(&f, scratch.path())? {
                    let u = &fuse.universal;
                    archives.push((
                        u.file_name.clone(),
                        Some(u.package.clone()),
                        Some(u.name.clone()),
                    ));
                    steps.push(PackStep::Fuse(fuse));
                }
            }
            Step::Copy(f) => {
                let e = &f.entry;
                // A debuginfo archive has no unversioned copy (dist makes none either).
                if e.kind != ArtifactKind::Debuginfo {
                    archives.push((e.name.clone(), e.package.clone(), e.target.clone()));
                }
                steps.push(PackStep::Copy {
                    from: f.dir.join(&e.name),
                    entry: e.clone(),
                });
            }
        }
    }
    steps.extend(npm::steps(&npm_found, rules, scratch.path())?);
    for (_, (entry, dir)) in sboms {
        steps.push(PackStep::Copy {
            from: dir.join(&entry.name),
            entry,
        });
    }
    if let Some((entry, dir)) = source {
        steps.push(PackStep::Copy {
            from: dir.join(&entry.name),
            entry,
        });
    }
    if rules.naming.unversioned_copy {
        for (name, package, target) in archives {
            let (Some(p), Some(t), Some((format, _))) =
                (package, target, ArchiveFormat::of_file_name(&name))
            else {
                continue;
            };
            let copy = format!(
                "{}.{}",
                crate::read::archive_name::unversioned(&p, &t),
                format.extension()
            );
            steps.push(PackStep::Unversioned {
                of: name,
                name: copy,
            });
        }
    }
    let (commit, _) = commit.unwrap_or_default();
    let mut header = Manifest::new(commit, epoch);
    header.packages = packages;
    header.dirty = dirty;
    header.failed = failed;
    header.installers = installers.into_iter().map(|(r, _)| r).collect();
    let mut names = names_written(&steps, &header.installers);
    names.extend(rules.sign.map(|s| s.file_name().to_string()));
    crate::exec::out_dir::check_overwrites(out_dir, &names, &record, rules.force)?;
    let out = pack::Out {
        dir: out_dir,
        epoch,
        previous: None,
        record,
        jobs: 1,
        scratch_in: scratch.path(),
        signer: signer.as_ref(),
    };
    let manifest = pack::run(&steps, &out, header)?;
    drop(scratch);
    npm::warn_repacked(&npm_found, &manifest);
    shell::status(
        "Merged",
        format!("{} input dir(s) into {}", inputs.len(), out_dir.display()),
    );
    Ok(manifest)
}

/// Unpacks the members' binaries and checks each slice: the group's universal archives (one
/// per format) as pack steps, their slices and includes in `scratch`.
fn fuse(fuse: &plan::Fuse, scratch: &Path) -> Result<Vec<pack::Fuse>> {
    let (g, package, version) = (fuse.group, &fuse.package, &fuse.version);
    let work = scratch.join(format!("{package}-{version}-{}", g.name));
    let mut slices: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut stripped: Vec<(String, Option<u64>)> = Vec::new();
    let mut includes: Vec<Entry> = Vec::new();
    let mut binaries: Vec<PlannedBinary> = Vec::new();
    for (i, (target, f)) in g.members.iter().zip(&fuse.members).enumerate() {
        // Only what the universal archive needs, at most the declared sizes.
        // Binaries and shared libraries are fused; static archives stay in the thin ones.
        let fused = || {
            f.entry.binaries.iter().filter(|b| {
                b.kind.is_loadable()
                    && b.kind != crate::model::artifact::ArtifactKind::ImportLibrary
            })
        };
        let wanted: BTreeMap<String, Option<u64>> = fused()
            .map(|b| (b.path.clone(), Some(b.size)))
            .chain(f.entry.files.iter().map(|p| (p.clone(), None)))
            .collect();
        let files = unpack(&f.dir.join(&f.entry.name), &work.join(target), &wanted)?;
        let top = ArchiveFormat::of_file_name(&f.entry.name)
            .map_or(f.entry.name.as_str(), |(_, stem)| stem);
        for b in fused() {
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
            let data =
                std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            binary::verify(path, &data, target, Strip::None, b.kind).with_context(|| {
                format!(
                    "{}: binary {} is not fit for {}",
                    f.entry.name, b.name, g.name
                )
            })?;
            slices.entry(rel.clone()).or_default().push(path.clone());
            stripped.push((
                rel.clone(),
                b.unstripped_size.map(|n| n.saturating_sub(b.size)),
            ));
            if i == 0 {
                binaries.push(PlannedBinary {
                    name: b.name.clone(),
                    // A library's path is `lib/{file}`; `archive_path` adds it back.
                    file_name: rel.rsplit('/').next().unwrap_or(&rel).to_string(),
                    kind: b.kind,
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
    }
    // A binary that some member lacks would be fused from fewer slices than the
    // group has members: a "universal" binary for one CPU only.
    if let Some((name, paths)) = slices.iter().find(|(_, p)| p.len() != g.members.len()) {
        bail!(
            "universal `{}` of {package} {version}: binary `{name}` is in {} of the {} member archives ({}); build every member from the same commit and targets.toml",
            g.name,
            paths.len(),
            g.members.len(),
            crate::model::triple::join(&g.members, ", ")
        );
    }
    let stripped = crate::package::manifest::stripped_away(stripped);
    Ok(fuse
        .outputs
        .iter()
        .map(|planned| pack::Fuse {
            universal: UniversalArtifact {
                binaries: binaries.clone(),
                // Merge copies every archive it ships at the end (`PackStep::Unversioned`).
                unversioned: None,
                ..planned.clone()
            },
            slices: slices.clone(),
            stripped: stripped.clone(),
            includes: includes.clone(),
        })
        .collect())
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

mod check;
mod entries;
mod npm;
mod plan;
#[cfg(test)]
mod tests;
mod tree;
use entries::{check_entries, unpack};
use plan::Step;
