use super::*;

fn parse(s: &str) -> Result<Config> {
    Config::parse(Path::new("targets.toml"), s)
}

fn err(s: &str) -> String {
    format!("{:#}", parse(s).unwrap_err())
}

#[test]
fn minimal_example_parses() {
    let c = parse(MINIMAL_EXAMPLE).unwrap();
    assert_eq!(c.targets.len(), 1);
    assert_eq!(c.targets[0].formats, [ArchiveFormat::TarGz]);
    assert_eq!(
        c.targets[0].smoke.args("any"),
        Some(&["--version".to_string()][..])
    );
}

#[test]
fn glibc_floor_by_key_or_triple_suffix() {
    let c = parse("[[target]]\ntriple = \"aarch64-unknown-linux-gnu.2.17\"\n").unwrap();
    let t = &c.targets[0];
    assert_eq!(
        (t.triple.as_str(), t.glibc.as_deref(), t.builder),
        ("aarch64-unknown-linux-gnu", Some("2.17"), Builder::Zigbuild)
    );
    let c = parse("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\nglibc = \"2.28\"\n").unwrap();
    assert_eq!(c.targets[0].glibc.as_deref(), Some("2.28"));
    for (toml, needle) in [
        ("triple = \"x86_64-unknown-linux-gnu.2.17\"\nglibc = \"2.17\"", "given twice"),
        ("triple = \"x86_64-unknown-linux-gnu\"\nglibc = \"2.x\"", "targets.toml:3:9: target `x86_64-unknown-linux-gnu`: glibc floor `2.x` is not a version"),
        ("triple = \"x86_64-unknown-linux-musl.2.17\"", "applies to `*-linux-gnu*` targets only"),
        ("triple = \"x86_64-unknown-linux-gnu\"\nglibc = \"2.17\"\nbuilder = \"cargo\"", "set builder = \"zigbuild\""),
        // Issue 20 §12: a `/` in a triple is named as the triple, not as a glibc floor.
        ("triple = \"x86_64-unknown-linux-gnu/./../x\"", "target `x86_64-unknown-linux-gnu/./../x`: not a target triple: it holds '/'"),
        ("triple = \"x86_64-unknown-linux-gnu\\n\"", "target `x86_64-unknown-linux-gnu\\n`: not a target triple"),
    ] {
        let e = err(&format!("[[target]]\n{toml}\n"));
        assert!(e.contains(needle), "{e}");
    }
    assert!(crate::package::binary::glibc_newer("2.34", "2.17"));
    assert!(!crate::package::binary::glibc_newer("2.9", "2.17"));
}

