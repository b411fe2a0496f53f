//! What `merge` will write, decided from the inputs' manifests alone: a pure function of the
//! archives found (their manifest entries) and the [`Rules`], so it is tested from values.
//! Which thin archives each universal group fuses (one per member, in the group's first
//! format present), which groups cannot be fused here (a warning, in its place), which
//! archives are copied and which are dropped (`keep-thin = false`). `merge` reads the files
//! (unpacking each fuse's members) and turns these steps, in order, into `exec::pack` steps.

use std::collections::BTreeMap;

use anyhow::{bail, Result};

use super::{Found, Group, Rules};
use crate::model::archive::ArchiveFormat;
use crate::package::manifest::ArtifactKind;
use crate::plan::{ArtifactNames, UniversalArtifact};

/// One step of a merge, in the order it runs.
pub(super) enum Step<'a> {
    /// A group of which some member archives are missing: not built, with this warning.
    Incomplete(String),
    /// A universal archive per format, from one thin archive of each member.
    Fuse(Fuse<'a>),
    /// A thin archive copied into the out dir as it is.
    Copy(&'a Found),
}

pub(super) struct Fuse<'a> {
    pub group: &'a Group,
    pub package: String,
    pub version: String,
    /// The thin archive of each member, in the group's member order.
    pub members: Vec<&'a Found>,
    /// One per format of the group (`binaries` and `includes` are filled from the members'
    /// archives when they are unpacked).
    pub outputs: Vec<UniversalArtifact>,
}

/// The steps: every group's fuses (or warnings) by group and package, then the copies in
/// file-name order. Fails on inputs that hold two archives of one member in one format.
pub(super) fn steps<'a>(
    found: &'a BTreeMap<String, Found>,
    rules: &'a Rules,
) -> Result<Vec<Step<'a>>> {
    let mut steps = Vec::new();
    let mut dropped: Vec<&str> = Vec::new();
    let mut fused: Vec<String> = Vec::new();
    for g in &rules.groups {
        let mut by_package: BTreeMap<(String, String), Vec<&Found>> = BTreeMap::new();
        for f in found
            .values()
            .filter(|f| f.entry.kind == ArtifactKind::Archive)
        {
            if let (Some(p), Some(v), Some(t)) =
                (&f.entry.package, &f.entry.version, &f.entry.target)
            {
                if g.members.iter().any(|m| m == t) {
                    by_package
                        .entry((p.clone(), v.clone()))
                        .or_default()
                        .push(f);
                }
            }
        }
        for ((package, version), members) in by_package {
            let chosen = choose(g, &package, &version, &members)?;
            if chosen.len() != g.members.len() {
                steps.push(Step::Incomplete(format!(
                    "universal `{}` of {package}: only {} of {} member targets are in the inputs; not built",
                    g.name,
                    chosen.len(),
                    g.members.len()
                )));
                continue;
            }
            if !g.keep_thin {
                dropped.extend(members.iter().map(|f| f.entry.name.as_str()));
            }
            let outputs: Vec<UniversalArtifact> = g
                .formats
                .iter()
                .map(|format| {
                    let names = ArtifactNames::new(
                        &rules.naming,
                        &package,
                        &version,
                        &g.name,
                        true,
                        *format,
                    );
                    UniversalArtifact {
                        member_builds: Vec::new(),
                        file_name: names.file_name,
                        top_dir: names.top_dir,
                        unversioned: names.unversioned,
                        format: *format,
                        package: package.clone(),
                        version: version.clone(),
                        name: g.name.clone(),
                        manifest_path: Default::default(),
                        members: g.members.clone(),
                        tool: g.tool,
                        lipo: g.lipo.clone(),
                        binaries: Vec::new(),
                        includes: Vec::new(),
                    }
                })
                .collect();
            fused.extend(outputs.iter().map(|u| u.file_name.clone()));
            steps.push(Step::Fuse(Fuse {
                group: g,
                package,
                version,
                members: g.members.iter().map(|t| chosen[t.as_str()]).collect(),
                outputs,
            }));
        }
    }
    // An input may hold a universal archive this merge writes too: written once.
    steps.extend(
        found
            .values()
            .filter(|f| !dropped.contains(&f.entry.name.as_str()) && !fused.contains(&f.entry.name))
            .map(Step::Copy),
    );
    Ok(steps)
}

