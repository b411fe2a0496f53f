use super::*;
use crate::package::manifest::{BinaryEntry, PackageEntry};

const LINUX: &str = "x86_64-unknown-linux-gnu";

fn bin(name: &str, size: u64) -> BinaryEntry {
    BinaryEntry {
        name: name.into(),
        kind: Default::default(),
        path: format!("top/{name}"),
        size,
        unstripped_size: None,
        sha256: "0".repeat(64),
        format: "ELF".into(),
        glibc: None,
    }
}

fn artifact(
    kind: ArtifactKind,
    package: &str,
    version: &str,
    target: &str,
    ext: &str,
    size: u64,
    binaries: Vec<BinaryEntry>,
) -> ArtifactEntry {
    ArtifactEntry {
        name: format!("{package}-{version}-{target}{ext}"),
        kind,
        package: Some(package.into()),
        version: Some(version.into()),
        target: Some(target.into()),
        members: Vec::new(),
        size,
        sha256: "ab".repeat(32),
        binaries,
        files: Vec::new(),
        inputs: String::new(),
        profile_overrides: Vec::new(),
        build: None,
    }
}

fn manifest(version: &str, artifacts: Vec<ArtifactEntry>) -> Manifest {
    let mut m = Manifest::new(None, 0);
    m.packages.push(PackageEntry {
        name: "app".into(),
        version: version.into(),
        npm: None,
    });
    m.artifacts = artifacts;
    m
}

fn find<'a>(c: &'a SizeComparison, kind: EntryKind, target: &str, name: &str) -> &'a SizeChange {
    c.entries
        .iter()
        .find(|e| e.kind == kind && e.target == target && e.name == name)
        .unwrap_or_else(|| panic!("no {kind:?} {target} {name} in {:#?}", c.entries))
}

#[test]
fn entries_match_across_versions_by_package_target_and_kind() {
    let old = manifest(
        "1.0.0",
        vec![
            artifact(
                ArtifactKind::Archive,
                "app",
                "1.0.0",
                LINUX,
                ".tar.gz",
                1000,
                vec![bin("app", 4000), bin("gone", 10)],
            ),
            artifact(
                ArtifactKind::Checksum,
                "app",
                "1.0.0",
                LINUX,
                ".tar.gz.sha256",
                100,
                Vec::new(),
            ),
            artifact(
                ArtifactKind::Archive,
                "app",
                "1.0.0",
                "x86_64-pc-windows-gnu",
                ".zip",
                500,
                vec![bin("app", 2000)],
            ),
        ],
    );
    let new = manifest(
        "1.1.0",
        vec![
            artifact(
                ArtifactKind::Archive,
                "app",
                "1.1.0",
                LINUX,
                ".tar.gz",
                1050,
                vec![bin("app", 5000), bin("added", 7)],
            ),
            artifact(
                ArtifactKind::Checksum,
                "app",
                "1.1.0",
                LINUX,
                ".tar.gz.sha256",
                100,
                Vec::new(),
            ),
            // Same target, another format: a different archive (new + removed).
            artifact(
                ArtifactKind::Archive,
                "app",
                "1.1.0",
                "x86_64-pc-windows-gnu",
                ".tar.gz",
                400,
                vec![bin("app", 1500)],
            ),
        ],
    );
    let c = compare("old/dist-manifest.json", &old, &new, 10.0);
    // No checksum files; every other entry once.
    assert_eq!(c.entries.len(), 7, "{:#?}", c.entries);
    assert!(c.entries.iter().all(|e| !e.name.contains("sha256")));

    let a = find(&c, EntryKind::Binary, LINUX, "app");
    assert_eq!(
        (a.old, a.new, a.change),
        (Some(4000), Some(5000), Some(1000))
    );
    assert_eq!(a.percent, Some(25.0));
    assert!(a.warn);
    let t = find(&c, EntryKind::Archive, LINUX, ".tar.gz");
    assert_eq!((t.change, t.percent, t.warn), (Some(50), Some(5.0), false));
    let w = find(&c, EntryKind::Binary, "x86_64-pc-windows-gnu", "app");
    assert_eq!(
        (w.change, w.percent, w.warn),
        (Some(-500), Some(-25.0), false)
    );

    let added = find(&c, EntryKind::Binary, LINUX, "added");
    assert_eq!((added.old, added.new, added.warn), (None, Some(7), false));
    let gone = find(&c, EntryKind::Binary, LINUX, "gone");
    assert_eq!((gone.old, gone.new, gone.change), (Some(10), None, None));
    let zip = find(&c, EntryKind::Archive, "x86_64-pc-windows-gnu", ".zip");
    assert_eq!((zip.old, zip.new), (Some(500), None));
    let tgz = find(&c, EntryKind::Archive, "x86_64-pc-windows-gnu", ".tar.gz");
    assert_eq!((tgz.old, tgz.new), (None, Some(400)));

    assert_eq!(
        c.warnings(),
        ["binary app (app, x86_64-unknown-linux-gnu) grew 25.0% (3.9 KiB → 4.9 KiB), above size-warn = \"10%\""]
    );
    let r = c.render();
    assert!(
        r.contains("size change since old/dist-manifest.json (app 1.0.0):"),
        "{r}"
    );
    // Columns: kind, package, target, name, old, new, change (words normalized).
    let line = |name: &str, target: &str| {
        let l = r
            .lines()
            .find(|l| l.contains(target) && l.split_whitespace().nth(3) == Some(name))
            .unwrap_or_else(|| panic!("{name} {target} not in\n{r}"));
        l.split_whitespace().skip(4).collect::<Vec<_>>().join(" ")
    };
    assert_eq!(
        line("app", LINUX),
        "3.9 KiB 4.9 KiB +1000 B (+25.0%)",
        "{r}"
    );
    assert_eq!(line("added", LINUX), "- 7 B new", "{r}");
    assert_eq!(line("gone", LINUX), "10 B - removed", "{r}");
    assert_eq!(line(".zip", "windows"), "500 B - removed", "{r}");
}

