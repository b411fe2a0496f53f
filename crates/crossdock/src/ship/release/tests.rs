use super::*;

const KEEP_A_CHANGELOG: &str = "# Changelog\n\
    \n\
    All notable changes.\n\
    \n\
    ## [Unreleased]\n\
    \n\
    - nothing yet\n\
    \n\
    ## [1.2.3] - 2026-01-02\n\
    \n\
    ### Added\n\
    \n\
    - a thing\n\
    \n\
    ```sh\n\
    ## not a heading\n\
    ```\n\
    \n\
    ## 1.2.2\n\
    - older\n\
    \n\
    ## v1.0.0 - 2025-01-01\n\
    first\n\
    \n\
    [1.2.3]: https://example.com/compare/v1.2.2...v1.2.3\n\
    [1.0.0]: https://example.com/v1.0.0\n";

#[test]
fn headings_in_every_accepted_form() {
    let h = |l: &str| parse_heading(l);
    let v = |level: usize, version: &str, date: Option<&str>| {
        Some(Heading {
            level,
            version: version.into(),
            date: date.map(Into::into),
        })
    };
    assert_eq!(h("## [1.2.3]"), v(2, "1.2.3", None));
    assert_eq!(h("## 1.2.3"), v(2, "1.2.3", None));
    assert_eq!(h("## v1.2.3"), v(2, "1.2.3", None));
    assert_eq!(
        h("## [v1.2.3] - 2026-11-25"),
        v(2, "1.2.3", Some("2026-11-25"))
    );
    assert_eq!(
        h("## 1.2.3 - 2026-11-25  "),
        v(2, "1.2.3", Some("2026-11-25"))
    );
    assert_eq!(
        h("## 1.2.3 – 2026-11-25"),
        v(2, "1.2.3", Some("2026-11-25"))
    );
    assert_eq!(
        h("## 1.2.3 (2026-11-25)"),
        v(2, "1.2.3", Some("2026-11-25"))
    );
    assert_eq!(
        h("## [1.2.3](https://x/compare/v1.2.2...v1.2.3) (2026-11-25)"),
        v(2, "1.2.3", Some("2026-11-25"))
    );
    assert_eq!(h("## [1.0.0-rc.1]"), v(2, "1.0.0-rc.1", None));
    assert_eq!(h("## [Unreleased]"), v(2, "Unreleased", None));
    // Any level, as parse-changelog reads them (hyperfine and bat: `# v1.20.0`).
    assert_eq!(h("# v1.20.0"), v(1, "1.20.0", None));
    assert_eq!(h("# unreleased"), v(1, "unreleased", None));
    assert_eq!(h("### 1.2.3"), v(3, "1.2.3", None));
    assert_eq!(h("###### 1.2"), v(6, "1.2", None));
    assert_eq!(
        h("## Version 0.1.0 - 2020-01-01"),
        v(2, "0.1.0", Some("2020-01-01"))
    );
    assert_eq!(h("# release v2.0.1"), v(1, "2.0.1", None));
    assert_eq!(h("####### 1.2.3"), None);
    assert_eq!(h("##1.2.3"), None);
    assert_eq!(h("  # 1.2.3"), None);
    assert_eq!(h("## Notes"), None);
    assert_eq!(h("## []"), None);
    // A year or a count is no version.
    assert_eq!(h("# 2024 releases"), None);
    assert_eq!(h("## 3 things"), None);
}

/// hyperfine's and bat's shape: `# unreleased`, then `# vX.Y.Z` per release with `##`
/// subsections (and a `#` comment inside a fenced example).
const LEVEL_ONE: &str = "# unreleased\n\
    \n\
    ## Features\n\
    \n\
    ## Bugfixes\n\
    \n\
    # v1.20.0\n\
    \n\
    ## Features\n\
    \n\
    - A new flag, see #1 (@someone)\n\
    \n\
    ``` bash\n\
    # a shell comment, no heading\n\
    tool --flag\n\
    ```\n\
    \n\
    ## Bugfixes\n\
    \n\
    - A fix\n\
    \n\
    ### 2.0 migration\n\
    \n\
    still 1.20.0\n\
    \n\
    # v1.19.0\n\
    \n\
    - older\n";

#[test]
fn level_one_version_headings_with_level_two_subsections() {
    let versions: Vec<String> = headings(LEVEL_ONE).into_iter().map(|h| h.version).collect();
    assert_eq!(versions, ["unreleased", "1.20.0", "1.19.0"]);
    assert_eq!(
        section(LEVEL_ONE, "v1.20.0").unwrap(),
        "## Features\n\n- A new flag, see #1 (@someone)\n\n``` bash\n# a shell comment, no heading\ntool --flag\n```\n\n## Bugfixes\n\n- A fix\n\n### 2.0 migration\n\nstill 1.20.0"
    );
    assert_eq!(section(LEVEL_ONE, "1.19.0").unwrap(), "- older");
    assert_eq!(
        section(LEVEL_ONE, "unreleased").unwrap(),
        "## Features\n\n## Bugfixes"
    );
    // Level-3 versions end at the next heading of level 3 or higher.
    let deep = "# Changelog\n\n## Releases\n\n### 1.2.0\n\n- new\n\n#### Details\n\nmore\n\n### 1.1.0\n\n- old\n\n## Appendix\n\nnot notes\n";
    assert_eq!(
        section(deep, "1.2.0").unwrap(),
        "- new\n\n#### Details\n\nmore"
    );
    assert_eq!(section(deep, "1.1.0").unwrap(), "- old");
}

