//! `publish-npm DIR`: publishes the npm packages of a finished out dir (merge's `dist/` in
//! the release workflow's `npm` job, a local registry in the rehearsal test), so both run
//! this code. The order is npm's dependency order: every platform package first, then each
//! root package, whose `optionalDependencies` name them at the exact version — a root
//! published first could be installed while its platform packages are still missing.
//!
//! Only an out dir that holds the root package of each Node module it lists is published:
//! a run of part of the matrix (`dist --target T`) holds platform packages only, and its
//! files are not the release. Each tarball is checked against the manifest before anything
//! is published, and a version already in the registry is skipped (npm refuses to publish
//! over it), so a re-run of a half-published release finishes it. A token in
//! `NODE_AUTH_TOKEN` (as `actions/setup-node` names it) is used for the registry published
//! to, read by npm from the environment.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::model::node::tarball_name;
use crate::package::archive;
use crate::package::manifest::{ArtifactKind, Manifest};
use crate::sys::process::Cmd;
use crate::sys::shell;

/// How `publish-npm` publishes.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `--registry URL` (default: npm's configured registry).
    pub registry: Option<String>,
    /// `--provenance`: npm signs a provenance statement (needs the CI's OIDC token).
    pub provenance: bool,
    /// `--dry-run`: say what would be published, in order, and publish nothing.
    pub dry_run: bool,
}

/// One npm tarball, as its own package.json names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tarball {
    pub file: PathBuf,
    pub name: String,
    pub version: String,
    /// A root package (it names the platform packages).
    pub root: bool,
}

/// The tarballs of `dir` in publishing order (platform packages, then roots; by name
/// within each), each verified against the out dir's manifest.
pub fn tarballs(dir: &Path) -> Result<Vec<Tarball>> {
    let mpath = dir.join(crate::package::manifest::FILE_NAME);
    let m = Manifest::read(&mpath).with_context(|| {
        format!(
            "{}: publish-npm publishes a finished out dir (of `merge`, or `dist` of the whole matrix)",
            dir.display()
        )
    })?;
    let roots: Vec<String> = m
        .packages
        .iter()
        .filter_map(|p| p.npm.as_ref())
        .map(|n| tarball_name(&n.name, &n.version))
        .collect();
    let mut out = Vec::new();
    for a in m
        .artifacts
        .iter()
        .filter(|a| a.kind == ArtifactKind::NpmPackage)
    {
        if !crate::package::ownership::is_output_name(&a.name) {
            bail!(
                "{}: npm package {:?} is not a plain file name",
                mpath.display(),
                a.name
            );
        }
        let file = dir.join(&a.name);
        let (size, sha) = archive::hash_file(&file)
            .with_context(|| format!("{} is listed in {} but missing", a.name, mpath.display()))?;
        if size != a.size || sha != a.sha256 {
            bail!(
                "{}: does not match {} (size {size}, sha256 {sha}; listed: {}, {}); it was modified after it was written: rebuild it",
                file.display(),
                mpath.display(),
                a.size,
                a.sha256
            );
        }
        let (name, version) = package_json_name(&file)?;
        if tarball_name(&name, &version) != a.name {
            bail!(
                "{}: its package.json names {name}@{version}, which npm would pack as {}",
                file.display(),
                tarball_name(&name, &version)
            );
        }
        out.push(Tarball {
            root: roots.contains(&a.name),
            file,
            name,
            version,
        });
    }
    // Platform packages may be named after `napi.packageName`, not the root: any of them
    // without every root the manifest lists is a run of part of the matrix.
    let platforms = out.iter().any(|t| !t.root);
    for m in m.packages.iter().filter_map(|p| p.npm.as_ref()) {
        if platforms && !out.iter().any(|t| t.root && t.name == m.name) {
            bail!(
                "{}: holds platform packages but not the root package {} of {}: this is the out dir of a run of part of the matrix (`dist --target`); publish the out dir of `merge` of every target's",
                dir.display(),
                tarball_name(&m.name, &m.version),
                m.name
            );
        }
    }
    out.sort_by(|a, b| (a.root, &a.name).cmp(&(b.root, &b.name)));
    Ok(out)
}

