//! Signing `SHA256SUMS` (`sign = "minisign"`): minisign's format, so no program has to be
//! installed where a release is merged. The `minisign` crate (by minisign's author) reads and
//! decrypts the key; the signature is made here, because the crate's `sign` mixes 64 random
//! bytes into each Ed25519 signature, so the `.minisig` (and the dist-manifest.json that
//! records its hash) changed every run. Plain RFC 8032 Ed25519 (`ed25519-compact`, same
//! author) is deterministic: the same key signs the same sums with the same bytes, and
//! `minisign -V` cannot tell the difference. The key's text comes from the caller
//! (`exec/sign.rs` reads the environment); nothing here prints it, and its `Debug` shows none
//! of it.

use anyhow::{bail, Result};
use blake2::{Blake2b512, Digest};
use ct_codecs::{Base64, Decoder, Encoder};

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
    /// comment names the file (no time), and Ed25519 without added noise makes it the same
    /// bytes for the same key and data, so a signed release is reproducible.
    ///
    /// minisign's format (`minisign -S`, prehashed): `untrusted comment: …`, then
    /// base64(`ED` ‖ keynum ‖ sign(BLAKE2b-512(data))), `trusted comment: …`, then
    /// base64(sign(signature ‖ trusted comment)).
    pub fn sign(&self, data: &[u8], file_name: &str) -> Result<String> {
        let trusted = format!("file:{file_name}");
        // The key's serialized fields (secret_key.rs `to_bytes`): algorithm, KDF and checksum
        // algorithms (2 bytes each), KDF salt (32), ops and mem limits (8 each), then the
        // 8-byte key number and the 64-byte libsodium secret key (seed ‖ public key).
        let bytes = self.key.to_bytes();
        let (Some(keynum), Some(secret)) = (bytes.get(54..62), bytes.get(62..126)) else {
            bail!("cannot sign {file_name}: the minisign key is shorter than minisign writes");
        };
        debug_assert_eq!(keynum, self.key.keynum());
        let secret = match ed25519_compact::SecretKey::from_slice(secret) {
            Ok(secret) => secret,
            Err(e) => bail!("cannot sign {file_name}: the minisign key is not Ed25519 ({e})"),
        };
        let signature = secret.sign(Blake2b512::digest(data), None);
        let mut line2 = b"ED".to_vec();
        line2.extend_from_slice(keynum);
        line2.extend_from_slice(signature.as_ref());
        let mut signed_comment = signature.to_vec();
        signed_comment.extend_from_slice(trusted.as_bytes());
        let global = secret.sign(&signed_comment, None);
        let base64 = |b: &[u8]| match Base64::encode_to_string(b) {
            Ok(text) => Ok(text),
            Err(e) => bail!("cannot sign {file_name}: base64 of the signature failed ({e})"),
        };
        Ok(format!(
            "untrusted comment: {}\n{}\ntrusted comment: {trusted}\n{}\n",
            minisign::DEFAULT_COMMENT,
            base64(&line2)?,
            base64(global.as_ref())?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_key_signs_the_same_data_with_the_same_bytes_that_minisign_verifies() {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().unwrap();
        let key = MinisignKey {
            key: pair.sk.clone(),
        };
        let data = b"0123  crossdock-x86_64-unknown-linux-gnu.tar.gz\n";
        let first = key.sign(data, "SHA256SUMS").unwrap();
        assert_eq!(first, key.sign(data, "SHA256SUMS").unwrap());
        // The crate's own `sign` (what crossdock used) adds noise: two runs differ.
        let noisy = |_| {
            minisign::sign(None, &pair.sk, &data[..], Some("file:SHA256SUMS"), None)
                .unwrap()
                .into_string()
        };
        let (a, b) = (noisy(0), noisy(1));
        assert_ne!(a, b);
        // Same format as the crate's: the same comment lines, the same algorithm and key number.
        let lines: Vec<&str> = first.lines().collect();
        let theirs: Vec<&str> = a.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!((lines[0], lines[2]), (theirs[0], theirs[2]));
        assert_eq!(lines[2], "trusted comment: file:SHA256SUMS");
        assert_eq!(lines[1][..12], theirs[1][..12], "ED ‖ keynum");
        assert!(first.ends_with('\n'));
        let verify = |text: &str, data: &[u8]| {
            let sig = minisign::SignatureBox::from_string(text).unwrap();
            minisign::verify(
                &pair.pk,
                &sig,
                std::io::Cursor::new(data),
                true,
                false,
                false,
            )
        };
        verify(&first, data).unwrap();
        assert!(verify(&first, b"other sums\n").is_err());
        let tampered = first.replace("file:SHA256SUMS", "file:SHA256SUMZ");
        assert!(verify(&tampered, data).is_err());
    }

    #[test]
    fn an_encrypted_key_signs_after_its_password_decrypts_it() {
        let pair = minisign::KeyPair::generate_encrypted_keypair(Some("pw".into())).unwrap();
        let text = pair.sk.to_box(None).unwrap().into_string();
        let key = MinisignKey::parse(&text, Some("pw".into())).unwrap();
        let signed = key.sign(b"sums\n", "SHA256SUMS").unwrap();
        let sig = minisign::SignatureBox::from_string(&signed).unwrap();
        minisign::verify(
            &pair.pk,
            &sig,
            std::io::Cursor::new(b"sums\n"),
            true,
            false,
            false,
        )
        .unwrap();
        assert_eq!(signed, key.sign(b"sums\n", "SHA256SUMS").unwrap());
    }
}
