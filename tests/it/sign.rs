//! `sign = "minisign"`: SHA256SUMS.minisig made with the key in the environment, checked by
//! Debian's `minisign`; a missing or wrong key fails before building, naming the variable;
//! two signed runs write the same bytes.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::support::*;

/// A key pair made by `minisign -G` in `dir` (`NAME.sec`, `NAME.pub`), encrypted with
/// `password` when given: the secret key's text.
fn key_pair(dir: &Path, name: &str, password: Option<&str>) -> String {
    let (sec, public) = (format!("{name}.sec"), format!("{name}.pub"));
    let mut args = vec!["-G", "-p", &public, "-s", &sec];
    if password.is_none() {
        args.push("-W");
    }
    let mut child = Command::new("minisign")
        .args(&args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("minisign");
    if let Some(p) = password {
        write!(child.stdin.as_mut().unwrap(), "{p}\n{p}\n").unwrap();
    }
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success(), "minisign -G failed");
    std::fs::read_to_string(dir.join(sec)).unwrap()
}

/// `minisign -Vm SHA256SUMS -p KEY` in `dir`: whether the signature verifies.
fn verifies(dir: &Path, public: &Path) -> bool {
    Command::new("minisign")
        .args(["-Vm", "SHA256SUMS", "-p", public.to_str().unwrap()])
        .current_dir(dir)
        .output()
        .expect("minisign")
        .status
        .success()
}

#[test]
fn minisign_signs_the_sums_of_dist_and_merge_with_the_key_from_the_environment() {
    if !require("minisign", have("minisign")) {
        return;
    }
    let fx = Fixture::new("tiny");
    let config = std::fs::read_to_string(fx.path().join("targets.toml")).unwrap();
    fx.write(
        "targets.toml",
        &config.replace("[dist]\n", "[dist]\nsign = \"minisign\"\n"),
    );
    let keys = tempfile::tempdir().unwrap();
    let plain = key_pair(keys.path(), "plain", None);
    let locked = key_pair(keys.path(), "locked", Some("correct horse"));
    let dist = fx.dist_dir();

    // No key, or not a key: refused before anything is built, naming the variable and fix.
    fx.run_env(&["dist"], &[("CROSSDOCK_MINISIGN_KEY", "")])
        .fails_with(&["CROSSDOCK_MINISIGN_KEY is not set", "minisign -G"]);
    let r = fx
        .run_env(&["dist"], &[("CROSSDOCK_MINISIGN_KEY", "not-a-key-AAAA")])
        .fails_with(&[
            "CROSSDOCK_MINISIGN_KEY",
            "not a minisign secret key",
            "minisign -G",
        ]);
    assert!(!r.stderr.contains("not-a-key-AAAA"), "{}", r.stderr);
    fx.run_env(&["dist"], &[("CROSSDOCK_MINISIGN_KEY", &locked)])
        .fails_with(&["encrypted", "CROSSDOCK_MINISIGN_PASSWORD"]);
    fx.run_env(
        &["dist"],
        &[
            ("CROSSDOCK_MINISIGN_KEY", &locked),
            ("CROSSDOCK_MINISIGN_PASSWORD", "wrong"),
        ],
    )
    .fails_with(&["password does not decrypt"]);
    assert!(!dist.join("SHA256SUMS").exists(), "nothing is written");

    // An unencrypted key: the signature verifies, and the key is never printed.
    let r = fx
        .run_env(&["dist"], &[("CROSSDOCK_MINISIGN_KEY", &plain)])
        .ok();
    let secret_line = plain.lines().nth(1).unwrap();
    assert!(!r.stderr.contains(secret_line) && !r.stdout.contains(secret_line));
    assert!(verifies(&dist, &keys.path().join("plain.pub")));
    assert!(!verifies(&dist, &keys.path().join("locked.pub")));
    tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
    assert_manifest_lists_signature(&dist, "SHA256SUMS.minisig");
    // Signed releases are reproducible: a second run into another out dir writes the same
    // bytes, the signature and the dist-manifest.json that records its hash included
    // (the minisign crate's `sign` added random noise, so both differed every run).
    let again = fx.path().join("dist-again");
    fx.run_env(
        &["dist", "--out-dir", again.to_str().unwrap()],
        &[("CROSSDOCK_MINISIGN_KEY", &plain)],
    )
    .ok();
    assert_same_files(&dist, &again);
    assert!(verifies(&again, &keys.path().join("plain.pub")));
    // A tampered SHA256SUMS fails verification.
    let tampered = tempfile::tempdir().unwrap();
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    std::fs::write(tampered.path().join("SHA256SUMS"), sums.replace('0', "1")).unwrap();
    std::fs::copy(
        dist.join("SHA256SUMS.minisig"),
        tampered.path().join("SHA256SUMS.minisig"),
    )
    .unwrap();
    assert!(!verifies(tampered.path(), &keys.path().join("plain.pub")));

    // An encrypted key with its password; merge (the release workflow's signer) signs too.
    let merged = tempfile::tempdir().unwrap();
    let out = merged.path().join("dist");
    let merge = [
        "merge",
        dist.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
    ];
    run_in(fx.path(), &merge, &[]).fails_with(&["CROSSDOCK_MINISIGN_KEY is not set"]);
    run_in(
        fx.path(),
        &merge,
        &[
            ("CROSSDOCK_MINISIGN_KEY", &locked),
            ("CROSSDOCK_MINISIGN_PASSWORD", "correct horse"),
        ],
    )
    .ok();
    assert_eq!(
        std::fs::read_to_string(out.join("SHA256SUMS")).unwrap(),
        sums
    );
    assert!(verifies(&out, &keys.path().join("locked.pub")));

    // A build job of the release workflow (`--target`) signs nothing and needs no key.
    let part = fx.path().join("part");
    let host = host();
    fx.run(&[
        "dist",
        "--target",
        &host,
        "--out-dir",
        part.to_str().unwrap(),
    ])
    .ok();
    assert!(part.join("SHA256SUMS").exists());
    assert!(!part.join("SHA256SUMS.minisig").exists());
}

