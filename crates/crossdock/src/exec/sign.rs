//! The signing key of a run (`sign` in [dist]), read from the environment once, before
//! anything is built or written, so that a missing or broken key fails the run at once,
//! naming the variable and how to make a key. The key's text is never printed.

use anyhow::{bail, Result};

use crate::model::sign::Sign;
use crate::package::signature::MinisignKey;

mod gpg;

#[derive(Debug)]
pub struct Signer {
    pub sign: Sign,
    key: Key,
}

#[derive(Debug)]
enum Key {
    Minisign(MinisignKey),
    Gpg(gpg::GpgKey),
}

impl Signer {
    /// The signature file's text for `SHA256SUMS` (`data`), the same bytes for the same
    /// key, data and `epoch` (the release's SOURCE_DATE_EPOCH, gpg's signature time).
    pub fn sign(&self, data: &[u8], epoch: u64) -> Result<String> {
        match &self.key {
            Key::Minisign(k) => k.sign(data, crate::package::checksum::SUMS_FILE),
            Key::Gpg(k) => k.sign(data, Some(epoch)),
        }
    }
}

/// How to make a key of this kind, for the errors.
fn make_key(sign: Sign) -> &'static str {
    match sign {
        Sign::Minisign => "make a key pair with `minisign -G -p KEY.pub -s KEY` (publish KEY.pub for users to verify with)",
        Sign::Gpg => "export a secret key with `gpg --armor --export-secret-keys KEYID` (publish `gpg --armor --export KEYID` for users to verify with)",
    }
}

/// The signer `sign` asks for, its key from the environment; `None` without `sign`.
pub fn load(sign: Option<Sign>) -> Result<Option<Signer>> {
    let Some(sign) = sign else {
        return Ok(None);
    };
    let (var, pw_var) = (sign.key_var(), sign.password_var());
    let make = make_key(sign);
    let text = match std::env::var(var) {
        Ok(t) if !t.trim().is_empty() => t,
        Ok(_) | Err(std::env::VarError::NotPresent) => bail!(
            "sign = \"{}\" in [dist]: {var} is not set; set it to the text of the secret key ({make}), and {pw_var} to its password if it has one; in the release workflow, pass it as a secret to the job that signs",
            sign.name()
        ),
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("{var} is not UTF-8 text; set it to the text of a secret key ({make})")
        }
    };
    let password = std::env::var(pw_var).ok().filter(|p| !p.is_empty());
    let key = match sign {
        Sign::Minisign => MinisignKey::parse(&text, password).map(Key::Minisign),
        Sign::Gpg => gpg::GpgKey::import(&text, password).map(Key::Gpg),
    };
    match key {
        Ok(key) => Ok(Some(Signer { sign, key })),
        Err(why) => bail!(
            "sign = \"{}\" in [dist]: the secret key in {var}: {why}; set {var} to the whole text of the secret key ({make}), and {pw_var} to its password if it is protected",
            sign.name()
        ),
    }
}
