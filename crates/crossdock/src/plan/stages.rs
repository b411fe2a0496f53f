//! A build step's stages, in the order the executor runs them: cargo builds
//! ([`Stage::Build`], the step's [`super::CargoInvocation`]), then each binary it made goes through
//! the rest — its debug info split off ([`Stage::Split`], `debuginfo = "separate"`), its
//! dependency list added ([`Stage::Embed`], `auditable = true`), checked
//! against its triple, its strip setting and the glibc floor ([`Stage::Verify`]), and run
//! ([`Stage::Smoke`]). Planned here from the target and the facts; `--dry-run` prints each
//! one, the executor (`exec/stages.rs`) runs them, the fake backend's tests follow them.
//!
//! A new stage is a variant here, its planning in [`stages`], its lines in `Stage::render`
//! and its arm in `exec/stages.rs`: signing a thin binary, for one, goes between `Split` and
//! `Verify`, so that the check sees the bytes that ship.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::command::cannot_run_here;
use super::debuginfo::DebuginfoSplit;
use super::BuildStep;
use crate::model::strip::Strip;
use crate::model::triple::Triple;
use crate::read::config::Target;

/// One stage of a build step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "stage")]
pub enum Stage {
    /// cargo (or zigbuild, cross) builds the step's packages with the step's invocation.
    Build,
    /// Each binary's debug info goes to a file beside it; the shipped binary is stripped.
    Split(Split),
    /// Each binary gets its dependency list as a `.dep-v0` section (`auditable = true`).
    Embed(Embed),
    /// Each binary is checked: format, CPU and width of the triple, no debug info or
    /// symbols beyond what `strip` keeps, no glibc symbol above the floor.
    Verify(Verify),
    /// Each binary runs with its smoke arguments (through the runner), when it can here.
    Smoke(Smoke),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Split {
    /// How the debug info leaves the binary (objcopy's debug link, or a `.dSYM`).
    #[serde(flatten)]
    pub how: DebuginfoSplit,
    /// What the shipped binary is stripped of afterwards.
    pub strip: Strip,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Embed {
    /// LLVM's objcopy, which adds the section to a copy of the binary.
    pub objcopy: String,
    /// Each package's list (cargo-auditable's JSON, compressed by the executor), by name.
    pub lists: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Verify {
    /// The triple the binary must be built for.
    pub target: Triple,
    /// What the build stripped, and so what the check refuses.
    pub strip: Strip,
    /// The glibc floor the build links against (`glibc` in targets.toml).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub glibc: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Smoke {
    /// The smoke run of each binary, by cargo `[[bin]]` name: its arguments, or `None` when
    /// targets.toml turns it off for that binary. Empty when no binary can run here.
    pub runs: BTreeMap<String, Option<Vec<String>>>,
    /// Why there is no smoke run at all for this target, when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

/// The stages of `target`'s build step, in order; `split` is the plan's choice for
/// `debuginfo = "separate"` (`plan/debuginfo.rs`), `bins` every shipped binary's name.
pub(super) fn stages(
    target: &Target,
    split: Option<DebuginfoSplit>,
    embed: Option<Embed>,
    host: &Triple,
    bins: &BTreeSet<&str>,
) -> Vec<Stage> {
    let mut v = vec![Stage::Build];
    v.extend(split.map(|how| {
        Stage::Split(Split {
            how,
            strip: target.strip,
        })
    }));
    v.extend(embed.map(Stage::Embed));
    v.push(Stage::Verify(Verify {
        target: target.triple.clone(),
        strip: target.strip,
        glibc: target.glibc.clone(),
    }));
    v.push(Stage::Smoke(smoke_plan(target, host, bins)));
    v
}

/// The smoke run of each binary of a target, and why there is none when there is none.
fn smoke_plan(target: &Target, host: &Triple, bins: &BTreeSet<&str>) -> Smoke {
    let runs: BTreeMap<String, Option<Vec<String>>> = bins
        .iter()
        .map(|b| (b.to_string(), target.smoke.args(b).map(<[String]>::to_vec)))
        .collect();
    if !runs.is_empty() && runs.values().all(Option::is_none) {
        return Smoke {
            runs: BTreeMap::new(),
            skipped: Some(format!("smoke = false in {}", target.sources.shared)),
        };
    }
    match cannot_run_here(
        &target.triple,
        target.runner.is_some(),
        host,
        "smoke-test it",
    ) {
        None => Smoke {
            runs,
            skipped: None,
        },
        Some(why) => Smoke {
            runs: BTreeMap::new(),
            skipped: Some(why),
        },
    }
}

impl Stage {
    /// The stage as `--dry-run` shows it (`run:`, `debug:`, `verify:`, `smoke:`).
    pub(super) fn render(&self, b: &BuildStep, s: &mut String) {
        match self {
            Stage::Build => {
                match b.group {
                    Some(_) => s.push_str(
                        "  run:     with its group, in one cargo build (its `parallel:` line above)\n",
                    ),
                    None => s.push_str(&format!("  run:     {}\n", b.cargo.render())),
                }
                for l in &b.library_builds {
                    s.push_str(&format!(
                        "  library: {} built apart: {}\n",
                        l.package, l.why
                    ));
                    s.push_str(&format!("  run:     {}\n", l.cargo.render()));
                }
                let info: Vec<String> = b
                    .cargo
                    .env
                    .iter()
                    .filter(|(k, _)| super::is_build_info(k))
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                s.push_str(&format!("  embeds:  {}\n", info.join(" ")));
                if let Some(u) = &b.unstripped {
                    // Only the package overrides differ from `run:`.
                    let only: Vec<&str> = u
                        .config
                        .iter()
                        .filter(|c| c.contains(".package."))
                        .map(String::as_str)
                        .collect();
                    s.push_str(&format!(
                        "  size:    before strip, when a binary changed: `run:` with {}\n",
                        only.join(" ")
                    ));
                }
            }
            Stage::Split(split) => s.push_str(&format!("  debug:   {}\n", split.how.describe())),
            Stage::Embed(e) => s.push_str(&format!(
                "  audit:   dependency list in section {} (cargo-auditable's format), added by `{} --add-section`\n",
                super::auditable::SECTION,
                e.objcopy
            )),
            Stage::Verify(v) => s.push_str(&format!("  verify:  {}\n", v.describe())),
            Stage::Smoke(smoke) => {
                for (i, line) in smoke
                    .describe(b.runner.as_deref(), &b.sources.shared)
                    .iter()
                    .enumerate()
                {
                    let head = if i == 0 { "  smoke:   " } else { "           " };
                    s.push_str(&format!("{head}{line}\n"));
                }
            }
        }
    }
}

impl Verify {
    /// The plan's line for it (`--dry-run`).
    pub fn describe(&self) -> String {
        let strip = match self.strip {
            Strip::Symbols => "no symbols or debug info",
            Strip::Debuginfo => "no debug info",
            Strip::None => "as built",
        };
        let glibc = self
            .glibc
            .as_ref()
            .map(|g| format!(", glibc {g} at most"))
            .unwrap_or_default();
        format!("format and CPU of {}, {strip}{glibc}", self.target)
    }
}

impl Smoke {
    /// The plan's lines for it (`--dry-run`), each binary's run through `runner`; `config`
    /// is the file its `smoke` keys are in.
    pub fn describe(&self, runner: Option<&[String]>, config: &str) -> Vec<String> {
        let runner = runner
            .map(|r| format!("{} ", r.join(" ")))
            .unwrap_or_default();
        if let Some(why) = &self.skipped {
            return vec![format!("skipped: {why}")];
        }
        let mut runs = self.runs.values();
        let first = runs.next();
        if let Some(Some(args)) = first.filter(|f| runs.all(|r| r == *f)) {
            // Every binary runs the same way: BIN stands for each.
            return vec![format!("{runner}BIN {}", args.join(" "))];
        }
        self.runs
            .iter()
            .map(|(bin, args)| match args {
                Some(a) => format!("{runner}{bin} {}", a.join(" ")),
                None => format!("{bin}: off in {config}"),
            })
            .collect()
    }
}

impl BuildStep {
    /// The step's debug-info split, when it has one.
    pub fn split(&self) -> Option<&Split> {
        self.stages.iter().find_map(|s| match s {
            Stage::Split(s) => Some(s),
            _ => None,
        })
    }

    /// The step's binary check.
    pub fn verify(&self) -> Option<&Verify> {
        self.stages.iter().find_map(|s| match s {
            Stage::Verify(v) => Some(v),
            _ => None,
        })
    }

    /// The step's smoke runs.
    pub fn smoke(&self) -> Option<&Smoke> {
        self.stages.iter().find_map(|s| match s {
            Stage::Smoke(s) => Some(s),
            _ => None,
        })
    }
}
