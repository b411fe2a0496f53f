//! The packages a step builds against the rustc that builds them: a toolchain older than a
//! package's `rust-version` fails in cargo after the run started (`package X cannot be
//! built because it requires rustc 1.97 or newer`), so doctor and `dist`'s preflight say
//! it first, with both versions and how to get the newer toolchain.

use cargo_metadata::semver::Version;

use crate::facts::toolchain::Toolchain;
use crate::plan::{BuildStep, Facts};

/// The failure (detail, fix) when `tc`, the step's toolchain, is older than the
/// `rust-version` of a package the step builds.
pub(super) fn too_old_for(
    facts: &Facts,
    step: &BuildStep,
    tc: &Toolchain,
) -> Option<(String, String)> {
    let rustc = rustc_release(&tc.version)?;
    let needs = step.packages.iter().filter_map(|p| {
        let v = facts.workspace.package(p)?.rust_version.as_ref()?;
        Some((p.as_str(), v))
    });
    let (package, need) = too_old(&rustc, needs)?;
    let t = &step.target;
    let name = toolchain_name(need);
    let which = tc
        .rustup_toolchain
        .as_deref()
        .map(|n| format!("rustup's `{n}`"))
        .unwrap_or_else(|| format!("`{}`", step.toolchain.rustc_program()));
    Some((
        format!("{package} needs Rust {need} (`rust-version` in its Cargo.toml), but this target builds with rustc {rustc} ({which})"),
        format!("`rustup toolchain install {name}` and pin it in rust-toolchain.toml (`[toolchain]` `channel = \"{name}\"`), or `rustup update` if you follow stable; or set `rustc`/`cargo` for {t} in {} to a toolchain of Rust {name} or newer", step.sources.file("rustc")),
    ))
}

/// `1.95.0` of `rustc 1.95.0 (59807616e 2026-04-14)`; a nightly's `1.97.0-nightly` counts
/// as `1.97.0`, as cargo counts it.
pub(super) fn rustc_release(version_line: &str) -> Option<Version> {
    let word = version_line.split_whitespace().nth(1)?;
    let v = Version::parse(word).ok()?;
    Some(Version::new(v.major, v.minor, v.patch))
}

/// The package among `packages` (name, `rust-version`) that needs the newest rustc above
/// `rustc`, with that version; `None` when `rustc` builds them all.
pub(super) fn too_old<'a>(
    rustc: &Version,
    packages: impl IntoIterator<Item = (&'a str, &'a Version)>,
) -> Option<(&'a str, &'a Version)> {
    packages
        .into_iter()
        .filter(|(_, need)| Version::new(need.major, need.minor, need.patch) > *rustc)
        .max_by(|a, b| a.1.cmp(b.1))
}

/// `1.97` for `1.97.0`, `1.97.1` as written: the toolchain name rustup takes.
pub(super) fn toolchain_name(v: &Version) -> String {
    if v.patch == 0 {
        format!("{}.{}", v.major, v.minor)
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_toolchain_older_than_a_rust_version_is_found_and_nightlies_count_as_their_release() {
        let rustc = rustc_release("rustc 1.95.0 (59807616e 2026-04-14)").unwrap();
        assert_eq!(rustc, Version::new(1, 95, 0));
        let v = |s: &str| Version::parse(s).unwrap();
        let (a, b, c) = (v("1.97.0"), v("1.95.0"), v("1.96.1"));
        let pkgs = [("hyperfine", &a), ("old", &b), ("mid", &c)];
        assert_eq!(too_old(&rustc, pkgs), Some(("hyperfine", &a)));
        assert_eq!(too_old(&rustc, [("old", &b)]), None);
        let nightly = rustc_release("rustc 1.97.0-nightly (abc 2026-05-01)").unwrap();
        assert_eq!(too_old(&nightly, pkgs), None);
        assert_eq!(rustc_release("rustc"), None);
        assert_eq!(toolchain_name(&a), "1.97");
        assert_eq!(toolchain_name(&c), "1.96.1");
    }
}
