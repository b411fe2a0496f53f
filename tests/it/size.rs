//! The size report end to end on hello-ws (host target): every binary's size before and
//! after stripping in the manifest and the summary, and `dist --compare` of a previous
//! manifest after the binary grew: the change per binary and archive, and the warning.

use crate::support::*;

/// Appended to alpha's main.rs: 256 KiB of pseudo-random bytes kept in the binary.
const BALLAST: &str = r#"
#[used]
static BALLAST: [u8; 262144] = {
    let mut a = [0u8; 262144];
    let (mut i, mut x) = (0, 2463534242u32);
    while i < a.len() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        a[i] = x as u8;
        i += 1;
    }
    a
};
"#;

fn binaries(m: &serde_json::Value) -> Vec<serde_json::Value> {
    m["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|a| a["binaries"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// The words of the comparison row of `name` (kind, package, target, name, old, new, change).
fn row<'a>(stderr: &'a str, kind: &str, name: &str) -> Vec<&'a str> {
    stderr
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|w| w.len() > 4 && w[0] == kind && w[3] == name)
        .unwrap_or_else(|| panic!("no {kind} row for {name} in:\n{stderr}"))
}

#[test]
fn dist_records_sizes_before_stripping_and_compare_warns_when_a_binary_grows() {
    let host = host();
    let fx = Fixture::new("hello-ws");
    fx.write(
        "targets.toml",
        &format!(
            "[dist]\ninclude = [\"README*\"]\nsize-warn = \"20%\"\n\n[[target]]\ntriple = \"{host}\"\n"
        ),
    );

    // First release: measured (the unstripped build runs once), recorded, summarized.
    let r = fx.run(&["dist"]).ok();
    assert!(
        r.stderr.contains(&format!(
            "Measuring alpha, beta for {host} before stripping"
        )),
        "{}",
        r.stderr
    );
    let m = read_manifest(&fx.dist_dir());
    let bins = binaries(&m);
    assert_eq!(bins.len(), 3, "{m:#}");
    for b in &bins {
        let (size, before) = (b["size"].as_u64().unwrap(), b["unstripped_size"].as_u64());
        assert!(before.unwrap_or(0) > size, "stripping removes bytes: {b:#}");
    }
    // The binary in the archive is the stripped one, of the recorded size.
    let alpha = bins.iter().find(|b| b["name"] == "alpha").unwrap().clone();
    let ex = tempfile::tempdir().unwrap();
    extract(
        &fx.dist_dir().join(format!("alpha-0.3.1-{host}.tar.gz")),
        ex.path(),
    );
    let shipped = ex.path().join(alpha["path"].as_str().unwrap());
    assert_eq!(
        std::fs::metadata(&shipped).unwrap().len(),
        alpha["size"].as_u64().unwrap()
    );
    assert!(tool(ex.path(), "file", &[&shipped.to_string_lossy()]).contains(", stripped"));
    let table = r
        .stderr
        .lines()
        .find(|l| l.starts_with("alpha ") && l.contains("stripping saved"))
        .unwrap_or_else(|| panic!("no binary row:\n{}", r.stderr));
    assert!(table.contains(&host), "{table}");
    let old = fx.path().join("v1-manifest.json");
    std::fs::copy(fx.dist_dir().join("dist-manifest.json"), &old).unwrap();

    // Nothing changed: the size is remembered, no second build.
    let r = fx.run(&["dist"]).ok();
    assert!(!r.stderr.contains("Measuring"), "{}", r.stderr);
    assert_eq!(read_manifest(&fx.dist_dir()), m);

    // alpha grows by 256 KiB: the comparison shows it, and warns (exit code 0).
    let main = fx.path().join("alpha/src/main.rs");
    let text = std::fs::read_to_string(&main).unwrap();
    std::fs::write(&main, format!("{text}{BALLAST}")).unwrap();
    let r = fx.run(&["dist", "--compare", "v1-manifest.json"]).ok();
    let new = read_manifest(&fx.dist_dir());
    let grown = binaries(&new)
        .into_iter()
        .find(|b| b["name"] == "alpha")
        .unwrap();
    let (before, after) = (
        alpha["size"].as_u64().unwrap(),
        grown["size"].as_u64().unwrap(),
    );
    assert!(after >= before + 262_144, "{before} → {after}");
    let w = row(&r.stderr, "binary", "alpha");
    assert_eq!(w[1..3], ["alpha", host.as_str()]);
    let change = format!(
        "+{} B (+{:.1}%)",
        after - before,
        (after - before) as f64 * 100.0 / before as f64
    );
    assert!(w.join(" ").ends_with(&change), "{w:?} vs {change}");
    assert_eq!(row(&r.stderr, "binary", "beta").last(), Some(&"unchanged"));
    assert!(row(&r.stderr, "archive", ".tar.gz")
        .join(" ")
        .contains(" +"));
    let warnings: Vec<&str> = r
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert_eq!(warnings.len(), 2, "{}", r.stderr);
    assert!(
        warnings[0].starts_with(&format!("warning: binary alpha (alpha, {host}) grew "))
            && warnings[0].ends_with("above size-warn = \"20%\""),
        "{warnings:?}"
    );
    assert!(
        warnings[1].starts_with(&format!("warning: archive .tar.gz (alpha, {host}) grew ")),
        "{warnings:?}"
    );

    // --json: the manifest's keys plus the comparison; --compare takes the folder too.
    let prev = fx.path().join("v1");
    std::fs::create_dir_all(&prev).unwrap();
    std::fs::copy(&old, prev.join("dist-manifest.json")).unwrap();
    let r = fx.run(&["dist", "--json", "--compare", "v1"]).ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("only JSON on stdout");
    assert_eq!(v["artifacts"], new["artifacts"]);
    let c = &v["size_comparison"];
    assert_eq!(c["size_warn_percent"], 20.0);
    let warned: Vec<(&str, &str)> = c["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["warn"] == true)
        .map(|e| (e["kind"].as_str().unwrap(), e["name"].as_str().unwrap()))
        .collect();
    assert_eq!(warned, [("binary", "alpha"), ("archive", ".tar.gz")]);

    // A missing or foreign OLD fails before building, naming it; --dry-run has no binaries.
    fx.run(&["dist", "--compare", "nope.json"]).fails_with(&[
        "--compare nope.json",
        "dist-manifest.json of a previous release",
        "cannot read",
    ]);
    fx.write("foreign.json", "{\"a\": 1}\n");
    fx.run(&["dist", "--compare", "foreign.json"])
        .fails_with(&["--compare foreign.json", "is not a crossdock manifest"]);
    fx.run(&["dist", "--dry-run", "--compare", "v1-manifest.json"])
        .fails_with(&["--compare", "--dry-run"]);

    // strip = false: shipped as built, nothing measured or recorded.
    fx.write(
        "targets.toml",
        &format!("[dist]\nstrip = false\n\n[[target]]\ntriple = \"{host}\"\n"),
    );
    let r = fx.run(&["dist"]).ok();
    assert!(!r.stderr.contains("Measuring"), "{}", r.stderr);
    let m = read_manifest(&fx.dist_dir());
    assert!(
        binaries(&m)
            .iter()
            .all(|b| b.get("unstripped_size").is_none()),
        "{m:#}"
    );
}
