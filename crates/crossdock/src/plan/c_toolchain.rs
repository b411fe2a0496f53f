//! C code in build scripts (the `cc` crate, `-sys` crates) needs a C compiler and an
//! archiver for the target, not only a linker. A target that sets `linker =
//! "aarch64-linux-gnu-gcc"` has told us its toolchain: unless the user chose a C compiler
//! for it (`cc`/`ar` in targets.toml, or `CC_<triple>`, `TARGET_CC`… in the environment or a
//! cargo config `[env]`), the compiler and archiver come from the linker's prefix, so a
//! crate with C code cross-builds with no further setting. `--dry-run` shows the result.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::facts::c_driver;
use crate::read::config::Target;

/// The C compiler and archiver a target's build scripts get, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct CToolchain {
    pub cc: Option<String>,
    pub ar: Option<String>,
    /// `targets.toml` (the `cc`/`ar` keys) or `linker` (derived from its prefix).
    pub origin: &'static str,
}

impl CToolchain {
    /// The `cc` crate's variables for `triple` (`CC_aarch64_unknown_linux_gnu`…).
    pub fn env(&self, triple: &str) -> Vec<(String, String)> {
        let t = triple.replace('-', "_");
        let mut env = Vec::new();
        if let Some(cc) = &self.cc {
            env.push((format!("CC_{t}"), cc.clone()));
        }
        if let Some(ar) = &self.ar {
            env.push((format!("AR_{t}"), ar.clone()));
        }
        env
    }
}

