//! Installers installing for real: `dist` of a fixture with `installers`, its archives
//! served by a local HTTP server (python's `http.server`), the shell installer run under
//! dash and bash into a temp dir, and the installed binary run. A corrupted archive is
//! refused before anything is unpacked; the platform table is checked with a faked
//! `uname` for every target kind; `merge` writes the same installers as one `dist`. With
//! fake HOMEs, the install dir is put on PATH by one marked line in the profile of the
//! user's shell (dash, bash, zsh), and a new shell of that kind finds the binary.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

/// The tools these tests judge with; each missing one skips (or fails in CI).
fn tools_present() -> bool {
    [
        "dash",
        "bash",
        "zsh",
        "shellcheck",
        "ruby",
        "python3",
        "curl",
    ]
    .iter()
    .all(|t| require(t, have(t)))
}

/// `python3 -m http.server` on a free port of 127.0.0.1, serving `dir`; killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new("python3")
            .args([
                "-m",
                "http.server",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "http.server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Server { child, port }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// hello-ws with installers whose downloads come from `http://127.0.0.1:{port}/{tag}/`.
fn fixture(port: u16) -> Fixture {
    let fx = Fixture::new("hello-ws");
    fx.write(
        "targets.toml",
        &format!(
            "[dist]\ninclude = [\"README*\", \"LICENSE*\"]\ninstallers = [\"shell\", \"homebrew\"]\n\
             download-url = \"http://127.0.0.1:{port}/{{tag}}/{{file}}\"\n\n\
             [[target]]\ntriple = \"{}\"\n",
            host()
        ),
    );
    fx
}

/// Runs `shell installer args…` with `env`; (exit code, stdout, stderr).
fn install(shell: &str, script: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = Command::new(shell);
    c.arg(script).args(args);
    // Only what a case sets decides where the installer puts things; never the real HOME's
    // profile (a fake HOME next to the script's directory unless a case sets one).
    let home = script
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("default-home");
    std::fs::create_dir_all(&home).unwrap();
    c.env_remove("CARGO_HOME")
        .env_remove("CROSSDOCK_INSTALL_DIR")
        .env_remove("ALPHA_INSTALL_DIR")
        .env_remove("ALPHA_NO_MODIFY_PATH")
        .env("HOME", home)
        .env("SHELL", "/bin/sh");
    for (k, v) in env {
        c.env(k, v);
    }
    finish(c.output().unwrap())
}

#[test]
fn shell_installer_installs_under_dash_and_bash_and_refuses_a_corrupt_archive() {
    if !tools_present() {
        return;
    }
    let serve = tempfile::tempdir().unwrap();
    let server = Server::start(serve.path());
    let fx = fixture(server.port);
    fx.run(&["dist"]).ok();
    let dist = fx.dist_dir();
    let script = dist.join("alpha-installer.sh");
    let formula = dist.join("alpha.rb");

    // Listed like every output: SHA256SUMS, manifest kinds, mode 0755 for the script.
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    for f in [
        "alpha-installer.sh",
        "beta-installer.sh",
        "alpha.rb",
        "beta.rb",
    ] {
        assert!(sums.contains(&format!("  {f}\n")), "{sums}");
    }
    let m = read_manifest(&dist);
    let kind = |name: &str| {
        m["artifacts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .map(|a| a["kind"].as_str().unwrap().to_string())
    };
    assert_eq!(
        kind("alpha-installer.sh").as_deref(),
        Some("shell-installer")
    );
    assert_eq!(kind("alpha.rb").as_deref(), Some("homebrew-formula"));
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&script).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o755);

    // Real judges of the text.
    tool(
        &dist,
        "shellcheck",
        &["--shell=sh", script.to_str().unwrap()],
    );
    assert!(tool(&dist, "ruby", &["-c", formula.to_str().unwrap()]).contains("Syntax OK"));
    let rb = std::fs::read_to_string(&formula).unwrap();
    assert!(rb.contains("system bin/\"alpha\", \"--version\""), "{rb}");

    // Serve the release where download-url points: /{tag}/FILE, where alpha 0.3.1 and
    // beta 1.0.0-rc.1 have no shared version, so the tag is alpha's own.
    let release = serve.path().join("alpha-v0.3.1");
    copy_tree(&dist, &release);
    for shell in ["dash", "bash"] {
        let to = fx.path().join(format!("bin-{shell}"));
        let r = install(shell, &script, &["--to", to.to_str().unwrap()], &[]).ok();
        assert!(
            r.stdout.contains("Installed alpha alpha-admin into"),
            "{}",
            r.stdout
        );
        assert!(r.stdout.contains("New shells find alpha"), "{}", r.stdout);
        let out = tool(&to, to.join("alpha").to_str().unwrap(), &["--version"]);
        assert!(out.starts_with("alpha 0.3.1"), "{out}");
        // Only the binary: no staged or temporary leftovers.
        assert_eq!(list_files(&to), ["alpha", "alpha-admin"], "{shell}");
    }
    // CROSSDOCK_INSTALL_DIR, --quiet and --version.
    let env_dir = fx.path().join("env-dir");
    let r = install(
        "dash",
        &script,
        &["--quiet"],
        &[("CROSSDOCK_INSTALL_DIR", env_dir.to_str().unwrap())],
    )
    .ok();
    assert_eq!(r.stdout, "");
    assert!(env_dir.join("alpha").is_file());
    // Issue 23 §18: the app's own variable comes first, CROSSDOCK_INSTALL_DIR after it.
    let app_dir = fx.path().join("app-dir");
    install(
        "dash",
        &script,
        &["--quiet"],
        &[
            ("ALPHA_INSTALL_DIR", app_dir.to_str().unwrap()),
            (
                "CROSSDOCK_INSTALL_DIR",
                fx.path().join("not-here").to_str().unwrap(),
            ),
        ],
    )
    .ok();
    assert!(app_dir.join("alpha").is_file());
    assert!(!fx.path().join("not-here").exists());
    let help = install("dash", &script, &["--help"], &[]).ok().stdout;
    assert!(
        help.contains("default: $ALPHA_INSTALL_DIR, else\n              $CROSSDOCK_INSTALL_DIR"),
        "{help}"
    );
    // Without either: $CARGO_HOME/bin when it exists, else ~/.local/bin.
    let home = fx.path().join("home");
    let cargo_home = fx.path().join("cargo-home");
    std::fs::create_dir_all(cargo_home.join("bin")).unwrap();
    let home_env = ("HOME", home.to_str().unwrap());
    install(
        "dash",
        &script,
        &["--quiet"],
        &[home_env, ("CARGO_HOME", cargo_home.to_str().unwrap())],
    )
    .ok();
    assert!(cargo_home.join("bin/alpha").is_file());
    install("dash", &script, &["--quiet"], &[home_env]).ok();
    assert!(home.join(".local/bin/alpha").is_file());
    let r = install("dash", &script, &["--version"], &[]).ok();
    assert_eq!(r.stdout, "alpha 0.3.1\n");
    profiles_put_the_install_dir_on_path(fx.path(), &script);

    // No downloader on PATH: said before anything is fetched or written.
    let bare = fx.path().join("bare-path");
    std::fs::create_dir_all(&bare).unwrap();
    for t in ["uname", "awk", "sha256sum", "tar", "mkdir", "ldd"] {
        let found = tool(Path::new("/"), "sh", &["-c", &format!("command -v {t}")]);
        std::os::unix::fs::symlink(found.trim(), bare.join(t)).unwrap();
    }
    let dash = tool(Path::new("/"), "sh", &["-c", "command -v dash"]);
    let to = fx.path().join("bin-nodownloader");
    let r = install(
        dash.trim(),
        &script,
        &["--to", to.to_str().unwrap()],
        &[("PATH", bare.to_str().unwrap())],
    );
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "alpha-installer: error: neither curl nor wget is installed; install one of them\n"
    );
    assert!(!to.exists());

    // A corrupted archive on the server: refused before unpacking, nothing installed.
    let archive = format!("alpha-0.3.1-{}.tar.gz", host());
    let mut bytes = std::fs::read(release.join(&archive)).unwrap();
    let n = bytes.len() / 2;
    bytes[n] ^= 0xff;
    std::fs::write(release.join(&archive), bytes).unwrap();
    let to = fx.path().join("bin-corrupt");
    let r = install("dash", &script, &["--to", to.to_str().unwrap()], &[]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stderr.contains(&format!(
            "alpha-installer: error: {archive} does not match its SHA-256"
        )) && r.stderr.contains("nothing was installed"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr.lines().count(), 1, "one clear line: {}", r.stderr);
    assert!(!to.join("alpha").exists() && !to.join("alpha-admin").exists());
    // A missing archive: the download fails, also with one line.
    std::fs::remove_file(release.join(&archive)).unwrap();
    let r = install("bash", &script, &["--to", to.to_str().unwrap()], &[]);
    assert_ne!(r.code, 0);
    assert!(
        r.stderr.contains("cannot download http://127.0.0.1:"),
        "{}",
        r.stderr
    );
    assert!(!to.join("alpha").exists());
}

/// Issue 24 §5: the default install dir (~/.local/bin, not on PATH) gets one marked line in
/// the profile of $SHELL, however often the installer runs, and a new shell of that kind
/// that reads the profile finds the binary; `--no-modify-path` and ALPHA_NO_MODIFY_PATH=1
/// write nothing.
fn profiles_put_the_install_dir_on_path(base: &Path, script: &Path) {
    let which = |p: &str| tool(Path::new("/"), "sh", &["-c", &format!("command -v {p}")]);
    let line = |home: &Path| {
        format!(
            "export PATH=\"{}/.local/bin:$PATH\" # added by alpha's installer",
            home.display()
        )
    };
    // (installer run by, $SHELL, the profile it gets, how a new shell reads it)
    let cases = [
        (
            "dash",
            "dash",
            ".profile",
            vec!["-c", ". \"$HOME/.profile\"; command -v alpha"],
        ),
        (
            "bash",
            "bash",
            ".bashrc",
            vec!["-i", "-c", "command -v alpha"],
        ),
        // `curl | sh` runs the installer under sh even for a zsh user.
        (
            "dash",
            "zsh",
            ".zshrc",
            vec!["-i", "-c", "command -v alpha"],
        ),
    ];
    for (runner, user_shell, profile, new_shell) in cases {
        let home = base.join(format!("home-{user_shell}"));
        std::fs::create_dir_all(&home).unwrap();
        let shell_env = which(user_shell);
        let env = [
            ("HOME", home.to_str().unwrap()),
            ("SHELL", shell_env.trim()),
        ];
        let first = install(runner, script, &[], &env).ok();
        install(runner, script, &[], &env).ok();
        let text = std::fs::read_to_string(home.join(profile)).unwrap();
        assert_eq!(text, format!("{}\n", line(&home)), "{user_shell}");
        let bin = home.join(".local/bin");
        let mut want = [profile, ".local/bin/alpha", ".local/bin/alpha-admin"];
        want.sort();
        assert_eq!(
            list_files(&home),
            want,
            "{user_shell}: nothing else in HOME"
        );
        assert!(
            first.stdout.contains(&format!(
                "To uninstall: rm \"{0}/alpha\" \"{0}/alpha-admin\", and delete the line ending in \"# added by alpha's installer\" from {1}\n",
                bin.display(),
                home.join(profile).display()
            )),
            "{}",
            first.stdout
        );
        let mut c = Command::new(user_shell);
        c.args(&new_shell).env("HOME", &home).current_dir(&home);
        let found = finish(c.output().unwrap());
        assert_eq!(
            found.stdout.trim(),
            bin.join("alpha").to_str().unwrap(),
            "{user_shell} does not find alpha: {}",
            found.stderr
        );
    }
    // A login bash (macOS's Terminal) reads ~/.bash_profile, not ~/.bashrc: that file gets
    // the line too, after its last line that had no newline.
    let home = base.join("home-bash-login");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(home.join(".bash_profile"), "export EDITOR=vi").unwrap();
    let shell_env = which("bash");
    let env = [
        ("HOME", home.to_str().unwrap()),
        ("SHELL", shell_env.trim()),
    ];
    install("bash", script, &[], &env).ok();
    install("bash", script, &[], &env).ok();
    assert_eq!(
        std::fs::read_to_string(home.join(".bash_profile")).unwrap(),
        format!("export EDITOR=vi\n{}\n", line(&home))
    );
    let mut c = Command::new("bash");
    c.args(["-l", "-c", "command -v alpha"]).env("HOME", &home);
    let found = finish(c.output().unwrap());
    assert_eq!(
        found.stdout.trim(),
        home.join(".local/bin/alpha").to_str().unwrap()
    );
    // Opting out, or a dir already on PATH: no profile is written, only the way is said.
    let path = std::env::var("PATH").unwrap();
    for (name, args, extra) in [
        ("flag", &["--no-modify-path"][..], None),
        ("variable", &[][..], Some(("ALPHA_NO_MODIFY_PATH", "1"))),
        ("on-path", &[][..], None),
    ] {
        let home = base.join(format!("home-{name}"));
        let bin = home.join(".local/bin");
        std::fs::create_dir_all(&bin).unwrap();
        let on_path = format!("{}:{path}", bin.display());
        let mut env = vec![
            ("HOME", home.to_str().unwrap()),
            ("SHELL", shell_env.trim()),
        ];
        env.extend(extra);
        if name == "on-path" {
            env.push(("PATH", on_path.as_str()));
        }
        let r = install("dash", script, args, &env).ok();
        assert_eq!(
            list_files(&home),
            [".local/bin/alpha", ".local/bin/alpha-admin"],
            "{name}: {}",
            r.stdout
        );
        assert_eq!(
            r.stdout
                .contains("is not on your PATH; add it with: export PATH="),
            name != "on-path",
            "{name}: {}",
            r.stdout
        );
    }
}

/// Fake `uname`, `ldd` and `sysctl` answering from FAKE_* variables.
fn fake_tools(dir: &Path) -> PathBuf {
    let bin = dir.join("fakebin");
    std::fs::create_dir_all(&bin).unwrap();
    for (name, body) in [
        (
            "uname",
            "case \"$1\" in -s) echo \"$FAKE_OS\" ;; -m) echo \"$FAKE_CPU\" ;; esac",
        ),
        ("ldd", "echo \"$FAKE_LDD\" >&2; exit 1"),
        ("sysctl", "echo \"${FAKE_TRANSLATED:-}\""),
    ] {
        let p = bin.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&p, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    }
    bin
}

#[test]
fn shell_installer_picks_the_archive_for_every_platform() {
    if !tools_present() {
        return;
    }
    let fx = fixture(1);
    fx.run(&["dist"]).ok();
    let text = std::fs::read_to_string(fx.dist_dir().join("alpha-installer.sh")).unwrap();
    // The real script, with a table of every platform kind in place of the host's row.
    let start = text.find("ARCHIVES='").unwrap() + "ARCHIVES='".len();
    let end = start + text[start..].find('\'').unwrap();
    let row = |key: &str| {
        format!(
            "{key} {key}.tar.gz {} http://x/{key} top/alpha\n",
            "0".repeat(64)
        )
    };
    let with_table = |keys: &[&str]| {
        let rows: String = keys.iter().map(|k| row(k)).collect();
        format!("{}\n{rows}{}", &text[..start], &text[end..])
    };
    let every = [
        "linux-x86_64-gnu",
        "linux-x86_64-musl",
        "linux-aarch64-gnu",
        "linux-aarch64-musl",
        "macos-x86_64",
        "macos-aarch64",
        "macos-universal",
    ];
    let glibc = "ldd (GNU libc) 2.36";
    let musl = "musl libc (x86_64)";
    // (uname -s, uname -m, ldd, sysctl.proc_translated, table, expected key)
    type Case<'a> = (&'a str, &'a str, &'a str, &'a str, &'a [&'a str], &'a str);
    let cases: &[Case] = &[
        ("Linux", "x86_64", glibc, "", &every, "linux-x86_64-gnu"),
        (
            "Linux",
            "x86_64",
            glibc,
            "",
            &["linux-x86_64-musl"],
            "linux-x86_64-musl",
        ),
        ("Linux", "x86_64", musl, "", &every, "linux-x86_64-musl"),
        ("Linux", "aarch64", glibc, "", &every, "linux-aarch64-gnu"),
        ("Linux", "arm64", musl, "", &every, "linux-aarch64-musl"),
        ("Darwin", "x86_64", "", "0", &every, "macos-x86_64"),
        ("Darwin", "arm64", "", "", &every, "macos-aarch64"),
        (
            "Darwin",
            "arm64",
            "",
            "",
            &["macos-x86_64", "macos-universal"],
            "macos-universal",
        ),
        ("Darwin", "x86_64", "", "1", &every, "macos-aarch64"), // a shell under Rosetta 2
        (
            "Darwin",
            "x86_64",
            "",
            "0",
            &["macos-universal"],
            "macos-universal",
        ),
    ];
    let fake = fake_tools(fx.path());
    let path = format!("{}:{}", fake.display(), std::env::var("PATH").unwrap());
    let script = fx.path().join("matrix.sh");
    let run = |os: &str, cpu: &str, ldd: &str, tr: &str, table: &[&str], args: &[&str]| {
        std::fs::write(&script, with_table(table)).unwrap();
        let mut c = Command::new("dash");
        c.args(args)
            .env("PATH", &path)
            .env("FAKE_OS", os)
            .env("FAKE_CPU", cpu)
            .env("FAKE_LDD", ldd)
            .env("FAKE_TRANSLATED", tr)
            .env(
                "CROSSDOCK_INSTALLER_SOURCED",
                if args[0] == "-c" { "1" } else { "0" },
            );
        finish(c.output().unwrap())
    };
    for (os, cpu, ldd, tr, table, want) in cases {
        let r = run(
            os,
            cpu,
            ldd,
            tr,
            table,
            &["-c", &format!(". '{}'; pick_archive", script.display())],
        );
        let r = Run {
            code: r.code,
            stdout: r.stdout,
            stderr: format!("{os} {cpu} {ldd} {tr}: {}", r.stderr),
        };
        let picked = r.stdout.split_whitespace().next().unwrap_or("").to_string();
        assert_eq!(
            &picked, want,
            "{os} {cpu} ({ldd}, translated={tr}): {}",
            r.stderr
        );
    }
    // No fitting archive: one clear line naming the machine and what the release has.
    for (os, cpu, ldd, table) in [
        ("Linux", "x86_64", musl, &["linux-x86_64-gnu"][..]),
        ("FreeBSD", "amd64", "", &every[..]),
        ("Linux", "riscv64", glibc, &every[..]),
    ] {
        let r = run(
            os,
            cpu,
            ldd,
            "",
            table,
            &[script.to_str().unwrap(), "--to", "/nonexistent"],
        );
        assert_eq!(r.code, 1, "{os} {cpu}");
        assert!(
            r.stderr.starts_with(&format!("alpha-installer: error: no alpha 0.3.1 archive fits this machine ({os} {cpu}); the release has: {}", table.join(" "))),
            "{}",
            r.stderr
        );
        assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    }
}

#[test]
fn merge_writes_the_installers_one_dist_writes() {
    if !tools_present() {
        return;
    }
    let fx = fixture(8000);
    let env = [("SOURCE_DATE_EPOCH", "1700000000")];
    // A file of the user's under an installer's name is not overwritten without --force.
    fx.write("dist/alpha.rb", "# my own formula\n");
    fx.run_env(&["dist"], &env)
        .fails_with(&["alpha.rb", "not written by crossdock"]);
    std::fs::remove_file(fx.dist_dir().join("alpha.rb")).unwrap();
    fx.run_env(&["dist"], &env).ok();
    // A second run writes the same bytes (and may replace its own installers).
    let first = std::fs::read(fx.dist_dir().join("alpha-installer.sh")).unwrap();
    fx.run_env(&["dist"], &env).ok();
    assert_eq!(
        first,
        std::fs::read(fx.dist_dir().join("alpha-installer.sh")).unwrap()
    );
    let a = fx.path().join("a");
    let b = fx.path().join("b");
    fx.run_env(
        &["dist", "-p", "alpha", "--out-dir", a.to_str().unwrap()],
        &env,
    )
    .ok();
    fx.run_env(
        &["dist", "-p", "beta", "--out-dir", b.to_str().unwrap()],
        &env,
    )
    .ok();
    // A per-package dir has only its own installers.
    assert!(a.join("alpha-installer.sh").is_file() && !a.join("beta-installer.sh").exists());
    let out = fx.path().join("merged");
    fx.run(&[
        "merge",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
    ])
    .ok();
    let dist = fx.dist_dir();
    assert_eq!(list_files(&out), list_files(&dist));
    for f in list_files(&dist) {
        assert_eq!(
            std::fs::read(dist.join(&f)).unwrap(),
            std::fs::read(out.join(&f)).unwrap(),
            "{f} differs between merge and dist"
        );
    }
    // An input whose recorded installers were tampered with is refused.
    let mpath = a.join("dist-manifest.json");
    let text = std::fs::read_to_string(&mpath).unwrap();
    std::fs::write(
        &mpath,
        text.replace("alpha-installer.sh\"", "../alpha-installer.sh\""),
    )
    .unwrap();
    let bad = fx.path().join("merged-bad");
    fx.run(&[
        "merge",
        a.to_str().unwrap(),
        "--out-dir",
        bad.to_str().unwrap(),
    ])
    .fails_with(&[
        "the installers of \"alpha\" name the shell installer \"../alpha-installer.sh\"",
    ]);
}

/// Issue 24 §5: winget through the CLI without building for Windows: a package without a
/// publisher, License or ShortDescription is refused naming the key to set; `--dry-run`
/// lists the three manifests named `{Publisher}.{name}`; a run that ships no Windows zip
/// (only the host's archive) writes none of them and says so, and `merge` takes its output.
#[test]
fn winget_manifests_are_planned_named_after_the_publisher_and_skipped_without_a_windows_zip() {
    let fx = Fixture::new("hello-ws");
    let host = host();
    let toml = format!(
        "[dist]\ninstallers = [\"winget\"]\ndownload-url = \"https://dl.example.com/{{tag}}/{{file}}\"\n\n\
         [[target]]\ntriple = \"{host}\"\n\n[[target]]\ntriple = \"x86_64-pc-windows-gnu\"\n"
    );
    fx.write("targets.toml", &toml);
    fx.run(&["dist", "--dry-run"]).fails_with(&[
        "targets.toml:2:14: key `installers`: the winget manifests of `alpha` need a publisher",
        "winget-publisher = \"YourName\"",
        "repository = \"https://github.com/OWNER/REPO\"",
    ]);
    for p in ["alpha", "beta"] {
        let path = fx.path().join(p).join("Cargo.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            text.replace(
                "edition.workspace = true\n",
                &format!("edition.workspace = true\nlicense = \"MIT\"\ndescription = \"The {p} tool\"\nrepository = \"https://github.com/acme-org/hello\"\n"),
            ),
        )
        .unwrap();
    }
    let plan = fx.run(&["dist", "--dry-run"]).ok();
    for f in [
        "acme-org.alpha.yaml",
        "acme-org.alpha.installer.yaml",
        "acme-org.alpha.locale.en-US.yaml",
        "acme-org.beta.yaml",
    ] {
        assert!(
            plan.stdout.contains(&format!("  {f}  (winget)\n")),
            "{f}: {}",
            plan.stdout
        );
    }
    fx.write(
        "targets.toml",
        &toml.replace("download-url", "winget-publisher = \"Acme\"\ndownload-url"),
    );
    let a = fx.path().join("a");
    let run = fx
        .run(&["dist", "--target", &host, "--out-dir", a.to_str().unwrap()])
        .ok();
    assert!(
        run.stderr.contains("Skipped Acme.alpha.installer.yaml (winget): this run has no Windows archive of alpha 0.3.1 for it"),
        "{}",
        run.stderr
    );
    assert!(
        !list_files(&a).iter().any(|f| f.ends_with(".yaml")),
        "{:?}",
        list_files(&a)
    );
    let out = fx.path().join("merged");
    fx.run(&[
        "merge",
        a.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
    ])
    .ok();
    assert_eq!(list_files(&out), list_files(&a));
}
