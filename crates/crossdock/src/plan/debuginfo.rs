//! `debuginfo = "separate"`: how each target's debug info leaves the shipped binary, chosen
//! here from the binary format and the tools on PATH (the executor only follows it).
//!
//! - ELF and windows-gnu PE keep their DWARF in sections, so LLVM's objcopy copies them into
//!   `{file}.debug` (`--only-keep-debug`) and strips the shipped binary, adding a
//!   `.gnu_debuglink` to that file. Only LLVM's objcopy: GNU `x86_64-w64-mingw32-objcopy`
//!   writes the wall clock into the PE header (a different `.exe` on every run), where
//!   llvm-objcopy keeps the header as linked (`--no-insert-timestamp`: zero).
//! - Mach-O keeps no DWARF in the linked binary, only a debug map pointing at the object
//!   files, so the debug info is a `{file}.dSYM` bundle from `dsymutil` (rustc's own when it
//!   already ran dsymutil, its default `split-debuginfo=packed` on Apple targets), and the
//!   shipped binary is stripped with the same objcopy, the way rustc strips Mach-O (LLVM's
//!   objcopy recomputes an arm64 binary's ad-hoc code signature).
//! - MSVC's debug info is a PDB written by the linker: not split (refused in targets.toml).

use serde::Serialize;

use crate::facts::{Facts, DSYMUTIL, OBJCOPY};
use crate::model::triple::Format;
use crate::read::config::Target;

use super::Problem;

/// How a build step splits its binaries' debug info.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "method")]
pub enum DebuginfoSplit {
    /// `{file}.debug` with `objcopy --only-keep-debug`, the shipped binary stripped with a
    /// `.gnu_debuglink` to it (ELF, windows-gnu PE).
    DebugLink { objcopy: String },
    /// `{file}.dSYM` (rustc's when valid, else `dsymutil`), the shipped binary stripped
    /// with `objcopy` (Mach-O).
    Dsym { dsymutil: String, objcopy: String },
}

impl DebuginfoSplit {
    /// The debug file or bundle beside a binary named `file_name`.
    pub fn debug_name(&self, file_name: &str) -> String {
        match self {
            DebuginfoSplit::DebugLink { .. } => format!("{file_name}.debug"),
            DebuginfoSplit::Dsym { .. } => format!("{file_name}.dSYM"),
        }
    }

    /// The plan's line for it (`--dry-run`).
    pub fn describe(&self) -> String {
        match self {
            DebuginfoSplit::DebugLink { objcopy } => format!(
                "`{objcopy} --only-keep-debug` into BIN.debug, shipped BIN stripped with a .gnu_debuglink to it"
            ),
            DebuginfoSplit::Dsym { dsymutil, objcopy } => format!(
                "BIN.dSYM (rustc's when it matches BIN's UUID, else `{dsymutil}`), shipped BIN stripped by `{objcopy}`"
            ),
        }
    }
}

/// The split for `target`, or none without `debuginfo = "separate"`; a missing tool is a
/// problem (the plan still names the tool it would use).
pub(super) fn debuginfo_split(
    target: &Target,
    facts: &Facts,
    problems: &mut Vec<Problem>,
) -> Option<DebuginfoSplit> {
    if !target.separate_debuginfo {
        return None;
    }
    let found = |list: &[&'static str]| list.iter().find(|t| facts.tools.contains(**t)).copied();
    let objcopy = found(OBJCOPY);
    if objcopy.is_none() {
        problems.push(Problem::ObjcopyMissing {
            target: target.triple.clone(),
            config: target.sources.shared.clone(),
        });
    }
    let objcopy = objcopy.unwrap_or("llvm-objcopy").to_string();
    if target.triple.format() != Format::MachO {
        return Some(DebuginfoSplit::DebugLink { objcopy });
    }
    let dsymutil = found(DSYMUTIL);
    if dsymutil.is_none() {
        problems.push(Problem::DsymutilMissing {
            target: target.triple.clone(),
            config: target.sources.shared.clone(),
        });
    }
    Some(DebuginfoSplit::Dsym {
        dsymutil: dsymutil.unwrap_or("dsymutil").to_string(),
        objcopy,
    })
}
