//! crossdock replaces or removes only files it provably wrote (issue 12): a manifest is no
//! proof, a user's file is never overwritten without --force, and an out dir that is the
//! workspace itself is refused.

use crate::support::*;

fn fixture() -> Fixture {
    let fx = Fixture::new("hello-ws");
    fx.write(
        "targets.toml",
        &format!(
            "[dist]\npackages = [\"beta\"]\n\n[[target]]\ntriple = \"{}\"\n",
            host()
        ),
    );
    fx
}

#[test]
fn an_old_manifest_cannot_make_dist_delete_foreign_files() {
    let fx = fixture();
    let dist = fx.dist_dir();
    std::fs::create_dir_all(&dist).unwrap();
    // A manifest that lists files crossdock never wrote, itself included.
    for (name, text) in [
        ("Cargo.toml", "[package]\n"),
        ("README.md", "mine\n"),
        (
            "old-1.0.0-x86_64-unknown-linux-gnu.tar.gz",
            "not the recorded bytes",
        ),
    ] {
        std::fs::write(dist.join(name), text).unwrap();
    }
    std::fs::write(
        dist.join("dist-manifest.json"),
        r#"{"schema_version":1,"crossdock_version":"0.1.0","commit":null,"source_date_epoch":0,"packages":[],
"artifacts":[{"name":"old-1.0.0-x86_64-unknown-linux-gnu.tar.gz","kind":"archive","size":3,"sha256":"00"}],
"files":["Cargo.toml","README.md","dist-manifest.json","old-1.0.0-x86_64-unknown-linux-gnu.tar.gz"]}"#,
    )
    .unwrap();
    // dist-manifest.json reads as crossdock's, so it may be replaced; Cargo.toml in the
    // out dir makes the out dir refused outright.
    fx.run(&["dist"])
        .fails_with(&["holds a Cargo.toml", "--out-dir"]);
    std::fs::remove_file(dist.join("Cargo.toml")).unwrap();
    fx.run(&["dist"]).ok();
    assert_eq!(
        std::fs::read_to_string(dist.join("README.md")).unwrap(),
        "mine\n"
    );
    assert_eq!(
        std::fs::read_to_string(dist.join("old-1.0.0-x86_64-unknown-linux-gnu.tar.gz")).unwrap(),
        "not the recorded bytes"
    );
    // The fresh manifest survives, and lists only what this run wrote.
    let m = read_manifest(&dist);
    assert!(!m["files"].to_string().contains("README"), "{}", m["files"]);
    tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
}

#[test]
fn a_users_own_file_is_not_overwritten_without_force() {
    let fx = fixture();
    let dist = fx.dist_dir();
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("SHA256SUMS"), "my own list\n").unwrap();
    let r = fx
        .run(&["dist"])
        .fails_with(&["SHA256SUMS", "not written by crossdock", "--force"]);
    assert!(!r.stderr.contains("Building"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap(),
        "my own list\n"
    );
    fx.run(&["dist", "--force"]).ok();
    tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
    // Now it is crossdock's: a second run replaces it without --force.
    fx.run(&["dist"]).ok();
}

#[test]
fn the_workspace_root_is_refused_as_out_dir() {
    let fx = fixture();
    fx.run(&["dist", "--out-dir", "."])
        .fails_with(&["is the workspace root", "--out-dir"]);
    fx.run(&["dist", "--out-dir", "beta/src/out"])
        .fails_with(&["inside the sources of package `beta`"]);
}

/// Issue 12, 5a: `dist -p beta` into a dir holding alpha's and beta's archives rebuilds
/// beta and keeps alpha's archive with its entries in the manifest and SHA256SUMS; a full
/// run that no longer ships alpha removes it; a file changed since it was written is not
/// kept (its hash no longer matches the record).
#[test]
fn a_partial_run_keeps_the_other_archives() {
    let fx = Fixture::new("hello-ws");
    let triple = host();
    let targets = |packages: &str| {
        format!("[dist]\npackages = [{packages}]\n\n[[target]]\ntriple = \"{triple}\"\n")
    };
    fx.write("targets.toml", &targets("\"alpha\", \"beta\""));
    fx.run(&["dist"]).ok();
    let dist = fx.dist_dir();
    let alpha = format!("alpha-0.3.1-{triple}.tar.gz");
    let beta = format!("beta-1.0.0-rc.1-{triple}.tar.gz");
    let alpha_bytes = std::fs::read(dist.join(&alpha)).unwrap();

    let out = fx.run(&["dist", "-p", "beta"]).ok();
    assert!(out.stderr.contains("Kept"), "{}", out.stderr);
    assert_eq!(std::fs::read(dist.join(&alpha)).unwrap(), alpha_bytes);
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    assert!(sums.contains(&alpha) && sums.contains(&beta), "{sums}");
    tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
    let m = read_manifest(&dist);
    let files = m["files"].to_string();
    assert!(
        files.contains(&alpha) && files.contains(&format!("{alpha}.sha256")),
        "{files}"
    );
    assert!(
        m["packages"].to_string().contains("alpha"),
        "{}",
        m["packages"]
    );

    // A kept archive must still be the recorded bytes: one changed since is not listed
    // (and, not being provably crossdock's any more, not removed either).
    std::fs::write(dist.join(&alpha), b"changed by hand").unwrap();
    fx.run(&["dist", "-p", "beta"]).ok();
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    assert!(!sums.contains(&alpha), "{sums}");
    assert_eq!(
        std::fs::read(dist.join(&alpha)).unwrap(),
        b"changed by hand"
    );
    std::fs::remove_file(dist.join(&alpha)).unwrap();

    // A full run ships what the matrix says: alpha, no longer listed, goes.
    fx.run(&["dist"]).ok();
    fx.write("targets.toml", &targets("\"beta\""));
    fx.run(&["dist"]).ok();
    assert!(!dist.join(&alpha).exists());
    assert!(!std::fs::read_to_string(dist.join("SHA256SUMS"))
        .unwrap()
        .contains(&alpha));
}