/// One archive per member target, in the group's first format it comes in: the binaries are
/// the same in every format.
fn choose<'a>(
    g: &Group,
    package: &str,
    version: &str,
    members: &[&'a Found],
) -> Result<BTreeMap<&'a str, &'a Found>> {
    let mut chosen: BTreeMap<&str, &Found> = BTreeMap::new();
    let rank = |fmt| {
        g.formats
            .iter()
            .position(|x| *x == fmt)
            .unwrap_or(usize::MAX)
    };
    for f in members {
        let (Some(t), Some((fmt, _))) = (
            f.entry.target.as_deref(),
            ArchiveFormat::of_file_name(&f.entry.name),
        ) else {
            continue;
        };
        match chosen.get(t) {
            Some(prev) => {
                let prev_fmt = ArchiveFormat::of_file_name(&prev.entry.name).map(|(f, _)| f);
                if prev_fmt == Some(fmt) {
                    bail!(
                        "universal `{}` of {package} {version}: the inputs hold more than one {} archive of member {t} ({}, {}); merge one archive per target and format",
                        g.name,
                        fmt.extension(),
                        prev.entry.name,
                        f.entry.name
                    );
                }
                if prev_fmt.is_some_and(|p| rank(fmt) < rank(p)) {
                    chosen.insert(t, f);
                }
            }
            None => {
                chosen.insert(t, f);
            }
        }
    }
    Ok(chosen)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::{steps, Step};
    use crate::model::archive::ArchiveFormat;
    use crate::package::manifest::{ArtifactEntry, ArtifactKind};
    use crate::plan::Lipo;
    use crate::read::config::LipoTool;
    use crate::ship::merge::{Found, Group, Rules};

    const X86: &str = "x86_64-apple-darwin";
    const ARM: &str = "aarch64-apple-darwin";
    const LINUX: &str = "x86_64-unknown-linux-gnu";

    /// The archives found in the inputs, by name: (package, version, target, extension).
    fn found(archives: &[(&str, &str, &str, &str)]) -> BTreeMap<String, Found> {
        archives
            .iter()
            .map(|(p, v, t, ext)| {
                let name = format!("{p}-{v}-{t}.{ext}");
                let entry = ArtifactEntry {
                    name: name.clone(),
                    kind: ArtifactKind::Archive,
                    package: Some(p.to_string()),
                    version: Some(v.to_string()),
                    target: Some(t.to_string()),
                    members: Vec::new(),
                    size: 1,
                    sha256: String::new(),
                    binaries: Vec::new(),
                    files: Vec::new(),
                    inputs: String::new(),
                    profile_overrides: Vec::new(),
                    build: None,
                };
                let dir = format!("/in/{t}").into();
                (name, Found { dir, entry })
            })
            .collect()
    }

    fn rules(keep_thin: bool) -> Rules {
        Rules {
            groups: vec![Group {
                name: "universal-apple-darwin".into(),
                members: vec![X86.into(), ARM.into()],
                keep_thin,
                tool: LipoTool::Builtin,
                lipo: Lipo::Builtin,
                formats: vec![ArchiveFormat::TarGz, ArchiveFormat::Zip],
            }],
            ..Rules::default()
        }
    }

    /// Each step in words, to compare whole plans.
    fn describe(steps: &[Step]) -> Vec<String> {
        steps
            .iter()
            .map(|s| match s {
                Step::Incomplete(why) => format!("warn {why}"),
                Step::Copy(f) => format!("copy {}", f.entry.name),
                Step::Fuse(f) => format!(
                    "fuse {} from {} into {}",
                    f.package,
                    f.members
                        .iter()
                        .map(|m| m.entry.name.as_str())
                        .collect::<Vec<_>>()
                        .join(" + "),
                    f.outputs
                        .iter()
                        .map(|u| u.file_name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
            .collect()
    }

    #[test]
    fn fuses_complete_groups_in_member_order_warns_about_the_rest_and_copies_the_others() {
        let found = found(&[
            ("app", "1.0.0", ARM, "tar.gz"),
            ("app", "1.0.0", ARM, "zip"),
            ("app", "1.0.0", X86, "zip"),
            ("app", "1.0.0", LINUX, "tar.gz"),
            ("tool", "2.0.0", X86, "tar.gz"),
        ]);
        let r = rules(false);
        assert_eq!(
            describe(&steps(&found, &r).unwrap()),
            [
                // Members in the group's order, each in the group's first format it has.
                "fuse app from app-1.0.0-x86_64-apple-darwin.zip + app-1.0.0-aarch64-apple-darwin.tar.gz into app-1.0.0-universal-apple-darwin.tar.gz, app-1.0.0-universal-apple-darwin.zip",
                "warn universal `universal-apple-darwin` of tool: only 1 of 2 member targets are in the inputs; not built",
                // keep-thin = false: the fused members' archives go; the others ship.
                "copy app-1.0.0-x86_64-unknown-linux-gnu.tar.gz",
                "copy tool-2.0.0-x86_64-apple-darwin.tar.gz",
            ]
        );
        // keep-thin: every thin archive ships beside the universal ones.
        let r = rules(true);
        let kept = describe(&steps(&found, &r).unwrap());
        assert_eq!(kept.iter().filter(|s| s.starts_with("copy")).count(), 5);
    }

    #[test]
    fn a_universal_archive_in_the_inputs_is_written_once_and_two_of_one_member_are_refused() {
        let mut found = found(&[
            ("app", "1.0.0", ARM, "tar.gz"),
            ("app", "1.0.0", X86, "tar.gz"),
            ("app", "1.0.0", "universal-apple-darwin", "tar.gz"),
        ]);
        let r = rules(true);
        let s = describe(&steps(&found, &r).unwrap());
        assert!(
            !s.contains(&"copy app-1.0.0-universal-apple-darwin.tar.gz".to_string()),
            "{s:?}"
        );
        assert_eq!(s.len(), 3, "{s:?}");

        let mut again = found["app-1.0.0-x86_64-apple-darwin.tar.gz"].entry.clone();
        again.name = "app-1.0.0-x86_64-apple-darwin-copy.tar.gz".into();
        found.insert(
            again.name.clone(),
            Found {
                dir: "/in/other".into(),
                entry: again,
            },
        );
        let e = steps(&found, &r).err().unwrap().to_string();
        assert!(
            e.contains("more than one tar.gz archive of member x86_64-apple-darwin"),
            "{e}"
        );
    }
}
