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

/// Issue 20 §11: merge copied the metadata of its inputs' manifests into the release
/// manifest unchecked (`binaries[].path = "../../../tmp/evilbin"`, `sha256 = "zz"`,
/// `files = [".../../../etc/passwd"]`). Every carried field is now checked, and the error
/// names the input manifest, the field and the fix; nothing is written.
#[test]
fn merge_refuses_unchecked_metadata_of_its_inputs() {
    use serde_json::json;
    let host = host();
    let fx = Fixture::new("tiny");
    let a = fx.path().join("a");
    fx.run(&["dist", "--out-dir", a.to_str().unwrap()]).ok();
    let archive = format!("tiny-0.2.0-{host}.tar.gz");
    let out = fx.path().join("merged");
    let mpath = a.join("dist-manifest.json");
    let original = std::fs::read_to_string(&mpath).unwrap();
    type Edit = fn(&mut serde_json::Value, &mut serde_json::Value);
    let cases: &[(&str, Edit, &str)] = &[
        (
            "binaries[0].path",
            |_, art| art["binaries"][0]["path"] = json!("../../../tmp/evilbin"),
            "has an empty, `.` or `..` part",
        ),
        (
            "binaries[0].path",
            |_, art| art["binaries"][0]["path"] = json!("/tmp/evilbin"),
            "is an absolute path",
        ),
        (
            "binaries[0].sha256",
            |_, art| art["binaries"][0]["sha256"] = json!("zz"),
            "is not a SHA-256 (64 lowercase hex digits)",
        ),
        (
            "files[0]",
            |_, art| art["files"] = json!([".../../../etc/passwd"]),
            "has an empty, `.` or `..` part",
        ),
        (
            "files[0]",
            |_, art| {
                let top = art["name"].as_str().unwrap().trim_end_matches(".tar.gz");
                art["files"] = json!([format!("{top}/NOT-THERE")]);
            },
            "is not a file of the archive",
        ),
        (
            "binaries[0]",
            |_, art| art["binaries"][0]["size"] = json!(1),
            "says 1 bytes with SHA-256",
        ),
        (
            "binaries[0].unstripped_size",
            |_, art| art["binaries"][0]["unstripped_size"] = json!(u64::MAX),
            "is not a size before stripping",
        ),
        (
            "binaries[0].name",
            |_, art| art["binaries"][0]["name"] = json!("app\nEVIL"),
            "is not a plain word",
        ),
        (
            "binaries[0].format",
            |_, art| art["binaries"][0]["format"] = json!("ELF\u{1b}]0;pwned\u{7}"),
            "is not a file format description",
        ),
        (
            "binaries[0].glibc",
            |_, art| art["binaries"][0]["glibc"] = json!("2.17; rm -rf /"),
            "is not a glibc version",
        ),
        (
            "sha256",
            |_, art| art["sha256"] = json!("zz"),
            "is not a SHA-256",
        ),
        (
            "profile_overrides[0]",
            |_, art| art["profile_overrides"] = json!(["profile.dist.strip=$(reboot)"]),
            "is not a profile setting",
        ),
        (
            "commit",
            |m, _| m["commit"] = json!("$(reboot)"),
            "is not a git commit id",
        ),
        (
            "packages[0].version",
            |m, _| m["packages"][0]["version"] = json!("0.2.0\nevil"),
            "is not a semver version",
        ),
        (
            "failed[0].error",
            |m, _| m["failed"] = json!([{"target": "x86_64-pc-windows-gnu", "step": "build", "error": "\u{1b}[2Jgone"}]),
            "has control characters",
        ),
    ];
    for (field, edit, needle) in cases {
        let mut m: serde_json::Value = serde_json::from_str(&original).unwrap();
        let i = m["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .position(|art| art["name"] == archive.as_str())
            .unwrap();
        let mut art = m["artifacts"][i].take();
        edit(&mut m, &mut art);
        m["artifacts"][i] = art;
        std::fs::write(&mpath, serde_json::to_string_pretty(&m).unwrap()).unwrap();
        merge_one(&fx, &a, &out).fails_with(&[
            mpath.to_str().unwrap(),
            &format!("{field} = "),
            needle,
            "refusing to merge it: make that input dir again with `dist --target T --out-dir DIR`",
        ]);
        assert!(!out.exists(), "{field}: merge wrote {}", out.display());
    }
    // The untouched manifest still merges.
    std::fs::write(&mpath, &original).unwrap();
    merge_one(&fx, &a, &out).ok();
}
