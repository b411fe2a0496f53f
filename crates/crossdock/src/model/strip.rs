//! `strip` in targets.toml: what the build strips from shipped binaries, what the binary
//! check then refuses, and how objcopy does the same after debug info was split out.

/// What the build strips from shipped binaries (`strip` in targets.toml), and so what the
/// binary check refuses afterwards. The user's profile is left alone with `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strip {
    /// `strip = true` (the default): no symbol table, no debug info.
    Symbols,
    /// `strip = "debuginfo"`: symbols stay, debug info goes.
    Debuginfo,
    /// `strip = false`: the binary is shipped as the profile built it.
    None,
}

impl Strip {
    /// The profile's `strip` value crossdock passes to cargo; `None` passes nothing.
    pub fn profile_value(self) -> &'static str {
        match self {
            Strip::Symbols => "true",
            Strip::Debuginfo => "\"debuginfo\"",
            Strip::None => "false",
        }
    }

    /// objcopy's flag that strips as this setting does (after `debuginfo = "separate"`
    /// kept everything for the split): `--strip-debug` keeps symbols, else `--strip-all`.
    pub fn objcopy_flag(self) -> &'static str {
        match self {
            Strip::Debuginfo => "--strip-debug",
            Strip::Symbols | Strip::None => "--strip-all",
        }
    }
}
