//! `sign` in [dist]: how a release's `SHA256SUMS` is signed, the file the signature is
//! written to, and where the secret key comes from (the environment only: never a file in
//! the repository, never printed).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sign {
    /// `SHA256SUMS.minisig`, checked with `minisign -Vm SHA256SUMS -p KEY.pub`.
    Minisign,
    /// `SHA256SUMS.asc` (detached, armored), checked with `gpg --verify SHA256SUMS.asc`.
    Gpg,
}

impl Sign {
    /// The values `sign` takes in targets.toml.
    pub const NAMES: &'static [&'static str] = &["minisign", "gpg"];

    /// Every kind of signature.
    pub const ALL: [Sign; 2] = [Sign::Minisign, Sign::Gpg];

    pub fn parse(s: &str) -> Option<Sign> {
        match s {
            "minisign" => Some(Sign::Minisign),
            "gpg" => Some(Sign::Gpg),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Sign::Minisign => "minisign",
            Sign::Gpg => "gpg",
        }
    }

    /// The signature of `SHA256SUMS`, beside it.
    pub fn file_name(self) -> &'static str {
        match self {
            Sign::Minisign => "SHA256SUMS.minisig",
            Sign::Gpg => "SHA256SUMS.asc",
        }
    }

    /// The variable holding the secret key's text (the key file as `minisign -G` writes
    /// it; for gpg, `gpg --armor --export-secret-keys KEYID`).
    pub fn key_var(self) -> &'static str {
        match self {
            Sign::Minisign => "CROSSDOCK_MINISIGN_KEY",
            Sign::Gpg => "CROSSDOCK_GPG_KEY",
        }
    }

    /// The variable holding the password of an encrypted key.
    pub fn password_var(self) -> &'static str {
        match self {
            Sign::Minisign => "CROSSDOCK_MINISIGN_PASSWORD",
            Sign::Gpg => "CROSSDOCK_GPG_PASSPHRASE",
        }
    }
}
