//! `lipo create A B -o OUT` and `lipo info FILE`: the built-in fat Mach-O writer on its own.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Subcommand;

use crate::package::universal;

#[derive(Debug, Subcommand)]
pub enum LipoCommand {
    /// Join thin Mach-O files into one universal binary (like `lipo -create`).
    Create {
        /// The thin Mach-O files, one per architecture (at least two).
        #[arg(required = true, num_args = 2..)]
        inputs: Vec<PathBuf>,
        /// The universal binary to write.
        #[arg(short, long, value_name = "OUT")]
        output: PathBuf,
    },
    /// Print the architectures of a Mach-O file (like `lipo -info`).
    Info {
        /// The Mach-O file (thin or universal) to inspect.
        file: PathBuf,
    },
}

pub fn run(c: LipoCommand) -> Result<i32> {
    match c {
        LipoCommand::Create { inputs, output } => {
            let refs: Vec<&std::path::Path> = inputs.iter().map(PathBuf::as_path).collect();
            universal::create_file(&refs, &output)?;
        }
        LipoCommand::Info { file } => {
            let data =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            println!("{}", universal::info(&data, &file.display().to_string())?);
        }
    }
    Ok(0)
}
