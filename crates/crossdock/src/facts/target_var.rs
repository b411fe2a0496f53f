//! Whether the workspace's code reads `CROSSDOCK_TARGET` (build info, `option_env!`). Targets
//! that build in one cargo invocation (`parallel-targets`, see `plan/group.rs`) share one
//! environment, so that variable cannot hold each target's triple there: a workspace that
//! reads it keeps one cargo invocation per target, and its binaries stay those of a serial run.

use std::path::{Path, PathBuf};

/// The variable a grouped build cannot set per target.
pub const VAR: &str = "CROSSDOCK_TARGET";

/// The first `.rs` file under `root` that names [`VAR`] (skipping `target_dir`, hidden
/// folders and `node_modules`), or none.
pub fn reader(root: &Path, target_dir: &Path) -> Option<PathBuf> {
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            let name = e.file_name();
            let name = name.to_string_lossy();
            let Ok(kind) = e.file_type() else { continue };
            if kind.is_dir() {
                if !name.starts_with('.') && name != "node_modules" && path != target_dir {
                    stack.push(path);
                }
            } else if name.ends_with(".rs")
                && std::fs::read_to_string(&path).is_ok_and(|s| s.contains(VAR))
            {
                return Some(path);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_file_that_reads_the_target_and_skips_the_target_dir() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::create_dir_all(root.join("target/debug")).unwrap();
        std::fs::write(root.join("src/main.rs"), "fn main() {}").unwrap();
        std::fs::write(
            root.join("target/debug/gen.rs"),
            "option_env!(\"CROSSDOCK_TARGET\")",
        )
        .unwrap();
        assert_eq!(reader(root, &root.join("target")), None);
        std::fs::write(
            root.join("src/version.rs"),
            "const T: Option<&str> = option_env!(\"CROSSDOCK_TARGET\");",
        )
        .unwrap();
        assert_eq!(
            reader(root, &root.join("target")),
            Some(root.join("src/version.rs"))
        );
    }
}