#[test]
fn separate_debuginfo_needs_stripping_and_no_msvc() {
    let c = parse(
        "[dist]\ndebuginfo = \"separate\"\n\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n\n[[target]]\ntriple = \"aarch64-apple-darwin\"\n\n[[target]]\ntriple = \"x86_64-pc-windows-gnu\"\n",
    )
    .unwrap();
    assert!(c.targets.iter().all(|t| t.separate_debuginfo));
    for (toml, needle) in [
        ("[dist]\ndebuginfo = \"split\"\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"", "targets.toml:2:13: key `debuginfo`: unknown value `split`"),
        ("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\ndebuginfo = \"separate\"\nstrip = false", "but strip = false ships it inside"),
        ("[[target]]\ntriple = \"x86_64-pc-windows-msvc\"\ndebuginfo = \"separate\"", "MSVC's linker writes its debug info to a .pdb"),
    ] {
        let e = err(&format!("{toml}\n"));
        assert!(e.contains(needle), "{e}");
    }
}

#[test]
fn typo_names_line_and_near_miss() {
    let e = err("[[target]]\ntripel = \"x86_64-unknown-linux-gnu\"\n");
    assert!(
        e.starts_with("targets.toml:2:1: unknown key `tripel`; did you mean `triple`?"),
        "{e}"
    );
}

#[test]
fn wrong_type_is_located() {
    let e = err("[[target]]\ntriple = \"x\"\nfeatures = \"a\"\n");
    assert!(e.starts_with("targets.toml:3:"), "{e}");
    assert!(e.contains("wrong type"), "{e}");
}

#[test]
fn duplicate_triple() {
    let e = err("[[target]]\ntriple = \"a-b-c\"\n[[target]]\ntriple = \"a-b-c\"\n");
    assert!(
        e.starts_with("targets.toml:4:10: target `a-b-c` is listed twice (first at line 2)"),
        "{e}"
    );
}

#[test]
fn windows_defaults_to_zip_and_smoke_can_be_off() {
    let c = parse("[[target]]\ntriple = \"x86_64-pc-windows-gnu\"\nsmoke = false\n").unwrap();
    assert_eq!(c.targets[0].formats, [ArchiveFormat::Zip]);
    assert_eq!(c.targets[0].smoke.args("any"), None);
}

#[test]
fn universal_must_name_matrix_apple_targets() {
    let e = err("[[target]]\ntriple = \"x86_64-apple-darwin\"\n[[universal]]\nname = \"u\"\ntargets = [\"x86_64-apple-darwin\", \"aarch64-apple-darwin\"]\n");
    assert!(
        e.contains("`aarch64-apple-darwin` is not in the matrix"),
        "{e}"
    );
    let e = err("[[target]]\ntriple = \"x86_64-apple-darwin\"\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n[[universal]]\nname = \"u\"\ntargets = [\"x86_64-apple-darwin\", \"x86_64-unknown-linux-gnu\"]\n");
    assert!(e.contains("does not build Mach-O"), "{e}");
}

#[test]
fn another_tool_s_file_is_named_as_such() {
    // cross-rs's configuration, in a file named targets.toml.
    let text = "[build]\npre-build = [\"apt-get update\"]\n\n\
                [target.x86_64-unknown-linux-gnu]\nimage = \"my/image\"\n\n\
                [target.aarch64-unknown-linux-gnu]\nimage = \"my/arm\"\n";
    let e = parse(text).unwrap_err();
    let foreign = e.downcast_ref::<ForeignConfig>().expect("a ForeignConfig");
    assert_eq!(
        foreign.keys,
        [
            "[build]",
            "[target.aarch64-unknown-linux-gnu]",
            "[target.x86_64-unknown-linux-gnu]"
        ]
    );
    let e = format!("{e:#}");
    assert!(
        e.starts_with("targets.toml does not look like a crossdock matrix: it has [build], [target.aarch64-unknown-linux-gnu], [target.x86_64-unknown-linux-gnu] and none of"),
        "{e}"
    );
    assert!(
        e.contains("--config PATH to dist, doctor and matrix"),
        "{e}"
    );
    assert!(e.contains("init --config crossdock.toml"), "{e}");
    // One of crossdock's keys present: a typo is still a typo, located.
    let e = err("[dist]\nfoo = 1\n\n[build]\nx = 1\n");
    assert!(e.starts_with("targets.toml:"), "{e}");
    let e = err("[[target]]\ntriple = \"x\"\n[build]\nx = 1\n");
    assert!(e.contains("unknown key `build`"), "{e}");
    // Not TOML at all: the parse error, located.
    assert!(err("[target\n").starts_with("targets.toml:"));
}

#[test]
fn cache_is_auto_unless_set_and_an_unknown_value_points_at_its_line() {
    let t = "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n";
    assert_eq!(parse(t).unwrap().cache, Cache::Auto);
    for (v, want) in [
        ("auto", Cache::Auto),
        ("sccache", Cache::Sccache),
        ("none", Cache::None),
    ] {
        let c = parse(&format!("[dist]\ncache = \"{v}\"\n{t}")).unwrap();
        assert_eq!(c.cache, want);
    }
    let e = err(&format!("[dist]\njobs = 2\ncache = \"ccache\"\n{t}"));
    assert!(
        e.contains("targets.toml:3:9: key `cache`: unknown `ccache`; expected \"auto\""),
        "{e}"
    );
}

#[test]
fn size_warn_is_a_percentage_string_and_errors_point_at_it() {
    let t = "[[target]]\ntriple = \"x\"\n";
    assert_eq!(parse(t).unwrap().size_warn, None);
    let c = parse(&format!("[dist]\nsize-warn = \"12.5%\"\n{t}")).unwrap();
    assert_eq!(c.size_warn, Some(12.5));
    for (bad, shown) in [("10", "10"), ("\"10\"", "\"10\""), ("\"-1%\"", "\"-1%\"")] {
        let e = err(&format!("[dist]\njobs = 2\nsize-warn = {bad}\n{t}"));
        assert!(
            e.contains(&format!("targets.toml:3:13: key `size-warn`: `{shown}` is not a percentage; write it as a string such as \"10%\"")),
            "{e}"
        );
    }
    assert!(err(&format!("[dist]\nsize-warm = \"1%\"\n{t}")).contains("size-warn"));
}

#[test]
fn parallel_targets_is_a_count_or_auto_and_errors_point_at_it() {
    let t = "[[target]]\ntriple = \"x\"\n";
    assert_eq!(parse(t).unwrap().parallel_targets, None);
    let c = parse(&format!("[dist]\nparallel-targets = 3\n{t}")).unwrap();
    assert_eq!(c.parallel_targets, Some(ParallelTargets::Count(3)));
    let c = parse(&format!("[dist]\nparallel-targets = \"auto\"\n{t}")).unwrap();
    assert_eq!(c.parallel_targets, Some(ParallelTargets::Auto));
    for bad in ["0", "-2", "\"all\"", "true"] {
        let e = err(&format!("[dist]\nparallel-targets = {bad}\n{t}"));
        assert!(
            e.contains("targets.toml:2:20: key `parallel-targets`: must be a number of targets built at once (at least 1) or \"auto\""),
            "{bad}: {e}"
        );
    }
}

#[test]
fn bad_archive_value() {
    let e = err("[[target]]\ntriple = \"x\"\narchive = \"rar\"\n");
    assert!(
        e.contains("targets.toml:3:11: key `archive`: unknown format `rar`"),
        "{e}"
    );
}

#[test]
fn formats_archive_and_windows_combine() {
    let c = parse("[dist]\nformats = [\"tar.xz\", \"tar.zst\", \"tar.gz\"]\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n[[target]]\ntriple = \"x86_64-pc-windows-msvc\"\n[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\narchive = \"tar.zst\"\n").unwrap();
    use ArchiveFormat::*;
    assert_eq!(c.targets[0].formats, [TarXz, TarZst, TarGz]);
    assert_eq!(c.targets[1].formats, [Zip], "Windows keeps zip");
    assert_eq!(c.targets[2].formats, [TarZst], "a target's archive wins");
    let e = err("[dist]\nformats = [\"tar.gz\", \"tar.bz2\"]\n[[target]]\ntriple = \"x\"\n");
    assert!(e.starts_with("targets.toml:2:22: key `formats`: unknown format `tar.bz2`; expected \"tar.gz\", \"tar.xz\""), "{e}");
    let e = err("[dist]\nformats = [\"tar.gz\", \"tgz\"]\n[[target]]\ntriple = \"x\"\n");
    assert!(e.contains("`tar.gz` is listed twice"), "{e}");
    let e = err("[dist]\nformats = []\n[[target]]\ntriple = \"x\"\n");
    assert!(
        e.starts_with("targets.toml:2:11: key `formats`: the list is empty"),
        "{e}"
    );
}

#[test]
fn archive_name_and_unversioned_copy_are_checked() {
    let e = err("[dist]\narchive-name = \"{name}-{ver}\"\n[[target]]\ntriple = \"x\"\n");
    assert!(e.starts_with("targets.toml:2:16: key `archive-name`: \"{name}-{ver}\" has an unknown placeholder `{ver}`"), "{e}");
    let e = err("[dist]\narchive-name = \"{name}-{target}\"\nunversioned-copy = true\n[[target]]\ntriple = \"x\"\n");
    assert!(
        e.contains("key `unversioned-copy`: archive-name \"{name}-{target}\" has no {version}"),
        "{e}"
    );
    let c = parse("[dist]\narchive-name = \"{name}-v{version}-{os}-{arch}\"\nunversioned-copy = true\n[[target]]\ntriple = \"x\"\n").unwrap();
    assert!(c.naming.unversioned_copy);
    assert_eq!(
        c.naming.template.to_string(),
        "{name}-v{version}-{os}-{arch}"
    );
}

#[test]
fn smoke_per_binary_in_a_target_keeps_the_default_for_the_others() {
    let c = parse(
        "[[target]]\ntriple = \"x\"\nsmoke = { admin = false, other = [\"--help\"], on = true }\n",
    )
    .unwrap();
    let s = &c.targets[0].smoke;
    assert_eq!(s.args("admin"), None);
    assert_eq!(s.args("other"), Some(&["--help".to_string()][..]));
    assert_eq!(s.args("on"), Some(&["--version".to_string()][..]));
    assert_eq!(s.args("app"), Some(&["--version".to_string()][..]));
    // Each name is located where it is written, for the planner's errors.
    let at: Vec<(usize, usize)> = c
        .smoke_tables
        .iter()
        .map(|(_, _, sp)| line_col(&c.source, sp.start))
        .collect();
    assert_eq!(at, [(3, 11), (3, 46), (3, 26)]);
}

#[test]
fn dist_smoke_table_applies_to_every_target_and_a_target_table_merges_over_it() {
    let c = parse(
        "[dist.smoke]\nadmin = false\ntool = [\"-V\"]\n\n[[target]]\ntriple = \"a\"\n\n[[target]]\ntriple = \"b\"\nsmoke = { tool = [\"--help\"] }\n\n[[target]]\ntriple = \"c\"\nsmoke = [\"--help\"]\n\n[[target]]\ntriple = \"d\"\nsmoke = false\n",
    )
    .unwrap();
    let args = |t: usize, b: &str| c.targets[t].smoke.args(b).map(|a| a.join(" "));
    assert_eq!(args(0, "admin"), None);
    assert_eq!(args(0, "tool").as_deref(), Some("-V"));
    assert_eq!(args(0, "app").as_deref(), Some("--version"));
    assert_eq!(
        args(1, "admin"),
        None,
        "a target table merges with [dist.smoke]"
    );
    assert_eq!(args(1, "tool").as_deref(), Some("--help"));
    // A plain setting on the target replaces [dist]'s for that target.
    assert_eq!(args(2, "admin").as_deref(), Some("--help"));
    assert_eq!(args(3, "tool"), None);
    let (_, name, sp) = &c.smoke_tables[0];
    assert_eq!(
        (name.as_str(), line_col(&c.source, sp.start)),
        ("admin", (2, 1))
    );
}

#[test]
fn dist_smoke_can_be_off_for_every_target() {
    let c = parse("[dist]\nsmoke = false\n[[target]]\ntriple = \"a\"\n[[target]]\ntriple = \"b\"\nsmoke = { app = true }\n").unwrap();
    assert_eq!(c.targets[0].smoke.args("app"), None);
    assert_eq!(c.targets[1].smoke.args("other"), None);
    assert_eq!(
        c.targets[1].smoke.args("app"),
        Some(&["--version".to_string()][..])
    );
}

#[test]
fn bad_smoke_value_is_located_and_explained() {
    let e = err("[[target]]\ntriple = \"x\"\nsmoke = { admin = \"off\" }\n");
    assert!(e.starts_with("targets.toml:3:"), "{e}");
    assert!(e.contains("key `smoke`"), "{e}");
    let e = err("[[target]]\ntriple = \"x\"\nsmoke = 3\n");
    assert!(
        e.starts_with("targets.toml:3:9: key `smoke`: expected true, false"),
        "{e}"
    );
}

#[test]
fn installers_and_download_url_are_checked_where_written() {
    let c = parse("[dist]\ninstallers = [\"shell\", \"scoop\", \"shell\"]\ndownload-url = \"https://e.com/{tag}/{file}\"\nmaintainer = \"A <a@e.com>\"\n[[target]]\ntriple = \"x\"\n").unwrap();
    assert_eq!(c.installers, [Installer::Shell, Installer::Scoop]);
    assert_eq!(c.download_url.unwrap().0, "https://e.com/{tag}/{file}");
    assert_eq!(c.maintainer.as_deref(), Some("A <a@e.com>"));
    let e = err("[dist]\ninstallers = [\"shell\", \"snap\"]\n[[target]]\ntriple = \"x\"\n");
    assert!(
        e.starts_with("targets.toml:2:24: key `installers`: unknown installer `snap`; the valid ones are \"shell\", \"powershell\", \"homebrew\", \"scoop\", \"deb\", \"rpm\""),
        "{e}"
    );
    let e =
        err("[dist]\ndownload-url = \"https://e.com/{tga}/{file}\"\n[[target]]\ntriple = \"x\"\n");
    assert!(
        e.starts_with("targets.toml:2:16: key `download-url`: unknown placeholder `{tga}`"),
        "{e}"
    );
}

#[test]
fn names_that_reach_yaml_and_file_names_are_plain_words() {
    let apple = "[[target]]\ntriple = \"x86_64-apple-darwin\"\n[[target]]\ntriple = \"aarch64-apple-darwin\"\n";
    let e = parse(&format!("{apple}[[universal]]\nname = \"x86_64-apple-darwin\"\ntargets = [\"x86_64-apple-darwin\", \"aarch64-apple-darwin\"]\n"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("is a target's triple"), "{e}");
    let e = parse(&format!("{apple}[[universal]]\nname = \"../fat\"\ntargets = [\"x86_64-apple-darwin\", \"aarch64-apple-darwin\"]\n"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("may hold only letters"), "{e}");
    let e = parse("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\ngithub-runner = \"ubuntu-latest\\n  evil: 1\"\n")
        .unwrap_err()
        .to_string();
    assert!(e.contains("is not a runner label"), "{e}");
    parse("[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\ngithub-runner = \"ubuntu-24.04-arm\"\n").unwrap();
}

#[test]
fn a_file_that_is_not_utf8_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("targets.toml");
    std::fs::write(
        &path,
        b"[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\nrustflags = [\"\xff\"]\n",
    )
    .unwrap();
    let e = format!("{:#}", Config::load(&path).unwrap_err());
    assert!(e.ends_with("targets.toml:3:15: byte 0xff is not UTF-8; TOML files are UTF-8: save it as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)"), "{e}");
}

/// Issue 24 §5: `homebrew-tap` is a plain OWNER/REPO (it is written into the workflow) and
/// needs the formula it pushes.
#[test]
fn homebrew_tap_is_owner_repo_and_needs_the_homebrew_installer() {
    let t = "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n";
    let ok = parse(&format!("[dist]\ninstallers = [\"homebrew\"]\ndownload-url = \"https://x.invalid/{{tag}}/{{file}}\"\nhomebrew-tap = \"me/homebrew-tap\"\n{t}")).unwrap();
    assert_eq!(ok.homebrew_tap.as_deref(), Some("me/homebrew-tap"));
    let e = err(&format!("[dist]\nhomebrew-tap = \"me/homebrew-tap\"\n{t}"));
    assert!(e.contains("add \"homebrew\" to `installers`"), "{e}");
    for bad in ["me", "me/tap/x", "me/$(id)", "me/tap\\n  evil: 1"] {
        let e = err(&format!(
            "[dist]\ninstallers = [\"homebrew\"]\nhomebrew-tap = \"{bad}\"\n{t}"
        ));
        assert!(e.contains("is not a GitHub repository"), "{bad}: {e}");
    }
}

/// Issue 24 §5: `winget-publisher` is one part of a winget PackageIdentifier and needs the
/// manifests it names.
#[test]
fn winget_publisher_is_one_identifier_part_and_needs_the_winget_installer() {
    let t = "[[target]]\ntriple = \"x86_64-pc-windows-gnu\"\n";
    let ok = parse(&format!(
        "[dist]\ninstallers = [\"winget\"]\nwinget-publisher = \"My-Org\"\n{t}"
    ))
    .unwrap();
    assert_eq!(ok.winget_publisher.as_deref(), Some("My-Org"));
    let e = err(&format!("[dist]\nwinget-publisher = \"Me\"\n{t}"));
    assert!(
        e.contains("targets.toml:2:20: key `winget-publisher`")
            && e.contains("add \"winget\" to `installers`"),
        "{e}"
    );
    for bad in ["", "my.org", "my org", "a/b", &"x".repeat(33)] {
        let e = err(&format!(
            "[dist]\ninstallers = [\"winget\"]\nwinget-publisher = \"{bad}\"\n{t}"
        ));
        assert!(
            e.contains("cannot start a winget PackageIdentifier"),
            "{bad}: {e}"
        );
    }
}

#[test]
fn sbom_and_auditable_come_from_dist_and_a_targets_own_key_wins() {
    let c = parse(
        "[dist]\nsbom = true\nauditable = true\n\n[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n\n[[target]]\ntriple = \"aarch64-unknown-linux-gnu\"\nsbom = false\nauditable = false\n\n[[target]]\ntriple = \"x86_64-pc-windows-gnu\"\nauditable = false\n",
    )
    .unwrap();
    let got: Vec<(bool, bool)> = c.targets.iter().map(|t| (t.sbom, t.auditable)).collect();
    assert_eq!(got, [(true, true), (false, false), (true, false)]);
    let off = parse("[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"\n").unwrap();
    assert!(!off.targets[0].sbom && !off.targets[0].auditable);
    // Not ELF: refused naming the target and both fixes.
    for triple in ["x86_64-pc-windows-msvc", "aarch64-apple-darwin"] {
        let e = err(&format!(
            "[dist]\nauditable = true\n\n[[target]]\ntriple = \"{triple}\"\n"
        ));
        assert!(
            e.contains(&format!("target `{triple}`"))
                && e.contains("auditable = false")
                && e.contains("cargo auditable build"),
            "{e}"
        );
    }
}
