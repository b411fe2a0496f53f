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

/// CPU names a triple starts with, and the components after a dash that say what it is.
const ARCHES: &[&str] = &[
    "x86_64",
    "aarch64",
    "i686",
    "i586",
    "armv7",
    "arm",
    "thumbv7",
    "riscv64",
    "riscv32",
    "powerpc64",
    "powerpc",
    "s390x",
    "mips",
    "wasm32",
    "loongarch64",
    "sparc64",
];
const PARTS: &[&str] = &[
    "linux", "apple", "darwin", "ios", "windows", "msvc", "gnu", "musl", "android", "freebsd",
    "netbsd", "unknown", "pc", "eabi", "mingw",
];

/// Does a string literal spell part of a triple: a component after a dash (`-linux-gnu`,
/// `-ios`), a CPU name or prefix (`x86_64`, `aarch64-`)?
fn names_triple_part(lit: &str) -> bool {
    if let Some(rest) = lit.strip_prefix('-') {
        return PARTS.iter().any(|p| rest.starts_with(p));
    }
    ARCHES.iter().any(|a| {
        lit.strip_prefix(a)
            .is_some_and(|r| r.is_empty() || (r.starts_with('-') && !r.contains(' ')))
    })
}

/// Is a string literal a whole triple (`aarch64-apple-darwin`, `x86_64-pc-windows-msvc`)?
fn is_whole_triple(lit: &str) -> bool {
    let parts: Vec<&str> = lit.split('-').collect();
    parts.len() >= 3
        && ARCHES.iter().any(|a| parts[0].starts_with(a))
        && ["unknown", "pc", "apple"].contains(&parts[1])
        && lit
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

/// Places where code reads a triple's text instead of asking `Triple`: a triple part given
/// to a text method (`.contains("-linux-gnu")`, `.starts_with("x86_64")`), or a whole
/// triple compared or matched as a literal (`== "aarch64-apple-darwin"`, a match arm). A
/// list of triples as data (init's commented examples) is not reading one.
fn triple_text_inspections(text: &str) -> Vec<String> {
    const METHODS: &[&str] = &[
        "contains(",
        "starts_with(",
        "ends_with(",
        "strip_prefix(",
        "strip_suffix(",
        "find(",
        "rfind(",
        "split_once(",
        "matches(",
    ];
    let mut out = Vec::new();
    for (i, _) in text.match_indices('"') {
        let Some(len) = text[i + 1..].find('"') else {
            break;
        };
        let lit = &text[i + 1..i + 1 + len];
        let before = &text[..i];
        let after = &text[i + 2 + len..];
        let in_method = METHODS.iter().any(|m| before.ends_with(&format!(".{m}")));
        let compared = before.trim_end().ends_with("==")
            || before.trim_end().ends_with("!=")
            || ["=>", "if ", "|"]
                .iter()
                .any(|x| after.trim_start().starts_with(x));
        if (in_method && names_triple_part(lit)) || (compared && is_whole_triple(lit)) {
            let line = before.matches('\n').count() + 1;
            out.push(format!("line {line}: \"{lit}\""));
        }
    }
    out
}

/// Files compiled only for tests (`#[cfg(test)] mod x;`): they may spell triples freely.
fn test_only_files(files: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).unwrap();
        let dir = if f
            .file_name()
            .is_some_and(|n| n == "mod.rs" || n == "lib.rs")
        {
            f.parent().unwrap().to_path_buf()
        } else {
            f.with_extension("")
        };
        for (i, _) in text.match_indices("#[cfg(test)]\n") {
            let decl = text[i..].lines().nth(1).unwrap_or("");
            let decl = decl
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub ");
            if let Some(name) = decl.strip_prefix("mod ").and_then(|d| d.strip_suffix(';')) {
                out.push(dir.join(format!("{name}.rs")));
            }
        }
    }
    out
}

#[test]
fn only_the_triple_type_reads_triple_text() {
    let root = src_root();
    let mut files = Vec::new();
    sources(&root, &mut files);
    let tests_only = test_only_files(&files);
    let mut wrong = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap();
        if rel == Path::new("model/triple.rs")
            || rel == Path::new("architecture_tests.rs")
            || tests_only.contains(f)
        {
            continue;
        }
        let text = product_code(f, &std::fs::read_to_string(f).unwrap());
        for w in triple_text_inspections(&text) {
            wrong.push(format!("{} {w}", rel.display()));
        }
    }
    assert!(
        wrong.is_empty(),
        "triple text read outside model/triple.rs (ask a `Triple` method instead):\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_triple_scanner_sees_text_inspection() {
    let t = r#"if triple.contains("-linux-gnu") {}
let ios = self.target.contains("-ios");
match t { "aarch64-unknown-linux-gnu" => 1, _ => 0 }
if runner.starts_with("x86_64") {}
let so = soname.starts_with("ld-linux");
let msg = "builds for x86_64-pc-windows-gnu here";
let gcc = "aarch64-linux-gnu-gcc";
const OFFERED: &[&str] = &["x86_64-apple-darwin", "aarch64-apple-darwin"];
if native(runner) != "aarch64-unknown-linux-gnu" {}"#;
    let found = triple_text_inspections(t);
    assert_eq!(
        found,
        [
            "line 1: \"-linux-gnu\"",
            "line 2: \"-ios\"",
            "line 3: \"aarch64-unknown-linux-gnu\"",
            "line 4: \"x86_64\"",
            "line 9: \"aarch64-unknown-linux-gnu\"",
        ]
    );
}

#[test]
fn the_scanner_sees_imports() {
    let t = "use crate::plan::{A, B};\nuse crate::{exec::dist, sys::shell};\nlet x = crate::ship::merge::merge;";
    assert_eq!(imported_stages(t), ["plan", "exec", "sys", "ship"]);
}
