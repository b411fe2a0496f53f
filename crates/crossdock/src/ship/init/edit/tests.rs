//! The edits keep the user's text: exact results, and the original back byte for byte once
//! the added pieces are taken out again.

use super::tomldoc::only_inserts;
use super::*;

fn member(text: &str) -> String {
    add_workspace_member("Cargo.toml", text, "xtask")
        .unwrap()
        .expect("an edit")
}

/// `edited` with each added piece taken out once: `(after, piece)`, the piece being the
/// first that follows the text `after`.
fn without(edited: &str, added: &[(&str, &str)]) -> String {
    let mut s = edited.to_string();
    for (after, piece) in added {
        let at = s
            .find(&format!("{after}{piece}"))
            .unwrap_or_else(|| panic!("{piece:?} not in {s:?}"))
            + after.len();
        s.replace_range(at..at + piece.len(), "");
    }
    s
}

const MANIFEST: &str = r#"# My project.
[package]
name   =   "app"   # the name
version = "0.1.0"
metadata = { docs = { all = true } }

[workspace]
# the crates
members = [
    # core
    "core",

  'cli'  # the binary
    # "old",
]
resolver = "2"

[workspace.dependencies]
serde = { version = "1", features = ["derive"] }	# a tab

# lto = true
"#;

const MEMBER: [(&str, &str); 2] = [("'cli'", ","), ("the binary", "\n  \"xtask\",")];
const PROFILE: &str = r#"
# The profile crossdock builds releases with.
[profile.dist]
# everything `release` sets, plus the size settings below
inherits = "release"
# link-time optimization across crates: smaller, faster binaries for a modest link time
lto = "thin"
# one unit per crate: the optimizer sees the whole crate (smaller, slower to build)
codegen-units = 1
# no symbols or debug info in the shipped binaries
strip = true
# Smaller still, but a panic aborts at once (no unwinding, no catch_unwind): opt in.
# panic = "abort"
"#;

#[test]
fn user_formatting_survives_byte_for_byte() {
    let m = member(MANIFEST);
    let edited = add_dist_profile("Cargo.toml", &m).unwrap().unwrap().text;
    let expected = MANIFEST.replace(
        "'cli'  # the binary\n",
        "'cli',  # the binary\n  \"xtask\",\n",
    ) + PROFILE;
    assert_eq!(edited, expected);
    let pieces = [MEMBER[0], MEMBER[1], ("# lto = true\n", PROFILE)];
    assert_eq!(without(&edited, &pieces), MANIFEST);
    assert!(only_inserts(MANIFEST, &edited));
    // Done once: a second run changes nothing.
    assert_eq!(
        add_workspace_member("Cargo.toml", &edited, "xtask").unwrap(),
        None
    );
    assert_eq!(add_dist_profile("Cargo.toml", &edited).unwrap(), None);

    let config =
        "# mine\n[alias] # shortcuts\n  # build it\n  b = \"build\"\n\n[build]\njobs = 2 # two\n";
    let edited = add_xtask_alias("c", Some(config)).unwrap().unwrap();
    let line = "  xtask = \"run --package xtask --quiet --\"\n";
    assert_eq!(
        edited,
        config.replace("# shortcuts\n", &format!("# shortcuts\n{line}"))
    );
    assert_eq!(without(&edited, &[("# shortcuts\n", line)]), config);
    assert_eq!(add_xtask_alias("c", Some(&edited)).unwrap(), None);
}

#[test]
fn crlf_files_stay_crlf() {
    let crlf = |s: &str| s.replace('\n', "\r\n");
    let original = crlf(MANIFEST);
    let m = member(&original);
    let edited = add_dist_profile("Cargo.toml", &m).unwrap().unwrap().text;
    let expected = crlf(MANIFEST).replace(
        "'cli'  # the binary\r\n",
        "'cli',  # the binary\r\n  \"xtask\",\r\n",
    ) + &crlf(PROFILE);
    assert_eq!(edited, expected);
    assert_eq!(edited.matches('\n').count(), edited.matches("\r\n").count());
    let (member_line, profile) = (crlf(MEMBER[1].1), crlf(PROFILE));
    let pieces = [
        MEMBER[0],
        (MEMBER[1].0, &member_line),
        ("# lto = true\r\n", &profile),
    ];
    assert_eq!(without(&edited, &pieces), original);

    let config = "[alias]\r\nb = \"build\"\r\n";
    assert_eq!(
        add_xtask_alias("c", Some(config)).unwrap().unwrap(),
        "[alias]\r\nxtask = \"run --package xtask --quiet --\"\r\nb = \"build\"\r\n"
    );
    assert_eq!(
        add_xtask_alias("c", Some("[build]\r\njobs = 2\r\n"))
            .unwrap()
            .unwrap(),
        "[build]\r\njobs = 2\r\n\r\n[alias]\r\nxtask = \"run --package xtask --quiet --\"\r\n"
    );
}

