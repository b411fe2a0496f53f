//! Editing the user's `Cargo.toml`, `.gitignore` and `.cargo/config.toml` (pure). The TOML
//! files are edited with `toml_edit` (see [`tomldoc`]) rather than by splicing text, so
//! the user's comments and layout survive byte for byte around the added lines; every
//! result is re-parsed to prove it did what it says, and refused unless it only adds to
//! the user's text. A refusal names the file and the edit to make by hand.

use toml_edit::{value, Array, Item, Table};

use super::*;
use tomldoc::{push_like_the_others, put_first, Doc};

mod tomldoc;

pub(crate) fn member_covers(pattern: &str, member: &str) -> bool {
    let pattern = pattern.trim_end_matches('/');
    pattern == member
        || glob::Pattern::new(pattern)
            .map(|p| p.matches(member))
            .unwrap_or(false)
}

/// Adds `member` to `[workspace] members` of a root Cargo.toml, keeping the rest of the
/// text as it is. `None` when it is a member already. Handles a `members` array (on one
/// line or many, in any form of table), a `[workspace]` without `members` (it goes first,
/// under the header), and a single package without `[workspace]` (appended).
pub fn add_workspace_member(path: &str, text: &str, member: &str) -> Result<Option<String>> {
    let manual = || {
        format!("add \"{member}\" to the `members` of the [workspace] table in {path} by hand, then run init again")
    };
    let mut doc = Doc::parse(path, text)?;
    let appended = match doc.doc.get_mut("workspace") {
        None => {
            let mut ws = Table::new();
            ws.insert("members", value(Array::from_iter([member])));
            doc.append_table(&[], "workspace", ws, "")
                .with_context(|| format!("cannot add [workspace] to {path}: {}", manual()))?;
            true
        }
        Some(ws) => {
            let members = ws
                .as_table_like_mut()
                .with_context(|| format!("`workspace` in {path} is not a table: {}", manual()))?
                .get_mut("members");
            match members {
                Some(members) => {
                    let array = members.as_array_mut().with_context(|| {
                        format!(
                            "`members` of [workspace] in {path} is not an array: {}",
                            manual()
                        )
                    })?;
                    let names: Vec<Option<&str>> = array.iter().map(|m| m.as_str()).collect();
                    if names.contains(&None) {
                        bail!("`members` of [workspace] in {path} holds a value that is not a string (Cargo wants paths or globs): {}", manual());
                    }
                    if names.iter().flatten().any(|m| member_covers(m, member)) {
                        return Ok(None);
                    }
                    push_like_the_others(array, member);
                }
                None => match ws.as_table_mut() {
                    Some(t) if !t.is_implicit() && !t.is_dotted() => {
                        t.insert("members", value(Array::from_iter([member])));
                        put_first(t, "members");
                    }
                    _ => bail!(
                        "{path} defines [workspace] in a form init does not edit: {}",
                        manual()
                    ),
                },
            }
            false
        }
    };
    let edited = doc.finish(appended).filter(|s| {
        let t: Option<toml::Table> = s.parse().ok();
        t.as_ref()
            .and_then(|t| t.get("workspace")?.get("members")?.as_array())
            .is_some_and(|m| m.iter().any(|x| x.as_str() == Some(member)))
    });
    let Some(edited) = edited else {
        bail!(
            "cannot add \"{member}\" to the workspace members of {path} safely: {}",
            manual()
        );
    };
    Ok(Some(edited))
}

/// The keys of the `[profile.dist]` init writes, each with the one-line reason shown above it.
const DIST_PROFILE: &[(&str, &str, &str)] = &[
    (
        "inherits",
        "\"release\"",
        "everything `release` sets, plus the size settings below",
    ),
    (
        "lto",
        "\"thin\"",
        "link-time optimization across crates: smaller, faster binaries for a modest link time",
    ),
    (
        "codegen-units",
        "1",
        "one unit per crate: the optimizer sees the whole crate (smaller, slower to build)",
    ),
    (
        "strip",
        "true",
        "no symbols or debug info in the shipped binaries",
    ),
];

