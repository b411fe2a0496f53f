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
