//! The documentation's targets.toml is the one this reader reads (issue 24 §7): every ```toml
//! block of README.md and docs/*.md that is a targets.toml example (it has `[dist]`,
//! `[[target]]` or `[[universal]]` tables) parses, a `# targets.local.toml` block applies over
//! the example before it, and the reference (the first block of docs/targets-toml.md) names
//! every key the reader knows. Unix only: the files are read from the checkout at run time,
//! which the Windows unit tests under wine do not see.

use std::path::{Path, PathBuf};

use super::*;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// README.md and docs/*.md, by their path in the repository.
fn doc_files() -> Vec<(String, String)> {
    let mut names = vec!["README.md".to_string()];
    let mut docs: Vec<String> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ of the repository")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    names.extend(docs);
    names
        .into_iter()
        .map(|n| {
            let text = std::fs::read_to_string(root().join(&n)).unwrap();
            (n, text)
        })
        .collect()
}

/// The ```toml blocks of `text`: (line of the fence, contents).
fn toml_blocks(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        if line.trim_start() != "```toml" {
            continue;
        }
        let mut block = String::new();
        for (_, l) in lines.by_ref() {
            if l.trim_start().starts_with("```") {
                break;
            }
            block.push_str(l);
            block.push('\n');
        }
        out.push((i + 1, block));
    }
    out
}

fn is_matrix(block: &str) -> bool {
    block
        .lines()
        .any(|l| matches!(l.trim_end(), "[dist]" | "[[target]]" | "[[universal]]"))
}

#[test]
fn every_targets_toml_example_of_the_docs_parses() {
    let mut checked = 0;
    for (file, text) in doc_files() {
        let mut previous: Option<String> = None;
        for (line, block) in toml_blocks(&text) {
            if !is_matrix(&block) {
                continue;
            }
            let at = format!("{file}:{line}");
            if block.starts_with("# targets.local.toml") {
                let base = previous.as_deref().unwrap_or_else(|| {
                    panic!("{at}: a targets.local.toml without a targets.toml before it")
                });
                let dir = tempfile::tempdir().unwrap();
                std::fs::write(dir.path().join("targets.toml"), base).unwrap();
                std::fs::write(dir.path().join("targets.local.toml"), &block).unwrap();
                let mut config = Config::load(&dir.path().join("targets.toml")).unwrap();
                crate::read::local::apply(&mut config)
                    .unwrap_or_else(|e| panic!("{at}: {e:#}"))
                    .expect("the overlay is read");
            } else {
                Config::parse(Path::new("targets.toml"), &block)
                    .unwrap_or_else(|e| panic!("{at}: the example does not parse: {e:#}\n{block}"));
                previous = Some(block);
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 5,
        "only {checked} targets.toml examples found in the docs"
    );
}

/// The keys serde knows for the table `header` opens: its "expected one of" list for a key
/// that is not one.
fn known_keys(header: &str) -> Vec<String> {
    let e = toml::from_str::<raw::File>(&format!("{header}\nno-such-key-here = 1\n"))
        .unwrap_err()
        .to_string();
    let list = e
        .split("expected one of ")
        .nth(1)
        .unwrap_or_else(|| panic!("no key list in {e}"));
    list.split(", ")
        .map(|k| k.trim().trim_matches(|c| c == '`' || c == '\n').to_string())
        .filter(|k| !k.is_empty())
        .collect()
}

#[test]
fn the_reference_names_every_key_the_reader_knows() {
    let text = std::fs::read_to_string(root().join("docs/targets-toml.md")).unwrap();
    let reference = &toml_blocks(&text)[0].1;
    Config::parse(Path::new("targets.toml"), reference).expect("the reference parses");
    // Each table's keys, as the lines `key = …` between its header and the next one.
    let mut section = String::new();
    let mut documented: Vec<(String, String)> = Vec::new();
    for l in reference.lines() {
        if l.starts_with('[') {
            section = l.split('#').next().unwrap().trim().to_string();
        } else if let Some((key, _)) = l.split_once(" = ") {
            if !key.starts_with(' ') && !key.starts_with('#') {
                documented.push((section.clone(), key.trim().to_string()));
            }
        }
    }
    let mut missing = Vec::new();
    for header in [
        "[dist]",
        "[[target]]\ntriple = \"x86_64-unknown-linux-gnu\"",
        "[[universal]]",
    ] {
        let table = header.lines().next().unwrap();
        let keys = known_keys(header);
        assert!(keys.len() > 2, "{table}: {keys:?}");
        missing.extend(
            keys.into_iter()
                .filter(|k| !documented.iter().any(|(s, d)| s == table && d == k))
                .map(|k| format!("{table} {k}")),
        );
    }
    assert!(
        missing.is_empty(),
        "keys the reader knows that the reference in docs/targets-toml.md does not show: {missing:?}"
    );
}