/// A gpg key made in its own GNUPGHOME `home` (`--quick-gen-key`, ed25519, protected by
/// `passphrase` when given): the armored secret key and the armored public key.
fn gpg_key(home: &Path, passphrase: Option<&str>) -> (String, String) {
    let gpg = |args: &[&str]| {
        let mut c = Command::new("gpg");
        c.arg("--homedir")
            .arg(home)
            .args(["--batch", "--pinentry-mode", "loopback", "--passphrase"])
            .arg(passphrase.unwrap_or(""))
            .args(args);
        let out = c.output().expect("gpg");
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    gpg(&[
        "--quick-gen-key",
        "crossdock test <test@example.org>",
        "ed25519",
        "sign",
        "never",
    ]);
    let secret = gpg(&["--armor", "--export-secret-keys"]);
    let public = gpg(&["--armor", "--export"]);
    (secret, public)
}

/// `gpg --verify SHA256SUMS.asc SHA256SUMS` in `dir` against the one public key in `keyring`.
fn gpg_verifies(dir: &Path, keyring: &Path) -> bool {
    Command::new("gpg")
        .arg("--homedir")
        .arg(keyring)
        .args(["--batch", "--verify", "SHA256SUMS.asc", "SHA256SUMS"])
        .current_dir(dir)
        .output()
        .expect("gpg")
        .status
        .success()
}

/// The creation time of the one key in the GNUPGHOME `keyring` (seconds since 1970).
fn key_created(keyring: &Path) -> u64 {
    let out = Command::new("gpg")
        .arg("--homedir")
        .arg(keyring)
        .args(["--batch", "--with-colons", "--list-keys"])
        .output()
        .expect("gpg");
    let list = String::from_utf8(out.stdout).unwrap();
    let pub_line = list.lines().find(|l| l.starts_with("pub:")).unwrap();
    pub_line.split(':').nth(5).unwrap().parse().unwrap()
}

/// The creation time gpg wrote into `dir`/SHA256SUMS.asc.
fn sig_created(dir: &Path, keyring: &Path) -> u64 {
    let out = Command::new("gpg")
        .arg("--homedir")
        .arg(keyring)
        .args(["--batch", "--list-packets", "SHA256SUMS.asc"])
        .current_dir(dir)
        .output()
        .expect("gpg");
    let text = String::from_utf8(out.stdout).unwrap();
    let at = text
        .split("created ")
        .nth(1)
        .unwrap_or_else(|| panic!("{text}"));
    at.split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// A GNUPGHOME in `home` that holds only `public` (what a user who downloads a release has).
fn keyring(home: &Path, public: &str) {
    std::fs::write(home.join("pub.asc"), public).unwrap();
    let out = Command::new("gpg")
        .arg("--homedir")
        .arg(home)
        .args(["--batch", "--import", "pub.asc"])
        .current_dir(home)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A directory 0700, as gpg wants its home.
fn gpg_home() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    d
}

/// Stops the agent gpg started for `home`.
fn gpg_done(home: &Path) {
    let _ = Command::new("gpgconf")
        .arg("--homedir")
        .arg(home)
        .args(["--kill", "all"])
        .output();
}

#[test]
fn gpg_signs_the_sums_of_dist_and_merge_with_the_key_from_the_environment() {
    if !require("gpg", have("gpg")) {
        return;
    }
    let fx = Fixture::new("tiny");
    let config = std::fs::read_to_string(fx.path().join("targets.toml")).unwrap();
    fx.write(
        "targets.toml",
        &config.replace("[dist]\n", "[dist]\nsign = \"gpg\"\n"),
    );
    let (plain_home, locked_home, other_home) = (gpg_home(), gpg_home(), gpg_home());
    let (plain, plain_pub) = gpg_key(plain_home.path(), None);
    let (locked, locked_pub) = gpg_key(locked_home.path(), Some("correct horse"));
    let (_, other_pub) = gpg_key(other_home.path(), None);
    for h in [&plain_home, &locked_home, &other_home] {
        gpg_done(h.path());
    }
    let (plain_ring, locked_ring, other_ring) = (gpg_home(), gpg_home(), gpg_home());
    keyring(plain_ring.path(), &plain_pub);
    keyring(locked_ring.path(), &locked_pub);
    keyring(other_ring.path(), &other_pub);
    let dist = fx.dist_dir();

    // No key, not a key, a public key, a protected key without or with a wrong passphrase:
    // refused before anything is built, naming the variable and the fix.
    fx.run_env(&["dist"], &[("CROSSDOCK_GPG_KEY", "")])
        .fails_with(&["CROSSDOCK_GPG_KEY is not set", "--export-secret-keys"]);
    let r = fx
        .run_env(&["dist"], &[("CROSSDOCK_GPG_KEY", "not-a-key-AAAA")])
        .fails_with(&["CROSSDOCK_GPG_KEY", "not an armored OpenPGP secret key"]);
    assert!(!r.stderr.contains("not-a-key-AAAA"), "{}", r.stderr);
    fx.run_env(&["dist"], &[("CROSSDOCK_GPG_KEY", &plain_pub)])
        .fails_with(&["CROSSDOCK_GPG_KEY", "not an armored OpenPGP secret key"]);
    fx.run_env(&["dist"], &[("CROSSDOCK_GPG_KEY", &locked)])
        .fails_with(&[
            "CROSSDOCK_GPG_KEY",
            "no passphrase is set",
            "CROSSDOCK_GPG_PASSPHRASE",
        ]);
    fx.run_env(
        &["dist"],
        &[
            ("CROSSDOCK_GPG_KEY", &locked),
            ("CROSSDOCK_GPG_PASSPHRASE", "wrong"),
        ],
    )
    .fails_with(&["passphrase may not unlock it"]);
    assert!(!dist.join("SHA256SUMS").exists(), "nothing is written");

    // A key without passphrase: the signature verifies with its public key only, and the
    // key is never printed.
    let r = fx.run_env(&["dist"], &[("CROSSDOCK_GPG_KEY", &plain)]).ok();
    let secret_line = plain.lines().nth(3).unwrap();
    assert!(secret_line.len() > 40, "{plain}");
    assert!(!r.stderr.contains(secret_line) && !r.stdout.contains(secret_line));
    let asc = std::fs::read_to_string(dist.join("SHA256SUMS.asc")).unwrap();
    assert!(asc.starts_with("-----BEGIN PGP SIGNATURE-----"), "{asc}");
    assert!(gpg_verifies(&dist, plain_ring.path()));
    assert!(!gpg_verifies(&dist, other_ring.path()));
    tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
    assert_manifest_lists_signature(&dist, "SHA256SUMS.asc");
    // A tampered SHA256SUMS fails verification.
    let tampered = tempfile::tempdir().unwrap();
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    std::fs::write(tampered.path().join("SHA256SUMS"), sums.replace('0', "1")).unwrap();
    std::fs::write(tampered.path().join("SHA256SUMS.asc"), &asc).unwrap();
    assert!(!gpg_verifies(tampered.path(), plain_ring.path()));
    // A second run replaces its own signature without --force.
    fx.run_env(&["dist"], &[("CROSSDOCK_GPG_KEY", &plain)]).ok();
    assert!(gpg_verifies(&dist, plain_ring.path()));
    // Reproducible: gpg signs at the release's SOURCE_DATE_EPOCH (or the key's creation if
    // later), so another run a second later writes the same bytes, dist-manifest.json
    // included (gpg's own clock made them differ).
    let created = key_created(plain_ring.path());
    assert_eq!(
        sig_created(&dist, plain_ring.path()),
        created,
        "no git: epoch 1980"
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let again = fx.path().join("dist-again");
    fx.run_env(
        &["dist", "--out-dir", again.to_str().unwrap()],
        &[("CROSSDOCK_GPG_KEY", &plain)],
    )
    .ok();
    assert_same_files(&dist, &again);
    assert!(gpg_verifies(&again, plain_ring.path()));
    // A SOURCE_DATE_EPOCH after the key's creation is the signature's time.
    let later = fx.path().join("dist-later");
    let epoch = (created + 1).to_string();
    fx.run_env(
        &["dist", "--out-dir", later.to_str().unwrap()],
        &[("CROSSDOCK_GPG_KEY", &plain), ("SOURCE_DATE_EPOCH", &epoch)],
    )
    .ok();
    assert_eq!(sig_created(&later, plain_ring.path()), created + 1);
    assert!(gpg_verifies(&later, plain_ring.path()));

    // A protected key with its passphrase; merge (the release workflow's signer) signs too.
    let merged = tempfile::tempdir().unwrap();
    let out = merged.path().join("dist");
    let merge = [
        "merge",
        dist.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
    ];
    run_in(fx.path(), &merge, &[]).fails_with(&["CROSSDOCK_GPG_KEY is not set"]);
    run_in(
        fx.path(),
        &merge,
        &[
            ("CROSSDOCK_GPG_KEY", &locked),
            ("CROSSDOCK_GPG_PASSPHRASE", "correct horse"),
        ],
    )
    .ok();
    assert_eq!(
        std::fs::read_to_string(out.join("SHA256SUMS")).unwrap(),
        sums
    );
    assert!(gpg_verifies(&out, locked_ring.path()));
    assert!(!gpg_verifies(&out, plain_ring.path()));
    for h in [&plain_ring, &locked_ring, &other_ring] {
        gpg_done(h.path());
    }
}

/// Every file of `a` is in `b` with the same bytes, and `b` has no other.
fn assert_same_files(a: &Path, b: &Path) {
    let names = list_files(a);
    assert_eq!(list_files(b), names);
    for n in &names {
        assert!(
            std::fs::read(a.join(n)).unwrap() == std::fs::read(b.join(n)).unwrap(),
            "{n} differs between two signed runs"
        );
    }
}

/// The manifest of `dist` lists `name` as the release's signature.
fn assert_manifest_lists_signature(dist: &Path, name: &str) {
    let m = read_manifest(dist);
    assert!(
        m["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == name && a["kind"] == "signature"),
        "{m}"
    );
}
