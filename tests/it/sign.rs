//! `sign = "minisign"`: SHA256SUMS.minisig made with the key in the environment, checked by
//! Debian's `minisign`; a missing or wrong key fails before building, naming the variable.

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
    let m = read_manifest(&dist);
    assert!(
        m["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "SHA256SUMS.minisig" && a["kind"] == "signature"),
        "{m}"
    );
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
