use super::*;

fn check(entries: &[(&str, EntryKind)]) -> Result<(), String> {
    let mut tree = EntryTree::new("top");
    for (name, kind) in entries {
        tree.add(name, kind.clone())
            .map_err(|why| format!("{name}: {why}"))?;
    }
    Ok(())
}

fn link(target: &str) -> EntryKind {
    EntryKind::Symlink(target.to_string())
}

#[test]
fn a_chain_that_escapes_only_in_combination_is_refused() {
    use EntryKind::*;
    // Issue 12, item 6: each link stays inside on its own (lexically), together they lead
    // out, and the last entry would be written through them.
    let e = check(&[
        ("top/a/z", link("..")),
        ("top/w", link("a/z/../..")),
        ("top/w/ESCAPED", File),
    ])
    .unwrap_err();
    assert!(e.starts_with("top/w: ") && e.contains("outside"), "{e}");
    // The same links in the other order: the later one would change where the earlier
    // one leads.
    let e = check(&[("top/w", link("a/z/../..")), ("top/a/z", link(".."))]).unwrap_err();
    assert!(
        e.starts_with("top/a/z: ") && e.contains("earlier entry"),
        "{e}"
    );
    // Nothing is ever written through a symlink, even one that stays inside.
    let e = check(&[("top/d", Dir), ("top/l", link("d")), ("top/l/x", File)]).unwrap_err();
    assert!(e.contains("lies under the symlink `top/l`"), "{e}");
    for (entries, why) in [
        (vec![("top/x", File), ("top/./x", File)], "appears twice"),
        (vec![("top//x/", Dir), ("top/x", Dir)], "appears twice"),
        (vec![("top/a\\..\\..\\x", File)], "backslash"),
        (vec![("top/l", link("..\\x"))], "backslash"),
        (vec![("top", link("."))], "top folder as a symlink"),
        (vec![("top/l", link("/etc"))], "absolute"),
        (
            vec![("top/f", File), ("top/f/x", File)],
            "lies under the file",
        ),
    ] {
        let e = check(&entries).unwrap_err();
        assert!(e.contains(why), "{entries:?}: {e}");
    }
    // What a careful archive may hold stays accepted.
    check(&[
        ("top/", Dir),
        ("top/bin/app", File),
        ("top/sub/l", link("../bin/app")),
        ("top/l2", link("sub/l")),
        ("./top/README.md", File),
    ])
    .unwrap();
}

/// A tiny deterministic generator (xorshift64*), so the property test needs no crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn path(&mut self, first: Option<&str>) -> String {
        const PARTS: [&str; 8] = ["a", "z", "a", "z", "..", "..", ".", ""];
        let mut parts: Vec<&str> = first.into_iter().collect();
        for _ in 0..1 + self.below(3) {
            parts.push(PARTS[self.below(PARTS.len())]);
        }
        let p = parts.join("/");
        if self.below(12) == 0 {
            format!("/{p}")
        } else {
            p
        }
    }
}

/// A naive extractor's file system: absolute path → node. The extraction root is `/R`.
#[derive(Default)]
struct NaiveFs(BTreeMap<Vec<String>, EntryKind>);

impl NaiveFs {
    /// Where `path` (from `from`) leads, following every symlink as the kernel would
    /// (`..` at `/` stays at `/`); `None` when the links loop.
    fn resolve(&self, from: &[String], path: &str, follow_last: bool) -> Option<Vec<String>> {
        let mut at = if path.starts_with('/') {
            Vec::new()
        } else {
            from.to_vec()
        };
        let mut todo: Vec<String> = path.split('/').rev().map(str::to_string).collect();
        let mut hops = 0;
        while let Some(c) = todo.pop() {
            match c.as_str() {
                "" | "." => continue,
                ".." => {
                    at.pop();
                    continue;
                }
                _ => at.push(c),
            }
            if !follow_last && todo.iter().all(|c| c.is_empty() || c == ".") {
                break;
            }
            if let Some(EntryKind::Symlink(t)) = self.0.get(&at) {
                hops += 1;
                if hops > 40 {
                    return None;
                }
                at.pop();
                if t.starts_with('/') {
                    at.clear();
                }
                todo.extend(t.split('/').rev().map(str::to_string));
            }
        }
        Some(at)
    }

