//! What `merge` carries from its inputs' manifests into the release manifest besides the
//! names `merge.rs` checks (issue 20 §11): the inputs come from build jobs that ran
//! dependency code, and the release manifest is read by release jobs, installers and
//! people, so every carried field must be one `dist` could have written. Paths inside an
//! archive are relative, below its top folder, without `.`/`..`, backslashes or control
//! characters, and name a regular file the archive holds with the size and SHA-256 the
//! manifest gives; hashes are 64 lowercase hex digits; sizes are what the archive holds;
//! words are plain words; free text has no control characters.

use std::path::Path;

use anyhow::Result;

use super::entries::Contents;
use crate::model::archive::ArchiveFormat;
use crate::package::manifest::{ArtifactEntry, ArtifactKind, BinaryEntry, Manifest};
use crate::plan::Failed;
use crate::read::words::is_plain_word;

/// The fix every refusal names: such an input was not written by `dist` as it is.
const FIX: &str = "refusing to merge it: make that input dir again with `dist --target T --out-dir DIR` (was it made by `dist`?)";

/// The largest size a manifest may claim for a binary before stripping (256 TiB): a
/// bound no real binary reaches, so that sums and differences of sizes stay exact.
const MAX_SIZE: u64 = 1 << 48;

/// The manifest's own fields merge carries: commit, packages and failures.
pub(super) fn check_manifest(manifest: &Path, m: &Manifest) -> Result<()> {
    let refuse = |field: &str, value: &str, why: &str| {
        anyhow::anyhow!("{}: {field} = {value:?} {why}; {FIX}", manifest.display())
    };
    if let Some(c) = &m.commit {
        if c.is_empty() || c.len() > 64 || !is_lower_hex(c) {
            return Err(refuse(
                "commit",
                c,
                "is not a git commit id (lowercase hex digits, at most 64)",
            ));
        }
    }
    for (i, p) in m.packages.iter().enumerate() {
        if !is_plain_word(&p.name, &[]) {
            return Err(refuse(
                &format!("packages[{i}].name"),
                &p.name,
                "is not a plain word",
            ));
        }
        check_version(&p.version)
            .map_err(|why| refuse(&format!("packages[{i}].version"), &p.version, why))?;
        if let Some(npm) = &p.npm {
            if !is_npm_name(&npm.name) {
                return Err(refuse(
                    &format!("packages[{i}].npm.name"),
                    &npm.name,
                    "is not an npm package name",
                ));
            }
            check_version(&npm.version)
                .map_err(|why| refuse(&format!("packages[{i}].npm.version"), &npm.version, why))?;
        }
    }
    for (i, f) in m.failed.iter().enumerate() {
        if !is_plain_word(&f.target, &[]) {
            return Err(refuse(
                &format!("failed[{i}].target"),
                &f.target,
                "is not a plain word",
            ));
        }
        let control = f
            .error
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t');
        if control || f.error.lines().count() > Failed::LINES {
            return Err(refuse(
                &format!("failed[{i}].error"),
                &f.error,
                &format!(
                    "has control characters or more than {} lines",
                    Failed::LINES
                ),
            ));
        }
    }
    Ok(())
}

/// An archive's entry as the manifest describes it, before the archive is read: hashes,
/// the fingerprint, universal members, profile settings, and each binary's and included
/// file's path, name, sizes, format and glibc floor.
pub(super) fn check_artifact(manifest: &Path, a: &ArtifactEntry) -> Result<()> {
    let refuse = |field: &str, value: &str, why: &str| {
        anyhow::anyhow!(
            "{}: artifact {:?}: {field} = {value:?} {why}; {FIX}",
            manifest.display(),
            a.name
        )
    };
    let hex = "is not a SHA-256 (64 lowercase hex digits)";
    if !is_sha256(&a.sha256) {
        return Err(refuse("sha256", &a.sha256, hex));
    }
    if !a.inputs.is_empty() && !is_sha256(&a.inputs) {
        return Err(refuse("inputs", &a.inputs, hex));
    }
    if a.kind != ArtifactKind::Universal && !a.members.is_empty() {
        return Err(refuse(
            "members",
            &a.members.join(","),
            "is set on an archive that is not universal",
        ));
    }
    for (i, t) in a.members.iter().enumerate() {
        if !is_plain_word(t, &[]) {
            return Err(refuse(&format!("members[{i}]"), t, "is not a plain word"));
        }
    }
    for (i, o) in a.profile_overrides.iter().enumerate() {
        if !is_profile_setting(o) {
            return Err(refuse(
                &format!("profile_overrides[{i}]"),
                o,
                "is not a profile setting (`profile.NAME.KEY=VALUE`)",
            ));
        }
    }
    if let Some(b) = &a.build {
        let rustc_ok = b.rustc.starts_with("rustc ")
            && b.rustc.len() <= 200
            && !b.rustc.chars().any(char::is_control);
        if !rustc_ok {
            return Err(refuse(
                "build.rustc",
                &b.rustc,
                "is not a `rustc --version` line",
            ));
        }
        if crate::model::builder::Builder::from_key(&b.builder).is_none() {
            return Err(refuse("build.builder", &b.builder, "is not a builder"));
        }
        if !is_plain_word(&b.profile, &[]) {
            return Err(refuse("build.profile", &b.profile, "is not a plain word"));
        }
    }
    let top = top_folder(a);
    for (i, b) in a.binaries.iter().enumerate() {
        let field = |f: &str| format!("binaries[{i}].{f}");
        check_binary(b, &top).map_err(|(f, value, why)| refuse(&field(f), &value, &why))?;
    }
    for (i, f) in a.files.iter().enumerate() {
        check_path(f, &top).map_err(|why| refuse(&format!("files[{i}]"), f, &why))?;
    }
    Ok(())
}