/// `name` and `version` of the tarball's `package/package.json`.
fn package_json_name(file: &Path) -> Result<(String, String)> {
    let mut tar = archive::open_tar(file)?;
    for e in tar
        .entries()
        .with_context(|| format!("{} is not an npm tarball", file.display()))?
    {
        let e = e.with_context(|| format!("{}: corrupt tarball", file.display()))?;
        if e.path_bytes().as_ref() != b"package/package.json" {
            continue;
        }
        let mut text = String::new();
        e.take(1 << 20)
            .read_to_string(&mut text)
            .with_context(|| format!("{}: cannot read package/package.json", file.display()))?;
        let json: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{}: package/package.json is not JSON", file.display()))?;
        let field = |k: &str| json.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let (Some(name), Some(version)) = (field("name"), field("version")) else {
            bail!(
                "{}: package/package.json has no name or version",
                file.display()
            );
        };
        return Ok((name, version));
    }
    bail!("{}: holds no package/package.json", file.display())
}

/// What became of one tarball.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Published,
    /// The registry has this version already.
    AlreadyThere,
    /// `--dry-run`.
    WouldPublish,
}

/// Publishes the npm packages of `dir` in order (see the module docs).
pub fn publish(dir: &Path, opts: &Options) -> Result<Vec<(Tarball, Outcome)>> {
    let tarballs = tarballs(dir)?;
    if tarballs.is_empty() {
        shell::warn(format!(
            "{}: no npm packages here (no Node module in the release); nothing to publish",
            dir.display()
        ));
    }
    let npm = Npm::new(opts)?;
    let mut done = Vec::new();
    for t in tarballs {
        let spec = format!("{}@{}", t.name, t.version);
        let outcome = if opts.dry_run {
            shell::status("Would publish", format!("{spec} ({})", t.file.display()));
            Outcome::WouldPublish
        } else if npm.published(&spec)? {
            shell::status("Skipped", format!("{spec}: already in the registry"));
            Outcome::AlreadyThere
        } else {
            npm.publish(&t, opts)?;
            shell::status("Published", spec);
            Outcome::Published
        };
        done.push((t, outcome));
    }
    Ok(done)
}

/// How npm is run: against `--registry` (else npm's configured one); with
/// `NODE_AUTH_TOKEN` set (the release workflow's secret), from a scratch folder whose
/// project `.npmrc` names the variable for that registry, so npm reads the token from the
/// environment: it is never on a command line or in the user's npm config.
struct Npm {
    registry: Option<String>,
    cwd: Option<tempfile::TempDir>,
}

impl Npm {
    fn new(opts: &Options) -> Result<Npm> {
        let mut npm = Npm {
            registry: opts.registry.clone(),
            cwd: None,
        };
        if std::env::var_os("NODE_AUTH_TOKEN").is_some_and(|t| !t.is_empty()) && !opts.dry_run {
            let registry = match &opts.registry {
                Some(r) => r.clone(),
                None => npm.cmd().args(["config", "get", "registry"]).read()?,
            };
            let registry = registry.trim();
            let host = registry
                .strip_prefix("https:")
                .or_else(|| registry.strip_prefix("http:"))
                .with_context(|| format!("npm registry `{registry}` is not an http(s) URL"))?;
            let slash = if host.ends_with('/') { "" } else { "/" };
            let dir = tempfile::tempdir().context("cannot create a scratch dir for npm")?;
            std::fs::write(
                dir.path().join(".npmrc"),
                format!("{host}{slash}:_authToken=${{NODE_AUTH_TOKEN}}\n"),
            )
            .context("cannot write the scratch .npmrc")?;
            npm.cwd = Some(dir);
        }
        Ok(npm)
    }

    fn cmd(&self) -> Cmd {
        let mut cmd = Cmd::new("npm");
        if let Some(dir) = &self.cwd {
            cmd = cmd.cwd(dir.path());
        }
        match &self.registry {
            Some(r) => cmd.arg("--registry").arg(r),
            None => cmd,
        }
    }

    /// Whether the registry has `spec` (`npm view`: its version, or nothing for an unknown
    /// version; E404 for an unknown package).
    fn published(&self, spec: &str) -> Result<bool> {
        let o = self
            .cmd()
            .args(["view", spec, "version"])
            .output(Some(Duration::from_secs(120)))?;
        if o.success() {
            return Ok(!o.stdout.trim().is_empty());
        }
        if o.combined().contains("E404") {
            return Ok(false);
        }
        bail!(
            "`npm view {spec} version` failed, so whether it is published is unknown (is the registry reachable?):\n{}",
            o.combined()
        )
    }

