//! `[package.metadata.binstall]` for a workspace that ships several packages: their releases
//! are tagged `{package}-v{version}` (when their versions differ) and their archives named by
//! `archive-name`, neither of which cargo-binstall guesses, so without this table
//! `cargo binstall PACKAGE` would compile from source. The URL templates are derived from the
//! same naming rules `dist` uses, and resolving them for a version gives `dist`'s file names.

use toml_edit::{value, Table};

use crate::read::config::Config;

use crate::model::archive::ArchiveFormat;
use crate::read::select::tag_name;

/// binstall's placeholders for the parts of an archive name.
const NAME: &str = "{ name }";
const VERSION: &str = "{ version }";
const TARGET: &str = "{ target }";

/// The binstall table of one package: `pkg-url` (and `pkg-fmt`) for the archives of the
/// matrix's default format, `bin-dir` inside them, and an override per target whose archive
/// is another format (Windows zip) or whose name the template spells per target (`{os}`,
/// `{arch}`). `shared_version`: every shipped package has one version (tags `v{version}`).
pub fn binstall_table(config: &Config, shared_version: bool) -> Option<Table> {
    let tag = if shared_version {
        tag_name(None, VERSION)
    } else {
        tag_name(Some(NAME), VERSION)
    };
    let per_target_name = {
        let t = config.naming.template.to_string();
        t.contains("{os}") || t.contains("{arch}")
    };
    let stem = |target: &str| {
        config
            .naming
            .template
            .render(crate::read::archive_name::NameParts {
                name: NAME,
                version: VERSION,
                target,
                universal: false,
            })
    };
    let url = |stem: &str, format: ArchiveFormat| {
        format!(
            "{{ repo }}/releases/download/{tag}/{stem}.{}",
            format.extension()
        )
    };
    let fmt = |format: ArchiveFormat| match format {
        ArchiveFormat::TarGz => Some("tgz"),
        ArchiveFormat::TarXz => Some("txz"),
        ArchiveFormat::TarZst => Some("tzstd"),
        ArchiveFormat::Zip => Some("zip"),
    };
    let first_format = |t: &crate::read::config::Target| t.formats.first().copied();
    let default_format = config
        .targets
        .iter()
        .filter(|t| !t.triple.is_windows())
        .find_map(first_format)
        .unwrap_or(ArchiveFormat::TarGz);
    let mut table = Table::new();
    table.insert("pkg-url", value(url(&stem(TARGET), default_format)));
    table.insert(
        "bin-dir",
        value(format!("{}/{{ bin }}{{ binary-ext }}", stem(TARGET))),
    );
    table.insert("pkg-fmt", value(fmt(default_format)?));
    let mut overrides = Table::new();
    overrides.set_implicit(true);
    for t in &config.targets {
        let format = first_format(t).unwrap_or(default_format);
        if format == default_format && !per_target_name {
            continue;
        }
        let mut o = Table::new();
        let s = stem(&t.triple);
        o.insert("pkg-url", value(url(&s, format)));
        if per_target_name {
            o.insert("bin-dir", value(format!("{s}/{{ bin }}{{ binary-ext }}")));
        }
        o.insert("pkg-fmt", value(fmt(format)?));
        overrides.insert(&t.triple, toml_edit::Item::Table(o));
    }
    if !overrides.is_empty() {
        table.insert("overrides", toml_edit::Item::Table(overrides));
    }
    Some(table)
}
