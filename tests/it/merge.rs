//! `merge` refuses corrupted, missing and unsafe archives before extracting anything, and
//! joins per-target dirs into the same bytes one `dist` would write.

use std::path::Path;

use crate::support::*;

fn sha(path: &Path) -> String {
    tool(Path::new("/"), "sha256sum", &[path.to_str().unwrap()])
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

/// Rewrites a dir's manifest so that `name` has the file's real size and hash (a crafted
/// archive with a consistent manifest, as an attacker would make it).
fn bless(dir: &Path, name: &str) {
    let mpath = dir.join("dist-manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&mpath).unwrap()).unwrap();
    for a in m["artifacts"].as_array_mut().unwrap() {
        if a["name"] == name {
            a["size"] = std::fs::metadata(dir.join(name)).unwrap().len().into();
            a["sha256"] = sha(&dir.join(name)).into();
        }
    }
    std::fs::write(mpath, serde_json::to_string_pretty(&m).unwrap()).unwrap();
}

/// `merge DIR --out-dir OUT` in the fixture.
fn merge_one(fx: &Fixture, dir: &Path, out: &Path) -> Run {
    run_in(
        fx.path(),
        &[
            "merge",
            dir.to_str().unwrap(),
            "--out-dir",
            out.to_str().unwrap(),
        ],
        &[],
    )
}

#[test]
fn merge_checks_every_input() {
    let host = host();
    let fx = Fixture::new("tiny");
    let a = fx.path().join("a");
    fx.run(&["dist", "--out-dir", a.to_str().unwrap()]).ok();
    let archive = format!("tiny-0.2.0-{host}.tar.gz");
    let out = fx.path().join("merged");
    let m = |dir: &Path| merge_one(&fx, dir, &out);

    // Happy path: one input merges to the same files.
    m(&a).ok();
    for f in [archive.as_str(), "SHA256SUMS", "dist-manifest.json"] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(out.join(f)).unwrap(),
            "{f}"
        );
    }
    std::fs::remove_dir_all(&out).unwrap();

    // Corrupted archive.
    let bad = fx.path().join("bad");
    copy_tree(&a, &bad);
    let mut bytes = std::fs::read(bad.join(&archive)).unwrap();
    let n = bytes.len() / 2;
    bytes[n] ^= 0xff;
    std::fs::write(bad.join(&archive), bytes).unwrap();
    m(&bad).fails_with(&[&archive, "does not match its manifest", "corrupted"]);
    // Missing archive.
    std::fs::remove_file(bad.join(&archive)).unwrap();
    m(&bad).fails_with(&[&archive, "missing"]);
    assert!(!out.join(&archive).exists());

    // Crafted archives: `..`, absolute path, escaping symlink — refused, nothing extracted.
    let cases: &[(&str, &str)] = &[
        ("import tarfile,io,sys\nt=tarfile.open(sys.argv[1],'w:gz')\ni=tarfile.TarInfo('../evil');d=b'x';i.size=1\nt.addfile(i,io.BytesIO(d))", "`../evil`"),
        ("import tarfile,io,sys\nt=tarfile.open(sys.argv[1],'w:gz')\ni=tarfile.TarInfo('/tmp/crossdock-evil');d=b'x';i.size=1\nt.addfile(i,io.BytesIO(d))", "`/tmp/crossdock-evil`"),
        ("import tarfile,io,sys\nt=tarfile.open(sys.argv[1],'w:gz')\ni=tarfile.TarInfo('TOP/link');i.type=tarfile.SYMTYPE;i.linkname='../../etc/passwd'\nt.addfile(i)", "symlink"),
        ("import tarfile,io,sys\nt=tarfile.open(sys.argv[1],'w:gz')\ni=tarfile.TarInfo('TOP/fifo');i.type=tarfile.FIFOTYPE\nt.addfile(i)", "is not a file, directory or link"),
        ("import tarfile,io,sys\nt=tarfile.open(sys.argv[1],'w:gz')\ni=tarfile.TarInfo('TOP/zero');i.type=tarfile.CHRTYPE;i.devmajor=1;i.devminor=5\nt.addfile(i)", "is not a file, directory or link"),
        ("import tarfile,io,sys\nt=tarfile.open(sys.argv[1],'w:gz')\nfor d in (b'good',b'evil'):\n  i=tarfile.TarInfo('TOP/app');i.size=len(d);t.addfile(i,io.BytesIO(d))", "appears twice"),
        ("import tarfile,io,sys\nt=tarfile.open(sys.argv[1],'w:gz')\ni=tarfile.TarInfo('elsewhere/app');d=b'x';i.size=1\nt.addfile(i,io.BytesIO(d))", "is outside the top folder"),
    ];
    for (script, needle) in cases {
        let evil = fx.path().join("evil");
        let _ = std::fs::remove_dir_all(&evil);
        copy_tree(&a, &evil);
        let top = archive.trim_end_matches(".tar.gz");
        tool(
            Path::new("/"),
            "python3",
            &[
                "-c",
                &script.replace("TOP/", &format!("{top}/")),
                evil.join(&archive).to_str().unwrap(),
            ],
        );
        bless(&evil, &archive);
        let r = m(&evil).fails_with(&[&archive, needle, "refusing to extract"]);
        assert!(!Path::new("/tmp/crossdock-evil").exists(), "{}", r.stderr);
        assert!(!fx.path().join("evil/../evil").is_file());
        assert!(!out.join(&archive).exists(), "nothing merged");
    }
}

#[test]
fn merge_refuses_names_that_would_leave_the_out_dir() {
    let host = host();
    let fx = Fixture::new("tiny");
    let a = fx.path().join("a");
    fx.run(&["dist", "--out-dir", a.to_str().unwrap()]).ok();
    let archive = format!("tiny-0.2.0-{host}.tar.gz");
    let out = fx.path().join("merged");
    let mpath = a.join("dist-manifest.json");
    let original = std::fs::read_to_string(&mpath).unwrap();
    for (field, value, needle) in [
        (
            "name",
            "../payload.tar.gz",
            "is not a plain archive file name",
        ),
        (
            "name",
            "/tmp/payload.tar.gz",
            "is not a plain archive file name",
        ),
        ("package", "../../PWNED", "not a plain word"),
        ("version", "latest", "not a semver version"),
        ("name", "other-0.2.0-x.tar.gz", "is not named tiny-0.2.0-"),
    ] {
        let mut m: serde_json::Value = serde_json::from_str(&original).unwrap();
        for art in m["artifacts"].as_array_mut().unwrap() {
            if art["name"] == archive.as_str() {
                art[field] = value.into();
            }
        }
        std::fs::write(&mpath, serde_json::to_string_pretty(&m).unwrap()).unwrap();
        merge_one(&fx, &a, &out).fails_with(&[needle, "refusing to merge it"]);
        assert!(
            !out.exists(),
            "{field} = {value}: merge wrote {}",
            out.display()
        );
        assert!(!fx.path().join("payload.tar.gz").exists());
        assert!(!fx.path().parent().unwrap().join("PWNED").exists());
    }
}
