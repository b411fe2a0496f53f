//! `init` (being written).

use anyhow::Result;
use clap::Args;

#[derive(Debug, Args)]
pub struct InitArgs {}

pub fn run(_a: InitArgs) -> Result<i32> {
    anyhow::bail!("not yet implemented")
}
