//! The shape of the crate, checked: each stage folder imports only the stages before it
//! (ARCHITECTURE.md draws them), and the plan neither touches the file system nor starts
//! a process. Read from the source text, so a new import against the arrows fails here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layers, first to last; a folder may import its own layer and earlier ones.
const LAYERS: &[&str] = &[
    "sys", "model", "read", "facts", "plan", "package", "exec", "ship", "cli",
];

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level modules a file names through `crate::…` (paths and `use crate::{…}`).
fn imported_stages(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push(name);
            }
        } else {
            out.push(
                rest.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect(),
            );
        }
    }
    out.retain(|n| !n.is_empty());
    out
}

fn src_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Code outside `#[cfg(test)]` modules: tests may reach anywhere.
fn product_code(path: &Path, text: &str) -> String {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => text[..i].to_string(),
        None => text.to_string(),
    }
}

#[test]
fn stages_import_only_earlier_stages() {
    let root = src_root();
    let mut files = Vec::new();
    sources(&root, &mut files);
    let rank: BTreeMap<&str, usize> = LAYERS.iter().enumerate().map(|(i, l)| (*l, i)).collect();
    let mut wrong = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap();
        let Some(stage) = rel.components().next().and_then(|c| c.as_os_str().to_str()) else {
            continue;
        };
        let Some(&mine) = rank.get(stage) else {
            continue; // lib.rs, main.rs, this file
        };
        let text = product_code(f, &std::fs::read_to_string(f).unwrap());
        for to in imported_stages(&text) {
            if let Some(&theirs) = rank.get(to.as_str()) {
                if theirs > mine {
                    wrong.push(format!("{} imports {to}/ (a later stage)", rel.display()));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the pipeline:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_plan_reads_nothing_and_runs_nothing() {
    let root = src_root().join("plan");
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(!files.is_empty());
    let forbidden = [
        "std::fs",
        "std::process",
        "std::env",
        "process::Cmd",
        "which(",
        ".exists()",
        ".is_file()",
        ".is_dir()",
        "read_to_string",
    ];
    let mut wrong = Vec::new();
    for f in &files {
        let text = product_code(f, &std::fs::read_to_string(f).unwrap());
        for needle in forbidden {
            if text.contains(needle) {
                wrong.push(format!("{} uses {needle}", f.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "the plan must be pure:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_scanner_sees_imports() {
    let t = "use crate::plan::{A, B};\nuse crate::{exec::dist, sys::shell};\nlet x = crate::ship::merge::merge;";
    assert_eq!(imported_stages(t), ["plan", "exec", "sys", "ship"]);
}
