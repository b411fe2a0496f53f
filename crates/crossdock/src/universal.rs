//! Fat (universal) Mach-O writer. Placeholder: being written.
use anyhow::{bail, Result};
use std::path::Path;

/// Joins thin Mach-O files into one fat file at `output` (atomically).
pub fn create_file(inputs: &[&Path], output: &Path) -> Result<()> {
    let _ = (inputs, output);
    bail!("not yet implemented")
}

/// Architecture names of each slice, in file order (like `lipo -archs`).
pub fn archs(data: &[u8]) -> Result<Vec<String>> {
    let _ = data;
    bail!("not yet implemented")
}

pub fn info(data: &[u8], name: &str) -> Result<String> {
    let _ = (data, name);
    bail!("not yet implemented")
}
