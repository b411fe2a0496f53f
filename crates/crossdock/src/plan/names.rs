//! The names of the files a release holds: each archive's file name and top folder from
//! `archive-name`, its unversioned copy, and the check that no two files of the matrix get
//! one name. Shared with `merge`, which must name what it writes exactly as `dist` does.

use std::collections::BTreeMap;

use anyhow::Result;

use crate::model::archive::ArchiveFormat;
use crate::read::archive_name::{self, NameParts, Naming};
use crate::read::config::{Config, Universal};
use crate::read::workspace::Package;

/// The names of one archive: file, top folder, unversioned copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactNames {
    pub file_name: String,
    pub top_dir: String,
    pub unversioned: Option<String>,
}

impl ArtifactNames {
    /// `target` is a triple, or a universal group's name (`universal`).
    pub fn new(
        naming: &Naming,
        package: &str,
        version: &str,
        target: &str,
        universal: bool,
        format: ArchiveFormat,
    ) -> ArtifactNames {
        let top_dir = naming.template.render(NameParts {
            name: package,
            version,
            target,
            universal,
        });
        let ext = format.extension();
        ArtifactNames {
            file_name: format!("{top_dir}.{ext}"),
            unversioned: naming
                .unversioned_copy
                .then(|| format!("{}.{ext}", archive_name::unversioned(package, target))),
            top_dir,
        }
    }
}

/// A universal group's archives come in its first member's formats.
pub fn universal_formats<'c>(config: &'c Config, u: &Universal) -> &'c [ArchiveFormat] {
    config
        .target(&u.targets[0].0)
        .map_or(&[ArchiveFormat::TarGz][..], |t| &t.formats[..])
}

/// No two files of the whole matrix (every target and universal group, every shipped
/// package, every format, and the unversioned copies) may get one name: the second would
/// replace the first. Checked over the matrix, not this run's targets, so that per-target
/// runs in CI cannot collide when merged.
pub fn check_archive_names(config: &Config, packages: &[&Package]) -> Result<()> {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let targets = config
        .targets
        .iter()
        .map(|t| (t.triple.as_str(), false, &t.formats[..]));
    let groups = config
        .universals
        .iter()
        .map(|u| (u.name.as_str(), true, universal_formats(config, u)));
    for (target, universal, formats) in targets.chain(groups) {
        for p in packages {
            for f in formats {
                let names =
                    ArtifactNames::new(&config.naming, &p.name, &p.version, target, universal, *f);
                let what = format!("package {} for {target}", p.name);
                let copy = names
                    .unversioned
                    .map(|n| (n, format!("the unversioned copy of {what}")));
                for (name, what) in std::iter::once((names.file_name, what)).chain(copy) {
                    if let Some(first) = seen.get(&name) {
                        return Err(config.error(
                            config.archive_name_span.unwrap_or_default(),
                            format!(
                                "key `archive-name`: \"{}\" gives {first} and {what} one name, `{name}`; add placeholders that tell them apart ({{target}} differs for every target)",
                                config.naming.template
                            ),
                        ));
                    }
                    seen.insert(name, what);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn config(text: &str) -> Config {
        Config::parse(Path::new("targets.toml"), text).unwrap()
    }

    fn package(name: &str) -> Package {
        Package {
            name: name.into(),
            version: "1.0.0".into(),
            bins: vec![name.into()],
            publish: true,
            ..Package::default()
        }
    }

    const MATRIX: &str = "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n[[target]]\ntriple = \"x86_64-unknown-linux-musl\"\n[[target]]\ntriple = \"x86_64-pc-windows-msvc\"\n";

    #[test]
    fn a_template_that_merges_two_targets_is_refused_naming_both() {
        let c = config(&format!(
            "[dist]\narchive-name = \"{{name}}-{{version}}-{{os}}-{{arch}}\"\n{MATRIX}"
        ));
        let app = package("app");
        let e = format!("{:#}", check_archive_names(&c, &[&app]).unwrap_err());
        assert!(
            e.starts_with("targets.toml:2:16: key `archive-name`: \"{name}-{version}-{os}-{arch}\" gives package app for x86_64-unknown-linux-gnu and package app for x86_64-unknown-linux-musl one name, `app-1.0.0-linux-x86_64.tar.gz`"),
            "{e}"
        );
    }

    #[test]
    fn os_and_arch_suffice_when_they_differ_and_formats_never_collide() {
        let c = config("[dist]\narchive-name = \"{name}-{os}-{arch}-v{version}\"\nformats = [\"tar.gz\", \"tar.xz\"]\nunversioned-copy = true\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\n");
        let (a, b) = (package("app"), package("tool"));
        check_archive_names(&c, &[&a, &b]).unwrap();
        let n = ArtifactNames::new(
            &c.naming,
            "app",
            "1.0.0",
            "aarch64-unknown-linux-gnu",
            false,
            ArchiveFormat::TarXz,
        );
        assert_eq!(
            n,
            ArtifactNames {
                file_name: "app-linux-aarch64-v1.0.0.tar.xz".into(),
                top_dir: "app-linux-aarch64-v1.0.0".into(),
                unversioned: Some("app-aarch64-unknown-linux-gnu.tar.xz".into()),
            }
        );
    }
}