#[test]
fn members_arrays_in_every_layout() {
    for (before, after) in [
        // No newline at the end: none is added.
        ("[workspace]\nmembers = [\"a\"]", "[workspace]\nmembers = [\"a\", \"xtask\"]"),
        // The `]` on the last item's line.
        ("[workspace]\nmembers = [\n  \"a\", \"b\"]\n", "[workspace]\nmembers = [\n  \"a\", \"b\", \"xtask\"]\n"),
        ("[workspace]\nmembers = [\"a\" , ]\n", "[workspace]\nmembers = [\"a\" , \"xtask\" ]\n"),
        // Several items on the last line: the line's indent; comments after the last stay below.
        (
            "[workspace]\nmembers = [\n\t\"a\", \"b\" # two\n\t# \"c\",\n]\n",
            "[workspace]\nmembers = [\n\t\"a\", \"b\", # two\n\t\"xtask\",\n\t# \"c\",\n]\n",
        ),
        // An empty array: on one line it stays so, else the item gets a line after any comments.
        ("[workspace]\nmembers = [ ]\n", "[workspace]\nmembers = [ \"xtask\" ]\n"),
        ("[workspace]\nmembers = [\n]\n", "[workspace]\nmembers = [\n    \"xtask\",\n]\n"),
        (
            "[workspace]\nmembers = [ # none yet\n]\n",
            "[workspace]\nmembers = [ # none yet\n    \"xtask\",\n]\n",
        ),
        (
            "[workspace]\nmembers = [\n  # later: \"b\",\n]\n",
            "[workspace]\nmembers = [\n  # later: \"b\",\n  \"xtask\",\n]\n",
        ),
        // Other forms of the table.
        ("workspace = { members = [\"a\"] } # inline\n", "workspace = { members = [\"a\", \"xtask\"] } # inline\n"),
        ("workspace.members = [\"a\"]\n", "workspace.members = [\"a\", \"xtask\"]\n"),
        // No `members`: first under the header, indented as the key it goes before.
        (
            "[workspace] # ws\n  # two\n  resolver = \"2\"\n\n[workspace.package]\nversion = \"1\"\n",
            "[workspace] # ws\n  members = [\"xtask\"]\n  # two\n  resolver = \"2\"\n\n[workspace.package]\nversion = \"1\"\n",
        ),
    ] {
        let edited = add_workspace_member("Cargo.toml", before, "xtask");
        let edited = edited.unwrap_or_else(|e| panic!("{before:?}: {e:#}")).unwrap();
        assert_eq!(edited, after, "{before:?}");
        assert!(only_inserts(before, &edited), "{before:?}");
    }
}

#[test]
fn new_tables_go_after_everything_in_the_file() {
    // Comments at the end (a commented-out table, no newline) stay where they were.
    let text = "[package]\nname = \"a\"\n\n[[bin]]\nname = \"a\"\n\n[a]\n[b]\n[a.c]\nx = 1\n# [[bin]]\n# name = \"c\"";
    assert_eq!(
        member(text),
        format!("{text}\n\n[workspace]\nmembers = [\"xtask\"]\n")
    );
    assert_eq!(
        add_dist_profile("Cargo.toml", text).unwrap().unwrap().text,
        format!("{text}\n{PROFILE}")
    );
    assert_eq!(
        add_xtask_alias("c", Some("# only a comment\n"))
            .unwrap()
            .unwrap(),
        "# only a comment\n\n[alias]\nxtask = \"run --package xtask --quiet --\"\n"
    );
    // [profile.dist] whatever form the other profiles take.
    for text in [
        "[profile.release]\nopt-level = 3\n",
        "[profile]\nrelease.opt-level = 3\n",
        "profile.release.opt-level = 3\n",
    ] {
        let edited = add_dist_profile("Cargo.toml", text).unwrap().unwrap().text;
        assert_eq!(edited, format!("{text}{PROFILE}"));
        // Release's own lto (in that form too) is inherited, not replaced (issue 23 §2).
        let own = text.replace("opt-level = 3", "lto = true");
        let edited = add_dist_profile("Cargo.toml", &own).unwrap().unwrap().text;
        assert!(!edited.contains("lto = \"thin\""), "{edited}");
    }
}

#[test]
fn what_init_does_not_edit_is_refused_naming_the_file_and_the_fix() {
    let by_hand = |e: anyhow::Error, what: &str| {
        let e = format!("{e:#}");
        assert!(
            e.contains("Cargo.toml") && e.contains(what) && e.contains("by hand"),
            "{e}"
        );
    };
    for text in [
        "[workspace]\nmembers = \"a\"\n",
        "[workspace]\nmembers = [1]\n",
        "[workspace.package]\nversion = \"1\"\n",
        "workspace = 1\n",
        // Mixed line endings: toml_edit would change some, so nothing is written.
        "[workspace]\r\nmembers = [\n  \"a\",\r\n]\n",
    ] {
        let e = add_workspace_member("Cargo.toml", text, "xtask").unwrap_err();
        by_hand(e, "add \"xtask\" to the `members`");
    }
    for text in ["profile = { release = { lto = true } }\n", "[a]\r\nb = 1\n"] {
        let e = add_dist_profile("Cargo.toml", text).unwrap_err();
        by_hand(e, "add `[profile.dist]`");
    }
    let e = add_xtask_alias("Cargo.toml", Some("alias.b = \"build\"\n")).unwrap_err();
    by_hand(e, "under [alias]");
    let e = add_workspace_member("Cargo.toml", "[workspace", "xtask").unwrap_err();
    assert!(
        format!("{e:#}").contains("cannot parse Cargo.toml"),
        "{e:#}"
    );
}

#[test]
fn only_inserts_sees_a_changed_dropped_or_moved_byte() {
    assert!(only_inserts("a = 1\n", "a = 1\nb = 2\n"));
    assert!(only_inserts("x = [\"a\"]", "x = [\"a\", \"b\"]"));
    assert!(!only_inserts("a = 1\r\n", "a = 1\n"));
    assert!(!only_inserts("a = 1\nb = 2\n", "b = 2\na = 1\n"));
}
