//! The entries of one merge input archive, replayed in order as an extractor would create
//! them, so that a set of entries that is harmless one by one but escapes in combination
//! (`a/z -> ..`, then `w -> a/z/../..`, then `w/ESCAPED`) is refused. No file is touched:
//! this is the decision only, fed by [`super::entries::check_entries`] for every format.
//!
//! The rules: names are relative, `/`-separated, without `..` or backslashes, unique once
//! normalized (`top/./a` is `top/a`), and inside the top folder; no entry lies under a
//! symlink or a file; a symlink's target, followed through every earlier symlink, never
//! leaves the top folder at any step; and no symlink is created where an earlier entry or
//! an earlier symlink's resolution already went, since that would change a path already
//! judged.

use std::collections::{BTreeMap, BTreeSet};

/// What an archive entry creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum EntryKind {
    File,
    Dir,
    Symlink(String),
}

/// Symlink hops followed while resolving one target before giving up (Linux's own limit).
const MAX_HOPS: usize = 40;

/// The entries accepted so far: normalized path (components, the top folder first) → kind.
pub(super) struct EntryTree {
    top: String,
    nodes: BTreeMap<Vec<String>, EntryKind>,
    /// Every path an earlier entry's name or symlink resolution went through.
    walked: BTreeSet<Vec<String>>,
}

impl EntryTree {
    pub(super) fn new(top: &str) -> EntryTree {
        EntryTree {
            top: top.to_string(),
            nodes: BTreeMap::new(),
            walked: BTreeSet::new(),
        }
    }

    /// Accepts the next entry, or says why not (the caller names the archive and entry).
    pub(super) fn add(&mut self, name: &str, kind: EntryKind) -> Result<(), String> {
        if name.contains('\\') {
            return Err("has a backslash (a Windows path separator)".into());
        }
        let path = components(name).ok_or("has an absolute path or `..`")?;
        if path.first() != Some(&self.top) {
            return Err(format!("is outside the top folder `{}/`", self.top));
        }
        if self.nodes.contains_key(&path) {
            return Err("appears twice (the second would win on extraction)".into());
        }
        for end in 1..path.len() {
            match self.nodes.get(&path[..end]) {
                Some(EntryKind::Symlink(_)) => {
                    return Err(format!(
                        "lies under the symlink `{}` (an extractor would follow it)",
                        path[..end].join("/")
                    ))
                }
                Some(EntryKind::File) => {
                    return Err(format!("lies under the file `{}`", path[..end].join("/")))
                }
                _ => {}
            }
        }
        if let EntryKind::Symlink(target) = &kind {
            if path.len() == 1 {
                return Err(format!("is the top folder as a symlink to `{target}`"));
            }
            if self.walked.contains(&path) {
                return Err(format!(
                    "is a symlink to `{target}` where an earlier entry already leads (it would change where that entry lies)"
                ));
            }
            let walked = self
                .resolve(&path[..path.len() - 1], target)
                .map_err(|why| format!("is a symlink to `{target}` {why}"))?;
            self.walked.extend(walked);
        }
        self.walked
            .extend((1..path.len()).map(|end| path[..end].to_vec()));
        self.nodes.insert(path, kind);
        Ok(())
    }

    /// Follows `target` from the directory `from` through the symlinks accepted so far;
    /// returns every path visited, or why the target is refused.
    fn resolve(&self, from: &[String], target: &str) -> Result<Vec<Vec<String>>, String> {
        if target.starts_with('/') {
            return Err("outside the archive (an absolute path)".into());
        }
        if target.contains('\\') {
            return Err("with a backslash (a Windows path separator)".into());
        }
        let mut at = from.to_vec();
        let mut todo: Vec<String> = target.split('/').rev().map(str::to_string).collect();
        let mut visited = Vec::new();
        let mut hops = 0;
        while let Some(c) = todo.pop() {
            match c.as_str() {
                "" | "." => continue,
                ".." => {
                    at.pop();
                    if at.is_empty() {
                        return Err("outside the archive's top folder".into());
                    }
                }
                _ => at.push(c),
            }
            visited.push(at.clone());
            if let Some(EntryKind::Symlink(next)) = self.nodes.get(&at) {
                hops += 1;
                if hops > MAX_HOPS || next.starts_with('/') {
                    return Err("that does not resolve inside the archive".into());
                }
                at.pop();
                todo.extend(next.split('/').rev().map(str::to_string));
            }
        }
        Ok(visited)
    }
}

/// `name` as normalized components (`.` and empty ones dropped), or `None` when it is
/// absolute, holds `..`, or is empty.
fn components(name: &str) -> Option<Vec<String>> {
    if name.starts_with('/') {
        return None;
    }
    let mut out = Vec::new();
    for c in name.split('/') {
        match c {
            "" | "." => {}
            ".." => return None,
            c => out.push(c.to_string()),
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
#[path = "tree_tests.rs"]
mod tests;
