//! The resolved dependency graph of the workspace for one target and feature set (what
//! `cargo metadata --filter-platform TRIPLE` resolves with the build's features), and the
//! crates one package's binaries are made from: what an SBOM lists (`sbom = true`). Pure
//! values: `facts/deps.rs` reads cargo's answer and Cargo.lock into them.
//!
//! A crate is compiled either *for the target* (it is in the binary) or *for the host*
//! (build scripts' dependencies and proc-macros, with everything they depend on: they shape
//! the binary but are not in it). [`DepGraph::shipped_by`] tells the two apart; a crate
//! needed both ways counts as in the binary.

use serde::Serialize;

/// Where a crate comes from, as Cargo.lock's `source` says.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CrateSource {
    /// crates.io (`registry+https://github.com/rust-lang/crates.io-index` or its sparse URL).
    CratesIo,
    /// Another registry: its index URL.
    Registry(String),
    /// A git repository: the URL with the locked commit (`URL#COMMIT`).
    Git(String),
    /// A path in the workspace or beside it: no source a user could fetch from.
    Path,
}

impl CrateSource {
    /// cargo metadata's `source` (None for a path crate).
    pub fn from_cargo(source: Option<&str>) -> CrateSource {
        let Some(s) = source else {
            return CrateSource::Path;
        };
        if let Some(index) = s
            .strip_prefix("registry+")
            .or_else(|| s.strip_prefix("sparse+"))
        {
            let crates_io = [
                "https://github.com/rust-lang/crates.io-index",
                "https://index.crates.io/",
            ];
            return if crates_io.contains(&index) {
                CrateSource::CratesIo
            } else {
                CrateSource::Registry(index.to_string())
            };
        }
        match s.strip_prefix("git+") {
            // `URL?branch=x#COMMIT`: the locked commit names the source, the branch does not.
            Some(url) => {
                let (head, commit) = url.split_once('#').unwrap_or((url, ""));
                let repo = head.split('?').next().unwrap_or(head);
                CrateSource::Git(if commit.is_empty() {
                    repo.to_string()
                } else {
                    format!("{repo}#{commit}")
                })
            }
            None => CrateSource::Registry(s.to_string()),
        }
    }
}

/// One crate of the resolved graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Crate {
    pub name: String,
    pub version: String,
    pub source: CrateSource,
    /// The `license` field (an SPDX expression; cargo's old `/` is read as `OR`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// Cargo.lock's `checksum` (SHA-256 of the `.crate` file), for a registry crate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
    /// A proc-macro: compiled for the host, as is everything it depends on.
    pub proc_macro: bool,
    /// Its normal and build dependencies for this target (dev-dependencies are never in a
    /// binary): indices into [`DepGraph::crates`].
    pub deps: Vec<Dep>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Dep {
    pub to: usize,
    /// A build-dependency only (its build script's): compiled for the host.
    pub build: bool,
}

/// Which way a crate reaches a package's binaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Use {
    /// Compiled for the target: linked into the binary.
    Target,
    /// Compiled for the host only: a build script's dependency or a proc-macro (and what
    /// those depend on). It shaped the binary but is not in it.
    Host,
}

/// The resolved graph for one target and feature set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DepGraph {
    pub crates: Vec<Crate>,
}

/// The crates a package's binaries are made from, the package first (index 0 of `crates`,
/// `Use::Target`), the others sorted by name and version; `deps` re-indexed into this list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shipped {
    pub crates: Vec<(Crate, Use)>,
}

impl DepGraph {
    /// The workspace package `name` (a path crate) and every crate it needs for this target,
    /// each marked with how it is used; None when the graph has no such package.
    pub fn shipped_by(&self, name: &str) -> Option<Shipped> {
        let root = self
            .crates
            .iter()
            .position(|c| c.name == name && c.source == CrateSource::Path)?;
        let mut uses: Vec<Option<Use>> = vec![None; self.crates.len()];
        // A crate seen as Host is walked again when it is reached as Target (Target < Host),
        // so that a crate needed both ways is marked as in the binary.
        let mut stack = vec![(root, Use::Target)];
        while let Some((i, u)) = stack.pop() {
            if uses[i].is_some_and(|seen| seen <= u) {
                continue;
            }
            uses[i] = Some(u);
            for d in &self.crates[i].deps {
                let host = u == Use::Host || d.build || self.crates[d.to].proc_macro;
                stack.push((d.to, if host { Use::Host } else { Use::Target }));
            }
        }
        let mut order: Vec<usize> = (0..self.crates.len())
            .filter(|&i| i != root && uses[i].is_some())
            .collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&self.crates[a], &self.crates[b]);
            (&a.name, &a.version, &a.source).cmp(&(&b.name, &b.version, &b.source))
        });
        order.insert(0, root);
        let mut new_index = vec![usize::MAX; self.crates.len()];
        for (n, &i) in order.iter().enumerate() {
            new_index[i] = n;
        }
        let crates = order
            .iter()
            .map(|&i| {
                let mut c = self.crates[i].clone();
                c.deps = c
                    .deps
                    .iter()
                    .map(|d| Dep {
                        to: new_index[d.to],
                        build: d.build,
                    })
                    .collect();
                c.deps.sort_by_key(|d| d.to);
                c.deps.dedup_by_key(|d| d.to);
                (c, uses[i].expect("walked"))
            })
            .collect();
        Some(Shipped { crates })
    }
}