/// Each binary and included file the entry lists is a regular file of the archive, and
/// each binary has the size and SHA-256 the entry gives (`contents`: what
/// [`super::entries::check_entries`] read).
pub(super) fn check_contents(
    manifest: &Path,
    a: &ArtifactEntry,
    contents: &Contents,
) -> Result<()> {
    let refuse = |field: String, value: &str, why: String| {
        anyhow::anyhow!(
            "{}: artifact {:?}: {field} = {value:?} {why}; {FIX}",
            manifest.display(),
            a.name
        )
    };
    for (i, b) in a.binaries.iter().enumerate() {
        let Some((size, sha)) = contents.get(&b.path) else {
            return Err(refuse(
                format!("binaries[{i}].path"),
                &b.path,
                "is not a file of the archive".into(),
            ));
        };
        if (*size, sha.as_str()) != (b.size, b.sha256.as_str()) {
            return Err(refuse(
                format!("binaries[{i}]"),
                &b.path,
                format!(
                    "says {} bytes with SHA-256 {}, the archive holds {size} bytes with {sha}",
                    b.size, b.sha256
                ),
            ));
        }
    }
    for (i, f) in a.files.iter().enumerate() {
        if !contents.contains_key(f) {
            return Err(refuse(
                format!("files[{i}]"),
                f,
                "is not a file of the archive".into(),
            ));
        }
    }
    Ok(())
}

/// The archive's top folder: its name's stem (a debuginfo archive's is its binaries'
/// archive's, so that the debug files land beside them).
fn top_folder(a: &ArtifactEntry) -> String {
    let stem = ArchiveFormat::of_file_name(&a.name).map_or(a.name.as_str(), |(_, stem)| stem);
    match a.kind {
        ArtifactKind::Debuginfo => stem.strip_suffix("-debuginfo").unwrap_or(stem),
        _ => stem,
    }
    .to_string()
}

/// A binary's fields, or (field, value, why) for the first that `dist` could not write.
fn check_binary(b: &BinaryEntry, top: &str) -> Result<(), (&'static str, String, String)> {
    if !is_plain_word(&b.name, &[]) {
        return Err(("name", b.name.clone(), "is not a plain word".into()));
    }
    check_path(&b.path, top).map_err(|why| ("path", b.path.clone(), why))?;
    if !is_sha256(&b.sha256) {
        let why = "is not a SHA-256 (64 lowercase hex digits)".into();
        return Err(("sha256", b.sha256.clone(), why));
    }
    if let Some(u) = b.unstripped_size {
        if u < b.size || u > MAX_SIZE {
            let why = format!(
                "is not a size before stripping of a binary of {} bytes (at least that, at most {MAX_SIZE})",
                b.size
            );
            return Err(("unstripped_size", u.to_string(), why));
        }
    }
    if b.format.is_empty() || b.format.len() > 200 || b.format.chars().any(char::is_control) {
        let why = "is not a file format description (one line, at most 200 bytes)".into();
        return Err(("format", b.format.clone(), why));
    }
    if let Some(g) = &b.glibc {
        let numbers = g
            .split('.')
            .all(|n| !n.is_empty() && n.len() <= 4 && n.bytes().all(|c| c.is_ascii_digit()));
        if !numbers || g.split('.').count() > 3 {
            return Err(("glibc", g.clone(), "is not a glibc version (`2.17`)".into()));
        }
    }
    Ok(())
}

/// A path inside the archive: below `top/`, relative, its parts neither empty nor `.` or
/// `..`, without backslashes or control characters.
fn check_path(path: &str, top: &str) -> Result<(), String> {
    if path.chars().any(|c| c.is_control() || c == '\\') {
        return Err("has a control character or a backslash".into());
    }
    if path.starts_with('/') {
        return Err("is an absolute path, not one inside the archive".into());
    }
    let parts: Vec<&str> = path.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == "..")
    {
        return Err("has an empty, `.` or `..` part".into());
    }
    if parts.len() < 2 || parts[0] != top {
        return Err(format!("is not inside the archive's top folder `{top}/`"));
    }
    Ok(())
}

