//! The signing key of a run (`sign` in [dist]), read from the environment once, before
//! anything is built or written, so that a missing or broken key fails the run at once,
//! naming the variable and how to make a key. The key's text is never printed.

use anyhow::{bail, Result};

use crate::model::sign::Sign;
use crate::package::signature::MinisignKey;

#[derive(Debug)]
pub struct Signer {
    pub sign: Sign,
    key: MinisignKey,
}

impl Signer {
    /// The signature file's text for `SHA256SUMS` (`data`).
    pub fn sign(&self, data: &[u8]) -> Result<String> {
        self.key.sign(data, crate::package::checksum::SUMS_FILE)
    }
}

/// The signer `sign` asks for, its key from the environment; `None` without `sign`.
pub fn load(sign: Option<Sign>) -> Result<Option<Signer>> {
    let Some(sign) = sign else {
        return Ok(None);
    };
    let (var, pw_var) = (sign.key_var(), sign.password_var());
    let make = "make a key pair with `minisign -G -p KEY.pub -s KEY` (publish KEY.pub for users to verify with)";
    let text = match std::env::var(var) {
        Ok(t) if !t.trim().is_empty() => t,
        Ok(_) | Err(std::env::VarError::NotPresent) => bail!(
            "sign = \"{}\" in [dist]: {var} is not set; set it to the text of the secret key file ({make}), and {pw_var} to its password if it has one; in the release workflow, pass it as a secret to the job that signs",
            sign.name()
        ),
        Err(std::env::VarError::NotUnicode(_)) => {
            bail!("{var} is not UTF-8 text; set it to the text of a minisign secret key file ({make})")
        }
    };
    let password = std::env::var(pw_var).ok().filter(|p| !p.is_empty());
    match MinisignKey::parse(&text, password) {
        Ok(key) => Ok(Some(Signer { sign, key })),
        Err(why) => bail!(
            "sign = \"{}\" in [dist]: the secret key in {var}: {why}; set {var} to the whole text of the key file `minisign -G` writes ({make}), and {pw_var} to its password if it is encrypted",
            sign.name()
        ),
    }
}
