//! `archive-name` in `[dist]`: the template of every archive's name (and of the single top
//! folder inside it), e.g. `"{name}-{version}-{target}"`. Checked when targets.toml is read:
//! only the placeholders below, literal text that is safe in a file name. Whether two
//! artifacts of the matrix would get one name needs the workspace's packages, so the
//! planner checks that with [`ArchiveName::render`] over the whole matrix.

use std::fmt;

use crate::model::triple::Triple;

/// The placeholders a template may use.
pub const PLACEHOLDERS: &[&str] = &["name", "version", "target", "os", "arch"];

/// The default: `{name}-{version}-{target}`, the names crossdock has always written.
pub const DEFAULT: &str = "{name}-{version}-{target}";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Name,
    Version,
    Target,
    Os,
    Arch,
}

/// A checked template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveName {
    parts: Vec<Part>,
    text: String,
}

/// What one archive's name is made of. For a universal group, `target` is the group's
/// name and `os`/`arch` are `macos`/`universal`.
#[derive(Debug, Clone, Copy)]
pub struct NameParts<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub target: &'a str,
    pub universal: bool,
}

impl Default for ArchiveName {
    fn default() -> Self {
        ArchiveName::parse(DEFAULT).expect("the default template is valid")
    }
}

impl fmt::Display for ArchiveName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl ArchiveName {
    /// Checks a template; the error says what is wrong (the caller adds the line).
    pub fn parse(text: &str) -> Result<ArchiveName, String> {
        let mut parts = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            match rest.find(['{', '}']) {
                Some(i) if rest.as_bytes()[i] == b'}' => {
                    return Err("has a `}` without its `{`".into())
                }
                Some(i) => {
                    if i > 0 {
                        parts.push(Part::Text(rest[..i].to_string()));
                    }
                    let Some(end) = rest[i..].find('}') else {
                        return Err("has a `{` without its `}`".into());
                    };
                    let key = &rest[i + 1..i + end];
                    parts.push(match key {
                        "name" => Part::Name,
                        "version" => Part::Version,
                        "target" => Part::Target,
                        "os" => Part::Os,
                        "arch" => Part::Arch,
                        other => {
                            let hint = crate::read::words::nearest(other, PLACEHOLDERS)
                                .map(|n| format!(" (did you mean `{{{n}}}`?)"))
                                .unwrap_or_default();
                            return Err(format!(
                                "has an unknown placeholder `{{{other}}}`{hint}; known: {}",
                                PLACEHOLDERS
                                    .iter()
                                    .map(|p| format!("{{{p}}}"))
                                    .collect::<Vec<_>>()
                                    .join(" ")
                            ));
                        }
                    });
                    rest = &rest[i + end + 1..];
                }
                None => {
                    parts.push(Part::Text(rest.to_string()));
                    rest = "";
                }
            }
        }
        for p in &parts {
            if let Part::Text(t) = p {
                if !t
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-+".contains(c))
                {
                    return Err(format!(
                        "has text `{t}`, but literal text may hold only letters, digits, `.`, `_`, `-` and `+` (it becomes a file name)"
                    ));
                }
            }
        }
        if !parts.contains(&Part::Name) {
            return Err("lacks `{name}`: every package of the workspace would get one name".into());
        }
        if matches!(parts.first(), Some(Part::Text(t)) if t.starts_with('.')) {
            return Err("starts with `.` (a hidden file)".into());
        }
        Ok(ArchiveName {
            parts,
            text: text.to_string(),
        })
    }

    pub fn has_version(&self) -> bool {
        self.parts.contains(&Part::Version)
    }

    /// The name (without extension), which is also the archive's top folder.
    pub fn render(&self, p: NameParts<'_>) -> String {
        let triple = Triple::new(p.target);
        self.parts
            .iter()
            .map(|part| match part {
                Part::Text(t) => t.clone(),
                Part::Name => p.name.to_string(),
                Part::Version => p.version.to_string(),
                Part::Target => p.target.to_string(),
                Part::Os if p.universal => "macos".to_string(),
                Part::Os => triple.os_name(),
                Part::Arch if p.universal => "universal".to_string(),
                Part::Arch => triple.arch_text().to_string(),
            })
            .collect()
    }
}

/// How a release names its archives: `archive-name` and `unversioned-copy` of [dist].
/// `dist` and `merge` both name files from it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Naming {
    pub template: ArchiveName,
    pub unversioned_copy: bool,
}

/// The name of the unversioned copy (`unversioned-copy = true`), for links that must not
/// change between releases (`releases/latest/download/FILE`): `{name}-{target}`.
pub fn unversioned(name: &str, target: &str) -> String {
    format!("{name}-{target}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts<'a>(target: &'a str) -> NameParts<'a> {
        NameParts {
            name: "app",
            version: "1.2.3",
            target,
            universal: false,
        }
    }

    #[test]
    fn renders_every_placeholder() {
        let t = ArchiveName::parse("{name}_v{version}_{os}-{arch}+{target}").unwrap();
        assert_eq!(
            t.render(parts("aarch64-apple-darwin")),
            "app_v1.2.3_macos-aarch64+aarch64-apple-darwin"
        );
        assert_eq!(
            t.render(parts("x86_64-pc-windows-msvc")),
            "app_v1.2.3_windows-x86_64+x86_64-pc-windows-msvc"
        );
        assert_eq!(
            ArchiveName::default().render(parts("x86_64-unknown-linux-gnu")),
            "app-1.2.3-x86_64-unknown-linux-gnu"
        );
        let u = NameParts {
            universal: true,
            ..parts("universal-apple-darwin")
        };
        assert_eq!(
            ArchiveName::parse("{name}-{os}-{arch}").unwrap().render(u),
            "app-macos-universal"
        );
    }

    #[test]
    fn refuses_unknown_placeholders_unsafe_text_and_no_name() {
        let e = ArchiveName::parse("{name}-{verison}").unwrap_err();
        assert!(
            e.contains("unknown placeholder `{verison}` (did you mean `{version}`?)"),
            "{e}"
        );
        for (bad, why) in [
            ("{name}/{target}", "may hold only"),
            ("../{name}", "may hold only"),
            ("{name}-{target", "without its `}`"),
            ("{name}}", "without its `{`"),
            ("{version}-{target}", "lacks `{name}`"),
            (".{name}", "hidden"),
            ("{name} {target}", "may hold only"),
        ] {
            let e = ArchiveName::parse(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
        assert!(!ArchiveName::parse("{name}-{target}").unwrap().has_version());
    }
}
