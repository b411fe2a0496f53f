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

/// The names a path continues with: `name` or each of `{a, b::c, …}`.
fn names_after(rest: &str) -> Vec<String> {
    let word = |s: &str| -> String {
        s.trim()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    match rest.strip_prefix('{') {
        Some(group) => {
            let end = group.find('}').unwrap_or(group.len());
            group[..end].split(',').map(word).collect()
        }
        None => vec![word(rest)],
    }
}

/// The top-level modules a file names through `crate::…` (paths and `use crate::{…}`), or
/// through as many `super::` as the file is deep (`depth`: `plan/mod.rs` is 1,
/// `exec/doctor/probe.rs` 3), which also lead to the crate root.
fn imported_stages(text: &str, depth: usize) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("crate::") {
        if text[..i].ends_with('$') {
            continue; // `$crate::` in a macro
        }
        out.extend(names_after(&text[i + "crate::".len()..]));
    }
    for (i, _) in text.match_indices("super::") {
        if text[..i].ends_with("super::") {
            continue; // counted from the first of the chain
        }
        let mut rest = &text[i..];
        let mut ups = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            rest = r;
            ups += 1;
        }
        if ups >= depth {
            out.extend(names_after(rest));
        }
    }
    out.retain(|n| !n.is_empty());
    out
}

/// How many modules deep a file is: `plan/mod.rs` 1, `plan/names.rs` 2.
fn module_depth(rel: &Path) -> usize {
    let n = rel.components().count();
    if rel.file_name().is_some_and(|f| f == "mod.rs") {
        n - 1
    } else {
        n
    }
}

/// The end of the `{ … }` block opening at `open`, skipping strings and char literals.
fn block_end(text: &str, open: usize) -> usize {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open;
    while i < b.len() {
        match b[i] {
            b'"' => {
                // A raw string r#"…"# ends at `"` and as many `#`; a plain one at an unescaped `"`.
                let hashes = text[..i].chars().rev().take_while(|c| *c == '#').count();
                let raw = text[..i - hashes.min(i)].ends_with('r');
                i += 1;
                while i < b.len() {
                    if !raw && b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i] == b'"' && (!raw || text[i + 1..].starts_with(&"#".repeat(hashes))) {
                        i += if raw { hashes } else { 0 };
                        break;
                    }
                    i += 1;
                }
            }
            b'\'' if b.get(i + 2) == Some(&b'\'') => i += 2,
            b'\'' if b.get(i + 1) == Some(&b'\\') => {
                i += text[i + 1..].find('\'').map_or(0, |n| n + 1);
            }
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// Code outside `#[cfg(test)]` items (inline test modules, wherever they are in the file,
/// and what follows them is kept), and nothing of a `tests.rs`: tests may reach anywhere.
fn product_code(path: &Path, text: &str) -> String {
    if path.file_name().is_some_and(|n| n == "tests.rs") {
        return String::new();
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..i]);
        let item = &rest[i..];
        let end = match (item.find('{'), item.find(';')) {
            (Some(open), Some(semi)) if semi < open => semi + 1,
            (Some(open), _) => block_end(item, open),
            (None, Some(semi)) => semi + 1,
            (None, None) => item.len(),
        };
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// Imports of a file (`rel` under src/) that point at a later stage than its own.
fn stage_violations(rel: &Path, text: &str) -> Vec<String> {
    let rank: BTreeMap<&str, usize> = LAYERS.iter().enumerate().map(|(i, l)| (*l, i)).collect();
    let Some(stage) = rel.components().next().and_then(|c| c.as_os_str().to_str()) else {
        return Vec::new();
    };
    let Some(&mine) = rank.get(stage) else {
        return Vec::new(); // lib.rs, main.rs, this file
    };
    let text = product_code(rel, text);
    imported_stages(&text, module_depth(rel))
        .into_iter()
        .filter(|to| rank.get(to.as_str()).is_some_and(|&theirs| theirs > mine))
        .map(|to| format!("{} imports {to}/ (a later stage)", rel.display()))
        .collect()
}

fn src_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn stages_import_only_earlier_stages() {
    let root = src_root();
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut wrong = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(&root).unwrap();
        wrong.extend(stage_violations(rel, &std::fs::read_to_string(f).unwrap()));
    }
    assert!(
        wrong.is_empty(),
        "imports against the pipeline:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_stage_check_sees_super_paths_and_code_after_the_tests() {
    // A violation after an inline test module, and one through `super::super::`.
    let after_tests = "use crate::sys::shell;\n#[cfg(test)]\nmod tests {\n    use crate::cli::x;\n    fn f() { let s = \"}\"; let c = '{'; }\n}\nuse crate::ship::merge;\n";
    assert_eq!(
        stage_violations(Path::new("plan/names.rs"), after_tests),
        ["plan/names.rs imports ship/ (a later stage)"]
    );
    let up = "use super::super::{exec::pack, sys::fs};\nuse super::probe;\n";
    assert_eq!(
        stage_violations(Path::new("plan/names.rs"), up),
        ["plan/names.rs imports exec/ (a later stage)"]
    );
    // In a deeper file, two `super::` stay inside the stage.
    assert!(stage_violations(Path::new("plan/a/b.rs"), up).is_empty());
    let from_mod = "use super::exec::dist;\n";
    assert_eq!(
        stage_violations(Path::new("package/mod.rs"), from_mod),
        ["package/mod.rs imports exec/ (a later stage)"]
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
    assert_eq!(imported_stages(t, 2), ["plan", "exec", "sys", "ship"]);
}
