//! A napi-rs project's `package.json`: a library package whose folder holds one with a
//! `napi` object ships as a Node module, with no crossdock setting. Read as napi-rs 3 reads
//! it (`napi.binaryName`, `napi.packageName`, `napi.targets`; napi-rs 2's `napi.name` and
//! `napi.triples` still understood): the npm name and version come from here, not from
//! Cargo.toml, since napi projects keep the crate at `0.1.0` and release the npm version.
//!
//! The file is the user's and holds keys of many tools, so unknown keys are kept (the root
//! npm package is this file plus `optionalDependencies`), never refused; what crossdock
//! needs is checked, and every error names the file.

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::model::json::{Json, Object};
pub use crate::model::node::{safe_relative, tarball_name, NapiPackage};
use anyhow::{bail, Context, Result};

/// More than any real package.json (the largest on npm are a few hundred KiB).
pub const MAX_PACKAGE_JSON: u64 = 1 << 20;

/// What napi-rs writes when `napi.binaryName` is not set.
const DEFAULT_BINARY_NAME: &str = "index";

/// The napi package in `dir`: `None` when the folder has no `package.json`, or one without
/// a `napi` object (a plain npm file next to a crate is not a Node module).
pub fn read(dir: &Path) -> Result<Option<NapiPackage>> {
    let path = dir.join("package.json");
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
    };
    if !meta.is_file() {
        bail!(
            "{} is not a regular file: napi-rs projects keep their npm settings in a package.json file there",
            path.display()
        );
    }
    let mut text = String::new();
    std::fs::File::open(&path)
        .and_then(|f| f.take(MAX_PACKAGE_JSON + 1).read_to_string(&mut text))
        .with_context(|| format!("cannot read {} (is it UTF-8?)", path.display()))?;
    if text.len() as u64 > MAX_PACKAGE_JSON {
        bail!(
            "{} is larger than {} KiB, more than any package.json holds: is it the right file?",
            path.display(),
            MAX_PACKAGE_JSON >> 10
        );
    }
    let Some(mut napi) = parse(&path, &text)? else {
        return Ok(None);
    };
    napi.root_files = root_files(&napi)?;
    Ok(Some(napi))
}

/// See [`NapiPackage::root_files`].
fn root_files(napi: &NapiPackage) -> Result<Vec<(String, PathBuf)>> {
    let dir = napi.path.parent().unwrap_or(Path::new("."));
    let mut out = std::collections::BTreeMap::new();
    if let (name, Some(file)) = napi.loader() {
        out.insert(name, file);
    }
    for key in ["types", "typings"] {
        if let Some(t) = napi.json.get(key).and_then(Json::as_str) {
            let t = t.trim_start_matches("./");
            if safe_relative(t) && dir.join(t).is_file() {
                out.insert(t.to_string(), dir.join(t));
            }
        }
    }
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("cannot list {}", dir.display()))?;
    for e in entries {
        let e = e.with_context(|| format!("cannot list {}", dir.display()))?;
        let Ok(name) = e.file_name().into_string() else {
            continue;
        };
        let upper = name.to_ascii_uppercase();
        let npm_always = ["README", "LICENSE", "LICENCE", "CHANGELOG"]
            .iter()
            .any(|p| upper.starts_with(p));
        if npm_always && e.path().is_file() {
            out.insert(name, e.path());
        }
    }
    Ok(out.into_iter().collect())
}

/// The napi package described by `text`, read from `path` (named in every error).
pub fn parse(path: &Path, text: &str) -> Result<Option<NapiPackage>> {
    let shown = path.display();
    let json: Json = serde_json::from_str(text)
        .with_context(|| format!("{shown}: not valid JSON; fix the file (npm reads it too)"))?;
    let Json::Object(json) = json else {
        bail!("{shown}: a package.json holds a JSON object, this holds something else");
    };
    let Some(napi) = json.get("napi") else {
        return Ok(None);
    };
    let Json::Object(napi) = napi else {
        bail!("{shown}: `napi` must be an object such as {{\"binaryName\": \"mymod\"}}");
    };
    let text_of = |map: &Object, key: &str, at: &str| -> Result<Option<String>> {
        match map.get(key) {
            None => Ok(None),
            Some(Json::String(s)) => Ok(Some(s.clone())),
            Some(_) => bail!("{shown}: `{at}` must be a string"),
        }
    };
    let name = text_of(&json, "name", "name")?.with_context(|| {
        format!("{shown}: no `name`: the root npm package is published under it")
    })?;
    check_package_name(&name).with_context(|| format!("{shown}: `name`"))?;
    // napi-rs 3: platform packages are `{packageName}-{platform}`; the root keeps `name`
    // (oxc-resolver: root `oxc-resolver`, platforms `@oxc-resolver/binding-linux-x64-gnu`).
    let package_name = match text_of(napi, "packageName", "napi.packageName")? {
        Some(n) => {
            check_package_name(&n).with_context(|| format!("{shown}: `napi.packageName`"))?;
            n
        }
        None => name.clone(),
    };
    let version = text_of(&json, "version", "version")?.with_context(|| {
        format!("{shown}: no `version`: the npm packages are published as package.json's version")
    })?;
    if version.is_empty()
        || !version
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-+".contains(c))
    {
        bail!("{shown}: `version` {version:?} is not a semver version such as \"1.4.2\"");
    }
    let binary_name = match text_of(napi, "binaryName", "napi.binaryName")? {
        Some(n) => n,
        None => text_of(napi, "name", "napi.name")?.unwrap_or(DEFAULT_BINARY_NAME.to_string()),
    };
    if !safe_segment(&binary_name) {
        bail!("{shown}: `napi.binaryName` {binary_name:?} must be a plain file name (no `/`, `\\` or `..`)");
    }
    let targets = targets(napi).with_context(|| format!("{shown}: `napi.targets`"))?;
    Ok(Some(NapiPackage {
        path: path.to_path_buf(),
        name,
        package_name,
        version,
        binary_name,
        targets,
        json,
        root_files: Vec::new(),
    }))
}

