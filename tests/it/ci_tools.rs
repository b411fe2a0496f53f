//! `.ci/run` must pass on a fresh machine that has only the Rust toolchain (issue 20 §0): every
//! program a test can ask for is listed in `support::TOOLS` with what installs it, and `.ci/`
//! installs each. Checked here without running anything, so a new `have("x")` in a test fails
//! at once instead of on the first fresh machine.

use std::collections::BTreeSet;
use std::path::Path;

use crate::support::TOOLS;

/// Programs every machine that runs the tests has: the Rust toolchain's and Debian's essential
/// ones (a test may run them without asking `have()`).
const ESSENTIAL: &[&str] = &["cargo", "git", "kill", "rustc", "sh", "tar"];

/// Every word of `.ci/`'s scripts (letters, digits, `-`, `.`, `_`, `+`): apt packages, pip
/// specs (`zizmor==1.32.0` gives `zizmor`), cargo crates.
fn ci_words(root: &Path) -> BTreeSet<String> {
    let mut words = BTreeSet::new();
    for entry in std::fs::read_dir(root.join(".ci")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        let word = |c: char| c.is_ascii_alphanumeric() || "-._+".contains(c);
        for w in text.split(|c: char| !word(c)).filter(|w| !w.is_empty()) {
            words.insert(w.to_string());
        }
    }
    words
}

/// Program names a test source starts or asks for by literal: `have("x")`,
/// `Command::new("x")`, `tool(dir, "x", …)`, `require(…)` lists of names.
fn programs_named_in_tests(root: &Path) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(root.join("tests/it")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code = text.lines().filter(|l| !l.trim_start().starts_with("//"));
        for line in code {
            for (open, skip_first_arg) in [
                ("have(\"", false),
                ("Command::new(\"", false),
                ("tool(", true),
            ] {
                for (i, _) in line.match_indices(open) {
                    let mut rest = &line[i + open.len()..];
                    if skip_first_arg {
                        // tool(dir, "prog", …): the first argument is not a literal.
                        match rest.split_once(", \"") {
                            Some((first, after)) if !first.contains('"') => rest = after,
                            _ => continue,
                        }
                    }
                    let name = rest.split('"').next().unwrap_or_default();
                    if !name.is_empty() && !name.contains(['/', ' ', '{', '\\']) {
                        found.insert(name.to_string());
                    }
                }
            }
        }
    }
    found
}

#[test]
fn every_tool_a_test_can_require_is_installed_by_ci() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let words = ci_words(&root);
    let missing: Vec<String> = TOOLS
        .iter()
        .filter(|(_, installed_by)| *installed_by != "-" && !words.contains(*installed_by))
        .map(|(program, by)| format!("{program} (from {by})"))
        .collect();
    assert!(
        missing.is_empty(),
        "nothing in .ci/ installs these, so a fresh machine's CI fails on them \
         (add the package to .ci/install-test-tools.sh): {missing:?}"
    );

    let listed: BTreeSet<&str> = TOOLS.iter().map(|(p, _)| *p).collect();
    let unlisted: Vec<String> = programs_named_in_tests(&root)
        .into_iter()
        .filter(|p| !listed.contains(p.as_str()) && !ESSENTIAL.contains(&p.as_str()))
        .collect();
    assert!(
        unlisted.is_empty(),
        "tests run these programs, which are not in support::TOOLS (list each with what \
         installs it in .ci/): {unlisted:?}"
    );
}

/// The check above can fail: a package nobody installs and a program nobody listed are found.
#[test]
fn the_ci_tool_check_finds_what_is_missing() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let words = ci_words(&root);
    assert!(words.contains("ruby") && words.contains("zizmor"));
    assert!(!words.contains("no-such-package-xyz"));
    let named = programs_named_in_tests(&root);
    for p in [
        "ruby",
        "sha256sum",
        "dpkg-deb",
        "llvm-lipo-14",
        "rpm",
        "objdump",
    ] {
        assert!(
            named.contains(p),
            "{p} not found in the test sources: {named:?}"
        );
    }
}
