//! `verify DIR`: rebuild a downloaded release (`SHA256SUMS`, `dist-manifest.json` and its
//! files) from its recorded commit, in a clean temporary git worktree of this repository at
//! another path, with its `SOURCE_DATE_EPOCH`, and compare each file byte for byte. The
//! facts (the release as read, whether this repository has the commit) go to the pure
//! `plan`, the rebuild is an ordinary `dist` of the planned targets into a temporary out
//! dir, and `plan::judge` turns what it wrote into the report. Nothing in the current
//! checkout is read besides its git history: uncommitted changes cannot reach the rebuild.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::exec::pipeline;
use crate::facts::Location;
use crate::package::archive_diff;
use crate::package::{archive, checksum, manifest};
use crate::plan::Options;
use crate::sys::process::Cmd;
use crate::sys::shell::{self, Shell};

pub mod plan;

use plan::{Here, Rebuilt, Release, Report};

/// What `verify` was asked.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// The downloaded release.
    pub dir: PathBuf,
    /// `--target`: only these targets' files.
    pub targets: Vec<String>,
    /// A Cargo.toml of the workspace in this repository (default: the current directory's).
    pub manifest_path: Option<PathBuf>,
    pub cargo: Option<String>,
    pub rustc: Option<String>,
    pub jobs: Option<usize>,
    pub shell: Shell,
}

const GIT: Option<Duration> = Some(Duration::from_secs(300));

/// Reads the release in `dir`: its manifest, `SHA256SUMS`, and the hash of each file of
/// the manifest that is there.
pub fn read_release(dir: &Path) -> Result<Release> {
    let fix =
        "give the folder of a downloaded release (its SHA256SUMS, dist-manifest.json and archives)";
    let manifest = manifest::Manifest::read(&dir.join(manifest::FILE_NAME))
        .with_context(|| format!("verify {}: {fix}", dir.display()))?;
    let sums_path = dir.join(checksum::SUMS_FILE);
    let sums_text = crate::sys::fs::read_input(&sums_path, manifest::LIMIT)
        .with_context(|| format!("cannot read {}; {fix}", sums_path.display()))?;
    let sums = checksum::parse(&String::from_utf8_lossy(&sums_text), &sums_path)?
        .into_iter()
        .collect();
    let mut present = BTreeMap::new();
    for a in &manifest.artifacts {
        // Only plain names of the folder: a manifest never points verify elsewhere.
        if !crate::package::ownership::is_output_name(&a.name) {
            continue;
        }
        let p = dir.join(&a.name);
        if p.is_file() {
            present.insert(a.name.clone(), archive::hash_file(&p)?.1);
        }
    }
    Ok(Release {
        manifest,
        sums,
        present,
    })
}

/// The git checkout holding `dir`: its top folder.
fn toplevel(dir: &Path) -> Result<PathBuf> {
    let out = Cmd::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .cwd(dir)
        .output(GIT)?;
    if !out.success() {
        bail!(
            "verify rebuilds the release from its commit, in a clone of the project that made it: {} is not in a git checkout; run verify inside one (`git clone …`), or pass --manifest-path",
            dir.display()
        );
    }
    Ok(PathBuf::from(out.stdout.trim()))
}

fn commit_known(top: &Path, commit: &str) -> Result<bool> {
    let is_hex = !commit.is_empty() && commit.bytes().all(|b| b.is_ascii_hexdigit());
    if !is_hex {
        return Ok(false);
    }
    Ok(Cmd::new("git")
        .args(["cat-file", "-e", &format!("{commit}^{{commit}}")])
        .cwd(top)
        .output(GIT)?
        .success())
}

/// A detached worktree of `commit` at `path`, removed (with git's record of it) on drop.
struct Worktree {
    top: PathBuf,
    path: PathBuf,
}