#[test]
fn threshold_is_a_strict_bound_and_growth_from_nothing_warns() {
    let one = |size: u64| {
        manifest(
            "1.0.0",
            vec![artifact(
                ArtifactKind::Archive,
                "app",
                "1.0.0",
                LINUX,
                ".tar.gz",
                size,
                Vec::new(),
            )],
        )
    };
    let at =
        |old: u64, new: u64, warn: f64| compare("o", &one(old), &one(new), warn).entries[0].warn;
    assert!(!at(1000, 1100, 10.0), "exactly 10% is not above 10%");
    assert!(at(1000, 1101, 10.0));
    assert!(at(1000, 1001, 0.0), "size-warn = 0% warns on any growth");
    assert!(!at(1000, 1000, 0.0));
    assert!(!at(1000, 900, 0.0), "shrinking never warns");
    assert!(at(0, 1, 50.0));
    assert_eq!(
        compare("o", &one(0), &one(1), 50.0).entries[0].percent,
        None
    );
}

#[test]
fn universal_archives_and_their_binaries_are_matched_by_group_name() {
    let u = |v: &str, size: u64| {
        manifest(
            v,
            vec![artifact(
                ArtifactKind::Universal,
                "app",
                v,
                "universal-apple-darwin",
                ".tar.gz",
                size,
                vec![bin("app", size * 2)],
            )],
        )
    };
    let c = compare("o", &u("1.0.0", 100), &u("2.0.0", 130), 20.0);
    assert_eq!(c.entries.len(), 2);
    assert!(c
        .entries
        .iter()
        .all(|e| e.target == "universal-apple-darwin" && e.percent == Some(30.0) && e.warn));
}

#[test]
fn other_file_shapes_match_with_their_version_left_out() {
    let deb = |v: &str, size: u64| {
        let mut a = artifact(ArtifactKind::Archive, "app", v, LINUX, "", size, Vec::new());
        a.name = format!("app_{v}_amd64.deb");
        manifest(v, vec![a])
    };
    let c = compare("o", &deb("1.0.0", 100), &deb("1.1.0", 150), 10.0);
    assert_eq!(c.entries.len(), 1, "{:#?}", c.entries);
    assert_eq!(c.entries[0].name, "app_{version}_amd64.deb");
    assert_eq!(c.entries[0].change, Some(50));
}

/// Issue 20 §10: an old manifest with sizes of u64::MAX and ESC/NUL in its names gives a
/// true (saturated) change, and a table with those characters escaped.
#[test]
fn hostile_old_sizes_and_names_give_true_changes_and_an_escaped_table() {
    let evil = "app\u{1b}[2J\0x";
    let old = manifest(
        "1.0.0",
        vec![artifact(
            ArtifactKind::Archive,
            "app",
            "1.0.0",
            LINUX,
            ".tar.gz",
            u64::MAX,
            vec![bin("app", u64::MAX), bin(evil, 5)],
        )],
    );
    let new = manifest(
        "1.1.0",
        vec![artifact(
            ArtifactKind::Archive,
            "app",
            "1.1.0",
            LINUX,
            ".tar.gz",
            358_761,
            vec![bin("app", 1000), bin(evil, 6)],
        )],
    );
    let c = compare("old.json", &old, &new, 5.0);
    let app = find(&c, EntryKind::Binary, LINUX, "app");
    assert_eq!(app.change, Some(i64::MIN), "{app:?}");
    assert!(app.percent.unwrap() < -99.9 && !app.warn, "{app:?}");
    let text = c.render();
    assert!(!text.contains('\u{1b}') && !text.contains('\0'), "{text:?}");
    assert!(text.contains("app\\u{1b}[2J\\u{0}x"), "{text}");
    assert!(!text.contains("+358761 B"), "{text}");
    for w in c.warnings() {
        assert!(!w.contains('\u{1b}'), "{w:?}");
    }
}