/// The commented-out key: it changes behaviour (no unwinding, no `catch_unwind`, no
/// backtrace on panic), so the user opts in.
const DIST_PROFILE_OPT_IN: &str = "# Smaller still, but a panic aborts at once (no unwinding, no catch_unwind): opt in.\n# panic = \"abort\"\n";

/// The `[profile.dist]` init adds, and what it left to `release`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistProfile {
    /// The manifest with the profile added.
    pub text: String,
    /// The size settings written (`lto = "thin"`).
    pub added: Vec<String>,
    /// The settings of `[profile.release]` that made init leave one out (`lto = true`): the
    /// dist profile inherits them, never a weaker value.
    pub kept: Vec<String>,
}

impl DistProfile {
    /// For init's report: `added [profile.dist] (inherits release; lto = "thin", …; keeps
    /// release's lto = true)`.
    pub fn what(&self) -> String {
        let mut parts = vec!["inherits release".to_string()];
        if !self.added.is_empty() {
            parts.push(self.added.join(", "));
        }
        if !self.kept.is_empty() {
            parts.push(format!("keeps release's {}", self.kept.join(", ")));
        }
        format!("added [profile.dist] ({})", parts.join("; "))
    }
}

/// The keys of `[profile.release]` that decide a size setting of [`DIST_PROFILE`]: the
/// key itself, and for `strip` also `debug` (a release built with debug info wants it kept;
/// `debug = false`, `0` or `"none"` does not count).
fn release_sets(release: &dyn toml_edit::TableLike, key: &str) -> Vec<String> {
    let shown = |k: &str| {
        release
            .get(k)
            .and_then(|i| i.as_value())
            .map(|v| format!("{k} = {}", v.to_string().trim()))
    };
    let mut set: Vec<String> = shown(key).into_iter().collect();
    if key == "strip" {
        let no_debug = |v: &toml_edit::Value| {
            v.as_bool() == Some(false) || v.as_integer() == Some(0) || v.as_str() == Some("none")
        };
        if release
            .get("debug")
            .and_then(|i| i.as_value())
            .is_some_and(|v| !no_debug(v))
        {
            set.extend(shown("debug"));
        }
    }
    set
}

/// Appends `[profile.dist]` (release plus the size settings of [`DIST_PROFILE`], and a
/// commented `panic = "abort"`) when the manifest has none; an existing one is never touched.
/// A setting `[profile.release]` has of its own is left out, so `dist` inherits it: init
/// never replaces the project's choice (`lto = true`) with a weaker one.
pub fn add_dist_profile(path: &str, text: &str) -> Result<Option<DistProfile>> {
    let manual = || {
        format!("cannot add [profile.dist] to {path} safely: add `[profile.dist]` with `inherits = \"release\"` by hand")
    };
    let mut doc = Doc::parse(path, text)?;
    let mut kept = Vec::new();
    let mut skip = Vec::new();
    if let Some(profile) = doc.doc.get("profile") {
        let profile = profile.as_table_like().with_context(manual)?;
        if profile.contains_key("dist") {
            return Ok(None);
        }
        if let Some(release) = profile.get("release").and_then(|r| r.as_table_like()) {
            for (key, _, _) in &DIST_PROFILE[1..] {
                let set = release_sets(release, key);
                if !set.is_empty() {
                    skip.push(*key);
                    kept.extend(set);
                }
            }
        }
    }
    let written: Vec<&(&str, &str, &str)> = DIST_PROFILE
        .iter()
        .filter(|(key, _, _)| !skip.contains(key))
        .collect();
    let mut dist = Table::new();
    for (key, v, why) in &written {
        let why = match (*key, written.len()) {
            ("inherits", 1) => "everything `release` sets (it has the size settings of its own)",
            _ => why,
        };
        let v: toml_edit::Value = v.parse().expect("a TOML value");
        dist.insert(key, value(v));
        if let Some(mut k) = dist.key_mut(key) {
            k.leaf_decor_mut().set_prefix(format!("# {why}\n"));
        }
    }
    let lead = "# The profile crossdock builds releases with.\n";
    doc.append_table(&["profile"], "dist", dist, lead)
        .with_context(manual)?;
    doc.doc.set_trailing(DIST_PROFILE_OPT_IN);
    let edited = doc.finish(true).filter(|s| {
        let t: Option<toml::Table> = s.parse().ok();
        t.as_ref()
            .and_then(|t| t.get("profile")?.get("dist")?.get("inherits")?.as_str())
            == Some("release")
    });
    let text = edited.with_context(manual)?;
    let added = written[1..]
        .iter()
        .map(|(key, v, _)| format!("{key} = {v}"))
        .collect();
    Ok(Some(DistProfile { text, added, kept }))
}