fn targets(napi: &Object) -> Result<Vec<String>> {
    let strings = |v: &Json| -> Result<Vec<String>> {
        let Json::Array(items) = v else {
            bail!("must be a list of target triples");
        };
        items
            .iter()
            .map(|t| {
                t.as_str()
                    .map(str::to_string)
                    .context("must hold only strings")
            })
            .collect()
    };
    if let Some(t) = napi.get("targets") {
        return strings(t);
    }
    // napi-rs 2: `triples.defaults` (its three default targets) and `triples.additional`.
    let mut out = Vec::new();
    if let Some(triples) = napi.get("triples") {
        if triples.get("defaults").and_then(Json::as_bool) == Some(true) {
            out.extend(
                [
                    "x86_64-apple-darwin",
                    "x86_64-pc-windows-msvc",
                    "x86_64-unknown-linux-gnu",
                ]
                .map(String::from),
            );
        }
        if let Some(a) = triples.get("additional") {
            out.extend(strings(a)?);
        }
    }
    Ok(out)
}

/// npm's rules that matter for file names: lowercase, no spaces, `@scope/name` at most.
fn check_package_name(name: &str) -> Result<()> {
    let bare = match name.strip_prefix('@') {
        Some(scoped) => match scoped.split_once('/') {
            Some((scope, rest)) if safe_segment(scope) => rest,
            _ => bail!("{name:?} is not a scoped npm name such as \"@scope/name\""),
        },
        None => name,
    };
    if !safe_segment(bare)
        || name.len() > 214
        || name
            .chars()
            .any(|c| c.is_ascii_uppercase() || c.is_whitespace())
    {
        bail!("{name:?} is not an npm package name (lowercase, no spaces, at most @scope/name)");
    }
    Ok(())
}

fn safe_segment(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && !s.contains(['/', '\\', '\0']) && !s.starts_with('.')
}

/// A note (never an error: targets.toml is the matrix) when `napi.targets` and the matrix
/// differ: the targets one lists and the other lacks, naming both files. `matrix` holds the
/// triples targets.toml builds for this package, and `universal-apple-darwin` when it fuses
/// the two macOS slices.
pub fn targets_note(napi: &NapiPackage, targets_toml: &Path, matrix: &[String]) -> Option<String> {
    if napi.targets.is_empty() {
        return None;
    }
    let only_napi: Vec<&str> = napi
        .targets
        .iter()
        .filter(|t| !matrix.contains(t))
        .map(String::as_str)
        .collect();
    let only_matrix: Vec<&str> = matrix
        .iter()
        .filter(|t| !napi.targets.contains(t))
        .map(String::as_str)
        .collect();
    if only_napi.is_empty() && only_matrix.is_empty() {
        return None;
    }
    let (pj, tt) = (napi.path.display(), targets_toml.display());
    let mut parts = Vec::new();
    if !only_napi.is_empty() {
        parts.push(format!(
            "{pj} `napi.targets` lists {} that {tt} does not build",
            only_napi.join(", ")
        ));
    }
    if !only_matrix.is_empty() {
        parts.push(format!(
            "{tt} builds {} that {pj} `napi.targets` does not list",
            only_matrix.join(", ")
        ));
    }
    Some(format!(
        "{}; crossdock ships {}'s matrix for `{}` (add the target there, or edit napi.targets to match)",
        parts.join("; "),
        tt,
        napi.name
    ))
}

#[cfg(test)]
mod tests;
