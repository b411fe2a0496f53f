//! `release` (being written).

use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct ReleaseArgs {}

pub fn run(_a: ReleaseArgs) -> Result<i32> {
    anyhow::bail!("not yet implemented")
}
