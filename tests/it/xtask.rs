//! `cargo xtask dist` ships crossdock itself, through the same engine.

use crate::support::*;

#[test]
fn xtask_dist_ships_a_working_crossdock() {
    let host = host();
    let out = tempfile::tempdir().unwrap();
    let o = cargo_in(
        &repo_root(),
        &[
            "xtask",
            "dist",
            "--target",
            &host,
            "--out-dir",
            out.path().to_str().unwrap(),
        ],
    )
    .output()
    .unwrap();
    finish(o).ok();
    let version = env!("CARGO_PKG_VERSION");
    let archive = out
        .path()
        .join(format!("crossdock-{version}-{host}.tar.gz"));
    tool(out.path(), "sha256sum", &["-c", "SHA256SUMS"]);
    let x = tempfile::tempdir().unwrap();
    extract(&archive, x.path());
    let top = format!("crossdock-{version}-{host}");
    assert_eq!(
        list_files(x.path()),
        [
            format!("{top}/LICENSE"),
            format!("{top}/README.md"),
            format!("{top}/cargo-crossdock")
        ]
    );
    let v = tool(
        x.path(),
        &format!("./{top}/cargo-crossdock"),
        &["--version"],
    );
    assert_eq!(v.trim(), format!("crossdock {version}"));
}