/// The crates of crossdock's packaging that are number crunching (deflate, xz, zstd, the
/// SHA-256 and MD5 of every file, scrypt for a minisign key): unoptimized, the xtask's dev
/// build packs a 53 MB binary as tar.gz in 56 s instead of 4.4 s (issue 25 §1). Each is in
/// every xtask's dependency graph (cargo warns about a profile override that matches none).
pub const FAST_IN_DEV: &[&str] = &[
    "zlib-rs",
    "lzma-rust2",
    "zstd-sys",
    "sha2",
    "md-5",
    "scrypt",
    "salsa20",
];

/// Appends `[profile.dev.package.<crate>] opt-level = 3` for each crate of [`FAST_IN_DEV`]
/// the manifest does not configure itself; none when the user set
/// `[profile.dev.package."*"]` (their choice for every dependency stands). Returns the
/// text and the crates added; `None` when nothing is added.
pub fn add_fast_dev_packages(path: &str, text: &str) -> Result<Option<(String, Vec<String>)>> {
    let mut doc = Doc::parse(path, text)?;
    let packages = doc
        .doc
        .get("profile")
        .and_then(|p| p.get("dev"))
        .and_then(|d| d.get("package"));
    if let Some(packages) = packages {
        let Some(packages) = packages.as_table_like() else {
            return Ok(None);
        };
        if packages.contains_key("*") {
            return Ok(None);
        }
    }
    let has = |name: &str| packages.and_then(|p| p.get(name)).is_some();
    let missing: Vec<String> = FAST_IN_DEV
        .iter()
        .filter(|c| !has(c))
        .map(|c| c.to_string())
        .collect();
    if missing.is_empty() {
        return Ok(None);
    }
    let lead =
        "# The archive compressors and hashes crossdock runs, optimized in the dev profile too:
# `cargo xtask dist` builds the xtask in dev, and packs 10x slower without these.
";
    for (i, name) in missing.iter().enumerate() {
        let mut t = Table::new();
        t.insert("opt-level", value(3));
        let appended = doc
            .append_table(
                &["profile", "dev", "package"],
                name,
                t,
                if i == 0 { lead } else { "" },
            )
            .is_some();
        if !appended {
            return Ok(None);
        }
    }
    let edited = doc.finish(true).filter(|s| {
        let t: Option<toml::Table> = s.parse().ok();
        missing.iter().all(|name| {
            t.as_ref().and_then(|t| {
                t.get("profile")?
                    .get("dev")?
                    .get("package")?
                    .get(name)?
                    .get("opt-level")?
                    .as_integer()
            }) == Some(3)
        })
    });
    Ok(edited.map(|text| (text, missing)))
}

/// Appends `[package.metadata.binstall]` (see [`super::binstall`]) to a package's manifest
/// when it has none; `None` when it has one, or when its `[package.metadata]` is not a table
/// (then the user adds it by hand: the report says so).
pub fn add_binstall(path: &str, text: &str, table: Table) -> Result<Option<String>> {
    let mut doc = Doc::parse(path, text)?;
    let has = doc
        .doc
        .get("package")
        .and_then(|p| p.get("metadata"))
        .and_then(|m| m.get("binstall"))
        .is_some();
    if has || doc.doc.get("package").is_none() {
        return Ok(None);
    }
    let lead = "# Where `cargo binstall` finds this package's release archives (written by crossdock init).\n";
    if doc
        .append_table(&["package", "metadata"], "binstall", table, lead)
        .is_none()
    {
        return Ok(None);
    }
    Ok(doc
        .finish(true)
        .filter(|s| s.parse::<toml::Table>().is_ok()))
}

