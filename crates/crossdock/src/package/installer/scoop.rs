//! `{name}.json`: a Scoop manifest (64bit and arm64 URLs with their hashes, `bin`, and
//! `extract_dir` so Scoop finds the binaries inside the archive's top folder). Built as a
//! JSON value, so it is valid JSON by construction; keys come out sorted.

use serde_json::{json, Map, Value};

use super::{Platform, Release, ReleaseArchive};

fn entry(a: &ReleaseArchive) -> Value {
    let mut e = json!({ "url": a.url, "hash": a.sha256 });
    // Scoop unpacks into the app dir; the binaries live under the archive's top folder.
    if let Some(top) = a
        .binaries
        .first()
        .and_then(|b| b.rsplit_once('/'))
        .map(|(top, _)| top)
    {
        e["extract_dir"] = Value::String(top.to_string());
    }
    e
}

/// `None` when the release has no Windows archive for Scoop's CPUs: a manifest with an
/// empty `architecture` installs nothing (issue 23 §17).
pub fn render(release: &Release) -> Option<String> {
    let info = release.info;
    let windows = |cpu: &'static str| {
        release
            .find(move |p| matches!(p, Platform::Windows { cpu: c, msvc: true } if c == cpu))
            .or_else(|| {
                release.find(
                    move |p| matches!(p, Platform::Windows { cpu: c, msvc: false } if c == cpu),
                )
            })
    };
    let mut arch = Map::new();
    for (key, cpu) in [("64bit", "x86_64"), ("32bit", "x86"), ("arm64", "aarch64")] {
        if let Some(a) = windows(cpu) {
            arch.insert(key.to_string(), entry(a));
        }
    }
    if arch.is_empty() {
        return None;
    }
    let bins: Vec<String> = info.binaries.iter().map(|b| format!("{b}.exe")).collect();
    let mut m = Map::new();
    m.insert("version".into(), json!(info.version));
    if let Some(d) = &info.description {
        m.insert("description".into(), json!(d));
    }
    if let Some(h) = &info.homepage {
        m.insert("homepage".into(), json!(h));
    }
    if let Some(l) = &info.license {
        m.insert("license".into(), json!(l));
    }
    m.insert("architecture".into(), Value::Object(arch));
    m.insert("bin".into(), json!(bins));
    let mut s = serde_json::to_string_pretty(&Value::Object(m)).expect("JSON values serialize");
    s.push('\n');
    Some(s)
}