impl Worktree {
    fn add(top: &Path, path: &Path, commit: &str) -> Result<Worktree> {
        Cmd::new("git")
            .args(["worktree", "add", "--quiet", "--detach"])
            .arg(path)
            .arg(commit)
            .cwd(top)
            .run_checked(GIT)
            .with_context(|| format!("cannot check out commit {commit} in {}", path.display()))?;
        Ok(Worktree {
            top: top.to_path_buf(),
            path: path.to_path_buf(),
        })
    }
}

impl Drop for Worktree {
    fn drop(&mut self) {
        let _ = Cmd::new("git")
            .args(["worktree", "remove", "--force"])
            .arg(&self.path)
            .cwd(&self.top)
            .output(GIT);
        let _ = Cmd::new("git")
            .args(["worktree", "prune"])
            .cwd(&self.top)
            .output(GIT);
    }
}

/// The Cargo.toml in the worktree that stands where `ws` stands in the checkout: `ws`'s
/// path below the top folder, or the nearest folder above it that has one.
fn workspace_in(worktree: &Path, top: &Path, ws: &Path) -> Result<PathBuf> {
    let rel = ws.strip_prefix(top).unwrap_or(Path::new(""));
    let mut dir = worktree.join(rel);
    loop {
        if dir.join("Cargo.toml").is_file() {
            return Ok(dir.join("Cargo.toml"));
        }
        if dir == worktree || !dir.pop() {
            bail!(
                "the release's commit has no Cargo.toml at {} or above it; run verify in the workspace that made the release, or pass --manifest-path",
                worktree.join(rel).display()
            );
        }
    }
}

/// Rebuilds and compares; the report (its `ok()` is the exit status).
pub fn verify(opts: &VerifyOptions) -> Result<Report> {
    let _in = opts.shell.enter();
    let dir = crate::facts::absolute(&opts.dir)?;
    let release = read_release(&dir)?;
    let ws = match &opts.manifest_path {
        Some(p) => crate::facts::absolute(p)?
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    let top = toplevel(&ws)?;
    let commit = release.manifest.commit.clone().unwrap_or_default();
    let here = Here {
        commit_known: commit_known(&top, &commit)?,
    };
    let plan = plan::plan(&release, &here, &opts.targets)?;
    shell::status(
        "Verifying",
        format!(
            "{} file(s) of {} ({}), rebuilt from commit {}",
            plan.files.len(),
            dir.display(),
            plan.targets.join(", "),
            &plan.commit[..plan.commit.len().min(12)]
        ),
    );
    let scratch = tempfile::Builder::new()
        .prefix("crossdock-verify-")
        .tempdir()
        .context("cannot make a temporary folder for the rebuild")?;
    let src = scratch.path().join("src");
    let out = scratch.path().join("out");
    let worktree = Worktree::add(&top, &src, &plan.commit)?;
    let inner = Options {
        targets: plan.targets.clone(),
        out_dir: Some(out.clone()),
        cargo: opts.cargo.clone(),
        rustc: opts.rustc.clone(),
        jobs: opts.jobs,
        source_date_epoch: Some(plan.source_date_epoch),
        shell: opts.shell.clone(),
        ..Options::default()
    };
    let loc = Location {
        manifest_path: Some(workspace_in(&worktree.path, &top, &ws)?),
        config_path: None,
    };
    let (_, rebuilt) = pipeline::run(&loc, &inner).with_context(|| {
        format!(
            "rebuilding commit {} in a clean worktree ({})",
            plan.commit,
            src.display()
        )
    })?;
    let mut outcomes = BTreeMap::new();
    for f in plan.files.iter().filter(|f| f.present) {
        let made = out.join(&f.name);
        let outcome = if !made.is_file() {
            Rebuilt::NotMade
        } else {
            match archive_diff::compare(&dir.join(&f.name), &made)? {
                None => Rebuilt::Same,
                Some(d) => Rebuilt::Differs(d),
            }
        };
        outcomes.insert(f.name.clone(), outcome);
    }
    drop(worktree);
    Ok(plan::judge(&plan, &rebuilt, &outcomes))
}