fn is_lower_hex(s: &str) -> bool {
    s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
}

/// A source archive's entry (`source-archive = true`): named `PACKAGE-VERSION-src.tar.gz`
/// from its plain package and version, and describing nothing inside it.
pub(super) fn check_source(manifest: &Path, a: &ArtifactEntry) -> Result<()> {
    let (Some(p), Some(v)) = (&a.package, &a.version) else {
        anyhow::bail!(
            "{}: source archive {:?} names no package and version; {FIX}",
            manifest.display(),
            a.name
        );
    };
    let plain = is_plain_word(p, &[]) && check_version(v).is_ok();
    if !plain
        || a.name != format!("{p}-{v}-src.tar.gz")
        || !a.binaries.is_empty()
        || !a.files.is_empty()
    {
        anyhow::bail!(
            "{}: source archive {:?} is not `PACKAGE-VERSION-src.tar.gz` of its package {p:?} and version {v:?}, or lists binaries or files; {FIX}",
            manifest.display(),
            a.name
        );
    }
    Ok(())
}

/// An SBOM's entry (`sbom = true`): named `PACKAGE-VERSION-TARGET.cdx.json` from its plain
/// package, version and target, and describing nothing inside it.
pub(super) fn check_sbom(manifest: &Path, a: &ArtifactEntry) -> Result<()> {
    let (Some(p), Some(v), Some(t)) = (&a.package, &a.version, &a.target) else {
        anyhow::bail!(
            "{}: SBOM {:?} names no package, version and target; {FIX}",
            manifest.display(),
            a.name
        );
    };
    let plain = is_plain_word(p, &[]) && check_version(v).is_ok() && is_plain_word(t, &[]);
    if !plain
        || a.name != format!("{p}-{v}-{t}.cdx.json")
        || !a.binaries.is_empty()
        || !a.files.is_empty()
        || !a.members.is_empty()
    {
        anyhow::bail!(
            "{}: SBOM {:?} is not `PACKAGE-VERSION-TARGET.cdx.json` of its package {p:?}, version {v:?} and target {t:?}, or lists binaries, files or members; {FIX}",
            manifest.display(),
            a.name
        );
    }
    Ok(())
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64 && is_lower_hex(s)
}

/// A version as `dist` records it: a plain word starting with a digit (semver, `+build`).
fn check_version(v: &str) -> Result<(), &'static str> {
    if !is_plain_word(v, &['+']) || !v.starts_with(|c: char| c.is_ascii_digit()) {
        return Err("is not a semver version");
    }
    Ok(())
}

/// npm's rule: `name` or `@scope/name`, each part a plain word (and `~`), at most 214 bytes.
fn is_npm_name(n: &str) -> bool {
    let plain = |s: &str| is_plain_word(s, &['~']) && !s.starts_with('_');
    n.len() <= 214
        && match n.strip_prefix('@') {
            Some(scoped) => scoped
                .split_once('/')
                .is_some_and(|(scope, name)| plain(scope) && plain(name)),
            None => plain(n),
        }
}

/// `profile.NAME.KEY=VALUE` as the plan writes it: dotted plain words, the value a plain
/// word or one in double quotes (`"debuginfo"`).
fn is_profile_setting(s: &str) -> bool {
    let Some((key, value)) = s.split_once('=') else {
        return false;
    };
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    key.starts_with("profile.") && is_plain_word(key, &[]) && is_plain_word(value, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_stay_below_the_top_folder() {
        assert!(check_path("top/app", "top").is_ok());
        assert!(check_path("top/lib/libx.so", "top").is_ok());
        for bad in [
            "../../../tmp/evilbin",
            ".../../../etc/passwd",
            "/etc/passwd",
            "top/../x",
            "top/./x",
            "top//x",
            "top",
            "other/app",
            "top/a\\b",
            "top/a\nb",
        ] {
            assert!(check_path(bad, "top").is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn words_hashes_and_settings() {
        assert!(is_sha256(&"ab".repeat(32)));
        assert!(!is_sha256("zz"));
        assert!(!is_sha256(&"AB".repeat(32)));
        assert!(is_npm_name("@scope/pkg-name") && is_npm_name("pkg"));
        assert!(!is_npm_name("@scope/../x") && !is_npm_name("a b") && !is_npm_name("@x"));
        assert!(is_profile_setting("profile.dist.strip=true"));
        assert!(is_profile_setting("profile.dist.strip=\"debuginfo\""));
        assert!(is_profile_setting("profile.dist.package.alpha.strip=false"));
        assert!(!is_profile_setting("profile.dist.strip=$(x)"));
        assert!(!is_profile_setting("build.rustflags=x"));
        assert_eq!(check_version("1.2.3+build.4"), Ok(()));
        assert!(check_version("latest").is_err());
    }
}
