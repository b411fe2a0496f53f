//! `release`: check the tree, version and changelog, then create (and push) the annotated
//! tag; `release notes VERSION` prints a changelog section; `release check-tag TAG` is the
//! release workflow's guard that the pushed tag names the version in Cargo.toml.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use crate::ship::release::{self, ReleaseOptions};
use crate::{facts, sys::shell};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ReleaseArgs {
    #[command(subcommand)]
    pub command: Option<ReleaseCommand>,
    #[command(flatten)]
    pub tag: TagArgs,
}

#[derive(Debug, Args)]
pub struct TagArgs {
    /// Cargo.toml of the workspace (default: found from the current directory).
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Release this package (tagged {package}-v{version} unless its version is the shared one).
    #[arg(long, short = 'p', value_name = "NAME")]
    pub package: Option<String>,
    /// The tag you expect; refused unless it names the version in Cargo.toml.
    #[arg(long, value_name = "TAG")]
    pub tag: Option<String>,
    /// The changelog (default: CHANGELOG.md of the package, else of the workspace root).
    #[arg(long, value_name = "PATH")]
    pub changelog: Option<PathBuf>,
    /// Run every check and print what would be done; create nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Push the tag to the remote after creating it (starts the release workflow).
    #[arg(long)]
    pub push: bool,
    /// The remote --push pushes to.
    #[arg(long, value_name = "NAME", default_value = "origin")]
    pub remote: String,
    /// Echo every command crossdock runs.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum ReleaseCommand {
    /// Print the changelog section of VERSION (the release notes) on stdout.
    Notes(NotesArgs),
    /// Fail unless TAG names the version in Cargo.toml; print the version on stdout.
    CheckTag(CheckTagArgs),
}

#[derive(Debug, Args)]
pub struct NotesArgs {
    /// `1.2.3`, `v1.2.3` or a package tag `{package}-v1.2.3`.
    pub version: String,
    /// The changelog (default: CHANGELOG.md of the package, else of the workspace root).
    #[arg(long, value_name = "PATH")]
    pub changelog: Option<PathBuf>,
    /// Cargo.toml of the workspace (default: found from the current directory).
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Echo every command crossdock runs.
    #[arg(short, long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct CheckTagArgs {
    /// The tag, e.g. `v1.2.3` or `app-v1.2.3` (in a workflow: "$GITHUB_REF_NAME").
    pub tag: String,
    /// What to print: the version (default), the package of a `{package}-v{version}` tag
    /// (empty for a `v{version}` tag), or whether the version is a prerelease (`true`/`false`).
    #[arg(long, value_enum, default_value = "version")]
    pub print: TagField,
    /// Cargo.toml of the workspace (default: found from the current directory).
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Echo every command crossdock runs.
    #[arg(short, long)]
    pub verbose: bool,
}

pub fn run(a: ReleaseArgs) -> Result<i32> {
    match a.command {
        Some(ReleaseCommand::Notes(n)) => notes(n),
        Some(ReleaseCommand::CheckTag(c)) => check_tag(c),
        None => tag(a.tag),
    }
}

fn notes(a: NotesArgs) -> Result<i32> {
    let shell = super::shell_for(a.verbose, false);
    let _in = shell.enter();
    let manifest = a
        .manifest_path
        .as_deref()
        .map(facts::absolute)
        .transpose()?;
    let (_, text) = release::notes(
        &facts::default_cargo(),
        manifest.as_deref(),
        &a.version,
        a.changelog.as_deref(),
    )?;
    // `release notes 1.2.3 | head` is fine: a closed pipe is not an error.
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        r => r.context("cannot write the release notes to stdout")?,
    }
    Ok(0)
}

fn check_tag(a: CheckTagArgs) -> Result<i32> {
    let shell = super::shell_for(a.verbose, false);
    let _in = shell.enter();
    let ws = crate::read::workspace::Workspace::load(
        &facts::default_cargo(),
        a.manifest_path.as_deref(),
    )?;
    let (candidates, all) = release::members(&ws)?;
    let subject = release::check_tag(&a.tag, &candidates, &all)?;
    shell::status(
        "Checked",
        format!("tag {} releases {}", a.tag, subject.title()),
    );
    match a.print {
        TagField::Version => println!("{}", subject.version),
        TagField::Package => println!("{}", subject.package_tag.as_deref().unwrap_or("")),
        // semver: a prerelease has a `-` before any `+build` part.
        TagField::Prerelease => println!(
            "{}",
            subject
                .version
                .split('+')
                .next()
                .unwrap_or("")
                .contains('-')
        ),
    }
    Ok(0)
}

/// The part of a checked tag that `check-tag --print` writes.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum TagField {
    Version,
    Package,
    Prerelease,
}

fn tag(a: TagArgs) -> Result<i32> {
    let shell = super::shell_for(a.verbose, false);
    let _in = shell.enter();
    let opts = ReleaseOptions {
        manifest_path: a
            .manifest_path
            .as_deref()
            .map(facts::absolute)
            .transpose()?,
        package: a.package,
        tag: a.tag,
        changelog: a.changelog.as_deref().map(facts::absolute).transpose()?,
        push: a.push.then(|| a.remote.clone()),
        cargo: facts::default_cargo(),
    };
    let r = release::prepare(&opts)?;
    let tag = &r.subject.tag;
    if a.dry_run {
        println!(
            "release {} (dry run: nothing was created)",
            r.subject.title()
        );
        println!(
            "  tag:    {tag} (annotated) on {} \"{}\"",
            r.head, r.head_summary
        );
        println!(
            "  notes:  {}, section {}",
            r.changelog.display(),
            r.subject.version
        );
        match &r.push {
            Some(remote) => println!("  push:   git push {remote} refs/tags/{tag}"),
            None => println!("  push:   no (--push pushes the tag)"),
        }
        println!("\ntag message:\n");
        for line in r.message().lines() {
            println!("  {line}");
        }
        return Ok(0);
    }
    release::create_tag(&r)?;
    shell::status(
        "Tagged",
        format!(
            "{tag} ({}) on {} \"{}\"",
            r.subject.title(),
            r.head,
            r.head_summary
        ),
    );
    match &r.push {
        Some(remote) => {
            release::push_tag(&r)?;
            shell::status("Pushed", format!("{tag} to {remote}"));
        }
        None => shell::note(
            "Next",
            format!(
                "`git push {} {tag}` publishes it (the release workflow starts on the tag)",
                a.remote
            ),
        ),
    }
    Ok(0)
}
