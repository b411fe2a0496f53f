//! Signing `SHA256SUMS` (`sign = "minisign"`): minisign's format, made by the `minisign`
//! crate (pure Rust, by minisign's author), so no program has to be installed where a
//! release is merged. The key's text comes from the caller (`exec/sign.rs` reads the
//! environment); nothing here prints it, and its `Debug` shows none of it.

use anyhow::{bail, Result};
use ct_codecs::Decoder;

pub struct MinisignKey {
    key: minisign::SecretKey,
}

impl std::fmt::Debug for MinisignKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MinisignKey(..)")
    }
}

impl MinisignKey {
    /// The secret key in `text` (a key file as `minisign -G` writes it), decrypted with
    /// `password` when it is encrypted. The error says what is wrong, never the key.
    pub fn parse(text: &str, password: Option<String>) -> Result<MinisignKey, String> {
        let text = text.trim().replace("\r\n", "\n");
        let mut lines = text.lines();
        let (Some(comment), Some(key_line), None) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(
                "it is not a minisign secret key (two lines: `untrusted comment: …` and the key)"
                    .into(),
            );
        };
        if !comment.starts_with("untrusted comment:") {
            return Err(
                "it is not a minisign secret key (its first line is not `untrusted comment: …`)"
                    .into(),
            );
        }
        let bytes = ct_codecs::Base64::decode_to_vec(key_line.trim(), None).map_err(|_| {
            "it is not a minisign secret key (its key line is not base64)".to_string()
        })?;
        if bytes.get(..2) != Some(b"Ed".as_slice()) {
            return Err("it is not a minisign Ed25519 secret key".into());
        }
        // An unencrypted key (`minisign -G -W`) is used as it is: minisign 0.11 writes it
        // with a zero checksum, which the crate's reader refuses as corrupted.
        let key = if bytes.get(2..4) == Some([0u8, 0].as_slice()) {
            minisign::SecretKey::from_bytes(&bytes)
                .map_err(|e| format!("it is not a valid minisign secret key ({e})"))?
        } else {
            let Some(p) = password else {
                return Err("it is encrypted and no password is set".into());
            };
            let sk_box = minisign::SecretKeyBox::from_string(&text)
                .map_err(|_| "it is not a minisign secret key".to_string())?;
            sk_box
                .into_secret_key(Some(p))
                .map_err(|e| match e.kind() {
                    minisign::ErrorKind::Verify => "the password does not decrypt it".to_string(),
                    _ => format!("it cannot be decrypted ({e})"),
                })?
        };
        Ok(MinisignKey { key })
    }

    /// The signature file's text for `data`, saved as `file_name`'s signature; its trusted
    /// comment names the file (no time: the same key signs the same sums the same way but
    /// for the signature's random nonce).
    pub fn sign(&self, data: &[u8], file_name: &str) -> Result<String> {
        let trusted = format!("file:{file_name}");
        match minisign::sign(None, &self.key, data, Some(&trusted), None) {
            Ok(sig) => Ok(sig.into_string()),
            Err(e) => bail!("cannot sign {file_name} with the minisign key: {e}"),
        }
    }
}
