//! The test tiers (issue 25 §4): `cargo test --workspace` is the default tier, minutes on 2
//! cores; a slower test is `#[ignore = "tier: NAME, why"]` and .ci/run runs its tier by name
//! (`.ci/test-tier.sh` reads `.ci/tiers`: each tier's name and libtest filters). Held
//! here: nothing is ignored and then never run, and nothing runs twice.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use crate::support::repo_root;

/// `.ci/tiers`: each tier's name and its filters, in file order (a tier may take several
/// lines).
fn tiers(text: &str) -> Vec<(String, Vec<String>)> {
    let mut tiers: Vec<(String, Vec<String>)> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut words = line.split_whitespace().map(String::from);
        let name = words.next().unwrap_or_default();
        match tiers.iter_mut().find(|(n, _)| *n == name) {
            Some((_, filters)) => filters.extend(words),
            None => tiers.push((name, words.collect())),
        }
    }
    tiers
}

/// The ignored tests of this binary as libtest names them (`module::test`).
fn ignored_tests() -> BTreeSet<String> {
    let o = Command::new(std::env::current_exe().unwrap())
        .args(["--list", "--ignored", "--format", "terse"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_suffix(": test"))
        .map(String::from)
        .collect()
}

/// Each `#[ignore …]` of the sources below `dir`: the test's module path and name
/// (`node::windows_gnu_module_is_a_dll`, the way libtest names it) and the ignore's text.
fn annotations(dir: &Path, module: &str, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let inner = match module {
            "" => stem.clone(),
            m => format!("{m}::{stem}"),
        };
        if path.is_dir() {
            annotations(&path, &inner, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let inner = match stem.as_str() {
            "main" | "mod" => module.to_string(),
            _ => inner,
        };
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().map(str::trim_start).collect();
        for (i, attr) in lines.iter().enumerate() {
            if !attr.starts_with("#[ignore") {
                continue;
            }
            let why = attr
                .split_once('"')
                .and_then(|(_, rest)| rest.rsplit_once('"'))
                .map_or("", |(why, _)| why);
            let name = lines[i..]
                .iter()
                .find_map(|l| l.strip_prefix("fn ").or_else(|| l.strip_prefix("pub fn ")))
                .and_then(|rest| rest.split('(').next())
                .unwrap_or_default();
            let full = match inner.as_str() {
                "" => name.to_string(),
                m => format!("{m}::{name}"),
            };
            out.insert(full, why.to_string());
        }
    }
}

/// What is wrong with the tiers: an ignored test no tier selects or two tiers select, a
/// filter that selects nothing, an annotation that names no tier or another one.
fn problems(
    tiers: &[(String, Vec<String>)],
    ignored: &BTreeSet<String>,
    annotated: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut found = Vec::new();
    for (tier, filters) in tiers {
        if filters.is_empty() {
            found.push(format!("tier {tier} has no filters"));
        }
        for f in filters {
            if !ignored.iter().any(|t| t.contains(f.as_str())) {
                found.push(format!(
                    "tier {tier}: the filter {f} selects no ignored test (a test renamed, \
                     removed, or not ignored any more?)"
                ));
            }
        }
    }
    for test in ignored {
        let selecting: Vec<&str> = tiers
            .iter()
            .filter(|(_, filters)| filters.iter().any(|f| test.contains(f.as_str())))
            .map(|(tier, _)| tier.as_str())
            .collect();
        let named = annotated
            .get(test)
            .and_then(|why| why.strip_prefix("tier: "))
            .map(|rest| rest.split([',', ' ', ';', '(']).next().unwrap_or_default());
        match (selecting.as_slice(), named) {
            (_, None) => found.push(format!(
                "{test} is ignored without `#[ignore = \"tier: NAME, why\"]` naming its tier"
            )),
            ([], Some(n)) => found.push(format!(
                "{test} is in no tier, so it never runs: add a filter for it to tier {n} in \
                 .ci/tiers"
            )),
            ([one], Some(n)) if *one == n => {}
            ([one], Some(n)) => found.push(format!(
                "{test} says tier {n}, but .ci/tiers puts it in tier {one}"
            )),
            (many, _) => found.push(format!(
                "{test} is in {} tiers ({}), so it runs more than once",
                many.len(),
                many.join(", ")
            )),
        }
    }
    found
}

#[test]
fn every_ignored_test_is_in_exactly_one_tier_that_ci_runs() {
    let root = repo_root();
    let tiers = tiers(&std::fs::read_to_string(root.join(".ci/tiers")).unwrap());
    let ignored = ignored_tests();
    assert!(
        ignored.len() >= tiers.len(),
        "too few ignored tests found: {ignored:?}"
    );
    let mut annotated = BTreeMap::new();
    annotations(&root.join("tests/it"), "", &mut annotated);
    let problems = problems(&tiers, &ignored, &annotated);
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // .ci/run runs every tier of the file, and the unit tests have no tiers.
    let run = std::fs::read_to_string(root.join(".ci/run")).unwrap();
    for line in [
        "for tier in $(bash .ci/test-tier.sh --names); do",
        "bash .ci/test-tier.sh \"$tier\"",
    ] {
        assert!(
            run.lines().any(|l| l.trim() == line),
            ".ci/run must run every tier of .ci/tiers, one by one: it lacks `{line}`"
        );
    }
    let mut unit = BTreeMap::new();
    for dir in ["crates/crossdock/src", "xtask/src"] {
        annotations(&root.join(dir), "", &mut unit);
    }
    assert!(
        unit.is_empty(),
        "ignored unit tests never run (tiers are for tests/it): {unit:?}"
    );
}

/// The check above can fail: each kind of mistake is found.
#[test]
fn the_tier_check_finds_tests_that_would_never_run_or_run_twice() {
    let tiers = tiers("# comment\nslow a::slow_one\nnpm b::publish gone\nslow b::\n\nempty\n");
    let ignored: BTreeSet<String> = ["a::slow_one", "b::publish", "c::orphan", "d::untagged"]
        .map(String::from)
        .into();
    let annotated: BTreeMap<String, String> = [
        ("a::slow_one", "tier: npm, wrong tier"),
        ("b::publish", "tier: npm"),
        ("c::orphan", "tier: slow (forgotten in .ci/tiers)"),
        ("d::untagged", "slow"),
    ]
    .map(|(t, w)| (t.to_string(), w.to_string()))
    .into();
    let found = problems(&tiers, &ignored, &annotated);
    let expect = [
        "tier npm: the filter gone selects no ignored test",
        "tier empty has no filters",
        "a::slow_one says tier npm, but .ci/tiers puts it in tier slow",
        "b::publish is in 2 tiers (slow, npm)",
        "c::orphan is in no tier, so it never runs: add a filter for it to tier slow",
        "d::untagged is ignored without",
    ];
    assert_eq!(found.len(), expect.len(), "{found:#?}");
    for e in expect {
        assert!(
            found.iter().any(|f| f.contains(e)),
            "{e:?} not in {found:#?}"
        );
    }

    // The real sources: the annotations are found under the module path libtest uses.
    let mut annotated = BTreeMap::new();
    annotations(&repo_root().join("tests/it"), "", &mut annotated);
    assert!(
        annotated
            .keys()
            .any(|t| t.starts_with("real_projects::ripgrep")),
        "{annotated:?}"
    );
}