impl Shipped {
    /// The list as cargo-auditable embeds it (auditable-serde's `VersionInfo` JSON, before
    /// compression): each crate's name, version and source kind (`crates.io`, `registry`,
    /// `git`, `local`), `kind: "build"` for one compiled for the host only, its dependencies
    /// by index, the package marked `root`. Empty fields are left out, as auditable-serde
    /// writes them.
    pub fn auditable_json(&self) -> String {
        let packages: Vec<serde_json::Value> = self
            .crates
            .iter()
            .enumerate()
            .map(|(i, (c, u))| {
                let mut p = serde_json::json!({
                    "name": c.name,
                    "version": c.version,
                    "source": match c.source {
                        CrateSource::CratesIo => "crates.io",
                        CrateSource::Registry(_) => "registry",
                        CrateSource::Git(_) => "git",
                        CrateSource::Path => "local",
                    },
                });
                if *u == Use::Host {
                    p["kind"] = "build".into();
                }
                if !c.deps.is_empty() {
                    p["dependencies"] = c.deps.iter().map(|d| d.to).collect();
                }
                if i == 0 {
                    p["root"] = true.into();
                }
                p
            })
            .collect();
        serde_json::json!({ "packages": packages }).to_string()
    }
}

impl Crate {
    /// The package URL (purl spec, `pkg:cargo/NAME@VERSION`); a crate from elsewhere than
    /// crates.io says where (`repository_url`, `vcs_url`). A path crate names no path:
    /// where a checkout sits is not part of a release.
    pub fn purl(&self) -> String {
        let base = format!("pkg:cargo/{}@{}", self.name, self.version);
        match &self.source {
            CrateSource::CratesIo | CrateSource::Path => base,
            CrateSource::Registry(url) => format!("{base}?repository_url={}", purl_encode(url)),
            CrateSource::Git(url) => {
                format!("{base}?vcs_url={}", purl_encode(&format!("git+{url}")))
            }
        }
    }

    /// The SPDX expression of `license`, with cargo's old `/` separator read as `OR`.
    pub fn license_expression(&self) -> Option<String> {
        let l = self.license.as_deref()?.trim();
        if l.is_empty() {
            return None;
        }
        Some(if l.contains('/') {
            l.split('/').map(str::trim).collect::<Vec<_>>().join(" OR ")
        } else {
            l.to_string()
        })
    }
}

/// Percent-encoding of a purl qualifier value (RFC 3986 unreserved characters, `:` and `/`
/// kept, everything else escaped).
fn purl_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn krate(name: &str, source: CrateSource, proc_macro: bool, deps: &[(usize, bool)]) -> Crate {
        Crate {
            name: name.into(),
            version: "1.0.0".into(),
            source,
            license: None,
            checksum: None,
            proc_macro,
            deps: deps.iter().map(|&(to, build)| Dep { to, build }).collect(),
        }
    }

    #[test]
    fn build_dependencies_and_proc_macros_are_host_and_a_crate_used_both_ways_is_target() {
        use CrateSource::*;
        let g = DepGraph {
            crates: vec![
                // 0: app → lib (normal), → helper (build), → mac (proc-macro)
                krate("app", Path, false, &[(1, false), (2, true), (3, false)]),
                krate("lib", CratesIo, false, &[(4, false)]),
                krate("helper", Path, false, &[(4, false), (5, false)]),
                krate("mac", CratesIo, true, &[(6, false)]),
                // shared: used by lib (target) and by helper (host)
                krate("shared", CratesIo, false, &[]),
                krate("hostonly", CratesIo, false, &[]),
                krate("syn", CratesIo, false, &[]),
                // not reached
                krate("other", Path, false, &[]),
            ],
        };
        let s = g.shipped_by("app").unwrap();
        let got: Vec<(&str, Use)> = s
            .crates
            .iter()
            .map(|(c, u)| (c.name.as_str(), *u))
            .collect();
        assert_eq!(
            got,
            [
                ("app", Use::Target),
                ("helper", Use::Host),
                ("hostonly", Use::Host),
                ("lib", Use::Target),
                ("mac", Use::Host),
                ("shared", Use::Target),
                ("syn", Use::Host),
            ]
        );
        // Edges follow the new order: lib (3) → shared (5).
        assert_eq!(
            s.crates[3].0.deps,
            [Dep {
                to: 5,
                build: false
            }]
        );
        assert!(
            g.shipped_by("lib").is_none(),
            "only a path crate is a package of ours"
        );
    }

    #[test]
    fn the_audit_list_is_auditable_serde_json_with_the_package_as_root() {
        use CrateSource::*;
        let g = DepGraph {
            crates: vec![
                krate("app", Path, false, &[(1, false), (2, true)]),
                krate("itoa", CratesIo, false, &[]),
                krate("helper", Path, false, &[]),
            ],
        };
        assert_eq!(
            g.shipped_by("app").unwrap().auditable_json(),
            r#"{"packages":[{"dependencies":[1,2],"name":"app","root":true,"source":"local","version":"1.0.0"},{"kind":"build","name":"helper","source":"local","version":"1.0.0"},{"name":"itoa","source":"crates.io","version":"1.0.0"}]}"#
        );
    }

    #[test]
    fn purls_and_licenses() {
        let mut c = krate("serde", CrateSource::CratesIo, false, &[]);
        assert_eq!(c.purl(), "pkg:cargo/serde@1.0.0");
        c.source = CrateSource::from_cargo(Some("git+https://github.com/a/b?branch=x#abc123"));
        assert_eq!(
            c.purl(),
            "pkg:cargo/serde@1.0.0?vcs_url=git%2Bhttps://github.com/a/b%23abc123"
        );
        assert_eq!(
            CrateSource::from_cargo(Some("sparse+https://index.crates.io/")),
            CrateSource::CratesIo
        );
        c.license = Some("MIT/Apache-2.0".into());
        assert_eq!(c.license_expression().as_deref(), Some("MIT OR Apache-2.0"));
        c.license = Some("MIT OR Apache-2.0".into());
        assert_eq!(c.license_expression().as_deref(), Some("MIT OR Apache-2.0"));
    }
}
