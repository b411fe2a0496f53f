//! `auditable = true`: each shipped binary carries the list of crates it is made from, the
//! way cargo-auditable writes it (auditable-serde's JSON, zlib-compressed, in a section
//! named `.dep-v0`), so that `cargo audit bin`, `rust-audit-info`, syft or trivy find its
//! dependencies in the binary alone.
//!
//! cargo-auditable links an object file holding the section into the binary through a rustc
//! wrapper, which would take the place of sccache (`RUSTC_WRAPPER`) and, as a changing
//! link argument, make cargo relink. crossdock adds the section after the build instead,
//! with LLVM's objcopy (`--add-section`), to a copy of the binary (cargo's file stays as
//! cargo made it, so its fingerprints hold). The section is not loaded at run time; the
//! readers find it by name in the section table. The list is this plan's (the graph of
//! `cargo metadata --filter-platform`, as the SBOM's), so the bytes depend only on the
//! inputs. ELF only: config check refuses PE and Mach-O targets naming the fix.

use std::collections::BTreeMap;

use super::{PlanError, Problem};
use crate::facts::{Facts, OBJCOPY};
use crate::plan::stages::Embed;
use crate::read::config::Target;

/// The section cargo-auditable's readers look for.
pub const SECTION: &str = ".dep-v0";

/// The `Embed` stage of `target`'s build step for the packages with binaries it builds,
/// or none without `auditable`; a missing objcopy is a problem.
pub(super) fn embed(
    target: &Target,
    facts: &Facts,
    packages: &[&str],
    problems: &mut Vec<Problem>,
) -> Result<Option<Embed>, PlanError> {
    if !target.auditable || packages.is_empty() {
        return Ok(None);
    }
    let Some(graph) = super::sbom::graph_of(target, facts, problems)? else {
        return Ok(None);
    };
    let mut lists = BTreeMap::new();
    for p in packages {
        let shipped = graph.shipped_by(p).ok_or_else(|| {
            PlanError::Sbom(format!(
                "auditable = true for {}: cargo's dependency graph for it has no workspace package {p}; run `cargo metadata --filter-platform {}` to see why",
                target.triple, target.triple
            ))
        })?;
        lists.insert(p.to_string(), shipped.auditable_json());
    }
    let objcopy = OBJCOPY.iter().find(|t| facts.tools.contains(**t)).copied();
    if objcopy.is_none() {
        problems.push(Problem::AuditableObjcopyMissing {
            target: target.triple.clone(),
            config: target.sources.shared.clone(),
        });
    }
    Ok(Some(Embed {
        objcopy: objcopy.unwrap_or("llvm-objcopy").to_string(),
        lists,
    }))
}
