//! `publish-npm DIR [--registry URL] [--provenance]`: the npm packages of a finished out dir,
//! platform packages first, then the root packages (`ship::npm_publish`).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::ship::npm_publish::{self, Outcome};

#[derive(Debug, Args)]
pub struct PublishNpmArgs {
    /// The out dir whose npm packages are published (merge's, or dist's of the whole matrix).
    pub dir: PathBuf,
    /// The registry to publish to (default: npm's configured one).
    #[arg(long, value_name = "URL")]
    pub registry: Option<String>,
    /// Sign a provenance statement (npm publish --provenance; needs the CI's OIDC token).
    #[arg(long)]
    pub provenance: bool,
    /// Say what would be published, in order, and publish nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Echo every command crossdock runs.
    #[arg(short, long)]
    pub verbose: bool,
}

pub fn run(a: PublishNpmArgs) -> Result<i32> {
    let shell = super::shell_for(a.verbose, false);
    let _in = shell.enter();
    let done = npm_publish::publish(
        &a.dir,
        &npm_publish::Options {
            registry: a.registry,
            provenance: a.provenance,
            dry_run: a.dry_run,
        },
    )?;
    let published = done
        .iter()
        .filter(|(_, o)| *o == Outcome::Published)
        .count();
    let there = done
        .iter()
        .filter(|(_, o)| *o == Outcome::AlreadyThere)
        .count();
    if !a.dry_run {
        shell.status(
            "Finished",
            format!("{published} npm package(s) published, {there} already in the registry"),
        );
    }
    Ok(0)
}
