//! `sign = "gpg"`: `SHA256SUMS.asc`, a detached armored signature made by the `gpg`
//! program with a secret key from the environment. The key is imported into a GNUPGHOME
//! of the run's own (a temporary folder, removed with its agent afterwards), so the
//! user's keyring is neither read nor changed; key and passphrase are files in that
//! folder only (0700), never arguments or output.
//!
//! The signature is reproducible: its only varying part is the creation time gpg writes
//! into it, so gpg runs with the clock frozen (`--faked-system-time T!`) at the release's
//! SOURCE_DATE_EPOCH, or at the key's creation if that is later (gpg refuses a key newer
//! than the time, and a verifier a signature older than its key). EdDSA and RSA PKCS#1 v1.5
//! signatures of v4 keys are then the same bytes for the same key and sums.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::sys::process::{which, Cmd};

const TIMEOUT: Option<Duration> = Some(Duration::from_secs(120));

pub struct GpgKey {
    home: tempfile::TempDir,
    passphrase: Option<PathBuf>,
    /// The newest creation time of the imported key and its subkeys (seconds since 1970).
    created: u64,
}

impl std::fmt::Debug for GpgKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GpgKey(..)")
    }
}

impl Drop for GpgKey {
    /// The agent gpg started for this home ends with it.
    fn drop(&mut self) {
        let _ = Cmd::new("gpgconf")
            .arg("--homedir")
            .arg(self.home.path())
            .args(["--kill", "all"])
            .output(Some(Duration::from_secs(10)));
    }
}

fn gpg(home: &Path) -> Cmd {
    Cmd::new("gpg")
        .env("GNUPGHOME", home.as_os_str())
        .arg("--homedir")
        .arg(home)
        .args(["--batch", "--no-tty", "--yes"])
}

/// The first line gpg said about a failure (no key material: gpg prints none), past its
/// warning about the frozen clock.
fn first_line(out: &crate::sys::process::Output) -> String {
    out.stderr
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.contains("running with faked system time"))
        .unwrap_or("no message")
        .to_string()
}

impl GpgKey {
    /// Imports the armored secret key `text` into a new GNUPGHOME and signs once with it
    /// (`passphrase` when protected), so that a key gpg cannot use fails before anything is
    /// built. The error says what is wrong, never the key.
    pub fn import(text: &str, passphrase: Option<String>) -> Result<GpgKey, String> {
        if which("gpg").is_none() {
            return Err("the `gpg` program is not on PATH to use it; install GnuPG (`apt-get install gnupg`, `brew install gnupg`)".into());
        }
        if !text.contains("-----BEGIN PGP PRIVATE KEY BLOCK-----") {
            return Err(
                "it is not an armored OpenPGP secret key (`-----BEGIN PGP PRIVATE KEY BLOCK-----`)"
                    .into(),
            );
        }
        let home = tempfile::Builder::new()
            .prefix("crossdock-gpg")
            .tempdir()
            .map_err(|e| format!("cannot make a temporary GNUPGHOME: {e}"))?;
        let key = GpgKey::import_into(home, text, passphrase).map_err(|e| format!("{e:#}"))?;
        // At today's time, so that an expired or revoked key is refused as gpg refuses it.
        key.sign(b"crossdock: can this key sign?\n", None)
            .map_err(|e| format!("{e:#}"))?;
        Ok(key)
    }

    fn import_into(
        home: tempfile::TempDir,
        text: &str,
        passphrase: Option<String>,
    ) -> Result<GpgKey> {
        let dir = home.path();
        let key_file = dir.join("key.asc");
        std::fs::write(&key_file, text)
            .with_context(|| format!("cannot write {}", key_file.display()))?;
        let out = gpg(dir).arg("--import").arg(&key_file).output(TIMEOUT)?;
        let _ = std::fs::remove_file(&key_file);
        if !out.success() {
            bail!("gpg cannot import it ({})", first_line(&out));
        }
        let list = gpg(dir)
            .args(["--with-colons", "--list-secret-keys"])
            .output(TIMEOUT)?;
        if !list.stdout.lines().any(|l| l.starts_with("sec:")) {
            bail!("it holds no secret key (a public key? export the secret one)");
        }
        let created = newest_creation(&list.stdout);
        let passphrase = match passphrase {
            Some(p) => {
                let f = dir.join("passphrase");
                std::fs::write(&f, p).with_context(|| format!("cannot write {}", f.display()))?;
                Some(f)
            }
            None => None,
        };
        Ok(GpgKey {
            home,
            passphrase,
            created,
        })
    }

    /// The armored detached signature of `data` (the text of `SHA256SUMS.asc`), made at
    /// `epoch` (the release's SOURCE_DATE_EPOCH) or at the key's creation if that is later,
    /// so the same key signs the same data with the same bytes (`None`: at today's time).
    pub fn sign(&self, data: &[u8], epoch: Option<u64>) -> Result<String> {
        let dir = self.home.path();
        let (input, output) = (dir.join("SHA256SUMS"), dir.join("SHA256SUMS.asc"));
        std::fs::write(&input, data)
            .with_context(|| format!("cannot write {}", input.display()))?;
        let mut cmd = gpg(dir).args(["--pinentry-mode", "loopback"]);
        if let Some(epoch) = epoch {
            let at = epoch.max(self.created);
            cmd = cmd.arg("--faked-system-time").arg(format!("{at}!"));
        }
        cmd = match &self.passphrase {
            Some(f) => cmd.arg("--passphrase-file").arg(f),
            None => cmd.args(["--passphrase", ""]),
        };
        let out = cmd
            .args(["--armor", "--detach-sign", "--output"])
            .arg(&output)
            .arg(&input)
            .output(TIMEOUT)?;
        if !out.success() {
            let why = first_line(&out);
            if self.passphrase.is_none() {
                bail!(
                    "gpg cannot sign with it ({why}); it may be protected and no passphrase is set"
                );
            }
            bail!("gpg cannot sign with it ({why}); the passphrase may not unlock it");
        }
        let sig = std::fs::read_to_string(&output)
            .with_context(|| format!("cannot read gpg's signature {}", output.display()))?;
        let _ = std::fs::remove_file(&output);
        Ok(sig)
    }
}

/// The newest creation time (field 6) of the `sec`/`ssb` lines of
/// `gpg --with-colons --list-secret-keys`; 0 when none is readable.
fn newest_creation(colons: &str) -> u64 {
    colons
        .lines()
        .filter(|l| l.starts_with("sec:") || l.starts_with("ssb:"))
        .filter_map(|l| l.split(':').nth(5)?.parse::<u64>().ok())
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_newest_creation_time_of_key_and_subkeys() {
        let list = "sec:u:255:22:AA1EC3A7EBCE49E1:1796682400:::u:::scSC:::+::ed25519:::0:\n\
                    fpr:::::::::03EA699C6DEA34312CA8A691AA1EC3A7EBCE49E1:\n\
                    ssb:u:255:18:BB1EC3A7EBCE49E1:1796682500::::::e:::+::cv25519::\n\
                    uid:u::::1796682400::X::t <t@e.org>::::::::::0:\n";
        assert_eq!(super::newest_creation(list), 1796682500);
        assert_eq!(super::newest_creation("pub:x\n"), 0);
    }
}
