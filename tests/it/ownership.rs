//! The out dir, attacked (issues 12 and 20): crossdock replaces or removes only files it
//! provably wrote, by a record it keeps outside the out dir — a manifest in the out dir is
//! no proof, however true the sizes and hashes it lists — a user's file is never
//! overwritten without --force, by `dist` or `merge`, and an out dir that is the workspace,
//! contains it, or is a package's sources is refused by both.

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
    // Cargo.toml in the out dir makes the out dir refused outright; the planted manifest
    // is no file of crossdock's either, so replacing it takes --force.
    fx.run(&["dist"])
        .fails_with(&["holds a Cargo.toml", "--out-dir"]);
    std::fs::remove_file(dist.join("Cargo.toml")).unwrap();
    fx.run(&["dist"])
        .fails_with(&["dist-manifest.json", "not written by crossdock", "--force"]);
    fx.run(&["dist", "--force"]).ok();
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

fn sha256(path: &std::path::Path) -> String {
    tool(
        path.parent().unwrap(),
        "sha256sum",
        &[path.to_str().unwrap()],
    )
    .split_whitespace()
    .next()
    .unwrap()
    .to_string()
}

/// Issue 20 §1: a manifest in the out dir that lists a user's files in `files` and in
/// `artifacts` with their true size and SHA-256 (planted, or copied in with a downloaded
/// release) does not make `dist` delete them, nor list them as its own.
#[test]
fn a_manifest_with_true_hashes_of_user_files_cannot_make_dist_delete_them() {
    let fx = fixture();
    fx.run(&["dist"]).ok();
    let dist = fx.dist_dir();
    let users = [
        ("my-backup.tar.gz", "years of work\n"),
        ("notes.json", "{\"mine\": true}\n"),
    ];
    for (name, text) in users {
        std::fs::write(dist.join(name), text).unwrap();
    }
    let mpath = dist.join("dist-manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&mpath).unwrap()).unwrap();
    for (name, text) in users {
        m["files"].as_array_mut().unwrap().push(name.into());
        m["artifacts"]
            .as_array_mut()
            .unwrap()
            .push(serde_json::json!({
                "name": name,
                "kind": "archive",
                "size": text.len(),
                "sha256": sha256(&dist.join(name)),
            }));
    }
    std::fs::write(&mpath, serde_json::to_string_pretty(&m).unwrap()).unwrap();

    // The planted manifest is not crossdock's any more: replacing it needs --force.
    fx.run(&["dist"])
        .fails_with(&["dist-manifest.json", "not written by crossdock", "--force"]);
    let r = fx.run(&["dist", "--force"]).ok();
    assert!(!r.stderr.contains("Removed"), "{}", r.stderr);
    // Again without --force: the manifest is crossdock's now, the user's files still not.
    let r = fx.run(&["dist"]).ok();
    assert!(!r.stderr.contains("Removed"), "{}", r.stderr);
    for (name, text) in users {
        assert_eq!(std::fs::read_to_string(dist.join(name)).unwrap(), text);
    }
    let files = read_manifest(&dist)["files"].to_string();
    assert!(
        !files.contains("my-backup") && !files.contains("notes.json"),
        "{files}"
    );
    tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
}

/// The fixture's files outside its target dir.
fn files_under(dir: &std::path::Path) -> Vec<String> {
    list_files(dir)
        .into_iter()
        .filter(|f| !f.starts_with("target/"))
        .collect()
}

/// `dist` into `dir`, then `merge dir --out-dir out` with `args` (run at the fixture root).
fn merge_into(fx: &Fixture, input: &std::path::Path, out: &str, args: &[&str]) -> Run {
    let mut all = vec!["merge", input.to_str().unwrap(), "--out-dir", out];
    all.extend(args);
    fx.run(&all)
}

/// Issue 20 §2: `merge` follows `dist`'s ownership rules: a user's SHA256SUMS, archive and
/// manifest in `--out-dir` stop it before it writes anything, `--force` overwrites them, and
/// what it wrote itself it replaces again without `--force`.
#[test]
fn merge_does_not_overwrite_a_users_files_without_force() {
    let fx = fixture();
    let input = fx.path().join("per-target");
    fx.run(&["dist", "--out-dir", input.to_str().unwrap()]).ok();
    let archive = format!("beta-1.0.0-rc.1-{}.tar.gz", host());
    let out = fx.path().join("release");
    std::fs::create_dir_all(&out).unwrap();
    let users = [
        ("SHA256SUMS", "my own list\n"),
        (archive.as_str(), "my own archive\n"),
        ("dist-manifest.json", "{}\n"),
    ];
    for (name, text) in users {
        std::fs::write(out.join(name), text).unwrap();
    }
    let r = merge_into(&fx, &input, out.to_str().unwrap(), &[]).fails_with(&[
        "not written by crossdock",
        "SHA256SUMS",
        &archive,
        "dist-manifest.json",
        "--force",
    ]);
    assert!(!r.stderr.contains("Merged"), "{}", r.stderr);
    for (name, text) in users {
        assert_eq!(
            std::fs::read_to_string(out.join(name)).unwrap(),
            text,
            "{name}"
        );
    }
    merge_into(&fx, &input, out.to_str().unwrap(), &["--force"]).ok();
    tool(&out, "sha256sum", &["-c", "SHA256SUMS"]);
    // Now they are crossdock's: a second merge replaces them without --force.
    merge_into(&fx, &input, out.to_str().unwrap(), &[]).ok();
    assert_eq!(
        std::fs::read(out.join(&archive)).unwrap(),
        std::fs::read(input.join(&archive)).unwrap()
    );
}

/// Issue 20 §3 and §5: one out-dir check for `dist` and `merge`: the workspace root, a
/// folder that contains the workspace (`..`), the current directory and a package's
/// sources are refused before anything is built or written.
#[test]
fn dist_and_merge_refuse_the_same_out_dirs() {
    let fx = fixture();
    let input = fx.path().join("per-target");
    fx.run(&["dist", "--out-dir", input.to_str().unwrap()]).ok();
    let before = files_under(fx.path());
    for (out, says) in [
        (".", "is the workspace root"),
        ("..", "contains the workspace"),
        ("beta/src", "inside the sources of package `beta`"),
        ("beta/src/out", "inside the sources of package `beta`"),
    ] {
        let r = fx
            .run(&["dist", "--out-dir", out])
            .fails_with(&[says, "--out-dir"]);
        assert!(!r.stderr.contains("Compiling"), "{}", r.stderr);
        merge_into(&fx, &input, out, &[]).fails_with(&[says, "--out-dir"]);
    }
    // Without a workspace, merge still refuses the current directory and its parents.
    let elsewhere = tempfile::tempdir().unwrap();
    for out in [".", ".."] {
        run_in(
            elsewhere.path(),
            &["merge", input.to_str().unwrap(), "--out-dir", out],
            &[],
        )
        .fails_with(&["contains the current directory", "--out-dir"]);
    }
    assert_eq!(files_under(fx.path()), before);
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

/// Issue 20 §4: a run that fails part-way leaves the out dir as the previous run left it
/// (no new archive beside the old SHA256SUMS, `sha256sum -c` still passing), and the next
/// run needs no --force. The failure is real: a directory where the run writes one file
/// (an archive, then a checksum file, each a later stage), which no rename can replace.
#[test]
fn a_run_that_fails_part_way_leaves_the_previous_release_and_needs_no_force() {
    let fx = fixture();
    fx.run(&["dist"]).ok();
    let dist = fx.dist_dir();
    let snapshot = |dist: &std::path::Path| -> Vec<(String, Vec<u8>)> {
        list_files(dist)
            .into_iter()
            .map(|f| {
                let bytes = std::fs::read(dist.join(&f)).unwrap();
                (f, bytes)
            })
            .collect()
    };
    let before = snapshot(&dist);
    // The second run adds package alpha: its archive and checksum are new files.
    fx.write(
        "targets.toml",
        &format!(
            "[dist]\npackages = [\"alpha\", \"beta\"]\n\n[[target]]\ntriple = \"{}\"\n",
            host()
        ),
    );
    let alpha = format!("alpha-0.3.1-{}.tar.gz", host());
    // At the archive stage nothing was written yet (beta's archive is fresh); at the
    // checksum stage alpha's new archive was, and is taken back.
    for (blocked, restores) in [(alpha.clone(), false), (format!("{alpha}.sha256"), true)] {
        std::fs::create_dir(dist.join(&blocked)).unwrap();
        std::fs::write(dist.join(&blocked).join("keep"), "x").unwrap();
        let r = fx.run(&["dist", "--force"]).fails_with(&[&blocked]);
        assert_eq!(r.stderr.contains("Restored"), restores, "{}", r.stderr);
        std::fs::remove_dir_all(dist.join(&blocked)).unwrap();
        assert_eq!(snapshot(&dist), before, "after a failure at {blocked}");
        tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
    }
    // No --force needed after the failures: everything there is crossdock's.
    fx.run(&["dist"]).ok();
    tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
    assert!(dist.join(&alpha).is_file());
}

/// Issue 23 §8: the out dir's lock stayed in it after every run (`dist/.crossdock.lock`,
/// holding a stale PID). It now lives in crossdock's state dir: neither `dist` nor `merge`
/// leaves a file in the out dir that is not part of the release, and a lock an older
/// version left there goes once no run holds it.
#[test]
fn no_lock_file_stays_in_the_out_dir() {
    let fx = fixture();
    let dist = fx.dist_dir();
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join(".crossdock.lock"), "12345\n").unwrap();
    fx.run(&["dist"]).ok();
    let hidden = |dir: &std::path::Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect()
    };
    assert_eq!(hidden(&dist), Vec::<String>::new());
    let out = fx.path().join("release");
    merge_into(&fx, &dist, out.to_str().unwrap(), &[]).ok();
    assert_eq!(hidden(&out), Vec::<String>::new());
    // The lock is where the record is, one per out dir.
    let locks: Vec<String> = std::fs::read_dir(state_dir().join("out-dirs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".lock"))
        .collect();
    assert!(!locks.is_empty(), "no lock in the state dir");
}
