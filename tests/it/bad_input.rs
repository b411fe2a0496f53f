//! Each bad input gets a clear error naming the file/target/tool and the fix, and leaves
//! nothing half-written.

use crate::support::*;

const HOST_ONLY: &str = "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n";

fn with_config(text: &str) -> Fixture {
    let fx = Fixture::new("hello-ws");
    fx.write("targets.toml", text);
    fx
}

/// The run failed before writing anything to the out dir.
#[track_caller]
fn nothing_written(fx: &Fixture) {
    let d = fx.dist_dir();
    if d.exists() {
        let files = list_files(&d);
        assert!(files.is_empty(), "out dir has {files:?}");
    }
}

#[test]
fn missing_targets_toml_shows_an_example() {
    let fx = Fixture::new("hello-ws");
    std::fs::remove_file(fx.path().join("targets.toml")).unwrap();
    fx.run(&["dist"]).fails_with(&[
        "targets.toml not found",
        "[[target]]",
        "triple = \"x86_64-unknown-linux-gnu\"",
    ]);
    nothing_written(&fx);
}

#[test]
fn config_errors_name_line_and_key() {
    let cases: &[(&str, &[&str])] = &[
        ("[[target]]\ntripel = \"x86_64-unknown-linux-gnu\"\n", &["targets.toml:2:1: unknown key `tripel`; did you mean `triple`?"]),
        ("[dist]\nincludes = []\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n", &["targets.toml:2:1: unknown key `includes`; did you mean `include`?"]),
        ("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\nfeatures = \"fast\"\n", &["targets.toml:3:12: wrong type"]),
        ("[[target]]\ntriple = \"x86_64-unknown-linux-gun\"\n", &["targets.toml:2:10: key `triple`: `x86_64-unknown-linux-gun` is not a target", "did you mean `x86_64-unknown-linux-gnu`?"]),
        ("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n", &["targets.toml:4:10: target `x86_64-unknown-linux-gnu` is listed twice (first at line 2)"]),
        ("[dist]\npackages = [\"gamma\"]\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n", &["targets.toml:2:13: key `packages`: `gamma` is not a member of the workspace", "members: alpha, beta"]),
        ("[dist]\ninclude = [\"../secrets/*\"]\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n", &["targets.toml:2:12: key `include`: pattern `../secrets/*` reaches outside the workspace"]),
        ("[dist]\ninclude = [\"/etc/passwd\"]\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n", &["key `include`: pattern `/etc/passwd` reaches outside the workspace"]),
    ];
    for (text, needles) in cases {
        let fx = with_config(text);
        fx.run(&["dist"]).fails_with(needles);
        nothing_written(&fx);
    }
}

#[test]
fn package_without_binary() {
    let fx = with_config(
        "[dist]\npackages = [\"corelib\"]\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
    );
    fx.write(
        "Cargo.toml",
        &std::fs::read_to_string(fx.path().join("Cargo.toml"))
            .unwrap()
            .replace(
                "members = [\"alpha\", \"beta\"]",
                "members = [\"alpha\", \"beta\", \"corelib\"]",
            ),
    );
    fx.write(
        "corelib/Cargo.toml",
        "[package]\nname = \"corelib\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    fx.write("corelib/src/lib.rs", "pub fn f() {}\n");
    fx.run(&["dist"])
        .fails_with(&["targets.toml:2:13: key `packages`: package `corelib` has no binary target"]);
}

#[test]
fn target_not_in_matrix() {
    let fx = with_config(HOST_ONLY);
    fx.run(&["dist", "--target", "aarch64-unknown-linux-gnu"])
        .fails_with(&[
            "--target aarch64-unknown-linux-gnu is not in the matrix",
            "Add a [[target]] with triple = \"aarch64-unknown-linux-gnu\"",
        ]);
}

#[test]
fn symlink_out_of_the_workspace_is_refused() {
    let fx = with_config(
        "[dist]\ninclude = [\"NOTICE\"]\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
    );
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "s3cret").unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret"), fx.path().join("NOTICE")).unwrap();
    fx.run(&["dist"])
        .fails_with(&["include `NOTICE` matched", "outside the workspace"]);
    nothing_written(&fx);
}

