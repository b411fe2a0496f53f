//! The host pipeline end to end, judged by outside tools.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use crate::support::*;

fn archives(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.to_string_lossy().ends_with(".tar.gz") || p.to_string_lossy().ends_with(".zip")
        })
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn host_dist_extracts_runs_verifies_and_is_reproducible() {
    let host = host();
    let fx = Fixture::new("hello-ws");
    std::fs::create_dir_all(fx.dist_dir()).unwrap();
    std::fs::write(fx.dist_dir().join("NOTES.txt"), "mine, not crossdock's").unwrap();
    // Run as `cargo crossdock dist` (cargo passes "crossdock" first).
    let r = fx
        .run_env(
            &["crossdock", "dist", "--json"],
            &[("SOURCE_DATE_EPOCH", "1700000000")],
        )
        .ok();
    let manifest: serde_json::Value =
        serde_json::from_str(&r.stdout).expect("--json prints only the manifest on stdout");
    let dist = fx.dist_dir();

    let mut expected = [
        format!("alpha-0.3.1-{host}.tar.gz"),
        format!("alpha-0.3.1-{host}.tar.gz.sha256"),
        format!("beta-1.0.0-rc.1-{host}.tar.gz"),
        format!("beta-1.0.0-rc.1-{host}.tar.gz.sha256"),
        "NOTES.txt".to_string(),
        "SHA256SUMS".to_string(),
        "dist-manifest.json".to_string(),
    ];
    expected.sort();
    assert_eq!(list_files(&dist), expected);
    assert_eq!(
        std::fs::read_to_string(dist.join("NOTES.txt")).unwrap(),
        "mine, not crossdock's"
    );

    // sha256sum -c passes, for the list and for each .sha256 file.
    let out = tool(&dist, "sha256sum", &["-c", "SHA256SUMS"]);
    assert_eq!(out.matches(": OK").count(), 2, "{out}");
    tool(
        &dist,
        "sha256sum",
        &["-c", &format!("alpha-0.3.1-{host}.tar.gz.sha256")],
    );

    // The archive extracts to one top folder with the binaries and included files.
    let x = tempfile::tempdir().unwrap();
    extract(&dist.join(format!("alpha-0.3.1-{host}.tar.gz")), x.path());
    let top = format!("alpha-0.3.1-{host}");
    assert_eq!(
        list_files(x.path()),
        [
            format!("{top}/LICENSE"),
            format!("{top}/README.md"),
            format!("{top}/alpha"),
            format!("{top}/alpha-admin")
        ]
    );
    // The package's own README wins over the workspace one.
    assert_eq!(
        std::fs::read_to_string(x.path().join(&top).join("README.md")).unwrap(),
        "# alpha's own readme\n"
    );
    let v = tool(x.path(), &format!("./{top}/alpha"), &["--version"]);
    assert_eq!(
        v.trim(),
        format!("alpha 0.3.1 ({})", std::env::consts::ARCH)
    );
    assert_eq!(
        tool(x.path(), &format!("./{top}/alpha-admin"), &["--version"]).trim(),
        "alpha-admin 0.3.1"
    );
    let mode = std::fs::metadata(x.path().join(&top).join("alpha"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o755);
    let listing = tool(
        &dist,
        "tar",
        &["tvzf", &format!("alpha-0.3.1-{host}.tar.gz")],
    );
    for line in listing.lines() {
        assert!(line.contains(" 0/0 "), "owner must be 0/0: {line}");
        assert!(
            line.contains("2023-11-14"),
            "mtime must be SOURCE_DATE_EPOCH: {line}"
        );
    }
    // `file` agrees with our own check.
    let f = tool(x.path(), "file", &["-b", &format!("{top}/alpha")]);
    assert!(
        f.contains("ELF 64-bit") && f.contains("stripped") && !f.contains("not stripped"),
        "{f}"
    );

    // The manifest matches the files.
    assert_eq!(manifest, read_manifest(&dist));
    let arts = manifest["artifacts"].as_array().unwrap();
    for a in arts {
        let name = a["name"].as_str().unwrap();
        let bytes = std::fs::read(dist.join(name)).unwrap();
        assert_eq!(a["size"].as_u64().unwrap(), bytes.len() as u64, "{name}");
        let sum = tool(&dist, "sha256sum", &[name]);
        assert_eq!(
            a["sha256"].as_str().unwrap(),
            sum.split_whitespace().next().unwrap(),
            "{name}"
        );
    }
    let alpha = arts
        .iter()
        .find(|a| a["name"] == format!("alpha-0.3.1-{host}.tar.gz"))
        .unwrap();
    assert_eq!(alpha["kind"], "archive");
    assert_eq!(alpha["target"], host);
    let bins: Vec<&str> = alpha["binaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    assert_eq!(bins, ["alpha", "alpha-admin"]);
    // The glibc floor: what objdump's dynamic symbol versions say (the highest GLIBC_x.y).
    if host.ends_with("-linux-gnu") {
        let bin = x.path().join(&top).join("alpha");
        let dynsyms = tool(x.path(), "objdump", &["-T", bin.to_str().unwrap()]);
        let judge = tool(
            x.path(),
            "sh",
            &[
                "-c",
                "objdump -T \"$1\" | grep -o 'GLIBC_[0-9.]*' | sort -V | tail -1",
                "sh",
                bin.to_str().unwrap(),
            ],
        );
        let judge = judge.trim();
        assert!(judge.starts_with("GLIBC_2."), "{dynsyms}");
        assert_eq!(
            alpha["binaries"][0]["glibc"].as_str(),
            judge.strip_prefix("GLIBC_"),
            "{dynsyms}"
        );
    }
    let size = std::fs::metadata(x.path().join(&top).join("alpha"))
        .unwrap()
        .len();
    assert_eq!(alpha["binaries"][0]["size"].as_u64().unwrap(), size);
    assert_eq!(manifest["packages"].as_array().unwrap().len(), 2);
    assert_eq!(manifest["schema_version"], 1);

    // Reproducible: another checkout path, another umask, touched sources → same bytes.
    let first = archives(&dist);
    let other = tempfile::Builder::new()
        .prefix("crossdock-other-checkout-")
        .tempdir()
        .unwrap();
    let moved = other.path().join("deeper/path");
    copy_tree(fx.path(), &moved);
    let _ = std::fs::remove_dir_all(moved.join("dist"));
    for f in [
        "alpha/src/main.rs",
        "beta/src/main.rs",
        "README.md",
        "LICENSE",
    ] {
        let p = moved.join(f);
        let t = std::fs::File::options().write(true).open(&p).unwrap();
        t.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(3600))
            .unwrap();
    }
    let mut c = command_in(&moved, &["dist"]);
    c.env("SOURCE_DATE_EPOCH", "1700000000");
    let status = Command::new("sh")
        .arg("-c")
        .arg("umask 077; exec \"$@\"")
        .arg("sh")
        .arg(c.get_program())
        .args(c.get_args())
        .current_dir(&moved)
        .env("NO_COLOR", "1")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env("SOURCE_DATE_EPOCH", "1700000000")
        // As command_in: no sccache server of this test's own (cache.rs tests the cache).
        .env("RUSTC_WRAPPER", "")
        .status()
        .unwrap();
    assert!(status.success());
    let second = archives(&moved.join("dist"));
    assert_eq!(first.len(), second.len());
    for ((n1, b1), (n2, b2)) in first.iter().zip(&second) {
        assert_eq!(n1, n2);
        assert!(b1 == b2, "{n1} differs between checkouts/umasks");
    }
    assert_eq!(
        std::fs::read(dist.join("SHA256SUMS")).unwrap(),
        std::fs::read(moved.join("dist/SHA256SUMS")).unwrap()
    );
}

#[test]
fn dry_run_prints_the_plan_and_builds_nothing() {
    let fx = Fixture::new("hello-ws");
    let r = fx.run(&["dist", "--dry-run"]).ok();
    assert!(
        r.stdout
            .contains("--message-format=json-render-diagnostics"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("alpha-0.3.1-"), "{}", r.stdout);
    let r = fx.run(&["dist", "--dry-run", "--json"]).ok();
    let plan: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(plan["profile"], "dist");
    assert_eq!(plan["artifacts"].as_array().unwrap().len(), 2);
    assert!(!fx.path().join("target").exists(), "dry run must not build");
    assert!(
        !fx.dist_dir().exists(),
        "dry run must not write the out dir"
    );
}

#[test]
fn stale_outputs_are_replaced_but_foreign_files_kept() {
    let fx = Fixture::new("hello-ws");
    let out = fx.path().join("out");
    let out_s = out.to_str().unwrap();
    fx.run(&["dist", "--out-dir", out_s, "-v"]).ok();
    std::fs::write(out.join("keep-me.txt"), "x").unwrap();
    // Second run ships only alpha: beta's archive (ours, listed in the manifest) goes,
    // the foreign file stays.
    fx.write(
        "targets.toml",
        "[dist]\npackages = [\"alpha\"]\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
    );
    let r = fx.run(&["dist", "--out-dir", out_s]).ok();
    assert!(r.stderr.contains("Removed"), "{}", r.stderr);
    let files = list_files(&out);
    assert!(files.iter().all(|f| !f.starts_with("beta-")), "{files:?}");
    assert!(files.contains(&"keep-me.txt".to_string()));
    tool(&out, "sha256sum", &["-c", "SHA256SUMS"]);
}

#[test]
fn a_second_run_waits_for_the_lock() {
    use std::io::BufRead;
    let fx = Fixture::new("hello-ws");
    let lock = crossdock::lock_target_dir(&fx.path().join("target")).unwrap();
    let mut child = command_in(fx.path(), &["dist"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the "Blocking" line itself (no sleep that a slow machine could outrun), then
    // let the run go on.
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in std::io::BufReader::new(stderr).lines() {
            let line = line.unwrap();
            all.push_str(&line);
            all.push('\n');
            let _ = tx.send(line);
        }
        all
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    let blocking = loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) if l.contains("Blocking") => break l,
            Ok(_) => continue,
            Err(e) => panic!("no `Blocking` line before the deadline: {e}"),
        }
    };
    assert!(
        blocking.contains("waiting for another crossdock run (pid ")
            && blocking.contains(&format!("(pid {})", std::process::id())),
        "{blocking}"
    );
    drop(lock);
    let status = child.wait().unwrap();
    let stderr = reader.join().unwrap();
    assert!(status.success(), "{stderr}");
    assert!(stderr.contains("Finished"), "{stderr}");
}

#[test]
fn interrupted_archive_leaves_no_file_under_its_final_name() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.bin");
    // 64 MiB of incompressible data: several seconds of compression at level 9.
    tool(
        dir.path(),
        "sh",
        &["-c", "head -c 67108864 /dev/urandom > big.bin"],
    );
    let out = dir.path().join("out.tar.gz");
    let mut child = command_in(
        dir.path(),
        &["archive", out.to_str().unwrap(), big.to_str().unwrap()],
    )
    .spawn()
    .unwrap();
    // Signal once the archive is being written (its temp file exists): an interrupt that
    // lands before would leave nothing to clean up and test nothing.
    let started = std::time::Instant::now();
    while !list_files(dir.path())
        .iter()
        .any(|f| f.ends_with(".crossdock-tmp"))
    {
        assert!(
            child.try_wait().unwrap().is_none(),
            "crossdock archive exited before its temp file appeared"
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "no .crossdock-tmp file appeared within 60 s: the archive is not written through a temp file"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    tool(dir.path(), "kill", &["-INT", &child.id().to_string()]);
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the archive finished before the interrupt; make the input bigger"
    );
    assert!(
        !out.exists(),
        "a partial archive was left under its final name"
    );
    // The next run into that dir clears what the interrupted one left.
    let leftovers: Vec<String> = list_files(dir.path())
        .into_iter()
        .filter(|f| f.ends_with(".crossdock-tmp"))
        .collect();
    assert!(leftovers.len() <= 1, "{leftovers:?}");
    let fx = Fixture::new("tiny");
    let d = fx.path().join("d");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join(".tiny.tar.gz.abc123.crossdock-tmp"), "partial").unwrap();
    fx.run(&["dist", "--out-dir", d.to_str().unwrap()]).ok();
    assert!(
        list_files(&d)
            .iter()
            .all(|f| !f.ends_with(".crossdock-tmp")),
        "{:?}",
        list_files(&d)
    );
}

