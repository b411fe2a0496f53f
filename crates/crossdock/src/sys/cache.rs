//! Answers of slow probes (`rustc -vV`, `cargo metadata`) kept between runs, so that a run
//! with nothing to do starts no process but `cargo build`. Each answer is stored under a key
//! made of the stamps (path, size, modification time) of every file whose change could
//! change it, as cargo's `.rustc_info.json` does, plus a second set of stamps read from the
//! answer itself (the sysroot's rustc, the members' manifests). A miss, a changed stamp or
//! any read error runs the probe again: a stale answer is never used. Files live under
//! `target/crossdock/facts/`, one per probe, and are rewritten atomically.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Builds a key from texts and file stamps, in order.
#[derive(Clone, Default)]
pub struct Key(Sha256);

impl Key {
    pub fn new(kind: &str) -> Key {
        let mut k = Key(Sha256::new());
        k.text(kind);
        k
    }

    pub fn text(&mut self, s: &str) -> &mut Key {
        self.0.update(s.len().to_le_bytes());
        self.0.update(s);
        self
    }

    /// `path`'s size and modification time (nanoseconds), or that it is missing: creating,
    /// deleting, editing or replacing the file changes the key. A directory's stamp changes
    /// when an entry is added or removed.
    pub fn file(&mut self, path: &Path) -> &mut Key {
        self.text(&path.to_string_lossy());
        match std::fs::metadata(path) {
            Ok(m) => {
                let nanos = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos());
                self.text(&format!("{} {nanos} {}", m.len(), m.is_dir()))
            }
            Err(_) => self.text("missing"),
        }
    }

    /// An environment variable's value, or that it is unset.
    pub fn env(&mut self, name: &str) -> &mut Key {
        self.text(name);
        match std::env::var_os(name) {
            Some(v) => self.text(&v.to_string_lossy()),
            None => self.text("\0unset"),
        }
    }

    pub fn hex(&self) -> String {
        self.0
            .clone()
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Entry {
    key: String,
    /// The stamps of the files the answer itself names, when it was stored.
    check: String,
    value: String,
}

/// One probe's cache file: `<dir>/<name>.json`.
pub struct Cache {
    pub path: PathBuf,
}

impl Cache {
    pub fn new(dir: &Path, name: &str) -> Cache {
        Cache {
            path: dir.join(format!("{name}.json")),
        }
    }

    /// The stored answer when it was stored under `key` and `check` (computed from that
    /// answer) still gives what it gave then.
    pub fn get(&self, key: &Key, check: impl FnOnce(&str) -> Key) -> Option<String> {
        let text = std::fs::read_to_string(&self.path).ok()?;
        let e: Entry = serde_json::from_str(&text).ok()?;
        (e.key == key.hex() && check(&e.value).hex() == e.check).then_some(e.value)
    }

    /// Stores `value` under `key`; a cache that cannot be written only costs the next run
    /// the probe, so errors are ignored.
    pub fn put(&self, key: &Key, check: Key, value: &str) {
        let e = Entry {
            key: key.hex(),
            check: check.hex(),
            value: value.to_string(),
        };
        let Some(dir) = self.path.parent() else {
            return;
        };
        // Only into a target dir that exists: a run that builds nothing (`--dry-run`, a
        // workspace never built) creates no target dir for its cache.
        if !dir
            .parent()
            .and_then(Path::parent)
            .is_some_and(Path::is_dir)
        {
            return;
        }
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let _ = super::fs::write_atomic(&self.path, 0o644, |f| {
            use std::io::Write;
            f.write_all(serde_json::to_string(&e)?.as_bytes())?;
            Ok(())
        });
    }
}

/// Where the caches live in a target dir.
pub fn dir(target_dir: &Path) -> PathBuf {
    target_dir.join("crossdock").join("facts")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_check(_: &str) -> Key {
        Key::new("none")
    }

    #[test]
    fn a_changed_file_size_or_time_misses_and_an_unchanged_one_hits() {
        let d = tempfile::tempdir().unwrap();
        let input = d.path().join("Cargo.toml");
        std::fs::write(&input, "version = \"1.0.0\"\n").unwrap();
        let key = || {
            let mut k = Key::new("test");
            k.file(&input);
            k
        };
        let c = Cache::new(d.path(), "probe");
        assert_eq!(c.get(&key(), no_check), None);
        c.put(&key(), no_check(""), "answer");
        assert_eq!(c.get(&key(), no_check).as_deref(), Some("answer"));
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        let write_at = |text: &str| {
            std::fs::write(&input, text).unwrap();
            std::fs::File::options()
                .write(true)
                .open(&input)
                .unwrap()
                .set_modified(old)
                .unwrap();
        };
        // Same size, other time: a miss.
        write_at("version = \"2.0.0\"\n");
        assert_eq!(c.get(&key(), no_check), None);
        c.put(&key(), no_check(""), "answer 2");
        // Same time, other size: a miss.
        write_at("version = \"10.0.0\"\n");
        assert_eq!(c.get(&key(), no_check), None);
        // Deleted: a miss.
        c.put(&key(), no_check(""), "answer 3");
        std::fs::remove_file(&input).unwrap();
        assert_eq!(c.get(&key(), no_check), None);
    }

    #[test]
    fn the_check_computed_from_the_answer_must_still_match() {
        let d = tempfile::tempdir().unwrap();
        let named = d.path().join("rustc");
        std::fs::write(&named, "v1").unwrap();
        let check = |value: &str| {
            let mut k = Key::new("check");
            k.file(Path::new(value));
            k
        };
        let c = Cache::new(d.path(), "probe");
        let key = Key::new("k");
        let answer = named.to_string_lossy().into_owned();
        c.put(&key, check(&answer), &answer);
        assert_eq!(c.get(&key, check).as_deref(), Some(answer.as_str()));
        std::fs::write(&named, "version 2").unwrap();
        assert_eq!(c.get(&key, check), None);
        // An env var in the key: set and unset differ.
        let (mut a, mut b) = (Key::new("e"), Key::new("e"));
        a.env("CROSSDOCK_TEST_SURELY_UNSET_VAR");
        b.text("CROSSDOCK_TEST_SURELY_UNSET_VAR").text("");
        assert_ne!(a.hex(), b.hex());
    }
}