#[test]
fn include_matching_nothing_warns() {
    let fx = with_config(
        "[dist]\ninclude = [\"CHANGELOG*\"]\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
    );
    let r = fx.run(&["dist", "--dry-run"]).ok();
    assert!(
        r.stderr.contains("warning: ")
            && r.stderr
                .contains("include pattern `CHANGELOG*` matches no file"),
        "{}",
        r.stderr
    );
}

#[test]
fn missing_std_times_out_with_the_fixes() {
    // The rustup toolchain has no std for armv7 and `rustup target add` hangs when offline.
    // A stand-in `rustup` that hangs exercises the real path: crossdock must stop it after
    // its timeout and say what to do, before building anything. The shortest timeout (1 s):
    // the stand-in never ends, so any timeout fires, and the test waits for it twice.
    let fake = tempfile::tempdir().unwrap();
    let rustup = fake.path().join("rustup");
    std::fs::write(&rustup, "#!/bin/sh\nexec sleep 600\n").unwrap();
    std::fs::set_permissions(&rustup, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let path = format!(
        "{}:{}",
        fake.path().display(),
        std::env::var("PATH").unwrap()
    );
    // (A linker is set, so the preflight gets past the linker row to the missing std.)
    let fx = with_config("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n[[target]]\ntriple = \"armv7-unknown-linux-gnueabihf\"\nlinker = \"cc\"\n");
    let started = std::time::Instant::now();
    let r = fx.run_env(
        &["dist", "--all-targets"],
        &[("CROSSDOCK_RUSTUP_TIMEOUT", "1"), ("PATH", &path)],
    );
    let r = r.fails_with(&[
        "armv7-unknown-linux-gnueabihf",
        "did not finish within 1 s",
        "rustup target add armv7-unknown-linux-gnueabihf",
        "--rustc PATH --cargo PATH",
        "build-std = true",
    ]);
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert!(
        !r.stderr.contains("Building alpha"),
        "must fail before the first build:\n{}",
        r.stderr
    );
    nothing_written(&fx);

    // Without --target/--all-targets the host ships and armv7 is listed with the reason.
    let r = fx
        .run_env(
            &["dist"],
            &[("CROSSDOCK_RUSTUP_TIMEOUT", "1"), ("PATH", &path)],
        )
        .ok();
    assert!(
        r.stderr.contains("skipping armv7-unknown-linux-gnueabihf"),
        "{}",
        r.stderr
    );
    let m = read_manifest(&fx.dist_dir());
    assert_eq!(m["skipped"][0]["target"], "armv7-unknown-linux-gnueabihf");
    let reason = m["skipped"][0]["reason"].as_str().unwrap();
    assert!(reason.contains("did not finish within 1 s"), "{reason}");
}

#[test]
fn build_failure_names_target_and_command() {
    let fx = with_config(HOST_ONLY);
    fx.write(
        "beta/src/main.rs",
        "fn main() { let x: u32 = \"not a number\"; }\n",
    );
    let r = fx.run(&["dist"]).fails_with(&[
        "building target x86_64-unknown-linux-gnu failed",
        "--target x86_64-unknown-linux-gnu",
        "mismatched types",
    ]);
    assert!(
        r.stderr.contains("cargo build --profile dist"),
        "{}",
        r.stderr
    );
    nothing_written(&fx);
}

#[test]
fn failing_smoke_run_shows_its_output() {
    let fx = with_config("[dist]\npackages = [\"alpha\"]\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\nsmoke = [\"--fail\"]\n");
    fx.run(&["dist"]).fails_with(&[
        "smoke run failed for target x86_64-unknown-linux-gnu",
        "alpha: asked to fail",
        "exit status: 7",
    ]);
    nothing_written(&fx);
}

#[test]
fn unwritable_out_dir() {
    let fx = with_config(HOST_ONLY);
    fx.write("blocker", "a file where the out dir's parent should be");
    let out = fx.path().join("blocker/dist");
    let r = fx.run(&["dist", "--out-dir", out.to_str().unwrap()]);
    let r = r.fails_with(&["cannot create the out dir", "blocker/dist", "--out-dir"]);
    assert!(
        !r.stderr.contains("Building"),
        "must fail before building:\n{}",
        r.stderr
    );
}

#[test]
fn weak_inputs_are_refused_with_the_fix() {
    // -j 0 never reaches cargo.
    let fx = with_config(HOST_ONLY);
    fx.run(&["dist", "--dry-run", "-j", "0"])
        .fails_with(&["-j", "0"]);
    // jobs = 0 and an env key with `=` in targets.toml: the line and the key.
    let fx = with_config(&format!("[dist]\njobs = 0\n\n{HOST_ONLY}"));
    fx.run(&["dist", "--dry-run"])
        .fails_with(&["targets.toml:2:", "key `jobs`: must be at least 1"]);
    let fx = with_config(&format!("{HOST_ONLY}env = {{ \"A=B\" = \"1\" }}\n"));
    fx.run(&["dist", "--dry-run"])
        .fails_with(&["key `env`", "\"A=B\" is not an environment variable name"]);
    // SOURCE_DATE_EPOCH that is not a number is an error, not silently the commit's time.
    let fx = with_config(HOST_ONLY);
    fx.run_env(&["dist", "--dry-run"], &[("SOURCE_DATE_EPOCH", "abc")])
        .fails_with(&[
            "SOURCE_DATE_EPOCH=\"abc\" is not a number of seconds",
            "unset it",
        ]);
}

#[test]
fn include_never_packs_crossdocks_own_outputs_and_survives_glob_characters_in_the_path() {
    // A checkout under `we[ird]/`, and a pattern that would match the previous outputs.
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join("we[ird]");
    copy_tree(&fixture_src("tiny"), &root);
    std::fs::write(
        root.join("targets.toml"),
        format!("[dist]\ninclude = [\"README.md\", \"dist/*\", \"target/*\"]\n\n{HOST_ONLY}"),
    )
    .unwrap();
    let env = [("SOURCE_DATE_EPOCH", "1700000000")];
    let first = run_in(&root, &["dist"], &env).ok();
    assert!(
        !first.stderr.contains("README.md` matches no file"),
        "{}",
        first.stderr
    );
    let archive = root.join(format!("dist/tiny-0.2.0-{}.tar.gz", host()));
    let one = std::fs::read(&archive).unwrap();
    run_in(&root, &["dist"], &env).ok();
    assert_eq!(
        std::fs::read(&archive).unwrap(),
        one,
        "the second run packed the first"
    );
    let x = tempfile::tempdir().unwrap();
    extract(&archive, x.path());
    let top = format!("tiny-0.2.0-{}", host());
    assert_eq!(
        list_files(x.path()),
        [format!("{top}/README.md"), format!("{top}/tiny")]
    );
}

/// Issue 12, item 11: an include file whose name is not UTF-8 was dropped silently (the
/// glob crate skips such names); the run now fails before building, naming it escaped.
#[test]
fn an_include_file_whose_name_is_not_utf8_fails_the_run_naming_it() {
    use std::os::unix::ffi::OsStrExt;
    let parent = tempfile::tempdir().unwrap();
    let root = parent.path().join("ws");
    copy_tree(&fixture_src("tiny"), &root);
    std::fs::write(
        root.join("targets.toml"),
        format!("[dist]\ninclude = [\"README.md\", \"docs/*\"]\n\n{HOST_ONLY}"),
    )
    .unwrap();
    std::fs::create_dir_all(root.join("docs")).unwrap();
    std::fs::write(root.join("docs/guide.md"), "g").unwrap();
    std::fs::write(
        root.join(std::ffi::OsStr::from_bytes(b"docs/caf\xe9.md")),
        "c",
    )
    .unwrap();
    run_in(&root, &["dist"], &[]).fails_with(&[
        "`docs/*`",
        "matches \"docs/caf\\xE9.md\", whose name is not UTF-8",
        "rename the file",
    ]);
    assert!(!root.join("dist").exists(), "nothing built or written");
}

#[test]
fn archive_refuses_duplicate_names_and_non_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("a")).unwrap();
    std::fs::write(d.join("a/x"), "one").unwrap();
    std::fs::write(d.join("x"), "two").unwrap();
    run_in(d, &["archive", "out.tar.gz", "a/x", "x"], &[])
        .fails_with(&["would both be `x` in the archive"]);
    // Issue 12, item 11: a name that is not UTF-8 is refused, named, not renamed lossily.
    use std::os::unix::ffi::OsStrExt;
    let odd = std::ffi::OsStr::from_bytes(b"caf\xe9");
    std::fs::write(d.join(odd), "three").unwrap();
    let mut c = command_in(d, &["archive", "out.tar.gz"]);
    c.arg(odd);
    finish(c.output().unwrap()).fails_with(&["\"caf\\xE9\": its name is not UTF-8"]);
    std::fs::remove_file(d.join(odd)).unwrap();
    // /dev/zero never ends: refused at once, and no temp file is left.
    run_in(d, &["archive", "out.tar.gz", "/dev/zero"], &[])
        .fails_with(&["/dev/zero: not a regular file"]);
    let left: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "a" && n != "x")
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Issue 20 §8: a file whose size changes while it is read (`/proc/self/status`: its
/// metadata says 0 bytes, reading gives more) made a tar entry of size 0 followed by its
/// content, a corrupt stream, with exit 0. Now the run fails naming the file and writes no
/// archive, in a tar and a zip format.
#[test]
#[cfg(target_os = "linux")]
fn a_file_whose_size_changes_while_read_fails_the_archive_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for out in ["p.tar.gz", "p.zip"] {
        run_in(d, &["archive", out, "/proc/self/status"], &[]).fails_with(&[
            "/proc/self/status: its size changed while it was read (0 bytes when opened, more when read)",
            "copy it into a regular file first",
        ]);
    }
    let left: Vec<_> = std::fs::read_dir(d).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Issue 12, item 14: the last weak messages. A dangling symlink as the out dir names its
/// missing target (not `os error 17`); a SOURCE_DATE_EPOCH past 2107 is refused before
/// building when a target ships zip (a DOS date cannot hold it), with the two fixes;
/// `smoke = 5` says what smoke takes.
#[test]
fn dangling_out_dir_late_zip_epoch_and_smoke_number_are_explained() {
    let fx = with_config(HOST_ONLY);
    let link = fx.path().join("out-link");
    std::os::unix::fs::symlink(fx.path().join("no/such/dir"), &link).unwrap();
    fx.run(&["dist", "--out-dir", link.to_str().unwrap()])
        .fails_with(&[
            "is a symlink to",
            "no/such/dir",
            "which does not exist",
            "--out-dir",
        ]);

    let fx = with_config(&format!("{HOST_ONLY}archive = \"zip\"\n"));
    fx.run_env(&["dist"], &[("SOURCE_DATE_EPOCH", "4400000000")])
        .fails_with(&[
            "SOURCE_DATE_EPOCH 4400000000 is after 2107",
            "zip",
            "archive = \"tar.gz\"",
        ]);
    nothing_written(&fx);
    let out = fx.path().join("a.zip");
    let r = fx.run_env(
        &[
            "archive",
            out.to_str().unwrap(),
            fx.path().join("README.md").to_str().unwrap(),
        ],
        &[("SOURCE_DATE_EPOCH", "4400000000")],
    );
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(r.stderr.contains("after 2107"), "{}", r.stderr);
    assert!(!out.exists());

    let fx = with_config(&format!("[dist]\nsmoke = 5\n\n{HOST_ONLY}"));
    fx.run(&["dist", "--dry-run"])
        .fails_with(&["targets.toml:2:9: key `smoke`: expected true, false, a list of arguments"]);
}

/// Issue 20 §9: every input has a size limit and a regular-file check: `--compare
/// /dev/zero` and `--config /dev/zero` fail at once, naming the file, instead of reading
/// until the kernel kills the run.
#[test]
fn a_device_or_an_oversized_file_as_input_fails_at_once_naming_it() {
    let fx = with_config(HOST_ONLY);
    let started = std::time::Instant::now();
    fx.run(&["dist", "--compare", "/dev/zero"])
        .fails_with(&["/dev/zero", "not a regular file"]);
    fx.run(&["dist", "--config", "/dev/zero"])
        .fails_with(&["/dev/zero", "not a regular file"]);
    let huge = fx.path().join("huge-manifest.json");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(65 << 20).unwrap();
    fx.run(&["dist", "--compare", huge.to_str().unwrap()])
        .fails_with(&["huge-manifest.json", "larger than"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    nothing_written(&fx);
}