#[test]
fn smoke_runs_again_only_when_binary_or_smoke_command_changes() {
    let fx = Fixture::new("tiny");
    let first = fx.run(&["dist"]).ok();
    assert!(
        first.stderr.contains("Ran tiny --version: tiny 0.2.0"),
        "{}",
        first.stderr
    );
    let second = fx.run(&["dist"]).ok();
    assert!(
        second.stderr.contains("Fresh tiny for"),
        "{}",
        second.stderr
    );
    assert!(!second.stderr.contains("Ran tiny"), "{}", second.stderr);
    fx.write(
        "targets.toml",
        "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\nsmoke = [\"--version\", \"again\"]\n",
    );
    let third = fx.run(&["dist"]).ok();
    assert!(
        third
            .stderr
            .contains("Ran tiny --version again: tiny 0.2.0"),
        "{}",
        third.stderr
    );
}

#[test]
fn smoke_can_be_off_for_one_binary() {
    let fx = Fixture::new("hello-ws");
    // alpha-admin cannot print its version on this machine; alpha prints it in colour.
    fx.write(
        "alpha/src/bin/alpha-admin.rs",
        "fn main() {\n    eprintln!(\"alpha-admin: no server to talk to\");\n    std::process::exit(3)\n}\n",
    );
    fx.write(
        "alpha/src/main.rs",
        "fn main() {\n    println!(\"\\x1b[1;32malpha\\x1b[0m {} \\x1b]8;;https://example.com\\x07home\\x1b]8;;\\x07\", env!(\"CARGO_PKG_VERSION\"));\n}\n",
    );
    let config = |smoke: &str| {
        format!(
            "[dist]\ninclude = [\"README*\", \"LICENSE*\"]\n\n[[target]]\ntriple = \"{}\"\n{smoke}",
            host()
        )
    };
    fx.write("targets.toml", &config("smoke = { alpha-admin = false }\n"));
    let dry = fx.run(&["dist", "--dry-run"]).ok();
    assert!(
        dry.stdout
            .contains("  smoke:   alpha --version\n           alpha-admin: off in targets.toml\n           beta --version\n"),
        "{}",
        dry.stdout
    );
    let r = fx.run(&["dist"]).ok();
    // The status line shows the binary's text without its escape sequences.
    assert!(
        r.stderr.contains("Ran alpha --version: alpha 0.3.1 home\n"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains('\x1b'), "{:?}", r.stderr);
    assert!(r.stderr.contains("Ran beta --version"), "{}", r.stderr);
    assert!(!r.stderr.contains("Ran alpha-admin"), "{}", r.stderr);
    assert!(
        r.stderr.contains("Skipping smoke run of alpha-admin"),
        "{}",
        r.stderr
    );
    // It still ships.
    let m = read_manifest(&fx.dist_dir());
    assert!(m.to_string().contains("/alpha-admin\""), "{m}");
    // Without the table, alpha-admin's smoke run fails the run and the fix names the table.
    fx.write("targets.toml", &config(""));
    fx.run(&["dist"])
        .fails_with(&["smoke run failed", "alpha-admin", "alpha-admin = false"]);
}

#[test]
fn dirty_tree_warns_and_is_recorded_and_the_mtime_names_its_source() {
    let fx = Fixture::new("tiny");
    let git = |args: &[&str]| {
        let mut all = vec!["-c", "user.name=t", "-c", "user.email=t@example.com"];
        all.extend(args);
        tool(fx.path(), "git", &all);
    };
    git(&["init", "-q"]);
    git(&["add", "-A"]);
    git(&["commit", "-qm", "first"]);
    let clean = fx.run(&["dist", "--dry-run"]).ok();
    assert!(
        clean.stdout.contains("(the HEAD commit's time)\n"),
        "{}",
        clean.stdout
    );
    assert!(!clean.stdout.contains("dirty"), "{}", clean.stdout);
    let env = fx
        .run_env(
            &["dist", "--dry-run"],
            &[("SOURCE_DATE_EPOCH", "1700000000")],
        )
        .ok();
    assert!(
        env.stdout
            .contains("mtime:     1700000000 (SOURCE_DATE_EPOCH)\n"),
        "{}",
        env.stdout
    );

    let manifest = std::fs::read_to_string(fx.path().join("Cargo.toml")).unwrap();
    fx.write(
        "Cargo.toml",
        &format!("{manifest}\n# an uncommitted change\n"),
    );
    let r = fx.run(&["dist"]).ok();
    assert!(
        r.stderr
            .contains("warning: the git tree has uncommitted changes (see `git status`)"),
        "{}",
        r.stderr
    );
    assert_eq!(read_manifest(&fx.dist_dir())["dirty"], true);
}