#[test]
fn section_text_stops_at_the_next_version_and_skips_fences_and_links() {
    assert_eq!(
        section(KEEP_A_CHANGELOG, "1.2.3").unwrap(),
        "### Added\n\n- a thing\n\n```sh\n## not a heading\n```"
    );
    assert_eq!(section(KEEP_A_CHANGELOG, "v1.2.2").unwrap(), "- older");
    assert_eq!(section(KEEP_A_CHANGELOG, "1.0.0").unwrap(), "first");
    assert_eq!(
        section(KEEP_A_CHANGELOG, "Unreleased").unwrap(),
        "- nothing yet"
    );
    assert_eq!(section(KEEP_A_CHANGELOG, "9.9.9"), None);
    assert_eq!(section("## 1.0.0\n\n## 0.9.0\nx\n", "1.0.0").unwrap(), "");
    assert_eq!(
        section("## 1.0.0\r\nwindows\r\n", "1.0.0").unwrap(),
        "windows"
    );
    // `1.2.3` must not match `1.2.30`.
    assert_eq!(section("## 1.2.30\nno\n", "1.2.3"), None);
    let versions: Vec<String> = headings(KEEP_A_CHANGELOG)
        .into_iter()
        .map(|h| h.version)
        .collect();
    assert_eq!(versions, ["Unreleased", "1.2.3", "1.2.2", "1.0.0"]);
}

fn m(name: &str, version: &str) -> Member {
    Member {
        name: name.into(),
        version: version.into(),
        version_at: format!("{name}/Cargo.toml"),
        dir: PathBuf::from(name),
    }
}

#[test]
fn tag_names_for_one_shared_and_separate_versions() {
    let one = [m("tiny", "0.2.0")];
    let s = resolve(&one, &one, None).unwrap();
    assert_eq!(
        (s.tag.as_str(), s.title()),
        ("v0.2.0", "tiny 0.2.0".to_string())
    );
    assert_eq!(resolve(&one, &one, Some("tiny")).unwrap().tag, "v0.2.0");

    let shared = [m("a", "1.0.0"), m("b", "1.0.0")];
    let s = resolve(&shared, &shared, None).unwrap();
    assert_eq!((s.tag.as_str(), s.packages.len()), ("v1.0.0", 2));

    let split = [m("a", "1.0.0"), m("b", "2.0.0")];
    let e = resolve(&split, &split, None).unwrap_err().to_string();
    assert!(
        e.contains("a 1.0.0, b 2.0.0") && e.contains("--package"),
        "{e}"
    );
    let s = resolve(&split, &split, Some("b")).unwrap();
    assert_eq!(
        (s.tag.as_str(), s.package_tag.as_deref()),
        ("b-v2.0.0", Some("b"))
    );
    let e = resolve(&split, &split, Some("c")).unwrap_err().to_string();
    assert!(e.contains("package `c` is not a member"), "{e}");

    // The xtask (not a candidate) has its own version: not a package tag for the others.
    let all = [m("app", "0.1.0"), m("xtask", "0.0.0")];
    assert_eq!(resolve(&all[..1], &all, None).unwrap().tag, "v0.1.0");
    assert_eq!(
        resolve(&all[..1], &all, Some("xtask")).unwrap().tag,
        "xtask-v0.0.0"
    );
}

#[test]
fn tags_are_parsed_and_checked_against_cargo_toml() {
    let names = ["my-app", "my-app-cli"];
    assert_eq!(
        parse_tag("v1.2.3", &names).unwrap(),
        ParsedTag {
            package: None,
            version: "1.2.3".into()
        }
    );
    assert_eq!(
        parse_tag("my-app-cli-v1.0.0-rc.1", &names).unwrap(),
        ParsedTag {
            package: Some("my-app-cli".into()),
            version: "1.0.0-rc.1".into()
        }
    );
    assert!(parse_tag("release-1", &names)
        .unwrap_err()
        .to_string()
        .contains("is not a release tag"));
    assert!(parse_tag("v1.2", &names)
        .unwrap_err()
        .to_string()
        .contains("not a semantic version"));
    let e = parse_tag("my-ap-v1.0.0", &names).unwrap_err().to_string();
    assert!(e.contains("Did you mean `my-app`?"), "{e}");

    let one = [m("tiny", "0.2.0")];
    assert_eq!(check_tag("v0.2.0", &one, &one).unwrap().version, "0.2.0");
    assert_eq!(
        check_tag("tiny-v0.2.0", &one, &one).unwrap().tag,
        "tiny-v0.2.0"
    );
    let e = check_tag("v9.9.9", &one, &one).unwrap_err().to_string();
    assert!(
        e.contains("tag `v9.9.9` does not match the version in Cargo.toml: tiny is 0.2.0 (expected tag `v0.2.0`)")
            && e.contains("tiny/Cargo.toml"),
        "{e}"
    );
    let e = check_tag("tiny-v0.1.0", &one, &one)
        .unwrap_err()
        .to_string();
    assert!(e.contains("expected tag `tiny-v0.2.0`"), "{e}");
}

#[test]
fn lockfile_versions() {
    let lock = "version = 4\n\n[[package]]\nname = \"tiny\"\nversion = \"0.2.0\"\n\n\
                [[package]]\nname = \"serde\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n";
    assert_eq!(lockfile_version(lock, "tiny").as_deref(), Some("0.2.0"));
    assert_eq!(lockfile_version(lock, "serde"), None);
    assert_eq!(lockfile_version(lock, "other"), None);
}

#[test]
fn tag_message_is_title_then_notes() {
    let r = Release {
        subject: resolve(&[m("tiny", "0.2.0")], &[m("tiny", "0.2.0")], None).unwrap(),
        root: PathBuf::new(),
        changelog: PathBuf::new(),
        notes: "### Added\n- x".into(),
        head: String::new(),
        head_summary: String::new(),
        push: None,
    };
    assert_eq!(r.message(), "tiny 0.2.0\n\n### Added\n- x\n");
}
