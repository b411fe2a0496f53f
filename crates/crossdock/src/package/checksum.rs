//! Checksum files in the format `sha256sum -c` reads: `<hex>  <name>` per line. Each
//! archive gets `{archive}.sha256`; `SHA256SUMS` lists every archive sorted by name.

use std::path::Path;

use anyhow::Result;

use crate::package::archive::MODE_FILE;
use crate::sys::fs::write_atomic;

pub const SUMS_FILE: &str = "SHA256SUMS";

pub fn line(sha256: &str, name: &str) -> String {
    format!("{sha256}  {name}\n")
}

/// The text of `SHA256SUMS` for `(name, sha256)` pairs, sorted by name.
pub fn sums(entries: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = entries.iter().collect();
    sorted.sort();
    sorted.iter().map(|(n, h)| line(h, n)).collect()
}

pub fn write_text(dest: &Path, text: &str) -> Result<()> {
    write_atomic(dest, MODE_FILE, |f| {
        use std::io::Write;
        f.write_all(text.as_bytes())?;
        Ok(())
    })
}

/// Parses a checksum file into `(name, sha256)` pairs (`verify` reads a release's).
pub fn parse(text: &str, origin: &Path) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        let Some((hash, name)) = l.split_once("  ").or_else(|| l.split_once(" *")) else {
            anyhow::bail!(
                "{}:{}: not a `<sha256>  <file>` line: {l:?}",
                origin.display(),
                i + 1
            );
        };
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            anyhow::bail!(
                "{}:{}: `{hash}` is not a SHA-256 hex digest",
                origin.display(),
                i + 1
            );
        }
        out.push((name.to_string(), hash.to_ascii_lowercase()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_sorted_and_round_trip() {
        let a = "a".repeat(64);
        let b = "b".repeat(64);
        let text = sums(&[("z.zip".into(), a.clone()), ("a.tar.gz".into(), b.clone())]);
        assert_eq!(text, format!("{b}  a.tar.gz\n{a}  z.zip\n"));
        let parsed = parse(&text, Path::new("SHA256SUMS")).unwrap();
        assert_eq!(
            parsed,
            vec![("a.tar.gz".to_string(), b), ("z.zip".to_string(), a)]
        );
        assert!(parse("xyz  f\n", Path::new("S")).is_err());
    }
}