/// The C toolchain of `target`: its `cc`/`ar` keys, else (a cross target with a `linker`
/// whose name has a C driver's shape) one derived from the linker, never over a variable
/// the user set (`user_env`: names set in the environment or a cargo config `[env]`); a
/// derived archiver only when it is on this machine (`found`).
pub fn c_toolchain(
    target: &Target,
    host: &str,
    user_env: &BTreeSet<String>,
    found: &BTreeSet<String>,
) -> Option<CToolchain> {
    let triple = &target.triple;
    let underscored = triple.replace('-', "_");
    let user_set = |var: &str| {
        let names = [
            format!("{var}_{triple}"),
            format!("{var}_{underscored}"),
            format!("TARGET_{var}"),
            var.to_string(),
        ];
        names
            .iter()
            .any(|n| target.env.contains_key(n) || (n != var && user_env.contains(n)))
    };
    if target.cc.is_some() || target.ar.is_some() {
        return Some(CToolchain {
            cc: target.cc.clone(),
            ar: target.ar.clone(),
            origin: "targets.toml",
        });
    }
    if triple == host {
        return None;
    }
    let (cc, ar) = c_driver(target.linker.as_deref()?)?;
    let cc = (!user_set("CC")).then_some(cc);
    // An archiver that is not there (a `musl-gcc` wrapper has no `…-ar` beside it) is left
    // to the cc crate's own default.
    let ar = ar.filter(|a| !user_set("AR") && found.contains(a));
    if cc.is_none() && ar.is_none() {
        return None;
    }
    Some(CToolchain {
        cc,
        ar,
        origin: "linker",
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn found() -> BTreeSet<String> {
        ["aarch64-linux-gnu-ar", "/opt/x/bin/arm-ar"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn target(linker: Option<&str>, env: &[&str]) -> Target {
        let mut toml = String::from("[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\n");
        if let Some(l) = linker {
            toml.push_str(&format!("linker = \"{l}\"\n"));
        }
        if !env.is_empty() {
            let kv: Vec<String> = env.iter().map(|k| format!("{k} = \"x\"")).collect();
            toml.push_str(&format!("env = {{ {} }}\n", kv.join(", ")));
        }
        crate::read::config::Config::parse(Path::new("targets.toml"), &toml)
            .unwrap()
            .targets
            .remove(0)
    }

    const HOST: &str = "x86_64-unknown-linux-gnu";

    #[test]
    fn derived_from_a_gcc_linker() {
        let c = c_toolchain(
            &target(Some("aarch64-linux-gnu-gcc"), &[]),
            HOST,
            &BTreeSet::new(),
            &found(),
        )
        .unwrap();
        assert_eq!(c.cc.as_deref(), Some("aarch64-linux-gnu-gcc"));
        assert_eq!(c.ar.as_deref(), Some("aarch64-linux-gnu-ar"));
        assert_eq!(
            c.env("aarch64-unknown-linux-gnu"),
            vec![
                (
                    "CC_aarch64_unknown_linux_gnu".to_string(),
                    "aarch64-linux-gnu-gcc".to_string()
                ),
                (
                    "AR_aarch64_unknown_linux_gnu".to_string(),
                    "aarch64-linux-gnu-ar".to_string()
                ),
            ]
        );
        let c = c_toolchain(
            &target(Some("/opt/x/bin/arm-cc"), &[]),
            HOST,
            &BTreeSet::new(),
            &found(),
        )
        .unwrap();
        assert_eq!(c.ar.as_deref(), Some("/opt/x/bin/arm-ar"));
        let c = c_toolchain(
            &target(Some("/w/zigcc-aarch64.sh"), &[]),
            HOST,
            &BTreeSet::new(),
            &found(),
        )
        .unwrap();
        assert_eq!((c.cc.as_deref(), c.ar), (Some("/w/zigcc-aarch64.sh"), None));
    }

    #[test]
    fn a_derived_archiver_that_is_not_there_is_left_out() {
        let t = target(Some("/opt/musl/bin/x86_64-linux-musl-cc"), &[]);
        let c = c_toolchain(&t, HOST, &BTreeSet::new(), &found()).unwrap();
        assert_eq!(
            (c.cc.as_deref(), c.ar),
            (Some("/opt/musl/bin/x86_64-linux-musl-cc"), None)
        );
    }

    #[test]
    fn never_over_the_users_choice() {
        assert_eq!(
            c_toolchain(&target(None, &[]), HOST, &BTreeSet::new(), &found()),
            None
        );
        assert_eq!(
            c_toolchain(
                &target(Some("my-linker-script"), &[]),
                HOST,
                &BTreeSet::new(),
                &found()
            ),
            None
        );
        // Set in targets.toml's env, in the environment, or as TARGET_CC.
        let t = target(Some("aarch64-linux-gnu-gcc"), &["CC"]);
        let c = c_toolchain(&t, HOST, &BTreeSet::new(), &found()).unwrap();
        assert_eq!((c.cc, c.ar.is_some()), (None, true));
        let env: BTreeSet<String> = [
            "CC_aarch64-unknown-linux-gnu".to_string(),
            "TARGET_AR".to_string(),
        ]
        .into();
        assert_eq!(
            c_toolchain(
                &target(Some("aarch64-linux-gnu-gcc"), &[]),
                HOST,
                &env,
                &found()
            ),
            None
        );
        // A plain CC in the environment is the host's compiler: the target still gets its own.
        let env: BTreeSet<String> = ["CC".to_string()].into();
        assert!(c_toolchain(
            &target(Some("aarch64-linux-gnu-gcc"), &[]),
            HOST,
            &env,
            &found()
        )
        .unwrap()
        .cc
        .is_some());
        // The host target keeps the host's compiler.
        let mut t = target(Some("gcc"), &[]);
        t.triple = HOST.into();
        assert_eq!(c_toolchain(&t, HOST, &BTreeSet::new(), &found()), None);
    }

    #[test]
    fn targets_toml_keys_win() {
        let mut t = target(Some("aarch64-linux-gnu-gcc"), &[]);
        t.cc = Some("clang --target=aarch64-linux-gnu".into());
        let c = c_toolchain(&t, HOST, &BTreeSet::new(), &found()).unwrap();
        assert_eq!(
            (c.cc.as_deref(), c.ar, c.origin),
            (
                Some("clang --target=aarch64-linux-gnu"),
                None,
                "targets.toml"
            )
        );
    }
}