/// `.gitignore` with crossdock's files that are never committed ignored: the default out
/// dir, and this machine's settings beside the matrix (`local_rel`, relative to the root:
/// `targets.local.toml`). Without them `release` would find the archives of the last
/// `cargo xtask dist`, or the local settings, and refuse an unclean tree. `None` when both
/// are ignored already; else the text and what was added (`/dist`).
pub fn add_ignores(existing: Option<&str>, local_rel: &str) -> Option<(String, Vec<String>)> {
    let text = existing.unwrap_or("");
    let listed = |names: &[String]| {
        text.lines()
            .any(|l| names.iter().any(|n| l.trim() == n.as_str()))
    };
    let dist: Vec<String> = ["dist", "/dist", "dist/", "/dist/", "dist/*", "/dist/*"]
        .map(str::to_string)
        .to_vec();
    let local = format!("/{}", local_rel.trim_start_matches('/'));
    let mut local_forms = vec![local.clone()];
    if !local_rel.contains('/') {
        local_forms.push(local_rel.to_string());
    }
    let mut s = text.to_string();
    let mut added = Vec::new();
    for (names, comment, line) in [
        (&dist, "# crossdock's output (`cargo xtask dist`)", "/dist"),
        (
            &local_forms,
            "# this machine's settings over the matrix (crossdock; never committed)",
            local.as_str(),
        ),
    ] {
        if listed(names) {
            continue;
        }
        if !s.is_empty() && !s.ends_with('\n') {
            s.push('\n');
        }
        s.push_str(&format!("{comment}\n{line}\n"));
        added.push(line.to_string());
    }
    (!added.is_empty()).then_some((s, added))
}

pub(crate) fn alias_of(text: &str) -> Option<String> {
    let t: toml::Table = text.parse().ok()?;
    let v = t.get("alias")?.as_table()?.get("xtask")?;
    Some(match v {
        toml::Value::String(s) => s.clone(),
        // `xtask = ["run", "--package", "xtask", "--"]`
        toml::Value::Array(a) => a
            .iter()
            .map(|x| x.as_str().unwrap_or("?"))
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    })
}

/// The cargo config with the `xtask` alias: the template for a new file, else the existing
/// text with the alias added (first under `[alias]`, or in a new `[alias]` at the end).
/// `None` when an `xtask` alias exists (whatever it runs).
pub fn add_xtask_alias(path: &str, existing: Option<&str>) -> Result<Option<String>> {
    let Some(text) = existing else {
        return Ok(Some(CARGO_CONFIG_TEMPLATE.to_string()));
    };
    let manual = || {
        format!("cannot add the xtask alias to {path} safely: add `xtask = \"{XTASK_ALIAS}\"` under [alias] by hand")
    };
    let mut doc = Doc::parse(path, text)?;
    if alias_of(text).is_some() {
        return Ok(None);
    }
    let appended = match doc.doc.get_mut("alias") {
        None => {
            let mut alias = Table::new();
            alias.insert("xtask", value(XTASK_ALIAS));
            doc.append_table(&[], "alias", alias, "")
                .with_context(manual)?;
            true
        }
        Some(Item::Table(t)) if !t.is_implicit() && !t.is_dotted() => {
            t.insert("xtask", value(XTASK_ALIAS));
            put_first(t, "xtask");
            false
        }
        Some(_) => bail!(manual()),
    };
    doc.finish(appended)
        .filter(|s| alias_of(s).as_deref() == Some(XTASK_ALIAS))
        .map(Some)
        .with_context(manual)
}

#[cfg(test)]
mod tests;