    /// Extracts one entry the naive way; returns where it landed.
    fn extract(&mut self, name: &str, kind: &EntryKind) -> Option<Vec<String>> {
        let root = vec!["R".to_string()];
        let follow_last = kind == &EntryKind::File;
        let at = self.resolve(&root, name, follow_last)?;
        for end in 1..at.len() {
            self.0.entry(at[..end].to_vec()).or_insert(EntryKind::Dir);
        }
        self.0.insert(at.clone(), kind.clone());
        Some(at)
    }
}

/// Checks the property for one entry list: if [`EntryTree`] accepts it, a naive extractor
/// places every entry inside the top folder, and every link, once all are extracted,
/// leads inside it. Returns (accepted, holds a link).
fn property_holds(entries: &[(String, EntryKind)]) -> (bool, bool) {
    let inside = |p: &[String]| p.len() >= 2 && p[0] == "R" && p[1] == "top";
    let mut tree = EntryTree::new("top");
    if entries
        .iter()
        .any(|(name, kind)| tree.add(name, kind.clone()).is_err())
    {
        return (false, false);
    }
    let mut fs = NaiveFs::default();
    let mut links = Vec::new();
    for (name, kind) in entries {
        let landed = fs.extract(name, kind);
        if let Some(at) = &landed {
            assert!(inside(at), "{entries:?} put {name} at {at:?}");
        }
        if let EntryKind::Symlink(t) = kind {
            links.push((landed, t.clone()));
        }
    }
    let with_links = !links.is_empty();
    for (at, target) in links {
        let at = at.expect("an accepted link is placed");
        if let Some(to) = fs.resolve(&at[..at.len() - 1], &target, true) {
            assert!(
                inside(&to),
                "{entries:?}: link {at:?} -> {target} leads to {to:?}"
            );
        }
    }
    (true, with_links)
}

#[test]
fn no_accepted_entry_list_places_anything_outside_the_top_folder() {
    // Random lists, deterministic seed.
    let mut rng = Rng(0x5eed_c0de_d0c5_1234);
    let (mut accepted, mut with_links) = (0, 0);
    for _ in 0..20_000 {
        let entries: Vec<(String, EntryKind)> = (0..1 + rng.below(6))
            .map(|_| {
                let first = (rng.below(8) != 0).then_some("top");
                let name = rng.path(first);
                let kind = match rng.below(3) {
                    0 => EntryKind::File,
                    1 => EntryKind::Dir,
                    _ => EntryKind::Symlink(rng.path(None)),
                };
                (name, kind)
            })
            .collect();
        let (ok, links) = property_holds(&entries);
        accepted += usize::from(ok);
        with_links += usize::from(links);
    }
    // Every ordered triple from a small pool, which random lists rarely hit: the chains
    // that escape only in combination need two links of an exact shape in some order.
    let names = ["top/a", "top/a/z", "top/w", "top/w/x"];
    let targets = ["..", "a", "a/z", "a/z/..", "a/z/../..", "w/.."];
    let pool: Vec<(String, EntryKind)> = names
        .iter()
        .flat_map(|n| {
            [EntryKind::File, EntryKind::Dir]
                .into_iter()
                .chain(targets.iter().map(|t| EntryKind::Symlink(t.to_string())))
                .map(|k| (n.to_string(), k))
        })
        .collect();
    for a in &pool {
        for b in &pool {
            for c in &pool {
                let (ok, links) = property_holds(&[a.clone(), b.clone(), c.clone()]);
                accepted += usize::from(ok);
                with_links += usize::from(links);
            }
        }
    }
    eprintln!("{accepted} accepted, {with_links} with links");
    // The generators must reach the interesting part: accepted lists, with links.
    assert!(
        accepted > 3_000 && with_links > 1_000,
        "{accepted} {with_links}"
    );
}
