//! What `doctor`'s link probe builds for a target (`exec/doctor/probe.rs`): a tiny crate
//! with the target's toolchain, `--config` rustflags, build-std and environment, but not
//! its profile settings nor its build info (which change with every commit and say nothing
//! about linking). Also the host's probe when no build step targets the host: build
//! scripts and proc-macros always link for it, with only the toolchain of the first step.

use std::collections::BTreeMap;

use super::{is_build_info, BuildStep, Plan};
use crate::model::triple::Triple;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkProbe {
    pub target: Triple,
    /// The step's cargo (never `cross`'s wrapper: the probe links on this machine).
    pub program: String,
    /// `--config` values without `profile.*`.
    pub config: Vec<String>,
    pub build_std: Option<String>,
    pub env: BTreeMap<String, String>,
    pub env_remove: Vec<String>,
    /// `linker` of the target in targets.toml, when set.
    pub linker: Option<String>,
    /// Which config file set which key of the target.
    pub sources: crate::read::config::Sources,
}

impl BuildStep {
    /// The link probe of this step's target.
    pub fn link_probe(&self) -> LinkProbe {
        LinkProbe {
            target: self.target.clone(),
            program: self.cargo.program.clone(),
            config: self
                .cargo
                .config
                .iter()
                .filter(|c| !c.starts_with("profile."))
                .cloned()
                .collect(),
            build_std: self.cargo.build_std.clone(),
            env: self
                .cargo
                .env
                .iter()
                .filter(|(k, _)| !is_build_info(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            env_remove: self.cargo.env_remove.clone(),
            linker: self.linker.clone(),
            sources: self.sources.clone(),
        }
    }
}

impl Plan {
    /// The probe of `host`'s linker when no build step targets the host (else that step's
    /// own probe covers it): the first step's toolchain (its cargo, and `RUSTC` when
    /// crossdock sets it) and nothing of its target (rustflags, build-std, linker).
    pub fn host_link_probe(&self, host: &Triple) -> Option<LinkProbe> {
        if self.builds.iter().any(|b| b.target == *host) {
            return None;
        }
        let first = self.builds.first()?;
        Some(LinkProbe {
            target: host.clone(),
            program: first.toolchain.cargo.clone(),
            config: Vec::new(),
            build_std: None,
            env: first
                .cargo
                .env
                .iter()
                .filter(|(k, _)| *k == "RUSTC")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            env_remove: first.cargo.env_remove.clone(),
            linker: None,
            sources: crate::read::config::Sources {
                shared: first.sources.shared.clone(),
                local: None,
            },
        })
    }
}
