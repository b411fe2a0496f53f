//! The linker a target gets when targets.toml sets none: for a Linux glibc target built on
//! another machine, the GNU cross gcc of its CPU (`aarch64-linux-gnu-gcc`) when it is on PATH
//! and neither the user's cargo config nor the environment names one. That is the gcc the
//! release matrix installs for the target (`model::cross`), so a starter target uncommented
//! without a `linker` line builds on the runner as on a Debian machine; rustc's own default
//! (`cc`) links for the host and fails.

use crate::model::builder::Builder;
use crate::model::cross::GnuGcc;
use crate::plan::Facts;
use crate::read::config::Target;

/// `target` with the linker it builds with: its own, else the default above, else none
/// (cargo's, rustc's). Only cargo builds: zigbuild and cross bring their own linkers.
pub(super) fn with_default_linker(target: &Target, facts: &Facts) -> Target {
    let mut t = target.clone();
    if t.linker.is_none() {
        t.linker = default_linker(target, facts);
    }
    t
}

fn default_linker(target: &Target, facts: &Facts) -> Option<String> {
    if target.builder != Builder::Cargo
        || target.triple == facts.host
        || facts.target_linker_elsewhere.contains(&target.triple)
    {
        return None;
    }
    let gcc = GnuGcc::for_target(&target.triple)?.gcc();
    facts.tools.contains(&gcc).then_some(gcc)
}