    fn publish(&self, t: &Tarball, opts: &Options) -> Result<()> {
        publish_one(self.cmd(), t, opts)
    }
}

fn publish_one(npm: Cmd, t: &Tarball, opts: &Options) -> Result<()> {
    // A relative `dir/x.tgz` is a GitHub shorthand to npm: the file goes by its full path.
    let file = std::path::absolute(&t.file)
        .with_context(|| format!("cannot resolve {}", t.file.display()))?;
    let mut cmd = npm.arg("publish").arg(file).args(["--access", "public"]);
    if opts.provenance {
        cmd = cmd.arg("--provenance");
    }
    // npm publishes a prerelease under `latest` only when told to; `next` keeps `npm install
    // NAME` on the last release.
    if t.version.contains('-') {
        cmd = cmd.args(["--tag", "next"]);
    }
    cmd.run_checked(Some(Duration::from_secs(600)))
        .with_context(|| format!("cannot publish {}@{}", t.name, t.version))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::pack::{self, ModuleSource, Npm, NpmModule, Out, PackStep};
    use crate::model::node::NodePlatform;
    use crate::model::triple::Triple;

    /// An out dir with the fixture's npm packages for the two macOS targets (Mach-O
    /// stand-in modules), with or without the root package.
    fn out_dir(dir: &Path, root: bool) {
        let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures");
        let napi = crate::read::napi::read(&base.join("node-ws/hello-node"))
            .unwrap()
            .unwrap();
        let modules: Vec<NpmModule> = [
            ("x86_64-apple-darwin", "napi-x86_64.node"),
            ("aarch64-apple-darwin", "napi-arm64.node"),
        ]
        .iter()
        .map(|(t, f)| NpmModule {
            target: t.to_string(),
            platform: NodePlatform::of(&Triple::new(t)).unwrap(),
            source: ModuleSource::File(base.join("macho").join(f)),
        })
        .collect();
        let step = PackStep::Npm(Npm::of_modules("hello-node", &napi, modules, root));
        pack::prepare_out_dir(dir).unwrap();
        let mut header = Manifest::new(None, 1_700_000_000);
        header.packages = vec![crate::package::manifest::PackageEntry {
            name: "hello-node".into(),
            version: "0.1.0".into(),
            npm: Some(crate::package::manifest::NpmName {
                name: napi.name.clone(),
                version: napi.version.clone(),
            }),
        }];
        let out = Out {
            dir,
            epoch: 1_700_000_000,
            previous: None,
            record: crate::package::ownership::Record::load(None, dir),
            jobs: 1,
            scratch_in: dir,
            signer: None,
        };
        pack::run(&[step], &out, header).unwrap();
    }

    #[test]
    fn platform_packages_come_before_the_root_and_a_partial_out_dir_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let whole = tmp.path().join("whole");
        out_dir(&whole, true);
        let order: Vec<(String, bool)> = tarballs(&whole)
            .unwrap()
            .into_iter()
            .map(|t| (t.name, t.root))
            .collect();
        assert_eq!(
            order,
            [
                ("hello-node-darwin-arm64".to_string(), false),
                ("hello-node-darwin-x64".to_string(), false),
                ("hello-node".to_string(), true),
            ]
        );
        let dry = publish(
            &whole,
            &Options {
                dry_run: true,
                ..Options::default()
            },
        )
        .unwrap();
        assert!(dry.iter().all(|(_, o)| *o == Outcome::WouldPublish));

        let partial = tmp.path().join("partial");
        out_dir(&partial, false);
        let e = format!("{:#}", tarballs(&partial).unwrap_err());
        assert!(
            e.contains("not the root package hello-node-1.4.2.tgz") && e.contains("merge"),
            "{e}"
        );

        // A tarball changed after it was written is not published.
        let f = whole.join("hello-node-1.4.2.tgz");
        let mut bytes = std::fs::read(&f).unwrap();
        bytes.push(0);
        std::fs::write(&f, bytes).unwrap();
        let e = format!("{:#}", tarballs(&whole).unwrap_err());
        assert!(e.contains("does not match"), "{e}");
    }
}
